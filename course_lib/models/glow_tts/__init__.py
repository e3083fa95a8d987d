"""Glow-TTS: text encoder + duration predictor, MAS, and an invertible flow decoder.

Registry protocol (``course_lib.models``): ``CONFIGS``, ``build(config)``; ``train.RECIPE`` for ``train``
and ``synth``.
"""

from collections.abc import Mapping
from typing import Any

from course_lib.models.glow_tts.config import GlowTTSConfig
from course_lib.models.glow_tts.decoder import FlowDecoder
from course_lib.models.glow_tts.model import (
    EncoderOutput,
    GlowTTS,
    GlowTTSEncoder,
    GlowTTSLosses,
    GlowTTSOutput,
    SynthesisOutput,
    mle_loss,
)

CONFIGS = {"paper": GlowTTSConfig.paper, "paper_blank": GlowTTSConfig.paper_blank, "tiny": GlowTTSConfig.tiny}


def build(config: GlowTTSConfig | Mapping[str, Any]) -> GlowTTS:
    """A fresh Glow-TTS for ``config`` (or the dict saved beside a checkpoint); ActNorms initialise on the first batch."""
    return GlowTTS(GlowTTSConfig.of(config))


__all__ = [
    "CONFIGS",
    "EncoderOutput",
    "FlowDecoder",
    "GlowTTS",
    "GlowTTSConfig",
    "GlowTTSEncoder",
    "GlowTTSLosses",
    "GlowTTSOutput",
    "SynthesisOutput",
    "build",
    "mle_loss",
]
