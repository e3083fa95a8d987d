"""Grad-TTS: official parameter counts, losses, training on a tiny batch, synthesis, save/load, bad input."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from course_lib.alignment import random_windows
from course_lib.diffusion import NonFiniteEstimateError
from course_lib.models.grad_tts import CONFIGS, GradTTSConfig, build
from course_lib.models.grad_tts.losses import prior_loss
from course_lib.models.summary import param_summary


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread avoids oversubscription on the shared 2-core CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def micro_config() -> GradTTSConfig:
    """Smaller than tiny(), so ~30 training steps fit in a few seconds."""
    return dataclasses.replace(GradTTSConfig.tiny(), n_vocab=12, encoder_channels=32, encoder_filter_channels=64,
                               encoder_layers=1, duration_filter_channels=32, dec_dim=8, attention_heads=1,
                               attention_head_dim=8, segment_frames=24, learning_rate=3e-3)


def toy_batch():
    """Two utterances whose mel frames copy a fixed 80-d pattern per token (learnable, like speech)."""
    gen = torch.Generator().manual_seed(0)
    patterns = torch.randn(12, 80, generator=gen)
    tokens = torch.tensor([[1, 4, 7, 2, 9, 3], [5, 8, 2, 6, 0, 0]])
    token_lengths = torch.tensor([6, 4])
    durations = torch.tensor([[5, 7, 4, 6, 5, 4], [8, 6, 9, 6, 0, 0]])
    mel_lengths = durations.sum(1)  # 31 and 29: not multiples of 4
    mels = torch.zeros(2, 80, int(mel_lengths.max()))
    for b in range(2):
        frames = torch.repeat_interleave(tokens[b, : token_lengths[b]], durations[b, : token_lengths[b]])
        mels[b, :, : len(frames)] = patterns[frames].T + 0.1 * torch.randn(80, len(frames), generator=gen)
    return tokens, token_lengths, mels, mel_lengths


def test_paper_config_matches_official_counts():
    with torch.device("meta"):
        summary = param_summary(build(CONFIGS["paper"]()))
    assert summary.parts == {"encoder": 7_200_145, "decoder": 7_634_887}
    assert summary.total == 14_835_032


def test_multispeaker_config_matches_official_count():
    with torch.device("meta"):
        assert param_summary(build(CONFIGS["multispeaker"]())).total == 14_888_680


def test_build_from_saved_dict_and_unknown_keys():
    config = micro_config()
    assert build(config.to_dict()).config == config
    with pytest.raises(ValueError, match="unknown Grad-TTS config keys"):
        GradTTSConfig.from_dict({**config.to_dict(), "n_flows": 3})


def test_prior_loss_is_gaussian_nll():
    y = torch.randn(2, 80, 10)
    mask = torch.ones(2, 1, 10)
    assert prior_loss(y, y, mask).item() == pytest.approx(0.5 * math.log(2 * math.pi))
    assert prior_loss(y, y + 2.0, mask).item() == pytest.approx(2.0 + 0.5 * math.log(2 * math.pi))


def test_random_windows_slice_mel_and_path_together():
    y = torch.arange(3 * 2 * 20, dtype=torch.float32).reshape(3, 2, 20)
    path = torch.eye(20)[None].repeat(3, 1, 1)[:, :5] * 0 + torch.arange(20.0)  # value = frame index
    lengths = torch.tensor([20, 12, 6])
    win = random_windows(y, path, lengths, 8, torch.Generator().manual_seed(3))
    for b in range(3):
        start, real = int(win.starts[b]), min(8, int(lengths[b]))
        assert 0 <= start <= max(int(lengths[b]) - 8, 0)
        torch.testing.assert_close(win.y[b, :, :real], y[b, :, start: start + real])
        assert torch.all(win.path[b, 0, :real] == torch.arange(start, start + real))
        assert win.mask[b].sum() == real and torch.all(win.y[b, :, real:] == 0)


def test_loss_falls_on_a_tiny_batch():
    torch.manual_seed(0)
    model = build(micro_config())
    batch = toy_batch()
    optimizer = torch.optim.Adam(model.parameters(), lr=model.config.learning_rate)
    totals = []
    for _ in range(30):
        losses = model(*batch)
        optimizer.zero_grad()
        losses.total.backward()
        optimizer.step()
        totals.append(losses.total.item())
        assert int(losses.durations.sum()) == int(batch[3].sum())  # MAS covers every frame
    assert sum(totals[-5:]) / 5 < 0.8 * sum(totals[:5]) / 5


def test_synthesize_gives_finite_mel_of_predicted_length_and_trajectory():
    model = build(micro_config()).eval()
    tokens = torch.tensor([[1, 4, 7, 2, 9]])
    out = model.synthesize(tokens, n_steps=3, temperature=1.5, seed=0, return_trajectory=True)
    assert out.mel.shape == (1, 80, int(out.mel_lengths[0])) and torch.isfinite(out.mel).all()
    assert int(out.durations.sum()) == int(out.mel_lengths[0])
    assert len(out.trajectory) == 4 and torch.equal(out.trajectory[-1], out.mel)
    assert out.times == pytest.approx([5 / 6, 1 / 2, 1 / 6])
    slower = model.synthesize(tokens, n_steps=1, length_scale=2.0, seed=0)
    assert slower.mel_lengths[0] > out.mel_lengths[0]
    forced = model.synthesize(tokens, n_steps=1, seed=0, durations=torch.tensor([[3, 1, 4, 1, 5]]))
    assert forced.mel.shape[-1] == 14 and forced.durations.tolist() == [[3, 1, 4, 1, 5]]


def test_fixed_seed_reproduces_and_save_load_is_identical(tmp_path):
    from course_lib.training import load_model, save_model

    model = build(micro_config()).eval()
    tokens = torch.tensor([[3, 1, 4, 1, 5]])
    first = model.synthesize(tokens, n_steps=2, seed=7).mel
    assert torch.equal(first, model.synthesize(tokens, n_steps=2, seed=7).mel)
    assert not torch.equal(first, model.synthesize(tokens, n_steps=2, seed=8).mel)
    save_model(tmp_path / "grad_tts.pt", model, model.config.to_dict())
    loaded, _ = load_model(tmp_path / "grad_tts.pt", build)
    assert torch.equal(loaded.synthesize(tokens, n_steps=2, seed=7).mel, first)


@pytest.mark.parametrize("kwargs,match", [
    ({"n_steps": 0}, "positive integer"), ({"n_steps": -3}, "positive integer"),
    ({"temperature": 0.0}, "temperature"), ({"temperature": -1.5}, "temperature"),
    ({"length_scale": 0.0}, "length_scale"),
])
def test_bad_sampling_arguments_raise(kwargs, match):
    model = build(micro_config()).eval()
    with pytest.raises(ValueError, match=match):
        model.synthesize(torch.tensor([[1, 2, 3]]), **kwargs)


def test_nan_in_the_decoder_stops_synthesis_with_a_message():
    model = build(micro_config()).eval()
    with torch.no_grad():
        model.decoder.estimator.final.proj.bias.fill_(float("nan"))
    with pytest.raises(NonFiniteEstimateError, match="NaN or inf"):
        model.synthesize(torch.tensor([[1, 2, 3]]), n_steps=2, seed=0)


def test_task_clips_encoder_and_decoder_separately_and_trains_with_the_trainer():
    from course_lib.data import TextMelBatch
    from course_lib.models.grad_tts.train import GradTTSTask
    from course_lib.training import TrainConfig, Trainer

    model = build(micro_config())
    task = GradTTSTask(model)
    assert [g["name"] for g in task.optimizers["adam"].param_groups] == ["encoder", "decoder"]
    tokens, token_lengths, mels, mel_lengths = toy_batch()
    batch = TextMelBatch(ids=("a", "b"), tokens=tokens, token_lengths=token_lengths, mels=mels,
                         mel_lengths=mel_lengths, speakers=torch.zeros(2, dtype=torch.long))
    trainer = Trainer(task, TrainConfig(steps=3, grad_clip_norm=1.0, log_every=1, progress=False,
                                        checkpoint_every=None), device="cpu")
    history = trainer.fit([batch, batch, batch])
    assert len(history) == 3 and all(math.isfinite(row["tts/loss"]) for row in history)
