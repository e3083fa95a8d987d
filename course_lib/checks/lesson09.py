"""Checks for lesson 09 (Grad-TTS): the forward moments with terminal mean μ, the λ_t-weighted score loss, and the
training loss built from the model's parts.

The build exercise: ``grad_tts_loss(model, batch, generator) -> scalar``, the duration, prior and diffusion
losses assembled from the model's submodules (encoder → MAS → durations → μ → noising → score loss). The
check runs it and ``model(...)`` on one batch with the same seed and asserts the two losses are equal.
"""

from __future__ import annotations

import torch

from course_lib.alignment import (expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search,
                                  random_windows)
from course_lib.checks import ExerciseError, attempt
from course_lib.checks.lesson05 import _compare
from course_lib.checks.build import compare_losses, learner_loss
from course_lib.diffusion import NoiseSchedule, forward_moments, sample_times, score_matching_loss
from course_lib.distributions import gaussian_like
from course_lib.models.contract import evaluating, seeded
from course_lib.models.grad_tts import build
from course_lib.models.grad_tts.losses import prior_loss
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask

SCHEDULE = NoiseSchedule()  # β(t) = 0.05 + 19.95 t


def _moment_inputs():
    gen = torch.Generator().manual_seed(9)
    x0 = torch.randn(3, 80, 4, generator=gen)
    mu = torch.randn(3, 80, 4, generator=gen)
    return x0, mu, torch.tensor([0.05, 0.4, 0.9])


def check_forward_moments(fn) -> bool:
    """``fn(x0, mu, t) -> (mean, variance)``: mean ``[B, F, T]``, variance broadcasting as ``[B, 1, 1]``.

    Uses ``∫β = 0.05 t + ½ (20 − 0.05) t²`` (Grad-TTS's β₀ = 0.05, β₁ = 20).
    """
    x0, mu, t = _moment_inputs()
    got = attempt("forward moments", fn, x0, mu, t)
    if got is None:
        return False
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise ExerciseError("forward moments: return a pair (mean, variance)")
    expected = forward_moments(x0, mu, t, SCHEDULE)
    integral = SCHEDULE.integral(t)[:, None, None]
    mistakes_mean = {
        "the decay is e^{−½∫β} (half the integral) — the variance gets e^{−∫β}.":
            x0 * torch.exp(-integral) + mu * (1 - torch.exp(-integral)),
        "the mean drifts toward μ: add μ·(1 − e^{−½∫β}).": x0 * torch.exp(-0.5 * integral),
        "integrate β: ∫₀ᵗ β = β₀t + ½(β₁−β₀)t², not β(t)·t.":
            x0 * torch.exp(-0.5 * SCHEDULE.beta(t)[:, None, None] * t[:, None, None])
            + mu * (1 - torch.exp(-0.5 * SCHEDULE.beta(t)[:, None, None] * t[:, None, None])),
    }
    mean_ok = _compare("forward mean", got[0], expected.mean, mistakes_mean,
                       "take the expectation of the SDE (dW has mean 0): m_t − μ obeys d(m − μ)/dt = −½β_t (m − μ); "
                       "solve it from m_0 = x0.")
    mistakes_var = {
        "the variance uses the whole integral: 1 − e^{−∫β}, not 1 − e^{−½∫β}.": 1 - torch.exp(-0.5 * integral),
        "that is the standard deviation; return the variance 1 − e^{−∫β}.": (1 - torch.exp(-integral)).sqrt(),
    }
    got_var = torch.as_tensor(got[1]).expand_as(expected.mean) if torch.is_tensor(got[1]) else got[1]
    var_ok = _compare("forward variance", got_var, expected.variance.expand_as(expected.mean),
                      {k: v.expand_as(expected.mean) for k, v in mistakes_var.items()},
                      "Itô's rule on (X_t − m_t)² gives dv/dt = β_t (1 − v) with v_0 = 0: solve it for 1 − v. "
                      "The variance is the same for every element of an item.")
    return mean_ok and var_ok


def solution_forward_moments(x0, mu, t):
    """x0, mu: [B, 80, T]; t: [B] -> (mean [B, 80, T], variance [B, 1, 1]) of X_t | X_0 (Grad-TTS, Σ = I).

    Derivation from dX_t = ½β_t(μ − X_t) dt + √β_t dW_t, X_0 = x0, with ρ_t = ∫₀ᵗ β_s ds:

    * mean: E[dW_t] = 0, so m_t = E[X_t] obeys dm/dt = −½β_t (m − μ); hence
      m_t − μ = (x0 − μ)·e^{−½ρ_t}, i.e. m_t = x0·e^{−½ρ_t} + μ·(1 − e^{−½ρ_t}).
    * variance: D_t = X_t − m_t obeys dD = −½β_t D dt + √β_t dW. Itô's rule on D²: d(D²) = 2D dD + β_t dt
      (the (dW)² = dt term), so v_t = E[D²] obeys dv/dt = −β_t v + β_t = β_t (1 − v); with v_0 = 0,
      1 − v_t = e^{−ρ_t}, i.e. v_t = 1 − e^{−ρ_t}, the same for every element.
    * ρ_t for β_t = β₀ + (β₁ − β₀) t is β₀ t + ½(β₁ − β₀) t². At t = 1, ρ ≈ 10: the mean is μ up to
      x0 − μ times e^{−5} ≈ 0.007 and the variance ≈ 1 — the N(μ, I) end that gives the SDE its name.
    """
    integral = (0.05 * t + 0.5 * (20.0 - 0.05) * t**2)[:, None, None]  # ∫₀ᵗ β_s ds
    decay = torch.exp(-0.5 * integral)
    return x0 * decay + mu * (1 - decay), 1 - torch.exp(-integral)


def solution_score_loss(score_model, x0, mu, t, noise):
    """The λ_t-weighted denoising score-matching loss of one batch (scalar)."""
    mean, variance = solution_forward_moments(x0, mu, t)  # variance is λ_t
    x_t = mean + variance.sqrt() * noise  # a draw of X_t | X_0
    score = score_model(x_t, mu, t)
    # X_t | X_0 is N(mean, λ_t I): its score at x_t is −(x_t − mean)/λ_t = −ε/√λ_t
    target = -noise / variance.sqrt()
    return (variance * (score - target) ** 2).mean()  # weight λ_t: every t on the same scale


def _score_model(x_t, mu, t):
    """A fixed stand-in for the U-Net: any function of (x_t, μ, t) will do for the check."""
    return -(x_t - mu) * (1.0 + t)[:, None, None] + 0.1 * torch.tanh(mu)


def _loss_inputs():
    gen = torch.Generator().manual_seed(12)
    x0, mu, noise = (torch.randn(3, 80, 5, generator=gen) for _ in range(3))
    return x0, mu, torch.tensor([0.02, 0.3, 0.85]), noise


def check_score_loss(fn) -> bool:
    """``fn(score_model, x0, mu, t, noise) -> scalar``: Grad-TTS's diffusion loss for one batch."""
    x0, mu, t, noise = _loss_inputs()
    got = attempt("score-matching loss", fn, _score_model, x0, mu, t, noise)
    if got is None:
        return False
    moments = forward_moments(x0, mu, t, SCHEDULE)
    lam = moments.variance
    x_t = moments.mean + lam.sqrt() * noise
    score = _score_model(x_t, mu, t)
    expected = score_matching_loss(score, noise, t, SCHEDULE)

    def weighted(weight, target, s=score):
        return (weight * (s - target) ** 2).mean()

    decay = torch.exp(-0.5 * SCHEDULE.integral(t))[:, None, None]
    mistakes = {
        "without the weight λ_t the small-t terms dominate: the target −ε/√λ_t explodes as t → 0. "
        "Multiply each item's squared error by λ_t.": weighted(1.0, -noise / lam.sqrt()),
        "the weight is λ_t (the variance), not √λ_t.": weighted(lam.sqrt(), -noise / lam.sqrt()),
        "the sign: the score points from x_t back toward the mean, −(x_t − mean)/λ_t = −ε/√λ_t.":
            weighted(lam, noise / lam.sqrt()),
        "the score of N(mean, λ_t I) at x_t = mean + √λ_t ε is −ε/√λ_t: divide ε by the standard "
        "deviation, not by the variance.": weighted(lam, -noise / lam),
        "x_t = mean + √λ_t·ε — the noise is scaled by the standard deviation, not by the variance λ_t.":
            weighted(lam, -noise / lam.sqrt(), _score_model(moments.mean + lam * noise, mu, t)),
        "x_t drifts toward μ: its mean is x0·e^{−½∫β} + μ·(1 − e^{−½∫β}), not x0·e^{−½∫β} alone.":
            weighted(lam, -noise / lam.sqrt(), _score_model(x0 * decay + lam.sqrt() * noise, mu, t)),
        "the network is the score model s_θ, not a noise predictor: compare it with the score −ε/√λ_t, "
        "not with ε.": weighted(1.0, noise),
    }
    return _compare("score-matching loss", got, expected, mistakes,
                    "draw x_t from X_t | X_0, call the model, and regress it on the score of that Gaussian, "
                    "weighted by its variance.")


# ------------------------------------------------------------------ build it: the training loss
# for a batch of two it draws the times 0.37 and 0.67: mid-way, where x_t's mean and spread both hang on the
# moments, so a slip in them moves the loss
BUILD_SEED = 90


def solution_grad_tts_loss(model, batch, generator):
    """Grad-TTS's training loss from its parts: duration MSE + prior NLL + λ_t-weighted score matching on a window.

    ``batch``: tokens [B, T_text], token_lengths [B], mels [B, 80, T_mel] (log-mel), mel_lengths [B].
    ``generator`` makes every draw, in the model's order: window starts, times, noise.
    """
    enc = model.encoder(batch.tokens, batch.token_lengths)  # μ̃ [B, 80, T_text]; log d, mask [B, 1, T_text]
    mel_mask = sequence_mask(batch.mel_lengths, batch.mels.shape[-1]).to(batch.mels.dtype)  # [B, 1, T_mel]
    y = batch.mels * mel_mask  # [B, 80, T_mel]
    with torch.no_grad():  # MAS on log N(y_j; μ̃_i, I): σ = 1, so log σ = 0
        log_likelihood = gaussian_log_likelihood_matrix(y, enc.prior_mean, torch.zeros_like(enc.prior_mean))
        path = monotonic_alignment_search(log_likelihood, enc.mask, mel_mask)  # 0/1 [B, T_text, T_mel]
    durations = path.sum(-1).unsqueeze(1)  # frames per token [B, 1, T_text]
    duration = duration_loss(enc.log_duration, log_duration_target(durations, enc.mask), enc.mask)
    prior = prior_loss(y, expand_to_frames(enc.prior_mean, path), mel_mask)  # μ_y [B, 80, T_mel], whole mel
    window = random_windows(y, path, batch.mel_lengths, model.config.segment_frames, generator)  # y [B, 80, W]
    mu = expand_to_frames(enc.prior_mean, window.path)  # μ on the window [B, 80, W]
    t = sample_times(len(batch.tokens), generator)  # [B] in (0, 1)
    noise = gaussian_like(window.y, generator) * window.mask  # ε [B, 80, W]
    moments = forward_moments(window.y, mu, t, model.decoder.schedule)  # mean [B, 80, W], λ_t [B, 1, 1]
    x_t = (moments.mean + moments.variance.sqrt() * noise) * window.mask  # a draw of X_t | X_0 = y
    score = model.decoder.estimator(x_t, window.mask, mu, t)  # s_θ(x_t, μ, t) [B, 80, W]
    return duration + prior + score_matching_loss(score, noise, t, model.decoder.schedule, window.mask)


def _slipped_grad_tts_loss(model, batch, generator, *, noise_scale="std", toward_mu=True, log_durations=True,
                           score_mask=True, times_first=False, with_prior=True):
    """:func:`solution_grad_tts_loss` with one known slip switched on, to name it in a hint."""
    schedule = model.decoder.schedule
    enc = model.encoder(batch.tokens, batch.token_lengths)
    mel_mask = sequence_mask(batch.mel_lengths, batch.mels.shape[-1])
    y = batch.mels * mel_mask
    with torch.no_grad():
        path = monotonic_alignment_search(
            gaussian_log_likelihood_matrix(y, enc.prior_mean, torch.zeros_like(enc.prior_mean)), enc.mask, mel_mask)
    durations = path.sum(-1).unsqueeze(1)
    target = log_duration_target(durations, enc.mask) if log_durations else durations * enc.mask
    loss = duration_loss(enc.log_duration, target, enc.mask)
    if with_prior:
        loss = loss + prior_loss(y, expand_to_frames(enc.prior_mean, path), mel_mask)
    early_t = sample_times(len(batch.tokens), generator) if times_first else None
    window = random_windows(y, path, batch.mel_lengths, model.config.segment_frames, generator)
    t = early_t if times_first else sample_times(len(batch.tokens), generator)
    mu = expand_to_frames(enc.prior_mean, window.path)
    noise = gaussian_like(window.y, generator) * window.mask
    moments = forward_moments(window.y, mu if toward_mu else torch.zeros_like(mu), t, schedule)
    scale = moments.variance.sqrt() if noise_scale == "std" else moments.variance
    x_t = (moments.mean + scale * noise) * window.mask
    score = model.decoder.estimator(x_t, window.mask, mu, t)
    return loss + score_matching_loss(score, noise, t, schedule, window.mask if score_mask else None)


GRAD_TTS_SLIPS = {
    "noise x_t with the standard deviation: x_t = mean + √λ_t·ε, where λ_t is the variance of exercise 1.":
        {"noise_scale": "variance"},
    "x_t drifts toward μ, the aligned text on the window, not toward 0: its mean is "
    "y·e^{−½ρ_t} + μ·(1 − e^{−½ρ_t}) — pass μ to forward_moments.": {"toward_mu": False},
    "the duration predictor learns log-durations: turn the MAS frames per token into its target with "
    "log_duration_target(durations, text mask).": {"log_durations": False},
    "average the score-matching loss over the window's real frames only: pass window.mask to "
    "score_matching_loss (the short sentence's window runs past its end into padding).": {"score_mask": False},
    "draw in the model's order from the one generator: the window starts, then the times, then the noise "
    "— the same seed gives other numbers in another order.": {"times_first": True},
    "add the prior loss: the model returns duration + prior + diffusion, and the prior loss −log N(y; μ_y, I) "
    "on the whole mel is what pulls μ toward the mel (section 4).": {"with_prior": False},
}


def check_grad_tts_loss(fn, config, batch) -> bool:
    """``fn(model, batch, generator) -> scalar`` equals ``model(...).total`` on ``batch`` with the same seed.

    ``config``: a :class:`GradTTSConfig`, e.g. ``tiny()`` with the corpus's vocabulary; windows longer than
    the shortest sentence let a missing window mask show. The model is built from it, seeded, in eval
    mode (dropout off).
    """
    name = "Grad-TTS training loss"
    torch.manual_seed(0)
    model = build(config)
    with evaluating(model):
        got = learner_loss(name, fn, model, batch, BUILD_SEED)
        if got is None:
            return False
        expected = model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths,
                         generator=seeded(BUILD_SEED)).total
        compare_losses(name, got, expected,
                       lambda **flags: _slipped_grad_tts_loss(model, batch, seeded(BUILD_SEED), **flags),
                       GRAD_TTS_SLIPS, "follow the steps of the markdown in order, each draw from `generator`; "
                       "compare your intermediate shapes with the ones it gives.")
    return True
