"""Lesson 00 widget: browse the built-in corpus — pick a voice and an utterance, see and hear it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_lib import audio
from course_lib.widgets import audio_output, show_outputs


@dataclass(frozen=True)
class UtteranceView:
    """Everything the browser shows for one utterance."""

    wave: np.ndarray          # [N] float32
    sample_rate: int
    mel: torch.Tensor         # [80, T]
    phonemes: list[str]
    durations: list[int]
    text: str
    speaker_name: str


def utterances_of(corpus, speaker_name: str | None = None) -> list:
    """The corpus's records, optionally only one voice's."""
    return [r for r in corpus if speaker_name is None or r.speaker_name == speaker_name]


def utterance_view(corpus, index: int, speaker_name: str | None = None) -> UtteranceView:
    """The pure part of the widget: (voice, index) → wave, mel, phonemes, durations."""
    records = utterances_of(corpus, speaker_name)
    if not records:
        raise ValueError(f"no utterances for voice {speaker_name!r}")
    if not 0 <= index < len(records):
        raise ValueError(f"utterance index {index} is out of range 0..{len(records) - 1}")
    record = records[index]
    wave = audio.load_audio(record.wav_path)
    return UtteranceView(wave=wave, sample_rate=audio.SAMPLE_RATE, mel=audio.mel_spectrogram(wave),
                         phonemes=list(record.phonemes), durations=list(record.durations), text=record.text,
                         speaker_name=record.speaker_name)


class CorpusBrowser:
    """Thin ipywidgets UI over :func:`utterance_view`; ``.ui`` is the widget to display."""

    def __init__(self, corpus):
        import ipywidgets as widgets

        self.corpus = corpus
        voices = sorted({r.speaker_name for r in corpus})
        self.voice = widgets.Dropdown(options=voices, value=voices[0], description="voice")
        self.index = widgets.IntSlider(value=0, min=0, max=len(utterances_of(corpus, voices[0])) - 1,
                                       description="utterance", continuous_update=False)
        self.output = widgets.Output()
        self.voice.observe(self._on_voice, names="value")
        self.index.observe(lambda _: self.render(), names="value")
        self.ui = widgets.VBox([widgets.HBox([self.voice, self.index]), self.output])
        self.view: UtteranceView | None = None
        self.render()

    def _on_voice(self, _change) -> None:
        self.index.max = len(utterances_of(self.corpus, self.voice.value)) - 1
        self.render()

    def render(self) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        try:
            self.view = utterance_view(self.corpus, self.index.value, self.voice.value)
        except ValueError as err:
            show_outputs(self.output, f"⚠ {err}\n")
            return
        fig = Figure(figsize=(10, 2.8))  # not pyplot: shown once, in the Output, never inline as well
        plots.plot_durations(self.view.mel, self.view.phonemes, self.view.durations, ax=fig.subplots())
        # one assignment, not `with self.output:` capture (see course_lib.widgets.show_outputs)
        show_outputs(self.output, f"[{self.view.speaker_name}] {self.view.text}\n", fig,
                     audio_output(np.clip(self.view.wave, -1, 1), self.view.sample_rate))


def corpus_browser(corpus) -> CorpusBrowser:
    return CorpusBrowser(corpus)
