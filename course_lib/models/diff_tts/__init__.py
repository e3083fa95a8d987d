"""Diff-TTS (Jeong, Kim, Cheon, Choi & Kim, Interspeech 2021), rebuilt from the paper's description.

There is no public code, and the stored copies of the paper stop after the
introduction (REFERENCE.md §4). Confirmed: a non-autoregressive acoustic model;
a denoising diffusion turns Gaussian noise into a mel conditioned on text;
trained with the likelihood-based (ε-prediction) objective and no auxiliary
losses on the mel; accelerated sampling; the demo uses **T = 400** and
**γ ∈ {1, 7, 21, 57}**. A secondary reading note describes the denoiser as gated
WaveNet-style residual blocks with a diffusion-step embedding.

Unconfirmed details and what we chose (each a sensible default, none a fact):

* **Text encoder**: the course's shared Glow-TTS-style encoder (embedding, conv
  pre-net, 6 relative-position transformer layers, 192 channels); its 1×1 output
  (192 channels here) is the "text representation". Reused so every model in the
  course reads text the same way.
* **Durations**: a Glow-TTS-style duration predictor (2 convs, 256 filters) on the
  detached encoder output, log-domain MSE. Trained on the **true** durations that
  the built-in eSpeak corpus stores (no external aligner, no MAS); LJSpeech has
  none, so training Diff-TTS on it needs durations from elsewhere (e.g. a trained
  Glow-TTS/Grad-TTS's MAS).
* **Length regulator**: repeat each token's features for its frames
  (FastSpeech), via :func:`course_lib.alignment.path_from_durations`.
* **Decoder**: 12 gated residual layers, 256 channels, kernel 3, dilations
  1, 2, 4, 8 repeating; step embedding = 128-d sinusoid → 512-d MLP (DiffWave);
  text conditioning through a 1×1 conv per layer. See :mod:`.denoiser`. The
  80 mel bins are the stack's input *channels*, so it must be at least 80 wide
  (160 in ``tiny()``, enforced by the config): a narrower stack cannot give back
  an 80-value ε — ours at 64 plateaued at ε-MSE 0.66 even at t = T−1, where ε = x_t.
* **Noise prediction with a skip**: ``ε̂ = √(1 − ᾱ_t)·x_t + decoder(x_t, t, c)``
  (:meth:`DiffTTS.predict_noise`). At large t, ``x_t`` *is* nearly ε, so the skip answers
  there and the network learns a correction; no parameters, same L_simple objective.
  Without it the tiny decoder was still at ε-MSE 0.29 at t = T−1 after 1,500 steps.
* **Noise schedule**: linear β from 1e-4 to 0.05 over T = 400. DDPM's 1e-4 → 0.02
  over 1,000 steps ends at ᾱ_T ≈ 4e-5; with only 400 steps the end point must be
  raised to reach pure noise, and 0.05 gives ᾱ_T ≈ 5e-5.
* **Mel scaling**: log-mels mapped linearly to about [-1, 1] (silence, log 1e-5,
  at -1; 2.5 at +1), the range a N(0, I)-terminal DDPM assumes (DiffSinger does
  the same). Grad-TTS needs none: it diffuses toward μ.
* **Sampling**: ancestral steps with the posterior variance β̃ (Ho et al.
  eq. 7), each step's implied x̂₀ clipped to the mel range [-1, 1] as the DDPM
  reference code does (``clip_denoised``; an undertrained network otherwise lets
  the walk grow by up to 1/√ᾱ_T ≈ 140). **γ that does not divide T − 1**: the walk T−1, T−1−γ, …, 0 must end at
  step 0, so γ must divide 399 = 3·7·19 — valid γ are 1, 3, 7, 19, 21, 57, 133,
  399 — and other values raise a ValueError naming them. The demo's 7, 21 and 57
  all divide 399 (58, 20 and 8 network calls), which suggests the authors walked
  the same sub-sequence. Each jump uses the exact one-jump forward process
  between the visited steps; ``method="ddim"`` (Song et al. 2021, η = 0) is
  offered as a deterministic alternative that keeps more spread at large γ.
* **Training**: Adam, lr 2e-4, batch 16, gradient-norm clip 1, whole utterances
  (``tiny()``: the decoder sees random 128-frame windows, as Grad-TTS's does — its
  receptive field is 37 frames, and windows make a CPU step 3–4× cheaper). The paper's parameter count, step count and hardware are not in
  the stored sources; our paper config has 7,221,569 (encoder) + 9,501,264 (decoder)
  = 16,722,833 parameters — fewer than Glow-TTS's 28.6 M, in keeping with the paper's
  criticism of flow-based models as parameter-inefficient.

``build(config)`` returns a :class:`DiffTTS` with top-level children ``encoder``
and ``decoder``.
"""

from __future__ import annotations

from typing import Any, Mapping

from course_lib.models.diff_tts.config import DiffTTSConfig
from course_lib.models.diff_tts.model import (
    DiffTTS,
    DiffTTSLosses,
    SynthesisOutput,
    denormalize_mel,
    gamma_for_steps,
    normalize_mel,
    steps_for_gamma,
)

CONFIGS = {"paper": DiffTTSConfig.paper, "tiny": DiffTTSConfig.tiny}


def build(config: DiffTTSConfig | Mapping[str, Any]) -> DiffTTS:
    """A fresh model from a config (or the dict saved beside a checkpoint)."""
    return DiffTTS(DiffTTSConfig.of(config))


__all__ = ["CONFIGS", "DiffTTS", "DiffTTSConfig", "DiffTTSLosses", "SynthesisOutput", "build", "denormalize_mel",
           "gamma_for_steps", "normalize_mel", "steps_for_gamma"]
