"""Lesson 09 and 10 checks: solutions pass, stubs are "not done yet", classic mistakes get their hint."""

from __future__ import annotations

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks import lesson09 as L9
from course_lib.checks import lesson10 as L10


def stub(*args):
    raise NotImplementedError


def solution_moments(x0, mu, t):
    integral = (0.05 * t + 0.5 * 19.95 * t**2)[:, None, None]
    return x0 * torch.exp(-0.5 * integral) + mu * (1 - torch.exp(-0.5 * integral)), 1 - torch.exp(-integral)


def test_solutions_pass_and_stubs_are_not_done(capsys):
    assert L9.check_forward_moments(solution_moments) and L9.check_forward_moments(L9.solution_forward_moments)
    assert L9.check_score_loss(L9.solution_score_loss)
    assert L10.check_ddim_jump(L10.solution_ddim_jump)
    for check in (L9.check_forward_moments, L9.check_score_loss, L10.check_ddim_jump):
        assert check(stub) is False
    out = capsys.readouterr().out
    assert out.count("✓") >= 5 and "not implemented yet" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x0, mu, t: (solution_moments(x0, mu, t)[0], solution_moments(x0, mu, t)[1].sqrt()), "standard deviation"),
    (lambda x0, mu, t: (x0 * torch.exp(-0.5 * (0.05 * t + 9.975 * t**2))[:, None, None],
                        solution_moments(x0, mu, t)[1]), "drifts toward μ"),
    (lambda x0, mu, t: solution_moments(x0, mu, t)[0], "pair"),
])
def test_moment_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L9.check_forward_moments(wrong)


def _loss(score_model, x0, mu, t, noise, weight=lambda lam: lam, target=lambda e, lam: -e / lam.sqrt(),
          x_t=None):
    mean, lam = solution_moments(x0, mu, t)
    x_t = mean + lam.sqrt() * noise if x_t is None else x_t(x0, mu, noise, lam, t)
    return (weight(lam) * (score_model(x_t, mu, t) - target(noise, lam)) ** 2).mean()


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, x0, mu, t, e: _loss(f, x0, mu, t, e, weight=lambda lam: 1.0), "small-t terms dominate"),
    (lambda f, x0, mu, t, e: _loss(f, x0, mu, t, e, weight=lambda lam: lam.sqrt()), "not √λ_t"),
    (lambda f, x0, mu, t, e: _loss(f, x0, mu, t, e, target=lambda e, lam: e / lam.sqrt()), "the sign"),
    (lambda f, x0, mu, t, e: _loss(f, x0, mu, t, e, target=lambda e, lam: -e / lam), "not by the variance"),
    (lambda f, x0, mu, t, e: _loss(f, x0, mu, t, e, x_t=lambda x0, mu, e, lam, t:
                                   solution_moments(x0, mu, t)[0] + lam * e), "scaled by the standard deviation"),
    (lambda f, x0, mu, t, e: _loss(f, x0, mu, t, e, x_t=lambda x0, mu, e, lam, t:
                                   x0 * torch.exp(-0.5 * (0.05 * t + 9.975 * t**2))[:, None, None]
                                   + lam.sqrt() * e), "drifts toward μ"),
])
def test_score_loss_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L9.check_score_loss(wrong)


def _x0_hat(x_t, eps, ab_t):
    return (x_t - (1 - ab_t).sqrt() * eps) / ab_t.sqrt()


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, e, a, p: _x0_hat(x, e, a), "clean estimate"),
    (lambda x, e, a, p: p.sqrt() * (x - (1 - a).sqrt() * e) + (1 - p).sqrt() * e, "divide by √ᾱ_t"),
    (lambda x, e, a, p: p * _x0_hat(x, e, a) + (1 - p) * e, "square roots"),
    (lambda x, e, a, p: (x - (1 - a / p) / (1 - a).sqrt() * e) / (a / p).sqrt(), "ancestral mean"),
    (lambda x, e, a, p: p.sqrt() * _x0_hat(x, e, a) + (1 - p).sqrt() * torch.randn_like(e), "values differ"),
])
def test_ddim_jump_mistakes(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L10.check_ddim_jump(wrong)
