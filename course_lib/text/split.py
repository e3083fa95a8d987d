"""Cut long text into sentence-sized chunks a TTS model can speak one at a time.

Models are trained on sentences (LJSpeech clips hold at most ~190 characters); a whole
chapter in one pass would need an attention matrix of its full length. :func:`split_text`
normalises the text and packs whole sentences into chunks of at most ``max_chars``
characters, so nothing is lost and nothing is cut mid-sentence unless a single sentence
is longer than ``max_chars`` — then it is cut at commas/semicolons/colons, then between
words, and only a "word" longer than ``max_chars`` is cut inside.
"""

from __future__ import annotations

import re

from course_lib.text.normalize import normalize_text

DEFAULT_MAX_CHARS = 200
_MIN_MAX_CHARS = 20
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
_WORD_GAP = re.compile(r"\s+")
_LETTER = re.compile(r"[A-Za-z]")


def _pack(pieces: list[str], max_chars: int) -> list[str]:
    """Join consecutive pieces with spaces while the chunk stays within ``max_chars``."""
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= max_chars:
            chunks[-1] += " " + piece
        else:
            chunks.append(piece)
    return chunks


def _fit(piece: str, max_chars: int, splitters: tuple[re.Pattern, ...]) -> list[str]:
    """Cut ``piece`` with the first splitter that applies, recursing until every part fits."""
    if len(piece) <= max_chars:
        return [piece]
    if not splitters:  # one unbroken "word" longer than a chunk: hard cut
        return [piece[start:start + max_chars] for start in range(0, len(piece), max_chars)]
    parts: list[str] = []
    for part in splitters[0].split(piece):
        parts += _fit(part, max_chars, splitters[1:])
    return _pack(parts, max_chars)


def split_text(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[str]:
    """Normalised ``text`` as chunks of whole sentences, each at most ``max_chars`` characters.

    ``" ".join(split_text(t)) == normalize_text(t)`` whenever no single word is longer
    than ``max_chars``. Raises :class:`~course_lib.text.errors.TextError` for text with
    nothing to say, ValueError for ``max_chars`` below 20.
    """
    if max_chars < _MIN_MAX_CHARS:
        raise ValueError(f"max_chars={max_chars} is too small to hold a sentence; use at least {_MIN_MAX_CHARS}")
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(normalize_text(text)):
        pieces += _fit(sentence, max_chars, (_CLAUSE_END, _WORD_GAP))
    return [chunk for chunk in _pack(pieces, max_chars) if _LETTER.search(chunk)]
