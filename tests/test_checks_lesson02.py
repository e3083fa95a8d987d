"""Lesson 02 check: the reparameterized sample must have the right values *and* gradients."""

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks.lesson02 import check_reparameterized_sample


def test_solution_passes(capsys):
    assert check_reparameterized_sample(lambda mean, log_std, noise: mean + torch.exp(log_std) * noise)
    assert capsys.readouterr().out.count("✓") == 3


def test_stub_is_not_done_yet(capsys):
    def stub(mean, log_std, noise):
        raise NotImplementedError

    assert check_reparameterized_sample(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda m, s, e: m + s * e, "exp\\(log_std\\)"),
    (lambda m, s, e: m + torch.exp(0.5 * s) * e, "not log σ²"),
    (lambda m, s, e: m + e, "scaled by σ"),
    (lambda m, s, e: (m + torch.exp(s) * e).detach(), "no gradient"),
    (lambda m, s, e: torch.tensor((m + torch.exp(s) * e).tolist()), "no gradient"),
    (lambda m, s, e: m.detach() + torch.exp(s) * e, "mean"),
])
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_reparameterized_sample(wrong)
