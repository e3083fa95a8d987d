"""Diff-TTS model: text encoder + duration predictor + length regulator + DDPM decoder.

Training (:meth:`DiffTTS.forward`): encode → duration loss against the **true**
durations (log domain) → expand the text representation with those durations
(length regulator) → ``x_t = q_sample(y, ε, ᾱ_t)`` at a uniform step → predict
``ε`` → ``L_simple``. Inference (:meth:`DiffTTS.synthesize`): predicted
durations → expanded text → ancestral sampling from ``N(0, I)`` over all 400
steps (γ = 1) or the skip-γ walk → mel.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from course_lib.alignment import (check_length_scale, durations_from_log, expand_to_frames, path_from_durations,
                                  plan_frames, random_windows)
from course_lib.diffusion import accelerated_sample, epsilon_loss, per_item_alpha_bar, q_sample, sample_steps
from course_lib.distributions import gaussian, gaussian_like
from course_lib.models.diff_tts.config import DiffTTSConfig
from course_lib.models.contract import (NO_PITCH, DiffusionSynthesis, SynthesisOptions, SynthesisResult, as_batch,
                                        check_options, evaluating, seeded, settings_for)
from course_lib.models.diff_tts.denoiser import NoisePredictor
from course_lib.nn.duration import DurationPredictor, duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask
from course_lib.nn.text_encoder import TextEncoder


def normalize_mel(mel: torch.Tensor, config: DiffTTSConfig) -> torch.Tensor:
    """Log-mel → roughly [-1, 1] (silence at -1), the scale the N(0, I) end of the diffusion expects."""
    return 2.0 * (mel - config.mel_min) / (config.mel_max - config.mel_min) - 1.0


def denormalize_mel(y: torch.Tensor, config: DiffTTSConfig) -> torch.Tensor:
    """Inverse of :func:`normalize_mel`."""
    return (y + 1.0) / 2.0 * (config.mel_max - config.mel_min) + config.mel_min


def steps_for_gamma(n_diffusion_steps: int, gamma: int) -> int:
    """How many network calls the skip-γ walk makes: ``(T−1)/γ + 1``."""
    return (n_diffusion_steps - 1) // gamma + 1


def gamma_for_steps(n_diffusion_steps: int, n_steps: int) -> int:
    """The γ whose walk makes exactly ``n_steps`` calls (inverse of :func:`steps_for_gamma`)."""
    last = n_diffusion_steps - 1
    if n_steps >= 2 and last % (n_steps - 1) == 0:
        return last // (n_steps - 1)
    if n_steps == 1 and last == 0:
        return 1
    valid = sorted({steps_for_gamma(n_diffusion_steps, g) for g in range(1, last + 1) if last % g == 0})
    raise ValueError(f"{n_steps} reverse steps is not a skip-γ walk of a {n_diffusion_steps}-step schedule; "
                     f"choose one of {valid} (γ = {last}/(steps−1))")


@dataclass(frozen=True)
class DiffTTSLosses:
    """``duration`` (log-domain MSE) and ``diffusion`` (ε-MSE) losses."""

    duration: torch.Tensor
    diffusion: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        return self.duration + self.diffusion


@dataclass(frozen=True)
class SynthesisOutput(DiffusionSynthesis):
    """What synthesis (:meth:`DiffTTS.synthesize`) returns; its walk starts from N(0, I)."""


class DiffTTSEncoder(nn.Module):
    """Tokens → text features ``[B, C_text, T_text]`` (no prior: Diff-TTS starts from N(0, I)) and log-durations
    ``[B, 1, T_text]``."""

    def __init__(self, config: DiffTTSConfig) -> None:
        super().__init__()
        self.text_encoder = TextEncoder(config.text_encoder_config())
        self.duration_predictor = DurationPredictor(config.encoder_channels, config.duration_filter_channels,
                                                    config.duration_kernel_size, config.duration_dropout)

    def forward(self, tokens: torch.Tensor, token_lengths: torch.Tensor):
        """``(text_features [B, C_text, T_text], log_duration [B, 1, T_text], mask [B, 1, T_text])``."""
        encoded = self.text_encoder(tokens, token_lengths)
        # the shared encoder's 1×1 output, a prior mean in Glow-TTS/Grad-TTS/VITS: here only text features
        text_features = encoded.prior_mean
        # detached, as in Glow-TTS/Grad-TTS: durations are learnt on top of the text features
        log_duration = self.duration_predictor(encoded.hidden.detach(), encoded.mask)
        return text_features, log_duration, encoded.mask


class DiffTTS(nn.Module):
    """Top-level children: ``encoder`` (text encoder + duration predictor) and ``decoder`` (noise predictor).

    Unlike Glow-TTS, the CVAE and VITS, whose ``forward`` returns the training pass's tensors
    (``<Model>Output``) for a separate ``losses``, ``forward`` here returns the losses themselves
    (:class:`DiffTTSLosses`): the ε-loss draws its own window, step and noise inside the pass.
    """

    def __init__(self, config: DiffTTSConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = DiffTTSEncoder(config)
        self.decoder = NoisePredictor(config.n_mels, config.text_channels, config.residual_channels,
                                      config.residual_layers, config.residual_kernel_size, config.dilation_cycle,
                                      config.step_sinusoid_dim, config.step_dim)
        # computed in float64, kept in float32 so the model moves to any device (MPS has no float64)
        self.register_buffer("alpha_bars", config.alpha_bars().float(), persistent=False)

    def predict_noise(self, x_t: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor,
                      step: torch.Tensor) -> torch.Tensor:
        """``ε̂ = √(1 − ᾱ_t) · x_t + decoder(x_t, t, c)`` — ``[B, F, T]``.

        The skip term is the answer for pure noise (``ᾱ_t → 0`` gives ``x_t = ε``), so the
        network learns only a correction, mostly at small t where the mel matters. It adds no
        parameters and the objective is still L_simple; without it our tiny decoder spent
        thousands of steps learning to copy its input (ε-MSE 0.29 at t = T−1 after 1,500).
        """
        skip = (1.0 - self.alpha_bars[step]).sqrt()[:, None, None]          # [B, 1, 1]
        return (skip * x_t + self.decoder(x_t, mask, cond, step)) * mask

    def forward(self, tokens: torch.Tensor, token_lengths: torch.Tensor, mels: torch.Tensor,
                mel_lengths: torch.Tensor, durations: torch.Tensor,
                generator: torch.Generator | None = None) -> DiffTTSLosses:
        """Training losses. ``durations [B, T_text]``: true frames per token (sum = mel length)."""
        cfg = self.config
        if durations is None:
            raise ValueError("Diff-TTS trains on known durations (the built-in corpus stores them); "
                             "this batch has none — use a corpus with durations")
        text_features, log_duration, text_mask = self.encoder(tokens, token_lengths)
        mel_mask = sequence_mask(mel_lengths, mels.shape[-1]).to(mels.dtype)
        # 1. durations: regress log-frames per token
        dur_loss = duration_loss(log_duration, log_duration_target(durations[:, None], text_mask), text_mask)
        # 2. length regulator with the true durations
        path = path_from_durations(durations.to(mels.dtype), text_mask, mel_mask)  # [B, T_text, T_mel]
        cond = expand_to_frames(text_features, path)  # [B, C_text, T_mel]
        # 3. L_simple (Ho et al. 2020, Algorithm 1), on random windows if the config asks for them
        y = normalize_mel(mels, cfg) * mel_mask
        if cfg.segment_frames is not None:
            windows = random_windows(y, path, mel_lengths, cfg.segment_frames, generator)
            y, mel_mask, cond = windows.y, windows.mask, expand_to_frames(text_features, windows.path)
        step = sample_steps(y.shape[0], cfg.n_diffusion_steps, generator, y.device)
        noise = gaussian_like(y, generator) * mel_mask
        x_t = q_sample(y, noise, per_item_alpha_bar(self.alpha_bars, step, y)) * mel_mask
        predicted = self.predict_noise(x_t, mel_mask, cond, step)
        return DiffTTSLosses(duration=dur_loss, diffusion=epsilon_loss(predicted, noise, mel_mask))

    # ------------------------------------------------------------------ the course contract
    REFUSED = {"noise_scale": "its sampler starts from N(0, I), not from a prior with a scale",
               "noise_scale_w": "its duration predictor is deterministic", "speaker": "it has a single speaker",
               "pitch_shift": NO_PITCH}
    knobs = frozenset({"length_scale", "n_steps", "seed"})

    def generate(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> SynthesisResult:
        """``tokens [T_text]`` → mel and durations (the course contract). ``n_steps`` counts the network calls of
        the skip-γ walk (400, 134, 58, 20, 8, …: :func:`gamma_for_steps`)."""
        options = check_options(options, self.knobs, "Diff-TTS", self.REFUSED)
        cfg = self.config
        settings = settings_for(options, self.knobs, length_scale=1.0,
                                n_steps=steps_for_gamma(cfg.n_diffusion_steps, cfg.gamma))
        gamma = gamma_for_steps(cfg.n_diffusion_steps, settings["n_steps"])
        device = next(self.parameters()).device
        with evaluating(self):
            out = self.synthesize(tokens.reshape(1, -1).to(device), gamma=gamma,
                                  length_scale=settings["length_scale"], seed=settings["seed"])
        return SynthesisResult(mel=out.mel[0, :, : int(out.mel_lengths[0])], durations=out.durations[0],
                               settings=settings)

    def predicted_durations(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token from the duration predictor, before rounding (length scale applied)."""
        options = check_options(options, self.knobs, "Diff-TTS", self.REFUSED)
        with evaluating(self):
            log_duration = self.encoder(tokens[None], torch.tensor([tokens.shape[-1]]))[1]
        return log_duration[0, 0].exp() * (1.0 if options.length_scale is None else options.length_scale)

    def own_alignment(self, tokens: torch.Tensor, mel: torch.Tensor, wave: torch.Tensor | None = None,
                      speaker: int | None = None) -> None:
        """None: Diff-TTS trains on given durations and has no alignment search of its own."""
        return None

    @torch.no_grad()
    def synthesize(self, tokens: torch.Tensor, token_lengths: torch.Tensor | None = None, gamma: int | None = None,
                   length_scale: float = 1.0, seed: int | None = None, method: str = "ancestral",
                   return_trajectory: bool = False, durations: torch.Tensor | None = None) -> SynthesisOutput:
        """Tokens → log-mel with the skip-γ walk (γ = 1: all 400 steps). ``method="ddim"`` is deterministic.
        ``durations [B, T_text]`` (frames) replaces the predicted ones."""
        cfg = self.config
        gamma = cfg.gamma if gamma is None else gamma
        length_scale = check_length_scale(length_scale)
        tokens, token_lengths = as_batch(tokens, token_lengths)
        generator = seeded(seed)

        text_features, log_duration, text_mask = self.encoder(tokens, token_lengths)
        if durations is None:
            durations = durations_from_log(log_duration, text_mask, length_scale)  # [B, T_text]
        plan = plan_frames(durations.reshape(text_mask[:, 0].shape), text_mask)
        mel_lengths, mel_mask = plan.lengths, plan.mask
        cond = plan.expand(text_features)
        start = gaussian((cond.shape[0], cfg.n_mels, cond.shape[-1]), cond, generator)

        def predict_noise(x_t: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
            return self.predict_noise(x_t, mel_mask, cond, step)

        result = accelerated_sample(predict_noise, start, self.alpha_bars, gamma, method=method,
                                    generator=generator, mask=mel_mask, return_trajectory=return_trajectory,
                                    x0_range=(-1.0, 1.0) if cfg.clip_denoised else None)
        return SynthesisOutput(mel=denormalize_mel(result.sample, cfg) * mel_mask, mel_lengths=mel_lengths,
                             durations=plan.durations.long(),
                             trajectory=[denormalize_mel(y, cfg) * mel_mask for y in result.trajectory],
                             times=result.times)
