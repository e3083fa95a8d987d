"""Lesson 01 widget: move μ and σ of two Gaussians and watch both densities and the KL redraw.

:func:`kl_view` is the pure part (knobs + seed → figure data), tested on its own;
:class:`KlExplorer` is a thin ipywidgets shell around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from course_lib.distributions import gaussian_log_prob, kl_gaussians, kl_monte_carlo
from course_lib.widgets import show_outputs


@dataclass(frozen=True)
class KlView:
    """What the explorer draws (1-D Gaussians q = N(μ_q, σ_q²) and p = N(μ_p, σ_p²))."""

    x: np.ndarray  # [N] grid
    density_q: np.ndarray  # [N]
    density_p: np.ndarray  # [N]
    kl_qp: float  # KL(q‖p), closed form
    kl_pq: float  # KL(p‖q), closed form
    monte_carlo_kl_qp: float  # average of n_samples single-sample estimates of KL(q‖p)
    monte_carlo_std_err: float  # its standard error


def _log_std(std: float, name: str) -> torch.Tensor:
    if not (math.isfinite(std) and std > 0):
        raise ValueError(f"{name} must be a positive number (a standard deviation), got {std}")
    return torch.tensor(math.log(std), dtype=torch.float64)


def kl_view(mean_q: float, std_q: float, mean_p: float, std_p: float,
            n_samples: int = 100, seed: int = 0, n_points: int = 400) -> KlView:
    """Densities on a grid covering both Gaussians, both KLs and a Monte-Carlo estimate of KL(q‖p)."""
    log_std_q, log_std_p = _log_std(std_q, "σ_q"), _log_std(std_p, "σ_p")
    mq, mp = torch.tensor(float(mean_q), dtype=torch.float64), torch.tensor(float(mean_p), dtype=torch.float64)
    low = min(mean_q - 4 * std_q, mean_p - 4 * std_p)
    high = max(mean_q + 4 * std_q, mean_p + 4 * std_p)
    x = torch.linspace(low, high, n_points, dtype=torch.float64)
    estimate, std_err = kl_monte_carlo(mq, log_std_q, mp, log_std_p, n_samples,
                                       generator=torch.Generator().manual_seed(seed))
    return KlView(
        x=x.numpy(),
        density_q=gaussian_log_prob(x, mq, log_std_q).exp().numpy(),
        density_p=gaussian_log_prob(x, mp, log_std_p).exp().numpy(),
        kl_qp=float(kl_gaussians(mq, log_std_q, mp, log_std_p)),
        kl_pq=float(kl_gaussians(mp, log_std_p, mq, log_std_q)),
        monte_carlo_kl_qp=float(estimate),
        monte_carlo_std_err=float(std_err),
    )


def plot_kl_view(view: KlView, ax=None):
    """Both densities, filled, with the KL values in the title; returns the figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    ax.plot(view.x, view.density_q, color="tab:blue", label="q")
    ax.fill_between(view.x, view.density_q, alpha=0.25, color="tab:blue")
    ax.plot(view.x, view.density_p, color="tab:orange", label="p")
    ax.fill_between(view.x, view.density_p, alpha=0.25, color="tab:orange")
    ax.set_title(f"KL(q‖p) = {view.kl_qp:.3f}   KL(p‖q) = {view.kl_pq:.3f}   "
                 f"Monte Carlo KL(q‖p) = {view.monte_carlo_kl_qp:.3f} ± {view.monte_carlo_std_err:.3f}")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    ax.legend(loc="upper right")
    return ax.figure


class KlExplorer:
    """Sliders for μ_q, σ_q, μ_p, σ_p (and the Monte-Carlo sample count); ``.ui`` is the widget to display."""

    def __init__(self, mean_q: float = 0.0, std_q: float = 1.0, mean_p: float = 1.0, std_p: float = 2.0) -> None:
        import ipywidgets as widgets

        def slider(description, value, low, high):
            return widgets.FloatSlider(value=value, min=low, max=high, step=0.05, description=description,
                                       continuous_update=False)

        self.mean_q = slider("μ_q", mean_q, -4.0, 4.0)
        self.std_q = slider("σ_q", std_q, 0.1, 4.0)
        self.mean_p = slider("μ_p", mean_p, -4.0, 4.0)
        self.std_p = slider("σ_p", std_p, 0.1, 4.0)
        self.n_samples = widgets.IntSlider(value=100, min=2, max=5000, description="MC samples",
                                           continuous_update=False)
        self.output = widgets.Output()
        for control in (self.mean_q, self.std_q, self.mean_p, self.std_p, self.n_samples):
            control.observe(lambda _change: self.render(), names="value")
        self.ui = widgets.VBox([
            widgets.HBox([self.mean_q, self.std_q]),
            widgets.HBox([self.mean_p, self.std_p]),
            self.n_samples,
            self.output,
        ])
        self.view: KlView | None = None
        self.error: str | None = None  # the message shown instead of a plot, if any
        self.render()

    def render(self) -> None:
        from matplotlib.figure import Figure

        try:
            self.view = kl_view(self.mean_q.value, self.std_q.value, self.mean_p.value, self.std_p.value,
                                n_samples=self.n_samples.value)
            self.error = None
        except ValueError as err:
            self.error = str(err)
            show_outputs(self.output, f"⚠ {err}\n")
            return
        fig = Figure(figsize=(8, 3))  # not pyplot: shown once, in the Output, never inline as well
        plot_kl_view(self.view, ax=fig.subplots())
        show_outputs(self.output, fig)  # one assignment, not `with self.output:` capture


def kl_explorer(**knobs) -> KlExplorer:
    return KlExplorer(**knobs)
