"""Monotonic alignment search (MAS; Kim et al. 2020, Glow-TTS §3.2) and path utilities.

Given a log-likelihood matrix ``L[i, j] = log N(z_j; μ_i, σ_i)`` of mel frame ``j``
under text token ``i``'s prior, MAS finds the monotonic, surjective alignment —
every frame assigned to exactly one token, tokens visited in order, none skipped,
each token at least one frame — that maximises ``Σ_j L[a(j), j]``.

Dynamic programme (``Q[i, j]``: best score of frames ``0..j`` ending on token ``i``)::

    Q[0, 0] = L[0, 0]
    Q[i, j] = L[i, j] + max(Q[i, j-1],        # stay on token i
                            Q[i-1, j-1])      # or arrive from token i-1

only on the feasible band ``i ≤ j ≤ T_mel - T_text + i`` (enough frames before
and after). Backtrack from ``(T_text-1, T_mel-1)``: at frame ``j`` on token ``i``
step back to ``i-1`` when forced (``i == j``) or when ``Q[i-1, j-1] > Q[i, j-1]``
(ties stay).

Two implementations, bit-identical on float32 input: :func:`maximum_path_reference`
(plain Python loops, the recurrence as written) and :func:`maximum_path_fast`
(numba, compiled, parallel over the batch). :func:`monotonic_alignment_search`
wraps them for torch tensors.

Layout: ``[B, T_text, T_mel]`` for likelihoods and paths (``path[b, i, j] = 1``
when frame ``j`` belongs to token ``i``); masks ``[B, 1, T]``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
import torch

from course_lib.framing import MAX_SYNTHESIS_FRAMES, refuse_overlong
from course_lib.nn.masks import sequence_mask

# numba's default threading layer here is OpenMP; its worker threads keep spinning after
# each MAS call and fight torch's own OpenMP pool — measured 5–50× slower training steps
# on 2 cores. The work-queue layer sleeps between calls. (An explicit env choice wins.)
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

# ---------------------------------------------------------------------------
# The reference: the recurrence above, cell by cell
# ---------------------------------------------------------------------------


def _check_lengths(t_text: int, t_mel: int, index: int) -> None:
    if t_mel < t_text:
        raise ValueError(
            f"utterance {index}: {t_text} tokens but only {t_mel} frames — MAS needs at least one frame "
            "per token; drop such utterances from the data (or disable add_blank, which doubles the tokens)"
        )


def best_path_scores(log_likelihood: np.ndarray) -> np.ndarray:
    """The DP table ``Q [T_text, T_mel]`` of one utterance (``-inf`` outside the feasible band).

    ``Q[i, j]`` is the best total log-likelihood of frames ``0..j`` with frame ``j``
    on token ``i``; ``Q[-1, -1]`` is the score of the best path. Same dtype as the input,
    so the sums round exactly as in the fast version.
    """
    t_text, t_mel = log_likelihood.shape
    best = np.full_like(log_likelihood, -np.inf)
    for i in range(t_text):
        for j in range(i, t_mel - t_text + i + 1):  # feasible band only
            if i == 0:
                came_from = best[0, j - 1] if j > 0 else 0
            elif j == i:  # diagonal: cannot have stayed on token i
                came_from = best[i - 1, j - 1]
            else:
                came_from = max(best[i, j - 1], best[i - 1, j - 1])
            best[i, j] = log_likelihood[i, j] + came_from
    return best


def backtrack(best: np.ndarray) -> np.ndarray:
    """The path behind a table from :func:`best_path_scores`: int32 ``[T_text, T_mel]``."""
    t_text, t_mel = best.shape
    path = np.zeros((t_text, t_mel), dtype=np.int32)
    i = t_text - 1
    for j in range(t_mel - 1, -1, -1):
        path[i, j] = 1
        if i > 0 and (i == j or best[i, j - 1] < best[i - 1, j - 1]):
            i -= 1
    return path


def maximum_path_reference(log_likelihood: np.ndarray, text_lengths: np.ndarray, mel_lengths: np.ndarray) -> np.ndarray:
    """Readable MAS. ``log_likelihood [B, T_text, T_mel]``, lengths ``[B]`` -> int32 path ``[B, T_text, T_mel]``."""
    log_likelihood = np.asarray(log_likelihood)
    paths = np.zeros(log_likelihood.shape, dtype=np.int32)
    for b, (t_text, t_mel) in enumerate(zip(np.asarray(text_lengths), np.asarray(mel_lengths))):
        t_text, t_mel = int(t_text), int(t_mel)
        if t_text == 0 or t_mel == 0:
            continue
        _check_lengths(t_text, t_mel, b)
        paths[b, :t_text, :t_mel] = backtrack(best_path_scores(log_likelihood[b, :t_text, :t_mel]))
    return paths


# ---------------------------------------------------------------------------
# The fast version: the same loops compiled by numba, one utterance per thread
# ---------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, boundscheck=False)
def _path_fast_one(log_likelihood, best_t, path, t_text, t_mel):  # pragma: no cover - compiled
    # Frame by frame: column j needs only column j-1, so the loop over tokens has no
    # dependency chain and reads/writes the frames-major scratch ``best_t[j, i]``
    # contiguously (the row-by-row order of the reference waits on every cell it adds).
    best_t[0, 0] = log_likelihood[0, 0]
    for j in range(1, t_mel):
        lo = max(0, t_text - t_mel + j)
        hi = min(t_text - 1, j)
        if lo == 0:  # token 0 can only have stayed
            best_t[j, 0] = log_likelihood[0, j] + best_t[j - 1, 0]
            lo = 1
        if hi == j:  # diagonal: can only have arrived
            best_t[j, j] = log_likelihood[j, j] + best_t[j - 1, j - 1]
            hi = j - 1
        for i in range(lo, hi + 1):
            stay = best_t[j - 1, i]
            move = best_t[j - 1, i - 1]
            best_t[j, i] = log_likelihood[i, j] + (stay if stay >= move else move)
    i = t_text - 1
    for j in range(t_mel - 1, -1, -1):
        path[i, j] = 1
        if i > 0 and (i == j or best_t[j - 1, i] < best_t[j - 1, i - 1]):
            i -= 1


@numba.njit(cache=True, parallel=True, boundscheck=False)
def _path_fast_batch(log_likelihood, best_t, paths, text_lengths, mel_lengths):  # pragma: no cover - compiled
    for b in numba.prange(log_likelihood.shape[0]):
        paths[b, :, :] = 0
        if text_lengths[b] > 0 and mel_lengths[b] > 0:
            _path_fast_one(log_likelihood[b], best_t[b], paths[b], text_lengths[b], mel_lengths[b])


def maximum_path_fast(
    log_likelihood: np.ndarray, text_lengths: np.ndarray, mel_lengths: np.ndarray, dtype=np.int32
) -> np.ndarray:
    """Compiled MAS, same contract and same paths as :func:`maximum_path_reference`.

    ``dtype`` of the returned 0/1 path (float32 lets the torch wrapper skip a conversion pass).
    """
    log_likelihood = np.ascontiguousarray(log_likelihood)
    if log_likelihood.dtype not in (np.float32, np.float64):
        log_likelihood = log_likelihood.astype(np.float32)
    text_lengths = np.asarray(text_lengths, dtype=np.int64)
    mel_lengths = np.asarray(mel_lengths, dtype=np.int64)
    for b, (t_text, t_mel) in enumerate(zip(text_lengths, mel_lengths)):
        if t_text > 0:
            _check_lengths(int(t_text), int(t_mel), b)
    batch, max_text, max_mel = log_likelihood.shape
    if (text_lengths > max_text).any() or (mel_lengths > max_mel).any():
        raise ValueError("lengths exceed the log-likelihood matrix: expected [B, T_text, T_mel] with lengths ≤ T")
    best_t = np.empty((batch, max_mel, max_text), dtype=log_likelihood.dtype)  # only the feasible band is used
    paths = np.empty(log_likelihood.shape, dtype=dtype)
    _path_fast_batch(log_likelihood, best_t, paths, text_lengths, mel_lengths)
    return paths


# ---------------------------------------------------------------------------
# Torch side: likelihoods, masks, durations, expansion
# ---------------------------------------------------------------------------


def gaussian_log_likelihood_matrix(z: torch.Tensor, prior_mean: torch.Tensor, prior_log_std: torch.Tensor) -> torch.Tensor:
    """``log N(z_j; μ_i, diag σ_i²)`` for every (token, frame) pair -> ``[B, T_text, T_mel]``.

    ``z [B, C, T_mel]``, ``prior_mean``/``prior_log_std`` ``[B, C, T_text]``. Expanding
    the square ``-(z-μ)²/2σ²`` splits the sum over channels into four terms, three of
    them matrix products, so no ``[B, C, T_text, T_mel]`` tensor is ever built
    (Glow-TTS ``logp1 … logp4``)::

        Σ_c [-½log 2π - log σ]  -  ½ (σ⁻²)ᵀ z²  +  (μ σ⁻²)ᵀ z  -  ½ Σ_c μ² σ⁻²
    """
    inv_var = torch.exp(-2.0 * prior_log_std)  # [B, C, T_text]
    const = torch.sum(-0.5 * np.log(2 * np.pi) - prior_log_std, dim=1).unsqueeze(-1)  # [B, T_text, 1]
    square = inv_var.transpose(1, 2) @ (-0.5 * z * z)  # [B, T_text, C] @ [B, C, T_mel]
    cross = (prior_mean * inv_var).transpose(1, 2) @ z  # [B, T_text, C] @ [B, C, T_mel]
    mean_term = torch.sum(-0.5 * prior_mean**2 * inv_var, dim=1).unsqueeze(-1)  # [B, T_text, 1]
    return const + square + cross + mean_term


@torch.no_grad()
def monotonic_alignment_search(
    log_likelihood: torch.Tensor,
    text_mask: torch.Tensor,
    mel_mask: torch.Tensor,
    implementation: Literal["fast", "reference"] = "fast",
) -> torch.Tensor:
    """Best monotonic path for ``log_likelihood [B, T_text, T_mel]`` -> float ``[B, T_text, T_mel]`` (no grad).

    ``text_mask [B, 1, T_text]``, ``mel_mask [B, 1, T_mel]`` give the lengths.
    The path is returned on the input's device and dtype.
    """
    if implementation not in ("fast", "reference"):
        raise ValueError(f"implementation must be 'fast' or 'reference', got {implementation!r}")
    text_lengths = text_mask.sum(dim=(1, 2)).long().cpu().numpy()
    mel_lengths = mel_mask.sum(dim=(1, 2)).long().cpu().numpy()
    values = log_likelihood.detach().float().cpu().numpy()
    if implementation == "fast":
        path = maximum_path_fast(values, text_lengths, mel_lengths, dtype=np.float32)
    else:
        path = maximum_path_reference(values, text_lengths, mel_lengths)
    return torch.from_numpy(path).to(device=log_likelihood.device, dtype=log_likelihood.dtype)


def maximum_likelihood_path(z: torch.Tensor, prior_mean: torch.Tensor, prior_log_std: torch.Tensor,
                            text_mask: torch.Tensor, frame_mask: torch.Tensor) -> torch.Tensor:
    """MAS on ``log N(z; μ, σ)``: the training step of Glow-TTS (z = the flow-mapped mel), Grad-TTS (z = the mel,
    σ = 1) and VITS (z = z_p). ``z [B, C, T_frames]``, ``prior_*`` ``[B, C, T_text]``, masks ``[B, 1, T]`` →
    path ``[B, T_text, T_frames]`` in ``z``'s dtype.

    No gradient, and float32 even under mixed precision: near-ties in bf16 would pick another path.
    """
    with torch.no_grad(), torch.autocast(device_type=z.device.type, enabled=False):
        log_likelihood = gaussian_log_likelihood_matrix(z.float(), prior_mean.float(), prior_log_std.float())
        return monotonic_alignment_search(log_likelihood, text_mask, frame_mask).to(z.dtype)


def durations_from_path(path: torch.Tensor) -> torch.Tensor:
    """Frames per token: ``path [B, T_text, T_mel]`` -> ``[B, T_text]`` (same dtype as ``path``)."""
    return path.sum(dim=-1)


def check_synthesis_length(mel_lengths: torch.Tensor, max_frames: int = MAX_SYNTHESIS_FRAMES,
                           knobs: str = "the length scale") -> int:
    """The longest of ``mel_lengths [B]`` (frames, integer or float), refused above ``max_frames`` as
    :func:`course_lib.framing.refuse_overlong` says."""
    return refuse_overlong(float(mel_lengths.detach().float().max()), max_frames, knobs)


def frame_lengths(durations: torch.Tensor, max_frames: int = MAX_SYNTHESIS_FRAMES, multiple: int = 1,
                  knobs: str = "the length scale") -> tuple[torch.Tensor, int]:
    """Frames per utterance of predicted ``durations [B, T_text]`` (masked, integer-valued floats), checked by
    :func:`check_synthesis_length` *before* any integer cast — a huge length scale cannot wrap round into a short
    or negative length. Returns ``(lengths [B] long, the longest)``: at least ``multiple`` frames each, rounded
    down to a multiple of it (Glow-TTS's squeeze)."""
    totals = durations.detach().float().sum(-1)
    check_synthesis_length(totals, max_frames, knobs)
    lengths = (totals.long() // multiple * multiple).clamp_min(multiple)
    return lengths, int(lengths.max())


def check_length_scale(length_scale: float) -> float:
    """``length_scale`` as a float; a ValueError unless it is finite and > 0."""
    length_scale = float(length_scale)
    if not (length_scale > 0 and math.isfinite(length_scale)):
        raise ValueError(f"length_scale must be a finite number > 0 (1 = trained pace, >1 slower), got {length_scale}")
    return length_scale


def durations_from_log(log_durations: torch.Tensor, text_mask: torch.Tensor, length_scale: float = 1.0,
                       rounding: Literal["ceil", "round"] = "ceil") -> torch.Tensor:
    """Predicted log frames per token ``[B, 1, T_text]`` → frames ``[B, T_text]`` (integer-valued floats, 0 on
    padding; unbounded until :func:`frame_lengths` checks them), scaled by ``length_scale`` (> 1 slower).

    ``"ceil"`` rounds up, as the official Glow-TTS, Grad-TTS and VITS code do (every token gets ≥ 1 frame);
    ``"round"`` rounds to the nearest frame, at least 1 — the course's CVAE, whose predictor is fitted to the
    true durations in the log domain: rounding up would lengthen every token by half a frame on average.
    """
    frames = torch.exp(log_durations) * check_length_scale(length_scale)
    if rounding == "ceil":
        frames = torch.ceil(frames)
    elif rounding == "round":
        frames = torch.round(frames).clamp_min(1.0)
    else:
        raise ValueError(f"rounding must be 'ceil' or 'round', got {rounding!r}")
    return (frames * text_mask)[:, 0]


@dataclass(frozen=True)
class FramePlan:
    """The frames an utterance will have, from its durations: ``durations [B, T_text]`` (masked),
    ``lengths [B]``, ``mask [B, 1, T_frames]`` and the hard alignment ``path [B, T_text, T_frames]``."""

    durations: torch.Tensor
    lengths: torch.Tensor
    mask: torch.Tensor
    path: torch.Tensor

    def expand(self, stats: torch.Tensor) -> torch.Tensor:
        """Per-token ``stats [B, C, T_text]`` → per-frame ``[B, C, T_frames]`` along the path."""
        return expand_to_frames(stats, self.path)


def plan_frames(durations: torch.Tensor, text_mask: torch.Tensor, max_frames: int = MAX_SYNTHESIS_FRAMES,
                multiple: int = 1, knobs: str = "the length scale") -> FramePlan:
    """Durations ``[B, T_text]`` (predicted or given) → :class:`FramePlan` — the inference tail every model shares:
    lengths checked before any integer cast (:func:`frame_lengths`: ``multiple`` for Glow-TTS's squeeze, ``knobs``
    names what to lower when too long), the frame mask in the text mask's dtype, the path."""
    durations = durations.to(text_mask.dtype) * text_mask[:, 0]
    lengths, longest = frame_lengths(durations, max_frames, multiple, knobs)
    mask = sequence_mask(lengths, longest).to(text_mask.dtype)
    return FramePlan(durations=durations, lengths=lengths, mask=mask, path=path_from_durations(durations, text_mask, mask))


def path_from_durations(durations: torch.Tensor, text_mask: torch.Tensor, mel_mask: torch.Tensor) -> torch.Tensor:
    """Hard alignment from integer durations (Glow-TTS ``generate_path``).

    ``durations [B, T_text]`` (frames per token, integer-valued), masks ``[B, 1, T]``
    -> path ``[B, T_text, T_mel]``: token ``i`` owns frames
    ``[cumsum_{i-1}, cumsum_i)``, cut at the mel mask.
    """
    b, t_text = durations.shape
    t_mel = mel_mask.shape[-1]
    ends = torch.cumsum(durations * text_mask[:, 0], dim=-1)  # [B, T_text]
    upto_end = sequence_mask(ends.reshape(-1).long(), t_mel).view(b, t_text, t_mel)  # frames < end_i
    upto_start = torch.nn.functional.pad(upto_end, (0, 0, 1, 0))[:, :-1]  # frames < end_{i-1}
    path = upto_end - upto_start
    return path * text_mask.transpose(1, 2) * mel_mask


def expand_to_frames(stats: torch.Tensor, path: torch.Tensor) -> torch.Tensor:
    """Copy each token's statistics to its frames: ``[B, C, T_text]`` × path ``[B, T_text, T_mel]`` -> ``[B, C, T_mel]``."""
    return stats @ path.to(stats.dtype)  # [B, C, T_text] @ [B, T_text, T_mel]


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

    Grad-TTS trains its decoder on 2-second windows (172 frames) to fit a larger
    batch (Diff-TTS's tiny config does the same); MAS and the duration loss still see
    whole utterances. Utterances
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
