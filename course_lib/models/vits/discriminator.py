"""VITS' discriminator: one scale discriminator plus HiFi-GAN's multi-period discriminator.

Official ``MultiPeriodDiscriminator`` of jaywalnut310/vits: a ``DiscriminatorS`` on the raw
wave (no average-pooled copies, unlike HiFi-GAN's three-scale MSD) followed by period
discriminators for 2, 3, 5, 7, 11 — all weight-normed. 46,747,132 parameters at paper size
(5,641,362 for the scale one, 8,221,154 for each period one).
"""

from __future__ import annotations

from course_lib.models.waveform.discriminators import DiscriminatorStack, PeriodDiscriminator, ScaleDiscriminator
from course_lib.models.vits.config import DiscriminatorConfig


class VITSDiscriminator(DiscriminatorStack):
    """``wave [B, 1, N]`` → one :class:`DiscriminatorResult` per sub-discriminator (scale first, then the periods)."""

    def __init__(self, config: DiscriminatorConfig) -> None:
        super().__init__([ScaleDiscriminator(config.scale_layout())]
                         + [PeriodDiscriminator(p, config.period_channels) for p in config.periods])
