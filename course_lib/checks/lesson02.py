"""Checks for lesson 02 (reparameterization and the VAE): diagnosing posterior collapse.

The exercise: ``collapsed_dimensions(mean, log_var) -> bool [D]`` from an
encoder's posterior parameters over a batch of inputs (``[N, D]`` each). A
latent dimension has collapsed when its posterior no longer depends on the
input — not when it is close to the prior. The check builds a batch whose
dimensions separate the two ideas, so each classic wrong diagnosis fails on a
dimension of its own and gets its hint.
"""

from __future__ import annotations

import torch

from course_lib.checks import ExerciseError, attempt


def solution_collapsed_dimensions(mean: torch.Tensor, log_var: torch.Tensor, threshold: float = 0.01) -> torch.Tensor:
    """``[N, D]`` posterior means and log-variances over N inputs -> ``[D]`` True where z_d carries nothing about x."""
    # Collapse means q(z_d|x) is the same for every x. Its mean is what the decoder reads, so
    # look at how much the posterior mean moves across inputs (Burda et al. 2016's "activity").
    # KL, or the distance of μ from 0, is the wrong test: a stuck dimension pays KL and carries nothing.
    return mean.var(dim=0) <= threshold


# The batch's dimensions, and what each one tests.
_ROLES = (
    "informative: the posterior mean moves with the input and σ is small",
    "collapsed onto the prior: μ ≈ 0 and σ ≈ 1 for every input (KL ≈ 0)",
    "stuck: μ = 1.5 and σ = 0.14 for every input — it pays KL ≈ 2.6 nats and tells the decoder nothing",
    "weakly informative: the mean moves a little (variance 0.05) at σ ≈ 1, KL ≈ 0.03 nats",
)
_EXPECTED = torch.tensor([False, True, True, False])


def _posteriors(n: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(2002)
    noise = torch.randn(n, 4, generator=generator)
    mean = torch.stack([noise[:, 0], 1e-3 * noise[:, 1], torch.full((n,), 1.5), 0.05**0.5 * noise[:, 3]], dim=1)
    log_var = torch.tensor([-3.0, 0.0, -4.0, 0.0]).expand(n, 4)
    jitter = 1e-3 * torch.randn(n, 4, generator=generator)
    return mean, log_var + jitter


def check_collapse_diagnosis(fn) -> bool:
    """``fn(mean [N, D], log_var [N, D]) -> bool [D]``: True for the collapsed dimensions."""
    mean, log_var = _posteriors()
    got = attempt("posterior-collapse diagnosis", fn, mean.clone(), log_var.clone())
    if got is None:
        return False
    got = torch.as_tensor(got)
    if got.shape != _EXPECTED.shape:
        raise ExerciseError(
            f"posterior-collapse diagnosis: got shape {tuple(got.shape)}, expected ({len(_EXPECTED)},) — one answer "
            "per latent dimension. Hint: reduce over the inputs (dim 0), not over the latent dimensions.")
    got = got.bool()
    if torch.equal(got, _EXPECTED):
        print("✓ posterior-collapse diagnosis: dimensions 1 and 2 carry nothing about x; 0 and 3 do")
        return True
    if torch.equal(got, ~_EXPECTED):
        raise ExerciseError("posterior-collapse diagnosis: your answer is exactly inverted. Hint: return True "
                            "for the *collapsed* dimensions (the active ones are the others).")
    wrong = int((got != _EXPECTED).nonzero()[0])
    hints = {
        0: "its posterior mean changes from input to input, so the decoder can read x from it: not collapsed.",
        1: "every input gets the same posterior, N(0, 1) — the textbook collapse. Whatever you measured, "
           "it should be about how q(z_d|x) varies *across inputs*.",
        2: "a common reading is that collapse means KL ≈ 0 (or μ ≈ 0); in fact a dimension collapses when q(z_d|x) "
           "stops depending on x. This one is far from the prior (KL ≈ 2.6 nats) and identical for every input. "
           "Measure how the posterior mean varies across the batch, not how far it is from N(0, 1).",
        3: "its mean still moves (variance 0.05 across inputs): weak, but the decoder can use it. Your test is "
           "too strict — Burda et al. (2016) count a unit active when Var_x E_q[z_d] > 0.01.",
    }
    raise ExerciseError(f"posterior-collapse diagnosis: dimension {wrong} ({_ROLES[wrong]}) — you said "
                        f"{'collapsed' if bool(got[wrong]) else 'not collapsed'}. Hint: {hints[wrong]}")
