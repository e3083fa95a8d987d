"""Matching windows of the latent and of the waveform, for VITS' windowed decoder training.

The decoder sees only a random window of ``segment_frames`` latent frames per utterance
(32 frames = 8192 samples in the paper): decoding whole utterances at 22,050 Hz would
dominate memory, and a fully convolutional decoder learns from windows alone. The loss
compares the decoded window with the same span of the real waveform, samples
``start·hop … (start + segment_frames)·hop``.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from course_lib.audio import HOP_LENGTH


def wave_windows(wave: torch.Tensor, starts: torch.Tensor, segment_size: int,
                 hop_length: int = HOP_LENGTH) -> torch.Tensor:
    """``wave [B, 1, N]``, window starts in frames ``[B]`` → ``[B, 1, segment_size]`` (zero past the end)."""
    if wave.dim() != 3:
        raise ValueError(f"wave must be [B, 1, N], got shape {tuple(wave.shape)}")
    wave = F.pad(wave, (0, segment_size))  # a window of a short utterance runs into zeros, as its latent does
    offsets = starts.to(wave.device)[:, None] * hop_length + torch.arange(segment_size, device=wave.device)
    return torch.gather(wave, 2, offsets[:, None, :].expand(-1, wave.shape[1], -1))
