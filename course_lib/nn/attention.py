"""Self-attention with relative-position embeddings, and the transformer built on it.

The text encoders of Glow-TTS, VITS and Grad-TTS share this block: a stack of
post-LayerNorm transformer layers whose attention adds *relative* position
information (Shaw et al. 2018) within a window of ±``window_size`` tokens,
both to the attention logits (``rel_key``) and to the attended values
(``rel_value``). Offsets further than the window contribute nothing — so the
same weights work for any text length. The feed-forward part uses kernel-3
convolutions instead of position-wise linears, giving each layer a little local
context.

Shapes: ``x [B, C, T]`` (channels first), ``mask [B, 1, T]``;
inside attention ``[B, H, T, D]`` with ``H`` heads of ``D = C / H`` channels.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from course_lib.nn.layers import ChannelLayerNorm


def relative_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    rel_key: torch.Tensor,
    rel_value: torch.Tensor,
    mask: torch.Tensor,
    dropout: nn.Module | None = None,
) -> torch.Tensor:
    """Scaled dot-product self-attention with relative keys and values.

    ``query, key, value [B, H, T, D]``; ``rel_key, rel_value [S, 2w+1, D]``: the embeddings of the offsets
    ``-w … w`` (``S`` = 1 when heads share them, else ``H``); a farther offset has none. ``mask [B, 1, T, T]``
    (1 = may attend). Returns ``[B, H, T, D]``.

    logits_ij = q_i·k_j/√D + q_i·r^K_{j-i}/√D ;  out_i = Σ_j p_ij (v_j + r^V_{j-i})

    The relative terms live on the 2w+1 diagonals ``j - i = o`` of the ``T × T`` scores, so they are added
    diagonal by diagonal: their cost grows with ``T·w``, not ``T²`` (a paragraph of thousands of tokens).
    """
    d, t = query.shape[-1], query.shape[-2]
    window = (rel_key.shape[-2] - 1) // 2
    query = query / math.sqrt(d)
    scores = query @ key.transpose(-2, -1)  # [B, H, T, D] @ [B, H, D, T] -> [B, H, T, T]
    rel_logits = query @ rel_key.unsqueeze(0).transpose(-2, -1)  # [B, H, T, D] @ [1, S, D, 2w+1] -> [B, H, T, 2w+1]
    offsets = range(-min(window, t - 1), min(window, t - 1) + 1)
    for offset in offsets:  # row i of diagonal `offset` is query i's logit for key i + offset
        rows = slice(max(0, -offset), t - max(0, offset))
        scores.diagonal(offset, -2, -1).add_(rel_logits[..., rows, window + offset])
    scores = scores.masked_fill(mask == 0, -1e4)  # large negative, fp16-safe
    weights = torch.softmax(scores, dim=-1)
    if dropout is not None:
        weights = dropout(weights)
    out = weights @ value  # [B, H, T, T] @ [B, H, T, D] -> [B, H, T, D]
    for offset in offsets:
        rows = slice(max(0, -offset), t - max(0, offset))
        out[..., rows, :] += weights.diagonal(offset, -2, -1).unsqueeze(-1) * rel_value[:, window + offset, None]
    return out


class RelativeMultiHeadAttention(nn.Module):
    """Multi-head self-attention with relative key/value embeddings (window ±``window_size``).

    1×1 convolutions make queries, keys, values and the output; the relative
    embeddings are shared by all heads (as in Glow-TTS/VITS) and start at
    N(0, D^-½).
    """

    def __init__(self, channels: int, out_channels: int, n_heads: int, window_size: int = 4, dropout: float = 0.0) -> None:
        super().__init__()
        if channels % n_heads:
            raise ValueError(f"channels ({channels}) must be divisible by n_heads ({n_heads})")
        if window_size < 0:
            raise ValueError(f"window_size must be >= 0, got {window_size}")
        self.n_heads = n_heads
        self.head_channels = channels // n_heads
        self.window_size = window_size
        self.conv_q = nn.Conv1d(channels, channels, 1)
        self.conv_k = nn.Conv1d(channels, channels, 1)
        self.conv_v = nn.Conv1d(channels, channels, 1)
        self.conv_o = nn.Conv1d(channels, out_channels, 1)
        std = self.head_channels**-0.5
        self.rel_key = nn.Parameter(torch.randn(1, 2 * window_size + 1, self.head_channels) * std)
        self.rel_value = nn.Parameter(torch.randn(1, 2 * window_size + 1, self.head_channels) * std)
        self.dropout = nn.Dropout(dropout)
        for conv in (self.conv_q, self.conv_k, self.conv_v):
            nn.init.xavier_uniform_(conv.weight)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        b, c, t = x.shape
        return x.view(b, self.n_heads, self.head_channels, t).transpose(2, 3)  # [B, C, T] -> [B, H, T, D]

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x [B, C, T]``, ``mask [B, 1, T]`` -> ``[B, C_out, T]``."""
        b, c, t = x.shape
        attn_mask = mask.unsqueeze(2) * mask.unsqueeze(-1)  # [B, 1, T, T]
        query, key, value = (self._split_heads(conv(x)) for conv in (self.conv_q, self.conv_k, self.conv_v))
        out = relative_attention(
            query,
            key,
            value,
            self.rel_key,
            self.rel_value,
            attn_mask,
            self.dropout,
        )
        out = out.transpose(2, 3).reshape(b, c, t)  # [B, H, T, D] -> [B, C, T]
        return self.conv_o(out)


class ConvFeedForward(nn.Module):
    """Transformer feed-forward with convolutions: conv k -> ReLU -> dropout -> conv k (masked)."""

    def __init__(self, channels: int, filter_channels: int, kernel_size: int, dropout: float) -> None:
        super().__init__()
        self.conv_1 = nn.Conv1d(channels, filter_channels, kernel_size, padding=kernel_size // 2)
        self.conv_2 = nn.Conv1d(filter_channels, channels, kernel_size, padding=kernel_size // 2)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``[B, C, T]`` -> ``[B, C, T]``; padding is zeroed before each conv so it never leaks in."""
        x = self.dropout(torch.relu(self.conv_1(x * mask)))
        return self.conv_2(x * mask) * mask


class RelativeTransformer(nn.Module):
    """``n_layers`` × [relative self-attention, add & LayerNorm, conv FFN, add & LayerNorm] (post-norm)."""

    def __init__(
        self,
        channels: int,
        filter_channels: int,
        n_heads: int,
        n_layers: int,
        kernel_size: int = 3,
        dropout: float = 0.1,
        window_size: int = 4,
    ) -> None:
        super().__init__()
        self.attn_layers = nn.ModuleList()
        self.norms_1 = nn.ModuleList()
        self.ffn_layers = nn.ModuleList()
        self.norms_2 = nn.ModuleList()
        for _ in range(n_layers):
            self.attn_layers.append(RelativeMultiHeadAttention(channels, channels, n_heads, window_size, dropout))
            self.norms_1.append(ChannelLayerNorm(channels))
            self.ffn_layers.append(ConvFeedForward(channels, filter_channels, kernel_size, dropout))
            self.norms_2.append(ChannelLayerNorm(channels))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``x [B, C, T]``, ``mask [B, 1, T]`` -> ``[B, C, T]`` (zero on padding)."""
        for attn, norm_1, ffn, norm_2 in zip(self.attn_layers, self.norms_1, self.ffn_layers, self.norms_2):
            x = x * mask
            x = norm_1(x + self.dropout(attn(x, mask)))
            x = norm_2(x + self.dropout(ffn(x, mask)))
        return x * mask
