"""Per-frame F0 of a corpus, stored once: ``pitch.tsv``.

One line per utterance, ``ID<TAB>F0 of every mel frame`` (Hz with one decimal, ``0`` where the
frame is unvoiced; :func:`course_lib.pitch.track_f0`), as many values as the mel has frames.

* The built-in corpus is built with it (``build.py`` tracks each clip as it is spoken).
* An LJSpeech-layout folder gets it computed on first use and cached under the course's cache
  (``cache_dir()/pitch/NAME-KEY.tsv``, the key made from the folder's path and its
  ``metadata.csv``), never written into the user's folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from course_lib.data.corpus import MANIFEST, PITCH, Corpus, CorpusError, rebuild_command, read_manifest


def pitch_row(utt_id: str, f0: Sequence[float]) -> list[str]:
    """A ``pitch.tsv`` row: the id and the F0 values (one decimal, ``0`` when unvoiced)."""
    return [utt_id, " ".join(f"{value:.1f}" if value > 0 else "0" for value in f0)]


def read_pitch_table(path: Path) -> dict[str, np.ndarray]:
    """``{id: F0 [T] float32}`` from a ``pitch.tsv``."""
    table = {}
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            utt_id, _, values = line.rstrip("\n").partition("\t")
            try:
                table[utt_id] = np.array(values.split(), dtype=np.float32)
            except ValueError as err:
                raise CorpusError(f"{path}:{line_number}: {err}; delete the file to have it computed again") from None
    return table


def corpus_pitch(corpus: Corpus, progress: bool = True) -> dict[str, np.ndarray]:
    """``{utterance id: F0 [T_mel] float32 Hz, 0 = unvoiced}`` for every utterance of ``corpus``.

    The built-in corpus reads its ``pitch.tsv``; an LJSpeech-layout folder reads its cached table,
    computing it first (about 0.2 % of real time on one CPU thread: 275 s of LJSpeech in 0.61 s) when there is none yet.
    """
    if (corpus.root / MANIFEST).is_file():
        path = corpus.root / PITCH
        if not path.is_file():
            raise CorpusError(f"{corpus.root} has no {PITCH} (built before the corpus stored pitch): rebuild it with "
                              f"`{rebuild_command(corpus.root, read_manifest(corpus.root))}`")
        table = read_pitch_table(path)
    else:
        path = pitch_cache_path(corpus.root)
        table = read_pitch_table(path) if path.is_file() else {}
        missing = [record for record in corpus.utterances if record.id not in table]
        if missing:
            table.update(_track_records(missing, progress))
            _write_table(path, ((utt_id, table[utt_id]) for utt_id in sorted(table)))
    absent = [record.id for record in corpus.utterances if record.id not in table]
    if absent:
        raise CorpusError(f"{path} has no F0 for {len(absent)} utterance(s), e.g. {absent[0]}: delete it to have it "
                          "computed again (or rebuild the corpus)")
    return {record.id: table[record.id] for record in corpus.utterances}


def pitch_cache_path(root: Path) -> Path:
    """Where the F0 of the LJSpeech-layout folder ``root`` is cached: keyed by its path and its metadata."""
    from course_lib.paths import cache_dir

    digest = hashlib.sha1(str(root.resolve()).encode())
    metadata = root / "metadata.csv"
    if metadata.is_file():
        digest.update(metadata.read_bytes())
    return cache_dir() / "pitch" / f"{root.name}-{digest.hexdigest()[:12]}.tsv"


def _track_records(records: Sequence, progress: bool) -> dict[str, np.ndarray]:
    from tqdm.auto import tqdm

    from course_lib.audio import load_audio
    from course_lib.pitch import track_f0

    found = {}
    for record in tqdm(records, desc="tracking F0 (once; cached)", disable=not progress or len(records) < 50):
        f0 = track_f0(load_audio(record.wav_path))
        found[record.id] = np.round(f0, 1)
    return found


def _write_table(path: Path, rows: Iterable[tuple[str, np.ndarray]]) -> None:
    from course_lib.files import atomic_write

    text = "".join("\t".join(pitch_row(utt_id, f0)) + "\n" for utt_id, f0 in rows)
    atomic_write(path, lambda file: file.write(text.encode("utf-8")))


def check_frames(pitch: Mapping[str, np.ndarray], utt_id: str, n_frames: int, source: Path) -> np.ndarray:
    """The F0 of ``utt_id``, checked to have one value per mel frame."""
    f0 = pitch[utt_id]
    if f0.size != n_frames:
        raise CorpusError(f"{source}: utterance {utt_id} has {f0.size} F0 values for {n_frames} mel frames; the "
                          "pitch table is out of date — rebuild the corpus (or delete a cached table)")
    return f0


__all__ = ["pitch_row", "read_pitch_table", "corpus_pitch", "pitch_cache_path", "check_frames"]
