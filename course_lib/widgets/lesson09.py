"""Lesson 09 widget: text, number of reverse steps, temperature, seed → the mel as it emerges, and audio.

The pure part, :func:`reverse_trajectory`, maps (model, text, steps, τ, seed) to a
:class:`Trajectory`: the log-mel after every reverse step of Grad-TTS's ODE solver
(the first one is the noisy start ``μ + ε/τ``), the prior mean μ it started from,
the final wave and the time taken. :class:`TrajectoryExplorer` is the thin
ipywidgets UI: a "synthesize" button and a slider through the steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from course_lib.models.grad_tts import GradTTS
from course_lib.widgets import audio_output, show_outputs


@dataclass(frozen=True)
class Trajectory:
    """``mels``: ``[80, T]`` log-mels, one per reverse step plus the start; ``times``: t of each step."""

    mels: list[torch.Tensor]
    times: list[float]
    prior_mean: torch.Tensor  # [80, T] μ aligned to frames
    wave: np.ndarray  # [N] float32 in [-1, 1], the vocoded final mel
    sample_rate: int
    seconds: float  # model time (encoder + reverse steps), without the vocoder
    n_steps: int
    temperature: float
    seed: int


def reverse_trajectory(model: GradTTS, text: str, n_steps: int = 10, temperature: float = 1.5, seed: int = 0,
                       length_scale: float = 1.0, vocoder=None) -> Trajectory:
    """Synthesize ``text`` keeping every intermediate mel (see module docstring).

    Raises ``ValueError`` for empty text, ``n_steps`` ≤ 0 or ``temperature`` ≤ 0.
    ``vocoder`` defaults to :func:`course_lib.vocoder.load_vocoder`.
    """
    from course_lib.audio import LOG_MEL_RANGE
    from course_lib.text import text_to_tokens

    tokens = text_to_tokens(text, model.config.front_end, model.config.add_blank)
    tokens = tokens.to(next(model.parameters()).device)
    start = time.perf_counter()
    out = model.eval().synthesize(tokens, n_steps=n_steps, temperature=temperature, seed=seed,
                                  length_scale=length_scale, return_trajectory=True)
    seconds = time.perf_counter() - start
    if vocoder is None:
        from course_lib.vocoder import load_vocoder

        vocoder = load_vocoder(verbose=False)
    wave = vocoder(out.mel[0].cpu().clamp(*LOG_MEL_RANGE)).detach().cpu().numpy().astype(np.float32)
    return Trajectory(mels=[m[0].cpu() for m in out.trajectory], times=list(out.times),
                      prior_mean=out.prior_mean[0].cpu(), wave=np.clip(wave, -1.0, 1.0),
                      sample_rate=vocoder.sample_rate, seconds=seconds, n_steps=n_steps,
                      temperature=float(temperature), seed=int(seed))


def step_title(trajectory: Trajectory, index: int) -> str:
    """Caption for the mel after ``index`` reverse steps (0 = the start)."""
    if index == 0:
        return f"start: μ + ε/τ (τ = {trajectory.temperature:g}, t = 1)"
    return f"after step {index}/{trajectory.n_steps} (evaluated at t = {trajectory.times[index - 1]:.3f})"


class TrajectoryExplorer:
    """Text box, steps and temperature sliders, seed, a "synthesize" button, then a slider through the steps."""

    def __init__(self, model: GradTTS, text: str = "Diffusion turns noise into speech.", n_steps: int = 10,
                 temperature: float = 1.5, vocoder=None) -> None:
        import ipywidgets as widgets

        self.model = model
        self.vocoder = vocoder
        self.text = widgets.Text(value=text, description="text", layout=widgets.Layout(width="70%"))
        self.n_steps = widgets.IntSlider(value=n_steps, min=1, max=100, description="steps", continuous_update=False)
        self.temperature = widgets.FloatSlider(value=temperature, min=0.5, max=5.0, step=0.1,
                                               description="temperature τ", continuous_update=False)
        self.seed = widgets.IntText(value=0, description="seed")
        self.button = widgets.Button(description="synthesize", icon="play")
        self.step = widgets.IntSlider(value=n_steps, min=0, max=n_steps, description="show step",
                                      continuous_update=False)
        self.output = widgets.Output()
        self.button.on_click(lambda _button: self.synthesize())
        self.step.observe(lambda _change: self.render(), names="value")
        self.ui = widgets.VBox([self.text, widgets.HBox([self.n_steps, self.temperature, self.seed]),
                                self.button, self.step, self.output])
        self.trajectory: Trajectory | None = None
        self.error: str | None = None
        self.synthesize()

    def synthesize(self) -> None:
        try:
            self.trajectory = reverse_trajectory(self.model, self.text.value, self.n_steps.value,
                                                 self.temperature.value, self.seed.value, vocoder=self.vocoder)
            self.error = None
        except ValueError as err:  # empty text, bad steps or temperature
            self.trajectory, self.error = None, str(err)
        self.step.max = self.trajectory.n_steps if self.trajectory else 0
        if self.step.value != self.step.max:
            self.step.value = self.step.max  # the observer renders
        else:
            self.render()

    def render(self) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        if self.trajectory is None:
            show_outputs(self.output, f"⚠ {self.error}\n")
            return
        traj, index = self.trajectory, min(self.step.value, self.trajectory.n_steps)
        fig = Figure(figsize=(12, 3))  # not pyplot: shown once, in the Output, never inline as well
        axes = fig.subplots(1, 2)
        plots.plot_mel(traj.prior_mean, ax=axes[0], title="prior mean μ (encoder)", colorbar=False)
        plots.plot_mel(traj.mels[index], ax=axes[1], title=step_title(traj, index), colorbar=False)
        fig.tight_layout()
        # one assignment, not `with self.output:` capture (see course_lib.widgets.show_outputs)
        show_outputs(self.output, fig,
                     f"{traj.n_steps} steps in {traj.seconds:.2f} s (model only); the audio is the final mel\n",
                     audio_output(np.clip(traj.wave, -1.0, 1.0), traj.sample_rate))


def trajectory_explorer(model: GradTTS, **knobs) -> TrajectoryExplorer:
    return TrajectoryExplorer(model, **knobs)
