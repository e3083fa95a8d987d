"""Text → ids in one call, for either front end.

* ``'arpabet'`` — :func:`~course_lib.text.g2p.phonemize` (CMUdict + eSpeak fallback) over
  :data:`~course_lib.text.symbols.ARPABET_SYMBOLS`: the LJSpeech recipes and the official
  Glow-TTS/Grad-TTS vocabularies.
* ``'espeak'`` — :func:`~course_lib.text.espeak_frontend.espeak_phonemes` over
  :data:`~course_lib.text.symbols.ESPEAK_SYMBOLS`: models trained on the built-in corpus.

:func:`text_to_tokens` is the same as the ``[1, T_text]`` tensor a model reads, refused when too long.
"""

from __future__ import annotations

import functools
from typing import Literal

from course_lib.framing import MAX_SYNTHESIS_FRAMES, refuse_overlong
from course_lib.text.espeak_frontend import espeak_phonemes
from course_lib.text.g2p import phonemize
from course_lib.text.symbols import ARPABET_SYMBOLS, ESPEAK_SYMBOLS
from course_lib.text.tokenizer import Tokenizer

Frontend = Literal["arpabet", "espeak"]
FRONTENDS: tuple[Frontend, ...] = ("arpabet", "espeak")


def _check(frontend: str) -> None:
    if frontend not in FRONTENDS:
        raise ValueError(f"unknown front end {frontend!r}: choose one of {', '.join(FRONTENDS)}")


@functools.cache
def tokenizer_for(frontend: Frontend, add_blank: bool = False) -> Tokenizer:
    """The tokenizer over the symbol table of ``frontend`` (shared; tokenizers are read-only)."""
    _check(frontend)
    return Tokenizer(ARPABET_SYMBOLS if frontend == "arpabet" else ESPEAK_SYMBOLS, add_blank=add_blank)


def text_to_symbols(text: str, frontend: Frontend = "arpabet", voice: str = "en-us") -> list[str]:
    """``text`` → the symbols of ``frontend`` (``voice`` is used by the eSpeak front end only)."""
    _check(frontend)
    return phonemize(text) if frontend == "arpabet" else espeak_phonemes(text, voice=voice)


def text_to_ids(text: str, frontend: Frontend = "arpabet", add_blank: bool = False, voice: str = "en-us") -> list[int]:
    """``text`` → token ids for a model: normalise, phonemize, encode (blanks interspersed if ``add_blank``).

    ``text_to_ids('hello')`` → ``[106, 73, 117, 123]``; raises
    :class:`~course_lib.text.errors.TextError` for empty or unpronounceable text.
    """
    return tokenizer_for(frontend, add_blank).encode(text_to_symbols(text, frontend, voice))


def text_to_tokens(text: str, frontend: Frontend, add_blank: bool):
    """``[1, T_text]`` token ids (a long tensor) of ``text`` for a model trained with ``frontend`` and ``add_blank``.

    Every token takes at least one frame, so text of more tokens than
    :data:`~course_lib.framing.MAX_SYNTHESIS_FRAMES` is refused here, before any model runs.
    """
    import torch  # here: the corpus builder's workers import this package without torch

    ids = tokenizer_for(frontend, add_blank).encode(text_to_symbols(text, frontend))
    if not ids:
        raise ValueError(f"the text {text!r} gave no phonemes; give a sentence with words in it")
    refuse_overlong(len(ids), MAX_SYNTHESIS_FRAMES)
    return torch.tensor([ids], dtype=torch.long)
