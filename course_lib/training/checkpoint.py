"""Checkpoints: written atomically, read back with ``weights_only=True``.

Two kinds of file, both plain ``torch.save`` archives of tensors and primitive
containers (dicts, lists, str, int, float), so loading never runs pickled code:

* a **training checkpoint** (:func:`save_checkpoint` / :func:`load_checkpoint`): the
  dict the :class:`~course_lib.training.Trainer` assembles — state dicts of modules,
  optimizers, schedulers and the grad scaler, RNG states, step/epoch counters, history;
* a **model file** (:func:`save_model` / :func:`load_model`): one model's state dict and
  the config needed to rebuild it — what the course ships in ``data/checkpoints``.

Each gets a readable JSON copy of its config beside it (``model.pt`` → ``model.json``).

Atomic (:func:`course_lib.files.atomic_write`): the bytes go to a temporary file in the same
folder, are flushed and fsync'ed, then ``os.replace`` swaps it in. A crash, a full disk or
Ctrl-C mid-write leaves the old file whole and no half-written one behind.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from course_lib.files import atomic_write

TRAINING_FORMAT = "course_lib.training.checkpoint/1"
MODEL_FORMAT = "course_lib.model/1"


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used: truncated, corrupt, or of the wrong kind."""


# ---- atomic writes ----------------------------------------------------------------------


def atomic_torch_save(obj: Any, path: str | Path) -> Path:
    """``torch.save(obj, path)``, atomically."""
    return atomic_write(path, lambda file: torch.save(obj, file))


def atomic_write_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    text = json.dumps(obj, indent=2, sort_keys=True) + "\n"
    return atomic_write(path, lambda file: file.write(text.encode("utf-8")))


def config_json_path(path: str | Path) -> Path:
    """The JSON file written beside a checkpoint: ``run/checkpoint.pt`` → ``run/checkpoint.json``."""
    return Path(path).with_suffix(".json")


# ---- reading ------------------------------------------------------------------------------


def read_torch_file(path: str | Path, map_location: str | torch.device = "cpu") -> Any:
    """``torch.load(path, weights_only=True)`` with errors that name the file and the fix."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}: check the path, or train first")
    if not zipfile.is_zipfile(path):  # torch.save writes a zip archive; anything else is not one of ours
        raise _corrupt(path, None)
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        if "weights only" in str(err).lower():
            raise CheckpointError(
                f"{path} holds Python objects other than tensors and plain containers, which "
                "weights_only=True refuses to unpickle. Re-save it with course_lib.training "
                "(save_model / the Trainer), which stores only state dicts and JSON-like configs."
            ) from err
        raise _corrupt(path, err) from err
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as err:
        raise _corrupt(path, err) from err


def _corrupt(path: Path, err: BaseException | None) -> CheckpointError:
    """``err`` None: the file is not a ``torch.save`` archive at all (another kind of file, or cut short)."""
    size = path.stat().st_size if path.exists() else 0
    reason = "not a torch.save archive" if err is None else f"{type(err).__name__}: {err}"
    return CheckpointError(
        f"cannot read checkpoint {path} ({size} bytes): it is not a checkpoint, or it is truncated or corrupt "
        f"({reason}). Check the path; delete it and resume from another copy, or train again."
    )


# ---- training checkpoints ---------------------------------------------------------------------


def save_checkpoint(path: str | Path, state: Mapping[str, Any], config: Mapping[str, Any]) -> Path:
    """Write a training checkpoint (``state`` plus ``config``) and its JSON config beside it."""
    config = _json_roundtrip(config, what="the run config")
    atomic_torch_save({"format": TRAINING_FORMAT, "config": config, **state}, path)
    atomic_write_json(config, config_json_path(path))
    return Path(path)


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Read a training checkpoint written by :func:`save_checkpoint` (weights-only)."""
    payload = read_torch_file(path, map_location)
    _check_format(path, payload, TRAINING_FORMAT)
    return payload


def _check_format(path: str | Path, payload: Any, expected: str) -> None:
    """Raise a :class:`CheckpointError` naming what ``path`` is and the file to give instead, unless its format is
    ``expected``."""
    found = payload.get("format") if isinstance(payload, dict) else None
    if found == expected:
        return
    if found == TRAINING_FORMAT:  # a run's resume state where its model file was wanted
        folder = Path(path).parent
        written = sorted(str(other) for other in folder.glob("*.pt") if other.name != Path(path).name)
        fix = (f"give the model file the run wrote beside it ({', '.join(written)})" if written else
               f"the run in {folder} has written none yet: finish it with `python -m course_lib train ... --out "
               f"{folder} --resume`, which writes it")
        raise CheckpointError(f"{path} is a run's training checkpoint (its resume state), not a model file: {fix}")
    if found == MODEL_FORMAT:
        raise CheckpointError(f"{path} is a model file, not a run's training checkpoint: give the run's "
                              "checkpoint.pt to resume, or train a new run")
    wanted = ("a run's checkpoint.pt" if expected == TRAINING_FORMAT else
              "a model file a run wrote (e.g. runs/x/glow_tts.pt) or a shipped one in data/checkpoints/")
    raise CheckpointError(f"{path} is not a course checkpoint (format {found!r}, expected {expected!r}): give {wanted}")


def load_state_dicts(path: str | Path, kind: str, targets: Mapping[str, Any], saved: Mapping[str, Any]) -> None:
    """``targets[name].load_state_dict(saved[name])`` for each name; errors name the file and the part."""
    if set(targets) != set(saved):
        raise CheckpointError(
            f"checkpoint {path} has {kind} {sorted(saved)}, but the task has {sorted(targets)}; "
            "build the task the checkpoint was trained with"
        )
    for name, target in targets.items():
        try:
            target.load_state_dict(saved[name])
        except (RuntimeError, ValueError, KeyError) as err:
            raise CheckpointError(f"checkpoint {path}: cannot load {kind} {name!r}: {err}") from err


# ---- model files ----------------------------------------------------------------------------


def save_model(path: str | Path, model: nn.Module, config: Mapping[str, Any]) -> Path:
    """Save ``model``'s state dict with the ``config`` that rebuilds it (JSON-able dict).

    For a frozen dataclass config pass ``dataclasses.asdict(config)``. Tuples come back as
    lists (the config goes through JSON, so the ``.pt`` and the ``.json`` beside it agree).
    """
    config = _json_roundtrip(config, what="the model config")
    state_dict = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    atomic_torch_save({"format": MODEL_FORMAT, "config": config, "state_dict": state_dict}, path)
    atomic_write_json(config, config_json_path(path))
    return Path(path)


def load_model(
    path: str | Path,
    build_fn: Callable[[dict], nn.Module],
    device: str | torch.device = "cpu",
) -> tuple[nn.Module, dict]:
    """Rebuild a model saved by :func:`save_model`: ``build_fn(config)``, load weights, eval mode.

    Returns ``(model, config)``. The config stored inside the ``.pt`` is used (the JSON
    beside it is a readable copy).
    """
    payload = read_torch_file(path)
    _check_format(path, payload, MODEL_FORMAT)
    config = payload.get("config")
    if not isinstance(config, dict) or not isinstance(payload.get("state_dict"), dict):
        raise CheckpointError(f"{path} has no model config or no weights (a damaged or hand-made model file); "
                              "re-save it with save_model(path, model, config), or train again")
    try:
        model = build_fn(config)
    except CheckpointError:  # build_fn's own diagnosis, already naming the file
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise CheckpointError(f"the config stored in {path} cannot build the model ({type(err).__name__}: {err}); "
                              "was the file saved for another model, or edited by hand? Retrain, or fix its config") from err
    try:
        model.load_state_dict(payload["state_dict"])
    except RuntimeError as err:
        raise CheckpointError(
            f"the weights in {path} do not fit the model that build_fn made from its config: "
            f"{err}\nWas the file saved by another version of the model code?"
        ) from err
    return model.to(device).eval(), config


# ---- configs ------------------------------------------------------------------------------


def _json_roundtrip(config: Mapping[str, Any], what: str) -> dict:
    if not isinstance(config, Mapping):
        raise ValueError(
            f"{what} must be a dict, got {type(config).__name__}; for a dataclass pass "
            "dataclasses.asdict(config)"
        )
    try:
        return json.loads(json.dumps(dict(config)))
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{what} must hold only JSON values (str, int, float, bool, None, lists, dicts): {err}"
        ) from err


def _flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, prefix=f"{name}."))
        else:
            flat[name] = value
    return flat


_MISSING = object()


def field_defaults(config: Any, prefix: str = "") -> dict[str, Any]:
    """``{"decoder.istft.dim": default, …}``: each field's declared default in the config dataclass ``config``,
    following the nested dataclasses it holds (JSON values, keys as :func:`check_config_match` flattens them).

    A field added to a config after a run began has no key in that run's saved config; its default
    is what the run trained with, so a resume that leaves it at the default still matches.
    """
    defaults: dict[str, Any] = {}
    for spec in dataclasses.fields(config):
        value = getattr(config, spec.name)
        name = f"{prefix}{spec.name}"
        if dataclasses.is_dataclass(value):
            defaults.update(field_defaults(value, prefix=f"{name}."))
        elif spec.default is not dataclasses.MISSING:
            defaults[name] = json.loads(json.dumps(spec.default))
        elif spec.default_factory is not dataclasses.MISSING:
            defaults[name] = json.loads(json.dumps(spec.default_factory()))
    return defaults


def check_config_match(
    expected: Mapping[str, Any],
    found: Mapping[str, Any],
    what: str,
    fix: str | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> None:
    """Raise a ValueError naming every key where ``found`` differs from ``expected``.

    Nested dicts are compared key by key (``decoder.channels``); tuples equal lists. A key that
    ``found`` lacks is accepted when ``expected`` holds its default (``defaults``, from
    :func:`field_defaults`): the field was added after ``found`` was saved.
    ``what`` names the thing checked (e.g. ``"checkpoint data/checkpoints/glow_tts.pt"``),
    ``fix`` replaces the default advice at the end of the message.
    """
    expected_flat = _flatten(_json_roundtrip(expected, what="the expected config"))
    found_flat = _flatten(_json_roundtrip(found, what=f"the config of {what}"))
    differences = []
    for key in sorted(expected_flat.keys() | found_flat.keys()):
        want = expected_flat.get(key, _MISSING)
        got = found_flat.get(key, _MISSING)
        if want is _MISSING:
            differences.append(f"{key}: not expected, found {got!r}")
        elif got is _MISSING:
            if defaults is None or key not in defaults or defaults[key] != want:
                differences.append(f"{key}: expected {want!r}, missing")
        elif want != got:
            differences.append(f"{key}: expected {want!r}, found {got!r}")
    if differences:
        advice = fix or (
            f"Use the settings {what} was made with (e.g. rebuild the model from its config), "
            "or start a fresh run with the new settings."
        )
        raise ValueError(
            f"config mismatch for {what}: " + "; ".join(differences) + f". {advice}"
        )
