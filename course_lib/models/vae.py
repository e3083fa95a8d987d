"""A small VAE on mel-spectrogram segments (lesson 02).

A segment is ``segment_frames`` consecutive mel frames ``[B, F, T_seg]`` (F = 80
mel bins). The encoder maps it to a diagonal Gaussian q(z|x) over a small latent
vector, the decoder maps a latent vector back to a segment, and training
maximises the ELBO (Kingma & Welling 2014, eq. 3)::

    loss = reconstruction + β · KL(q(z|x) ‖ N(0, I))

with a unit-variance Gaussian likelihood in normalised mel units, so the
reconstruction term is ``½ Σ (x − x̂)²`` per segment (nats, up to a constant).
β = 1 is the true ELBO; a large β pushes every posterior onto the prior and the
latents stop carrying information (posterior collapse, Bowman et al. 2016),
which :func:`active_units` measures.

Glossary: ``μ → mean``, ``log σ² → log_var`` (the classic VAE parameterisation;
``log_std = ½ log_var``), ``z → latent``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from course_lib.distributions import kl_standard_normal, reparameterize


@dataclass(frozen=True)
class VaeConfig:
    n_mels: int = 80
    segment_frames: int = 16
    hidden_channels: int = 128
    latent_dim: int = 8
    beta: float = 1.0
    # log-mel normalisation: the built-in corpus' log-mels (natural log, clamp 1e-5)
    # have mean ≈ −5 and std ≈ 2.5; the networks see (mel − mel_mean) / mel_std
    mel_mean: float = -5.0
    mel_std: float = 2.5

    def __post_init__(self) -> None:
        if self.segment_frames % 2:
            raise ValueError(
                f"segment_frames={self.segment_frames} must be even: the encoder halves time with a stride-2 conv"
            )
        if self.beta < 0:
            raise ValueError(f"beta must be ≥ 0, got {self.beta}")

    @classmethod
    def tiny(cls) -> "VaeConfig":
        """~0.1 M parameters: trains in seconds on a CPU (tests, smoke mode)."""
        return cls(hidden_channels=48, latent_dim=4)

    @classmethod
    def small(cls) -> "VaeConfig":
        """~0.7 M parameters: the lesson's model, a couple of minutes on a CPU."""
        return cls(hidden_channels=128, latent_dim=8)


CONFIGS = {"tiny": VaeConfig.tiny, "small": VaeConfig.small}


@dataclass
class VaeOutput:
    reconstruction: torch.Tensor  # [B, F, T_seg] log-mel
    mean: torch.Tensor  # [B, D]
    log_var: torch.Tensor  # [B, D]
    latent: torch.Tensor  # [B, D] the sample z fed to the decoder


@dataclass
class ElboTerms:
    loss: torch.Tensor  # scalar: reconstruction + β·kl, averaged over the batch
    reconstruction: torch.Tensor  # scalar: ½ Σ (x − x̂)² per segment, batch mean
    kl: torch.Tensor  # scalar: Σ_d KL per segment, batch mean

    def as_dict(self) -> dict[str, float]:
        return {"loss": self.loss.item(), "reconstruction": self.reconstruction.item(), "kl": self.kl.item()}


class MelSegmentVae(nn.Module):
    """Conv encoder → q(z|x) → z → conv decoder, on ``[B, F, T_seg]`` log-mel segments."""

    def __init__(self, config: VaeConfig) -> None:
        super().__init__()
        self.config = config
        hidden, half = config.hidden_channels, config.segment_frames // 2
        self.encoder = nn.Sequential(
            nn.Conv1d(config.n_mels, hidden, 3, padding=1),
            nn.ReLU(),
            nn.Conv1d(hidden, hidden, 4, stride=2, padding=1),  # T_seg -> T_seg / 2
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(hidden * half, 2 * config.latent_dim),  # -> [mean, log_var]
        )
        self.decoder = nn.Sequential(
            nn.Linear(config.latent_dim, hidden * half),
            nn.ReLU(),
            nn.Unflatten(1, (hidden, half)),
            nn.ConvTranspose1d(hidden, hidden, 4, stride=2, padding=1),  # T_seg / 2 -> T_seg
            nn.ReLU(),
            nn.Conv1d(hidden, config.n_mels, 3, padding=1),
        )

    def normalize(self, mel: torch.Tensor) -> torch.Tensor:
        return (mel - self.config.mel_mean) / self.config.mel_std

    def denormalize(self, mel: torch.Tensor) -> torch.Tensor:
        return mel * self.config.mel_std + self.config.mel_mean

    def _check_segment(self, mel: torch.Tensor) -> None:
        expected = (self.config.n_mels, self.config.segment_frames)
        if mel.dim() != 3 or tuple(mel.shape[1:]) != expected:
            raise ValueError(
                f"expected mel segments [B, {expected[0]}, {expected[1]}], got {tuple(mel.shape)}; "
                f"cut them with `cut_segments(mel, {expected[1]})`"
            )

    def encode(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``[B, F, T_seg]`` log-mel → ``(mean [B, D], log_var [B, D])`` of q(z|x)."""
        self._check_segment(mel)
        mean, log_var = self.encoder(self.normalize(mel)).chunk(2, dim=1)
        return mean, log_var.clamp(-12.0, 8.0)  # keeps exp(log_var) finite early in training

    def decode(self, latent: torch.Tensor) -> torch.Tensor:
        """``[B, D]`` latent → ``[B, F, T_seg]`` log-mel."""
        if latent.dim() != 2 or latent.shape[1] != self.config.latent_dim:
            raise ValueError(f"expected latents [B, {self.config.latent_dim}], got {tuple(latent.shape)}")
        return self.denormalize(self.decoder(latent))

    def forward(
        self, mel: torch.Tensor, temperature: float = 1.0, generator: torch.Generator | None = None
    ) -> VaeOutput:
        mean, log_var = self.encode(mel)
        latent = reparameterize(mean, 0.5 * log_var, temperature, generator)  # log σ = ½ log σ²
        return VaeOutput(self.decode(latent), mean, log_var, latent)

    def elbo(self, mel: torch.Tensor, output: VaeOutput, beta: float | None = None) -> ElboTerms:
        """Negative ELBO (β-weighted) of a batch; ``beta`` defaults to the config's."""
        beta = self.config.beta if beta is None else beta
        error = self.normalize(output.reconstruction) - self.normalize(mel)
        reconstruction = 0.5 * error.pow(2).sum(dim=(1, 2)).mean()
        kl = kl_standard_normal(output.mean, output.log_var).sum(dim=1).mean()
        return ElboTerms(reconstruction + beta * kl, reconstruction, kl)


def build(config: VaeConfig) -> MelSegmentVae:
    return MelSegmentVae(config)


# ---------------------------------------------------------------- data and analysis helpers
def cut_segments(mel: torch.Tensor, segment_frames: int, stride: int | None = None) -> torch.Tensor:
    """``[F, T]`` log-mel → ``[N, F, segment_frames]`` windows every ``stride`` frames (default: no overlap)."""
    stride = stride or segment_frames
    if mel.dim() != 2:
        raise ValueError(f"expected one mel [F, T], got {tuple(mel.shape)}")
    if mel.shape[1] < segment_frames:
        return mel.new_zeros(0, mel.shape[0], segment_frames)
    return mel.unfold(1, segment_frames, stride).permute(1, 0, 2).contiguous()  # [N, F, T_seg]


@torch.no_grad()
def active_units(model: MelSegmentVae, mels: torch.Tensor, threshold: float = 0.01) -> torch.Tensor:
    """Per latent dimension, whether it carries information: ``Var_x(E_q[z_d]) > threshold``.

    The activity statistic of Burda et al. 2016 (sec. 5.2): a collapsed dimension
    outputs the same posterior mean for every input. Returns a bool ``[D]``.
    """
    mean, _ = model.encode(mels)
    return mean.var(dim=0) > threshold


@torch.no_grad()
def traverse(model: MelSegmentVae, mel: torch.Tensor, dim: int, values: torch.Tensor) -> torch.Tensor:
    """Decode the posterior mean of one segment ``[F, T_seg]`` with latent ``dim`` set to each value → ``[V, F, T_seg]``."""
    mean, _ = model.encode(mel.unsqueeze(0))
    latents = mean.repeat(len(values), 1)
    latents[:, dim] = values.to(latents)
    return model.decode(latents)


@torch.no_grad()
def interpolate(model: MelSegmentVae, mel_a: torch.Tensor, mel_b: torch.Tensor, n_steps: int) -> torch.Tensor:
    """Decode ``n_steps`` latents on the line between two segments' posterior means → ``[n_steps, F, T_seg]``."""
    mean, _ = model.encode(torch.stack([mel_a, mel_b]))
    weights = torch.linspace(0.0, 1.0, n_steps, device=mean.device)[:, None]  # [S, 1]
    return model.decode((1 - weights) * mean[0] + weights * mean[1])


def train(
    model: MelSegmentVae,
    segments: torch.Tensor,
    steps: int,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    beta: float | None = None,
    seed: int = 0,
    progress: bool = True,
) -> list[dict[str, float]]:
    """Adam on random minibatches of ``segments [N, F, T_seg]``; returns the loss history (one dict per step)."""
    from tqdm.auto import tqdm

    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    device = next(model.parameters()).device
    history = []
    model.train()
    for _ in tqdm(range(steps), disable=not progress, mininterval=2.0, desc="VAE"):
        # 1. forward on a random minibatch
        index = torch.randint(len(segments), (min(batch_size, len(segments)),), generator=generator)
        batch = segments[index].to(device)
        output = model(batch)
        # 2. loss: the negative (β-)ELBO
        terms = model.elbo(batch, output, beta)
        # 3. update
        optimizer.zero_grad(set_to_none=True)
        terms.loss.backward()
        optimizer.step()
        history.append(terms.as_dict())
    model.eval()
    return history
