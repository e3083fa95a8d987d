"""The text front end: raw text → normalised text → phonemes → ids.

Two front ends share the normaliser (:func:`normalize_text`):

* **ARPAbet** — :func:`phonemize`: the CMU Pronouncing Dictionary with stress, eSpeak NG's
  letter-to-sound rules (IPA mapped to ARPAbet) for words it lacks; symbols
  :data:`ARPABET_SYMBOLS`, the official Glow-TTS table (148, or 149 with a blank).
* **eSpeak** — :func:`espeak_phonemes`: the phonemes eSpeak NG actually speaks, pauses as
  ``'|'``; symbols :data:`ESPEAK_SYMBOLS`. The built-in corpus stores these, so models
  trained on it read new text the same way. :func:`ipa` gives eSpeak's IPA string.

:class:`Tokenizer` maps symbols to ids (optionally interspersing a blank);
:func:`text_to_ids` does everything in one call (:func:`text_to_tokens`: as the tensor a model
reads); :func:`split_text` cuts long text into sentence chunks. Text with nothing to say raises :class:`TextError`.

>>> phonemize("hello")
['HH', 'AH0', 'L', 'OW1']
"""

from course_lib.text.cmu import cmu_lookup
from course_lib.text.errors import TextError
from course_lib.text.espeak_frontend import UnknownEspeakSymbol, espeak_event_symbol, espeak_phonemes, ipa
from course_lib.text.frontends import FRONTENDS, text_to_ids, text_to_symbols, text_to_tokens, tokenizer_for
from course_lib.text.g2p import phonemize, word_to_arpabet
from course_lib.text.ipa_arpabet import ipa_to_arpabet
from course_lib.text.normalize import normalize_text
from course_lib.text.numbers import cardinal, ordinal, year
from course_lib.text.split import split_text
from course_lib.text.symbols import (ARPABET_PHONES, ARPABET_SYMBOLS, CMU_PHONEMES, ESPEAK_PHONEMES, ESPEAK_SYMBOLS,
                                     PAD, PAUSE)
from course_lib.text.tokenizer import Tokenizer, intersperse

__all__ = [
    "ARPABET_PHONES", "ARPABET_SYMBOLS", "CMU_PHONEMES", "ESPEAK_PHONEMES", "ESPEAK_SYMBOLS", "FRONTENDS", "PAD",
    "PAUSE", "TextError", "Tokenizer", "UnknownEspeakSymbol", "cardinal", "cmu_lookup", "espeak_event_symbol",
    "espeak_phonemes", "intersperse", "ipa", "ipa_to_arpabet", "normalize_text", "ordinal", "phonemize",
    "split_text", "text_to_ids", "text_to_symbols", "text_to_tokens", "tokenizer_for", "word_to_arpabet", "year",
]
