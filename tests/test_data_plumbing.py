"""Batching plumbing and LJSpeech-layout folders: sampler, collate, dataset, loader (tiny fixtures, no eSpeak)."""

import numpy as np
import pytest
import soundfile as sf
import torch

from course_lib.audio import HOP_LENGTH, SAMPLE_RATE
from course_lib.data import (CorpusError, LengthBucketSampler, TextMelDataset, TextMelItem, collate, load_ljspeech,
                             seed_everything, worker_init_fn)
from course_lib.data.dataset import SILENCE_LOG_MEL

# ----------------------------------------------------------------------------- sampler

LENGTHS = [int(x) for x in np.random.default_rng(0).integers(20, 900, size=103)]


def test_sampler_covers_every_index_once_and_buckets_similar_lengths():
    sampler = LengthBucketSampler(LENGTHS, batch_size=8, seed=3, bucket_batches=4)
    batches = list(sampler)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(LENGTHS)))
    assert len(batches) == len(sampler) == 13  # ceil(103 / 8)
    spread = np.mean([np.ptp([LENGTHS[i] for i in b]) for b in batches if len(b) > 1])
    random_spread = np.mean([np.ptp(np.array(LENGTHS)[np.arange(k, k + 8) % 103]) for k in range(0, 103, 8)])
    assert spread < 0.5 * random_spread


def test_sampler_is_deterministic_per_epoch_and_reshuffles_between_epochs():
    a = LengthBucketSampler(LENGTHS, batch_size=8, seed=3)
    b = LengthBucketSampler(LENGTHS, batch_size=8, seed=3)
    assert list(a) == list(b)
    first = list(a)
    a.set_epoch(1)
    assert list(a) != first
    assert list(LengthBucketSampler(LENGTHS, batch_size=8, seed=4)) != first


@pytest.mark.parametrize("start", [0, 1, 5, 12, 13])
def test_set_start_resumes_with_the_tail_of_the_epoch(start):
    sampler = LengthBucketSampler(LENGTHS, batch_size=8, seed=11)
    sampler.set_epoch(2)
    full = list(sampler)
    sampler.set_epoch(2)
    sampler.set_start(start)
    assert len(sampler) == len(full) - start
    assert list(sampler) == full[start:]
    sampler.set_epoch(3)  # a new epoch starts from its first batch again
    assert len(list(sampler)) == len(full)


def test_set_start_outside_the_epoch_is_an_error():
    sampler = LengthBucketSampler(LENGTHS, batch_size=8)
    with pytest.raises(ValueError, match="outside"):
        sampler.set_start(99)


@pytest.mark.parametrize("replicas", [2, 3])
def test_ddp_ranks_get_disjoint_equal_shares(replicas):
    shares = []
    for rank in range(replicas):
        sampler = LengthBucketSampler(LENGTHS, batch_size=8, seed=5, num_replicas=replicas, rank=rank)
        sampler.set_epoch(4)
        shares.append(list(sampler))
    assert len({len(s) for s in shares}) == 1  # equal step counts, as DDP needs
    indices = [i for share in shares for batch in share for i in batch]
    assert len(indices) == len(set(indices))
    # the shares together are the single-process epoch minus at most replicas - 1 batches
    single = LengthBucketSampler(LENGTHS, batch_size=8, seed=5)
    single.set_epoch(4)
    assert len(single) - sum(len(s) for s in shares) < replicas
    with pytest.raises(ValueError, match="rank"):
        LengthBucketSampler(LENGTHS, batch_size=8, num_replicas=2, rank=2)


def test_drop_last_keeps_only_full_batches():
    sampler = LengthBucketSampler(LENGTHS, batch_size=8, drop_last=True)
    batches = list(sampler)
    assert len(batches) == len(sampler) == 12 and all(len(b) == 8 for b in batches)


def test_seed_everything_and_worker_init_make_draws_repeatable():
    seed_everything(123)
    a = (torch.rand(3), np.random.rand())
    seed_everything(123)
    b = (torch.rand(3), np.random.rand())
    assert torch.equal(a[0], b[0]) and a[1] == b[1]
    torch.manual_seed(77)
    worker_init_fn(0)
    first = np.random.rand()
    torch.manual_seed(77)
    worker_init_fn(0)
    assert np.random.rand() == first


def test_builder_hop_matches_the_course_mel():
    # durations.py keeps its own copy so corpus building needs no torch; they must agree
    from course_lib.data import durations, synth

    assert durations.HOP_LENGTH == HOP_LENGTH and synth.SAMPLE_RATE == SAMPLE_RATE


# ----------------------------------------------------------------------------- collate

def _item(name, n_tokens, n_frames, with_wave=True, speaker=0):
    return TextMelItem(
        id=name, tokens=torch.arange(1, n_tokens + 1), mel=torch.randn(80, n_frames),
        durations=torch.ones(n_tokens, dtype=torch.long), speaker=speaker,
        wave=torch.randn(n_frames * HOP_LENGTH) if with_wave else None,
    )


def test_collate_pads_and_masks():
    batch = collate([_item("a", 5, 30, speaker=2), _item("b", 9, 12)], pad_id=0)
    assert batch.ids == ("a", "b")
    assert batch.tokens.shape == (2, 9) and batch.tokens[0, 5:].eq(0).all()
    assert batch.token_lengths.tolist() == [5, 9] and batch.mel_lengths.tolist() == [30, 12]
    assert batch.mels.shape == (2, 80, 30) and batch.mels[1, :, 12:].eq(SILENCE_LOG_MEL).all()
    assert batch.durations.shape == (2, 9) and batch.durations[0, 5:].eq(0).all()
    assert batch.waves.shape == (2, 1, 30 * HOP_LENGTH) and batch.wave_lengths.tolist() == [7680, 3072]
    assert batch.speakers.tolist() == [2, 0]
    assert batch.token_mask.shape == (2, 1, 9) and batch.token_mask.sum().item() == 14
    assert batch.mel_mask.shape == (2, 1, 30) and batch.mel_mask[1, 0, 11:13].tolist() == [1.0, 0.0]
    moved = batch.to("cpu")
    assert moved.tokens.device.type == "cpu" and moved.ids == batch.ids and len(moved) == 2
    assert collate([_item("c", 3, 4, with_wave=False)]).waves is None
    with pytest.raises(ValueError, match="empty"):
        collate([])


# ----------------------------------------------------------------------------- LJSpeech layout

def _write_tone(path, seconds, rate=SAMPLE_RATE, channels=1, freq=220.0):
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    sf.write(str(path), np.stack([tone] * channels, axis=1) if channels > 1 else tone, rate, subtype="PCM_16")


@pytest.fixture
def lj_folder(tmp_path):
    root = tmp_path / "LJSpeech-1.1"
    (root / "wavs").mkdir(parents=True)
    texts = ["Printing, in the only sense.", "Dr. Smith paid $5.", "It was 1887.", "Hello there.",
             "A short clip.", "Another one here."]
    lines = []
    for i, text in enumerate(texts):
        utt_id = f"LJ001-{i + 1:04d}"
        channels = 2 if i == 1 else 1  # one stereo clip, read as mono
        _write_tone(root / "wavs" / f"{utt_id}.wav", 0.4 + 0.1 * i, SAMPLE_RATE, channels, freq=200 + 40 * i)
        lines.append(f"{utt_id}|{text}|{text if i != 1 else 'Doctor Smith paid five dollars.'}")
    (root / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_load_ljspeech_reads_layout_and_splits_deterministically(lj_folder):
    corpus = load_ljspeech(lj_folder)
    assert len(corpus) == 6 and corpus.speakers == ("LJSpeech-1.1",) and corpus.front_end == "arpabet"
    record = corpus[1]
    assert record.raw_text == "Dr. Smith paid $5." and record.text == "Doctor Smith paid five dollars."
    assert record.durations is None and record.phonemes is None and record.wav_path.is_file()
    splits = {name: {r.id for r in corpus.split(name)} for name in ("train", "val", "test")}
    assert set().union(*splits.values()) == {r.id for r in corpus}
    assert sum(len(s) for s in splits.values()) == 6 and len(splits["val"]) == 1 and len(splits["test"]) == 1
    assert [r.split for r in load_ljspeech(lj_folder)] == [r.split for r in corpus]
    # the folder above LJSpeech-1.1 is accepted too
    assert len(load_ljspeech(lj_folder.parent)) == 6


def test_load_ljspeech_speaker_column(lj_folder):
    lines = (lj_folder / "metadata.csv").read_text().splitlines()
    speakers = ["p2", "p1", "p2", "p1", "p3", "p3"]
    (lj_folder / "metadata.csv").write_text("\n".join(f"{l}|{s}" for l, s in zip(lines, speakers)) + "\n")
    corpus = load_ljspeech(lj_folder)
    assert corpus.speakers == ("p1", "p2", "p3")
    assert [r.speaker for r in corpus] == [1, 0, 1, 0, 2, 2] and corpus[0].speaker_name == "p2"


def test_missing_folder_metadata_or_wav_are_clear_errors(lj_folder, tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_ljspeech(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    (empty / "wavs").mkdir(parents=True)
    with pytest.raises(CorpusError, match="metadata.csv"):
        load_ljspeech(empty)
    (lj_folder / "wavs" / "LJ001-0003.wav").unlink()
    with pytest.raises(CorpusError, match="LJ001-0003.wav"):
        load_ljspeech(lj_folder)


def test_dataset_over_ljspeech_converts_audio_and_phonemizes(lj_folder):
    corpus = load_ljspeech(lj_folder)
    dataset = TextMelDataset(corpus, return_wave=True)
    item = dataset[1]  # the stereo clip, read as mono
    assert item.durations is None and item.mel.shape[0] == 80
    assert item.wave.shape[-1] == item.mel.shape[-1] * HOP_LENGTH
    assert item.mel.shape[-1] == dataset.mel_lengths[1] == int(0.5 * SAMPLE_RATE) // HOP_LENGTH
    assert corpus.tokenizer.decode(item.tokens.tolist())  # ARPAbet ids of the normalised text
    batch = dataset.collate([dataset[i] for i in range(3)])
    assert batch.tokens.shape[0] == 3 and batch.durations is None and batch.waves.shape[1] == 1


def test_corrupt_audio_error_names_the_file(lj_folder):
    broken = lj_folder / "wavs" / "LJ001-0004.wav"
    broken.write_bytes(b"RIFF\x00\x00not really a wave file")
    dataset = TextMelDataset(load_ljspeech(lj_folder))
    with pytest.raises(ValueError, match="LJ001-0004.wav"):
        dataset[3]
    with pytest.raises(ValueError, match="LJ001-0004.wav"):
        dataset.mel_lengths
