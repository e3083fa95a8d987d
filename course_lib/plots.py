"""Plotting helpers for waves, mels, durations and alignments (matplotlib).

Loss curves: :func:`course_lib.training.plot_history`.

Each function draws on a given ``ax`` (or makes a figure) and returns the figure,
so notebooks can show it and tests can save it as PNG.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib.audio import HOP_LENGTH, SAMPLE_RATE


def _numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().float().cpu().numpy()
    return np.asarray(x)


def _axes(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_wave(wave, sample_rate: int = SAMPLE_RATE, ax=None, title: str | None = None):
    """Waveform against time in seconds."""
    wave = _numpy(wave).reshape(-1)
    fig, ax = _axes(ax, (10, 2.2))
    ax.plot(np.arange(len(wave)) / sample_rate, wave, linewidth=0.5)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude")
    ax.set_xlim(0, len(wave) / sample_rate)
    if title:
        ax.set_title(title)
    return fig


def plot_mel(mel, ax=None, title: str | None = None, colorbar: bool = True, vmin: float | None = None,
             vmax: float | None = None):
    """Log-mel ``[80, T]`` as an image, frames on x (seconds on a twin label), mel bins on y."""
    mel = _numpy(mel)
    if mel.ndim == 3:
        mel = mel[0]
    fig, ax = _axes(ax, (10, 3))
    image = ax.imshow(mel, origin="lower", aspect="auto", interpolation="none", vmin=vmin, vmax=vmax,
                      cmap="magma")
    ax.set_xlabel(f"frame (hop {HOP_LENGTH} = {1000 * HOP_LENGTH / SAMPLE_RATE:.1f} ms)")
    ax.set_ylabel("mel bin")
    if title:
        ax.set_title(title)
    if colorbar:
        fig.colorbar(image, ax=ax, pad=0.01, label="log magnitude")
    return fig


def plot_durations(mel, phonemes: Sequence[str], durations: Sequence[int], ax=None, title: str | None = None):
    """A mel with each phoneme's span marked: lines at the boundaries, labels above the plot.

    Labels alternate between two rows so that short phonemes stay readable.
    """
    if ax is None:
        n_frames = int(sum(durations))
        _, ax = plt.subplots(figsize=(min(24, max(8, n_frames / 40)), 3.2))
    fig = plot_mel(mel, ax=ax, colorbar=False)
    bounds = np.concatenate([[0], np.cumsum(durations)])
    for b in bounds:
        ax.axvline(b - 0.5, color="white", linewidth=0.6, alpha=0.7)
    top = ax.get_xaxis_transform()  # x in data units, y in axes units
    for i, label in enumerate(phonemes):
        center = (bounds[i] + bounds[i + 1]) / 2 - 0.5
        ax.text(center, 1.02 + 0.07 * (i % 2), label, transform=top, ha="center", va="bottom", fontsize=8)
    if title:
        ax.set_title(title, pad=28)
    return fig


def plot_alignment(alignment, ax=None, title: str | None = None, phonemes: Sequence[str] | None = None):
    """Alignment ``[T_text, T_mel]`` (a hard path or soft attention) as an image."""
    alignment = _numpy(alignment)
    if alignment.ndim == 3:
        alignment = alignment[0]
    fig, ax = _axes(ax, (8, 4))
    ax.imshow(alignment, origin="lower", aspect="auto", interpolation="none", cmap="viridis")
    ax.set_xlabel("mel frame")
    ax.set_ylabel("token")
    if phonemes is not None and len(phonemes) <= 60:
        ax.set_yticks(range(len(phonemes)))
        ax.set_yticklabels(phonemes, fontsize=7)
    if title:
        ax.set_title(title)
    return fig
