"""Hyperparameters of the course's CTC phoneme recognizer (its design: :mod:`course_lib.models.recognizer`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from course_lib.models.config_io import ConfigIO
from course_lib.models.text_encoding import check_text_fields


@dataclass(frozen=True)
class RecognizerConfig(ConfigIO):
    """Everything that shapes the recognizer, its augmentation and its training (the course's own design:
    no official code to name its fields after)."""

    MODEL_NAME: ClassVar[str] = "phoneme recognizer"
    # checkpoints saved before the course's names (data/checkpoints/recognizer_tiny.json) still load
    RENAMED: ClassVar[dict[str, str]] = {"n_feats": "n_mels"}

    n_vocab: int = 205  # the eSpeak symbol table without blanks; its pad id 0 doubles as the CTC blank
    front_end: str = "espeak"  # the phonemes eSpeak spoke (the built-in corpus); "arpabet" for LJSpeech-style text
    add_blank: bool = False  # kept for the symbol-table check every course checkpoint gets; must stay False
    drop_pauses: bool = True  # recognise phonemes only: the pause symbol '|' is left out of the targets
    n_mels: int = 80
    # convolutional front end: the first layer's stride 3 takes 86 → 29 frames/s; the built-in corpus's fastest
    # utterance needs 0.19 CTC states (phonemes + repeats) per mel frame, 0.56 per output frame (0.61 at speed 1.1),
    # and stride 3 ran 2.5× the training steps per second of stride 2 on one CPU thread (the BiGRU dominates)
    conv_channels: int = 192
    conv_layers: int = 3
    conv_kernel: int = 5
    time_stride: int = 3
    # bidirectional GRU stack
    rnn_hidden: int = 192
    rnn_layers: int = 2
    dropout: float = 0.1
    # augmentation (training only), each drawn independently per utterance and step
    p_resynth: float = 0.5  # replace the wave by its Griffin-Lim (or vocoder) resynthesis from the mel
    griffin_lim_iters: int = 32  # the course's Griffin-Lim, whose artefacts the recognizer must not mind
    p_speed: float = 0.5  # resample the wave: speed and pitch change together (Kaldi-style speed perturbation)
    speed_min: float = 0.9
    speed_max: float = 1.1
    p_noise: float = 0.5  # white noise at a random SNR (uniform in dB)
    snr_db_min: float = 5.0
    snr_db_max: float = 35.0
    p_specaugment: float = 0.5  # SpecAugment-style masks on the mel
    freq_masks: int = 2
    freq_mask_bins: int = 10  # each mask up to this many mel bins
    time_masks: int = 2
    time_mask_frames: int = 15  # each mask up to this many frames (and never more than a tenth of the mel)
    # training
    learning_rate: float = 1e-3
    batch_size: int = 16
    grad_clip_norm: float = 5.0
    seed: int = 1234

    def __post_init__(self) -> None:
        check_text_fields(self, 2, " (the blank and at least one symbol)")
        if self.add_blank:
            raise ValueError("add_blank must be False: CTC has its own blank (id 0, the pad symbol)")
        for name in ("conv_channels", "conv_layers", "conv_kernel", "time_stride", "rnn_hidden", "rnn_layers",
                     "batch_size", "griffin_lim_iters"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.conv_kernel % 2 == 0:
            raise ValueError(f"conv_kernel must be odd (centred padding), got {self.conv_kernel}")
        for name in ("p_resynth", "p_speed", "p_noise", "p_specaugment", "dropout"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {value}")
        if not 0.0 < self.speed_min <= self.speed_max:
            raise ValueError(f"need 0 < speed_min <= speed_max, got {self.speed_min} and {self.speed_max}")
        if not self.snr_db_min <= self.snr_db_max:
            raise ValueError(f"need snr_db_min <= snr_db_max, got {self.snr_db_min} and {self.snr_db_max}")
        for name in ("freq_masks", "freq_mask_bins", "time_masks", "time_mask_frames"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")

    @classmethod
    def tiny(cls) -> "RecognizerConfig":
        """CPU size: 3 convs of 192 channels + a 2-layer BiGRU of 192 (1,636,621 parameters)."""
        return cls()

    @classmethod
    def base(cls) -> "RecognizerConfig":
        """GPU size: 3 convs of 384 channels + a 3-layer BiGRU of 384 (8,880,973 parameters)."""
        return cls(conv_channels=384, rnn_hidden=384, rnn_layers=3, dropout=0.2, batch_size=32)
