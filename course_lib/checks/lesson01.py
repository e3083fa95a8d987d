"""Checks for lesson 01 (KL divergence).

Each check runs the learner's function on fixed inputs. When the answer is wrong
it also compares it with the classic mistakes (q and p swapped, σ used for σ²,
log-variance read as log-σ) and names the one it matches in the hint.
"""

from __future__ import annotations

import math

import torch

from course_lib.checks import ExerciseError, attempt, diagnose, report_close
from course_lib.distributions import kl_gaussians, kl_standard_normal


def _fixed_pair() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(101)
    mean_q, mean_p = torch.randn(2, 6, generator=generator)
    log_std_q, log_std_p = 0.6 * torch.randn(2, 6, generator=generator)
    return mean_q, log_std_q, mean_p, log_std_p


def discrete_kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """``KL(p ‖ q) = Σ_i p_i log(p_i / q_i)`` for histograms; terms with ``p_i = 0`` count as 0."""
    terms = torch.where(p > 0, p * (torch.log(p) - torch.log(q)), torch.zeros_like(p))
    return terms.sum()


def solution_gaussian_kl(mean_q, log_std_q, mean_p, log_std_p):
    """KL(N(μ_q, σ_q²) ‖ N(μ_p, σ_p²)) elementwise, from log σ.

    E_q[log q − log p] term by term: the normalisers give log σ_p − log σ_q, the q-quadratic
    E_q[(z − μ_q)²]/(2σ_q²) gives ½, and z − μ_p = (z − μ_q) + (μ_q − μ_p) makes
    E_q[(z − μ_p)²] = σ_q² + (μ_q − μ_p)²:
    KL = log(σ_p/σ_q) + (σ_q² + (μ_q − μ_p)²)/(2σ_p²) − ½.
    """
    var_q, var_p = torch.exp(2 * log_std_q), torch.exp(2 * log_std_p)
    return (log_std_p - log_std_q) + (var_q + (mean_q - mean_p) ** 2) / (2 * var_p) - 0.5


def solution_kl_to_standard_normal(mean, log_var):
    """KL(N(μ, σ²) ‖ N(0, 1)) elementwise, from log σ² — the VAE's term before the sum.

    The Gaussian KL with μ_p = 0, σ_p = 1, log σ_q = ½·log_var and σ_q² = exp(log_var):
    −½·log_var + ½(exp(log_var) + μ²) − ½ = −½(1 + log_var − μ² − exp(log_var)).
    """
    return -0.5 * (1 + log_var - mean**2 - log_var.exp())


def check_discrete_kl(fn) -> bool:
    """``fn(p, q) -> scalar`` KL(p‖q) of two histograms (p has an empty bin)."""
    p = torch.tensor([0.5, 0.3, 0.2, 0.0])
    q = torch.tensor([0.25, 0.25, 0.25, 0.25])
    got = attempt("discrete KL", fn, p, q)
    if got is None:
        return False
    hint = diagnose(got, {
        "Hint: that is KL(q‖p) — infinite here, as q puts mass where p has none; average over p, the first argument.":
            discrete_kl(q, p),
        "Hint: use the natural log (torch.log), not log2 or log10.": discrete_kl(p, q) / math.log(2),
    }, "Hint: an expectation under p over finitely many outcomes is a p-weighted sum; a bin with p = 0 "
       "is never drawn, so it contributes 0 (torch.where helps).")
    if torch.isnan(torch.as_tensor(got, dtype=torch.float64)).any():
        raise ExerciseError("discrete KL: got NaN — a bin with p = 0 gives 0·log 0; treat it as 0 (torch.where).")
    report_close("discrete KL", got, discrete_kl(p, q), hint=hint)
    return True


def check_gaussian_kl(fn) -> bool:
    """``fn(mean_q, log_std_q, mean_p, log_std_p) -> KL(q‖p)`` elementwise, like :func:`kl_gaussians`."""
    mean_q, log_std_q, mean_p, log_std_p = _fixed_pair()
    got = attempt("Gaussian KL", fn, mean_q, log_std_q, mean_p, log_std_p)
    if got is None:
        return False
    std_q, std_p = log_std_q.exp(), log_std_p.exp()
    hint = diagnose(got, {
        "Hint: that is KL(p‖q): the variance ratio and the mean gap are divided by σ_p², not σ_q².":
            kl_gaussians(mean_p, log_std_p, mean_q, log_std_q),
        "Hint: the variance ratio needs σ_q²/σ_p² (squares), you used σ_q/σ_p.":
            log_std_p - log_std_q + (std_q / std_p + (mean_q - mean_p) ** 2 / std_p**2) / 2 - 0.5,
        "Hint: the arguments are log σ, not log σ² — σ = exp(log_std), σ² = exp(2·log_std).":
            kl_gaussians(mean_q, 0.5 * log_std_q, mean_p, 0.5 * log_std_p),
        "Hint: the mean gap (μ_q − μ_p)² is divided by σ_p² (you left it undivided or missed the ½).":
            log_std_p - log_std_q + 0.5 * (std_q**2 / std_p**2 + (mean_q - mean_p) ** 2) - 0.5,
        "Hint: don't forget the constant −½ (the KL of a distribution with itself must be 0).":
            kl_gaussians(mean_q, log_std_q, mean_p, log_std_p) + 0.5,
        "Hint: return the elementwise KL (one value per entry); sum later.":
            kl_gaussians(mean_q, log_std_q, mean_p, log_std_p).sum(),
    }, "Hint: KL = log σ_p − log σ_q − E_q[(z − μ_q)²]/(2σ_q²) + E_q[(z − μ_p)²]/(2σ_p²); the first "
       "expectation is σ_q², and for the second write z − μ_p = (z − μ_q) + (μ_q − μ_p).")
    report_close("Gaussian KL", got, kl_gaussians(mean_q, log_std_q, mean_p, log_std_p), hint=hint)
    self_kl = attempt("Gaussian KL", fn, mean_q, log_std_q, mean_q, log_std_q)
    report_close("KL(q‖q) = 0", self_kl, torch.zeros_like(mean_q), atol=1e-6, hint=hint)
    return True


def check_kl_standard_normal(fn) -> bool:
    """``fn(mean, log_var) -> KL(N(μ, σ²)‖N(0, 1))`` elementwise (the VAE term, from a log-variance)."""
    mean, log_std, _, _ = _fixed_pair()
    log_var = 2 * log_std
    got = attempt("KL to N(0, 1)", fn, mean, log_var)
    if got is None:
        return False
    hint = diagnose(got, {
        "Hint: the input is log σ², so σ² = exp(log_var) — not exp(2·log_var).":
            kl_standard_normal(mean, 2 * log_var),
        "Hint: check the sign — a KL is never negative, and yours is.":
            -kl_standard_normal(mean, log_var),
        "Hint: return one value per entry (don't sum yet).": kl_standard_normal(mean, log_var).sum(),
    }, "Hint: put μ_p = 0, σ_p = 1 into the Gaussian KL, with log σ_q = ½·log_var and σ_q² = exp(log_var).")
    report_close("KL to N(0, 1)", got, kl_standard_normal(mean, log_var), hint=hint)
    return True
