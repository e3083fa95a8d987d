"""Lesson 02 check: posterior collapse is diagnosed by how q(z|x) varies across inputs, not by the KL."""

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks.lesson02 import check_collapse_diagnosis, solution_collapsed_dimensions
from course_lib.distributions import kl_standard_normal


def test_solution_passes(capsys):
    assert check_collapse_diagnosis(solution_collapsed_dimensions)
    assert "✓" in capsys.readouterr().out


def test_stub_is_not_done_yet(capsys):
    def stub(mean, log_var):
        raise NotImplementedError

    assert check_collapse_diagnosis(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda m, v: kl_standard_normal(m, v).mean(0) < 0.01, "a common reading is that collapse means KL"),
    (lambda m, v: (m**2).mean(0) < 0.01, "not how far it is from N\\(0, 1\\)"),
    (lambda m, v: v.mean(0).abs() < 0.1, "stops depending on x"),
    (lambda m, v: m.var(0) < 0.1, "too strict"),
    (lambda m, v: m.var(0) > 0.01, "exactly inverted"),
    (lambda m, v: m.var(1) < 0.01, "one answer per latent dimension"),
    (lambda m, v: torch.tensor([True, True, True, False]), "not collapsed"),
    (lambda m, v: torch.tensor([False, False, True, False]), "textbook collapse"),
])
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_collapse_diagnosis(wrong)
