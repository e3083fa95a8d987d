"""Checks for lesson 11 (VITS): the KL term, the prior log-likelihood matrix MAS reads, and the generator's loss.

Exercise 2 (section 6): ``kl_term(z_p, posterior_log_std, prior_mean, prior_log_std, mask) -> scalar``, VITS'
single-sample KL in nats per real **frame**, which the learner derives from the two Gaussians and the flow::

    Σ_real [ log σ_p − log σ_q − ½ + ½ (z_p − μ_p)² e^{−2 log σ_p} ] / (number of real frames)

checked against :func:`course_lib.models.vits.losses.kl_divergence` on a padded batch whose
padding holds garbage.

Exercise 1 (section 5): ``prior_log_likelihood(z_p, prior_mean, prior_log_std) -> [B, T_text, T_frames]``,
``log N(z_p[:, :, j]; μ_p[:, :, i], σ_p[:, :, i])`` summed over channels — the matrix MAS searches —
checked against :func:`course_lib.alignment.gaussian_log_likelihood_matrix`, and MAS on it
against MAS on the library's.

Exercise 3 (section 8): ``vits_generator_loss(model, batch, generator) -> scalar``, the generator's loss
before the discriminators join (45 · mel L1 of a decoded window + KL + duration), assembled from the
model's submodules; checked against ``VITSTask.reconstruction`` on the model's own pass, same batch and seed.
"""

from __future__ import annotations

import math

import torch

from course_lib.alignment import (expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search,
                                  random_windows)
from course_lib.audio import HOP_LENGTH, linear_spectrogram
from course_lib.checks import ExerciseError, attempt, diagnose, report_close
from course_lib.checks.build import awake, compare_losses, learner_loss
from course_lib.models.contract import evaluating, seeded
from course_lib.models.waveform.gan import Generated
from course_lib.models.waveform.losses import mel_l1_loss
from course_lib.models.vits import VITS, build_discriminator, duration_loss, kl_divergence, wave_windows
from course_lib.models.vits.train import VITSTask
from course_lib.nn.masks import sequence_mask

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


# ------------------------------------------------------------------------------------------ exercise 2: KL
def solution_kl_term(z_p, posterior_log_std, prior_mean, prior_log_std, mask):
    """VITS' KL estimate log q(z|x) − log p(z|c): the posterior's part in expectation, the prior's at the sample.

    Derivation, per frame and channel (μ_A, σ_A: the text prior at frames; σ = exp(log σ)):
      z = μ_q + σ_q ε, so   log q(z|x) = −log σ_q − ½ ε² − ½ log 2π;  over ε (E[ε²] = 1): −log σ_q − ½ − ½ log 2π
      z_p = f(z), so        log p(z|c) = log N(z_p; μ_A, σ_A) + log|det ∂f/∂z|
                                       = −log σ_A − ½ (z_p − μ_A)² / σ_A² − ½ log 2π + 0   (mean-only couplings)
      log q − log p = log σ_A − log σ_q − ½ + ½ (z_p − μ_A)² e^{−2 log σ_A}   (the ½ log 2π cancel)
    Summed over real frames and channels, divided by the number of real frames.
    """
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
        "Hint: the sign is flipped — the KL is log q − log p; you computed log p − log q.": -expected,
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
        "Hint: E[ε²] = 1, so the posterior's part is −log σ_q − ½ − ½ log 2π: in log q − log p it gives −½, not +½.":
            per_frame(log_p - log_q + 0.5 + square),
        "Hint: each Gaussian brings a −½ log 2π and in log q − log p they cancel — your log q lost its own.":
            per_frame(log_p - log_q - 0.5 + square + HALF_LOG_2PI),
        "Hint: each Gaussian brings a −½ log 2π and in log q − log p they cancel — your log p lost its own.":
            per_frame(log_p - log_q - 0.5 + square - HALF_LOG_2PI),
    }, "Hint: write log q(z|x) with z = μ_q + σ_q ε and average it over ε; write log p(z|c) as log N(z_p; μ_p, σ_p) "
       "plus the flow's log|det| (0 here); subtract, sum over real frames and channels, divide by mask.sum().")
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


# ------------------------------------------------------------------ exercise 3: the generator's loss, built
BUILD_SEED = 1111


def solution_vits_generator_loss(model, batch, generator):
    """VITS's generator loss before the discriminators join: 45 · mel L1 of a decoded window + KL + duration.

    ``batch``: tokens [B, T_text], token_lengths [B], waves [B, 1, N], mel_lengths [B] (frames), speakers [B]
    (a multi-speaker model). ``generator`` makes every draw, in the model's order: the posterior sample, the
    duration predictor's noise, the window starts.
    """
    cfg = model.config
    spec = linear_spectrogram(batch.waves[:, 0])                                          # [B, 513, T]
    speaker = model.speaker_embedding(batch.speakers)[:, :, None]                         # [B, G, 1]
    prior = model.text_encoder(batch.tokens, batch.token_lengths)                         # μ_p, log σ_p [B, C, T_text]
    post = model.posterior_encoder(spec, batch.mel_lengths, speaker, generator)          # z [B, C, T], mask [B, 1, T]
    z_p = model.flow(post.z, post.mask, cond=speaker).z                                   # [B, C, T]: forward, z → z_p
    with torch.no_grad():                                                                 # MAS: no gradient
        matrix = gaussian_log_likelihood_matrix(z_p, prior.prior_mean, prior.prior_log_std)  # [B, T_text, T]
        alignment = monotonic_alignment_search(matrix, prior.mask, post.mask)                # [B, T_text, T]
    durations = alignment.sum(-1)[:, None]                                                # [B, 1, T_text]
    duration = duration_loss(model.duration_predictor.loss_terms(prior.hidden, prior.mask, durations, speaker,
                                                                 generator), prior.mask)
    kl = kl_divergence(z_p, post.log_std, expand_to_frames(prior.prior_mean, alignment),
                       expand_to_frames(prior.prior_log_std, alignment), post.mask)      # prior at frames [B, C, T]
    window = random_windows(post.z, alignment, batch.mel_lengths, cfg.segment_frames, generator)  # z [B, C, 32]
    fake = model.decoder(window.y, speaker)                                               # [B, 1, 8192]
    real = wave_windows(batch.waves, window.starts, cfg.segment_size)                     # the same 8192 samples
    return cfg.mel_loss_weight * mel_l1_loss(real, fake) + cfg.kl_loss_weight * kl + duration


def _slipped_loss(model, batch, generator, *, flow_reverse=False, mas_on_z=False, kl_sign=1.0, kl_masked=True,
                  decode_z_p=False, hop=HOP_LENGTH, windows_first=False, weighted=True):
    """:func:`solution_vits_generator_loss` with one known slip switched on, to name it in a hint."""
    cfg = model.config
    spec = linear_spectrogram(batch.waves[:, 0])
    speaker = model.speaker_embedding(batch.speakers)[:, :, None]
    prior = model.text_encoder(batch.tokens, batch.token_lengths)
    post = model.posterior_encoder(spec, batch.mel_lengths, speaker, generator)
    z_p = model.flow(post.z, post.mask, cond=speaker, reverse=flow_reverse).z
    with torch.no_grad():
        searched = post.z if mas_on_z else z_p
        alignment = monotonic_alignment_search(
            gaussian_log_likelihood_matrix(searched, prior.prior_mean, prior.prior_log_std), prior.mask, post.mask)
    def draw_window():
        return random_windows(z_p if decode_z_p else post.z, alignment, batch.mel_lengths, cfg.segment_frames,
                              generator)

    early_window = draw_window() if windows_first else None
    terms = model.duration_predictor.loss_terms(prior.hidden, prior.mask, alignment.sum(-1)[:, None], speaker,
                                                generator)
    window = early_window if windows_first else draw_window()
    kl_mask = post.mask if kl_masked else torch.ones_like(post.mask)
    kl = kl_sign * kl_divergence(z_p, post.log_std, expand_to_frames(prior.prior_mean, alignment),
                                 expand_to_frames(prior.prior_log_std, alignment), kl_mask)
    mel = mel_l1_loss(wave_windows(batch.waves, window.starts, cfg.segment_size, hop), model.decoder(window.y, speaker))
    mel_weight, kl_weight = (cfg.mel_loss_weight, cfg.kl_loss_weight) if weighted else (1.0, 1.0)
    return mel_weight * mel + kl_weight * kl + duration_loss(terms, prior.mask)


VITS_SLIPS = {
    "the flow runs forward in training, z_p = f(z) (reverse=False): it maps the posterior sample into the "
    "prior's space; reverse=True is inference's direction, from a prior sample back to z.": {"flow_reverse": True},
    "MAS searches the log-likelihood of z_p, the flow-mapped sample (section 5), not of z: the text Gaussians "
    "live in z_p's space.": {"mas_on_z": True},
    "the KL is log q − log p (exercise 2) and training minimises it: your KL has the opposite sign.":
        {"kl_sign": -1.0},
    "give the KL the frames' mask (post.mask, [B, 1, T]): the padding frames hold garbage and must neither be "
    "summed nor counted.": {"kl_masked": False},
    "decode the window of z, the posterior sample: z_p lives in the text prior's space and serves the KL and "
    "MAS only (at inference the reverse flow brings a prior sample back to z first).": {"decode_z_p": True},
    "window.starts count latent frames; the matching samples start at start · hop (256 per frame): "
    "wave_windows(waves, starts, segment_size) multiplies for you.": {"hop": 1},
    "draw in the model's order from the one generator: the posterior sample, the duration predictor's noise, "
    "then the window starts — the same seed gives other numbers in another order.": {"windows_first": True},
    "weight the terms as training does: config.mel_loss_weight (45) × mel L1 + config.kl_loss_weight (1) × KL "
    "+ duration.": {"weighted": False},
}


def _training_loss(model: VITS, batch, seed: int) -> torch.Tensor:
    """What a training step minimises before the discriminators join: ``VITSTask.reconstruction`` on the
    model's own pass (as ``VITSTask.generate`` runs it, with a seeded generator)."""
    task = VITSTask(model, build_discriminator(model.config))
    spec = linear_spectrogram(batch.waves[:, 0])
    out = model(batch.tokens, batch.token_lengths, spec, batch.mel_lengths, batch.speakers, generator=seeded(seed))
    real = wave_windows(batch.waves, out.window_starts, model.config.segment_size)
    return task.reconstruction(batch, Generated(fake=out.wave, real=real, extras=out))[0]


def check_vits_generator_loss(fn, config, batch) -> bool:
    """``fn(model, batch, generator) -> scalar`` equals the training loss of the model's own pass, same seed.

    ``config``: a multi-speaker :class:`VITSConfig` (the lesson's ``tiny_multi``); the model is built from it,
    seeded, with its zero-initialised layers woken up (:func:`~course_lib.checks.lesson10.awake`: a fresh
    flow is the identity, and then running it backwards would go unseen), in eval mode.
    """
    name = "VITS generator loss"
    torch.manual_seed(0)
    model = awake(VITS(config))
    with evaluating(model):
        got = learner_loss(name, fn, model, batch, BUILD_SEED)
        if got is None:
            return False
        compare_losses(name, got, _training_loss(model, batch, BUILD_SEED),
                       lambda **flags: _slipped_loss(model, batch, seeded(BUILD_SEED), **flags), VITS_SLIPS,
                       "follow the steps of the markdown in order, each draw from `generator`; compare your "
                       "intermediate shapes with the ones it gives.")
    return True
