"""Benchmark: monotonic alignment search at batch 16 × 100 tokens × 800 frames.

Times the compiled numba kernel (:func:`course_lib.alignment.maximum_path_fast`),
the torch wrapper around it, and the readable reference, on full-length random
log-likelihoods; checks that fast and reference paths are bit-identical.
Target: fast ≤ 2 ms on 2 cores (REFERENCE.md §3.1: the official Cython kernel
takes 2.9 ms there, its torch wrapper 4.0 ms). Ends with one JSON object per
figure per line.

    python benchmarks/bench_mas.py [--repeats N] [--reference-repeats N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch

from course_lib.alignment import maximum_path_fast, maximum_path_reference, monotonic_alignment_search

BATCH, T_TEXT, T_MEL = 16, 100, 800


def _figure(metric: str, value: float, unit: str, target: str | None = None) -> str:
    return json.dumps({"benchmark": "mas", "metric": metric, "value": value, "unit": unit, "target": target})


def _times(fn, repeats: int) -> list[float]:
    fn()  # warm-up: compile / load the numba cache
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--reference-repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)

    rng = np.random.default_rng(0)
    log_likelihood = rng.standard_normal((BATCH, T_TEXT, T_MEL)).astype(np.float32)
    text_lengths = np.full(BATCH, T_TEXT)
    mel_lengths = np.full(BATCH, T_MEL)
    log_likelihood_t = torch.from_numpy(log_likelihood)
    text_mask = torch.ones(BATCH, 1, T_TEXT)
    mel_mask = torch.ones(BATCH, 1, T_MEL)

    fast = _times(lambda: maximum_path_fast(log_likelihood, text_lengths, mel_lengths), args.repeats)
    wrapped = _times(lambda: monotonic_alignment_search(log_likelihood_t, text_mask, mel_mask), args.repeats)
    reference = _times(lambda: maximum_path_reference(log_likelihood, text_lengths, mel_lengths), args.reference_repeats)
    identical = bool(
        np.array_equal(
            maximum_path_fast(log_likelihood, text_lengths, mel_lengths),
            maximum_path_reference(log_likelihood, text_lengths, mel_lengths),
        )
    )

    ms = 1e3
    print(f"MAS {BATCH}×{T_TEXT}×{T_MEL}: fast median {statistics.median(fast) * ms:.2f} ms "
          f"(min {min(fast) * ms:.2f}), torch wrapper {statistics.median(wrapped) * ms:.2f} ms, "
          f"reference {statistics.median(reference):.2f} s; paths identical: {identical}")
    print(_figure("fast_median", round(statistics.median(fast) * ms, 3), "ms", "<= 2"))
    print(_figure("fast_min", round(min(fast) * ms, 3), "ms", "<= 2"))
    print(_figure("torch_wrapper_median", round(statistics.median(wrapped) * ms, 3), "ms", "<= 4.0 (official wrapper)"))
    print(_figure("reference_median", round(statistics.median(reference) * ms, 1), "ms", None))
    print(_figure("reference_over_fast", round(statistics.median(reference) / statistics.median(fast), 1), "x", None))
    print(_figure("paths_bit_identical", identical, "bool", "true"))


if __name__ == "__main__":
    main()
