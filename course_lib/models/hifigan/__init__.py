"""HiFi-GAN (Kong, Kim & Bae, NeurIPS 2020): the course's neural vocoder.

``build(config)`` returns a :class:`HiFiGAN` whose top-level children are the
``generator``, the multi-period discriminator ``mpd`` and the multi-scale
discriminator ``msd`` (so ``param_summary`` reports each). Paper configs ``v1``/``v2``/
``v3`` match the official parameter counts exactly (REFERENCE.md §2).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from torch import nn

from course_lib.models.hifigan.config import HiFiGANConfig
from course_lib.models.hifigan.discriminators import (
    MultiPeriodDiscriminator,
    MultiScaleDiscriminator,
    build_mpd,
    build_msd,
)
from course_lib.models.hifigan.generator import Generator
from course_lib.models.hifigan.istft_generator import ISTFTGenerator, ISTFTGeneratorConfig

# "paper" (= V1) is the course-wide default name (`python -m course_lib info hifigan`)
CONFIGS = {"v1": HiFiGANConfig.v1, "v2": HiFiGANConfig.v2, "v3": HiFiGANConfig.v3, "tiny": HiFiGANConfig.tiny,
           "paper": HiFiGANConfig.paper, "istft_small": HiFiGANConfig.istft_small,
           "istft_vocos": HiFiGANConfig.istft_vocos}


def build_generator(config: HiFiGANConfig) -> Generator | ISTFTGenerator:
    """The generator a config names: HiFi-GAN's upsampling one, or the inverse-STFT one when ``config.istft`` is set."""
    return Generator(config) if config.istft is None else ISTFTGenerator(config.istft)


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


def train_cli(args) -> None:
    """``python -m course_lib train hifigan --config tiny --data DIR --out DIR [--steps N] [--resume]``."""
    from course_lib.models.hifigan.train import train_cli as _train_cli

    _train_cli(args)


__all__ = ["CONFIGS", "HiFiGAN", "HiFiGANConfig", "Generator", "ISTFTGenerator", "ISTFTGeneratorConfig", "build",
           "build_generator", "save_generator", "train_cli"]
