"""Checks for lesson 10 (Diff-TTS): the deterministic DDIM jump, and the training loss built from the model's parts.

The DDIM exercise: ``ddim_jump(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev) -> x_prev``.
The idea to find: estimate the clean mel from ``x_t`` and the predicted noise,
then put back exactly as much of *that same* noise as step ``prev`` holds — no
fresh noise (η = 0). The check compares with :func:`course_lib.diffusion.ddim_step`
and then tests the property that makes the jump exact: with the true noise, it
lands precisely on ``q_sample(x0, ε, ᾱ_prev)``, however far it jumps.

The build exercise: ``diff_tts_loss(model, batch, generator) -> scalar``, the duration loss plus
``L_simple`` on a random window of the expanded text, assembled from the model's submodules and
the library's functions. The check runs it and ``model(...)`` on one batch with the same seed
and asserts the two losses are equal (:mod:`course_lib.checks.build`).
"""

from __future__ import annotations

import torch

from course_lib.alignment import expand_to_frames, path_from_durations, random_windows
from course_lib.checks import attempt, report_close
from course_lib.checks.build import awake, compare_losses, learner_loss
from course_lib.checks.lesson05 import _compare
from course_lib.diffusion import ancestral_step, ddim_step, epsilon_loss, q_sample, sample_steps
from course_lib.distributions import gaussian_like
from course_lib.models.contract import evaluating, seeded
from course_lib.models.diff_tts import build, normalize_mel
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask


def solution_ddim_jump(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev):
    """One deterministic DDIM step (η = 0) from step t to any earlier step prev."""
    x0_estimate = (x_t - (1 - alpha_bar_t).sqrt() * predicted_noise) / alpha_bar_t.sqrt()  # invert q_sample
    return alpha_bar_prev.sqrt() * x0_estimate + (1 - alpha_bar_prev).sqrt() * predicted_noise  # re-noise to prev


def _inputs():
    gen = torch.Generator().manual_seed(1010)
    x0, noise, other = (torch.randn(2, 80, 6, generator=gen) for _ in range(3))
    return x0, noise, other, torch.tensor(0.04), torch.tensor(0.7)  # a long jump: ᾱ 0.04 → 0.7


def check_ddim_jump(fn) -> bool:
    """``fn(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev) -> x_prev`` (η = 0)."""
    x0, noise, other, ab_t, ab_prev = _inputs()
    x_t = q_sample(x0, noise, ab_t)
    eps = 0.6 * noise + 0.8 * other  # an imperfect network's guess
    got = attempt("DDIM jump", fn, x_t, eps, ab_t, ab_prev)
    if got is None:
        return False
    x0_hat = (x_t - (1 - ab_t).sqrt() * eps) / ab_t.sqrt()
    mistakes = {
        "you returned the clean estimate x̂_0; the jump goes to step prev, so put back √(1 − ᾱ_prev) of the "
        "predicted noise.": x0_hat,
        "invert x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε fully: after removing the noise, divide by √ᾱ_t.":
            ab_prev.sqrt() * (x_t - (1 - ab_t).sqrt() * eps) + (1 - ab_prev).sqrt() * eps,
        "the coefficients are square roots: √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev)·ε̂ (standard deviations, not variances).":
            ab_prev * x0_hat + (1 - ab_prev) * eps,
        "that is the DDPM ancestral mean without its noise: it shrinks the noise part too much and the "
        "walk under-disperses. DDIM re-uses the predicted noise ε̂ itself at the new level.":
            ancestral_step(x_t, eps, ab_t, ab_prev, None),
        "denoise with ᾱ_t (the level x_t is at) and re-noise with ᾱ_prev — you swapped them.":
            ab_t.sqrt() * (x_t - (1 - ab_prev).sqrt() * eps) / ab_prev.sqrt() + (1 - ab_t).sqrt() * eps,
    }
    if not _compare("DDIM jump", got, ddim_step(x_t, eps, ab_t, ab_prev, eta=0.0, noise=None), mistakes,
                    "estimate x̂_0 by inverting q_sample with ε̂, then x_prev = √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev)·ε̂."):
        return False
    exact = attempt("DDIM jump", fn, x_t, noise, ab_t, ab_prev)
    report_close("with the true noise, the jump lands on q_sample(x0, ε, ᾱ_prev)", exact, q_sample(x0, noise, ab_prev),
                 hint="Hint: with ε̂ = ε your x̂_0 should be exactly x_0.")
    return True


# ------------------------------------------------------------------ build it: the training loss
# for a batch of two it draws the steps 15 and 61: low steps, where the mel still shows through the noise and
# a slip moves the loss the most
BUILD_SEED = 1040


def solution_diff_tts_loss(model, batch, generator):
    """Diff-TTS's training loss from its parts: duration MSE + ε-MSE on one random window per utterance.

    ``batch``: tokens [B, T_text], token_lengths [B], mels [B, 80, T_mel] (log-mel), mel_lengths [B],
    durations [B, T_text] (true frames per token). ``generator`` makes every draw, in the model's order:
    window starts, steps, noise.
    """
    cfg = model.config
    text, log_duration, text_mask = model.encoder(batch.tokens, batch.token_lengths)  # [B, C, T_text], [B, 1, T_text]
    duration = duration_loss(log_duration, log_duration_target(batch.durations[:, None], text_mask), text_mask)
    mel_mask = sequence_mask(batch.mel_lengths, batch.mels.shape[-1])                 # [B, 1, T_mel]
    path = path_from_durations(batch.durations.float(), text_mask, mel_mask)          # [B, T_text, T_mel]
    y = normalize_mel(batch.mels, cfg) * mel_mask                                      # [B, 80, T_mel], ≈ [−1, 1]
    window = random_windows(y, path, batch.mel_lengths, cfg.segment_frames, generator)  # y [B, 80, W], mask [B, 1, W]
    cond = expand_to_frames(text, window.path)                                         # c [B, C, W]
    step = sample_steps(len(batch.tokens), cfg.n_diffusion_steps, generator)           # t [B] in 0 … T−1
    noise = gaussian_like(window.y, generator) * window.mask                          # ε [B, 80, W]
    x_t = q_sample(window.y, noise, model.alpha_bars[step][:, None, None]) * window.mask  # ᾱ_t [B, 1, 1]
    predicted = model.predict_noise(x_t, window.mask, cond, step)                     # ε̂ [B, 80, W]
    return duration + epsilon_loss(predicted, noise, window.mask)


def _slipped_loss(model, batch, generator, *, alpha_shift=0, normalise=True, noisy_input=True, skip=True,
                  loss_mask=True, step_first=False, with_duration=True):
    """:func:`solution_diff_tts_loss` with one known slip switched on, to name it in a hint."""
    cfg = model.config
    text, log_duration, text_mask = model.encoder(batch.tokens, batch.token_lengths)
    duration = duration_loss(log_duration, log_duration_target(batch.durations[:, None], text_mask), text_mask)
    mel_mask = sequence_mask(batch.mel_lengths, batch.mels.shape[-1])
    path = path_from_durations(batch.durations.float(), text_mask, mel_mask)
    y = (normalize_mel(batch.mels, cfg) if normalise else batch.mels) * mel_mask
    early_step = sample_steps(len(batch.tokens), cfg.n_diffusion_steps, generator) if step_first else None
    window = random_windows(y, path, batch.mel_lengths, cfg.segment_frames, generator)
    step = early_step if step_first else sample_steps(len(batch.tokens), cfg.n_diffusion_steps, generator)
    noise = gaussian_like(window.y, generator) * window.mask
    x_t = q_sample(window.y, noise, model.alpha_bars[step - alpha_shift][:, None, None]) * window.mask
    network_input, cond = (x_t if noisy_input else window.y), expand_to_frames(text, window.path)
    if skip:
        predicted = model.predict_noise(network_input, window.mask, cond, step)
    else:
        predicted = model.decoder(network_input, window.mask, cond, step) * window.mask
    diffusion = epsilon_loss(predicted, noise, window.mask if loss_mask else None)
    return duration + diffusion if with_duration else diffusion


DIFF_TTS_SLIPS = {
    "ᾱ of the wrong step: model.alpha_bars[step] is ᾱ of that very step (steps run 0 … T−1), and the network "
    "is told `step`, so x_t must be noised with alpha_bars[step], not alpha_bars[step − 1].": {"alpha_shift": 1},
    "diffuse the normalised mel: normalize_mel(mels, config) maps the log-mel to about [−1, 1], the scale a "
    "N(0, I) end expects — the raw log-mel (about −11 … 2) is the wrong tensor to add noise to.": {"normalise": False},
    "the network must see the noisy x_t = q_sample(y, ε, ᾱ_t), not the clean window y: it learns to find "
    "the noise that was added.": {"noisy_input": False},
    "call model.predict_noise(x_t, mask, c, t), not model.decoder: predict_noise adds the skip √(1 − ᾱ_t)·x_t "
    "to the decoder's output (section 1's table).": {"skip": False},
    "average the ε-MSE over real frames only: pass the window's mask to epsilon_loss (the short utterance's "
    "window runs past its end into padding).": {"loss_mask": False},
    "draw in the model's order from the one generator: the window starts, then the steps, then the noise "
    "— the same seed gives other numbers in another order.": {"step_first": True},
    "add the duration loss: the model returns duration MSE + ε-MSE, and training minimises their sum.":
        {"with_duration": False},
}


def check_diff_tts_loss(fn, config, batch) -> bool:
    """``fn(model, batch, generator) -> scalar`` equals ``model(...).total`` on ``batch`` with the same seed.

    ``config``: a :class:`DiffTTSConfig` with windows (``segment_frames``), e.g. ``tiny()``; the model is
    built from it, seeded, with its zero-initialised last layer woken up (:func:`awake`), in eval mode.
    """
    name = "Diff-TTS training loss"
    torch.manual_seed(0)
    model = awake(build(config))
    with evaluating(model):
        got = learner_loss(name, fn, model, batch, BUILD_SEED)
        if got is None:
            return False
        expected = model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, batch.durations,
                         generator=seeded(BUILD_SEED)).total
        compare_losses(name, got, expected,
                       lambda **flags: _slipped_loss(model, batch, seeded(BUILD_SEED), **flags), DIFF_TTS_SLIPS,
                       "follow the steps of the markdown in order, each draw from `generator`; compare your "
                       "intermediate shapes with the ones it gives.")
    return True
