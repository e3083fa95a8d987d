"""The VITS model at a small size: the training pass, a batch it overfits, inference, voice conversion, speakers."""

import math

import pytest
import torch

from course_lib.audio import HOP_LENGTH, linear_spectrogram
from course_lib.models.waveform.losses import mel_l1_loss
from course_lib.models.vits import (
    VITS,
    DecoderConfig,
    FlowConfig,
    PosteriorConfig,
    VITSConfig,
    build,
    wave_windows,
)

torch.set_num_threads(1)


def _small(**changes) -> VITSConfig:
    """Every part of VITS at a few thousand parameters each, and 8-frame decoder windows."""
    return VITSConfig.tiny().replace(
        n_vocab=20, latent_channels=16, encoder_channels=32, encoder_filter_channels=64, encoder_layers=1,
        posterior=PosteriorConfig(hidden_channels=32, n_layers=2),
        flow=FlowConfig(hidden_channels=16, n_layers=1, n_flows=2),
        decoder=DecoderConfig(resblock="2", upsample_rates=(8, 8, 4), upsample_kernel_sizes=(16, 16, 8),
                              upsample_initial_channel=32, resblock_kernel_sizes=(3,),
                              resblock_dilation_sizes=((1, 2),)),
        segment_size=8 * HOP_LENGTH, **changes)


def _batch(frames=(48, 40), n_tokens=(8, 6)):
    """Two harmonic tones (as waves, linear spectrograms and token ids)."""
    t = torch.arange(max(frames) * HOP_LENGTH) / 22_050
    waves = torch.stack([0.3 * torch.sin(2 * math.pi * f * t) + 0.1 * torch.sin(2 * math.pi * 2 * f * t)
                         for f in (220.0, 330.0)])
    waves[1, frames[1] * HOP_LENGTH:] = 0
    spec = linear_spectrogram(waves)                               # [2, 513, 48]
    tokens = torch.randint(1, 20, (2, max(n_tokens)), generator=torch.Generator().manual_seed(0))
    tokens[1, n_tokens[1]:] = 0
    return tokens, torch.tensor(n_tokens), spec, torch.tensor(frames), waves.unsqueeze(1)


def test_training_pass_shapes_and_alignment():
    torch.manual_seed(0)
    model = build(_small())
    tokens, token_lengths, spec, frames, _ = _batch()
    out = model(tokens, token_lengths, spec, frames, generator=torch.Generator().manual_seed(1))
    assert out.wave.shape == (2, 1, 8 * HOP_LENGTH)
    assert out.z.shape == out.z_p.shape == out.frame_prior_mean.shape == (2, 16, 48)
    assert torch.equal(out.durations.sum(dim=(1, 2)), frames.float())  # every frame belongs to one token
    assert torch.all(out.durations[0, 0] >= 1) and torch.all(out.durations[1, 0, :6] >= 1)
    assert torch.all(out.window_starts + 8 <= frames)
    assert out.duration_loss_terms.shape == (2,)
    losses = VITS.latent_losses(out)
    assert torch.isfinite(losses.kl) and torch.isfinite(losses.duration)


def test_the_generator_overfits_one_batch():
    """Mel L1 of the decoded windows (×45, the paper's weight) + KL + duration: the mel error falls."""
    torch.manual_seed(0)
    model = build(_small())
    tokens, token_lengths, spec, frames, waves = _batch()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.8, 0.99))
    mels = []
    for _ in range(25):
        out = model(tokens, token_lengths, spec, frames, generator=torch.Generator().manual_seed(1))
        mel = mel_l1_loss(wave_windows(waves, out.window_starts, out.wave.shape[-1]), out.wave)
        latent = VITS.latent_losses(out)
        loss = 45 * mel + latent.kl + latent.duration
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        mels.append(mel.item())
    assert mels[-1] < 0.8 * mels[0]


def test_infer_is_batched_seeded_and_zero_past_each_end():
    torch.manual_seed(0)
    model = build(_small()).eval()
    tokens, token_lengths, *_ = _batch()
    first = model.infer(tokens, token_lengths, generator=torch.Generator().manual_seed(5))
    again = model.infer(tokens, token_lengths, generator=torch.Generator().manual_seed(5))
    torch.testing.assert_close(first.wave, again.wave)
    assert first.wave.shape == (2, 1, int(first.wave_lengths.max()))
    torch.testing.assert_close(first.wave_lengths, first.durations.sum(-1).long() * HOP_LENGTH)
    assert torch.all(first.wave[1, :, int(first.wave_lengths[1]):] == 0)
    assert torch.all(first.durations[1, 6:] == 0) and torch.all(first.durations[:, :6] >= 1)
    slower = model.infer(tokens, token_lengths, length_scale=3.0, generator=torch.Generator().manual_seed(5))
    assert torch.all(slower.wave_lengths > first.wave_lengths)
    one = model.synthesize(tokens[1, :6].tolist(), seed=5)
    assert one.dim() == 1 and one.abs().max() <= 1


@pytest.mark.parametrize("knob", ["noise_scale", "noise_scale_w", "length_scale"])
def test_infer_refuses_negative_knobs(knob):
    model = build(_small()).eval()
    tokens, token_lengths, *_ = _batch()
    with pytest.raises(ValueError, match=knob):
        model.infer(tokens, token_lengths, **{knob: -1.0})


def test_folding_weight_norm_keeps_the_waveform():
    torch.manual_seed(0)
    model = build(_small(n_speakers=3, speaker_channels=8)).eval()
    tokens, token_lengths, spec, frames, _ = _batch()
    before = model.infer(tokens, token_lengths, speakers=1, generator=torch.Generator().manual_seed(2)).wave
    model.remove_weight_norm()
    after = model.infer(tokens, token_lengths, speakers=1, generator=torch.Generator().manual_seed(2)).wave
    torch.testing.assert_close(after, before, atol=1e-5, rtol=0)


def test_voice_conversion_shapes_and_speaker_dependence():
    torch.manual_seed(0)
    model = build(_small(n_speakers=3, speaker_channels=8)).eval()
    _, _, spec, frames, _ = _batch()
    same = model.voice_conversion(spec, frames, 0, 0, generator=torch.Generator().manual_seed(3))
    other = model.voice_conversion(spec, frames, 0, torch.tensor([2, 1]), generator=torch.Generator().manual_seed(3))
    assert same.shape == other.shape == (2, 1, 48 * HOP_LENGTH)
    assert torch.all(other[1, :, 40 * HOP_LENGTH:] == 0)
    assert not torch.allclose(same, other)


def test_speaker_errors_name_the_valid_range_or_the_fix():
    tokens, token_lengths, spec, frames, _ = _batch()
    single = build(_small()).eval()
    with pytest.raises(ValueError, match="single speaker"):
        single.infer(tokens, token_lengths, speakers=0)
    with pytest.raises(ValueError, match="multi-speaker"):
        single.voice_conversion(spec, frames, 0, 1)
    multi = build(_small(n_speakers=3, speaker_channels=8)).eval()
    with pytest.raises(ValueError, match="speaker id 3 out of range.*valid ids are 0 … 2"):
        multi.infer(tokens, token_lengths, speakers=3)
    with pytest.raises(ValueError, match="speaker id -1 out of range"):
        multi(tokens, token_lengths, spec, frames, speakers=torch.tensor([0, -1]))
    with pytest.raises(ValueError, match="pass a speaker id in 0 … 2"):
        multi.infer(tokens, token_lengths)
