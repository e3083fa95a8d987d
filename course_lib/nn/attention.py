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


def embeddings_for_length(window_embeddings: torch.Tensor, length: int) -> torch.Tensor:
    """Relative embeddings for every offset ``-(length-1) … length-1``.

    ``window_embeddings [S, 2w+1, D]`` hold offsets ``-w … w``; outside the
    window the embedding is zero (no relative information), inside it is the
    learned one. Returns ``[S, 2·length-1, D]``.
    """
    window = (window_embeddings.shape[1] - 1) // 2
    needed = length - 1
    if needed > window:  # pad zeros for the far offsets
        pad = needed - window
        return nn.functional.pad(window_embeddings, (0, 0, pad, pad))
    start = window - needed
    return window_embeddings[:, start : start + 2 * length - 1]


def _offset_index(length: int, device: torch.device) -> torch.Tensor:
    """``[T, T]`` index of offset ``j - i`` into a table of ``2T-1`` offsets."""
    steps = torch.arange(length, device=device)
    return steps[None, :] - steps[:, None] + (length - 1)


def relative_to_absolute(rel_logits: torch.Tensor) -> torch.Tensor:
    """``[B, H, T, 2T-1]`` indexed by (query ``i``, offset ``j-i``) -> ``[B, H, T, T]`` by (``i``, key ``j``)."""
    b, h, t, _ = rel_logits.shape
    index = _offset_index(t, rel_logits.device).expand(b, h, t, t)
    return rel_logits.gather(-1, index)


def absolute_to_relative(weights: torch.Tensor) -> torch.Tensor:
    """``[B, H, T, T]`` by (``i``, ``j``) -> ``[B, H, T, 2T-1]`` by (``i``, offset ``j-i``); unused offsets are 0."""
    b, h, t, _ = weights.shape
    index = _offset_index(t, weights.device).expand(b, h, t, t)
    return weights.new_zeros(b, h, t, 2 * t - 1).scatter(-1, index, weights)


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

    ``query, key, value [B, H, T, D]``; ``rel_key, rel_value [S, 2T-1, D]``
    (``S`` = 1 when heads share them, else ``H``); ``mask [B, 1, T, T]``
    (1 = may attend). Returns ``[B, H, T, D]``.

    logits_ij = q_i·k_j/√D + q_i·r^K_{j-i}/√D ;  out_i = Σ_j p_ij (v_j + r^V_{j-i})
    """
    d = query.shape[-1]
    query = query / math.sqrt(d)
    scores = query @ key.transpose(-2, -1)  # [B, H, T, D] @ [B, H, D, T] -> [B, H, T, T]
    rel_logits = query @ rel_key.unsqueeze(0).transpose(-2, -1)  # [B, H, T, D] @ [1, S, D, 2T-1] -> [B, H, T, 2T-1]
    scores = scores + relative_to_absolute(rel_logits)
    scores = scores.masked_fill(mask == 0, -1e4)  # large negative, fp16-safe
    weights = torch.softmax(scores, dim=-1)
    if dropout is not None:
        weights = dropout(weights)
    out = weights @ value  # [B, H, T, T] @ [B, H, T, D] -> [B, H, T, D]
    out = out + absolute_to_relative(weights) @ rel_value.unsqueeze(0)  # [B,H,T,2T-1] @ [1,S,2T-1,D]
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
            embeddings_for_length(self.rel_key, t),
            embeddings_for_length(self.rel_value, t),
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
