"""VITS' non-adversarial losses as pure functions: the KL term and the duration loss.

(The adversarial, feature-matching and mel terms are HiFi-GAN's:
:mod:`course_lib.models.waveform.losses`.)

**KL term.** The ELBO's KL is ``KL(q(z | x) ‖ p(z | c))``. The prior is defined through
the flow: ``z_p = f(z)`` and ``p(z | c) = N(f(z); μ_p, σ_p) · |det ∂f/∂z|``, with
``μ_p, σ_p`` the text prior expanded to frames by the alignment. The posterior is
``q(z | x) = N(z; μ_q, σ_q)``. With one sample ``z = μ_q + σ_q ε`` per frame::

    log q(z | x) = −log σ_q − ½ ε² − ½ log 2π
    log p(z | c) = −log σ_p − ½ (z_p − μ_p)² / σ_p² − ½ log 2π + log|det ∂f/∂z|

The mean-only flow has ``log|det| = 0``. The official code replaces ``½ ε²`` by its
expectation ``½`` (so the posterior's part is its exact entropy) and keeps the prior's
part as a single-sample cross-entropy::

    KL ≈ log σ_p − log σ_q − ½ + ½ (z_p − μ_p)² e^{−2 log σ_p}

per frame and channel, summed over real frames and channels and divided by the number
of real **frames** (not frames × channels). Because the cross-entropy is estimated from
one sample, the logged value can be negative (jaywalnut310/vits #6): when ``q = p`` it is
``½ (ε'² − 1)`` per element with ``ε' = (z_p − μ_p)/σ_p`` — zero only in expectation, and
exactly zero only where ``|ε'| = 1``.

**Duration loss.** The per-utterance terms of the duration predictor (the negative
variational bound of the stochastic one, the squared log-duration error of the
deterministic one), summed over the batch and divided by the number of real tokens.
"""

from __future__ import annotations

import torch


def kl_divergence(z_p: torch.Tensor, posterior_log_std: torch.Tensor, prior_mean: torch.Tensor,
                  prior_log_std: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Single-sample KL estimate (nats per real frame), as derived in the module docstring.

    ``z_p`` (the flow-mapped posterior sample), ``posterior_log_std``, ``prior_mean``,
    ``prior_log_std`` ``[B, C, T]``; ``mask [B, 1, T]``. Computed in float32.
    """
    z_p, posterior_log_std = z_p.float(), posterior_log_std.float()
    prior_mean, prior_log_std, mask = prior_mean.float(), prior_log_std.float(), mask.float()
    kl = prior_log_std - posterior_log_std - 0.5 + 0.5 * (z_p - prior_mean).pow(2) * torch.exp(-2.0 * prior_log_std)
    return (kl * mask).sum() / mask.sum()


def duration_loss(loss_terms: torch.Tensor, text_mask: torch.Tensor) -> torch.Tensor:
    """``loss_terms [B]`` (per utterance, summed over its tokens), ``text_mask [B, 1, T_text]`` → per-token mean."""
    return loss_terms.float().sum() / text_mask.float().sum()
