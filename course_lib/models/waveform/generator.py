"""HiFi-GAN generator: log-mel ``[B, 80, T]`` → waveform ``[B, 1, T·256]``.

Kong, Kim & Bae 2020, §2.1: a conv, then per upsampling stage a leaky-ReLU, a transposed
conv (×u in time, ½ the channels) and a multi-receptive-field fusion (MRF: parallel
residual blocks with different kernels and dilations, averaged), then a conv to one
channel and tanh.

Initialisation note: the official code calls ``init_weights`` (N(0, 0.01)) on weight-normed
layers *after* weight norm is applied, which changes only a cached copy of the weight —
the trained weights start from PyTorch's default init. We start there too.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import weight_norm

from course_lib.models.waveform.config import HiFiGANConfig, upsample_padding
from course_lib.models.waveform.istft_generator import ISTFTGenerator
from course_lib.nn.channels_last import Conv1d, ConvTranspose1d, from_channels_last, to_channels_last, use_channels_last
from course_lib.nn.wavenet import remove_weight_norm_everywhere

LRELU_SLOPE = 0.1


def dilated_padding(kernel_size: int, dilation: int) -> int:
    """'Same' padding of an odd kernel with dilation ``d``: ``d·(k − 1)/2``."""
    return dilation * (kernel_size - 1) // 2


def resblock_receptive_field(kernel_size: int, dilations: tuple[int, ...], resblock: str) -> int:
    """Samples one output of a residual block sees, at its stage's rate.

    A conv with kernel ``k`` and dilation ``d`` widens the view by ``(k − 1)·d``; ResBlock1
    stacks a dilated and a plain conv per dilation, ResBlock2 a dilated one.
    """
    widening = sum((kernel_size - 1) * d for d in dilations)
    if resblock == "1":
        widening += (kernel_size - 1) * len(dilations)
    return 1 + widening


def _maybe_weight_norm(layer: nn.Module, enabled: bool) -> nn.Module:
    return weight_norm(layer) if enabled else layer


def _conv(channels: int, kernel_size: int, dilation: int) -> nn.Module:
    """Weight-normed 'same' conv ``[B, C, T]`` → ``[B, C, T]``."""
    return weight_norm(
        Conv1d(channels, channels, kernel_size, 1, dilation=dilation,
               padding=dilated_padding(kernel_size, dilation))
    )


class ResBlock1(nn.Module):
    """Residual block type 1 (V1, V2): for each dilation, lrelu → dilated conv → lrelu → conv, added back.

    ``[B, C, T]`` → ``[B, C, T]``; 3 dilated + 3 plain convs.
    """

    def __init__(self, channels: int, kernel_size: int, dilations: tuple[int, ...]) -> None:
        super().__init__()
        self.dilated_convs = nn.ModuleList(_conv(channels, kernel_size, d) for d in dilations)
        self.plain_convs = nn.ModuleList(_conv(channels, kernel_size, 1) for _ in dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for dilated, plain in zip(self.dilated_convs, self.plain_convs):
            residual = dilated(F.leaky_relu(x, LRELU_SLOPE))
            residual = plain(F.leaky_relu(residual, LRELU_SLOPE))
            x = x + residual
        return x


class ResBlock2(nn.Module):
    """Residual block type 2 (V3): for each dilation, lrelu → dilated conv, added back.

    ``[B, C, T]`` → ``[B, C, T]``; 2 dilated convs.
    """

    def __init__(self, channels: int, kernel_size: int, dilations: tuple[int, ...]) -> None:
        super().__init__()
        self.dilated_convs = nn.ModuleList(_conv(channels, kernel_size, d) for d in dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for dilated in self.dilated_convs:
            x = x + dilated(F.leaky_relu(x, LRELU_SLOPE))
        return x


class MultiReceptiveFieldFusion(nn.Module):
    """MRF (paper §2.1): the mean of residual blocks with different kernel sizes/dilations.

    Averaging (sum / number of kernels) rather than summing keeps the scale independent
    of how many blocks run in parallel. ``[B, C, T]`` → ``[B, C, T]``.
    """

    def __init__(self, channels: int, config: HiFiGANConfig) -> None:
        super().__init__()
        block = ResBlock1 if config.resblock == "1" else ResBlock2
        self.blocks = nn.ModuleList(
            block(channels, k, d) for k, d in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # a running sum, not torch.stack(...).mean(): no copy of every block's output (15 % faster on CPU)
        total = self.blocks[0](x)
        for block in self.blocks[1:]:
            total = total + block(x)
        return total / len(self.blocks)


class Generator(nn.Module):
    """Mel ``[B, in_channels, T]`` (→ optional speaker ``[B, speaker_channels, 1]``) → wave ``[B, 1, T·hop]`` in [-1, 1]."""

    def __init__(self, config: HiFiGANConfig) -> None:
        super().__init__()
        self.config = config
        channels = config.upsample_initial_channel
        self.conv_pre = _maybe_weight_norm(Conv1d(config.in_channels, channels, 7, 1, padding=3),
                                           config.pre_weight_norm)
        # VITS multi-speaker: a speaker embedding projected and added after conv_pre
        self.speaker_proj = Conv1d(config.speaker_channels, channels, 1) if config.speaker_channels else None
        self.ups = nn.ModuleList()
        self.mrfs = nn.ModuleList()
        for rate, kernel in zip(config.upsample_rates, config.upsample_kernel_sizes):
            # each stage: ×rate in time, ½ the channels
            self.ups.append(weight_norm(
                ConvTranspose1d(channels, channels // 2, kernel, rate, padding=upsample_padding(kernel, rate))
            ))
            channels //= 2
            self.mrfs.append(MultiReceptiveFieldFusion(channels, config))
        self.conv_post = _maybe_weight_norm(Conv1d(channels, 1, 7, 1, padding=3, bias=config.post_bias),
                                            config.post_weight_norm)

    def forward(self, mel: torch.Tensor, speaker: torch.Tensor | None = None) -> torch.Tensor:
        """``mel [B, in_channels, T]`` (``speaker [B, speaker_channels, 1]``) → ``wave [B, 1, T·hop]``.

        At inference on a CPU the whole stack runs in the channels-last layout ``[B, C, 1, T]``
        (:mod:`course_lib.nn.channels_last`: the same result, 30 % faster); shapes below are the 1-D ones."""
        channels_last = use_channels_last(mel)
        if channels_last:
            mel = to_channels_last(mel)
            speaker = speaker.unsqueeze(2) if speaker is not None else None
        x = self.conv_pre(mel)                                  # [B, C, T]
        if self.speaker_proj is not None:
            if speaker is None:
                raise ValueError("this generator was built with speaker_channels > 0: pass speaker [B, S, 1]")
            x = x + self.speaker_proj(speaker)
        for up, mrf in zip(self.ups, self.mrfs):
            x = up(F.leaky_relu(x, LRELU_SLOPE))               # [B, C/2, T·u]
            x = mrf(x)
        # the official generator uses leaky-ReLU's default slope (0.01) before conv_post
        x = torch.tanh(self.conv_post(F.leaky_relu(x)))        # [B, 1, T·hop]
        return from_channels_last(x) if channels_last else x

    def remove_weight_norm(self) -> "Generator":
        """Fold every weight-norm ``g·v/‖v‖`` into one plain weight (for inference); returns self."""
        remove_weight_norm_everywhere(self)
        return self

    @property
    def has_weight_norm(self) -> bool:
        return any(parametrize.is_parametrized(m, "weight") for m in self.modules())


def build_generator(config: HiFiGANConfig) -> Generator | ISTFTGenerator:
    """The generator a config names: HiFi-GAN's upsampling one, or the inverse-STFT one when ``config.istft`` is set."""
    return Generator(config) if config.istft is None else ISTFTGenerator(config.istft)
