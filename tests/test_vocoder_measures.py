"""Vocoder measures: PESQ-WB, pitch / periodicity / V/UV F1 (pYIN), multi-resolution STFT — and what Griffin-Lim scores."""

import numpy as np
import pytest
import torch

from course_lib import audio
from course_lib.models.waveform.evaluation import (
    PESQ_UNAVAILABLE,
    PitchTrack,
    VocoderScores,
    beats,
    mean_scores,
    mr_stft_distance,
    paired_pitch_rmse,
    pitch_measures,
    vocoder_scores,
)

RATE = audio.SAMPLE_RATE


def vowel(f0: float, seconds: float = 1.0, seed: int = 0) -> np.ndarray:
    """A harmonic tone (10 harmonics, falling amplitude) with a little noise: a sung vowel."""
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 11))
    rng = np.random.default_rng(seed)
    return (0.2 * wave / np.abs(wave).max() + 0.002 * rng.standard_normal(t.size)).astype(np.float32)


def test_a_perfect_copy_scores_perfectly():
    wave = vowel(150.0)
    scores = vocoder_scores(wave, wave)
    assert scores.periodicity_rmse == 0.0 and scores.vuv_f1 == 1.0 and scores.pitch_rmse_cents == 0.0
    assert scores.mr_stft < 1e-6 and scores.mel_l1 == 0.0
    if PESQ_UNAVAILABLE is None:
        assert scores.pesq > 4.4


def test_a_semitone_up_is_100_cents_and_noise_loses_the_voicing():
    wave = vowel(150.0)
    semitone = vowel(150.0 * 2 ** (1 / 12))
    noise = np.random.default_rng(1).standard_normal(wave.size).astype(np.float32) * 0.05
    up, hiss = vocoder_scores(wave, semitone), vocoder_scores(wave, noise)
    assert up.pitch_rmse_cents == pytest.approx(100.0, abs=15.0)
    assert up.vuv_f1 > 0.9
    assert hiss.vuv_f1 < 0.5 and hiss.periodicity_rmse > up.periodicity_rmse
    assert hiss.mr_stft > up.mr_stft > 0.0
    if PESQ_UNAVAILABLE is None:
        assert hiss.pesq < 2.0


def test_pitch_measures_follow_cargan_definitions():
    f0 = np.array([100.0, 100.0, np.nan, 200.0])
    reference = PitchTrack(f0=f0, voiced=np.array([1, 1, 0, 1], bool), periodicity=np.array([0.9, 0.9, 0.1, 0.8]))
    other = PitchTrack(f0=np.array([200.0, 100.0, np.nan, np.nan]), voiced=np.array([1, 1, 0, 0], bool),
                       periodicity=np.array([0.9, 0.5, 0.1, 0.0]))
    periodicity, f1, cents = pitch_measures(reference, other)
    assert periodicity == pytest.approx(np.sqrt((0.4**2 + 0.8**2) / 4))
    assert f1 == pytest.approx(2 * 2 / (3 + 2))          # 2 true positives, 3 voiced in the truth, 2 predicted
    assert cents == pytest.approx(np.sqrt((1200.0**2 + 0.0) / 2))   # an octave on one of the two shared frames


def test_paired_pitch_compares_two_copies_on_the_frames_voiced_in_all_three():
    voiced = np.array([1, 1, 1, 1], bool)
    reference = PitchTrack(f0=np.full(4, 100.0), voiced=voiced, periodicity=np.ones(4))
    # the copy is a semitone off everywhere; the baseline keeps one frame voiced, and gets it right
    copy = PitchTrack(f0=np.full(4, 100.0 * 2 ** (1 / 12)), voiced=voiced, periodicity=np.ones(4))
    baseline = PitchTrack(f0=np.array([100.0, 300.0, np.nan, np.nan]), voiced=np.array([1, 1, 0, 0], bool),
                          periodicity=np.ones(4))
    assert pitch_measures(reference, baseline)[2] > 1000 > pitch_measures(reference, copy)[2]
    own, other = paired_pitch_rmse(reference, copy, baseline)     # frames 0 and 1 only
    assert own == pytest.approx(100.0) and other == pytest.approx(np.sqrt(1200.0**2 * np.log2(3) ** 2 / 2))
    silent = PitchTrack(f0=np.full(4, np.nan), voiced=np.zeros(4, bool), periodicity=np.zeros(4))
    assert paired_pitch_rmse(reference, copy, silent) is None


def test_multi_resolution_stft_is_scale_aware_and_symmetric_in_zero():
    wave = torch.from_numpy(vowel(200.0, 0.5))
    assert mr_stft_distance(wave, wave) == pytest.approx(0.0, abs=1e-6)
    assert mr_stft_distance(wave, 0.5 * wave) > mr_stft_distance(wave, 0.9 * wave) > 0.0


def test_griffin_lim_keeps_the_mel_but_loses_to_the_original_on_the_phase_aware_measures():
    wave = vowel(120.0, 1.5)
    gl = audio.griffin_lim(audio.mel_spectrogram(torch.from_numpy(wave)), n_iter=8)
    scores = vocoder_scores(wave, gl)
    assert scores.mel_l1 < 0.6                      # the magnitudes Griffin-Lim fits come back close
    assert scores.mr_stft > 0.1
    if PESQ_UNAVAILABLE is None:
        assert scores.pesq < 4.0


def test_means_and_the_shipping_rule():
    a = VocoderScores(pesq=3.0, periodicity_rmse=0.1, vuv_f1=0.95, pitch_rmse_cents=10, mr_stft=1, mel_l1=0.2, mcd=5)
    b = VocoderScores(pesq=2.0, periodicity_rmse=0.2, vuv_f1=0.90, pitch_rmse_cents=30, mr_stft=3, mel_l1=0.4, mcd=7)
    assert mean_scores([a, b]).pesq == 2.5 and mean_scores([a, b]).mcd == 6
    assert beats(a, b) == {"pesq": True, "periodicity_rmse": True, "vuv_f1": True, "pitch_rmse_cents": True}
    assert beats(b, a) == {"pesq": False, "periodicity_rmse": False, "vuv_f1": False, "pitch_rmse_cents": False}
    no_pesq = VocoderScores(**{**a.to_dict(), "pesq": None})
    assert mean_scores([a, no_pesq]).pesq is None and beats(no_pesq, b)["pesq"] is False
    with pytest.raises(ValueError, match="no scores"):
        mean_scores([])


def test_a_too_short_resynthesis_is_refused():
    with pytest.raises(ValueError, match="needs 512"):
        vocoder_scores(np.zeros(600, np.float32), np.zeros(300, np.float32))
