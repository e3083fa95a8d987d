"""Shared test set-up: headless plotting and a writable numba cache."""

import os
from pathlib import Path

import matplotlib

# in-process only: notebook kernels started by nbval keep their inline backend
matplotlib.use("Agg")
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".numba_cache"))

import torch  # noqa: E402

# small test models: one thread avoids oversubscribing CI's two cores
torch.set_num_threads(1)
