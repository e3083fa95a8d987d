"""Where tensors live, and whether they run in reduced precision.

* :func:`pick_device` — CUDA if present, else Apple's MPS, else the CPU; ``prefer``
  asks for one explicitly and fails with a clear message if it is missing.
* :func:`amp_dtype` / :func:`autocast_context` — mixed precision, on CUDA only. bfloat16
  where the GPU supports it (no loss scaling needed, the same exponent range as float32),
  float16 on older GPUs (it needs a ``GradScaler``; the trainer creates one). On the CPU
  and on MPS autocast is a no-op, so the same training code runs everywhere.
"""

from __future__ import annotations

import contextlib

import torch


def _available() -> dict[str, bool]:
    return {
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
        "cpu": True,
    }


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """The device to train and run on: CUDA > MPS > CPU, or the one ``prefer`` names.

    ``prefer`` is anything ``torch.device`` accepts ('cuda', 'cuda:1', 'mps', 'cpu').
    Asking for a device this machine lacks raises a ValueError saying what is there.
    """
    available = _available()
    if prefer is None:
        for kind in ("cuda", "mps", "cpu"):
            if available[kind]:
                return torch.device(kind)
    try:
        device = torch.device(prefer)
    except RuntimeError as err:
        raise ValueError(
            f"unknown device {prefer!r}: use 'cuda', 'cuda:N', 'mps' or 'cpu' ({err})"
        ) from None
    here = ", ".join(kind for kind, ok in available.items() if ok)
    if device.type not in available or not available[device.type]:
        raise ValueError(
            f"device {prefer!r} was asked for, but this machine has only: {here}. "
            "Call pick_device() without an argument to choose automatically."
        )
    if device.type == "cuda" and device.index is not None:
        count = torch.cuda.device_count()
        if device.index >= count:
            raise ValueError(
                f"device {prefer!r} was asked for, but this machine has {count} CUDA "
                f"device(s) (cuda:0 … cuda:{count - 1})"
            )
    return device


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """The reduced-precision dtype autocast uses on ``device``, or None where AMP is off (CPU, MPS)."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast_context(device: torch.device, enabled: bool = True, dtype: torch.dtype | None = None):
    """A context manager running the forward pass in mixed precision on CUDA; a no-op elsewhere.

    ``dtype`` defaults to :func:`amp_dtype` (bfloat16 where supported, else float16).
    """
    device = torch.device(device)
    if not enabled or device.type != "cuda":
        return contextlib.nullcontext()
    return torch.autocast(device_type="cuda", dtype=dtype or amp_dtype(device))
