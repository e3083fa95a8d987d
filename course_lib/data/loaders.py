"""What a text-to-speech training run reads: a corpus folder → its tokenizer and length-bucketed loaders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from course_lib.data.build import ensure_corpus
from course_lib.data.dataset import TextMelDataset
from course_lib.data.ljspeech import open_corpus
from course_lib.data.pitch import corpus_pitch
from course_lib.data.sampler import LengthBucketSampler
from course_lib.text import Tokenizer, tokenizer_for


@dataclass
class TrainingData:
    """What a training run reads: the corpus, its tokenizer and the two loaders."""

    corpus: object
    tokenizer: Tokenizer
    train_loader: DataLoader
    val_loader: DataLoader | None


def training_data(data_dir: str | None, add_blank: bool, batch_size: int, seed: int,
                  val_batches: int = 2, return_wave: bool = False, pitch: bool = False) -> TrainingData:
    """Loaders over a corpus folder in either layout (``None``: the built-in corpus for the current mode).

    Every clip is checked first (:meth:`TextMelDataset.check_alignable`). Mels are cached in memory
    after the first epoch; the validation loader holds at most ``val_batches`` batches. ``return_wave``
    adds the padded waves to every batch (VITS decodes windows of them); ``pitch`` each frame's F0
    (``batch.f0``, from the corpus's ``pitch.tsv`` or the course's cache of it).
    """
    corpus = open_corpus(Path(data_dir) if data_dir else ensure_corpus())
    f0 = corpus_pitch(corpus) if pitch else None
    tokenizer = tokenizer_for(corpus.front_end, add_blank)
    if not corpus.split("train").utterances:
        raise ValueError(f"{corpus.root} has no utterances in the train split; add clips or fix splits.tsv")
    train = TextMelDataset(corpus.split("train"), tokenizer=tokenizer, frontend=corpus.symbols_for, cache_mels=True,
                           return_wave=return_wave, pitch=f0)
    train.check_alignable()
    sampler = LengthBucketSampler(train.mel_lengths, batch_size, seed=seed, drop_last=len(train) >= batch_size)
    train_loader = DataLoader(train, batch_sampler=sampler, collate_fn=train.collate)
    val_records = corpus.split("val").utterances[: val_batches * batch_size]
    val_loader = None
    if val_records:
        val = TextMelDataset(val_records, tokenizer=tokenizer, frontend=corpus.symbols_for, cache_mels=True,
                             return_wave=return_wave, pitch=f0)
        val.check_alignable()
        val_loader = DataLoader(val, batch_size=batch_size, collate_fn=val.collate)
    return TrainingData(corpus=corpus, tokenizer=tokenizer, train_loader=train_loader, val_loader=val_loader)


def first_val_tokens(val_loader: DataLoader | None) -> torch.Tensor | None:
    """``[1, T_text]`` tokens of the first validation sentence, unpadded (None without a validation loader)."""
    if val_loader is None:
        return None
    batch = next(iter(val_loader))
    return batch.tokens[:1, : int(batch.token_lengths[0])]


def training_clips(data_dir: str | Path | None, pitch: bool = False) -> tuple[list, list]:
    """``(train, val)`` lists of ``(wav path, F0 [T] or None)`` — what a vocoder trains on — of a corpus folder in
    either layout (``None``: the built-in multi-voice corpus, every voice, built on first use); ``pitch`` adds the
    F0 of :func:`course_lib.data.corpus_pitch`. A corpus without a validation split validates on its first clip."""
    root = Path(data_dir) if data_dir else ensure_corpus(multispeaker=True)
    corpus = open_corpus(root)
    f0 = corpus_pitch(corpus) if pitch else {}
    split = {name: [(u.wav_path, f0.get(u.id)) for u in corpus.split(name)] for name in ("train", "val")}
    if not split["train"]:
        raise ValueError(f"{root} has no training utterances")
    return split["train"], split["val"] or split["train"][:1]
