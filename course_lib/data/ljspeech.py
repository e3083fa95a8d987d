"""LJSpeech-1.1 (and any folder in its layout): a loader, a layout-detecting opener, and a download helper.

LJSpeech (Keith Ito, 2017) is 13,100 clips, about 24 hours, of one speaker reading
public-domain books; the data set itself is in the public domain. Its layout —
``wavs/ID.wav`` plus a ``metadata.csv`` of ``ID|raw text|normalised text`` — is what
the built-in corpus copies, so the same code reads both. A fourth column, when
present, names the speaker (multi-speaker folders in the same layout).

Tests never download; :func:`download_ljspeech` is for machines with internet.
"""

from __future__ import annotations

import shutil
import tarfile
import urllib.request
from pathlib import Path

from course_lib.data.corpus import (DURATIONS, MANIFEST, METADATA, SPLIT_FILE, SPLITS, Corpus, CorpusError, FrontEnd,
                                    UtteranceRecord, assign_splits, load_corpus, read_metadata, read_table)

LJSPEECH_URL = "https://data.keithito.com/data/speech/LJSpeech-1.1.tar.bz2"
LJSPEECH_FOLDER = "LJSpeech-1.1"


def _find_root(path: Path) -> Path:
    """``path`` itself, or its ``LJSpeech-1.1`` sub-folder when given the folder above it."""
    if not path.is_dir():
        raise CorpusError(f"corpus folder {path} does not exist; download LJSpeech with "
                          f"course_lib.data.download_ljspeech('{path.parent}') or point to a folder "
                          f"holding wavs/ and metadata.csv")
    if not (path / "metadata.csv").is_file() and (path / LJSPEECH_FOLDER / "metadata.csv").is_file():
        return path / LJSPEECH_FOLDER
    return path


def load_ljspeech(path: str | Path, front_end: FrontEnd = "arpabet", default_speaker: str | None = None) -> Corpus:
    """Read a folder in LJSpeech layout as a :class:`Corpus`.

    ``metadata.csv`` lines may have 2 (``ID|text``), 3 (``ID|raw|normalised``) or 4
    (``…|speaker``) fields — a speaker on every line or on none; an empty normalised field falls back
    to the raw text.
    Speaker ids number the speaker names in sorted order. ``splits.tsv`` is used
    when present, otherwise the deterministic 90/5/5 split of the ids. A
    ``durations.tsv`` in the folder (a built-in corpus) is read as well; LJSpeech
    itself has none, so its records have ``phonemes=None, durations=None``.
    ``front_end`` picks the symbols models read (ARPAbet by default, as the
    LJSpeech recipes of Glow-TTS and Grad-TTS do).
    """
    root = _find_root(Path(path))
    rows = read_metadata(root / "metadata.csv")
    if not (root / "wavs").is_dir():
        raise CorpusError(f"{root} has metadata.csv but no wavs/ folder; unpack the audio into {root / 'wavs'}")
    named = [row[3].strip() if len(row) > 3 else "" for row in rows]
    if any(named) and not all(named):
        with_name = next(row for row, name in zip(rows, named) if name)
        without = next(row for row, name in zip(rows, named) if not name)
        raise CorpusError(f"{root / 'metadata.csv'} names a speaker on some lines (e.g. {with_name[0]}: "
                          f"{with_name[3].strip()!r}) but not on others (e.g. {without[0]}): give every line a "
                          "fourth field with its speaker, or none")
    names = [name or default_speaker or root.name for name in named]
    speakers = tuple(sorted(set(names)))
    speaker_ids = {name: index for index, name in enumerate(speakers)}
    ids = [row[0].strip() for row in rows]
    missing = [utt_id for utt_id in ids if not (root / "wavs" / f"{utt_id}.wav").is_file()]
    if missing:
        raise CorpusError(f"{len(missing)} of {len(ids)} clips in {root / 'metadata.csv'} have no wav file, "
                          f"e.g. {root / 'wavs' / (missing[0] + '.wav')}; remove those lines or restore the files")
    splits = dict(read_table(root / SPLIT_FILE, "\t")) if (root / SPLIT_FILE).is_file() else assign_splits(ids)
    unknown = set(splits.values()) - set(SPLITS)
    if unknown:
        raise CorpusError(f"{root / SPLIT_FILE} names unknown splits {sorted(unknown)}; use {', '.join(SPLITS)}")
    timing = {r[0]: r for r in read_table(root / DURATIONS, "\t")} if (root / DURATIONS).is_file() else {}
    records = []
    for row, utt_id, speaker_name in zip(rows, ids, names):
        raw_text = row[1].strip()
        text = row[2].strip() if len(row) > 2 and row[2].strip() else raw_text
        phonemes = durations = None
        if utt_id in timing:
            phonemes = tuple(timing[utt_id][1].split(" "))
            durations = tuple(int(d) for d in timing[utt_id][2].split(" "))
        records.append(UtteranceRecord(
            id=utt_id, wav_path=root / "wavs" / f"{utt_id}.wav", raw_text=raw_text, text=text,
            phonemes=phonemes, durations=durations, speaker=speaker_ids[speaker_name],
            speaker_name=speaker_name, split=splits.get(utt_id, "train"),
        ))
    return Corpus(root=root, utterances=tuple(records), speakers=speakers, front_end=front_end)


def open_corpus(path: str | Path) -> Corpus:
    """A corpus folder in either layout, detected: the built-in one (``corpus.json``; eSpeak phonemes and true
    durations) or LJSpeech's (``metadata.csv`` + ``wavs/``, optional speaker column; ARPAbet, no durations)."""
    root = Path(path)
    if not root.is_dir():
        kind = "a file" if root.exists() else "missing"
        raise CorpusError(f"corpus folder {root} is {kind}: give a built-in corpus folder (with {MANIFEST}) or "
                          f"one in LJSpeech layout ({METADATA} + wavs/)")
    if (root / MANIFEST).is_file():
        return load_corpus(root)
    if (root / DURATIONS).is_file():
        raise CorpusError(f"{root} has {DURATIONS} but no {MANIFEST}: an unfinished built-in corpus; rebuild it "
                          f"with `python -m course_lib corpus build --out {root}`")
    if (root / METADATA).is_file() or (root / LJSPEECH_FOLDER / METADATA).is_file():
        return load_ljspeech(root)
    raise CorpusError(f"{root} is neither a built-in corpus ({MANIFEST}) nor in LJSpeech layout ({METADATA} + "
                      "wavs/): point to such a folder, or build one with `python -m course_lib corpus build`")


def download_ljspeech(dest: str | Path) -> Path:
    """Download and unpack LJSpeech-1.1 into ``dest`` (needs internet, ≈ 2.6 GB); return its folder.

    Does nothing if ``dest/LJSpeech-1.1/metadata.csv`` already exists.
    """
    dest = Path(dest)
    root = dest / LJSPEECH_FOLDER
    if (root / "metadata.csv").is_file():
        print(f"LJSpeech is already in {root}")
        return root
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / "LJSpeech-1.1.tar.bz2"
    partial = archive.with_suffix(".part")
    with urllib.request.urlopen(LJSPEECH_URL) as response, partial.open("wb") as handle:
        size = int(response.headers.get("Content-Length") or 0)
        print(f"Downloading LJSpeech-1.1 ({size / 2**30:.1f} GiB; about 2.6 GB expected), 13,100 clips, ~24 h, "
              f"public domain (Keith Ito, 2017) from {LJSPEECH_URL}")
        done, step = 0, 0
        while chunk := response.read(1 << 20):
            handle.write(chunk)
            done += len(chunk)
            if done >= step:
                print(f"  {done / 2**20:,.0f} MiB", flush=True)
                step += 256 << 20
    partial.replace(archive)
    print(f"Unpacking into {dest} …")
    with tarfile.open(archive, "r:bz2") as tar:
        tar.extractall(dest, filter="data")
    archive.unlink()
    if not (root / "metadata.csv").is_file():
        shutil.rmtree(root, ignore_errors=True)
        raise CorpusError(f"the archive did not contain {LJSPEECH_FOLDER}/metadata.csv; delete {dest} and retry")
    return root
