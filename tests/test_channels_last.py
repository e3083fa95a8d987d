"""The channels-last layout ``[B, C, 1, T]``: the same convolutions, the same generator output."""

import dataclasses

import pytest
import torch
from torch import nn

from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.generator import Generator
from course_lib.nn.channels_last import (
    Conv1d,
    ConvTranspose1d,
    from_channels_last,
    to_channels_last,
    use_channels_last,
)


@pytest.mark.parametrize("stride, dilation, padding, groups", [(1, 1, 1, 1), (1, 3, 15, 1), (2, 1, 0, 2), (1, 5, 5, 4)])
def test_conv1d_gives_the_same_result_in_either_layout(stride, dilation, padding, groups):
    torch.manual_seed(0)
    conv = Conv1d(8, 12, 7, stride, padding=padding, dilation=dilation, groups=groups)
    x = torch.randn(2, 8, 50)
    plain = conv(x)
    fast = conv(to_channels_last(x))
    assert fast.dim() == 4 and fast.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(from_channels_last(fast), plain, atol=1e-5, rtol=1e-5)
    # a plain nn.Conv1d with the same state gives the plain result: nothing about the layer changed
    reference = nn.Conv1d(8, 12, 7, stride, padding=padding, dilation=dilation, groups=groups)
    reference.load_state_dict(conv.state_dict())
    torch.testing.assert_close(reference(x), plain)


@pytest.mark.parametrize("kernel, stride, padding, output_padding", [(16, 8, 4, 0), (4, 2, 1, 0), (5, 2, 1, 1)])
def test_transposed_conv1d_gives_the_same_result_in_either_layout(kernel, stride, padding, output_padding):
    torch.manual_seed(0)
    conv = ConvTranspose1d(6, 3, kernel, stride, padding=padding, output_padding=output_padding)
    x = torch.randn(2, 6, 11)
    torch.testing.assert_close(from_channels_last(conv(to_channels_last(x))), conv(x), atol=1e-5, rtol=1e-5)


def test_layout_round_trip_and_when_it_is_used():
    x = torch.randn(2, 3, 9)
    assert torch.equal(from_channels_last(to_channels_last(x)), x)
    assert not use_channels_last(x)  # autograd on: training keeps the plain layout
    with torch.no_grad():
        assert use_channels_last(x)


def test_the_4d_layout_names_what_it_does_not_support():
    with pytest.raises(ValueError, match="zero padding"):
        Conv1d(2, 2, 3, padding="same")(to_channels_last(torch.randn(1, 2, 5)))
    with pytest.raises(ValueError, match="output_size"):
        ConvTranspose1d(2, 2, 4, 2)(to_channels_last(torch.randn(1, 2, 5)), output_size=[10])


@pytest.mark.parametrize("resblock, speaker_channels", [("1", 0), ("2", 0), ("1", 4)])
def test_generator_inference_in_channels_last_matches_the_plain_layout(resblock, speaker_channels):
    torch.manual_seed(0)
    base = HiFiGANConfig.v1() if resblock == "1" else HiFiGANConfig.v3()
    config = dataclasses.replace(base, upsample_initial_channel=32, speaker_channels=speaker_channels)
    generator = Generator(config).eval()
    mel = torch.randn(2, 80, 6)
    speaker = torch.randn(2, 4, 1) if speaker_channels else None
    plain = generator(mel, speaker).detach()          # autograd on: the plain [B, C, T] path
    with torch.no_grad():
        fast = generator(mel, speaker)                  # inference on a CPU: the channels-last path
    assert fast.shape == (2, 1, 6 * 256) and fast.is_contiguous()
    torch.testing.assert_close(fast, plain, atol=1e-5, rtol=1e-4)
    assert generator.remove_weight_norm().has_weight_norm is False
    with torch.no_grad():
        torch.testing.assert_close(generator(mel, speaker), plain, atol=1e-5, rtol=1e-4)
