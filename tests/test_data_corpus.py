"""The built-in eSpeak corpus: exact durations, byte-identical rebuilds, caching, CLI, bad input."""

import argparse
import hashlib
import json

import pytest
import soundfile as sf
import torch

from course_lib.audio import HOP_LENGTH, SAMPLE_RATE, mel_spectrogram
from course_lib.data import (MULTI_SPEAKERS, CorpusError, LengthBucketSampler, TextMelDataset, add_corpus_cli,
                             build_corpus, ensure_corpus, is_complete, load_corpus, load_ljspeech)
from course_lib.data import build as build_module
from course_lib.data import synth as synth_module
from course_lib.text import ESPEAK_SYMBOLS, espeak_phonemes, tokenizer_for

N_UTTERANCES = 8


def _hashes(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory, request):
    """Two builds of the same 5-speaker corpus: chunks of 4 in fresh processes, with 2 workers and with 1."""
    patch = pytest.MonkeyPatch()
    patch.setattr(synth_module, "CHUNK_SIZE", 4)
    request.addfinalizer(patch.undo)
    root = tmp_path_factory.mktemp("corpus")
    first = build_corpus(root / "a", mode="smoke", voices="multi", n_utterances=N_UTTERANCES, workers=2,
                         verbose=False)
    second = build_corpus(root / "b", mode="smoke", voices="multi", n_utterances=N_UTTERANCES, workers=1,
                          verbose=False)
    return first, second


def test_rebuild_is_byte_identical_whatever_the_worker_count(built):
    first, second = built
    hashes = _hashes(first)
    assert len(hashes) == N_UTTERANCES + 5  # wavs + metadata, durations, pitch, splits, manifest
    assert hashes == _hashes(second)
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]  # no staging folders left


def test_durations_sum_to_the_mel_length_of_every_utterance(built):
    corpus = load_corpus(built[0])
    assert len(corpus) == N_UTTERANCES
    for record in corpus:
        info = sf.info(str(record.wav_path))
        assert info.samplerate == SAMPLE_RATE and info.subtype == "PCM_16" and info.channels == 1
        assert info.frames % HOP_LENGTH == 0
        assert sum(record.durations) == info.frames // HOP_LENGTH
        assert len(record.durations) == len(record.phonemes) and min(record.durations) >= 1
        assert set(record.phonemes) <= set(ESPEAK_SYMBOLS)
        assert record.text != "" and record.raw_text != ""
    wave, _ = sf.read(str(corpus[0].wav_path), dtype="float32")
    assert mel_spectrogram(torch.from_numpy(wave)).shape[-1] == sum(corpus[0].durations)


def test_multispeaker_metadata_manifest_and_splits(built):
    corpus = load_corpus(built[0])
    assert corpus.speakers == tuple(s.name for s in MULTI_SPEAKERS) and len(corpus.speakers) >= 4
    assert [r.speaker for r in corpus][:5] == [0, 1, 2, 3, 4]
    line = (built[0] / "metadata.csv").read_text(encoding="utf-8").splitlines()[1]
    utt_id, raw, text, speaker = line.split("|")
    assert speaker == corpus[1].speaker_name and raw == corpus[1].raw_text and text == corpus[1].text
    manifest = json.loads((built[0] / "corpus.json").read_text())
    assert manifest["n_utterances"] == N_UTTERANCES and manifest["mode"] == "smoke"
    assert manifest["total_frames"] == sum(sum(r.durations) for r in corpus)
    assert manifest["total_seconds"] > 0 and manifest["builder_version"] == build_module.BUILDER_VERSION
    ids = {name: {r.id for r in corpus.split(name)} for name in ("train", "val", "test")}
    assert ids["val"] and ids["test"] and not (ids["train"] & ids["val"] or ids["train"] & ids["test"]
                                                or ids["val"] & ids["test"])
    assert sum(map(len, ids.values())) == N_UTTERANCES
    # LJSpeech-layout reader sees the same folder, durations included
    assert [r.durations for r in load_ljspeech(built[0])] == [r.durations for r in corpus]


def test_dataset_over_built_corpus_gives_durations_matching_mels(built):
    corpus = load_corpus(built[0])
    dataset = TextMelDataset(corpus.split("train"), cache_mels=True)
    sampler = LengthBucketSampler(dataset.mel_lengths, batch_size=3, seed=0)
    loader = torch.utils.data.DataLoader(dataset, batch_sampler=sampler, collate_fn=dataset.collate)
    for batch in loader:
        assert batch.durations.sum(dim=1).tolist() == batch.mel_lengths.tolist()
        assert batch.durations.shape == batch.tokens.shape
        assert (batch.durations * batch.token_mask[:, 0].long()).eq(batch.durations).all()
        assert batch.speakers.max() < len(corpus.speakers)
    assert len(dataset._mels) == len(dataset)  # cached


def test_stored_phonemes_are_what_the_espeak_front_end_gives_for_new_text(built):
    # training reads the stored symbols, inference reads espeak_phonemes(text): they must agree
    corpus = load_corpus(built[0])
    for record in corpus.utterances[:3]:
        voice = MULTI_SPEAKERS[record.speaker].voice
        assert espeak_phonemes(record.text, voice=voice) == list(record.phonemes)


def test_blank_interspersed_tokens_get_zero_frame_blanks(built):
    corpus = load_corpus(built[0])
    item = TextMelDataset(corpus, tokenizer=tokenizer_for("espeak", add_blank=True))[0]
    assert item.tokens.shape[0] == 2 * len(corpus[0].phonemes) + 1
    assert item.durations[0::2].eq(0).all() and item.durations[1::2].tolist() == list(corpus[0].durations)
    assert item.durations.sum().item() == item.mel.shape[-1]


def test_ensure_corpus_builds_once_and_rebuilds_half_built_or_stale(tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_COURSE_CACHE", str(tmp_path))
    monkeypatch.setattr(build_module, "corpus_size", lambda mode=None: 3)
    path = ensure_corpus(mode="smoke")
    assert path == tmp_path / "corpus" / "espeak-single-smoke" and is_complete(path)
    wav = path / "wavs" / "ES00001.wav"
    stamp = wav.stat().st_mtime_ns
    assert ensure_corpus(mode="smoke") == path and wav.stat().st_mtime_ns == stamp  # cached, not rebuilt
    # half-built: the manifest is written last, so a folder without one is rebuilt
    (path / "corpus.json").unlink()
    wav.unlink()
    assert not is_complete(path)
    ensure_corpus(mode="smoke")
    assert is_complete(path) and wav.is_file()
    # stale: written by another builder version
    manifest = json.loads((path / "corpus.json").read_text())
    (path / "corpus.json").write_text(json.dumps({**manifest, "builder_version": "0"}))
    assert not is_complete(path)
    ensure_corpus(mode="smoke")
    assert json.loads((path / "corpus.json").read_text())["builder_version"] == build_module.BUILDER_VERSION


def test_unknown_mode_and_missing_corpus_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="smoke"):
        ensure_corpus(mode="huge")
    with pytest.raises(ValueError, match="smoke"):
        build_corpus(tmp_path / "x", mode="huge")
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nowhere")
    (tmp_path / "half").mkdir()
    with pytest.raises(CorpusError, match="corpus.json"):
        load_corpus(tmp_path / "half")


def test_cli_builds_into_the_given_folder(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_corpus_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["corpus", "build", "--mode", "smoke", "--voices", "en-us,en-us+f4",
                              "--out", str(tmp_path / "cli"), "--n-utterances", "2"])
    assert args.func(args) == 0
    corpus = load_corpus(tmp_path / "cli")
    assert corpus.speakers == ("en-us", "en-us+f4") and len(corpus) == 2
    assert str(tmp_path / "cli") in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["corpus", "build", "--mode", "huge"])
