"""Speed of the paper-size diffusion TTS models on this machine, against REFERENCE.md §3.

Workloads as in REFERENCE.md (2 threads, fp32, untrained weights, warm-up first,
median of repeats):

* Grad-TTS train step: batch 4 × 80 tokens × 172 frames (2 s), MAS + losses +
  backward + per-group clipping + Adam. Official: 2.90 s.
* Grad-TTS inference, mel only, one utterance of 80 tokens forced to 258 frames
  (2.995 s of audio): 10 and 50 reverse steps. Official RTF 1.163 and 5.302.
* Diff-TTS inference on the same utterance for γ = 1, 7, 21, 57 (400, 58, 20, 8
  network calls). No official figures exist; the target is real time (RTF 1).

Prints one JSON line per figure: {"benchmark", "metric", "value", "unit", "target"}.
Run: ``nice -n 10 .venv/bin/python benchmarks/bench_grad_tts.py [--quick] [--threads N]``.
On a 2-core machine shared with other jobs, two torch threads stall each other on
every small op (measured 10× slower than one thread); compare like with like.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch

from course_lib.alignment import expand_to_frames, path_from_durations
from course_lib.audio import HOP_LENGTH, SAMPLE_RATE
from course_lib.diffusion import accelerated_sample
from course_lib.facts import emit
from course_lib.models import diff_tts, grad_tts
from course_lib.models.grad_tts.train import GradTTSTask
from course_lib.training import clip_gradients
from course_lib.nn.masks import sequence_mask

TOKENS, TRAIN_FRAMES, BATCH, INFER_FRAMES = 80, 172, 4, 258
AUDIO_SECONDS = INFER_FRAMES * HOP_LENGTH / SAMPLE_RATE  # 2.995 s


def median_time(fn, repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def forced_durations(n_tokens: int, n_frames: int) -> torch.Tensor:
    """``[1, n_tokens]`` durations summing to ``n_frames`` (spread as evenly as possible)."""
    base = torch.full((1, n_tokens), n_frames // n_tokens)
    base[0, : n_frames % n_tokens] += 1
    return base


def grad_tts_train_step(repeats: int) -> float:
    torch.manual_seed(0)
    model = grad_tts.build(grad_tts.GradTTSConfig.paper()).train()
    task = GradTTSTask(model)
    optimizer = task.optimizers["adam"]
    tokens = torch.randint(1, model.config.n_vocab, (BATCH, TOKENS))
    token_lengths = torch.full((BATCH,), TOKENS)
    mels = torch.randn(BATCH, 80, TRAIN_FRAMES) - 5.0
    mel_lengths = torch.full((BATCH,), TRAIN_FRAMES)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        model(tokens, token_lengths, mels, mel_lengths).total.backward()
        clip_gradients(optimizer, max_norm=1.0, max_value=None)
        optimizer.step()

    return median_time(step, repeats)


def grad_tts_inference(n_steps: int, repeats: int) -> float:
    torch.manual_seed(0)
    model = grad_tts.build(grad_tts.GradTTSConfig.paper()).eval()
    tokens = torch.randint(1, model.config.n_vocab, (1, TOKENS))
    durations = forced_durations(TOKENS, INFER_FRAMES).float()

    @torch.no_grad()
    def synthesize() -> None:
        enc = model.encoder(tokens, torch.tensor([TOKENS]))  # runs the duration predictor too, like the reference
        mel_mask = sequence_mask(torch.tensor([INFER_FRAMES]), INFER_FRAMES)
        mu_y = expand_to_frames(enc.prior_mean, path_from_durations(durations, enc.mask, mel_mask))
        model.decoder.sample(mu_y, mel_mask, n_steps, temperature=1.5, generator=torch.Generator().manual_seed(0))

    return median_time(synthesize, repeats)


def diff_tts_inference(gamma: int, repeats: int) -> float:
    torch.manual_seed(0)
    model = diff_tts.build(diff_tts.DiffTTSConfig.paper()).eval()
    tokens = torch.randint(1, model.config.n_vocab, (1, TOKENS))
    durations = forced_durations(TOKENS, INFER_FRAMES).float()

    @torch.no_grad()
    def synthesize() -> None:
        text, _, text_mask = model.encoder(tokens, torch.tensor([TOKENS]))
        mel_mask = sequence_mask(torch.tensor([INFER_FRAMES]), INFER_FRAMES)
        cond = expand_to_frames(text, path_from_durations(durations, text_mask, mel_mask))
        start = torch.randn(1, 80, INFER_FRAMES, generator=torch.Generator().manual_seed(0))
        accelerated_sample(lambda x, t: model.predict_noise(x, mel_mask, cond, t), start, model.alpha_bars, gamma,
                           mask=mel_mask)

    return median_time(synthesize, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (1 timed run each)")
    parser.add_argument("--threads", type=int, default=2,
                        help="torch threads (REFERENCE.md used 2; on a loaded 2-core machine 1 is far faster)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# torch threads: {args.threads}; targets are REFERENCE.md's official figures (2 threads)",
          file=sys.stderr, flush=True)
    repeats = 1 if args.quick else 3

    emit("grad_tts", "train_step_b4x172", grad_tts_train_step(repeats), "s", 2.90)
    for n_steps, reference_rtf in ((10, 1.163), (50, 5.302)):
        emit("grad_tts", f"official_inference_{n_steps}_steps_rtf", reference_rtf, "rtf",
             "the official code measured on 2 threads of this machine kind (the target)")
        seconds = grad_tts_inference(n_steps, repeats)
        emit("grad_tts", f"inference_{n_steps}_steps_seconds", seconds, "s", round(reference_rtf * AUDIO_SECONDS, 3))
        emit("grad_tts", f"inference_{n_steps}_steps_rtf", seconds / AUDIO_SECONDS, "rtf", reference_rtf)
    for gamma in (57, 21, 7, 1):
        seconds = diff_tts_inference(gamma, 1 if gamma == 1 else repeats)
        emit("diff_tts", f"inference_gamma_{gamma}_rtf", seconds / AUDIO_SECONDS, "rtf", 1.0)


if __name__ == "__main__":
    main()
