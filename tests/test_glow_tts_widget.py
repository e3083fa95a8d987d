"""Lesson 08 widget: text + temperature + length scale + seed -> wave, driven headless (untrained tiny model)."""

import numpy as np
import pytest
import torch

from course_lib.models.glow_tts import GlowTTSConfig, build
from course_lib.text import tokenizer_for
from course_lib.vocoder import GriffinLimVocoder
from course_lib.widgets import lesson08 as W

TEXT = "Hello there."


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    config = GlowTTSConfig.tiny().replace(n_vocab=tokenizer_for("espeak", False).n_vocab)
    model = build(config).eval()
    with torch.no_grad():  # untrained durations are exp(0) = 1 frame; lengthen them so there is a mel to hear
        model.encoder.duration_predictor.proj.bias.fill_(1.5)
    return model


@pytest.fixture(scope="module")
def vocoder():
    return GriffinLimVocoder(n_iter=4)  # the test checks plumbing, not sound quality


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_speak_is_seeded_and_matches_the_mel(model, vocoder):
    a = W.speak(model, TEXT, 0.8, seed=0, vocoder=vocoder)
    again = W.speak(model, TEXT, 0.8, seed=0, vocoder=vocoder)
    other = W.speak(model, TEXT, 0.8, seed=1, vocoder=vocoder)
    np.testing.assert_array_equal(a.wave, again.wave)
    assert not np.array_equal(a.wave, other.wave)
    assert a.sample_rate == 22050 and np.abs(a.wave).max() <= 1.0
    assert a.mel.shape[1] * 256 == len(a.wave)
    assert len(a.tokens) == len(a.durations) and sum(a.durations) >= a.mel.shape[1]


def test_length_scale_and_temperature_knobs(model, vocoder):
    slow = W.speak(model, TEXT, 0.667, length_scale=2.0, vocoder=vocoder)
    normal = W.speak(model, TEXT, 0.667, length_scale=1.0, vocoder=vocoder)
    assert slow.mel.shape[1] > normal.mel.shape[1]
    spread = W.temperature_sweep(model, TEXT, temperatures=(0.0, 1.0), seeds=(0, 1))
    assert spread[0.0] == 0.0 and spread[1.0] > 0.0
    with pytest.raises(ValueError, match="noise_scale"):
        W.speak(model, TEXT, -0.1, vocoder=vocoder)
    with pytest.raises(ValueError, match="length_scale"):
        W.speak(model, TEXT, 0.5, length_scale=0.0, vocoder=vocoder)


def test_ui_renders_and_shows_errors_as_messages(model, vocoder):
    ui = W.GlowTTSSpeaker(model, text=TEXT, vocoder=vocoder)
    assert ui.sample is not None and ui.error is None
    figure, player = ui.output.outputs
    assert figure["data"]["image/png"] and "<audio" in player["data"]["text/html"]
    first = ui.sample.wave
    ui.resample.click()
    assert ui.seed.value == 1 and not np.array_equal(ui.sample.wave, first)
    ui.length_scale.value = 1.5
    assert ui.sample.length_scale == 1.5
    ui.text.value = ""
    assert ui.error is not None
    assert [o["text"] for o in ui.output.outputs] == [f"⚠ {ui.error}\n"]
