"""Masks and masked reductions: the one way every model treats padding.

Letters used across the project: B batch, C channels, T time (``T_text`` tokens,
``T_mel`` frames), F mel bins.
"""

from __future__ import annotations

import torch


def sequence_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """``[B]`` lengths -> ``[B, 1, T]`` float mask, 1 on real steps and 0 on padding."""
    if max_len is None:
        max_len = int(lengths.max().item()) if lengths.numel() else 0
    steps = torch.arange(max_len, device=lengths.device)
    return (steps[None, :] < lengths[:, None]).unsqueeze(1).to(torch.float32)


def masked_sum(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Sum of ``x * mask`` over everything (mask broadcasts against ``x``)."""
    return (x * mask).sum()


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``x`` over the real (unmasked) elements only.

    ``mask`` broadcasts against ``x`` (e.g. ``[B, 1, T]`` against ``[B, C, T]``);
    the count of real elements accounts for that broadcast.
    """
    expanded = mask.expand_as(x)
    count = expanded.sum().clamp_min(1.0)
    return (x * expanded).sum() / count
