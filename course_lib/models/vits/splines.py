"""Monotone rational-quadratic splines with linear tails (Durkan et al. 2019, "Neural Spline Flows").

The elementwise bijection inside VITS' stochastic duration predictor. On ``[-B, B]``
(``tail_bound`` B = 5 in VITS) the map is a spline of ``K`` bins (K = 10): knots
``(x_k, y_k)`` with increasing ``x`` and ``y``, and a positive derivative ``δ_k`` at
every knot. Inside bin ``k``, with ``ξ = (x − x_k)/w_k`` the position in the bin,
``w_k = x_{k+1} − x_k``, ``h_k = y_{k+1} − y_k`` and ``s_k = h_k / w_k`` its slope
(paper eq. 4)::

    g(x) = y_k + h_k [s_k ξ² + δ_k ξ(1 − ξ)] / [s_k + (δ_{k+1} + δ_k − 2 s_k) ξ(1 − ξ)]

and (eq. 5) ``g'(x) = s_k² [δ_{k+1} ξ² + 2 s_k ξ(1 − ξ) + δ_k (1 − ξ)²] / [denominator]²``.
Outside ``[-B, B]`` the map is the identity; the boundary derivatives are 1, so ``g``
and ``g'`` are continuous there ("linear tails"). The inverse solves the quadratic in
``ξ`` that ``g(x) = y`` gives, in the numerically stable root ``2c / (−b − √(b² − 4ac))``.

Glossary, paper → code: ``θ^w, θ^h, θ^d`` → ``unnormalized_widths [..., K]``,
``unnormalized_heights [..., K]``, ``unnormalized_derivatives [..., K − 1]`` (the
interior knots; softmax gives the widths and heights, softplus the derivatives),
``B`` → ``tail_bound``. Minimum bin widths, heights and derivatives (1e-3) keep every
bin invertible.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

MIN_BIN_WIDTH = 1e-3
MIN_BIN_HEIGHT = 1e-3
MIN_DERIVATIVE = 1e-3


def _knots(unnormalized: torch.Tensor, bound: float, minimum: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Bin sizes ``[..., K]`` (each ≥ minimum·2B, summing to 2B) and knot positions ``[..., K + 1]`` from −B to B."""
    n_bins = unnormalized.shape[-1]
    sizes = minimum + (1 - minimum * n_bins) * F.softmax(unnormalized, dim=-1)
    knots = F.pad(torch.cumsum(sizes, dim=-1), (1, 0)) * (2 * bound) - bound
    # pin the ends exactly: cumsum rounding must not leave a gap at ±B
    knots = torch.cat([torch.full_like(knots[..., :1], -bound), knots[..., 1:-1],
                       torch.full_like(knots[..., :1], bound)], dim=-1)
    return knots[..., 1:] - knots[..., :-1], knots


def _gather(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``values [..., N]`` at ``index [...]`` → ``[...]``."""
    return values.gather(-1, index[..., None])[..., 0]


def rational_quadratic_spline(
    inputs: torch.Tensor,
    unnormalized_widths: torch.Tensor,
    unnormalized_heights: torch.Tensor,
    unnormalized_derivatives: torch.Tensor,
    inverse: bool = False,
    tail_bound: float = 5.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Apply the spline (or its inverse) elementwise → ``(outputs, log|dy/dx|)``, both shaped like ``inputs``.

    ``inputs [...]``; ``unnormalized_widths``/``unnormalized_heights`` ``[..., K]``;
    ``unnormalized_derivatives [..., K − 1]``. With ``inverse=True`` the inputs are ``y``
    values and the log-determinant is that of the inverse, ``−log g'(x)``.
    """
    n_bins = unnormalized_widths.shape[-1]
    if unnormalized_heights.shape[-1] != n_bins or unnormalized_derivatives.shape[-1] != n_bins - 1:
        raise ValueError(
            f"a {n_bins}-bin spline needs {n_bins} heights and {n_bins - 1} interior derivatives, got "
            f"{unnormalized_heights.shape[-1]} and {unnormalized_derivatives.shape[-1]}"
        )
    inside = (inputs >= -tail_bound) & (inputs <= tail_bound)
    x = inputs.clamp(-tail_bound, tail_bound)  # outside values are replaced below; clamping keeps them finite

    widths, x_knots = _knots(unnormalized_widths, tail_bound, MIN_BIN_WIDTH)      # [..., K], [..., K + 1]
    heights, y_knots = _knots(unnormalized_heights, tail_bound, MIN_BIN_HEIGHT)
    ones = torch.ones_like(unnormalized_derivatives[..., :1])
    derivatives = torch.cat([ones, MIN_DERIVATIVE + F.softplus(unnormalized_derivatives), ones], dim=-1)  # [..., K + 1]

    # the bin of each input: how many interior knots lie at or below it
    knots = y_knots if inverse else x_knots
    bin_index = (x[..., None] >= knots[..., 1:-1]).sum(dim=-1)  # [...] in 0 … K − 1
    x_k, w_k = _gather(x_knots, bin_index), _gather(widths, bin_index)
    y_k, h_k = _gather(y_knots, bin_index), _gather(heights, bin_index)
    d_k, d_k1 = _gather(derivatives, bin_index), _gather(derivatives, bin_index + 1)
    s_k = h_k / w_k
    curvature = d_k + d_k1 - 2 * s_k

    if inverse:
        # g(x) = y  ⇔  a ξ² + b ξ + c = 0 with these coefficients (paper eqs. 6–8)
        offset = x - y_k
        a = offset * curvature + h_k * (s_k - d_k)
        b = h_k * d_k - offset * curvature
        c = -s_k * offset
        xi = (2 * c) / (-b - torch.sqrt((b.pow(2) - 4 * a * c).clamp_min(0)))
        outputs = x_k + xi * w_k
    else:
        xi = (x - x_k) / w_k
        outputs = y_k + h_k * (s_k * xi.pow(2) + d_k * xi * (1 - xi)) / (s_k + curvature * xi * (1 - xi))
    one_minus = 1 - xi
    denominator = s_k + curvature * xi * one_minus
    log_derivative = (torch.log(s_k.pow(2) * (d_k1 * xi.pow(2) + 2 * s_k * xi * one_minus + d_k * one_minus.pow(2)))
                      - 2 * torch.log(denominator))
    log_det = -log_derivative if inverse else log_derivative
    return torch.where(inside, outputs, inputs), torch.where(inside, log_det, torch.zeros_like(log_det))
