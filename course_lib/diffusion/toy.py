"""A 2-D playground for diffusion: toy data, a small ε-network, its training loop, a sample distance.

Lesson 05 trains a DDPM live on a ring of Gaussians in seconds; the same pieces
test the samplers in ``tests/test_diffusion_toy.py``. Points are ``[N, 2]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from course_lib.diffusion.ddpm import epsilon_loss, per_item_alpha_bar, q_sample, sample_steps
from course_lib.nn.layers import sinusoidal_embedding


def ring_of_gaussians(n: int, n_modes: int = 8, radius: float = 1.5, std: float = 0.1,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """``[n, 2]`` points from ``n_modes`` equal Gaussians spaced on a circle."""
    mode = torch.randint(0, n_modes, (n,), generator=generator)
    angle = 2 * math.pi * mode.float() / n_modes
    centres = radius * torch.stack([angle.cos(), angle.sin()], dim=1)
    return centres + std * torch.randn(n, 2, generator=generator)


class ToyDenoiser(nn.Module):
    """``ε_θ(x_t, t)`` for 2-D points: an MLP on ``[x_t, sinusoid(t)]``. ``x_t [N, 2]``, ``t [N]`` → ``[N, 2]``."""

    def __init__(self, hidden: int = 128, time_dim: int = 32) -> None:
        super().__init__()
        self.time_dim = time_dim
        self.net = nn.Sequential(
            nn.Linear(2 + time_dim, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, 2))

    def forward(self, x_t: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x_t, sinusoidal_embedding(step.float(), self.time_dim, scale=1.0)], dim=1))


@dataclass
class ToyTraining:
    """The trained network and its loss per step."""

    model: ToyDenoiser
    losses: list[float] = field(default_factory=list)


def train_toy_denoiser(alpha_bars: torch.Tensor, steps: int, batch_size: int = 256, lr: float = 2e-3,
                       seed: int = 0, progress: bool = False) -> ToyTraining:
    """Algorithm 1 of Ho et al. 2020 on :func:`ring_of_gaussians`: draw x0, t, ε; regress ε."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = ToyDenoiser()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    n_steps = alpha_bars.shape[0]
    losses = []
    iterator = range(steps)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, desc="training the toy ε-network", mininterval=1.0)
    for _ in iterator:
        x0 = ring_of_gaussians(batch_size, generator=generator)
        step = sample_steps(batch_size, n_steps, generator)
        noise = torch.randn(x0.shape, generator=generator)
        x_t = q_sample(x0, noise, per_item_alpha_bar(alpha_bars, step, x0))
        loss = epsilon_loss(model(x_t, step), noise)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    return ToyTraining(model=model.eval(), losses=losses)


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, n_projections: int = 64, seed: int = 0) -> float:
    """Sliced 1-Wasserstein distance between two equal-size point clouds ``[N, D]``.

    Project both on random directions; in 1-D the optimal matching pairs sorted
    values, so the distance is the mean gap between the sorted projections,
    averaged over directions. 0 for identical clouds; in the data's units.
    """
    if a.shape != b.shape:
        raise ValueError(f"point clouds must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
    directions = torch.randn(a.shape[1], n_projections, generator=torch.Generator().manual_seed(seed))
    directions = directions / directions.norm(dim=0, keepdim=True)
    pa, _ = torch.sort(a.float() @ directions, dim=0)  # [N, P]
    pb, _ = torch.sort(b.float() @ directions, dim=0)
    return (pa - pb).abs().mean().item()
