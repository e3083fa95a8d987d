"""Lesson 09 widget: the reverse-step trajectory (pure function) and its headless UI."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from course_lib.models.grad_tts import GradTTSConfig, build
from course_lib.text import tokenizer_for
from course_lib.vocoder import GriffinLimVocoder
from course_lib.widgets.lesson09 import TrajectoryExplorer, reverse_trajectory, step_title


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread avoids oversubscription on the shared 2-core CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    config = dataclasses.replace(GradTTSConfig.tiny(), n_vocab=tokenizer_for("espeak", False).n_vocab,
                                 encoder_channels=32, encoder_filter_channels=64, encoder_layers=1,
                                 duration_filter_channels=32, dec_dim=8, attention_heads=1, attention_head_dim=8)
    return build(config).eval()


VOCODER = GriffinLimVocoder(n_iter=2)


def test_trajectory_holds_every_step_and_a_playable_wave(model):
    traj = reverse_trajectory(model, "Hello there.", n_steps=3, temperature=1.5, seed=0, vocoder=VOCODER)
    assert len(traj.mels) == 4 and len(traj.times) == 3
    assert traj.mels[0].shape == traj.prior_mean.shape and traj.mels[0].shape[0] == 80
    assert traj.wave.dtype == np.float32 and np.isfinite(traj.wave).all() and np.abs(traj.wave).max() <= 1.0
    assert traj.sample_rate == 22050 and traj.seconds > 0
    assert step_title(traj, 0).startswith("start") and "step 3/3" in step_title(traj, 3)
    again = reverse_trajectory(model, "Hello there.", n_steps=3, temperature=1.5, seed=0, vocoder=VOCODER)
    assert torch.equal(again.mels[-1], traj.mels[-1])


@pytest.mark.parametrize("kwargs", [{"text": ""}, {"n_steps": 0}, {"temperature": 0.0}])
def test_bad_knobs_raise_value_error(model, kwargs):
    knobs = {"text": "Hello.", "n_steps": 2, "temperature": 1.5, **kwargs}
    with pytest.raises(ValueError):
        reverse_trajectory(model, knobs["text"], knobs["n_steps"], knobs["temperature"], vocoder=VOCODER)


def test_ui_runs_headless_and_shows_errors_as_messages(model):
    ui = TrajectoryExplorer(model, text="Hi.", n_steps=2, vocoder=VOCODER)
    assert ui.trajectory is not None and ui.step.max == 2
    figure, text, player = ui.output.outputs
    assert figure["data"]["image/png"] and "2 steps in" in text["text"] and "<audio" in player["data"]["text/html"]
    ui.step.value = 0  # move through the steps without recomputing
    assert ui.trajectory.n_steps == 2
    ui.text.value = ""
    ui.synthesize()
    assert ui.trajectory is None and ui.error
    assert [o["text"] for o in ui.output.outputs] == [f"⚠ {ui.error}\n"]
