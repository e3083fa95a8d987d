"""Training task and command-line entry points for Diff-TTS (choices: see :mod:`course_lib.models.diff_tts`)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

import torch

from course_lib.audio import griffin_lim
from course_lib.models import recipe
from course_lib.models.diff_tts.config import DiffTTSConfig
from course_lib.models.diff_tts.model import DiffTTS
from course_lib.training.task import Phase

MODEL_FILE = "diff_tts.pt"
# `synth`'s default: 20 network calls (γ = 21). bench_tts_quality.py scored the shipped tiny model 16.0 dB
# MCD-DTW there against 17.2 at γ = 1 (all 400 calls, 11–48 s a sentence on 2 cores), about 20× the time.
SYNTH_CALLS = 20


class DiffTTSTask:
    """One Adam over all weights; loss = duration MSE + ε-MSE (see ``course_lib.training.task``)."""

    def __init__(self, model: DiffTTS, sample_tokens: torch.Tensor | None = None, sample_gamma: int = 21,
                 vocoder: Callable = griffin_lim) -> None:
        self.config = model.config
        self.modules = {"model": model}
        self.optimizers = {"adam": torch.optim.Adam(model.parameters(), lr=self.config.learning_rate)}
        self.schedulers: dict = {}
        self.phases = [Phase("tts", "adam", self.loss_step)]
        self.sample_tokens = sample_tokens
        self.sample_gamma = sample_gamma
        self.vocoder = vocoder

    def _losses(self, batch):
        return self.modules["model"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths,
                                     batch.durations)

    def loss_step(self, batch, cache: dict) -> tuple[torch.Tensor, dict]:
        losses = self._losses(batch)
        return losses.total, {"duration": losses.duration, "diffusion": losses.diffusion}

    def validate(self, val_loader) -> dict[str, float]:
        return recipe.mean_losses(self.modules["model"], val_loader, self._losses, ("duration", "diffusion"))

    def sample_audio(self) -> dict:
        """One validation sentence at γ = 21 (20 network calls) through the course vocoder."""
        if self.sample_tokens is None:
            return {}
        from course_lib.audio import SAMPLE_RATE

        model = self.modules["model"]  # the trainer hands hooks the bare modules, never DDP wrappers
        out = model.synthesize(self.sample_tokens.to(next(model.parameters()).device), gamma=self.sample_gamma,
                               seed=0)
        return {"sample": (recipe.vocode(out.mel[0], self.vocoder).numpy(), SAMPLE_RATE)}

    def config_dict(self) -> dict:
        return self.config.to_dict()


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=10, default=1500, full=500_000)


def train(config: DiffTTSConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          vocoder: Callable = griffin_lim):
    """Train on a corpus with stored durations (``None`` = the built-in corpus); writes ``out_dir/diff_tts.pt``.

    ``validate=False`` skips periodic validation and audio samples. Returns ``(model, history)``."""
    from course_lib.models.diff_tts import build
    from course_lib.training import Trainer, save_model

    if batch_size is not None:
        config = dataclasses.replace(config, batch_size=batch_size)
    data = recipe.training_data(data_dir, config.add_blank, config.batch_size, config.seed)
    if any(u.durations is None for u in data.corpus.utterances):
        raise ValueError("Diff-TTS trains on true durations and this corpus has none (LJSpeech); use the built-in "
                         "corpus, or add durations from a trained Glow-TTS/Grad-TTS alignment")
    config = dataclasses.replace(config, n_vocab=data.tokenizer.n_vocab, front_end=data.corpus.front_end)
    model = recipe.seed_and_build(build, config)
    task = DiffTTSTask(model, recipe.first_val_tokens(data.val_loader), vocoder=vocoder)
    trainer = Trainer(task, recipe.train_config(config, out_dir, default_steps() if steps is None else steps,
                                                      validate, progress))
    history = trainer.fit(data.train_loader, data.val_loader, resume=resume)
    save_model(Path(out_dir) / MODEL_FILE, model, config.to_dict())
    return model, history


SHIPPED_FILE = "diff_tts_tiny.pt"
TRAIN_COMMAND = "python -m course_lib train diff_tts --config tiny --out runs/diff_tts --steps 20612"


def load(path: str | Path, device: str | torch.device | None = None) -> DiffTTS:
    """A trained model from a ``save_model`` file, checked against today's symbol table for its front end."""
    from course_lib.models.diff_tts import build

    return recipe.load_checked(path, build, "diff_tts", device)


def shipped_or_trained(steps: int) -> tuple[DiffTTS, str]:
    """The shipped tiny checkpoint (``data/checkpoints/diff_tts_tiny.pt``) if present, else train one now.

    Returns the model (eval mode) and a sentence saying which happened.
    """
    return recipe.shipped_or_trained(SHIPPED_FILE, load, train, DiffTTSConfig.tiny(), steps, TRAIN_COMMAND)


def train_cli(args: argparse.Namespace) -> None:
    from course_lib.models.diff_tts import CONFIGS

    recipe.train_cli(args, "diff_tts", CONFIGS, train, MODEL_FILE)


# python -m course_lib synth diff_tts: --steps counts network calls of the skip-γ walk, SYNTH_CALLS by default
SYNTH = recipe.SynthCLI("Diff-TTS", load, temperature="it samples from N(0, I); use --steps to trade quality for "
                        "speed", n_steps=SYNTH_CALLS)
