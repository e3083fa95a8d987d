"""Lesson 07 check: the MAS exercise."""

import numpy as np
import pytest

from course_lib.alignment import maximum_path_reference
from course_lib.checks import ExerciseError
from course_lib.checks.lesson07 import brute_force_path, check_mas


def solution(log_likelihood):
    t_text, t_mel = log_likelihood.shape
    return maximum_path_reference(log_likelihood[None], [t_text], [t_mel])[0]


def test_solution_passes(capsys):
    assert check_mas(solution)
    assert capsys.readouterr().out.count("✓") == 2


def test_brute_force_agrees_with_library():
    values = np.random.default_rng(1).standard_normal((4, 9)).astype(np.float32)
    np.testing.assert_array_equal(brute_force_path(values), solution(values))


def test_stub_is_not_done_yet(capsys):
    def stub(log_likelihood):
        raise NotImplementedError

    assert check_mas(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


def _greedy(log_likelihood):
    """Each frame to its best token: not monotonic."""
    path = np.zeros_like(log_likelihood)
    path[log_likelihood.argmax(0), np.arange(log_likelihood.shape[1])] = 1
    return path


def _uniform(log_likelihood):
    """Equal durations: valid but not the best path."""
    t_text, t_mel = log_likelihood.shape
    path = np.zeros_like(log_likelihood)
    path[np.minimum(np.arange(t_mel) * t_text // t_mel, t_text - 1), np.arange(t_mel)] = 1
    return path


@pytest.mark.parametrize("wrong, hint", [
    (_greedy, "monotonic"),
    (_uniform, "max\\(Q"),
    (lambda ll: np.zeros_like(ll), "exactly one"),
    (lambda ll: ll.T, "shape"),
])
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_mas(wrong)


def test_training_uses_a_passing_mas_and_falls_back_otherwise(capsys):
    from course_lib.checks.lesson07 import mas_for_training, solution_mas

    def stub(log_likelihood):
        raise NotImplementedError

    def diagonal(log_likelihood):  # every frame on token 0: not a valid alignment
        path = np.zeros(np.shape(log_likelihood), dtype=np.int32)
        path[0] = 1
        return path

    def mine(log_likelihood):
        return solution_mas(log_likelihood)

    fn, why = mas_for_training(mine)
    assert fn is mine and "your mas" in why
    fn, why = mas_for_training(stub)
    assert fn is solution_mas and "not written yet" in why
    fn, why = mas_for_training(diagonal)
    assert fn is solution_mas and "does not pass" in why and "monotonic" in why
    assert capsys.readouterr().out == ""  # the check runs quietly
