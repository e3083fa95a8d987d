"""Lesson 10 widget: Diff-TTS A/B — two (γ, seed) settings of one sentence, heard one after the other.

The pure part, :func:`diff_tts_sample`, maps (model, text, γ, seed) to a :class:`DiffSample`
(mel, wave, network calls, seconds); :func:`valid_gammas` lists the skips whose walk ends
at step 0 (γ divides T − 1). :class:`GammaSeedAB` is the thin ipywidgets UI: γ and seed for
A and for B, buttons to play A, B or A then B, both mels and how far apart they are.
Samples are cached per (text, γ, seed, durations), so replaying costs nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from course_lib.models.diff_tts import DiffTTS
from course_lib.widgets import audio_output, show_outputs


@dataclass(frozen=True)
class DiffSample:
    mel: torch.Tensor  # [80, T_mel] log-mel
    wave: np.ndarray  # [T_mel·256] float32 in [−1, 1]
    sample_rate: int
    gamma: int
    seed: int
    calls: int  # network calls of the walk
    seconds: float  # model time, without the vocoder


def valid_gammas(model: DiffTTS) -> list[int]:
    """Every γ whose skip walk T−1, T−1−γ, … ends exactly at step 0: the divisors of T − 1."""
    last = model.config.n_diffusion_steps - 1
    return [g for g in range(1, last + 1) if last % g == 0]


@torch.no_grad()
def diff_tts_sample(model: DiffTTS, text: str, gamma: int, seed: int = 0, durations: torch.Tensor | None = None,
                    vocoder=None) -> DiffSample:
    """Text → Diff-TTS's skip-γ ancestral walk from N(0, I) with ``seed`` → mel → wave (clipped to [−1, 1]).

    ``durations [T_text]`` (frames) replaces the predicted ones, so that samples line up frame by frame.
    Raises ``ValueError`` for empty text or a γ that does not divide T − 1.
    """
    from course_lib.diffusion import accelerated_timesteps
    from course_lib.audio import vocode
    from course_lib.text import text_to_tokens

    calls = len(accelerated_timesteps(model.config.n_diffusion_steps, int(gamma)))  # refuses a bad γ
    tokens = text_to_tokens(text, model.config.front_end, model.config.add_blank)
    device = next(model.parameters()).device
    if durations is not None and durations.numel() != tokens.shape[-1]:
        raise ValueError(f"{durations.numel()} durations for {tokens.shape[-1]} tokens: give one per token")
    if vocoder is None:
        from course_lib.vocoder import load_vocoder

        vocoder = load_vocoder(verbose=False)
    model.eval()
    start = time.perf_counter()
    out = model.synthesize(tokens.to(device), gamma=int(gamma), seed=int(seed),
                           durations=None if durations is None else durations.reshape(1, -1).to(device))
    seconds = time.perf_counter() - start
    mel = out.mel[0, :, : int(out.mel_lengths[0])].cpu()
    wave = vocode(mel, vocoder).numpy().astype(np.float32)
    return DiffSample(mel=mel, wave=wave, sample_rate=vocoder.sample_rate, gamma=int(gamma), seed=int(seed),
                      calls=calls, seconds=seconds)


def mel_distance(a: DiffSample, b: DiffSample) -> float:
    """Mean |mel_A − mel_B| over the frames both have (0 for the same γ and seed)."""
    frames = min(a.mel.shape[-1], b.mel.shape[-1])
    return float((a.mel[:, :frames] - b.mel[:, :frames]).abs().mean())


def a_then_b(a: DiffSample, b: DiffSample, gap_seconds: float = 0.4) -> np.ndarray:
    """A's wave, a silent gap, B's wave."""
    return np.concatenate([a.wave, np.zeros(int(gap_seconds * a.sample_rate), dtype=np.float32), b.wave])


class GammaSeedAB:
    """Text, γ and seed for A and B, buttons "A", "B", "A then B"; ``.ui`` is the widget to display."""

    def __init__(self, model: DiffTTS, text: str = "Diffusion turns noise into speech.", gamma_a: int = 57,
                 seed_a: int = 0, gamma_b: int = 57, seed_b: int = 1, durations: torch.Tensor | None = None,
                 vocoder=None) -> None:
        import ipywidgets as widgets

        from course_lib.vocoder import load_vocoder

        self.model = model
        self.durations = durations
        self.vocoder = vocoder if vocoder is not None else load_vocoder(verbose=False)  # loaded once
        gammas = valid_gammas(model)
        self.text = widgets.Text(value=text, description="text", continuous_update=False,
                                 layout=widgets.Layout(width="70%"), disabled=durations is not None)
        self.gamma_a = widgets.Dropdown(options=gammas, value=gamma_a, description="A: γ")
        self.seed_a = widgets.IntText(value=seed_a, description="A: seed")
        self.gamma_b = widgets.Dropdown(options=gammas, value=gamma_b, description="B: γ")
        self.seed_b = widgets.IntText(value=seed_b, description="B: seed")
        self.play_a = widgets.Button(description="A", icon="play")
        self.play_b = widgets.Button(description="B", icon="play")
        self.play_ab = widgets.Button(description="A then B", icon="play")
        self.output = widgets.Output()
        self.play_a.on_click(lambda _button: self.render("A"))
        self.play_b.on_click(lambda _button: self.render("B"))
        self.play_ab.on_click(lambda _button: self.render("AB"))
        self.ui = widgets.VBox([self.text, widgets.HBox([self.gamma_a, self.seed_a]),
                                widgets.HBox([self.gamma_b, self.seed_b]),
                                widgets.HBox([self.play_a, self.play_b, self.play_ab]), self.output])
        self._cache: dict[tuple, DiffSample] = {}
        self.wave: np.ndarray | None = None
        self.error: str | None = None
        self.render("AB")

    def sample(self, gamma: int, seed: int) -> DiffSample:
        key = (self.text.value, int(gamma), int(seed))
        if key not in self._cache:
            self._cache[key] = diff_tts_sample(self.model, self.text.value, gamma, seed, self.durations,
                                               vocoder=self.vocoder)
        return self._cache[key]

    def render(self, which: str = "AB") -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        try:
            a = self.sample(self.gamma_a.value, self.seed_a.value)
            b = self.sample(self.gamma_b.value, self.seed_b.value)
            self.error = None
        except ValueError as err:  # empty text
            self.error = str(err)
            show_outputs(self.output, f"⚠ {err}\n")
            return
        self.wave = {"A": a.wave, "B": b.wave, "AB": a_then_b(a, b)}[which]
        fig = Figure(figsize=(12, 2.8))  # not pyplot: shown once, in the Output
        axes = fig.subplots(1, 2)
        for ax, name, s in ((axes[0], "A", a), (axes[1], "B", b)):
            plots.plot_mel(s.mel, ax=ax, title=f"{name}: γ = {s.gamma} ({s.calls} calls), seed {s.seed}",
                           colorbar=False)
        fig.tight_layout()
        text = (f"A: {a.calls} calls in {a.seconds:.2f} s · B: {b.calls} calls in {b.seconds:.2f} s · "
                f"mean |mel_A − mel_B| {mel_distance(a, b):.3f} · playing {'A then B' if which == 'AB' else which}\n")
        show_outputs(self.output, fig, text, audio_output(self.wave, self.vocoder.sample_rate))


def gamma_seed_ab(model: DiffTTS, **knobs) -> GammaSeedAB:
    return GammaSeedAB(model, **knobs)
