"""The course's models, and a registry the command line uses.

Each model module exposes the same small protocol:

* ``CONFIGS``: ``{name: constructor}`` of its config dataclass (e.g. ``paper``, ``tiny``);
* ``build(config) -> nn.Module``;
* a trainable model: a ``train`` submodule whose ``RECIPE`` (a :class:`recipe.Recipe`) is all that
  ``python -m course_lib train`` needs, and for ``synth`` its ``synth`` (a :class:`recipe.SynthCLI`); the model it
  loads implements the synthesis contract (``course_lib.models.contract``), which one path
  (:func:`course_lib.cli.synth_cli`) drives.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from types import ModuleType

# what `python -m course_lib train` / `synth` can do with each (its train module's RECIPE / the recipe's synth;
# tests/test_packaging.py checks the two lists against the modules)
TRAINABLE = ("cvae", "glow_tts", "grad_tts", "diff_tts", "hifigan", "pitch_vocoder", "vits", "recognizer")
SYNTHESIZERS = ("cvae", "glow_tts", "grad_tts", "diff_tts", "vits")

MODEL_MODULES = {
    "vae": "course_lib.models.vae",
    "cvae": "course_lib.models.cvae",
    "glow_tts": "course_lib.models.glow_tts",
    "hifigan": "course_lib.models.hifigan",
    "pitch_vocoder": "course_lib.models.pitch_vocoder",  # the course vocoder: explicit pitch, learned magnitudes
    "grad_tts": "course_lib.models.grad_tts",
    "diff_tts": "course_lib.models.diff_tts",
    "vits": "course_lib.models.vits",
    "recognizer": "course_lib.models.recognizer",  # the CTC phoneme recognizer lesson 12 scores PER with
}


def model_module(name: str) -> ModuleType:
    """Import the module behind a model name, or explain which names exist."""
    if name not in MODEL_MODULES:
        raise ValueError(f"unknown model {name!r}: choose one of {', '.join(MODEL_MODULES)}")
    try:
        return importlib.import_module(MODEL_MODULES[name])
    except ModuleNotFoundError as err:
        if err.name == MODEL_MODULES[name]:
            raise ValueError(f"model {name!r} is not built yet in this version of the course") from err
        raise


def model_of_config(config: Mapping) -> str | None:
    """The registry name whose config dataclass has exactly the keys of ``config`` (a saved config, whose keys
    from before a field's rename count under the new name: the class's ``RENAMED``), else None."""
    for name in MODEL_MODULES:
        try:
            constructors = model_module(name).CONFIGS.values()
        except (ValueError, AttributeError):  # not built yet, or no config dataclass
            continue
        classes = {getattr(make, "__self__", None) for make in constructors}
        if any(dataclasses.is_dataclass(c) and {f.name for f in dataclasses.fields(c)}
               == {getattr(c, "RENAMED", {}).get(key, key) for key in config} for c in classes):
            return name
    return None


def recipe_of(name: str):
    """The :class:`~course_lib.models.recipe.Recipe` of a trainable model, else None."""
    module = model_module(name)
    try:
        train = importlib.import_module(f"{module.__name__}.train")
    except ModuleNotFoundError as err:
        if err.name != f"{module.__name__}.train":
            raise
        return None
    return getattr(train, "RECIPE", None)
