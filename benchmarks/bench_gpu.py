"""Benchmark: every paper-config model trained and run on one CUDA GPU, in mixed precision.

For each model (Glow-TTS, Grad-TTS, Diff-TTS, HiFi-GAN V1):

* **train step** — the course ``Trainer`` itself (autocast to bfloat16, or float16 with loss
  scaling on older GPUs; the model's clipping; the optimizer step), on random batches of the
  official batch size and of LJSpeech's typical length (6.5 s: 560 frames, 160 tokens with
  blanks; HiFi-GAN: its 8,192-sample segments). Median seconds per step after warm-up, the
  steps per hour that gives, and the peak GPU memory. The losses are checked finite at every
  step, as in any training run.
* **inference** — 3 s of audio (258 frames, 80 tokens, durations given), batch 1, float32,
  weight norm folded: seconds and real-time factor, beside the papers' GPU figures
  (REFERENCE.md §4; those were measured on a V100 or an RTX 2080 Ti, with all of the text
  front end and sometimes the vocoder in the timing, so they are context, not targets).

Needs CUDA: without a GPU it says so and skips (``make bench`` goes on); ``--device cpu --batch-size 1
--steps 1`` is a slow dry run of the same code. Ends with one JSON object per figure per line.

    python benchmarks/bench_gpu.py [--models glow_tts,grad_tts,diff_tts,hifigan,vits] [--steps 20] [--batch-size N]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from types import SimpleNamespace

import torch

from course_lib import facts
from course_lib.training import TrainConfig, Trainer

SAMPLE_RATE, HOP = 22050, 256
TRAIN_TOKENS, TRAIN_FRAMES = 160, 560          # LJSpeech's typical utterance: ≈6.5 s, ≈160 symbols with blanks
INFER_TOKENS, INFER_FRAMES = 80, 258           # 2.995 s, as in the CPU benchmarks
# REFERENCE.md §4 (papers, other GPUs): real-time factors at batch 1
PAPER_GPU_RTF = {"glow_tts": 0.008, "grad_tts_10": 0.033, "diff_tts": 1 / 28, "hifigan_v1": 1 / 167.9,
                 "vits": 1 / 67.12}


def emit(metric: str, value, unit: str, target=None) -> None:
    facts.emit("gpu", metric, None if value is None or math.isnan(value) else float(value), unit, target)


def even_durations(n_tokens: int, n_frames: int, batch: int) -> torch.Tensor:
    """``[B, n_tokens]`` integer frames per token summing to ``n_frames`` exactly."""
    durations = torch.full((batch, n_tokens), n_frames // n_tokens)
    durations[:, : n_frames - n_tokens * (n_frames // n_tokens)] += 1
    return durations


def text_mel_batch(n_vocab: int, n_mels: int, batch: int) -> SimpleNamespace:
    """A random batch with the fields of ``course_lib.data.TextMelBatch`` (log-mel-like values)."""
    return SimpleNamespace(
        tokens=torch.randint(1, n_vocab, (batch, TRAIN_TOKENS)),
        token_lengths=torch.full((batch,), TRAIN_TOKENS),
        mels=torch.randn(batch, n_mels, TRAIN_FRAMES) - 5.0,
        mel_lengths=torch.full((batch,), TRAIN_FRAMES),
        speakers=torch.zeros(batch, dtype=torch.long),
        durations=even_durations(TRAIN_TOKENS, TRAIN_FRAMES, batch),
    )


def _batch_to(batch: SimpleNamespace, device) -> SimpleNamespace:
    return SimpleNamespace(**{k: v.to(device) if torch.is_tensor(v) else v for k, v in vars(batch).items()})


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_training(task, batch, config: TrainConfig, device: torch.device, steps: int) -> dict:
    """Median seconds per ``Trainer`` step over ``steps`` steps (after 3 warm-up steps) and peak memory."""
    trainer = Trainer(task, config, device=device)
    batch = _batch_to(batch, device)
    trainer.fit([batch] * 3)                          # warm-up: cuDNN autotuning, allocator, data-dependent init
    sync(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    times = []
    for step in range(steps):
        start = time.perf_counter()
        trainer.config = TrainConfig(**{**vars(config), "steps": 4 + step})  # one more step
        trainer.fit([batch])
        sync(device)
        times.append(time.perf_counter() - start)
    losses = {k: v for k, v in trainer.history[-1].items() if k.endswith("/loss")}
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else float("nan")
    return {"median": statistics.median(times), "min": min(times), "peak_gib": peak, "losses": losses,
            "amp": str(trainer.amp_dtype).replace("torch.", "")}


def time_inference(fn, device: torch.device, repeats: int = 10) -> float:
    for _ in range(2):
        fn()
    sync(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report_training(name: str, train: dict, batch: int) -> None:
    print(f"{name}: train step {train['median'] * 1000:.1f} ms (min {train['min'] * 1000:.1f}; batch {batch}, "
          f"{train['amp']}), {3600 / train['median']:.0f} steps/h, peak {train['peak_gib']:.2f} GiB, "
          f"last losses {', '.join(f'{k}={v:.3f}' for k, v in train['losses'].items())}", flush=True)
    emit(f"{name}_train_step_median", train["median"], "s")
    emit(f"{name}_train_steps_per_hour", 3600 / train["median"], "steps/h")
    emit(f"{name}_train_peak_memory", train["peak_gib"], "GiB")


def report_inference(name: str, seconds: float, paper_key: str | None = None) -> None:
    audio_s = INFER_FRAMES * HOP / SAMPLE_RATE
    paper = PAPER_GPU_RTF.get(paper_key) if paper_key else None
    print(f"{name}: inference {seconds * 1000:.1f} ms for {audio_s:.2f} s of audio, RTF {seconds / audio_s:.4f}"
          + (f" (paper, another GPU: {paper:.4f})" if paper else ""), flush=True)
    emit(f"{name}_inference_rtf", seconds / audio_s, "ratio", f"paper {paper:.4f} (other GPU)" if paper else None)


def train_acoustic_model(name, config, model, task, device, steps, batch_size, **clip):
    """Time ``task``'s training step on a random text-mel batch, report it; returns one inference input.

    The input is ``(tokens [1, 80], durations [1, 80])`` on ``device``, with ``model`` in eval mode.
    """
    batch_size = batch_size or config.batch_size
    train = time_training(task, text_mel_batch(config.n_vocab, config.n_mels, batch_size),
                          TrainConfig(steps=3, progress=False, log_every=1, checkpoint_every=None, **clip),
                          device, steps)
    report_training(name, train, batch_size)
    model.eval()
    tokens = torch.randint(1, config.n_vocab, (1, INFER_TOKENS), device=device)
    return tokens, even_durations(INFER_TOKENS, INFER_FRAMES, 1).to(device)


def bench_glow_tts(device, steps, batch_size=None):
    from course_lib.models.glow_tts import GlowTTSConfig, build
    from course_lib.models.glow_tts.train import GlowTTSTask

    config = GlowTTSConfig.paper()
    model = build(config)
    tokens, durations = train_acoustic_model("glow_tts", config, model, GlowTTSTask(model), device, steps, batch_size,
                                             grad_clip_value=config.grad_clip_value)
    model.decoder.remove_weight_norm()
    lengths = torch.tensor([INFER_TOKENS], device=device)
    report_inference("glow_tts", time_inference(lambda: model.infer(tokens, lengths, durations=durations), device),
                     "glow_tts")


def bench_grad_tts(device, steps, batch_size=None):
    from course_lib.models.grad_tts import GradTTSConfig, build
    from course_lib.models.grad_tts.train import GradTTSTask

    config = GradTTSConfig.paper()
    model = build(config)
    tokens, durations = train_acoustic_model("grad_tts", config, model, GradTTSTask(model), device, steps, batch_size,
                                             grad_clip_norm=config.grad_clip_norm)
    for n_steps in (10, 50):
        infer = time_inference(lambda: model.synthesize(tokens, n_steps=n_steps, seed=0, durations=durations), device)
        report_inference(f"grad_tts_{n_steps}steps", infer, f"grad_tts_{n_steps}")


def bench_diff_tts(device, steps, batch_size=None):
    from course_lib.models.diff_tts import DiffTTSConfig, build
    from course_lib.models.diff_tts.train import DiffTTSTask

    config = DiffTTSConfig.paper()
    model = build(config)
    tokens, durations = train_acoustic_model("diff_tts", config, model, DiffTTSTask(model), device, steps, batch_size,
                                             grad_clip_norm=config.grad_clip_norm)
    for gamma in (57, 21, 7, 1):
        infer = time_inference(lambda: model.synthesize(tokens, gamma=gamma, seed=0, durations=durations), device,
                               repeats=3 if gamma == 1 else 10)
        report_inference(f"diff_tts_gamma{gamma}", infer, "diff_tts")


def bench_hifigan(device, steps, batch_size=None):
    import numpy as np

    from course_lib.models.hifigan import build
    from course_lib.models.waveform.config import HiFiGANConfig
    from course_lib.data.segments import make_batch
    from course_lib.models.hifigan.train import HiFiGANTask

    config = HiFiGANConfig.v1()
    model = build(config)
    rng = np.random.default_rng(0)
    waves = make_batch([rng.uniform(-0.5, 0.5, config.segment_size).astype(np.float32)
                        for _ in range(batch_size or config.batch_size)])
    batch = SimpleNamespace(waves=waves.waves, mels=waves.mels)
    train = time_training(HiFiGANTask(model, config), batch,
                          TrainConfig(steps=3, progress=False, log_every=1, checkpoint_every=None), device, steps)
    generator = model.generator.eval().remove_weight_norm()
    mel = torch.randn(1, config.in_channels, INFER_FRAMES, device=device) - 5.0
    report_training("hifigan_v1", train, batch_size or config.batch_size)
    with torch.no_grad():
        report_inference("hifigan_v1", time_inference(lambda: generator(mel), device), "hifigan_v1")


def bench_vits(device, steps, batch_size=None):
    """``ljs_base.json``: generator + discriminator steps on random text and waves; text → wave at batch 1."""
    from course_lib.models.vits import VITSConfig, build, build_discriminator
    from course_lib.models.vits.train import VITSTask

    config = VITSConfig.paper()
    model = build(config)
    batch_size = batch_size or config.batch_size
    batch = text_mel_batch(config.n_vocab, 80, batch_size)
    batch.waves = torch.rand(batch_size, 1, TRAIN_FRAMES * HOP) - 0.5
    train = time_training(VITSTask(model, build_discriminator(config)), batch,
                          TrainConfig(steps=3, progress=False, log_every=1, checkpoint_every=None), device, steps)
    report_training("vits", train, batch_size)
    model.eval().remove_weight_norm()
    tokens = torch.randint(1, config.n_vocab, (1, INFER_TOKENS), device=device)
    lengths = torch.tensor([INFER_TOKENS], device=device)
    with torch.no_grad():  # the predicted durations set the length: report per second of audio made
        made = model.infer(tokens, lengths).wave_lengths[0].item() / SAMPLE_RATE
        seconds = time_inference(lambda: model.infer(tokens, lengths, generator=None), device)
    print(f"vits: inference {seconds * 1000:.1f} ms for {made:.2f} s of audio (its own durations), "
          f"RTF {seconds / made:.4f} (paper, V100: {PAPER_GPU_RTF['vits']:.4f})", flush=True)
    emit("vits_inference_rtf", seconds / made, "ratio", f"paper {PAPER_GPU_RTF['vits']:.4f} (V100)")


BENCHES = {"glow_tts": bench_glow_tts, "grad_tts": bench_grad_tts, "diff_tts": bench_diff_tts,
           "hifigan": bench_hifigan, "vits": bench_vits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(BENCHES), help=f"comma-separated, from {', '.join(BENCHES)}")
    parser.add_argument("--steps", type=int, default=20, help="timed training steps per model")
    parser.add_argument("--batch-size", type=int, default=None, help="instead of each model's official batch size")
    parser.add_argument("--device", default=None, help="cuda (the default where there is one), or cpu for a slow dry run")
    args = parser.parse_args()
    if args.device is None and not torch.cuda.is_available():
        print("bench_gpu.py: skipped, no CUDA GPU here (torch.cuda.is_available() is False); the CPU figures come "
              "from bench_glow_tts.py, bench_grad_tts.py and bench_hifigan.py")
        return
    if args.device is not None and args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit(f"--device {args.device}: this machine has no CUDA GPU (torch.cuda.is_available() is False)")
    unknown = set(args.models.split(",")) - set(BENCHES)
    if unknown:
        sys.exit(f"unknown model(s) {sorted(unknown)}: choose from {', '.join(BENCHES)}")
    device = torch.device(args.device or "cuda")
    torch.backends.cudnn.benchmark = True
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU (dry run)"
    print(f"{where}, torch {torch.__version__}", flush=True)
    for name in args.models.split(","):
        torch.manual_seed(0)
        BENCHES[name](device, args.steps, args.batch_size)
        if device.type == "cuda":
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
