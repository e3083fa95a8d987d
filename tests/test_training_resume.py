"""Exact resume: N steps straight == k steps, stop, resume to N — bit for bit, on the CPU.

The toy has everything that makes resume hard: dropout (torch's RNG in the forward),
random crops drawn in the dataset from torch's global RNG (and a NumPy draw), a shuffled
bucket sampler with set_epoch/set_start, two optimizers in two phases, an LR schedule
stepped per step and one per epoch, and epochs that end mid-run.
"""

import numpy as np
import pytest
import signal
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from course_lib.data.sampler import LengthBucketSampler
from course_lib.training import (
    Phase,
    TrainConfig,
    Trainer,
    TrainingInterrupted,
    exponential_schedule,
    warmup_schedule,
)

N_ITEMS, BATCH, STEPS = 10, 2, 13  # 5 batches an epoch: 13 steps cross two epoch ends


class RandomCropDataset(Dataset):
    """Fixed 12-sample signals; each item is a random 4-sample crop (torch's global RNG) plus NumPy noise."""

    def __init__(self):
        self.signals = torch.linspace(-1, 1, N_ITEMS * 12).reshape(N_ITEMS, 12)

    def __len__(self):
        return N_ITEMS

    def __getitem__(self, index):
        start = int(torch.randint(0, 9, ()))
        crop = self.signals[index, start : start + 4]
        noise = torch.tensor(np.random.normal(0, 0.01, 4), dtype=torch.float32)
        return crop + noise, crop.sum().reshape(1)


class ResumableBatchSampler:
    """Shuffles with a generator seeded by (seed, epoch); set_start skips into the epoch."""

    def __init__(self, n, batch_size, seed=0):
        self.n, self.batch_size, self.seed = n, batch_size, seed
        self.epoch, self.start = 0, 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def set_start(self, batch_index):
        self.start = batch_index

    def _batches(self):
        order = torch.randperm(self.n, generator=torch.Generator().manual_seed(self.seed + self.epoch)).tolist()
        return [order[i : i + self.batch_size] for i in range(0, self.n, self.batch_size)]

    def __iter__(self):
        yield from self._batches()[self.start :]

    def __len__(self):
        return len(self._batches()) - self.start


class TwoPhaseTask:
    """A regressor and a critic, each with its own optimizer, phase and schedule."""

    def __init__(self, interrupt_at=None):
        torch.manual_seed(0)
        regressor = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.3), nn.Tanh(), nn.Linear(16, 1))
        critic = nn.Sequential(nn.Linear(1, 8), nn.Dropout(0.2), nn.Tanh(), nn.Linear(8, 1))
        self.modules = {"regressor": regressor, "critic": critic}
        self.optimizers = {
            "regressor": torch.optim.Adam(regressor.parameters(), lr=1e-2),
            "critic": torch.optim.SGD(critic.parameters(), lr=1e-2, momentum=0.9),
        }
        self.schedulers = {
            "regressor": warmup_schedule(self.optimizers["regressor"], warmup_steps=4),
            "critic": exponential_schedule(self.optimizers["critic"], gamma=0.5, interval="epoch"),
        }
        self.phases = [Phase("regressor", "regressor", self.regressor_loss), Phase("critic", "critic", self.critic_loss)]
        self.interrupt_at = interrupt_at
        self.calls = 0

    def regressor_loss(self, batch, cache):
        self.calls += 1
        if self.calls == self.interrupt_at:
            signal.raise_signal(signal.SIGINT)  # as if Ctrl-C were pressed during this step
        inputs, targets = batch
        cache["prediction"] = self.modules["regressor"](inputs)
        loss = (cache["prediction"] - targets).pow(2).mean()
        return loss, {"noise": torch.rand(()) * 0}  # one more draw from the global RNG

    def critic_loss(self, batch, cache):
        _, targets = batch
        error = (cache["prediction"].detach() - targets).abs()
        return (self.modules["critic"](cache["prediction"].detach()) - error).pow(2).mean(), {}

    def config_dict(self):
        return {"hidden": 16}


def _fit(out_dir, steps, resume=False, interrupt_at=None, course_sampler=False):
    task = TwoPhaseTask(interrupt_at)
    if course_sampler:  # the course's own sampler (course_lib.data), lengths all different
        sampler = LengthBucketSampler(list(range(N_ITEMS)), BATCH, seed=1, bucket_batches=2)
    else:
        sampler = ResumableBatchSampler(N_ITEMS, BATCH)
    loader = DataLoader(RandomCropDataset(), batch_sampler=sampler)
    config = TrainConfig(steps=steps, log_every=1, checkpoint_every=100, out_dir=str(out_dir), progress=False, seed=7)
    trainer = Trainer(task, config, device="cpu")
    trainer.fit(loader, resume=resume)
    return trainer, task


def _losses(history):
    return [{key: value for key, value in row.items() if key != "seconds"} for row in history]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    return _fit(tmp_path_factory.mktemp("straight"), STEPS)


@pytest.mark.parametrize("stop_at", [5, 7])  # at an epoch end, and mid-epoch
def test_resume_matches_uninterrupted_run_exactly(tmp_path, straight, stop_at):
    straight_trainer, straight_task = straight
    _fit(tmp_path, stop_at)
    resumed_trainer, resumed_task = _fit(tmp_path, STEPS, resume=True)

    assert resumed_trainer.state.step == STEPS
    assert len(resumed_trainer.history) == STEPS
    assert _losses(resumed_trainer.history) == _losses(straight_trainer.history)
    for name, module in straight_task.modules.items():
        for (key, expected), got in zip(module.state_dict().items(), resumed_task.modules[name].state_dict().values()):
            assert torch.equal(expected, got), f"{name}.{key} differs after resume"
    assert resumed_trainer.state.epoch == straight_trainer.state.epoch == 2


def test_ctrl_c_saves_a_checkpoint_that_resumes_exactly(tmp_path, straight):
    straight_trainer, _ = straight
    with pytest.raises(TrainingInterrupted, match=r"step 6; checkpoint saved .*resume=True"):
        _fit(tmp_path, STEPS, interrupt_at=6)
    assert not list(tmp_path.glob(".*.tmp"))
    resumed_trainer, _ = _fit(tmp_path, STEPS, resume=True)
    assert _losses(resumed_trainer.history) == _losses(straight_trainer.history)


def test_resume_is_exact_with_the_course_length_bucket_sampler(tmp_path):
    straight_trainer, _ = _fit(tmp_path / "straight", STEPS, course_sampler=True)
    _fit(tmp_path / "resumed", 8, course_sampler=True)
    resumed_trainer, _ = _fit(tmp_path / "resumed", STEPS, resume=True, course_sampler=True)
    assert _losses(resumed_trainer.history) == _losses(straight_trainer.history)


def test_plain_dataloader_warns_that_resume_is_approximate(tmp_path):
    task = TwoPhaseTask()
    loader = DataLoader(RandomCropDataset(), batch_size=BATCH, shuffle=True)
    trainer = Trainer(task, TrainConfig(steps=2, out_dir=str(tmp_path), progress=False), device="cpu")
    with pytest.warns(UserWarning, match="resume is approximate"):
        trainer.fit(loader)
