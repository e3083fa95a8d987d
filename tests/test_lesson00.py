"""Lesson 00's exercise checks and corpus browser widget."""

import numpy as np
import pytest
import torch

from course_lib import audio
from course_lib.checks import ExerciseError
from course_lib.checks import lesson00 as checks


def _stub(*_args):
    raise NotImplementedError


def test_frame_duration_check_accepts_the_solution_and_reports_stubs(capsys):
    assert checks.check_frame_durations(checks.solution_frame_durations) is True
    assert checks.check_frame_durations(_stub) is False
    assert "not implemented yet" in capsys.readouterr().out


def _round_each(boundaries, n_samples):
    spans = [b - a for a, b in zip([0, *boundaries], [*boundaries, n_samples])]
    return [round(span / 256) for span in spans]


def _floor_edges(boundaries, n_samples):
    edges = [0] + [s // 256 for s in boundaries] + [n_samples // 256]
    return [b - a for a, b in zip(edges, edges[1:])]


def _round_total(boundaries, n_samples):
    edges = [0] + [(s + 128) // 256 for s in boundaries] + [round(n_samples / 256)]
    return [b - a for a, b in zip(edges, edges[1:])]


@pytest.mark.parametrize("wrong, hint", [
    (_round_each, "rounding errors add up"),
    (_floor_edges, "rounds every boundary down"),
    (_round_total, "one per whole hop"),
    (lambda b, n: checks.solution_frame_durations(b, n)[:-1], "the last one runs"),
    (lambda b, n: [d + 1 for d in checks.solution_frame_durations(b, n)], "must sum"),
])
def test_frame_duration_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_frame_durations(wrong)


def test_show_solution_is_collapsed_html_and_plain_source():
    from course_lib.checks import show_solution

    shown = show_solution(checks.solution_frame_durations)
    assert shown._repr_html_().startswith("<details>") and "click to reveal" in shown._repr_html_()
    assert "def solution_frame_durations" in repr(shown)
    with pytest.raises(ValueError):
        show_solution()


def test_log_mel_check_accepts_the_solution_and_rejects_common_mistakes(capsys):
    assert checks.check_log_mel(checks.reference_log_mel) is True
    assert checks.check_log_mel(_stub) is False
    with pytest.raises(ExerciseError, match="log\\(0\\)"):  # forgot the clamp: -inf in the silent frame
        checks.check_log_mel(lambda m, b: torch.log(b @ m))
    wave = (0.3 * np.sin(2 * np.pi * 200 * np.arange(8000) / 22050)).astype(np.float32)
    assert checks.check_log_mel_on_audio(checks.reference_log_mel, wave) is True


@pytest.mark.parametrize("wrong, hint", [
    (lambda m, b: b @ torch.log(torch.clamp(m, min=1e-5)), "filter first"),
    (lambda m, b: torch.log(b @ torch.clamp(m, min=1e-5)), "on the 80 bands"),
    (lambda m, b: torch.log(b @ m + 1e-5), "don't add"),
    (lambda m, b: torch.log10(torch.clamp(b @ m, min=1e-5)), "not log10"),
])
def test_log_mel_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        checks.check_log_mel(wrong)


@pytest.fixture(scope="module")
def multi_corpus(multi_corpus_path):
    from course_lib.data import load_corpus

    return load_corpus(multi_corpus_path)


def test_utterance_view_is_consistent(multi_corpus):
    from course_lib.widgets.lesson00 import utterance_view

    voice = multi_corpus[0].speaker_name
    view = utterance_view(multi_corpus, 0, voice)
    assert view.mel.shape == (80, len(view.wave) // 256)
    assert sum(view.durations) == view.mel.shape[-1]
    assert len(view.phonemes) == len(view.durations)
    with pytest.raises(ValueError, match="out of range"):
        utterance_view(multi_corpus, 999, voice)


def test_browser_widget_follows_its_controls(multi_corpus):
    import matplotlib.pyplot as plt

    from course_lib.widgets.lesson00 import corpus_browser

    open_figures = plt.get_fignums()
    browser = corpus_browser(multi_corpus)
    first = browser.view
    assert first is not None
    text, figure, player = browser.output.outputs  # assigned in one go, not captured (nbclient#312)
    assert first.text in text["text"] and figure["data"]["image/png"] and "<audio" in player["data"]["text/html"]
    assert plt.get_fignums() == open_figures  # drawn on a Figure of its own: nothing left for the inline backend
    voices = list(browser.voice.options)
    assert len(voices) >= 4
    browser.voice.value = voices[1]
    assert browser.view.speaker_name == voices[1]
    if browser.index.max > 0:
        browser.index.value = 1
        assert browser.view.text != first.text or browser.view.speaker_name != first.speaker_name
    assert browser.view.sample_rate == audio.SAMPLE_RATE
