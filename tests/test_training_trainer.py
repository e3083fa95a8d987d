"""The trainer on toy tasks: it learns, runs GAN phases, clips, stops on NaN, saves samples."""

import json
import math

import numpy as np
import pytest
import soundfile as sf
import torch
from torch import nn

from course_lib.training import (
    NonFiniteLossError,
    Phase,
    TrainConfig,
    Trainer,
    clip_gradients,
    history_frame,
    load_checkpoint,
    noam_schedule,
    plot_history,
)


def _batches(n_batches, batch_size=16, seed=0):
    """A list of (x, y) batches for y = 3x + 1 + noise (a list is a fine train loader)."""
    generator = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(n_batches):
        x = torch.randn(batch_size, 1, generator=generator)
        batches.append((x, 3 * x + 1 + 0.05 * torch.randn(batch_size, 1, generator=generator)))
    return batches


class RegressionTask:
    def __init__(self, lr=0.05, optimizer="adam"):
        torch.manual_seed(0)
        self.model = nn.Linear(1, 1)
        self.modules = {"model": self.model}
        make = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[optimizer]
        self.optimizers = {"model": make(self.model.parameters(), lr=lr)}
        self.schedulers = {}
        self.phases = [Phase("model", "model", self.loss_fn)]
        self.first_batch = None

    def loss_fn(self, batch, cache):
        x, y = batch
        # 1. forward
        prediction = self.modules["model"](x)
        # 2. losses
        return (prediction - y).pow(2).mean(), {"abs_error": (prediction - y).abs().mean()}

    def on_train_start(self, first_batch):
        self.first_batch = first_batch

    def validate(self, val_loader):
        return {"loss": float(np.mean([self.loss_fn(batch, {})[0].item() for batch in val_loader]))}

    def sample_audio(self):
        t = torch.arange(2205) / 22050
        return {"tone 1": (0.5 * torch.sin(2 * math.pi * 440 * t), 22050)}

    def config_dict(self):
        return {"in_features": 1}


@pytest.mark.filterwarnings("ignore:the training loader's batch sampler")
def test_loss_falls_on_a_tiny_regression(tmp_path):
    task = RegressionTask()
    config = TrainConfig(steps=150, log_every=10, val_every=75, out_dir=str(tmp_path), progress=False)
    history = Trainer(task, config, device="cpu").fit(_batches(50), val_loader=_batches(2, seed=1))

    train_rows = [row for row in history if "model/loss" in row]
    assert [row["step"] for row in train_rows] == list(range(10, 151, 10))
    assert train_rows[-1]["model/loss"] < 0.02 * train_rows[0]["model/loss"]
    assert torch.allclose(task.model.weight, torch.tensor([[3.0]]), atol=0.1)
    assert {"lr/model", "model/abs_error", "model/grad_norm", "epoch", "seconds"} <= train_rows[0].keys()
    assert train_rows[-1]["epoch"] == 2  # 150 steps over 50 batches: epochs 0, 1, 2
    # hooks: data-dependent init saw the first batch; validation rows; audio samples on disk
    assert torch.equal(task.first_batch[0], _batches(50)[0][0])
    val_rows = [row for row in history if "val/loss" in row]
    assert [row["step"] for row in val_rows] == [75, 150] and val_rows[1]["val/loss"] < 0.01
    wave, rate = sf.read(tmp_path / "samples" / "step0000150_tone_1.wav")
    assert rate == 22050 and len(wave) == 2205
    # the final checkpoint and its JSON config
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 150
    assert json.loads((tmp_path / "checkpoint.json").read_text())["task"] == {"in_features": 1}


def test_history_frame_and_plot():
    history = [{"step": 10, "model/loss": 2.0}, {"step": 10, "val/loss": 1.5}, {"step": 20, "model/loss": 1.0}]
    frame = history_frame(history)
    assert frame["step"] == [10, 10, 20] and frame["model/loss"][0] == 2.0 and math.isnan(frame["model/loss"][1])
    figure = plot_history(history)
    assert [line.get_label() for line in figure.axes[0].get_lines()] == ["model/loss", "val/loss"]
    with pytest.raises(ValueError, match="no history row holds 'nope'"):
        plot_history(history, keys=["nope"])


class ToyGanTask:
    """Generator: z -> a·z + b; the data is N(3, 0.5²). LSGAN (Mao et al. 2017), two phases."""

    def __init__(self):
        torch.manual_seed(0)
        self.generator = nn.Linear(1, 1)
        self.discriminator = nn.Sequential(nn.Linear(1, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
        self.modules = {"generator": self.generator, "discriminator": self.discriminator}
        self.optimizers = {
            "generator": torch.optim.Adam(self.generator.parameters(), lr=0.02, betas=(0.5, 0.9)),
            "discriminator": torch.optim.Adam(self.discriminator.parameters(), lr=0.02, betas=(0.5, 0.9)),
        }
        self.schedulers = {}
        self.phases = [
            Phase("discriminator", "discriminator", self.discriminator_step),
            Phase("generator", "generator", self.generator_step),
        ]
        # count, per phase, the backward passes that reach the generator's weight
        self.current_phase, self.generator_backwards = None, {"discriminator": 0, "generator": 0}
        self.generator.weight.register_hook(self._count_generator_backward)

    def _count_generator_backward(self, grad):
        self.generator_backwards[self.current_phase] += 1

    def discriminator_step(self, real, cache):
        self.current_phase = "discriminator"
        # 1. forward: the fake is kept for the generator phase
        cache["fake"] = self.modules["generator"](torch.randn_like(real))
        # 2. losses on the detached fake: this phase's backward stops at the fake
        d_real = self.modules["discriminator"](real)
        d_fake = self.modules["discriminator"](cache["fake"].detach())
        return (d_real - 1).pow(2).mean() + d_fake.pow(2).mean(), {}

    def generator_step(self, real, cache):
        self.current_phase = "generator"
        d_fake = self.modules["discriminator"](cache["fake"])  # the same fake, judged by the updated D
        return (d_fake - 1).pow(2).mean(), {"fake_mean": cache["fake"].mean()}


def test_two_phase_gan_trains_the_generator_toward_the_data():
    real_batches = [3 + 0.5 * torch.randn(64, 1, generator=torch.Generator().manual_seed(i)) for i in range(20)]
    task = ToyGanTask()
    history = Trainer(task, TrainConfig(steps=300, log_every=50, progress=False), device="cpu").fit(real_batches)

    assert {"discriminator/loss", "generator/loss", "lr/generator", "lr/discriminator"} <= history[-1].keys()
    assert abs(history[0]["generator/fake_mean"] - 3) > 1.5  # starts far from the data …
    assert abs(history[-1]["generator/fake_mean"] - 3) < 0.3  # … and ends near it
    # the detached fake keeps the discriminator phase's backward out of the generator
    assert task.generator_backwards == {"discriminator": 0, "generator": 300}


class ConstantGradientTask:
    """loss = 100·Σw, so every gradient element is 100: clipping must shrink the SGD step."""

    def __init__(self):
        self.weights = nn.Linear(8, 1, bias=False)
        nn.init.zeros_(self.weights.weight)
        self.modules = {"weights": self.weights}
        self.optimizers = {"sgd": torch.optim.SGD(self.weights.parameters(), lr=1.0)}
        self.schedulers = {}
        self.phases = [Phase("main", "sgd", lambda batch, cache: (100 * self.weights.weight.sum(), {}))]


@pytest.mark.parametrize(
    "clip, expected_step",
    [({"grad_clip_norm": 1.0}, 1 / math.sqrt(8)), ({"grad_clip_value": 0.5}, 0.5), ({}, 100.0)],
)
def test_gradient_clipping_limits_the_update(clip, expected_step):
    task = ConstantGradientTask()
    history = Trainer(task, TrainConfig(steps=1, log_every=1, progress=False, **clip), device="cpu").fit([None])
    update = -task.weights.weight.detach()  # SGD with lr 1 moves by exactly the clipped gradient
    assert torch.allclose(update, torch.full((1, 8), expected_step))
    expected_norm = 100 * math.sqrt(8) if "grad_clip_value" not in clip else 0.5 * math.sqrt(8)
    assert history[0]["main/grad_norm"] == pytest.approx(expected_norm)  # logged before norm clipping


def test_clip_gradients_clips_each_parameter_group_to_the_norm():
    encoder, decoder = nn.Parameter(torch.zeros(4)), nn.Parameter(torch.zeros(9))
    optimizer = torch.optim.SGD([{"params": [encoder]}, {"params": [decoder]}], lr=1.0)
    encoder.grad, decoder.grad = torch.full((4,), 3.0), torch.full((9,), 4.0)  # norms 6 and 12
    total = clip_gradients(optimizer, max_norm=1.0, max_value=None)
    assert total == pytest.approx(math.hypot(6, 12))
    assert encoder.grad.norm().item() == pytest.approx(1.0) and decoder.grad.norm().item() == pytest.approx(1.0)


class ExplodingTask(RegressionTask):
    """The loss turns NaN at the 5th step (as fp16 overflow or a bad clip would make it)."""

    def loss_fn(self, batch, cache):
        loss, logs = super().loss_fn(batch, cache)
        self.calls = getattr(self, "calls", 0) + 1
        return (loss * math.nan if self.calls == 5 else loss), logs


@pytest.mark.filterwarnings("ignore:the training loader's batch sampler")
def test_nan_loss_stops_with_a_message_and_keeps_the_last_checkpoint(tmp_path):
    task = ExplodingTask()
    config = TrainConfig(steps=10, checkpoint_every=2, out_dir=str(tmp_path), progress=False)
    trainer = Trainer(task, config, device="cpu")
    with pytest.raises(NonFiniteLossError) as caught:
        trainer.fit(_batches(10))
    message = str(caught.value)
    for needle in ("model/loss is nan at step 5", "learning rate", "mixed precision", "NaN clips", "(step 4)"):
        assert needle in message
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 4
    assert torch.isfinite(task.model.weight).all()  # stopped before the NaN reached the weights


def test_schedules_step_per_step_and_the_lr_is_logged():
    task = RegressionTask(lr=1.0)
    task.schedulers = {"model": noam_schedule(task.optimizers["model"], d_model=192, warmup_steps=4)}
    history = Trainer(task, TrainConfig(steps=6, log_every=1, progress=False), device="cpu").fit(_batches(6))
    lrs = [row["lr/model"] for row in history]
    assert lrs[3] == pytest.approx(192**-0.5 * 4**-0.5) and lrs[3] == max(lrs)  # the peak on update 4


def test_task_mistakes_fail_early_with_the_fix():
    task = RegressionTask()
    task.schedulers = {"model": torch.optim.lr_scheduler.ExponentialLR(task.optimizers["model"], 0.9)}
    with pytest.raises(ValueError, match=r"Schedule\(scheduler, interval='step'\)"):
        Trainer(task, TrainConfig(steps=1), device="cpu")
    task = RegressionTask()
    task.phases = [Phase("model", "adam", task.loss_fn)]
    with pytest.raises(ValueError, match=r"optimizer 'adam'.*\['model'\]"):
        Trainer(task, TrainConfig(steps=1), device="cpu")
    with pytest.raises(ValueError, match="yielded no batches"):
        Trainer(RegressionTask(), TrainConfig(steps=1, progress=False), device="cpu").fit([])
    with pytest.raises(ValueError, match="positive int"):
        TrainConfig(steps=0)
