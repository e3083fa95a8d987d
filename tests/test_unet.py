"""Grad-TTS U-Net: exact official parameter counts, padding to a multiple of 4, masking."""

from __future__ import annotations

import pytest
import torch

from course_lib.models.summary import param_summary
from course_lib.nn.layers import sinusoidal_embedding
from course_lib.nn.unet import ScoreUNet, UNetConfig, masked_group_norm, pad_to_multiple


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread avoids oversubscription on the shared 2-core CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def small_unet(**kwargs) -> ScoreUNet:
    torch.manual_seed(0)
    unet = ScoreUNet(UNetConfig(dim=16, **kwargs))
    for module in unet.modules():  # open the ReZero gates so attention matters in the tests
        if hasattr(module, "gate"):
            torch.nn.init.normal_(module.gate)
    return unet


def test_paper_unet_matches_official_parameter_breakdown():
    with torch.device("meta"):
        summary = param_summary(ScoreUNet(UNetConfig()))
    assert summary.parts == {
        "time_mlp": 33_088, "downs": 3_211_715, "mid": 2_526_977, "ups": 1_825_986, "final": 37_121,
    }
    assert summary.total == 7_634_887


def test_multispeaker_unet_adds_the_speaker_channel():
    # official multi-speaker Grad-TTS: 14,888,680 − 14,835,032 = 53,648 = 247·64 embedding + this
    with torch.device("meta"):
        extra = param_summary(ScoreUNet(UNetConfig(n_speakers=247))).total - 7_634_887
    assert extra == 53_648 - 247 * 64


def test_pad_to_multiple_pads_and_keeps_length():
    x, mask = torch.randn(2, 80, 13), torch.ones(2, 1, 13)
    padded = pad_to_multiple(x, mask, 4)
    assert padded.x.shape[-1] == 16 and padded.length == 13
    assert torch.all(padded.mask[..., 13:] == 0) and torch.equal(padded.x[..., :13], x)
    assert pad_to_multiple(x[..., :12], mask[..., :12], 4).x.shape[-1] == 12


@pytest.mark.parametrize("frames", [9, 14, 16])
def test_any_frame_count_works_and_padding_does_not_leak(frames):
    unet = small_unet()
    x, mu = torch.randn(1, 80, frames), torch.randn(1, 80, frames)
    t = torch.tensor([0.4])
    alone = unet(x, torch.ones(1, 1, frames), mu, t)
    assert alone.shape == (1, 80, frames)
    # the same mel next to garbage in longer padding gives the same score on its frames
    x_big = torch.cat([x, 100 * torch.randn(1, 80, 7)], -1)
    mu_big = torch.cat([mu, 100 * torch.randn(1, 80, 7)], -1)
    mask_big = torch.cat([torch.ones(1, 1, frames), torch.zeros(1, 1, 7)], -1)
    in_batch = unet(x_big, mask_big, mu_big, t)
    torch.testing.assert_close(in_batch[..., :frames], alone, atol=1e-4, rtol=1e-4)
    assert torch.all(in_batch[..., frames:] == 0)


def test_masked_group_norm_equals_group_norm_without_padding():
    norm = torch.nn.GroupNorm(4, 16)
    torch.nn.init.normal_(norm.weight)
    x = torch.randn(2, 16, 5, 8)
    torch.testing.assert_close(masked_group_norm(x, torch.ones(2, 1, 1, 8), norm), norm(x), atol=1e-5, rtol=1e-5)


def test_time_embedding_distinguishes_close_times():
    emb = sinusoidal_embedding(torch.tensor([0.500, 0.501]), 64, scale=1000.0)
    assert emb.shape == (2, 64) and (emb[0] - emb[1]).abs().max() > 0.5
    flat = sinusoidal_embedding(torch.tensor([0.500, 0.501]), 64, scale=1.0)
    assert (flat[0] - flat[1]).abs().max() < 0.01


def test_speaker_vector_required_exactly_when_configured():
    unet = small_unet(n_speakers=3, speaker_channels=8)
    x = torch.randn(2, 80, 8)
    out = unet(x, torch.ones(2, 1, 8), x, torch.rand(2), speaker=torch.randn(2, 8))
    assert out.shape == x.shape
    with pytest.raises(ValueError, match="speaker"):
        unet(x, torch.ones(2, 1, 8), x, torch.rand(2))


def test_gradients_reach_every_parameter():
    unet = small_unet()
    x = torch.randn(2, 80, 12)
    unet(x, torch.ones(2, 1, 12), x, torch.rand(2)).pow(2).mean().backward()
    missing = [name for name, p in unet.named_parameters() if p.grad is None]
    assert not missing
