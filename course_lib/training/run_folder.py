"""A training run's folder: one run per folder, one process at a time, no leftovers.

``with claim_run_folder(out, resume, overwrite): ...`` — what ``python -m course_lib train``
does before any work:

1. ``out`` must be a folder or not exist yet (it is created) and be writable;
2. it takes ``out/.lock`` (created exclusively, holding ``pid host``): a second process
   training into the same folder is refused; a lock whose process is gone (kill -9, a
   crash) is stale and taken over;
3. it removes the temporary files an interrupted atomic write left (``.NAME.*.tmp``,
   see ``checkpoint.atomic_write``);
4. a fresh run (no ``resume``) into a folder that holds a run — ``*.pt`` files or
   ``samples/`` — is refused unless ``overwrite``, which first removes that run's files
   (``*.pt`` with their ``.json``, ``samples/``), so old and new never mix.

The lock is released when the block ends, however it ends; a folder the claim created is removed again
if the run wrote nothing into it (bad data refused before the first step).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".lock"
SAMPLES = "samples"


class RunFolderError(ValueError):
    """A run folder that cannot be trained into, with the reason and the fix."""


@contextlib.contextmanager
def claim_run_folder(out: str | Path, resume: bool, overwrite: bool) -> Iterator[Path]:
    """Hold ``out`` for one training run (steps 1–4 of the module docstring); yields the folder.

    Under torchrun only rank 0 claims the folder: the job's other processes train into it alongside.
    """
    from course_lib.training.distributed import DistributedContext

    folder = Path(out)
    if not DistributedContext.from_env().is_main:
        yield folder
        return
    created = not folder.exists()
    _make_folder(folder)
    lock = _take_lock(folder)
    try:
        _remove_leftovers(folder)
        run_files = _run_files(folder)
        if resume and not (folder / "checkpoint.pt").is_file():
            raise RunFolderError(f"--resume: {folder} holds no checkpoint.pt, so there is no run to continue: drop "
                                 "--resume to start one there, or give the --out folder of the run to continue")
        if run_files and not resume:
            names = ", ".join(path.name + ("/" if path.is_dir() else "") for path in run_files)
            if not overwrite:
                raise RunFolderError(f"{folder} already holds a run ({names}): add --resume to continue it, "
                                     "--overwrite to replace it, or give a new --out folder")
            for path in run_files:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                    path.with_suffix(".json").unlink(missing_ok=True)
            print(f"--overwrite: removed the earlier run in {folder} ({names})", file=sys.stderr)
        yield folder
    finally:
        lock.unlink(missing_ok=True)
        if created and not any(folder.iterdir()):  # a run refused before it wrote anything leaves no trace
            folder.rmdir()


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise RunFolderError(f"--out {folder} is a file, not a folder: give a folder path for the run")
    blocking = next((parent for parent in folder.parents if parent.exists() and not parent.is_dir()), None)
    if blocking is not None:
        raise RunFolderError(f"--out {folder} lies under {blocking}, which is a file: give a folder path")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunFolderError(f"cannot create --out {folder} ({err.strerror}): choose a folder you can write to") from err


def _take_lock(folder: Path) -> Path:
    """Create ``folder/.lock`` exclusively; a stale lock (its process gone) is replaced once."""
    lock = folder / LOCK_NAME
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is not None:
                raise RunFolderError(f"{folder} is in use by another training run (process {owner}, lock file "
                                     f"{lock}): wait for it to finish, or train into another --out folder") from None
            lock.unlink(missing_ok=True)  # stale: its process is gone
            continue
        except OSError as err:
            raise RunFolderError(f"cannot write in --out {folder} ({err.strerror}): choose a folder you can "
                                 "write to") from err
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()} {socket.gethostname()}\n")
        return lock
    raise RunFolderError(f"{lock} keeps reappearing: another process is starting a run in {folder}; "
                         "train into another --out folder")


def _lock_owner(lock: Path) -> str | None:
    """``"PID on HOST"`` of a live lock's process, None if the lock is stale (or vanished meanwhile)."""
    try:
        pid_text, host = (lock.read_text().split() + ["", ""])[:2]
    except FileNotFoundError:
        return None
    if not pid_text.isdigit():
        return None  # half-written by a process killed between create and write
    if host != socket.gethostname():
        return f"{pid_text} on {host}"  # cannot check another machine's processes: assume it is alive
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    return pid_text


def _remove_leftovers(folder: Path) -> None:
    leftovers = sorted(folder.glob(".*.tmp"))
    if leftovers:
        size = sum(path.stat().st_size for path in leftovers)
        for path in leftovers:
            path.unlink(missing_ok=True)
        print(f"removed {len(leftovers)} temporary file(s) ({size / 2**20:.1f} MiB) left by an interrupted write "
              f"in {folder}", file=sys.stderr)


def _run_files(folder: Path) -> list[Path]:
    """What an earlier run left: its ``*.pt`` files and its ``samples/`` folder."""
    found = sorted(folder.glob("*.pt"))
    if (folder / SAMPLES).is_dir():
        found.append(folder / SAMPLES)
    return found
