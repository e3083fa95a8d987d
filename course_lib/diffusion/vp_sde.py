"""Continuous-time diffusion with a data-dependent terminal mean (Grad-TTS, Popov et al. 2021).

The forward SDE (Grad-TTS eq. 1, with Σ = I) drifts every mel toward the encoder's
prior mean ``μ`` instead of toward zero::

    dX_t = ½ (μ − X_t) β(t) dt + √β(t) dW_t,        t ∈ [0, 1]

Glossary (paper symbol → code):

* ``β_t = β₀ + (β₁ − β₀) t`` → :meth:`NoiseSchedule.beta` (β₀ = 0.05, β₁ = 20);
* ``∫₀ᵗ β_s ds`` → :meth:`NoiseSchedule.integral`;
* ``s_θ(x_t, μ, t)`` → ``score`` (the network's estimate of ``∇ log p_t(x_t)``);
* ``λ_t = 1 − e^{−∫β}`` → the variance of ``X_t | X_0`` and the loss weight.

Because the SDE is linear, ``X_t | X_0`` is Gaussian in closed form (eq. 4–5):
mean ``x₀ e^{−½∫β} + μ (1 − e^{−½∫β})``, variance ``1 − e^{−∫β}`` (per element).
At t = 1 the mean is ≈ μ and the variance ≈ 1, so sampling starts from
``N(μ, I)`` — scaled by a temperature: ``μ + ε / τ``.

The solvers call ``score_fn(x_t, t)`` with ``x_t [B, ...]`` and ``t [B]`` and never
own a network. Grad-TTS's solver is Euler with N steps evaluated at
``t_i = 1 − (i + ½)/N``, step ``h = 1/N``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from course_lib.diffusion.common import (
    SampleResult,
    broadcast_per_item,
    ensure_finite,
    validate_n_steps,
    validate_temperature,
)
from course_lib.distributions import gaussian_like

ScoreFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class NoiseSchedule:
    """Linear ``β(t) = beta_min + (beta_max − beta_min) t`` on t ∈ [0, 1] (Grad-TTS §3, §4)."""

    beta_min: float = 0.05
    beta_max: float = 20.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.beta_min <= self.beta_max:
            raise ValueError(f"need 0 <= beta_min <= beta_max, got {self.beta_min}, {self.beta_max}")

    def beta(self, t: torch.Tensor) -> torch.Tensor:
        """``β(t)`` elementwise."""
        return self.beta_min + (self.beta_max - self.beta_min) * t

    def integral(self, t: torch.Tensor) -> torch.Tensor:
        """``∫₀ᵗ β(s) ds = β₀ t + ½ (β₁ − β₀) t²`` elementwise."""
        return self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t**2


@dataclass(frozen=True)
class ForwardMoments:
    """Mean and variance of ``X_t | X_0`` (variance broadcasts against the mean)."""

    mean: torch.Tensor
    variance: torch.Tensor


def forward_moments(x0: torch.Tensor, mu: torch.Tensor, t: torch.Tensor, schedule: NoiseSchedule) -> ForwardMoments:
    """Closed-form moments of ``X_t | X_0 = x0`` (Grad-TTS eq. 4–5, Σ = I).

    ``x0``, ``mu``: ``[B, ...]``; ``t``: ``[B]``. Mean ``[B, ...]``,
    variance ``[B, 1, ...]``.
    """
    integral = broadcast_per_item(schedule.integral(t), x0)
    decay = torch.exp(-0.5 * integral)  # e^{-½∫β}: how much of x0 is left
    mean = x0 * decay + mu * (1.0 - decay)
    variance = 1.0 - torch.exp(-integral)
    return ForwardMoments(mean=mean, variance=variance)


def forward_sample(
    x0: torch.Tensor, mu: torch.Tensor, t: torch.Tensor, noise: torch.Tensor, schedule: NoiseSchedule
) -> torch.Tensor:
    """``x_t = mean + √variance · ε`` for given noise ``ε`` (reparameterised forward draw)."""
    moments = forward_moments(x0, mu, t, schedule)
    return moments.mean + moments.variance.sqrt() * noise


def sample_times(
    batch_size: int, generator: torch.Generator | None = None, device: torch.device | str = "cpu", offset: float = 1e-5
) -> torch.Tensor:
    """``[B]`` training times ``t ~ U(offset, 1 − offset)`` (Grad-TTS keeps t away from 0,
    where λ_t → 0 and the score target ``−ε/√λ_t`` blows up)."""
    gen_device = generator.device if generator is not None else device
    t = torch.rand(batch_size, generator=generator, device=gen_device).to(device)
    return t.clamp(offset, 1.0 - offset)


def score_matching_loss(
    score: torch.Tensor,
    noise: torch.Tensor,
    t: torch.Tensor,
    schedule: NoiseSchedule,
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """λ_t-weighted denoising score matching (Grad-TTS eq. 7 with λ_t = 1 − e^{−∫β}).

    The score of ``X_t | X_0`` at ``x_t = mean + √λ_t ε`` is ``−ε / √λ_t``, so
    ``λ_t ‖s_θ + ε/√λ_t‖² = ‖√λ_t s_θ + ε‖²``: a noise-prediction MSE in which
    ``−√λ_t s_θ`` plays the role of ``ε_θ``. The weight makes every t contribute
    on the same scale. Averaged over real elements (``mask [B, 1, T]``).
    """
    variance = broadcast_per_item(1.0 - torch.exp(-schedule.integral(t)), score)
    squared = (score * variance.sqrt() + noise) ** 2
    if mask is None:
        return squared.mean()
    expanded = mask.expand_as(squared)
    return (squared * expanded).sum() / expanded.sum().clamp_min(1.0)


def reverse_ode_step(
    x_t: torch.Tensor, mu: torch.Tensor, score: torch.Tensor, beta_t: torch.Tensor, h: float
) -> torch.Tensor:
    """One Euler step back in time of the probability-flow ODE (Grad-TTS eq. 8).

    ``dX = ½ (μ − X − s_θ) β(t) dt``, integrated from t to t − h:
    ``x_{t−h} = x_t − ½ (μ − x_t − s_θ) β(t) h``.
    """
    return x_t - 0.5 * (mu - x_t - score) * beta_t * h


def reverse_sde_step(
    x_t: torch.Tensor,
    mu: torch.Tensor,
    score: torch.Tensor,
    beta_t: torch.Tensor,
    h: float,
    noise: torch.Tensor,
) -> torch.Tensor:
    """One Euler–Maruyama step back of the reverse-time SDE (Grad-TTS eq. 6).

    ``dX = (½ (μ − X) − s_θ) β(t) dt + √β(t) dW̃``, run from t to t − h:
    ``x_{t−h} = x_t − (½ (μ − x_t) − s_θ) β(t) h + √(β(t) h) ε``.
    """
    return x_t - (0.5 * (mu - x_t) - score) * beta_t * h + (beta_t * h).sqrt() * noise


def reverse_times(n_steps: int) -> list[float]:
    """Grad-TTS's evaluation times ``t_i = 1 − (i + ½)/N`` for i = 0 … N−1."""
    validate_n_steps(n_steps)
    return [1.0 - (i + 0.5) / n_steps for i in range(n_steps)]


def prior_start(
    mu: torch.Tensor, temperature: float = 1.5, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Start of the reverse process, ``x_1 = μ + ε / τ`` (Grad-TTS §4, τ = 1.5)."""
    temperature = validate_temperature(temperature)
    return mu + gaussian_like(mu, generator) / temperature


@torch.no_grad()
def solve_reverse(
    score_fn: ScoreFunction,
    x_start: torch.Tensor,
    mu: torch.Tensor,
    n_steps: int,
    schedule: NoiseSchedule = NoiseSchedule(),
    stochastic: bool = False,
    generator: torch.Generator | None = None,
    mask: torch.Tensor | None = None,
    return_trajectory: bool = False,
) -> SampleResult:
    """Integrate from t = 1 to t = 0 in ``n_steps`` Euler steps (ODE, or SDE if ``stochastic``).

    ``x_start``, ``mu``: ``[B, ...]`` (see :func:`prior_start`); ``mask`` broadcasts
    against them and zeroes padding after every step. Raises ValueError for
    ``n_steps <= 0`` and :class:`~course_lib.diffusion.common.NonFiniteEstimateError`
    when the network returns NaN/inf.
    """
    times = reverse_times(n_steps)
    h = 1.0 / n_steps
    x = x_start if mask is None else x_start * mask
    trajectory = [x] if return_trajectory else []
    for i, time in enumerate(times):
        t = torch.full((x.shape[0],), time, dtype=x.dtype, device=x.device)
        beta_t = schedule.beta(broadcast_per_item(t, x))
        score = ensure_finite(score_fn(x, t), step=i, time=time)
        if stochastic:
            x = reverse_sde_step(x, mu, score, beta_t, h, gaussian_like(x, generator))
        else:
            x = reverse_ode_step(x, mu, score, beta_t, h)
        if mask is not None:
            x = x * mask
        if return_trajectory:
            trajectory.append(x)
    return SampleResult(sample=x, trajectory=trajectory, times=times)


def gaussian_score(
    x_t: torch.Tensor, t: torch.Tensor, data_mean: torch.Tensor, data_cov: torch.Tensor,
    mu: torch.Tensor, schedule: NoiseSchedule,
) -> torch.Tensor:
    """The exact score ``∇ log p_t(x_t)`` when the data are ``N(data_mean, data_cov)``.

    For checking solvers and for lessons: with Gaussian data, ``X_t`` stays
    Gaussian with mean ``m e^{−½∫β} + μ (1 − e^{−½∫β})`` and covariance
    ``e^{−∫β} Σ₀ + (1 − e^{−∫β}) I``, so the score is ``−Σ_t⁻¹ (x − m_t)``.
    Shapes: ``x_t [B, D]``, ``t [B]``, ``data_mean [D]``, ``data_cov [D, D]``,
    ``mu [D]`` or ``[B, D]``.
    """
    integral = schedule.integral(t)[:, None, None]  # [B, 1, 1]
    decay = torch.exp(-0.5 * integral[:, :, 0])  # [B, 1]
    mean_t = data_mean * decay + mu * (1.0 - decay)  # [B, D]
    eye = torch.eye(data_cov.shape[0], dtype=x_t.dtype, device=x_t.device)
    cov_t = torch.exp(-integral) * data_cov + (1.0 - torch.exp(-integral)) * eye  # [B, D, D]
    return -torch.linalg.solve(cov_t, (x_t - mean_t).unsqueeze(-1)).squeeze(-1)
