"""Lesson 08 widget: Glow-TTS from a text box, with temperature and length-scale sliders.

The pure part, :func:`speak`, maps (model, text, temperature, length scale, seed)
to a :class:`GlowSample` (wave, sample rate, mel, token labels, durations);
:func:`temperature_sweep` measures how much samples of one sentence vary at each
temperature. :class:`GlowTTSSpeaker` is the thin ipywidgets UI (text box, two
sliders, a seed and a "resample" button; mel plot and audio in one Output).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_lib.models.contract import SynthesisOptions
from course_lib.models.glow_tts import GlowTTS
from course_lib.widgets import audio_output, show_outputs


@dataclass(frozen=True)
class GlowSample:
    wave: np.ndarray  # [N] float32 in [-1, 1]
    sample_rate: int
    mel: torch.Tensor  # [80, T_mel] log-mel
    tokens: list[str]  # the symbols spoken (blanks included when the model uses them)
    durations: list[int]  # frames per token
    temperature: float
    length_scale: float
    seed: int


def _tokens_and_labels(model: GlowTTS, text: str) -> tuple[torch.Tensor, list[str]]:
    from course_lib.text import text_to_tokens, tokenizer_for

    tokens = text_to_tokens(text, model.config.front_end, model.config.add_blank)[0]
    tokenizer = tokenizer_for(model.config.front_end, model.config.add_blank)
    labels = ["·" if i == tokenizer.blank_id else tokenizer.symbols[i] for i in tokens.tolist()]  # one per token
    return tokens, labels


def speak(model: GlowTTS, text: str, temperature: float | None = None, length_scale: float = 1.0, seed: int = 0,
          vocoder=None) -> GlowSample:
    """Text -> durations -> z ~ N(μ, (τσ)²) -> flow in reverse -> mel -> wave (clipped to [-1, 1]).

    The model runs through the synthesis contract (the temperature τ is its ``noise_scale``).
    ``vocoder`` defaults to :func:`course_lib.vocoder.load_vocoder` (the shipped course vocoder,
    else Griffin-Lim). Raises ``ValueError`` for empty text, temperature < 0 or length scale ≤ 0.
    """
    tokens, labels = _tokens_and_labels(model, text)
    temperature = model.config.noise_scale if temperature is None else temperature
    result = model.generate(tokens, SynthesisOptions(noise_scale=temperature, length_scale=length_scale,
                                                     seed=int(seed)))
    mel = result.mel.cpu()
    if vocoder is None:
        from course_lib.vocoder import load_vocoder

        vocoder = load_vocoder(verbose=False)
    with torch.no_grad():
        wave = vocoder(mel).detach().cpu().numpy().astype(np.float32)
    return GlowSample(
        wave=np.clip(wave, -1.0, 1.0),
        sample_rate=vocoder.sample_rate,
        mel=mel,
        tokens=labels,
        durations=[int(d) for d in result.durations],
        temperature=float(temperature),
        length_scale=float(length_scale),
        seed=int(seed),
    )


def temperature_sweep(model: GlowTTS, text: str, temperatures=(0.0, 0.333, 0.667, 1.0), seeds=(0, 1, 2)) -> dict:
    """``{temperature: mean |mel_a − mel_b|}`` over pairs of seeds: how much samples differ.

    Durations do not depend on the seed, so the mels of one temperature have equal length.
    """
    tokens, _ = _tokens_and_labels(model, text)
    spread = {}
    for temperature in temperatures:
        mels = [model.generate(tokens, SynthesisOptions(noise_scale=temperature, seed=s)).mel.cpu() for s in seeds]
        pairs = [(a, b) for i, a in enumerate(mels) for b in mels[i + 1 :]]
        spread[float(temperature)] = float(np.mean([(a - b).abs().mean().item() for a, b in pairs]))
    return spread


class GlowTTSSpeaker:
    """Text box, temperature and length-scale sliders, seed and "resample"; ``.ui`` is the widget to display."""

    def __init__(self, model: GlowTTS, text: str = "The quick brown fox jumps over the lazy dog.",
                 temperature: float | None = None, vocoder=None) -> None:
        import ipywidgets as widgets

        self.model = model
        self.vocoder = vocoder
        self.text = widgets.Text(value=text, description="text", continuous_update=False,
                                 layout=widgets.Layout(width="70%"))
        self.temperature = widgets.FloatSlider(value=model.config.noise_scale if temperature is None else temperature,
                                               min=0.0, max=1.5, step=0.05, description="temperature",
                                               continuous_update=False, style={"description_width": "initial"})
        self.length_scale = widgets.FloatSlider(value=1.0, min=0.5, max=2.0, step=0.05, description="length scale",
                                                continuous_update=False, style={"description_width": "initial"})
        self.seed = widgets.IntText(value=0, description="seed")
        self.resample = widgets.Button(description="resample", icon="refresh")
        self.output = widgets.Output()
        for control in (self.text, self.temperature, self.length_scale, self.seed):
            control.observe(lambda _change: self.render(), names="value")
        self.resample.on_click(lambda _button: self._next_seed())
        self.ui = widgets.VBox([self.text, widgets.HBox([self.temperature, self.length_scale]),
                                widgets.HBox([self.seed, self.resample]), self.output])
        self.sample: GlowSample | None = None
        self.error: str | None = None
        self.render()

    def _next_seed(self) -> None:
        self.seed.value += 1  # the observer re-renders

    def render(self) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        try:
            sample = speak(self.model, self.text.value, self.temperature.value, self.length_scale.value,
                           self.seed.value, vocoder=self.vocoder)
            self.error = None
        except ValueError as err:  # empty or unpronounceable text, bad knob values, too long
            self.error = str(err)
            show_outputs(self.output, f"⚠ {err}\n")
            return
        self.sample = sample
        fig = Figure(figsize=(10, 2.8))  # not pyplot: shown once, in the Output, never inline as well
        plots.plot_durations(sample.mel, sample.tokens, sample.durations, ax=fig.subplots(),
                             title=f"temperature {sample.temperature:.2f}, length scale "
                                   f"{sample.length_scale:.2f}, seed {sample.seed}")
        fig.tight_layout()
        # one assignment, not `with self.output:` capture (see course_lib.widgets.show_outputs)
        show_outputs(self.output, fig, audio_output(sample.wave, sample.sample_rate))
