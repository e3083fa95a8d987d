"""Hyperparameters of the course vocoder (its design: :mod:`course_lib.models.pitch_vocoder`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from course_lib.models.config_io import ConfigIO


SYNTHESES = ("projection", "harmonic_noise")


@dataclass(frozen=True)
class PitchVocoderConfig(ConfigIO):
    """The two networks (magnitudes, pitch), the phase retrieval and the training recipe.

    The course's own design, so there is no ``paper()``: :meth:`tiny` is the one that ships.
    """

    MODEL_NAME: ClassVar[str] = "pitch vocoder"

    n_mels: int = 80
    # the magnitude network: mel + log-F0 + voicing → an envelope residual and a harmonicity per STFT bin
    channels: int = 192
    dilations: tuple[int, ...] = (1, 2, 4, 1, 2, 4)
    # the pitch network: mel + the low STFT bins of the mel's pseudo-inverse → F0 class and voicing per frame
    pitch_channels: int = 128
    pitch_dilations: tuple[int, ...] = (1, 2, 4, 1, 2, 4)
    pitch_low_bins: int = 64  # 0–1.4 kHz, where the harmonics of speech are resolved
    pitch_classes: int = 256
    f0_min: float = 50.0
    f0_max: float = 600.0
    # how the wave is made: "projection" — the magnitudes, their phase locked to the predicted pitch, then this
    # many of Griffin-Lim's projections (fast GL's momentum); "harmonic_noise" — an oscillator bank at the harmonics
    # of the pitch plus filtered noise, trained through the synthesis with a multi-resolution STFT loss
    synthesis: str = "projection"
    n_projections: int = 6
    # candidate (c): train against HiFi-GAN's tiny multi-period and multi-scale discriminators (the course's GAN
    # task), the wave made at the true pitch; the model's own losses and 45 · mel L1 of the wave anchor it
    adversarial: bool = False
    mel_loss_weight: float = 45.0
    momentum: float = 0.99
    # the envelope residual is bounded to ± this many nats (×400 either way) by a tanh: an early, large update
    # cannot overflow exp() into an infinite magnitude
    max_residual: float = 6.0
    # training: random windows of whole frames, AdamW warmed up linearly, then an exponential decay every step
    learning_rate: float = 2e-3
    adam_betas: tuple[float, ...] = (0.8, 0.99)
    warmup_steps: int = 100
    lr_decay: float = 0.9995
    batch_size: int = 16
    segment_frames: int = 96
    grad_clip_norm: float = 5.0
    seed: int = 1234

    def __post_init__(self) -> None:
        for name in ("n_mels", "channels", "pitch_channels", "pitch_low_bins", "pitch_classes", "batch_size",
                     "segment_frames", "warmup_steps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.synthesis not in SYNTHESES:
            raise ValueError(f"synthesis must be one of {', '.join(SYNTHESES)}, got {self.synthesis!r}")
        if self.n_projections < 0:
            raise ValueError(f"n_projections must be >= 0 (0: the pitch-locked phase as it is), got "
                             f"{self.n_projections}")
        if not 0 < self.f0_min < self.f0_max:
            raise ValueError(f"need 0 < f0_min < f0_max, got {self.f0_min} and {self.f0_max}")
        if not self.max_residual > 0:
            raise ValueError(f"max_residual must be > 0, got {self.max_residual}")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {self.momentum}")
        if not self.dilations or not self.pitch_dilations or min(*self.dilations, *self.pitch_dilations) < 1:
            raise ValueError("dilations and pitch_dilations need at least one entry, each >= 1")

    @classmethod
    def tiny(cls) -> "PitchVocoderConfig":
        """The shipped size: 1,362,755 parameters, trained on one CPU in minutes."""
        return cls()

    @classmethod
    def tiny_harmonic_noise(cls) -> "PitchVocoderConfig":
        """The same networks making the wave as eSpeak does, harmonics plus noise (lesson 06's candidate (b)), at a
        fine-tune's learning rate: it is meant to start from the shipped tiny (``train --init``), whose steps through
        the oscillator bank cost 14× as much."""
        return cls(synthesis="harmonic_noise", learning_rate=2e-4, warmup_steps=50)

    @classmethod
    def tiny_adversarial(cls) -> "PitchVocoderConfig":
        """The shipped networks fine-tuned against waveform discriminators (lesson 06's candidate (c)); meant to
        start from the shipped tiny (``train --init``)."""
        return cls(adversarial=True, learning_rate=1e-4)
