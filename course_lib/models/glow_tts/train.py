"""Glow-TTS's training task and its recipe (``RECIPE``: training, model files, the shipped checkpoint, ``synth``).

Recipe (official ``train.py`` / ``base.json``): Adam (betas 0.9, 0.98, eps 1e-9)
with the Noam schedule (base lr 1.0, d_model = encoder width, 4000 warm-up
steps: peak ≈ 1.14e-3), gradients clipped by value at 5, ActNorm initialised
from the first batch (the official ``init.py``), loss = MLE + duration MSE.
"""

from __future__ import annotations

import torch

from course_lib.models import recipe
from course_lib.models.glow_tts import CONFIGS, build
from course_lib.models.glow_tts.model import GlowTTS
from course_lib.models.single_phase import SinglePhaseTask

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


# python -m course_lib train / synth glow_tts; the temperature T of the paper is the prior's noise scale
RECIPE = recipe.mel_model(
    "glow_tts", CONFIGS, build, GlowTTSTask, steps=(5, 3000, 300_000), model_file="glow_tts.pt",
    shipped=recipe.Shipped("glow_tts_tiny.pt", recipe.TrainingCost(steps=14_275, cpu_hours=27 / 60, gpu_hours=8 / 60),
                           "python -m course_lib train glow_tts --config tiny --out runs/glow_tts --steps 14275"),
    synth=recipe.SynthCLI("Glow-TTS", temperature=lambda temperature: temperature))
