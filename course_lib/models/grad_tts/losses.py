"""Grad-TTS's encoder-side losses and the random decoder windows, as pure functions.

Shapes: ``y`` (target log-mel) ``[B, F, T_mel]``; ``prior_mean`` per token
``[B, F, T_text]``; aligned ``mu_y [B, F, T_mel]``; masks ``[B, 1, T]``;
``path [B, T_text, T_mel]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from course_lib.nn.masks import sequence_mask


def prior_loss(y: torch.Tensor, mu_y: torch.Tensor, mel_mask: torch.Tensor) -> torch.Tensor:
    """Gaussian negative log-likelihood of the mel around the aligned prior mean, per element.

    ``mean over real frames and bins of ½ (y − μ_y)² + ½ log 2π`` — Grad-TTS's
    ``L_enc`` (eq. 14 of the paper), i.e. ``−log N(y; μ_y, I)``.

    Why a likelihood of the *mel* under the *encoder's* output, in a model whose
    decoder is a diffusion?  Three reasons that go together:

    1. The reverse diffusion starts from ``N(μ_y, I)``; the closer ``μ_y`` is to
       the mel, the less the decoder has to move — the paper's preference test
       found a ``N(0, I)`` start worse in 94 % of comparisons at 10 steps.
    2. Monotonic alignment search scores each token–frame pair by exactly this
       likelihood (``log N(y_j; μ_i, I)``), so MAS and the loss agree on what a
       good alignment is, as in Glow-TTS (with the flow replaced by the identity).
    3. Nothing else would make ``μ`` look like a mel: the diffusion loss only
       uses ``μ`` as conditioning, so without this term the encoder output (and
       with it the alignment) could drift anywhere.

    With identity covariance it is an MSE plus the constant ``½ log 2π ≈ 0.919``
    — which is why it never drops below ≈ 0.92 and sits near 1.1–1.5 when trained.
    """
    squared = 0.5 * (y - mu_y) ** 2 + 0.5 * math.log(2 * math.pi)
    expanded = mel_mask.expand_as(squared)
    return (squared * expanded).sum() / expanded.sum().clamp_min(1.0)


@dataclass(frozen=True)
class Windows:
    """Random decoder windows: ``y [B, F, W]``, ``path [B, T_text, W]``, ``mask [B, 1, W]``, ``starts [B]``."""

    y: torch.Tensor
    path: torch.Tensor
    mask: torch.Tensor
    starts: torch.Tensor


def random_windows(
    y: torch.Tensor,
    path: torch.Tensor,
    mel_lengths: torch.Tensor,
    window: int,
    generator: torch.Generator | None = None,
) -> Windows:
    """Cut one random ``window``-frame slice per utterance from the mel and its alignment.

    Grad-TTS trains the decoder on 2-second windows (172 frames) to fit a larger
    batch; MAS and the duration loss still see whole utterances. Utterances
    shorter than the window are taken whole and masked beyond their end. The
    start is uniform over ``0 … length − window``.
    """
    batch = y.shape[0]
    max_start = (mel_lengths - window).clamp_min(0)  # [B]
    gen_device = generator.device if generator is not None else y.device
    uniform = torch.rand(batch, generator=generator, device=gen_device).to(y.device)
    starts = torch.floor(uniform * (max_start + 1).to(uniform.dtype)).long().clamp_max(max_start)
    frames = starts[:, None] + torch.arange(window, device=y.device)[None, :]  # [B, W]
    valid_lengths = (mel_lengths - starts).clamp(max=window)
    mask = sequence_mask(valid_lengths, window).to(y.dtype)  # [B, 1, W]
    index = frames.clamp_max(y.shape[-1] - 1)
    y_win = torch.gather(y, 2, index[:, None, :].expand(-1, y.shape[1], -1)) * mask
    path_win = torch.gather(path, 2, index[:, None, :].expand(-1, path.shape[1], -1)) * mask
    return Windows(y=y_win, path=path_win, mask=mask, starts=starts)
