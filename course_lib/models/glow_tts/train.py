"""Training task, model files and command-line entry points for Glow-TTS.

Recipe (official ``train.py`` / ``base.json``): Adam (betas 0.9, 0.98, eps 1e-9)
with the Noam schedule (base lr 1.0, d_model = encoder width, 4000 warm-up
steps: peak ≈ 1.14e-3), gradients clipped by value at 5, ActNorm initialised
from the first batch (the official ``init.py``), loss = MLE + duration MSE.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

import torch

from course_lib.audio import griffin_lim
from course_lib.models import recipe
from course_lib.models.glow_tts.config import GlowTTSConfig
from course_lib.models.glow_tts.model import GlowTTS
from course_lib.training.task import Phase

MODEL_FILE = "glow_tts.pt"


class GlowTTSTask:
    """What :class:`~course_lib.training.Trainer` needs: one model, one Adam, a Noam schedule, one phase."""

    def __init__(self, model: GlowTTS, sample_tokens: torch.Tensor | None = None,
                 vocoder: Callable = griffin_lim) -> None:
        from course_lib.training import noam_schedule

        self.config = model.config
        cfg = self.config
        self.modules = {"model": model}
        optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate, betas=cfg.adam_betas, eps=cfg.adam_eps)
        self.optimizers = {"adam": optimizer}
        self.schedulers = {"noam": noam_schedule(optimizer, d_model=cfg.encoder_channels, warmup_steps=cfg.warmup_steps)}
        self.phases = [Phase("tts", "adam", self.loss_step)]
        self.sample_tokens = sample_tokens
        self.vocoder = vocoder

    def _run(self, batch):
        speakers = batch.speakers if self.config.speaker_conditioned else None
        model = self.modules["model"]
        out = model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, speakers)
        return GlowTTS.losses(out)

    def loss_step(self, batch, cache: dict) -> tuple[torch.Tensor, dict]:
        losses = self._run(batch)
        return losses.total, {"mle": losses.mle, "duration": losses.duration}

    def on_train_start(self, first_batch) -> None:
        """Data-dependent ActNorm initialisation from the first batch (official ``init.py``)."""
        model = self.modules["model"]
        speakers = first_batch.speakers if self.config.speaker_conditioned else None
        model.data_dependent_init(first_batch.tokens, first_batch.token_lengths, first_batch.mels,
                                  first_batch.mel_lengths, speakers)

    def validate(self, val_loader) -> dict[str, float]:
        return recipe.mean_losses(self.modules["model"], val_loader, self._run, ("mle", "duration"))

    def sample_audio(self) -> dict:
        """One validation sentence through the model and the course vocoder, to listen while training."""
        if self.sample_tokens is None:
            return {}
        from course_lib.audio import SAMPLE_RATE

        model = self.modules["model"]  # the trainer hands hooks the bare modules, never DDP wrappers
        mel = model.synthesize(self.sample_tokens, seed=0)
        return {"sample": (recipe.vocode(mel, self.vocoder).numpy(), SAMPLE_RATE)}

    def config_dict(self) -> dict:
        return self.config.to_dict()


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=5, default=3000, full=300_000)


def train(config: GlowTTSConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, progress: bool = True,
          vocoder: Callable = griffin_lim):
    """Train on a corpus folder in either layout (``None``: the built-in corpus); writes ``out_dir/glow_tts.pt``.

    The vocabulary size and front end are taken from the data; ``batch_size`` (None: the config's)
    is stored in the saved config. Returns ``(model, history)``.
    """
    from course_lib.models.glow_tts import build
    from course_lib.training import TrainConfig, Trainer, save_model

    if batch_size is not None:
        config = dataclasses.replace(config, batch_size=batch_size)
    data = recipe.training_data(data_dir, config.add_blank, config.batch_size, config.seed)
    n_speakers = data.corpus.n_speakers if config.n_speakers > 1 else 1
    config = dataclasses.replace(config, n_vocab=data.tokenizer.n_vocab, front_end=data.corpus.front_end,
                                 n_speakers=n_speakers)
    model = recipe.seed_and_build(build, config)
    sample = next(iter(data.val_loader)) if data.val_loader is not None else None
    sample_tokens = sample.tokens[0, : int(sample.token_lengths[0])] if sample is not None else None
    task = GlowTTSTask(model, sample_tokens, vocoder)
    steps = default_steps() if steps is None else steps
    trainer = Trainer(task, TrainConfig(steps=steps, grad_clip_value=config.grad_clip_value, seed=config.seed,
                                        out_dir=str(out_dir), val_every=max(steps // 5, 1),
                                        checkpoint_every=max(steps // 10, 1), log_every=min(10, steps),
                                        progress=progress))
    history = trainer.fit(data.train_loader, data.val_loader, resume=resume)
    save_model(Path(out_dir) / MODEL_FILE, model, config.to_dict())
    return model, history


def load(path: str | Path, device: str | torch.device | None = None) -> GlowTTS:
    """A trained model from a ``save_model`` file, checked against the tokenizer of its front end.

    Raises ValueError naming the mismatch when the checkpoint's vocabulary differs
    from the symbol table this version of the course builds for its front end.
    """
    from course_lib.models.glow_tts import build

    return recipe.load_checked(path, build, "glow_tts", device)


def text_to_tokens(model: GlowTTS, text: str) -> torch.Tensor:
    """``[T_text]`` token ids for ``text`` through the front end the model was trained with."""
    return recipe.text_to_tokens(text, model.config.front_end, model.config.add_blank)[0]


def train_cli(args: argparse.Namespace) -> None:
    from course_lib.models.glow_tts import CONFIGS

    recipe.train_cli(args, "glow_tts", CONFIGS, train, MODEL_FILE)


# python -m course_lib synth glow_tts: the temperature T of the paper is the prior's noise scale
SYNTH = recipe.SynthCLI("Glow-TTS", load, temperature=lambda temperature: temperature)
