"""Lesson 03's conditional VAE that speaks: a text-conditioned prior, a posterior on the mel, a decoder.

Registry protocol (``course_lib.models``): ``CONFIGS``, ``build(config)``; ``train.RECIPE`` for ``train`` and
``synth``. The model implements the synthesis contract (``course_lib.models.contract``).
"""

from collections.abc import Mapping
from typing import Any

from course_lib.alignment import expand_to_frames
from course_lib.models.cvae.config import CvaeConfig
from course_lib.models.cvae.model import (
    ConditionalVae,
    CvaeLosses,
    CvaeOutput,
    CvaePosteriorEncoder,
    CvaeTextEncoder,
    Decoder,
    HeldoutMetrics,
    ResidualConvStack,
    SynthesisOutput,
    TextSynthesis,
    durations_to_alignment,
    heldout_metrics,
    pairwise_mel_spread,
    synthesize_text,
)

CONFIGS = {"tiny": CvaeConfig.tiny, "small": CvaeConfig.small}


def build(config: CvaeConfig | Mapping[str, Any]) -> ConditionalVae:
    """A fresh conditional VAE for ``config`` (or the dict saved beside a checkpoint)."""
    return ConditionalVae(CvaeConfig.of(config))


__all__ = ["CONFIGS", "ConditionalVae", "CvaeConfig", "CvaeLosses", "CvaeOutput", "CvaePosteriorEncoder",
           "CvaeTextEncoder", "Decoder", "HeldoutMetrics", "ResidualConvStack", "SynthesisOutput",
           "TextSynthesis", "build", "durations_to_alignment", "expand_to_frames", "heldout_metrics",
           "pairwise_mel_spread", "synthesize_text"]
