"""Small layers shared by the text encoders, duration predictors, flows and diffusion networks.

Everything works on channel-first sequences ``[B, C, T]``, the layout of
``nn.Conv1d``; masks are ``[B, 1, T]`` (see :mod:`course_lib.nn.masks`).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channel axis of a ``[B, C, T]`` tensor.

    ``nn.LayerNorm`` normalises the *last* axis; transformers for speech keep
    channels in axis 1 for the convolutions, so each frame is normalised across
    its ``C`` channels (Glow-TTS/VITS ``LayerNorm``: a gain and a bias per channel).
    """

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``[B, C, T]`` -> ``[B, C, T]``."""
        x = x.transpose(1, -1)  # [B, T, C]
        x = F.layer_norm(x, (self.channels,), self.gamma, self.beta, self.eps)
        return x.transpose(1, -1)


class ConvReluNorm(nn.Module):
    """Convolutional pre-net with a residual projection (Glow-TTS encoder pre-net).

    ``n_layers`` × (conv k, channel LayerNorm, ReLU, dropout), then a 1×1
    projection added to the input. The projection starts at zero, so at
    initialisation the pre-net is the identity and the transformer sees the
    embeddings unchanged.
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int,
        out_channels: int,
        kernel_size: int,
        n_layers: int,
        dropout: float,
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"ConvReluNorm needs n_layers >= 1, got {n_layers}")
        if in_channels != out_channels:
            raise ValueError(
                f"the pre-net is residual, so in_channels ({in_channels}) must equal out_channels ({out_channels})"
            )
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        for i in range(n_layers):
            self.convs.append(
                nn.Conv1d(in_channels if i == 0 else hidden_channels, hidden_channels, kernel_size, padding=kernel_size // 2)
            )
            self.norms.append(ChannelLayerNorm(hidden_channels))
        self.dropout = nn.Dropout(dropout)
        self.proj = nn.Conv1d(hidden_channels, out_channels, 1)
        nn.init.zeros_(self.proj.weight)  # identity at start
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x [B, C, T]``, ``mask [B, 1, T]`` -> ``[B, C, T]`` (zero on padding)."""
        residual = x
        for conv, norm in zip(self.convs, self.norms):
            x = conv(x * mask)
            x = self.dropout(torch.relu(norm(x)))
        return (residual + self.proj(x)) * mask


def sinusoidal_embedding(t: torch.Tensor, dim: int, scale: float = 1000.0) -> torch.Tensor:
    """``[B]`` times -> ``[B, dim]`` sin/cos features (Transformer positions, Vaswani et al. 2017).

    Diffusion time lives in [0, 1]; multiplying by ``scale`` (Grad-TTS's
    ``pe_scale`` = 1000) spreads it over the range integer positions would have,
    so the fast frequencies still change between nearby times.
    """
    half = dim // 2
    # frequencies 1 … 1/10000, geometric (the first and last are exact)
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device, dtype=torch.float32) / (half - 1))
    angles = scale * t.float()[:, None] * freqs[None, :]  # [B, half]
    return torch.cat([angles.sin(), angles.cos()], dim=-1).to(t.dtype if t.is_floating_point() else torch.float32)


class ConvStack(nn.Module):
    """A kernel-5 input conv, residual dilated kernel-3 convs (leaky ReLU before each), a 1×1 output:
    ``[B, in, T]`` → ``[B, out, T]``, the same length (receptive field ``5 + 2·Σ dilations`` frames).

    With ``cond_channels`` > 0 a conditioning vector ``cond [B, cond_channels, 1]`` (a speaker embedding) is
    projected and added to the hidden frames after the input conv. The course vocoder's two networks and the
    source-filter VITS's pitch predictor and decoder are each one of these.
    """

    def __init__(self, in_channels: int, channels: int, out_channels: int, dilations: tuple[int, ...],
                 cond_channels: int = 0):
        super().__init__()
        self.input = nn.Conv1d(in_channels, channels, 5, padding=2)
        if cond_channels:
            self.cond = nn.Conv1d(cond_channels, channels, 1)
        self.blocks = nn.ModuleList(nn.Conv1d(channels, channels, 3, dilation=d, padding=d) for d in dilations)
        self.output = nn.Conv1d(channels, out_channels, 1)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        hidden = self.input(x)
        if hasattr(self, "cond"):
            if cond is None:
                raise ValueError("this stack was built with cond_channels > 0: pass cond [B, cond_channels, 1]")
            hidden = hidden + self.cond(cond)
        for block in self.blocks:
            hidden = hidden + block(F.leaky_relu(hidden, 0.1))
        return self.output(F.leaky_relu(hidden, 0.1))
