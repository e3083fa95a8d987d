"""Affine coupling (Dinh et al. 2017, RealNVP; Glow-TTS ``CouplingBlock``, VITS ``ResidualCouplingLayer``).

Split the channels in half, ``x = [x_a, x_b]``. A network that sees only
``x_a`` (and the conditioning) predicts a shift ``m`` and a log-scale ``s`` for
``x_b``:

    z_a = x_a ;  z_b = m(x_a) + exp(s(x_a)) · x_b

The Jacobian is triangular (``z_a`` ignores ``x_b``; ``z_b`` depends on ``x_b``
only elementwise), so ``log|det J| = Σ s`` over real frames, and the inverse
``x_b = (z_b − m(z_a)) · exp(−s(z_a))`` needs no inversion of the network.
``mean_only`` fixes ``s = 0`` (volume preserving, VITS). The network's last 1×1
conv starts at zero, so a new coupling is the identity.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from course_lib.flows.base import FlowLayer, FlowOutput
from course_lib.nn.wavenet import WaveNet, remove_weight_norm_everywhere


class AffineCoupling(FlowLayer):
    """``x [B, C, T]`` (C even), ``mask [B, 1, T]``, ``cond [B, G, 1 or T]`` -> :class:`FlowOutput`.

    Conditioner: 1×1 conv (``C/2`` -> ``hidden``; weight-normed in Glow-TTS, plain in
    VITS) -> :class:`~course_lib.nn.wavenet.WaveNet` -> zero-initialised 1×1 conv to
    ``m`` (and ``s`` unless ``mean_only``).
    """

    def __init__(
        self,
        channels: int,
        hidden_channels: int,
        kernel_size: int,
        dilation_rate: int,
        n_layers: int,
        cond_channels: int = 0,
        dropout: float = 0.0,
        mean_only: bool = False,
        start_weight_norm: bool = True,
    ) -> None:
        super().__init__()
        if channels % 2:
            raise ValueError(f"affine coupling splits channels in half; got an odd number ({channels})")
        self.half = channels // 2
        self.mean_only = mean_only
        start = nn.Conv1d(self.half, hidden_channels, 1)
        self.start = weight_norm(start) if start_weight_norm else start
        self.wavenet = WaveNet(hidden_channels, kernel_size, dilation_rate, n_layers, cond_channels, dropout)
        self.end = nn.Conv1d(hidden_channels, self.half * (1 if mean_only else 2), 1)
        nn.init.zeros_(self.end.weight)  # starts as the identity map
        nn.init.zeros_(self.end.bias)

    def shift_and_log_scale(
        self, x_a: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The conditioner: ``x_a [B, C/2, T]`` -> (``shift``, ``log_scale``) each ``[B, C/2, T]``."""
        h = self.wavenet(self.start(x_a) * mask, mask, cond)
        stats = self.end(h) * mask
        if self.mean_only:
            return stats, torch.zeros_like(stats)
        shift, log_scale = stats.split(self.half, dim=1)
        return shift, log_scale

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None, reverse: bool = False
    ) -> FlowOutput:
        x_a, x_b = x[:, : self.half], x[:, self.half :]
        shift, log_scale = self.shift_and_log_scale(x_a, mask, cond)
        log_det = (log_scale * mask).sum(dim=(1, 2))
        if reverse:
            z_b = (x_b - shift) * torch.exp(-log_scale) * mask
            return FlowOutput(torch.cat([x_a * mask, z_b], dim=1), -log_det)
        z_b = (shift + torch.exp(log_scale) * x_b) * mask
        return FlowOutput(torch.cat([x_a * mask, z_b], dim=1), log_det)

    def remove_weight_norm(self) -> None:
        remove_weight_norm_everywhere(self)
