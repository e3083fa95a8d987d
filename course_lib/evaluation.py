"""How good is a trained TTS model? Scores on held-out sentences whose truth is known.

The built-in corpus stores, for every utterance, the phonemes eSpeak spoke and how many
mel frames each lasted, so three things can be measured for any acoustic model:

* **alignment accuracy** — the share of mel frames where the model's own alignment
  (MAS on its likelihood: Glow-TTS, Grad-TTS) picks the phoneme that was really spoken;
* **duration error** — mean |predicted − true| frames per phoneme of the duration predictor;
* **MCD-DTW** — mel-cepstral distortion (dB) between a synthesized mel and the recording's,
  after dynamic time warping (the two have different lengths and timing).

MCD alone means little, so it is always reported beside two baselines from the same
sentences: the **untrained** model (the floor) and a **per-phoneme mean mel with true
durations** — every frame replaced by the average train-split frame of its phoneme, the
best a model without context could do. A model worth shipping beats both.

The cepstral distances themselves live in :mod:`course_lib.cepstrum`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import torch

from course_lib.cepstrum import mcd_dtw
from course_lib.models.contract import SynthesisOptions, SynthesisResult, check_options
from course_lib.text import intersperse

# ---------------------------------------------------------------------- alignment and durations
def alignment_accuracy(durations: torch.Tensor, true_durations: torch.Tensor, tolerance: int = 0) -> float:
    """Share of frames given to the right token by ``durations [T_text]`` vs ``true_durations [T_text]``.

    With ``tolerance`` k a frame also counts when its token is the true one of a frame at most
    k frames away: a boundary placed k frames early or late costs nothing (the true boundaries
    themselves are rounded to whole frames). The model's alignment may cover a few frames less
    than the recording (Glow-TTS trims the mel to a multiple of its squeeze factor); the frames
    it covers are scored.

    A token that was never spoken (true duration 0: the blanks VITS and Glow-TTS's ``add_blank``
    put between symbols) may still take frames in the model's alignment; such a frame counts as
    right when the true token there is its neighbour — the blank sits on that boundary.
    """
    durations, true_durations = torch.as_tensor(durations).long(), torch.as_tensor(true_durations).long()
    n_frames, n_true = int(durations.sum()), int(true_durations.sum())
    if not 0 < n_frames <= n_true:
        raise ValueError(f"the alignment covers {n_frames} frames, the recording {n_true}; "
                         "align the recording's own mel")
    if tolerance < 0:
        raise ValueError(f"tolerance is a number of frames ≥ 0, got {tolerance}")
    tokens = torch.arange(len(durations))
    model_tokens = torch.repeat_interleave(tokens, durations)
    true_tokens = torch.repeat_interleave(tokens, true_durations)
    padded = torch.cat([true_tokens[:1].repeat(tolerance), true_tokens, true_tokens[-1:].repeat(tolerance)])
    hit = torch.zeros(n_frames, dtype=torch.bool)
    for shift in range(2 * tolerance + 1):  # true token of frame f - tolerance + shift
        hit |= model_tokens == padded[shift: shift + n_frames]
    unspoken = true_durations[model_tokens] == 0
    hit |= unspoken & ((model_tokens - true_tokens[:n_frames]).abs() == 1)
    return float(hit.float().mean())


def duration_mae(predicted: torch.Tensor, true_durations: torch.Tensor) -> float:
    """Mean |predicted − true| frames per token (``[T_text]`` each; predictions may be fractional)."""
    return float((torch.as_tensor(predicted).float() - torch.as_tensor(true_durations).float()).abs().mean())


def model_item(item, model):
    """``item`` — tokens of the corpus's tokenizer (no blanks) — as ``model`` reads them.

    A model trained with ``add_blank`` (VITS; Glow-TTS's ``base_blank``) reads a blank between all
    symbols and at both ends, and never saw a sentence without them: without blanks it speaks
    about 0.6× too fast, every transition squeezed. Its item gets the blanks interspersed and its
    true durations 0 frames on each blank (a blank is not spoken). An item already in that layout,
    or a model without blanks, passes unchanged.
    """
    config = getattr(model, "config", None)
    if not getattr(config, "add_blank", False):
        return item
    blank = config.n_vocab - 1  # the course tokenizers append the blank to their symbols
    tokens = torch.as_tensor(item.tokens)
    if len(tokens) % 2 == 1 and bool((tokens[0::2] == blank).all()):
        return item
    durations = None if item.durations is None else torch.tensor(intersperse(item.durations.tolist(), 0))
    changes = {"tokens": torch.tensor(intersperse(tokens.tolist(), blank)), "durations": durations}
    if dataclasses.is_dataclass(item):
        return dataclasses.replace(item, **changes)
    return SimpleNamespace(**{**vars(item), **changes})


def teacher_forced_mel(model, item, seed: int = 0, n_steps: int | None = None) -> torch.Tensor:
    """``model``'s mel ``[80, T]`` of ``item`` spoken with the corpus's true durations: frame for frame in step
    with the recording, so whatever voices it can be scored against the recording itself (PESQ, pitch), and a
    vocoder can be fine-tuned on it. Glow-TTS, Grad-TTS, Diff-TTS (``n_steps`` calls; default: the 20-call walk
    the course speaks with) and the CVAE, each sampled with ``seed``."""
    from course_lib.models.cvae.model import ConditionalVae
    from course_lib.models.diff_tts.model import DiffTTS, gamma_for_steps
    from course_lib.models.glow_tts.model import GlowTTS
    from course_lib.models.grad_tts.model import GradTTS

    item = model_item(item, model)
    device = next(model.parameters()).device
    tokens = torch.as_tensor(item.tokens)[None].to(device)
    durations = torch.as_tensor(item.durations)[None].to(device)
    frames = int(durations.sum())
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        if isinstance(model, GlowTTS):
            out = model.infer(tokens, torch.tensor([tokens.shape[-1]], device=device), durations=durations,
                              generator=generator)
        elif isinstance(model, GradTTS):
            out = model.synthesize(tokens, n_steps=n_steps, seed=seed, durations=durations)
        elif isinstance(model, DiffTTS):
            gamma = gamma_for_steps(model.config.n_diffusion_steps, 20 if n_steps is None else n_steps)
            out = model.synthesize(tokens, gamma=gamma, seed=seed, durations=durations)
        elif isinstance(model, ConditionalVae):
            out = model.synthesize(tokens, durations=durations, generator=generator)
        else:
            raise TypeError(f"{type(model).__name__} makes no mel from given durations (Glow-TTS, Grad-TTS, "
                            "Diff-TTS and the CVAE do)")
    return out.mel[0, :, :frames].float().cpu()


def fold_blanks(durations: torch.Tensor) -> torch.Tensor:
    """Frames per token ``[2N + 1]`` of a blank-interspersed sequence → frames per symbol ``[N]``.

    Each blank's frames are shared half and half by the symbols on either side (the first and
    last blanks go whole to the first and last symbol), so the total is kept and the durations
    compare with a model that has no blanks.
    """
    durations = torch.as_tensor(durations).float()
    if durations.numel() % 2 != 1 or durations.numel() < 3:
        raise ValueError(f"a blank-interspersed sequence has 2N + 1 ≥ 3 tokens, got {durations.numel()}")
    blanks, symbols = durations[0::2], durations[1::2]
    folded = symbols + 0.5 * (blanks[:-1] + blanks[1:])
    folded[0] += 0.5 * blanks[0]
    folded[-1] += 0.5 * blanks[-1]
    return folded


class PhonemeMeanMel:
    """The context-free baseline: each token's mean log-mel frame over a training set.

    ``items``: objects with ``tokens [T_text]``, ``mel [80, T_mel]`` and true ``durations
    [T_text]`` (e.g. a :class:`course_lib.data.TextMelDataset` of the train split).
    """

    def __init__(self, items, n_vocab: int, n_mels: int = 80) -> None:
        sums, counts = torch.zeros(n_vocab, n_mels), torch.zeros(n_vocab)
        for item in items:
            frame_tokens = torch.repeat_interleave(item.tokens, item.durations)
            sums.index_add_(0, frame_tokens, item.mel.T.float())
            counts.index_add_(0, frame_tokens, torch.ones(len(frame_tokens)))
        self.means = sums / counts.clamp_min(1).unsqueeze(1)                  # [V, 80]

    def __call__(self, tokens: torch.Tensor, durations: torch.Tensor) -> torch.Tensor:
        """``[80, Σ durations]``: every token's mean frame repeated for its duration."""
        return self.means[torch.repeat_interleave(tokens, durations)].T


# ---------------------------------------------------------------------- models behind one interface
NAMES = {"GlowTTS": "Glow-TTS", "GradTTS": "Grad-TTS", "DiffTTS": "Diff-TTS", "VITS": "VITS"}


@dataclass(frozen=True)
class Scorer:
    """One model at one setting, driven through the course contract (``course_lib.models.contract``):
    ``generate`` for the mel (for VITS, the mel of its wave), ``predicted_durations``, ``own_alignment``.

    ``synthesize(item, seed) -> SynthesisResult``, ``predict_durations(item) -> [T_text]`` frames
    before rounding, ``align(item) -> [T_text]`` frames or None (a model without its own alignment).
    Items carry ``tokens [T_text]``, ``mel [80, T]``, true ``durations``, and ``speaker`` / ``wave [N]``
    where the model needs them. ``prepare(item)`` gives the item as the model reads it (see
    :func:`model_item`); the three callables receive prepared items.
    """

    name: str
    synthesize: Callable[[object, int], SynthesisResult]
    predict_durations: Callable[[object], torch.Tensor]
    align: Callable[[object], torch.Tensor | None]
    prepare: Callable[[object], object] = lambda item: item


def scorer_for(model, name: str | None = None, options: SynthesisOptions | None = None) -> Scorer:
    """A :class:`Scorer` for any course TTS model at ``options`` (its defaults if None).

    The seed of each synthesis is the scorer's; an item's speaker is used by a multi-speaker model.
    A knob the model does not have is refused here, before any sentence is scored.
    """
    if not all(hasattr(model, attr) for attr in ("knobs", "generate", "predicted_durations", "own_alignment")):
        raise TypeError(f"no scorer for {type(model).__name__}: expected a course TTS model (Glow-TTS, Grad-TTS, "
                        "Diff-TTS or VITS: see course_lib.models.contract)")
    label = NAMES.get(type(model).__name__, type(model).__name__)
    options = check_options(options, model.knobs, label, model.REFUSED)
    settings = ", ".join(f"{k} {v}" for k, v in options.given().items())

    def for_item(item, seed=None) -> SynthesisOptions:
        speaker = getattr(item, "speaker", None) if "speaker" in model.knobs else None
        return dataclasses.replace(options, seed=seed if seed is not None else options.seed, speaker=speaker)

    def align(item):
        speaker = getattr(item, "speaker", None) if "speaker" in model.knobs else None
        return model.own_alignment(item.tokens, item.mel, getattr(item, "wave", None), speaker)

    return Scorer(name or (f"{label} ({settings})" if settings else label),
                  lambda item, seed: model.generate(item.tokens, for_item(item, seed)),
                  lambda item: model.predicted_durations(item.tokens, for_item(item)), align,
                  lambda item: model_item(item, model))


# ---------------------------------------------------------------------- the whole test
@dataclass(frozen=True)
class TTSScores:
    """Means over the test items. The alignment accuracies (exact, and within ±1 frame) are None
    for models without an aligner."""

    name: str
    n_items: int
    mcd: float
    duration_mae: float
    alignment_accuracy: float | None
    alignment_accuracy_1: float | None = None

    def describe(self) -> str:
        accuracy = "" if self.alignment_accuracy is None else (
            f"alignment accuracy {self.alignment_accuracy:.1%} (±1 frame: {self.alignment_accuracy_1:.1%}), ")
        return (f"{self.name}: {accuracy}duration MAE {self.duration_mae:.2f} frames, "
                f"MCD-DTW {self.mcd:.2f} dB (n={self.n_items})")


@torch.no_grad()
def score(scorer: Scorer, items: Sequence, seed: int = 0) -> TTSScores:
    """Score one model on test ``items`` (``tokens``, ``mel``, true ``durations``).

    Duration error is per symbol for every model (a blank model's blanks folded into their
    neighbours, :func:`fold_blanks`); alignment accuracy is over the model's own tokens."""
    mcds, maes, accuracies, accuracies_1 = [], [], [], []
    for item in items:
        model_input = scorer.prepare(item)
        mcds.append(mcd_dtw(scorer.synthesize(model_input, seed).mel.float().cpu(), item.mel))
        predicted = scorer.predict_durations(model_input).cpu()
        if len(model_input.tokens) != len(item.tokens):  # blanks were added
            predicted = fold_blanks(predicted)
        maes.append(duration_mae(predicted, item.durations))
        found = scorer.align(model_input)
        if found is not None:
            found = found.cpu()
            accuracies.append(alignment_accuracy(found, model_input.durations))
            accuracies_1.append(alignment_accuracy(found, model_input.durations, tolerance=1))
    return TTSScores(scorer.name, len(items), float(np.mean(mcds)), float(np.mean(maes)),
                     float(np.mean(accuracies)) if accuracies else None,
                     float(np.mean(accuracies_1)) if accuracies_1 else None)


@torch.no_grad()
def baseline_mcd(baseline: PhonemeMeanMel, items: Sequence) -> float:
    """Mean MCD-DTW of the per-phoneme mean mel (true durations) against the recordings."""
    return float(np.mean([mcd_dtw(baseline(item.tokens, item.durations), item.mel) for item in items]))


# ---------------------------------------------------------------------- pitch
def cents(f0: np.ndarray | float, reference: np.ndarray | float) -> np.ndarray | float:
    """``1200 · log2(f0 / reference)``: how far a pitch is from another, in hundredths of a semitone."""
    return 1200.0 * np.log2(np.asarray(f0, dtype=np.float64) / np.asarray(reference, dtype=np.float64))


@dataclass(frozen=True)
class PitchComparison:
    """One synthesized utterance against its recording, both tracked by :func:`course_lib.pitch.track_f0`:
    ``f0`` and ``reference_f0`` ``[T]`` (Hz, 0 = unvoiced), and ``rmse_cents`` over the frames voiced in both after
    DTW on the mels (NaN if there are none), ``voiced_pairs`` of them."""

    f0: np.ndarray
    reference_f0: np.ndarray
    rmse_cents: float
    voiced_pairs: int


def compare_pitch(wave: torch.Tensor, reference_wave: torch.Tensor) -> PitchComparison:
    """The pitch of a synthesized wave ``[N]`` against the recording of the same sentence ``[N_ref]`` (22,050 Hz):
    their frames lined up by DTW on the mels (:func:`course_lib.cepstrum.dtw_frame_pairs`)."""
    from course_lib.audio import mel_spectrogram
    from course_lib.cepstrum import dtw_frame_pairs
    from course_lib.pitch import track_f0

    wave, reference_wave = wave.detach().float().cpu(), reference_wave.detach().float().cpu()
    f0, reference_f0 = track_f0(wave.numpy()), track_f0(reference_wave.numpy())
    rows, cols = dtw_frame_pairs(mel_spectrogram(wave)[:, : f0.size], mel_spectrogram(reference_wave)[:, : reference_f0.size])
    paired, reference = f0[rows], reference_f0[cols]
    both = (paired > 0) & (reference > 0)
    rmse = float(np.sqrt(np.mean(cents(paired[both], reference[both]) ** 2))) if both.any() else float("nan")
    return PitchComparison(f0=f0, reference_f0=reference_f0, rmse_cents=rmse, voiced_pairs=int(both.sum()))


def median_voiced_f0(tracks: Sequence[np.ndarray]) -> float:
    """The median F0 (Hz) over the voiced frames of several tracks together (NaN if none is voiced)."""
    voiced = np.concatenate([np.asarray(track)[np.asarray(track) > 0] for track in tracks] or [np.zeros(0)])
    return float(np.median(voiced)) if voiced.size else float("nan")
