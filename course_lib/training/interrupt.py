"""Ctrl-C during training: finish the step, save, stop — so the checkpoint is consistent.

A KeyboardInterrupt raised in the middle of a step could leave one optimizer stepped and
the next not, or the data RNG half advanced; a checkpoint of that state would not resume
exactly. So while training runs, the first Ctrl-C only *asks* to stop: the trainer sees
the request after the step, writes a checkpoint and raises ``TrainingInterrupted``. A
second Ctrl-C stops at once (the last checkpoint is kept).

Only the main thread can own the SIGINT handler (scripts and notebook kernels run
there); in other threads Ctrl-C behaves as usual.
"""

from __future__ import annotations

import signal
import sys
import threading


class StopRequests:
    """Context manager: ``requested`` turns True at the first Ctrl-C inside the block."""

    def __init__(self):
        self.requested = False
        self._previous = None
        self._installed = False

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt("second Ctrl-C: stopped at once, mid-step; the last checkpoint is kept")
        self.requested = True
        print("\nCtrl-C: finishing this step, then saving a checkpoint (press again to stop at once)", file=sys.stderr)

    def __exit__(self, *exc) -> bool:
        if self._installed:
            previous = self._previous if self._previous is not None else signal.default_int_handler
            signal.signal(signal.SIGINT, previous)
        return False
