"""Diff-TTS hyperparameters. Only T = 400 and γ ∈ {1, 7, 21, 57} are confirmed (demo page);
every other value is a documented choice (see :mod:`course_lib.models.diff_tts`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch

from course_lib.diffusion import alpha_bar, linear_betas
from course_lib.models.config_io import ConfigIO
from course_lib.models.text_encoding import ENCODER_RENAMED, TextEncoderFields, check_text_fields
from course_lib.nn.text_encoder import TextEncoderConfig


@dataclass(frozen=True)
class DiffTTSConfig(ConfigIO, TextEncoderFields):
    """Everything that shapes a Diff-TTS model, its training and its default sampling.

    Glossary: Diff-TTS has no public code; the fields it shares with Grad-TTS take the course's names, not
    those of Grad-TTS's ``params.py``: ``n_feats`` → ``n_mels``, ``n_enc_channels`` → ``encoder_channels``.
    """

    MODEL_NAME: ClassVar[str] = "Diff-TTS"
    # checkpoints saved before the course's names (data/checkpoints/diff_tts_tiny.json) still load
    RENAMED: ClassVar[dict[str, str]] = {"n_feats": "n_mels", "channels": "encoder_channels", **ENCODER_RENAMED}

    n_vocab: int = 148  # ARPAbet layout without blanks (durations are per phoneme)
    front_end: str = "arpabet"  # "arpabet" (LJSpeech) or "espeak" (the built-in corpus)
    add_blank: bool = False
    n_mels: int = 80
    # text encoder: TextEncoderFields (the shared Glow-TTS-style encoder; its 1×1 output is the text representation)
    text_channels: int = 192  # width of the expanded text representation fed to the decoder
    # duration predictor
    duration_filter_channels: int = 256
    duration_kernel_size: int = 3
    duration_dropout: float = 0.1
    # decoder (gated residual stack)
    residual_channels: int = 256
    residual_layers: int = 12
    residual_kernel_size: int = 3
    dilation_cycle: int = 4  # dilations 1, 2, 4, 8, 1, 2, …
    segment_frames: int | None = None  # train the decoder on random windows of this many frames (None: whole mels)
    step_sinusoid_dim: int = 128
    step_dim: int = 512
    # diffusion
    n_diffusion_steps: int = 400  # T (demo page)
    beta_start: float = 1e-4
    beta_end: float = 0.05
    mel_min: float = math.log(1e-5)  # log-mel of silence; mels are scaled linearly to [-1, 1]
    mel_max: float = 2.5
    # training
    learning_rate: float = 2e-4
    batch_size: int = 16
    grad_clip_norm: float = 1.0
    seed: int = 1234
    # sampling defaults
    gamma: int = 1
    clip_denoised: bool = True  # clip each step's x̂0 to the normalised mel range [-1, 1] (DDPM reference code)

    def __post_init__(self) -> None:
        check_text_fields(self)
        if self.n_diffusion_steps < 2:
            raise ValueError(f"n_diffusion_steps must be >= 2, got {self.n_diffusion_steps}")
        if not self.mel_max > self.mel_min:
            raise ValueError(f"mel_max ({self.mel_max}) must exceed mel_min ({self.mel_min})")
        if self.segment_frames is not None and self.segment_frames < 1:
            raise ValueError(f"segment_frames must be ≥ 1 frame or None (whole mels), got {self.segment_frames}")
        if self.residual_channels < self.n_mels:
            raise ValueError(
                f"residual_channels ({self.residual_channels}) must be ≥ n_mels ({self.n_mels}): the noise "
                f"predictor squeezes each {self.n_mels}-bin frame of x_t through residual_channels and must give "
                f"back all {self.n_mels} values of ε, which a narrower stack cannot (even at t = T−1, where "
                f"ε = x_t). Use residual_channels ≥ {2 * self.n_mels}")

    @classmethod
    def paper(cls) -> "DiffTTSConfig":
        """As close to the paper as the facts allow: T = 400; the rest documented choices."""
        return cls()

    @classmethod
    def tiny(cls) -> "DiffTTSConfig":
        """CPU size on the built-in corpus's eSpeak phonemes; T stays 400.

        The residual stack is 160 wide — twice the 80 mel bins — because it must carry a whole
        80-value noise vector per frame (a 64-wide stack plateaued at ε-MSE 0.66, even where ε = x_t).
        The decoder trains on random 128-frame windows, as Grad-TTS does: its receptive field is
        37 frames, and whole mels cost 3–4× more per step on a CPU.
        """
        return cls(front_end="espeak", encoder_channels=64, encoder_filter_channels=128, encoder_layers=2,
                   text_channels=64, duration_filter_channels=64, residual_channels=160, residual_layers=6,
                   segment_frames=128, step_dim=128, step_sinusoid_dim=64, learning_rate=1e-3)

    def text_encoder_config(self) -> TextEncoderConfig:
        return self.shared_text_encoder(self.text_channels, mean_only=True, prenet=True)

    def alpha_bars(self) -> torch.Tensor:
        """``ᾱ [T]`` of the linear schedule (float64)."""
        return alpha_bar(linear_betas(self.n_diffusion_steps, self.beta_start, self.beta_end))
