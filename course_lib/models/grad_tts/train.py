"""Training task and command-line entry points for Grad-TTS.

Recipe (Speech-Backbones ``train.py``): one Adam (lr 1e-4, default betas) over
all weights; each step sums the duration, prior and diffusion losses, then
clips the gradient norm to 1 **separately** for the encoder and the decoder —
here as two parameter groups of the one optimizer, which the course trainer
clips group by group (``TrainConfig.grad_clip_norm``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import torch

from course_lib.audio import griffin_lim
from course_lib.models import recipe
from course_lib.models.grad_tts.config import GradTTSConfig
from course_lib.models.grad_tts.model import GradTTS
from course_lib.models.single_phase import SinglePhaseTask

MODEL_FILE = "grad_tts.pt"


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


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=10, default=1500, full=1_700_000)


def train(config: GradTTSConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          vocoder: Callable = griffin_lim):
    """Train on a corpus folder (``None``: the built-in corpus); writes ``out_dir/grad_tts.pt``.

    ``validate=False`` skips the periodic validation losses and audio samples (quicker for a few steps in
    a notebook); ``vocoder`` voices those samples. Returns ``(model, history)``; the run:
    :func:`course_lib.models.recipe.train_acoustic_model`.
    """
    from course_lib.models.grad_tts import build

    return recipe.train_acoustic_model(GradTTSTask, build, config, data_dir, out_dir,
                                       default_steps() if steps is None else steps, batch_size, resume, validate,
                                       progress, vocoder, MODEL_FILE)


SHIPPED_FILE = "grad_tts_tiny.pt"
# what the shipped checkpoint cost to train (its row in data/checkpoints/README.md)
SHIPPED_TRAINING = recipe.TrainingCost(steps=4_000, cpu_hours=2.25)
TRAIN_COMMAND = "python -m course_lib train grad_tts --config tiny --out runs/grad_tts --steps 4000"
# one training step of the tiny config with its corpus set-up, one torch thread of a 2-core CPU whose other core
# was busy (40 steps measured): what the fallback of shipped_or_trained costs a learner without the checkpoint
SECONDS_PER_STEP = 1.8


def load(path: str | Path, device: str | torch.device | None = None) -> GradTTS:
    """A trained model from a ``save_model`` file, checked against today's symbol table for its front end."""
    from course_lib.models.grad_tts import build

    return recipe.load_checked(path, build, "grad_tts", device)


def shipped_or_trained(steps: int) -> tuple[GradTTS, str]:
    """The shipped tiny checkpoint (``data/checkpoints/grad_tts_tiny.pt``) if present, else train one now.

    Returns the model (eval mode) and a sentence saying which happened.
    """
    return recipe.shipped_or_trained(SHIPPED_FILE, load, train, GradTTSConfig.tiny(), steps, TRAIN_COMMAND,
                                     SECONDS_PER_STEP)


def train_cli(args: argparse.Namespace) -> None:
    from course_lib.models.grad_tts import CONFIGS

    recipe.train_cli(args, "grad_tts", CONFIGS, train, MODEL_FILE)


def noise_scale_of_temperature(temperature: float) -> float:
    """Grad-TTS's temperature τ → the contract's noise scale 1 / τ (its terminal distribution is N(μ, τ⁻¹ I))."""
    if not temperature > 0:
        raise ValueError(f"Grad-TTS's temperature τ must be > 0 (the noise scale is 1 / τ; default 1.5), got "
                         f"{temperature:g}")
    return 1.0 / temperature


# python -m course_lib synth grad_tts: --temperature is τ
SYNTH = recipe.SynthCLI("Grad-TTS", load, temperature=noise_scale_of_temperature)
