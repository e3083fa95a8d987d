"""Glow-TTS (Kim, Kim, Kong, Yoon; NeurIPS 2020): a flow-based TTS trained by exact likelihood.

Glossary (paper -> code): text encoder f_enc -> ``encoder.text_encoder``; μ, σ ->
``prior_mean``, ``prior_log_std``; flow decoder f_dec -> ``decoder``; alignment A ->
``alignment [B, T_text, T_mel]``; durations d -> ``durations``.

Training (Algorithm 1 of the paper): encode the text into per-token Gaussians,
run the mel through the flow to latents ``z`` (keeping ``log|det|``), find the
most likely monotonic alignment of ``z`` to the tokens with MAS (no gradient),
and maximise ``log N(z; μ_A, σ_A) + log|det|``. The duration predictor learns
``log d`` from the alignment on the detached encoder output.

Synthesis: predict durations, expand the means to frames, sample
``z = μ + σ·ε·noise_scale`` and run the flow in reverse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from course_lib.alignment import (
    check_length_scale,
    durations_from_log,
    expand_to_frames,
    maximum_likelihood_path,
    plan_frames,
)
from course_lib.distributions import reparameterize
from course_lib.models.glow_tts.config import GlowTTSConfig
from course_lib.models.contract import (NO_PITCH, SynthesisOptions, SynthesisResult, check_options, evaluating,
                                        seeded, settings_for)
from course_lib.models.glow_tts.decoder import FlowDecoder
from course_lib.nn.duration import DurationPredictor, duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask
from course_lib.nn.text_encoder import TextEncoder


@dataclass
class EncoderOutput:
    """Per-token prior ``[B, n_mels, T_text]`` (mean, log-σ), ``log_duration [B, 1, T_text]``, ``mask [B, 1, T_text]``."""

    prior_mean: torch.Tensor
    prior_log_std: torch.Tensor
    log_duration: torch.Tensor
    mask: torch.Tensor


@dataclass
class GlowTTSOutput:
    """What one training forward pass produces (frame-level tensors are ``[B, C, T_mel]``)."""

    z: torch.Tensor
    mel_mask: torch.Tensor
    frame_prior_mean: torch.Tensor
    frame_prior_log_std: torch.Tensor
    log_det: torch.Tensor  # [B]
    log_duration_pred: torch.Tensor  # [B, 1, T_text]
    log_duration_target: torch.Tensor  # [B, 1, T_text]
    text_mask: torch.Tensor
    alignment: torch.Tensor  # [B, T_text, T_mel]


@dataclass
class GlowTTSLosses:
    mle: torch.Tensor
    duration: torch.Tensor
    total: torch.Tensor


@dataclass
class SynthesisOutput:
    """``mel [B, n_mels, T_mel]`` (zero beyond ``mel_lengths``), ``durations [B, T_text]``, ``alignment``."""

    mel: torch.Tensor
    mel_lengths: torch.Tensor
    durations: torch.Tensor
    alignment: torch.Tensor


def mle_loss(
    z: torch.Tensor, prior_mean: torch.Tensor, prior_log_std: torch.Tensor, log_det: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Negative log-likelihood of the mel per element (nats), Glow-TTS eq. 3 with the change of variables.

    ``-log p(x) = -log N(z; μ, σ) - log|det ∂z/∂x|``, summed over real frames and
    channels, divided by their number. ``z``, ``prior_*`` ``[B, C, T]``; ``log_det [B]``.
    """
    n_elements = (torch.ones_like(z) * mask).sum()
    gaussian = (prior_log_std * mask).sum() + 0.5 * (torch.exp(-2 * prior_log_std) * (z - prior_mean) ** 2 * mask).sum()
    return (gaussian - log_det.sum()) / n_elements + 0.5 * math.log(2 * math.pi)


class GlowTTSEncoder(nn.Module):
    """Text encoder + duration predictor (on the detached encoder output)."""

    def __init__(self, config: GlowTTSConfig) -> None:
        super().__init__()
        self.text_encoder = TextEncoder(config.text_encoder_config())
        speaker_channels = config.speaker_channels if config.speaker_conditioned else 0
        self.duration_predictor = DurationPredictor(
            config.encoder_channels + speaker_channels,
            config.duration_filter_channels,
            config.duration_kernel_size,
            config.duration_dropout,
        )

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor, speaker_cond: torch.Tensor | None = None) -> EncoderOutput:
        """``tokens [B, T_text]``, ``lengths [B]``, ``speaker_cond [B, G, 1]`` or None."""
        out = self.text_encoder(tokens, lengths)
        dp_input = out.hidden.detach()  # detached: the duration loss must not shape the prior
        if speaker_cond is not None:
            dp_input = torch.cat([dp_input, speaker_cond.expand(-1, -1, dp_input.shape[-1])], dim=1)
        log_duration = self.duration_predictor(dp_input, out.mask)
        return EncoderOutput(out.prior_mean, out.prior_log_std, log_duration, out.mask)


class GlowTTS(nn.Module):
    """Top-level parts: ``encoder`` (incl. duration predictor), ``decoder`` (flow), ``speaker_embedding`` if multi-speaker."""

    def __init__(self, config: GlowTTSConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = GlowTTSEncoder(config)
        self.decoder = FlowDecoder(config)
        if config.speaker_conditioned:
            self.speaker_embedding = nn.Embedding(config.n_speakers, config.speaker_channels)
            nn.init.uniform_(self.speaker_embedding.weight, -0.1, 0.1)

    def _speaker_cond(self, speakers: torch.Tensor | None, batch: int) -> torch.Tensor | None:
        if not self.config.speaker_conditioned:
            return None
        if speakers is None:
            raise ValueError(f"this model has {self.config.n_speakers} speakers: pass speakers [B] (ids)")
        if int(speakers.max()) >= self.config.n_speakers or int(speakers.min()) < 0:
            raise ValueError(f"speaker id out of range [0, {self.config.n_speakers})")
        return self.speaker_embedding(speakers.view(batch)).unsqueeze(-1)  # [B, G, 1]

    def forward(
        self,
        tokens: torch.Tensor,
        token_lengths: torch.Tensor,
        mels: torch.Tensor,
        mel_lengths: torch.Tensor,
        speakers: torch.Tensor | None = None,
    ) -> GlowTTSOutput:
        """Training pass. ``tokens [B, T_text]``, ``mels [B, n_mels, T_mel]``; lengths ``[B]``."""
        sq = self.config.n_squeeze
        # the decoder squeezes pairs of frames: drop an odd last frame
        mel_lengths = torch.div(mel_lengths, sq, rounding_mode="floor") * sq
        mels = mels[:, :, : (mels.shape[-1] // sq) * sq]
        speaker_cond = self._speaker_cond(speakers, tokens.shape[0])

        # 1. text -> per-token Gaussians, and predicted log-durations
        enc = self.encoder(tokens, token_lengths, speaker_cond)
        # 2. mel -> latent through the flow
        mel_mask = sequence_mask(mel_lengths, mels.shape[-1]).to(mels.dtype)
        flow = self.decoder(mels, mel_mask, cond=speaker_cond)
        # 3. the most likely monotonic alignment of latents to tokens (no gradient through the search;
        #    float32 even under mixed precision: near-ties in bf16 would pick a different path)
        alignment = maximum_likelihood_path(flow.z, enc.prior_mean, enc.prior_log_std, enc.mask, mel_mask)
        # 4. priors per frame, and the durations the predictor should learn
        durations = alignment.sum(-1).unsqueeze(1)  # [B, 1, T_text]
        return GlowTTSOutput(
            z=flow.z,
            mel_mask=mel_mask,
            frame_prior_mean=expand_to_frames(enc.prior_mean, alignment),
            frame_prior_log_std=expand_to_frames(enc.prior_log_std, alignment),
            log_det=flow.log_det,
            log_duration_pred=enc.log_duration,
            log_duration_target=log_duration_target(durations, enc.mask),
            text_mask=enc.mask,
            alignment=alignment,
        )

    @staticmethod
    def losses(out: GlowTTSOutput) -> GlowTTSLosses:
        """MLE (nats per mel element) + duration MSE; summed in float32 even under mixed precision."""
        mle = mle_loss(out.z.float(), out.frame_prior_mean.float(), out.frame_prior_log_std.float(),
                       out.log_det.float(), out.mel_mask.float())
        dur = duration_loss(out.log_duration_pred.float(), out.log_duration_target.float(), out.text_mask.float())
        return GlowTTSLosses(mle=mle, duration=dur, total=mle + dur)

    @torch.no_grad()
    def data_dependent_init(self, tokens, token_lengths, mels, mel_lengths, speakers=None) -> None:
        """Initialise every ActNorm from one batch (Glow-TTS ``init.py``); later calls change nothing."""
        self.forward(tokens, token_lengths, mels, mel_lengths, speakers)

    @torch.no_grad()
    def infer(
        self,
        tokens: torch.Tensor,
        token_lengths: torch.Tensor,
        noise_scale: float | None = None,
        length_scale: float | None = None,
        speakers: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        durations: torch.Tensor | None = None,
    ) -> SynthesisOutput:
        """Batch synthesis: ``tokens [B, T_text]`` -> :class:`SynthesisOutput` with ``mel [B, n_mels, T_mel]``.

        ``durations [B, T_text]`` (frames per token) replaces the predicted ones when
        given — e.g. the corpus's true durations, to hear the decoder alone.
        """
        cfg = self.config
        noise_scale = cfg.noise_scale if noise_scale is None else float(noise_scale)
        length_scale = check_length_scale(cfg.length_scale if length_scale is None else length_scale)
        if not noise_scale >= 0:
            raise ValueError(f"noise_scale (temperature) must be >= 0 (0 = the mean voice; {cfg.noise_scale} default), "
                             f"got {noise_scale}")
        speaker_cond = self._speaker_cond(speakers, tokens.shape[0])

        enc = self.encoder(tokens, token_lengths, speaker_cond)
        if durations is None:
            durations = durations_from_log(enc.log_duration, enc.mask, length_scale)       # [B, T_text]
        plan = plan_frames(durations, enc.mask, cfg.max_frames, multiple=cfg.n_squeeze)
        z = reparameterize(plan.expand(enc.prior_mean), plan.expand(enc.prior_log_std), noise_scale, generator)
        mel = self.decoder(z * plan.mask, plan.mask, cond=speaker_cond, reverse=True).z
        return SynthesisOutput(mel=mel, mel_lengths=plan.lengths, durations=plan.durations, alignment=plan.path)

    # ------------------------------------------------------------------ the course contract
    REFUSED = {"noise_scale_w": "its duration predictor is deterministic", "n_steps": "it decodes in one pass",
               "speaker": "it was trained on a single speaker", "pitch_shift": NO_PITCH}

    @property
    def knobs(self) -> frozenset[str]:
        """The synthesis knobs this model takes (``course_lib.models.contract``)."""
        speaker = {"speaker"} if self.config.speaker_conditioned else set()
        return frozenset({"noise_scale", "length_scale", "seed"} | speaker)

    def _speakers(self, speaker: int | None, device) -> torch.Tensor | None:
        return None if speaker is None else torch.tensor([speaker], device=device)

    def generate(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> SynthesisResult:
        """``tokens [T_text]`` → mel and durations (the course contract)."""
        options = check_options(options, self.knobs, "Glow-TTS", self.REFUSED)
        settings = settings_for(options, self.knobs, noise_scale=self.config.noise_scale,
                                length_scale=self.config.length_scale)
        device = next(self.parameters()).device
        tokens = tokens.reshape(1, -1).to(device)
        with evaluating(self):
            out = self.infer(tokens, torch.tensor([tokens.shape[1]], device=device), settings["noise_scale"],
                             settings["length_scale"], self._speakers(settings.get("speaker"), device),
                             seeded(settings["seed"]))
        return SynthesisResult(mel=out.mel[0, :, : int(out.mel_lengths[0])], durations=out.durations[0],
                               settings=settings)

    def predicted_durations(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token from the duration predictor, before rounding (length scale applied)."""
        options = check_options(options, self.knobs, "Glow-TTS", self.REFUSED)
        length_scale = self.config.length_scale if options.length_scale is None else options.length_scale
        with evaluating(self):
            speaker_cond = self._speaker_cond(self._speakers(options.speaker, tokens.device), 1)
            enc = self.encoder(tokens[None], torch.tensor([tokens.shape[-1]]), speaker_cond)
        return enc.log_duration[0, 0].exp() * length_scale

    def own_alignment(self, tokens: torch.Tensor, mel: torch.Tensor, wave: torch.Tensor | None = None,
                      speaker: int | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token that MAS finds for the recording ``mel [80, T]``."""
        with evaluating(self):
            out = self(tokens[None], torch.tensor([tokens.shape[-1]]), mel[None], torch.tensor([mel.shape[-1]]),
                       self._speakers(speaker, mel.device))
        return out.alignment[0].sum(-1)

    @torch.no_grad()
    def synthesize(
        self,
        tokens,
        noise_scale: float | None = None,
        length_scale: float = 1.0,
        seed: int | None = None,
        speaker: int | None = None,
    ) -> torch.Tensor:
        """One utterance: token ids (list, ``[T_text]`` or ``[1, T_text]``) -> log-mel ``[n_mels, T_mel]``.

        ``noise_scale`` is the temperature of the latent (default: the config's; the paper
        preferred 0.333); ``seed`` makes the sample repeatable.
        """
        device = next(self.parameters()).device
        tokens = torch.as_tensor(tokens, dtype=torch.long, device=device).reshape(1, -1)
        if tokens.shape[1] == 0:
            raise ValueError("no tokens to synthesize: the text produced an empty token sequence")
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        speakers = torch.tensor([speaker], device=device) if speaker is not None else None
        was_training = self.training
        self.eval()
        try:
            out = self.infer(
                tokens, torch.tensor([tokens.shape[1]], device=device), noise_scale, length_scale, speakers, generator
            )
        finally:
            self.train(was_training)
        return out.mel[0, :, : int(out.mel_lengths[0])]
