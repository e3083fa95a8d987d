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
    """The command ``cli_runs`` (conftest.py) trains its runs with, plus ``extra``."""
    return ["train", model.name, "--config", "tiny", "--out", out, "--steps", 2, *extra]


# ---- trained runs (conftest.py's cli_runs), data folders ------------------------------------------------


def copy_run(cli_runs, model: Model, tmp_path: Path) -> Path:
    """A copy of the shared run of ``model``, for a test that changes it."""
    out = tmp_path / "run"
    shutil.copytree(cli_runs[model.name], out)
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
    """One reader; VITS also with a speaker column, through its multi-speaker config."""
    data = make_ljspeech(tmp_path / "LJSpeech-1.1", speakers=model.name == "vits")
    argv = train_argv(model, tmp_path / "run", "--data", data)
    if model.name == "vits":
        argv[argv.index("tiny")] = "tiny_multi"
    rc, out, err = cli(capsys, *argv)
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
def test_a_fresh_run_into_a_used_folder_is_refused_and_loses_nothing(model, cli_runs, tmp_path, capsys):
    out = copy_run(cli_runs, model, tmp_path)
    before = checkpoint_bytes(out, model)
    assert_refused(cli(capsys, *train_argv(model, out)), "already holds a run", "--resume", "--overwrite")
    assert checkpoint_bytes(out, model) == before


def test_overwrite_replaces_the_earlier_run_entirely(cli_runs, tmp_path, capsys):
    model = MODELS[0]
    out = copy_run(cli_runs, model, tmp_path)
    (out / "samples" / "step9999999_old.wav").parent.mkdir(exist_ok=True)
    (out / "samples" / "step9999999_old.wav").write_bytes(b"old")
    rc, _, err = cli(capsys, *train_argv(model, out, "--overwrite"))
    assert rc == 0, err
    assert "removed the earlier run" in err
    assert not (out / "samples" / "step9999999_old.wav").exists()


def test_a_folder_in_use_by_a_live_process_is_refused(cli_runs, tmp_path, capsys):
    import socket

    model = MODELS[0]
    out = copy_run(cli_runs, model, tmp_path)
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
def test_training_is_reproducible(model, cli_runs, tmp_path, capsys):
    rc, _, err = cli(capsys, *train_argv(model, tmp_path / "again"))
    assert rc == 0, err
    first = torch.load(cli_runs[model.name] / "checkpoint.pt", weights_only=True)
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
def test_overlong_text_is_refused_with_the_same_message(model, cli_runs, tmp_path, capsys):
    paragraph = "The quick brown fox jumps over the lazy dog. " * 230  # 10,350 characters
    line = assert_refused(cli(capsys, "synth", model.name, "--checkpoint", cli_runs[model.name] / model.model_file,
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
def test_bad_synth_arguments(model, extra, phrase, cli_runs, tmp_path, capsys):
    (tmp_path / "file.wav").write_bytes(b"keep me")
    extra = [arg.replace("OUT", str(tmp_path)) for arg in extra]
    argv = ["synth", model.name, "--checkpoint", cli_runs[model.name] / model.model_file, "--text", "Hello there.",
            "--out", tmp_path / "speech.wav", *model.voice(), *extra]
    if "--vocoder" in extra and not model.vocoder:
        phrase = "uses no vocoder: drop --vocoder"
    assert_refused(cli(capsys, *argv), phrase)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.wav"]
    assert (tmp_path / "file.wav").read_bytes() == b"keep me"


@pytest.mark.parametrize("model", [m for m in MODELS if not m.iterative], ids=lambda m: m.name)
def test_steps_for_a_one_pass_model_is_refused(model, cli_runs, tmp_path, capsys):
    assert_refused(cli(capsys, "synth", model.name, "--checkpoint", cli_runs[model.name] / model.model_file, "--text",
                       "Hello.", "--out", tmp_path / "a.wav", "--steps", "4"), "has no n_steps", "decodes in one pass",
                   "drop --steps")


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_synth_still_works(model, cli_runs, tmp_path, capsys):
    rc, out, err = cli(capsys, "synth", model.name, "--checkpoint", cli_runs[model.name] / model.model_file, "--text",
                       "Hello there.", "--out", tmp_path / "a.wav", *model.voice())
    assert rc == 0, err
    assert sf.info(str(tmp_path / "a.wav")).frames > 0


# ---- 6, 8. model files that cannot be used ---------------------------------------------------------------


def _bad_model_files(folder: Path, model: Model, cli_runs) -> list[tuple[Path, str]]:
    from course_lib.training.checkpoint import MODEL_FORMAT

    good = cli_runs[model.name] / model.model_file
    payload = torch.load(good, weights_only=True)
    other = next(m for m in MODELS if m.name != model.name)
    cases = [(folder / "random.pt", "not a checkpoint, or it is truncated or corrupt"),
             (folder / "text.pt", "not a checkpoint"),
             (folder / "no_config.pt", "has no model config"),
             (folder / "wrong_type.pt", "seed='six' should be int"),
             (cli_runs[other.name] / other.model_file, f"is a {other.name} model file, not {model.name}")]
    cases[0][0].write_bytes(np.random.default_rng(0).bytes(4096))
    cases[1][0].write_text("hello, I am not a checkpoint\n")
    torch.save({"format": MODEL_FORMAT, "state_dict": payload["state_dict"]}, cases[2][0])
    torch.save({**payload, "config": {**payload["config"], "seed": "six"}}, cases[3][0])
    return cases


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_unusable_model_files(model, cli_runs, tmp_path, capsys):
    for path, phrase in _bad_model_files(tmp_path, model, cli_runs):
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
def test_resume_cleans_leftovers_and_takes_over_a_stale_lock(model, cli_runs, tmp_path, capsys):
    import socket

    out = copy_run(cli_runs, model, tmp_path)
    (out / ".checkpoint.pt.x1y2.tmp").write_bytes(b"\0" * 1000)  # a kill -9 mid-write
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (out / ".lock").write_text(f"{finished.stdout.strip()} {socket.gethostname()}\n")  # its process is gone
    rc, _, err = cli(capsys, *train_argv(model, out, "--resume", "--steps", 3))
    assert rc == 0, err
    assert "removed 1 temporary file(s)" in err
    assert not list(out.glob(".*.tmp")) and not (out / ".lock").exists()
    assert torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 3


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_resume_with_other_settings_is_refused(model, cli_runs, tmp_path, capsys):
    out = copy_run(cli_runs, model, tmp_path)
    before = checkpoint_bytes(out, model)
    assert_refused(cli(capsys, *train_argv(model, out, "--resume", "--steps", 1)), "at step 2, past the 1 steps")
    assert_refused(cli(capsys, *train_argv(model, out, "--resume", "--batch-size", 3)),
                   "--batch-size 3 differs from the", "drop --batch-size")
    assert checkpoint_bytes(out, model) == before


def test_resume_without_a_run_is_refused(tmp_path, capsys):
    assert_refused(cli(capsys, *train_argv(MODELS[0], tmp_path / "empty", "--resume")),
                   "holds no checkpoint.pt", "drop --resume")
    assert not (tmp_path / "empty").exists()  # the folder the refused command made is gone again


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_short_run_reports_its_last_losses(model, cli_runs):
    stdout = (cli_runs[model.name].parent / f"{model.name}_stdout.txt").read_text()
    phase = {"vits": "generator", "cvae": "cvae"}.get(model.name, "tts")   # VITS trains as a GAN: its generator's
    assert f"to step 2; last losses: {phase}/loss=" in stdout


# ---- 11. every verb: nothing of the user's lost, a clear refusal (issue 23) -------------------------------
#
# One row per case: the command (placeholders: {T} the test's folder, {MODEL_NAME} a 2-step run's model file of
# that model, e.g. {GLOW_TTS}, {RUN} that run's folder), what to put in {T} first, and the phrases of the one-line
# refusal. Every row checks that the files in {T} are the same, byte for byte, afterwards. A new verb joins by
# adding rows.


def _wave(seconds: float = 0.5, rate: int = 22050) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)


def _speech(folder: Path) -> None:
    sf.write(folder / "speech.wav", _wave(), 22050, subtype="PCM_16")


def _no_audio_declared(folder: Path) -> None:
    """A wav whose header declares 0 bytes of audio (a writer killed before it closed the file), samples after it."""
    import io

    buffer = io.BytesIO()
    sf.write(buffer, _wave(), 22050, subtype="PCM_16", format="WAV")
    data = bytearray(buffer.getvalue())
    at = data.index(b"data")
    data[at + 4: at + 8] = (0).to_bytes(4, "little")
    (folder / "speech.wav").write_bytes(bytes(data))


def _nan_wave(folder: Path) -> None:
    wave = _wave()
    wave[100] = np.nan
    sf.write(folder / "speech.wav", wave, 22050, subtype="FLOAT")


def _user_folder(folder: Path) -> None:
    (folder / "d").mkdir()
    (folder / "d" / "thesis.txt").write_text("three years of work")
    (folder / "d" / "figures").mkdir()
    (folder / "d" / "figures" / "one.png").write_bytes(b"png")


def _a_file(folder: Path) -> None:
    (folder / "notes.txt").write_text("keep me")


def _built_corpus(folder: Path, how: str) -> None:
    from course_lib.data import ensure_corpus

    shutil.copytree(ensure_corpus(), folder / "corpus")
    manifest = folder / "corpus" / "corpus.json"
    if how == "wrong shape":
        manifest.write_text("[1]")
    elif how == "truncated":
        manifest.write_text(manifest.read_text()[:40])
    elif how == "missing wav":
        first = (folder / "corpus" / "metadata.csv").read_text().split("|")[0]
        (folder / "corpus" / "wavs" / f"{first}.wav").unlink()


def _lj(folder: Path, speakers: str) -> None:
    data = make_ljspeech(folder / "lj", speakers=speakers != "none")
    if speakers == "mixed":
        lines = (data / "metadata.csv").read_text().splitlines()
        lines[3] = lines[3].rsplit("|", 1)[0]
        (data / "metadata.csv").write_text("\n".join(lines) + "\n")


def _earlier_comparison(folder: Path) -> None:
    (folder / "cmp" / "wavs").mkdir(parents=True)
    (folder / "cmp" / "results.md").write_text("| the earlier table |")
    (folder / "cmp" / "wavs" / "vits_ES00001_seed0.wav").write_bytes(b"RIFF")


@dataclass(frozen=True)
class Case:
    """One row of the verb matrix."""

    id: str
    argv: tuple[str, ...]
    phrases: tuple[str, ...]
    setup: object = None  # (folder) -> None: what the user had before the command
    cwd: str | None = None  # run from this sub-folder of {T}


VERB_CASES = [
    # 1. data loss
    Case("corpus build into a user's folder", ("corpus", "build", "--out", "{T}/d", "--n-utterances", "3"),
         ("--out {T}/d holds", "thesis.txt", "did not write", "empty or new folder"), _user_folder),
    Case("corpus build onto a file", ("corpus", "build", "--out", "{T}/notes.txt", "--n-utterances", "3"),
         ("is a file", "empty or new folder"), _a_file),
    Case("corpus build under a file", ("corpus", "build", "--out", "{T}/notes.txt/c", "--n-utterances", "3"),
         ("lies under", "which is a file"), _a_file),
    Case("corpus build into the folder you are in", ("corpus", "build", "--out", ".", "--n-utterances", "3"),
         ("is the folder you are in", "--out corpus"), _user_folder, cwd="d"),
    Case("vocode over its input", ("vocode", "--in", "{T}/speech.wav", "--out", "{T}/speech.wav", "--vocoder",
                                   "griffin-lim"), ("is the --in recording itself", "speech_out.wav"), _speech),
    Case("vocode over its input through ..", ("vocode", "--in", "{T}/speech.wav", "--out", "{T}/x/../speech.wav",
                                              "--vocoder", "griffin-lim"), ("is the --in recording itself",), _speech),
    Case("convert over its input", ("convert", "vits", "--checkpoint", "{VITS}", "--in", "{T}/speech.wav",
                                    "--from-speaker", "0", "--speaker", "0", "--out", "{T}/speech.wav"),
         ("is the --in recording itself",), _speech),
    Case("vocode a wav declaring no audio", ("vocode", "--in", "{T}/speech.wav", "--out", "{T}/o.wav", "--vocoder",
                                             "griffin-lim"), ("declares no audio", "cut short", "re-export"),
         _no_audio_declared),
    # 2. extreme values
    Case("glow_tts length scale 1e20", ("synth", "glow_tts", "--checkpoint", "{GLOW_TTS}", "--text", "Hello there.",
                                        "--out", "{T}/o.wav", "--vocoder", "griffin-lim", "--length-scale", "1e20"),
         ("an overflowing number of frames (> 10000", "lower the length scale")),
    Case("vits length scale 1e20", ("synth", "vits", "--checkpoint", "{VITS}", "--text", "Hello there.", "--out",
                                    "{T}/o.wav", "--length-scale", "1e20"), ("frames (> 10000", "length scale")),
    Case("vits duration noise 100", ("synth", "vits", "--checkpoint", "{VITS}", "--text", "Hello there.", "--out",
                                     "{T}/o.wav", "--noise-scale-w", "100"),
         ("frames (> 10000", "noise_scale_w")),
    Case("a speaker id past any tensor", ("synth", "vits", "--checkpoint", "{VITS}", "--text", "Hi.", "--out",
                                          "{T}/o.wav", "--speaker", "99999999999999999999"),
         ("--speaker: 99999999999999999999 is out of range", "n_speakers")),
    Case("a converted speaker id past any tensor", ("convert", "vits", "--checkpoint", "{VITS}", "--in",
                                                    "{T}/speech.wav", "--from-speaker", "99999999999999999999",
                                                    "--speaker", "0", "--out", "{T}/o.wav"),
         ("--from-speaker: 99999999999999999999 is out of range",), _speech),
    Case("info with a huge vocabulary", ("info", "glow_tts", "--n-vocab", "10000000000"),
         ("--n-vocab: 10000000000 is out of range", "100,000")),
    Case("corpus build with an unknown voice", ("corpus", "build", "--voices", "en-us,xx-klingon", "--out",
                                                "{T}/k", "--n-utterances", "3"),
         ("no voice 'xx-klingon'", "python -m course_lib corpus voices")),
    Case("corpus.json of the wrong shape", ("train", "glow_tts", "--config", "tiny", "--data", "{T}/corpus", "--out",
                                            "{T}/run", "--steps", "1"),
         ("corpus/corpus.json is not a corpus manifest", "corpus build --out"),
         lambda folder: _built_corpus(folder, "wrong shape")),
    Case("a truncated corpus.json", ("train", "glow_tts", "--config", "tiny", "--data", "{T}/corpus", "--out",
                                     "{T}/run", "--steps", "1"),
         ("corpus/corpus.json is damaged", "corpus build --out"), lambda folder: _built_corpus(folder, "truncated")),
    Case("compare more sentences than the test split", ("compare", "--sentences", "1000000", "--out", "{T}/cmp"),
         ("--sentences 1000000: the held-out test split has", "give 1 …")),
    Case("compare with no models", ("compare", "--models", "", "--out", "{T}/cmp"), ("--models is empty",)),
    Case("compare with a model twice", ("compare", "--models", "vits,glow_tts,vits", "--out", "{T}/cmp"),
         ("names vits more than once",)),
    Case("compare into an earlier comparison", ("compare", "--out", "{T}/cmp"),
         ("already holds the results of a comparison", "results.md", "--overwrite"), _earlier_comparison),
    Case("LJSpeech rows with and without a speaker", ("train", "glow_tts", "--config", "tiny", "--data", "{T}/lj",
                                                      "--out", "{T}/run", "--steps", "1"),
         ("names a speaker on some lines", "LJ000", "LJ003", "or none"), lambda folder: _lj(folder, "mixed")),
    Case("a single-speaker VITS on 2 speakers", ("train", "vits", "--config", "tiny", "--data", "{T}/lj", "--out",
                                                 "{T}/run", "--steps", "1"),
         ("holds 2 speakers (reader0, reader1)", "--config tiny makes one voice", "--config tiny_multi"),
         lambda folder: _lj(folder, "two")),
    Case("Glow-TTS on 2 speakers", ("train", "glow_tts", "--config", "tiny", "--data", "{T}/lj", "--out", "{T}/run",
                                    "--steps", "1"),
         ("holds 2 speakers", "glow_tts has no multi-speaker config"), lambda folder: _lj(folder, "two")),
    # 3. messages that name the cause and the fix
    Case("vocode a folder", ("vocode", "--in", "{T}/d", "--out", "{T}/o.wav", "--vocoder", "griffin-lim"),
         ("--in: {T}/d is a folder, not an audio file",), _user_folder),
    Case("convert a folder", ("convert", "vits", "--checkpoint", "{VITS}", "--in", "{T}/d", "--from-speaker", "0",
                              "--speaker", "1", "--out", "{T}/o.wav"), ("is a folder, not an audio file",),
         _user_folder),
    Case("vocode NaN samples", ("vocode", "--in", "{T}/speech.wav", "--out", "{T}/o.wav", "--vocoder", "griffin-lim"),
         ("{T}/speech.wav holds NaN or infinite samples", "re-export it"), _nan_wave),
    Case("convert NaN samples", ("convert", "vits", "--checkpoint", "{VITS}", "--in", "{T}/speech.wav",
                                 "--from-speaker", "0", "--speaker", "1", "--out", "{T}/o.wav"),
         ("holds NaN or infinite samples",), _nan_wave),
    Case("an acoustic model as the vocoder", ("synth", "glow_tts", "--checkpoint", "{GLOW_TTS}", "--text", "Hi.",
                                              "--out", "{T}/o.wav", "--vocoder", "{GRAD_TTS}"),
         ("is a grad_tts model file, not a vocoder", "generator.pt", "--vocoder griffin-lim")),
    Case("a run's checkpoint as the model", ("synth", "glow_tts", "--checkpoint", "{RUN}/checkpoint.pt", "--text",
                                             "Hi.", "--out", "{T}/o.wav", "--vocoder", "griffin-lim"),
         ("is a run's training checkpoint", "give the model file the run wrote beside it", "glow_tts.pt")),
    Case("a built-in corpus missing a wav", ("train", "glow_tts", "--config", "tiny", "--data", "{T}/corpus", "--out",
                                             "{T}/run", "--steps", "1"),
         ("1 of", "have no wav file", "restore them, or rebuild the corpus with `python -m course_lib corpus build "
                                      "--out {T}/corpus --mode smoke --n-utterances"),
         lambda folder: _built_corpus(folder, "missing wav")),
    Case("compare under a file", ("compare", "--out", "{T}/notes.txt/sub"), ("lies under", "which is a file"),
         _a_file),
]


def _tree(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` → its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("case", VERB_CASES, ids=[case.id for case in VERB_CASES])
def test_every_verb_refuses_bad_input_and_loses_nothing(case, cli_runs, tmp_path, capsys, monkeypatch):
    places = {"T": str(tmp_path), "RUN": str(cli_runs["glow_tts"]),
              **{m.name.upper(): str(cli_runs[m.name] / m.model_file) for m in MODELS}}
    argv = [arg.format(**places) for arg in case.argv]
    if case.setup is not None:
        case.setup(tmp_path)
    if case.cwd is not None:
        monkeypatch.chdir(tmp_path / case.cwd)
    before = _tree(tmp_path)
    assert_refused(cli(capsys, *argv), *(phrase.format(**places) for phrase in case.phrases))
    assert _tree(tmp_path) == before


def test_the_matrix_covers_every_verb():
    from course_lib.__main__ import build_parser

    verbs = set(build_parser()._subparsers._group_actions[0].choices)
    covered = {case.argv[0] for case in VERB_CASES} | {"train"}  # train: the matrix above
    assert verbs <= covered, f"add rows for {verbs - covered}"


# ---- 12. kill -9 at any moment of a write, Ctrl-C mid-way: what the user had stays whole ----------------------

# ``python -m course_lib ARGV`` with soundfile's writer made slow: it writes half the file, raises the flag file
# (the first argument), and sleeps until it is killed.
SLOW_WRITE = """
import io, os, runpy, sys, time
import soundfile

real_write = soundfile.write


def slow_write(file, data, samplerate, **options):
    buffer = io.BytesIO()
    real_write(buffer, data, samplerate, **{"format": "WAV", **options})
    payload = buffer.getvalue()
    target = file if hasattr(file, "write") else open(file, "wb")
    target.write(payload[: len(payload) // 2])
    target.flush()
    open(FLAG, "w").close()
    time.sleep(600)


soundfile.write = slow_write
FLAG = sys.argv.pop(1)
sys.argv[0] = "course_lib"
runpy.run_module("course_lib", run_name="__main__", alter_sys=True)
"""

KILL_CASES = [
    Case("vocode", ("vocode", "--in", "{T}/speech.wav", "--out", "{T}/take.wav", "--vocoder", "griffin-lim"), ()),
    Case("synth vits", ("synth", "vits", "--checkpoint", "{VITS}", "--text", "Hello there.", "--out", "{T}/take.wav"),
         ()),
    Case("synth glow_tts", ("synth", "glow_tts", "--checkpoint", "{GLOW_TTS}", "--text", "Hello there.", "--out",
                            "{T}/take.wav", "--vocoder", "griffin-lim"), ()),
]


def _wait_for(condition, what: str, process: subprocess.Popen, timeout: float = 180) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the command ended ({process.returncode}) before {what}: {process.stderr.read()}")
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


@pytest.mark.parametrize("case", KILL_CASES, ids=[case.id for case in KILL_CASES])
def test_kill_9_while_audio_is_written_leaves_the_earlier_file_whole(case, cli_runs, tmp_path, capsys):
    places = {"T": str(tmp_path), **{m.name.upper(): str(cli_runs[m.name] / m.model_file) for m in MODELS}}
    _speech(tmp_path)
    shutil.copy(tmp_path / "speech.wav", tmp_path / "take.wav")  # the user's earlier take, at the output path
    before = _tree(tmp_path)
    flag = tmp_path.parent / f"{tmp_path.name}.writing"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TTS_COURSE_MODE": "smoke"}
    process = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, str(flag), *(a.format(**places) for a in case.argv)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(flag.exists, "the write began", process)
    finally:
        process.kill()
        process.wait()
    after = _tree(tmp_path)
    leftovers = [name for name in after if name.startswith(".take.wav.") and name.endswith(".tmp")]
    assert len(leftovers) == 1  # the half-written temporary file, beside it and hidden
    assert {name: data for name, data in after.items() if name not in leftovers} == before
    rc, _, err = cli(capsys, "vocode", "--in", tmp_path / "take.wav", "--out", tmp_path / "again.wav", "--vocoder",
                     "griffin-lim")
    assert rc == 0, err  # still the whole recording


def test_kill_9_during_corpus_build_keeps_the_corpus_and_the_next_build_cleans_up(tmp_path, capsys):
    corpus = tmp_path / "c"
    assert cli(capsys, "corpus", "build", "--out", corpus, "--n-utterances", 3)[0] == 0
    before = _tree(tmp_path)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TTS_COURSE_MODE": "smoke"}
    process = subprocess.Popen([sys.executable, "-m", "course_lib", "corpus", "build", "--out", str(corpus),
                                "--n-utterances", "60", "--workers", "1"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(lambda: any(tmp_path.glob(".c.building-*/wavs/*.wav")), "a clip was written", process)
    finally:
        os.killpg(process.pid, 9)  # the build and its eSpeak worker
        process.wait()
    stale = list(tmp_path.glob(".c.building-*"))
    assert len(stale) == 1
    assert {name: data for name, data in _tree(tmp_path).items() if not name.startswith(".c.building-")} == before
    rc, out, err = cli(capsys, "corpus", "build", "--out", corpus, "--n-utterances", 4)
    assert rc == 0, err
    assert "removed 1 half-built corpus folder(s)" in out
    assert not list(tmp_path.glob(".c.*")) and len(list((corpus / "wavs").iterdir())) == 4


def test_rebuilding_a_course_corpus_replaces_it_and_a_new_folder_takes_one(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new" / "corpus"):
        rc, _, err = cli(capsys, "corpus", "build", "--out", out, "--n-utterances", 3)
        assert rc == 0, err
        rc, _, err = cli(capsys, "corpus", "build", "--out", out, "--n-utterances", 4)  # its own corpus: replaced
        assert rc == 0, err
        assert len(list((out / "wavs").iterdir())) == 4


def test_ctrl_c_during_compare_says_what_it_kept(tmp_path, capsys, monkeypatch):
    from course_lib import compare

    def interrupted(systems, items, phonemes, out_dir, *args):
        (out_dir / "wavs").mkdir()
        (out_dir / "wavs" / "ground_truth_ES00001_seed0.wav").write_bytes(b"RIFF")
        raise KeyboardInterrupt

    monkeypatch.setattr(compare, "measure", interrupted)
    monkeypatch.setattr(compare, "shipped_systems", lambda models, vocoder="auto": [])
    rc, _, err = cli(capsys, "compare", "--out", tmp_path / "cmp", "--no-dnsmos")
    assert rc == 130
    assert "kept the 1 wav(s) made so far" in err and "--overwrite" in err and "Traceback" not in err
    assert not (tmp_path / "cmp" / "results.md").exists()


def test_compare_overwrite_removes_only_what_compare_wrote(tmp_path):
    from course_lib import compare

    _earlier_comparison(tmp_path)
    (tmp_path / "cmp" / "notes.txt").write_text("mine")
    (tmp_path / "cmp" / "wavs" / "my_recording.wav").write_bytes(b"mine")
    removed = compare.clear_earlier_results(tmp_path / "cmp")
    assert sorted(p.name for p in removed) == ["results.md", "vits_ES00001_seed0.wav"]
    assert sorted(_tree(tmp_path / "cmp")) == ["notes.txt", "wavs", "wavs/my_recording.wav"]


def test_resuming_past_the_steps_says_how_to_finish_a_run_stopped_before_its_model(cli_runs, tmp_path, capsys):
    model = MODELS[0]
    out = copy_run(cli_runs, model, tmp_path)
    (out / model.model_file).unlink()  # as after Ctrl-C: a checkpoint, no model file yet
    assert_refused(cli(capsys, *train_argv(model, out, "--resume", "--steps", 1)),
                   "at step 2, past the 1 steps", "--steps 2 finishes the run as it is and writes its model")
    rc, _, err = cli(capsys, *train_argv(model, out, "--resume", "--steps", 2))
    assert rc == 0, err
    assert (out / model.model_file).is_file()


def test_os_errors_name_their_cause_and_the_fix():
    import errno

    from course_lib.files import explain_os_error

    for code, phrase in ((errno.ENOTDIR, "a part of the path is a file"), (errno.EBUSY, "give a new folder"),
                         (errno.ENOSPC, "free some space"), (errno.EACCES, "permissions")):
        line = explain_os_error(OSError(code, os.strerror(code), "/some/where"))
        assert "/some/where" in line and phrase in line and "run the command again" in line


# ---- train --init (the course vocoder's fine-tune) ---------------------------------------------------


def test_train_init_is_refused_for_a_model_that_cannot_start_from_a_file(capsys, tmp_path):
    code, _, err = cli(capsys, "train", "glow_tts", "--init", tmp_path / "x.pt", "--out", tmp_path / "run")
    assert code == 2 and "--init is for pitch_vocoder and vits only" in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()


def test_train_init_names_a_missing_model_file(capsys, tmp_path):
    code, _, err = cli(capsys, "train", "pitch_vocoder", "--config", "tiny_harmonic_noise", "--init",
                       tmp_path / "missing.pt", "--out", tmp_path / "run")
    assert code == 2 and "--init" in err and "no such model file" in err
    assert not (tmp_path / "run").exists()


def test_train_init_starts_the_fine_tune_from_the_given_weights(capsys, tmp_path):
    from course_lib.models.pitch_vocoder import PitchVocoderConfig, build
    from course_lib.models.pitch_vocoder.train import RECIPE
    from course_lib.training import save_model

    torch.manual_seed(5)
    start = build(PitchVocoderConfig.tiny())
    save_model(tmp_path / "start.pt", start, start.config.to_dict())
    code, out, err = cli(capsys, "train", "pitch_vocoder", "--config", "tiny_harmonic_noise", "--init",
                         tmp_path / "start.pt", "--out", tmp_path / "run", "--steps", "1", "--batch-size", "1")
    assert code == 0, err
    tuned = RECIPE.load(tmp_path / "run" / "pitch_vocoder.pt")
    assert tuned.config.synthesis == "harmonic_noise"
    # one small step away from the start, not from a fresh draw
    with torch.no_grad():
        distance = max(float((a - b).abs().max()) for a, b in zip(tuned.parameters(), start.parameters()))
        fresh = max(float((a - b).abs().max()) for a, b in zip(build(PitchVocoderConfig.tiny()).parameters(),
                                                                 start.parameters()))
    assert distance < 0.01 < fresh


def test_train_fine_tune_on_is_refused_for_another_model_and_for_an_unknown_one(capsys, tmp_path):
    code, _, err = cli(capsys, "train", "glow_tts", "--fine-tune-on", "cvae", "--out", tmp_path / "run")
    assert code == 2 and "--fine-tune-on is for pitch_vocoder only" in err and "Traceback" not in err
    code, _, err = cli(capsys, "train", "pitch_vocoder", "--fine-tune-on", "glow_tts,vits", "--out", tmp_path / "run")
    assert code == 2 and "got vits; choose from glow_tts, grad_tts, diff_tts, cvae" in err
    assert not (tmp_path / "run").exists()


def test_train_fine_tune_on_an_acoustic_model_feeds_the_vocoder_its_mels(capsys, tmp_path):
    from course_lib import vocoder
    from course_lib.data import TextMelDataset, ensure_corpus, load_corpus

    folder, = vocoder.tts_training_mels(["cvae"], progress=False)
    corpus = load_corpus(ensure_corpus())
    record = corpus.split("train").utterances[0]
    mel = np.load(folder / f"{record.id}.npy")
    assert mel.shape == (80, int(sum(record.durations)))
    item = TextMelDataset([record], tokenizer=corpus.tokenizer)[0]
    assert mel.shape == tuple(item.mel.shape)                       # frame for frame with the recording's mel
    written = (folder / f"{record.id}.npy").stat().st_mtime_ns
    assert vocoder.tts_training_mels(["cvae"], progress=False) == [folder]
    assert (folder / f"{record.id}.npy").stat().st_mtime_ns == written  # made once, then reused
    code, _, err = cli(capsys, "train", "pitch_vocoder", "--init", ROOT / "data/checkpoints/pitch_vocoder_tiny.pt",
                       "--fine-tune-on", "cvae", "--out", tmp_path / "run", "--steps", "1", "--batch-size", "2")
    assert code == 0, err
    assert (tmp_path / "run" / "pitch_vocoder.pt").is_file()
