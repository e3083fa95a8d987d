"""Grad-TTS (Popov et al., ICML 2021): a text encoder gives μ, a score-based decoder turns noise around μ into a mel.

Wiring only; the parts live elsewhere:

* encoder — the shared :class:`~course_lib.nn.text_encoder.TextEncoder` (mean only:
  ``μ`` per token with identity covariance) and
  :class:`~course_lib.nn.duration.DurationPredictor`;
* alignment — monotonic alignment search from :mod:`course_lib.alignment`;
* decoder — :class:`~course_lib.nn.unet.ScoreUNet` estimating the score, with the
  VP-SDE maths (forward moments, loss, reverse solvers) in
  :mod:`course_lib.diffusion.vp_sde`.

Training (one step, :meth:`GradTTS.forward`): encode → MAS on ``log N(y; μ_i, I)``
(no gradient) → duration loss (log domain, on the detached encoder output) →
prior loss on the whole mel (:func:`~course_lib.models.grad_tts.losses.prior_loss`)
→ diffusion loss on a random ``segment_frames`` window. Inference
(:meth:`GradTTS.synthesize`): durations → ``μ_y`` → ``x_1 = μ_y + ε/τ`` → N Euler
steps of the reverse ODE → mel (vocoder applied by the caller,
:mod:`course_lib.vocoder`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from course_lib.alignment import (
    check_length_scale,
    durations_from_log,
    expand_to_frames,
    maximum_likelihood_path,
    plan_frames,
    random_windows,
)
from course_lib.diffusion import (
    forward_sample,
    prior_start,
    sample_times,
    score_matching_loss,
    solve_reverse,
    validate_n_steps,
    validate_temperature,
)
from course_lib.distributions import gaussian_like
from course_lib.models.grad_tts.config import GradTTSConfig
from course_lib.models.contract import (NO_PITCH, DiffusionSynthesis, SynthesisOptions, SynthesisResult, as_batch,
                                        check_options, evaluating, seeded, settings_for)
from course_lib.models.grad_tts.losses import prior_loss
from course_lib.nn.duration import DurationPredictor, duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask
from course_lib.nn.text_encoder import TextEncoder
from course_lib.nn.unet import ScoreUNet


@dataclass(frozen=True)
class EncoderOutput:
    """``prior_mean [B, F, T_text]`` (μ per token), ``log_duration [B, 1, T_text]``, ``mask [B, 1, T_text]``."""

    prior_mean: torch.Tensor
    log_duration: torch.Tensor
    mask: torch.Tensor


class GradTTSEncoder(nn.Module):
    """Tokens → per-token prior mean μ and predicted log-durations (7,200,145 parameters at paper size)."""

    def __init__(self, config: GradTTSConfig) -> None:
        super().__init__()
        self.text_encoder = TextEncoder(config.text_encoder_config())
        self.duration_predictor = DurationPredictor(config.encoder_channels, config.duration_filter_channels,
                                                    config.duration_kernel_size, config.duration_dropout)

    def forward(self, tokens: torch.Tensor, token_lengths: torch.Tensor) -> EncoderOutput:
        encoded = self.text_encoder(tokens, token_lengths)
        # detached: the duration loss must not pull the encoder away from the prior it serves
        log_duration = self.duration_predictor(encoded.hidden.detach(), encoded.mask)
        return EncoderOutput(prior_mean=encoded.prior_mean, log_duration=log_duration, mask=encoded.mask)


class GradTTSDecoder(nn.Module):
    """The score network plus the noise schedule it was trained with (7,634,887 parameters at paper size)."""

    def __init__(self, config: GradTTSConfig) -> None:
        super().__init__()
        self.schedule = config.noise_schedule()
        self.estimator = ScoreUNet(config.unet_config())

    def loss(self, y: torch.Tensor, mask: torch.Tensor, mu: torch.Tensor, speaker: torch.Tensor | None = None,
             generator: torch.Generator | None = None) -> torch.Tensor:
        """λ_t-weighted score-matching loss at one random ``t`` per item. ``y``, ``mu``: ``[B, F, T]``."""
        t = sample_times(y.shape[0], generator, y.device).to(y.dtype)
        noise = gaussian_like(y, generator) * mask
        x_t = forward_sample(y, mu, t, noise, self.schedule) * mask
        score = self.estimator(x_t, mask, mu, t, speaker)
        return score_matching_loss(score, noise, t, self.schedule, mask)

    def sample(self, mu: torch.Tensor, mask: torch.Tensor, n_steps: int, temperature: float,
               stochastic: bool = False, generator: torch.Generator | None = None,
               speaker: torch.Tensor | None = None, return_trajectory: bool = False):
        """Reverse diffusion from ``μ + ε/τ``; returns a :class:`~course_lib.diffusion.SampleResult`."""
        start = prior_start(mu, temperature, generator) * mask

        def score_fn(x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            return self.estimator(x_t, mask, mu, t, speaker)

        return solve_reverse(score_fn, start, mu, n_steps, self.schedule, stochastic, generator, mask,
                             return_trajectory)


@dataclass(frozen=True)
class GradTTSLosses:
    """The three training losses (scalars) and their sum, plus the MAS durations ``[B, T_text]``."""

    duration: torch.Tensor
    prior: torch.Tensor
    diffusion: torch.Tensor
    durations: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        return self.duration + self.prior + self.diffusion


@dataclass(frozen=True)
class SynthesisOutput(DiffusionSynthesis):
    """What synthesis (:meth:`GradTTS.synthesize`) returns, and ``prior_mean``: the aligned encoder output
    ``μ_y [B, F, T_mel]``, the mean the decoder starts around."""

    prior_mean: torch.Tensor | None = None


class GradTTS(nn.Module):
    """Top-level children: ``encoder``, ``decoder`` (and ``speaker_embedding`` when multi-speaker).

    Unlike Glow-TTS, the CVAE and VITS, whose ``forward`` returns the training pass's tensors
    (``<Model>Output``) for a separate ``losses``, ``forward`` here returns the losses themselves
    (:class:`GradTTSLosses`): the diffusion loss draws its own window, time and noise inside the pass.
    """

    def __init__(self, config: GradTTSConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = GradTTSEncoder(config)
        self.decoder = GradTTSDecoder(config)
        # official recipe: speakers condition the decoder only (the encoder is speaker-independent)
        self.speaker_embedding = (
            nn.Embedding(config.n_speakers, config.speaker_channels) if config.n_speakers > 1 else None)

    def _speaker_vector(self, speakers: torch.Tensor | None, batch: int, device) -> torch.Tensor | None:
        if self.speaker_embedding is None:
            return None
        if speakers is None:
            speakers = torch.zeros(batch, dtype=torch.long, device=device)
        return self.speaker_embedding(speakers)

    def forward(self, tokens: torch.Tensor, token_lengths: torch.Tensor, mels: torch.Tensor,
                mel_lengths: torch.Tensor, speakers: torch.Tensor | None = None,
                generator: torch.Generator | None = None) -> GradTTSLosses:
        """Training losses. ``tokens [B, T_text]``, ``mels [B, F, T_mel]``, lengths ``[B]``, ``speakers [B]``."""
        cfg = self.config
        if mels.shape[1] != cfg.n_mels:
            raise ValueError(f"mels must be [B, {cfg.n_mels}, T_mel], got {tuple(mels.shape)}")
        speaker = self._speaker_vector(speakers, tokens.shape[0], tokens.device)
        # 1. encode
        enc = self.encoder(tokens, token_lengths)
        mel_mask = sequence_mask(mel_lengths, mels.shape[-1]).to(mels.dtype)  # [B, 1, T_mel]
        y = mels * mel_mask

        # 2. align: best monotonic path under log N(y_j; μ_i, I), no gradient
        path = maximum_likelihood_path(y, enc.prior_mean, torch.zeros_like(enc.prior_mean), enc.mask, mel_mask)
        durations = path.sum(-1)  # [B, T_text]

        # 3. losses: durations (log domain), prior over the whole mel, diffusion on a random window
        dur_loss = duration_loss(enc.log_duration, log_duration_target(durations[:, None], enc.mask), enc.mask)
        mu_y = expand_to_frames(enc.prior_mean, path)  # [B, F, T_mel]
        enc_loss = prior_loss(y, mu_y, mel_mask)
        windows = random_windows(y, path, mel_lengths, cfg.segment_frames, generator)
        mu_window = expand_to_frames(enc.prior_mean, windows.path)  # [B, F, W]
        diff_loss = self.decoder.loss(windows.y, windows.mask, mu_window, speaker, generator)
        return GradTTSLosses(duration=dur_loss, prior=enc_loss, diffusion=diff_loss, durations=durations)

    # ------------------------------------------------------------------ the course contract
    REFUSED = {"noise_scale_w": "its duration predictor is deterministic",
               "speaker": "it was trained on a single speaker", "pitch_shift": NO_PITCH}

    @property
    def knobs(self) -> frozenset[str]:
        """The synthesis knobs this model takes (``course_lib.models.contract``); ``noise_scale`` = 1 / τ."""
        speaker = {"speaker"} if self.speaker_embedding is not None else set()
        return frozenset({"noise_scale", "length_scale", "n_steps", "seed"} | speaker)

    def generate(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> SynthesisResult:
        """``tokens [T_text]`` → mel and durations (the course contract). The terminal distribution is
        N(μ, noise_scale² I): the official temperature τ is 1 / noise_scale."""
        options = check_options(options, self.knobs, "Grad-TTS", self.REFUSED)
        cfg = self.config
        settings = settings_for(options, self.knobs, noise_scale=1.0 / cfg.temperature, length_scale=1.0,
                                n_steps=cfg.n_steps)
        if not settings["noise_scale"] > 0:
            raise ValueError(f"Grad-TTS needs noise_scale > 0 (its temperature τ is 1 / noise_scale; the default "
                             f"0.667 is τ = 1.5), got {settings['noise_scale']}")
        device = next(self.parameters()).device
        speakers = None if settings.get("speaker") is None else torch.tensor([settings["speaker"]], device=device)
        with evaluating(self):
            out = self.synthesize(tokens.reshape(1, -1).to(device), n_steps=settings["n_steps"],
                                  temperature=1.0 / settings["noise_scale"], length_scale=settings["length_scale"],
                                  seed=settings["seed"], speakers=speakers)
        return SynthesisResult(mel=out.mel[0, :, : int(out.mel_lengths[0])], durations=out.durations[0],
                               settings=settings)

    def predicted_durations(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token from the duration predictor, before rounding (length scale applied)."""
        options = check_options(options, self.knobs, "Grad-TTS", self.REFUSED)
        with evaluating(self):
            enc = self.encoder(tokens[None], torch.tensor([tokens.shape[-1]]))
        return enc.log_duration[0, 0].exp() * (1.0 if options.length_scale is None else options.length_scale)

    def own_alignment(self, tokens: torch.Tensor, mel: torch.Tensor, wave: torch.Tensor | None = None,
                      speaker: int | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token that MAS finds for the recording ``mel [80, T]``."""
        speakers = None if speaker is None else torch.tensor([speaker], device=mel.device)
        with evaluating(self):
            out = self(tokens[None], torch.tensor([tokens.shape[-1]]), mel[None], torch.tensor([mel.shape[-1]]),
                       speakers)
        return out.durations[0]

    @torch.no_grad()
    def synthesize(self, tokens: torch.Tensor, token_lengths: torch.Tensor | None = None, n_steps: int | None = None,
                   temperature: float | None = None, length_scale: float = 1.0, seed: int | None = None,
                   speakers: torch.Tensor | None = None, stochastic: bool = False,
                   return_trajectory: bool = False, durations: torch.Tensor | None = None) -> SynthesisOutput:
        """Tokens → mel. ``tokens [B, T_text]`` (or ``[T_text]``); defaults from the config
        (10 steps, τ = 1.5). ``seed`` fixes the noise (a CPU generator, so results
        match across devices); ``length_scale`` > 1 speaks slower. ``durations
        [B, T_text]`` (frames) replaces the predicted ones — to compare with a
        recording frame by frame.
        """
        cfg = self.config
        n_steps = validate_n_steps(cfg.n_steps if n_steps is None else n_steps)
        temperature = validate_temperature(cfg.temperature if temperature is None else temperature)
        length_scale = check_length_scale(length_scale)
        tokens, token_lengths = as_batch(tokens, token_lengths)
        generator = seeded(seed)
        speaker = self._speaker_vector(speakers, tokens.shape[0], tokens.device)

        enc = self.encoder(tokens, token_lengths)
        if durations is None:
            durations = durations_from_log(enc.log_duration, enc.mask, length_scale)  # [B, T_text]
        plan = plan_frames(durations.reshape(enc.mask[:, 0].shape), enc.mask)
        mu_y = plan.expand(enc.prior_mean)  # [B, F, T_mel]

        result = self.decoder.sample(mu_y, plan.mask, n_steps, temperature, stochastic, generator, speaker,
                                     return_trajectory)
        return SynthesisOutput(mel=result.sample, mel_lengths=plan.lengths, prior_mean=mu_y,
                             durations=plan.durations.long(), trajectory=result.trajectory, times=result.times)
