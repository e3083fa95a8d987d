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


def standard_normal_frame_major(like: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """``N(0, I)`` shaped like ``like [B, C, T]``, filled in ``[B, T, C]`` memory order.

    The official inference draws the prior sample with ``randn_like`` on a prior it
    expanded as ``[B, T, C]`` and transposed; torch fills such a tensor in memory order,
    so this draw gives the official sample for the same CPU seed (a contiguous draw of
    the same numbers would not: its elements land elsewhere).
    """
    b, c, t = like.shape
    device = generator.device if generator is not None else like.device
    noise = torch.empty((b, t, c), device=device, dtype=like.dtype).transpose(1, 2).normal_(generator=generator)
    return noise.to(like.device)
