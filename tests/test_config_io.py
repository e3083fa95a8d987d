"""``ConfigIO.RENAMED``: a config field renamed after checkpoints were saved still loads from them."""

import dataclasses
import json
from typing import ClassVar

import pytest
import torch

from course_lib.models import model_of_config
from course_lib.models.config_io import ConfigIO
from course_lib.models.diff_tts import DiffTTSConfig
from course_lib.models.grad_tts import GradTTSConfig
from course_lib.models.grad_tts import build as build_grad
from course_lib.models.grad_tts.train import GradTTSTask
from course_lib.models.recognizer import RecognizerConfig
from course_lib.paths import CHECKPOINT_DIR
from course_lib.training import TrainConfig, Trainer


@dataclasses.dataclass(frozen=True)
class ToyConfig(ConfigIO):
    MODEL_NAME: ClassVar[str] = "toy"
    RENAMED: ClassVar[dict[str, str]] = {"n_feats": "n_mels", "channels": "encoder_channels"}

    n_mels: int = 80
    encoder_channels: int = 192
    dropout: float = 0.1


def test_from_dict_reads_old_names_as_the_new_ones():
    assert ToyConfig.from_dict({"n_feats": 40, "channels": 8, "dropout": 0.2}) == ToyConfig(40, 8, 0.2)
    assert ToyConfig.from_dict({"n_feats": 40}) == ToyConfig(n_mels=40)
    assert ToyConfig.from_dict(ToyConfig(n_mels=40).to_dict()) == ToyConfig(n_mels=40)


def test_to_dict_writes_only_the_new_names():
    assert set(ToyConfig().to_dict()) == {"n_mels", "encoder_channels", "dropout"}


def test_a_field_under_both_names_is_refused():
    with pytest.raises(ValueError, match="'n_feats' and 'n_mels'.*keep the new one"):
        ToyConfig.from_dict({"n_feats": 40, "n_mels": 80})


def test_renaming_keeps_checking_unknown_keys_and_kinds():
    with pytest.raises(ValueError, match="unknown toy config keys"):
        ToyConfig.from_dict({"n_feat": 40})
    with pytest.raises(ValueError, match="n_mels='80' should be int"):
        ToyConfig.from_dict({"n_feats": "80"})


def test_without_renames_from_dict_is_unchanged():
    assert ConfigIO.RENAMED == {}


def _saved_under_old_names(config: ConfigIO) -> dict:
    """``config.to_dict()`` as a checkpoint saved before its fields were renamed holds it."""
    old_name = {new: old for old, new in type(config).RENAMED.items()}
    return {old_name.get(key, key): value for key, value in config.to_dict().items()}


@pytest.mark.parametrize("config_class", [GradTTSConfig, DiffTTSConfig, RecognizerConfig])
def test_each_model_loads_a_config_saved_under_its_old_names(config_class):
    config = config_class.tiny()
    saved = _saved_under_old_names(config)
    assert saved != config.to_dict()
    assert config_class.from_dict(saved) == config
    assert model_of_config(saved) == model_of_config(config.to_dict())


@pytest.mark.parametrize("name, config_class, old_names", [
    ("grad_tts_tiny", GradTTSConfig, {"n_feats", "channels", "speaker_emb_dim"}),
    ("diff_tts_tiny", DiffTTSConfig, {"n_feats", "channels"}),
    ("recognizer_tiny", RecognizerConfig, {"n_feats"}),
])
def test_shipped_configs_saved_under_old_names_still_load(name, config_class, old_names):
    path = CHECKPOINT_DIR / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"{path} is not shipped in this checkout")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert old_names <= set(saved)  # saved before the renames (re-saved with the new names, drop its row)
    loaded = config_class.from_dict(saved)
    assert json.loads(json.dumps(loaded.to_dict())) == config_class.current_names(saved)


def test_a_run_saved_under_old_names_still_resumes(tmp_path):
    config = dataclasses.replace(GradTTSConfig.tiny(), n_vocab=12)
    trainer = Trainer(GradTTSTask(build_grad(config)), TrainConfig(steps=1, out_dir=str(tmp_path), progress=False))
    path = trainer.save_checkpoint()
    payload = torch.load(path, weights_only=True)
    payload["config"]["task"] = _saved_under_old_names(config)
    torch.save(payload, path)

    again = Trainer(GradTTSTask(build_grad(config)), TrainConfig(steps=1, out_dir=str(tmp_path), progress=False))
    again.load_checkpoint(path)  # no "config mismatch": the old names are read as the new ones
    changed = Trainer(GradTTSTask(build_grad(dataclasses.replace(config, encoder_channels=32))),
                      TrainConfig(steps=1, out_dir=str(tmp_path), progress=False))
    with pytest.raises(ValueError, match="encoder_channels: expected 32, found 64"):
        changed.load_checkpoint(path)
