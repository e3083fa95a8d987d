"""A conditional VAE that speaks: VITS' latent structure in miniature (lesson 03).

Four small networks and one KL term::

    tokens ──text_encoder──▶ per-phoneme prior N(μ_p, σ_p) ──expand by durations──▶ p(z|y)  [B, C_z, T_mel]
    mel    ──posterior_encoder──▶ q(z|x) = N(μ_q, σ_q)                                     [B, C_z, T_mel]
    z ~ q (training) or z ~ p (synthesis) ──decoder──▶ mel                                  [B, F, T_mel]
    text hidden (detached) ──duration_predictor──▶ log frames per phoneme                  [B, 1, T_text]

Training minimises ``reconstruction + kl_weight · KL(q ‖ p) + duration loss``: the
negative ELBO of ``p(x|y) = ∫ p(x|z) p(z|y) dz`` (the conditional VAE of Sohn et al.
2015; Kim et al. 2021, VITS eq. 1–3) with a Laplace likelihood, i.e. an L1 mel loss
summed over the F mel bins of each frame. Unlike VITS there is no flow between q and
p (lesson 11 adds it) and the alignment is the built-in corpus' *true* durations, so
the closed-form KL applies at every frame. A duration predictor (Glow-TTS §3.3) lets
arbitrary text be spoken.

Glossary: ``μ_p, log σ_p → prior_mean, prior_log_std``; ``μ_q, log σ_q →
posterior_mean, posterior_log_std``; ``A → alignment [B, T_text, T_mel]``;
``τ → temperature`` (VITS' ``noise_scale``).

The package: ``config`` (:class:`CvaeConfig`), ``model`` (the networks, synthesis, measures; the
synthesis contract of ``course_lib.models.contract``), ``train`` (:class:`CvaeTask`, ``load``, the
command line). Train and speak from the command line::

    python -m course_lib train cvae --config tiny --out runs/cvae --steps 1000
    python -m course_lib synth cvae --checkpoint runs/cvae/cvae.pt --text "Hello there." --out hello.wav --seed 3
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from course_lib.alignment import durations_from_log, expand_to_frames, path_from_durations, plan_frames
from course_lib.audio import LOG_CLAMP
from course_lib.distributions import kl_gaussians, kl_per_frame_loss, reparameterize, sum_over_channels
from course_lib.nn.duration import DurationPredictor, duration_loss, log_duration_target
from course_lib.nn.layers import ChannelLayerNorm
from course_lib.models.contract import (NO_PITCH, SynthesisOptions, SynthesisResult, as_batch, check_options,
                                        evaluating, seeded, settings_for)
from course_lib.models.cvae.config import CvaeConfig
from course_lib.nn.masks import sequence_mask


# ---------------------------------------------------------------- pure functions
def durations_to_alignment(durations: torch.Tensor, n_frames: int) -> torch.Tensor:
    """Hard monotonic alignment from frames per token (:func:`course_lib.alignment.path_from_durations`).

    ``durations [B, T_text]`` (integers, 0 on padding) → ``alignment [B, T_text, T_mel]``
    with ``alignment[b, i, t] = 1`` when frame ``t`` belongs to token ``i``.
    """
    b, t_text = durations.shape
    text_mask = torch.ones(b, 1, t_text, device=durations.device)
    mel_mask = torch.ones(b, 1, n_frames, device=durations.device)
    return path_from_durations(durations, text_mask, mel_mask).to(torch.float32)


# ---------------------------------------------------------------- networks
class ResidualConvStack(nn.Module):
    """``n`` × [conv k (dilation d) → channel LayerNorm → ReLU → dropout] with residual adds, masked."""

    def __init__(self, channels: int, kernel_size: int, dilations: tuple[int, ...], dropout: float) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, dilation=d, padding=d * (kernel_size // 2)) for d in dilations
        )
        self.norms = nn.ModuleList(ChannelLayerNorm(channels) for _ in dilations)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``[B, C, T]``, mask ``[B, 1, T]`` → ``[B, C, T]`` (zero on padding)."""
        for conv, norm in zip(self.convs, self.norms):
            x = x + self.dropout(torch.relu(norm(conv(x * mask))))
        return x * mask


class CvaeTextEncoder(nn.Module):
    """tokens ``[B, T_text]`` → ``hidden [B, C_text, T_text]``, ``prior_mean``/``prior_log_std [B, C_z, T_text]``."""

    def __init__(self, config: CvaeConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.n_vocab, config.text_channels)
        self.convs = ResidualConvStack(config.text_channels, config.kernel_size, (1,) * config.text_layers, config.dropout)
        self.proj = nn.Conv1d(config.text_channels, 2 * config.latent_channels, 1)

    def forward(self, tokens: torch.Tensor, token_mask: torch.Tensor):
        hidden = self.embedding(tokens).transpose(1, 2)  # [B, T_text, C] -> [B, C, T_text]
        hidden = self.convs(hidden, token_mask)
        prior_mean, prior_log_std = (self.proj(hidden) * token_mask).chunk(2, dim=1)
        return hidden, prior_mean, prior_log_std


class CvaePosteriorEncoder(nn.Module):
    """normalised mel ``[B, F, T_mel]`` → ``posterior_mean``/``posterior_log_std [B, C_z, T_mel]``."""

    def __init__(self, config: CvaeConfig) -> None:
        super().__init__()
        self.pre = nn.Conv1d(config.n_mels, config.posterior_channels, 1)
        self.convs = ResidualConvStack(
            config.posterior_channels, config.kernel_size, (1,) * config.posterior_layers, config.dropout
        )
        self.proj = nn.Conv1d(config.posterior_channels, 2 * config.latent_channels, 1)

    def forward(self, mel: torch.Tensor, mel_mask: torch.Tensor):
        hidden = self.convs(self.pre(mel) * mel_mask, mel_mask)
        posterior_mean, posterior_log_std = (self.proj(hidden) * mel_mask).chunk(2, dim=1)
        return posterior_mean, posterior_log_std


class Decoder(nn.Module):
    """latent ``[B, C_z, T_mel]`` → normalised mel ``[B, F, T_mel]`` through dilated convs (wide context)."""

    def __init__(self, config: CvaeConfig) -> None:
        super().__init__()
        self.pre = nn.Conv1d(config.latent_channels, config.decoder_channels, 1)
        self.convs = ResidualConvStack(config.decoder_channels, config.kernel_size, config.decoder_dilations, 0.0)
        self.proj = nn.Conv1d(config.decoder_channels, config.n_mels, 1)

    def forward(self, latent: torch.Tensor, mel_mask: torch.Tensor) -> torch.Tensor:
        return self.proj(self.convs(self.pre(latent) * mel_mask, mel_mask)) * mel_mask


# ---------------------------------------------------------------- results
@dataclass
class CvaeOutput:
    """What a training forward pass produced; every ``[B, ·, T_mel]`` tensor is zero on padding."""

    mel: torch.Tensor  # [B, F, T_mel] decoded from the posterior sample (log-mel)
    latent: torch.Tensor  # [B, C_z, T_mel] z ~ q(z|x)
    posterior_mean: torch.Tensor  # [B, C_z, T_mel]
    posterior_log_std: torch.Tensor  # [B, C_z, T_mel]
    prior_mean: torch.Tensor  # [B, C_z, T_mel] expanded to frames
    prior_log_std: torch.Tensor  # [B, C_z, T_mel]
    log_durations: torch.Tensor  # [B, 1, T_text] predicted
    mel_mask: torch.Tensor  # [B, 1, T_mel]
    token_mask: torch.Tensor  # [B, 1, T_text]

    def kl(self) -> torch.Tensor:
        """Closed-form ``KL(q ‖ p)`` elementwise ``[B, C_z, T_mel]`` (zero on padding)."""
        kl = kl_gaussians(self.posterior_mean, self.posterior_log_std, self.prior_mean, self.prior_log_std)
        return kl * self.mel_mask

    def kl_per_frame(self) -> torch.Tensor:
        """``[B, T_mel]`` nats per frame: where the posterior moves away from what the text predicts."""
        return sum_over_channels(self.kl(), self.mel_mask)


@dataclass
class CvaeLosses:
    total: torch.Tensor
    reconstruction: torch.Tensor  # L1 summed over mel bins, per frame (normalised units)
    kl: torch.Tensor  # KL(q‖p) summed over latent channels, per frame (nats)
    duration: torch.Tensor  # MSE of log frames per token

    def as_dict(self) -> dict[str, float]:
        return {k: float(getattr(self, k).detach()) for k in ("total", "reconstruction", "kl", "duration")}


@dataclass
class SynthesisOutput:
    """What synthesis (:meth:`ConditionalVae.synthesize`) returns."""

    mel: torch.Tensor  # [B, F, T_mel] log-mel
    mel_lengths: torch.Tensor  # [B]
    durations: torch.Tensor  # [B, T_text] frames per token used
    latent: torch.Tensor  # [B, C_z, T_mel] z ~ p(z|y) at the given temperature
    prior_mean: torch.Tensor  # [B, C_z, T_mel]
    prior_log_std: torch.Tensor  # [B, C_z, T_mel]


# ---------------------------------------------------------------- the model
class ConditionalVae(nn.Module):
    def __init__(self, config: CvaeConfig) -> None:
        super().__init__()
        self.config = config
        self.text_encoder = CvaeTextEncoder(config)
        self.posterior_encoder = CvaePosteriorEncoder(config)
        self.decoder = Decoder(config)
        self.duration_predictor = DurationPredictor(config.text_channels, config.duration_channels, 3, config.dropout)

    def normalize(self, mel: torch.Tensor) -> torch.Tensor:
        return (mel - self.config.mel_mean) / self.config.mel_std

    def denormalize(self, mel: torch.Tensor) -> torch.Tensor:
        return mel * self.config.mel_std + self.config.mel_mean

    def _check_tokens(self, tokens: torch.Tensor) -> None:
        if tokens.dim() != 2:
            raise ValueError(f"tokens must be [B, T_text] integer ids, got shape {tuple(tokens.shape)}")
        if tokens.numel() and (tokens.min() < 0 or tokens.max() >= self.config.n_vocab):
            raise ValueError(
                f"token ids must lie in [0, {self.config.n_vocab}); got {int(tokens.min())}..{int(tokens.max())}: "
                "build the model with n_vocab=corpus.tokenizer.n_vocab"
            )

    def forward(
        self,
        tokens: torch.Tensor,
        token_lengths: torch.Tensor,
        mels: torch.Tensor,
        mel_lengths: torch.Tensor,
        durations: torch.Tensor,
        generator: torch.Generator | None = None,
    ) -> CvaeOutput:
        """Training pass: ``tokens [B, T_text]``, ``mels [B, F, T_mel]`` log-mel, true ``durations [B, T_text]``."""
        self._check_tokens(tokens)
        if mels.dim() != 3 or mels.shape[1] != self.config.n_mels:
            raise ValueError(f"mels must be [B, {self.config.n_mels}, T_mel], got {tuple(mels.shape)}")
        if durations.shape != tokens.shape:
            raise ValueError(f"durations {tuple(durations.shape)} must match tokens {tuple(tokens.shape)}")
        if not torch.equal(durations.sum(dim=1), mel_lengths):
            raise ValueError("durations must sum to mel_lengths for every utterance (use the corpus' true durations)")
        token_mask = sequence_mask(token_lengths, tokens.shape[1]).to(mels.dtype)  # [B, 1, T_text]
        mel_mask = sequence_mask(mel_lengths, mels.shape[2]).to(mels.dtype)  # [B, 1, T_mel]

        # 1. the text gives a prior per phoneme, repeated over that phoneme's frames
        hidden, token_prior_mean, token_prior_log_std = self.text_encoder(tokens, token_mask)
        alignment = path_from_durations(durations, token_mask, mel_mask)
        prior_mean = expand_to_frames(token_prior_mean, alignment)
        prior_log_std = expand_to_frames(token_prior_log_std, alignment)
        # 2. the mel gives the posterior; sample it with the reparameterization trick
        posterior_mean, posterior_log_std = self.posterior_encoder(self.normalize(mels) * mel_mask, mel_mask)
        latent = reparameterize(posterior_mean, posterior_log_std, 1.0, generator) * mel_mask
        # 3. decode, and predict durations from the detached text hidden (the duration loss must not shape the prior)
        mel = self.denormalize(self.decoder(latent, mel_mask)) * mel_mask
        log_durations = self.duration_predictor(hidden.detach(), token_mask)
        return CvaeOutput(mel, latent, posterior_mean, posterior_log_std, prior_mean, prior_log_std,
                          log_durations, mel_mask, token_mask)

    def losses(self, output: CvaeOutput, mels: torch.Tensor, durations: torch.Tensor) -> CvaeLosses:
        """Negative ELBO per frame (L1 reconstruction + KL) plus the duration loss."""
        error = (self.normalize(output.mel) - self.normalize(mels)).abs() * output.mel_mask
        frames = output.mel_mask.sum().clamp_min(1.0)
        reconstruction = error.sum() / frames
        kl = kl_per_frame_loss(output.kl(), output.mel_mask)
        target = log_duration_target(durations[:, None, :], output.token_mask)
        duration = duration_loss(output.log_durations, target, output.token_mask)
        total = reconstruction + self.config.kl_weight * kl + duration
        return CvaeLosses(total, reconstruction, kl, duration)

    # ------------------------------------------------------------------ the course contract
    REFUSED = {"noise_scale_w": "its duration predictor is deterministic", "n_steps": "it decodes in one pass",
               "speaker": "it has a single speaker", "pitch_shift": NO_PITCH}
    knobs = frozenset({"noise_scale", "length_scale", "seed"})

    def generate(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> SynthesisResult:
        """``tokens [T_text]`` → mel and durations (the course contract); ``noise_scale`` is the temperature τ
        that scales z's noise (default: the config's ``temperature``)."""
        options = check_options(options, self.knobs, "the CVAE", self.REFUSED)
        settings = settings_for(options, self.knobs, noise_scale=self.config.temperature, length_scale=1.0)
        device = next(self.parameters()).device
        with evaluating(self):
            out = self.synthesize(tokens.reshape(1, -1).to(device), temperature=settings["noise_scale"],
                                  length_scale=settings["length_scale"], generator=seeded(settings["seed"]))
        return SynthesisResult(mel=out.mel[0, :, : int(out.mel_lengths[0])], durations=out.durations[0],
                               settings=settings)

    def predicted_durations(self, tokens: torch.Tensor, options: SynthesisOptions | None = None) -> torch.Tensor:
        """``[T_text]`` frames per token from the duration predictor, before rounding (length scale applied)."""
        options = check_options(options, self.knobs, "the CVAE", self.REFUSED)
        with evaluating(self):
            token_mask = torch.ones(1, 1, tokens.shape[-1], device=tokens.device)
            hidden = self.text_encoder(tokens.reshape(1, -1), token_mask)[0]
            log_durations = self.duration_predictor(hidden, token_mask)
        return log_durations[0, 0].exp() * (1.0 if options.length_scale is None else options.length_scale)

    def own_alignment(self, tokens: torch.Tensor, mel: torch.Tensor, wave: torch.Tensor | None = None,
                      speaker: int | None = None) -> None:
        """None: the CVAE trains on the built-in corpus's true durations and has no alignment search."""
        return None

    @torch.no_grad()
    def synthesize(
        self,
        tokens: torch.Tensor,
        token_lengths: torch.Tensor | None = None,
        durations: torch.Tensor | None = None,
        temperature: float | None = None,
        length_scale: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> SynthesisOutput:
        """Text → mel: prior from the text, z ~ N(μ_p, (τ σ_p)²), decode.

        ``tokens [B, T_text]``; ``durations [B, T_text]`` (true frames) or ``None``
        to use the duration predictor scaled by ``length_scale``. ``generator``
        fixes the draw of z (seeded sampling).
        """
        self._check_tokens(tokens)
        was_training = self.training
        self.eval()  # no dropout while sampling; restored below
        try:
            temperature = self.config.temperature if temperature is None else temperature
            return self._synthesize(tokens, token_lengths, durations, temperature, length_scale, generator)
        finally:
            self.train(was_training)

    def _synthesize(self, tokens, token_lengths, durations, temperature, length_scale, generator) -> SynthesisOutput:
        tokens, token_lengths = as_batch(tokens, token_lengths)
        token_mask = sequence_mask(token_lengths, tokens.shape[1])
        hidden, token_prior_mean, token_prior_log_std = self.text_encoder(tokens, token_mask)
        if durations is None:
            durations = durations_from_log(self.duration_predictor(hidden, token_mask), token_mask, length_scale,
                                           rounding="round")
        elif durations.shape != tokens.shape:
            raise ValueError(f"durations {tuple(durations.shape)} must match tokens {tuple(tokens.shape)}")
        plan = plan_frames(durations.float(), token_mask)  # the same refusal as every model's, above 10,000 frames
        mel_lengths, mel_mask, durations = plan.lengths, plan.mask, plan.durations.long()
        prior_mean = plan.expand(token_prior_mean)
        prior_log_std = plan.expand(token_prior_log_std)
        latent = reparameterize(prior_mean, prior_log_std, temperature, generator) * mel_mask
        mel = self.denormalize(self.decoder(latent, mel_mask))
        mel = torch.where(mel_mask.bool(), mel, torch.full_like(mel, math.log(LOG_CLAMP)))  # silence after the end
        return SynthesisOutput(mel, mel_lengths, durations, latent, prior_mean, prior_log_std)


@dataclass
class TextSynthesis:
    phonemes: list[str]  # the eSpeak symbols spoken, one per token
    tokens: torch.Tensor  # [1, T_text]
    synthesis: SynthesisOutput


def synthesize_text(
    model: ConditionalVae,
    text: str,
    tokenizer=None,
    temperature: float | None = None,
    seed: int | None = 0,
    length_scale: float = 1.0,
) -> TextSynthesis:
    """Any English text → log-mel ``[1, F, T_mel]``: eSpeak phonemes → tokens → predicted durations → prior → z → mel.

    ``tokenizer`` defaults to the built-in corpus' (``Tokenizer(ESPEAK_SYMBOLS)``); ``seed`` fixes z
    (``None``: a fresh draw). Raises ``ValueError`` (``course_lib.text.TextError``) for empty text.
    """
    from course_lib import text as text_frontend

    if not isinstance(text, str) or not text.strip():
        raise text_frontend.TextError("the text is empty: type a sentence to speak")
    tokenizer = tokenizer or text_frontend.Tokenizer(text_frontend.ESPEAK_SYMBOLS)
    if tokenizer.n_vocab != model.config.n_vocab:
        raise ValueError(f"the tokenizer has {tokenizer.n_vocab} symbols but the model was built for "
                         f"{model.config.n_vocab}; use the tokenizer of the corpus it was trained on")
    phonemes = text_frontend.espeak_phonemes(text)
    device = next(model.parameters()).device
    tokens = torch.tensor([tokenizer.encode(phonemes)], device=device)
    synthesis = model.synthesize(tokens, temperature=temperature, length_scale=length_scale, generator=seeded(seed))
    return TextSynthesis(phonemes, tokens, synthesis)


# ---------------------------------------------------------------- measuring a trained model
def pairwise_mel_spread(mels: list[torch.Tensor], mask: torch.Tensor | None = None) -> float:
    """Mean absolute difference between samples, averaged over every pair (log-mel units).

    ``mels``: S ≥ 2 tensors of one shape ``[..., F, T]``; ``mask`` (broadcasting, e.g. ``[B, 1, T]``)
    restricts the average to real frames.
    """
    if len(mels) < 2:
        raise ValueError("the spread needs at least two samples")
    mask = torch.ones_like(mels[0]) if mask is None else mask.expand_as(mels[0]).to(mels[0].dtype)
    pairs = [(a, b) for i, a in enumerate(mels) for b in mels[i + 1:]]
    return float(sum(((a - b).abs() * mask).sum() / mask.sum() for a, b in pairs) / len(pairs))


@dataclass
class HeldoutMetrics:
    """Mel L1 to the ground truth (log-mel units, mean over real frames × mel bins), true durations."""

    posterior_l1: float  # decoded from the posterior mean: the autoencoder's floor
    prior_mean_l1: float  # decoded from the prior mean (τ = 0): the text alone
    sample_l1: float  # decoded from a prior sample at the given temperature
    sample_spread: float  # pairwise mean |mel_a − mel_b| between samples of the same sentence
    temperature: float
    n_utterances: int


@torch.no_grad()
def heldout_metrics(model: ConditionalVae, loader, temperature: float | None = None, seeds=(0, 1, 2)) -> HeldoutMetrics:
    """Evaluate on batches (``TextMelBatch`` with true durations) of sentences the model never trained on
    (``temperature`` None: the config's)."""
    model.eval()
    temperature = model.config.temperature if temperature is None else temperature
    device = next(model.parameters()).device
    sums = {"posterior": 0.0, "prior_mean": 0.0, "sample": 0.0, "spread": 0.0}
    frames, n_utterances, n_batches = 0.0, 0, 0
    for batch in loader:
        batch = batch.to(device)
        mask = sequence_mask(batch.mel_lengths, batch.mels.shape[2])  # [B, 1, T]
        weight = mask.sum() * model.config.n_mels

        def l1(mel):
            return float(((mel[..., : batch.mels.shape[2]] - batch.mels).abs() * mask).sum())

        posterior_mean, _ = model.posterior_encoder(model.normalize(batch.mels) * mask, mask)
        sums["posterior"] += l1(model.denormalize(model.decoder(posterior_mean, mask)))
        sums["prior_mean"] += l1(model.synthesize(batch.tokens, batch.token_lengths, batch.durations, 0.0).mel)
        samples = [model.synthesize(batch.tokens, batch.token_lengths, batch.durations, temperature,
                                    generator=seeded(seed)).mel for seed in seeds]
        sums["sample"] += l1(samples[0])
        sums["spread"] += pairwise_mel_spread(samples, mask)
        frames += float(weight)
        n_utterances += len(batch.mel_lengths)
        n_batches += 1
    if n_batches == 0:
        raise ValueError("the loader gave no batches: check the split name")
    return HeldoutMetrics(sums["posterior"] / frames, sums["prior_mean"] / frames, sums["sample"] / frames,
                          sums["spread"] / n_batches, float(temperature), n_utterances)
