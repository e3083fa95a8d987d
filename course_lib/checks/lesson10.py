"""Checks for lesson 10 (Diff-TTS): the accelerated walk and the one-jump β between visited steps."""

from __future__ import annotations

from course_lib.checks import ExerciseError, attempt
from course_lib.diffusion import accelerated_timesteps


def check_skip_walk(fn) -> bool:
    """``fn(n_steps, gamma) -> list[int]``: the visited steps T−1, T−1−γ, …, 0 (descending)."""
    cases = [(400, 1), (400, 7), (400, 21), (400, 57), (10, 3)]
    results = []
    for n_steps, gamma in cases:
        got = attempt("skip walk", fn, n_steps, gamma)
        if got is None:
            return False
        results.append((n_steps, gamma, [int(s) for s in got], accelerated_timesteps(n_steps, gamma)))
    for n_steps, gamma, got, expected in results:
        if got == expected:
            continue
        if got and got[0] == n_steps:
            hint = f"steps are 0-based: the noisiest is T−1 = {n_steps - 1}, not {n_steps}."
        elif got == expected[::-1]:
            hint = "walk from the noisiest step down to 0 (descending)."
        elif got and got[-1] != 0:
            hint = "the walk must end exactly at step 0 — that is the clean sample."
        else:
            hint = "use range(T − 1, −1, −γ)."
        raise ExerciseError(f"skip walk: for T={n_steps}, γ={gamma} expected {expected[:4]}… "
                            f"({len(expected)} steps) but got {got[:4]}… ({len(got)} steps). Hint: {hint}")
    print("✓ skip walk: matches the reference for γ = 1, 7, 21, 57")
    return True


def check_jump_beta(fn) -> bool:
    """``fn(alpha_bar_t, alpha_bar_prev) -> beta``: the β of one jump between two visited steps."""
    pairs = [(0.30, 0.45), (0.02, 0.9), (0.5, 1.0)]
    for alpha_bar_t, alpha_bar_prev in pairs:
        got = attempt("jump β", fn, alpha_bar_t, alpha_bar_prev)
        if got is None:
            return False
        expected = 1.0 - alpha_bar_t / alpha_bar_prev
        if abs(float(got) - expected) > 1e-6:
            hint = ("ᾱ is a product, so one jump's α is the ratio ᾱ_t/ᾱ_prev (not a difference)."
                    if abs(float(got) - (alpha_bar_prev - alpha_bar_t)) < 1e-6
                    else "β_jump = 1 − ᾱ_t/ᾱ_prev.")
            raise ExerciseError(f"jump β: for ᾱ_t={alpha_bar_t}, ᾱ_prev={alpha_bar_prev} expected {expected:.4f}, "
                                f"got {float(got):.4f}. Hint: {hint}")
    print("✓ jump β: matches the reference")
    return True
