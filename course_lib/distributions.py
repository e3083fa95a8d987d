"""Diagonal Gaussians: sampling, log-density and KL divergence.

Every latent-variable model in the course (the VAE of lesson 02, the conditional
VAE of lesson 03, Glow-TTS, Grad-TTS and VITS) describes a distribution over a
latent tensor by a mean and a *log standard deviation* of the same shape. The
functions here are elementwise: they return a tensor with the parameters' shape
and leave the reduction (sum over channels, masked mean over frames) to the
caller, so padding is handled in exactly one place (``course_lib.nn.masks``).

Glossary (paper symbol → argument name):

* ``μ``        → ``mean``
* ``log σ``    → ``log_std``  (what VITS calls ``logs``)
* ``log σ²``   → ``log_var``  (what the classic VAE encoder outputs); ``log_var = 2·log_std``
* ``q``, ``p`` → ``*_q`` posterior, ``*_p`` prior
* ``τ``        → ``temperature`` (VITS' ``noise_scale``)

Shapes: any shape works; in the models it is ``[B, C, T]`` (batch, latent
channels, frames) with masks ``[B, 1, T]``.
"""

from __future__ import annotations

import math

import torch

from course_lib.nn.masks import masked_sum

LOG_2PI = math.log(2.0 * math.pi)


# ---------------------------------------------------------------- validation
def _check_params(mean: torch.Tensor, spread: torch.Tensor, mean_name: str, spread_name: str) -> None:
    """A mean and its log-σ/log-σ² must have one shape and hold finite numbers."""
    if mean.shape != spread.shape:
        raise ValueError(
            f"{mean_name} has shape {tuple(mean.shape)} but {spread_name} has shape "
            f"{tuple(spread.shape)}: a diagonal Gaussian needs one {spread_name} per mean entry "
            f"(expand the smaller one explicitly, e.g. `{spread_name}.expand_as({mean_name})`)"
        )
    if torch.isnan(spread).any():
        raise ValueError(
            f"{spread_name} contains NaN: σ is undefined. Check the layer that predicts it "
            f"(exploding activations, a log of a negative number) or lower the learning rate"
        )
    if torch.isinf(spread).any():
        raise ValueError(
            f"{spread_name} contains ±inf (σ = 0 or σ = ∞): clamp it, e.g. `{spread_name}.clamp(-10, 10)`"
        )
    if torch.isnan(mean).any():
        raise ValueError(f"{mean_name} contains NaN: check the layer that predicts it")


def _check_same_shape(a: torch.Tensor, b: torch.Tensor, a_name: str, b_name: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} has shape {tuple(a.shape)} but {b_name} has shape {tuple(b.shape)}: "
            f"the two distributions must describe the same latent tensor"
        )


def _check_broadcast(x: torch.Tensor, mean: torch.Tensor, x_name: str) -> None:
    try:
        torch.broadcast_shapes(x.shape, mean.shape)
    except RuntimeError as err:
        raise ValueError(
            f"{x_name} of shape {tuple(x.shape)} cannot be evaluated under a Gaussian of shape "
            f"{tuple(mean.shape)} (the shapes do not broadcast)"
        ) from err


# ---------------------------------------------------------------- sampling
def reparameterize(
    mean: torch.Tensor,
    log_std: torch.Tensor,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Sample ``z = μ + τ·σ·ε`` with ``ε ~ N(0, I)``: the reparameterization trick.

    The randomness lives in ``ε``, which does not depend on the parameters, so
    gradients flow through ``μ`` and ``σ`` (Kingma & Welling 2014, sec. 2.4).
    ``temperature`` τ scales the noise (VITS' ``noise_scale``; τ = 0 returns the
    mean). ``generator`` makes the draw reproducible, on whatever device it lives
    (:func:`gaussian_like`). Returns a tensor shaped like ``mean``.
    """
    temperature = float(temperature)
    if not temperature >= 0.0:  # also catches NaN
        raise ValueError(f"temperature must be ≥ 0 (0 gives the mean), got {temperature}")
    _check_params(mean, log_std, "mean", "log_std")
    return mean + temperature * torch.exp(log_std) * gaussian_like(mean, generator)


def gaussian(shape: tuple[int, ...], like: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard normal noise of ``shape`` on ``like``'s device and dtype — the one place the course draws ε.

    Drawn in float32 on the generator's own device, then moved: a CPU generator (``contract.seeded``) gives the
    same draw whether the model runs on a CPU or a GPU, in float32 or under autocast, and never meets a tensor
    on another device.
    """
    device = generator.device if generator is not None else like.device
    return torch.randn(tuple(shape), generator=generator, device=device, dtype=torch.float32).to(like)


def gaussian_like(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard normal noise shaped like ``x`` (:func:`gaussian`)."""
    return gaussian(x.shape, x, generator)


def gaussian_frame_major(like: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Standard normal noise shaped like ``like [B, C, T]``, filled in ``[B, T, C]`` memory order.

    The official VITS inference draws its prior sample with ``randn_like`` on a prior it expanded as
    ``[B, T, C]`` and transposed; torch fills such a tensor in memory order, so this draw gives the official
    sample for the same CPU seed (a contiguous draw of the same numbers would put them elsewhere).
    """
    b, c, t = like.shape
    device = generator.device if generator is not None else like.device
    # normal_ on the transposed view, exactly as randn_like on the official transposed prior (for more than 16
    # numbers torch fills a non-contiguous tensor in another order than randn's contiguous one)
    noise = torch.empty((b, t, c), device=device, dtype=torch.float32).transpose(1, 2).normal_(generator=generator)
    return noise.to(like)


# ---------------------------------------------------------------- densities
def gaussian_log_prob(x: torch.Tensor, mean: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """Elementwise ``log N(x; μ, σ²) = −log σ − ½ log 2π − ½ ((x − μ)/σ)²``.

    ``x`` broadcasts against ``mean``/``log_std`` (e.g. ``[N, 1]`` samples under
    ``[D]`` parameters); the result has the broadcast shape.
    """
    _check_params(mean, log_std, "mean", "log_std")
    _check_broadcast(x, mean, "x")
    standardized = (x - mean) * torch.exp(-log_std)
    return -log_std - 0.5 * LOG_2PI - 0.5 * standardized**2


# ---------------------------------------------------------------- KL divergence
def kl_gaussians(
    mean_q: torch.Tensor,
    log_std_q: torch.Tensor,
    mean_p: torch.Tensor,
    log_std_p: torch.Tensor,
) -> torch.Tensor:
    """Closed-form ``KL(q ‖ p)`` between diagonal Gaussians, elementwise.

    ``KL = log σ_p − log σ_q + (σ_q² + (μ_q − μ_p)²) / (2 σ_p²) − ½``
    (the expectation under q of ``log q − log p``; derived in lesson 01).
    All four tensors must share one shape. Sum the result over latent channels.
    """
    _check_params(mean_q, log_std_q, "mean_q", "log_std_q")
    _check_params(mean_p, log_std_p, "mean_p", "log_std_p")
    _check_same_shape(mean_q, mean_p, "mean_q", "mean_p")
    var_ratio = torch.exp(2.0 * (log_std_q - log_std_p))  # σ_q² / σ_p²
    mean_term = (mean_q - mean_p) ** 2 * torch.exp(-2.0 * log_std_p)  # (μ_q − μ_p)² / σ_p²
    return log_std_p - log_std_q + 0.5 * (var_ratio + mean_term) - 0.5


def kl_standard_normal(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """``KL(N(μ, σ²) ‖ N(0, 1))`` from a *log-variance*, elementwise.

    ``KL = −½ (1 + log σ² − μ² − σ²)``: the term of the classic VAE loss
    (Kingma & Welling 2014, appendix B), before the sum over latent dimensions.
    It is :func:`kl_gaussians` with ``log_std_q = ½ log_var`` and a standard
    normal prior.
    """
    _check_params(mean, log_var, "mean", "log_var")
    return -0.5 * (1.0 + log_var - mean**2 - torch.exp(log_var))


def kl_single_sample(
    z: torch.Tensor,
    mean_q: torch.Tensor,
    log_std_q: torch.Tensor,
    mean_p: torch.Tensor,
    log_std_p: torch.Tensor,
) -> torch.Tensor:
    """One-sample Monte-Carlo estimate ``log q(z) − log p(z)`` at ``z ~ q``, elementwise.

    Unbiased for :func:`kl_gaussians` when ``z`` was drawn from q, but a single
    draw can be negative — which is why the KL term logged while training VITS
    (that estimates it this way, at the posterior sample) can dip below zero.
    ``z`` broadcasts against the parameters (e.g. ``[N, *shape]`` for N draws).
    """
    _check_same_shape(mean_q, mean_p, "mean_q", "mean_p")
    return gaussian_log_prob(z, mean_q, log_std_q) - gaussian_log_prob(z, mean_p, log_std_p)


def kl_monte_carlo(
    mean_q: torch.Tensor,
    log_std_q: torch.Tensor,
    mean_p: torch.Tensor,
    log_std_p: torch.Tensor,
    n_samples: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Average of ``n_samples`` single-sample estimates, and its standard error.

    Returns ``(estimate, standard_error)``, each shaped like ``mean_q``; the
    standard error is the sample standard deviation over ``√n_samples``.
    """
    if n_samples < 2:
        raise ValueError(f"n_samples must be ≥ 2 to estimate a standard error, got {n_samples}")
    _check_params(mean_q, log_std_q, "mean_q", "log_std_q")
    draws = reparameterize(
        mean_q.expand(n_samples, *mean_q.shape), log_std_q.expand(n_samples, *log_std_q.shape), generator=generator
    )  # [N, *shape]
    estimates = kl_single_sample(draws, mean_q, log_std_q, mean_p, log_std_p)  # [N, *shape]
    return estimates.mean(dim=0), estimates.std(dim=0) / math.sqrt(n_samples)


# ---------------------------------------------------------------- masked reductions
def _check_mask(x: torch.Tensor, mask: torch.Tensor) -> None:
    if x.dim() != 3 or mask.dim() != 3 or mask.shape[1] != 1 or mask.shape[0] != x.shape[0] or mask.shape[2] != x.shape[2]:
        raise ValueError(
            f"expected values [B, C, T] and a mask [B, 1, T] (from `sequence_mask`), "
            f"got {tuple(x.shape)} and {tuple(mask.shape)}"
        )


def sum_over_channels(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``[B, C, T]`` → ``[B, T]``: per-frame total (e.g. the KL of each frame), 0 on padding."""
    _check_mask(x, mask)
    return (x * mask).sum(dim=1)


def kl_per_frame_loss(kl: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Scalar loss: elementwise KL ``[B, C, T]`` summed over channels, averaged over all real frames.

    This is how VITS normalizes its KL term (sum over the batch's real elements
    divided by the number of real frames), so utterance length does not weight it.
    """
    _check_mask(x=kl, mask=mask)
    return masked_sum(kl, mask) / mask.sum().clamp_min(1.0)
