"""Learning-rate schedules: pure functions of the step, and the wrappers the trainer steps.

A schedule here is a *scale factor* on the optimizer's base learning rate, written as a
pure function so a notebook can plot it and a test can check it:

* :func:`noam_scale` — Transformer warm-up then inverse square-root decay (Vaswani et al.
  2017, eq. 3). Glow-TTS uses it with base lr 1.0, ``d_model`` 192 and 4000 warm-up steps,
  which peaks at lr ≈ 1.14e-3 on update 4000.
* :func:`exponential_scale` — ``gamma ** count``; HiFi-GAN and VITS decay by 0.999 (VITS:
  0.999875) once per *epoch*, not per step.
* :func:`linear_warmup_scale` — ramp from 0 to 1 over the warm-up, then constant.

The trainer needs to know *when* to step each scheduler, so the task hands it a
:class:`Schedule`: a PyTorch LR scheduler plus ``interval='step'`` (after every training
step) or ``interval='epoch'`` (after every pass over the training data). The factories
:func:`noam_schedule`, :func:`exponential_schedule` and :func:`warmup_schedule` build them.

Indexing: ``LambdaLR`` calls its function with the number of times it has been stepped
(0 before the first update). Update number ``n`` (counting from 1, as the official
Glow-TTS code does) therefore sees index ``n - 1``; the callable classes below add the 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR, LRScheduler

Interval = Literal["step", "epoch"]
INTERVALS: tuple[Interval, ...] = ("step", "epoch")


# ---- pure functions ---------------------------------------------------------------------


def noam_scale(step: int, d_model: int, warmup_steps: int) -> float:
    """``d_model^-0.5 · min(step^-0.5, step · warmup^-1.5)`` for update ``step`` ≥ 1 (eq. 3, Vaswani et al. 2017)."""
    if step < 1:
        raise ValueError(f"noam_scale counts updates from 1, got step {step}")
    return d_model**-0.5 * min(step**-0.5, step * warmup_steps**-1.5)


def exponential_scale(count: int, gamma: float) -> float:
    """``gamma ** count``: the factor after ``count`` decays (steps or epochs)."""
    return gamma**count


def linear_warmup_scale(step: int, warmup_steps: int) -> float:
    """``min(1, step / warmup_steps)`` for update ``step`` ≥ 1: a linear ramp, then constant."""
    if warmup_steps <= 0:
        return 1.0
    return min(1.0, step / warmup_steps)


# ---- callables for LambdaLR (classes, not lambdas, so their settings are saved in checkpoints) --


@dataclass(frozen=True)
class Noam:
    d_model: int
    warmup_steps: int

    def __call__(self, index: int) -> float:
        return noam_scale(index + 1, self.d_model, self.warmup_steps)


@dataclass(frozen=True)
class ExponentialDecay:
    gamma: float

    def __call__(self, index: int) -> float:
        return exponential_scale(index, self.gamma)


@dataclass(frozen=True)
class LinearWarmup:
    warmup_steps: int

    def __call__(self, index: int) -> float:
        return linear_warmup_scale(index + 1, self.warmup_steps)


@dataclass(frozen=True)
class WarmupDecay:
    """A linear warm-up over ``warmup_steps``, times ``gamma`` per step from the start."""

    warmup_steps: int
    gamma: float

    def __call__(self, index: int) -> float:
        return linear_warmup_scale(index + 1, self.warmup_steps) * exponential_scale(index, self.gamma)


# ---- what the trainer steps ---------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """An LR scheduler and when the trainer steps it: after every ``'step'`` or every ``'epoch'``."""

    scheduler: LRScheduler
    interval: Interval = "step"

    def __post_init__(self):
        if self.interval not in INTERVALS:
            raise ValueError(f"Schedule interval must be one of {INTERVALS}, got {self.interval!r}")
        if not isinstance(self.scheduler, LRScheduler):
            raise ValueError(
                f"Schedule needs a torch LR scheduler, got {type(self.scheduler).__name__}"
            )


def noam_schedule(optimizer: Optimizer, d_model: int, warmup_steps: int) -> Schedule:
    """Noam schedule stepped every update; set the optimizer's lr to the base (1.0 in Glow-TTS)."""
    return Schedule(LambdaLR(optimizer, Noam(d_model, warmup_steps)), interval="step")


def exponential_schedule(optimizer: Optimizer, gamma: float, interval: Interval = "epoch") -> Schedule:
    """lr · gamma^count, decayed once per epoch (HiFi-GAN, VITS) or per step."""
    return Schedule(LambdaLR(optimizer, ExponentialDecay(gamma)), interval=interval)


def warmup_decay_schedule(optimizer: Optimizer, warmup_steps: int, gamma: float) -> Schedule:
    """Linear warm-up over ``warmup_steps`` updates and an exponential decay by ``gamma`` every update."""
    return Schedule(LambdaLR(optimizer, WarmupDecay(warmup_steps, gamma)), interval="step")


def warmup_schedule(optimizer: Optimizer, warmup_steps: int) -> Schedule:
    """Linear warm-up over ``warmup_steps`` updates, then the optimizer's lr unchanged."""
    return Schedule(LambdaLR(optimizer, LinearWarmup(warmup_steps)), interval="step")
