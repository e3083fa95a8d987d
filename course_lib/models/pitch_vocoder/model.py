"""The course vocoder as a module: pitch from the mel, magnitudes on a harmonic comb, phase from the pitch.

Shapes: ``mel [B, 80, T]`` → ``wave [B, T·256]``; ``f0``, ``voiced`` ``[B, T]``; magnitudes ``[B, 513, T]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from course_lib.audio import istft, linear_spectrogram, mel_basis, project_phase
from course_lib.models.pitch_vocoder.config import PitchVocoderConfig
from course_lib.models.waveform.harmonics import N_BINS, decode_f0, f0_bins, f0_target, harmonic_comb
from course_lib.nn.layers import ConvStack
from course_lib.nn.spectral import multi_resolution_stft
from course_lib.pitch import pitch_locked_phase
from course_lib.source_filter import NYQUIST, envelope_at, filtered_noise, harmonic_source, sinusoid_amplitude

LOG_FLOOR = 1e-5  # the magnitudes' floor, as the course mel's


@dataclass(frozen=True)
class PitchVocoderLosses:
    """``total`` = ``log_magnitude`` (L1 of log |STFT|) + ``magnitude`` (L1 of |STFT| relative to the target's
    total, which weighs the loud peaks a listener hears) + ``pitch`` (cross-entropy of the F0 class, voiced frames)
    + ``voicing`` (binary cross-entropy) + ``waveform`` (the multi-resolution STFT distance of the harmonic-plus-noise
    wave, made at the true pitch, to the recording; 0 for the ``projection`` synthesis, which needs no wave)."""

    total: torch.Tensor
    log_magnitude: torch.Tensor
    magnitude: torch.Tensor
    pitch: torch.Tensor
    voicing: torch.Tensor
    waveform: torch.Tensor


class PitchVocoder(nn.Module):
    """Mel → (F0, voicing) → |STFT| on the harmonic comb of that F0 → phase locked to it → a few projections
    (:meth:`synthesize`); or the same pitch and envelopes through an oscillator bank and filtered noise
    (:meth:`harmonic_plus_noise`)."""

    def __init__(self, config: PitchVocoderConfig):
        super().__init__()
        self.config = config
        self.magnitude_net = ConvStack(config.n_mels + 2, config.channels, 2 * N_BINS, config.dilations)
        self.pitch_net = ConvStack(config.n_mels + config.pitch_low_bins, config.pitch_channels,
                                   config.pitch_classes + 1, config.pitch_dilations)
        self.register_buffer("pseudo_inverse", torch.linalg.pinv(mel_basis()), persistent=False)       # [513, 80]
        self.register_buffer("f0_classes", f0_bins(config.pitch_classes, config.f0_min, config.f0_max),
                             persistent=False)

    # ------------------------------------------------------------------ the parts
    def linear_from_mel(self, mel: torch.Tensor) -> torch.Tensor:
        """The mel's pseudo-inverse, Griffin-Lim's starting magnitudes, as a log: ``[B, 80, T]`` → ``[B, 513, T]``."""
        return torch.log((self.pseudo_inverse @ mel.exp()).clamp_min(LOG_FLOOR))

    def pitch_logits(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``mel [B, 80, T]`` → F0 class logits ``[B, classes, T]`` and voicing logits ``[B, T]``."""
        low = self.linear_from_mel(mel)[:, : self.config.pitch_low_bins]
        out = self.pitch_net(torch.cat([mel, low], dim=1))
        return out[:, :-1], out[:, -1]

    def predict_pitch(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``mel [B, 80, T]`` → ``f0 [B, T]`` (Hz, 0 where unvoiced) and ``voiced [B, T]`` (bool)."""
        classes, voicing = self.pitch_logits(mel)
        voiced = voicing > 0
        return torch.where(voiced, decode_f0(classes, self.f0_classes), torch.zeros_like(voicing)), voiced

    def source_and_filter(self, mel: torch.Tensor, f0: torch.Tensor,
                          voiced: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The filter and the source's mix, per bin: ``log envelope [B, 513, T]`` — the mel's pseudo-inverse + a
        learned residual (bounded) — and ``harmonicity [B, 513, T]`` in [0, 1], how much of each bin is the harmonic
        comb of ``f0`` rather than noise (0 in unvoiced frames)."""
        log_f0 = torch.where(voiced, torch.log(f0.clamp_min(self.config.f0_min) / 150.0), torch.zeros_like(f0))
        residual, harmonicity = self.magnitude_net(torch.cat([mel, log_f0[:, None], voiced[:, None].to(mel.dtype)],
                                                             dim=1)).chunk(2, dim=1)
        bound = self.config.max_residual
        return (self.linear_from_mel(mel) + bound * torch.tanh(residual / bound),
                torch.sigmoid(harmonicity) * voiced[:, None, :])

    def log_magnitude(self, mel: torch.Tensor, f0: torch.Tensor, voiced: torch.Tensor) -> torch.Tensor:
        """``log |STFT| [B, 513, T]``: the envelope times (in the log) a mix of the flat noise floor and the harmonic
        comb of ``f0``, weighed by the harmonicity (:meth:`source_and_filter`)."""
        log_envelope, weight = self.source_and_filter(mel, f0, voiced)
        return log_envelope + torch.log((1 - weight) + weight * harmonic_comb(f0, voiced) + 1e-4)

    # ------------------------------------------------------------------ training
    def forward(self, mel: torch.Tensor, wave: torch.Tensor, f0: torch.Tensor) -> PitchVocoderLosses:
        """On a batch of ``mel [B, 80, T]``, its ``wave [B, T·256]`` (the target) and ``f0 [B, T]`` (Hz, 0 = unvoiced;
        the magnitude network is given the true pitch, the pitch network learns to predict it)."""
        voiced = f0 > 0
        magnitude = linear_spectrogram(wave)                                                     # [B, 513, T]
        log_magnitude = self.log_magnitude(mel, f0, voiced)
        log_loss = (log_magnitude - torch.log(magnitude.clamp_min(LOG_FLOOR))).abs().mean()
        linear_loss = (log_magnitude.exp() - magnitude).abs().sum() / magnitude.abs().sum().clamp_min(LOG_FLOOR)
        classes, voicing = self.pitch_logits(mel)
        target = f0_target(f0, self.f0_classes)
        per_frame = -(target * classes.log_softmax(dim=1)).sum(dim=1)
        pitch_loss = (per_frame * voiced).sum() / voiced.sum().clamp_min(1)
        voicing_loss = F.binary_cross_entropy_with_logits(voicing, voiced.to(voicing.dtype))
        waveform_loss = torch.zeros_like(log_loss)
        if self.config.synthesis == "harmonic_noise":
            waveform_loss = multi_resolution_stft(wave, self._harmonic_plus_noise(mel, f0, voiced, seed=None))
        total = log_loss + linear_loss + pitch_loss + voicing_loss + waveform_loss
        return PitchVocoderLosses(total=total, log_magnitude=log_loss, magnitude=linear_loss, pitch=pitch_loss,
                                  voicing=voicing_loss, waveform=waveform_loss)

    # ------------------------------------------------------------------ inference
    @torch.no_grad()
    def synthesize(self, mel: torch.Tensor, pitch_shift: float = 1.0, seed: int = 0) -> torch.Tensor:
        """``mel [B, 80, T]`` → ``wave [B, T·256]`` the config's way (:meth:`phase_retrieval` or
        :meth:`harmonic_plus_noise`), the predicted F0 multiplied by ``pitch_shift``."""
        if self.config.synthesis == "harmonic_noise":
            return self.harmonic_plus_noise(mel, pitch_shift, seed)
        return self.phase_retrieval(mel, pitch_shift, seed=seed)

    @torch.no_grad()
    def phase_retrieval(self, mel: torch.Tensor, pitch_shift: float = 1.0, n_projections: int | None = None,
                        seed: int = 0) -> torch.Tensor:
        """``mel [B, 80, T]`` → ``wave [B, T·256]``: the magnitudes of :meth:`log_magnitude` at the predicted pitch,
        their phase locked to it, then ``n_projections`` (default: the config's) of Griffin-Lim's projections.

        ``pitch_shift`` multiplies the predicted F0 before the comb and the phase are built. Not a pitch knob for
        speech: the magnitude network reads the whole mel, whose low bins hold the recording's own harmonics, and
        puts them back (×1.25 moved a male test voice's median F0 by ×1.02). Where the mel holds no harmonics
        (noise, a flat envelope) the shift is exact (``tests/test_pitch_vocoder.py``).
        """
        f0, voiced = self.predict_pitch(mel)
        return self.locked_wave(mel, f0 * _checked_shift(pitch_shift), voiced, n_projections, seed).clamp(-1.0, 1.0)

    def locked_wave(self, mel: torch.Tensor, f0: torch.Tensor, voiced: torch.Tensor, n_projections: int | None = None,
                    seed: int = 0) -> torch.Tensor:
        """The phase-retrieval wave ``[B, T·256]`` at a given pitch, differentiable in the magnitudes (an
        adversarial fine-tune trains through it, :mod:`course_lib.models.pitch_vocoder.adversarial`)."""
        magnitude = self.log_magnitude(mel, f0, voiced).exp()
        phase = torch.stack([pitch_locked_phase(f0[i].detach().cpu(), voiced[i].cpu(), seed)
                             for i in range(mel.shape[0])])
        projections = self.config.n_projections if n_projections is None else n_projections
        return istft(project_phase(magnitude, phase.to(magnitude.device), projections, self.config.momentum))

    @torch.no_grad()
    def harmonic_plus_noise(self, mel: torch.Tensor, pitch_shift: float = 1.0, seed: int = 0) -> torch.Tensor:
        """``mel [B, 80, T]`` → ``wave [B, T·256]`` the way eSpeak makes speech: an oscillator bank at every harmonic
        ``h·F0`` of the predicted pitch (times ``pitch_shift``) plus filtered noise. No phase retrieval: the phase
        is the oscillators' own. Their loudness is read off an envelope that still holds the mel's own resolved
        harmonics: a low voice follows a shift, a high one barely moves (lesson 06 measures both)."""
        f0, voiced = self.predict_pitch(mel)
        return self._harmonic_plus_noise(mel, f0 * _checked_shift(pitch_shift), voiced, seed).clamp(-1.0, 1.0)

    def _harmonic_plus_noise(self, mel: torch.Tensor, f0: torch.Tensor, voiced: torch.Tensor,
                             seed: int | None) -> torch.Tensor:
        """The source-filter wave at a given pitch (differentiable in the networks' outputs): harmonic ``h``'s
        amplitude is the height the magnitudes of :meth:`log_magnitude` have at ``h·F0`` — the envelope × (noise
        floor + harmonicity × the comb's peak) — and the noise is filtered by the envelope × (1 − harmonicity).
        ``seed`` None draws the noise from torch's global generator (training)."""
        log_envelope, weight = self.source_and_filter(mel, f0, voiced)
        envelope = log_envelope.exp()
        peak = harmonic_comb(f0, voiced).amax(dim=1, keepdim=True)                                  # [B, 1, T]
        lowest = float(f0[voiced].min()) if bool(voiced.any()) else NYQUIST
        harmonics = torch.arange(1, int(NYQUIST // lowest) + 1, dtype=f0.dtype, device=f0.device)[None, :, None]
        height = envelope_at(envelope * (1 - weight + weight * peak), harmonics * f0[:, None, :])   # [B, H, T]
        amplitudes = sinusoid_amplitude(height) * voiced[:, None, :]
        return harmonic_source(f0, amplitudes) + filtered_noise(envelope * (1 - weight), seed)


def _checked_shift(pitch_shift: float) -> float:
    if not pitch_shift > 0:
        raise ValueError(f"pitch_shift must be > 0 (1 = as predicted, 2 = an octave up), got {pitch_shift}")
    return pitch_shift
