"""The course's JupyterLab settings override (used by `make lab` only): no "official Jupyter news?" pop-up."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ROOT / "config" / "jupyterlab" / "overrides.json"


def _schema(plugin: str) -> dict:
    package, name = plugin.split(":")
    share = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    path = share / package / f"{name}.json"
    if not path.exists():
        pytest.skip(f"JupyterLab's schema {path} is not installed here")
    return json.loads(path.read_text())


def test_overrides_switch_the_news_off_with_values_the_schema_accepts():
    overrides = json.loads(OVERRIDES.read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    properties = _schema("@jupyterlab/apputils-extension:notification")["properties"]
    assert notification["fetchNews"] in {choice["const"] for choice in properties["fetchNews"]["oneOf"]}
    assert properties["checkForUpdates"]["type"] == "boolean"
