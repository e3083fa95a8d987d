"""VITS hyperparameters: one frozen dataclass with a frozen sub-config per network.

``paper()`` is the official ``configs/ljs_base.json`` plus the constants its
``models.py`` hard-codes (REFERENCE.md §1.2): with the 178-symbol vocabulary, exactly
36,321,072 generator parameters and a 46,747,132-parameter discriminator.
``ljs_nosdp()`` swaps in the deterministic duration predictor (35,349,761) and
``vctk()`` is ``vctk_base.json``: 109 speakers, a 256-dimensional speaker embedding
(39,700,208).

Glossary, official JSON → code: ``inter_channels`` → ``latent_channels``;
``hidden_channels`` → ``encoder_channels`` (and the ``hidden_channels`` of the posterior
and the flow); ``filter_channels``/``n_heads``/``n_layers``/``kernel_size``/``p_dropout`` →
``encoder_*``; ``gin_channels`` → ``speaker_channels``; ``use_sdp`` → ``duration.stochastic``;
``c_mel``/``c_kl`` → ``mel_loss_weight``/``kl_loss_weight``; ``lr_decay`` (per epoch) →
``lr_decay``; ``n_layers_q`` has no field: the official constructor ignores it and builds 16
posterior layers (``posterior.n_layers``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from course_lib.alignment import MAX_SYNTHESIS_FRAMES
from course_lib.audio import HOP_LENGTH, N_FFT
from course_lib.models.config_io import ConfigIO
from course_lib.models.waveform.config import HIFIGAN_PERIOD_CHANNELS, HiFiGANConfig
from course_lib.models.waveform.discriminators import ScaleLayout
from course_lib.models.waveform.istft_generator import ISTFTGeneratorConfig
from course_lib.models.vits.source_filter import SourceFilterConfig
from course_lib.models.text_encoding import TextEncoderFields, check_text_fields
from course_lib.nn.text_encoder import TextEncoderConfig

_VITS_SCALE = ScaleLayout.vits()


def _tuples(config: Any) -> None:
    """Store list values (as JSON gives them back) as tuples, nested ones too."""
    for item in dataclasses.fields(config):
        value = getattr(config, item.name)
        if isinstance(value, list):
            object.__setattr__(config, item.name, tuple(tuple(v) if isinstance(v, list) else v for v in value))


@dataclass(frozen=True)
class PosteriorConfig(ConfigIO):
    """The posterior encoder's WaveNet (official: hard-coded kernel 5, dilation 1, 16 layers)."""

    MODEL_NAME: ClassVar[str] = "VITS posterior"

    hidden_channels: int = 192
    kernel_size: int = 5
    dilation_rate: int = 1
    n_layers: int = 16


@dataclass(frozen=True)
class FlowConfig(ConfigIO):
    """The prior flow: ``n_flows`` mean-only couplings, each a WaveNet of ``n_layers`` (official: 4 and 4, kernel 5)."""

    MODEL_NAME: ClassVar[str] = "VITS flow"

    hidden_channels: int = 192
    kernel_size: int = 5
    dilation_rate: int = 1
    n_layers: int = 4
    n_flows: int = 4


@dataclass(frozen=True)
class DurationConfig(ConfigIO):
    """The duration predictor: stochastic (spline flows) or, with ``stochastic=False``, deterministic.

    The stochastic one works at the text encoder's width (the official constructor
    overwrites its filter width with it); ``filter_channels`` is the deterministic one's.
    """

    MODEL_NAME: ClassVar[str] = "VITS duration predictor"

    stochastic: bool = True
    kernel_size: int = 3
    dropout: float = 0.5
    n_flows: int = 4
    n_posterior_flows: int = 4
    dds_layers: int = 3
    num_bins: int = 10
    tail_bound: float = 5.0
    filter_channels: int = 256

    def __post_init__(self) -> None:
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"duration dropout must be in [0, 1), got {self.dropout}")
        if self.num_bins < 2 or not self.tail_bound > 0:
            raise ValueError(f"the spline needs num_bins >= 2 and tail_bound > 0, got {self.num_bins} and "
                             f"{self.tail_bound}")


@dataclass(frozen=True)
class DecoderConfig(ConfigIO):
    """The HiFi-GAN-shaped decoder (defaults: V1's layout, as in ``ljs_base.json``), or with ``istft`` set
    the frame-rate inverse-STFT generator of lesson 06 (MB-iSTFT-VITS's idea; the upsampling fields are
    then unused), or with ``source_filter`` set a decoder that is given the pitch (lesson 11)."""

    MODEL_NAME: ClassVar[str] = "VITS decoder"

    resblock: str = "1"
    upsample_rates: tuple[int, ...] = (8, 8, 2, 2)
    upsample_kernel_sizes: tuple[int, ...] = (16, 16, 4, 4)
    upsample_initial_channel: int = 512
    resblock_kernel_sizes: tuple[int, ...] = (3, 7, 11)
    resblock_dilation_sizes: tuple[tuple[int, ...], ...] = ((1, 3, 5), (1, 3, 5), (1, 3, 5))
    istft: ISTFTGeneratorConfig | None = None
    # set: the source-filter decoder with an explicit F0 and a pitch predictor (course_lib.models.vits.source_filter);
    # the HiFi-GAN and iSTFT fields are then unused
    source_filter: SourceFilterConfig | None = None

    def __post_init__(self) -> None:
        _tuples(self)
        if isinstance(self.istft, Mapping):  # read back from a checkpoint's JSON
            object.__setattr__(self, "istft", ISTFTGeneratorConfig(**self.istft))
        if isinstance(self.source_filter, Mapping):
            object.__setattr__(self, "source_filter", SourceFilterConfig.from_dict(self.source_filter))
        self.generator_config(192, 0)  # HiFiGANConfig checks the upsampling chain here, at construction

    def generator_config(self, in_channels: int, speaker_channels: int) -> HiFiGANConfig:
        """The :class:`HiFiGANConfig` of VITS' decoder: latent input, plain ``conv_pre``, plain bias-free ``conv_post``."""
        return HiFiGANConfig(
            resblock=self.resblock,
            upsample_rates=self.upsample_rates,
            upsample_kernel_sizes=self.upsample_kernel_sizes,
            upsample_initial_channel=self.upsample_initial_channel,
            resblock_kernel_sizes=self.resblock_kernel_sizes,
            resblock_dilation_sizes=self.resblock_dilation_sizes,
            in_channels=in_channels,
            pre_weight_norm=False,
            post_weight_norm=False,
            post_bias=False,
            speaker_channels=speaker_channels,
            istft=None if self.istft is None else dataclasses.replace(self.istft, in_channels=in_channels,
                                                                        speaker_channels=speaker_channels),
        )


@dataclass(frozen=True)
class DiscriminatorConfig(ConfigIO):
    """MPD periods and channels plus one scale discriminator's layout (official: ``DiscriminatorS``)."""

    MODEL_NAME: ClassVar[str] = "VITS discriminator"

    periods: tuple[int, ...] = (2, 3, 5, 7, 11)
    period_channels: tuple[int, ...] = HIFIGAN_PERIOD_CHANNELS
    scale_channels: tuple[int, ...] = _VITS_SCALE.channels
    scale_kernels: tuple[int, ...] = _VITS_SCALE.kernels
    scale_strides: tuple[int, ...] = _VITS_SCALE.strides
    scale_groups: tuple[int, ...] = _VITS_SCALE.groups

    def __post_init__(self) -> None:
        _tuples(self)
        if not self.periods or any(p < 1 for p in self.periods):
            raise ValueError(f"periods must be a non-empty list of integers >= 1, got {self.periods}")
        layout = (self.scale_channels, self.scale_kernels, self.scale_strides, self.scale_groups)
        if len({len(part) for part in layout}) != 1:
            raise ValueError("scale_channels, scale_kernels, scale_strides and scale_groups must have the same "
                             f"length (got {[len(part) for part in layout]})")
        in_channels = 1
        for out_channels, groups in zip(self.scale_channels, self.scale_groups):
            if in_channels % groups or out_channels % groups:
                raise ValueError(f"scale discriminator conv {in_channels}→{out_channels} cannot use {groups} "
                                 "groups: both channel counts must be divisible by the groups")
            in_channels = out_channels

    def scale_layout(self) -> ScaleLayout:
        return ScaleLayout(self.scale_channels, self.scale_kernels, self.scale_strides, self.scale_groups)


_SUB_CONFIGS = {"posterior": PosteriorConfig, "flow": FlowConfig, "duration": DurationConfig,
                "decoder": DecoderConfig, "discriminator": DiscriminatorConfig}


@dataclass(frozen=True)
class VITSConfig(ConfigIO, TextEncoderFields):
    """Every VITS hyperparameter (defaults: ``ljs_base.json``); sub-networks in nested frozen configs."""

    MODEL_NAME: ClassVar[str] = "VITS"

    # text side (the prior's encoder, shared with Glow-TTS and Grad-TTS)
    n_vocab: int = 178
    add_blank: bool = True  # a blank token between symbols (the tokenizer inserts it)
    front_end: str = "espeak"  # the symbols: eSpeak phonemes (built-in corpus) or "arpabet" (CMUdict, LJSpeech)
    latent_channels: int = 192  # the encoder's own fields: TextEncoderFields
    # the posterior's input: linear magnitude spectrogram, n_fft // 2 + 1 bins
    spec_channels: int = N_FFT // 2 + 1
    # speakers: an embedding conditions the posterior, the flow, the duration predictor and the decoder
    n_speakers: int = 1
    speaker_channels: int = 0
    posterior: PosteriorConfig = PosteriorConfig()
    flow: FlowConfig = FlowConfig()
    duration: DurationConfig = DurationConfig()
    decoder: DecoderConfig = DecoderConfig()
    discriminator: DiscriminatorConfig = DiscriminatorConfig()
    # training (train.py of the official repo; the GAN loop is the training task's)
    segment_size: int = 8192  # samples decoded per utterance: 32 latent frames
    batch_size: int = 64
    learning_rate: float = 2e-4
    adam_betas: tuple[float, float] = (0.8, 0.99)
    adam_eps: float = 1e-9
    weight_decay: float = 0.01
    lr_decay: float = 0.999875  # ExponentialLR γ per epoch (= 0.999^(1/8))
    mel_loss_weight: float = 45.0
    feature_loss_weight: float = 2.0
    discriminator_start: int = 0  # steps of reconstruction losses alone before the GAN starts (0 = official)
    kl_loss_weight: float = 1.0
    seed: int = 1234
    # inference (the official inference notebook's values)
    noise_scale: float = 0.667
    noise_scale_w: float = 0.8
    length_scale: float = 1.0
    max_frames: int = MAX_SYNTHESIS_FRAMES

    def __post_init__(self) -> None:
        for name, kind in _SUB_CONFIGS.items():
            value = getattr(self, name)
            if isinstance(value, Mapping):  # read back from a checkpoint's JSON
                object.__setattr__(self, name, kind.from_dict(value))
            elif not isinstance(value, kind):
                raise ValueError(f"VITS config field {name} must be a {kind.__name__} (or its dict), got {value!r}")
        object.__setattr__(self, "adam_betas", tuple(self.adam_betas))
        check_text_fields(self)
        if self.n_speakers < 1:
            raise ValueError(f"n_speakers must be >= 1 (1 = single speaker), got {self.n_speakers}")
        if self.n_speakers > 1 and self.speaker_channels < 1:
            raise ValueError(f"n_speakers={self.n_speakers} needs speaker_channels >= 1 (vctk_base.json uses 256)")
        if self.n_speakers == 1 and self.speaker_channels:
            raise ValueError(f"speaker_channels={self.speaker_channels} with a single speaker conditions on nothing: "
                             "set speaker_channels=0, or n_speakers > 1")
        if self.discriminator_start < 0:
            raise ValueError(f"discriminator_start must be >= 0 steps (0 = adversarial from the start), "
                             f"got {self.discriminator_start}")
        if self.latent_channels % 2:
            raise ValueError(f"latent_channels must be even (the flow's couplings split it), got {self.latent_channels}")
        if self.segment_size % HOP_LENGTH:
            raise ValueError(f"segment_size {self.segment_size} must be a multiple of the hop length {HOP_LENGTH} "
                             "so a decoder window is whole latent frames")
        self.text_encoder_config()  # checks heads against channels now, not at build time

    @property
    def speaker_conditioned(self) -> bool:
        return self.n_speakers > 1

    @property
    def segment_frames(self) -> int:
        """Latent frames in one decoder window (32 for 8192 samples at hop 256)."""
        return self.segment_size // HOP_LENGTH

    def text_encoder_config(self) -> TextEncoderConfig:
        """The shared encoder without pre-net, predicting a mean and a log-σ per latent channel."""
        return self.shared_text_encoder(self.latent_channels, mean_only=False, prenet=False)

    def generator_config(self) -> HiFiGANConfig:
        return self.decoder.generator_config(self.latent_channels, self.speaker_channels)

    @classmethod
    def paper(cls) -> "VITSConfig":
        """``ljs_base.json`` (LJSpeech, one speaker, stochastic duration predictor): 36,321,072 parameters."""
        return cls()

    @classmethod
    def ljs_nosdp(cls) -> "VITSConfig":
        """``ljs_nosdp.json``: the deterministic duration predictor (2 convs, 256 filters): 35,349,761."""
        return cls(duration=DurationConfig(stochastic=False))

    @classmethod
    def vctk(cls) -> "VITSConfig":
        """``vctk_base.json``: 109 speakers, 256-dimensional speaker embedding: 39,700,208 parameters."""
        return cls(n_speakers=109, speaker_channels=256)

    @classmethod
    def tiny(cls) -> "VITSConfig":
        """The CPU design: every part of the paper's model at 64 channels, an iSTFT decoder, a warm-up.

        Kept: the spline stochastic duration predictor, the 4-coupling flow with flips, the
        posterior on the linear spectrogram, MAS, MPD + scale discriminator (at 1/16 of the
        channels, as the course vocoder's). Changed, by the vocoder's figures (lesson 06,
        ``data/checkpoints/README.md``): the decoder is the course's inverse-STFT generator
        (``ISTFTGeneratorConfig.small()``: frame-rate ConvNeXt blocks, no upsampling), which
        takes 1.6× more training steps per CPU second than a V3-shaped one and runs 4.5× faster
        at inference; and the first 10,000 steps train on the reconstruction, KL and duration
        losses alone (``discriminator_start``), because for the course vocoder a mel-only step
        cost a fifth of a GAN step on one CPU and learned more per CPU minute in every run we
        measured (the adversarial phase first costs PESQ while it builds pitch pulses).
        """
        return cls(
            latent_channels=64,
            encoder_channels=64,
            encoder_filter_channels=192,
            encoder_layers=2,
            posterior=PosteriorConfig(hidden_channels=64, n_layers=8),
            flow=FlowConfig(hidden_channels=64, n_layers=2),
            decoder=DecoderConfig(istft=ISTFTGeneratorConfig.small()),
            discriminator=DiscriminatorConfig(
                period_channels=(8, 16, 32, 64, 64),
                scale_channels=(16, 32, 64, 64, 64, 64),
                scale_groups=(1, 4, 8, 16, 16, 1),
            ),
            batch_size=8,
            discriminator_start=10_000,
        )

    @classmethod
    def tiny_multi(cls) -> "VITSConfig":
        """``tiny`` on the built-in multi-voice corpus: a 64-dimensional speaker embedding (as ``vctk_base.json``
        conditions every part on its 256); the number of speakers is read from the corpus."""
        return dataclasses.replace(cls.tiny(), n_speakers=5, speaker_channels=64)

    @classmethod
    def tiny_multi_f0(cls) -> "VITSConfig":
        """``tiny_multi`` with an explicit F0 (lesson 11): a pitch predictor on the prior side and a source-filter
        decoder (:mod:`course_lib.models.vits.source_filter`) in place of the iSTFT generator. It learns from its
        magnitudes (VITS's 45 · mel L1, plus an L1 of the linear magnitudes), KL, durations and pitch, without a
        discriminator: the phase comes from the pitch, so there is none to learn. Learning rate 1e-3, five times
        the paper's (at 200 steps: mel L1 0.65 against 0.77 at 2e-4, no instability)."""
        return dataclasses.replace(cls.tiny_multi(), decoder=DecoderConfig(source_filter=SourceFilterConfig()),
                                   discriminator_start=0, learning_rate=1e-3)

    @classmethod
    def tiny_multi_f0_anneal(cls) -> "VITSConfig":
        """The second phase of the shipped ``tiny_multi_f0`` recipe: the same model at a tenth of the learning
        rate, started (``train --init``) from the first phase's weights with a fresh optimizer. At 1e-3 the pitch
        predictor's per-voice offset wanders by ±60 cents between checkpoints (an L1 loss under Adam takes
        steps of about the learning rate whatever the error); at 1e-4 it settles."""
        return dataclasses.replace(cls.tiny_multi_f0(), learning_rate=1e-4)

    def replace(self, **changes) -> "VITSConfig":
        return dataclasses.replace(self, **changes)
