"""Checks for lesson 05 (diffusion): ``q_sample`` and one ancestral reverse step.

Each check runs the learner's function on fixed inputs and compares it with
:mod:`course_lib.diffusion`. A wrong answer is compared with the classic
mistakes (ᾱ without the square root, the coefficients swapped, a missing noise
term, β_t instead of β̃_t) and the matching hint is given.
"""

from __future__ import annotations

import torch

from course_lib.checks import ExerciseError, attempt, diagnose, report_close
from course_lib.diffusion import ancestral_step, q_sample


def _compare(name: str, got, expected: torch.Tensor, mistakes: dict[str, torch.Tensor], default: str) -> bool:
    if got is None:
        return False
    try:
        report_close(name, got, expected, atol=1e-5, rtol=1e-4)
    except ExerciseError as err:
        raise ExerciseError(f"{err} Hint: {diagnose(got, mistakes, default)}") from None
    return True


def solution_q_sample(x0, noise, alpha_bar_t):
    """x_t = √ᾱ_t·x0 + √(1 − ᾱ_t)·ε (Ho et al. 2020, eq. 4): standard deviations, whose variances add to 1.

    Composing the steps x_t = √α_t·x_{t−1} + √β_t·ε_t multiplies x0's coefficient by √α_t each time
    (→ √ᾱ_t), and the noise variance goes 1 − ᾱ_{t−1} → α_t(1 − ᾱ_{t−1}) + β_t = 1 − ᾱ_t.
    """
    return alpha_bar_t.sqrt() * x0 + (1 - alpha_bar_t).sqrt() * noise


def solution_reverse_step(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev, noise):
    """One ancestral step x_t → x_prev between any two steps (eq. 11 mean, σ² = β̃ from eq. 7)."""
    alpha = alpha_bar_t / alpha_bar_prev  # one jump of the forward process
    beta = 1 - alpha
    mean = (x_t - beta / (1 - alpha_bar_t).sqrt() * predicted_noise) / alpha.sqrt()
    variance = (1 - alpha_bar_prev) / (1 - alpha_bar_t) * beta
    return mean + variance.sqrt() * noise


def _q_sample_inputs():
    gen = torch.Generator().manual_seed(5)
    x0 = torch.randn(3, 4, 6, generator=gen)
    noise = torch.randn(3, 4, 6, generator=gen)
    alpha_bar_t = torch.tensor([0.9, 0.5, 0.05]).reshape(3, 1, 1)
    return x0, noise, alpha_bar_t


def check_q_sample(fn) -> bool:
    """``fn(x0, noise, alpha_bar_t) -> x_t`` with ``alpha_bar_t [B, 1, 1]`` (eq. 4, Ho et al. 2020)."""
    x0, noise, ab = _q_sample_inputs()
    got = attempt("q_sample", fn, x0, noise, ab)
    if got is None:
        return False
    mistakes = {
        "use √ᾱ_t and √(1 − ᾱ_t), not ᾱ_t and 1 − ᾱ_t: these are standard deviations, the variances add up to 1.":
            ab * x0 + (1 - ab) * noise,
        "the signal is scaled by √ᾱ_t and the noise by √(1 − ᾱ_t) — you swapped them.":
            (1 - ab).sqrt() * x0 + ab.sqrt() * noise,
        "the noise coefficient is √(1 − ᾱ_t), the square root of the whole difference.":
            ab.sqrt() * x0 + (1 - ab.sqrt()) * noise,
        "keep x0 in: each step shrinks x0, none replaces it.": (1 - ab).sqrt() * noise,
    }
    return _compare("q_sample", got, q_sample(x0, noise, ab), mistakes,
                    "compose two steps by hand, x₂ = √α₂(√α₁·x0 + √β₁·ε₁) + √β₂·ε₂: which coefficient multiplies "
                    "x0, and what is the variance of the noise part? Then apply it elementwise, with alpha_bar_t "
                    "broadcasting over the batch.")


def _step_inputs():
    gen = torch.Generator().manual_seed(7)
    x_t = torch.randn(2, 3, 5, generator=gen)
    predicted_noise = torch.randn(2, 3, 5, generator=gen)
    noise = torch.randn(2, 3, 5, generator=gen)
    return x_t, predicted_noise, torch.tensor(0.35), torch.tensor(0.42), noise


def check_reverse_step(fn) -> bool:
    """``fn(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev, noise) -> x_prev``.

    Mean from eq. 11, noise scaled by √β̃_t with β̃_t = (1 − ᾱ_prev)/(1 − ᾱ_t)·β_t
    (eq. 7), where α_t = ᾱ_t/ᾱ_prev and β_t = 1 − α_t.
    """
    x_t, eps, ab_t, ab_prev, z = _step_inputs()
    got = attempt("reverse step", fn, x_t, eps, ab_t, ab_prev, z)
    if got is None:
        return False
    alpha = ab_t / ab_prev
    beta = 1 - alpha
    mean = (x_t - beta / (1 - ab_t).sqrt() * eps) / alpha.sqrt()
    posterior_std = ((1 - ab_prev) / (1 - ab_t) * beta).sqrt()
    mistakes = {
        "you returned the mean only: add σ_t·z with σ_t² = β̃_t (Algorithm 2, line 4).": mean,
        "this exercise uses σ_t² = β̃_t = (1 − ᾱ_prev)/(1 − ᾱ_t)·β_t (eq. 7), not β_t.": mean + beta.sqrt() * z,
        "the noise prediction is scaled by β_t/√(1 − ᾱ_t) — a square root on the denominator.":
            (x_t - beta / (1 - ab_t) * eps) / alpha.sqrt() + posterior_std * z,
        "divide by √α_t (undo the forward step's shrinking), don't multiply.":
            (x_t - beta / (1 - ab_t).sqrt() * eps) * alpha.sqrt() + posterior_std * z,
        "α_t here is ᾱ_t/ᾱ_prev (one jump of the forward process), not ᾱ_t itself.":
            (x_t - (1 - ab_t) / (1 - ab_t).sqrt() * eps) / ab_t.sqrt()
            + ((1 - ab_prev) / (1 - ab_t) * (1 - ab_t)).sqrt() * z,
    }
    expected = ancestral_step(x_t, eps, ab_t, ab_prev, z, variance="posterior")
    return _compare("reverse step", got, expected, mistakes,
                    "x_prev = (x_t − β_t/√(1 − ᾱ_t)·ε̂)/√α_t + √β̃_t·z (eq. 11 and eq. 7).")
