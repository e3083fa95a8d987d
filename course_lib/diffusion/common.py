"""Pieces every sampler shares: argument checks, the NaN guard, the result type.

The samplers in :mod:`course_lib.diffusion.ddpm` and :mod:`course_lib.diffusion.vp_sde`
call a network through a plain function (``estimate(x_t, t) -> tensor``); they
never own weights. Each estimate passes through :func:`ensure_finite`, so a
diverged network stops the loop with a message instead of writing a mel full of
NaN that a vocoder then turns into silence or noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch


class NonFiniteEstimateError(FloatingPointError):
    """The network returned NaN or inf during sampling."""


@dataclass(frozen=True)
class SampleResult:
    """What a sampler returns.

    ``sample``: the final ``x_0`` estimate, same shape as the start tensor.
    ``trajectory``: the state after each reverse step (first entry = the start
    ``x_T``), filled only when asked for, e.g. for a slider through the steps.
    ``times``: the diffusion time (continuous ``t`` or discrete step index) at
    which each reverse step evaluated the network.
    """

    sample: torch.Tensor
    trajectory: list[torch.Tensor] = field(default_factory=list)
    times: list[float] = field(default_factory=list)


def validate_n_steps(n_steps: int) -> int:
    """Return ``n_steps`` if it is a positive integer, else a ValueError saying so."""
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps <= 0:
        raise ValueError(
            f"number of reverse steps must be a positive integer, got {n_steps!r}: "
            "use e.g. n_steps=10 (Grad-TTS's default) or more for higher quality"
        )
    return n_steps


def validate_temperature(temperature: float) -> float:
    """Return ``temperature`` if it is a finite number > 0, else a ValueError saying so."""
    value = float(temperature)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"temperature must be a finite number > 0, got {temperature!r}: the start is "
            "mu + noise / temperature, so 1.0 is the trained prior and Grad-TTS uses 1.5"
        )
    return value


def ensure_finite(estimate: torch.Tensor, step: int, time: float) -> torch.Tensor:
    """Raise :class:`NonFiniteEstimateError` if the network output has NaN/inf."""
    if not torch.isfinite(estimate).all():
        raise NonFiniteEstimateError(
            f"the network returned NaN or inf at reverse step {step} (t = {time:.4g}); "
            "sampling stopped. The weights have probably diverged (check the training loss, "
            "lower the learning rate, or load an earlier checkpoint) or the conditioning "
            "input already contains NaN."
        )
    return estimate


def broadcast_per_item(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``[B]`` per-item values -> ``[B, 1, ..., 1]`` that broadcasts against ``like``.

    The one broadcast helper of the package (``extract`` in denoising-diffusion-pytorch).
    """
    return values.reshape(values.shape[0], *([1] * (like.dim() - 1))).to(like.dtype)
