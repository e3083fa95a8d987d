"""HiFi-GAN discriminators: multi-period (MPD) and multi-scale (MSD).

Kong et al. 2020 §2.2–2.3. Every sub-discriminator returns a
:class:`DiscriminatorResult`: its score map (flattened, ``[B, N]``) for the LSGAN loss
and its intermediate activations for feature matching.

* A **period discriminator** reshapes a wave ``[B, 1, N]`` into ``[B, 1, N/p, p]``: column
  ``j`` holds samples ``j, j+p, j+2p, …``, so 2-D convs with ``(k, 1)`` kernels compare
  samples exactly ``p`` apart — periodic structure (pitch) a plain 1-D conv smears.
* A **scale discriminator** is a strided, grouped 1-D conv stack on the raw wave; the MSD
  runs three of them on the wave, ×2 and ×4 average-pooled.

VITS reuses :class:`PeriodDiscriminator` and one :class:`ScaleDiscriminator` with its own
:meth:`ScaleLayout.vits` layout in a :class:`DiscriminatorStack`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import spectral_norm, weight_norm

from course_lib.models.waveform.config import (
    HIFIGAN_PERIOD_CHANNELS,
    HIFIGAN_SCALE_CHANNELS,
    HIFIGAN_SCALE_GROUPS,
    HIFIGAN_SCALE_KERNELS,
    HIFIGAN_SCALE_STRIDES,
    HiFiGANConfig,
)
from course_lib.models.waveform.generator import LRELU_SLOPE

PERIOD_KERNEL = 5
PERIOD_STRIDE = 3


@dataclass
class DiscriminatorResult:
    """One sub-discriminator's verdict: ``score [B, N]`` (≈1 real, ≈0 fake) and its ``features``."""

    score: torch.Tensor
    features: list[torch.Tensor]


@dataclass
class PairedResults:
    """Verdicts of every sub-discriminator on the real and on the generated batch."""

    real: list[DiscriminatorResult]
    fake: list[DiscriminatorResult]


@dataclass(frozen=True)
class ScaleLayout:
    """Layer layout of a scale discriminator: output channels, kernels, strides, groups per conv."""

    channels: tuple[int, ...]
    kernels: tuple[int, ...]
    strides: tuple[int, ...]
    groups: tuple[int, ...]

    @classmethod
    def hifigan(cls) -> "ScaleLayout":
        return cls(HIFIGAN_SCALE_CHANNELS, HIFIGAN_SCALE_KERNELS, HIFIGAN_SCALE_STRIDES, HIFIGAN_SCALE_GROUPS)

    @classmethod
    def vits(cls) -> "ScaleLayout":
        """VITS' single scale discriminator (jaywalnut310/vits ``DiscriminatorS``; 5,641,362 parameters)."""
        return cls((16, 64, 256, 1024, 1024, 1024), (15, 41, 41, 41, 41, 5), (1, 4, 4, 4, 4, 1),
                   (1, 4, 16, 64, 256, 1))

    @classmethod
    def from_config(cls, config: HiFiGANConfig) -> "ScaleLayout":
        return cls(config.scale_channels, config.scale_kernels, config.scale_strides, config.scale_groups)


def _norm(layer: nn.Module, use_spectral_norm: bool) -> nn.Module:
    return spectral_norm(layer) if use_spectral_norm else weight_norm(layer)


def fold_by_period(wave: torch.Tensor, period: int) -> torch.Tensor:
    """``[B, C, N]`` → ``[B, C, ⌈N/p⌉, p]``, reflect-padding the end to a multiple of ``p``.

    Row ``i`` holds samples ``i·p … i·p + p − 1``; column ``j`` the samples ``≡ j (mod p)``.
    """
    batch, channels, length = wave.shape
    remainder = length % period
    if remainder:
        wave = F.pad(wave, (0, period - remainder), mode="reflect")
        length = wave.shape[-1]
    return wave.view(batch, channels, length // period, period)


class PeriodDiscriminator(nn.Module):
    """2-D conv stack over a wave folded by ``period``: ``[B, 1, N]`` → :class:`DiscriminatorResult`."""

    def __init__(self, period: int, channels: tuple[int, ...] = HIFIGAN_PERIOD_CHANNELS,
                 use_spectral_norm: bool = False) -> None:
        super().__init__()
        self.period = period
        pad = (PERIOD_KERNEL - 1) // 2
        in_channels = (1,) + tuple(channels[:-1])
        # stride 3 along time in every conv but the last
        strides = [PERIOD_STRIDE] * (len(channels) - 1) + [1]
        self.convs = nn.ModuleList(
            _norm(nn.Conv2d(c_in, c_out, (PERIOD_KERNEL, 1), (stride, 1), padding=(pad, 0)), use_spectral_norm)
            for c_in, c_out, stride in zip(in_channels, channels, strides)
        )
        self.conv_post = _norm(nn.Conv2d(channels[-1], 1, (3, 1), 1, padding=(1, 0)), use_spectral_norm)

    def forward(self, wave: torch.Tensor) -> DiscriminatorResult:
        x = fold_by_period(wave, self.period)          # [B, 1, N/p, p]
        features = []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
            features.append(x)
        x = self.conv_post(x)                           # [B, 1, N', p]
        features.append(x)
        return DiscriminatorResult(torch.flatten(x, 1, -1), features)


class ScaleDiscriminator(nn.Module):
    """Strided grouped 1-D conv stack: ``[B, 1, N]`` → :class:`DiscriminatorResult`."""

    def __init__(self, layout: ScaleLayout | None = None, use_spectral_norm: bool = False) -> None:
        super().__init__()
        layout = layout or ScaleLayout.hifigan()
        in_channels = (1,) + tuple(layout.channels[:-1])
        self.convs = nn.ModuleList(
            _norm(nn.Conv1d(c_in, c_out, k, s, groups=g, padding=k // 2), use_spectral_norm)
            for c_in, c_out, k, s, g in zip(in_channels, layout.channels, layout.kernels, layout.strides,
                                            layout.groups)
        )
        self.conv_post = _norm(nn.Conv1d(layout.channels[-1], 1, 3, 1, padding=1), use_spectral_norm)

    def forward(self, wave: torch.Tensor) -> DiscriminatorResult:
        x = wave
        features = []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
            features.append(x)
        x = self.conv_post(x)
        features.append(x)
        return DiscriminatorResult(torch.flatten(x, 1, -1), features)


class DiscriminatorStack(nn.Module):
    """Several sub-discriminators judging the same wave: ``[B, 1, N]`` → list of results."""

    def __init__(self, discriminators: list[nn.Module]) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(discriminators)

    def forward(self, wave: torch.Tensor) -> list[DiscriminatorResult]:
        return [discriminator(wave) for discriminator in self.discriminators]


class MultiPeriodDiscriminator(DiscriminatorStack):
    """MPD: one :class:`PeriodDiscriminator` per period (2, 3, 5, 7, 11 — primes, so they overlap little)."""

    def __init__(self, periods: tuple[int, ...] = (2, 3, 5, 7, 11),
                 channels: tuple[int, ...] = HIFIGAN_PERIOD_CHANNELS) -> None:
        super().__init__([PeriodDiscriminator(p, channels) for p in periods])


class MultiScaleDiscriminator(nn.Module):
    """MSD: scale discriminators on the raw wave, then on ×2, ×4 … average-pooled copies.

    The first one (raw audio) uses spectral norm, the others weight norm (paper §2.3).
    """

    def __init__(self, n_scales: int = 3, layout: ScaleLayout | None = None) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(
            ScaleDiscriminator(layout, use_spectral_norm=(index == 0)) for index in range(n_scales)
        )
        self.pool = nn.AvgPool1d(4, 2, padding=2)

    def forward(self, wave: torch.Tensor) -> list[DiscriminatorResult]:
        results = []
        for index, discriminator in enumerate(self.discriminators):
            if index > 0:
                wave = self.pool(wave)                  # [B, 1, N] -> [B, 1, N/2 + 1]
            results.append(discriminator(wave))
        return results


def judge(discriminator: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> PairedResults:
    """Run a discriminator once on ``real`` and ``fake`` (both ``[B, 1, N]``) stacked on the batch axis."""
    batch = real.shape[0]
    results = discriminator(torch.cat([real, fake], dim=0))
    split = [
        (DiscriminatorResult(r.score[:batch], [f[:batch] for f in r.features]),
         DiscriminatorResult(r.score[batch:], [f[batch:] for f in r.features]))
        for r in results
    ]
    return PairedResults(real=[s[0] for s in split], fake=[s[1] for s in split])


def build_mpd(config: HiFiGANConfig) -> MultiPeriodDiscriminator:
    return MultiPeriodDiscriminator(config.periods, config.period_channels)


def build_msd(config: HiFiGANConfig) -> MultiScaleDiscriminator:
    return MultiScaleDiscriminator(config.n_scales, ScaleLayout.from_config(config))
