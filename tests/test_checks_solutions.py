"""Every exercise's revealable solution passes its own check, and show_solution can display it."""

import pytest

from course_lib.checks import lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08
from course_lib.checks import lesson09
from course_lib.checks import lesson10, lesson11, lesson12, show_solution

PAIRS = [
    (lesson00.check_frame_durations, lesson00.solution_frame_durations),
    (lesson00.check_log_mel, lesson00.reference_log_mel),
    (lesson01.check_discrete_kl, lesson01.discrete_kl),
    (lesson01.check_gaussian_kl, lesson01.solution_gaussian_kl),
    (lesson01.check_kl_standard_normal, lesson01.solution_kl_to_standard_normal),
    (lesson02.check_collapse_diagnosis, lesson02.solution_collapsed_dimensions),
    (lesson03.check_kl_term, lesson03.reference_kl_term),
    (lesson04.check_affine_coupling, lesson04.reference_affine_coupling),
    (lesson05.check_q_sample, lesson05.solution_q_sample),
    (lesson05.check_reverse_step, lesson05.solution_reverse_step),
    (lesson06.check_oscillator, lesson06.solution_oscillator),
    (lesson06.check_fold_by_period, lesson06.solution_fold_by_period),
    (lesson06.check_feature_matching, lesson06.solution_feature_matching),
    (lesson07.check_mas, lesson07.solution_mas),
    (lesson08.check_mle_loss, lesson08.solution_mle_loss),
    (lesson09.check_forward_moments, lesson09.solution_forward_moments),
    (lesson09.check_score_loss, lesson09.solution_score_loss),
    (lesson10.check_ddim_jump, lesson10.solution_ddim_jump),
    (lesson11.check_kl_term, lesson11.solution_kl_term),
    (lesson11.check_prior_log_likelihood, lesson11.solution_prior_log_likelihood),
    (lesson12.check_real_time_factor, lesson12.solution_real_time_factor),
    (lesson12.check_pareto_front, lesson12.solution_pareto_front),
]


@pytest.mark.parametrize("check, solution", PAIRS, ids=[solution.__name__ for _, solution in PAIRS])
def test_solution_passes_its_check_and_can_be_shown(check, solution, capsys):
    assert check(solution) is True
    out = capsys.readouterr().out
    assert "✓" in out and "not implemented" not in out
    shown = show_solution(solution)
    assert f"def {solution.__name__}" in repr(shown)
    assert shown._repr_html_().startswith("<details>")
