"""The transformer text encoder shared by Glow-TTS, Grad-TTS and VITS.

tokens ``[B, T_text]`` -> embedding (×√C) -> optional conv pre-net -> relative
transformer -> 1×1 projection to the prior statistics of each token:
``prior_mean [B, out_channels, T_text]`` and ``prior_log_std`` (all zeros when
``mean_only``, i.e. unit variance — Glow-TTS and Grad-TTS). ``hidden`` (the
transformer output, before the projection) feeds the duration predictor. Diff-TTS
uses the encoder too, but has no prior: it reads ``prior_mean`` as its ``text_features``.

Configurations (see ``REFERENCE.md`` §1–2 for the parameter counts):

* Glow-TTS ``base.json``: pre-net, mean-only, 80 outputs — 6,854,096 parameters at
  148 symbols without the duration predictor (7,199,953 with it).
* Grad-TTS: the same encoder at 149 symbols (speakers condition its decoder only).
* VITS ``enc_p``: no pre-net, mean and log-σ, 192 outputs — 6,326,784 at 178 symbols.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch
from torch import nn

from course_lib.nn.attention import RelativeTransformer
from course_lib.nn.layers import ConvReluNorm
from course_lib.nn.masks import sequence_mask


@dataclass(frozen=True)
class TextEncoderConfig:
    """Hyperparameters of :class:`TextEncoder` (defaults: Glow-TTS ``base.json``)."""

    n_vocab: int = 148
    channels: int = 192
    filter_channels: int = 768
    n_heads: int = 2
    n_layers: int = 6
    kernel_size: int = 3
    dropout: float = 0.1
    window_size: int = 4
    out_channels: int = 80
    mean_only: bool = True
    prenet: bool = True
    prenet_kernel_size: int = 5
    prenet_layers: int = 3
    prenet_dropout: float = 0.5

    def __post_init__(self) -> None:
        if self.n_vocab < 1:
            raise ValueError(f"n_vocab must be >= 1, got {self.n_vocab}")
        if self.channels % self.n_heads:
            raise ValueError(f"channels ({self.channels}) must be divisible by n_heads ({self.n_heads})")
        for name in ("dropout", "prenet_dropout"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {value}")

    @property
    def hidden_channels(self) -> int:
        """Width of the transformer (and of ``hidden``): ``channels``."""
        return self.channels

    @classmethod
    def paper(cls, n_vocab: int = 148) -> "TextEncoderConfig":
        """Glow-TTS ``base.json`` (also Grad-TTS' encoder with ``n_vocab=149``)."""
        return cls(n_vocab=n_vocab)

    @classmethod
    def vits(cls, n_vocab: int = 178) -> "TextEncoderConfig":
        """VITS ``enc_p``: no pre-net, 192-channel mean and log-σ."""
        return cls(n_vocab=n_vocab, out_channels=192, mean_only=False, prenet=False)

    @classmethod
    def tiny(cls, n_vocab: int = 148, out_channels: int = 80) -> "TextEncoderConfig":
        """A CPU-sized encoder with the same structure."""
        return cls(n_vocab=n_vocab, channels=64, filter_channels=128, n_layers=2, out_channels=out_channels)

    def replace(self, **changes) -> "TextEncoderConfig":
        return dataclasses.replace(self, **changes)


@dataclass
class TextEncoderOutput:
    """Per-token prior statistics and the hidden states that produced them.

    ``prior_mean``, ``prior_log_std`` ``[B, out_channels, T_text]``; ``hidden``
    ``[B, hidden_channels, T_text]``; ``mask [B, 1, T_text]``.
    """

    prior_mean: torch.Tensor
    prior_log_std: torch.Tensor
    hidden: torch.Tensor
    mask: torch.Tensor


class TextEncoder(nn.Module):
    """Token ids -> per-token Gaussian prior statistics (see module docstring)."""

    def __init__(self, config: TextEncoderConfig) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        self.embedding = nn.Embedding(config.n_vocab, c)
        nn.init.normal_(self.embedding.weight, 0.0, c**-0.5)  # ×√C below gives unit-variance inputs
        self.prenet = (
            ConvReluNorm(c, c, c, config.prenet_kernel_size, config.prenet_layers, config.prenet_dropout)
            if config.prenet
            else None
        )
        width = config.hidden_channels
        self.transformer = RelativeTransformer(
            width,
            config.filter_channels,
            config.n_heads,
            config.n_layers,
            config.kernel_size,
            config.dropout,
            config.window_size,
        )
        self.proj = nn.Conv1d(width, config.out_channels * (1 if config.mean_only else 2), 1)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> TextEncoderOutput:
        """``tokens [B, T_text]`` (long), ``lengths [B]``."""
        cfg = self.config
        if tokens.dim() != 2:
            raise ValueError(f"tokens must be [B, T_text], got shape {tuple(tokens.shape)}")
        if tokens.numel() and (int(tokens.max()) >= cfg.n_vocab or int(tokens.min()) < 0):
            raise ValueError(
                f"token id out of range [0, {cfg.n_vocab}): the tokenizer's vocabulary does not match "
                f"the model's n_vocab={cfg.n_vocab}"
            )
        x = self.embedding(tokens) * math.sqrt(cfg.channels)  # [B, T_text, C]
        x = x.transpose(1, 2)  # [B, C, T_text]
        mask = sequence_mask(lengths, tokens.shape[1]).to(x.dtype)  # [B, 1, T_text]
        if self.prenet is not None:
            x = self.prenet(x, mask)
        hidden = self.transformer(x, mask)
        stats = self.proj(hidden) * mask
        if cfg.mean_only:
            prior_mean, prior_log_std = stats, torch.zeros_like(stats)
        else:
            prior_mean, prior_log_std = stats.split(cfg.out_channels, dim=1)
        return TextEncoderOutput(prior_mean=prior_mean, prior_log_std=prior_log_std, hidden=hidden, mask=mask)
