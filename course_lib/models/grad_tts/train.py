"""Grad-TTS's training task and its recipe (``RECIPE``: training, model files, the shipped checkpoint, ``synth``).

Recipe (Speech-Backbones ``train.py``): one Adam (lr 1e-4, default betas) over
all weights; each step sums the duration, prior and diffusion losses, then
clips the gradient norm to 1 **separately** for the encoder and the decoder —
here as two parameter groups of the one optimizer, which the course trainer
clips group by group (``TrainConfig.grad_clip_norm``).
"""

from __future__ import annotations

import torch

from course_lib.models import recipe
from course_lib.models.grad_tts import CONFIGS, build
from course_lib.models.grad_tts.model import GradTTS
from course_lib.models.single_phase import SinglePhaseTask


class GradTTSTask(SinglePhaseTask):
    """One Adam with two parameter groups (encoder; decoder and speaker table), clipped group by group; one phase."""

    LOGGED = ("duration", "prior", "diffusion")

    def make_optimizer(self, model: GradTTS) -> torch.optim.Optimizer:
        decoder_params = list(model.decoder.parameters())
        if model.speaker_embedding is not None:
            decoder_params += list(model.speaker_embedding.parameters())
        return torch.optim.Adam([{"params": list(model.encoder.parameters()), "name": "encoder"},
                                 {"params": decoder_params, "name": "decoder"}], lr=self.config.learning_rate)

    def losses(self, batch):
        speakers = batch.speakers if self.config.n_speakers > 1 else None
        return self.modules["model"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, speakers)


def noise_scale_of_temperature(temperature: float) -> float:
    """Grad-TTS's temperature τ → the contract's noise scale 1 / τ (its terminal distribution is N(μ, τ⁻¹ I))."""
    if not temperature > 0:
        raise ValueError(f"Grad-TTS's temperature τ must be > 0 (the noise scale is 1 / τ; default 1.5), got "
                         f"{temperature:g}")
    return 1.0 / temperature


# python -m course_lib train / synth grad_tts: --temperature is τ
RECIPE = recipe.mel_model(
    "grad_tts", CONFIGS, build, GradTTSTask, steps=(10, 1500, 1_700_000), model_file="grad_tts.pt",
    shipped=recipe.Shipped(
        "grad_tts_tiny.pt", recipe.TrainingCost(steps=4_000, cpu_hours=2.25),
        "python -m course_lib train grad_tts --config tiny --out runs/grad_tts --steps 4000",
        seconds_per_step=1.8),
    synth=recipe.SynthCLI("Grad-TTS", temperature=noise_scale_of_temperature))
