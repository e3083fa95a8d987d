"""Activation normalisation (Kingma & Dhariwal 2018, Glow §3.1).

A per-channel affine map ``z = bias + exp(log_scale) · x`` whose parameters are
set from the first batch it sees ("data-dependent initialisation") so that the
output has zero mean and unit variance per channel over the real frames. After
that they are ordinary trainable parameters. ``log|det J| = T · Σ_c log_scale_c``.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.flows.base import FlowLayer, FlowOutput, frame_counts


def actnorm_init_from_data(x: torch.Tensor, mask: torch.Tensor, eps: float = 1e-6) -> tuple[torch.Tensor, torch.Tensor]:
    """Masked per-channel mean and std of ``x [B, C, T]`` -> (``bias``, ``log_scale``) each ``[C]``.

    Chosen so that ``bias + exp(log_scale)·x`` is standardised: ``log_scale = -log std``,
    ``bias = -mean / std``.
    """
    count = mask.sum().clamp_min(1.0)
    mean = (x * mask).sum(dim=(0, 2)) / count
    var = (x * x * mask).sum(dim=(0, 2)) / count - mean**2
    log_std = 0.5 * torch.log(var.clamp_min(eps))
    return -mean * torch.exp(-log_std), -log_std


class ActNorm(FlowLayer):
    """Per-channel affine flow with data-dependent initialisation on its first forward pass.

    ``x [B, C, T]``, ``mask [B, 1, T]``. The ``initialized`` buffer is saved in the
    state dict, so a loaded model is never re-initialised.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, channels, 1))
        self.log_scale = nn.Parameter(torch.zeros(1, channels, 1))
        self.register_buffer("initialized", torch.tensor(False))

    @torch.no_grad()
    def initialize(self, x: torch.Tensor, mask: torch.Tensor) -> None:
        bias, log_scale = actnorm_init_from_data(x, mask)
        self.bias.copy_(bias.view_as(self.bias))
        self.log_scale.copy_(log_scale.view_as(self.log_scale))
        self.initialized.fill_(True)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None, reverse: bool = False
    ) -> FlowOutput:
        if not reverse and not bool(self.initialized):
            self.initialize(x, mask)
        log_det = self.log_scale.sum() * frame_counts(mask)  # [B]
        if reverse:
            return FlowOutput((x - self.bias) * torch.exp(-self.log_scale) * mask, -log_det)
        return FlowOutput((self.bias + torch.exp(self.log_scale) * x) * mask, log_det)
