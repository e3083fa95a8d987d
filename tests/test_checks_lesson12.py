"""Lesson 12's checks: the solutions pass, a stub is 'not done yet', and each named slip gets its hint."""

import pytest

from course_lib.checks import ExerciseError
from course_lib.checks import lesson12 as L


def _stub(*args):
    raise NotImplementedError


def test_solutions_pass_and_stubs_are_not_done(capsys):
    assert L.check_real_time_factor(L.solution_real_time_factor) is True
    assert L.check_pareto_front(L.solution_pareto_front) is True
    assert L.check_real_time_factor(_stub) is False and L.check_pareto_front(_stub) is False
    assert "not implemented yet" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda c, n, r: (n / r) / c, "speed-up"),
    (lambda c, n, r: c / n, "not by the number of samples"),
    (lambda c, n, r: c / (n / 256), "mel frames"),
    (lambda c, n, r: c * n / r, "you multiplied"),
    (lambda c, n, r: 0.5, "RTF = compute seconds"),
])
def test_rtf_slips_are_named(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L.check_real_time_factor(wrong)


def _front(points, dominates):
    return sorted(n for n, p in points.items() if not any(dominates(q, p) for o, q in points.items() if o != n))


@pytest.mark.parametrize("wrong, hint", [
    (lambda pts: _front(pts, lambda q, p: q[0] >= p[0] and q[1] >= p[1] and q != p), "lower-is-better"),
    (lambda pts: sorted(set(pts) - set(L.solution_pareto_front(pts))), "dominated systems"),
    (lambda pts: _front(pts, lambda q, p: q[0] <= p[0] and q[1] <= p[1]), "two equal points"),
    (lambda pts: _front(pts, lambda q, p: q[0] < p[0] and q[1] < p[1]), "strict on both"),
    (lambda pts: [min(pts, key=lambda n: pts[n][1])], "one criterion only"),
    (lambda pts: "A", "return a list"),
])
def test_pareto_slips_are_named(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L.check_pareto_front(wrong)
