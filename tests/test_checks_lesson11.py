"""Lesson 11 checks: VITS' KL term (derived) and the prior log-likelihood matrix — solutions pass, stubs are
"not done yet", typical slips get the hint that names them."""

import math

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks.lesson11 import (
    check_kl_term,
    check_prior_log_likelihood,
    solution_kl_term,
    solution_prior_log_likelihood,
)

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _stub(*args):
    raise NotImplementedError


def test_solutions_pass_and_stubs_are_not_done(capsys):
    assert check_kl_term(solution_kl_term)
    assert check_prior_log_likelihood(solution_prior_log_likelihood)
    assert check_kl_term(_stub) is False
    assert check_prior_log_likelihood(_stub) is False
    out = capsys.readouterr().out
    assert out.count("✓") == 3 and out.count("not implemented yet") == 2
    assert "MAS on your matrix finds the library's path" in out


def _kl(z, q, m, p, k, *, sign=1.0, half=0.5, const=-0.5, logs=True, masked=True, by="frames"):
    per_value = (p - q if logs else 0.0) + const + half * (z - m) ** 2 * torch.exp(-2 * p)
    total = (per_value * k).sum() if masked else per_value.sum()
    n = {"frames": k.sum(), "values": k.sum() * z.shape[1], "all": torch.tensor(float(k.shape[0] * k.shape[-1]))}[by]
    return sign * total / n


@pytest.mark.parametrize("wrong, hint", [
    (lambda *a: _kl(*a, sign=-1.0), "sign is flipped"),
    (lambda z, q, m, p, k: _kl(z, q, m, p, k) - 2 * ((p - q) * k).sum() / k.sum(), r"log σ_p − log σ_q, not"),
    (lambda *a: _kl(*a, masked=False), "multiply by the mask"),
    (lambda *a: _kl(*a, by="all"), "number of real frames"),
    (lambda *a: _kl(*a, by="values"), "not by frames × channels"),
    (lambda *a: _kl(*a, half=1.0), "needs its ½"),
    (lambda *a: _kl(*a, const=0.0), "−½ is missing"),
    (lambda *a: _kl(*a, logs=False), "log-std terms are missing"),
    (lambda z, q, m, p, k: _kl(z, q, m, p, k) + (q * k).sum() / k.sum(), "posterior's log σ_q is missing"),
    (lambda z, q, m, p, k: _kl(z, q, m, p, k) - (p * k).sum() / k.sum(), "prior's log σ_p is missing"),
    (lambda *a: _kl(*a, const=0.5), r"gives −½, not \+½"),
    (lambda z, q, m, p, k: _kl(z, q, m, p, k) + HALF_LOG_2PI * z.shape[1], "your log q lost its own"),
    (lambda z, q, m, p, k: _kl(z, q, m, p, k) - HALF_LOG_2PI * z.shape[1], "your log p lost its own"),
    (lambda z, q, m, p, k: _kl(z, q, m, p, k) + 1e-2, "values differ.*average it over ε"),
])
def test_kl_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_kl_term(wrong)


def _ll(z, m, s, *, const=True, logs=True, half=0.5, sign=1.0, reduce="sum"):
    d = (z[:, :, None, :] - m[..., None]) ** 2 * torch.exp(-2 * s)[..., None]
    log_n = (-HALF_LOG_2PI if const else 0.0) - (s[..., None] if logs else 0.0) - half * d
    return sign * (log_n.sum(1) if reduce == "sum" else log_n.mean(1))


@pytest.mark.parametrize("wrong, hint", [
    (lambda *a: _ll(*a).transpose(1, 2), "Transpose it"),
    (lambda z, m, s: (-HALF_LOG_2PI - s[..., None] - 0.5 * (z[:, :, None] - m[..., None]) ** 2
                      * torch.exp(-2 * s)[..., None]), "channel axis"),
    (lambda *a: _ll(*a, const=False), "MAS would still find the same path"),
    (lambda *a: _ll(*a, logs=False), "−log σ is missing"),
    (lambda *a: _ll(*a, half=1.0), "needs its ½"),
    (lambda *a: _ll(*a, sign=-1.0), "sign is flipped"),
    (lambda *a: _ll(*a, reduce="mean"), "not average"),
    (lambda *a: _ll(*a) + 0.1, "values differ"),
])
def test_likelihood_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_prior_log_likelihood(wrong)


def test_solutions_match_the_model_on_a_real_pass():
    """On a tiny VITS's own pass: the KL solution is the library's KL, and MAS on the solution's matrix of z_p
    reproduces the model's alignment."""
    from course_lib.alignment import monotonic_alignment_search
    from course_lib.models.vits import VITS, VITSConfig

    torch.manual_seed(0)
    model = VITS(VITSConfig.tiny().replace(n_vocab=20)).eval()
    tokens = torch.randint(1, 20, (2, 6))
    token_lengths, frames = torch.tensor([6, 4]), torch.tensor([40, 33])
    spec = torch.rand(2, 513, 40)
    with torch.no_grad():
        out = model(tokens, token_lengths, spec, frames, generator=torch.Generator().manual_seed(0))
        prior = model.text_encoder(tokens, token_lengths)
    kl = solution_kl_term(out.z_p, out.posterior_log_std, out.frame_prior_mean, out.frame_prior_log_std, out.spec_mask)
    assert torch.isclose(kl, model.latent_losses(out).kl, atol=1e-5)
    matrix = solution_prior_log_likelihood(out.z_p, prior.prior_mean, prior.prior_log_std)
    assert torch.equal(monotonic_alignment_search(matrix, out.text_mask, out.spec_mask), out.alignment)
