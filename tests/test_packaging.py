"""The project's own plumbing: dependencies in step, notebooks convertible, CLI wired."""

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {_name(r): r.replace(" ", "") for r in requirements}


def _environment_requirements() -> dict[str, str]:
    import yaml

    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for entry in environment["dependencies"]:
        entries = entry["pip"] if isinstance(entry, dict) else [entry]
        for requirement in entries:
            if _name(requirement) not in ("python", "pip"):
                found[_name(requirement)] = requirement.replace(" ", "")
    return found


def test_environment_yml_matches_pyproject():
    assert _environment_requirements() == _pyproject_requirements()


def test_torchaudio_is_not_a_dependency():
    assert "torchaudio" not in _pyproject_requirements()


def test_every_notebook_source_converts_cleanly(tmp_path):
    import jupytext
    import nbformat

    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert sources, "no lesson sources found in notebooks/"
    for source in sources:
        notebook = jupytext.read(source)
        assert notebook.metadata["kernelspec"]["name"] == "python3", f"{source.name}: kernel must be python3"
        assert len(notebook.cells) > 5, f"{source.name}: suspiciously few cells"
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert not cell.get("outputs"), f"{source.name}: outputs must not be committed"
        nbformat.validate(notebook)
        # the round trip ipynb -> py gives the same cells back
        again = jupytext.reads(jupytext.writes(notebook, fmt="py:percent"), fmt="py:percent")
        assert [c.source for c in again.cells] == [c.source for c in notebook.cells], source.name


def test_no_generated_notebooks_or_corpus_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert not [t for t in tracked if t.endswith(".ipynb")]
    assert not [t for t in tracked if t.startswith("data/cache/")]


def test_cli_help_lists_the_verbs():
    result = subprocess.run([sys.executable, "-m", "course_lib", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    for verb in ("corpus", "info", "train", "synth"):
        assert verb in result.stdout


def _cli_running(monkeypatch, error: BaseException):
    """course_lib.__main__ with a verb that raises ``error``."""
    from course_lib import __main__ as cli

    def verb(args):
        raise error

    monkeypatch.setattr(cli, "build_parser", lambda: SimpleNamespace(parse_args=lambda argv: SimpleNamespace(func=verb)))
    return cli


def test_cli_ends_a_stopped_or_diverged_run_with_its_message_not_a_traceback(monkeypatch, capsys):
    from course_lib.training import NonFiniteLossError, TrainingInterrupted

    stopped = TrainingInterrupted("training stopped by Ctrl-C at step 7; checkpoint saved to runs/x/checkpoint.pt")
    assert _cli_running(monkeypatch, stopped).main(["train"]) == 130
    err = capsys.readouterr().err
    assert "stopped: training stopped by Ctrl-C at step 7; checkpoint saved to runs/x/checkpoint.pt" in err
    assert _cli_running(monkeypatch, NonFiniteLossError("tts/loss is nan at step 3")).main(["train"]) == 1
    assert "error: tts/loss is nan at step 3" in capsys.readouterr().err


def test_cli_other_runtime_errors_keep_their_traceback(monkeypatch):
    with pytest.raises(RuntimeError, match="a bug"):
        _cli_running(monkeypatch, RuntimeError("a bug")).main(["train"])


def test_cli_unknown_model_is_a_clear_error():
    result = subprocess.run([sys.executable, "-m", "course_lib", "info", "tacotron"], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 2
    assert "invalid choice: 'tacotron'" in result.stderr and "glow_tts" in result.stderr


def test_the_cli_model_lists_match_the_modules_and_every_argument_has_help():
    from course_lib.__main__ import build_parser
    from course_lib.models import MODEL_MODULES, SYNTHESIZERS, TRAINABLE, recipe_of

    built = list(MODEL_MODULES)
    assert [n for n in built if recipe_of(n) is not None] == [n for n in MODEL_MODULES if n in TRAINABLE]
    assert [n for n in built if getattr(recipe_of(n), "synth", None)] == [n for n in MODEL_MODULES if n in SYNTHESIZERS]
    assert all(recipe_of(n).name == n for n in TRAINABLE)
    def check(parser, command):
        for action in parser._actions:
            if action.dest != "help":
                assert action.help, f"`{command} {'/'.join(action.option_strings) or action.dest}` has no help text"
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    check(sub, f"{command} {name}")

    root = build_parser()
    for verb, parser in root._subparsers._group_actions[0].choices.items():
        check(parser, verb)
