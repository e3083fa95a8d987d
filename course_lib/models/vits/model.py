"""VITS (Kim, Kong, Son; ICML 2021): a conditional VAE with a flow prior and a GAN decoder, text → waveform.

Glossary (paper / official code → this module): text encoder ``enc_p`` →
``text_encoder``; posterior encoder ``enc_q`` → ``posterior_encoder``; flow ``f_θ`` →
``flow``; decoder ``dec`` (generator ``G``) → ``decoder``; duration predictor ``dp`` →
``duration_predictor``; speaker embedding ``emb_g`` → ``speaker_embedding``; ``m_p, logs_p`` →
``prior_mean``, ``prior_log_std``; ``m_q, logs_q`` → ``posterior_mean``, ``posterior_log_std``;
``attn`` → ``alignment [B, T_text, T_frames]``; ``w`` → ``durations``; ``ids_slice`` →
``window_starts``; ``g`` → ``speaker_cond [B, G, 1]``.

Training pass (:meth:`VITS.forward`), in the order of the official ``SynthesizerTrn.forward``:

1. text → per-token prior ``N(μ_p, σ_p)``; linear spectrogram → posterior sample ``z``;
2. ``z_p = f(z)``: the posterior sample mapped into the prior's space;
3. MAS on ``log N(z_p; μ_p, σ_p)`` (no gradient) → alignment, durations; the duration
   predictor's loss on them; the prior expanded to frames (for the KL);
4. a random ``segment_frames`` window of ``z`` decoded to a waveform window.

Inference (:meth:`VITS.infer`): durations from the predictor, the prior expanded to
frames and sampled with ``noise_scale``, the flow reversed, the decoder. Voice conversion
(:meth:`VITS.voice_conversion`): posterior of speaker A → flow with A → reverse flow with
B → decoder with B.
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
    random_windows,
)
from course_lib.audio import HOP_LENGTH, linear_spectrogram, mel_spectrogram
from course_lib.distributions import gaussian_frame_major
from course_lib.models.contract import (SynthesisOptions, SynthesisResult, check_options, evaluating, seeded,
                                        settings_for)
from course_lib.models.waveform.generator import build_generator
from course_lib.models.vits.config import VITSConfig
from course_lib.models.vits.duration import DeterministicDurationPredictor, StochasticDurationPredictor
from course_lib.models.vits.flow import PriorFlow
from course_lib.models.vits.losses import duration_loss, kl_divergence
from course_lib.models.vits.posterior import PosteriorEncoder
from course_lib.models.vits.source_filter import PitchLosses, PitchPredictor, SourceFilterDecoder
from course_lib.nn.masks import sequence_mask
from course_lib.nn.text_encoder import TextEncoder
from course_lib.nn.wavenet import remove_weight_norm_everywhere


@dataclass
class VITSOutput:
    """One training pass. Frame-level tensors are ``[B, C_z, T_frames]``, masks ``[B, 1, T]``."""

    z: torch.Tensor                    # posterior sample
    z_p: torch.Tensor                  # f(z), in the prior's space
    posterior_mean: torch.Tensor
    posterior_log_std: torch.Tensor
    frame_prior_mean: torch.Tensor     # text prior expanded to frames by the alignment
    frame_prior_log_std: torch.Tensor
    spec_mask: torch.Tensor            # [B, 1, T_frames]
    text_mask: torch.Tensor            # [B, 1, T_text]
    alignment: torch.Tensor            # [B, T_text, T_frames], from MAS
    durations: torch.Tensor            # [B, 1, T_text] frames per token: the duration predictor's target
    duration_loss_terms: torch.Tensor  # [B]: the duration predictor's loss per utterance
    # the waveform decoder: one random window per utterance
    wave: torch.Tensor | None = None           # [B, 1, segment_size]: the decoded windows
    window_starts: torch.Tensor | None = None  # [B]: first latent frame of each window (first sample = start·hop)
    window_mask: torch.Tensor | None = None    # [B, 1, segment_frames]: 0 where a window runs past its utterance
    # the source-filter decoder (config.decoder.source_filter): every frame, and the pitch predictor's losses
    log_magnitude: torch.Tensor | None = None  # [B, 513, T_frames]: the decoded |STFT|, as a log
    pitch_losses: PitchLosses | None = None


@dataclass
class LatentLosses:
    """The two losses of a pass that need no discriminator: ``kl`` (nats per frame) and ``duration`` (per token)."""

    kl: torch.Tensor
    duration: torch.Tensor


@dataclass
class SynthesisOutput:
    """``wave [B, 1, N]`` (zero beyond ``wave_lengths [B]``), ``durations [B, T_text]`` frames, ``alignment``;
    with a source-filter decoder also the pitch it spoke at, ``f0 [B, T_frames]`` (Hz, 0 = unvoiced)."""

    wave: torch.Tensor
    wave_lengths: torch.Tensor
    durations: torch.Tensor
    alignment: torch.Tensor
    f0: torch.Tensor | None = None


def _phase_seed(generator: torch.Generator | None) -> int:
    """The seed of the unvoiced frames' random phases: drawn from ``generator`` (0 without one)."""
    return 0 if generator is None else int(torch.randint(2**31 - 1, (1,), generator=generator))


def _check_knob(name: str, value: float, hint: str) -> float:
    value = float(value)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0 ({hint}), got {value}")
    return value


class VITS(nn.Module):
    """The VITS generator side; top-level parts as in the glossary (``speaker_embedding`` only if multi-speaker).

    The discriminator is separate: :class:`~course_lib.models.vits.discriminator.VITSDiscriminator`.
    """

    def __init__(self, config: VITSConfig) -> None:
        super().__init__()
        self.config = config
        cfg, speaker_channels = config, config.speaker_channels
        self.text_encoder = TextEncoder(cfg.text_encoder_config())
        source_filter = cfg.decoder.source_filter
        if source_filter is None:
            self.decoder = build_generator(cfg.generator_config())
        else:
            self.decoder = SourceFilterDecoder(source_filter, cfg.latent_channels, speaker_channels)
            self.pitch_predictor = PitchPredictor(source_filter, cfg.encoder_channels, speaker_channels)
            # each speaker's log-F0 summed over its voiced training frames, and their count: the range voice
            # conversion moves a source's intonation into
            self.register_buffer("speaker_log_f0_sum", torch.zeros(cfg.n_speakers, dtype=torch.float64))
            self.register_buffer("speaker_voiced_frames", torch.zeros(cfg.n_speakers, dtype=torch.float64))
        post = cfg.posterior
        self.posterior_encoder = PosteriorEncoder(cfg.spec_channels, cfg.latent_channels, post.hidden_channels,
                                                  post.kernel_size, post.dilation_rate, post.n_layers, speaker_channels)
        flow = cfg.flow
        self.flow = PriorFlow(cfg.latent_channels, flow.hidden_channels, flow.kernel_size, flow.dilation_rate,
                              flow.n_layers, flow.n_flows, speaker_channels)
        dur = cfg.duration
        if dur.stochastic:
            self.duration_predictor = StochasticDurationPredictor(
                cfg.encoder_channels, dur.kernel_size, dur.dropout, dur.n_flows, dur.n_posterior_flows,
                dur.dds_layers, dur.num_bins, dur.tail_bound, speaker_channels)
        else:
            self.duration_predictor = DeterministicDurationPredictor(
                cfg.encoder_channels, dur.filter_channels, dur.kernel_size, dur.dropout, speaker_channels)
        if cfg.speaker_conditioned:
            self.speaker_embedding = nn.Embedding(cfg.n_speakers, speaker_channels)  # N(0, 1) init, as official

    # ------------------------------------------------------------------ speakers
    def _speaker_cond(self, speakers: torch.Tensor | int | None, batch: int) -> torch.Tensor | None:
        """Speaker ids (``[B]``, or one int for the whole batch) → ``[B, G, 1]``; None for a single-speaker model."""
        n = self.config.n_speakers
        if not self.config.speaker_conditioned:
            if speakers is not None:
                raise ValueError("this VITS has a single speaker: drop the speaker argument, or train a "
                                 "multi-speaker config such as VITSConfig.vctk()")
            return None
        if speakers is None:
            raise ValueError(f"this VITS has {n} speakers: pass a speaker id in 0 … {n - 1}")
        device = self.speaker_embedding.weight.device
        ids = torch.as_tensor(speakers, dtype=torch.long, device=device).reshape(-1)
        if ids.numel() == 1:
            ids = ids.expand(batch)
        if ids.numel() != batch:
            raise ValueError(f"got {ids.numel()} speaker ids for a batch of {batch}: give one id, or one per utterance")
        if int(ids.min()) < 0 or int(ids.max()) >= n:
            bad = int(ids.min()) if int(ids.min()) < 0 else int(ids.max())
            raise ValueError(f"speaker id {bad} out of range: this model has {n} speakers, valid ids are 0 … {n - 1}")
        return self.speaker_embedding(ids).unsqueeze(-1)

    @property
    def has_pitch(self) -> bool:
        """Whether this VITS decodes with an explicit F0 (a source-filter decoder and a pitch predictor)."""
        return self.config.decoder.source_filter is not None

    def speaker_mean_log_f0(self, speakers: torch.Tensor | int | None) -> torch.Tensor:
        """``[B]`` mean log-F0 (natural log of Hz) of each speaker's voiced training frames."""
        if not self.has_pitch:
            raise ValueError("only a VITS with an explicit F0 (VITSConfig.tiny_multi_f0) keeps its speakers' pitch")
        ids = torch.as_tensor(0 if speakers is None else speakers, device=self.speaker_voiced_frames.device).reshape(-1)
        frames = self.speaker_voiced_frames[ids]
        if bool((frames == 0).any()):
            raise ValueError(f"speaker {int(ids[frames == 0][0])} has no voiced training frames: its pitch range is "
                             "unknown (convert from and to voices the model was trained on)")
        return (self.speaker_log_f0_sum[ids] / frames).float()

    def _count_speaker_pitch(self, f0: torch.Tensor, voiced: torch.Tensor, speakers: torch.Tensor | int | None) -> None:
        ids = torch.as_tensor(0 if speakers is None else speakers, device=f0.device).reshape(-1).expand(f0.shape[0])
        log_f0 = torch.where(voiced, torch.log(f0.clamp_min(1.0)), torch.zeros_like(f0)).sum(-1)
        self.speaker_log_f0_sum.index_add_(0, ids, log_f0.double())
        self.speaker_voiced_frames.index_add_(0, ids, voiced.sum(-1).double())

    # ------------------------------------------------------------------ training
    def forward(self, tokens: torch.Tensor, token_lengths: torch.Tensor, spec: torch.Tensor,
                spec_lengths: torch.Tensor, speakers: torch.Tensor | int | None = None,
                generator: torch.Generator | None = None, f0: torch.Tensor | None = None) -> VITSOutput:
        """Training pass. ``tokens [B, T_text]``, ``spec [B, 513, T_frames]`` (linear magnitude), lengths ``[B]``.

        ``generator`` seeds the posterior sample, the duration predictor's noise and the
        window starts. A VITS with an explicit F0 (:attr:`has_pitch`) also takes the corpus's
        ``f0 [B, T_frames]`` (Hz, 0 = unvoiced): its decoder reads it and decodes every frame, and
        its pitch predictor learns it.
        """
        if self.has_pitch and (f0 is None or f0.shape != (spec.shape[0], spec.shape[-1])):
            got = "none" if f0 is None else f"shape {tuple(f0.shape)}"
            raise ValueError(f"this VITS decodes with an explicit F0: pass the corpus's f0 [B, T_frames] = "
                             f"{[spec.shape[0], spec.shape[-1]]} (course_lib.data.training_data(..., pitch=True)), "
                             f"got {got}")
        speaker_cond = self._speaker_cond(speakers, tokens.shape[0])
        # 1. the text prior per token, and a posterior sample per frame
        prior = self.text_encoder(tokens, token_lengths)
        post = self.posterior_encoder(spec, spec_lengths, speaker_cond, generator)
        # 2. the posterior sample in the prior's space (log|det| = 0: mean-only couplings)
        z_p = self.flow(post.z, post.mask, cond=speaker_cond).z
        # 3. alignment by MAS on the prior log-likelihood of z_p: no gradient, float32 even under autocast
        alignment = maximum_likelihood_path(z_p, prior.prior_mean, prior.prior_log_std, prior.mask, post.mask)
        durations = alignment.sum(-1).unsqueeze(1)  # [B, 1, T_text]
        duration_terms = self.duration_predictor.loss_terms(prior.hidden, prior.mask, durations, speaker_cond,
                                                            generator)
        decoded = {}
        if self.has_pitch:
            # 4. decode every frame at the corpus's pitch; the pitch predictor learns that pitch from the text
            voiced = (f0 > 0) & (post.mask[:, 0] > 0)
            decoded["log_magnitude"] = self.decoder.log_magnitude(post.z, f0, voiced, speaker_cond)
            decoded["pitch_losses"] = self.pitch_predictor.losses(expand_to_frames(prior.hidden, alignment),
                                                                  post.mask, f0, speaker_cond)
            if self.training:
                with torch.no_grad():
                    self._count_speaker_pitch(f0, voiced, speakers)
        else:
            # 4. decode one random window of z per utterance
            windows = random_windows(post.z, alignment, spec_lengths, self.config.segment_frames, generator)
            decoded = {"wave": self.decoder(windows.y, speaker_cond),  # [B, 1, segment_size]
                       "window_starts": windows.starts, "window_mask": windows.mask}
        return VITSOutput(
            **decoded,
            z=post.z,
            z_p=z_p,
            posterior_mean=post.mean,
            posterior_log_std=post.log_std,
            frame_prior_mean=expand_to_frames(prior.prior_mean, alignment),
            frame_prior_log_std=expand_to_frames(prior.prior_log_std, alignment),
            spec_mask=post.mask,
            text_mask=prior.mask,
            alignment=alignment,
            durations=durations,
            duration_loss_terms=duration_terms,
        )

    @staticmethod
    def latent_losses(out: VITSOutput) -> LatentLosses:
        """KL and duration loss of a pass (unweighted; the paper weights KL by ``kl_loss_weight`` = 1)."""
        kl = kl_divergence(out.z_p, out.posterior_log_std, out.frame_prior_mean, out.frame_prior_log_std,
                           out.spec_mask)
        return LatentLosses(kl=kl, duration=duration_loss(out.duration_loss_terms, out.text_mask))

    # ------------------------------------------------------------------ inference
    @torch.no_grad()
    def infer(self, tokens: torch.Tensor, lengths: torch.Tensor, noise_scale: float | None = None,
              noise_scale_w: float | None = None, length_scale: float = 1.0,
              speakers: torch.Tensor | int | None = None,
              generator: torch.Generator | None = None, pitch_shift: float = 1.0) -> SynthesisOutput:
        """Batched text → waveform: ``tokens [B, T_text]``, ``lengths [B]`` → :class:`SynthesisOutput`.

        ``noise_scale`` scales the prior sample (0 = its mean), ``noise_scale_w`` the
        duration predictor's noise (0 = its most likely rhythm), both defaulting to the config's;
        ``length_scale`` the durations (> 1 slower); ``pitch_shift`` the predicted F0 (a VITS with an explicit
        F0 only; 2 = an octave up). Call in eval mode (dropout off), as :meth:`synthesize` does.
        """
        cfg = self.config
        noise_scale = _check_knob("noise_scale", cfg.noise_scale if noise_scale is None else noise_scale,
                                  f"0 = the prior mean, {cfg.noise_scale} default")
        noise_scale_w = _check_knob("noise_scale_w", cfg.noise_scale_w if noise_scale_w is None else noise_scale_w,
                                    f"0 = no duration noise, {cfg.noise_scale_w} default")
        length_scale = check_length_scale(length_scale)
        pitch_shift = self._check_pitch_shift(pitch_shift)
        speaker_cond = self._speaker_cond(speakers, tokens.shape[0])
        prior = self.text_encoder(tokens, lengths)
        # 1. frames per token: exp of the sampled log-duration, scaled, rounded up
        log_durations = self.duration_predictor.sample_log_durations(prior.hidden, prior.mask, speaker_cond,
                                                                     noise_scale_w, generator)
        plan = plan_frames(durations_from_log(log_durations, prior.mask, length_scale), prior.mask,
                           self.config.max_frames, knobs="the length scale or the duration noise (noise_scale_w)")
        durations, lengths, frame_mask, alignment = plan.durations, plan.lengths, plan.mask, plan.path
        longest = frame_mask.shape[-1]
        # 2. a prior sample per frame, mapped back through the flow, decoded
        mean = plan.expand(prior.prior_mean)
        log_std = plan.expand(prior.prior_log_std)
        z_p = mean + gaussian_frame_major(mean, generator) * torch.exp(log_std) * noise_scale
        z = self.flow(z_p * frame_mask, frame_mask, cond=speaker_cond, reverse=True).z
        wave_lengths = lengths * HOP_LENGTH
        f0 = None
        if self.has_pitch:
            f0, voiced = self.pitch_predictor.predict(expand_to_frames(prior.hidden, alignment), frame_mask,
                                                      speaker_cond, pitch_shift)
            wave = self.decoder.wave(z * frame_mask, f0, voiced, speaker_cond, _phase_seed(generator))[:, None]
        else:
            wave = self.decoder(z * frame_mask, speaker_cond)
        wave = wave * sequence_mask(wave_lengths, longest * HOP_LENGTH)
        return SynthesisOutput(wave=wave, wave_lengths=wave_lengths, durations=durations, alignment=alignment, f0=f0)

    def _check_pitch_shift(self, pitch_shift: float) -> float:
        pitch_shift = float(pitch_shift)
        if not (pitch_shift > 0 and math.isfinite(pitch_shift)):
            raise ValueError(f"pitch_shift must be a finite number > 0 (1 = as predicted, 2 = an octave up), "
                             f"got {pitch_shift}")
        if pitch_shift != 1.0 and not self.has_pitch:
            raise ValueError("this VITS has no explicit F0 to shift (its decoder never sees the pitch): "
                             "use a VITS trained with VITSConfig.tiny_multi_f0")
        return pitch_shift

    @torch.no_grad()
    def voice_conversion(self, spec: torch.Tensor, lengths: torch.Tensor, source_speaker: torch.Tensor | int,
                         target_speaker: torch.Tensor | int, generator: torch.Generator | None = None,
                         f0: torch.Tensor | None = None) -> torch.Tensor:
        """Speaker A's linear spectrogram ``[B, 513, T]`` → the same speech in speaker B's voice ``[B, 1, T·hop]``.

        The flow with A's embedding removes A from the posterior sample (``z_p`` lives in
        the speaker-independent text prior's space); the reverse flow and decoder with B's
        embedding put B in. Zero beyond ``lengths · hop``. A VITS with an explicit F0 also takes
        the recording's pitch ``f0 [B, T]`` (Hz, 0 = unvoiced; :func:`course_lib.pitch.track_f0`):
        its intonation is kept, moved by the ratio of B's mean training pitch to A's.
        """
        if not self.config.speaker_conditioned:
            raise ValueError("voice conversion needs a multi-speaker VITS (e.g. VITSConfig.vctk()); "
                             "this one has a single speaker")
        source = self._speaker_cond(source_speaker, spec.shape[0])
        target = self._speaker_cond(target_speaker, spec.shape[0])
        post = self.posterior_encoder(spec, lengths, source, generator)
        z_p = self.flow(post.z, post.mask, cond=source).z
        z = self.flow(z_p, post.mask, cond=target, reverse=True).z
        if self.has_pitch:
            if f0 is None or f0.shape != (spec.shape[0], spec.shape[-1]):
                raise ValueError(f"this VITS converts with an explicit F0: pass the recording's f0 "
                                 f"{[spec.shape[0], spec.shape[-1]]} (course_lib.pitch.track_f0)")
            ratio = torch.exp(self.speaker_mean_log_f0(target_speaker) - self.speaker_mean_log_f0(source_speaker))
            voiced = (f0 > 0) & (post.mask[:, 0] > 0)
            f0 = torch.where(voiced, f0 * ratio.reshape(-1, 1).to(f0.device), torch.zeros_like(f0))
            wave = self.decoder.wave(z * post.mask, f0, voiced, target, _phase_seed(generator))[:, None]
        else:
            wave = self.decoder(z * post.mask, target)
        return wave * sequence_mask(lengths * HOP_LENGTH, wave.shape[-1])

    # ------------------------------------------------------------------ the course contract
    REFUSED = {"n_steps": "it decodes in one pass", "speaker": "it was trained on a single speaker",
               "pitch_shift": "its decoder never sees the pitch; a VITS trained with VITSConfig.tiny_multi_f0 has one"}

    @property
    def knobs(self) -> frozenset[str]:
        """The synthesis knobs this model takes (``course_lib.models.contract``)."""
        speaker = {"speaker"} if self.config.speaker_conditioned else set()
        pitch = {"pitch_shift"} if self.has_pitch else set()
        return frozenset({"noise_scale", "noise_scale_w", "length_scale", "seed"} | speaker | pitch)

    def generate(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> SynthesisResult:
        """``tokens [T_text]`` → wave, the course mel of that wave, and durations (the course contract)."""
        options = check_options(options, self.knobs, "VITS", self.REFUSED)
        cfg = self.config
        settings = settings_for(options, self.knobs, noise_scale=cfg.noise_scale, noise_scale_w=cfg.noise_scale_w,
                                length_scale=cfg.length_scale, pitch_shift=1.0)
        device = next(self.parameters()).device
        tokens = tokens.reshape(1, -1).to(device)
        with evaluating(self):
            out = self.infer(tokens, torch.tensor([tokens.shape[1]], device=device), settings["noise_scale"],
                             settings["noise_scale_w"], settings["length_scale"], settings.get("speaker"),
                             seeded(settings["seed"]), settings.get("pitch_shift", 1.0))
        wave = out.wave[0, 0, : int(out.wave_lengths[0])].clamp(-1.0, 1.0)
        return SynthesisResult(mel=mel_spectrogram(wave.float()), durations=out.durations[0], wave=wave,
                               settings=settings)

    def predicted_durations(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token from the stochastic predictor at ``noise_scale_w`` (seeded by ``seed``,
        0 if unset), before rounding (length scale applied)."""
        options = check_options(options, self.knobs, "VITS", self.REFUSED)
        cfg = self.config
        noise_scale_w = cfg.noise_scale_w if options.noise_scale_w is None else options.noise_scale_w
        length_scale = cfg.length_scale if options.length_scale is None else options.length_scale
        with evaluating(self):
            prior = self.text_encoder(tokens[None], torch.tensor([tokens.shape[-1]]))
            log_durations = self.duration_predictor.sample_log_durations(
                prior.hidden, prior.mask, self._speaker_cond(options.speaker, 1), noise_scale_w,
                seeded(0 if options.seed is None else options.seed))
        return log_durations[0, 0].exp() * length_scale

    def own_alignment(self, tokens: torch.Tensor, mel: torch.Tensor, wave: torch.Tensor | None = None,
                      speaker: int | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token that MAS finds on the flow-mapped posterior of the recording ``wave [N]``
        (VITS reads the linear spectrogram, so the wave is needed; ``mel`` only fixes the frame count)."""
        if wave is None:
            raise ValueError("VITS aligns on the recording's linear spectrogram: pass its wave")
        spec = linear_spectrogram(wave.float())[None][..., : mel.shape[-1]]        # [1, 513, T]
        speakers = None if speaker is None else torch.tensor([speaker])
        with evaluating(self):
            f0 = torch.zeros(1, spec.shape[-1]) if self.has_pitch else None  # MAS reads no pitch
            out = self(tokens[None], torch.tensor([tokens.shape[-1]]), spec, torch.tensor([spec.shape[-1]]), speakers,
                       f0=f0)
        return out.durations[0, 0]

    @torch.no_grad()
    def synthesize(self, tokens, noise_scale: float | None = None, noise_scale_w: float | None = None,
                   length_scale: float = 1.0,
                   seed: int | None = None, speaker: int | None = None, pitch_shift: float = 1.0) -> torch.Tensor:
        """One utterance: token ids (list or ``[T_text]``) → waveform ``[N]`` in [-1, 1], in eval mode."""
        device = next(self.parameters()).device
        tokens = torch.as_tensor(tokens, dtype=torch.long, device=device).reshape(1, -1)
        if tokens.shape[1] == 0:
            raise ValueError("no tokens to synthesize: the text produced an empty token sequence")
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        was_training = self.training
        self.eval()
        try:
            out = self.infer(tokens, torch.tensor([tokens.shape[1]], device=device), noise_scale, noise_scale_w,
                             length_scale, speaker, generator, pitch_shift)
        finally:
            self.train(was_training)
        return out.wave[0, 0, : int(out.wave_lengths[0])].clamp(-1.0, 1.0)  # an iSTFT decoder is not tanh-bounded

    def remove_weight_norm(self) -> "VITS":
        """Fold every weight-norm ``g·v/‖v‖`` into a plain weight (posterior, flow, decoder), for inference; returns self."""
        remove_weight_norm_everywhere(self)
        return self
