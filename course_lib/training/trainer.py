"""The trainer: runs a task's phases step after step, and can stop and resume exactly.

One training step, for each phase of the task in order (see ``task.py``)::

    zero_grad → forward + losses (autocast on CUDA) → check finite → scaled backward
              → unscale → clip → optimizer step
    … then: grad-scaler update, per-step LR schedules, history, validation, checkpoint.

Exact resume: the checkpoint holds everything a step depends on — weights, optimizer
and scheduler states, the grad scaler, every RNG state, and where in the data we are
(epoch and batch index, handed back to the batch sampler through ``set_epoch`` and
``set_start``). On the CPU, training N steps straight and training k steps, stopping and
resuming to N give bit-identical losses (tests/test_training_resume.py checks it).
Data randomness must come from torch's global RNG in the main process
(``num_workers=0``) or from a generator seeded by (seed, epoch, index).
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
import warnings
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from tqdm.auto import tqdm

from course_lib.training.checkpoint import (check_config_match, field_defaults, load_checkpoint, load_state_dicts,
                                           save_checkpoint)
from course_lib.training.clipping import clip_gradients
from course_lib.training.config import TrainConfig, TrainState
from course_lib.training.device import amp_dtype, autocast_context, pick_device
from course_lib.training.distributed import (
    DistributedContext,
    any_rank,
    distributed_device,
    init_process_group,
    shard_batches,
    wrap_module,
)
from course_lib.training.interrupt import StopRequests
from course_lib.training.rng import capture_rng_state, isolated_rng, restore_rng_state, seed_everything
from course_lib.training.task import check_task, move_to_device

CHECKPOINT_NAME = "checkpoint.pt"


class NonFiniteLossError(RuntimeError):
    """A loss (or a logged value) became NaN or infinite; training stopped."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped training after a step; the message says where the checkpoint is."""


class Trainer:
    """Trains a task (see ``task.py``) on CPU, one GPU, or several GPUs under torchrun.

    ``Trainer(task, config, device=None).fit(train_loader, val_loader=None, resume=False)``
    returns the history (a list of dicts, see ``history.py``). ``device=None`` picks one
    (:func:`pick_device`; under torchrun ``cuda:LOCAL_RANK``); the task's modules are moved
    there. ``trainer.samples`` holds the latest ``task.sample_audio()`` result.
    """

    def __init__(self, task: Any, config: TrainConfig, device: str | torch.device | None = None):
        check_task(task)
        self.task = task
        self.config = config
        self.distributed = DistributedContext.from_env()
        if device is not None:
            self.device = pick_device(device)
        elif self.distributed.enabled:
            self.device = distributed_device(self.distributed)
        else:
            self.device = pick_device()
        self.modules: dict[str, nn.Module] = dict(task.modules)  # bare; DDP wrappers live in task.modules
        for module in self.modules.values():
            module.to(self.device)  # in place: the optimizers keep pointing at the same parameters
        self.amp_dtype = amp_dtype(self.device) if config.mixed_precision else None
        # loss scaling is needed for float16 only; a disabled scaler passes everything through
        self.scaler = torch.amp.GradScaler(
            "cuda" if self.device.type == "cuda" else "cpu", enabled=self.amp_dtype == torch.float16
        )
        self.state = TrainState()
        self.samples: dict = {}
        self.last_checkpoint: tuple[Path, int] | None = None  # (path, step) of the newest checkpoint
        self._started = False  # on_train_start has run or a checkpoint was loaded
        self._wrapped = False

    # ---- public --------------------------------------------------------------------------

    @property
    def history(self) -> list[dict]:
        return self.state.history

    @property
    def checkpoint_path(self) -> Path | None:
        return Path(self.config.out_dir) / CHECKPOINT_NAME if self.config.out_dir else None

    def fit(self, train_loader: Iterable, val_loader: Iterable | None = None, resume: bool | str | Path = False) -> list[dict]:
        """Train until ``config.steps``; returns the history.

        ``resume=True`` continues from ``out_dir/checkpoint.pt`` (starting fresh, with a
        warning, if there is none); a path resumes from that file. Calling ``fit`` again on
        the same trainer continues from where it stopped.
        """
        created_group = init_process_group(self.distributed, self.device)
        try:
            epoch_sampler = _epoch_sampler(train_loader)
            if self.distributed.enabled:
                shard_batches(train_loader, self.distributed)
            saved_rng = self._begin(resume, epoch_sampler)
            self._loop(train_loader, val_loader, epoch_sampler, saved_rng)
        finally:
            self._unwrap()
            if created_group:
                dist.destroy_process_group()
        return self.history

    def save_checkpoint(self, path: str | Path | None = None) -> Path:
        """Write the full training state (atomically) to ``path`` or ``out_dir/checkpoint.pt``."""
        path = Path(path) if path is not None else self.checkpoint_path
        if path is None:
            raise ValueError("no checkpoint path: set TrainConfig(out_dir=...) or pass a path")
        state = self.state
        payload = {
            "step": state.step,
            "epoch": state.epoch,
            "batch_in_epoch": state.batch_in_epoch,
            "seconds": state.seconds,
            "history": state.history,
            "log_window": state.window.state_dict(),
            "modules": {name: module.state_dict() for name, module in self.modules.items()},
            "optimizers": {name: opt.state_dict() for name, opt in self.task.optimizers.items()},
            "schedulers": {name: s.scheduler.state_dict() for name, s in self.task.schedulers.items()},
            "grad_scaler": self.scaler.state_dict(),
            "rng": capture_rng_state(),
        }
        save_checkpoint(path, payload, self._run_config())
        self.last_checkpoint = (path, state.step)
        return path

    def load_checkpoint(self, path: str | Path) -> dict:
        """Load a checkpoint into the task and this trainer; returns its saved RNG states."""
        payload = load_checkpoint(path)
        check_config_match(
            self._task_config(),
            self._current_names(payload["config"].get("task", {})),
            what=f"checkpoint {path}",
            fix="Build the task with the config the checkpoint was trained with, or train into a new out_dir.",
            defaults=self._task_config_defaults(),
        )
        load_state_dicts(path, "modules", self.modules, payload["modules"])
        load_state_dicts(path, "optimizers", self.task.optimizers, payload["optimizers"])
        schedulers = {name: s.scheduler for name, s in self.task.schedulers.items()}
        load_state_dicts(path, "schedulers", schedulers, payload["schedulers"])
        if self.scaler.is_enabled() and payload["grad_scaler"]:
            self.scaler.load_state_dict(payload["grad_scaler"])
        self.state = TrainState(
            step=payload["step"],
            epoch=payload["epoch"],
            batch_in_epoch=payload["batch_in_epoch"],
            seconds=payload["seconds"],
            history=list(payload["history"]),
        )
        self.state.window.load_state_dict(payload["log_window"])
        self.last_checkpoint = (Path(path), self.state.step)
        self._started = True
        return payload["rng"]

    # ---- the loop -----------------------------------------------------------------------------

    def _begin(self, resume: bool | str | Path, epoch_sampler: Any) -> dict | None:
        """Load a checkpoint or seed a fresh run; returns RNG states still to be restored."""
        resumable = epoch_sampler is not None and hasattr(epoch_sampler, "set_start")
        path = Path(resume) if isinstance(resume, (str, Path)) else self.checkpoint_path
        if resume and path is None:
            raise ValueError("resume=True needs TrainConfig(out_dir=...) (where checkpoint.pt is) or a checkpoint path")
        if not resumable and (resume or self.checkpoint_path):
            warnings.warn(
                "the training loader's batch sampler has no set_epoch/set_start, so a resumed run "
                "will not see the same batches as an uninterrupted one (resume is approximate). "
                "Use course_lib.data's length-bucket sampler for exact resume.",
                stacklevel=3,
            )
        if resume and path.is_file():
            saved_rng = self.load_checkpoint(path)
            if self.state.step > self.config.steps:
                step = self.state.step
                raise ValueError(f"{path} is at step {step}, past the {self.config.steps} steps asked for: ask for "
                                 f"{step} or more (--steps {step} finishes the run as it is and writes its model)")
            if not resumable:
                self.state.batch_in_epoch = 0  # cannot skip into the epoch: start it again
            if self.config.progress and self.distributed.is_main:
                state = self.state
                print(f"resuming from {path}: step {state.step}, epoch {state.epoch}, batch {state.batch_in_epoch}")
            return saved_rng
        if resume:
            warnings.warn(f"no checkpoint at {path}; starting from step 0", stacklevel=3)
        elif self.state.step == 0 and self.checkpoint_path and self.checkpoint_path.is_file():
            warnings.warn(
                f"{self.checkpoint_path} exists and will be overwritten by this fresh run "
                "(pass resume=True to continue it instead)",
                stacklevel=3,
            )
        if self.state.step == 0:
            seed_everything(self.config.seed + self.distributed.rank)
        return None

    def _loop(self, train_loader: Iterable, val_loader: Iterable | None, epoch_sampler: Any, saved_rng: dict | None) -> None:
        config, state = self.config, self.state
        for module in self.modules.values():
            module.train()
        bar = tqdm(
            total=config.steps,
            initial=min(state.step, config.steps),
            desc="training",
            unit="step",
            mininterval=1.0,  # few refreshes: notebooks are not flooded with progress output
            dynamic_ncols=True,
            disable=not (config.progress and self.distributed.is_main),
        )
        try:
            with StopRequests() as stop:
                while state.step < config.steps:
                    epoch_done = self._run_epoch(train_loader, val_loader, epoch_sampler, saved_rng, bar, stop)
                    saved_rng = None
                    if epoch_done:
                        self._step_schedules("epoch")
                        state.epoch += 1
                        state.batch_in_epoch = 0
        finally:
            bar.close()

    def _run_epoch(self, train_loader, val_loader, epoch_sampler, saved_rng, bar, stop) -> bool:
        """Train on the rest of the current epoch; True if it ran to the end, False at ``config.steps``."""
        state = self.state
        # 1. position the sampler where the run stands: epoch e, from batch b on
        if epoch_sampler is not None:
            epoch_sampler.set_epoch(state.epoch)
            if hasattr(epoch_sampler, "set_start"):
                epoch_sampler.set_start(state.batch_in_epoch)
        batches = iter(train_loader)
        if saved_rng is not None:
            # restored after iter(): creating a DataLoader iterator draws a seed from torch's RNG
            self._restore_rng(saved_rng)
        # 2. one training step per batch
        started_at, clock = state.batch_in_epoch, time.perf_counter()
        for batch in batches:
            batch = move_to_device(batch, self.device)
            self._prepare(batch)
            logs = self._train_step(batch)
            state.step += 1
            state.batch_in_epoch += 1
            self._step_schedules("step")
            state.seconds += time.perf_counter() - clock
            clock = time.perf_counter()
            self._record(logs, bar)
            self._after_step(val_loader)
            if any_rank(stop.requested, self.distributed, self.device):
                self._stop_on_request()
            if state.step >= self.config.steps:
                return False
        if state.batch_in_epoch == 0 and started_at == 0:
            raise ValueError(
                "the training loader yielded no batches: is the dataset empty, or "
                "batch_size larger than the dataset with drop_last=True?"
            )
        return True

    def _prepare(self, first_batch: Any) -> None:
        """Before the first step: the task's data-dependent init, then the DDP wrappers."""
        if not self._started:
            hook = getattr(self.task, "on_train_start", None)
            if hook is not None:
                hook(first_batch)
            self._started = True
        if self.distributed.enabled and not self._wrapped:
            # wrapped after on_train_start, so DDP broadcasts rank 0's data-dependent init
            for name, module in self.modules.items():
                self.task.modules[name] = wrap_module(module, self.device, self.config.find_unused_parameters)
            self._wrapped = True

    def _train_step(self, batch: Any) -> dict[str, float]:
        """Run every phase once on ``batch``; returns the logged values as floats."""
        config = self.config
        cache: dict = {}
        logs: dict[str, float] = {}
        for phase in self.task.phases:
            if not phase.active(self.state.step):
                continue
            optimizer = self.task.optimizers[phase.optimizer]
            logs[f"lr/{phase.optimizer}"] = optimizer.param_groups[0]["lr"]
            optimizer.zero_grad(set_to_none=True)

            # 1. forward and losses (reduced precision on CUDA)
            with autocast_context(self.device, self.amp_dtype is not None, self.amp_dtype):
                loss, phase_logs = phase.loss_fn(batch, cache)
            values = self._checked_values(phase.name, loss, phase_logs)

            # 2. backward, through the loss scaled up so float16 gradients do not underflow
            self.scaler.scale(loss).backward()

            # 3. update: true-size gradients, clipped, then the step (skipped by the scaler on inf/NaN grads)
            self.scaler.unscale_(optimizer)
            values["grad_norm"] = clip_gradients(optimizer, config.grad_clip_norm, config.grad_clip_value)
            self.scaler.step(optimizer)

            logs.update({f"{phase.name}/{key}": value for key, value in values.items()})
        self.scaler.update()
        return logs

    def _checked_values(self, phase: str, loss: Tensor, phase_logs: dict) -> dict[str, float]:
        """The phase's loss and logs as floats (one device sync); raise if any is NaN/inf."""
        if not isinstance(loss, Tensor) or loss.ndim != 0:
            shape = list(loss.shape) if isinstance(loss, Tensor) else type(loss).__name__
            raise ValueError(f"phase {phase!r}: loss_fn must return a scalar tensor loss, got {shape}; reduce it (e.g. .mean())")
        if not loss.requires_grad:
            raise ValueError(f"phase {phase!r}: the loss does not depend on any trained weight (requires_grad is False)")
        names = ["loss", *phase_logs]
        tensors = [loss, *(torch.as_tensor(value, device=loss.device) for value in phase_logs.values())]
        floats = torch.stack([t.detach().float().reshape(()) for t in tensors]).tolist()
        bad = next((name for name, value in zip(names, floats) if not math.isfinite(value)), None)
        if any_rank(bad is not None, self.distributed, self.device):
            step = self.state.step + 1
            what = f"{phase}/{bad} is {floats[names.index(bad)]}" if bad else "a loss on another process is not finite"
            if self.last_checkpoint is not None:
                kept = f"the last checkpoint, {self.last_checkpoint[0]} (step {self.last_checkpoint[1]}), is intact"
            else:
                kept = "no checkpoint was written yet"
            raise NonFiniteLossError(
                f"{what} at step {step}; training stopped and {kept}. Usual fixes: lower the "
                "learning rate (or lengthen the warm-up), clip gradients (TrainConfig(grad_clip_norm=1.0)), "
                "disable mixed precision (TrainConfig(mixed_precision=False)), and check the data "
                "for silent or NaN clips (a log of 0, an empty utterance)."
            )
        return dict(zip(names, floats))

    def _step_schedules(self, interval: str) -> None:
        for schedule in self.task.schedulers.values():
            if schedule.interval == interval:
                with warnings.catch_warnings():
                    # PyTorch warns when no optimizer.step() ran in this process yet: true, and
                    # harmless, after resuming at an epoch end or when the fp16 scaler skipped a step
                    warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler\.step\(\)`")
                    schedule.scheduler.step()

    def _record(self, logs: dict[str, float], bar: tqdm) -> None:
        state = self.state
        state.window.add(logs)
        bar.update(1)
        if state.step % self.config.log_every != 0:
            return
        means = state.window.means()
        state.history.append({"step": state.step, "epoch": state.epoch, "seconds": round(state.seconds, 3), **means})
        state.window.clear()
        bar.set_postfix({key: f"{value:.4g}" for key, value in means.items() if key.endswith("/loss")}, refresh=False)

    def _after_step(self, val_loader: Iterable | None) -> None:
        config, step = self.config, self.state.step
        if config.val_every and step % config.val_every == 0 and self.distributed.is_main:
            self._validate(val_loader)
        periodic = config.checkpoint_every is not None and step % config.checkpoint_every == 0
        if self.checkpoint_path and self.distributed.is_main and (periodic or step == config.steps):
            self.save_checkpoint()

    def _validate(self, val_loader: Iterable | None) -> None:
        """Validation metrics and audio samples, in eval mode, without gradients, with fixed seeds."""
        validate = getattr(self.task, "validate", None)
        sample_audio = getattr(self.task, "sample_audio", None)
        if (validate is None or val_loader is None) and sample_audio is None:
            return
        was_training = {name: module.training for name, module in self.modules.items()}
        wrappers = dict(self.task.modules)
        self.task.modules.update(self.modules)  # bare modules: DDP forward would wait for other ranks
        try:
            for module in self.modules.values():
                module.eval()
            with torch.no_grad(), isolated_rng(self.config.seed):
                if validate is not None and val_loader is not None:
                    metrics = validate(val_loader)
                    self.state.history.append({"step": self.state.step, **{f"val/{k}": float(v) for k, v in metrics.items()}})
                if sample_audio is not None:
                    self.samples = sample_audio()
                    self._save_samples(self.samples)
        finally:
            self.task.modules.update(wrappers)
            for name, module in self.modules.items():
                module.train(was_training[name])

    def _save_samples(self, samples: dict) -> None:
        if not self.config.out_dir:
            return
        from course_lib.audio import save_audio

        folder = Path(self.config.out_dir) / "samples"
        folder.mkdir(parents=True, exist_ok=True)
        for name, (wave, sample_rate) in samples.items():
            wave = torch.as_tensor(wave).detach().float().cpu().reshape(-1)
            if not torch.isfinite(wave).all():  # a bad sample is worth a warning, not a stopped run
                warnings.warn(f"audio sample {name!r} at step {self.state.step} holds NaN/inf; not saved")
                continue
            safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
            path = folder / f"step{self.state.step:07d}_{safe_name}.wav"
            save_audio(path, wave.clamp(-1, 1).numpy(), int(sample_rate))

    def _stop_on_request(self) -> None:
        step = self.state.step
        if self.checkpoint_path is None:
            raise TrainingInterrupted(
                f"training stopped by Ctrl-C at step {step}. No out_dir is set, so nothing was saved; "
                "the model in memory is at this step: call trainer.fit(...) again to continue."
            )
        if self.distributed.is_main and self.last_checkpoint != (self.checkpoint_path, step):
            self.save_checkpoint()
        raise TrainingInterrupted(
            f"training stopped by Ctrl-C at step {step}; checkpoint saved to {self.checkpoint_path}. "
            "To continue: Trainer(task, config).fit(train_loader, resume=True), "
            "or add --resume to the `python -m course_lib train` command."
        )

    # ---- helpers ------------------------------------------------------------------------------

    def _restore_rng(self, saved_rng: dict) -> None:
        restore_rng_state(saved_rng)
        if self.distributed.rank > 0:
            # only rank 0's generators were saved; give the others their own stream again
            seed_everything(self.config.seed + 1_000_003 * self.distributed.rank + self.state.step)

    def _unwrap(self) -> None:
        self.task.modules.update(self.modules)
        self._wrapped = False

    def _task_config(self) -> dict:
        config_dict = getattr(self.task, "config_dict", None)
        return config_dict() if config_dict is not None else {}

    def _task_config_defaults(self) -> dict:
        """Field defaults of the task's config dataclass (``task.config``), so a field added since a run was
        saved does not block its resume while it keeps its default."""
        config = getattr(self.task, "config", None)
        return field_defaults(config) if dataclasses.is_dataclass(config) else {}

    def _current_names(self, saved: dict) -> dict:
        """A saved task config with fields renamed since under their new names (the config's ``current_names``,
        :class:`course_lib.models.config_io.ConfigIO`), so a run saved before a rename still resumes."""
        current_names = getattr(getattr(self.task, "config", None), "current_names", None)
        return current_names(saved) if current_names is not None else saved

    def _run_config(self) -> dict:
        return {"task": self._task_config(), "train": asdict(self.config)}


def _epoch_sampler(loader: Iterable) -> Any:
    """The loader's (batch) sampler with ``set_epoch`` (and ideally ``set_start``), or None."""
    candidates = [getattr(loader, "batch_sampler", None), getattr(loader, "sampler", None)]
    with_start = [c for c in candidates if hasattr(c, "set_epoch") and hasattr(c, "set_start")]
    with_epoch = [c for c in candidates if hasattr(c, "set_epoch")]
    return (with_start or with_epoch or [None])[0]
