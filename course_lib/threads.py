"""The one place the course decides how many CPU threads torch may use in a lesson.

A learner's laptop is never idle (a browser, an IDE), and torch's intra-op pool stalls
whenever one of its threads loses its core: with every core given to torch, one busy core
slowed the lessons 7–10× on the course's 2-core machine. So a lesson leaves one core free:
``cores − 1`` threads (at least one), or ``TTS_COURSE_THREADS`` when it is set. Smoke mode
(CI, on shared runners) always uses one.
"""

from __future__ import annotations

import os

ENV_VAR = "TTS_COURSE_THREADS"


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells, else ``os.cpu_count()``)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def lesson_threads() -> int:
    """Threads for a lesson: ``TTS_COURSE_THREADS`` if set, 1 in smoke mode, else one core left free."""
    from course_lib.mode import current_mode

    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"{ENV_VAR}={value!r} must be a whole number of threads ≥ 1 (e.g. `export {ENV_VAR}=2`)")
        return int(value)
    if current_mode() == "smoke":
        return 1
    return max(1, available_cores() - 1)


def use_lesson_threads() -> int:
    """Give torch :func:`lesson_threads` intra-op threads; returns the number."""
    import torch

    threads = lesson_threads()
    torch.set_num_threads(threads)
    return threads
