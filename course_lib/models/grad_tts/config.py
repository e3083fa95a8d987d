"""Grad-TTS hyperparameters: ``paper()`` = Speech-Backbones ``Grad-TTS/params.py``, ``tiny()`` for a CPU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from course_lib.diffusion import NoiseSchedule
from course_lib.models.config_io import ConfigIO
from course_lib.models.text_encoding import ENCODER_RENAMED, TextEncoderFields, check_text_fields
from course_lib.nn.text_encoder import TextEncoderConfig
from course_lib.nn.unet import UNetConfig


@dataclass(frozen=True)
class GradTTSConfig(ConfigIO, TextEncoderFields):
    """Everything that shapes a Grad-TTS model, its training and its default sampling.

    Encoder (the Glow-TTS encoder, mean only → ``μ`` with identity covariance):
    ``n_vocab`` symbols → ``encoder_channels``-wide embedding, conv pre-net, ``encoder_layers``
    relative-position transformer layers; duration predictor with
    ``duration_filter_channels``. Decoder: the U-Net of :mod:`course_lib.nn.unet`
    (``dec_dim``, ``dim_mults``) on the VP-SDE with ``beta_min``/``beta_max``.

    Glossary, official ``params.py`` → course: ``n_feats`` → ``n_mels``; ``n_enc_channels`` →
    ``encoder_channels`` (the encoder's other fields: :class:`TextEncoderFields`); ``n_spks`` →
    ``n_speakers``; ``spk_emb_dim`` → ``speaker_channels``; ``out_size`` → ``segment_frames``.
    """

    MODEL_NAME: ClassVar[str] = "Grad-TTS"
    # checkpoints saved before the course's names (data/checkpoints/grad_tts_tiny.json) still load
    RENAMED: ClassVar[dict[str, str]] = {"n_feats": "n_mels", "channels": "encoder_channels", **ENCODER_RENAMED,
                                         "speaker_emb_dim": "speaker_channels"}

    n_vocab: int = 149  # official ARPAbet set + blank (add_blank = True)
    front_end: str = "arpabet"  # "arpabet" (CMUdict, LJSpeech) or "espeak" (the built-in corpus's phonemes)
    add_blank: bool = True  # a blank token between symbols (Glow-TTS/Grad-TTS LJSpeech recipe)
    n_mels: int = 80
    # text encoder: TextEncoderFields (Glow-TTS base), and its pre-net's depth
    prenet_layers: int = 3
    # duration predictor (fed the detached encoder output)
    duration_filter_channels: int = 256
    duration_kernel_size: int = 3
    duration_dropout: float = 0.1
    # decoder
    dec_dim: int = 64
    dim_mults: tuple[int, ...] = (1, 2, 4)
    groups: int = 8
    attention_heads: int = 4
    attention_head_dim: int = 32
    pe_scale: float = 1000.0
    beta_min: float = 0.05
    beta_max: float = 20.0
    # speakers (LibriTTS recipe: 247 speakers, 64-dim embedding fed to the U-Net)
    n_speakers: int = 1
    speaker_channels: int = 64
    # training
    segment_frames: int = 172  # decoder trained on random 2-s windows (out_size)
    learning_rate: float = 1e-4
    batch_size: int = 16
    grad_clip_norm: float = 1.0  # per group: encoder and decoder separately
    seed: int = 37
    # sampling defaults (inference.py: 10 steps, τ = 1.5)
    n_steps: int = 10
    temperature: float = 1.5

    def __post_init__(self) -> None:
        check_text_fields(self)
        if self.segment_frames < 4:
            raise ValueError(f"segment_frames must be >= 4 (the U-Net halves frames twice), got {self.segment_frames}")
        if self.n_speakers < 1:
            raise ValueError(f"n_speakers must be >= 1, got {self.n_speakers}")
        object.__setattr__(self, "dim_mults", tuple(self.dim_mults))  # JSON gives lists back

    @classmethod
    def paper(cls) -> "GradTTSConfig":
        """LJSpeech Grad-TTS: 14,835,032 parameters (encoder 7,200,145 + decoder 7,634,887)."""
        return cls()

    @classmethod
    def multispeaker(cls) -> "GradTTSConfig":
        """The LibriTTS recipe (``n_spks = 247``): 14,888,680 parameters."""
        return cls(n_speakers=247)

    @classmethod
    def tiny(cls) -> "GradTTSConfig":
        """CPU size (~0.7 M parameters): a narrower encoder and a 16-wide U-Net, 64-frame windows.

        Reads the built-in corpus's eSpeak phonemes without blanks; ``n_vocab``
        is replaced by the corpus tokenizer's size when training from the CLI.
        """
        return cls(front_end="espeak", add_blank=False, encoder_channels=64, encoder_filter_channels=128, encoder_layers=2,
                   duration_filter_channels=64, dec_dim=16, attention_heads=2, attention_head_dim=16, segment_frames=64,
                   learning_rate=1e-3, batch_size=16, n_steps=10)

    def text_encoder_config(self) -> TextEncoderConfig:
        return self.shared_text_encoder(self.n_mels, mean_only=True, prenet=True, prenet_layers=self.prenet_layers)

    def unet_config(self) -> UNetConfig:
        return UNetConfig(dim=self.dec_dim, dim_mults=self.dim_mults, groups=self.groups,
                          attention_heads=self.attention_heads, attention_head_dim=self.attention_head_dim,
                          n_mels=self.n_mels,
                          pe_scale=self.pe_scale, n_speakers=self.n_speakers, speaker_channels=self.speaker_channels)

    def noise_schedule(self) -> NoiseSchedule:
        return NoiseSchedule(self.beta_min, self.beta_max)
