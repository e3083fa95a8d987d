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
"""

from __future__ import annotations

import numpy as np

from course_lib.framing import HOP_LENGTH, SAMPLE_RATE

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


def voiced(f0) -> np.ndarray:
    """``[T]`` bool: the frames with a pitch."""
    return np.asarray(f0) > 0


__all__ = ["F0_FLOOR", "F0_CEILING", "frame_times", "track_f0", "voiced"]
