"""The GAN losses of HiFi-GAN (Kong et al. 2020 §2.4), as pure functions of discriminator results; the GAN
task (:mod:`course_lib.models.waveform.gan`) trains every adversarial model with :func:`discriminator_losses`
and :func:`generator_losses`.

* LSGAN (Mao et al. 2017): the discriminator pushes real scores to 1 and fake ones to 0,
  the generator pushes fake scores to 1 — squared errors, no log, stable gradients.
* Feature matching (×2): L1 between the discriminators' activations on real and generated
  audio, every layer of every sub-discriminator.
* Mel L1 (×45): L1 between log-mels of real and generated audio, using the mel up to
  Nyquist (``fmax=None``, 0–11,025 Hz) so the top band is trained too. 45 balances its
  small magnitude (~0.2–1) against the GAN terms and makes it the dominant early signal;
  it is what lets the GAN train stably from scratch (the paper's ablation: MOS 3.25
  without it vs 4.10 on V3).
* Phase (an inverse-STFT generator only, optional): APNet's anti-wrapping losses (Ai & Ling
  2023) between the predicted and the recording's STFT phase — see :func:`phase_loss`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import torch

from course_lib.audio import mel_spectrogram
from course_lib.models.waveform.discriminators import DiscriminatorResult

# every named discriminator's results on one batch, e.g. {"mpd": [5 results], "msd": [3 results]}
Verdicts = Mapping[str, list[DiscriminatorResult]]


def lsgan_discriminator_loss(real: list[DiscriminatorResult], fake: list[DiscriminatorResult]) -> torch.Tensor:
    """Σ_k E[(1 − D_k(x))²] + E[D_k(G(s))²] over sub-discriminators ``k``."""
    return sum(torch.mean((1 - r.score) ** 2) + torch.mean(f.score**2) for r, f in zip(real, fake))


def lsgan_generator_loss(fake: list[DiscriminatorResult]) -> torch.Tensor:
    """Σ_k E[(1 − D_k(G(s)))²]."""
    return sum(torch.mean((1 - f.score) ** 2) for f in fake)


def feature_matching_loss(real: list[DiscriminatorResult], fake: list[DiscriminatorResult]) -> torch.Tensor:
    """Σ_k Σ_i E|D_k^i(x) − D_k^i(G(s))| over sub-discriminators ``k`` and their layers ``i`` (unweighted).

    Real activations are detached: they are the target, not something the generator moves.
    """
    return sum(
        torch.mean(torch.abs(r_feat.detach() - f_feat))
        for r, f in zip(real, fake)
        for r_feat, f_feat in zip(r.features, f.features)
    )


def mel_l1_loss(real_wave: torch.Tensor, fake_wave: torch.Tensor) -> torch.Tensor:
    """Mean |log-mel(real) − log-mel(fake)| on the 0–11,025 Hz mel; waves ``[B, 1, N]`` or ``[B, N]`` (unweighted)."""
    real_mel = mel_spectrogram(real_wave, fmax=None)     # [B, 80, N // 256]
    fake_mel = mel_spectrogram(fake_wave, fmax=None)
    return torch.nn.functional.l1_loss(fake_mel, real_mel.detach())


@dataclass
class DiscriminatorLosses:
    """``total``: the sum of ``each`` (``{discriminator name: its LSGAN loss}``)."""

    total: torch.Tensor
    each: dict[str, torch.Tensor]


@dataclass
class GeneratorLosses:
    """``total`` = adversarial + feature_loss_weight · feature_matching (the parts unweighted); a model adds its
    own reconstruction losses to it (HiFi-GAN: 45 · mel L1)."""

    total: torch.Tensor
    adversarial: torch.Tensor
    feature_matching: torch.Tensor


def discriminator_losses(real: Verdicts, fake: Verdicts) -> DiscriminatorLosses:
    """What the discriminators minimise: each one's LSGAN loss on the real and the (detached) generated batch,
    summed over the discriminators. ``real``, ``fake``: ``{name: results}`` with the same names."""
    each = {name: lsgan_discriminator_loss(real[name], fake[name]) for name in fake}
    return DiscriminatorLosses(total=sum(each.values()), each=each)


def generator_losses(real: Verdicts, fake: Verdicts, feature_loss_weight: float = 2.0) -> GeneratorLosses:
    """What the generator minimises against the discriminators (paper eq. 6 without its mel term): adversarial +
    λ_fm · feature matching, each summed over the discriminators. ``real`` only supplies feature-matching
    targets (its activations are detached)."""
    adversarial = sum(lsgan_generator_loss(fake[name]) for name in fake)
    feature = sum(feature_matching_loss(real[name], fake[name]) for name in fake)
    return GeneratorLosses(total=adversarial + feature_loss_weight * feature, adversarial=adversarial,
                           feature_matching=feature)


def anti_wrapping(x: torch.Tensor) -> torch.Tensor:
    """``|x − 2π·round(x / 2π)|``: the distance of an angle difference from the nearest multiple of 2π, in [0, π].

    A phase is only defined up to 2π, so an error of 2π − 0.1 is really an error of 0.1.
    """
    return (x - 2 * math.pi * torch.round(x / (2 * math.pi))).abs()


def phase_loss(predicted: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """APNet's phase loss between phases ``[B, F, T]`` (radians, any range): ``(ip + gd + iaf, parts)``.

    * ``ip`` — instantaneous phase: the anti-wrapped error of each bin of each frame;
    * ``gd`` — group delay: of the phase's difference along frequency (where in the frame energy sits);
    * ``iaf`` — instantaneous angular frequency: of its difference along time (how fast each bin turns).

    Each is a mean over bins and frames. A constant phase offset costs ``ip`` alone; a time shift of the
    whole wave (a phase ramp across frequency) costs ``ip`` and ``gd`` but not ``iaf``.
    """
    ip = anti_wrapping(predicted - target).mean()
    gd = anti_wrapping(torch.diff(predicted, dim=-2) - torch.diff(target, dim=-2)).mean()
    iaf = anti_wrapping(torch.diff(predicted, dim=-1) - torch.diff(target, dim=-1)).mean()
    return ip + gd + iaf, {"phase_ip": ip, "phase_gd": gd, "phase_iaf": iaf}
