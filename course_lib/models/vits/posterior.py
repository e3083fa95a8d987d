"""VITS' posterior encoder q(z | x_lin): the linear spectrogram → a Gaussian per frame → a sample of z.

The posterior reads the **linear** magnitude spectrogram (513 bins, no log; the paper's
ablation: a mel input costs 0.12 MOS), not the text. Layers: 1×1 conv in, a 16-layer
WaveNet (kernel 5, dilation 1; the official constructor hard-codes the 16, its config's
``n_layers_q: 3`` is never read), 1×1 conv to a mean and a log-σ, then the
reparameterised sample ``z = μ + σ·ε`` (Kingma & Welling 2014), so gradients reach
``μ, σ`` through the sample. Used only in training and voice conversion.

Glossary, official → code: ``pre`` → ``spec_in``; ``enc`` → ``wavenet``; ``proj`` → ``stats``;
``m_q, logs_q`` → ``mean``, ``log_std``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from course_lib.distributions import gaussian
from course_lib.nn.masks import sequence_mask
from course_lib.nn.wavenet import WaveNet


@dataclass
class PosteriorOutput:
    """``z``, ``mean``, ``log_std`` ``[B, C_z, T_frames]`` (zero on padding) and ``mask [B, 1, T_frames]``."""

    z: torch.Tensor
    mean: torch.Tensor
    log_std: torch.Tensor
    mask: torch.Tensor


class PosteriorEncoder(nn.Module):
    """``spec [B, spec_channels, T]``, ``lengths [B]``, ``cond [B, G, 1]`` → :class:`PosteriorOutput`."""

    def __init__(self, spec_channels: int, out_channels: int, hidden_channels: int, kernel_size: int,
                 dilation_rate: int, n_layers: int, cond_channels: int = 0) -> None:
        super().__init__()
        self.spec_channels = spec_channels
        self.out_channels = out_channels
        self.spec_in = nn.Conv1d(spec_channels, hidden_channels, 1)
        self.wavenet = WaveNet(hidden_channels, kernel_size, dilation_rate, n_layers, cond_channels)
        self.stats = nn.Conv1d(hidden_channels, 2 * out_channels, 1)

    def forward(self, spec: torch.Tensor, lengths: torch.Tensor, cond: torch.Tensor | None = None,
                generator: torch.Generator | None = None) -> PosteriorOutput:
        if spec.dim() != 3 or spec.shape[1] != self.spec_channels:
            raise ValueError(f"the posterior encoder reads linear spectrograms [B, {self.spec_channels}, T] "
                             f"(course_lib.audio.linear_spectrogram), got shape {tuple(spec.shape)}")
        mask = sequence_mask(lengths, spec.shape[-1]).to(spec.dtype)       # [B, 1, T]
        h = self.wavenet(self.spec_in(spec) * mask, mask, cond)
        mean, log_std = (self.stats(h) * mask).split(self.out_channels, dim=1)
        z = (mean + gaussian(mean.shape, mean, generator) * torch.exp(log_std)) * mask
        return PosteriorOutput(z=z, mean=mean, log_std=log_std, mask=mask)
