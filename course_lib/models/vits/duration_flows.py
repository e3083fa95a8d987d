"""The layers of VITS' stochastic duration predictor: DDS convolutions and three small flows.

* :class:`DDSConv` — dilated, depth-separable convolutions (VITS paper appendix B.2): per
  layer a depthwise conv (dilation ``k^i``), LayerNorm, GELU, a 1×1 conv, LayerNorm, GELU,
  dropout, added back. Cheap wide context for the conditioners.
* :class:`SplineCoupling` — a coupling whose transform is the rational-quadratic spline of
  :mod:`course_lib.models.vits.splines` (official ``ConvFlow``): channel 0 and the
  conditioning predict the spline's ``3K − 1`` parameters for channel 1.
* :class:`ElementwiseAffine` — ``z = m + e^s · x`` with one learned ``m, s`` per channel.
* :class:`LogFlow` — ``z = log x`` (durations are positive; the flow works in log frames).

All follow the flow interface of :mod:`course_lib.flows.base`:
``layer(x [B, C, T], mask [B, 1, T], cond, reverse) -> FlowOutput(z, log_det [B])``.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.flows.base import FlowLayer, FlowOutput
from course_lib.models.vits.splines import rational_quadratic_spline
from course_lib.nn.layers import ChannelLayerNorm

LOG_FLOW_FLOOR = 1e-5  # log of a dequantised duration is taken above this (official clamp)


class DDSConv(nn.Module):
    """``x [B, C, T]``, ``mask [B, 1, T]``, ``cond [B, C, 1 or T]`` (added first) → ``[B, C, T]``."""

    def __init__(self, channels: int, kernel_size: int, n_layers: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.depthwise = nn.ModuleList()
        self.pointwise = nn.ModuleList()
        self.norms_1 = nn.ModuleList()
        self.norms_2 = nn.ModuleList()
        for i in range(n_layers):
            dilation = kernel_size**i  # 1, 3, 9: the receptive field triples per layer
            self.depthwise.append(nn.Conv1d(channels, channels, kernel_size, groups=channels, dilation=dilation,
                                            padding=dilation * (kernel_size - 1) // 2))
            self.pointwise.append(nn.Conv1d(channels, channels, 1))
            self.norms_1.append(ChannelLayerNorm(channels))
            self.norms_2.append(ChannelLayerNorm(channels))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if cond is not None:
            x = x + cond
        for depthwise, pointwise, norm_1, norm_2 in zip(self.depthwise, self.pointwise, self.norms_1, self.norms_2):
            y = F.gelu(norm_1(depthwise(x * mask)))
            y = F.gelu(norm_2(pointwise(y)))
            x = x + self.dropout(y)
        return x * mask


class SplineCoupling(FlowLayer):
    """Rational-quadratic spline coupling: the second half of the channels, given the first and ``cond``.

    ``x [B, C, T]`` (C even), ``cond [B, F, 1 or T]`` (added inside the DDS convs). The
    last 1×1 conv starts at zero, so a new coupling is close to the identity: uniform
    bins whose knots lie on the diagonal, interior derivatives ``softplus(0) ≈ 0.69``.
    """

    def __init__(self, channels: int, filter_channels: int, kernel_size: int, n_layers: int,
                 num_bins: int = 10, tail_bound: float = 5.0) -> None:
        super().__init__()
        if channels % 2:
            raise ValueError(f"a spline coupling splits channels in half; got an odd number ({channels})")
        self.half = channels // 2
        self.num_bins = num_bins
        self.tail_bound = tail_bound
        self.filter_channels = filter_channels
        self.start = nn.Conv1d(self.half, filter_channels, 1)
        self.convs = DDSConv(filter_channels, kernel_size, n_layers)
        # per transformed channel: K widths, K heights, K − 1 interior derivatives
        self.end = nn.Conv1d(filter_channels, self.half * (3 * num_bins - 1), 1)
        nn.init.zeros_(self.end.weight)
        nn.init.zeros_(self.end.bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None,
                reverse: bool = False) -> FlowOutput:
        x_a, x_b = x[:, : self.half], x[:, self.half:]
        h = self.end(self.convs(self.start(x_a), mask, cond)) * mask      # [B, half·(3K − 1), T]
        b, c, t = x_b.shape
        params = h.reshape(b, c, -1, t).permute(0, 1, 3, 2)               # [B, half, T, 3K − 1]
        k = self.num_bins
        # widths and heights scaled by 1/√F, as the official code does (softer softmax at init)
        scale = math.sqrt(self.filter_channels)
        z_b, log_det = rational_quadratic_spline(
            x_b, params[..., :k] / scale, params[..., k: 2 * k] / scale, params[..., 2 * k:],
            inverse=reverse, tail_bound=self.tail_bound,
        )
        z = torch.cat([x_a, z_b], dim=1) * mask
        return FlowOutput(z, (log_det * mask).sum(dim=(1, 2)))


class ElementwiseAffine(FlowLayer):
    """``z = m + exp(s) · x`` per channel (``m, s [C, 1]``, both starting at 0): ``log_det = Σ s`` over real frames."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.shift = nn.Parameter(torch.zeros(channels, 1))
        self.log_scale = nn.Parameter(torch.zeros(channels, 1))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None,
                reverse: bool = False) -> FlowOutput:
        log_det = (self.log_scale * mask).sum(dim=(1, 2))
        if reverse:
            return FlowOutput((x - self.shift) * torch.exp(-self.log_scale) * mask, -log_det)
        return FlowOutput((self.shift + torch.exp(self.log_scale) * x) * mask, log_det)


class LogFlow(FlowLayer):
    """``z = log x`` (``x`` clamped at 1e-5), ``log_det = Σ −z``; reverse ``x = exp z``, ``log_det = Σ z``."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None,
                reverse: bool = False) -> FlowOutput:
        if reverse:
            return FlowOutput(torch.exp(x) * mask, (x * mask).sum(dim=(1, 2)))
        z = torch.log(x.clamp_min(LOG_FLOW_FLOOR)) * mask
        return FlowOutput(z, -z.sum(dim=(1, 2)))
