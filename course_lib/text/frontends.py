"""Text → ids in one call, for either front end.

* ``'arpabet'`` — :func:`~course_lib.text.g2p.phonemize` (CMUdict + eSpeak fallback) over
  :data:`~course_lib.text.symbols.ARPABET_SYMBOLS`: the LJSpeech recipes and the official
  Glow-TTS/Grad-TTS vocabularies.
* ``'espeak'`` — :func:`~course_lib.text.espeak_frontend.espeak_phonemes` over
  :data:`~course_lib.text.symbols.ESPEAK_SYMBOLS`: models trained on the built-in corpus.
"""

from __future__ import annotations

import functools
from typing import Literal

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
