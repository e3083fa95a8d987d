"""HiFi-GAN benchmarks: CPU speed against REFERENCE.md §3, and resynthesis quality against Griffin-Lim.

    python benchmarks/bench_hifigan.py                      # speed and quality
    python benchmarks/bench_hifigan.py --part speed --configs v3,tiny
    python benchmarks/bench_hifigan.py --part quality --checkpoint runs/hifigan/generator.pt

Prints one JSON object per figure per line: {"benchmark", "metric", "value", "unit", "target"}.

* Speed: vocoder RTF for 258 frames (2.995 s of audio; weight norm removed, one warm-up,
  median of ``--repeats``; wall time, and CPU time per thread as a quiet-machine estimate —
  the load average is printed first) and one training step (batch 4 × 8192 samples: generator, MPD and
  MSD, a discriminator then a generator update with AdamW). Targets are the official code's
  figures on 2 cores (REFERENCE.md §3): ours should be ≤ 1.0× of them. Untrained weights —
  the cost does not depend on training.
* Quality: mel L1 and MCD (``course_lib.models.hifigan.evaluation``) of Griffin-Lim and of the
  HiFi-GAN (shipped, or ``--checkpoint``) on held-out built-in-corpus utterances (test split)
  and, out of domain, on the LJSpeech clips in ``../shared/data/ljspeech_sample`` (read in
  place; no target). The HiFi-GAN's target is to beat Griffin-Lim on both.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_lib import audio
from course_lib.models.hifigan import CONFIGS, build
from course_lib.models.hifigan.evaluation import mean_metrics, resynthesis_metrics
from course_lib.models.hifigan.generator import Generator
from course_lib.models.hifigan.segments import make_batch
from course_lib.models.hifigan.train import HiFiGANTask
from course_lib.vocoder import GriffinLimVocoder, HiFiGANVocoder, shipped_checkpoint

# REFERENCE.md §3: official code, 2 threads, fp32, median after a warm-up
REFERENCE_RTF = {"v1": 0.646, "v2": 0.074, "v3": 0.061}
REFERENCE_STEP_SECONDS = {"v1": 14.56, "v2": 11.09, "v3": 11.12}
INFERENCE_FRAMES = 258
LJSPEECH_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ljspeech_sample"


def emit(benchmark: str, metric: str, value, unit: str, target=None) -> None:
    print(json.dumps({"benchmark": benchmark, "metric": metric,
                      "value": None if value is None else round(float(value), 4), "unit": unit, "target": target}),
          flush=True)


@dataclass(frozen=True)
class Timing:
    """Median wall seconds, and median process CPU seconds divided by the threads (what a quiet
    machine's wall time would be with both threads busy — this machine is shared, REFERENCE's was not)."""

    wall: float
    cpu_per_thread: float


def median_timing(fn, repeats: int) -> Timing:
    fn()  # warm-up: the first call is several times slower (REFERENCE.md §3)
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus) / torch.get_num_threads())


def inference_rtf(generator: Generator, repeats: int) -> Timing:
    generator = generator.eval().remove_weight_norm() if generator.has_weight_norm else generator.eval()
    mel = torch.randn(1, audio.N_MELS, INFERENCE_FRAMES, generator=torch.Generator().manual_seed(0))
    seconds_of_audio = INFERENCE_FRAMES * audio.HOP_LENGTH / audio.SAMPLE_RATE
    with torch.no_grad():
        timing = median_timing(lambda: generator(mel), repeats)
    return Timing(timing.wall / seconds_of_audio, timing.cpu_per_thread / seconds_of_audio)


def train_step_timing(name: str, repeats: int) -> Timing:
    config = CONFIGS[name]()
    torch.manual_seed(0)
    task = HiFiGANTask(build(config), config)
    rng = np.random.default_rng(0)
    batch = make_batch([rng.uniform(-0.5, 0.5, config.segment_size).astype(np.float32) for _ in range(4)])

    def step():
        cache: dict = {}
        for phase in task.phases:
            optimizer = task.optimizers[phase.optimizer]
            optimizer.zero_grad(set_to_none=True)
            loss, _ = phase.loss_fn(batch, cache)
            loss.backward()
            optimizer.step()

    return median_timing(step, repeats)


def emit_timing(benchmark: str, metric: str, timing: Timing, unit: str, target) -> None:
    emit(benchmark, metric, timing.wall, unit, target)
    emit(benchmark, f"{metric}_cpu_per_thread", timing.cpu_per_thread, unit, target)


def run_speed(configs: list[str], checkpoint: Path | None, repeats: int, train_repeats: int) -> None:
    print(json.dumps({"note": f"torch threads {torch.get_num_threads()}, load average "
                              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"}), flush=True)
    for name in configs:
        emit_timing(f"hifigan_{name}_inference_3s", "rtf", inference_rtf(Generator(CONFIGS[name]()), repeats),
                    "s compute / s audio", REFERENCE_RTF.get(name))
    if checkpoint is not None:
        vocoder = HiFiGANVocoder.from_checkpoint(checkpoint)
        emit_timing(f"hifigan_shipped_inference_3s ({checkpoint.name})", "rtf",
                    inference_rtf(vocoder.generator, repeats), "s compute / s audio", 1.0)
    for name in configs:
        emit_timing(f"hifigan_{name}_train_step_b4x8192", "seconds", train_step_timing(name, train_repeats), "s/step",
                    REFERENCE_STEP_SECONDS.get(name))


def held_out_waves(corpus_dir: str | None, n_utterances: int) -> list[np.ndarray]:
    """Test-split utterances of the built-in multi-speaker corpus (or of ``corpus_dir``)."""
    from course_lib.data import CorpusError, ensure_corpus, load_corpus, load_ljspeech

    root = Path(corpus_dir) if corpus_dir else ensure_corpus(multispeaker=True)
    try:
        corpus = load_corpus(root)
    except CorpusError:
        corpus = load_ljspeech(root)
    test = corpus.split("test")
    # every voice represented: take utterances round-robin over speakers
    by_speaker: dict[int, list] = {}
    for record in test:
        by_speaker.setdefault(record.speaker, []).append(record)
    picked = []
    while len(picked) < n_utterances and any(by_speaker.values()):
        for records in by_speaker.values():
            if records and len(picked) < n_utterances:
                picked.append(records.pop(0))
    return [audio.load_audio(record.wav_path) for record in picked]


def run_quality(checkpoint: Path | None, corpus_dir: str | None, n_utterances: int) -> None:
    vocoders = {"griffin_lim": GriffinLimVocoder()}
    if checkpoint is None:
        print(json.dumps({"note": "no HiFi-GAN checkpoint shipped or given: only Griffin-Lim is measured"}))
    else:
        vocoders["hifigan"] = HiFiGANVocoder.from_checkpoint(checkpoint)
    sets = {"builtin_test": held_out_waves(corpus_dir, n_utterances)}
    lj_files = sorted((LJSPEECH_SAMPLE / "wavs").glob("*.wav"))[:n_utterances]
    if lj_files:
        sets["ljspeech_sample"] = [audio.load_audio(path) for path in lj_files]
    for set_name, waves in sets.items():
        results = {}
        for name, vocoder in vocoders.items():
            results[name] = mean_metrics([resynthesis_metrics(w, vocoder(audio.mel_spectrogram(w))) for w in waves])
        in_domain = set_name == "builtin_test"
        for name, metrics in results.items():
            beat = results["griffin_lim"] if (name == "hifigan" and in_domain) else None
            emit(f"hifigan_quality_{set_name}_{name} (n={len(waves)})", "mel_l1", metrics.mel_l1, "ln-mel L1",
                 None if beat is None else f"< {beat.mel_l1:.4f} (Griffin-Lim)")
            emit(f"hifigan_quality_{set_name}_{name} (n={len(waves)})", "mcd", metrics.mcd, "dB",
                 None if beat is None else f"< {beat.mcd:.4f} (Griffin-Lim)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("speed", "quality", "all"), default="all")
    parser.add_argument("--configs", default="v1,v2,v3,tiny")
    parser.add_argument("--checkpoint", default=None, help="HiFi-GAN generator.pt (default: the shipped one)")
    parser.add_argument("--corpus", default=None, help="corpus folder (default: the built-in multi-speaker corpus)")
    parser.add_argument("--n-utterances", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--train-repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (REFERENCE.md used 2)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    checkpoint = Path(args.checkpoint) if args.checkpoint else shipped_checkpoint()
    if args.part in ("speed", "all"):
        run_speed([c.strip() for c in args.configs.split(",") if c.strip()], checkpoint, args.repeats,
                  args.train_repeats)
    if args.part in ("quality", "all"):
        run_quality(checkpoint, args.corpus, args.n_utterances)


if __name__ == "__main__":
    main()
