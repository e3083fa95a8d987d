"""Lesson 06 widget: original / Griffin-Lim / HiFi-GAN of one utterance, driven headless (untrained tiny generator)."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from course_lib import audio
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.generator import Generator
from course_lib.vocoder import HiFiGANVocoder
from course_lib.widgets import lesson06 as W

HIFIGAN = "HiFi-GAN (untrained)"


@pytest.fixture(scope="module")
def wave() -> np.ndarray:
    """0.5 s of a gliding harmonic tone (7 partials, f0 140 → 147 Hz) plus a little noise: [11025]."""
    t = np.arange(int(0.5 * audio.SAMPLE_RATE)) / audio.SAMPLE_RATE
    phase = 2 * np.pi * np.cumsum(140 * (1 + 0.1 * t)) / audio.SAMPLE_RATE
    tone = sum(0.3 / k * np.sin(k * phase) for k in range(1, 8))
    noise = 0.005 * np.random.default_rng(0).standard_normal(len(t))
    return (tone + noise).astype(np.float32)


@pytest.fixture(scope="module")
def vocoder() -> HiFiGANVocoder:
    torch.manual_seed(0)
    return HiFiGANVocoder(Generator(HiFiGANConfig.tiny()).eval(), name=HIFIGAN)


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("name", ["original", "Griffin-Lim", HIFIGAN])
def test_every_version_has_one_frame_per_256_samples(wave, vocoder, name):
    sample = W.vocode_utterance(wave, name, {HIFIGAN: vocoder}, gl_iterations=4)
    frames = len(wave) // 256
    assert sample.original_mel.shape == sample.mel.shape == (80, frames)
    assert len(sample.wave) == frames * 256 and sample.wave.dtype == np.float32
    assert sample.sample_rate == 22050 and np.abs(sample.wave).max() <= 1.0
    if name == "original":
        assert sample.metrics is None and sample.name == "original"
        torch.testing.assert_close(sample.mel, sample.original_mel)
    else:
        assert np.isfinite([sample.metrics.mel_l1, sample.metrics.mcd]).all() and sample.metrics.mel_l1 > 0


def test_griffin_lim_is_seeded_and_reads_files(wave, tmp_path):
    path = audio.save_audio(tmp_path / "tone.wav", wave)
    a = W.vocode_utterance(wave, "Griffin-Lim", gl_iterations=4)
    again = W.vocode_utterance(path, "Griffin-Lim", gl_iterations=4)  # from the file: same wave to ~16-bit precision
    assert a.name == "Griffin-Lim (4 iterations)"
    assert again.metrics.mel_l1 == pytest.approx(a.metrics.mel_l1, abs=1e-3)


def test_more_griffin_lim_iterations_do_not_make_it_worse(wave):
    curve = W.griffin_lim_curve(wave, iterations=(1, 8, 64))
    assert list(curve) == [1, 8, 64]
    assert curve[64].mel_l1 <= curve[8].mel_l1 <= curve[1].mel_l1
    assert curve[64].mcd <= curve[1].mcd
    slider = W.vocode_utterance(wave, "Griffin-Lim", gl_iterations=64).metrics
    assert slider.mel_l1 == pytest.approx(curve[64].mel_l1)  # the widget's slider and the curve agree


def test_bad_choices_raise_value_errors_naming_the_fix(wave, vocoder):
    with pytest.raises(ValueError, match=r"'original', 'Griffin-Lim', 'HiFi-GAN \(untrained\)'"):
        W.vocode_utterance(wave, "WaveNet", {HIFIGAN: vocoder})
    with pytest.raises(ValueError, match="iterations ≥ 1"):
        W.vocode_utterance(wave, "Griffin-Lim", gl_iterations=0)
    with pytest.raises(ValueError, match="iterations ≥ 1"):
        W.griffin_lim_curve(wave, iterations=(0, 4))
    with pytest.raises(ValueError, match="shorter than one hop"):
        W.vocode_utterance(wave[:100], "original")


def test_ui_renders_each_choice_and_shows_errors_as_messages(wave, vocoder, tmp_path):
    utterances = [SimpleNamespace(wav_path=audio.save_audio(tmp_path / "a.wav", wave), text="a tone",
                                  speaker_name="synth"),
                  SimpleNamespace(wav_path=audio.save_audio(tmp_path / "b.wav", wave[:100]), text="too short",
                                  speaker_name="synth")]
    ui = W.VocoderListener(utterances, vocoder, gl_iterations=4)
    assert ui.error is None and ui.sample.name == "Griffin-Lim (4 iterations)"
    text, figure, player = ui.output.outputs  # what the learner sees: numbers, mels + zoom, audio
    assert "mel L1" in text["text"] and "MCD" in text["text"]
    assert figure["data"]["image/png"] and "<audio" in player["data"]["text/html"]
    assert list(ui.vocoder.options) == ["original", "Griffin-Lim", HIFIGAN]
    few = ui.sample.metrics.mel_l1
    ui.iterations.value = 32  # the slider re-renders
    assert ui.sample.name == "Griffin-Lim (32 iterations)" and ui.sample.metrics.mel_l1 < few
    ui.vocoder.value = "original"
    assert ui.sample.metrics is None and ui.iterations.disabled
    ui.vocoder.value = HIFIGAN
    assert ui.sample.name == HIFIGAN and ui.sample.metrics is not None
    ui.utterance.value = 1  # a file shorter than one frame: a message in the output, no exception
    assert "shorter than one hop" in ui.error
    assert [o["text"] for o in ui.output.outputs] == [f"⚠ {ui.error}\n"]
    ui.utterance.value = 0
    assert ui.error is None


# --------------------------------------------------------------------------- source × filter


@pytest.mark.parametrize("f0", [90.0, 210.0])
def test_the_source_filter_vowel_sounds_at_its_pitch_with_harmonics_on_the_envelope(f0):
    from course_lib.pitch import track_f0

    sample = W.source_filter_vowel(f0=f0, voicing=1.0, noise=0.0, vowel="a (father)")
    assert sample.wave.shape == (int(audio.SAMPLE_RATE) // audio.HOP_LENGTH * audio.HOP_LENGTH,)
    assert np.abs(sample.wave).max() == pytest.approx(0.5, abs=0.01)
    tracked = track_f0(sample.wave)
    assert abs(1200 * np.log2(np.median(tracked[tracked > 0]) / f0)) < 5
    # every harmonic's peak touches the envelope (formants × tilt), to within the window's scalloping
    for harmonic in (1, 2, 3, 5):
        index = int(np.argmin(np.abs(sample.frequency - harmonic * f0)))
        nearby = slice(index - 2, index + 3)
        ratio = sample.spectrum[nearby].max() / sample.envelope[index]
        assert 0.8 < ratio < 1.25, (harmonic, ratio)


def test_the_vowels_differ_by_their_formants_and_noise_fills_between_the_harmonics():
    a = W.source_filter_vowel(vowel="a (father)", noise=0.0)
    i = W.source_filter_vowel(vowel="i (beet)", noise=0.0)
    low = a.frequency < 1500
    assert a.frequency[low][np.argmax(a.envelope[low])] > 600 > i.frequency[low][np.argmax(i.envelope[low])]
    clean = W.source_filter_vowel(f0=100.0, noise=0.0)
    breathy = W.source_filter_vowel(f0=100.0, noise=1.0)
    between = int(np.argmin(np.abs(clean.frequency - 750.0)))            # halfway between harmonics 7 and 8
    assert breathy.spectrum[between] / breathy.spectrum.max() > 10 * clean.spectrum[between] / clean.spectrum.max()
    whisper = W.source_filter_vowel(voicing=0.0, noise=1.0)
    assert np.abs(whisper.wave).max() > 0.4                                 # noise alone, still heard


@pytest.mark.parametrize("knobs, message", [({"f0": 20.0}, "f0 must lie"), ({"voicing": 1.5}, "voicing must lie"),
                                            ({"noise": -0.1}, "noise must lie"), ({"vowel": "y"}, "unknown vowel"),
                                            ({"seconds": 0.0}, "seconds must lie")])
def test_the_source_filter_vowel_refuses_bad_knobs_by_name(knobs, message):
    with pytest.raises(ValueError, match=message):
        W.source_filter_vowel(**knobs)


def test_the_playground_redraws_when_a_slider_moves():
    playground = W.SourceFilterPlayground(f0=120.0)
    first = playground.sample
    playground.f0.value = 240.0
    assert playground.sample is not first and len(playground.output.outputs) == 2   # the figure and the player
    assert np.abs(playground.sample.wave).max() > 0
