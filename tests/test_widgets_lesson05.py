"""Lesson 05 widget: a mel noised by q(x_t | x_0) at a chosen ᾱ, vocoded and played."""

import math

import numpy as np
import pytest
import torch

from course_lib.vocoder import GriffinLimVocoder
from course_lib.widgets import lesson05 as W

VOCODER = GriffinLimVocoder(n_iter=2)
MEL = -6 + 3 * torch.rand(80, 20, generator=torch.Generator().manual_seed(0))


def test_alpha_bar_one_is_the_clean_mel_and_zero_is_pure_noise():
    torch.testing.assert_close(W.noised_mel(MEL, 1.0), MEL)
    low, high = float(MEL.min()), float(MEL.max())
    pure = (W.noised_mel(MEL, 0.0, seed=3) - low) / (high - low) * 2 - 1  # back in the [−1, 1] scale
    noise = torch.randn(MEL.shape, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(pure, noise)  # nothing of x₀ left
    torch.testing.assert_close(W.noised_mel(MEL, 0.5, seed=1), W.noised_mel(MEL, 0.5, seed=1))
    assert not torch.allclose(W.noised_mel(MEL, 0.5, seed=1), W.noised_mel(MEL, 0.5, seed=2))


def test_noised_wave_and_its_snr():
    sample = W.noised_wave(MEL, 0.9, seed=0, vocoder=VOCODER)
    assert sample.wave.dtype == np.float32 and len(sample.wave) == 20 * 256 and np.abs(sample.wave).max() <= 1.0
    assert sample.snr_db == pytest.approx(10 * math.log10(9))
    assert W.noised_wave(MEL, 1.0, vocoder=VOCODER).snr_db == math.inf
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        W.noised_mel(MEL, 1.5)


def test_step_of_a_schedule():
    schedule = torch.tensor([0.99, 0.9, 0.5, 0.1])
    assert W.step_of(0.9, schedule) == 2 and W.step_of(0.3, schedule) == 4 and W.step_of(0.01, schedule) is None


def test_ui_follows_the_slider():
    ui = W.noised_mel_player(MEL, alpha_bar=0.9, alpha_bars=torch.tensor([0.99, 0.9, 0.5]), vocoder=VOCODER)
    figure, text, player = ui.output.outputs
    assert figure["data"]["image/png"] and "<audio" in player["data"]["text/html"]
    assert "SNR +9.5 dB" in text["text"] and "step 2 of 3" in text["text"]
    ui.alpha_bar.value = 0.01
    assert ui.sample.alpha_bar == 0.01 and "never goes this low" in ui.output.outputs[1]["text"]
