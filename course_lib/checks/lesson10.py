"""Checks for lesson 10 (Diff-TTS): the deterministic DDIM jump between two visited steps.

The exercise: ``ddim_jump(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev) -> x_prev``.
The idea to find: estimate the clean mel from ``x_t`` and the predicted noise,
then put back exactly as much of *that same* noise as step ``prev`` holds — no
fresh noise (η = 0). The check compares with :func:`course_lib.diffusion.ddim_step`
and then tests the property that makes the jump exact: with the true noise, it
lands precisely on ``q_sample(x0, ε, ᾱ_prev)``, however far it jumps.
"""

from __future__ import annotations

import torch

from course_lib.checks import attempt, report_close
from course_lib.checks.lesson05 import _compare
from course_lib.diffusion import ancestral_step, ddim_step, q_sample


def solution_ddim_jump(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev):
    """One deterministic DDIM step (η = 0) from step t to any earlier step prev."""
    x0_estimate = (x_t - (1 - alpha_bar_t).sqrt() * predicted_noise) / alpha_bar_t.sqrt()  # invert q_sample
    return alpha_bar_prev.sqrt() * x0_estimate + (1 - alpha_bar_prev).sqrt() * predicted_noise  # re-noise to prev


def _inputs():
    gen = torch.Generator().manual_seed(1010)
    x0, noise, other = (torch.randn(2, 80, 6, generator=gen) for _ in range(3))
    return x0, noise, other, torch.tensor(0.04), torch.tensor(0.7)  # a long jump: ᾱ 0.04 → 0.7


def check_ddim_jump(fn) -> bool:
    """``fn(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev) -> x_prev`` (η = 0)."""
    x0, noise, other, ab_t, ab_prev = _inputs()
    x_t = q_sample(x0, noise, ab_t)
    eps = 0.6 * noise + 0.8 * other  # an imperfect network's guess
    got = attempt("DDIM jump", fn, x_t, eps, ab_t, ab_prev)
    if got is None:
        return False
    x0_hat = (x_t - (1 - ab_t).sqrt() * eps) / ab_t.sqrt()
    mistakes = {
        "you returned the clean estimate x̂_0; the jump goes to step prev, so put back √(1 − ᾱ_prev) of the "
        "predicted noise.": x0_hat,
        "invert x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε fully: after removing the noise, divide by √ᾱ_t.":
            ab_prev.sqrt() * (x_t - (1 - ab_t).sqrt() * eps) + (1 - ab_prev).sqrt() * eps,
        "the coefficients are square roots: √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev)·ε̂ (standard deviations, not variances).":
            ab_prev * x0_hat + (1 - ab_prev) * eps,
        "that is the DDPM ancestral mean without its noise: it shrinks the noise part too much and the "
        "walk under-disperses. DDIM re-uses the predicted noise ε̂ itself at the new level.":
            ancestral_step(x_t, eps, ab_t, ab_prev, None),
        "denoise with ᾱ_t (the level x_t is at) and re-noise with ᾱ_prev — you swapped them.":
            ab_t.sqrt() * (x_t - (1 - ab_prev).sqrt() * eps) / ab_prev.sqrt() + (1 - ab_t).sqrt() * eps,
    }
    if not _compare("DDIM jump", got, ddim_step(x_t, eps, ab_t, ab_prev, eta=0.0, noise=None), mistakes,
                    "estimate x̂_0 by inverting q_sample with ε̂, then x_prev = √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev)·ε̂."):
        return False
    exact = attempt("DDIM jump", fn, x_t, noise, ab_t, ab_prev)
    report_close("with the true noise, the jump lands on q_sample(x0, ε, ᾱ_prev)", exact, q_sample(x0, noise, ab_prev),
                 hint="Hint: with ε̂ = ε your x̂_0 should be exactly x_0.")
    return True
