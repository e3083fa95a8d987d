"""The one error type of the text front end."""

from __future__ import annotations


class TextError(ValueError):
    """Text the front end cannot speak: empty, whitespace only, or nothing pronounceable left.

    A ``ValueError``, so callers that already catch bad values keep working; the message
    says what was wrong and what to pass instead.
    """
