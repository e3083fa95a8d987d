"""Benchmark: Glow-TTS paper-config training step and CPU inference speed.

Measured the way REFERENCE.md §3 measured the official code (2 threads, fp32,
random weights and data, warm-up first, median of repeats):

* train step: batch 4 × 80 tokens × 172 frames — forward with MAS, MLE + duration
  loss, backward, clip by value 5, Noam-Adam step (official: 1.16 s median, 1.05 s min);
* inference: 80 tokens forced to 258 frames (2.995 s of audio), mel only, noise 0.667, weight
  norm folded first as the official `store_inverse()` does (official: 0.111 s, RTF 0.037).

The quality of a trained model (alignment accuracy, duration error, MCD-DTW against
two baselines) is measured by ``bench_tts_quality.py glow_tts [CHECKPOINT]``.

Target: ≤ 1.0× the official figure each. On a shared machine the wall-clock
figures mostly measure the neighbours; process CPU seconds are reported too.
Ends with one JSON object per figure per line.

    python benchmarks/bench_glow_tts.py [--repeats N] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from course_lib.models.glow_tts import GlowTTSConfig, build
from course_lib.models.glow_tts.train import GlowTTSTask

OFFICIAL = {"train_step_s": 1.16, "inference_s": 0.111, "rtf": 0.037}
BATCH, TOKENS, FRAMES, INFER_FRAMES = 4, 80, 172, 258
SAMPLE_RATE, HOP = 22050, 256


def _figure(metric: str, value: float, unit: str, target: str | None = None) -> str:
    return json.dumps({"benchmark": "glow_tts", "metric": metric, "value": value, "unit": unit, "target": target})


def _timed(fn, repeats: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU seconds per call (CPU time is the steadier figure on a shared machine)."""
    for _ in range(warmup):  # the first steps are much slower (allocations, numba cache load)
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = GlowTTSConfig.paper()
    model = build(config)
    task = GlowTTSTask(model)
    optimizer, schedule = task.optimizers["adam"], task.schedulers["noam"].scheduler
    batch = type("Batch", (), dict(
        tokens=torch.randint(1, config.n_vocab, (BATCH, TOKENS)),
        token_lengths=torch.full((BATCH,), TOKENS),
        mels=torch.randn(BATCH, config.n_mels, FRAMES),
        mel_lengths=torch.full((BATCH,), FRAMES),
        speakers=torch.zeros(BATCH, dtype=torch.long),
    ))
    task.on_train_start(batch)

    def train_step() -> None:
        model.train()
        loss, _ = task.loss_step(batch, {})
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), config.grad_clip_value)
        optimizer.step()
        schedule.step()

    train_times, train_cpu = _timed(train_step, args.repeats)

    model.eval()
    # the official figure was measured after `store_inverse()`, which folds the weight norm of the
    # couplings' WaveNets; ours is `remove_weight_norm()` (it halves the inference time here)
    model.decoder.remove_weight_norm()
    tokens = torch.randint(1, config.n_vocab, (1, TOKENS))
    durations = torch.full((1, TOKENS), INFER_FRAMES // TOKENS)
    durations[0, : INFER_FRAMES - int(durations.sum())] += 1  # 258 frames exactly
    generator = torch.Generator().manual_seed(0)

    def infer() -> None:
        out = model.infer(tokens, torch.tensor([TOKENS]), noise_scale=0.667, generator=generator, durations=durations)
        assert out.mel.shape[-1] == INFER_FRAMES

    infer_times, infer_cpu = _timed(infer, args.repeats)
    audio_seconds = INFER_FRAMES * HOP / SAMPLE_RATE

    train_median, infer_median = statistics.median(train_times), statistics.median(infer_times)
    rtf = infer_median / audio_seconds
    print(f"Glow-TTS paper config, {args.threads} threads: train step {train_median:.3f} s "
          f"(min {min(train_times):.3f}; official 1.16), inference {infer_median:.3f} s for {audio_seconds:.3f} s "
          f"of audio, RTF {rtf:.3f} (official 0.111 s, RTF 0.037)")
    print(_figure("train_step_median", round(train_median, 3), "s", "<= 1.16 (official)"))
    print(_figure("train_step_min", round(min(train_times), 3), "s", "<= 1.05 (official min)"))
    print(_figure("train_step_vs_official", round(train_median / OFFICIAL["train_step_s"], 2), "x", "<= 1.0"))
    print(_figure("inference_median", round(infer_median, 4), "s", "<= 0.111 (official)"))
    print(_figure("inference_rtf", round(rtf, 4), "ratio", "<= 0.037 (official)"))
    print(_figure("inference_vs_official", round(infer_median / OFFICIAL["inference_s"], 2), "x", "<= 1.0"))
    # REFERENCE.md §3: the official runs kept both threads busy (process CPU ≈ 2 × wall)
    print(_figure("train_step_cpu_median", round(statistics.median(train_cpu), 3), "cpu-s",
                  f"<= {2 * OFFICIAL['train_step_s']:.2f} (official ≈ 2 × wall)"))
    print(_figure("inference_cpu_median", round(statistics.median(infer_cpu), 4), "cpu-s",
                  f"<= {2 * OFFICIAL['inference_s']:.3f} (official ≈ 2 × wall)"))


if __name__ == "__main__":
    main()
