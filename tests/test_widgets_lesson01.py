"""Lesson 01 widget: the pure view and the slider UI, driven headless."""

import math

import pytest

from course_lib.widgets import lesson01 as W


def test_kl_view_matches_known_values():
    view = W.kl_view(0.0, 1.0, 0.0, 2.0, n_samples=4000, seed=0)
    assert view.kl_qp == pytest.approx(math.log(2) + 0.125 - 0.5)
    assert view.kl_pq == pytest.approx(-math.log(2) + 2 - 0.5)
    assert abs(view.monte_carlo_kl_qp - view.kl_qp) < 4.5 * view.monte_carlo_std_err
    # densities integrate to one on the grid
    dx = view.x[1] - view.x[0]
    assert view.density_q.sum() * dx == pytest.approx(1.0, abs=1e-3)
    assert view.density_p.sum() * dx == pytest.approx(1.0, abs=1e-3)


def test_same_distribution_gives_zero_and_seed_changes_only_the_estimate():
    view = W.kl_view(0.3, 0.7, 0.3, 0.7)
    assert view.kl_qp == pytest.approx(0.0) and view.kl_pq == pytest.approx(0.0)
    a, b = W.kl_view(0, 1, 1, 2, seed=1), W.kl_view(0, 1, 1, 2, seed=2)
    assert a.kl_qp == b.kl_qp and a.monte_carlo_kl_qp != b.monte_carlo_kl_qp


@pytest.mark.parametrize("std", [0.0, -1.0, float("nan")])
def test_bad_sigma_raises(std):
    with pytest.raises(ValueError, match="σ_q"):
        W.kl_view(0.0, std, 0.0, 1.0)


def test_ui_redraws_on_slider_change():
    explorer = W.kl_explorer()
    first = explorer.view
    assert explorer.error is None
    (figure,) = explorer.output.outputs
    assert figure["data"]["image/png"]
    explorer.mean_q.value = 3.0
    assert explorer.view.kl_qp != first.kl_qp
    explorer.mean_q.value = explorer.mean_p.value
    explorer.std_q.value = explorer.std_p.value
    assert explorer.view.kl_qp == pytest.approx(0.0)
