"""Shared test set-up: headless plotting, a writable numba cache, and what is built once per test run."""

import contextlib
import io
import os
from pathlib import Path

import matplotlib

# in-process only: notebook kernels started by nbval keep their inline backend
matplotlib.use("Agg")
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".numba_cache"))

import pytest  # noqa: E402
import torch  # noqa: E402

# small test models: one thread avoids oversubscribing CI's two cores
torch.set_num_threads(1)


class CliRuns(dict):
    """Model name → a 2-step tiny run folder, trained through ``python -m course_lib train`` on first use; its
    stdout is kept beside it in ``NAME_stdout.txt``."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def __missing__(self, name: str) -> Path:
        from course_lib.__main__ import main

        out = self.root / name
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["train", name, "--config", "tiny", "--out", str(out), "--steps", "2"]) == 0
        (self.root / f"{name}_stdout.txt").write_text(buffer.getvalue())
        self[name] = out
        return out


@pytest.fixture(scope="session")
def cli_runs(tmp_path_factory) -> CliRuns:
    """Trained runs shared by the whole test run: read them, or copy one before changing it."""
    return CliRuns(tmp_path_factory.mktemp("cli_runs"))


@pytest.fixture(scope="session")
def multi_corpus_path(tmp_path_factory) -> Path:
    """A 10-utterance corpus of the five built-in voices, built once per test run (read it, or copy it)."""
    from course_lib.data import build_corpus

    return build_corpus(tmp_path_factory.mktemp("corpus") / "multi", mode="smoke", voices="multi", n_utterances=10,
                        verbose=False)
