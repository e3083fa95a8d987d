"""The conditional VAE's hyperparameters (lesson 03): ``tiny`` for tests and smoke runs, ``small`` for the lesson."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from course_lib.models.config_io import ConfigIO


@dataclass(frozen=True)
class CvaeConfig(ConfigIO):
    MODEL_NAME: ClassVar[str] = "CVAE"

    n_vocab: int = 205  # len(course_lib.text.ESPEAK_SYMBOLS): the built-in corpus tokenizer
    n_mels: int = 80
    text_channels: int = 128
    text_layers: int = 3
    latent_channels: int = 16
    posterior_channels: int = 128
    posterior_layers: int = 3
    decoder_channels: int = 192
    decoder_dilations: tuple[int, ...] = (1, 2, 4, 1, 2, 4)
    kernel_size: int = 5
    duration_channels: int = 128
    dropout: float = 0.1
    kl_weight: float = 1.0
    temperature: float = 0.667  # τ: scales z's noise at synthesis (VITS's noise_scale); 0 = the prior mean
    learning_rate: float = 2e-3  # Adam's, constant
    batch_size: int = 16
    grad_clip_norm: float = 5.0
    seed: int = 1234
    # log-mel normalisation (built-in corpus: mean ≈ −5, std ≈ 2.5); the networks see (mel − mean) / std
    mel_mean: float = -5.0
    mel_std: float = 2.5

    # what the CVAE reads: the built-in corpus's eSpeak phonemes, no blanks (properties, not saved fields)
    @property
    def front_end(self) -> str:
        return "espeak"

    @property
    def add_blank(self) -> bool:
        return False

    def __post_init__(self) -> None:
        # read back from JSON, the dilations are a list
        object.__setattr__(self, "decoder_dilations", tuple(self.decoder_dilations))
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd to keep the length, got {self.kernel_size}")
        if self.n_vocab < 2:
            raise ValueError(f"n_vocab must be ≥ 2 (pad + one symbol), got {self.n_vocab}; use corpus.tokenizer.n_vocab")

    @classmethod
    def tiny(cls) -> "CvaeConfig":
        """~0.15 M parameters: tests and smoke runs."""
        return cls(text_channels=48, text_layers=2, latent_channels=8, posterior_channels=48, posterior_layers=2,
                   decoder_channels=64, decoder_dilations=(1, 2, 4), duration_channels=48)

    @classmethod
    def small(cls) -> "CvaeConfig":
        """~1.2 M parameters: the lesson's model, minutes on a CPU."""
        return cls()
