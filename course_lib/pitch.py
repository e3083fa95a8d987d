"""Pitch: the fundamental frequency F0 of voiced speech, one value per mel frame.

Voiced speech is a periodic wave (the vocal folds, or eSpeak's sum of harmonics, repeat every
1/F0 seconds); unvoiced speech (s, f, t, pauses) has no F0. :func:`track_f0` gives both at once:
F0 in Hz at the centre of every course mel frame, and 0 where the frame is unvoiced.

The tracker is Praat's autocorrelation method (Boersma 1993, "Accurate short-term analysis of
the fundamental frequency and the harmonics-to-noise ratio of a sampled sound"), through the
``praat-parselmouth`` wheel, with Praat's own voicing and silence thresholds. It was chosen by
measurement on the built-in corpus (40 multi-voice utterances, against the voicing of the
phoneme eSpeak was speaking): voiced frames found 93.1 %, unvoiced 98.1 %, F1 0.963, against
librosa's pYIN 94.7 % / 86.7 % / 0.959 at about 140× the time; the two agree on F0 to a median
6 cents where both hear voicing. WORLD (``pyworld``) needs ``pkg_resources``, which the course's
setuptools no longer has.

Frame ``t`` of the course mel is centred on sample ``256·t + 128`` (``course_lib.framing``), so a
wave of ``N`` samples has ``N // 256`` F0 values, aligned with its mel frames.

:func:`pitch_locked_phase` turns a pitch track into the STFT phases a voiced frame needs: what the
course vocoder starts its phase from (a frame-rate generator without pitch buzzes at the hop rate).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from course_lib.framing import HOP_LENGTH, N_FFT, SAMPLE_RATE

if TYPE_CHECKING:
    import torch

F0_FLOOR = 60.0     # Hz: below the corpus's lowest voice (en-us+m3 falls to ~70 Hz); sets Praat's window (3 periods)
F0_CEILING = 600.0  # Hz: above the highest (en-us+f4 rises to ~400 Hz)


def frame_times(n_samples: int, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``[n_samples // 256]`` seconds: the centre of every course mel frame."""
    return (np.arange(n_samples // HOP_LENGTH) * HOP_LENGTH + HOP_LENGTH / 2) / sample_rate


def track_f0(wave, sample_rate: int = SAMPLE_RATE, floor: float = F0_FLOOR, ceiling: float = F0_CEILING) -> np.ndarray:
    """F0 of a ``[N]`` wave at the course's frame centres → ``[N // 256]`` float32 Hz, 0 where unvoiced.

    Deterministic: the same samples give the same values, on any machine. A wave shorter than three
    periods of ``floor`` (50 ms) has no measurable pitch: all 0.
    """
    import parselmouth

    samples = np.asarray(wave, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(samples)):
        raise ValueError("cannot track the pitch of a wave that holds NaN or inf")
    times = frame_times(samples.size, sample_rate)
    if samples.size <= 3 * sample_rate / floor:  # Praat needs three periods of the lowest pitch: no F0 to measure
        return np.zeros(times.size, dtype=np.float32)
    pitch = parselmouth.Sound(samples, sample_rate).to_pitch_ac(time_step=HOP_LENGTH / sample_rate,
                                                                pitch_floor=floor, pitch_ceiling=ceiling)
    f0 = np.array([pitch.get_value_at_time(t) for t in times])  # Praat interpolates; NaN where unvoiced
    return np.nan_to_num(f0, nan=0.0).astype(np.float32)


def pitch_locked_phase(f0: torch.Tensor | np.ndarray, voiced: torch.Tensor | np.ndarray,
                       seed: int = 0) -> torch.Tensor:
    """``f0 [T]`` (Hz) and ``voiced [T]`` → phases ``[513, T]`` (radians, float32): each bin locked to its nearest
    harmonic where voiced, uniformly random where not (seeded CPU generator).

    A voiced sound is a sum of harmonics ``h·f0``; harmonic ``h`` has the phase ``h·Φ(n)`` at sample ``n``, where
    ``Φ(n) = 2π Σ f0 / 22,050`` is the fundamental's running phase. Course frame ``t`` is centred on sample
    ``256t + 128`` and its DFT's time origin lies half a window (512 samples) earlier, so a sinusoid of phase
    ``θ`` at the centre shows the phase ``θ − π·k`` at every bin ``k`` under its main lobe. Each bin takes the
    phase of its nearest harmonic ``h = round(k·21.53 Hz / f0)`` (the phase vocoder's "phase locking", Laroche &
    Dolson 1999)::

        φ[k, t] = h · Φ(256t + 128) − π·k,      Φ(256t + 128) ≈ 2π Σ_{s ≤ t} f0[s]·256 / 22,050

    This is a zero-phase pulse model: a consistent phase for the pitch, not the recording's own (lesson 06).
    """
    import torch  # here, so the corpus builder's workers track pitch without loading torch

    f0 = torch.as_tensor(np.asarray(f0), dtype=torch.float64).reshape(-1)
    voiced = torch.as_tensor(np.asarray(voiced), dtype=torch.bool).reshape(-1)
    if f0.shape != voiced.shape:
        raise ValueError(f"f0 {tuple(f0.shape)} and voiced {tuple(voiced.shape)} must have one value per frame")
    if bool((voiced & (f0 <= 0)).any()):
        raise ValueError("a voiced frame needs f0 > 0 Hz")
    n_bins = N_FFT // 2 + 1
    turn = torch.where(voiced, f0, torch.zeros_like(f0)) * HOP_LENGTH / SAMPLE_RATE      # cycles per hop
    fundamental = 2 * math.pi * torch.cumsum(turn, dim=0)                                # Φ at frame centres [T]
    bin_hz = torch.arange(n_bins, dtype=torch.float64) * SAMPLE_RATE / N_FFT              # [513]
    harmonic = torch.round(bin_hz[:, None] / f0.clamp_min(1.0)[None, :]).clamp_min(1.0)  # [513, T]
    locked = harmonic * fundamental[None, :] - math.pi * torch.arange(n_bins, dtype=torch.float64)[:, None]
    generator = torch.Generator().manual_seed(seed)
    noise = 2 * math.pi * torch.rand(n_bins, f0.numel(), generator=generator, dtype=torch.float64)
    return torch.where(voiced[None, :], torch.remainder(locked, 2 * math.pi), noise).float()


__all__ = ["F0_FLOOR", "F0_CEILING", "frame_times", "track_f0", "pitch_locked_phase"]
