"""Random number generators: seed them, save them, restore them, fence them off.

Exact resume needs every generator that training draws from — Python's ``random``,
NumPy's global generator, torch's CPU generator and the training GPU's — saved with the
checkpoint and restored on resume. (Only the current CUDA device's generator: touching
every GPU's would create a CUDA context on each from every torchrun process.) :func:`capture_rng_state` returns them as plain
lists, ints and uint8 tensors so ``torch.load(..., weights_only=True)`` accepts them
(NumPy's state is a tuple holding an ndarray, which weights-only loading refuses).
"""

from __future__ import annotations

import contextlib
import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every CUDA device)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def capture_rng_state() -> dict:
    """All global generator states as tensors and primitive containers (weights-only safe).

    ``"cuda"`` holds the current CUDA device's state, or None before CUDA is in use.
    """
    py_version, py_internal, py_gauss = random.getstate()
    np_kind, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    return {
        "python": {"version": py_version, "internal": list(py_internal), "gauss_next": py_gauss},
        "numpy": {
            "kind": np_kind,
            "keys": torch.from_numpy(np_keys.astype(np.int64)),  # uint32 [624] as int64
            "pos": int(np_pos),
            "has_gauss": int(np_has_gauss),
            "cached_gaussian": float(np_gauss),
        },
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state() if torch.cuda.is_available() and torch.cuda.is_initialized() else None,
    }


def restore_rng_state(state: dict) -> None:
    """Put back what :func:`capture_rng_state` returned."""
    python = state["python"]
    random.setstate((python["version"], tuple(python["internal"]), python["gauss_next"]))
    numpy_state = state["numpy"]
    np.random.set_state(
        (
            numpy_state["kind"],
            numpy_state["keys"].numpy().astype(np.uint32),
            numpy_state["pos"],
            numpy_state["has_gauss"],
            numpy_state["cached_gaussian"],
        )
    )
    torch.set_rng_state(state["torch"])
    if state["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])  # a checkpoint from a GPU resumed on a CPU skips it


@contextlib.contextmanager
def isolated_rng(seed: int):
    """Run a block with every global generator seeded to ``seed``, then restore them.

    Validation and audio samples run inside it: they draw the same noise every time (so
    you hear the model change, not the noise), and training's random stream is untouched
    — which keeps resumed runs identical to uninterrupted ones.
    """
    saved = capture_rng_state()
    seed_everything(seed)
    try:
        yield
    finally:
        restore_rng_state(saved)
