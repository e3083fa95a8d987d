"""Grapheme-to-phoneme: normalised English text → ARPAbet tokens with stress.

:func:`phonemize` reads each word from the CMU dictionary (first pronunciation) and
falls back to eSpeak NG for words the dictionary lacks: eSpeak's letter-to-sound rules
give IPA, which :func:`~course_lib.text.ipa_arpabet.ipa_to_arpabet` maps to ARPAbet.
So every English word — a name, a coinage like "zorbulax", an initialism like "XQZ" —
gets phonemes, and the result always uses the 84 ARPAbet symbols of the CMU set.

Output layout (as the Glow-TTS/Tacotron ARPAbet recipes write it): words separated by
one ``' '`` token, punctuation marks as their own tokens, attached to the word before::

    phonemize("Hello, world!") == ['HH', 'AH0', 'L', 'OW1', ',', ' ', 'W', 'ER1', 'L', 'D', '!']

A hyphenated compound the dictionary lacks is read part by part, parts separated by ``' '``.
"""

from __future__ import annotations

import functools
import re

from course_lib.text.cmu import cmu_lookup
from course_lib.text.ipa_arpabet import ipa_to_arpabet
from course_lib.text.normalize import normalize_text

PUNCTUATION_TOKENS = frozenset(".,!?;:()")
"""Marks :func:`phonemize` keeps as tokens (all in the Glow-TTS table)."""

FALLBACK_VOICE = "en-us"
"""eSpeak voice whose letter-to-sound rules read out-of-vocabulary words (General American, like CMUdict)."""

# Capitalised initialisms whose lower-case spelling is a different dictionary word:
# normalisation writes "10 a.m." as "AM" and "U.S." as "US"; read them letter by letter.
_SPELLED_INITIALISMS = frozenset({"AM", "US"})
_TOKEN = re.compile(r"[A-Za-z']+(?:-[A-Za-z']+)*|[.,!?;:()]|\s+")


def letter_names(word: str) -> list[str]:
    """``'US'`` → ``['Y', 'UW1', 'EH1', 'S']``: each letter's name from the dictionary ("u.", "s.")."""
    phones: list[str] = []
    for letter in word:
        phones += cmu_lookup(letter + ".") or list(espeak_word_arpabet(letter.upper()))
    return phones


@functools.lru_cache(maxsize=65536)
def espeak_word_arpabet(word: str) -> tuple[str, ...]:
    """ARPAbet for one word from eSpeak NG's letter-to-sound rules (the out-of-vocabulary path).

    ``'zorbulax'`` → eSpeak IPA ``zˈɔːɹbjʊlˌæks`` → ``('Z', 'AO1', 'R', 'B', 'Y', 'UH0', 'L', 'AE2', 'K', 'S')``.
    Cached (a tuple, so callers cannot change the cached value).
    Case is passed through: eSpeak spells a capitalised jumble such as "XQZT" letter by letter.
    """
    from course_lib.espeak import text_to_ipa

    return tuple(phone for phone in ipa_to_arpabet(text_to_ipa(word, FALLBACK_VOICE)) if phone != " ")


def word_to_arpabet(word: str, spell_initialisms: bool = True) -> list[str]:
    """ARPAbet for one word (letters, apostrophes, hyphens): dictionary first, then eSpeak.

    ``spell_initialisms`` reads the capitalised initialisms "AM" and "US" letter by letter;
    :func:`phonemize` turns it off for text written all in capitals ("I AM HERE").
    """
    if spell_initialisms and word in _SPELLED_INITIALISMS:
        return letter_names(word.lower())
    phones = cmu_lookup(word)
    if phones is not None:
        return phones
    if "-" in word:
        parts = [part for part in word.split("-") if part]
        compound: list[str] = []
        for part in parts:
            compound += ([" "] if compound else []) + word_to_arpabet(part, spell_initialisms)
        return compound
    return list(espeak_word_arpabet(word))


def phonemize(text: str) -> list[str]:
    """English text → ARPAbet with stress, ``' '`` between words, punctuation as tokens.

    ``phonemize('hello') == ['HH', 'AH0', 'L', 'OW1']``. The text is normalised first
    (:func:`~course_lib.text.normalize.normalize_text`), so numbers, abbreviations and
    Unicode are read out; raises :class:`~course_lib.text.errors.TextError` for empty
    text or text with nothing to pronounce. Homographs get the dictionary's first reading.
    """
    normalised = normalize_text(text)
    spell_initialisms = not normalised.isupper()
    tokens: list[str] = []
    for match in _TOKEN.finditer(normalised):
        piece = match.group(0)
        if piece.isspace():
            tokens.append(" ")
        elif piece in PUNCTUATION_TOKENS:
            tokens.append(piece)
        elif piece.strip("'-"):
            tokens += word_to_arpabet(piece.strip("'-"), spell_initialisms)
    return tokens
