"""Pitch-locked phase (course_lib.models.waveform.pitch_phase): the advance of every harmonic, consistency, noise."""

import math

import numpy as np
import pytest
import torch

from course_lib import audio
from course_lib.models.waveform.pitch_phase import frame_pitch, pitch_locked_phase, pitch_locked_resynthesis

F0 = 150.0


def harmonic_wave(seconds: float = 1.0, f0: float = F0, n_harmonics: int = 20) -> torch.Tensor:
    n = torch.arange(int(seconds * audio.SAMPLE_RATE), dtype=torch.float64)
    wave = sum(torch.cos(2 * math.pi * h * f0 * n / audio.SAMPLE_RATE + 0.3 * h) / h for h in range(1, n_harmonics + 1))
    return (0.3 * wave / wave.abs().max()).float()


def wrap(x: torch.Tensor) -> torch.Tensor:
    return torch.remainder(x + math.pi, 2 * math.pi) - math.pi


def test_each_harmonic_turns_from_frame_to_frame_as_the_recordings_phase_does():
    spectrum = audio.complex_spectrogram(harmonic_wave())                       # [513, T]
    n_frames = spectrum.shape[-1]
    phase = pitch_locked_phase(np.full(n_frames, F0), np.ones(n_frames, bool))
    for h in (1, 2, 5, 12):
        k = round(h * F0 * audio.N_FFT / audio.SAMPLE_RATE)
        offset = wrap(spectrum[k].angle().double() - phase[k].double())[4:-4]  # constant ⇔ the same advance
        assert wrap(offset - offset[0]).abs().max() < 0.05, h


def test_locked_frames_overlap_add_to_nearly_the_magnitudes_they_were_given_random_ones_do_not():
    wave = harmonic_wave()
    magnitude = audio.complex_spectrogram(wave).abs()[None]                     # [1, 513, T]
    n_frames = magnitude.shape[-1]
    locked = pitch_locked_phase(np.full(n_frames, F0), np.ones(n_frames, bool))[None]
    noise = pitch_locked_phase(np.full(n_frames, F0), np.zeros(n_frames, bool))[None]

    def error(phase):
        rebuilt = audio.complex_spectrogram(audio.istft(torch.polar(magnitude, phase))).abs()
        return float(torch.linalg.norm(rebuilt - magnitude) / torch.linalg.norm(magnitude))

    assert error(locked) < 0.1 < 0.4 < error(noise)


def test_unvoiced_frames_are_seeded_noise_and_voiced_frames_do_not_depend_on_the_seed():
    f0 = np.array([0.0, 0.0, 120.0, 121.0, 0.0])
    voiced = f0 > 0
    a, b, c = (pitch_locked_phase(f0, voiced, seed) for seed in (0, 0, 1))
    assert a.shape == (513, 5) and torch.equal(a, b)
    assert torch.equal(a[:, voiced], c[:, voiced]) and not torch.equal(a[:, ~voiced], c[:, ~voiced])
    assert float(a.min()) >= 0.0 and float(a.max()) < 2 * math.pi


def test_bad_pitch_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="one value per frame"):
        pitch_locked_phase(np.ones(4) * 100, np.ones(3, bool))
    with pytest.raises(ValueError, match="f0 > 0"):
        pitch_locked_phase(np.array([100.0, 0.0]), np.array([True, True]))
    with pytest.raises(ValueError, match="frames"):
        pitch_locked_resynthesis(torch.zeros(80, 10), np.ones(9) * 100, np.ones(9, bool))


def test_frame_pitch_finds_the_tone_at_the_frame_centres_and_silence_unvoiced():
    wave = torch.cat([harmonic_wave(0.6), torch.zeros(audio.SAMPLE_RATE // 2)])
    f0, voiced = frame_pitch(wave)
    assert f0.shape == voiced.shape == (wave.numel() // audio.HOP_LENGTH,)
    tone, silence = slice(5, 45), slice(60, None)
    assert voiced[tone].mean() > 0.9 and np.abs(f0[tone][voiced[tone]] - F0).max() < 3.0
    assert not voiced[silence].any() and (f0[~voiced] == 0).all()


def test_resynthesis_sings_at_the_given_pitch_not_the_hop_rate():
    wave = harmonic_wave(1.0, f0=200.0)
    mel = audio.mel_spectrogram(wave)
    n_frames = mel.shape[-1]
    out = pitch_locked_resynthesis(mel, np.full(n_frames, 200.0), np.ones(n_frames, bool), n_projections=2)
    assert out.shape == (n_frames * audio.HOP_LENGTH,) and float(out.abs().max()) <= 1.0
    f0, voiced = frame_pitch(out)
    assert voiced[5:-5].mean() > 0.9 and abs(float(np.median(f0[5:-5][voiced[5:-5]])) - 200.0) < 3.0
