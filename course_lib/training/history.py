"""The loss history: how the trainer averages logs, and how notebooks read and plot them.

``Trainer.fit`` returns ``history``: a list of plain dicts, one per logging window and one
per validation, e.g.::

    {"step": 100, "epoch": 3, "seconds": 41.2, "lr/generator": 2e-4,
     "discriminator/loss": 0.48, "generator/loss": 31.0, "generator/mel": 0.71,
     "generator/grad_norm": 12.3}
    {"step": 100, "val/mel": 0.69}

Training values are means over the ``log_every`` steps that end at ``step``; keys are
``"<phase>/<name>"`` (``"<phase>/loss"`` is the phase's total loss), learning rates are
``"lr/<optimizer>"``, validation results ``"val/<name>"``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class LogWindow:
    """Running sums of the logged values since the last history entry (saved in checkpoints)."""

    sums: dict[str, float] = field(default_factory=dict)
    count: int = 0

    def add(self, logs: dict[str, float]) -> None:
        for key, value in logs.items():
            self.sums[key] = self.sums.get(key, 0.0) + value
        self.count += 1

    def means(self) -> dict[str, float]:
        return {key: total / self.count for key, total in self.sums.items()}

    def clear(self) -> None:
        self.sums, self.count = {}, 0

    def state_dict(self) -> dict:
        return {"sums": dict(self.sums), "count": self.count}

    def load_state_dict(self, state: dict) -> None:
        self.sums, self.count = dict(state["sums"]), state["count"]


def history_frame(history: Sequence[dict]) -> dict[str, list]:
    """Columns from the history rows: ``{"step": [...], "generator/loss": [...], ...}``.

    Every column has one value per row; a row without a key gets NaN there (validation
    rows have no training losses, and the other way round). Feed it to pandas or matplotlib.
    """
    keys: list[str] = []
    for row in history:
        keys.extend(key for key in row if key not in keys)
    return {key: [row.get(key, math.nan) for row in history] for key in keys}


def plot_history(history: Sequence[dict], keys: Iterable[str] | None = None, ax=None, log_y: bool = False):
    """Plot the chosen columns against the step (default: every ``.../loss`` and ``val/...``).

    Draws on ``ax`` (or a new figure) and returns the figure, like ``course_lib.plots``.
    Only rows that hold a key contribute to its line.
    """
    import matplotlib.pyplot as plt

    if keys is None:
        names = history_frame(history).keys()
        keys = [key for key in names if key.endswith("/loss") or key.startswith("val/")]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for key in keys:
        points = [(row["step"], row[key]) for row in history if key in row]
        if not points:
            raise ValueError(f"no history row holds {key!r}; choose from {sorted(history_frame(history))}")
        steps, values = zip(*points)
        ax.plot(steps, values, label=key, marker="." if len(points) < 30 else None)
    ax.set_xlabel("step")
    if log_y:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax.figure
