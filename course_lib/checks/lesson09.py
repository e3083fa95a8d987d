"""Checks for lesson 09 (Grad-TTS): the forward moments with terminal mean μ, and one reverse ODE step."""

from __future__ import annotations

import torch

from course_lib.checks import ExerciseError, attempt
from course_lib.checks.lesson05 import _compare
from course_lib.diffusion import NoiseSchedule, forward_moments, reverse_ode_step

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


def check_ode_step(fn) -> bool:
    """``fn(x_t, mu, score, beta_t, h) -> x_{t−h}``: one Euler step back of the probability-flow ODE."""
    gen = torch.Generator().manual_seed(11)
    x_t, mu, score = (torch.randn(2, 80, 5, generator=gen) for _ in range(3))
    beta_t, h = torch.tensor(12.0), 0.1
    got = attempt("ODE step", fn, x_t, mu, score, beta_t, h)
    if got is None:
        return False
    mistakes = {
        "time runs backwards (t → t − h): subtract the drift·h, don't add it.":
            x_t + 0.5 * (mu - x_t - score) * beta_t * h,
        "the ODE uses ½·score; the reverse SDE uses the full score.": x_t - (0.5 * (mu - x_t) - score) * beta_t * h,
        "multiply by β(t) and by the step h.": x_t - 0.5 * (mu - x_t - score) * h,
    }
    return _compare("ODE step", got, reverse_ode_step(x_t, mu, score, beta_t, h), mistakes,
                    "x_{t−h} = x_t − ½·(μ − x_t − s)·β(t)·h.")
