"""What the build exercises of lessons 08–11 share: the learner assembles a model's training loss from its parts,
and the check asserts it equals the loss of the model's own forward pass on the same batch and seed.

* :func:`awake` — small random values for the weights a fresh model starts at zero (so a slip reaches the loss);
* :func:`learner_loss` — the learner's ``fn(model, batch, generator)`` with ``model(...)`` refused;
* :func:`compare_losses` — ✓ when the two losses agree to round-off, else the hint of the slip that reproduces
  the learner's loss;
* :func:`two_sentence_batch` — the batch every build exercise uses: the corpus's first training sentence and its
  shortest, so one mel is padded.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.checks import ExerciseError, attempt, report_close
from course_lib.models.contract import seeded


def awake(model: nn.Module, seed: int = 0) -> nn.Module:
    """Give every all-zero weight matrix of ``model`` small random values (in place); returns ``model``.

    A fresh model starts some layers at zero on purpose — Diff-TTS's last layer (ε̂ starts as the skip
    alone), VITS's flow couplings (the flow starts as the identity) — and then a slip in what feeds
    them would not change the loss. Woken up, every part reaches it.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() > 1 and not parameter.any():
                parameter.copy_(0.2 * torch.randn(parameter.shape, generator=generator))
    return model


def learner_loss(name: str, fn, model: nn.Module, batch, seed: int):
    """``fn(model, batch, generator)`` with ``model(...)`` refused; None while ``fn`` is a stub.

    Calling the model's own forward would hand back the very loss the learner's is compared with.
    """
    def refuse(*args, **kwargs):
        raise ExerciseError(f"{name}: build the loss from the model's parts — model(...) runs the library's "
                            "forward, the answer yours is compared with.")

    model.forward = refuse
    try:
        return attempt(name, fn, model, batch, seeded(seed))
    finally:
        del model.forward


def _same(got, loss) -> bool:
    """``got`` is the scalar ``loss`` up to float32 round-off (the same computation in another order)."""
    try:
        return abs(float(got) - float(loss)) <= 1e-6 * (1.0 + abs(float(loss)))
    except (TypeError, ValueError, RuntimeError):  # not one number: no slip of ours
        return False


def compare_losses(name: str, got, expected, slipped, slips: dict, default: str) -> None:
    """✓ if the scalar ``got`` equals ``expected`` up to round-off; else ExerciseError with the hint of the
    first slip whose loss ``slipped(**flags)`` reproduces ``got`` (``default`` if none does)."""
    try:
        report_close(name, got, expected, atol=1e-6, rtol=1e-6)
    except ExerciseError as err:
        hint = next((hint for hint, flags in slips.items() if _same(got, slipped(**flags))), default)
        raise ExerciseError(f"{err} Hint: {hint}") from None
    print(f"  your loss {float(got):.6f} = the model's {float(expected):.6f}, same batch and seed")


def two_sentence_batch(corpus, tokenizer):
    """A ``TextMelBatch`` of ``corpus``'s first training sentence and its shortest (whose mel is padded)."""
    from course_lib.data import TextMelDataset

    records = corpus.split("train").utterances
    shortest = min(records, key=lambda record: sum(record.durations))
    pair = TextMelDataset([records[0], shortest], tokenizer=tokenizer, frontend=corpus.symbols_for)
    return pair.collate([pair[0], pair[1]])
