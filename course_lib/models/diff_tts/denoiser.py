"""Diff-TTS's noise predictor: gated WaveNet-style residual blocks over mel frames.

``ε_θ(x_t, t, c)``: ``x_t [B, 80, T]`` noisy (normalised) mel, ``t [B]`` step index,
``c [B, C_text, T]`` the text representation expanded to frames. Structure
(DiffWave, Kong et al. 2021, applied to mel frames as the Diff-TTS paper's
figure is described in secondary notes; sizes are our choice, see
:mod:`course_lib.models.diff_tts`)::

    h = ReLU(conv1x1(x_t))                                 # [B, C, T]
    e = MLP(sinusoid(t))                                   # [B, E]  diffusion-step embedding
    per layer i:  a = dilated_conv_i(h + W_i e) + cond_i(c) # [B, 2C, T]
                  g = tanh(a[:C]) · σ(a[C:])                # gated activation
                  r, s = conv1x1(g)                         # residual and skip halves
                  h = (h + r)/√2 ;  skips += s
    ε̂ = conv1x1(ReLU(conv1x1(skips/√L)))                  # [B, 80, T], last conv zero-initialised
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.nn.layers import sinusoidal_embedding
from course_lib.nn.wavenet import gated_activation


class StepEmbedding(nn.Module):
    """Integer step ``t [B]`` → ``[B, hidden]``: sinusoid (positions 0…T−1) then a 2-layer MLP with SiLU."""

    def __init__(self, sinusoid_dim: int, hidden: int) -> None:
        super().__init__()
        self.sinusoid_dim = sinusoid_dim
        self.mlp = nn.Sequential(nn.Linear(sinusoid_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU())

    def forward(self, step: torch.Tensor) -> torch.Tensor:
        # integer steps already span 0…T−1, so no extra scale (unlike Grad-TTS's t ∈ [0, 1])
        return self.mlp(sinusoidal_embedding(step.float(), self.sinusoid_dim, scale=1.0))


class ResidualBlock(nn.Module):
    """One gated, dilated residual layer with step and text conditioning (see module docstring)."""

    def __init__(self, channels: int, cond_channels: int, step_dim: int, kernel_size: int, dilation: int) -> None:
        super().__init__()
        self.step_proj = nn.Linear(step_dim, channels)
        self.dilated_conv = nn.Conv1d(channels, 2 * channels, kernel_size, dilation=dilation,
                                      padding=dilation * (kernel_size - 1) // 2)
        self.cond_proj = nn.Conv1d(cond_channels, 2 * channels, 1)
        self.out_proj = nn.Conv1d(channels, 2 * channels, 1)

    def forward(self, h: torch.Tensor, mask: torch.Tensor, step_emb: torch.Tensor,
                cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``h [B, C, T]``, ``mask [B, 1, T]``, ``step_emb [B, E]``, ``cond [B, C_text, T]`` → (h', skip)."""
        a = self.dilated_conv((h + self.step_proj(step_emb)[:, :, None]) * mask) + self.cond_proj(cond)
        residual, skip = self.out_proj(gated_activation(a) * mask).chunk(2, dim=1)
        return (h + residual) * mask / math.sqrt(2.0), skip * mask


class NoisePredictor(nn.Module):
    """``forward(x_t [B, F, T], mask [B, 1, T], cond [B, C_text, T], step [B]) -> ε̂ [B, F, T]``."""

    def __init__(self, n_mels: int, cond_channels: int, channels: int, n_layers: int, kernel_size: int,
                 dilation_cycle: int, step_sinusoid_dim: int, step_dim: int) -> None:
        super().__init__()
        self.input_proj = nn.Conv1d(n_mels, channels, 1)
        self.step_embedding = StepEmbedding(step_sinusoid_dim, step_dim)
        self.layers = nn.ModuleList(
            ResidualBlock(channels, cond_channels, step_dim, kernel_size, 2 ** (i % dilation_cycle))
            for i in range(n_layers))
        self.skip_proj = nn.Conv1d(channels, channels, 1)
        self.output_proj = nn.Conv1d(channels, n_mels, 1)
        nn.init.zeros_(self.output_proj.weight)  # start by predicting ε̂ = 0 (DiffWave)
        nn.init.zeros_(self.output_proj.bias)

    def forward(self, x_t: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.input_proj(x_t * mask)) * mask
        step_emb = self.step_embedding(step)
        skips = torch.zeros_like(h)
        for layer in self.layers:
            h, skip = layer(h, mask, step_emb, cond)
            skips = skips + skip
        out = F.relu(self.skip_proj(skips / math.sqrt(len(self.layers))))
        return self.output_proj(out) * mask
