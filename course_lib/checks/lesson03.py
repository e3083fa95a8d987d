"""Checks for lesson 03 (latent z: posterior vs prior).

The exercise is the KL term the conditional VAE trains with: the closed-form
``KL(q(z|x) ‖ p(z|y))`` at every frame, summed over latent channels and averaged
over the *real* frames of a padded batch (the normalisation VITS uses).
"""

from __future__ import annotations

import torch

from course_lib.checks import attempt, diagnose, report_close
from course_lib.distributions import kl_gaussians, kl_per_frame_loss
from course_lib.nn.masks import sequence_mask


def reference_kl_term(posterior_mean, posterior_log_std, prior_mean, prior_log_std, mel_mask) -> torch.Tensor:
    """``[B, C_z, T]`` statistics and mask ``[B, 1, T]`` → scalar nats per real frame."""
    return kl_per_frame_loss(kl_gaussians(posterior_mean, posterior_log_std, prior_mean, prior_log_std), mel_mask)


def _inputs():
    generator = torch.Generator().manual_seed(303)
    shape = (2, 4, 9)  # [B, C_z, T_mel]
    posterior_mean, prior_mean = torch.randn(2, *shape, generator=generator)
    posterior_log_std, prior_log_std = 0.5 * torch.randn(2, *shape, generator=generator)
    mel_mask = sequence_mask(torch.tensor([9, 5]), 9)  # the second utterance has 4 padding frames
    padded = mel_mask.expand(shape) == 0
    # padding holds garbage, as it may after a convolution: a masked answer ignores it
    posterior_mean = posterior_mean.masked_fill(padded, 7.0)
    return posterior_mean, posterior_log_std, prior_mean, prior_log_std, mel_mask


def check_kl_term(fn) -> bool:
    """``fn(posterior_mean, posterior_log_std, prior_mean, prior_log_std, mel_mask) -> scalar``."""
    args = _inputs()
    posterior_mean, posterior_log_std, prior_mean, prior_log_std, mel_mask = args
    got = attempt("KL(q‖p) term", fn, *args)
    if got is None:
        return False
    kl = kl_gaussians(posterior_mean, posterior_log_std, prior_mean, prior_log_std)
    n_channels = kl.shape[1]
    hint = diagnose(got, {
        "Hint: multiply by mel_mask before summing — padding frames must not count.": kl.sum() / mel_mask.sum(),
        "Hint: dividing by every frame of the batch counts padding too; divide by mel_mask.sum().":
            (kl * mel_mask).sum() / (kl.shape[0] * kl.shape[2]),
        "Hint: .mean() divides by channels and padding frames too; sum, then divide by mel_mask.sum().":
            (kl * mel_mask).mean(),
        "Hint: sum over the latent channels and average over frames only (you averaged over channels too).":
            (kl * mel_mask).sum() / (mel_mask.sum() * n_channels),
        "Hint: that is KL(p‖q); the training term is KL(posterior ‖ prior).":
            reference_kl_term(prior_mean, prior_log_std, posterior_mean, posterior_log_std, mel_mask),
    }, "Hint: kl_gaussians(q, p) elementwise → × mel_mask → sum → ÷ mel_mask.sum().")
    report_close("KL(q‖p) term", got, reference_kl_term(*args), hint=hint)
    return True
