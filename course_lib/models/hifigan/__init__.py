"""HiFi-GAN (Kong, Kim & Bae, NeurIPS 2020): the course's neural vocoder.

``build(config)`` returns a :class:`HiFiGAN` whose top-level children are the
``generator``, the multi-period discriminator ``mpd`` and the multi-scale
discriminator ``msd`` (so ``param_summary`` reports each). Paper configs ``v1``/``v2``/
``v3`` match the official parameter counts exactly (REFERENCE.md §2).

The pieces are shared with VITS and the course vocoder's adversarial fine-tune, so they live in
:mod:`course_lib.models.waveform` (the config, both generators, the discriminators, the losses, the GAN
task); this package is the vocoder model that puts them together, its training task and its recipe (``train.RECIPE``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from torch import nn

from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.discriminators import (
    MultiPeriodDiscriminator,
    MultiScaleDiscriminator,
    build_mpd,
    build_msd,
)
from course_lib.models.waveform.generator import Generator, build_generator
from course_lib.models.waveform.istft_generator import ISTFTGenerator

# "paper" (= V1) is the course-wide default name (`python -m course_lib info hifigan`)
CONFIGS = {"v1": HiFiGANConfig.v1, "v2": HiFiGANConfig.v2, "v3": HiFiGANConfig.v3, "tiny": HiFiGANConfig.tiny,
           "paper": HiFiGANConfig.paper, "istft_small": HiFiGANConfig.istft_small,
           "istft_vocos": HiFiGANConfig.istft_vocos}


class HiFiGAN(nn.Module):
    """Generator plus the two discriminators it is trained against (only ``generator`` runs at inference)."""

    def __init__(self, config: HiFiGANConfig) -> None:
        super().__init__()
        self.config = config
        self.generator = build_generator(config)
        self.mpd: MultiPeriodDiscriminator = build_mpd(config)
        self.msd: MultiScaleDiscriminator = build_msd(config)


def build(config: HiFiGANConfig) -> HiFiGAN:
    return HiFiGAN(config)


def save_generator(path: str | Path, generator: Generator | ISTFTGenerator,
                   config: HiFiGANConfig | None = None) -> Path:
    """Save a generator with the config it was trained with (default: the one it implies), so
    :meth:`course_lib.vocoder.HiFiGANVocoder.from_checkpoint` can load it."""
    from course_lib.training import save_model

    if config is None:
        config = generator.config if isinstance(generator, Generator) else HiFiGANConfig(istft=generator.config)
    return save_model(path, generator, dataclasses.asdict(config))


__all__ = ["CONFIGS", "HiFiGAN", "build", "save_generator"]
