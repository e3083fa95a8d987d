"""VITS with an explicit F0: a pitch predictor on the prior side and a source-filter decoder.

Why (lesson 11): the tiny VITS's frame-rate inverse-STFT decoder maps each latent frame to one
complex STFT frame. Nothing in it knows the pitch, and frames that repeat every 256 samples make a
wave that repeats every 256 samples: its low male voices sat at the hop rate, 86 Hz. Period VITS
(Shirahata et al., ICASSP 2023) and VISinger 2 (Zhang et al. 2022) give the decoder the F0 instead.
This decoder takes the course vocoder's route (lesson 06 §6), with ``z`` in place of the mel:

* **filter** — a conv stack reads ``z``, log-F0 and voicing (and the speaker) and predicts, per
  frame, a log envelope as ``envelope_order`` cosine terms (the low quefrencies of a cepstrum: a
  curve that cannot draw harmonics below ``22,050 / envelope_order`` Hz, so the only harmonics in
  the output are the ones the pitch puts there) and a harmonicity per bin, also a smooth curve;
* **source** — the harmonic comb of F0 (:func:`~course_lib.models.waveform.harmonics.harmonic_comb`):
  ``|S| = envelope · ((1 − w) + w · comb(F0))``;
* **phase** — locked to F0 (:func:`course_lib.pitch.pitch_locked_phase`), then a few of
  Griffin-Lim's projections, then the inverse STFT. No network invents a phase, so none buzzes.

In training the F0 is the corpus's (``pitch.tsv``); at inference the :class:`PitchPredictor` gives
it, from the text encoder's hidden states expanded to frames by the durations, with the speaker.
The decoder is trained on the magnitudes it predicts (no wave, no discriminator), so a step costs
a fraction of a GAN step and it decodes whole utterances, not 32-frame windows.

Shapes: ``z [B, C_z, T]``, ``f0``/``voiced`` ``[B, T]``, magnitudes ``[B, 513, T]``, masks ``[B, 1, T]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.audio import N_FFT, istft, mel_basis, project_phase
from course_lib.models.config_io import ConfigIO
from course_lib.models.waveform.harmonics import harmonic_comb
from course_lib.nn.layers import ConvStack
from course_lib.pitch import F0_FLOOR, pitch_locked_phase

N_BINS = N_FFT // 2 + 1
LOG_FLOOR = 1e-5          # the course mel's floor, for the magnitudes' logs
REFERENCE_F0 = 150.0      # Hz: log-F0 is read as log(F0 / 150), about 0 for the corpus's voices
ENVELOPE_CENTRE = -4.0    # nats: where a fresh decoder's log envelope starts (quiet speech)
ENVELOPE_RANGE = 9.0      # nats either side of the centre, bounded by a tanh (exp() cannot overflow)


@dataclass(frozen=True)
class SourceFilterConfig(ConfigIO):
    """The source-filter decoder and the pitch predictor of a VITS with an explicit F0."""

    MODEL_NAME: ClassVar[str] = "VITS source-filter decoder"

    channels: int = 192
    dilations: tuple[int, ...] = (1, 2, 4, 1, 2, 4)
    envelope_order: int = 48      # cosine terms of the log envelope: no harmonic structure below 22,050/48 ≈ 459 Hz
    harmonicity_order: int = 16   # cosine terms of the harmonicity's logit
    pitch_channels: int = 128
    pitch_dilations: tuple[int, ...] = (1, 2, 4, 1, 2, 4)
    n_projections: int = 4        # Griffin-Lim projections after the pitch-locked phase (fast GL's momentum)
    momentum: float = 0.99
    pitch_loss_weight: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "dilations", tuple(self.dilations))
        object.__setattr__(self, "pitch_dilations", tuple(self.pitch_dilations))
        for name in ("channels", "envelope_order", "harmonicity_order", "pitch_channels"):
            if getattr(self, name) < 1:
                raise ValueError(f"SourceFilterConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.envelope_order > N_BINS or self.harmonicity_order > N_BINS:
            raise ValueError(f"envelope_order and harmonicity_order must be <= {N_BINS} (the STFT's bins)")
        if not self.dilations or not self.pitch_dilations or min(*self.dilations, *self.pitch_dilations) < 1:
            raise ValueError("dilations and pitch_dilations need at least one entry, each >= 1")
        if self.n_projections < 0:
            raise ValueError(f"n_projections must be >= 0 (0: the pitch-locked phase as it is), got "
                             f"{self.n_projections}")
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {self.momentum}")


def cosine_basis(order: int, n_bins: int = N_BINS) -> torch.Tensor:
    """``[n_bins, order]``: column ``n`` is ``cos(π·n·k / (n_bins − 1))`` over the bins ``k``. A log spectrum
    written with the first ``order`` columns is a cepstrum cut after quefrency ``order`` samples: it cannot
    hold a period longer than that, so no harmonic comb of a pitch below ``22,050 / order`` Hz."""
    bins = torch.arange(n_bins, dtype=torch.float64)[:, None]
    return torch.cos(math.pi * torch.arange(order, dtype=torch.float64)[None, :] * bins / (n_bins - 1)).float()


def log_f0_feature(f0: torch.Tensor, voiced: torch.Tensor) -> torch.Tensor:
    """``f0``, ``voiced`` ``[B, T]`` → ``[B, 2, T]``: log(F0 / 150) (0 where unvoiced) and the voicing, the two
    pitch channels a network reads."""
    log_f0 = torch.where(voiced, torch.log(f0.clamp_min(F0_FLOOR) / REFERENCE_F0), torch.zeros_like(f0))
    return torch.stack([log_f0, voiced.to(f0.dtype)], dim=1)


class SourceFilterDecoder(nn.Module):
    """``z [B, C_z, T]`` and a pitch track → log magnitudes ``[B, 513, T]`` (:meth:`log_magnitude`), or a wave
    ``[B, T·256]`` with the phase locked to the pitch (:meth:`wave`)."""

    def __init__(self, config: SourceFilterConfig, latent_channels: int, speaker_channels: int = 0) -> None:
        super().__init__()
        self.config = config
        self.net = ConvStack(latent_channels + 2, config.channels, config.envelope_order + config.harmonicity_order,
                             config.dilations, speaker_channels)
        self.register_buffer("envelope_basis", cosine_basis(config.envelope_order), persistent=False)
        self.register_buffer("harmonicity_basis", cosine_basis(config.harmonicity_order), persistent=False)

    def envelope_and_harmonicity(self, z: torch.Tensor, f0: torch.Tensor, voiced: torch.Tensor,
                                 speaker: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The filter and the source's mix: ``log envelope [B, 513, T]`` (bounded) and ``harmonicity [B, 513, T]``
        in [0, 1] (0 in unvoiced frames)."""
        out = self.net(torch.cat([z, log_f0_feature(f0, voiced).to(z.dtype)], dim=1), speaker).float()
        envelope, harmonicity = out.split([self.config.envelope_order, self.config.harmonicity_order], dim=1)
        log_envelope = torch.einsum("kn,bnt->bkt", self.envelope_basis, envelope)
        log_envelope = ENVELOPE_CENTRE + ENVELOPE_RANGE * torch.tanh(log_envelope / ENVELOPE_RANGE)
        weight = torch.sigmoid(torch.einsum("kn,bnt->bkt", self.harmonicity_basis, harmonicity))
        return log_envelope, weight * voiced[:, None, :]

    def log_magnitude(self, z: torch.Tensor, f0: torch.Tensor, voiced: torch.Tensor,
                      speaker: torch.Tensor | None = None) -> torch.Tensor:
        """``log |STFT| [B, 513, T]`` (float32): the envelope times a mix of a flat noise floor and the comb of F0."""
        log_envelope, weight = self.envelope_and_harmonicity(z, f0, voiced, speaker)
        return log_envelope + torch.log((1 - weight) + weight * harmonic_comb(f0.float(), voiced) + 1e-4)

    def wave(self, z: torch.Tensor, f0: torch.Tensor, voiced: torch.Tensor, speaker: torch.Tensor | None = None,
             seed: int = 0) -> torch.Tensor:
        """``[B, T·256]``: the magnitudes, their phase locked to ``f0`` (random where unvoiced, seeded), then
        ``n_projections`` of Griffin-Lim's projections and the inverse STFT."""
        magnitude = self.log_magnitude(z, f0, voiced, speaker).exp()
        phase = torch.stack([pitch_locked_phase(f0[i].detach().cpu(), voiced[i].cpu(), seed)
                             for i in range(z.shape[0])]).to(magnitude.device)
        return istft(project_phase(magnitude, phase, self.config.n_projections, self.config.momentum))


@dataclass
class PitchLosses:
    """``log_f0``: L1 of log-F0 on the frames voiced in the target; ``voicing``: binary cross-entropy on every
    frame of the utterance. Both per frame, averaged over the batch."""

    log_f0: torch.Tensor
    voicing: torch.Tensor


class PitchPredictor(nn.Module):
    """The text's hidden states per frame ``[B, C, T]`` (and the speaker) → log-F0 ``[B, T]`` (natural log of Hz)
    and voicing logits ``[B, T]``."""

    def __init__(self, config: SourceFilterConfig, in_channels: int, speaker_channels: int = 0) -> None:
        super().__init__()
        self.net = ConvStack(in_channels, config.pitch_channels, 2, config.pitch_dilations, speaker_channels)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor,
                speaker: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.net(hidden * mask, speaker).float() * mask
        return out[:, 0] + math.log(REFERENCE_F0), out[:, 1]

    def predict(self, hidden: torch.Tensor, mask: torch.Tensor, speaker: torch.Tensor | None = None,
                shift: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
        """``f0 [B, T]`` (Hz × ``shift``, 0 where unvoiced or padded) and ``voiced [B, T]`` (bool)."""
        log_f0, voicing = self(hidden, mask, speaker)
        voiced = (voicing > 0) & (mask[:, 0] > 0)
        return torch.where(voiced, log_f0.exp() * shift, torch.zeros_like(log_f0)), voiced

    def losses(self, hidden: torch.Tensor, mask: torch.Tensor, f0: torch.Tensor,
               speaker: torch.Tensor | None = None) -> PitchLosses:
        """Against the corpus's ``f0 [B, T]`` (Hz, 0 = unvoiced) on the frames of ``mask [B, 1, T]``."""
        log_f0, voicing = self(hidden, mask, speaker)
        frames = mask[:, 0]
        voiced = (f0 > 0).float() * frames
        target = torch.log(f0.clamp_min(F0_FLOOR))
        log_f0_loss = ((log_f0 - target).abs() * voiced).sum() / voiced.sum().clamp_min(1.0)
        bce = F.binary_cross_entropy_with_logits(voicing, voiced, reduction="none")
        return PitchLosses(log_f0=log_f0_loss, voicing=(bce * frames).sum() / frames.sum().clamp_min(1.0))


@dataclass
class SpectralLosses:
    """``mel``: L1 between the log-mels (0–11,025 Hz) of the predicted and the true magnitudes, VITS's
    reconstruction measure taken before the wave; ``magnitude``: L1 of the linear magnitudes relative to the
    target's total (the loud harmonic peaks a listener hears, which the mel blurs)."""

    mel: torch.Tensor
    magnitude: torch.Tensor


def spectral_losses(log_magnitude: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> SpectralLosses:
    """``log_magnitude [B, 513, T]`` (predicted), ``target [B, 513, T]`` (linear |STFT| of the recording),
    ``mask [B, 1, T]``."""
    magnitude = log_magnitude.exp() * mask
    target = target.float() * mask
    basis = mel_basis(None, target.device)
    predicted_mel = torch.log((basis @ magnitude).clamp_min(LOG_FLOOR))
    target_mel = torch.log((basis @ target).clamp_min(LOG_FLOOR))
    frames = mask.sum().clamp_min(1.0)
    mel = ((predicted_mel - target_mel).abs() * mask).sum() / (frames * basis.shape[0])
    linear = (magnitude - target).abs().sum() / target.sum().clamp_min(LOG_FLOOR)
    return SpectralLosses(mel=mel, magnitude=linear)


__all__ = ["SourceFilterConfig", "SourceFilterDecoder", "PitchPredictor", "PitchLosses", "SpectralLosses",
           "cosine_basis", "log_f0_feature", "spectral_losses"]
