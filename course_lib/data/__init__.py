"""Speech data for the course: the built-in eSpeak NG corpus, LJSpeech, and training plumbing.

* Built-in corpus: :func:`ensure_corpus` (cached, built on first use),
  :func:`build_corpus`, :func:`load_corpus` — sentences written by the project
  (:mod:`.sentences`), spoken by eSpeak NG, with the phonemes it spoke and their
  exact durations in mel frames (:mod:`.durations`).
* Recorded speech: :func:`load_ljspeech`, :func:`download_ljspeech`; either layout: :func:`open_corpus`.
* Pitch: :func:`corpus_pitch` — the F0 of every mel frame, stored with the built-in corpus, computed once and
  cached for an LJSpeech-layout folder (:mod:`.pitch`).
* Training: :func:`training_data` (a corpus folder → tokenizer and loaders), :class:`TextMelDataset`,
  :func:`collate` → :class:`TextMelBatch` (text–mel models); random vocoder windows with their F0 (:mod:`.segments`);
  :class:`LengthBucketSampler`, :func:`seed_everything`, :func:`worker_init_fn`.

Names are imported on first use, so the corpus builder's worker processes start
without loading torch.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "build_corpus": "build", "ensure_corpus": "build", "is_complete": "build", "corpus_size": "build",
    "Speaker": "build", "DEFAULT_SPEAKER": "build", "MULTI_SPEAKERS": "build",
    "add_corpus_cli": "build", "corpus_cli": "build",
    "Corpus": "corpus", "UtteranceRecord": "corpus", "CorpusError": "corpus", "load_corpus": "corpus",
    "assign_splits": "corpus", "SPLITS": "corpus", "corpus_pitch": "pitch",
    "load_ljspeech": "ljspeech", "download_ljspeech": "ljspeech", "open_corpus": "ljspeech",
    "TextMelDataset": "dataset", "TextMelItem": "dataset", "TextMelBatch": "dataset", "collate": "dataset",
    "LengthBucketSampler": "sampler", "worker_init_fn": "sampler",
    "generate_sentences": "sentences",
    "TrainingData": "loaders", "training_data": "loaders", "first_val_tokens": "loaders",
    "training_clips": "loaders",
}

__all__ = sorted([*_EXPORTS, "seed_everything"])


def __getattr__(name: str):
    if name == "seed_everything":  # one implementation for the whole course
        from course_lib.training.rng import seed_everything

        return seed_everything
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
