"""Checkpoint files: atomic, weights-only, clear errors; model files; config checks; RNG states."""

import dataclasses
import json
import random

import numpy as np
import pytest
import torch
from torch import nn

from course_lib.training import (
    CheckpointError,
    Phase,
    TrainConfig,
    Trainer,
    atomic_torch_save,
    capture_rng_state,
    check_config_match,
    exponential_schedule,
    isolated_rng,
    load_checkpoint,
    load_model,
    restore_rng_state,
    save_model,
)


class TinyTask:
    def __init__(self):
        torch.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
        self.modules = {"model": self.model}
        self.optimizers = {"adam": torch.optim.Adam(self.model.parameters(), lr=1e-3)}
        self.schedulers = {"adam": exponential_schedule(self.optimizers["adam"], gamma=0.9)}
        self.phases = [Phase("fit", "adam", lambda batch, cache: (self.model(batch).pow(2).mean(), {}))]

    def config_dict(self):
        return {"n_vocab": 148, "channels": [4, 1]}


def _trained_checkpoint(tmp_path):
    trainer = Trainer(TinyTask(), TrainConfig(steps=3, out_dir=str(tmp_path), progress=False), device="cpu")
    with pytest.warns(UserWarning, match="approximate"):
        trainer.fit([torch.randn(5, 3) for _ in range(2)])
    return tmp_path / "checkpoint.pt"


def test_training_checkpoint_loads_with_weights_only(tmp_path):
    path = _trained_checkpoint(tmp_path)
    payload = torch.load(path, weights_only=True)  # tensors and plain containers only
    assert payload["step"] == 3 and payload["epoch"] == 1 and payload["batch_in_epoch"] == 1
    assert set(payload) >= {"modules", "optimizers", "schedulers", "grad_scaler", "rng", "history", "config"}
    assert payload["schedulers"]["adam"]["last_epoch"] == 1  # one epoch ended: decayed once
    assert isinstance(payload["rng"]["numpy"]["keys"], torch.Tensor)
    assert payload["config"]["task"] == {"n_vocab": 148, "channels": [4, 1]}
    assert json.loads((tmp_path / "checkpoint.json").read_text())["train"]["steps"] == 3
    assert not list(tmp_path.glob(".*.tmp"))


def test_resuming_with_another_model_config_names_the_keys(tmp_path):
    path = _trained_checkpoint(tmp_path)
    task = TinyTask()
    task.config_dict = lambda: {"n_vocab": 178, "channels": [4, 1]}
    trainer = Trainer(task, TrainConfig(steps=5, out_dir=str(tmp_path), progress=False), device="cpu")
    with pytest.raises(ValueError, match=r"n_vocab: expected 178, found 148"):
        trainer.load_checkpoint(path)


def test_atomic_write_leaves_the_old_file_and_no_partial_one(tmp_path, monkeypatch):
    path = tmp_path / "state.pt"
    atomic_torch_save({"version": 1}, path)

    def failing_save(obj, file):
        file.write(b"half a checkpoint")
        raise OSError("No space left on device")

    monkeypatch.setattr(torch, "save", failing_save)
    with pytest.raises(OSError, match="No space left"):
        atomic_torch_save({"version": 2}, path)
    monkeypatch.undo()
    assert torch.load(path, weights_only=True) == {"version": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.pt"]


def test_truncated_checkpoint_gives_an_error_naming_the_file(tmp_path):
    path = _trained_checkpoint(tmp_path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(CheckpointError, match=r"cannot read checkpoint .*checkpoint\.pt .*truncated or corrupt"):
        load_checkpoint(path)
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "missing.pt")


def test_pickled_objects_are_refused_with_an_explanation(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"format": "course_lib.model/1", "config": {}, "state_dict": {}, "extra": nn.Linear(1, 1)}, path)
    with pytest.raises(CheckpointError, match="weights_only=True refuses"):
        load_model(path, lambda config: nn.Linear(1, 1))


def test_save_model_and_load_model_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5))
    model[1].running_mean.fill_(0.25)
    config = {"in_features": 3, "hidden": 5, "kernel_sizes": (3, 7)}
    save_model(tmp_path / "tiny.pt", model, config)

    def build(config):
        return nn.Sequential(nn.Linear(config["in_features"], config["hidden"]), nn.BatchNorm1d(config["hidden"]))

    loaded, loaded_config = load_model(tmp_path / "tiny.pt", build)
    assert loaded_config == {"in_features": 3, "hidden": 5, "kernel_sizes": [3, 7]}  # through JSON
    assert json.loads((tmp_path / "tiny.json").read_text()) == loaded_config
    assert not loaded.training
    for (name, expected), got in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(expected, got), name
    with pytest.raises(CheckpointError, match="do not fit the model"):
        load_model(tmp_path / "tiny.pt", lambda config: build({**config, "hidden": 6}))
    with pytest.raises(CheckpointError, match="is a model file, not a run.s training checkpoint"):
        load_checkpoint(tmp_path / "tiny.pt")
    with pytest.raises(ValueError, match="dataclasses.asdict"):
        save_model(tmp_path / "bad.pt", model, ["not", "a", "dict"])


def test_config_mismatch_names_every_key_and_the_fix():
    expected = {"n_vocab": 148, "hidden": 192, "decoder": {"blocks": 12, "kernel": 5}, "blank": True}
    found = {"n_vocab": 178, "hidden": 192, "decoder": {"blocks": 8, "kernel": 5}, "speakers": 4}
    with pytest.raises(ValueError) as caught:
        check_config_match(expected, found, what="checkpoint glow_tts.pt")
    message = str(caught.value)
    for needle in (
        "checkpoint glow_tts.pt",
        "n_vocab: expected 148, found 178",
        "decoder.blocks: expected 12, found 8",
        "blank: expected True, missing",
        "speakers: not expected, found 4",
        "start a fresh run",
    ):
        assert needle in message
    assert "hidden" not in message and "kernel" not in message
    check_config_match({"sizes": (1, 2)}, {"sizes": [1, 2]}, what="x")  # a tuple equals its JSON list


def test_rng_state_round_trip_and_isolation():
    state = capture_rng_state()
    expected = (random.random(), np.random.rand(), np.random.randn(), torch.rand(3))
    restore_rng_state(state)
    assert (random.random(), np.random.rand(), np.random.randn()) == expected[:3]
    assert torch.equal(torch.rand(3), expected[3])

    restore_rng_state(state)
    with isolated_rng(seed=5):
        inside = torch.rand(2)
    with isolated_rng(seed=5):
        assert torch.equal(torch.rand(2), inside)  # the same draws each time
    assert random.random() == expected[0]  # and the outer streams untouched


def test_a_field_added_since_the_run_was_saved_matches_while_it_keeps_its_default():
    from course_lib.models.hifigan import CONFIGS
    from course_lib.training.checkpoint import field_defaults

    config = CONFIGS["istft_small"]()
    expected = dataclasses.asdict(config)
    saved = json.loads(json.dumps(expected))
    del saved["istft"]["speaker_channels"]              # a run saved before the field existed
    defaults = field_defaults(config)
    assert defaults["istft.speaker_channels"] == 0 and "istft.dim" in defaults
    check_config_match(expected, saved, what="run", defaults=defaults)
    changed = {**expected, "istft": {**expected["istft"], "speaker_channels": 16}}
    with pytest.raises(ValueError, match="istft.speaker_channels: expected 16, missing"):
        check_config_match(changed, saved, what="run", defaults=defaults)
    with pytest.raises(ValueError, match="missing"):   # without defaults: the strict comparison
        check_config_match(expected, saved, what="run")
