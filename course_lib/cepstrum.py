"""Mel cepstra and the distances between two log-mels: MCD frame by frame, and MCD after DTW.

Cepstra: ``c_1 … c_13`` of each natural-log mel frame by an orthonormal DCT-II (``c_0``,
the loudness, dropped); ``MCD = (10 / ln 10) · √(2 Σ_d (c_d − ĉ_d)²)`` in dB (Kubichek 1993).
Frame by frame for a vocoder's resynthesis (same length as the original); along the
cheapest monotonic path (dynamic time warping) for a TTS model's mel, whose timing differs.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import torch

N_CEPSTRA = 13


def dct_matrix(n_in: int, n_out: int) -> torch.Tensor:
    """Orthonormal DCT-II basis ``[n_out, n_in]`` (row ``k`` = cosine ``k``)."""
    k = torch.arange(n_out, dtype=torch.float64)[:, None]
    n = torch.arange(n_in, dtype=torch.float64)[None, :]
    basis = torch.cos(math.pi / n_in * (n + 0.5) * k) * math.sqrt(2.0 / n_in)
    basis[0] /= math.sqrt(2.0)
    return basis.float()


def mel_cepstra(log_mel: torch.Tensor, n_cepstra: int = N_CEPSTRA) -> torch.Tensor:
    """``[80, T]`` natural-log mel → cepstra ``c_1 … c_n`` ``[n, T]``."""
    log_mel = torch.as_tensor(log_mel).float()
    return dct_matrix(log_mel.shape[-2], n_cepstra + 1)[1:] @ log_mel       # [n, 80] @ [80, T]


def _frame_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """MCD in dB between every frame of cepstra ``a [n, T_a]`` and ``b [n, T_b]`` → ``[T_a, T_b]``."""
    squared = ((a.T[:, None, :] - b.T[None, :, :]) ** 2).sum(-1)
    return (10.0 / math.log(10.0)) * torch.sqrt(2.0 * squared)


def mel_cepstral_distortion(reference_mel: torch.Tensor, mel: torch.Tensor) -> float:
    """MCD in dB between two log-mels ``[80, T]`` of the same length, frame by frame."""
    if reference_mel.shape != mel.shape:
        raise ValueError(f"frame-by-frame MCD needs equal shapes, got {tuple(reference_mel.shape)} and "
                         f"{tuple(mel.shape)}; use mcd_dtw for mels of different lengths")
    diff = mel_cepstra(reference_mel) - mel_cepstra(mel)                      # [13, T]
    return float(((10.0 / math.log(10.0)) * torch.sqrt(2.0 * (diff**2).sum(dim=0))).mean())


@numba.njit(cache=True)
def _dtw_mean_cost(cost):  # pragma: no cover - compiled
    """Mean cost along the cheapest monotonic path through ``cost [n, m]`` (steps →, ↓, ↘)."""
    n, m = cost.shape
    total = np.full((n + 1, m + 1), np.inf)
    length = np.zeros((n + 1, m + 1))
    total[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, count = total[i - 1, j - 1], length[i - 1, j - 1]
            if total[i - 1, j] < best:
                best, count = total[i - 1, j], length[i - 1, j]
            if total[i, j - 1] < best:
                best, count = total[i, j - 1], length[i, j - 1]
            total[i, j] = best + cost[i - 1, j - 1]
            length[i, j] = count + 1
    return total[n, m] / length[n, m]


def mcd_dtw(mel: torch.Tensor, reference_mel: torch.Tensor) -> float:
    """MCD in dB between two log-mels ``[80, T_a]``, ``[80, T_b]`` after DTW (mean over the path)."""
    if mel.shape[-1] == 0 or reference_mel.shape[-1] == 0:
        raise ValueError("MCD-DTW of an empty mel: both mels need at least one frame")
    cost = _frame_distances(mel_cepstra(mel), mel_cepstra(reference_mel)).double().numpy()
    return float(_dtw_mean_cost(cost))


@numba.njit(cache=True)
def _dtw_path(cost):  # pragma: no cover - compiled
    n, m = cost.shape
    total = np.full((n + 1, m + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            total[i, j] = cost[i - 1, j - 1] + min(total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])
    rows, cols = [], []
    i, j = n, m
    while i > 0 and j > 0:
        rows.append(i - 1)
        cols.append(j - 1)
        diagonal, up, left = total[i - 1, j - 1], total[i - 1, j], total[i, j - 1]
        if diagonal <= up and diagonal <= left:
            i, j = i - 1, j - 1
        elif up <= left:
            i -= 1
        else:
            j -= 1
    return np.array(rows[::-1]), np.array(cols[::-1])


def dtw_frame_pairs(mel: torch.Tensor, reference_mel: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest monotonic path between two log-mels ``[80, T_a]``, ``[80, T_b]`` by their cepstral distance, as
    two index arrays ``[L]`` (frame of ``mel``, frame of ``reference_mel``) from ``(0, 0)`` to the two last frames:
    what lines up a synthesized utterance's frames with the recording's, to compare a per-frame measure (F0)."""
    if mel.shape[-1] == 0 or reference_mel.shape[-1] == 0:
        raise ValueError("DTW of an empty mel: both mels need at least one frame")
    cost = _frame_distances(mel_cepstra(mel), mel_cepstra(reference_mel)).double().numpy()
    return _dtw_path(cost)
