"""The rational-quadratic spline with linear tails: a monotone bijection with an exact log-determinant."""

import pytest
import torch

from course_lib.models.vits.splines import rational_quadratic_spline

torch.set_num_threads(1)
BOUND = 5.0


def _params(n: int, bins: int = 10, seed: int = 0, spread: float = 2.0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randn(n, bins, generator=gen) * spread, torch.randn(n, bins, generator=gen) * spread,
            torch.randn(n, bins - 1, generator=gen) * spread)


def test_inverse_undoes_forward_and_log_dets_cancel():
    x = torch.linspace(-7.0, 7.0, 401, dtype=torch.float64)
    widths, heights, derivatives = (p.double() for p in _params(x.numel()))
    y, log_det = rational_quadratic_spline(x, widths, heights, derivatives, tail_bound=BOUND)
    x_back, log_det_inverse = rational_quadratic_spline(y, widths, heights, derivatives, inverse=True,
                                                        tail_bound=BOUND)
    torch.testing.assert_close(x_back, x, atol=1e-9, rtol=0)
    torch.testing.assert_close(log_det_inverse, -log_det, atol=1e-9, rtol=0)


def test_log_det_is_the_log_of_the_autograd_derivative():
    x = torch.linspace(-4.99, 4.99, 300, dtype=torch.float64, requires_grad=True)
    widths, heights, derivatives = (p.double() for p in _params(x.numel(), seed=1))
    y, log_det = rational_quadratic_spline(x, widths, heights, derivatives, tail_bound=BOUND)
    (slope,) = torch.autograd.grad(y.sum(), x)  # elementwise map: the Jacobian is diagonal
    torch.testing.assert_close(log_det, torch.log(slope), atol=1e-8, rtol=0)


def test_monotone_and_maps_the_interval_onto_itself():
    x = torch.linspace(-BOUND, BOUND, 2001)
    widths, heights, derivatives = (p[:1].expand(x.numel(), -1) for p in _params(1, seed=2, spread=3.0))
    y, log_det = rational_quadratic_spline(x, widths, heights, derivatives, tail_bound=BOUND)
    assert torch.all(y[1:] > y[:-1])
    assert torch.all(torch.isfinite(log_det))
    torch.testing.assert_close(y[[0, -1]], torch.tensor([-BOUND, BOUND]), atol=1e-5, rtol=0)


@pytest.mark.parametrize("inverse", [False, True])
def test_identity_outside_the_tail_bound(inverse):
    x = torch.tensor([-100.0, -5.001, 5.001, 37.0])
    y, log_det = rational_quadratic_spline(x, *_params(4, seed=3), inverse=inverse, tail_bound=BOUND)
    assert torch.equal(y, x) and torch.equal(log_det, torch.zeros(4))


def test_continuous_with_unit_slope_at_the_tail_bound():
    """Boundary derivatives are 1 (linear tails): inside, the gap to the identity shrinks as δ², not δ."""
    widths, heights, derivatives = (p[:1].expand(2, -1).double() for p in _params(1, seed=4))

    def gap(delta: float) -> torch.Tensor:
        x = torch.tensor([BOUND - delta, -BOUND + delta], dtype=torch.float64)
        y, log_det = rational_quadratic_spline(x, widths, heights, derivatives, tail_bound=BOUND)
        return (y - x).abs(), log_det.abs()

    (gap_big, log_det_big), (gap_small, log_det_small) = gap(1e-4), gap(1e-5)
    assert torch.all(gap_small < gap_big / 50)  # ×1/100 for δ², ×1/10 if the slope jumped
    assert torch.all(log_det_small < log_det_big / 5)  # log-slope → 0 linearly in δ


def test_batched_shapes_and_wrong_parameter_count():
    x = torch.randn(2, 1, 7)
    widths, heights, derivatives = (p.reshape(2, 1, 7, -1) for p in _params(14))
    y, log_det = rational_quadratic_spline(x, widths, heights, derivatives)
    assert y.shape == log_det.shape == x.shape
    with pytest.raises(ValueError, match="interior derivatives"):
        rational_quadratic_spline(x, widths, heights, torch.zeros(2, 1, 7, 10))
