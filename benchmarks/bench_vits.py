"""VITS speed on this machine: the paper config against the official code's figures, and the tiny configs.

Workloads as in REFERENCE.md §3 (untrained weights, warm-up first, median of repeats):

* paper (ljs_base) train step: batch 4 × 2 s utterances (80 tokens, 172 frames), the generator's
  training pass with MAS, the discriminator step and the generator step with AdamW, through the
  course's GAN task. Official: 9.29 s on 2 threads.
* paper inference, weight norm folded: text → waveform, reported as RTF (seconds of compute per
  second of audio it made). Official: 1.77 s for 3 s, RTF 0.589 on 2 threads.
* the tiny config (its inverse-STFT decoder, lesson 06) beside the same config with a V3-shaped
  HiFi-GAN decoder (three upsamplings, ResBlock2, 128 channels) — the figures tiny's design was
  chosen by: inference RTF at 1 and 2 threads and training steps per second (batch 8 × 120 frames;
  the GAN step — tiny's warm-up steps skip the discriminator).

Prints one JSON line per figure: {"benchmark", "metric", "value", "unit", "target"}.
Run: ``nice -n 10 .venv/bin/python benchmarks/bench_vits.py [--quick] [--threads N]``. On a 2-core
machine shared with other jobs, two torch threads stall each other; compare like with like.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time

import torch

from course_lib.audio import HOP_LENGTH, SAMPLE_RATE
from course_lib.data import TextMelBatch
from course_lib.models.vits import VITSConfig, build, build_discriminator
from course_lib.models.vits.config import DecoderConfig
from course_lib.models.vits.train import VITSTask

# REFERENCE.md §3: official code, 2 threads, fp32
OFFICIAL_TRAIN_STEP = 9.29
OFFICIAL_INFERENCE_RTF = 0.589


def emit(benchmark: str, metric: str, value, unit: str, target=None) -> None:
    print(json.dumps({"benchmark": benchmark, "metric": metric,
                      "value": None if value is None else round(float(value), 4), "unit": unit, "target": target}),
          flush=True)


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: the first call is several times slower
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_of(batch_size: int, n_tokens: int, frames: int, n_vocab: int) -> TextMelBatch:
    generator = torch.Generator().manual_seed(0)
    lengths = torch.full((batch_size,), frames)
    return TextMelBatch(ids=tuple(str(i) for i in range(batch_size)),
                        tokens=torch.randint(1, n_vocab, (batch_size, n_tokens), generator=generator),
                        token_lengths=torch.full((batch_size,), n_tokens), mels=torch.zeros(batch_size, 80, frames),
                        mel_lengths=lengths, speakers=torch.zeros(batch_size, dtype=torch.long),
                        waves=0.1 * torch.randn(batch_size, 1, frames * HOP_LENGTH, generator=generator),
                        wave_lengths=lengths * HOP_LENGTH)


def train_step_seconds(config: VITSConfig, batch: TextMelBatch, repeats: int) -> float:
    torch.manual_seed(0)
    task = VITSTask(build(config), build_discriminator(config))

    def step():
        cache: dict = {}
        for phase in task.phases:
            optimizer = task.optimizers[phase.optimizer]
            optimizer.zero_grad(set_to_none=True)
            loss, _ = phase.loss_fn(batch, cache)
            loss.backward()
            optimizer.step()

    return median_seconds(step, repeats)


def inference_rtf(config: VITSConfig, n_tokens: int, repeats: int) -> float:
    torch.manual_seed(0)
    model = build(config).eval().remove_weight_norm()
    tokens = torch.randint(1, config.n_vocab, (1, n_tokens), generator=torch.Generator().manual_seed(1))
    lengths = torch.tensor([n_tokens])
    with torch.no_grad():
        out = model.infer(tokens, lengths, generator=torch.Generator().manual_seed(0))
        seconds_of_audio = int(out.wave_lengths[0]) / SAMPLE_RATE
        seconds = median_seconds(lambda: model.infer(tokens, lengths, generator=torch.Generator().manual_seed(0)),
                                 repeats)
    return seconds / seconds_of_audio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny configs only (skip the paper config)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the paper config (REFERENCE: 2)")
    args = parser.parse_args()

    tiny = dataclasses.replace(VITSConfig.tiny(), discriminator_start=0)
    tiny_v3 = dataclasses.replace(tiny, decoder=DecoderConfig(
        resblock="2", upsample_rates=(8, 8, 4), upsample_kernel_sizes=(16, 16, 8), upsample_initial_channel=128,
        resblock_kernel_sizes=(3, 5, 7), resblock_dilation_sizes=((1, 2), (2, 6), (3, 12))))
    if not args.quick:
        torch.set_num_threads(args.threads)
        paper = VITSConfig.paper()
        step = train_step_seconds(paper, batch_of(4, 80, 172, paper.n_vocab), args.repeats)
        emit(f"vits_paper_train_step_b4x2s_{args.threads}thread", "seconds", step, "s/step",
             f"<= {OFFICIAL_TRAIN_STEP} (official)")
        emit(f"vits_paper_train_step_b4x2s_{args.threads}thread", "ratio_to_official", step / OFFICIAL_TRAIN_STEP, "x",
             "<= 1.0")
        rtf = inference_rtf(paper, 80, args.repeats)
        emit(f"vits_paper_inference_{args.threads}thread", "rtf", rtf, "s compute / s audio",
             f"<= {0.8 * OFFICIAL_INFERENCE_RTF:.3f} (0.8 x official {OFFICIAL_INFERENCE_RTF})")
    for name, config in (("tiny", tiny), ("tiny_v3_decoder", tiny_v3)):
        for threads in (1, 2):
            torch.set_num_threads(threads)
            emit(f"vits_{name}_inference_{threads}thread", "rtf", inference_rtf(config, 80, args.repeats),
                 "s compute / s audio")
        torch.set_num_threads(1)
        step = train_step_seconds(config, batch_of(8, 40, 120, config.n_vocab), args.repeats)
        emit(f"vits_{name}_train_step_b8x120frames_1thread", "steps_per_second", 1.0 / step, "steps/s")


if __name__ == "__main__":
    main()
