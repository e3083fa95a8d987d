"""Discrete denoising diffusion (DDPM, Ho, Jain & Abbeel 2020) as pure functions.

Glossary (paper symbol → code):

* ``β_t`` → ``betas[i]``, the variance added at forward step ``t``;
* ``α_t = 1 − β_t`` and ``ᾱ_t = ∏_{s≤t} α_s`` → ``alpha_bar[i]``;
* ``ε`` → ``noise``; ``ε_θ(x_t, t)`` → ``predicted_noise`` (what the network outputs).

Indexing: the paper counts steps ``t = 1 … T``; tensors here are 0-based, so
index ``i`` is the paper's ``t = i + 1``, and "before step 0" means ``ᾱ = 1``
(clean data). The network is fed the 0-based index.

The samplers never see a network: they call ``predict_noise(x_t, step_index)``
with ``x_t [B, ...]`` and ``step_index [B]`` (long) and get ``ε_θ`` back.
"""

from __future__ import annotations

from typing import Callable, Literal, Sequence

import torch

from course_lib.diffusion.common import (
    SampleResult,
    broadcast_per_item,
    ensure_finite,
)
from course_lib.distributions import gaussian_like
from course_lib.nn.masks import masked_mean

NoisePredictor = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Variance = Literal["posterior", "beta"]
Method = Literal["ancestral", "ddim"]


def linear_betas(n_steps: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> torch.Tensor:
    """``[T]`` betas rising linearly (Ho et al. 2020, §4: 1e-4 → 0.02 over T = 1000).

    Kept in float64: ``ᾱ`` is a product of up to a thousand factors close to 1,
    and float32 loses the last ones. Diff-TTS uses the same linear shape with
    T = 400; its exact end point is not in the stored sources, see
    :mod:`course_lib.models.diff_tts`.
    """
    if n_steps < 1:
        raise ValueError(f"a schedule needs at least one step, got n_steps={n_steps}")
    if not 0.0 < beta_start <= beta_end < 1.0:
        raise ValueError(
            f"need 0 < beta_start <= beta_end < 1, got beta_start={beta_start}, beta_end={beta_end}"
        )
    return torch.linspace(beta_start, beta_end, n_steps, dtype=torch.float64)


def alpha_bar(betas: torch.Tensor) -> torch.Tensor:
    """``ᾱ_t = ∏_{s≤t} (1 − β_s)`` for every step, ``[T]`` (notation above eq. 4)."""
    return torch.cumprod(1.0 - betas.to(torch.float64), dim=0)


def q_sample(x0: torch.Tensor, noise: torch.Tensor, alpha_bar_t: torch.Tensor | float) -> torch.Tensor:
    """Draw ``x_t ~ q(x_t | x_0)`` by reparameterisation (eq. 4, Ho et al. 2020).

    ``x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε``. ``alpha_bar_t`` is a number or a tensor
    that broadcasts against ``x0`` (e.g. ``[B, 1, 1]``); ``ᾱ = 1`` returns ``x0``.
    """
    alpha_bar_t = torch.as_tensor(alpha_bar_t, dtype=x0.dtype, device=x0.device)
    return alpha_bar_t.sqrt() * x0 + (1.0 - alpha_bar_t).sqrt() * noise


def epsilon_loss(
    predicted_noise: torch.Tensor, noise: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """``L_simple`` (eq. 14): mean squared error between ``ε_θ`` and the true ``ε``.

    Why an MSE: the reverse-step KL between two Gaussians with fixed variance is a
    squared distance of their means, and with the ε-parameterisation (eq. 11) that
    distance is a weighted ``‖ε − ε_θ‖²``; Ho et al. drop the weight. ``mask``
    (``[B, 1, T]``) averages over real frames only.
    """
    squared = (predicted_noise - noise) ** 2
    return masked_mean(squared, mask) if mask is not None else squared.mean()


def sample_steps(batch_size: int, n_steps: int, generator: torch.Generator | None = None,
                 device: torch.device | str = "cpu") -> torch.Tensor:
    """``[B]`` training step indices drawn uniformly from ``0 … T−1`` (Algorithm 1, line 3)."""
    gen_device = generator.device if generator is not None else device
    return torch.randint(0, n_steps, (batch_size,), generator=generator, device=gen_device).to(device)


def accelerated_timesteps(n_steps: int, gamma: int) -> list[int]:
    """The sub-sequence of step indices visited with skip factor ``γ``: ``T−1, T−1−γ, …, 0``.

    The walk must start at the noisiest step (``T−1``) and end exactly at the
    cleanest (``0``), so ``γ`` has to divide ``T − 1``. For Diff-TTS's T = 400
    that allows γ ∈ {1, 3, 7, 19, 21, 57, 133, 399}; its demo's γ = 7, 21, 57
    give 58, 20 and 8 steps. Any other γ raises a ValueError listing valid ones.
    """
    if isinstance(gamma, bool) or not isinstance(gamma, int) or gamma < 1:
        raise ValueError(f"skip factor gamma must be a positive integer, got {gamma!r}")
    if n_steps < 1:
        raise ValueError(f"a schedule needs at least one step, got n_steps={n_steps}")
    last = n_steps - 1
    if gamma > 1 and (gamma > last or last % gamma != 0):
        valid = [g for g in range(1, last + 1) if last % g == 0]
        raise ValueError(
            f"gamma={gamma} does not fit a {n_steps}-step schedule: the steps "
            f"{last}, {last}-gamma, ... must end exactly at step 0, so gamma must divide "
            f"T-1 = {last}. Valid choices: {valid}"
        )
    return list(range(last, -1, -gamma))


def ancestral_step(
    x_t: torch.Tensor,
    predicted_noise: torch.Tensor,
    alpha_bar_t: torch.Tensor,
    alpha_bar_prev: torch.Tensor,
    noise: torch.Tensor | None,
    variance: Variance = "posterior",
    x0_range: tuple[float, float] | None = None,
) -> torch.Tensor:
    """One reverse step ``x_t → x_{t_prev}`` (Algorithm 2, line 4, Ho et al. 2020).

    Written with the two ``ᾱ`` values only, so it also steps between
    non-adjacent steps of an accelerated sub-sequence: ``α = ᾱ_t / ᾱ_prev`` and
    ``β = 1 − α`` are the one-jump forward process between them.

    * mean (eq. 11): ``(x_t − β / √(1 − ᾱ_t) · ε_θ) / √α``;
    * variance: ``"posterior"`` → ``β̃ = (1 − ᾱ_prev)/(1 − ᾱ_t) · β`` (eq. 7),
      ``"beta"`` → ``β`` (the paper found both work, §3.2);
    * ``noise=None`` adds no noise (the final step to ``x_0``, ``z = 0`` in Algorithm 2);
    * ``x0_range=(lo, hi)``: clip the implied ``x̂_0 = (x_t − √(1−ᾱ_t) ε_θ)/√ᾱ_t`` to the
      data range and use the posterior mean of eq. 7 with it — what the DDPM reference
      code does ("clip_denoised"). Without clipping, a network that under-predicts the
      noise lets the walk grow by up to ``1/√ᾱ_T``; with it the result stays in range.

    ``alpha_bar_t``/``alpha_bar_prev`` broadcast against ``x_t``.
    """
    alpha_t = alpha_bar_t / alpha_bar_prev
    beta_t = 1.0 - alpha_t
    if x0_range is None:
        mean = (x_t - beta_t / (1.0 - alpha_bar_t).sqrt() * predicted_noise) / alpha_t.sqrt()
    else:
        x0 = ((x_t - (1.0 - alpha_bar_t).sqrt() * predicted_noise) / alpha_bar_t.sqrt()).clamp(*x0_range)
        mean = (alpha_bar_prev.sqrt() * beta_t * x0 + alpha_t.sqrt() * (1.0 - alpha_bar_prev) * x_t) / (1.0 - alpha_bar_t)
    if noise is None:
        return mean
    if variance == "posterior":
        var = (1.0 - alpha_bar_prev) / (1.0 - alpha_bar_t) * beta_t
    elif variance == "beta":
        var = beta_t
    else:
        raise ValueError(f"unknown variance {variance!r}: choose 'posterior' or 'beta'")
    return mean + var.sqrt() * noise


def ddim_step(
    x_t: torch.Tensor,
    predicted_noise: torch.Tensor,
    alpha_bar_t: torch.Tensor,
    alpha_bar_prev: torch.Tensor,
    eta: float,
    noise: torch.Tensor | None,
    x0_range: tuple[float, float] | None = None,
) -> torch.Tensor:
    """One DDIM step ``x_t → x_prev`` (Song, Meng & Ermon 2021, eq. 12 with σ from eq. 16).

    ``x̂_0 = (x_t − √(1−ᾱ_t) ε_θ)/√ᾱ_t``, then
    ``x_prev = √ᾱ_prev x̂_0 + √(1 − ᾱ_prev − σ²) ε_θ + σ z`` with
    ``σ = η √((1−ᾱ_prev)/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev)``. ``η = 1`` is the DDPM
    posterior step in another form; ``η = 0`` is deterministic and keeps more of
    the data's spread when the walk skips many steps. ``noise=None`` → ``z = 0``.
    ``x0_range`` clips ``x̂_0`` (and re-derives the noise from the clipped value).
    """
    if eta < 0:
        raise ValueError(f"eta must be >= 0 (0 = deterministic DDIM, 1 = DDPM-like), got {eta}")
    x0_estimate = (x_t - (1.0 - alpha_bar_t).sqrt() * predicted_noise) / alpha_bar_t.sqrt()
    if x0_range is not None:
        x0_estimate = x0_estimate.clamp(*x0_range)
        predicted_noise = (x_t - alpha_bar_t.sqrt() * x0_estimate) / (1.0 - alpha_bar_t).sqrt()
    sigma = eta * ((1.0 - alpha_bar_prev) / (1.0 - alpha_bar_t) * (1.0 - alpha_bar_t / alpha_bar_prev)).sqrt()
    direction = (1.0 - alpha_bar_prev - sigma**2).clamp_min(0.0).sqrt() * predicted_noise
    x_prev = alpha_bar_prev.sqrt() * x0_estimate + direction
    return x_prev if noise is None or eta == 0 else x_prev + sigma * noise


@torch.no_grad()
def ddpm_sample(
    predict_noise: NoisePredictor,
    x_start: torch.Tensor,
    alpha_bars: torch.Tensor,
    timesteps: Sequence[int] | None = None,
    method: Method = "ancestral",
    variance: Variance = "posterior",
    eta: float = 0.0,
    generator: torch.Generator | None = None,
    mask: torch.Tensor | None = None,
    return_trajectory: bool = False,
    x0_range: tuple[float, float] | None = None,
) -> SampleResult:
    """Reverse process from ``x_start ~ N(0, I)`` down to ``x_0``.

    ``alpha_bars [T]`` is the full schedule. ``timesteps`` (descending indices)
    is the walk: every step by default, or :func:`accelerated_timesteps` for the
    skip-γ walk. ``method="ancestral"`` uses :func:`ancestral_step` (Algorithm 2,
    with ``variance``); ``"ddim"`` uses :func:`ddim_step` (with ``eta``).
    ``mask`` (broadcasting against ``x_start``) zeroes padding after each step;
    ``x0_range`` clips each step's ``x̂_0`` to the data range (see :func:`ancestral_step`).
    Raises :class:`~course_lib.diffusion.common.NonFiniteEstimateError` if the
    network returns NaN/inf.
    """
    if method not in ("ancestral", "ddim"):
        raise ValueError(f"unknown sampling method {method!r}: choose 'ancestral' or 'ddim'")
    n_steps = alpha_bars.shape[0]
    walk = list(range(n_steps - 1, -1, -1)) if timesteps is None else [int(t) for t in timesteps]
    if not walk or any(b >= a for a, b in zip(walk, walk[1:])) or walk[0] >= n_steps or walk[-1] < 0:
        raise ValueError(f"timesteps must be strictly decreasing indices in [0, {n_steps - 1}], got {walk}")
    schedule = alpha_bars.detach().to("cpu", torch.float64)  # float64 on the CPU: MPS has no float64
    one = torch.ones((), dtype=torch.float64)
    x = x_start if mask is None else x_start * mask
    trajectory = [x] if return_trajectory else []
    batch = x_start.shape[0]
    for k, t in enumerate(walk):
        prev = walk[k + 1] if k + 1 < len(walk) else -1
        step_index = torch.full((batch,), t, dtype=torch.long, device=x.device)
        predicted = ensure_finite(predict_noise(x, step_index), step=k, time=float(t))
        alpha_bar_t = schedule[t].to(x)
        alpha_bar_prev = (schedule[prev] if prev >= 0 else one).to(x)
        noise = gaussian_like(x, generator) if prev >= 0 and (method == "ancestral" or eta > 0) else None
        if method == "ancestral":
            x = ancestral_step(x, predicted, alpha_bar_t, alpha_bar_prev, noise, variance, x0_range)
        else:
            x = ddim_step(x, predicted, alpha_bar_t, alpha_bar_prev, eta, noise, x0_range)
        if mask is not None:
            x = x * mask
        if return_trajectory:
            trajectory.append(x)
    return SampleResult(sample=x, trajectory=trajectory, times=[float(t) for t in walk])


def accelerated_sample(
    predict_noise: NoisePredictor,
    x_start: torch.Tensor,
    alpha_bars: torch.Tensor,
    gamma: int,
    method: Method = "ancestral",
    variance: Variance = "posterior",
    eta: float = 0.0,
    generator: torch.Generator | None = None,
    mask: torch.Tensor | None = None,
    return_trajectory: bool = False,
    x0_range: tuple[float, float] | None = None,
) -> SampleResult:
    """:func:`ddpm_sample` on the skip-γ walk of :func:`accelerated_timesteps`.

    Each jump uses the exact one-jump forward process between the visited steps
    (``β = 1 − ᾱ_t/ᾱ_prev``), the "respacing" that keeps the network's training
    step indices valid. γ = 1 is the full sampler. With few steps the ancestral
    walk under-disperses (each jump conditions on a point estimate of ``x_0``);
    ``method="ddim", eta=0`` loses less of the spread.
    """
    walk = accelerated_timesteps(alpha_bars.shape[0], gamma)
    return ddpm_sample(predict_noise, x_start, alpha_bars, walk, method, variance, eta, generator, mask,
                       return_trajectory, x0_range)


def per_item_alpha_bar(alpha_bars: torch.Tensor, step_index: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Gather ``ᾱ`` at each item's step index: ``[B]`` → ``[B, 1, …]`` in ``like``'s dtype."""
    return broadcast_per_item(alpha_bars.to(step_index.device)[step_index], like)
