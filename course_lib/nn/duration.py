"""Deterministic duration predictor (Glow-TTS, Grad-TTS, VITS without SDP).

Two blocks of (conv k, ReLU, channel LayerNorm, dropout) and a 1×1 projection
to one number per token: the predicted **log-duration** in frames. It is trained
with an MSE on ``log(duration)`` against the durations found by monotonic
alignment search, and the caller feeds it the *detached* encoder output so the
duration loss does not pull the encoder away from the likelihood it serves.

At paper size (192 in, 256 filters, kernel 3) it has 345,857 parameters.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.nn.layers import ChannelLayerNorm


def log_duration_target(durations: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Frames per token ``[B, 1, T_text]`` -> ``log(1e-8 + d) * mask`` (the regression target)."""
    return torch.log(durations.float() + 1e-8) * mask


def duration_loss(log_duration_pred: torch.Tensor, log_duration_target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error in the log domain over real tokens (Glow-TTS ``duration_loss``)."""
    return (((log_duration_pred - log_duration_target) * mask) ** 2).sum() / mask.sum().clamp_min(1.0)


class DurationPredictor(nn.Module):
    """``x [B, C_in, T_text]``, ``mask [B, 1, T_text]`` -> log-durations ``[B, 1, T_text]``."""

    def __init__(self, in_channels: int, filter_channels: int = 256, kernel_size: int = 3, dropout: float = 0.1) -> None:
        super().__init__()
        pad = kernel_size // 2
        self.conv_1 = nn.Conv1d(in_channels, filter_channels, kernel_size, padding=pad)
        self.norm_1 = ChannelLayerNorm(filter_channels)
        self.conv_2 = nn.Conv1d(filter_channels, filter_channels, kernel_size, padding=pad)
        self.norm_2 = ChannelLayerNorm(filter_channels)
        self.dropout = nn.Dropout(dropout)
        self.proj = nn.Conv1d(filter_channels, 1, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Predicted ``log(frames)`` per token, zero on padding. Pass ``x.detach()`` to keep the encoder untouched."""
        x = self.dropout(self.norm_1(torch.relu(self.conv_1(x * mask))))
        x = self.dropout(self.norm_2(torch.relu(self.conv_2(x * mask))))
        return self.proj(x * mask) * mask
