"""VITS' duration predictors: the stochastic one (a flow over durations) and the deterministic one of ``ljs_nosdp``.

**Stochastic duration predictor** (VITS §2.3, appendix B.2). Durations ``d`` are integer
frame counts per token, so a density model of them needs dequantisation, and a 1-channel
flow has no room to couple, so an extra channel ``ν`` is added (variational data
augmentation). Both come from an approximate posterior ``q(u, ν | d, c)`` with
``u ∈ (0, 1)``; ``d − u`` is the dequantised duration. The training loss is the negative
variational bound on ``log p(d | c)`` (paper eq. 11)::

    −log p(d | c) ≤ E_q[ log q(u, ν | d, c) − log p(d − u, ν | c) ]

* posterior: ``ε ~ N(0, I)`` (2 channels) → 4 flows conditioned on the text and on ``d``
  → ``(z_u, ν)``, ``u = sigmoid(z_u)``; ``log q = log N(ε) − log|det|`` (flows and sigmoid);
* prior: ``(log(d − u), ν)`` → elementwise affine and 4 spline couplings with flips,
  conditioned on the text → ``z``; ``log p = log N(z) + log|det|`` (including the log).

At inference the prior flow runs in reverse from ``z ~ N(0, I) · noise_scale_w``, and
channel 0 is the log-duration. The first spline coupling is skipped there, exactly: it
only changes channel 1 (given channel 0), which is thrown away.

Glossary, official → code: ``pre``/``convs``/``proj`` → ``text_in``/``text_convs``/``text_out``;
``cond`` → ``speaker_in``; ``flows`` → ``flows``; ``post_pre``/``post_convs``/``post_proj`` →
``duration_in``/``duration_convs``/``duration_out``; ``post_flows`` → ``posterior_flows``;
``w`` → ``durations``; ``logq``, ``nll`` → ``log_q``, ``nll``.

**Deterministic predictor** (``ljs_nosdp``): the Glow-TTS regressor of
:mod:`course_lib.nn.duration` on ``log d``, trained with a squared error.

Both take the text encoder's hidden states *detached* (the duration loss must not reshape
the prior) and the speaker vector detached too, and offer the same two methods:
``loss_terms(...) -> [B]`` (per utterance, summed over tokens) and
``sample_log_durations(...) -> [B, 1, T_text]``.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.flows.base import FlowStack
from course_lib.flows.reshape import ChannelFlip
from course_lib.models.vits.duration_flows import DDSConv, ElementwiseAffine, LogFlow, SplineCoupling
from course_lib.distributions import gaussian
from course_lib.nn.duration import DurationPredictor, log_duration_target

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _spline_flows(channels: int, n_flows: int, kernel_size: int, dds_layers: int, num_bins: int,
                  tail_bound: float) -> FlowStack:
    """Elementwise affine, then ``n_flows`` × (spline coupling, flip), on 2 channels."""
    layers = [ElementwiseAffine(2)]
    for _ in range(n_flows):
        layers += [SplineCoupling(2, channels, kernel_size, dds_layers, num_bins, tail_bound), ChannelFlip()]
    return FlowStack(layers)


def _standard_normal_nll(z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``−log N(z; 0, I)`` summed over real frames and channels → ``[B]``."""
    return ((HALF_LOG_2PI + 0.5 * z.pow(2)) * mask).sum(dim=(1, 2))


class StochasticDurationPredictor(nn.Module):
    """Flow-based duration model; ``x [B, C, T_text]`` text hidden states, ``cond [B, G, 1]`` speaker vector.

    The conditioners work at the encoder width ``C`` (the official constructor overwrites
    its ``filter_channels`` argument with ``in_channels``; 1,317,168 parameters at 192).
    """

    def __init__(self, in_channels: int, kernel_size: int = 3, dropout: float = 0.5, n_flows: int = 4,
                 n_posterior_flows: int = 4, dds_layers: int = 3, num_bins: int = 10, tail_bound: float = 5.0,
                 cond_channels: int = 0) -> None:
        super().__init__()
        width = in_channels
        self.log_flow = LogFlow()
        self.flows = _spline_flows(width, n_flows, kernel_size, dds_layers, num_bins, tail_bound)
        self.duration_in = nn.Conv1d(1, width, 1)
        self.duration_convs = DDSConv(width, kernel_size, dds_layers, dropout)
        self.duration_out = nn.Conv1d(width, width, 1)
        self.posterior_flows = _spline_flows(width, n_posterior_flows, kernel_size, dds_layers, num_bins, tail_bound)
        self.text_in = nn.Conv1d(in_channels, width, 1)
        self.text_convs = DDSConv(width, kernel_size, dds_layers, dropout)
        self.text_out = nn.Conv1d(width, width, 1)
        self.speaker_in = nn.Conv1d(cond_channels, width, 1) if cond_channels else None

    def condition(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None) -> torch.Tensor:
        """The text (and speaker) conditioning of every flow: ``[B, C, T_text]``, computed from detached inputs."""
        h = self.text_in(x.detach())
        if self.speaker_in is not None:
            if cond is None:
                raise ValueError("this duration predictor was built for speakers: pass the speaker vector [B, G, 1]")
            h = h + self.speaker_in(cond.detach())
        return self.text_out(self.text_convs(h, mask)) * mask

    def loss_terms(self, x: torch.Tensor, mask: torch.Tensor, durations: torch.Tensor,
                   cond: torch.Tensor | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Negative variational bound (nats) per utterance ``[B]``; ``durations [B, 1, T_text]`` in frames.

        One posterior sample per call (the bound is an expectation over ``q``).
        """
        h = self.condition(x, mask, cond)
        # 1. posterior q(u, ν | d, c): noise → flows conditioned on text and durations
        h_d = self.duration_out(self.duration_convs(self.duration_in(durations), mask)) * mask
        eps = gaussian((durations.shape[0], 2, durations.shape[2]), h, generator) * mask
        posterior = self.posterior_flows(eps, mask, cond=h + h_d)
        z_u, nu = posterior.z[:, :1], posterior.z[:, 1:]
        u = torch.sigmoid(z_u) * mask
        # log|d sigmoid/dz| = log σ(z) + log σ(−z)
        log_det_q = posterior.log_det + ((F.logsigmoid(z_u) + F.logsigmoid(-z_u)) * mask).sum(dim=(1, 2))
        log_q = -_standard_normal_nll(eps, mask) - log_det_q
        # 2. prior p(d − u, ν | c): log, then the flows, then a standard normal
        dequantised = (durations - u) * mask
        logged = self.log_flow(dequantised, mask)
        prior = self.flows(torch.cat([logged.z, nu], dim=1), mask, cond=h)
        nll = _standard_normal_nll(prior.z, mask) - logged.log_det - prior.log_det
        return nll + log_q

    @torch.no_grad()
    def sample_log_durations(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None,
                             noise_scale: float, generator: torch.Generator | None = None) -> torch.Tensor:
        """``log d`` per token ``[B, 1, T_text]``: the prior flow reversed from ``N(0, I) · noise_scale``."""
        h = self.condition(x, mask, cond)
        z = gaussian((x.shape[0], 2, x.shape[2]), h, generator) * noise_scale * mask
        first_coupling = self.flows.layers[1]  # changes channel 1 only: skipped, see the module docstring
        for layer in reversed(self.flows.layers):
            if layer is not first_coupling:
                z = layer(z, mask, cond=h, reverse=True).z
        return z[:, :1]


class DeterministicDurationPredictor(nn.Module):
    """``ljs_nosdp``: :class:`~course_lib.nn.duration.DurationPredictor` on the detached text (+ speaker) states.

    A speaker vector is projected to the input width and added (official ``cond``);
    345,857 parameters at 192 in, 256 filters.
    """

    def __init__(self, in_channels: int, filter_channels: int = 256, kernel_size: int = 3, dropout: float = 0.5,
                 cond_channels: int = 0) -> None:
        super().__init__()
        self.predictor = DurationPredictor(in_channels, filter_channels, kernel_size, dropout)
        self.speaker_in = nn.Conv1d(cond_channels, in_channels, 1) if cond_channels else None

    def log_durations(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None) -> torch.Tensor:
        """Predicted ``log d`` ``[B, 1, T_text]``."""
        x = x.detach()
        if self.speaker_in is not None:
            if cond is None:
                raise ValueError("this duration predictor was built for speakers: pass the speaker vector [B, G, 1]")
            x = x + self.speaker_in(cond.detach())
        return self.predictor(x, mask)

    def loss_terms(self, x: torch.Tensor, mask: torch.Tensor, durations: torch.Tensor,
                   cond: torch.Tensor | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Squared error of ``log d`` summed over tokens, per utterance ``[B]`` (``generator`` unused: no sampling)."""
        error = self.log_durations(x, mask, cond) - log_duration_target(durations, mask)
        return (error.pow(2) * mask).sum(dim=(1, 2))

    @torch.no_grad()
    def sample_log_durations(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None,
                             noise_scale: float, generator: torch.Generator | None = None) -> torch.Tensor:
        """The prediction itself: a deterministic predictor ignores ``noise_scale`` and ``generator``."""
        return self.log_durations(x, mask, cond)
