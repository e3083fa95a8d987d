"""Shared nn blocks: relative attention, text encoder, duration predictor, WaveNet."""

import math

import pytest
import torch

from course_lib.models.summary import count_parameters
from course_lib.nn.attention import RelativeMultiHeadAttention, relative_attention
from course_lib.nn.duration import DurationPredictor, duration_loss, log_duration_target
from course_lib.nn.layers import ChannelLayerNorm, ConvReluNorm
from course_lib.nn.text_encoder import TextEncoder, TextEncoderConfig
from course_lib.nn.wavenet import WaveNet

torch.set_num_threads(1)


def naive_relative_attention(q, k, v, rel_k, rel_v, window):
    """Loop version of the formula: logits_ij = q_i·(k_j + r^K_{j-i})/√D, out_i = Σ p_ij (v_j + r^V_{j-i})."""
    b, h, t, d = q.shape
    out = torch.zeros_like(q)
    for bi in range(b):
        for hi in range(h):
            for i in range(t):
                logits = []
                for j in range(t):
                    off = j - i
                    rk = rel_k[0, off + window] if abs(off) <= window else torch.zeros(d)
                    logits.append(q[bi, hi, i] @ (k[bi, hi, j] + rk) / math.sqrt(d))
                p = torch.softmax(torch.stack(logits), 0)
                for j in range(t):
                    off = j - i
                    rv = rel_v[0, off + window] if abs(off) <= window else torch.zeros(d)
                    out[bi, hi, i] += p[j] * (v[bi, hi, j] + rv)
    return out


@pytest.mark.parametrize("t", [1, 2, 3, 7, 11])
def test_relative_attention_matches_loop(t):
    g = torch.Generator().manual_seed(0)
    window, d = 2, 4
    q, k, v = (torch.randn(1, 2, t, d, generator=g) for _ in range(3))
    rel_k, rel_v = (torch.randn(1, 2 * window + 1, d, generator=g) for _ in range(2))
    mask = torch.ones(1, 1, t, t)
    got = relative_attention(q, k, v, rel_k, rel_v, mask)
    torch.testing.assert_close(got, naive_relative_attention(q, k, v, rel_k, rel_v, window), atol=1e-5, rtol=1e-5)


def test_relative_attention_backpropagates_through_the_diagonals():
    g = torch.Generator().manual_seed(1)
    window, d, t = 2, 4, 6
    q, k, v = (torch.randn(1, 2, t, d, generator=g, dtype=torch.float64, requires_grad=True) for _ in range(3))
    rel_k, rel_v = (torch.randn(1, 2 * window + 1, d, generator=g, dtype=torch.float64, requires_grad=True)
                    for _ in range(2))
    mask = torch.ones(1, 1, t, t, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda *x: relative_attention(*x, mask), (q, k, v, rel_k, rel_v))


def test_attention_ignores_padding():
    attn = RelativeMultiHeadAttention(8, 8, 2, window_size=4).eval()
    x = torch.randn(1, 8, 6)
    full = attn(x[:, :, :4], torch.ones(1, 1, 4))
    padded = attn(x, torch.tensor([[[1.0, 1, 1, 1, 0, 0]]]))
    torch.testing.assert_close(padded[:, :, :4], full, atol=1e-5, rtol=1e-5)


def test_channel_layer_norm_normalises_each_frame():
    y = ChannelLayerNorm(16)(torch.randn(2, 16, 5) * 3 + 1)
    torch.testing.assert_close(y.mean(1), torch.zeros(2, 5), atol=1e-5, rtol=0)
    torch.testing.assert_close(y.var(1, unbiased=False), torch.ones(2, 5), atol=1e-3, rtol=0)


def test_prenet_is_identity_at_init():
    net = ConvReluNorm(8, 8, 8, 5, 3, 0.5)
    x, mask = torch.randn(2, 8, 6), torch.ones(2, 1, 6)
    torch.testing.assert_close(net(x, mask), x)


@pytest.mark.parametrize(
    "n_vocab,encoder_total", [(148, 7_199_953), (149, 7_200_145)]
)
def test_glow_tts_encoder_parameter_counts(n_vocab, encoder_total):
    """REFERENCE.md §2: Glow-TTS encoder (incl. DP) 7,199,953 at 148; Grad-TTS encoder 7,200,145 at 149."""
    with torch.device("meta"):
        encoder = TextEncoder(TextEncoderConfig.paper(n_vocab))
        dp = DurationPredictor(192, 256, 3, 0.1)
    assert count_parameters(dp) == 345_857
    assert count_parameters(encoder.embedding) == n_vocab * 192
    assert count_parameters(encoder.prenet) == 591_744
    assert count_parameters(encoder.transformer) == 6_218_496
    assert count_parameters(encoder) + count_parameters(dp) == encoder_total


def test_vits_text_encoder_parameter_count():
    with torch.device("meta"):
        assert count_parameters(TextEncoder(TextEncoderConfig.vits(178))) == 6_326_784


def test_text_encoder_shapes_padding_and_errors():
    cfg = TextEncoderConfig.tiny(n_vocab=20, out_channels=6).replace(mean_only=False)
    enc = TextEncoder(cfg).eval()
    tokens = torch.randint(1, 20, (2, 9))
    lengths = torch.tensor([9, 5])
    out = enc(tokens, lengths)
    assert out.prior_mean.shape == out.prior_log_std.shape == (2, 6, 9)
    assert out.hidden.shape == (2, cfg.hidden_channels, 9)
    assert out.prior_mean[1, :, 5:].abs().max() == 0
    alone = enc(tokens[1:, :5], lengths[1:])
    torch.testing.assert_close(alone.prior_mean, out.prior_mean[1:, :, :5], atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="n_vocab"):
        enc(torch.full((1, 3), 25), torch.tensor([3]))
    with pytest.raises(ValueError, match="divisible"):
        TextEncoderConfig(channels=10, n_heads=3)


def test_duration_predictor_learns_and_masks():
    torch.manual_seed(0)
    dp = DurationPredictor(4, 16, 3, 0.0)
    x = torch.randn(2, 4, 5)
    mask = torch.tensor([[[1.0] * 5], [[1.0] * 3 + [0.0] * 2]])
    target = log_duration_target(torch.randint(1, 8, (2, 1, 5)), mask)
    opt = torch.optim.Adam(dp.parameters(), 1e-2)
    first = None
    for _ in range(60):
        loss = duration_loss(dp(x, mask), target, mask)
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1 * first
    assert dp(x, mask)[1, :, 3:].abs().max() == 0


def test_wavenet_masks_conditions_and_removes_weight_norm():
    torch.manual_seed(0)
    wn = WaveNet(8, 5, 2, 3, cond_channels=4).eval()
    x = torch.randn(2, 8, 10)
    mask = torch.ones(2, 1, 10)
    mask[1, :, 6:] = 0
    cond = torch.randn(2, 4, 1)
    y = wn(x, mask, cond)
    assert y.shape == (2, 8, 10) and y[1, :, 6:].abs().max() == 0
    assert not torch.allclose(y, wn(x, mask, torch.randn(2, 4, 1)))
    n_before = count_parameters(wn)
    wn.remove_weight_norm()
    torch.testing.assert_close(wn(x, mask, cond), y, atol=1e-5, rtol=1e-5)
    assert count_parameters(wn) < n_before
    with pytest.raises(ValueError, match="cond_channels"):
        WaveNet(8, 5, 1, 2)(x, mask, cond)


def test_wavenet_glow_tts_coupling_size():
    """REFERENCE.md §2: the 4-layer WN inside one Glow-TTS coupling (hidden 192, k5)."""
    with torch.device("meta"):
        assert count_parameters(WaveNet(192, 5, 1, 4, 0, 0.05)) == 1_738_368
