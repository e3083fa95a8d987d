import pytest

from course_lib import mode


def test_pick_follows_the_environment(monkeypatch):
    monkeypatch.setenv(mode.ENV_VAR, "smoke")
    assert mode.current_mode() == "smoke"
    assert mode.pick(1, 2, 3) == 1
    monkeypatch.setenv(mode.ENV_VAR, "full")
    assert mode.pick(1, 2, 3) == 3


def test_unset_means_default(monkeypatch):
    monkeypatch.delenv(mode.ENV_VAR, raising=False)
    assert mode.current_mode() == "default"
    assert mode.pick(smoke="s", default="d", full="f") == "d"


def test_unknown_mode_names_the_choices(monkeypatch):
    monkeypatch.setenv(mode.ENV_VAR, "fast")
    with pytest.raises(ValueError, match="smoke, default, full"):
        mode.current_mode()
    with pytest.raises(ValueError, match="unknown course mode 'turbo'"):
        mode.pick(1, 2, 3, mode="turbo")


def test_mode_is_read_in_one_place():
    """Only course_lib/mode.py may read TTS_COURSE_MODE."""
    from course_lib.paths import PACKAGE_DIR

    import re

    reads = re.compile(r"(environ|getenv)[^\n]*TTS_COURSE_MODE")
    readers = [p for p in PACKAGE_DIR.rglob("*.py") if reads.search(p.read_text()) and p.name != "mode.py"]
    assert readers == [], f"these modules read the mode themselves: {readers}"
