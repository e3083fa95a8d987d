"""Lesson 05 widget: hear the forward process — pick ᾱ_t, the mel is noised, vocoded and played.

The pure part, :func:`noised_mel`, applies ``q(x_t | x_0)`` to a log-mel in the lesson's
scale (the utterance's log-mel mapped linearly to [−1, 1], as Diff-TTS does), and maps the
result back to log-mel units; :func:`noised_wave` vocodes it through the course vocoder
(:func:`course_lib.vocoder.load_vocoder`: the shipped one, else Griffin-Lim).
:class:`NoisedMelPlayer` is the thin ipywidgets UI: an ᾱ slider and a seed, the clean and the noised mel,
and an audio player.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_lib import diffusion
from course_lib.widgets import audio_output, show_outputs

# ᾱ values worth hearing: the ear notices noise long before the eye does, so most sit near 1
ALPHA_BARS = (1.0, 0.999, 0.99, 0.97, 0.9, 0.7, 0.5, 0.3, 0.1, 0.03, 0.01, 0.0)


def check_alpha_bar(alpha_bar: float) -> float:
    value = float(alpha_bar)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"ᾱ_t is a product of (1 − β) factors, so it lies in [0, 1]; got {alpha_bar}")
    return value


@dataclass(frozen=True)
class NoisedSample:
    clean: torch.Tensor  # [80, T] log-mel
    noised: torch.Tensor  # [80, T] log-mel of x_t (mapped back from the [−1, 1] scale)
    wave: np.ndarray  # [T·256] float32 in [−1, 1]
    sample_rate: int
    alpha_bar: float
    seed: int

    @property
    def snr_db(self) -> float:
        """Signal-to-noise ratio of x_t in the [−1, 1] scale: ᾱ/(1 − ᾱ), in dB (inf at ᾱ = 1)."""
        if self.alpha_bar >= 1.0:
            return float("inf")
        if self.alpha_bar <= 0.0:
            return float("-inf")
        return 10 * float(np.log10(self.alpha_bar / (1 - self.alpha_bar)))


def noised_mel(mel: torch.Tensor, alpha_bar: float, seed: int = 0) -> torch.Tensor:
    """``x_t = √ᾱ x_0 + √(1 − ᾱ) ε`` on ``mel [80, T]`` scaled to [−1, 1] by its own min and max; back in log-mel units."""
    alpha_bar = check_alpha_bar(alpha_bar)
    low, high = float(mel.min()), float(mel.max())
    scaled = 2 * (mel - low) / max(high - low, 1e-8) - 1
    noise = torch.randn(scaled.shape, generator=torch.Generator().manual_seed(int(seed)), dtype=scaled.dtype)
    x_t = diffusion.q_sample(scaled, noise, alpha_bar)
    return (x_t + 1) / 2 * (high - low) + low


def noised_wave(mel: torch.Tensor, alpha_bar: float, seed: int = 0, vocoder=None) -> NoisedSample:
    """Noise ``mel [80, T]`` at ``alpha_bar`` (see :func:`noised_mel`) and vocode it (clipped to [−1, 1])."""
    from course_lib.audio import vocode

    if vocoder is None:
        from course_lib.vocoder import load_vocoder

        vocoder = load_vocoder(verbose=False)
    noisy = noised_mel(mel, alpha_bar, seed)
    wave = vocode(noisy, vocoder).numpy().astype(np.float32)
    return NoisedSample(clean=mel, noised=noisy, wave=wave, sample_rate=vocoder.sample_rate,
                        alpha_bar=float(alpha_bar), seed=int(seed))


def step_of(alpha_bar: float, alpha_bars) -> int | None:
    """The first step t (1-based) of a schedule whose ᾱ_t is at or below ``alpha_bar``; None if it never gets there."""
    below = (torch.as_tensor(alpha_bars) <= alpha_bar).nonzero()
    return int(below[0]) + 1 if len(below) else None


class NoisedMelPlayer:
    """ᾱ slider and seed → the clean and the noised mel, and the noised one's sound; ``.ui`` to display."""

    def __init__(self, mel: torch.Tensor, alpha_bar: float = 0.9, alpha_bars=None, vocoder=None) -> None:
        import ipywidgets as widgets

        from course_lib.vocoder import load_vocoder

        self.mel = mel
        self.schedule = alpha_bars  # optional: to say at which step of a schedule this ᾱ is reached
        self.vocoder = vocoder if vocoder is not None else load_vocoder(verbose=False)  # loaded once
        options = sorted(set(ALPHA_BARS) | {check_alpha_bar(alpha_bar)}, reverse=True)
        self.alpha_bar = widgets.SelectionSlider(options=options, value=float(alpha_bar), description="ᾱ_t",
                                                 continuous_update=False, style={"description_width": "initial"})
        self.seed = widgets.IntText(value=0, description="seed")
        self.output = widgets.Output()
        self.alpha_bar.observe(lambda _change: self.render(), names="value")
        self.seed.observe(lambda _change: self.render(), names="value")
        self.ui = widgets.VBox([widgets.HBox([self.alpha_bar, self.seed]), self.output])
        self.sample: NoisedSample | None = None
        self.render()

    def render(self) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        sample = noised_wave(self.mel, self.alpha_bar.value, self.seed.value, vocoder=self.vocoder)
        self.sample = sample
        fig = Figure(figsize=(12, 2.8))  # not pyplot: shown once, in the Output
        axes = fig.subplots(1, 2)
        plots.plot_mel(sample.clean, ax=axes[0], title="clean x₀", colorbar=False)
        plots.plot_mel(sample.noised, ax=axes[1], title=f"x_t at ᾱ = {sample.alpha_bar:g}", colorbar=False)
        fig.tight_layout()
        where = ""
        if self.schedule is not None:
            step = step_of(sample.alpha_bar, self.schedule)
            where = (f"; this ᾱ is reached at step {step} of {len(self.schedule)}" if step is not None
                     else f"; the schedule never goes this low (ᾱ_T = {float(self.schedule[-1]):.2g})")
        text = (f"ᾱ = {sample.alpha_bar:g}: signal share of the variance {sample.alpha_bar:.3g}, "
                f"SNR {sample.snr_db:+.1f} dB{where}\n")
        show_outputs(self.output, fig, text, audio_output(sample.wave, sample.sample_rate))


def noised_mel_player(mel: torch.Tensor, **knobs) -> NoisedMelPlayer:
    return NoisedMelPlayer(mel, **knobs)
