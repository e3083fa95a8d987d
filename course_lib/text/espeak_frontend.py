"""eSpeak NG as a front end: IPA text, and the phonemes eSpeak actually speaks.

Two readings of the same engine:

* :func:`ipa` — eSpeak's phonemizer output as one IPA string (what VITS trains on);
* :func:`espeak_phonemes` — one symbol per *phoneme event* of a real synthesis: the
  sounds eSpeak spoke, pauses included, in order. The built-in corpus stores exactly
  these symbols with their durations (it calls :func:`espeak_event_symbol` on every
  event), so a model trained on it reads new text through :func:`espeak_phonemes` and
  training and inference agree.

Event → symbol (:func:`espeak_event_symbol`): eSpeak reports a pause as an empty
string; it becomes :data:`~course_lib.text.symbols.PAUSE` (``'|'``, the IPA minor-group
boundary; ``'_'`` is padding). Every other event is already an IPA symbol with its
stress mark (``'ˈoʊ'``) and is kept as is when it is in
:data:`~course_lib.text.symbols.ESPEAK_SYMBOLS`. An event outside the table (a voice or
eSpeak version the inventory did not see) is mapped to the closest symbol in it — an
ASCII ``:`` read as ``ː``, unknown diacritics dropped, then the stress mark dropped, then
trailing characters dropped (``'ˈeɪə'`` → ``'ˈeɪ'``) — and if nothing is left, an
:class:`UnknownEspeakSymbol` error names it. No id outside the table is ever produced.
"""

from __future__ import annotations

import functools

from course_lib.text.normalize import normalize_text
from course_lib.text.symbols import ESPEAK_PHONEMES, PAUSE

_KNOWN = frozenset(ESPEAK_PHONEMES)
_KNOWN_CHARACTERS = frozenset("".join(ESPEAK_PHONEMES))
_STRESS_MARKS = "ˈˌ"


class UnknownEspeakSymbol(ValueError):
    """eSpeak emitted a phoneme event with no close symbol in ESPEAK_SYMBOLS."""


def _closest_symbol(raw: str) -> str | None:
    """The nearest table symbol to an event string not in the table, or ``None``."""
    # U+FFFD marks a multi-byte character cut by the event's 8-byte field
    cleaned = raw.strip().replace("\ufffd", "").replace(":", "ː")
    cleaned = "".join(char for char in cleaned if char in _KNOWN_CHARACTERS)
    stress = cleaned[0] if cleaned and cleaned[0] in _STRESS_MARKS else ""
    base = cleaned[len(stress):].replace("ˈ", "").replace("ˌ", "")
    while base:
        for candidate in (stress + base, base):
            if candidate in _KNOWN:
                return candidate
        base = base[:-1]
    return None


@functools.lru_cache(maxsize=4096)
def espeak_event_symbol(raw: str) -> str:
    """One raw eSpeak phoneme-event string → its symbol in ESPEAK_SYMBOLS.

    ``''`` (a pause) → ``'|'``; ``'ˈoʊ'`` → ``'ˈoʊ'``; unseen strings go to the closest
    symbol (see the module docstring) or raise :class:`UnknownEspeakSymbol`.
    """
    if not raw.strip():
        return PAUSE
    if raw in _KNOWN:
        return raw
    closest = _closest_symbol(raw)
    if closest is None:
        raise UnknownEspeakSymbol(
            f"eSpeak emitted the phoneme {raw!r} ({' '.join(f'U+{ord(c):04X}' for c in raw)}), which has no "
            "close symbol in ESPEAK_SYMBOLS; add it to course_lib.text.symbols.ESPEAK_PHONEMES "
            "(and a row to ipa_arpabet.IPA_TO_ARPABET) - models trained on the old table need retraining"
        )
    return closest


def ipa(text: str, voice: str = "en-us") -> str:
    """eSpeak NG's IPA for the normalised ``text``, words separated by spaces.

    ``ipa('Hello world') == 'həlˈoʊ wˈɜːld'``. Raises :class:`~course_lib.text.errors.TextError`
    for empty or unpronounceable text.
    """
    from course_lib.espeak import text_to_ipa

    return text_to_ipa(normalize_text(text), voice)


def espeak_phonemes(text: str, voice: str = "en-us") -> list[str]:
    """The symbols eSpeak speaks for the normalised ``text``, one per phoneme event.

    ``espeak_phonemes('Hello.')`` → ``['h', 'ə', 'l', 'ˈoʊ', '|', '|']``: pauses are ``'|'``
    (eSpeak reports clause ends as a few pause events; each is kept, as the corpus stores
    each with its own duration). Every symbol is in ESPEAK_SYMBOLS. Raises
    :class:`~course_lib.text.errors.TextError` for empty or unpronounceable text.
    """
    from course_lib.espeak import synthesize

    spoken = synthesize(normalize_text(text), voice=voice)
    return [espeak_event_symbol(event.phoneme) for event in spoken.phonemes]
