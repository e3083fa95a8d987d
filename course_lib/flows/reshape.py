"""Volume-preserving rearrangements: channel flip, and squeeze/unsqueeze over time.

``squeeze`` folds ``factor`` consecutive frames into channels (``[B, C, T]`` ->
``[B, C·factor, T/factor]``) so the 1×1 convolutions and couplings see a short
window of frames at once (Glow-TTS decoder: 80 mel bins -> 160 channels). Both
are permutations, so their log-determinant is 0.
"""

from __future__ import annotations

import torch

from course_lib.flows.base import FlowLayer, FlowOutput


class ChannelFlip(FlowLayer):
    """Reverse the channel order so the next coupling transforms the other half (VITS ``Flip``)."""

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None, reverse: bool = False
    ) -> FlowOutput:
        return FlowOutput(torch.flip(x, dims=[1]) * mask, x.new_zeros(x.shape[0]))


def squeeze(x: torch.Tensor, mask: torch.Tensor, factor: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """``x [B, C, T]``, ``mask [B, 1, T]`` -> ``[B, C·factor, T//factor]``, ``[B, 1, T//factor]``.

    Trailing frames beyond a multiple of ``factor`` are dropped; channel
    ``k·C + c`` of the result holds frame ``factor·t + k`` of channel ``c``. A
    squeezed frame is real only if its last source frame is real.
    """
    b, c, t = x.shape
    t = (t // factor) * factor
    x = x[:, :, :t].reshape(b, c, t // factor, factor)  # [B, C, T/f, f]
    x = x.permute(0, 3, 1, 2).reshape(b, c * factor, t // factor)  # [B, f·C, T/f]
    new_mask = mask[:, :, factor - 1 : t : factor]
    return x * new_mask, new_mask


def unsqueeze(x: torch.Tensor, mask: torch.Tensor, factor: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse of :func:`squeeze`: ``[B, C·factor, T]`` -> ``[B, C, T·factor]`` (mask repeated)."""
    b, cf, t = x.shape
    c = cf // factor
    x = x.reshape(b, factor, c, t).permute(0, 2, 3, 1).reshape(b, c, t * factor)
    new_mask = mask.unsqueeze(-1).expand(-1, -1, -1, factor).reshape(b, 1, t * factor)
    return x * new_mask, new_mask
