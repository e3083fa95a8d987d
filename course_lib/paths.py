"""Where the course keeps things on disk."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PROJECT_DIR / "data"
CHECKPOINT_DIR = DATA_DIR / "checkpoints"


def cache_dir() -> Path:
    """Folder for generated data (built corpora); ``TTS_COURSE_CACHE`` overrides it."""
    override = os.environ.get("TTS_COURSE_CACHE")
    return Path(override) if override else DATA_DIR / "cache"
