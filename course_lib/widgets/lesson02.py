"""Lesson 02 widget: a latent traversal you can hear — pick a dimension and a value, listen to the sentence.

The pure part, :func:`traversal_mel`, encodes every 16-frame segment of an utterance to
its posterior mean, sets one latent dimension to the same value in all of them and decodes
the segments back into one mel ``[80, N·16]``; :func:`traversal_wave` vocodes it through the
course vocoder (:func:`course_lib.vocoder.load_vocoder`: the shipped one, else Griffin-Lim).
:class:`LatentTraversal` is the thin ipywidgets UI: a dimension slider, a value slider, the mel and an
audio player.
"""

from __future__ import annotations

import numpy as np
import torch

from course_lib.models.vae import MelSegmentVae
from course_lib.widgets import audio_output, show_outputs


def _check_dimension(model: MelSegmentVae, dim: int) -> int:
    if not 0 <= int(dim) < model.config.latent_dim:
        raise ValueError(f"the latent has dimensions 0 … {model.config.latent_dim - 1}; got {dim}")
    return int(dim)


@torch.no_grad()
def traversal_mel(model: MelSegmentVae, segments: torch.Tensor, dim: int, value: float | None) -> torch.Tensor:
    """``segments [N, 80, T_seg]`` → their posterior means with latent ``dim`` set to ``value`` → decoded ``[80, N·T_seg]``.

    ``value=None`` decodes the posterior means unchanged (the VAE's own reconstruction).
    """
    dim = _check_dimension(model, dim)
    mean, _ = model.encode(segments)
    if value is not None:
        mean = mean.clone()
        mean[:, dim] = float(value)
    return torch.cat(list(model.decode(mean)), dim=1)


@torch.no_grad()
def code_range(model: MelSegmentVae, segments: torch.Tensor, dim: int) -> tuple[float, float]:
    """The smallest and largest posterior mean of latent ``dim`` over ``segments``: where this sentence lives."""
    mean, _ = model.encode(segments)
    values = mean[:, _check_dimension(model, dim)]
    return float(values.min()), float(values.max())


def traversal_wave(model: MelSegmentVae, segments: torch.Tensor, dim: int, value: float | None,
                   vocoder=None) -> tuple[torch.Tensor, np.ndarray]:
    """(mel ``[80, N·T_seg]``, wave float32 in [−1, 1]) of :func:`traversal_mel` through ``vocoder``."""
    from course_lib.audio import vocode

    if vocoder is None:
        from course_lib.vocoder import load_vocoder

        vocoder = load_vocoder(verbose=False)
    mel = traversal_mel(model, segments, dim, value)
    return mel, vocode(mel, vocoder).numpy().astype(np.float32)


class LatentTraversal:
    """Dimension and value sliders (and "as encoded") → the decoded sentence's mel and sound; ``.ui`` to display."""

    def __init__(self, model: MelSegmentVae, segments: torch.Tensor, dim: int = 0, value: float = 0.0,
                 vocoder=None) -> None:
        import ipywidgets as widgets

        from course_lib.vocoder import load_vocoder

        self.model = model.eval()
        self.segments = segments
        self.vocoder = vocoder if vocoder is not None else load_vocoder(verbose=False)  # loaded once
        self.dim = widgets.IntSlider(value=_check_dimension(model, dim), min=0, max=model.config.latent_dim - 1,
                                     description="dimension", continuous_update=False)
        self.value = widgets.FloatSlider(value=float(value), min=-3.0, max=3.0, step=0.25, description="value",
                                         continuous_update=False)
        self.as_encoded = widgets.Checkbox(value=False, description="as encoded (no traversal)")
        self.output = widgets.Output()
        for control in (self.dim, self.value, self.as_encoded):
            control.observe(lambda _change: self.render(), names="value")
        self.ui = widgets.VBox([widgets.HBox([self.dim, self.value, self.as_encoded]), self.output])
        self.mel: torch.Tensor | None = None
        self.wave: np.ndarray | None = None
        self.render()

    def render(self) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        value = None if self.as_encoded.value else self.value.value
        self.mel, self.wave = traversal_wave(self.model, self.segments, self.dim.value, value, vocoder=self.vocoder)
        low, high = code_range(self.model, self.segments, self.dim.value)
        title = ("every segment decoded from its own posterior mean" if value is None else
                 f"latent dimension {self.dim.value} set to {value:+.2f} in all {len(self.segments)} segments")
        fig = Figure(figsize=(10, 2.6))  # not pyplot: shown once, in the Output
        plots.plot_mel(self.mel, ax=fig.subplots(), title=title, colorbar=False)
        fig.tight_layout()
        text = (f"this sentence's own codes in dimension {self.dim.value} span {low:+.2f} … {high:+.2f} "
                f"(the prior N(0, 1) puts 95 % within ±1.96)\n")
        show_outputs(self.output, fig, text, audio_output(self.wave, self.vocoder.sample_rate))


def latent_traversal(model: MelSegmentVae, segments: torch.Tensor, **knobs) -> LatentTraversal:
    return LatentTraversal(model, segments, **knobs)
