"""Training task and command line of the phoneme recognizer (design: :mod:`course_lib.models.recognizer`)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

import torch

from course_lib.models import recipe
from course_lib.models.recognizer.augment import Augmenter
from course_lib.models.recognizer.config import RecognizerConfig
from course_lib.models.recognizer.model import PAUSE_ID, PhonemeRecognizer, ctc_loss, greedy_decode, phoneme_error_rate
from course_lib.models.single_phase import SinglePhaseTask

MODEL_FILE = "recognizer.pt"
SHIPPED_FILE = "recognizer_tiny.pt"
TRAIN_COMMAND = "python -m course_lib train recognizer --config tiny --out runs/recognizer --steps 3600"


def targets_of(tokens: torch.Tensor, token_lengths: torch.Tensor, drop_pauses: bool = True) -> list[list[int]]:
    """One id list per item of a padded ``tokens [B, T_text]``; pauses (``'|'``) left out when ``drop_pauses``."""
    rows = []
    for row, length in zip(tokens.tolist(), token_lengths.tolist()):
        ids = row[: int(length)]
        rows.append([i for i in ids if i != PAUSE_ID] if drop_pauses else ids)
    return rows


class RecognizerTask(SinglePhaseTask):
    """One Adam, one phase: CTC on augmented mels; validation: CTC and greedy PER on the clean validation mels."""

    PHASE = "ctc"

    def __init__(self, model: PhonemeRecognizer, resynthesizers: Mapping[str, Callable] | None = None,
                 symbols: tuple[str, ...] | None = None) -> None:
        super().__init__(model)
        self.augmenter = Augmenter(self.config, resynthesizers)
        self.symbols = symbols if symbols is not None else recipe.make_tokenizer(self.config.front_end, False).symbols

    def loss_step(self, batch, cache: dict) -> tuple[torch.Tensor, dict]:
        with torch.autocast(batch.mels.device.type, enabled=False):
            mels, lengths = self.augmenter.batch(batch.mels, batch.mel_lengths, batch.waves, batch.wave_lengths)
        out = self.modules["model"](mels, lengths)
        return ctc_loss(out, targets_of(batch.tokens, batch.token_lengths, self.config.drop_pauses)), {}

    def validate(self, val_loader) -> dict[str, float]:
        model = self.modules["model"]
        device = next(model.parameters()).device
        losses, references, hypotheses = [], [], []
        for batch in val_loader:
            batch = batch.to(device)
            targets = targets_of(batch.tokens, batch.token_lengths, self.config.drop_pauses)
            out = model(batch.mels, batch.mel_lengths)
            losses.append(float(ctc_loss(out, targets)))
            references += [[self.symbols[i] for i in t] for t in targets]
            hypotheses += [[self.symbols[i] for i in h] for h in greedy_decode(out.log_probs, out.lengths)]
        if not losses:
            return {}
        return {"ctc": sum(losses) / len(losses), "per": phoneme_error_rate(references, hypotheses)}


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=10, default=3000, full=30_000)


def train(config: RecognizerConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          resynthesizers: Mapping[str, Callable] | None = None):
    """Train on a corpus folder (``None``: the built-in **multi-voice** corpus); writes ``out_dir/recognizer.pt``.

    ``resynthesizers`` (name → mel-to-wave callable) replace the default Griffin-Lim augmentation (include it
    yourself to keep it). Returns ``(model, history)``; validation rows hold ``val/ctc`` and ``val/per``.
    """
    from course_lib.data import ensure_corpus
    from course_lib.models.recognizer import build
    from course_lib.training import Trainer, save_model

    if batch_size is not None:
        config = dataclasses.replace(config, batch_size=batch_size)
    data_dir = data_dir or str(ensure_corpus(multispeaker=True))
    data = recipe.training_data(data_dir, False, config.batch_size, config.seed, return_wave=True)
    config = dataclasses.replace(config, n_vocab=data.tokenizer.n_vocab, front_end=data.corpus.front_end)
    model = recipe.seed_and_build(build, config)
    task = RecognizerTask(model, resynthesizers, data.tokenizer.symbols)
    trainer = Trainer(task, recipe.train_config(config, out_dir, default_steps() if steps is None else steps,
                                                validate, progress))
    history = trainer.fit(data.train_loader, data.val_loader, resume=resume)
    save_model(Path(out_dir) / MODEL_FILE, model, config.to_dict())
    return model, history


def load(path: str | Path, device: str | torch.device | None = None) -> PhonemeRecognizer:
    """A trained recognizer from a ``save_model`` file (eval mode), checked against today's symbol table."""
    from course_lib.models.recognizer import build

    return recipe.load_checked(path, build, "recognizer", device).eval()


def resynthesizers_for(vocoder) -> dict[str, Callable] | None:
    """Griffin-Lim plus ``vocoder`` when it is a neural one (the CLI's ``args.vocoder``); None: Griffin-Lim alone."""
    if vocoder is None or "griffin" in type(vocoder).__name__.lower():
        return None
    import functools

    from course_lib.audio import griffin_lim

    return {"griffin_lim": functools.partial(griffin_lim, n_iter=RecognizerConfig.griffin_lim_iters),
            "vocoder": vocoder}


def train_cli(args: argparse.Namespace) -> None:
    """``python -m course_lib train recognizer --config tiny --out DIR [--data DIR] [--steps N] [--resume]``."""
    from course_lib.models.recognizer import CONFIGS

    batch_size = recipe.checked_batch_size(args, "recognizer", CONFIGS)
    _, history = train(CONFIGS[args.config](), args.data, args.out, args.steps, batch_size, args.resume,
                       resynthesizers=resynthesizers_for(getattr(args, "vocoder", None)))
    last = [row for row in history if "ctc/loss" in row][-1]
    validated = [row for row in history if "val/per" in row]
    tail = f"; validation PER {validated[-1]['val/per']:.3f}" if validated else ""
    print(f"trained recognizer ({args.config}) to step {last['step']}; last CTC loss {last['ctc/loss']:.3f}{tail}")
    print(f"model written to {Path(args.out) / MODEL_FILE}")
