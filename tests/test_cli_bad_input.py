"""``python -m course_lib train/synth`` under bad input and faults (issue 15): a one-line ``error: ...`` naming
the problem and the fix, exit code 2, no traceback, nothing on disk lost or half-written.

The matrix runs every case for every acoustic model in ``MODELS``; a new model joins by adding a row.
Most cases call ``course_lib.__main__.main(argv)`` in this process (a subprocess costs seconds of imports);
those marked ``subprocess`` really run ``python -m course_lib``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from course_lib.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Model:
    """One row of the matrix: the CLI name, its model file, and what it needs from the data."""

    name: str
    model_file: str
    aligns_itself: bool  # MAS (trains on recorded speech) rather than the built-in corpus's true durations
    iterative: bool  # synth takes --steps
    vocoder: bool = True  # synth ends in a vocoder (VITS makes its own waveform)

    def voice(self) -> list[str]:
        """The synth arguments that pick the fast vocoder, for a model that has one."""
        return ["--vocoder", "griffin-lim"] if self.vocoder else []


MODELS = [
    Model("glow_tts", "glow_tts.pt", aligns_itself=True, iterative=False),
    Model("grad_tts", "grad_tts.pt", aligns_itself=True, iterative=True),
    Model("diff_tts", "diff_tts.pt", aligns_itself=False, iterative=True),
    Model("vits", "vits.pt", aligns_itself=True, iterative=False, vocoder=False),
    Model("cvae", "cvae.pt", aligns_itself=False, iterative=False),
]
IDS = [m.name for m in MODELS]


# ---- running the CLI ---------------------------------------------------------------------------------


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """``main(argv)`` in this process → (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:  # argparse
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def cli_subprocess(*argv: str, timeout: float = 120) -> tuple[int, str, str]:
    """``python -m course_lib ARGV`` in a fresh process → (exit code, stdout, stderr)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TTS_COURSE_MODE": "smoke"}
    result = subprocess.run([sys.executable, "-m", "course_lib", *map(str, argv)], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=timeout)
    return result.returncode, result.stdout, result.stderr


def assert_refused(result: tuple[int, str, str], *phrases: str, code: int = 2) -> str:
    """Exit ``code``, no traceback, exactly one ``error:`` line, holding every phrase; returns that line."""
    rc, _, err = result
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert rc == code, err
    assert len(lines) == 1, err
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def train_argv(model: Model, out: Path, *extra) -> list:
    return ["train", model.name, "--config", "tiny", "--out", out, "--steps", 2, *extra]


# ---- fixtures: trained runs, data folders -------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """A 2-step run folder per model, trained through the CLI (its stdout kept in ``stdout.txt``)."""
    folders = {}
    for model in MODELS:
        out = tmp_path_factory.mktemp(model.name)
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main([str(a) for a in train_argv(model, out)]) == 0
        (out.parent / f"{model.name}_stdout.txt").write_text(buffer.getvalue())
        folders[model.name] = out
    return folders


def copy_run(runs, model: Model, tmp_path: Path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(runs[model.name], out)
    return out


def checkpoint_bytes(out: Path, model: Model) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("checkpoint.pt", model.model_file)}


def make_ljspeech(folder: Path, n: int = 12, speakers: bool = False) -> Path:
    """An LJSpeech-layout folder (``wavs/`` + ``metadata.csv``) from the built-in corpus's first ``n`` clips."""
    from course_lib.data import ensure_corpus

    corpus = ensure_corpus()
    (folder / "wavs").mkdir(parents=True)
    lines = []
    for index, line in enumerate((corpus / "metadata.csv").read_text(encoding="utf-8").splitlines()[:n]):
        utt_id, raw, normalised = line.split("|")[:3]
        shutil.copy(corpus / "wavs" / f"{utt_id}.wav", folder / "wavs" / f"LJ{index:03d}.wav")
        lines.append(f"LJ{index:03d}|{raw}|{normalised}" + (f"|reader{index % 2}" if speakers else ""))
    (folder / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


# ---- 1. --data takes the built-in layout and the LJSpeech layout -----------------------------------------


def test_open_corpus_detects_the_layout(tmp_path):
    from course_lib.data import CorpusError, ensure_corpus, open_corpus

    built_in = open_corpus(ensure_corpus())
    assert built_in.front_end == "espeak" and built_in[0].durations is not None
    lj = open_corpus(make_ljspeech(tmp_path / "lj"))
    assert lj.front_end == "arpabet" and lj[0].durations is None and lj.n_speakers == 1
    assert open_corpus(make_ljspeech(tmp_path / "multi", speakers=True)).speakers == ("reader0", "reader1")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="neither a built-in corpus"):
        open_corpus(tmp_path / "empty")


@pytest.mark.parametrize("model", [m for m in MODELS if m.aligns_itself], ids=lambda m: m.name)
def test_train_on_an_ljspeech_folder(model, tmp_path, capsys):
    data = make_ljspeech(tmp_path / "LJSpeech-1.1", speakers=True)
    rc, out, err = cli(capsys, *train_argv(model, tmp_path / "run", "--data", data))
    assert rc == 0, err
    assert (tmp_path / "run" / model.model_file).is_file()


@pytest.mark.parametrize("model", [m for m in MODELS if not m.aligns_itself], ids=lambda m: m.name)
def test_models_needing_true_durations_refuse_an_ljspeech_folder(model, tmp_path, capsys):
    data = make_ljspeech(tmp_path / "lj")
    assert_refused(cli(capsys, *train_argv(model, tmp_path / "run", "--data", data)), "true durations",
                   "built-in corpus")
    assert not (tmp_path / "run" / model.model_file).exists()


def test_data_in_neither_layout_is_refused(tmp_path):
    (tmp_path / "notes").mkdir()
    assert_refused(cli_subprocess(*train_argv(MODELS[0], tmp_path / "run", "--data", tmp_path / "notes")),
                   "neither a built-in corpus", "metadata.csv")


# ---- 2. one run per folder, one process per run ---------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_fresh_run_into_a_used_folder_is_refused_and_loses_nothing(model, runs, tmp_path, capsys):
    out = copy_run(runs, model, tmp_path)
    before = checkpoint_bytes(out, model)
    assert_refused(cli(capsys, *train_argv(model, out)), "already holds a run", "--resume", "--overwrite")
    assert checkpoint_bytes(out, model) == before


def test_overwrite_replaces_the_earlier_run_entirely(runs, tmp_path, capsys):
    model = MODELS[0]
    out = copy_run(runs, model, tmp_path)
    (out / "samples" / "step9999999_old.wav").parent.mkdir(exist_ok=True)
    (out / "samples" / "step9999999_old.wav").write_bytes(b"old")
    rc, _, err = cli(capsys, *train_argv(model, out, "--overwrite"))
    assert rc == 0, err
    assert "removed the earlier run" in err
    assert not (out / "samples" / "step9999999_old.wav").exists()


def test_a_folder_in_use_by_a_live_process_is_refused(runs, tmp_path, capsys):
    import socket

    model = MODELS[0]
    out = copy_run(runs, model, tmp_path)
    before = checkpoint_bytes(out, model)
    (out / ".lock").write_text(f"{os.getpid()} {socket.gethostname()}\n")  # this process is alive
    assert_refused(cli(capsys, *train_argv(model, out, "--resume", "--steps", 3)), "in use by another training run",
                   str(os.getpid()))
    assert checkpoint_bytes(out, model) == before
    assert (out / ".lock").is_file()  # the other run's lock is left alone


def test_under_torchrun_only_rank_0_claims_the_folder(tmp_path, monkeypatch):
    from course_lib.training.run_folder import RunFolderError, claim_run_folder

    with claim_run_folder(tmp_path / "run", resume=False, overwrite=False):  # rank 0 holds the lock …
        monkeypatch.setenv("WORLD_SIZE", "2")
        monkeypatch.setenv("RANK", "1")
        with claim_run_folder(tmp_path / "run", resume=False, overwrite=False) as folder:  # … rank 1 joins it
            assert folder == tmp_path / "run"
        monkeypatch.setenv("RANK", "0")
        with pytest.raises(RunFolderError, match="in use"), claim_run_folder(tmp_path / "run", False, False):
            pass


# ---- 3. same command, same seed → the same checkpoint ---------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_training_is_reproducible(model, runs, tmp_path, capsys):
    rc, _, err = cli(capsys, *train_argv(model, tmp_path / "again"))
    assert rc == 0, err
    first = torch.load(runs[model.name] / "checkpoint.pt", weights_only=True)
    second = torch.load(tmp_path / "again" / "checkpoint.pt", weights_only=True)
    for part in ("modules", "optimizers"):
        assert _same(second[part], first[part]), part


def _same(a, b) -> bool:
    """Bit-identical nested state: tensors by ``torch.equal``, everything else by ``==``."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


# ---- 4. text too long to synthesise ---------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_overlong_text_is_refused_with_the_same_message(model, runs, tmp_path, capsys):
    paragraph = "The quick brown fox jumps over the lazy dog. " * 230  # 10,350 characters
    line = assert_refused(cli(capsys, "synth", model.name, "--checkpoint", runs[model.name] / model.model_file,
                              "--text", paragraph, "--out", tmp_path / "long.wav", *model.voice()),
                          "frames (> 10000", "split it into sentences")
    assert line.split(" frames")[1] == " (> 10000, about 116 s): split it into sentences and synthesise them one by " \
                                      "one, or lower the length scale"
    assert not (tmp_path / "long.wav").exists()


# ---- 5, 6, 10. arguments checked before any work ---------------------------------------------------------

BAD_TRAIN_ARGS = [
    (["--steps", "0"], "argument --steps: 0 must be 1 or more"),
    (["--batch-size", "0"], "argument --batch-size: 0 must be 1 or more"),
    (["--out", ""], "argument --out: an empty path"),
    (["--data", ""], "argument --data: an empty path"),
    (["--resume", "--overwrite"], "not allowed with argument --resume"),
]


@pytest.mark.parametrize("extra, phrase", BAD_TRAIN_ARGS, ids=[a[0] + (a[1] or "''") for a, _ in BAD_TRAIN_ARGS])
def test_bad_train_arguments(extra, phrase, tmp_path, capsys):
    assert_refused(cli(capsys, *train_argv(MODELS[0], tmp_path / "run"), *extra), phrase)
    assert not (tmp_path / "run").exists()


def test_bad_arguments_through_a_subprocess(tmp_path):
    assert_refused(cli_subprocess(*train_argv(MODELS[0], tmp_path / "run", "--steps", "0")), "--steps: 0 must be 1")
    assert_refused(cli_subprocess("synth", "glow_tts", "--checkpoint", "x.pt", "--text", "Hi.", "--out", "x.wav",
                                  "--seed", str(2**70)), "out of range")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_train_out_must_be_a_writable_folder(model, tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    assert_refused(cli(capsys, *train_argv(model, tmp_path / "file")), "is a file, not a folder")
    assert_refused(cli(capsys, *train_argv(model, tmp_path / "file" / "run")), "which is a file")
    assert (tmp_path / "file").read_text() == "not a folder"
    assert_refused(cli(capsys, *train_argv(model, Path("/proc/course_run"))), "cannot create --out")


BAD_SYNTH_ARGS = [
    (["--steps", "0"], "argument --steps: 0 must be 1 or more"),
    (["--seed", "-1"], "argument --seed: -1 is out of range"),
    (["--seed", str(2**70)], "out of range: give a seed from 0 to 4294967295"),
    (["--length-scale", "inf"], "argument --length-scale: inf must be a finite number > 0"),
    (["--length-scale", "0"], "argument --length-scale: 0 must be a finite number > 0"),
    (["--temperature", "nan"], "argument --temperature: nan must be a finite number >= 0"),
    (["--noise-scale", "-1"], "argument --noise-scale: -1 must be a finite number >= 0"),
    (["--noise-scale", "0.5", "--temperature", "0.5"], "argument --temperature: not allowed with argument --noise-scale"),
    (["--out", "OUT/"], "is a folder"),
    (["--out", "OUT/speech.txt"], "must end in .wav"),
    (["--out", "OUT/speech.mp3"], "must end in .wav: the course writes 16-bit PCM WAV"),
    (["--out", "OUT/speech"], "must end in .wav"),
    (["--out", "OUT/file.wav/speech.wav"], "which is a file"),
    (["--vocoder", "wavenet"], "unknown vocoder 'wavenet'"),
    (["--vocoder", "OUT/missing.pt"], "missing.pt"),
    (["--checkpoint", "OUT/missing.pt"], "no such file"),
]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
@pytest.mark.parametrize("extra, phrase", BAD_SYNTH_ARGS, ids=["".join(a) for a, _ in BAD_SYNTH_ARGS])
def test_bad_synth_arguments(model, extra, phrase, runs, tmp_path, capsys):
    (tmp_path / "file.wav").write_bytes(b"keep me")
    extra = [arg.replace("OUT", str(tmp_path)) for arg in extra]
    argv = ["synth", model.name, "--checkpoint", runs[model.name] / model.model_file, "--text", "Hello there.",
            "--out", tmp_path / "speech.wav", *model.voice(), *extra]
    if "--vocoder" in extra and not model.vocoder:
        phrase = "uses no vocoder: drop --vocoder"
    assert_refused(cli(capsys, *argv), phrase)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.wav"]
    assert (tmp_path / "file.wav").read_bytes() == b"keep me"


@pytest.mark.parametrize("model", [m for m in MODELS if not m.iterative], ids=lambda m: m.name)
def test_steps_for_a_one_pass_model_is_refused(model, runs, tmp_path, capsys):
    assert_refused(cli(capsys, "synth", model.name, "--checkpoint", runs[model.name] / model.model_file, "--text",
                       "Hello.", "--out", tmp_path / "a.wav", "--steps", "4"), "has no n_steps", "decodes in one pass",
                   "drop --steps")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_synth_still_works(model, runs, tmp_path, capsys):
    rc, out, err = cli(capsys, "synth", model.name, "--checkpoint", runs[model.name] / model.model_file, "--text",
                       "Hello there.", "--out", tmp_path / "a.wav", *model.voice())
    assert rc == 0, err
    assert sf.info(str(tmp_path / "a.wav")).frames > 0


# ---- 6, 8. model files that cannot be used ---------------------------------------------------------------


def _bad_model_files(folder: Path, model: Model, runs) -> list[tuple[Path, str]]:
    from course_lib.training.checkpoint import MODEL_FORMAT

    good = runs[model.name] / model.model_file
    payload = torch.load(good, weights_only=True)
    other = next(m for m in MODELS if m.name != model.name)
    cases = [(folder / "random.pt", "not a checkpoint, or it is truncated or corrupt"),
             (folder / "text.pt", "not a checkpoint"),
             (folder / "no_config.pt", "has no model config"),
             (folder / "wrong_type.pt", "seed='six' should be int"),
             (runs[other.name] / other.model_file, f"is a {other.name} model file, not {model.name}")]
    cases[0][0].write_bytes(np.random.default_rng(0).bytes(4096))
    cases[1][0].write_text("hello, I am not a checkpoint\n")
    torch.save({"format": MODEL_FORMAT, "state_dict": payload["state_dict"]}, cases[2][0])
    torch.save({**payload, "config": {**payload["config"], "seed": "six"}}, cases[3][0])
    return cases


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_unusable_model_files(model, runs, tmp_path, capsys):
    for path, phrase in _bad_model_files(tmp_path, model, runs):
        assert_refused(cli(capsys, "synth", model.name, "--checkpoint", path, "--text", "Hello.", "--out",
                           tmp_path / "a.wav", *model.voice()), phrase)
    assert not (tmp_path / "a.wav").exists()


# ---- 7. bad data: the file, the line, the fix -------------------------------------------------------------


def _break(folder: Path, how: str) -> None:
    metadata = folder / "metadata.csv"
    lines = metadata.read_text(encoding="utf-8").splitlines()
    wav = folder / "wavs" / "LJ003.wav"
    if how == "latin1":
        lines[2] = lines[2] + " café"
        metadata.write_bytes("\n".join(lines).encode("latin-1"))
    elif how == "empty transcript":
        lines[2] = "LJ002||"
        metadata.write_text("\n".join(lines), encoding="utf-8")
    elif how == "unreadable transcript":
        lines[2] = "LJ002|\U0001F600|\U0001F600"
        metadata.write_text("\n".join(lines), encoding="utf-8")
    elif how == "duplicate id":
        lines[5] = "LJ001" + lines[5][5:]
        metadata.write_text("\n".join(lines), encoding="utf-8")
    elif how == "short clip":
        sf.write(str(wav), np.zeros(1102, dtype=np.float32), 22050, subtype="PCM_16")  # 0.05 s
    elif how == "nan":
        wave, rate = sf.read(str(wav), dtype="float32")
        wave[100] = np.nan
        sf.write(str(wav), wave, rate, subtype="FLOAT")
    elif how == "truncated":
        data = wav.read_bytes()
        wav.write_bytes(data[: len(data) // 2])


BAD_DATA = [
    ("latin1", "metadata.csv:3: byte 0xe9", "re-save the file as UTF-8"),
    ("empty transcript", "metadata.csv:3: utterance LJ002 has an empty transcript", "delete the line"),
    ("unreadable transcript", "utterance LJ002 (", "fix its transcript"),
    ("duplicate id", "metadata.csv:6: id LJ001 is already on line 2", "ids must be unique"),
    ("short clip", "LJ003.wav (utterance LJ003) lasts 0.05 s", "remove its line"),
    ("nan", "LJ003.wav (utterance LJ003) holds NaN", "remove its line"),
    ("truncated", "LJ003.wav is truncated", "re-export"),
]


@pytest.mark.parametrize("how, where, fix", BAD_DATA, ids=[case[0] for case in BAD_DATA])
def test_bad_data_names_the_file_and_the_fix(how, where, fix, tmp_path, capsys):
    data = make_ljspeech(tmp_path / "lj")
    (data / "splits.tsv").write_text("".join(f"LJ{i:03d}\ttrain\n" for i in range(12)))  # all in the first batch
    _break(data, how)
    argv = train_argv(MODELS[0], tmp_path / "run", "--data", data, "--batch-size", 12, "--steps", 1)
    assert_refused(cli(capsys, *argv), where, fix)


def test_duplicate_ids_in_the_built_in_layout_are_refused(tmp_path, capsys):
    from course_lib.data import ensure_corpus

    data = tmp_path / "corpus"
    shutil.copytree(ensure_corpus(), data)
    lines = (data / "metadata.csv").read_text(encoding="utf-8").splitlines()
    (data / "metadata.csv").write_text("\n".join([*lines, lines[0]]) + "\n", encoding="utf-8")
    assert_refused(cli(capsys, *train_argv(MODELS[0], tmp_path / "run", "--data", data)),
                   f"metadata.csv:{len(lines) + 1}: id {lines[0].split('|')[0]} is already on line 1")


# ---- 9, 10. resuming ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_resume_cleans_leftovers_and_takes_over_a_stale_lock(model, runs, tmp_path, capsys):
    import socket

    out = copy_run(runs, model, tmp_path)
    (out / ".checkpoint.pt.x1y2.tmp").write_bytes(b"\0" * 1000)  # a kill -9 mid-write
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (out / ".lock").write_text(f"{finished.stdout.strip()} {socket.gethostname()}\n")  # its process is gone
    rc, _, err = cli(capsys, *train_argv(model, out, "--resume", "--steps", 3))
    assert rc == 0, err
    assert "removed 1 temporary file(s)" in err
    assert not list(out.glob(".*.tmp")) and not (out / ".lock").exists()
    assert torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 3


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_resume_with_other_settings_is_refused(model, runs, tmp_path, capsys):
    out = copy_run(runs, model, tmp_path)
    before = checkpoint_bytes(out, model)
    assert_refused(cli(capsys, *train_argv(model, out, "--resume", "--steps", 1)), "at step 2, past the 1 steps")
    assert_refused(cli(capsys, *train_argv(model, out, "--resume", "--batch-size", 3)),
                   "--batch-size 3 differs from the", "drop --batch-size")
    assert checkpoint_bytes(out, model) == before


def test_resume_without_a_run_is_refused(tmp_path, capsys):
    assert_refused(cli(capsys, *train_argv(MODELS[0], tmp_path / "empty", "--resume")),
                   "holds no checkpoint.pt", "drop --resume")
    assert not list((tmp_path / "empty").iterdir())


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_short_run_reports_its_last_losses(model, runs):
    stdout = (runs[model.name].parent / f"{model.name}_stdout.txt").read_text()
    phase = {"vits": "generator", "cvae": "cvae"}.get(model.name, "tts")   # VITS trains as a GAN: its generator's
    assert f"to step 2; last losses: {phase}/loss=" in stdout
