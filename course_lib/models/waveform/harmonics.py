"""The source in a source-filter magnitude: where the harmonics of F0 fall among the STFT's bins.

A voiced frame's spectrum is a comb — a peak at every harmonic ``h·F0``, each peak the shape
of the analysis window's spectrum (the Hann window's main lobe: 4 bins wide) — under a smooth
envelope (the vocal tract, or eSpeak's formant filters). A mel spectrogram keeps the envelope
and blurs the comb: its low filters are 66 Hz apart, its high ones hundreds. :func:`harmonic_comb`
puts the comb back from F0 alone, so a network only has to learn envelopes.

And the pitch itself, as the pitch predictor sees it: a class among :func:`f0_bins` log-spaced
pitches (CREPE's way, Kim et al. 2018 — classes beat regression on the built-in corpus, 3.6 against
16.5 cents median error in the same network), a Gaussian-blurred target (:func:`f0_target`) and a
decoding that averages the classes around the most likely one (:func:`decode_f0`).
"""

from __future__ import annotations

import math

import torch

from course_lib.framing import N_FFT, SAMPLE_RATE

BIN_HZ = SAMPLE_RATE / N_FFT  # 21.53 Hz between STFT bins
N_BINS = N_FFT // 2 + 1


def hann_lobe(offset: torch.Tensor) -> torch.Tensor:
    """|spectrum| of the Hann window ``offset`` bins from a sinusoid's frequency, 1 at 0 (its main lobe and first
    side lobes: 0 beyond 4 bins, where it is below −40 dB)."""
    lobe = 0.5 * torch.sinc(offset) + 0.25 * torch.sinc(offset - 1) + 0.25 * torch.sinc(offset + 1)
    return (lobe.abs() / 0.5) * (offset.abs() < 4)


def harmonic_comb(f0: torch.Tensor, voiced: torch.Tensor, n_bins: int = N_BINS) -> torch.Tensor:
    """``f0 [B, T]`` (Hz) and ``voiced [B, T]`` → ``[B, n_bins, T]``: the window-shaped peak of every harmonic
    ``h·f0`` below Nyquist, scaled to a mean of 1 over the bins (so an envelope keeps its level); 1 in every
    bin of an unvoiced frame (noise has no comb).

    Each bin takes the lobe of its nearest harmonic only: the next one is at least ``f0 / 2`` away, where the
    Hann window's spectrum is below −31 dB for any voice above 86 Hz (lower voices lose only side lobes).
    """
    frequency = torch.arange(n_bins, dtype=f0.dtype, device=f0.device)[None, :, None] * BIN_HZ   # [1, K, 1]
    fundamental = f0.clamp_min(20.0)[:, None, :]                                                  # [B, 1, T]
    nearest = torch.round(frequency / fundamental).clamp_min(1.0)
    comb = hann_lobe((frequency - nearest * fundamental) / BIN_HZ)
    comb = comb / comb.mean(dim=1, keepdim=True).clamp_min(1e-6)
    return torch.where(voiced[:, None, :], comb, torch.ones_like(comb))


def f0_bins(n_bins: int, f0_min: float, f0_max: float) -> torch.Tensor:
    """``[n_bins]`` log-F0 class centres, evenly spaced from ``log f0_min`` to ``log f0_max``."""
    return torch.linspace(math.log(f0_min), math.log(f0_max), n_bins)


def f0_target(f0: torch.Tensor, centres: torch.Tensor, width: float = 1.5) -> torch.Tensor:
    """``f0 [B, T]`` (Hz) → class probabilities ``[B, n_bins, T]``: a Gaussian of ``width`` classes around it."""
    step = centres[1] - centres[0]
    log_f0 = torch.log(f0.clamp(centres[0].exp(), centres[-1].exp()))
    distance = (centres[None, :, None] - log_f0[:, None, :]) / step
    weights = torch.exp(-0.5 * (distance / width) ** 2)
    return weights / weights.sum(dim=1, keepdim=True)


def decode_f0(logits: torch.Tensor, centres: torch.Tensor, radius: int = 4) -> torch.Tensor:
    """Class logits ``[B, n_bins, T]`` → F0 ``[B, T]`` (Hz): the probability-weighted mean of the log-F0 classes
    within ``radius`` of the most likely one (finer than a class, blind to a far-away second peak)."""
    probability = logits.softmax(dim=1)
    best = probability.argmax(dim=1, keepdim=True)                                             # [B, 1, T]
    window = (best + torch.arange(-radius, radius + 1, device=logits.device)[None, :, None]).clamp(0, len(centres) - 1)
    weights = torch.gather(probability, 1, window)
    return ((weights * centres.to(logits.device)[window]).sum(dim=1) / weights.sum(dim=1)).exp()


__all__ = ["BIN_HZ", "N_BINS", "hann_lobe", "harmonic_comb", "f0_bins", "f0_target", "decode_f0"]
