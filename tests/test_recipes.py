"""Every trainable model's recipe (course_lib.models.recipe): the file a run writes loads back through it."""

import dataclasses

import pytest
import torch

from course_lib.models import TRAINABLE, recipe_of
from course_lib.text import tokenizer_for
from course_lib.training import save_model


def _tiny(recipe):
    config = recipe.config("tiny")
    if hasattr(config, "n_vocab"):  # the vocabulary a run fits from the corpus
        config = dataclasses.replace(config, n_vocab=tokenizer_for(config.front_end,
                                                                   getattr(config, "add_blank", False)).n_vocab)
    return config


@pytest.mark.parametrize("name", TRAINABLE)
def test_the_model_file_a_run_writes_loads_back_through_the_recipe(name, tmp_path):
    recipe = recipe_of(name)
    config = _tiny(recipe)
    torch.manual_seed(0)
    model = recipe.build(config)
    path = tmp_path / recipe.model_file
    if recipe.save is None:
        save_model(path, model, config.to_dict())
    else:
        recipe.save(path, model, config)
    loaded = recipe.load(path, device="cpu")
    assert not loaded.training
    weights = loaded.state_dict()
    # the whole trained model, or the part of it the file holds (HiFi-GAN's generator)
    saved = next(part for _, part in model.named_modules() if part.state_dict().keys() == weights.keys())
    assert all(torch.equal(saved.state_dict()[key], value) for key, value in weights.items())


def test_a_model_file_of_another_model_is_refused_with_its_name(tmp_path):
    glow, vits = recipe_of("glow_tts"), recipe_of("vits")
    model = glow.build(_tiny(glow))
    path = save_model(tmp_path / "glow.pt", model, model.config.to_dict())
    with pytest.raises(Exception, match="is a glow_tts model file, not vits"):
        vits.load(path)
