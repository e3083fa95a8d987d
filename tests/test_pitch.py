"""Pitch in the data: F0 per mel frame from Praat's tracker, stored with the built-in corpus, cached for an
LJSpeech-layout folder, handed to training in every batch."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile as sf
import torch

from course_lib.framing import HOP_LENGTH, SAMPLE_RATE
from course_lib.pitch import frame_times, track_f0


def tone(hz: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


@pytest.mark.parametrize("hz", [70.0, 110.0, 220.0, 440.0])
def test_a_steady_tone_is_tracked_at_its_frequency_on_every_frame(hz):
    f0 = track_f0(tone(hz))
    assert f0.shape == (SAMPLE_RATE // HOP_LENGTH,) and f0.dtype == np.float32
    inner = f0[3:-3]
    assert np.all(inner > 0)
    assert np.max(np.abs(1200 * np.log2(inner / hz))) < 2  # cents


def test_silence_and_noise_are_unvoiced_and_voicing_follows_the_sound():
    assert not track_f0(np.zeros(SAMPLE_RATE)).any()
    noise = np.random.default_rng(0).normal(0, 0.1, SAMPLE_RATE).astype(np.float32)
    assert np.mean(track_f0(noise) > 0) < 0.1
    gap = np.concatenate([tone(150, 0.5), np.zeros(SAMPLE_RATE // 2, np.float32), tone(150, 0.5)])
    f0 = track_f0(gap)
    middle = (frame_times(gap.size) > 0.6) & (frame_times(gap.size) < 0.9)
    assert not f0[middle].any() and (f0 > 0).sum() > 60


def test_frames_are_the_mels_and_the_tracker_is_deterministic():
    wave = tone(180, 0.73)
    assert track_f0(wave).size == wave.size // HOP_LENGTH
    np.testing.assert_array_equal(track_f0(wave), track_f0(wave.copy()))
    assert frame_times(512)[0] == pytest.approx(128 / SAMPLE_RATE)  # frame t is centred on sample 256·t + 128
    assert not track_f0(tone(150, 0.04)).any()  # shorter than three periods of the floor: nothing to measure
    with pytest.raises(ValueError, match="NaN"):
        track_f0(np.full(4096, np.nan))


def test_the_built_corpus_stores_one_f0_per_frame_for_every_clip(multi_corpus_path):
    from course_lib.data import corpus_pitch, load_corpus

    corpus = load_corpus(multi_corpus_path)
    pitch = corpus_pitch(corpus)
    assert set(pitch) == {record.id for record in corpus}
    for record in corpus:
        assert pitch[record.id].size == record.n_frames
        wave, _ = sf.read(record.wav_path, dtype="float32")
        np.testing.assert_allclose(pitch[record.id], np.round(track_f0(wave), 1), atol=0.051)
    medians = {}
    for record in corpus:
        medians.setdefault(record.speaker_name, []).append(np.median(pitch[record.id][pitch[record.id] > 0]))
    assert np.mean(medians["en-us+m3"]) < 110 < 180 < np.mean(medians["en-us+f4"])


def test_a_corpus_built_without_pitch_names_the_rebuild(multi_corpus_path, tmp_path):
    from course_lib.data import CorpusError, corpus_pitch, load_corpus

    old = tmp_path / "old"
    shutil.copytree(multi_corpus_path, old)
    (old / "pitch.tsv").unlink()
    with pytest.raises(CorpusError, match="no pitch.tsv .* corpus build --out .*old --mode smoke --voices en-us,"):
        corpus_pitch(load_corpus(old))


def test_an_ljspeech_folder_gets_its_f0_computed_once_and_cached_outside_it(multi_corpus_path, tmp_path, monkeypatch):
    from course_lib.data import corpus_pitch, load_ljspeech
    from course_lib.data import pitch as pitch_module

    monkeypatch.setenv("TTS_COURSE_CACHE", str(tmp_path / "cache"))
    lj = tmp_path / "lj"
    (lj / "wavs").mkdir(parents=True)
    lines = (multi_corpus_path / "metadata.csv").read_text().splitlines()[:4]
    for line in lines:
        shutil.copy(multi_corpus_path / "wavs" / f"{line.split('|')[0]}.wav", lj / "wavs")
    (lj / "metadata.csv").write_text("\n".join("|".join(line.split("|")[:3]) for line in lines) + "\n")
    before = sorted(p.name for p in lj.rglob("*"))
    first = corpus_pitch(load_ljspeech(lj))
    assert sorted(p.name for p in lj.rglob("*")) == before  # nothing written into the user's folder
    assert len(list((tmp_path / "cache" / "pitch").glob("lj-*.tsv"))) == 1
    monkeypatch.setattr("course_lib.pitch.track_f0", lambda wave: pytest.fail("tracked again"))
    again = corpus_pitch(load_ljspeech(lj))
    assert first.keys() == again.keys() and all(np.array_equal(first[k], again[k]) for k in first)
    assert pitch_module.pitch_cache_path(lj) != pitch_module.pitch_cache_path(tmp_path / "elsewhere" / "lj")


def test_batches_carry_the_f0_padded_like_the_mels(multi_corpus_path):
    from course_lib.data import TextMelDataset, corpus_pitch, load_corpus

    corpus = load_corpus(multi_corpus_path)
    dataset = TextMelDataset(corpus, pitch=corpus_pitch(corpus))
    batch = dataset.collate([dataset[0], dataset[1], dataset[2]])
    assert batch.f0.shape == (3, batch.mels.shape[-1]) and batch.f0.dtype == torch.float32
    for row, length in enumerate(batch.mel_lengths):
        assert not batch.f0[row, int(length):].any()
    assert TextMelDataset(corpus)[0].f0 is None and dataset.collate([TextMelDataset(corpus)[0]]).f0 is None
