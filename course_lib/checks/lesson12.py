"""Checks for lesson 12 (side by side): a real-time factor from a timing, and a Pareto front.

Exercise 1: ``real_time_factor(compute_seconds, n_samples, sample_rate) -> float`` — seconds of compute per
second of audio made (below 1: faster than real time). The slips it names: the inverse ("× real time"),
dividing by samples or by mel frames instead of seconds.

Exercise 2: ``pareto_front(points) -> list[str]`` — ``points`` maps a system's name to ``(mcd_dtw, rtf)``,
both lower-is-better; return, sorted, the names no other system *dominates* (another dominates ``a`` when it
is no worse on both and strictly better on at least one). The slips it names: maximising, one criterion only,
treating a tie as domination, returning the dominated systems.
"""

from __future__ import annotations

from course_lib.checks import ExerciseError, attempt
from course_lib.framing import HOP_LENGTH


def solution_real_time_factor(compute_seconds, n_samples, sample_rate):
    """Seconds of compute per second of audio."""
    return compute_seconds / (n_samples / sample_rate)


def check_real_time_factor(fn) -> bool:
    """``fn(compute_seconds, n_samples, sample_rate) -> RTF``; True when right, False while a stub."""
    cases = [(0.6, 66_150, 22_050), (2.5, 44_100, 22_050), (0.05, 48_000, 16_000)]
    for compute, samples, rate in cases:
        got = attempt("real-time factor", fn, compute, samples, rate)
        if got is None:
            return False
        expected = solution_real_time_factor(compute, samples, rate)
        audio_seconds = samples / rate
        mistakes = {
            "that is the speed-up (audio seconds per compute second, '× real time'): RTF is compute ÷ audio, "
            "so below 1 means faster than real time.": audio_seconds / compute,
            "divide by the audio's length in seconds (n_samples / sample_rate), not by the number of samples.":
                compute / samples,
            "divide by seconds of audio, not by mel frames (n_samples / 256).": compute / (samples / HOP_LENGTH),
            "divide the compute time by the audio's length; you multiplied by it.": compute * audio_seconds,
        }
        try:
            value = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"real-time factor: return one number, got {type(got).__name__}") from None
        if abs(value - expected) > 1e-9 * max(1.0, abs(expected)):
            hint = next((h for h, wrong in mistakes.items() if abs(value - wrong) <= 1e-9 * max(1.0, abs(wrong))),
                        "RTF = compute seconds / (n_samples / sample_rate).")
            raise ExerciseError(f"real-time factor for {compute} s of compute and {samples:,} samples at "
                                f"{rate:,} Hz: got {value:.4g}, expected {expected:.4g}. {hint}")
    print("✓ real-time factor: matches the reference (0.6 s for 3 s of audio → RTF 0.2, 5× faster than real time)")
    return True


def _dominates(a, b) -> bool:
    return a[0] <= b[0] and a[1] <= b[1] and (a[0] < b[0] or a[1] < b[1])


def solution_pareto_front(points):
    """The names no other point dominates (lower is better on both coordinates), sorted."""
    return sorted(name for name, p in points.items()
                  if not any(_dominates(q, p) for other, q in points.items() if other != name))


_CASE = {  # (MCD-DTW dB, RTF): E equal to B on both; H ties F on MCD and is slower
    "A": (25.0, 0.04), "B": (17.0, 0.18), "C": (22.0, 0.45), "D": (26.0, 0.45), "E": (17.0, 0.18),
    "F": (16.5, 1.9), "G": (30.0, 0.03), "H": (16.5, 2.5),
}


def check_pareto_front(fn) -> bool:
    """``fn({name: (mcd, rtf)}) -> sorted names on the front``; True when right, False while a stub."""
    got = attempt("Pareto front", fn, dict(_CASE))
    if got is None:
        return False
    if isinstance(got, str) or not hasattr(got, "__iter__"):
        raise ExerciseError(f"Pareto front: return a list of names, got {type(got).__name__}")
    got = sorted(got)
    expected = solution_pareto_front(_CASE)
    if got == expected:
        print(f"✓ Pareto front: matches the reference — {', '.join(expected)} (C and D are beaten by B on both; "
              "H ties F on MCD but is slower; B and E are equal, so neither beats the other)")
        return True
    names = set(_CASE)
    higher_better = sorted(n for n, p in _CASE.items()
                           if not any(q[0] >= p[0] and q[1] >= p[1] and q != p for o, q in _CASE.items() if o != n))
    mistakes = {
        tuple(higher_better): "both measures are lower-is-better (dB of distance, seconds per second): a point is "
                              "beaten by one that is no worse on both and strictly better on one.",
        tuple(sorted(names - set(expected))): "those are the dominated systems: return the ones nobody dominates.",
        tuple(sorted(n for n, p in _CASE.items() if p[0] == min(q[0] for q in _CASE.values()))):
            "one criterion only: the front keeps every system that is best at some trade-off, fast ones too.",
        tuple(sorted(n for n, p in _CASE.items() if p[1] == min(q[1] for q in _CASE.values()))):
            "one criterion only: the front keeps every system that is best at some trade-off, good ones too.",
        tuple(sorted(n for n, p in _CASE.items()
                     if not any(q[0] <= p[0] and q[1] <= p[1] for o, q in _CASE.items() if o != n))):
            "two equal points do not dominate each other: B and E are both on the front (use ≤ on both and < on "
            "at least one).",
        tuple(sorted(n for n, p in _CASE.items()
                     if not any(q[0] < p[0] and q[1] < p[1] for o, q in _CASE.items() if o != n))):
            "strict on both is too strict: H ties F on MCD and is slower, so F dominates it (≤ on both, < on one).",
    }
    hint = mistakes.get(tuple(got), "a system is on the front when no other is ≤ on both measures and < on one.")
    raise ExerciseError(f"Pareto front: got {got}, expected {expected}. {hint}")
