"""The one training task of the single-phase models: what each keeps of its own, and what they share."""

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from course_lib.audio import SAMPLE_RATE
from course_lib.models import recipe
from course_lib.models.cvae import CvaeConfig
from course_lib.models.cvae import build as build_cvae
from course_lib.models.cvae.train import CvaeTask
from course_lib.models.diff_tts import DiffTTSConfig
from course_lib.models.diff_tts import build as build_diff
from course_lib.models.diff_tts.train import SYNTH_CALLS, DiffTTSTask
from course_lib.models.glow_tts import GlowTTSConfig
from course_lib.models.glow_tts import build as build_glow
from course_lib.models.glow_tts.train import GlowTTSTask
from course_lib.models.grad_tts import GradTTSConfig
from course_lib.models.grad_tts import build as build_grad
from course_lib.models.grad_tts.train import GradTTSTask
from course_lib.models.recognizer import RecognizerConfig
from course_lib.models.recognizer import build as build_recognizer
from course_lib.models.recognizer.train import RecognizerTask
from course_lib.models.single_phase import SinglePhaseTask
from course_lib.training import train_config
from course_lib.training.task import check_task

N_VOCAB = 20


def _glow():
    return GlowTTSTask(build_glow(GlowTTSConfig.tiny().replace(n_vocab=N_VOCAB)))


def _grad():
    return GradTTSTask(build_grad(dataclasses.replace(GradTTSConfig.tiny(), n_vocab=N_VOCAB)))


def _diff():
    return DiffTTSTask(build_diff(dataclasses.replace(DiffTTSConfig.tiny(), n_vocab=N_VOCAB)))


def _cvae():
    return CvaeTask(build_cvae(CvaeConfig.tiny()))


def _recognizer():
    return RecognizerTask(build_recognizer(RecognizerConfig.tiny()))


# each task's phase name (the history's "<phase>/loss"), its logged fields and its learning rate
TASKS = {
    "glow_tts": (_glow, "tts", ("mle", "duration")),
    "grad_tts": (_grad, "tts", ("duration", "prior", "diffusion")),
    "diff_tts": (_diff, "tts", ("duration", "diffusion")),
    "cvae": (_cvae, "cvae", ("reconstruction", "kl", "duration")),
    "recognizer": (_recognizer, "ctc", ()),
}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_single_phase_model_shares_the_one_task(name):
    make, phase, logged = TASKS[name]
    task = make()
    check_task(task)
    assert isinstance(task, SinglePhaseTask)
    assert list(task.modules) == ["model"] and list(task.optimizers) == ["adam"]  # resume states keep loading
    assert [(p.name, p.optimizer) for p in task.phases] == [(phase, "adam")]
    assert task.LOGGED == logged
    trained = {id(p) for group in task.optimizers["adam"].param_groups for p in group["params"]}
    assert trained == {id(p) for p in task.model.parameters()}, "the optimizer must hold every weight once"
    assert task.sample_audio() == {}  # no sentence given: nothing to voice
    assert task.config_dict()


def test_each_task_keeps_its_own_recipe():
    glow, grad = _glow().optimizers["adam"], _grad().optimizers["adam"]
    assert glow.defaults["betas"] == GlowTTSConfig.tiny().adam_betas and glow.defaults["eps"] == 1e-9
    assert "noam" in _glow().schedulers and not _grad().schedulers
    assert [g["name"] for g in grad.param_groups] == ["encoder", "decoder"]
    assert _cvae().optimizers["adam"].defaults["lr"] == CvaeConfig().learning_rate
    assert DiffTTSTask.SAMPLE_OPTIONS.n_steps == SYNTH_CALLS and DiffTTSTask.NEEDS_DURATIONS
    assert GlowTTSTask.NEEDS_DURATIONS is None


def test_train_config_clips_as_the_model_says():
    by_value = train_config(GlowTTSConfig.tiny(), "out", 100, True, False)
    by_norm = train_config(GradTTSConfig.tiny(), "out", 100, False, False)
    assert (by_value.grad_clip_value, by_value.grad_clip_norm) == (GlowTTSConfig.tiny().grad_clip_value, None)
    assert (by_norm.grad_clip_norm, by_norm.grad_clip_value) == (GradTTSConfig.tiny().grad_clip_norm, None)
    assert by_value.val_every == 20 and by_norm.val_every is None
    assert (by_value.checkpoint_every, by_value.log_every) == (10, 10)


def test_sample_audio_voices_the_sentence_through_the_contract_and_the_given_vocoder():
    calls = []

    def vocoder(mel):
        calls.append(tuple(mel.shape))
        return torch.zeros(mel.shape[-1] * 256)

    torch.manual_seed(0)
    model = build_glow(GlowTTSConfig.tiny().replace(n_vocab=N_VOCAB))
    task = GlowTTSTask(model, torch.tensor([[1, 2, 3, 4]]), vocoder)
    wave, rate = task.sample_audio()["sample"]
    assert rate == SAMPLE_RATE and isinstance(wave, np.ndarray)
    assert len(calls) == 1 and calls[0][0] == 80 and wave.shape == (calls[0][1] * 256,)
    expected = model.generate(torch.tensor([1, 2, 3, 4]), GlowTTSTask.SAMPLE_OPTIONS).mel
    assert calls[0] == tuple(expected.shape)  # the same settings (seed 0) give the same mel


def test_validation_averages_the_logged_fields_without_building_a_graph():
    from course_lib.data import TextMelBatch

    torch.manual_seed(0)
    task = _diff()
    tokens = torch.randint(1, N_VOCAB, (2, 5))
    durations = torch.full((2, 5), 3, dtype=torch.long)
    batch = TextMelBatch(ids=("a", "b"), tokens=tokens, token_lengths=torch.tensor([5, 5]),
                         mels=torch.randn(2, 80, 15), mel_lengths=torch.tensor([15, 15]),
                         speakers=torch.zeros(2, dtype=torch.long), durations=durations)
    metrics = task.validate([batch, batch])
    assert set(metrics) == {"duration", "diffusion"} and all(math.isfinite(v) for v in metrics.values())
    assert task.validate(None) == {}


def test_about_rounds_a_duration_for_people():
    assert [recipe.about(s) for s in (4, 37, 200, 3000, 9000)] == ["≈ 4 s", "≈ 40 s", "≈ 3 min", "≈ 50 min",
                                                                  "≈ 2.5 h"]


def test_without_a_shipped_checkpoint_the_fallback_says_how_long_it_will_train(tmp_path, monkeypatch, capsys):
    from course_lib import paths

    monkeypatch.setattr(paths, "CHECKPOINT_DIR", tmp_path / "checkpoints")
    monkeypatch.setattr(paths, "cache_dir", lambda: tmp_path / "cache")
    trained = []

    class Toy(recipe.Recipe):
        def train(self, config, data_dir, out_dir, steps=None, validate=True):
            trained.append((config, data_dir, Path(out_dir).name, steps, validate))
            return torch.nn.Linear(1, 1), []

        def load(self, path, device=None):
            return torch.nn.Linear(1, 1).eval()

    shipped = recipe.Shipped("toy_tiny.pt", recipe.TrainingCost(steps=1, cpu_hours=1), "python -m course_lib train toy",
                             seconds_per_step=1.5, fallback_data=lambda: "multi")
    toy = Toy("toy", {"tiny": lambda: "tiny"}, build=None, prepare=None, task=None, steps=(1, 2, 3), model_file="toy.pt",
              shipped=shipped)
    model, how = toy.shipped_or_trained(200)
    assert "no shipped checkpoint toy_tiny.pt: training 200 steps now, ≈ 5 min" in capsys.readouterr().out
    assert trained == [("tiny", "multi", "toy_tiny", 200, False)] and not model.training
    assert "python -m course_lib train toy" in how

    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "toy_tiny.pt").write_bytes(b"")
    _, how = toy.shipped_or_trained(200)
    assert how == "loaded the shipped checkpoint toy_tiny.pt" and capsys.readouterr().out == "" and len(trained) == 1
