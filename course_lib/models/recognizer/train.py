"""The phoneme recognizer's training task and its recipe (``RECIPE``; design: :mod:`course_lib.models.recognizer`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch

from course_lib.models import recipe
from course_lib.models.recognizer import CONFIGS, build
from course_lib.models.recognizer.augment import Augmenter
from course_lib.models.recognizer.config import RecognizerConfig
from course_lib.models.recognizer.model import PAUSE_ID, PhonemeRecognizer, ctc_loss, greedy_decode, phoneme_error_rate
from course_lib.models.single_phase import SinglePhaseTask
from course_lib.text import tokenizer_for



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
        self.symbols = symbols if symbols is not None else tokenizer_for(self.config.front_end).symbols

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


def resynthesizers_for(vocoder) -> dict[str, Callable] | None:
    """Griffin-Lim plus ``vocoder`` when it is a neural one (the CLI's ``args.vocoder``); None: Griffin-Lim alone."""
    if vocoder is None or "griffin" in type(vocoder).__name__.lower():
        return None
    import functools

    from course_lib.audio import griffin_lim

    return {"griffin_lim": functools.partial(griffin_lim, n_iter=RecognizerConfig.griffin_lim_iters),
            "vocoder": vocoder}


def _task(model: PhonemeRecognizer, prepared: recipe.Prepared, options: dict) -> RecognizerTask:
    return RecognizerTask(model, resynthesizers_for(options.get("vocoder")), prepared.symbols)


# python -m course_lib train recognizer: the built-in multi-voice corpus by default, without blanks
RECIPE = recipe.Recipe(
    "recognizer", CONFIGS, build, task=_task, steps=(10, 3000, 30_000), model_file="recognizer.pt", logged="ctc",
    prepare=lambda config, data_dir, _: recipe.text_corpus(config, data_dir, waves=True,
                                                           default_data=recipe.multi_voice_corpus),
    one_voice=False,
    shipped=recipe.Shipped("recognizer_tiny.pt", recipe.TrainingCost(steps=3_600, cpu_hours=2.0),
                           "python -m course_lib train recognizer --config tiny --out runs/recognizer --steps 3600"))
