"""VITS: text → waveform in one model (conditional VAE, flow prior, MAS, stochastic durations, GAN decoder).

Registry protocol (``course_lib.models``): ``CONFIGS`` and ``build(config)``. ``build``
returns the generator side (:class:`VITS`); the discriminator is
:class:`VITSDiscriminator`, built with :func:`build_discriminator`.
"""

from collections.abc import Mapping
from typing import Any

from course_lib.models.vits.config import (
    DecoderConfig,
    DiscriminatorConfig,
    DurationConfig,
    FlowConfig,
    PosteriorConfig,
    VITSConfig,
)
from course_lib.models.vits.discriminator import VITSDiscriminator
from course_lib.models.vits.duration import DeterministicDurationPredictor, StochasticDurationPredictor
from course_lib.models.vits.flow import PriorFlow
from course_lib.models.vits.losses import duration_loss, kl_divergence
from course_lib.models.vits.model import VITS, LatentLosses, SynthesisOutput, VITSOutput
from course_lib.models.vits.posterior import PosteriorEncoder, PosteriorOutput
from course_lib.models.vits.splines import rational_quadratic_spline
from course_lib.models.vits.windows import wave_windows

CONFIGS = {"paper": VITSConfig.paper, "ljs_nosdp": VITSConfig.ljs_nosdp, "vctk": VITSConfig.vctk,
           "tiny": VITSConfig.tiny, "tiny_multi": VITSConfig.tiny_multi,
           "tiny_multi_f0": VITSConfig.tiny_multi_f0, "tiny_multi_f0_anneal": VITSConfig.tiny_multi_f0_anneal}


def build(config: VITSConfig | Mapping[str, Any]) -> VITS:
    """A fresh VITS generator for ``config`` (or the dict saved beside a checkpoint)."""
    return VITS(VITSConfig.of(config))


def build_discriminator(config: VITSConfig | Mapping[str, Any]) -> VITSDiscriminator:
    """The discriminator VITS trains against: one scale discriminator + MPD."""
    return VITSDiscriminator(VITSConfig.of(config).discriminator)


def convert_cli(args) -> None:
    """``python -m course_lib convert vits --checkpoint PATH --in a.wav --from-speaker A --speaker B --out b.wav``."""
    from course_lib.models.vits.train import convert_cli as _convert_cli

    _convert_cli(args)


__all__ = [
    "CONFIGS",
    "DecoderConfig",
    "DeterministicDurationPredictor",
    "DiscriminatorConfig",
    "DurationConfig",
    "FlowConfig",
    "LatentLosses",
    "PosteriorConfig",
    "PosteriorEncoder",
    "PosteriorOutput",
    "PriorFlow",
    "StochasticDurationPredictor",
    "SynthesisOutput",
    "VITS",
    "VITSConfig",
    "VITSDiscriminator",
    "VITSOutput",
    "build",
    "build_discriminator",
    "duration_loss",
    "kl_divergence",
    "rational_quadratic_spline",
    "convert_cli",
    "wave_windows",
]
