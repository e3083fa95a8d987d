"""Training task, model files and command-line entry points for Glow-TTS.

Recipe (official ``train.py`` / ``base.json``): Adam (betas 0.9, 0.98, eps 1e-9)
with the Noam schedule (base lr 1.0, d_model = encoder width, 4000 warm-up
steps: peak ≈ 1.14e-3), gradients clipped by value at 5, ActNorm initialised
from the first batch (the official ``init.py``), loss = MLE + duration MSE.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import torch

from course_lib.audio import griffin_lim
from course_lib.models import recipe
from course_lib.models.glow_tts.config import GlowTTSConfig
from course_lib.models.glow_tts.model import GlowTTS
from course_lib.models.single_phase import SinglePhaseTask

MODEL_FILE = "glow_tts.pt"
# what the shipped checkpoint cost to train (its row in data/checkpoints/README.md)
SHIPPED_TRAINING = recipe.TrainingCost(steps=14_275, cpu_hours=27 / 60, gpu_hours=8 / 60)


class GlowTTSTask(SinglePhaseTask):
    """One model, one Adam with the paper's betas, the Noam schedule, one phase (MLE + duration MSE)."""

    LOGGED = ("mle", "duration")

    def make_optimizer(self, model: GlowTTS) -> torch.optim.Optimizer:
        cfg = self.config
        return torch.optim.Adam(model.parameters(), lr=cfg.learning_rate, betas=cfg.adam_betas, eps=cfg.adam_eps)

    def make_schedulers(self, optimizer: torch.optim.Optimizer) -> dict:
        from course_lib.training import noam_schedule

        return {"noam": noam_schedule(optimizer, d_model=self.config.encoder_channels,
                                      warmup_steps=self.config.warmup_steps)}

    def losses(self, batch):
        speakers = batch.speakers if self.config.speaker_conditioned else None
        out = self.modules["model"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, speakers)
        return GlowTTS.losses(out)

    def on_train_start(self, first_batch) -> None:
        """Data-dependent ActNorm initialisation from the first batch (official ``init.py``)."""
        model = self.modules["model"]
        speakers = first_batch.speakers if self.config.speaker_conditioned else None
        model.data_dependent_init(first_batch.tokens, first_batch.token_lengths, first_batch.mels,
                                  first_batch.mel_lengths, speakers)


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=5, default=3000, full=300_000)


def train(config: GlowTTSConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          vocoder: Callable = griffin_lim):
    """Train on a corpus folder in either layout (``None``: the built-in corpus); writes ``out_dir/glow_tts.pt``.

    ``validate=False`` skips the periodic validation losses and audio samples (quicker for a few steps in
    a notebook); ``vocoder`` voices those samples. Returns ``(model, history)``; the run:
    :func:`course_lib.models.recipe.train_acoustic_model`.
    """
    from course_lib.models.glow_tts import build

    return recipe.train_acoustic_model(GlowTTSTask, build, config, data_dir, out_dir,
                                       default_steps() if steps is None else steps, batch_size, resume, validate,
                                       progress, vocoder, MODEL_FILE)


def load(path: str | Path, device: str | torch.device | None = None) -> GlowTTS:
    """A trained model from a ``save_model`` file, checked against the tokenizer of its front end.

    Raises ValueError naming the mismatch when the checkpoint's vocabulary differs
    from the symbol table this version of the course builds for its front end.
    """
    from course_lib.models.glow_tts import build

    return recipe.load_checked(path, build, "glow_tts", device)


def train_cli(args: argparse.Namespace) -> None:
    from course_lib.models.glow_tts import CONFIGS

    recipe.train_cli(args, "glow_tts", CONFIGS, train, MODEL_FILE)


# python -m course_lib synth glow_tts: the temperature T of the paper is the prior's noise scale
SYNTH = recipe.SynthCLI("Glow-TTS", load, temperature=lambda temperature: temperature)
