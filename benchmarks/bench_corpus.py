"""Benchmark: build the default-size built-in corpus and measure what it holds.

Reports build time (target ≤ 60 s on 2 cores), hours of audio, utterances,
phoneme coverage (eSpeak symbols and CMUdict ARPAbet phonemes) and mel
throughput (frames per second of ``course_lib.audio.mel_spectrogram`` over the
corpus). Ends with one JSON object per figure per line.

    python benchmarks/bench_corpus.py [--n-utterances N] [--workers W]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import tempfile
import time
from collections import Counter
from pathlib import Path

import soundfile as sf
import torch

from course_lib.audio import mel_spectrogram
from course_lib.data import build_corpus, corpus_size, load_corpus
from course_lib.text import ARPABET_PHONES, CMU_PHONEMES, phonemize

# CMUdict's 69 symbols: 24 consonants and 15 vowels with stress 0, 1 or 2
STRESSED_ARPABET = [p for p in ARPABET_PHONES if p[-1].isdigit() or f"{p}1" not in ARPABET_PHONES]


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the synthesis workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _figure(metric: str, value: float, unit: str, target: str | None = None) -> str:
    return json.dumps({"benchmark": "corpus", "metric": metric, "value": value, "unit": unit, "target": target})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-utterances", type=int, default=None, help="default: the 'default' mode size")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    # one thread: per-utterance STFTs are too small to split, and on a busy 2-core machine a
    # second torch thread made mel_spectrogram ~20x slower (threads spin waiting for each other)
    torch.set_num_threads(1)
    n = args.n_utterances or corpus_size("default")

    with tempfile.TemporaryDirectory(prefix="bench_corpus_") as tmp:
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        root = build_corpus(Path(tmp) / "corpus", mode="default", n_utterances=n, workers=args.workers)
        build_seconds, build_cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
        corpus = load_corpus(root)
        hours = corpus.manifest["total_seconds"] / 3600

        # phoneme coverage: the eSpeak symbols the models read, and CMUdict ARPAbet of the same texts
        spoken = Counter(symbol for record in corpus for symbol in record.phonemes)
        arpabet = Counter(p for record in corpus for p in phonemize(record.text) if p in ARPABET_PHONES)
        bare = Counter()
        for phoneme, count in arpabet.items():
            bare[re.sub(r"\d", "", phoneme)] += count
        bare_seen = set(CMU_PHONEMES) & set(bare)
        stressed_seen = set(STRESSED_ARPABET) & set(arpabet)
        rarest = sorted(bare_seen, key=lambda p: bare[p])[:5]

        # mel throughput over the whole corpus, one utterance at a time
        waves = [torch.from_numpy(sf.read(str(r.wav_path), dtype="float32")[0]) for r in corpus]
        mel_spectrogram(waves[0])  # warm-up (filter bank, allocator)
        started, cpu_started = time.perf_counter(), time.process_time()
        frames = sum(mel_spectrogram(wave).shape[-1] for wave in waves)
        mel_seconds, mel_cpu = time.perf_counter() - started, time.process_time() - cpu_started

    print(f"built {len(corpus)} utterances, {hours:.2f} h of audio, in {build_seconds:.1f} s "
          f"({build_cpu:.1f} CPU-s over all processes)")
    print(f"eSpeak symbols spoken: {len(spoken)} distinct; rarest: "
          + ", ".join(f"{s} {c}" for s, c in sorted(spoken.items(), key=lambda sc: sc[1])[:8]))
    print(f"ARPAbet (CMUdict): {len(bare_seen)}/39 phonemes, {len(stressed_seen)}/{len(STRESSED_ARPABET)} with "
          f"stress; missing with stress: {' '.join(sorted(set(STRESSED_ARPABET) - stressed_seen)) or '-'}; "
          "rarest: " + ", ".join(f"{p} {bare[p]}" for p in rarest))
    print(f"mel: {frames} frames in {mel_seconds:.2f} s ({mel_cpu:.2f} CPU-s) = {frames / mel_seconds:,.0f} frames/s")
    for line in (
        _figure("build_time_default", round(build_seconds, 2), "s", "<= 60 s on 2 cores"),
        _figure("build_cpu_time_default", round(build_cpu, 2), "CPU-s", None),
        _figure("audio_hours", round(hours, 3), "h", "1.5-2 h at default size"),
        _figure("utterances", len(corpus), "count", None),
        _figure("espeak_distinct_symbols", len(spoken), "count", None),
        _figure("arpabet_phoneme_coverage", round(len(bare_seen) / 39, 4), "fraction", "1.0 (all 39)"),
        _figure("arpabet_stressed_coverage", round(len(stressed_seen) / len(STRESSED_ARPABET), 4), "fraction", None),
        _figure("arpabet_rarest_phoneme_count", bare[rarest[0]] if rarest else 0, "count", None),
        _figure("mel_throughput", round(frames / mel_seconds), "frames/s", None),
    ):
        print(line)


if __name__ == "__main__":
    main()
