"""The lessons' thread policy: one core left free, an override, one thread in smoke mode."""

import pytest
import torch

from course_lib import threads


def test_one_core_is_left_free_in_default_mode(monkeypatch):
    monkeypatch.setenv("TTS_COURSE_MODE", "default")
    monkeypatch.delenv(threads.ENV_VAR, raising=False)
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    assert threads.lesson_threads() == 3
    monkeypatch.setattr(threads, "available_cores", lambda: 1)
    assert threads.lesson_threads() == 1


def test_smoke_mode_uses_one_thread_and_the_variable_overrides(monkeypatch):
    monkeypatch.setenv("TTS_COURSE_MODE", "smoke")
    monkeypatch.delenv(threads.ENV_VAR, raising=False)
    assert threads.lesson_threads() == 1
    monkeypatch.setenv(threads.ENV_VAR, "2")
    before = torch.get_num_threads()
    try:
        assert threads.use_lesson_threads() == 2 and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_thread_count_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(threads.ENV_VAR, value)
    with pytest.raises(ValueError, match="TTS_COURSE_THREADS"):
        threads.lesson_threads()
