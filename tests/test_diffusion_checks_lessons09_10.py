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


def solution_ode_step(x_t, mu, score, beta_t, h):
    return x_t - 0.5 * (mu - x_t - score) * beta_t * h


def test_solutions_pass_and_stubs_are_not_done(capsys):
    assert L9.check_forward_moments(solution_moments) and L9.check_ode_step(solution_ode_step)
    assert L10.check_skip_walk(lambda n, g: list(range(n - 1, -1, -g)))
    assert L10.check_jump_beta(lambda ab, prev: 1 - ab / prev)
    for check in (L9.check_forward_moments, L9.check_ode_step, L10.check_skip_walk, L10.check_jump_beta):
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


def test_ode_and_walk_and_beta_mistakes():
    with pytest.raises(ExerciseError, match="backwards"):
        L9.check_ode_step(lambda x, mu, s, b, h: x + 0.5 * (mu - x - s) * b * h)
    with pytest.raises(ExerciseError, match="0-based"):
        L10.check_skip_walk(lambda n, g: list(range(n, -1, -g)))
    with pytest.raises(ExerciseError, match="descending"):
        L10.check_skip_walk(lambda n, g: list(range(0, n, g)))
    with pytest.raises(ExerciseError, match="ratio"):
        L10.check_jump_beta(lambda ab, prev: prev - ab)
