"""Figures from one source: every figure the prose quotes as a fact link agrees with ``data/facts.json``, the
lessons quote no measured figure of a shipped model or benchmark any other way, and the benchmarks write the file."""

import json
import re

import pytest

from course_lib import facts

MEASURE = re.compile(r"\b(MCD(?:-DTW)?|PER|RTF|alignment accuracy|PESQ(?:-WB)?|DNSMOS|duration MAE|V/UV F1|"
                     r"periodicity(?: RMSE)?|pitch RMSE)\b[^.;:|()\[\]⟦]{0,25}?(?<![\w/.\-])(\d+(?:\.\d+)?)")
# measured figures a lesson may state without a fact link: each is not about a shipped model or a benchmark
NOT_FACTS = {
    ("00_audio_and_text.py", "RTF 0.033"),    # Grad-TTS paper, GPU
    ("06_hifigan.py", "PESQ-WB** (MOS-LQO ≈ 1"),  # the scale of P.862.2
    ("09_grad_tts.py", "RTF 0.033"),          # Grad-TTS paper, GPU
    ("12_side_by_side.py", "RTF 0.033"),      # Grad-TTS paper, GPU
    ("12_side_by_side.py", "MCD 0"),          # the recording against itself, by definition
}


def markdown_lines(path):
    """``(line number, text)`` of the markdown cells of a jupytext lesson."""
    lines, in_markdown = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
        elif in_markdown and line.startswith("#"):
            lines.append((number, line[1:].strip()))
    return lines


@pytest.mark.parametrize("path", facts.documents(), ids=lambda p: p.name if p.parent.name != "checkpoints" else
                         "checkpoints/README.md")
def test_every_quoted_figure_agrees_with_its_fact(path):
    assert facts.stale_quotes(path) == []


def test_the_documents_quote_facts():
    assert sum(len(facts.quotes(p.read_text(encoding="utf-8"))) for p in facts.documents()) >= 50


@pytest.mark.parametrize("path", sorted(facts.paths.PROJECT_DIR.glob("notebooks/[0-9][0-9]_*.py")), ids=lambda p: p.name)
def test_lessons_quote_measured_figures_only_through_facts(path):
    unlinked = []
    for number, text in markdown_lines(path):
        text = facts.LINK.sub("⟦fact⟧", text)   # a linked figure ends the measure's window
        for match in MEASURE.finditer(text):
            snippet = match.group(0)
            if not any(name == path.name and snippet.startswith(start) for name, start in NOT_FACTS):
                unlinked.append(f"{path.name}:{number}: '{snippet}'")
    assert unlinked == [], ("a measured figure in prose: compute it in the lesson, or quote it as "
                            "[figure](../data/facts.json \"key\")")


EXPECT = re.compile(r"\*Expect(?::\*|\*(?: [^:]{0,200}?:)?)")   # "*Expect:*" or "*Expect* (setting…):"
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+")
# decimals an "*Expect*" passage about a shipped model may state without a fact link: (lesson, the number)
NOT_SHIPPED_FIGURES: set[tuple[str, str]] = set()


def expect_passages(path):
    """``(line, heading, body)`` for every "*Expect*" in a lesson's markdown: the heading is the setting it names
    ("*Expect* (shipped tiny model, this sentence):"), the body runs to the end of its bullet or paragraph."""
    units, current, start = [], [], 0
    for number, text in [*markdown_lines(path), (0, "")]:
        if not text or text.startswith(("* ", "- ", "|")) or (current and number != start + len(current)):
            if current:
                units.append((start, " ".join(current)))
            current, start = [], number
        if text:
            current.append(text)
    passages = []
    for first, unit in units:
        for match in EXPECT.finditer(unit):
            end = next((m.start() for m in EXPECT.finditer(unit, match.end())), len(unit))
            passages.append((first, match.group(0), unit[match.end():end]))
    return passages


def unlinked_shipped_figures(path):
    """``lesson:line: 'number'`` for each decimal an "*Expect*" passage about a shipped model states without a fact
    link. A passage is about a shipped model when it says "shipped", or its setting is the "same setting" as such
    a passage before it."""
    found, shipped = [], False
    for line, heading, body in expect_passages(path):
        shipped = "shipped" in heading + body or ("same setting" in heading and shipped)
        if shipped:
            found += [f"{path.name}:{line}: '{number}'" for number in DECIMAL.findall(facts.LINK.sub("⟦fact⟧", body))
                      if (path.name, number) not in NOT_SHIPPED_FIGURES]
    return found


@pytest.mark.parametrize("path", sorted(facts.paths.PROJECT_DIR.glob("notebooks/[0-9][0-9]_*.py")), ids=lambda p: p.name)
def test_expected_figures_of_shipped_models_are_facts(path):
    assert unlinked_shipped_figures(path) == [], (
        "an *Expect* figure about a shipped checkpoint goes stale when the model is retrained: measure it in a "
        "benchmark (e.g. benchmarks/bench_lesson_exercises.py) and quote it as [figure](../data/facts.json \"key\")")


def test_an_unlinked_figure_of_a_shipped_model_is_found(tmp_path):
    lesson = tmp_path / "99_x.py"
    lesson.write_text("# %% [markdown]\n"
                      "# * Try τ = 5. *Expect* (shipped tiny model, τ = 1.5): error 1.445, spread\n"
                      "#   [0.042](../data/facts.json \"x.spread\").\n"
                      "# * Use the SDE. *Expect* (same setting, 10 steps): error 1.729 at 10 steps.\n"
                      "# * Train your own. *Expect:* error 0.9 after 2,400 steps.\n"
                      "\n# %%\nx = 1.5\n", encoding="utf-8")
    assert unlinked_shipped_figures(lesson) == ["99_x.py:2: '1.445'", "99_x.py:4: '1.729'"]


@pytest.mark.parametrize("text, fact, problem", [
    ("91.1 %", facts.Fact(91.1, "%", ""), None),
    ("91 %", facts.Fact(91.1, "%", ""), None),
    ("91.2 %", facts.Fact(91.1, "%", ""), "but the fact is"),
    ("0.4 %", facts.Fact(0.004, "fraction", ""), None),
    ("0.004", facts.Fact(0.004, "fraction", ""), None),
    ("0.5 %", facts.Fact(0.004, "fraction", ""), "but the fact is"),
    ("91.1", facts.Fact(91.1, "%", ""), "is not in %"),
    ("20.3 %", facts.Fact(20.3, "dB", ""), "is in %"),
    ("1.36 M parameters", facts.Fact(1_362_755, "count", ""), None),
    ("1,362,755", facts.Fact(1_362_755, "count", ""), None),
    ("1,362,754", facts.Fact(1_362_755, "count", ""), "but the fact is"),
    ("MCD 16.0 dB", facts.Fact(15.96, "dB", ""), None),
    ("a lot", facts.Fact(1.0, "", ""), "no number"),
])
def test_a_quote_agrees_at_the_precision_it_shows(text, fact, problem):
    reason = facts.disagreement(text, fact)
    assert reason is None if problem is None else problem in reason


def test_a_stale_or_unknown_quote_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(facts, "FACTS_FILE", tmp_path / "facts.json")
    known = {"x.mcd": facts.Fact(20.3, "dB", "bench")}
    (tmp_path / "facts.json").write_text("{}")
    doc = tmp_path / "doc.md"
    doc.write_text('MCD [20.4 dB](facts.json "x.mcd") and [3 %](facts.json "x.missing")\n'
                   'and [20.3 dB](elsewhere/facts.json "x.mcd")\n')
    problems = facts.stale_quotes(doc, known)
    assert len(problems) == 3
    assert "x.mcd" in problems[0] and "20.30" in problems[0]
    assert "no fact 'x.missing'" in problems[1]
    assert "links to elsewhere/facts.json" in problems[2] and ":2:" in problems[2]


def test_a_benchmark_records_what_it_emits_when_asked(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(facts, "FACTS_FILE", tmp_path / "facts.json")
    facts.emit("vocoder_quality_x (n=20)", "pesq", 3.01234, "PESQ-WB")
    assert not (tmp_path / "facts.json").exists()      # printing only, unless asked
    monkeypatch.setenv(facts.RECORD_ENV, "1")
    facts.emit("vocoder_quality_x (n=20)", "pesq", 3.01234, "PESQ-WB")
    facts.emit("vocoder_quality_x (n=20)", "beats_griffin_lim_32", True, "bool")  # not a figure
    facts.emit("glow_tts_quality", "mcd_dtw", 20.25, "dB")
    facts.emit("vocoder_shipped_inference_3s_1thread (pitch_vocoder_tiny.pt)", "rtf", 0.015, "s compute / s audio")
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert printed[0]["value"] == 3.0123 and printed[0]["benchmark"] == "vocoder_quality_x (n=20)"
    recorded = facts.load(tmp_path / "facts.json")
    assert set(recorded) == {"vocoder_quality_x.pesq", "glow_tts_quality.mcd_dtw",
                             "vocoder_shipped_inference_3s_1thread.rtf"}
    assert recorded["vocoder_quality_x.pesq"].value == 3.0123 and recorded["glow_tts_quality.mcd_dtw"].unit == "dB"


def test_the_shipped_facts_file_is_well_formed():
    raw = json.loads(facts.FACTS_FILE.read_text(encoding="utf-8"))
    assert list(raw) == sorted(raw)
    for key, entry in raw.items():
        assert re.fullmatch(r"[\w\-]+\.[\w\-]+", key), key
        assert {"value", "unit", "source", "measured"} <= set(entry), key
        assert entry["source"].startswith("python benchmarks/"), key


@pytest.mark.parametrize("path", sorted(facts.paths.PROJECT_DIR.glob("notebooks/[0-9][0-9]_*.py")), ids=lambda p: p.name)
def test_lessons_cite_nothing_outside_the_repository(path):
    outside = re.compile(r"\.\./shared|REFERENCE\.md|DESIGN\.md|FACTS\.md|STYLE\.md")
    found = [f"{path.name}:{number}: {text}" for number, text in markdown_lines(path) if outside.search(text)]
    assert found == [], "a lesson cites what a learner's checkout does not have: cite a paper or the course's benchmarks"
