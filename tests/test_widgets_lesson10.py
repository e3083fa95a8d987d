"""Lesson 10 widget: Diff-TTS A/B over γ and seed (an untrained tiny model, few-call walks)."""

import dataclasses

import numpy as np
import pytest
import torch

from course_lib.models import diff_tts
from course_lib.text import text_to_tokens, tokenizer_for
from course_lib.vocoder import GriffinLimVocoder
from course_lib.widgets import lesson10 as W

VOCODER = GriffinLimVocoder(n_iter=2)
TEXT = "Hello there."


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    config = dataclasses.replace(diff_tts.DiffTTSConfig.tiny(), n_vocab=tokenizer_for("espeak", False).n_vocab)
    return diff_tts.build(config).eval()


def test_valid_gammas_divide_t_minus_one(model):
    assert W.valid_gammas(model) == [1, 3, 7, 19, 21, 57, 133, 399]  # 399 = 3 · 7 · 19


def test_samples_are_seeded_and_gamma_sets_the_calls(model):
    a = W.diff_tts_sample(model, TEXT, 133, seed=0, vocoder=VOCODER)
    again = W.diff_tts_sample(model, TEXT, 133, seed=0, vocoder=VOCODER)
    other = W.diff_tts_sample(model, TEXT, 133, seed=1, vocoder=VOCODER)
    assert a.calls == 4 and W.diff_tts_sample(model, TEXT, 399, vocoder=VOCODER).calls == 2
    torch.testing.assert_close(a.mel, again.mel)
    assert W.mel_distance(a, again) == 0 and W.mel_distance(a, other) > 0
    assert a.wave.dtype == np.float32 and len(a.wave) == a.mel.shape[-1] * 256 and np.abs(a.wave).max() <= 1.0
    assert len(W.a_then_b(a, other, 0.5)) == len(a.wave) + 11025 + len(other.wave)
    durations = torch.full((text_to_tokens(TEXT, "espeak", False).shape[-1],), 3)
    fixed = W.diff_tts_sample(model, TEXT, 399, durations=durations, vocoder=VOCODER)
    assert fixed.mel.shape[-1] == 3 * len(durations)
    with pytest.raises(ValueError):
        W.diff_tts_sample(model, TEXT, 10, vocoder=VOCODER)  # 10 does not divide 399


def test_ui_plays_a_b_and_both_and_caches(model):
    ui = W.gamma_seed_ab(model, text=TEXT, gamma_a=399, gamma_b=133, seed_b=1, vocoder=VOCODER)
    figure, text, player = ui.output.outputs
    assert figure["data"]["image/png"] and "<audio" in player["data"]["text/html"] and "A then B" in text["text"]
    both = len(ui.wave)
    ui.play_a.click()
    a_len = len(ui.wave)
    ui.play_b.click()
    assert a_len + len(ui.wave) < both and len(ui._cache) == 2  # nothing resynthesised
    ui.text.value = ""
    ui.play_a.click()
    assert ui.error and ui.output.outputs[0]["text"].startswith("⚠")
