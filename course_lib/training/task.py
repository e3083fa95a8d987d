"""What a model hands the trainer: a *task* — networks, optimizers, schedules, phases.

A task is any object with these attributes (a plain class; no base class needed — the course's
models share two, :class:`course_lib.models.single_phase.SinglePhaseTask` and
:class:`course_lib.models.waveform.gan.GANTask`)::

    modules:    dict[str, nn.Module]   every network whose weights are trained or saved
    optimizers: dict[str, Optimizer]   one per group of weights updated together
    schedulers: dict[str, Schedule]    LR schedules (may be empty), see ``schedules.py``
    phases:     list[Phase]            what one training step does, in order

and, optionally, these hooks::

    validate(val_loader) -> dict[str, float]             every ``val_every`` steps
    sample_audio() -> dict[str, (wave, sample_rate)]     every ``val_every`` steps
    config_dict() -> dict                                saved as JSON beside checkpoints
    on_train_start(first_batch)                          once, before step 1 of a fresh run

A **phase** is one optimizer update: ``loss, logs = loss_fn(batch, cache)``, then backward,
clipping and ``optimizers[phase.optimizer].step()``. Most models have one phase. A GAN
has two, each with its own optimizer, run in this order every step:

1. ``"discriminator"``: run the generator, keep its output in ``cache["fake"]``, and score
   ``cache["fake"].detach()`` — the detach stops the discriminator's loss at the fake, so
   its backward pass neither trains nor even reaches the generator.
2. ``"generator"``: reuse ``cache["fake"]`` (not detached, its graph is still alive) and
   score it with the discriminator just updated in phase 1; the backward pass reaches the
   generator's weights. It also leaves gradients on the discriminator's weights — harmless,
   since only the generator's optimizer steps here and phase 1 zeroes them next step.

``cache`` is a fresh dict each step, shared by that step's phases.

Call networks through ``self.modules[name]`` inside ``loss_fn``: under torchrun the trainer
swaps in ``DistributedDataParallel`` wrappers there, and a call to the bare module would
skip the gradient averaging across GPUs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, Protocol

import torch
from torch import Tensor, nn
from torch.optim import Optimizer

from course_lib.training.schedules import Schedule

LossFn = Callable[[Any, dict], tuple[Tensor, dict]]


@dataclass(frozen=True)
class Phase:
    """One optimizer update per training step: ``loss_fn(batch, cache) -> (loss, logs)``.

    ``logs`` maps names to floats or 0-d tensors (detached by the trainer); they are
    averaged into the history as ``"<name>/<key>"`` beside ``"<name>/loss"``.

    ``start_step`` (default 0) delays a phase: it is skipped while fewer than that many
    steps are done — e.g. a GAN whose generator warms up on a reconstruction loss alone
    before its discriminator joins (the later phases then find no ``cache["fake"]``).
    """

    name: str
    optimizer: str
    loss_fn: LossFn
    start_step: int = 0

    def active(self, completed_steps: int) -> bool:
        """Whether this phase runs in the step after ``completed_steps`` steps."""
        return completed_steps >= self.start_step


class TrainTask(Protocol):
    """The attributes the trainer reads (see the module docstring for the optional hooks)."""

    modules: dict[str, nn.Module]
    optimizers: dict[str, Optimizer]
    schedulers: dict[str, Schedule]
    phases: list[Phase]


def check_task(task: Any) -> None:
    """Fail early, naming the fix, if ``task`` lacks what the trainer needs."""
    for name in ("modules", "optimizers", "schedulers", "phases"):
        if not hasattr(task, name):
            raise ValueError(
                f"the task {type(task).__name__} has no attribute {name!r}; a task needs "
                "modules, optimizers, schedulers (may be {}) and phases (see course_lib.training.task)"
            )
    if not task.phases:
        raise ValueError("the task has no phases: give it at least one Phase(name, optimizer, loss_fn)")
    names = [phase.name for phase in task.phases]
    if len(set(names)) != len(names):
        raise ValueError(f"phase names must be distinct, got {names}")
    used = [phase.optimizer for phase in task.phases]
    if len(set(used)) != len(used):
        # the grad scaler unscales each optimizer's gradients once per step
        raise ValueError(
            f"phases {names} share an optimizer ({used}); give each phase its own optimizer, "
            "or add the losses up in one phase"
        )
    for phase in task.phases:
        if phase.optimizer not in task.optimizers:
            raise ValueError(
                f"phase {phase.name!r} uses optimizer {phase.optimizer!r}, but the task's "
                f"optimizers are {sorted(task.optimizers)}"
            )
    for name, schedule in task.schedulers.items():
        if not isinstance(schedule, Schedule):
            raise ValueError(
                f"scheduler {name!r} is a {type(schedule).__name__}; wrap it as "
                "Schedule(scheduler, interval='step') or interval='epoch' so the trainer "
                "knows when to step it"
            )


def move_to_device(batch: Any, device: torch.device) -> Any:
    """``batch`` with every tensor on ``device``: tensors, objects with ``.to``, dataclasses,
    dicts, lists and tuples (recursively); anything else unchanged."""
    if isinstance(batch, Tensor):
        return batch.to(device, non_blocking=True)
    if hasattr(batch, "to") and callable(batch.to) and not isinstance(batch, nn.Module):
        return batch.to(device)
    if is_dataclass(batch) and not isinstance(batch, type):
        return replace(batch, **{f.name: move_to_device(getattr(batch, f.name), device) for f in fields(batch) if f.init})
    if isinstance(batch, Mapping):
        return type(batch)({key: move_to_device(value, device) for key, value in batch.items()})
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):  # namedtuple
        return type(batch)(*(move_to_device(value, device) for value in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(move_to_device(value, device) for value in batch)
    return batch
