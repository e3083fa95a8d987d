"""The one machine-readable source of every figure the course's prose quotes: ``data/facts.json``.

A lesson, a README or ``data/checkpoints/README.md`` quotes a measured figure about a shipped model or a
benchmark as a link to this file whose title is the fact's key::

    alignment accuracy [91.1 %](../data/facts.json "vits_quality.alignment_accuracy")

It renders as the figure (hover: the key), and ``tests/test_facts.py`` holds the link text to the file's value
at the precision the text shows — a retrained model or a rerun benchmark that moves a figure fails the test
until the prose is updated (the test names every stale quote). Figures a lesson
measures live are computed and printed by the lesson itself and need no fact.

The benchmarks write the file: run one with ``TTS_COURSE_RECORD_FACTS=1`` and every figure it emits (see
:func:`emit`) is recorded under ``"<benchmark>.<metric>"`` with its unit and the command that measured it.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from course_lib import paths
from course_lib.files import atomic_write

FACTS_FILE = paths.DATA_DIR / "facts.json"
RECORD_ENV = "TTS_COURSE_RECORD_FACTS"

# [figure text](…facts.json "key") — any relative path that ends in facts.json
LINK = re.compile(r'\[([^\]]+)\]\(((?:[^()\s]*/)?facts\.json) "([^"]+)"\)')
NUMBER = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?")
SCALES = {"k": 1e3, "M": 1e6}


@dataclass(frozen=True)
class Fact:
    """One measured figure: its value in ``unit`` as the benchmark emitted it, and the command that measured it."""

    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class Quote:
    """A fact link found in a document: its text, the key in its title, the path it links to, its line."""

    text: str
    key: str
    target: str
    line: int


def load(path: Path | None = None) -> dict[str, Fact]:
    """Every fact in ``path`` (default: ``data/facts.json``), by key."""
    raw = json.loads(Path(path or FACTS_FILE).read_text(encoding="utf-8"))
    return {key: Fact(float(entry["value"]), entry["unit"], entry["source"]) for key, entry in raw.items()}


def record(key: str, value: float, unit: str, source: str, path: Path | None = None) -> None:
    """Set one fact in ``path`` (default: ``data/facts.json``; written atomically, the other facts kept, keys
    sorted)."""
    path = path or FACTS_FILE
    raw = json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).is_file() else {}
    raw[key] = {"value": value, "unit": unit, "source": source, "measured": date.today().isoformat()}
    text = json.dumps(dict(sorted(raw.items())), indent=1, ensure_ascii=False) + "\n"
    atomic_write(path, lambda file: file.write(text.encode("utf-8")))


def fact_key(benchmark: str, metric: str) -> str:
    """``"vocoder_quality_builtin_test_shipped (n=20)", "pesq"`` → ``"vocoder_quality_builtin_test_shipped.pesq"``
    (a benchmark's closing remark in parentheses — a count, a file name — is not part of the key)."""
    return f"{re.sub(r' [(][^()]*[)]$', '', benchmark)}.{metric}"


def emit(benchmark: str, metric: str, value, unit: str, target=None) -> None:
    """Print one benchmark figure as a JSON line; with ``TTS_COURSE_RECORD_FACTS=1`` also record it as a fact."""
    if isinstance(value, float):
        value = round(value, 4)
    print(json.dumps({"benchmark": benchmark, "metric": metric, "value": value, "unit": unit, "target": target}),
          flush=True)
    if os.environ.get(RECORD_ENV) == "1" and isinstance(value, (int, float)) and not isinstance(value, bool):
        command = " ".join(["python", *(shlex.quote(arg) for arg in [Path(sys.argv[0]).as_posix(), *sys.argv[1:]])])
        record(fact_key(benchmark, metric), value, unit, command)


def quotes(text: str) -> list[Quote]:
    """Every fact link in a markdown (or jupytext) text, in order."""
    return [Quote(m.group(1), m.group(3), m.group(2), text.count("\n", 0, m.start()) + 1) for m in LINK.finditer(text)]


def disagreement(quote_text: str, fact: Fact) -> str | None:
    """Why ``quote_text`` does not state ``fact`` at the precision it shows, or None when it does.

    The first number of the text is the figure; a ``k``/``M`` right after it scales it. A fact in ``%`` is quoted
    with ``%``; one in ``fraction`` may be quoted as a fraction or in ``%``. Other units are the prose's business
    (a shared unit is often written once: "26.9 / 23.2 dB").
    """
    match = NUMBER.search(quote_text)
    if match is None:
        return f"'{quote_text}' holds no number"
    shown = match.group(0).replace(",", "").replace("−", "-")
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    after = quote_text[match.end():].lstrip()
    scale = SCALES.get(after[:1], 1.0) if after[:1] in SCALES and not after[1:2].isalpha() else 1.0
    value = fact.value
    percent = "%" in quote_text
    if fact.unit == "fraction" and percent:
        value *= 100
    elif percent != (fact.unit == "%"):
        return f"'{quote_text}' {'is' if percent else 'is not'} in % but the fact is in {fact.unit!r}"
    expected = round(value / scale, decimals)
    if not math.isclose(float(shown), expected, abs_tol=0.5 * 10 ** -(decimals + 3)):
        return f"'{quote_text}' but the fact is {value / scale:.{decimals + 2}f} (shown at {decimals} decimals: {expected})"
    return None


def stale_quotes(path: Path, facts: dict[str, Fact] | None = None) -> list[str]:
    """One line per fact link in the file at ``path`` that is unknown, points elsewhere, or disagrees."""
    facts = load() if facts is None else facts
    problems = []
    for quote in quotes(Path(path).read_text(encoding="utf-8")):
        where = f"{path}:{quote.line}"
        if (Path(path).parent / quote.target).resolve() != FACTS_FILE.resolve():
            problems.append(f"{where}: links to {quote.target}, which is not {FACTS_FILE}")
        elif quote.key not in facts:
            problems.append(f"{where}: no fact '{quote.key}' in {FACTS_FILE.name}")
        elif (reason := disagreement(quote.text, facts[quote.key])) is not None:
            problems.append(f"{where}: {quote.key}: {reason}")
    return problems


def documents() -> list[Path]:
    """Every document that may quote facts: the lessons' sources and the project's markdown files."""
    root = paths.PROJECT_DIR
    return sorted([*root.glob("notebooks/[0-9][0-9]_*.py"), *root.glob("*.md"), *root.glob("benchmarks/*.md"),
                   *root.glob("data/checkpoints/*.md")])
