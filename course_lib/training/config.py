"""A run's settings (:class:`TrainConfig`) and where it stands (:class:`TrainState`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from course_lib.training.history import LogWindow


@dataclass(frozen=True)
class TrainConfig:
    """How to train (what to train is the task's business).

    * ``steps`` — stop after this many training steps (one step runs every phase once).
    * ``grad_clip_norm`` / ``grad_clip_value`` — clip gradients before each optimizer
      step, by total L2 norm (Grad-TTS: 1) or element-wise by value (Glow-TTS: 5); both may
      be set (value first). Norms are taken per parameter group of the phase's optimizer,
      so an optimizer with an ``encoder`` and a ``decoder`` group clips each to the norm,
      as the official Grad-TTS does; with one group it is the usual global norm.
    * ``log_every`` — steps averaged into one history row.
    * ``val_every`` — run ``task.validate`` and ``task.sample_audio`` (None: never).
    * ``checkpoint_every`` — write ``out_dir/checkpoint.pt`` (None: only at the end and on Ctrl-C).
    * ``mixed_precision`` — autocast on CUDA (bfloat16, or float16 with loss scaling on GPUs
      without bfloat16); ignored on CPU/MPS.
    * ``seed`` — seeds every RNG at the start of a fresh run (rank r of a torchrun job uses ``seed + r``);
      validation and samples always run with this seed, in isolation from training's RNGs.
    * ``out_dir`` — where checkpoints and audio samples go (None: nothing is written).
    * ``progress`` — show a tqdm progress bar (refreshed at most once a second).
    * ``find_unused_parameters`` — passed to DistributedDataParallel under torchrun.
    """

    steps: int
    grad_clip_norm: float | None = None
    grad_clip_value: float | None = None
    log_every: int = 10
    val_every: int | None = None
    checkpoint_every: int | None = 1000
    mixed_precision: bool = True
    seed: int = 1234
    out_dir: str | None = None
    progress: bool = True
    find_unused_parameters: bool = False

    def __post_init__(self):
        for name in ("steps", "log_every", "val_every", "checkpoint_every"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f"TrainConfig.{name} must be a positive int (or None where allowed), got {value!r}")
        for name in ("grad_clip_norm", "grad_clip_value"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"TrainConfig.{name} must be > 0 or None (no clipping), got {value!r}")
        if self.out_dir is not None and not isinstance(self.out_dir, str):
            object.__setattr__(self, "out_dir", str(self.out_dir))


@dataclass
class TrainState:
    """Every counter of a run, in one place (saved in checkpoints)."""

    step: int = 0  # training steps completed
    epoch: int = 0  # passes over the training data completed
    batch_in_epoch: int = 0  # batches of the current epoch consumed
    seconds: float = 0.0  # wall-clock training time, across resumes
    history: list[dict] = field(default_factory=list)
    window: LogWindow = field(default_factory=LogWindow)
