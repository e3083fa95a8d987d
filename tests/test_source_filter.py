"""The source-filter pieces (course_lib.source_filter): the oscillator bank, filtered noise, and reading an envelope —
a constant F0 gives a sine at that frequency, nothing is made at or above Nyquist, the phase runs on across frames,
and the noise has the magnitudes asked for."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_lib import audio
from course_lib.framing import HOP_LENGTH, SAMPLE_RATE
from course_lib.source_filter import (BIN_HZ, NYQUIST, envelope_at, f0_per_sample, filtered_noise, harmonic_source,
                                      sinusoid_amplitude)


def test_f0_per_sample_is_exact_at_frame_centres_and_fills_unvoiced_frames_from_voiced_neighbours():
    f0 = torch.tensor([[0.0, 100.0, 200.0, 0.0, 0.0, 0.0, 300.0]])
    per_sample = f0_per_sample(f0)
    assert per_sample.shape == (1, 7 * HOP_LENGTH)
    centres = torch.arange(7) * HOP_LENGTH + HOP_LENGTH // 2
    # unvoiced frames take the nearest voiced frame's F0 (the earlier one on a tie): never a glide to 0 Hz
    torch.testing.assert_close(per_sample[0, centres], torch.tensor([100.0, 100, 200, 200, 200, 300, 300]))
    halfway = HOP_LENGTH + HOP_LENGTH // 2 + HOP_LENGTH // 2                               # between frames 1 and 2
    assert float(per_sample[0, halfway]) == pytest.approx(150.0)
    assert float(f0_per_sample(torch.zeros(1, 3)).min()) > 0                                 # all unvoiced: a value


@pytest.mark.parametrize("frequency", [110.0, 196.0, 1234.5])
def test_a_constant_f0_gives_a_sine_at_that_frequency_and_amplitude(frequency):
    n_frames = 200
    amplitudes = torch.zeros(1, 2, n_frames)
    amplitudes[:, 0] = 0.4                                                                    # the fundamental only
    wave = harmonic_source(torch.full((1, n_frames), frequency), amplitudes)[0].double().numpy()
    n = np.arange(wave.size)
    expected = 0.4 * np.sin(2 * math.pi * frequency * (n + 1) / SAMPLE_RATE)                 # Φ sums from sample 0
    np.testing.assert_allclose(wave, expected, atol=1e-4)


def test_harmonics_at_or_above_nyquist_are_silent_and_switch_off_where_they_cross_it():
    high = torch.full((1, 20), 3000.0)
    amplitudes = torch.zeros(1, 5, 20)
    amplitudes[:, 3:] = 1.0                                                                   # 12 and 15 kHz
    assert float(harmonic_source(high, amplitudes).abs().max()) == 0.0
    # a glide 2,000 → 3,000 Hz: harmonic 5 (10 → 15 kHz) sounds only while 5·F0 < Nyquist
    glide = torch.linspace(2000.0, 3000.0, 40)[None]
    only_fifth = torch.zeros(1, 5, 40)
    only_fifth[:, 4] = 1.0
    wave = harmonic_source(glide, only_fifth)[0]
    above = 5 * f0_per_sample(glide)[0] >= NYQUIST
    assert above.any() and (~above).any()
    assert float(wave[above].abs().max()) == 0.0
    assert float(wave[~above].abs().max()) > 0.5


def test_the_phase_runs_on_across_frames_when_the_pitch_jumps():
    f0 = torch.tensor([[100.0, 100.0, 250.0, 250.0, 90.0, 400.0, 400.0, 120.0]]).repeat_interleave(5, dim=1)
    amplitudes = torch.ones(1, 1, f0.shape[1])
    wave = harmonic_source(f0, amplitudes)[0].double()
    # a continuous sine of amplitude 1 moves at most 2π·F0/sr per sample
    bound = 2 * math.pi * 400.0 / SAMPLE_RATE * 1.001
    assert float(wave.diff().abs().max()) < bound
    # the same frames each started afresh (phase 0 at every frame) would jump where they meet
    per_sample = f0_per_sample(f0)[0].double()
    n = torch.arange(per_sample.numel()) % HOP_LENGTH
    restarted = torch.sin(2 * math.pi * per_sample * n / SAMPLE_RATE)
    assert float(restarted.diff().abs().max()) > 3 * bound


def test_sinusoid_amplitude_inverts_the_stft_peak_of_a_sine_on_a_bin():
    frequency = 40 * BIN_HZ
    n = np.arange(64 * HOP_LENGTH)
    peak = audio.linear_spectrogram(0.3 * np.sin(2 * math.pi * frequency * n / SAMPLE_RATE).astype(np.float32))
    assert float(sinusoid_amplitude(peak[40, 10:50]).mean()) == pytest.approx(0.3, rel=1e-3)


def test_filtered_noise_has_the_asked_magnitudes_and_depends_only_on_its_seed():
    envelope = torch.linspace(0.5, 3.0, 513)[None, :, None].repeat(1, 1, 300)               # a smooth tilt
    noise = filtered_noise(envelope, seed=3)
    assert noise.shape == (1, 300 * HOP_LENGTH)
    measured = audio.linear_spectrogram(noise[0])[:, 10:290].mean(1)
    ratio = measured[10:-10] / envelope[0, 10:-10, 0]                                      # DC, Nyquist aside
    assert float(ratio.mean()) == pytest.approx(1.0, abs=0.03)
    assert float((ratio[:480].view(30, 16).mean(1) - 1).abs().max()) < 0.05                  # 16-bin bands
    assert torch.equal(noise, filtered_noise(envelope, seed=3))
    assert not torch.equal(noise, filtered_noise(envelope, seed=4))
    with pytest.raises(ValueError, match="513"):
        filtered_noise(torch.ones(1, 80, 10))


def test_envelope_at_reads_bins_exactly_interpolates_between_them_and_is_zero_above_nyquist():
    envelope = torch.arange(513, dtype=torch.float32)[None, :, None].repeat(1, 1, 2)          # value = bin index
    frequency = torch.tensor([[[0.0, 0.0], [10 * BIN_HZ, 2.5 * BIN_HZ], [NYQUIST - 1, NYQUIST + 1]]])
    values = envelope_at(envelope, frequency)
    torch.testing.assert_close(values[0, :2], torch.tensor([[0.0, 0.0], [10.0, 2.5]]))
    assert float(values[0, 2, 0]) == pytest.approx(512 - 1 / BIN_HZ, abs=1e-3)
    assert float(values[0, 2, 1]) == 0.0
