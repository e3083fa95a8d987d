"""Training for every model in the course: one small trainer, checkpoints, schedules.

A model supplies a *task* (its networks, optimizers, LR schedules and a list of
:class:`Phase` — one optimizer update each; a GAN has a discriminator phase then a
generator phase); :class:`Trainer` runs it on CPU, one GPU (mixed precision) or several
GPUs under torchrun, and can stop and resume exactly. See ``task.py`` for the task's
shape and ``trainer.py`` for one step's recipe.

Example: a GAN-style task with two phases::

    class ToyGanTask:
        def __init__(self, generator, discriminator):
            self.modules = {"generator": generator, "discriminator": discriminator}
            self.optimizers = {"generator": torch.optim.AdamW(generator.parameters(), 2e-4),
                               "discriminator": torch.optim.AdamW(discriminator.parameters(), 2e-4)}
            self.schedulers = {name: exponential_schedule(opt, gamma=0.999, interval="epoch")
                               for name, opt in self.optimizers.items()}
            self.phases = [Phase("discriminator", "discriminator", self.discriminator_step),
                           Phase("generator", "generator", self.generator_step)]

        def discriminator_step(self, batch, cache):
            cache["fake"] = self.modules["generator"](batch.noise)           # kept for phase 2
            real = self.modules["discriminator"](batch.real)
            fake = self.modules["discriminator"](cache["fake"].detach())     # D's loss stops here
            loss = (real - 1).pow(2).mean() + fake.pow(2).mean()
            return loss, {}

        def generator_step(self, batch, cache):
            fake = self.modules["discriminator"](cache["fake"])              # graph reaches G
            return (fake - 1).pow(2).mean(), {"fake_mean": cache["fake"].mean()}

    trainer = Trainer(ToyGanTask(g, d), TrainConfig(steps=1000, out_dir="runs/toy"))
    history = trainer.fit(train_loader)            # later: Trainer(...).fit(train_loader, resume=True)
    plot_history(history)                          # "discriminator/loss", "generator/loss", …

Public API
----------
Devices (``device.py``)
    ``pick_device(prefer=None)``, ``amp_dtype(device)``, ``autocast_context(device, enabled, dtype=None)``
Training (``trainer.py``, ``config.py``, ``task.py``, ``clipping.py``)
    ``Trainer(task, config, device=None)``, ``.fit(train_loader, val_loader=None, resume=False) -> history``,
    ``.save_checkpoint(path=None)``, ``.load_checkpoint(path)``, ``.history``, ``.samples``, ``.state``;
    ``TrainConfig``, ``TrainState``, ``Phase(name, optimizer, loss_fn)``, ``TrainTask`` (protocol),
    ``clip_gradients``, ``move_to_device``,
    ``train_config(config, out_dir, steps, …)`` (every model's run rhythm, ``run.py``), ``seed_and_build``,
    ``mean_losses``,
    ``NonFiniteLossError``, ``TrainingInterrupted``
LR schedules (``schedules.py``)
    ``Schedule(scheduler, interval='step'|'epoch')``, ``noam_schedule``, ``exponential_schedule``,
    ``warmup_schedule``; pure functions ``noam_scale``, ``exponential_scale``, ``linear_warmup_scale``;
    ``LambdaLR`` callables ``Noam``, ``ExponentialDecay``, ``LinearWarmup``
Checkpoints (``checkpoint.py``)
    ``save_model(path, model, config)``, ``load_model(path, build_fn, device='cpu') -> (model, config)``,
    ``check_config_match(expected, found, what, fix=None)``, ``save_checkpoint``, ``load_checkpoint``,
    ``read_torch_file``, ``atomic_write``, ``atomic_torch_save``, ``atomic_write_json``,
    ``config_json_path``, ``CheckpointError``
Randomness (``rng.py``)
    ``seed_everything(seed)``, ``capture_rng_state()``, ``restore_rng_state(state)``, ``isolated_rng(seed)``
History (``history.py``)
    ``history_frame(history) -> dict of lists``, ``plot_history(history, keys=None, ax=None, log_y=False)``
Several GPUs (``distributed.py``)
    ``DistributedContext`` (rank, local_rank, world_size from torchrun's environment)
"""

from course_lib.training.checkpoint import (
    CheckpointError,
    atomic_torch_save,
    atomic_write,
    atomic_write_json,
    check_config_match,
    config_json_path,
    load_checkpoint,
    load_model,
    read_torch_file,
    save_checkpoint,
    save_model,
)
from course_lib.training.device import amp_dtype, autocast_context, pick_device
from course_lib.training.distributed import DistributedContext
from course_lib.training.history import history_frame, plot_history
from course_lib.training.rng import capture_rng_state, isolated_rng, restore_rng_state, seed_everything
from course_lib.training.schedules import (
    ExponentialDecay,
    LinearWarmup,
    Noam,
    Schedule,
    exponential_scale,
    exponential_schedule,
    linear_warmup_scale,
    noam_scale,
    noam_schedule,
    warmup_schedule,
)
from course_lib.training.task import Phase, TrainTask, move_to_device
from course_lib.training.clipping import clip_gradients
from course_lib.training.config import TrainConfig, TrainState
from course_lib.training.trainer import NonFiniteLossError, Trainer, TrainingInterrupted
from course_lib.training.run import mean_losses, seed_and_build, train_config

__all__ = [
    "CheckpointError",
    "DistributedContext",
    "ExponentialDecay",
    "LinearWarmup",
    "Noam",
    "NonFiniteLossError",
    "Phase",
    "Schedule",
    "TrainConfig",
    "TrainState",
    "TrainTask",
    "Trainer",
    "TrainingInterrupted",
    "amp_dtype",
    "atomic_torch_save",
    "atomic_write",
    "atomic_write_json",
    "autocast_context",
    "capture_rng_state",
    "check_config_match",
    "clip_gradients",
    "config_json_path",
    "exponential_scale",
    "exponential_schedule",
    "history_frame",
    "isolated_rng",
    "linear_warmup_scale",
    "load_checkpoint",
    "load_model",
    "mean_losses",
    "move_to_device",
    "noam_scale",
    "noam_schedule",
    "pick_device",
    "seed_and_build",
    "plot_history",
    "read_torch_file",
    "restore_rng_state",
    "save_checkpoint",
    "save_model",
    "seed_everything",
    "train_config",
    "warmup_schedule",
]
