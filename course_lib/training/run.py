"""A training run's rhythm, the same for every model: seed, build, validate, checkpoint, log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import torch

from course_lib.training.config import TrainConfig
from course_lib.training.rng import seed_everything


def train_config(config, out_dir: str | Path, steps: int, validate: bool = True, progress: bool = True,
                 val_every: int | None = None) -> TrainConfig:
    """Every model's ``TrainConfig`` — the one place a run's rhythm is set: clip gradients as ``config`` says
    (``grad_clip_norm`` per group, or ``grad_clip_value``), seed ``config.seed``, validate every ``val_every``
    steps (default: every fifth of the run; never if not ``validate``), checkpoint every tenth of the run but at
    least every 500 steps (a long run loses little to a crash), log every 10 steps (every step of a shorter run)."""
    if validate:
        val_every = max(steps // 5, 1) if val_every is None else max(min(val_every, steps), 1)
    return TrainConfig(steps=steps, grad_clip_norm=getattr(config, "grad_clip_norm", None),
                       grad_clip_value=getattr(config, "grad_clip_value", None), seed=config.seed,
                       out_dir=str(out_dir), val_every=val_every if validate else None, progress=progress,
                       checkpoint_every=max(min(steps // 10, 500), 1), log_every=min(10, steps))


def seed_and_build(build: Callable, config) -> torch.nn.Module:
    """``build(config)`` after seeding every RNG with ``config.seed``: a fresh run's initial weights depend
    on the seed only (the trainer seeds again before the first step; a resumed run loads its weights)."""
    seed_everything(config.seed)
    return build(config)


def mean_losses(model: torch.nn.Module, val_loader: Iterable | None, losses_of: Callable,
                names: tuple[str, ...]) -> dict[str, float]:
    """``{name: mean over batches}`` of the scalar fields ``names`` of ``losses_of(batch)`` ({} without a loader).

    Each batch is moved to ``model``'s device first.
    """
    if val_loader is None:
        return {}
    device = next(model.parameters()).device
    sums, count = dict.fromkeys(names, 0.0), 0
    for batch in val_loader:
        losses = losses_of(batch.to(device))
        for name in names:
            sums[name] += float(getattr(losses, name))
        count += 1
    return {name: value / max(count, 1) for name, value in sums.items()}
