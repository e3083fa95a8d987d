"""Speech as a source times a filter, as pure functions: an oscillator bank for the harmonics of F0 and
filtered noise — how eSpeak NG makes the corpus's voices, and a vocoder's harmonic-plus-noise synthesis.

A voiced sound is a sum of harmonics ``h·F0`` whose amplitudes follow a smooth envelope (the vocal tract's
resonances); an unvoiced one is noise shaped by an envelope. Shapes: ``f0``, ``voiced`` ``[B, T]`` at the course's
frame rate (frame ``t`` centred on sample ``256t + 128``); amplitudes ``[B, H, T]``; magnitudes ``[B, 513, T]``;
waves ``[B, T·256]``.

* :func:`f0_per_sample` — the frame-rate F0 drawn at every sample, linear between frame centres.
* :func:`oscillator_bank` — ``Σ_h a_h(n) · sin(h·Φ(n))`` with ``Φ(n) = 2π Σ_{m ≤ n} F0(m) / 22,050``: one running
  phase, so every harmonic is continuous across frames; a harmonic at or above Nyquist is silent.
* :func:`harmonic_source` — the same from frame-rate F0 and amplitudes.
* :func:`filtered_noise` — white noise whose STFT is scaled, bin by bin and frame by frame, to the given magnitudes.
* :func:`sinusoid_amplitude` — an STFT peak's height → the amplitude of the sinusoid that makes it.
* :func:`envelope_at` — read a ``[B, 513, T]`` envelope at any frequencies (linear between bins).
"""

from __future__ import annotations

import math

import torch

from course_lib.audio import complex_spectrogram, istft
from course_lib.framing import HOP_LENGTH, N_FFT, SAMPLE_RATE, WIN_LENGTH

NYQUIST = SAMPLE_RATE / 2
BIN_HZ = SAMPLE_RATE / N_FFT  # 21.53 Hz between STFT bins
HARMONICS_AT_ONCE = 16        # the oscillator bank's chunk: bounds its memory for a long utterance


def f0_per_sample(f0: torch.Tensor) -> torch.Tensor:
    """``f0 [B, T]`` (Hz, 0 = unvoiced) → ``[B, T·256]``: each sample's F0, linear between frame centres and held
    before the first and after the last. A voiced frame next to an unvoiced one is not glided down to 0 Hz: the
    unvoiced side takes its voiced neighbour's value, and :func:`harmonic_source` silences it by its amplitudes."""
    if f0.dim() != 2:
        raise ValueError(f"expected f0 [B, T], got shape {tuple(f0.shape)}")
    return _frames_to_samples(_fill_unvoiced(f0)[:, None, :])[:, 0]


def _fill_unvoiced(f0: torch.Tensor) -> torch.Tensor:
    """Unvoiced frames (0 Hz) take the nearest voiced frame's F0 (the earlier one on a tie); 100 Hz if none."""
    voiced = f0 > 0
    index = torch.arange(f0.shape[1], device=f0.device).expand_as(f0)
    last = torch.where(voiced, index, torch.full_like(index, -1)).cummax(dim=1).values                 # last voiced
    following = torch.where(voiced, index, torch.full_like(index, f0.shape[1])).flip(1).cummin(dim=1).values.flip(1)
    use_last = (last >= 0) & ((following >= f0.shape[1]) | (index - last <= following - index))
    source = torch.where(use_last, last, following).clamp(0, f0.shape[1] - 1)
    filled = torch.gather(f0, 1, source)
    return torch.where(voiced.any(dim=1, keepdim=True), filled, torch.full_like(f0, 100.0))


def oscillator_bank(f0: torch.Tensor, gains: torch.Tensor) -> torch.Tensor:
    """Sample-rate ``f0 [B, N]`` (Hz) and ``gains [B, H, N]`` → ``wave [B, N]`` = ``Σ_h gains_h(n) · sin(h·Φ(n))``,
    ``h = 1 … H``, with one running phase ``Φ(n) = 2π Σ_{m ≤ n} f0(m) / 22,050``
    for all of them; a harmonic is silent at every sample where ``h·f0 ≥ 11,025 Hz``.

    The phase is integrated, not ``2π·f0·n / sr``: that is right only for a constant pitch, and jumps wherever the
    pitch moves.
    """
    return _sum_harmonics(_running_phase(f0), f0, gains, first_harmonic=1)


def _running_phase(f0: torch.Tensor) -> torch.Tensor:
    """``f0 [B, N]`` (Hz per sample) → ``Φ [B, N]`` in float64: ``2π Σ_{m ≤ n} f0(m) / 22,050``."""
    return 2 * math.pi * torch.cumsum(f0.double() / SAMPLE_RATE, dim=1)


def _sum_harmonics(phase: torch.Tensor, f0: torch.Tensor, gains: torch.Tensor, first_harmonic: int) -> torch.Tensor:
    """``Σ_h gains_h · sin(h·Φ)`` over ``h = first_harmonic …``, silent where ``h·f0 ≥`` Nyquist (see
    :func:`oscillator_bank`)."""
    harmonic = torch.arange(first_harmonic, first_harmonic + gains.shape[1], dtype=torch.float64,
                            device=f0.device)[None, :, None]
    audible = harmonic * f0.double()[:, None, :] < NYQUIST
    turned = torch.remainder(harmonic * phase[:, None, :], 2 * math.pi).to(gains.dtype)    # wrapped in float64: exact
    return (torch.where(audible, gains, torch.zeros_like(gains)) * torch.sin(turned)).sum(1)


def harmonic_source(f0: torch.Tensor, amplitudes: torch.Tensor) -> torch.Tensor:
    """Frame-rate ``f0 [B, T]`` (Hz) and ``amplitudes [B, H, T]`` (harmonic ``h = 1 … H`` at each frame; 0 where
    unvoiced) → ``wave [B, T·256]``: both drawn at every sample, linear between frame centres
    (:func:`f0_per_sample`), then the :func:`oscillator_bank`, a few harmonics at a time (``[B, H, N]`` at once
    would be large for a long utterance)."""
    if amplitudes.dim() != 3 or amplitudes.shape[0] != f0.shape[0] or amplitudes.shape[2] != f0.shape[1]:
        raise ValueError(f"amplitudes must be [B, H, T] for f0 [B, T] = {tuple(f0.shape)}, got "
                         f"{tuple(amplitudes.shape)}")
    per_sample = f0_per_sample(f0.double())                                                      # [B, N]
    phase = _running_phase(per_sample)                                                           # once, shared
    wave = torch.zeros(per_sample.shape, dtype=torch.float32, device=f0.device)
    for first in range(0, amplitudes.shape[1], HARMONICS_AT_ONCE):
        gains = _frames_to_samples(amplitudes[:, first: first + HARMONICS_AT_ONCE].float())      # [B, h, N]
        wave = wave + _sum_harmonics(phase, per_sample, gains, first + 1)
    return wave


def _frames_to_samples(values: torch.Tensor) -> torch.Tensor:
    """``[B, C, T]`` frame values → ``[B, C, T·256]``, linear between frame centres, held at both ends."""
    n_frames = values.shape[-1]
    samples = torch.arange(n_frames * HOP_LENGTH, dtype=values.dtype, device=values.device)
    position = ((samples - HOP_LENGTH / 2) / HOP_LENGTH).clamp(0, n_frames - 1)
    left = position.floor().long().clamp(max=n_frames - 1)
    right = (left + 1).clamp(max=n_frames - 1)
    weight = position - left.to(values.dtype)
    return values[..., left] * (1 - weight) + values[..., right] * weight


def filtered_noise(magnitude: torch.Tensor, seed: int | None = 0) -> torch.Tensor:
    """``magnitude [B, 513, T]`` → ``wave [B, T·256]``: white Gaussian noise (a CPU generator seeded with ``seed``;
    None: torch's global one, as in training) whose STFT is
    scaled so its expected magnitude is ``magnitude`` in every bin and frame, then inverted. The noise's STFT is a
    real wave's before the scaling, so a smooth envelope comes back close to what was asked."""
    if magnitude.dim() != 3 or magnitude.shape[1] != N_FFT // 2 + 1:
        raise ValueError(f"expected magnitudes [B, 513, T], got shape {tuple(magnitude.shape)}")
    batch, _, n_frames = magnitude.shape
    generator = None if seed is None else torch.Generator().manual_seed(seed)
    white = torch.randn(batch, n_frames * HOP_LENGTH, generator=generator).to(magnitude.device)
    spectrum = complex_spectrogram(white)                                                        # [B, 513, T]
    window = torch.hann_window(WIN_LENGTH, device=magnitude.device)
    # |X| of unit white noise through the window is Rayleigh: its mean is √π/2 of its RMS, √(Σ window²)
    mean_magnitude = math.sqrt(math.pi * float(window.pow(2).sum())) / 2
    return istft(spectrum * (magnitude / mean_magnitude))


def sinusoid_amplitude(peak: torch.Tensor) -> torch.Tensor:
    """The height of an STFT peak (course framing, Hann window of 1,024) → the amplitude of the sinusoid that makes
    it: a sinusoid ``A·sin`` on a bin shows ``A · Σ window / 2 = 256·A`` there."""
    return peak / (WIN_LENGTH / 4)


def envelope_at(envelope: torch.Tensor, frequency: torch.Tensor) -> torch.Tensor:
    """``envelope [B, 513, T]`` read at ``frequency [B, H, T]`` (Hz), linear between bins; 0 above Nyquist."""
    position = (frequency / BIN_HZ).clamp(0, envelope.shape[1] - 1)
    left = position.floor().long().clamp(max=envelope.shape[1] - 2)
    weight = position - left.to(position.dtype)
    values = torch.gather(envelope, 1, left) * (1 - weight) + torch.gather(envelope, 1, left + 1) * weight
    return torch.where(frequency < NYQUIST, values, torch.zeros_like(values))


__all__ = ["NYQUIST", "BIN_HZ", "f0_per_sample", "oscillator_bank", "harmonic_source", "filtered_noise", "sinusoid_amplitude",
           "envelope_at"]
