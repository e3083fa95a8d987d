"""Checks for lesson 08 (Glow-TTS): the maximum-likelihood loss with its log-determinant.

The exercise: ``mle_loss(z, prior_mean, prior_log_std, log_det, mask) -> scalar``,
the negative log-likelihood of the mel in nats per real mel value, through the
change of variables::

    −log p(x) = −Σ log N(z; μ, σ) − log|det ∂z/∂x|,   divided by the number of real values

``z``, ``prior_*`` are ``[B, C, T]``, ``log_det [B]`` (the whole flow's, per
utterance), ``mask [B, 1, T]``. The check compares with
:func:`course_lib.models.glow_tts.model.mle_loss` on a padded batch whose
padding holds garbage, and names the usual slips.
"""

from __future__ import annotations

import math

import torch

from course_lib.checks import attempt, diagnose, report_close
from course_lib.models.glow_tts.model import mle_loss
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
