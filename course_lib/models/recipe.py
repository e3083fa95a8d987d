"""Data and text plumbing shared by the acoustic models (Glow-TTS, Grad-TTS, Diff-TTS).

* :func:`training_data` — corpus → tokenizer → length-bucketed train/val loaders;
* :func:`text_to_tokens` — text → token ids through the front end a model was trained with;
* :func:`vocode` / :func:`write_wave` — mel → course vocoder → wave / wav file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader


@dataclass
class TrainingData:
    """What a training run reads: the corpus, its tokenizer and the two loaders."""

    corpus: object
    tokenizer: object
    train_loader: DataLoader
    val_loader: DataLoader | None


def make_tokenizer(front_end: str, add_blank: bool):
    """The symbol table a front end speaks (eSpeak phonemes or ARPAbet), optionally with blanks."""
    from course_lib import text

    symbols = text.ESPEAK_SYMBOLS if front_end == "espeak" else text.ARPABET_SYMBOLS
    return text.Tokenizer(symbols, add_blank=add_blank)


def training_data(data_dir: str | None, add_blank: bool, batch_size: int, seed: int,
                  val_batches: int = 2) -> TrainingData:
    """Loaders over a corpus folder (``None``: the built-in corpus for the current mode).

    Mels are cached in memory after the first epoch; the validation loader holds
    at most ``val_batches`` batches.
    """
    from course_lib.data import LengthBucketSampler, TextMelDataset, ensure_corpus, load_corpus

    corpus = load_corpus(Path(data_dir) if data_dir else ensure_corpus())
    tokenizer = make_tokenizer(corpus.front_end, add_blank)
    train = TextMelDataset(corpus.split("train"), tokenizer=tokenizer, frontend=corpus.symbols_for, cache_mels=True)
    sampler = LengthBucketSampler(train.mel_lengths, batch_size, seed=seed, drop_last=len(train) >= batch_size)
    train_loader = DataLoader(train, batch_sampler=sampler, collate_fn=train.collate)
    val_records = corpus.split("val").utterances[: val_batches * batch_size]
    val_loader = None
    if val_records:
        val = TextMelDataset(val_records, tokenizer=tokenizer, frontend=corpus.symbols_for, cache_mels=True)
        val_loader = DataLoader(val, batch_size=batch_size, collate_fn=val.collate)
    return TrainingData(corpus=corpus, tokenizer=tokenizer, train_loader=train_loader, val_loader=val_loader)


def check_vocabulary(n_vocab: int, front_end: str, add_blank: bool, source: str) -> None:
    """Raise a ValueError when a checkpoint's ``n_vocab`` differs from today's symbol table for its front end."""
    expected = make_tokenizer(front_end, add_blank).n_vocab
    if expected != n_vocab:
        raise ValueError(
            f"{source} was trained with n_vocab={n_vocab} but the {front_end!r} tokenizer (add_blank={add_blank}) "
            f"has {expected} symbols: the symbol table changed since; retrain it with this version of the course")


def text_to_tokens(text_in: str, front_end: str, add_blank: bool) -> torch.Tensor:
    """``[1, T_text]`` token ids for ``text_in`` (eSpeak phonemes or CMUdict ARPAbet)."""
    from course_lib import text

    symbols = text.espeak_phonemes(text_in) if front_end == "espeak" else text.phonemize(text_in)
    ids = make_tokenizer(front_end, add_blank).encode(symbols)
    if not ids:
        raise ValueError(f"the text {text_in!r} gave no phonemes; give a sentence with words in it")
    return torch.tensor([ids], dtype=torch.long)


# A log-mel of clamped magnitude lives in [log 1e-5, a few]; an undertrained decoder can overshoot
# by tens, and exp() of that overflows inside the vocoder. Clip to this range before vocoding.
LOG_MEL_RANGE = (math.log(1e-5), 4.0)


def vocode(mel: torch.Tensor, vocoder_name: str = "auto", verbose: bool = True) -> torch.Tensor:
    """``[80, T]`` log-mel → wave ``[T·256]`` in [-1, 1] with the course vocoder (mel clipped to a valid range)."""
    from course_lib.vocoder import load_vocoder

    wave = load_vocoder(vocoder_name, verbose=verbose)(mel.detach().cpu().clamp(*LOG_MEL_RANGE))
    return wave.clamp(-1.0, 1.0)


def write_wave(mel: torch.Tensor, path: str | Path, vocoder_name: str = "auto") -> Path:
    """Vocode a ``[80, T]`` log-mel (see :func:`vocode`) and save it at 22,050 Hz."""
    from course_lib.audio import SAMPLE_RATE, save_audio

    return save_audio(path, vocode(mel, vocoder_name).cpu().numpy(), SAMPLE_RATE)
