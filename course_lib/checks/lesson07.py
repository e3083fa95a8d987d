"""Checks for lesson 07 (alignment): monotonic alignment search.

The exercise: ``mas(log_likelihood) -> path`` for one utterance, ``log_likelihood
[T_text, T_mel]`` (numpy or torch) to a 0/1 path of the same shape. The check
runs it on a small case (compared with brute-force enumeration) and on a random
larger one (compared with :func:`course_lib.alignment.maximum_path_fast`), and
says which rule of a valid alignment a wrong answer breaks.
"""

from __future__ import annotations

import itertools

import numpy as np

from course_lib.alignment import maximum_path_fast
from course_lib.checks import ExerciseError, attempt, report_close


def brute_force_path(log_likelihood: np.ndarray) -> np.ndarray:
    """The best monotonic path by trying every duration split (tiny inputs only)."""
    t_text, t_mel = log_likelihood.shape
    best, best_score = None, -np.inf
    for cuts in itertools.combinations(range(1, t_mel), t_text - 1):
        bounds = (0, *cuts, t_mel)
        path = np.zeros((t_text, t_mel), dtype=np.int32)
        for i in range(t_text):
            path[i, bounds[i] : bounds[i + 1]] = 1
        score = float((path * log_likelihood).sum())
        if score > best_score:
            best, best_score = path, score
    return best


def solution_mas(log_likelihood):
    """Monotonic alignment search for one utterance: ``[T_text, T_mel]`` log-likelihoods -> 0/1 path."""
    log_likelihood = np.asarray(log_likelihood, dtype=np.float64)
    t_text, t_mel = log_likelihood.shape
    q = np.full((t_text, t_mel), -np.inf)
    q[0, 0] = log_likelihood[0, 0]
    for j in range(1, t_mel):  # Q[i, j] = L[i, j] + max(Q[i, j-1], Q[i-1, j-1]), on the band i ≤ j
        for i in range(min(j + 1, t_text)):
            previous = q[i, j - 1] if i == 0 else max(q[i, j - 1], q[i - 1, j - 1])
            q[i, j] = log_likelihood[i, j] + previous
    path = np.zeros((t_text, t_mel), dtype=np.int32)
    i = t_text - 1
    for j in range(t_mel - 1, -1, -1):  # backtrack from the last token at the last frame
        path[i, j] = 1
        if i > 0 and (i == j or q[i - 1, j - 1] > q[i, j - 1]):
            i -= 1
    return path


def _as_path(name: str, got, shape) -> np.ndarray:
    path = np.asarray(got.detach().cpu() if hasattr(got, "detach") else got, dtype=np.float64)
    if path.shape != shape:
        raise ExerciseError(f"{name}: path shape {path.shape}, expected {shape} ([T_text, T_mel])")
    if not np.isin(path, (0.0, 1.0)).all():
        raise ExerciseError(f"{name}: a path holds only 0 and 1")
    per_frame = path.sum(0)
    if not (per_frame == 1).all():
        frame = int(np.argmax(per_frame != 1))
        raise ExerciseError(f"{name}: frame {frame} belongs to {int(per_frame[frame])} tokens; every frame needs exactly one. "
                            "Hint: backtrack over every frame from the last to the first, marking one cell per frame.")
    tokens = path.argmax(0)
    if tokens[0] != 0 or tokens[-1] != shape[0] - 1 or (np.diff(tokens) < 0).any() or (np.diff(tokens) > 1).any():
        raise ExerciseError(f"{name}: the path is not monotonic (start on token 0, end on the last, step by 0 or 1). "
                            "Hint: from cell (i, j) you may only have come from (i, j-1) or (i-1, j-1).")
    return path


def check_mas(fn) -> bool:
    """``fn(log_likelihood [T_text, T_mel]) -> path [T_text, T_mel]`` (0/1)."""
    rng = np.random.default_rng(707)
    small = rng.standard_normal((3, 7)).astype(np.float32)
    got = attempt("MAS (3 tokens × 7 frames)", fn, small.copy())
    if got is None:
        return False
    path = _as_path("MAS (3 tokens × 7 frames)", got, small.shape)
    report_close("MAS on 3×7 vs brute force", path, brute_force_path(small),
                 hint="Hint: Q[i, j] = L[i, j] + max(Q[i, j-1], Q[i-1, j-1]); backtrack choosing the larger.")
    large = rng.standard_normal((12, 40)).astype(np.float32)
    got = attempt("MAS (12 tokens × 40 frames)", fn, large.copy())
    path = _as_path("MAS (12 tokens × 40 frames)", got, large.shape)
    expected = maximum_path_fast(large[None], [12], [40])[0]
    report_close("MAS on 12×40 vs course_lib.alignment", path, expected,
                 hint="Hint: keep the band i ≤ j ≤ T_mel − T_text + i, and at i == j you must step back a token.")
    return True


def mas_for_training(fn) -> tuple[object, str]:
    """``fn`` when it passes :func:`check_mas` (run quietly), else :func:`solution_mas`, with a sentence
    saying which one the lesson's training step will run."""
    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            passed = check_mas(fn)
    except Exception as err:  # ExerciseError, or the learner's code raising something else
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return solution_mas, (f"⚠ your mas does not pass the check yet ({reason}); "
                              "the training steps below use the library's solution_mas instead")
    if not passed:
        return solution_mas, ("… your mas is not written yet: the training steps below use the library's "
                              "solution_mas (write yours, rerun, and they use it)")
    return fn, "✓ the training steps below align every utterance with your mas"
