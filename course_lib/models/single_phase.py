"""The training task of every model that learns in one phase (Glow-TTS, Grad-TTS, Diff-TTS, the CVAE, the recognizer).

One network under ``modules["model"]``, one optimizer under ``optimizers["adam"]``, one :class:`Phase`
that minimises ``losses(batch).total`` and logs the fields named in ``LOGGED``; validation averages the
same fields over the validation loader; ``sample_audio`` voices one validation sentence through the
synthesis contract (``course_lib.models.contract``) and the vocoder the task was given. A model's own
task says only what differs::

    class GlowTTSTask(SinglePhaseTask):
        LOGGED = ("mle", "duration")

        def make_optimizer(self, model): ...      # Adam with the paper's betas
        def make_schedulers(self, optimizer): ... # the Noam schedule
        def losses(self, batch): ...              # the model's losses on one batch

Two-phase (adversarial) models use :class:`course_lib.models.waveform.gan.GANTask` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import torch

from course_lib.audio import SAMPLE_RATE, griffin_lim, vocode
from course_lib.models.contract import SynthesisOptions
from course_lib.training import mean_losses
from course_lib.training.task import Phase


class SinglePhaseTask:
    """``modules``, ``optimizers``, ``schedulers`` and ``phases`` for one model and one optimizer.

    ``sample_tokens [T_text]`` (None: no audio samples) is the sentence ``sample_audio`` voices at
    ``SAMPLE_OPTIONS``; ``vocoder`` turns a mel ``[80, T]`` into a wave (default: Griffin-Lim).
    """

    PHASE: ClassVar[str] = "tts"  # the history's keys are "<PHASE>/loss", "<PHASE>/<logged field>"
    LOGGED: ClassVar[tuple[str, ...]] = ()  # fields of losses(batch) logged in training and averaged in validation
    SAMPLE_OPTIONS: ClassVar[SynthesisOptions] = SynthesisOptions(seed=0)
    NEEDS_DURATIONS: ClassVar[str | None] = None  # why the model trains on true durations (the error for a corpus without)

    def __init__(self, model: torch.nn.Module, sample_tokens: torch.Tensor | None = None,
                 vocoder: Callable = griffin_lim) -> None:
        self.config = model.config
        self.model = model  # the bare network, for its methods other than forward
        self.modules = {"model": model}
        optimizer = self.make_optimizer(model)
        self.optimizers = {"adam": optimizer}
        self.schedulers = self.make_schedulers(optimizer)
        self.phases = [Phase(self.PHASE, "adam", self.loss_step)]
        self.sample_tokens = sample_tokens
        self.vocoder = vocoder

    def make_optimizer(self, model: torch.nn.Module) -> torch.optim.Optimizer:
        """Adam over every weight at ``config.learning_rate`` (override for other settings or groups)."""
        return torch.optim.Adam(model.parameters(), lr=self.config.learning_rate)

    def make_schedulers(self, optimizer: torch.optim.Optimizer) -> dict:
        """The learning-rate schedules (default: none, a constant rate)."""
        return {}

    def losses(self, batch) -> Any:
        """The model's losses on one batch: an object with ``.total`` and every field of ``LOGGED``.

        Call the network as ``self.modules["model"]`` (under torchrun it is the DDP wrapper)."""
        raise NotImplementedError(f"{type(self).__name__} must define losses(batch)")

    def loss_step(self, batch, cache: dict) -> tuple[torch.Tensor, dict]:
        losses = self.losses(batch)
        return losses.total, {name: getattr(losses, name) for name in self.LOGGED}

    @torch.no_grad()
    def validate(self, val_loader) -> dict[str, float]:
        """The mean of each ``LOGGED`` field over the validation batches."""
        return mean_losses(self.modules["model"], val_loader, self.losses, self.LOGGED)

    def sample_audio(self) -> dict:
        """One validation sentence through the synthesis contract and the task's vocoder, to listen while training."""
        if self.sample_tokens is None:
            return {}
        model = self.modules["model"]  # the trainer hands hooks the bare modules, never DDP wrappers
        result = model.generate(self.sample_tokens, self.SAMPLE_OPTIONS)
        wave = result.wave if result.wave is not None else vocode(result.mel, self.vocoder)
        return {"sample": (wave.numpy(), SAMPLE_RATE)}

    def config_dict(self) -> dict:
        return self.config.to_dict()
