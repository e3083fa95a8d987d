"""Lesson 01 checks: the solution passes, a stub is "not done yet", each classic mistake gets its hint."""

import math

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks import lesson01 as L


def solution_gaussian_kl(mean_q, log_std_q, mean_p, log_std_p):
    var_q, var_p = torch.exp(2 * log_std_q), torch.exp(2 * log_std_p)
    return log_std_p - log_std_q + (var_q + (mean_q - mean_p) ** 2) / (2 * var_p) - 0.5


def stub(*args):
    raise NotImplementedError


def test_solutions_pass(capsys):
    assert L.check_gaussian_kl(solution_gaussian_kl)
    assert L.check_kl_standard_normal(lambda m, lv: -0.5 * (1 + lv - m**2 - lv.exp()))
    assert L.check_discrete_kl(lambda p, q: torch.where(p > 0, p * torch.log(p / q), torch.zeros_like(p)).sum())
    assert capsys.readouterr().out.count("✓") == 4


def test_stubs_report_not_done_without_raising(capsys):
    assert L.check_gaussian_kl(stub) is False
    assert L.check_kl_standard_normal(stub) is False
    assert L.check_discrete_kl(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda mq, sq, mp, sp: solution_gaussian_kl(mp, sp, mq, sq), "KL\\(p‖q\\)"),
    (lambda mq, sq, mp, sp: solution_gaussian_kl(mq, sq / 2, mp, sp / 2), "not log σ²"),
    (lambda mq, sq, mp, sp: solution_gaussian_kl(mq, sq, mp, sp) + 0.5, "−½"),
    (lambda mq, sq, mp, sp: solution_gaussian_kl(mq, sq, mp, sp).sum(), "elementwise"),
    (lambda mq, sq, mp, sp: sp - sq + (sq.exp() / sp.exp() + (mq - mp) ** 2 / (2 * sp).exp()) / 2 - 0.5, "squares"),
    (lambda mq, sq, mp, sp: torch.zeros_like(mq), "log σ_p − log σ_q"),
])
def test_gaussian_kl_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L.check_gaussian_kl(wrong)


def test_other_mistakes():
    with pytest.raises(ExerciseError, match="exp\\(log_var\\)"):
        L.check_kl_standard_normal(lambda m, lv: -0.5 * (1 + lv - m**2 - (2 * lv).exp()))
    with pytest.raises(ExerciseError, match="never negative"):
        L.check_kl_standard_normal(lambda m, lv: 0.5 * (1 + lv - m**2 - lv.exp()))
    with pytest.raises(ExerciseError, match="0·log 0"):
        L.check_discrete_kl(lambda p, q: (p * torch.log(p / q)).sum())
    with pytest.raises(ExerciseError, match="natural log"):
        L.check_discrete_kl(lambda p, q: L.discrete_kl(p, q) / math.log(2))
    with pytest.raises(ExerciseError, match="KL\\(q‖p\\)"):
        L.check_discrete_kl(lambda p, q: L.discrete_kl(q, p))
    with pytest.raises(ExerciseError, match="None"):
        L.check_gaussian_kl(lambda *a: None)


def test_the_revealable_solutions_pass_their_checks(capsys):
    from course_lib.checks import lesson01 as L

    assert L.check_discrete_kl(L.discrete_kl)
    assert L.check_gaussian_kl(L.solution_gaussian_kl)
    assert L.check_kl_standard_normal(L.solution_kl_to_standard_normal)
    assert "not implemented" not in capsys.readouterr().out
