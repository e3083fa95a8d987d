"""Checks for lesson 11 (VITS): the KL term, and the prior log-likelihood matrix MAS reads.

Exercise 2 (section 6): ``kl_term(z_p, posterior_log_std, prior_mean, prior_log_std, mask) -> scalar``, VITS'
single-sample KL in nats per real **frame**::

    Σ_real [ log σ_p − log σ_q − ½ + ½ (z_p − μ_p)² e^{−2 log σ_p} ] / (number of real frames)

checked against :func:`course_lib.models.vits.losses.kl_divergence` on a padded batch whose
padding holds garbage.

Exercise 1 (section 5): ``prior_log_likelihood(z_p, prior_mean, prior_log_std) -> [B, T_text, T_frames]``,
``log N(z_p[:, :, j]; μ_p[:, :, i], σ_p[:, :, i])`` summed over channels — the matrix MAS searches —
checked against :func:`course_lib.alignment.gaussian_log_likelihood_matrix`, and MAS on it
against MAS on the library's.
"""

from __future__ import annotations

import math

import torch

from course_lib.alignment import gaussian_log_likelihood_matrix, monotonic_alignment_search
from course_lib.checks import ExerciseError, attempt, diagnose, report_close
from course_lib.models.vits.losses import kl_divergence
from course_lib.nn.masks import sequence_mask

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


# ------------------------------------------------------------------------------------------ exercise 2: KL
def solution_kl_term(z_p, posterior_log_std, prior_mean, prior_log_std, mask):
    """VITS' KL: the posterior's exact entropy, the prior's single-sample cross-entropy, per real frame."""
    per_value = (prior_log_std - posterior_log_std - 0.5
                 + 0.5 * (z_p - prior_mean) ** 2 * torch.exp(-2.0 * prior_log_std))  # [B, C, T]
    return (per_value * mask).sum() / mask.sum()  # mask.sum() counts real frames, not frames × channels


def _kl_inputs():
    generator = torch.Generator().manual_seed(1111)
    z_p, prior_mean = torch.randn(2, 2, 6, 10, generator=generator)
    posterior_log_std, prior_log_std = 0.4 * torch.randn(2, 2, 6, 10, generator=generator)
    mask = sequence_mask(torch.tensor([10, 7]), 10)  # the second utterance has 3 padding frames
    pad = mask.expand_as(z_p) == 0
    z_p = z_p.masked_fill(pad, 4.0)  # garbage in the padding, as after a convolution
    prior_log_std = prior_log_std.masked_fill(pad, -1.0)
    return z_p, posterior_log_std, prior_mean, prior_log_std, mask


def check_kl_term(fn) -> bool:
    """``fn(z_p, posterior_log_std, prior_mean, prior_log_std, mask) -> scalar`` nats per real frame."""
    args = _kl_inputs()
    z_p, log_q, mean, log_p, mask = args
    got = attempt("VITS KL term", fn, *args)
    if got is None:
        return False
    expected = kl_divergence(*args)
    square = 0.5 * (z_p - mean) ** 2 * torch.exp(-2.0 * log_p)
    frames, values = mask.sum(), mask.sum() * z_p.shape[1]

    def per_frame(per_value, masked=True, by=frames):
        return ((per_value * mask).sum() if masked else per_value.sum()) / by

    hint = diagnose(got, {
        "Hint: the sign is flipped — the KL is log q − log p, so it is log σ_p − log σ_q − ½ + ½(z_p − μ_p)²/σ_p²; "
        "you computed log p − log q.": -expected,
        "Hint: log σ_p − log σ_q, not log σ_q − log σ_p: a wider prior costs nats (−log p grows with log σ_p), "
        "a wider posterior saves them (its entropy grows with log σ_q).":
            per_frame(log_q - log_p - 0.5 + square),
        "Hint: the padding frames hold garbage — multiply by the mask before summing, and divide by mask.sum().":
            per_frame(log_p - log_q - 0.5 + square, masked=False),
        "Hint: the mask is applied, but divide by the number of real frames (mask.sum()), not by every frame "
        "of the padded batch.": per_frame(log_p - log_q - 0.5 + square, by=torch.tensor(float(mask.shape[0] * mask.shape[-1]))),
        "Hint: VITS divides by real frames (mask.sum()), not by frames × channels: the KL is nats per frame.":
            per_frame(log_p - log_q - 0.5 + square, by=values),
        "Hint: the square term needs its ½: −log N(z_p; μ_p, σ_p) contains ½ (z_p − μ_p)²/σ_p².":
            per_frame(log_p - log_q - 0.5 + 2 * square),
        "Hint: the −½ is missing. It is the posterior's part: E[−½ ε²] = −½, so log q(z|x) = −log σ_q − ½ − ½ log 2π "
        "(the ½ log 2π cancels against the prior's).": per_frame(log_p - log_q + square),
        "Hint: the log-std terms are missing: log σ_p − log σ_q comes from the two Gaussians' normalisers "
        "(−log σ each).": per_frame(-0.5 + square),
        "Hint: the posterior's log σ_q is missing — its entropy −E[log q] = log σ_q + ½ + ½ log 2π.":
            per_frame(log_p - 0.5 + square),
        "Hint: the prior's log σ_p is missing — −log N(z_p; μ_p, σ_p) includes + log σ_p.":
            per_frame(-log_q - 0.5 + square),
        "Hint: divide the squared distance by σ_p² = exp(2·log σ_p), not σ_p = exp(log σ_p).":
            per_frame(log_p - log_q - 0.5 + 0.5 * (z_p - mean) ** 2 * torch.exp(-log_p)),
    }, "Hint: Σ_real [log σ_p − log σ_q − ½ + ½ (z_p − μ_p)² exp(−2 log σ_p)] / mask.sum().")
    report_close("VITS KL term", got, expected, hint=hint)
    return True


# --------------------------------------------------------------------- exercise 1: the matrix MAS searches
def solution_prior_log_likelihood(z_p, prior_mean, prior_log_std):
    """``log N(z_p[:, :, j]; μ[:, :, i], σ[:, :, i])`` summed over channels → ``[B, T_text, T_frames]``."""
    z = z_p[:, :, None, :]                                 # [B, C, 1, T_frames]
    mean, log_std = prior_mean[..., None], prior_log_std[..., None]  # [B, C, T_text, 1]
    log_n = -HALF_LOG_2PI - log_std - 0.5 * (z - mean) ** 2 * torch.exp(-2.0 * log_std)  # [B, C, T_text, T_frames]
    return log_n.sum(dim=1)


def _ll_inputs():
    generator = torch.Generator().manual_seed(2222)
    z_p = torch.randn(2, 4, 12, generator=generator)
    prior_mean = 1.5 * torch.randn(2, 4, 5, generator=generator)
    prior_log_std = 0.3 * torch.randn(2, 4, 5, generator=generator)
    return z_p, prior_mean, prior_log_std


def check_prior_log_likelihood(fn) -> bool:
    """``fn(z_p [B, C, T_frames], prior_mean, prior_log_std [B, C, T_text]) -> [B, T_text, T_frames]``."""
    z_p, mean, log_std = _ll_inputs()
    name = "prior log-likelihood matrix"
    got = attempt(name, fn, z_p, mean, log_std)
    if got is None:
        return False
    expected = gaussian_log_likelihood_matrix(z_p, mean, log_std)
    got_t = torch.as_tensor(got)
    b, t_text, t_frames = expected.shape
    if got_t.shape == (b, t_frames, t_text):
        raise ExerciseError(f"{name}: shape {tuple(got_t.shape)} is [B, T_frames, T_text]; MAS wants "
                            f"[B, T_text, T_frames] = {tuple(expected.shape)} (one row per token). Transpose it.")
    if got_t.dim() == 4:
        raise ExerciseError(f"{name}: shape {tuple(got_t.shape)} still has the channel axis; the frame's "
                            "likelihood is the product over channels, so sum the log-densities over dim 1.")
    inv_var = torch.exp(-2.0 * log_std)[..., None]
    sq = (z_p[:, :, None, :] - mean[..., None]) ** 2 * inv_var            # [B, C, T_text, T_frames]
    ls = log_std[..., None]
    hint = diagnose(got, {
        "Hint: the constant −½ log 2π per channel is missing. MAS would still find the same path (every path "
        "crosses each frame once, so a constant adds the same to all of them), but the matrix is then not a "
        "log-density.": expected + HALF_LOG_2PI * z_p.shape[1],
        "Hint: −log σ is missing: a token with a wide Gaussian must pay for it, or MAS favours the widest.":
            (-HALF_LOG_2PI - 0.5 * sq).sum(1),
        "Hint: the square needs its ½: log N = −½ log 2π − log σ − ½ (z − μ)²/σ².":
            (-HALF_LOG_2PI - ls - sq).sum(1),
        "Hint: the sign is flipped: that is −log N, and MAS *maximises* the log-likelihood.": -expected,
        "Hint: divide (z − μ)² by σ² = exp(2 log σ), not by σ.":
            (-HALF_LOG_2PI - ls - 0.5 * (z_p[:, :, None, :] - mean[..., None]) ** 2 * torch.exp(-log_std)[..., None]
             ).sum(1),
        "Hint: sum over channels, not average: the frame's density is the product of the channels' densities.":
            expected / z_p.shape[1],
    }, "Hint: (−½ log 2π − log σ_i − ½ (z_j − μ_i)² e^{−2 log σ_i}) summed over channels, for every token i and frame j.")
    report_close(name, got, expected, atol=1e-4, hint=hint)
    text_mask = sequence_mask(torch.tensor([5, 4]), 5)
    frame_mask = sequence_mask(torch.tensor([12, 9]), 12)
    same = torch.equal(monotonic_alignment_search(got_t.float(), text_mask, frame_mask),
                       monotonic_alignment_search(expected, text_mask, frame_mask))
    if not same:
        raise ExerciseError(f"{name}: the values match but MAS on them gives another path — is the dtype odd?")
    print(f"✓ {name}: MAS on your matrix finds the library's path")
    return True
