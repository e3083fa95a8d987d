"""Build the course's own speech corpus with eSpeak NG, reproducibly.

Pipeline: seeded sentences (:mod:`sentences`) → normalised text
(:func:`course_lib.text.normalize_text`) → eSpeak speaks the *normalised* text
(so its phonemes match it) in fresh worker processes (:mod:`synth`) →
phoneme events → frame durations (:mod:`durations`), and each clip's F0
(:func:`course_lib.pitch.track_f0`) → LJSpeech layout plus ``durations.tsv``,
``pitch.tsv``, ``splits.tsv`` and the ``corpus.json`` manifest.

Everything is a function of (mode or size, speakers, builder version), so a
rebuild on the same machine is byte-identical. The corpus is written into a
temporary folder beside the target and moved into place only when complete;
a folder without a current manifest is never used — :func:`ensure_corpus`
rebuilds it.

Nothing of the user's is replaced: the target must be new, an empty folder, or a
corpus this builder wrote (its manifest and only the files it writes). A build
killed midway leaves a hidden ``.NAME.building-PID-*`` folder, which the next
build beside it removes once that process is gone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Sequence

from course_lib.data.corpus import (DURATIONS, MANIFEST, METADATA, PITCH, SPLIT_FILE, SPLITS, CorpusError,
                                    assign_splits, write_table)
from course_lib.data.durations import HOP_LENGTH, frame_durations, segments_from_events
from course_lib.data.sentences import generate_sentences
from course_lib.data.synth import CHUNK_SIZE, SAMPLE_RATE, SynthJob, SynthResult, synthesize_all

BUILDER_VERSION = "2"  # bump when anything changes the bytes written (2: pitch.tsv)
FORMAT = "course-tts-corpus"
SENTENCE_SEED = 2024
PROSODY_SEED = 7
RATE_JITTER = 0.06   # ± fraction of the speaker's words per minute
PITCH_JITTER = 5     # ± eSpeak pitch units (0–100)
RANGE_JITTER = 8     # ± eSpeak pitch-range units (0–100)


@dataclass(frozen=True)
class Speaker:
    """An eSpeak voice (``en-us``, ``en-us+f4``…) with its base words per minute, pitch and pitch range."""

    name: str
    voice: str
    rate: int = 165
    pitch: int = 50
    pitch_range: int = 50


DEFAULT_SPEAKER = Speaker("en-us", "en-us", rate=165, pitch=50, pitch_range=50)
# American-English variants only, so every speaker uses the same phoneme inventory. Variants
# with eSpeak's "breath" noise (f2, f3, f5, whisper) are left out: their samples differ from
# one fresh process to the next, which would break byte-identical rebuilds.
MULTI_SPEAKERS = (
    DEFAULT_SPEAKER,
    Speaker("en-us+m3", "en-us+m3", rate=150, pitch=38, pitch_range=40),
    Speaker("en-us+f1", "en-us+f1", rate=175, pitch=62, pitch_range=60),
    Speaker("en-us+m7", "en-us+m7", rate=185, pitch=44, pitch_range=70),
    Speaker("en-us+f4", "en-us+f4", rate=158, pitch=70, pitch_range=45),
)


def corpus_size(mode: str | None = None) -> int:
    """Utterances per mode: smoke 50, default 1,500 (≈ 1.6 h), full 6,000."""
    from course_lib.mode import pick

    return pick(smoke=50, default=1500, full=6000, mode=mode)


def resolve_speakers(voices: Sequence[str | Speaker] | str | None) -> tuple[Speaker, ...]:
    """Speakers from voice names (``'en-us,en-us+f4'``, a list, ``'multi'``) or :class:`Speaker` objects."""
    if voices is None:
        return (DEFAULT_SPEAKER,)
    if isinstance(voices, str):
        if voices.strip() == "multi":
            return MULTI_SPEAKERS
        voices = [v.strip() for v in voices.split(",") if v.strip()]
    presets = {speaker.name: speaker for speaker in MULTI_SPEAKERS}
    speakers = tuple(v if isinstance(v, Speaker) else presets.get(v, Speaker(v, v)) for v in voices)
    if not speakers:
        raise ValueError("no voices given: pass e.g. 'en-us' or 'en-us,en-us+m3,en-us+f1,en-us+m7'")
    from course_lib.espeak import check_voice

    for speaker in speakers:
        check_voice(speaker.voice)
    names = [s.name for s in speakers]
    if len(set(names)) != len(names) or any("|" in n or "\t" in n for n in names):
        raise ValueError(f"speaker names must be distinct and contain no '|' or tab: {names}")
    return speakers


def _jobs(sentences: Sequence[str], speakers: Sequence[Speaker]) -> list[SynthJob]:
    """One job per sentence: speakers in turn, each utterance with its own seeded prosody jitter."""
    jobs = []
    for index, text in enumerate(sentences):
        speaker = speakers[index % len(speakers)]
        rng = random.Random(PROSODY_SEED * 1_000_003 + index)
        jobs.append(SynthJob(
            utt_id=f"ES{index + 1:05d}", text=text, voice=speaker.voice,
            rate=round(speaker.rate * (1 + rng.uniform(-RATE_JITTER, RATE_JITTER))),
            pitch=min(100, max(0, speaker.pitch + rng.randint(-PITCH_JITTER, PITCH_JITTER))),
            pitch_range=min(100, max(0, speaker.pitch_range + rng.randint(-RANGE_JITTER, RANGE_JITTER))),
        ))
    return jobs


def timed_phonemes(result: SynthResult) -> tuple[list[str], list[int]]:
    """eSpeak's raw events → (stored phoneme symbols, frame durations summing to the mel length)."""
    from course_lib.text import espeak_event_symbol

    events = [(espeak_event_symbol(raw), start) for raw, start in result.events]
    segments = segments_from_events(events, result.n_samples)
    durations = frame_durations(segments, result.n_samples, HOP_LENGTH)
    return [segment.symbol for segment in segments], [int(d) for d in durations]


def _espeak_version() -> str:
    try:
        return importlib_metadata.version("espeakng-loader")
    except importlib_metadata.PackageNotFoundError:  # pragma: no cover - installed with the course
        return "unknown"


def build_corpus(out_dir: str | Path, mode: str | None = None, voices: Sequence[str | Speaker] | str | None = None,
                 n_utterances: int | None = None, workers: int | None = None, verbose: bool = True) -> Path:
    """Synthesize the built-in corpus into ``out_dir`` (replacing what is there) and return its path.

    ``n_utterances`` defaults to the mode's size (:func:`corpus_size`); ``voices``
    to the single default speaker (``'multi'`` → :data:`MULTI_SPEAKERS`);
    ``workers`` to 2 processes (fewer if the machine has one core).
    """
    from course_lib.mode import current_mode, validate_mode
    from course_lib.text import normalize_text

    out_dir = Path(out_dir)
    check_replaceable(out_dir)
    mode = validate_mode(mode) if mode is not None else current_mode()
    n = corpus_size(mode) if n_utterances is None else int(n_utterances)
    if n < 1:
        raise ValueError(f"a corpus needs at least one utterance, got n_utterances={n}")
    speakers = resolve_speakers(voices)
    workers = workers or min(2, os.cpu_count() or 1)
    started = time.perf_counter()
    if verbose:
        print(f"Building the eSpeak corpus: {n} utterances, {len(speakers)} speaker(s) → {out_dir}", flush=True)

    raw_sentences = generate_sentences(n, seed=SENTENCE_SEED)
    texts = [normalize_text(sentence) for sentence in raw_sentences]
    jobs = _jobs(texts, speakers)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(out_dir)
    staging = out_dir.parent / f".{out_dir.name}.building-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        (staging / "wavs").mkdir(parents=True)
        results = synthesize_all(jobs, staging / "wavs", workers=workers)
        split_of = assign_splits([job.utt_id for job in jobs])
        _write_tables(staging, raw_sentences, jobs, results, speakers, split_of)
        total_frames = sum(result.n_samples // HOP_LENGTH for result in results)
        manifest = {
            "format": FORMAT,
            "builder_version": BUILDER_VERSION,
            "espeakng_loader_version": _espeak_version(),
            "mode": mode,
            "n_utterances": n,
            "speakers": [asdict(speaker) for speaker in speakers],
            "multispeaker": len(speakers) > 1,
            "sample_rate": SAMPLE_RATE,
            "hop_length": HOP_LENGTH,
            "total_frames": total_frames,
            "total_seconds": round(sum(r.n_samples for r in results) / SAMPLE_RATE, 3),
            "splits": {name: sum(1 for s in split_of.values() if s == name) for name in SPLITS},
            "sentence_seed": SENTENCE_SEED,
            "chunk_size": CHUNK_SIZE,
            "symbols": "espeak",
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _move_into_place(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if verbose:
        hours = manifest["total_seconds"] / 3600
        print(f"Built {n} utterances ({hours:.2f} h of audio) in {time.perf_counter() - started:.1f} s", flush=True)
    return out_dir


def _write_tables(root: Path, raw_sentences: Sequence[str], jobs: Sequence[SynthJob],
                  results: Sequence[SynthResult], speakers: Sequence[Speaker], split_of: dict[str, str]) -> None:
    multispeaker = len(speakers) > 1
    from course_lib.data.pitch import pitch_row

    metadata_rows, duration_rows, pitch_rows = [], [], []
    for index, (raw, job, result) in enumerate(zip(raw_sentences, jobs, results)):
        speaker = speakers[index % len(speakers)]
        phonemes, durations = timed_phonemes(result)
        if sum(durations) != result.n_samples // HOP_LENGTH:  # guaranteed by durations.py; checked anyway
            raise RuntimeError(f"{job.utt_id}: durations sum to {sum(durations)}, mel has "
                               f"{result.n_samples // HOP_LENGTH} frames")
        row = [job.utt_id, raw, job.text] + ([speaker.name] if multispeaker else [])
        metadata_rows.append(row)
        duration_rows.append([job.utt_id, " ".join(phonemes), " ".join(str(d) for d in durations)])
        if len(result.f0) != result.n_samples // HOP_LENGTH:  # track_f0 gives one per frame; checked anyway
            raise RuntimeError(f"{job.utt_id}: {len(result.f0)} F0 values for {result.n_samples // HOP_LENGTH} frames")
        pitch_rows.append(pitch_row(job.utt_id, result.f0))
    write_table(root / METADATA, metadata_rows, "|")
    write_table(root / DURATIONS, duration_rows, "\t")
    write_table(root / PITCH, pitch_rows, "\t")
    write_table(root / SPLIT_FILE, [[job.utt_id, split_of[job.utt_id]] for job in jobs], "\t")


def _move_into_place(staging: Path, target: Path) -> None:
    """Atomically publish ``staging`` as ``target``; an older ``target`` (checked replaceable) is moved aside and
    deleted."""
    if target.exists():
        check_replaceable(target)  # again: a file may have appeared while the corpus was being synthesised
        retired = target.parent / f".{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        os.replace(target, retired)
        try:
            os.replace(staging, target)
        finally:
            shutil.rmtree(retired, ignore_errors=True)
    else:
        try:
            os.replace(staging, target)
        except OSError:
            if not is_complete(target):  # another process published a finished corpus first: keep theirs
                raise


_WAV_NAME = re.compile(r"ES\d{5}\.wav")  # the ids _jobs gives


def check_replaceable(target: Path) -> None:
    """Raise a :class:`CorpusError` naming the fix unless building into ``target`` loses nothing: it does not
    exist, is an empty folder, or is a corpus this builder wrote — its manifest (not needed in the course's cache),
    and only the files it writes."""
    if not target.exists():
        if target.is_symlink():
            raise CorpusError(f"--out {target} is a broken link: give an empty or new folder for the corpus")
        blocking = next((parent for parent in target.parents if parent.exists() and not parent.is_dir()), None)
        if blocking is not None:
            raise CorpusError(f"--out {target} lies under {blocking}, which is a file: give a folder path")
        return
    if not target.is_dir():
        raise CorpusError(f"--out {target} is a file: the corpus needs an empty or new folder, e.g. "
                          f"{target.with_name(target.name + '_corpus')}")
    here = Path.cwd().resolve()
    if target.resolve() in (here, *here.parents):
        raise CorpusError(f"--out {target} is the folder you are in (or one above it): give a new folder inside "
                          "it, e.g. --out corpus")
    entries = sorted(target.iterdir())
    if not entries:
        return
    written = (MANIFEST, METADATA, DURATIONS, PITCH, SPLIT_FILE, "wavs")
    foreign = [entry.name for entry in entries if entry.name not in written or (entry.name == "wavs") != entry.is_dir()]
    if (target / "wavs").is_dir():
        foreign += [f"wavs/{wav.name}" for wav in sorted((target / "wavs").iterdir())
                    if not (wav.is_file() and _WAV_NAME.fullmatch(wav.name))]
    if foreign or not ((target / MANIFEST).is_file() or _in_cache(target)):
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        what = f"holds {shown}, which the corpus builder did not write" if foreign else \
            f"is not a corpus the course built (no {MANIFEST})"
        raise CorpusError(f"--out {target} {what}: the course replaces only a corpus it built itself; give an "
                          "empty or new folder")


def _in_cache(target: Path) -> bool:
    """Whether ``target`` lies in the course's cache (:func:`course_lib.paths.cache_dir`), where every corpus
    folder is the course's own — one that lost its manifest is replaced too (:func:`ensure_corpus` rebuilds it)."""
    from course_lib.paths import cache_dir

    return target.resolve().is_relative_to(cache_dir().resolve())


def remove_stale_builds(target: Path) -> list[Path]:
    """Remove the half-built (``.NAME.building-PID-*``) and half-retired (``.NAME.old-PID-*``) corpus folders an
    interrupted build beside ``target`` left, once their process is gone; returns what it removed."""
    from course_lib.files import process_alive

    removed = []
    for leftover in sorted(target.parent.glob(f".{target.name}.building-*")) + \
            sorted(target.parent.glob(f".{target.name}.old-*")):
        pid = leftover.name.rsplit(".", 1)[-1].split("-")[1]
        if leftover.is_dir() and not (pid.isdigit() and process_alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    if removed:
        print(f"removed {len(removed)} half-built corpus folder(s) an interrupted build left beside {target}",
              flush=True)
    return removed


def is_complete(path: str | Path, expected: dict | None = None) -> bool:
    """True if ``path`` holds a finished corpus of the current builder version (and matches ``expected``)."""
    root = Path(path)
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or manifest.get("builder_version") != BUILDER_VERSION:
        return False
    if any(manifest.get(key) != value for key, value in (expected or {}).items()):
        return False
    needed = (METADATA, DURATIONS, SPLIT_FILE, PITCH)
    if not all((root / name).is_file() for name in needed):
        return False
    wavs = root / "wavs"
    return wavs.is_dir() and sum(1 for _ in wavs.glob("*.wav")) == manifest.get("n_utterances")


def corpus_name(mode: str, multispeaker: bool) -> str:
    return f"espeak-{'multi' if multispeaker else 'single'}-{mode}"


def ensure_corpus(mode: str | None = None, multispeaker: bool = False) -> Path:
    """Path of the cached built-in corpus for ``mode`` — built on first use, rebuilt if stale or half-built.

    Lives at ``cache_dir() / 'corpus' / 'espeak-{single|multi}-{mode}'``.
    """
    from course_lib.mode import current_mode, validate_mode
    from course_lib.paths import cache_dir

    mode = validate_mode(mode) if mode is not None else current_mode()
    path = cache_dir() / "corpus" / corpus_name(mode, multispeaker)
    voices = "multi" if multispeaker else None
    expected = {"mode": mode, "n_utterances": corpus_size(mode), "speakers": [asdict(s) for s in resolve_speakers(voices)]}
    if not is_complete(path, expected):
        build_corpus(path, mode=mode, voices=voices)
    return path


# --------------------------------------------------------------------------- command line

def add_corpus_cli(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``corpus build [--mode M] [--voices V] [--out DIR] [--n-utterances N] [--workers W]`` and
    ``corpus voices``."""
    from course_lib.mode import MODES

    def at_least_one(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
        return value

    corpus = subparsers.add_parser("corpus", help="build the built-in eSpeak NG corpus")
    actions = corpus.add_subparsers(dest="corpus_command", required=True, metavar="ACTION",
                                    help="build (synthesise a corpus) or voices (list eSpeak NG's voices)")
    build = actions.add_parser("build", help="synthesize the corpus (LJSpeech layout + durations)")
    build.add_argument("--mode", choices=MODES, default=None, help="size preset (default: $TTS_COURSE_MODE)")
    build.add_argument("--voices", default=None,
                       help="comma-separated eSpeak voices (e.g. en-us,en-us+f4) or 'multi' for the 5-speaker set; "
                            "`corpus voices` lists them")
    build.add_argument("--out", type=Path, default=None,
                       help="output folder: new, empty, or a corpus built before (default: the course cache)")
    build.add_argument("--n-utterances", type=at_least_one, default=None, help="override the mode's size")
    build.add_argument("--workers", type=at_least_one, default=None, help="synthesis processes (default 2)")
    build.set_defaults(func=corpus_cli)
    voices = actions.add_parser("voices", help="list eSpeak NG's voices and variants")
    voices.set_defaults(func=voices_cli)
    return corpus


def corpus_cli(args: argparse.Namespace) -> int:
    """Run ``corpus build`` from parsed arguments; prints the corpus path."""
    from course_lib.mode import current_mode, validate_mode
    from course_lib.paths import cache_dir

    mode = validate_mode(args.mode) if args.mode else current_mode()
    speakers = resolve_speakers(args.voices)
    out = args.out or cache_dir() / "corpus" / corpus_name(mode, len(speakers) > 1)
    path = build_corpus(out, mode=mode, voices=speakers, n_utterances=args.n_utterances, workers=args.workers)
    print(path)
    return 0


def voices_cli(args: argparse.Namespace) -> int:
    """``corpus voices``: every eSpeak NG language voice and variant, and the course's own five speakers."""
    from course_lib.espeak import list_voices

    print("Languages (the corpus's phoneme set is American English's: en-us is the one to use):")
    for name, description in list_voices():
        print(f"  {name:<20} {description}")
    print("Variants, appended to a language (e.g. en-us+m3):")
    for name, description in list_voices(variants=True):
        print(f"  {name:<20} {description}")
    print(f"--voices multi: the course's five speakers, {', '.join(s.name for s in MULTI_SPEAKERS)}")
    return 0


__all__ = ["Speaker", "DEFAULT_SPEAKER", "MULTI_SPEAKERS", "BUILDER_VERSION", "build_corpus", "ensure_corpus",
           "is_complete", "corpus_size", "resolve_speakers", "timed_phonemes", "add_corpus_cli", "corpus_cli",
           "voices_cli", "check_replaceable", "remove_stale_builds"]
