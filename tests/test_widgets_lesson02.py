"""Lesson 02 widget: a latent traversal of a whole sentence, mel and sound (an untrained tiny VAE suffices)."""

import numpy as np
import pytest
import torch

from course_lib.models import vae as vae_lib
from course_lib.vocoder import GriffinLimVocoder
from course_lib.widgets import lesson02 as W

VOCODER = GriffinLimVocoder(n_iter=2)  # plumbing, not sound quality


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def model_and_segments():
    torch.manual_seed(0)
    config = vae_lib.VaeConfig.tiny()
    model = vae_lib.build(config).eval()
    with torch.no_grad():  # a non-trivial decoder, so that the latent changes the output
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    segments = -4 + torch.randn(5, 80, config.segment_frames, generator=torch.Generator().manual_seed(1))
    return model, segments


def test_traversal_sets_one_dimension_in_every_segment(model_and_segments):
    model, segments = model_and_segments
    own = W.traversal_mel(model, segments, 0, None)
    assert own.shape == (80, 5 * model.config.segment_frames)
    with torch.no_grad():
        mean, _ = model.encode(segments)
    torch.testing.assert_close(own, torch.cat(list(model.decode(mean)), dim=1))  # None = as encoded
    low, high = W.traversal_mel(model, segments, 1, -3.0), W.traversal_mel(model, segments, 1, 3.0)
    assert not torch.allclose(low, high)
    mean[:, 1] = 3.0
    torch.testing.assert_close(high, torch.cat(list(model.decode(mean)), dim=1))
    lo, hi = W.code_range(model, segments, 1)
    assert lo <= hi
    mel, wave = W.traversal_wave(model, segments, 1, 3.0, vocoder=VOCODER)
    assert wave.dtype == np.float32 and len(wave) == mel.shape[1] * 256 and np.abs(wave).max() <= 1.0


def test_a_dimension_outside_the_latent_is_refused(model_and_segments):
    model, segments = model_and_segments
    with pytest.raises(ValueError, match="dimensions 0"):
        W.traversal_mel(model, segments, model.config.latent_dim, 0.0)


def test_ui_renders_a_mel_and_a_player_and_follows_the_sliders(model_and_segments):
    model, segments = model_and_segments
    ui = W.latent_traversal(model, segments, dim=0, value=0.0, vocoder=VOCODER)
    figure, text, player = ui.output.outputs
    assert figure["data"]["image/png"] and "span" in text["text"] and "<audio" in player["data"]["text/html"]
    first = ui.wave.copy()
    ui.value.value = 3.0
    assert not np.array_equal(ui.wave, first)
    ui.as_encoded.value = True
    np.testing.assert_allclose(ui.mel, W.traversal_mel(model, segments, 0, None))
