"""``to_dict`` / ``from_dict`` for the frozen config dataclasses of the acoustic models (what checkpoints store)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar


class ConfigIO:
    """Mixin for a config dataclass: ``to_dict()`` and a strict ``from_dict()``.

    The subclass names its model in ``MODEL_NAME`` (e.g. ``"Grad-TTS"``) for the unknown-keys error.
    A field renamed after checkpoints were saved goes in ``RENAMED`` (``{"old_name": "new_name"}``):
    :meth:`from_dict` reads a saved config's old key under the new name, so older checkpoints still load.
    """

    MODEL_NAME: ClassVar[str]
    RENAMED: ClassVar[Mapping[str, str]] = {}

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def current_names(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` (a saved config) with every old key of ``RENAMED`` under its new name."""
        renamed = {cls.RENAMED.get(name, name): value for name, value in values.items()}
        if len(renamed) < len(values):
            both = ", ".join(f"{old!r} and {new!r}" for old, new in cls.RENAMED.items()
                             if old in values and new in values)
            raise ValueError(f"{cls.MODEL_NAME} config gives a field under its old and its new name ({both}): "
                             "keep the new one")
        return renamed

    @classmethod
    def of(cls, config):
        """``config`` itself, or the config a saved dict (:meth:`to_dict` output) describes — what ``build`` takes."""
        return config if isinstance(config, cls) else cls.from_dict(config)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]):
        """Rebuild from :meth:`to_dict` output (e.g. a checkpoint's JSON); unknown keys are an error, not dropped.

        Keys saved under a field's old name (``RENAMED``) are read under its new one.
        """
        values = cls.current_names(values)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise ValueError(f"unknown {cls.MODEL_NAME} config keys {unknown}; known keys: {sorted(fields)}")
        for name, value in values.items():
            kind = _kind_of(fields[name].default)
            if kind is not None and not _is_kind(value, kind):
                raise ValueError(f"{cls.MODEL_NAME} config value {name}={value!r} should be {kind}; "
                                 "fix the value or rebuild the config with this version of the course")
        return cls(**values)


def _kind_of(default: Any) -> str | None:
    """The JSON kind a field's default has ("bool", "int", "float", "str", "list"), None to skip the check."""
    for kind, types in (("bool", bool), ("int", int), ("float", float), ("str", str), ("list", tuple)):
        if isinstance(default, types):
            return kind
    return None


def _is_kind(value: Any, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    return isinstance(value, {"int": int, "float": (int, float), "str": str, "list": (list, tuple)}[kind])
