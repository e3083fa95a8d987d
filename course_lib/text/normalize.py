"""Text normalisation: any Unicode string → plain English words and punctuation in ASCII.

:func:`normalize_text` runs five steps, each a small pure function:

1. :func:`fold_unicode` — typographic quotes and dashes to ASCII, ``ß`` → ``ss``,
   accents dropped (NFKD), vulgar fractions spelled with a slash; emoji, symbols and
   scripts other than Latin are dropped (the course's voices speak English);
2. :func:`~course_lib.text.abbreviations.expand_abbreviations` — ``Dr.`` → Doctor, ...;
3. :func:`symbols_to_words` — ``&`` → and, ``#5`` → number 5, ``°`` → degrees, ...;
4. :func:`~course_lib.text.numbers.expand_numbers` — ``$3.50``, ``1984``, ``22nd``, ...;
5. :func:`clean_punctuation` — only letters, ``'``, ``-`` and the marks ``. , ? ! ; : ( )``
   remain, one space between words, no space before a mark.

**Case is kept.** eSpeak reads capitals to spot initialisms (``FBI``, ``PM``), and
:func:`course_lib.text.phonemize` looks words up case-insensitively, so lowering the case
would only lose information. The output uses only characters of the Glow-TTS symbol
table (pad aside), and normalising twice changes nothing (the steps are repeated until
the text stops changing).
"""

from __future__ import annotations

import re
import unicodedata

from course_lib.text.abbreviations import expand_abbreviations
from course_lib.text.errors import TextError
from course_lib.text.numbers import expand_numbers

# characters NFKD leaves alone or would turn into something unhelpful
_CHARACTER_MAP = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "—": " - ", "―": " - ", "‑": "-", "‐": "-", "−": "-", "…": "...",
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "ſ": "s",
    "×": " times ", "÷": " divided by ", "²": " squared ", "³": " cubed ",
    "™": " ", "®": " ", "©": " ", "·": " ", "•": " ",
})
# kept through the ASCII filter because symbols_to_words and expand_numbers read them
_KEPT_SYMBOLS = "£€¥°"
_EN_DASH_RANGE = re.compile(r"(\d)\s?–\s?(?=\d)")
_VULGAR_FRACTION = re.compile(r"(\d?)([¼½¾⅐-⅞])")

_SYMBOL_WORDS = (
    (re.compile(r"&"), " and "),
    (re.compile(r"#\s?(?=\d)"), " number "),
    (re.compile(r"(?<=\d)\s?°\s?C\b"), " degrees Celsius"),
    (re.compile(r"(?<=\d)\s?°\s?F\b"), " degrees Fahrenheit"),
    (re.compile(r"°"), " degrees "),
    (re.compile(r"(?<=\d)\s?\+(?=\s?\d)"), " plus "),
    (re.compile(r"(?<=\d)\s?=(?=\s?\d)"), " equals "),
    (re.compile(r"(?<=\w)@(?=\w)"), " at "),
    (re.compile(r"\b(https?|ftp)://"), " "),
    # a period between letters is not a full stop: example.com, file.txt
    (re.compile(r"(?<=[A-Za-z])\.(?=[A-Za-z])"), " dot "),
)

_BRACKETS = str.maketrans("[]{}", "()()")
# a hyphen joins two letters (well-known); any other dash is a pause
_LOOSE_DASH = re.compile(r"\s*(?:(?<![A-Za-z])-+|-+(?![A-Za-z]))\s*")
_LOOSE_APOSTROPHE = re.compile(r"(?<![A-Za-z])'|'(?![A-Za-z])")
_NOT_ALLOWED = re.compile(r"[^A-Za-z'.,!?;:()\- ]+")
_MARK_RUN = re.compile(r"[.,!?;:](?:\s*[.,!?;:])+")
_SPACE_BEFORE_MARK = re.compile(r"\s+([.,!?;:)])")
_SPACE_AFTER_OPEN = re.compile(r"\(\s+")
_EMPTY_PARENS = re.compile(r"\(\s*\)")
_NO_SPACE_AFTER_MARK = re.compile(r"([.,!?;:)])(?=[A-Za-z(])")
_NO_SPACE_BEFORE_OPEN = re.compile(r"(?<=[A-Za-z])\(")
_LEADING_MARKS = re.compile(r"^[\s.,!?;:)]+")
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[A-Za-z]")
# A step can expose work for an earlier one ("Mr. $Smith": the title is seen once "$" is
# gone), so the steps repeat until the text stops changing; real text settles in one pass.
_MAX_PASSES = 4


def fold_unicode(text: str) -> str:
    """Unicode → ASCII where a reader would: ``“Café” — 2½`` → ``"Cafe" - 2 and 1/2``.

    Letters lose their accents (NFKD, combining marks dropped); characters with no ASCII
    reading (emoji, CJK, arrows, ...) become spaces so the words around them stay apart.
    The signs £ € ¥ ° survive for :func:`symbols_to_words` and :func:`expand_numbers`.
    """
    text = _EN_DASH_RANGE.sub(r"\1 to ", text).replace("–", " - ")
    text = _VULGAR_FRACTION.sub(
        lambda m: (m.group(1) + " and " if m.group(1) else " ")
        + unicodedata.normalize("NFKD", m.group(2)).replace("⁄", "/"), text)
    text = unicodedata.normalize("NFKD", text.translate(_CHARACTER_MAP))
    kept = []
    for char in text:
        if char.isascii() or char in _KEPT_SYMBOLS:
            kept.append(char)
        elif unicodedata.category(char) != "Mn":  # combining accents vanish; anything else splits words
            kept.append(" ")
    return "".join(kept)


def symbols_to_words(text: str) -> str:
    """``&`` → and, ``#5`` → number 5, ``20°C`` → 20 degrees Celsius, ``2+2=4`` → 2 plus 2 equals 4,
    ``me@example.com`` → me at example dot com."""
    for pattern, words in _SYMBOL_WORDS:
        text = pattern.sub(words, text)
    return text


def _mark_of_run(run: str) -> str:
    """``'?!'`` → ``'?'``, ``'...'`` → ``'.'``: a question or exclamation wins, else the first mark."""
    for mark in "?!":
        if mark in run:
            return mark
    return run[0]


def clean_punctuation(text: str) -> str:
    """Keep letters, ``'``, word-internal ``-`` and ``. , ? ! ; : ( )``; tidy the spaces around them.

    A dash that does not join two letters is a pause and becomes a comma; quotes, slashes and other
    marks become spaces; a run of marks collapses to one (``?!`` → ``?``).
    """
    text = text.translate(_BRACKETS)
    text = _NOT_ALLOWED.sub(" ", text)
    text = _LOOSE_APOSTROPHE.sub(" ", text)
    text = _LOOSE_DASH.sub(", ", text)
    text = _EMPTY_PARENS.sub(" ", text)
    text = _MARK_RUN.sub(lambda m: _mark_of_run(re.sub(r"\s", "", m.group(0))), text)
    text = _SPACE_BEFORE_MARK.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub("(", text)
    text = _NO_SPACE_AFTER_MARK.sub(r"\1 ", text)
    text = _NO_SPACE_BEFORE_OPEN.sub(" (", text)
    text = _LEADING_MARKS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _normalize_once(text: str) -> str:
    return clean_punctuation(expand_numbers(symbols_to_words(expand_abbreviations(fold_unicode(text)))))


def normalize_text(text: str) -> str:
    """Normalise ``text`` for the front ends (see the module docstring for the steps).

    ``"Dr. Smith paid $3.50 on May 1st."`` → ``"Doctor Smith paid three dollars and fifty
    cents on May first."``. Raises :class:`TextError` for empty or whitespace-only text
    and for text with nothing left to pronounce (only emoji, symbols or punctuation).
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise TextError("text is empty or only whitespace: give at least one English word")
    normalised = _normalize_once(text)
    for _ in range(_MAX_PASSES - 1):
        again = _normalize_once(normalised)
        if again == normalised:
            break
        normalised = again
    if not _LETTER.search(normalised):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise TextError(
            f"nothing to pronounce in {shown!r}: emoji, symbols, other scripts and punctuation are "
            "dropped by normalisation; give at least one English word or number"
        )
    return normalised
