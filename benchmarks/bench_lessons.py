"""Benchmark: how long each lesson takes to run top to bottom, idle and beside a CPU-bound job.

Executes the lessons' notebooks (``notebooks/NN_*.ipynb``, generated from the jupytext
``.py`` sources; a missing or stale one is converted from its source in memory) with
nbclient in a fresh kernel, in ``TTS_COURSE_MODE=default`` unless ``--mode`` says
otherwise, and prints each lesson's seconds. With ``--load`` each lesson runs a second time
beside one CPU-bound background job — a separate Python process spinning at the same
priority as the lesson, started just before it and stopped just after — and the table
gives idle seconds, loaded seconds and their ratio (the course's target: every lesson
≤ 5 min idle and ≤ 2× that under the load). The lessons' thread count comes from
``course_lib.threads`` (one core left free; ``TTS_COURSE_THREADS`` overrides).

A lesson that fails is reported with the cell and the error, the others still run, and
the exit code is 1. Ends with one JSON object per figure per line.

    python benchmarks/bench_lessons.py                      # every lesson, default mode, idle
    python benchmarks/bench_lessons.py --lessons 04 08 --load
    python benchmarks/bench_lessons.py --mode smoke --lessons 00
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BUDGET_SECONDS = 300  # ≤ 5 min per lesson, idle
LOAD_RATIO = 2.0  # ≤ 2× the idle time beside one CPU-bound job
SPINNER = "while True:\n    pass\n"


def lesson_sources(folder: Path = NOTEBOOKS) -> dict[str, Path]:
    """``{"00": notebooks/00_audio_and_text.py, …}`` — every numbered lesson in ``folder``."""
    return {path.name[:2]: path for path in sorted(Path(folder).glob("[0-9][0-9]_*.py"))}


def load_notebook(source: Path):
    """The generated ``.ipynb`` beside ``source`` when it is up to date, else ``source`` converted in memory."""
    import nbformat

    generated = source.with_suffix(".ipynb")
    if generated.exists() and generated.stat().st_mtime >= source.stat().st_mtime:
        return nbformat.read(generated, as_version=4), generated.name
    import jupytext

    return jupytext.read(source), f"{source.name} (converted: {generated.name} is missing or older)"


class Failure(Exception):
    """A lesson's notebook stopped with an error (or ran past its timeout)."""


def run_lesson(source: Path, mode: str, timeout: float) -> float:
    """Execute one lesson top to bottom in a fresh kernel; its wall-clock seconds. Raises :class:`Failure`."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    notebook, _ = load_notebook(source)
    os.environ["TTS_COURSE_MODE"] = mode  # the kernel inherits the environment
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(source.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as err:
        cell = next((i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and any(
            o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        summary = f"{getattr(err, 'ename', type(err).__name__)}: {getattr(err, 'evalue', err)}"
        raise Failure(f"cell {cell} (counting cells from 0): {summary}") from None
    except CellTimeoutError:
        raise Failure(f"a cell ran past the timeout of {timeout:.0f} s (--timeout)") from None
    except DeadKernelError as err:
        raise Failure(f"the kernel died (out of memory?): {err}") from None
    return time.perf_counter() - start


def start_load() -> subprocess.Popen:
    """One CPU-bound background job: a Python process spinning, at this process's priority."""
    return subprocess.Popen([sys.executable, "-c", SPINNER], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_load(job: subprocess.Popen) -> None:
    job.terminate()
    try:
        job.wait(timeout=10)
    except subprocess.TimeoutExpired:
        job.kill()
        job.wait()


def _figure(metric: str, value, unit: str, target: str | None = None) -> str:
    return json.dumps({"benchmark": "lessons", "metric": metric, "value": value, "unit": unit, "target": target})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", nargs="+", metavar="NN", default=None,
                        help=f"lesson numbers to run (default: all, {' '.join(sorted(lesson_sources()))})")
    parser.add_argument("--mode", default="default", choices=("smoke", "default", "full"),
                        help="TTS_COURSE_MODE for the lessons (default: default)")
    parser.add_argument("--load", action="store_true",
                        help="also run each lesson beside one CPU-bound background job and print the ratio")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds any one cell may run (default 1800)")
    parser.add_argument("--dir", type=Path, default=NOTEBOOKS, help="folder of the lessons' sources (default notebooks/)")
    args = parser.parse_args(argv)
    sources = lesson_sources(args.dir)
    if not sources:
        parser.error(f"no lessons (NN_*.py) in {args.dir}")
    args.lessons = args.lessons or sorted(sources)
    unknown = [n for n in args.lessons if n.zfill(2) not in sources]
    if unknown:
        parser.error(f"no lesson {', '.join(unknown)}; there are {', '.join(sorted(sources))}")
    lessons = [n.zfill(2) for n in args.lessons]

    from course_lib.threads import available_cores, lesson_threads

    os.environ["TTS_COURSE_MODE"] = args.mode
    try:
        threads = lesson_threads()
    except ValueError as err:  # a bad TTS_COURSE_THREADS
        parser.error(str(err))
    print(f"mode {args.mode}: {available_cores()} cores, the lessons use {threads} torch thread(s)"
          f"{' (TTS_COURSE_THREADS)' if os.environ.get('TTS_COURSE_THREADS') else ''}"
          f"{'; each lesson runs idle, then beside one CPU-bound job' if args.load else ''}", flush=True)
    if hasattr(os, "getloadavg"):  # "idle" means without this benchmark's job; say what else is running
        print(f"load average before the first lesson: {os.getloadavg()[0]:.2f} on {available_cores()} cores "
              "('idle' below = without the benchmark's own background job)", flush=True)
    rows, failed, figures = [], [], []
    for number in lessons:
        source = sources[number]
        _, used = load_notebook(source)
        print(f"== {number}: {used}", flush=True)
        row = {"lesson": number}
        conditions = ("idle", "loaded") if args.load else ("idle",)
        for condition in conditions:
            job = start_load() if condition == "loaded" else None
            try:
                row[condition] = run_lesson(source, args.mode, args.timeout)
                print(f"   {condition}: {row[condition]:.0f} s", flush=True)
            except Failure as err:
                print(f"   FAILED ({condition}): lesson {number} ({source.name}) — {err}", flush=True)
                failed.append(number)
                break
            finally:
                if job is not None:
                    stop_load(job)
        rows.append(row)

    print("\nlesson   idle s" + ("   loaded s   ratio" if args.load else ""))
    for row in rows:
        idle = row.get("idle")
        line = f"{row['lesson']:>6}   " + (f"{idle:6.0f}" if idle is not None else "failed")
        if idle is not None and idle > BUDGET_SECONDS and args.mode == "default":
            line += " (over 5 min)"
        if args.load:
            loaded = row.get("loaded")
            if loaded is None:
                line += "       " + ("failed" if idle is not None else "     –")
            else:
                ratio = loaded / idle
                line += f"   {loaded:8.0f}   {ratio:5.2f}" + (" (over 2×)" if ratio > LOAD_RATIO else "")
        print(line)
        for condition in ("idle", "loaded"):
            if condition in row:
                target = None
                if args.mode == "default":
                    target = f"≤ {BUDGET_SECONDS} s" if condition == "idle" else f"≤ {LOAD_RATIO}× idle"
                figures.append(_figure(f"lesson {row['lesson']} {args.mode} {condition}", round(row[condition], 1),
                                       "s", target))
        if "idle" in row and "loaded" in row:
            figures.append(_figure(f"lesson {row['lesson']} {args.mode} loaded/idle",
                                   round(row["loaded"] / row["idle"], 2), "ratio",
                                   f"≤ {LOAD_RATIO}" if args.mode == "default" else None))
    if failed:
        print(f"\nfailed: lesson {', '.join(failed)} — run it in JupyterLab (TTS_COURSE_MODE={args.mode}) to see the cell")
    for figure in figures:
        print(figure)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
