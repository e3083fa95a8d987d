"""Lesson 03 check: the masked KL(q‖p) term of the conditional VAE."""

import pytest

from course_lib.checks import ExerciseError
from course_lib.checks.lesson03 import check_kl_term
from course_lib.distributions import kl_gaussians


def solution(posterior_mean, posterior_log_std, prior_mean, prior_log_std, mel_mask):
    kl = kl_gaussians(posterior_mean, posterior_log_std, prior_mean, prior_log_std)  # [B, C_z, T]
    return (kl * mel_mask).sum() / mel_mask.sum()


def test_solution_passes(capsys):
    assert check_kl_term(solution)
    assert "✓" in capsys.readouterr().out


def test_stub_is_not_done_yet(capsys):
    def stub(*args):
        raise NotImplementedError

    assert check_kl_term(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


def test_missing_return_is_a_mistake():
    with pytest.raises(ExerciseError, match="None"):
        check_kl_term(lambda *args: None)


@pytest.mark.parametrize("wrong, hint", [
    (lambda mq, sq, mp, sp, m: kl_gaussians(mq, sq, mp, sp).sum() / m.sum(), "multiply by mel_mask"),
    (lambda mq, sq, mp, sp, m: (kl_gaussians(mq, sq, mp, sp) * m).mean(), "channels and padding"),
    (lambda mq, sq, mp, sp, m: (kl_gaussians(mq, sq, mp, sp) * m).sum() / (m.shape[0] * m.shape[2]), "counts padding"),
    (lambda mq, sq, mp, sp, m: (kl_gaussians(mq, sq, mp, sp) * m).sum() / (m.sum() * mq.shape[1]), "channels"),
    (lambda mq, sq, mp, sp, m: solution(mp, sp, mq, sq, m), "KL\\(p‖q\\)"),
])
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_kl_term(wrong)
