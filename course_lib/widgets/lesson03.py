"""Lesson 03 widget: type a sentence, pick a temperature, resample z — see the mel and hear it.

The pure part, :func:`speak`, maps (model, text, temperature, seed) to a
:class:`SpokenSample` (wave, sample rate, mel, durations); :func:`back_to_back`
joins two samples with a short gap so their differences can be heard, and
:func:`sample_spread` measures how far samples of one sentence lie apart.
:class:`LatentSampler` is the thin ipywidgets UI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_lib.models.cvae import ConditionalVae, pairwise_mel_spread, synthesize_text
from course_lib.widgets import audio_output, show_outputs


@dataclass(frozen=True)
class SpokenSample:
    wave: np.ndarray  # [N] float32 in [-1, 1]
    sample_rate: int
    mel: torch.Tensor  # [F, T_mel] log-mel
    prior_mean: torch.Tensor  # [C_z, T_mel] what the text predicts for z
    latent: torch.Tensor  # [C_z, T_mel] the z that was decoded
    phonemes: list[str]
    durations: list[int]
    temperature: float
    seed: int


def speak(model: ConditionalVae, text: str, temperature: float | None = None, seed: int = 0,
          length_scale: float = 1.0, vocoder=None, tokenizer=None) -> SpokenSample:
    """Text → one sample of z from the prior at ``temperature`` (None: the config's) → mel → wave (clipped to
    [-1, 1]).

    ``vocoder`` defaults to :func:`course_lib.vocoder.load_vocoder` (the shipped course vocoder, else Griffin-Lim).
    Raises ``ValueError`` for empty text or a negative temperature.
    """
    temperature = model.config.temperature if temperature is None else temperature
    if not float(temperature) >= 0:
        raise ValueError(f"temperature must be ≥ 0 (0 = the prior mean, no randomness), got {temperature}")
    result = synthesize_text(model, text, tokenizer, temperature=temperature, seed=seed, length_scale=length_scale)
    if vocoder is None:
        from course_lib.vocoder import load_vocoder

        vocoder = load_vocoder(verbose=False)
    mel = result.synthesis.mel[0].cpu()
    wave = vocoder(mel).detach().cpu().numpy().astype(np.float32)
    return SpokenSample(
        wave=np.clip(wave, -1.0, 1.0),
        sample_rate=vocoder.sample_rate,
        mel=mel,
        prior_mean=result.synthesis.prior_mean[0].cpu(),
        latent=result.synthesis.latent[0].cpu(),
        phonemes=list(result.phonemes),
        durations=[int(d) for d in result.synthesis.durations[0]],
        temperature=float(temperature),
        seed=int(seed),
    )


def back_to_back(first: SpokenSample, second: SpokenSample, gap_seconds: float = 0.4) -> np.ndarray:
    """Two samples' waves joined by a silent gap ``[N1 + gap + N2]``, to hear them one after the other."""
    gap = np.zeros(int(gap_seconds * first.sample_rate), dtype=np.float32)
    return np.concatenate([first.wave, gap, second.wave])


@torch.no_grad()
def sample_spread(model: ConditionalVae, text: str, temperature: float, seeds=(0, 1, 2, 3)) -> float:
    """How different samples of one sentence are at ``temperature``: pairwise mean |mel_a − mel_b| over ``seeds``.

    The durations come from the duration predictor and do not depend on the seed, so the mels align.
    """
    mels = [synthesize_text(model, text, temperature=temperature, seed=s).synthesis.mel[0] for s in seeds]
    return pairwise_mel_spread(mels)


class LatentSampler:
    """Text box, temperature slider, seed, "resample z" and "A/B" buttons; ``.ui`` is the widget to display."""

    def __init__(self, model: ConditionalVae, text: str = "The quick brown fox jumps over the lazy dog.",
                 temperature: float | None = None, vocoder=None) -> None:
        import ipywidgets as widgets

        from course_lib.vocoder import load_vocoder

        self.model = model
        self.vocoder = vocoder if vocoder is not None else load_vocoder(verbose=False)  # loaded once, not per click
        self.text = widgets.Text(value=text, description="text", continuous_update=False,
                                 layout=widgets.Layout(width="70%"))
        self.temperature = widgets.FloatSlider(value=model.config.temperature if temperature is None else temperature,
                                               min=0.0, max=1.5, step=0.05,
                                               description="temperature", continuous_update=False,
                                               style={"description_width": "initial"})
        self.seed = widgets.IntText(value=0, description="seed")
        self.resample = widgets.Button(description="resample z", icon="refresh")
        self.compare = widgets.Button(description="A/B: two samples", icon="play")
        self.output = widgets.Output()
        self.text.observe(lambda _change: self.render(), names="value")
        self.temperature.observe(lambda _change: self.render(), names="value")
        self.seed.observe(lambda _change: self.render(), names="value")
        self.resample.on_click(lambda _button: self._next_seed())
        self.compare.on_click(lambda _button: self.render(compare=True))
        self.ui = widgets.VBox([self.text, widgets.HBox([self.temperature, self.seed]),
                                widgets.HBox([self.resample, self.compare]), self.output])
        self.sample: SpokenSample | None = None
        self.wave: np.ndarray | None = None  # what the audio player plays now
        self.error: str | None = None
        self.render()

    def _next_seed(self) -> None:
        self.seed.value += 1  # the observer re-renders

    def render(self, compare: bool = False) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        try:
            sample = speak(self.model, self.text.value, self.temperature.value, self.seed.value,
                           vocoder=self.vocoder)
            other = None
            if compare:
                other = speak(self.model, self.text.value, self.temperature.value, self.seed.value + 1,
                              vocoder=self.vocoder)
            self.error = None
        except ValueError as err:  # empty text, unpronounceable text, temperature < 0
            self.error = str(err)
            show_outputs(self.output, f"⚠ {err}\n")
            return
        self.sample = sample
        self.wave = back_to_back(sample, other) if other is not None else sample.wave
        fig = Figure(figsize=(10, 5 if other is not None else 2.8))  # not pyplot: never shown inline as well
        axes = fig.subplots(2 if other is not None else 1, 1, squeeze=False)
        plots.plot_durations(sample.mel, sample.phonemes, sample.durations, ax=axes[0, 0],
                             title=f"seed {sample.seed}, temperature {sample.temperature:.2f}")
        spread = None
        if other is not None:
            plots.plot_durations(other.mel, other.phonemes, other.durations, ax=axes[1, 0],
                                 title=f"seed {other.seed} (plays second)")
            spread = f"A then B — mean |mel_A − mel_B|: {pairwise_mel_spread([sample.mel, other.mel]):.3f}\n"
        fig.tight_layout()
        # one assignment, not `with self.output:` capture (see course_lib.widgets.show_outputs); the audio
        # stays an <audio> element, the one the browser test (tests/test_browser_lesson03.py) listens to
        show_outputs(self.output, spread, fig, audio_output(np.clip(self.wave, -1.0, 1.0), sample.sample_rate))


def latent_sampler(model: ConditionalVae, **knobs) -> LatentSampler:
    return LatentSampler(model, **knobs)
