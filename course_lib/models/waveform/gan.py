"""One GAN task for every model trained against waveform discriminators: HiFi-GAN (and its iSTFT
generator), VITS and the course vocoder's adversarial fine-tune. It trains whatever discriminators it is
given and knows no model.

Each training step runs two phases (``course_lib.training.task``), each with its own AdamW:

1. ``"discriminator"``: :meth:`GANTask.generate` runs the generator (kept in ``cache`` for
   phase 2); every discriminator scores the real wave and the *detached* fake one; the LSGAN
   losses of all of them are summed (:func:`~course_lib.models.waveform.losses.discriminator_losses`)
   and the discriminators step.
2. ``"generator"``: the just-updated discriminators score the same fake (its graph still
   alive); the generator minimises adversarial + ``feature_loss_weight`` · feature matching
   (:func:`~course_lib.models.waveform.losses.generator_losses`) + the model's own
   :meth:`GANTask.reconstruction` losses (HiFi-GAN: 45 · mel L1; VITS: 45 · mel L1 + KL + duration).

With ``recipe.discriminator_start = N > 0`` the first N steps skip phase 1 and the
generator learns from its reconstruction losses alone (a warm-up; the papers use N = 0).

A model's task subclasses :class:`GANTask` and writes only what differs: ``generate`` (what
the generator makes from a batch, and the real audio to compare with) and
``reconstruction`` (its non-adversarial losses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from course_lib.models.waveform.discriminators import judge
from course_lib.models.waveform.losses import discriminator_losses, generator_losses
from course_lib.training.schedules import exponential_schedule
from course_lib.training.task import Phase


@dataclass(frozen=True)
class GANRecipe:
    """Optimizer, schedule and loss weights shared by HiFi-GAN and VITS (both: AdamW, betas 0.8/0.99,
    learning rates decayed once per epoch, feature matching ×2)."""

    learning_rate: float = 2e-4
    adam_betas: tuple[float, float] = (0.8, 0.99)
    adam_eps: float = 1e-8
    weight_decay: float = 0.01  # AdamW's default, which both official repositories keep
    lr_decay: float = 0.999
    feature_loss_weight: float = 2.0
    discriminator_start: int = 0


@dataclass
class Generated:
    """What the generator made from one batch: ``fake [B, 1, N]`` and the ``real [B, 1, N]`` it is judged
    against; ``extras`` holds whatever else the model's reconstruction losses need (e.g. VITS's KL inputs)."""

    fake: torch.Tensor
    real: torch.Tensor
    extras: Any = None
    logs: dict = field(default_factory=dict)


class GANTask:
    """Modules, optimizers, schedules and the two phases of GAN training (see the module docstring).

    ``discriminators``: ``{name: module}``; each returns a list of
    :class:`~course_lib.models.waveform.discriminators.DiscriminatorResult`. Their names are the
    task's module names and the keys of their logged losses (``discriminator/<name>``).
    """

    def __init__(self, generator: nn.Module, discriminators: Mapping[str, nn.Module], recipe: GANRecipe) -> None:
        if not discriminators:
            raise ValueError("a GAN task needs at least one discriminator")
        self.recipe = recipe
        self.discriminator_names = tuple(discriminators)
        self.modules = {"generator": generator, **discriminators}
        kwargs = dict(lr=recipe.learning_rate, betas=tuple(recipe.adam_betas), eps=recipe.adam_eps,
                      weight_decay=recipe.weight_decay)
        discriminator_params = [p for module in discriminators.values() for p in module.parameters()]
        self.optimizers = {"generator": torch.optim.AdamW(generator.parameters(), **kwargs),
                           "discriminator": torch.optim.AdamW(discriminator_params, **kwargs)}
        self.schedulers = {name: exponential_schedule(optimizer, recipe.lr_decay, interval="epoch")
                           for name, optimizer in self.optimizers.items()}
        self.phases = [
            Phase("discriminator", "discriminator", self.discriminator_step, start_step=recipe.discriminator_start),
            Phase("generator", "generator", self.generator_step),
        ]

    # ------------------------------------------------------------------ what a model writes
    def generate(self, batch) -> Generated:
        """Run ``self.modules["generator"]`` on a batch (through ``self.modules``, so DDP sees it)."""
        raise NotImplementedError

    def reconstruction(self, batch, generated: Generated) -> tuple[torch.Tensor, dict]:
        """The generator's non-adversarial loss (already weighted) and its logged parts."""
        raise NotImplementedError

    # ------------------------------------------------------------------ the two phases
    def discriminator_step(self, batch, cache: dict) -> tuple[torch.Tensor, dict]:
        generated = self.generate(batch)
        cache["generated"] = generated                         # reused, graph alive, by the generator step
        fake = generated.fake.detach()                         # the discriminators' gradient stops here
        real_results, fake_results = {}, {}
        for name in self.discriminator_names:
            paired = judge(self.modules[name], generated.real, fake)
            real_results[name], fake_results[name] = paired.real, paired.fake
        losses = discriminator_losses(real_results, fake_results)
        return losses.total, losses.each

    def generator_step(self, batch, cache: dict) -> tuple[torch.Tensor, dict]:
        generated = cache.get("generated")
        if generated is None:                                  # warm-up: no discriminator yet
            generated = self.generate(batch)
            loss, logs = self.reconstruction(batch, generated)
            return loss, {**generated.logs, **logs}
        real_results, fake_results = {}, {}
        for name in self.discriminator_names:
            discriminator = self.modules[name]
            # real audio only supplies feature-matching targets: scored without a graph
            with torch.no_grad():
                real_results[name] = discriminator(generated.real)
            fake_results[name] = discriminator(generated.fake)
        adversarial = generator_losses(real_results, fake_results, self.recipe.feature_loss_weight)
        loss, logs = self.reconstruction(batch, generated)
        return adversarial.total + loss, {"adversarial": adversarial.adversarial,
                                          "feature_matching": adversarial.feature_matching, **generated.logs, **logs}
