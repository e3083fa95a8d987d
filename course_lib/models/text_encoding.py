"""The shared text encoder's fields, one name each in every model config that reads text with it (Glow-TTS,
Grad-TTS, Diff-TTS, VITS), at Glow-TTS ``base.json``'s values."""

from __future__ import annotations

from dataclasses import dataclass

from course_lib.nn.text_encoder import TextEncoderConfig
from course_lib.text import FRONTENDS


@dataclass(frozen=True)
class TextEncoderFields:
    """Mixed into a model's frozen config, which also has ``n_vocab``. Official names: ``hidden_channels`` /
    ``n_enc_channels`` → ``encoder_channels``; ``filter_channels``, ``n_heads``, ``n_layers``, ``kernel_size``,
    ``p_dropout`` → ``encoder_*``."""

    encoder_channels: int = 192
    encoder_filter_channels: int = 768
    encoder_heads: int = 2
    encoder_layers: int = 6
    encoder_kernel_size: int = 3
    encoder_dropout: float = 0.1
    window_size: int = 4  # relative-position window of the attention

    def shared_text_encoder(self, out_channels: int, **options) -> TextEncoderConfig:
        """The :class:`TextEncoderConfig` these fields describe over ``self.n_vocab`` symbols, ``out_channels``
        wide at its output; ``options``: the model's own choices (``mean_only``, ``prenet``, ``prenet_layers``)."""
        return TextEncoderConfig(n_vocab=self.n_vocab, channels=self.encoder_channels,
                                 filter_channels=self.encoder_filter_channels, n_heads=self.encoder_heads,
                                 n_layers=self.encoder_layers, kernel_size=self.encoder_kernel_size,
                                 dropout=self.encoder_dropout, window_size=self.window_size, out_channels=out_channels,
                                 **options)


def check_text_fields(config, min_vocab: int = 1, why: str = "") -> None:
    """A ValueError unless ``config.n_vocab`` is at least ``min_vocab`` (``why``: the reason, said) and
    ``config.front_end`` is one the course has — the checks of every config that reads text."""
    if config.n_vocab < min_vocab:
        raise ValueError(f"n_vocab must be >= {min_vocab}{why}, got {config.n_vocab}")
    if config.front_end not in FRONTENDS:
        raise ValueError(f"front_end must be {' or '.join(map(repr, FRONTENDS))}, got {config.front_end!r}")


# the encoder's fields under the names Grad-TTS's params.py gives them (and the first course configs saved)
ENCODER_RENAMED = {"filter_channels": "encoder_filter_channels", "n_heads": "encoder_heads",
                   "n_layers": "encoder_layers", "kernel_size": "encoder_kernel_size", "dropout": "encoder_dropout"}
