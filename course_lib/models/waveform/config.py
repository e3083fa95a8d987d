"""HiFi-GAN configuration: the three paper generators (V1/V2/V3), a tiny CPU one, and their checks.

Values of ``v1()``/``v2()``/``v3()`` are those of the official ``config_v1/v2/v3.json``
(jik876/hifi-gan; REFERENCE.md §1.5). Glossary, paper → code:

=====================  ==============================================
``h_u``                ``upsample_initial_channel``
``k_u`` / stride       ``upsample_kernel_sizes`` / ``upsample_rates``
``k_r``, ``D_r``       ``resblock_kernel_sizes``, ``resblock_dilation_sizes``
MRF                    ``resblock`` "1" (3×2 convs) or "2" (2 convs)
=====================  ==============================================

The generator options ``in_channels``, ``pre_weight_norm``, ``post_weight_norm``,
``post_bias`` and ``speaker_channels`` exist so VITS can reuse this generator as its
decoder (192 latent channels, a plain ``conv_pre``, a plain bias-free ``conv_post``, an
optional speaker embedding added after ``conv_pre``); the discriminator layout fields
let VITS reuse one scale discriminator with its own channel/group layout.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import Literal

from course_lib.audio import HOP_LENGTH, N_MELS
from course_lib.models.waveform.istft_generator import ISTFTGeneratorConfig

# The official multi-scale discriminator layer layout (REFERENCE.md §1.5):
# channels after each conv, kernel sizes, strides, groups; a final k3 conv → 1 follows.
HIFIGAN_SCALE_CHANNELS = (128, 128, 256, 512, 1024, 1024, 1024)
HIFIGAN_SCALE_KERNELS = (15, 41, 41, 41, 41, 41, 5)
HIFIGAN_SCALE_STRIDES = (1, 2, 2, 4, 4, 1, 1)
HIFIGAN_SCALE_GROUPS = (1, 4, 16, 16, 16, 16, 1)
# Channels of a period discriminator's 2-D convs (kernel (5, 1), stride (3, 1), last stride 1).
HIFIGAN_PERIOD_CHANNELS = (32, 128, 512, 1024, 1024)


@dataclass(frozen=True)
class HiFiGANConfig:
    """Generator, discriminators and training recipe of one HiFi-GAN.

    Sequences fields accept lists (as read back from a JSON checkpoint config) and are
    stored as tuples. Construction validates the upsampling chain: an invalid
    configuration fails here, not as a tensor size mismatch deep inside training.
    """

    # --- generator
    resblock: Literal["1", "2"] = "1"
    upsample_rates: tuple[int, ...] = (8, 8, 2, 2)
    upsample_kernel_sizes: tuple[int, ...] = (16, 16, 4, 4)
    upsample_initial_channel: int = 512
    resblock_kernel_sizes: tuple[int, ...] = (3, 7, 11)
    resblock_dilation_sizes: tuple[tuple[int, ...], ...] = ((1, 3, 5), (1, 3, 5), (1, 3, 5))
    in_channels: int = N_MELS
    hop_length: int = HOP_LENGTH
    pre_weight_norm: bool = True
    post_weight_norm: bool = True
    post_bias: bool = True
    speaker_channels: int = 0
    # --- or an inverse-STFT generator (istft_generator.py) in place of the HiFi-GAN one
    istft: ISTFTGeneratorConfig | None = None
    # --- discriminators
    periods: tuple[int, ...] = (2, 3, 5, 7, 11)
    period_channels: tuple[int, ...] = HIFIGAN_PERIOD_CHANNELS
    n_scales: int = 3
    scale_channels: tuple[int, ...] = HIFIGAN_SCALE_CHANNELS
    scale_kernels: tuple[int, ...] = HIFIGAN_SCALE_KERNELS
    scale_strides: tuple[int, ...] = HIFIGAN_SCALE_STRIDES
    scale_groups: tuple[int, ...] = HIFIGAN_SCALE_GROUPS
    # --- training recipe (shared by V1/V2/V3)
    segment_size: int = 8192
    batch_size: int = 16
    learning_rate: float = 2e-4
    adam_betas: tuple[float, float] = (0.8, 0.99)
    lr_decay: float = 0.999
    mel_loss_weight: float = 45.0
    feature_loss_weight: float = 2.0
    # an inverse-STFT generator only: weight of APNet's phase loss against the recording's STFT phase
    # (0 = off, HiFi-GAN's recipe: the discriminators alone teach the phase)
    phase_loss_weight: float = 0.0
    # steps the generator trains on mel L1 alone before the discriminators join (0 = the paper:
    # adversarial from step 1); ParallelWaveGAN's ``discriminator_train_start_steps``
    discriminator_start: int = 0
    seed: int = 1234

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, list):
                if item.name == "resblock_dilation_sizes":
                    value = tuple(tuple(d) for d in value)
                object.__setattr__(self, item.name, tuple(value))
        object.__setattr__(self, "resblock", str(self.resblock))
        if isinstance(self.istft, dict):  # read back from a JSON checkpoint config
            object.__setattr__(self, "istft", ISTFTGeneratorConfig(**self.istft))
        _validate(self)

    # ------------------------------------------------------------------ named configs
    @classmethod
    def v1(cls) -> "HiFiGANConfig":
        """Paper V1: 13.92 M generator parameters (weight norm removed), best quality."""
        return cls()

    @classmethod
    def v2(cls) -> "HiFiGANConfig":
        """Paper V2: V1's layout with 128 initial channels, 0.93 M parameters."""
        return cls(upsample_initial_channel=128)

    @classmethod
    def v3(cls) -> "HiFiGANConfig":
        """Paper V3: three upsamplings (8, 8, 4) and ResBlock2 — the fastest on CPU."""
        return cls(
            resblock="2",
            upsample_rates=(8, 8, 4),
            upsample_kernel_sizes=(16, 16, 8),
            upsample_initial_channel=256,
            resblock_kernel_sizes=(3, 5, 7),
            resblock_dilation_sizes=((1, 2), (2, 6), (3, 12)),
        )

    @classmethod
    def paper(cls) -> "HiFiGANConfig":
        """The paper's main model (V1), for the course-wide ``paper()`` convention."""
        return cls.v1()

    @classmethod
    def tiny(cls) -> "HiFiGANConfig":
        """A V3-shaped generator at 64 channels with slim discriminators, trainable on a CPU.

        The discriminators keep the paper's structure (all five periods, three scales,
        same kernels and strides) with 1/16 of the channels and fewer groups, because on a
        CPU they cost far more than the generator (REFERENCE.md §3): 0.77 s of a 1.1 s step here.
        """
        return cls(
            resblock="2",
            upsample_rates=(8, 8, 4),
            upsample_kernel_sizes=(16, 16, 8),
            upsample_initial_channel=64,
            resblock_kernel_sizes=(3, 5, 7),
            resblock_dilation_sizes=((1, 2), (2, 6), (3, 12)),
            period_channels=(8, 16, 32, 64, 64),
            scale_channels=(8, 8, 16, 32, 64, 64, 64),
            scale_groups=(1, 2, 4, 8, 8, 8, 1),
            batch_size=8,
        )

    @classmethod
    def istft_small(cls) -> "HiFiGANConfig":
        """The course's CPU vocoder: the 2.0 M-parameter iSTFT generator, trained against ``tiny()``'s
        slim discriminators with HiFi-GAN's losses and recipe, after a mel-L1-only warm-up.

        The warm-up is a CPU-budget choice measured on this project's runs (one thread): a
        warm-up step costs 0.23 s against 1.2 s for a GAN step, and after 2,000 warm-up steps
        (≈ 8 CPU minutes) the held-out PESQ-WB was 1.68 and mel L1 0.51, where the GAN from
        step 1 had 1.16 and 0.70 after 1,000 steps (≈ 21 CPU minutes). Mel L1 reads no phase: after
        the warm-up (1,000 or 4,000 steps) the output buzzed at the 86 Hz hop rate for four of the five
        voices — identical mel frames give identical phases (lesson 06, section 3) — and the
        discriminators have to teach the phase from there.
        """
        return dataclasses.replace(cls.tiny(), istft=ISTFTGeneratorConfig.small(), discriminator_start=8000)

    @classmethod
    def istft_vocos(cls) -> "HiFiGANConfig":
        """A Vocos-sized iSTFT generator (13.46 M) against V1's full discriminators, for a GPU."""
        return cls(istft=ISTFTGeneratorConfig.vocos())

    # ------------------------------------------------------------------ derived
    @property
    def generator_kind(self) -> str:
        """``"istft"`` when :attr:`istft` is set, else ``"hifigan"``."""
        return "hifigan" if self.istft is None else "istft"

    @property
    def segment_frames(self) -> int:
        """Mel frames in one training segment."""
        return self.segment_size // self.hop_length


def upsample_padding(kernel_size: int, stride: int) -> int:
    """Padding of a transposed conv that turns ``T`` samples into exactly ``T·stride``.

    A transposed conv outputs ``(T − 1)·u − 2p + k``; with ``p = (k − u) / 2`` that is
    ``T·u`` — which needs ``k − u`` even and ``k ≥ u`` (the official padding rule).
    """
    return (kernel_size - stride) // 2


def _validate(config: HiFiGANConfig) -> None:
    """Raise ValueError naming the problem and the fix for an unusable configuration."""
    rates, kernels = config.upsample_rates, config.upsample_kernel_sizes
    if len(rates) != len(kernels):
        raise ValueError(
            f"upsample_rates {rates} and upsample_kernel_sizes {kernels} must have the same length "
            f"(one transposed conv per rate)"
        )
    product = math.prod(rates)
    if product != config.hop_length:
        raise ValueError(
            f"the upsample rates {rates} multiply to {product}, but the mel hop length is {config.hop_length}: "
            f"each mel frame must become exactly {config.hop_length} samples. Change the rates so their product "
            f"is {config.hop_length} (e.g. 8·8·2·2 or 8·8·4 for hop 256) — the usual cause of size mismatches "
            f"at other sample rates (hifi-gan issues #12, #116)"
        )
    for index, (rate, kernel) in enumerate(zip(rates, kernels)):
        if kernel < rate or (kernel - rate) % 2 != 0:
            raise ValueError(
                f"upsample layer {index}: kernel {kernel} with stride {rate} breaks the padding rule "
                f"p = (k − u)/2 (needs k ≥ u and k − u even; here k − u = {kernel - rate}), so the output would "
                f"not be exactly {rate}× longer. Use a kernel of 2·u (e.g. {2 * rate})"
            )
    n_up = len(rates)
    if config.upsample_initial_channel % (2**n_up) != 0:
        raise ValueError(
            f"upsample_initial_channel {config.upsample_initial_channel} must be divisible by 2^{n_up} = "
            f"{2**n_up}: each of the {n_up} upsampling layers halves the channels"
        )
    if config.resblock not in ("1", "2"):
        raise ValueError(f"resblock must be '1' or '2', got {config.resblock!r}")
    if len(config.resblock_kernel_sizes) != len(config.resblock_dilation_sizes):
        raise ValueError(
            f"resblock_kernel_sizes {config.resblock_kernel_sizes} and resblock_dilation_sizes "
            f"{config.resblock_dilation_sizes} must have the same length (one residual block per kernel)"
        )
    expected_dilations = 3 if config.resblock == "1" else 2
    for kernel, dilations in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes):
        if kernel % 2 == 0:
            raise ValueError(f"MRF kernel sizes must be odd for 'same' padding, got {kernel}")
        if len(dilations) != expected_dilations:
            raise ValueError(
                f"ResBlock{config.resblock} takes {expected_dilations} dilations per kernel, got {dilations}"
            )
    if config.segment_size % config.hop_length != 0:
        raise ValueError(
            f"segment_size {config.segment_size} must be a multiple of the hop length {config.hop_length} "
            f"so a segment matches whole mel frames"
        )
    scale = (config.scale_channels, config.scale_kernels, config.scale_strides, config.scale_groups)
    if len({len(part) for part in scale}) != 1:
        raise ValueError(
            "scale_channels, scale_kernels, scale_strides and scale_groups must have the same length "
            f"(got {[len(part) for part in scale]})"
        )
    in_channels = 1
    for out_channels, groups in zip(config.scale_channels, config.scale_groups):
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"scale discriminator conv {in_channels}→{out_channels} cannot use {groups} groups: "
                f"both channel counts must be divisible by the groups"
            )
        in_channels = out_channels
    if config.discriminator_start < 0:
        raise ValueError(f"discriminator_start must be ≥ 0 steps (0 = adversarial from the start), "
                         f"got {config.discriminator_start}")
    if config.phase_loss_weight < 0:
        raise ValueError(f"phase_loss_weight must be ≥ 0 (0 = off), got {config.phase_loss_weight}")
    if config.phase_loss_weight and config.istft is None:
        raise ValueError("phase_loss_weight needs an inverse-STFT generator (set istft): HiFi-GAN's generator "
                         "makes samples, not STFT frames, so it has no phase to compare")
    if any(p < 1 for p in config.periods) or config.n_scales < 1:
        raise ValueError(f"periods must be ≥ 1 and n_scales ≥ 1, got {config.periods} and {config.n_scales}")
