"""Checks for lesson 00 (audio and text)."""

from __future__ import annotations

import numpy as np
import torch

from course_lib import audio
from course_lib.checks import check_close


def reference_log_mel(magnitude: torch.Tensor, mel_basis: torch.Tensor) -> torch.Tensor:
    """Magnitude ``[513, T]`` and filters ``[80, 513]`` → log-mel ``[80, T]``."""
    return torch.log(torch.clamp(mel_basis @ magnitude, min=audio.LOG_CLAMP))


def check_num_frames(fn) -> bool:
    """``fn(n_samples) -> int`` must give the course's frame count for several lengths."""
    lengths = (22050, 44032, 256, 1000, 66048)
    return check_close(
        "num_frames", lambda: [fn(n) for n in lengths], (), [audio.frames_for_samples(n) for n in lengths],
        atol=0, rtol=0,
        hint="Hint: reflect padding of (n_fft − hop)/2 on both sides and center=False leave one frame per hop.",
    )


def check_log_mel(fn) -> bool:
    """``fn(magnitude [513, T], mel_basis [80, 513]) -> [80, T]`` must equal the course's log-mel."""
    generator = torch.Generator().manual_seed(0)
    magnitude = torch.rand(513, 12, generator=generator) ** 4
    magnitude[:, 0] = 0.0  # a silent frame: the clamp matters here
    basis = audio.mel_basis()
    return check_close(
        "log_mel", fn, (magnitude, basis), reference_log_mel(magnitude, basis), atol=1e-5,
        hint="Hint: matrix-multiply the filters with the magnitude, clamp at 1e-5, then torch.log (natural log).",
    )


def check_log_mel_on_audio(fn, wave: np.ndarray) -> bool:
    """The same exercise on real audio, against ``course_lib.audio.mel_spectrogram``."""
    magnitude = audio.linear_spectrogram(wave)
    return check_close("log_mel on real audio", fn, (magnitude, audio.mel_basis()), audio.mel_spectrogram(wave),
                        atol=1e-4)
