"""Instant checks for the lessons' exercises, one module per lesson.

Each ``check_*`` function runs a learner's function on fixed inputs, compares it
with the library's answer and prints a one-line verdict; it raises
:class:`ExerciseError` with a hint when the answer is wrong, so a notebook cell
fails visibly. Each exercise also has a ``solution_*`` (or ``reference_*``)
function that :func:`show_solution` reveals on request.
"""

from __future__ import annotations

import html
import inspect
import textwrap

import torch


class ExerciseError(AssertionError):
    """The learner's answer does not match the reference yet."""


def report_close(name: str, got, expected, atol: float = 1e-5, rtol: float = 1e-4, hint: str = "") -> None:
    """Compare two tensors/arrays/numbers; print ✓ or raise ExerciseError with a hint."""
    if got is None:
        raise ExerciseError(f"{name}: your function returned None — did you forget `return`? {hint}".strip())
    got_t = torch.as_tensor(got, dtype=torch.float64)
    expected_t = torch.as_tensor(expected, dtype=torch.float64)
    if got_t.shape != expected_t.shape:
        raise ExerciseError(f"{name}: shape {tuple(got_t.shape)} but expected {tuple(expected_t.shape)}. {hint}".strip())
    if not torch.allclose(got_t, expected_t, atol=atol, rtol=rtol):
        err = (got_t - expected_t).abs().max().item()
        raise ExerciseError(f"{name}: values differ from the reference (max abs error {err:.3g}). {hint}".strip())
    print(f"✓ {name}: matches the reference")


def attempt(name: str, fn, *args, hint: str = ""):
    """Call a learner's function; return its result, or ``None`` if it is still a stub.

    A stub raises ``NotImplementedError``: then a friendly "not done yet" line is
    printed (the notebook keeps running) instead of a traceback. A function that
    runs but returns nothing is a mistake, not a stub: :class:`ExerciseError`.
    """
    try:
        got = fn(*args)
    except NotImplementedError:
        print(f"… {name}: not implemented yet — fill in the cell above and run it again. {hint}".rstrip())
        return None
    if got is None:
        raise ExerciseError(f"{name}: your function returned None — did you forget `return`?")
    return got


def diagnose(got, mistakes: dict[str, torch.Tensor], default: str, atol: float = 1e-5) -> str:
    """The hint of the first known mistake that ``got`` reproduces (within ``atol``), else ``default``."""
    try:
        got_t = torch.as_tensor(got, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return default
    for hint, wrong in mistakes.items():
        if got_t.shape == wrong.shape and torch.allclose(got_t, wrong.double(), atol=atol, rtol=1e-4):
            return hint
    return default


def check_close(name: str, fn, args: tuple, expected, atol: float = 1e-5, rtol: float = 1e-4, hint: str = "") -> bool:
    """Run ``fn(*args)`` and compare with ``expected``.

    Returns True when it matches, False while ``fn`` is an unfinished stub, and
    raises :class:`ExerciseError` (with ``hint``) when the answer is wrong.
    """
    got = attempt(name, fn, *args, hint=hint)
    if got is None:
        return False
    report_close(name, got, expected, atol=atol, rtol=rtol, hint=hint)
    return True


class Solution:
    """A reference solution's source, shown collapsed: click to reveal it in JupyterLab.

    The HTML form is a closed ``<details>`` block, so the answer is not on screen
    until the learner opens it; the plain-text form (a terminal, ``print``) is the
    source itself.
    """

    def __init__(self, *functions) -> None:
        if not functions:
            raise ValueError("show_solution needs at least one function")
        self.names = [fn.__name__ for fn in functions]
        self.source = "\n\n".join(textwrap.dedent(inspect.getsource(fn)) for fn in functions)

    def _repr_html_(self) -> str:
        return (f"<details><summary><b>Solution</b> ({', '.join(self.names)}) — click to reveal</summary>"
                f"<pre>{html.escape(self.source)}</pre></details>")

    def __repr__(self) -> str:
        return self.source


def show_solution(*functions) -> Solution:
    """The source of the reference solution(s), revealable: the last line of a notebook cell displays it collapsed."""
    return Solution(*functions)
