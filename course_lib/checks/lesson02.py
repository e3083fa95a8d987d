"""Checks for lesson 02 (reparameterization).

The exercise takes the noise ``ε`` as an argument, so the answer is
deterministic: ``z = μ + σ·ε`` with ``σ = exp(log_std)``. Values alone are not
enough — the point of the trick is that gradients reach μ and log σ, so the
check also differentiates the learner's sample.
"""

from __future__ import annotations

import torch

from course_lib.checks import ExerciseError, attempt, diagnose, report_close


def _inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(202)
    mean = torch.randn(4, 3, generator=generator)
    log_std = 0.5 * torch.randn(4, 3, generator=generator)
    noise = torch.randn(4, 3, generator=generator)
    return mean, log_std, noise


def check_reparameterized_sample(fn) -> bool:
    """``fn(mean, log_std, noise) -> z = mean + exp(log_std) * noise``, differentiable in mean and log_std."""
    mean, log_std, noise = _inputs()
    mean.requires_grad_(True)
    log_std.requires_grad_(True)
    got = attempt("reparameterized sample", fn, mean, log_std, noise)
    if got is None:
        return False
    std = log_std.detach().exp()
    expected = mean.detach() + std * noise
    hint = diagnose(got.detach() if isinstance(got, torch.Tensor) else got, {
        "Hint: log_std is log σ, so σ = exp(log_std) — you used it as σ directly.": mean.detach() + log_std.detach() * noise,
        "Hint: that is exp(½·log_std): the input is log σ, not log σ².": mean.detach() + (0.5 * log_std.detach()).exp() * noise,
        "Hint: the noise is scaled by σ: z = μ + σ·ε, not μ + ε.": mean.detach() + noise,
    }, "Hint: z = mean + exp(log_std) * noise.")
    report_close("reparameterized sample", got.detach() if isinstance(got, torch.Tensor) else got, expected, hint=hint)
    if not isinstance(got, torch.Tensor) or not got.requires_grad:
        raise ExerciseError(
            "reparameterized sample: the values are right but no gradient reaches mean/log_std — "
            "build z from the tensors with + and * (no .detach(), .item(), numpy or torch.normal)."
        )
    got.sum().backward()
    # ∂z/∂μ = 1 and ∂z/∂log σ = σ·ε (the pathwise derivative, lesson 02 §3)
    report_close("gradient w.r.t. mean", mean.grad, torch.ones_like(mean), hint="Hint: ∂z/∂μ should be 1.")
    report_close("gradient w.r.t. log_std", log_std.grad, std * noise, hint="Hint: ∂z/∂log σ should be σ·ε.")
    return True
