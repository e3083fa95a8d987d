"""Pitch-locked phase: the STFT phase a voiced frame needs, from its F0 alone.

Lesson 06 §3: a generator that maps each mel frame to a complex STFT frame returns identical
frames for identical mel frames, and identical frames every 256 samples make a wave that
repeats every 256 samples — a buzz at the hop rate (86 Hz), whatever the voice's pitch.
What the phase of a voiced frame *should* be follows from the pitch, by the phase vocoder's
"phase locking" (Laroche & Dolson 1999):

* a voiced sound is a sum of harmonics ``h·f0``; harmonic ``h`` has the phase ``h·Φ(n)`` at
  sample ``n``, where ``Φ(n) = 2π Σ f0 / 22,050`` is the fundamental's running phase;
* the course STFT frame ``t`` windows samples ``256t − 384 … 256t + 639``: its centre is sample
  ``256t + 128``, its DFT's time origin the window's first sample, half a window (512 samples)
  earlier. A sinusoid of phase ``θ`` at the centre therefore shows, at every bin ``k`` under
  its main lobe, the phase ``θ − π·k`` (the ``e^{-2πik·512/1024}`` of that half-window shift;
  the Hann window's own transform is real and positive there);
* so each bin ``k`` takes the phase of its nearest harmonic, ``h = round(k·21.53 Hz / f0)``:

      φ[k, t] = h · Φ(256t + 128) − π·k,      Φ(256t + 128) ≈ 2π Σ_{s ≤ t} f0[s]·256 / 22,050

  and successive frames turn by ``h·2π·f0·256/22,050`` — the harmonic's true advance over one
  hop, which identical frames could never give. Unvoiced frames get random phases (noise has
  no phase to lock to).

The overlap-add of such frames is close to, not exactly, a consistent STFT (the pitch moves
inside a frame, bins between harmonics mix two); a few of Griffin-Lim's projections from this
start (:func:`course_lib.audio.project_phase`) close the gap. Measured on 10 held-out
built-in-corpus utterances with the mel's own magnitudes (pseudo-inverse) and pYIN's F0 — see
lesson 06 §6 for the table. The pitch comes from :func:`frame_pitch` (pYIN on the recording);
a vocoder would have to predict it from the mel.
"""

from __future__ import annotations

import numpy as np
import torch

from course_lib.audio import HOP_LENGTH, N_FFT, SAMPLE_RATE, istft, mel_to_linear, project_phase
from course_lib.models.waveform.evaluation import PITCH_RANGE  # the range the vocoder measures track (CARGAN's)
from course_lib.pitch import pitch_locked_phase  # the formula below, written once for every vocoder

FRAME_CENTRE = HOP_LENGTH // 2  # frame t's window is centred on sample 256·t + 128


def frame_pitch(wave: np.ndarray | torch.Tensor, sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    """pYIN F0 at the centre of every course frame: ``wave [N]`` → ``(f0 [T] in Hz, 0 where unvoiced;
    voiced [T] bool)``, ``T = N // 256``.

    ``librosa.pyin`` centres its frame ``j`` on sample ``256·j`` of what it is given; given the wave
    from sample 128 on, that is the course frame's centre ``256·j + 128``.
    """
    import librosa

    samples = np.asarray(wave.detach().cpu() if isinstance(wave, torch.Tensor) else wave, dtype=np.float32)
    samples = samples.reshape(-1)
    n_frames = samples.size // HOP_LENGTH
    if n_frames < 1:
        raise ValueError(f"a wave of {samples.size} samples has no whole frame of {HOP_LENGTH}")
    f0, voiced, _ = librosa.pyin(samples[FRAME_CENTRE:], fmin=PITCH_RANGE[0], fmax=PITCH_RANGE[1], sr=sample_rate,
                                 frame_length=N_FFT, hop_length=HOP_LENGTH)
    f0 = np.nan_to_num(np.asarray(f0[:n_frames], dtype=np.float64))
    voiced = np.asarray(voiced[:n_frames], dtype=bool) & (f0 > 0)
    if f0.size < n_frames:  # pYIN returns one frame per hop of what it was given; pad the last as unvoiced
        f0 = np.pad(f0, (0, n_frames - f0.size))
        voiced = np.pad(voiced, (0, n_frames - voiced.size))
    return np.where(voiced, f0, 0.0), voiced


def pitch_locked_resynthesis(log_mel: torch.Tensor, f0, voiced, n_projections: int = 3,
                             seed: int = 0) -> torch.Tensor:
    """A wave from a log-mel ``[80, T]`` and its pitch (``f0 [T]``, ``voiced [T]``): the mel's magnitudes
    (pseudo-inverse, as Griffin-Lim starts from) with pitch-locked phases, then ``n_projections`` of
    Griffin-Lim's projections (0: none) → ``[T·256]`` in [-1, 1]."""
    if log_mel.dim() != 2:
        raise ValueError(f"expected one log-mel [80, T], got shape {tuple(log_mel.shape)}")
    if np.asarray(f0).reshape(-1).size != log_mel.shape[-1]:
        raise ValueError(f"the pitch has {np.asarray(f0).size} frames, the mel {log_mel.shape[-1]}")
    magnitude = mel_to_linear(log_mel.float())[None]                                     # [1, 513, T]
    phase = pitch_locked_phase(f0, voiced, seed).to(magnitude.device)[None]
    return istft(project_phase(magnitude, phase, n_projections))[0].clamp(-1.0, 1.0)
