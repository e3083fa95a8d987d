"""One way to drive every text-to-speech model of the course: options in, one result out.

Glow-TTS, Grad-TTS, Diff-TTS, VITS and the CVAE each implement :class:`Synthesizer`:

* ``knobs`` — the :class:`SynthesisOptions` fields the model takes; ``REFUSED`` — why it has none of the others;
* ``generate(tokens [T_text], options) -> SynthesisResult`` — one utterance, text → mel
  (and the wave, for a model that makes one);
* ``predicted_durations(tokens [T_text], options) -> [T_text]`` — frames per token from the
  duration predictor, before rounding;
* ``own_alignment(tokens [T_text], mel [80, T], wave [N] | None) -> [T_text] | None`` — frames per
  token found by the model's own alignment search on a recording (``None``: it has none).

A knob a model does not have is an error (:func:`check_options`), never silently ignored.
Evaluation, the command line and lesson 12 drive every model through these four names; each
model's own ``synthesize`` keeps its official arguments for the lesson that teaches it.

Glossary — one course name per knob, and what the official code calls it:

================  =====================  ======================================  =========================  =================
course            Glow-TTS               Grad-TTS                                Diff-TTS                   VITS
================  =====================  ======================================  =========================  =================
``noise_scale``   ``noise_scale``        ``1 / temperature`` (τ = 1.5 is 0.667)  —  (starts from N(0, I))   ``noise_scale``
``noise_scale_w`` —                      —                                       —                          ``noise_scale_w``
``length_scale``  ``length_scale``       ``length_scale``                        ``length_scale``           ``length_scale``
``n_steps``       —                      ``n_timesteps``                         network calls of the γ     —
                                                                                 walk (``gamma_for_steps``)
``seed``          (torch's global RNG)   (torch's global RNG)                    (torch's global RNG)       (torch's global RNG)
``speaker``       ``g`` / speaker id     ``spk``                                 —                          ``sid``
``pitch_shift``   —                      —                                       —                          (the course's: F0 × R,
                                                                                                            a VITS with an
                                                                                                            explicit F0 only)
================  =====================  ======================================  =========================  =================

``noise_scale`` is the standard deviation the prior sample is drawn with, relative to the
prior's own: Glow-TTS and VITS scale N(μ, σ²)'s noise by it; Grad-TTS's terminal distribution
is N(μ, τ⁻¹ I), so its ``temperature`` τ is the inverse (the official default τ = 1.5 is the same
0.667 as the others'). ``n_steps`` counts decoder network calls (reverse steps).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch

# why a model other than a VITS with an explicit F0 has no pitch_shift (its REFUSED)
NO_PITCH = "it has no explicit F0 (a VITS trained with VITSConfig.tiny_multi_f0 has one)"
KNOB_NAMES = ("noise_scale", "noise_scale_w", "length_scale", "n_steps", "seed", "speaker", "pitch_shift")


@dataclass(frozen=True)
class SynthesisOptions:
    """The knobs of synthesis, one name each across the course; ``None`` = the model's default."""

    noise_scale: float | None = None
    noise_scale_w: float | None = None
    length_scale: float | None = None
    n_steps: int | None = None
    seed: int | None = None
    speaker: int | None = None
    pitch_shift: float | None = None

    def given(self) -> dict[str, Any]:
        """``{knob: value}`` for the knobs that were set."""
        return {name: getattr(self, name) for name in KNOB_NAMES if getattr(self, name) is not None}


@dataclass(frozen=True)
class SynthesisResult:
    """One synthesized utterance.

    ``mel [80, T]`` (for a text → wave model, the course mel of its wave), ``durations [T_text]``
    frames per token, ``wave [N]`` or ``None`` for a model that needs a vocoder, and ``settings``:
    every knob the model used, with the value it used (defaults filled in).
    """

    mel: torch.Tensor
    durations: torch.Tensor
    wave: torch.Tensor | None = None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DiffusionSynthesis:
    """What a diffusion model's batch synthesis returns (Grad-TTS's and Diff-TTS's ``synthesize``): ``mel [B, F,
    T_mel]`` (zero beyond ``mel_lengths [B]``), ``durations [B, T_text]`` in frames and, when asked, the
    ``trajectory`` of mels after each reverse step (first = the noisy start) with the diffusion ``times``."""

    mel: torch.Tensor
    mel_lengths: torch.Tensor
    durations: torch.Tensor
    trajectory: list[torch.Tensor] = field(default_factory=list)
    times: list[float] = field(default_factory=list)


@runtime_checkable
class Synthesizer(Protocol):
    """The contract a course TTS model implements (the module docstring says what each name does); its label and
    whether it makes waves are its recipe's (:class:`course_lib.models.recipe.SynthCLI`)."""

    config: Any
    knobs: frozenset[str]
    REFUSED: dict[str, str]

    def generate(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> SynthesisResult: ...

    def predicted_durations(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> torch.Tensor: ...

    def own_alignment(self, tokens: torch.Tensor, mel: torch.Tensor,
                      wave: torch.Tensor | None = None) -> torch.Tensor | None: ...


def check_options(options: SynthesisOptions | None, knobs: frozenset[str], model: str,
                  why: dict[str, str] | None = None) -> SynthesisOptions:
    """``options`` (or the defaults) if every knob it sets is one of ``knobs``; else a ValueError naming it.

    ``why`` maps a refused knob to the reason the model has none (said in the message).
    """
    options = SynthesisOptions() if options is None else options
    if not isinstance(options, SynthesisOptions):
        raise TypeError(f"options must be a SynthesisOptions, got {type(options).__name__}")
    refused = sorted(set(options.given()) - set(knobs))
    if refused:
        reasons = "; ".join(f"{name}: {(why or {}).get(name, 'not one of its knobs')}" for name in refused)
        raise ValueError(f"{model} has no {', '.join(refused)} ({reasons}); it takes "
                         f"{', '.join(name for name in KNOB_NAMES if name in knobs)}")
    return options


def settings_for(options: SynthesisOptions, knobs: frozenset[str], **defaults: Any) -> dict[str, Any]:
    """The settings a result reports: each of ``knobs`` with its value from ``options``, else ``defaults``."""
    given = options.given()
    return {name: given.get(name, defaults.get(name)) for name in KNOB_NAMES if name in knobs}


def as_batch(tokens: torch.Tensor, token_lengths: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``tokens [T_text]`` or ``[B, T_text]`` as a batch, with ``token_lengths [B]`` (None: every row is whole)."""
    if tokens.dim() == 1:
        tokens = tokens[None]
    if token_lengths is None:
        token_lengths = torch.full((tokens.shape[0],), tokens.shape[1], dtype=torch.long, device=tokens.device)
    return tokens, token_lengths


@contextmanager
def evaluating(model: torch.nn.Module) -> Iterator[None]:
    """Eval mode (dropout off) and no gradients inside; the model's own mode restored after."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        model.train(was_training)


def seeded(seed: int | None) -> torch.Generator | None:
    """A CPU generator seeded with ``seed`` (results match across devices), or None for torch's global RNG."""
    return None if seed is None else torch.Generator().manual_seed(int(seed))
