"""Speech corpora on disk in LJSpeech layout, and the records the course reads from them.

A corpus folder holds::

    wavs/ID.wav        22,050 Hz 16-bit PCM
    metadata.csv       ID|raw text|normalised text[|speaker name]   (no header, UTF-8)
    durations.tsv      ID<TAB>phonemes (space-separated)<TAB>frames per phoneme (space-separated)
    splits.tsv         ID<TAB>train|val|test
    pitch.tsv          ID<TAB>F0 of every mel frame, Hz (0 = unvoiced)  (built-in corpus; see ``pitch.py``)
    corpus.json        manifest (built-in corpus only; see ``build.py``)

LJSpeech-1.1 itself has only ``wavs/`` and ``metadata.csv``: its records get
``phonemes=None, durations=None`` and a deterministic split computed from the ids.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Literal, Sequence

SPLITS = ("train", "val", "test")
SPLIT_SEED = 1234
VAL_FRACTION = 0.05
TEST_FRACTION = 0.05
MANIFEST = "corpus.json"
METADATA = "metadata.csv"
DURATIONS = "durations.tsv"
SPLIT_FILE = "splits.tsv"
PITCH = "pitch.tsv"

FrontEnd = Literal["espeak", "arpabet"]


class CorpusError(ValueError):
    """A corpus folder that cannot be used, with what is wrong and how to fix it."""


@dataclass(frozen=True)
class UtteranceRecord:
    """One utterance of a corpus.

    ``phonemes`` are the eSpeak symbols spoken (built-in corpus) and ``durations``
    their lengths in mel frames (``sum == n_samples // 256``); both are ``None``
    for recorded corpora such as LJSpeech.
    """

    id: str
    wav_path: Path
    raw_text: str
    text: str
    phonemes: tuple[str, ...] | None = None
    durations: tuple[int, ...] | None = None
    speaker: int = 0
    speaker_name: str = "default"
    split: str = "train"

    @property
    def n_frames(self) -> int | None:
        """Mel frames, known without reading audio when durations are stored."""
        return sum(self.durations) if self.durations is not None else None


@dataclass(frozen=True)
class Corpus:
    """Utterances plus what is needed to turn their text into token ids.

    ``front_end`` says which symbols the models read: ``"espeak"`` (the phonemes
    eSpeak spoke, stored with the built-in corpus) or ``"arpabet"`` (CMUdict
    ARPAbet from the normalised text — LJSpeech recipes).
    """

    root: Path
    utterances: tuple[UtteranceRecord, ...]
    speakers: tuple[str, ...]
    front_end: FrontEnd = "espeak"
    manifest: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.utterances)

    def __iter__(self) -> Iterator[UtteranceRecord]:
        return iter(self.utterances)

    def __getitem__(self, index: int) -> UtteranceRecord:
        return self.utterances[index]

    @property
    def n_speakers(self) -> int:
        return len(self.speakers)

    def split(self, name: str) -> "Corpus":
        """The utterances of one split (``train``, ``val`` or ``test``) as a Corpus."""
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}: choose one of {', '.join(SPLITS)}")
        return replace(self, utterances=tuple(u for u in self.utterances if u.split == name))

    @property
    def tokenizer(self):
        """Tokenizer over the symbols of :attr:`front_end`, no blanks (``course_lib.text.tokenizer_for``)."""
        from course_lib.text import tokenizer_for

        return tokenizer_for(self.front_end)

    def symbols_for(self, record: UtteranceRecord) -> list[str]:
        """The symbols a model reads for ``record``: its stored eSpeak phonemes, else its text through the front end."""
        if self.front_end == "espeak" and record.phonemes is not None:
            return list(record.phonemes)
        from course_lib.text import text_to_symbols

        return text_to_symbols(record.text, self.front_end)


def assign_splits(ids: Sequence[str], seed: int = SPLIT_SEED) -> dict[str, str]:
    """Deterministic train/val/test split of ``ids`` (5 % val, 5 % test, at least one each from 3 ids up).

    Depends only on the set of ids and the seed, not on their order.
    """
    ordered = sorted(ids)
    random.Random(seed).shuffle(ordered)
    n = len(ordered)
    n_val = max(1, round(VAL_FRACTION * n)) if n >= 3 else 0
    n_test = max(1, round(TEST_FRACTION * n)) if n >= 3 else 0
    split = {utt_id: "train" for utt_id in ordered}
    split.update({utt_id: "val" for utt_id in ordered[:n_val]})
    split.update({utt_id: "test" for utt_id in ordered[n_val: n_val + n_test]})
    return split


def read_metadata(path: Path) -> list[list[str]]:
    """Rows of an LJSpeech ``metadata.csv`` (``|``-separated, no quoting, no header, UTF-8).

    Errors name the file and line: bytes that are not UTF-8, a line without text, an id listed twice.
    """
    if not path.is_file():
        raise CorpusError(f"{path.parent} has no {path.name}: a corpus in LJSpeech layout needs "
                          f"wavs/ and {path.name} with lines 'ID|raw text|normalised text'")
    lines = []
    for line_number, raw in enumerate(path.read_bytes().splitlines(), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            raise CorpusError(f"{path}:{line_number}: byte {raw[err.start]:#04x} at column {err.start + 1} is not "
                              "UTF-8; re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)") from err
    rows, first_line = [], {}
    for line_number, row in enumerate(csv.reader(lines, delimiter="|", quoting=csv.QUOTE_NONE), 1):
        if not row or not row[0].strip():
            continue
        utt_id = row[0].strip()
        if len(row) < 2:
            raise CorpusError(f"{path}:{line_number}: expected 'ID|text' or 'ID|raw text|normalised text', "
                              f"got {'|'.join(row)!r}")
        if not any(field.strip() for field in row[1:3]):
            raise CorpusError(f"{path}:{line_number}: utterance {utt_id} has an empty transcript; "
                              "write its text or delete the line")
        if utt_id in first_line:
            raise CorpusError(f"{path}:{line_number}: id {utt_id} is already on line {first_line[utt_id]}; "
                              "ids must be unique — rename or delete one of the lines")
        first_line[utt_id] = line_number
        rows.append(row)
    if not rows:
        raise CorpusError(f"{path} lists no utterances")
    return rows


def write_table(path: Path, rows: Sequence[Sequence[str]], delimiter: str) -> None:
    """Write rows with ``\\n`` line ends and no quoting (byte-identical across runs and platforms)."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in rows:
            handle.write(delimiter.join(row) + "\n")


def read_table(path: Path, delimiter: str) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return [line.rstrip("\n").split(delimiter) for line in handle if line.strip()]


def read_manifest(root: Path) -> dict:
    """A built-in corpus's ``corpus.json``, checked for the fields the course reads; a damaged one is refused
    naming the file and the fix."""
    path = root / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CorpusError(f"{path} is damaged ({err}): rebuild the corpus with `python -m course_lib corpus build "
                          f"--out {root}`") from None
    speakers = manifest.get("speakers") if isinstance(manifest, dict) else None
    if not (isinstance(speakers, list) and speakers and
            all(isinstance(s, dict) and isinstance(s.get("name"), str) for s in speakers)):
        raise CorpusError(f"{path} is not a corpus manifest (it has no list of speakers with names): rebuild the "
                          f"corpus with `python -m course_lib corpus build --out {root}`")
    return manifest


def rebuild_command(root: Path, manifest: dict) -> str:
    """The ``corpus build`` command that makes the corpus ``manifest`` describes again, into ``root``."""
    names = [speaker["name"] for speaker in manifest["speakers"]]
    command = f"python -m course_lib corpus build --out {root}"
    if manifest.get("mode") in ("smoke", "default", "full"):
        command += f" --mode {manifest['mode']}"
    if names != ["en-us"]:
        command += f" --voices {','.join(names)}"
    if isinstance(manifest.get("n_utterances"), int):
        command += f" --n-utterances {manifest['n_utterances']}"
    return command


def load_corpus(path: str | Path) -> Corpus:
    """Load a corpus written by :func:`course_lib.data.build_corpus` (phonemes and durations included)."""
    root = Path(path)
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist; build it with "
                          f"`python -m course_lib corpus build --out {root}` or use ensure_corpus()")
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise CorpusError(f"{root} has no {MANIFEST}, so it is not a finished built-in corpus; rebuild it "
                          f"(ensure_corpus() does so) or open an LJSpeech folder with load_ljspeech()")
    manifest = read_manifest(root)
    speakers = tuple(speaker["name"] for speaker in manifest["speakers"])
    speaker_ids = {name: index for index, name in enumerate(speakers)}
    timing = {row[0]: row for row in read_table(root / DURATIONS, "\t")}
    splits = dict(read_table(root / SPLIT_FILE, "\t"))
    records = []
    for row in read_metadata(root / METADATA):
        utt_id, raw_text, text = row[0], row[1], row[2]
        speaker_name = row[3] if len(row) > 3 else speakers[0]
        if utt_id not in timing:
            raise CorpusError(f"{root / DURATIONS} has no line for {utt_id}; the corpus is incomplete — rebuild it "
                              f"with `{rebuild_command(root, manifest)}`")
        _, phonemes, durations = timing[utt_id]
        records.append(UtteranceRecord(
            id=utt_id, wav_path=root / "wavs" / f"{utt_id}.wav", raw_text=raw_text, text=text,
            phonemes=tuple(phonemes.split(" ")), durations=tuple(int(d) for d in durations.split(" ")),
            speaker=speaker_ids[speaker_name], speaker_name=speaker_name, split=splits.get(utt_id, "train"),
        ))
    missing = [record.wav_path for record in records if not record.wav_path.is_file()]
    if missing:
        raise CorpusError(f"{len(missing)} of {len(records)} clips of the corpus in {root} have no wav file, e.g. "
                          f"{missing[0]}: restore them, or rebuild the corpus with `{rebuild_command(root, manifest)}`")
    return Corpus(root=root, utterances=tuple(records), speakers=speakers, front_end="espeak", manifest=manifest)
