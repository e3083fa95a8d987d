"""Checks for lesson 08 (Glow-TTS): the maximum-likelihood loss with its log-determinant, and the training
loss built from the model's parts.

The MLE exercise: ``mle_loss(z, prior_mean, prior_log_std, log_det, mask) -> scalar``,
the negative log-likelihood of the mel in nats per real mel value, through the
change of variables::

    −log p(x) = −Σ log N(z; μ, σ) − log|det ∂z/∂x|,   divided by the number of real values

``z``, ``prior_*`` are ``[B, C, T]``, ``log_det [B]`` (the whole flow's, per
utterance), ``mask [B, 1, T]``. The check compares with
:func:`course_lib.models.glow_tts.model.mle_loss` on a padded batch whose
padding holds garbage, and names the usual slips.

The build exercise: ``glow_tts_loss(model, batch) -> scalar``, the MLE plus the duration loss,
assembled from the model's submodules (encoder → flow → MAS → expanded prior → loss). The check
runs it and ``model(...)`` on one batch and asserts the two losses are equal; nothing is drawn at
random in Glow-TTS's training pass, so no seed is needed, only dropout off.
"""

from __future__ import annotations

import math

import torch

from course_lib.alignment import expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search
from course_lib.checks import attempt, diagnose, report_close
from course_lib.checks.build import awake, compare_losses, learner_loss
from course_lib.models.contract import evaluating
from course_lib.models.glow_tts import build
from course_lib.models.glow_tts.model import mle_loss
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask


def solution_mle_loss(z, prior_mean, prior_log_std, log_det, mask):
    """Glow-TTS's MLE term: nats per real mel value (the flow's log-det counts once per utterance)."""
    log_gaussian = -(prior_log_std + 0.5 * math.log(2 * math.pi)
                     + 0.5 * torch.exp(-2 * prior_log_std) * (z - prior_mean) ** 2)  # [B, C, T]
    log_likelihood = (log_gaussian * mask).sum() + log_det.sum()  # change of variables: + log|det J|
    n_values = mask.sum() * z.shape[1]  # real frames × channels
    return -log_likelihood / n_values


def _inputs():
    generator = torch.Generator().manual_seed(808)
    z, prior_mean = torch.randn(2, 2, 6, 9, generator=generator)
    prior_log_std = 0.3 * torch.randn(2, 6, 9, generator=generator)
    log_det = torch.tensor([14.0, -3.0])
    mask = sequence_mask(torch.tensor([9, 6]), 9)  # the second utterance has 3 padding frames
    z = z.masked_fill(mask.expand_as(z) == 0, 5.0)  # garbage in the padding, as after a convolution
    return z, prior_mean, prior_log_std, log_det, mask


def check_mle_loss(fn) -> bool:
    """``fn(z, prior_mean, prior_log_std, log_det, mask) -> scalar`` nats per real mel value."""
    z, prior_mean, prior_log_std, log_det, mask = _inputs()
    got = attempt("Glow-TTS MLE loss", fn, z, prior_mean, prior_log_std, log_det, mask)
    if got is None:
        return False
    expected = mle_loss(z, prior_mean, prior_log_std, log_det, mask)
    n_real = mask.sum() * z.shape[1]
    log_gaussian = -(prior_log_std + 0.5 * math.log(2 * math.pi)
                     + 0.5 * torch.exp(-2 * prior_log_std) * (z - prior_mean) ** 2)
    masked = (log_gaussian * mask).sum()
    hint = diagnose(got, {
        "Hint: the log-det is missing. z = f(x) is not the data: the change of variables adds log|det ∂z/∂x| "
        "to log N(z) (lesson 04).": -masked / n_real,
        "Hint: the log-det has the wrong sign. log p(x) = log N(z) + log|det J|, so the *loss* (−log p) "
        "subtracts it — a flow that expands space makes x more likely.": -(masked - log_det.sum()) / n_real,
        "Hint: average over real values only — the padding frames of the second utterance hold garbage. "
        "Multiply by the mask and divide by mask.sum() × channels.":
            -((log_gaussian.sum() + log_det.sum()) / z.numel()),
        "Hint: the mask covers the padding, but divide by the number of *real* values (mask.sum() × channels), "
        "not by z.numel().": -(masked + log_det.sum()) / z.numel(),
        "Hint: divide by frames × channels: the loss is per mel *value*, and mask.sum() counts frames only.":
            -(masked + log_det.sum()) / mask.sum(),
        "Hint: the Gaussian's constant ½·log 2π is missing (it makes the number a true NLL, comparable "
        "across models).": expected - 0.5 * math.log(2 * math.pi),
        "Hint: log N(z; μ, σ) includes −log σ per value; σ is exp(prior_log_std), not 1 here.":
            -((masked + (prior_log_std * mask).sum()) + log_det.sum()) / n_real,
        "Hint: the log-det is per utterance; add it once per utterance (log_det.sum()), not once per frame.":
            -(masked + (log_det[:, None] * mask[:, 0]).sum()) / n_real,
    }, "Hint: −[Σ_real log N(z; μ, σ) + Σ_utterances log_det] / (real frames × channels).")
    report_close("Glow-TTS MLE loss", got, expected, hint=hint)
    return True


# ------------------------------------------------------------------ build it: the training loss
def solution_glow_tts_loss(model, batch):
    """Glow-TTS's training loss from its parts: MLE (prior log-likelihood + log-det) + duration MSE.

    ``batch``: tokens [B, T_text], token_lengths [B], mels [B, 80, T_mel] (log-mel), mel_lengths [B].
    """
    squeeze = model.config.n_squeeze  # the paper's flow pairs frames: drop an odd last frame (tiny: 1, no-op)
    mel_lengths = torch.div(batch.mel_lengths, squeeze, rounding_mode="floor") * squeeze
    mels = batch.mels[:, :, : batch.mels.shape[-1] // squeeze * squeeze]
    enc = model.encoder(batch.tokens, batch.token_lengths)  # μ, log σ [B, 80, T_text]; log d, mask [B, 1, T_text]
    mel_mask = sequence_mask(mel_lengths, mels.shape[-1]).to(mels.dtype)  # [B, 1, T_mel]
    flow = model.decoder(mels, mel_mask)  # z = f(x) [B, 80, T_mel], log|det ∂z/∂x| [B]
    with torch.no_grad():  # the search picks a path; no gradient flows through it
        log_likelihood = gaussian_log_likelihood_matrix(flow.z, enc.prior_mean, enc.prior_log_std)  # [B, T_text, T_mel]
        alignment = monotonic_alignment_search(log_likelihood, enc.mask, mel_mask)  # 0/1 [B, T_text, T_mel]
    mle = mle_loss(flow.z, expand_to_frames(enc.prior_mean, alignment),  # priors per frame [B, 80, T_mel]
                   expand_to_frames(enc.prior_log_std, alignment), flow.log_det, mel_mask)
    durations = alignment.sum(-1).unsqueeze(1)  # frames per token [B, 1, T_text]
    return mle + duration_loss(enc.log_duration, log_duration_target(durations, enc.mask), enc.mask)


def _slipped_glow_tts_loss(model, batch, *, log_det_sign=1.0, mas_on_mel=False, log_durations=True,
                           mel_mask=True, with_duration=True):
    """:func:`solution_glow_tts_loss` with one known slip switched on, to name it in a hint."""
    squeeze = model.config.n_squeeze
    mel_lengths = torch.div(batch.mel_lengths, squeeze, rounding_mode="floor") * squeeze
    mels = batch.mels[:, :, : batch.mels.shape[-1] // squeeze * squeeze]
    enc = model.encoder(batch.tokens, batch.token_lengths)
    mask = sequence_mask(mel_lengths, mels.shape[-1]).to(mels.dtype) if mel_mask else torch.ones_like(mels[:, :1])
    flow = model.decoder(mels, mask)
    searched = mels if mas_on_mel else flow.z
    with torch.no_grad():
        alignment = monotonic_alignment_search(
            gaussian_log_likelihood_matrix(searched, enc.prior_mean, enc.prior_log_std), enc.mask, mask)
    mle = mle_loss(flow.z, expand_to_frames(enc.prior_mean, alignment), expand_to_frames(enc.prior_log_std, alignment),
                   log_det_sign * flow.log_det, mask)
    durations = alignment.sum(-1).unsqueeze(1)
    target = log_duration_target(durations, enc.mask) if log_durations else durations * enc.mask
    return mle + duration_loss(enc.log_duration, target, enc.mask) if with_duration else mle


GLOW_TTS_SLIPS = {
    "the log-det is missing: the flow's log|det ∂z/∂x| (`.log_det` of the decoder's output) enters the "
    "likelihood of the mel — pass it to mle_loss.": {"log_det_sign": 0.0},
    "the log-det has the wrong sign: −log p(x) = −log N(z; μ, σ) − log|det ∂z/∂x|; mle_loss takes the log-det "
    "as the flow gives it.": {"log_det_sign": -1.0},
    "MAS searches the latents: the likelihood matrix is of z = f(x), the decoder's output, against the "
    "per-token priors — not of the mel itself.": {"mas_on_mel": True},
    "the duration predictor learns log-durations: turn the frames per token into its target with "
    "log_duration_target(durations, text mask).": {"log_durations": False},
    "the frame mask comes from mel_lengths (sequence_mask): the short sentence's padding frames must not "
    "enter the flow's log-det, the alignment or the average.": {"mel_mask": False},
    "add the duration loss: training minimises MLE + duration MSE (`model.losses(...).total`).":
        {"with_duration": False},
}


def check_glow_tts_loss(fn, config, batch) -> bool:
    """``fn(model, batch) -> scalar`` equals ``GlowTTS.losses(model(...)).total`` on ``batch``.

    ``config``: a :class:`GlowTTSConfig`, e.g. ``tiny()`` with the corpus's vocabulary; the model is
    built from it, seeded, with its zero-initialised coupling outputs woken up (:func:`awake`: a fresh
    flow's couplings are the identity, which would hide a slip in what they read), its ActNorms
    initialised from ``batch`` as training does, in eval mode (dropout off: nothing else is random).
    """
    name = "Glow-TTS training loss"
    torch.manual_seed(0)
    model = awake(build(config))
    with evaluating(model):
        model.data_dependent_init(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths)
        got = learner_loss(name, lambda model, batch, _generator: fn(model, batch), model, batch, seed=0)
        if got is None:
            return False
        expected = model.losses(model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths)).total
        compare_losses(name, got, expected, lambda **flags: _slipped_glow_tts_loss(model, batch, **flags),
                       GLOW_TTS_SLIPS, "follow the steps of the markdown in order; compare your intermediate "
                       "shapes with the ones it gives.")
    return True
