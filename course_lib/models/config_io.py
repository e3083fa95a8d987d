"""``to_dict`` / ``from_dict`` for the frozen config dataclasses of the acoustic models (what checkpoints store)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar


class ConfigIO:
    """Mixin for a config dataclass: ``to_dict()`` and a strict ``from_dict()``.

    The subclass names its model in ``MODEL_NAME`` (e.g. ``"Grad-TTS"``) for the unknown-keys error.
    """

    MODEL_NAME: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]):
        """Rebuild from :meth:`to_dict` output (e.g. a checkpoint's JSON); unknown keys are an error, not dropped."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown {cls.MODEL_NAME} config keys {unknown}; known keys: {sorted(known)}")
        return cls(**values)
