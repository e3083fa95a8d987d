"""LR schedules (pure functions and LambdaLR wrappers) and device selection."""

import pytest
import torch

from course_lib.training import (
    Schedule,
    autocast_context,
    exponential_scale,
    exponential_schedule,
    linear_warmup_scale,
    noam_scale,
    noam_schedule,
    pick_device,
    warmup_schedule,
)


def _optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _lrs(schedule, updates):
    """The lr each of the first ``updates`` optimizer updates uses."""
    lrs = []
    for _ in range(updates):
        lrs.append(schedule.scheduler.optimizer.param_groups[0]["lr"])
        schedule.scheduler.optimizer.step()
        schedule.scheduler.step()
    return lrs


def test_noam_peaks_at_1_14e_3_on_update_4000_as_in_glow_tts():
    # Glow-TTS: base lr 1.0, d_model 192 (hidden_channels), warmup 4000
    assert noam_scale(4000, d_model=192, warmup_steps=4000) == pytest.approx(1.1411e-3, rel=1e-4)
    lrs = _lrs(noam_schedule(_optimizer(1.0), d_model=192, warmup_steps=4000), 8000)
    assert lrs.index(max(lrs)) == 3999  # update number 4000
    assert max(lrs) == pytest.approx(1.1411e-3, rel=1e-4)
    assert lrs[0] == pytest.approx(192**-0.5 * 4000**-1.5)  # update 1: tiny
    assert lrs[7999] == pytest.approx(max(lrs) / 2**0.5)  # 1/sqrt(step) decay after the peak


def test_exponential_decay_and_linear_warmup():
    assert exponential_scale(3, 0.5) == 0.125
    assert [linear_warmup_scale(step, 4) for step in (1, 2, 4, 9)] == [0.25, 0.5, 1.0, 1.0]
    assert _lrs(exponential_schedule(_optimizer(2e-4), gamma=0.5, interval="step"), 3) == pytest.approx([2e-4, 1e-4, 5e-5])
    assert _lrs(warmup_schedule(_optimizer(1e-3), warmup_steps=2), 4) == pytest.approx([5e-4, 1e-3, 1e-3, 1e-3])
    assert exponential_schedule(_optimizer(1.0), gamma=0.999).interval == "epoch"  # VITS/HiFi-GAN decay per epoch


def test_schedule_rejects_an_unknown_interval():
    scheduler = torch.optim.lr_scheduler.ExponentialLR(_optimizer(1.0), 0.9)
    with pytest.raises(ValueError, match=r"one of \('step', 'epoch'\)"):
        Schedule(scheduler, interval="batch")


def test_pick_device():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device().type in {"cuda", "mps", "cpu"}
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda' was asked for, but this machine has only: .*cpu"):
            pick_device("cuda")
    with pytest.raises(ValueError, match="unknown device 'tpu9'"):
        pick_device("tpu9")


def test_autocast_is_a_no_op_on_cpu():
    with autocast_context(torch.device("cpu"), enabled=True):
        product = torch.ones(2, 2) @ torch.ones(2, 2)
    assert product.dtype == torch.float32


def test_warmup_decay_ramps_up_then_decays_every_step():
    from course_lib.training.schedules import WarmupDecay, warmup_decay_schedule

    scale = WarmupDecay(warmup_steps=4, gamma=0.5)
    assert [scale(i) for i in range(6)] == [0.25 * 1, 0.5 * 0.5, 0.75 * 0.25, 1.0 * 0.125, 0.0625, 0.03125]
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=2.0)
    schedule = warmup_decay_schedule(optimizer, 4, 0.5)
    assert schedule.interval == "step" and optimizer.param_groups[0]["lr"] == 0.5
