"""Lesson 11 tools and widget: VITS text → wave with speaker and three knobs, driven headless (untrained tiny_multi)."""

import io

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_lib.text import tokenizer_for
from course_lib.models.vits import VITS, VITSConfig
from course_lib.widgets import lesson11 as W

TEXT = "Hello there."


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    config = VITSConfig.tiny_multi().replace(n_vocab=tokenizer_for("espeak", True).n_vocab)
    return VITS(config).eval()


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_speak_is_seeded_and_its_parts_agree(model):
    a = W.speak(model, TEXT, speaker=1, seed=0)
    again = W.speak(model, TEXT, speaker=1, seed=0)
    other_seed = W.speak(model, TEXT, speaker=1, seed=1)
    other_voice = W.speak(model, TEXT, speaker=2, seed=0)
    np.testing.assert_array_equal(a.wave, again.wave)
    assert not np.array_equal(a.wave, other_seed.wave)
    assert not (len(a.wave) == len(other_voice.wave) and np.array_equal(a.wave, other_voice.wave))
    assert a.sample_rate == 22050 and np.abs(a.wave).max() <= 1.0 and a.wave.dtype == np.float32
    assert len(a.tokens) == len(a.durations) and sum(a.durations) * 256 == len(a.wave)
    assert a.mel.shape[0] == 80 and "·" in a.tokens  # the model adds blanks


def test_knobs_and_their_errors(model):
    slow = W.speak(model, TEXT, length_scale=2.0, noise_scale_w=0.0)
    normal = W.speak(model, TEXT, length_scale=1.0, noise_scale_w=0.0)
    assert len(slow.wave) > len(normal.wave)
    mean_a = W.speak(model, TEXT, noise_scale=0.0, noise_scale_w=0.0, seed=0)
    mean_b = W.speak(model, TEXT, noise_scale=0.0, noise_scale_w=0.0, seed=5)
    np.testing.assert_array_equal(mean_a.wave, mean_b.wave)  # both noises off: the seed no longer matters
    with pytest.raises(ValueError, match="noise_scale"):
        W.speak(model, TEXT, noise_scale=-0.1)
    with pytest.raises(ValueError, match="length_scale"):
        W.speak(model, TEXT, length_scale=0.0)
    with pytest.raises(ValueError, match="speaker id 9 out of range"):
        W.speak(model, TEXT, speaker=9)


def test_samples_variation_figure_and_voice_conversion(model):
    samples = W.sample_many(model, TEXT, speaker=0, seeds=range(3))
    assert [s.seed for s in samples] == [0, 1, 2]
    fig = W.variation_figure(samples)
    assert isinstance(fig, Figure)
    fig.savefig(io.BytesIO(), format="png")
    with pytest.raises(ValueError, match="no samples"):
        W.variation_figure([])
    times, f0 = W.pitch_contour(samples[0].wave)
    assert times.shape == f0.shape and times[1] == pytest.approx(0.01)
    wave = samples[0].wave
    converted = W.convert_voice(model, wave, 0, 3)
    frames = W.audio.linear_spectrogram(torch.from_numpy(wave)).shape[-1]
    assert converted.shape == (frames * 256,)
    assert np.abs(converted).max() <= 1.0
    assert not np.array_equal(converted, W.convert_voice(model, wave, 0, 4))


def test_real_time_factor_and_diagram():
    calls = []
    rtf = W.real_time_factor(lambda: calls.append(1), audio_seconds=2.0, repeats=3)
    assert rtf >= 0 and len(calls) == 4  # one warm-up, three timed
    with pytest.raises(ValueError, match="audio_seconds"):
        W.real_time_factor(lambda: None, audio_seconds=0)
    fig = W.vits_diagram()
    assert isinstance(fig, Figure)
    fig.savefig(io.BytesIO(), format="png")


def test_ui_renders_resamples_and_shows_errors(model):
    names = ["a", "b", "c", "d", "e"]
    ui = W.VITSSpeaker(model, text=TEXT, speakers=names)
    assert ui.sample is not None and ui.error is None
    figure, player = ui.output.outputs
    assert figure["data"]["image/png"] and "<audio" in player["data"]["text/html"]
    first = ui.sample.wave
    ui.resample.click()
    assert ui.seed.value == 1 and not np.array_equal(ui.sample.wave, first)
    ui.speaker.value = 3
    assert ui.sample.speaker == 3
    ui.noise_scale_w.value = 0.0
    ui.length_scale.value = 1.5
    assert ui.sample.length_scale == 1.5 and ui.sample.noise_scale_w == 0.0
    ui.text.value = ""
    assert ui.error is not None
    assert [o["text"] for o in ui.output.outputs] == [f"⚠ {ui.error}\n"]
    with pytest.raises(ValueError, match="5 speakers but 2 names"):
        W.VITSSpeaker(model, speakers=["a", "b"])


@pytest.fixture(scope="module")
def pitch_model():
    """An untrained VITS with an explicit F0 whose speakers' pitch has been counted (as training does)."""
    torch.manual_seed(0)
    config = VITSConfig.tiny_multi_f0().replace(n_vocab=tokenizer_for("espeak", True).n_vocab)
    model = VITS(config).eval()
    model.speaker_log_f0_sum.copy_(torch.log(torch.tensor([100.0, 200.0, 120.0, 220.0, 110.0])).double() * 10)
    model.speaker_voiced_frames.fill_(10)
    return model


def test_the_pitch_slider_moves_the_predicted_pitch_and_only_where_there_is_one(model, pitch_model):
    plain = W.speak(pitch_model, TEXT, speaker=1, seed=0)
    high = W.speak(pitch_model, TEXT, speaker=1, seed=0, pitch_shift=1.5)
    assert plain.f0.shape == (sum(plain.durations),) and high.pitch_shift == 1.5
    np.testing.assert_allclose(high.f0, 1.5 * plain.f0, rtol=1e-5)
    assert W.speak(model, TEXT).f0 is None
    ui = W.VITSSpeaker(pitch_model, text=TEXT)
    assert not ui.pitch_shift.disabled
    ui.pitch_shift.value = 2.0
    assert ui.sample.pitch_shift == 2.0 and ui.error is None
    assert W.VITSSpeaker(model, text=TEXT).pitch_shift.disabled
    converted = W.convert_voice(pitch_model, plain.wave, 1, 0)   # the recording's own pitch, tracked
    assert converted.shape == (len(plain.wave),) and np.abs(converted).max() <= 1.0
