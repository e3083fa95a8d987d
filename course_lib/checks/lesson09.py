"""Checks for lesson 09 (Grad-TTS): the forward moments with terminal mean μ, and the λ_t-weighted score loss."""

from __future__ import annotations

import torch

from course_lib.checks import ExerciseError, attempt
from course_lib.checks.lesson05 import _compare
from course_lib.diffusion import NoiseSchedule, forward_moments, score_matching_loss

SCHEDULE = NoiseSchedule()  # β(t) = 0.05 + 19.95 t


def _moment_inputs():
    gen = torch.Generator().manual_seed(9)
    x0 = torch.randn(3, 80, 4, generator=gen)
    mu = torch.randn(3, 80, 4, generator=gen)
    return x0, mu, torch.tensor([0.05, 0.4, 0.9])


def check_forward_moments(fn) -> bool:
    """``fn(x0, mu, t) -> (mean, variance)``: mean ``[B, F, T]``, variance broadcasting as ``[B, 1, 1]``.

    Uses ``∫β = 0.05 t + ½ (20 − 0.05) t²`` (Grad-TTS's β₀ = 0.05, β₁ = 20).
    """
    x0, mu, t = _moment_inputs()
    got = attempt("forward moments", fn, x0, mu, t)
    if got is None:
        return False
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise ExerciseError("forward moments: return a pair (mean, variance)")
    expected = forward_moments(x0, mu, t, SCHEDULE)
    integral = SCHEDULE.integral(t)[:, None, None]
    mistakes_mean = {
        "the decay is e^{−½∫β} (half the integral) — the variance gets e^{−∫β}.":
            x0 * torch.exp(-integral) + mu * (1 - torch.exp(-integral)),
        "the mean drifts toward μ: add μ·(1 − e^{−½∫β}).": x0 * torch.exp(-0.5 * integral),
        "integrate β: ∫₀ᵗ β = β₀t + ½(β₁−β₀)t², not β(t)·t.":
            x0 * torch.exp(-0.5 * SCHEDULE.beta(t)[:, None, None] * t[:, None, None])
            + mu * (1 - torch.exp(-0.5 * SCHEDULE.beta(t)[:, None, None] * t[:, None, None])),
    }
    mean_ok = _compare("forward mean", got[0], expected.mean, mistakes_mean,
                       "mean = x0·e^{−½∫β} + μ·(1 − e^{−½∫β}).")
    mistakes_var = {
        "the variance uses the whole integral: 1 − e^{−∫β}, not 1 − e^{−½∫β}.": 1 - torch.exp(-0.5 * integral),
        "that is the standard deviation; return the variance 1 − e^{−∫β}.": (1 - torch.exp(-integral)).sqrt(),
    }
    got_var = torch.as_tensor(got[1]).expand_as(expected.mean) if torch.is_tensor(got[1]) else got[1]
    var_ok = _compare("forward variance", got_var, expected.variance.expand_as(expected.mean),
                      {k: v.expand_as(expected.mean) for k, v in mistakes_var.items()},
                      "variance = 1 − e^{−∫β}, the same for every element of an item.")
    return mean_ok and var_ok


def solution_forward_moments(x0, mu, t):
    """x0, mu: [B, 80, T]; t: [B] -> (mean [B, 80, T], variance [B, 1, 1]) of X_t | X_0 (Grad-TTS, Σ = I)."""
    integral = (0.05 * t + 0.5 * (20.0 - 0.05) * t**2)[:, None, None]  # ∫₀ᵗ β_s ds
    decay = torch.exp(-0.5 * integral)
    return x0 * decay + mu * (1 - decay), 1 - torch.exp(-integral)


def solution_score_loss(score_model, x0, mu, t, noise):
    """The λ_t-weighted denoising score-matching loss of one batch (scalar)."""
    mean, variance = solution_forward_moments(x0, mu, t)  # variance is λ_t
    x_t = mean + variance.sqrt() * noise  # a draw of X_t | X_0
    score = score_model(x_t, mu, t)
    # X_t | X_0 is N(mean, λ_t I): its score at x_t is −(x_t − mean)/λ_t = −ε/√λ_t
    target = -noise / variance.sqrt()
    return (variance * (score - target) ** 2).mean()  # weight λ_t: every t on the same scale


def _score_model(x_t, mu, t):
    """A fixed stand-in for the U-Net: any function of (x_t, μ, t) will do for the check."""
    return -(x_t - mu) * (1.0 + t)[:, None, None] + 0.1 * torch.tanh(mu)


def _loss_inputs():
    gen = torch.Generator().manual_seed(12)
    x0, mu, noise = (torch.randn(3, 80, 5, generator=gen) for _ in range(3))
    return x0, mu, torch.tensor([0.02, 0.3, 0.85]), noise


def check_score_loss(fn) -> bool:
    """``fn(score_model, x0, mu, t, noise) -> scalar``: Grad-TTS's diffusion loss for one batch."""
    x0, mu, t, noise = _loss_inputs()
    got = attempt("score-matching loss", fn, _score_model, x0, mu, t, noise)
    if got is None:
        return False
    moments = forward_moments(x0, mu, t, SCHEDULE)
    lam = moments.variance
    x_t = moments.mean + lam.sqrt() * noise
    score = _score_model(x_t, mu, t)
    expected = score_matching_loss(score, noise, t, SCHEDULE)

    def weighted(weight, target, s=score):
        return (weight * (s - target) ** 2).mean()

    decay = torch.exp(-0.5 * SCHEDULE.integral(t))[:, None, None]
    mistakes = {
        "without the weight λ_t the small-t terms dominate: the target −ε/√λ_t explodes as t → 0. "
        "Multiply each item's squared error by λ_t.": weighted(1.0, -noise / lam.sqrt()),
        "the weight is λ_t (the variance), not √λ_t.": weighted(lam.sqrt(), -noise / lam.sqrt()),
        "the sign: the score points from x_t back toward the mean, −(x_t − mean)/λ_t = −ε/√λ_t.":
            weighted(lam, noise / lam.sqrt()),
        "the score of N(mean, λ_t I) at x_t = mean + √λ_t ε is −ε/√λ_t: divide ε by the standard "
        "deviation, not by the variance.": weighted(lam, -noise / lam),
        "x_t = mean + √λ_t·ε — the noise is scaled by the standard deviation, not by the variance λ_t.":
            weighted(lam, -noise / lam.sqrt(), _score_model(moments.mean + lam * noise, mu, t)),
        "x_t drifts toward μ: its mean is x0·e^{−½∫β} + μ·(1 − e^{−½∫β}), not x0·e^{−½∫β} alone.":
            weighted(lam, -noise / lam.sqrt(), _score_model(x0 * decay + lam.sqrt() * noise, mu, t)),
        "the network is the score model s_θ, not a noise predictor: compare it with the score −ε/√λ_t, "
        "not with ε.": weighted(1.0, noise),
    }
    return _compare("score-matching loss", got, expected, mistakes,
                    "draw x_t from X_t | X_0, call the model, and regress it on the score of that Gaussian, "
                    "weighted by its variance.")
