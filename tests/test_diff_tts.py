"""Diff-TTS: sizes, mel scaling, γ bookkeeping, training on true durations, sampling, save/load, bad input."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from course_lib.diffusion import NonFiniteEstimateError
from course_lib.models.diff_tts import (
    CONFIGS,
    DiffTTSConfig,
    build,
    denormalize_mel,
    gamma_for_steps,
    normalize_mel,
    steps_for_gamma,
)
from course_lib.models.summary import param_summary


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread avoids oversubscription on the shared 2-core CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def micro_config() -> DiffTTSConfig:
    return dataclasses.replace(DiffTTSConfig.tiny(), n_vocab=12, encoder_channels=32, encoder_filter_channels=64,
                               encoder_layers=1, text_channels=32, duration_filter_channels=32, residual_channels=80,
                               residual_layers=4, step_sinusoid_dim=32, step_dim=64, learning_rate=2e-3)


def toy_batch():
    gen = torch.Generator().manual_seed(0)
    patterns = torch.rand(12, 80, generator=gen) * 8 - 9  # log-mel-like values in [-9, -1]
    tokens = torch.tensor([[1, 4, 7, 2, 9, 3], [5, 8, 2, 6, 0, 0]])
    token_lengths = torch.tensor([6, 4])
    durations = torch.tensor([[5, 7, 4, 6, 5, 4], [8, 6, 9, 6, 0, 0]])
    mel_lengths = durations.sum(1)
    mels = torch.full((2, 80, int(mel_lengths.max())), -11.5)
    for b in range(2):
        frames = torch.repeat_interleave(tokens[b, : token_lengths[b]], durations[b, : token_lengths[b]])
        mels[b, :, : len(frames)] = patterns[frames].T
    return tokens, token_lengths, mels, mel_lengths, durations


def test_paper_config_sizes_and_children():
    with torch.device("meta"):
        summary = param_summary(build(CONFIGS["paper"]()))
    assert summary.parts == {"encoder": 7_221_569, "decoder": 9_501_264}
    assert summary.total == 16_722_833
    assert CONFIGS["paper"]().n_diffusion_steps == 400


def test_mel_scaling_round_trips_and_puts_silence_at_minus_one():
    config = DiffTTSConfig()
    mel = torch.randn(2, 80, 5) * 3 - 5
    torch.testing.assert_close(denormalize_mel(normalize_mel(mel, config), config), mel)
    assert normalize_mel(torch.tensor(config.mel_min), config).item() == pytest.approx(-1.0)


def test_gamma_and_step_counts_of_the_demo():
    assert [steps_for_gamma(400, g) for g in (1, 7, 21, 57)] == [400, 58, 20, 8]
    assert [gamma_for_steps(400, n) for n in (400, 58, 20, 8)] == [1, 7, 21, 57]
    with pytest.raises(ValueError, match="choose one of"):
        gamma_for_steps(400, 10)


def test_loss_falls_on_a_tiny_batch_with_true_durations():
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
    assert sum(totals[-5:]) / 5 < 0.7 * sum(totals[:5]) / 5


@pytest.mark.parametrize("gamma", [1, 57])
def test_synthesize_gives_finite_log_mel_for_each_gamma(gamma):
    model = build(micro_config()).eval()
    out = model.synthesize(torch.tensor([[1, 4, 7]]), gamma=gamma, seed=0, return_trajectory=gamma == 57)
    assert out.mel.shape == (1, 80, int(out.mel_lengths[0])) and torch.isfinite(out.mel).all()
    assert int(out.durations.sum()) == int(out.mel_lengths[0])
    assert len(out.times) == steps_for_gamma(400, gamma)
    if gamma == 57:
        assert len(out.trajectory) == 9 and torch.equal(out.trajectory[-1], out.mel)
        forced = model.synthesize(torch.tensor([[1, 4, 7]]), gamma=57, seed=0, durations=torch.tensor([[2, 3, 4]]))
        assert forced.mel.shape[-1] == 9


def test_gamma_that_does_not_fit_the_schedule_is_rejected():
    model = build(micro_config()).eval()
    with pytest.raises(ValueError, match="must divide T-1 = 399"):
        model.synthesize(torch.tensor([[1, 2]]), gamma=8)


def test_fixed_seed_reproduces_and_save_load_is_identical(tmp_path):
    from course_lib.training import load_model, save_model

    model = build(micro_config()).eval()
    tokens = torch.tensor([[3, 1, 4, 1, 5]])
    first = model.synthesize(tokens, gamma=57, seed=3).mel
    assert torch.equal(first, model.synthesize(tokens, gamma=57, seed=3).mel)
    save_model(tmp_path / "diff_tts.pt", model, model.config.to_dict())
    loaded, _ = load_model(tmp_path / "diff_tts.pt", build)
    assert torch.equal(loaded.synthesize(tokens, gamma=57, seed=3).mel, first)


def test_nan_in_the_decoder_stops_sampling_with_a_message():
    model = build(micro_config()).eval()
    with torch.no_grad():
        model.decoder.output_proj.bias.fill_(float("nan"))
    with pytest.raises(NonFiniteEstimateError, match="NaN or inf"):
        model.synthesize(torch.tensor([[1, 2, 3]]), gamma=57, seed=0)


def test_training_without_durations_and_bad_length_scale_explain_themselves():
    model = build(micro_config())
    tokens, token_lengths, mels, mel_lengths, _ = toy_batch()
    with pytest.raises(ValueError, match="known durations"):
        model(tokens, token_lengths, mels, mel_lengths, None)
    with pytest.raises(ValueError, match="length_scale"):
        model.eval().synthesize(tokens[:1], length_scale=-1.0)


def test_a_noise_predictor_narrower_than_the_mel_is_a_config_error():
    with pytest.raises(ValueError, match="residual_channels .* must be ≥ n_mels"):
        dataclasses.replace(DiffTTSConfig.tiny(), residual_channels=64)


def test_windows_train_the_decoder_on_slices_and_whole_mels_still_work():
    torch.manual_seed(0)
    tokens, token_lengths, mels, mel_lengths, durations = toy_batch()
    windowed = build(dataclasses.replace(micro_config(), segment_frames=8))
    whole = build(dataclasses.replace(micro_config(), segment_frames=None))
    for model in (windowed, whole):
        losses = model(tokens, token_lengths, mels, mel_lengths, durations)
        assert torch.isfinite(losses.total)
        losses.total.backward()
    with pytest.raises(ValueError, match="segment_frames"):
        dataclasses.replace(micro_config(), segment_frames=0)


def test_noise_prediction_skips_x_t_so_pure_noise_is_answered_before_training():
    model = build(micro_config()).eval()      # the decoder's last conv starts at zero
    x_t = torch.randn(2, 80, 9)
    mask = torch.ones(2, 1, 9)
    cond = torch.randn(2, model.config.text_channels, 9)
    last = torch.full((2,), model.config.n_diffusion_steps - 1)
    with torch.no_grad():
        predicted = model.predict_noise(x_t, mask, cond, last)
        first = model.predict_noise(x_t, mask, cond, torch.zeros(2, dtype=torch.long))
    torch.testing.assert_close(predicted, x_t, atol=1e-3, rtol=0)   # ᾱ_{T-1} ≈ 5e-5: x_t is ε
    assert first.abs().max() < 0.05 * x_t.abs().max()                # t = 0: the network must do the work
