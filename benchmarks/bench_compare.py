"""Benchmark: every shipped model on the same held-out sentences — lesson 12's table as figures.

Runs ``python -m course_lib compare`` (:func:`course_lib.compare.run`): the recording, its
Griffin-Lim resynthesis, the shipped vocoder's (when one ships) and every shipped text-to-speech
model, on the first N sentences of the built-in corpus's test split — MCD-DTW, DNSMOS, PER,
duration error, alignment accuracy, variation across 8 seeds, RTF at 1 and 2 CPU threads (and on
the GPU when CUDA is present), parameters. Prints the markdown table, then one JSON object per
figure per line, the metric named ``<system>_<measure>``.

    python benchmarks/bench_compare.py                       # 3 sentences, every shipped model
    python benchmarks/bench_compare.py --sentences 10 --models glow_tts,vits --no-dnsmos

Measure on a quiet machine: the RTF columns stall several-fold beside any other CPU load.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from course_lib import compare
from course_lib.facts import emit

UNITS = {"mcd_dtw": "dB", "dnsmos_ovrl": "MOS", "per": "ratio", "duration_mae": "frames",
         "alignment_accuracy": "ratio", "duration_spread_s": "s", "f0_spread_hz": "Hz", "rtf_1_thread": "ratio",
         "rtf_2_threads": "ratio", "rtf_gpu": "ratio", "parameters": "count"}


def slug(name: str) -> str:
    """``"Glow-TTS + Griffin-Lim (32 iterations)"`` → ``"glow_tts_griffin_lim_32_iterations"``."""
    kept = "".join(c if c.isalnum() else "_" for c in name.lower())
    return "_".join(part for part in kept.split("_") if part)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=3, help="held-out test sentences (default 3)")
    parser.add_argument("--seeds", type=int, default=3, help="samples per sentence and model (default 3)")
    parser.add_argument("--models", default=None, help="comma-separated, from " + ", ".join(compare.COMPARED))
    parser.add_argument("--out", default=None, help="keep the wavs, table and chart here (default: a temporary folder)")
    parser.add_argument("--no-dnsmos", action="store_true", help="skip DNSMOS (the slowest measure)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier run's results in --out")
    parser.add_argument("--vocoder", default="auto", help="what voices the mel models: auto (the shipped course "
                                                         "vocoder, else Griffin-Lim), course, griffin-lim or a .pt")
    args = parser.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(args.out or scratch)
        rows = compare.run(out, models, args.sentences, args.seeds, dnsmos=not args.no_dnsmos,
                           overwrite=args.overwrite, vocoder=args.vocoder)
        print(compare.markdown(rows, args.sentences))
    for row in rows:
        for measure, unit in UNITS.items():
            value = getattr(row, measure)
            if value is not None:
                emit("compare", f"{slug(row.name)}_{measure}", int(value) if unit == "count" else float(value), unit)
            if measure in row.interval:
                emit("compare", f"{slug(row.name)}_{measure}_ci95", row.interval[measure], unit)


if __name__ == "__main__":
    main()
