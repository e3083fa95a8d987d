"""Lesson 03 widget: text + temperature + seed → wave, driven headless (an untrained tiny model suffices)."""

import numpy as np
import pytest
import torch

from course_lib.models import cvae as C
from course_lib.text import ESPEAK_SYMBOLS, Tokenizer
from course_lib.vocoder import GriffinLimVocoder
from course_lib.widgets import lesson03 as W

TEXT = "Hello there."


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return C.build(C.CvaeConfig.tiny()).eval()


@pytest.fixture(scope="module")
def vocoder():
    return GriffinLimVocoder(n_iter=4)  # fast: the test checks plumbing, not sound quality


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_config_vocabulary_is_the_corpus_tokenizer():
    assert C.CvaeConfig().n_vocab == Tokenizer(ESPEAK_SYMBOLS).n_vocab


def test_speak_gives_a_seeded_wave_matching_the_mel(model, vocoder):
    a = W.speak(model, TEXT, 0.8, seed=0, vocoder=vocoder)
    again = W.speak(model, TEXT, 0.8, seed=0, vocoder=vocoder)
    other = W.speak(model, TEXT, 0.8, seed=1, vocoder=vocoder)
    assert a.sample_rate == 22050 and a.wave.dtype == np.float32
    assert len(a.wave) == a.mel.shape[1] * 256 and sum(a.durations) == a.mel.shape[1]
    assert len(a.phonemes) == len(a.durations) and np.abs(a.wave).max() <= 1.0
    torch.testing.assert_close(a.mel, again.mel)
    assert not torch.allclose(a.mel, other.mel)  # a different seed gives a different sample
    pair = W.back_to_back(a, other, gap_seconds=0.5)
    assert len(pair) == len(a.wave) + 11025 + len(other.wave)


def test_higher_temperature_gives_more_variation(model):
    spreads = [W.sample_spread(model, TEXT, t) for t in (0.0, 0.3, 1.0)]
    assert spreads[0] == pytest.approx(0.0, abs=1e-6)  # τ = 0: always the prior mean
    assert spreads[0] < spreads[1] < spreads[2]


@pytest.mark.parametrize("text, temperature, message", [("   ", 0.5, "empty"), (TEXT, -0.1, "temperature")])
def test_bad_knobs_raise_value_errors(model, vocoder, text, temperature, message):
    with pytest.raises(ValueError, match=message):
        W.speak(model, text, temperature, vocoder=vocoder)


def test_ui_resample_slider_and_errors(model, vocoder):
    ui = W.latent_sampler(model, text=TEXT, vocoder=vocoder)
    first = ui.wave.copy()
    figure, player = ui.output.outputs  # the mel, then an <audio> element (what the browser test listens to)
    assert figure["data"]["image/png"] and "<audio" in player["data"]["text/html"]
    ui.resample.click()  # new seed -> new z -> new wave
    assert ui.seed.value == 1 and not np.array_equal(ui.wave, first)
    ui.temperature.value = 0.0
    flat = ui.wave.copy()
    ui.resample.click()
    np.testing.assert_allclose(ui.wave, flat, atol=1e-6)  # τ = 0: resampling changes nothing
    ui.compare.click()  # A/B: two samples back to back
    assert len(ui.wave) > len(flat) and ui.error is None
    assert "A then B" in ui.output.outputs[0]["text"] and len(ui.output.outputs) == 3
    ui.text.value = ""
    assert "empty" in ui.error  # shown in the output area, no exception escapes
    assert [o["text"] for o in ui.output.outputs] == [f"⚠ {ui.error}\n"]
    ui.text.value = TEXT
    assert ui.error is None
