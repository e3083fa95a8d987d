"""Benchmark: is the course's phoneme recognizer fit to score intelligibility?

Scores a trained recognizer (the shipped ``data/checkpoints/recognizer_tiny.pt`` by default, or
``--checkpoint`` — a ``recognizer.pt`` model file or a run's ``checkpoint.pt``) on the held-out test
split of the built-in multi-voice corpus: the recordings themselves, their Griffin-Lim (32
iterations) resynthesis and, when one ships, the course vocoder's. Prints the phoneme error rate
overall and per voice for each, and the bar lesson 12 holds it to: ground truth ≤ 5 % PER, and
every resynthesised copy within 3 points of it — a recognizer that vocoder artefacts fool would
score the models' waves by their vocoder, not by what they say.

    python benchmarks/bench_recognizer.py
    python benchmarks/bench_recognizer.py --checkpoint runs/recognizer/checkpoint.pt --limit 40
    python benchmarks/bench_recognizer.py --vocoder path/to/generator.pt   # a candidate vocoder's copies

Ends with one JSON object per figure per line.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import torch

from course_lib import facts
from course_lib.audio import griffin_lim
from course_lib.models.recognizer.train import RECIPE
from course_lib.paths import CHECKPOINT_DIR
from course_lib.quality import corpus_items, score_recognizer
from course_lib.vocoder import GriffinLimVocoder, load_vocoder

GROUND_TRUTH_TARGET = 0.05  # PER on the recordings
RESYNTHESIS_MARGIN = 0.03   # each resynthesised copy within this of the recordings' PER


def load_any(path: Path):
    """A recognizer from a ``save_model`` file, or the model inside a trainer's ``checkpoint.pt`` — to score a run
    while it trains."""
    recognizer, step, _ = RECIPE.load_run(path)
    if step is not None:
        print(f"{path}: the trainer's state at step {step}")
    return recognizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default=str(CHECKPOINT_DIR / RECIPE.shipped.file),
                        help="a recognizer.pt model file or a run's checkpoint.pt (default: the shipped one)")
    parser.add_argument("--limit", type=int, default=None, help="score the first N test utterances (default: all)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--vocoder", default="auto",
                        help="whose resynthesis to score beside Griffin-Lim's: 'auto' (the shipped neural vocoder, "
                             "if one ships) or a vocoder generator .pt file (e.g. one exported from a vocoder run)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    path = Path(args.checkpoint)
    if not path.is_file():
        raise SystemExit(f"no recognizer at {path}: train one with "
                         "`python -m course_lib train recognizer --config tiny --out runs/recognizer` "
                         "and pass --checkpoint runs/recognizer/recognizer.pt")
    recognizer = load_any(path)
    copies = {"ground truth": None, "Griffin-Lim 32": griffin_lim}
    vocoder = load_vocoder(args.vocoder, verbose=False)
    if not isinstance(vocoder, GriffinLimVocoder):
        copies[f"{vocoder.name} resynthesis"] = vocoder
    per = {}
    for name, resynthesize in copies.items():
        started = time.perf_counter()
        scores = score_recognizer(recognizer, corpus_items("test", resynthesize=resynthesize, limit=args.limit))
        per[name] = scores.per
        voices = ", ".join(f"{voice} {value:.1%} ({scores.n_voice[voice]})" for voice, value in scores.per_voice.items())
        print(f"{name:28s} PER {scores.per:6.1%}   per voice: {voices}   ({time.perf_counter() - started:.0f} s)")
        slug = "_".join(re.findall(r"\w+", name.lower()))
        facts.emit("recognizer", f"per_{slug}", scores.per, "fraction",
             GROUND_TRUTH_TARGET if resynthesize is None else None)
        for voice, value in scores.per_voice.items():
            facts.emit("recognizer", f"per_{slug}_{voice}", value, "fraction")
    truth = per["ground truth"]
    worst_gap = max(value - truth for name, value in per.items() if name != "ground truth")
    fit = truth <= GROUND_TRUTH_TARGET and worst_gap <= RESYNTHESIS_MARGIN
    print(f"\nground truth {truth:.1%} (target ≤ {GROUND_TRUTH_TARGET:.0%}); the worst resynthesised copy "
          f"{worst_gap * 100:+.1f} points from it (target ≤ {RESYNTHESIS_MARGIN * 100:.0f}): "
          + ("fit for purpose" if fit else "not yet fit for purpose"))
    facts.emit("recognizer", "resynthesis_gap", worst_gap, "fraction", RESYNTHESIS_MARGIN)


if __name__ == "__main__":
    main()
