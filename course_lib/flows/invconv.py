"""Invertible 1×1 convolution over channel groups (Glow §3.2; Glow-TTS ``InvConvNear``).

A full ``C × C`` matrix costs ``O(C³)`` for its determinant; Glow-TTS instead
splits the channels into groups of ``n_split`` (4) and mixes each group with
the same ``n_split × n_split`` matrix ``W``. Each group takes half its channels
from the first half of ``x`` and half from the second, so the mixing reaches
across the split that the next coupling layer makes.

``log|det J| = (C / n_split) · T · log|det W|``.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.flows.base import FlowLayer, FlowOutput, frame_counts


def random_rotation(n: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """A random orthogonal ``[n, n]`` matrix with determinant +1 (log-det starts at 0)."""
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=generator))
    if torch.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def to_groups(x: torch.Tensor, n_split: int) -> torch.Tensor:
    """``[B, C, T]`` -> ``[B, n_split, C / n_split, T]``: group ``g`` holds channels from both halves."""
    b, c, t = x.shape
    x = x.view(b, 2, c // n_split, n_split // 2, t)  # (half, group, member-in-half)
    return x.permute(0, 1, 3, 2, 4).reshape(b, n_split, c // n_split, t)


def from_groups(x: torch.Tensor, n_split: int) -> torch.Tensor:
    """Inverse of :func:`to_groups`: ``[B, n_split, C / n_split, T]`` -> ``[B, C, T]``."""
    b, _, g, t = x.shape
    x = x.view(b, 2, n_split // 2, g, t)
    return x.permute(0, 1, 3, 2, 4).reshape(b, g * n_split, t)


class InvConvNear(FlowLayer):
    """Grouped invertible 1×1 convolution: ``x [B, C, T]`` with ``C`` divisible by ``n_split`` (even)."""

    def __init__(self, channels: int, n_split: int = 4) -> None:
        super().__init__()
        if n_split % 2 or channels % n_split:
            raise ValueError(f"n_split ({n_split}) must be even and divide channels ({channels})")
        self.channels = channels
        self.n_split = n_split
        self.weight = nn.Parameter(random_rotation(n_split))

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None, reverse: bool = False
    ) -> FlowOutput:
        # the small inverse and determinant in at least float32, also under autocast
        weight = self.weight.to(torch.promote_types(self.weight.dtype, torch.float32))
        if reverse:
            weight = torch.linalg.inv(weight)
        groups = to_groups(x, self.n_split)  # [B, n_split, C / n_split, T]
        mixed = torch.einsum("ij,bjgt->bigt", weight.to(x.dtype), groups)
        z = from_groups(mixed, self.n_split) * mask
        log_det = torch.linalg.slogdet(self.weight.to(weight.dtype)).logabsdet * (self.channels / self.n_split)
        log_det = log_det * frame_counts(mask)
        return FlowOutput(z, -log_det if reverse else log_det)
