"""The one place the course's run mode is read.

``TTS_COURSE_MODE`` picks the size of everything — corpus size, training steps,
model configs, diffusion steps:

* ``smoke``   — CI: every notebook top to bottom in seconds to a minute.
* ``default`` — a learner's CPU: each lesson in minutes, tiny models that learn.
* ``full``    — a GPU: paper-size models, the large corpus or LJSpeech, hours.

Everything else asks :func:`current_mode` or :func:`pick`; nothing else reads the
environment variable.
"""

from __future__ import annotations

import os
from typing import Literal, TypeVar

Mode = Literal["smoke", "default", "full"]
MODES: tuple[Mode, ...] = ("smoke", "default", "full")
ENV_VAR = "TTS_COURSE_MODE"

T = TypeVar("T")


def validate_mode(mode: str) -> Mode:
    """Return ``mode`` if it is a known mode, else raise a ValueError naming the choices."""
    value = mode.strip().lower()
    if value not in MODES:
        raise ValueError(
            f"unknown course mode {mode!r}: choose one of {', '.join(MODES)} "
            f"(e.g. `export {ENV_VAR}=default`)"
        )
    return value  # type: ignore[return-value]


def current_mode() -> Mode:
    """The mode from ``TTS_COURSE_MODE`` (``default`` when unset)."""
    return validate_mode(os.environ.get(ENV_VAR, "default") or "default")


def pick(smoke: T, default: T, full: T, mode: str | None = None) -> T:
    """Choose a size for the current (or given) mode: ``pick(5, 2000, 200_000)``."""
    chosen = validate_mode(mode) if mode is not None else current_mode()
    return {"smoke": smoke, "default": default, "full": full}[chosen]
