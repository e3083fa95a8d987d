"""Training task and command-line entry points for Grad-TTS.

Recipe (Speech-Backbones ``train.py``): one Adam (lr 1e-4, default betas) over
all weights; each step sums the duration, prior and diffusion losses, then
clips the gradient norm to 1 **separately** for the encoder and the decoder —
here as two parameter groups of the one optimizer, which the course trainer
clips group by group (``TrainConfig.grad_clip_norm``).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

import torch

from course_lib.audio import griffin_lim
from course_lib.models import recipe
from course_lib.models.grad_tts.config import GradTTSConfig
from course_lib.models.grad_tts.model import GradTTS
from course_lib.training.task import Phase

MODEL_FILE = "grad_tts.pt"


class GradTTSTask:
    """What the course :class:`~course_lib.training.Trainer` needs (see ``course_lib.training.task``)."""

    def __init__(self, model: GradTTS, sample_tokens: torch.Tensor | None = None,
                 vocoder: Callable = griffin_lim) -> None:
        self.config = model.config
        self.modules = {"model": model}
        decoder_params = list(model.decoder.parameters())
        if model.speaker_embedding is not None:
            decoder_params += list(model.speaker_embedding.parameters())
        self.optimizers = {
            "adam": torch.optim.Adam(
                [{"params": list(model.encoder.parameters()), "name": "encoder"},
                 {"params": decoder_params, "name": "decoder"}],
                lr=self.config.learning_rate)
        }
        self.schedulers: dict = {}
        self.phases = [Phase("tts", "adam", self.loss_step)]
        self.sample_tokens = sample_tokens
        self.vocoder = vocoder

    def _losses(self, batch):
        speakers = batch.speakers if self.config.n_speakers > 1 else None
        return self.modules["model"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, speakers)

    def loss_step(self, batch, cache: dict) -> tuple[torch.Tensor, dict]:
        losses = self._losses(batch)
        return losses.total, {"duration": losses.duration, "prior": losses.prior, "diffusion": losses.diffusion}

    def validate(self, val_loader) -> dict[str, float]:
        return recipe.mean_losses(self.modules["model"], val_loader, self._losses, ("duration", "prior", "diffusion"))

    def sample_audio(self) -> dict:
        """One validation sentence through the model and the course vocoder (for listening while training)."""
        if self.sample_tokens is None:
            return {}
        from course_lib.audio import SAMPLE_RATE

        model = self.modules["model"]  # the trainer hands hooks the bare modules, never DDP wrappers
        out = model.synthesize(self.sample_tokens.to(next(model.parameters()).device), seed=0)
        return {"sample": (recipe.vocode(out.mel[0], self.vocoder).numpy(), SAMPLE_RATE)}

    def config_dict(self) -> dict:
        return self.config.to_dict()


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=10, default=1500, full=1_700_000)


def train(config: GradTTSConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          vocoder: Callable = griffin_lim):
    """Train on a corpus folder (``None`` = the built-in corpus) and write ``out_dir/grad_tts.pt``.

    ``validate=False`` skips the periodic validation losses and audio samples
    (quicker for a few steps in a notebook). Returns ``(model, history)``.
    """
    from course_lib.models.grad_tts import build
    from course_lib.training import Trainer, save_model

    if batch_size is not None:
        config = dataclasses.replace(config, batch_size=batch_size)
    data = recipe.training_data(data_dir, config.add_blank, config.batch_size, config.seed)
    # the vocabulary and front end come from the data; a multi-speaker config takes the corpus's speakers
    n_speakers = data.corpus.n_speakers if config.n_speakers > 1 else 1
    config = dataclasses.replace(config, n_vocab=data.tokenizer.n_vocab, front_end=data.corpus.front_end,
                                 n_speakers=n_speakers)
    model = recipe.seed_and_build(build, config)
    task = GradTTSTask(model, recipe.first_val_tokens(data.val_loader), vocoder)
    trainer = Trainer(task, recipe.train_config(config, out_dir, default_steps() if steps is None else steps,
                                                      validate, progress))
    history = trainer.fit(data.train_loader, data.val_loader, resume=resume)
    save_model(Path(out_dir) / MODEL_FILE, model, config.to_dict())
    return model, history


SHIPPED_FILE = "grad_tts_tiny.pt"
TRAIN_COMMAND = "python -m course_lib train grad_tts --config tiny --out runs/grad_tts --steps 4000"


def load(path: str | Path, device: str | torch.device | None = None) -> GradTTS:
    """A trained model from a ``save_model`` file, checked against today's symbol table for its front end."""
    from course_lib.models.grad_tts import build

    return recipe.load_checked(path, build, "grad_tts", device)


def shipped_or_trained(steps: int) -> tuple[GradTTS, str]:
    """The shipped tiny checkpoint (``data/checkpoints/grad_tts_tiny.pt``) if present, else train one now.

    Returns the model (eval mode) and a sentence saying which happened.
    """
    return recipe.shipped_or_trained(SHIPPED_FILE, load, train, GradTTSConfig.tiny(), steps, TRAIN_COMMAND)


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
