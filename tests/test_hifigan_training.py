"""HiFi-GAN training glue: segments (short audio padded), deterministic batches, GAN steps, CLI + resume."""

import argparse
import dataclasses

import numpy as np
import pytest
import torch

from course_lib.audio import SAMPLE_RATE, save_audio
from course_lib.models.hifigan import build
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.data.segments import SegmentLoader, random_segment
from course_lib.cli import train_cli
from course_lib.models.hifigan.train import RECIPE, HiFiGANTask
from course_lib.training import TrainConfig, Trainer, load_checkpoint
from course_lib.vocoder import HiFiGANVocoder

# a small segment keeps the GAN steps fast; the recipe's 8192 is the config default
SMALL = dataclasses.replace(HiFiGANConfig.tiny(), segment_size=1024, batch_size=2)


def test_audio_shorter_than_the_segment_is_zero_padded_not_an_error():
    rng = np.random.default_rng(0)
    short = np.ones(300, dtype=np.float32)
    segment = random_segment(short, 1024, rng)
    assert segment.shape == (1024,)
    assert np.all(segment[:300] == 1.0) and np.all(segment[300:] == 0.0)
    long = np.arange(5000, dtype=np.float32)
    window = random_segment(long, 1024, rng)
    assert window.shape == (1024,) and np.all(np.diff(window) == 1.0)   # a contiguous slice


def test_batches_are_reproducible_and_resume_mid_epoch():
    clips = [np.sin(np.arange(n) * 0.01).astype(np.float32) for n in (3000, 500, 4000, 2500, 1800)]
    loader = SegmentLoader(clips, batch_size=2, segment_size=1024, seed=7)
    assert len(loader) == 2
    loader.batch_sampler.set_epoch(3)
    full = list(loader)
    loader.batch_sampler.set_epoch(3)
    loader.batch_sampler.set_start(1)
    resumed = list(loader)
    assert len(resumed) == 1
    torch.testing.assert_close(resumed[0].waves, full[1].waves)
    assert full[0].waves.shape == (2, 1, 1024) and full[0].mels.shape == (2, 80, 4)
    with pytest.raises(ValueError, match="batch size"):
        SegmentLoader(clips, batch_size=8, segment_size=1024)


@pytest.mark.slow
def test_a_few_gan_steps_give_finite_losses_and_change_both_players():
    torch.manual_seed(0)
    clips = [np.random.default_rng(i).uniform(-0.5, 0.5, 1500).astype(np.float32) for i in range(2)]
    model = build(SMALL)
    task = HiFiGANTask(model, SMALL)
    before_g = [p.detach().clone() for p in model.generator.parameters()]
    before_d = [p.detach().clone() for p in model.mpd.parameters()]
    trainer = Trainer(task, TrainConfig(steps=2, log_every=1, progress=False), device="cpu")
    history = trainer.fit(SegmentLoader(clips, SMALL.batch_size, SMALL.segment_size))
    rows = [row for row in history if "generator/mel" in row]
    assert len(rows) == 2
    for row in rows:
        for key in ("discriminator/loss", "generator/loss", "generator/mel", "generator/feature_matching"):
            assert np.isfinite(row[key]), key
    assert any(not torch.equal(a, b) for a, b in zip(before_g, model.generator.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(before_d, model.mpd.parameters()))
    # the decay is per epoch (one batch per epoch here): epoch 1 ended and decayed once; the
    # run stopped at step 2 before closing epoch 2 (a resumed run closes it first)
    expected_lr = SMALL.learning_rate * SMALL.lr_decay
    for optimizer in task.optimizers.values():
        assert optimizer.param_groups[0]["lr"] == pytest.approx(expected_lr)


def _fixture_corpus(root):
    """LJSpeech-layout folder: 6 short clips, one shorter than the training segment."""
    (root / "wavs").mkdir(parents=True)
    rows = []
    for index, n_samples in enumerate((9000, 4000, 8800, 9500, 8300, 9100)):
        t = np.arange(n_samples) / SAMPLE_RATE
        wave = 0.3 * np.sin(2 * np.pi * (120 + 20 * index) * t) * np.hanning(n_samples)
        save_audio(root / "wavs" / f"C{index}.wav", wave.astype(np.float32))
        rows.append(f"C{index}|clip {index}|clip {index}")
    (root / "metadata.csv").write_text("\n".join(rows) + "\n")
    return root


@pytest.mark.slow
def test_command_line_trains_resumes_and_saves_a_loadable_generator(tmp_path, capsys):
    data = _fixture_corpus(tmp_path / "corpus")
    out = tmp_path / "run"
    args = argparse.Namespace(model="hifigan", config="tiny", data=str(data), out=str(out), steps=1,
                              batch_size=2, resume=False)
    train_cli(args, RECIPE)
    train_cli(argparse.Namespace(**{**vars(args), "steps": 2, "resume": True}), RECIPE)
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 2
    vocoder = HiFiGANVocoder.from_checkpoint(out / "generator.pt")
    wave = vocoder(torch.zeros(80, 3))
    assert wave.shape == (768,) and torch.isfinite(wave).all()
    assert f"model written to {out / 'generator.pt'}" in capsys.readouterr().out


def test_the_same_vocoder_command_twice_gives_bit_identical_checkpoints(tmp_path, capsys):
    from course_lib.__main__ import main

    states = []
    for run in ("first", "second"):
        argv = ["train", "hifigan", "--config", "istft_small", "--out", str(tmp_path / run), "--steps", "1",
                "--batch-size", "1"]
        assert main(argv) == 0, capsys.readouterr().err
        states.append(torch.load(tmp_path / run / "checkpoint.pt", weights_only=True))
    for part in ("modules", "optimizers"):
        first, second = states[0][part], states[1][part]
        for name in first:
            flat_a = [t for t in _tensors(first[name])]
            flat_b = [t for t in _tensors(second[name])]
            assert len(flat_a) == len(flat_b) and all(torch.equal(a, b) for a, b in zip(flat_a, flat_b)), (part, name)


def _tensors(state):
    if isinstance(state, torch.Tensor):
        yield state
    elif isinstance(state, dict):
        for key in sorted(state, key=str):
            yield from _tensors(state[key])
    elif isinstance(state, (list, tuple)):
        for item in state:
            yield from _tensors(item)


def test_warm_up_trains_the_generator_on_mel_l1_alone_then_the_discriminators_join():
    torch.manual_seed(0)
    clips = [np.random.default_rng(i).uniform(-0.5, 0.5, 1500).astype(np.float32) for i in range(2)]
    config = dataclasses.replace(HiFiGANConfig.istft_small(), segment_size=1024, batch_size=2, discriminator_start=2)
    model = build(config)
    task = HiFiGANTask(model, config)
    before_d = [p.detach().clone() for p in model.mpd.parameters()]
    trainer = Trainer(task, TrainConfig(steps=3, log_every=1, progress=False), device="cpu")
    rows = {row["step"]: row for row in trainer.fit(SegmentLoader(clips, config.batch_size, config.segment_size))
            if "generator/mel" in row}
    assert sorted(rows) == [1, 2, 3]
    for step in (1, 2):   # warm-up: no discriminator phase, no adversarial terms
        assert not any(key.startswith("discriminator/") for key in rows[step])
        assert "generator/adversarial" not in rows[step]
        assert rows[step]["generator/loss"] == pytest.approx(config.mel_loss_weight * rows[step]["generator/mel"],
                                                             rel=1e-5)
    # step 3: the discriminators join, and move
    assert {"discriminator/loss", "generator/adversarial", "generator/feature_matching"} <= set(rows[3])
    assert any(not torch.equal(a, b) for a, b in zip(before_d, model.mpd.parameters()))


def test_negative_warm_up_is_a_config_error():
    with pytest.raises(ValueError, match="discriminator_start"):
        dataclasses.replace(HiFiGANConfig.tiny(), discriminator_start=-1)
    assert HiFiGANConfig.v1().discriminator_start == 0   # the paper: adversarial from step 1
