"""A small CTC phoneme recognizer: the course's own intelligibility judge (lesson 12).

What it is for: score how intelligible synthesized speech is by the **phoneme error rate**
(PER) of its transcript against the phonemes the model was asked to say
(:mod:`course_lib.quality`). It must hear through vocoder artefacts, or it would score the
vocoder instead of the acoustic model — hence its training-time augmentation
(:mod:`.augment`: Griffin-Lim/vocoder resynthesis, speed, noise, SpecAugment masks).

Design (ours; no paper to match):

* **Input**: the course's 80-bin log-mel (22,050 Hz, hop 256), normalised per utterance
  (each bin's mean removed, one overall std), so level and fixed spectral tilt do not matter.
* **Front end**: 3 convolutions (kernel 5, LayerNorm, GELU); the first has stride 3 → 29
  frames/s, 1.6× the CTC states (phonemes + repeated pairs) of the corpus's fastest utterance
  (sped up 1.1×), as CTC needs T' ≥ states; it made a CPU step 2.5× faster than stride 2.
* **Sequence model**: a bidirectional GRU (2 layers of 192 in ``tiny``); a linear layer to
  the symbol table; log-softmax.
* **Output**: CTC over the eSpeak symbol table of the built-in corpus, without blanks between
  symbols: its pad id 0 (never spoken) is the CTC blank; the pause ``'|'`` is left out of the
  targets (``drop_pauses``), so PER counts phonemes only. Stress-marked vowels (``ˈɑː``) are
  distinct symbols, as eSpeak spoke them.
* **Decoding**: greedy (best path: argmax per frame, repeats merged, blanks dropped).
* **Training**: Adam 1e-3, batch 16, gradient-norm clip 5, the built-in 5-voice corpus's train
  split (``ensure_corpus(multispeaker=True)``); validation reports CTC and greedy PER.

``tiny()`` has 1,636,621 parameters; ``base()`` (GPU) 8,880,973.
"""

from __future__ import annotations

from typing import Any, Mapping

from course_lib.models.recognizer.augment import Augmenter, add_noise, change_speed, spec_augment
from course_lib.models.recognizer.config import RecognizerConfig
from course_lib.models.recognizer.model import (
    BLANK_ID,
    PAUSE_ID,
    PhonemeRecognizer,
    RecognizerOutput,
    ctc_loss,
    greedy_decode,
    phoneme_error_rate,
)

CONFIGS = {"tiny": RecognizerConfig.tiny, "base": RecognizerConfig.base}


def build(config: RecognizerConfig | Mapping[str, Any]) -> PhonemeRecognizer:
    """A fresh recognizer from a config (or the dict saved beside a checkpoint)."""
    return PhonemeRecognizer(RecognizerConfig.of(config))


__all__ = ["Augmenter", "BLANK_ID", "CONFIGS", "PAUSE_ID", "PhonemeRecognizer", "RecognizerConfig",
           "RecognizerOutput", "add_noise", "build", "change_speed", "ctc_loss", "greedy_decode",
           "phoneme_error_rate", "spec_augment"]
