"""Grad-TTS's score estimator: a small 2-D U-Net over the mel "image".

The mel ``x_t [B, 80, T]`` and the prior mean ``μ [B, 80, T]`` are stacked as two
channels of an ``80 × T`` image (a third channel carries a speaker vector when
there are several speakers). Three resolution levels of width 64/128/256 each
hold two ResNet blocks (3×3 conv, GroupNorm 8, Mish, plus the diffusion-time
embedding added between the convs) and a linear-attention layer with a ReZero
residual; a stride-2 conv halves both axes going down, a 4×4 stride-2 transposed
conv doubles them going up, skip connections join the two paths. Because the
frame axis is halved twice, ``T`` must be a multiple of 4: :func:`pad_to_multiple`
pads (and :class:`ScoreUNet` pads and crops by itself), so any length works.

Facts (sizes, GroupNorm 8, Mish, ReZero, pe_scale 1000, padding to 4) from
Grad-TTS's ``params.py`` and ``model/diffusion.py`` (REFERENCE.md §1.4); the
code is ours. With the defaults the parts hold 3,211,715 (down path) /
1,825,986 (up path) / 2,526,977 (middle) / 33,088 (time MLP) / 37,121 (final)
parameters = 7,634,887, the official decoder.

Two differences from the official code, neither of which changes the parameter
count: GroupNorm statistics and attention keys use real frames only (the
official network lets padded frames into both), so padding a mel — to a
multiple of 4, or beside a longer one in a batch — does not change the score at
its real frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.nn.layers import sinusoidal_embedding


@dataclass(frozen=True)
class PaddedMel:
    """A mel padded on the frame axis: ``x [B, C, T_pad]``, ``mask [B, 1, T_pad]``,
    and ``length`` = the frame count before padding (crop back with ``[..., :length]``)."""

    x: torch.Tensor
    mask: torch.Tensor
    length: int


def pad_to_multiple(x: torch.Tensor, mask: torch.Tensor, multiple: int = 4) -> PaddedMel:
    """Zero-pad ``x [B, C, T]`` and ``mask [B, 1, T]`` on the last axis to a multiple of ``multiple``.

    The U-Net halves the frame axis twice, so Grad-TTS needs ``T % 4 == 0``;
    padded frames are masked out everywhere.
    """
    if multiple < 1:
        raise ValueError(f"multiple must be >= 1, got {multiple}")
    length = x.shape[-1]
    extra = (-length) % multiple
    if extra:
        x = F.pad(x, (0, extra))
        mask = F.pad(mask, (0, extra))
    return PaddedMel(x=x, mask=mask, length=length)


def masked_group_norm(x: torch.Tensor, mask: torch.Tensor, norm: nn.GroupNorm) -> torch.Tensor:
    """GroupNorm of ``x [B, C, F, T]`` with statistics over real frames only (``mask [B, 1, 1, T]``).

    Same affine parameters as ``norm``; equals ``norm(x)`` when nothing is masked. On the CPU that
    case takes the native kernel (the masked statistics cost ~15 % of a U-Net call there); on a
    GPU the check would stall the stream, so it always takes the masked path.
    """
    if x.device.type == "cpu" and bool(mask.all()):
        return norm(x)
    b, c, height, width = x.shape
    groups = norm.num_groups
    xg = x.reshape(b, groups, c // groups, height, width)
    m = mask[:, None]  # [B, 1, 1, 1, T]
    count = (m.sum(dim=(2, 3, 4), keepdim=True) * (c // groups) * height).clamp_min(1.0)
    mean = (xg * m).sum(dim=(2, 3, 4), keepdim=True) / count
    var = (((xg - mean) * m) ** 2).sum(dim=(2, 3, 4), keepdim=True) / count
    normed = ((xg - mean) / torch.sqrt(var + norm.eps)).reshape(b, c, height, width)
    return normed * norm.weight[:, None, None] + norm.bias[:, None, None]


class ConvNormMish(nn.Module):
    """3×3 conv → GroupNorm → Mish on a masked ``[B, C, F, T]`` map (mask ``[B, 1, 1, T]``)."""

    def __init__(self, in_channels: int, out_channels: int, groups: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm = nn.GroupNorm(groups, out_channels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return F.mish(masked_group_norm(self.conv(x * mask), mask, self.norm)) * mask


class ResnetBlock(nn.Module):
    """Two :class:`ConvNormMish` with the time embedding added in between, plus a residual.

    The residual is a 1×1 conv when the width changes, else the identity.
    """

    def __init__(self, in_channels: int, out_channels: int, time_dim: int, groups: int) -> None:
        super().__init__()
        self.time_proj = nn.Linear(time_dim, out_channels)
        self.block1 = ConvNormMish(in_channels, out_channels, groups)
        self.block2 = ConvNormMish(out_channels, out_channels, groups)
        self.residual = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x: torch.Tensor, mask: torch.Tensor, time_emb: torch.Tensor) -> torch.Tensor:
        """``x [B, C_in, F, T]``, ``time_emb [B, time_dim]`` -> ``[B, C_out, F, T]``."""
        h = self.block1(x, mask)
        h = h + self.time_proj(F.mish(time_emb))[:, :, None, None]  # one shift per channel
        h = self.block2(h, mask)
        return h + self.residual(x * mask)


def linear_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
    """Linear attention (Shen et al. 2021 / Katharopoulos et al. 2020 style), cost O(N·d²).

    ``q, k, v [B, H, d, N]`` over N = F·T positions; ``key_mask [B, 1, 1, N]``.
    Keys are softmax-normalised over positions (padded positions get weight 0),
    summarised into a ``d × d`` context per head, which each query reads.
    """
    k = k.masked_fill(key_mask == 0, float("-inf")).softmax(dim=-1)
    context = torch.einsum("bhdn,bhen->bhde", k, v)  # [B, H, d, d]: Σ_n k_dn v_en
    return torch.einsum("bhde,bhdn->bhen", context, q)  # [B, H, d, N]


class ReZeroLinearAttention(nn.Module):
    """``x + g · attention(x)`` with ``g`` a scalar starting at 0 (ReZero, Bachlechner et al. 2020)."""

    def __init__(self, channels: int, heads: int, head_dim: int) -> None:
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Conv2d(channels, 3 * heads * head_dim, 1, bias=False)
        self.to_out = nn.Conv2d(heads * head_dim, channels, 1)
        self.gate = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x [B, C, F, T]``, ``mask [B, 1, 1, T]`` -> ``[B, C, F, T]``."""
        b, _, height, width = x.shape
        # unbind, not qkv[:, i]: its backward stacks the three gradients instead of zero-filling
        # a full-size [B, 3, H, d, F·T] buffer for each of them
        q, k, v = self.to_qkv(x).reshape(b, 3, self.heads, -1, height * width).unbind(1)  # [B, H, d, F·T] each
        key_mask = mask.expand(b, 1, height, width).reshape(b, 1, 1, height * width)
        out = linear_attention(q, k, v, key_mask)
        out = self.to_out(out.reshape(b, -1, height, width))
        return x + self.gate * out


class DownLevel(nn.Module):
    """Two ResNet blocks and attention at one resolution, then (optionally) a stride-2 conv."""

    def __init__(self, in_channels: int, out_channels: int, time_dim: int, groups: int, heads: int,
                 head_dim: int, downsample: bool) -> None:
        super().__init__()
        self.block1 = ResnetBlock(in_channels, out_channels, time_dim, groups)
        self.block2 = ResnetBlock(out_channels, out_channels, time_dim, groups)
        self.attention = ReZeroLinearAttention(out_channels, heads, head_dim)
        self.downsample = nn.Conv2d(out_channels, out_channels, 3, stride=2, padding=1) if downsample else None


class UpLevel(nn.Module):
    """Skip-concatenated input → two ResNet blocks → attention → 4×4 stride-2 transposed conv."""

    def __init__(self, in_channels: int, out_channels: int, time_dim: int, groups: int, heads: int,
                 head_dim: int) -> None:
        super().__init__()
        self.block1 = ResnetBlock(in_channels, out_channels, time_dim, groups)
        self.block2 = ResnetBlock(out_channels, out_channels, time_dim, groups)
        self.attention = ReZeroLinearAttention(out_channels, heads, head_dim)
        self.upsample = nn.ConvTranspose2d(out_channels, out_channels, 4, stride=2, padding=1)


class MidLevel(nn.Module):
    """ResNet block → attention → ResNet block at the coarsest resolution."""

    def __init__(self, channels: int, time_dim: int, groups: int, heads: int, head_dim: int) -> None:
        super().__init__()
        self.block1 = ResnetBlock(channels, channels, time_dim, groups)
        self.attention = ReZeroLinearAttention(channels, heads, head_dim)
        self.block2 = ResnetBlock(channels, channels, time_dim, groups)


class FinalLayer(nn.Module):
    """One more :class:`ConvNormMish` at full resolution, then a 1×1 conv to one channel."""

    def __init__(self, channels: int, groups: int) -> None:
        super().__init__()
        self.block = ConvNormMish(channels, channels, groups)
        self.proj = nn.Conv2d(channels, 1, 1)


@dataclass(frozen=True)
class UNetConfig:
    """Sizes of :class:`ScoreUNet` (defaults = Grad-TTS ``params.py``; its ``n_feats``, ``spk_emb_dim`` →
    ``n_mels``, ``speaker_channels``)."""

    dim: int = 64  # width of the first level; also the time-embedding size
    dim_mults: tuple[int, ...] = (1, 2, 4)
    groups: int = 8  # GroupNorm groups
    attention_heads: int = 4
    attention_head_dim: int = 32
    n_mels: int = 80  # mel bins = image height
    pe_scale: float = 1000.0
    n_speakers: int = 1  # > 1 adds a speaker channel
    speaker_channels: int = 64

    def __post_init__(self) -> None:
        for width in (self.dim * m for m in self.dim_mults):
            if width % self.groups:
                raise ValueError(f"every level width must divide into {self.groups} GroupNorm groups; "
                                 f"dim={self.dim}, dim_mults={self.dim_mults} gives {width}")
        if len(self.dim_mults) < 1:
            raise ValueError("dim_mults needs at least one level")

    @property
    def frame_multiple(self) -> int:
        """The frame count must be a multiple of this (2 per downsampling)."""
        return 2 ** (len(self.dim_mults) - 1)


class ScoreUNet(nn.Module):
    """Estimates the score ``∇ log p_t(x_t | μ)`` of a noisy mel (Grad-TTS decoder network).

    ``forward(x_t [B, F, T], mask [B, 1, T], mu [B, F, T], t [B], speaker [B, E] | None)``
    -> ``[B, F, T]``. Any ``T`` works: frames are padded to a multiple of 4 and
    the output cropped back.
    """

    def __init__(self, config: UNetConfig = UNetConfig()) -> None:
        super().__init__()
        self.config = config
        dim = config.dim
        self.time_mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.Mish(), nn.Linear(4 * dim, dim))
        if config.n_speakers > 1:
            # the speaker vector becomes one more 80-row "image" channel
            self.speaker_mlp = nn.Sequential(
                nn.Linear(config.speaker_channels, 4 * config.speaker_channels), nn.Mish(),
                nn.Linear(4 * config.speaker_channels, config.n_mels))
        in_channels = 2 + (1 if config.n_speakers > 1 else 0)
        widths = [in_channels] + [dim * m for m in config.dim_mults]
        pairs = list(zip(widths[:-1], widths[1:]))
        heads, head_dim, groups = config.attention_heads, config.attention_head_dim, config.groups
        self.downs = nn.ModuleList(
            DownLevel(c_in, c_out, dim, groups, heads, head_dim, downsample=i < len(pairs) - 1)
            for i, (c_in, c_out) in enumerate(pairs))
        self.mid = MidLevel(widths[-1], dim, groups, heads, head_dim)
        # going up: concat(skip, x) has 2·c_out channels and comes back to c_in
        self.ups = nn.ModuleList(
            UpLevel(2 * c_out, c_in, dim, groups, heads, head_dim) for c_in, c_out in reversed(pairs[1:]))
        self.final = FinalLayer(dim, groups)

    def forward(self, x_t: torch.Tensor, mask: torch.Tensor, mu: torch.Tensor, t: torch.Tensor,
                speaker: torch.Tensor | None = None) -> torch.Tensor:
        cfg = self.config
        if (speaker is None) != (cfg.n_speakers <= 1):
            raise ValueError("pass a speaker vector exactly when the U-Net was built with n_speakers > 1 "
                             f"(n_speakers={cfg.n_speakers}, speaker given: {speaker is not None})")
        padded = pad_to_multiple(x_t, mask, cfg.frame_multiple)
        mu = pad_to_multiple(mu, mask, cfg.frame_multiple).x
        x, frame_mask = padded.x, padded.mask
        time_emb = self.time_mlp(sinusoidal_embedding(t, cfg.dim, cfg.pe_scale).to(x.dtype))  # [B, dim]

        channels = [mu, x]
        if speaker is not None:
            channels.append(self.speaker_mlp(speaker)[:, :, None].expand_as(x))
        h = torch.stack(channels, dim=1)  # [B, 2 or 3, F, T]
        masks = [frame_mask[:, :, None, :]]  # [B, 1, 1, T] per resolution

        skips = []
        for level in self.downs:
            m = masks[-1]
            h = level.block1(h, m, time_emb)
            h = level.block2(h, m, time_emb)
            h = level.attention(h, m)
            skips.append(h)
            if level.downsample is not None:
                h = level.downsample(h * m)  # [B, C, F/2, T/2]
                masks.append(m[..., ::2])

        m = masks[-1]
        h = self.mid.block1(h, m, time_emb)
        h = self.mid.attention(h, m)
        h = self.mid.block2(h, m, time_emb)

        for level in self.ups:
            m = masks.pop()
            h = torch.cat([h, skips.pop()], dim=1)
            h = level.block1(h, m, time_emb)
            h = level.block2(h, m, time_emb)
            h = level.attention(h, m)
            h = level.upsample(h * m)  # [B, C, 2F, 2T]

        m = masks[0]
        h = self.final.block(h, m)
        score = (self.final.proj(h * m) * m).squeeze(1)  # [B, F, T_pad]
        return score[..., : padded.length]
