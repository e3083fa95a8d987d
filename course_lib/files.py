"""Writing files so that nothing of the user's is lost.

* :func:`atomic_write` — every file the course writes (checkpoints, model files, wavs, tables) goes to a
  temporary file beside its target, is flushed and fsync'ed, then ``os.replace`` swaps it in. A crash,
  ``kill -9``, a full disk or Ctrl-C at any moment leaves the old file whole and no half-written one
  under the target's name (at most a hidden ``.NAME.*.tmp`` beside it).
* :func:`same_file` — whether two paths name one file (links resolved), so a command can refuse to
  write its output over its own input.
* :func:`process_alive` — whether a process id on this machine still runs, to tell a stale leftover
  (its writer was killed) from work in progress.
* :func:`explain_os_error` — an ``OSError`` as a sentence that names its cause and the fix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(file)`` on a temporary file beside ``path``, then move it into place.

    If ``write`` raises, the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w+b") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes it 0600; others may read what the course writes
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    fsync_folder(path.parent)  # make the rename itself survive a power cut
    return path


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename in it) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name one file: through links, hard links, or ``..`` after a folder that does not
    exist yet (which a write would create)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (another user's counts as running)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_CAUSES = {
    errno.ENOSPC: "the disk is full: free some space",
    errno.EDQUOT: "the disk quota is used up: free some space",
    errno.EACCES: "permission denied: choose a path you can write to, or fix its permissions",
    errno.EPERM: "operation not permitted: choose a path you can write to, or fix its permissions",
    errno.EROFS: "the file system is read-only: choose a path on a writable disk",
    errno.ENOTDIR: "a part of the path is a file, not a folder: give a path whose folders are folders",
    errno.EISDIR: "it is a folder, not a file: give a file name",
    errno.EBUSY: "it is busy (the folder you are in, or a mount point): give a new folder inside it",
    errno.ENAMETOOLONG: "the name is too long: give a shorter path",
    errno.ENOENT: "no such file or folder: check the path",
}


def explain_os_error(err: OSError) -> str:
    """``err`` as one line: what failed (the path) and, for the causes people meet, what to do about it."""
    what = f"{err.strerror or err}" + (f": {err.filename}" if err.filename else "")
    cause = _CAUSES.get(err.errno, "check the path and its disk")
    return f"{what} — {cause}, and run the command again"


__all__ = ["atomic_write", "fsync_folder", "same_file", "process_alive", "explain_os_error"]
