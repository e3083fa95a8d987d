"""The one interface every invertible layer follows, and a stack of them.

A flow layer maps ``x [B, C, T]`` to ``z`` of the same shape, frame by frame
where ``mask [B, 1, T]`` is 1, and reports ``log |det ∂z/∂x|`` per utterance
(``log_det [B]``) over the real frames only. ``reverse=True`` runs the inverse
and reports the inverse's log-determinant, i.e. the forward one negated, so
both directions return the same :class:`FlowOutput` (change of variables:
``log p(x) = log p(z) + log_det``).

Padded frames come out as zeros and never influence real frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class FlowOutput:
    """``z [B, C, T]``: the transformed tensor; ``log_det [B]``: log|det J| of this direction."""

    z: torch.Tensor
    log_det: torch.Tensor


class FlowLayer(nn.Module):
    """Base class: subclasses implement ``forward(x, mask, cond=None, reverse=False) -> FlowOutput``."""

    def forward(  # pragma: no cover - interface only
        self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None, reverse: bool = False
    ) -> FlowOutput:
        raise NotImplementedError


def frame_counts(mask: torch.Tensor) -> torch.Tensor:
    """``mask [B, 1, T]`` -> number of real frames per utterance ``[B]`` (float)."""
    return mask.sum(dim=(1, 2))


class FlowStack(FlowLayer):
    """Layers applied in order (and in reverse order when ``reverse``); log-determinants add up."""

    def __init__(self, layers: list[FlowLayer]) -> None:
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None, reverse: bool = False
    ) -> FlowOutput:
        log_det = x.new_zeros(x.shape[0])
        layers = reversed(self.layers) if reverse else self.layers
        for layer in layers:
            out = layer(x, mask, cond=cond, reverse=reverse)
            x, log_det = out.z, log_det + out.log_det
        return FlowOutput(x, log_det)
