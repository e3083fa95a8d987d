"""Lesson 03's conditional VAE that speaks: a text-conditioned prior, a posterior on the mel, a decoder.

Registry protocol (``course_lib.models``): ``CONFIGS``, ``build(config)``, ``train_cli(args)``;
``train.SYNTH`` for ``synth``. The model implements the synthesis contract (``course_lib.models.contract``).
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
from course_lib.models.cvae.train import CvaeTask

CONFIGS = {"tiny": CvaeConfig.tiny, "small": CvaeConfig.small}


def build(config: CvaeConfig | Mapping[str, Any]) -> ConditionalVae:
    """A fresh conditional VAE for ``config`` (or the dict saved beside a checkpoint)."""
    return ConditionalVae(config if isinstance(config, CvaeConfig) else CvaeConfig.from_dict(config))


def train_cli(args) -> int:
    """``python -m course_lib train cvae --config tiny --out runs/cvae [--data DIR] [--steps N] [--resume]``."""
    from course_lib.models.cvae.train import train_cli as _train_cli

    return _train_cli(args)


def load(path, device="cpu") -> ConditionalVae:
    """A trained CVAE from its model file (see :func:`.train.load`)."""
    from course_lib.models.cvae.train import load as _load

    return _load(path, device)


__all__ = ["CONFIGS", "ConditionalVae", "CvaeConfig", "CvaeLosses", "CvaeOutput", "CvaePosteriorEncoder",
           "CvaeTask", "CvaeTextEncoder", "Decoder", "HeldoutMetrics", "ResidualConvStack", "SynthesisOutput",
           "TextSynthesis", "build", "durations_to_alignment", "expand_to_frames", "heldout_metrics", "load",
           "pairwise_mel_spread", "synthesize_text", "train_cli"]
