"""Seeded Gaussian noise for the three places VITS samples (posterior, prior, duration predictor)."""

from __future__ import annotations

import torch


def standard_normal(shape: tuple[int, ...], like: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """``N(0, I)`` of ``shape`` with the dtype and device of ``like``, drawn from ``generator`` when given.

    The draw happens on the generator's device and is then moved, so a CPU generator
    gives the same sample whether the model runs on the CPU or a GPU.
    """
    device = generator.device if generator is not None else like.device
    noise = torch.randn(shape, generator=generator, device=device, dtype=like.dtype)
    return noise.to(like.device)
