"""Grad-TTS (Popov, Vovk, Gogoryan, Sadekova & Kudinov, ICML 2021).

``build(config)`` returns a :class:`GradTTS` with top-level children ``encoder``
(7,200,145 parameters at paper size with 149 symbols) and ``decoder``
(7,634,887): 14,835,032 in all, the Speech-Backbones LJSpeech model.
``python -m course_lib train grad_tts --config tiny --out runs/grad_tts`` trains
on the built-in corpus; ``synth`` speaks with a checkpoint.
"""

from __future__ import annotations

from typing import Any, Mapping

from course_lib.models.grad_tts.config import GradTTSConfig
from course_lib.models.grad_tts.model import (
    EncoderOutput,
    GradTTS,
    GradTTSDecoder,
    GradTTSEncoder,
    GradTTSLosses,
    SynthesisOutput,
)

CONFIGS = {"paper": GradTTSConfig.paper, "multispeaker": GradTTSConfig.multispeaker, "tiny": GradTTSConfig.tiny}


def build(config: GradTTSConfig | Mapping[str, Any]) -> GradTTS:
    """A fresh Grad-TTS for ``config`` (or the dict saved beside a checkpoint)."""
    return GradTTS(GradTTSConfig.of(config))


__all__ = ["CONFIGS", "EncoderOutput", "GradTTS", "GradTTSConfig", "GradTTSDecoder", "GradTTSEncoder",
           "GradTTSLosses", "SynthesisOutput", "build"]
