"""Resynthesis quality of a vocoder: mel L1 and mel-cepstral distortion against the original.

Both compare the original wave with the vocoder's output *from the original's mel*, frame
by frame (a vocoder returns exactly ``T·256`` samples for ``T`` frames, so no alignment is
needed). Both use the course mel (0–8 kHz) — the information the vocoder was given —
so the figures do not reward inventing the 8–11 kHz band.

* **mel L1**: mean |log-mel(original) − log-mel(resynthesis)| (natural log; lower is better).
* **MCD** (Kubichek 1993; :func:`course_lib.evaluation.mel_cepstral_distortion`): cepstra
  ``c_1 … c_13`` of each log-mel frame (``c_0``, the loudness, dropped), in dB, averaged over frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course_lib.audio import HOP_LENGTH, mel_spectrogram
from course_lib.evaluation import mel_cepstral_distortion


@dataclass(frozen=True)
class ResynthesisMetrics:
    """``mel_l1`` (natural-log units) and ``mcd`` (dB) of one or more resyntheses; lower is better."""

    mel_l1: float
    mcd: float


def resynthesis_metrics(reference: np.ndarray | torch.Tensor, resynthesis: np.ndarray | torch.Tensor
                        ) -> ResynthesisMetrics:
    """Compare a wave ``[N]`` with its resynthesis ``[M]`` (``M ≥ (N // 256)·256``) on the course mel."""
    reference = torch.as_tensor(reference).float().reshape(-1).cpu()
    resynthesis = torch.as_tensor(resynthesis).float().reshape(-1).cpu()
    n_samples = (reference.numel() // HOP_LENGTH) * HOP_LENGTH
    if resynthesis.numel() < n_samples:
        raise ValueError(
            f"the resynthesis has {resynthesis.numel()} samples but the reference needs {n_samples} "
            f"({n_samples // HOP_LENGTH} frames × {HOP_LENGTH})"
        )
    reference_mel = mel_spectrogram(reference[:n_samples])                    # [80, T]
    mel = mel_spectrogram(resynthesis[:n_samples])
    return ResynthesisMetrics(
        mel_l1=float((reference_mel - mel).abs().mean()),
        mcd=mel_cepstral_distortion(reference_mel, mel),
    )


def mean_metrics(items: list[ResynthesisMetrics]) -> ResynthesisMetrics:
    """Average of several utterances' metrics."""
    if not items:
        raise ValueError("no metrics to average")
    return ResynthesisMetrics(mel_l1=float(np.mean([m.mel_l1 for m in items])),
                              mcd=float(np.mean([m.mcd for m in items])))
