"""The course vocoder: pitch made explicit, magnitudes learned, phase from the pitch.

Speech is a source shaped by a filter (lesson 06): voiced sound is a sum of harmonics of F0
(eSpeak NG makes it so, in ``wavegen.c``), unvoiced sound is noise, and the vocal tract (eSpeak's
formant filters) shapes both with a smooth envelope. The mel keeps the envelope and blurs the
harmonics; a frame-rate generator that does not know the pitch turns identical frames into a wave
that repeats every hop (an 86 Hz buzz). This vocoder makes each part explicit:

1. **pitch** — a small conv network reads the mel and the low bins of its pseudo-inverse and
   predicts each frame's F0 (one of 256 log-spaced classes, 50–600 Hz) and voicing; trained on
   the corpus's stored F0 (``pitch.tsv``);
2. **magnitudes** — a second network, given the mel and that pitch, predicts an envelope residual
   on the mel's pseudo-inverse and, per bin, how harmonic it is: the magnitude is the envelope
   times a mix of the flat noise floor and the **harmonic comb** of F0
   (:func:`~course_lib.models.waveform.harmonics.harmonic_comb`) — trained with L1 on log
   *and* linear magnitudes (the log alone fits the quiet bins between harmonics and misses the
   loud peaks a listener hears);
3. **the wave** — ``synthesis="projection"`` (shipped): each bin's phase locked to its nearest
   harmonic's from the running phase of F0 (:func:`course_lib.pitch.pitch_locked_phase`), random where
   unvoiced, then a few of Griffin-Lim's projections (:func:`course_lib.audio.project_phase`);
   ``"harmonic_noise"``: an oscillator bank at the harmonics of F0 plus filtered noise
   (:mod:`course_lib.source_filter`), trained through its own wave with a multi-resolution STFT loss.

A config with ``adversarial=True`` (``tiny_adversarial``) fine-tunes the networks against HiFi-GAN's tiny
discriminators through the course's GAN task (:mod:`course_lib.models.pitch_vocoder.adversarial`).

No discriminator, no adversarial loss: minutes on a CPU. ``synthesize(mel, pitch_shift=R)`` multiplies
the predicted F0 by ``R``, but neither way is a pitch knob for speech: the mel's low bands hold the
recording's own harmonics, and both read them back (:meth:`PitchVocoder.phase_retrieval`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from course_lib.models.pitch_vocoder.config import PitchVocoderConfig
from course_lib.models.pitch_vocoder.model import PitchVocoder, PitchVocoderLosses

CONFIGS = {"tiny": PitchVocoderConfig.tiny, "tiny_harmonic_noise": PitchVocoderConfig.tiny_harmonic_noise,
           "tiny_adversarial": PitchVocoderConfig.tiny_adversarial}


def build(config: PitchVocoderConfig | Mapping[str, Any]) -> PitchVocoder:
    """A fresh course vocoder for ``config`` (or the dict saved beside a checkpoint)."""
    return PitchVocoder(PitchVocoderConfig.of(config))


__all__ = ["CONFIGS", "PitchVocoder", "PitchVocoderConfig", "PitchVocoderLosses", "build"]
