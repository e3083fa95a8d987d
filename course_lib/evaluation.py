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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from course_lib.cepstrum import mcd_dtw

# ---------------------------------------------------------------------- alignment and durations
def alignment_accuracy(durations: torch.Tensor, true_durations: torch.Tensor, tolerance: int = 0) -> float:
    """Share of frames given to the right token by ``durations [T_text]`` vs ``true_durations [T_text]``.

    With ``tolerance`` k a frame also counts when its token is the true one of a frame at most
    k frames away: a boundary placed k frames early or late costs nothing (the true boundaries
    themselves are rounded to whole frames). The model's alignment may cover a few frames less
    than the recording (Glow-TTS trims the mel to a multiple of its squeeze factor); the frames
    it covers are scored.
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
    return float(hit.float().mean())


def duration_mae(predicted: torch.Tensor, true_durations: torch.Tensor) -> float:
    """Mean |predicted − true| frames per token (``[T_text]`` each; predictions may be fractional)."""
    return float((torch.as_tensor(predicted).float() - torch.as_tensor(true_durations).float()).abs().mean())


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
@dataclass(frozen=True)
class Scorer:
    """What scoring needs from a model, per test item (``tokens [T_text]``, ``mel [80, T]``, ``speaker``,
    and ``wave [N]`` for a model that reads the recording itself):

    * ``synthesize(item, seed) -> mel [80, T']`` (for a text → wave model: the mel of its wave)
    * ``predict_durations(item) -> [T_text]`` frames (before rounding)
    * ``align(item) -> [T_text]`` frames, or ``None`` for a model without its own alignment
    * ``needs_wave``: whether the items must carry their waves (``TextMelDataset(return_wave=True)``)
    """

    name: str
    synthesize: Callable[[object, int], torch.Tensor]
    predict_durations: Callable[[object], torch.Tensor]
    align: Callable[[object], torch.Tensor] | None = None
    needs_wave: bool = False


def scorer_for(model, name: str | None = None, **synthesis) -> Scorer:
    """A :class:`Scorer` for a Glow-TTS, Grad-TTS, Diff-TTS or VITS model (put in eval mode).

    ``synthesis`` goes to the model's sampler: ``noise_scale`` (Glow-TTS), ``n_steps`` and
    ``temperature`` (Grad-TTS), ``gamma`` (Diff-TTS), ``noise_scale`` and ``noise_scale_w`` (VITS).
    """
    from course_lib.models.diff_tts import DiffTTS
    from course_lib.models.glow_tts import GlowTTS
    from course_lib.models.grad_tts import GradTTS
    from course_lib.models.vits import VITS

    model.eval()
    one = torch.tensor([1])

    def lengths(x: torch.Tensor) -> torch.Tensor:
        return one * x.shape[-1]

    if isinstance(model, GlowTTS):
        noise_scale = synthesis.get("noise_scale", model.config.noise_scale)

        def synthesize(item, seed):
            out = model.infer(item.tokens[None], lengths(item.tokens), noise_scale=noise_scale,
                              generator=torch.Generator().manual_seed(seed))
            return out.mel[0, :, : int(out.mel_lengths[0])]

        def align(item):
            return model(item.tokens[None], lengths(item.tokens), item.mel[None], lengths(item.mel)).alignment[0].sum(-1)

        return Scorer(name or f"Glow-TTS (noise {noise_scale})", synthesize,
                      lambda item: model.encoder(item.tokens[None], lengths(item.tokens)).log_duration[0, 0].exp(),
                      align)
    if isinstance(model, GradTTS):
        n_steps = synthesis.get("n_steps", model.config.n_steps)
        temperature = synthesis.get("temperature", model.config.temperature)

        def synthesize(item, seed):
            out = model.synthesize(item.tokens, n_steps=n_steps, temperature=temperature, seed=seed)
            return out.mel[0, :, : int(out.mel_lengths[0])]

        return Scorer(name or f"Grad-TTS ({n_steps} steps, τ {temperature})", synthesize,
                      lambda item: model.encoder(item.tokens[None], lengths(item.tokens)).log_duration[0, 0].exp(),
                      lambda item: model(item.tokens[None], lengths(item.tokens), item.mel[None],
                                         lengths(item.mel)).durations[0])
    if isinstance(model, DiffTTS):
        gamma = synthesis.get("gamma", model.config.gamma)

        def synthesize(item, seed):
            out = model.synthesize(item.tokens, gamma=gamma, seed=seed)
            return out.mel[0, :, : int(out.mel_lengths[0])]

        return Scorer(name or f"Diff-TTS (γ {gamma})", synthesize,
                      lambda item: model.encoder(item.tokens[None], lengths(item.tokens))[1][0, 0].exp())
    if isinstance(model, VITS):
        return _vits_scorer(model, name, synthesis)
    raise TypeError(f"no scorer for {type(model).__name__}: expected GlowTTS, GradTTS, DiffTTS or VITS")


def _vits_scorer(model, name: str | None, synthesis: dict) -> Scorer:
    """VITS speaks waves: its MCD is on the mel of its wave; its alignment is MAS on the flow-mapped posterior
    of the recording's linear spectrogram; its durations come from the stochastic predictor at ``noise_scale_w``."""
    from course_lib.audio import linear_spectrogram, mel_spectrogram

    noise_scale = synthesis.get("noise_scale", model.config.noise_scale)
    noise_scale_w = synthesis.get("noise_scale_w", model.config.noise_scale_w)

    def speaker(item):
        return item.speaker if model.config.speaker_conditioned else None

    def synthesize(item, seed):
        wave = model.synthesize(item.tokens, noise_scale=noise_scale, noise_scale_w=noise_scale_w, seed=seed,
                                speaker=speaker(item))
        return mel_spectrogram(wave)

    def predict_durations(item):
        prior = model.text_encoder(item.tokens[None], torch.tensor([item.tokens.shape[-1]]))
        log_durations = model.duration_predictor.sample_log_durations(
            prior.hidden, prior.mask, model._speaker_cond(speaker(item), 1), noise_scale_w,
            torch.Generator().manual_seed(0))
        return log_durations[0, 0].exp()

    def align(item):
        spec = linear_spectrogram(item.wave)[None]                                  # [1, 513, T]
        speakers = None if speaker(item) is None else torch.tensor([item.speaker])
        out = model(item.tokens[None], torch.tensor([item.tokens.shape[-1]]), spec, torch.tensor([spec.shape[-1]]),
                    speakers)
        return out.durations[0, 0]

    return Scorer(name or f"VITS (noise {noise_scale}, duration noise {noise_scale_w})", synthesize,
                  predict_durations, align, needs_wave=True)


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
    """Score one model on test ``items`` (``tokens``, ``mel``, true ``durations``)."""
    mcds, maes, accuracies, accuracies_1 = [], [], [], []
    for item in items:
        mcds.append(mcd_dtw(scorer.synthesize(item, seed).float().cpu(), item.mel))
        maes.append(duration_mae(scorer.predict_durations(item).cpu(), item.durations))
        if scorer.align is not None:
            found = scorer.align(item).cpu()
            accuracies.append(alignment_accuracy(found, item.durations))
            accuracies_1.append(alignment_accuracy(found, item.durations, tolerance=1))
    return TTSScores(scorer.name, len(items), float(np.mean(mcds)), float(np.mean(maes)),
                     float(np.mean(accuracies)) if accuracies else None,
                     float(np.mean(accuracies_1)) if accuracies_1 else None)


@torch.no_grad()
def baseline_mcd(baseline: PhonemeMeanMel, items: Sequence) -> float:
    """Mean MCD-DTW of the per-phoneme mean mel (true durations) against the recordings."""
    return float(np.mean([mcd_dtw(baseline(item.tokens, item.durations), item.mel) for item in items]))
