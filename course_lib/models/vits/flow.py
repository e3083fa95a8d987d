"""VITS' prior flow f_θ: 4 mean-only affine couplings with channel flips, on the 192-channel latent.

In training it maps the posterior sample to ``z_p = f_θ(z)``, where the text prior
``N(μ_θ, σ_θ)`` is evaluated; at inference it runs in reverse on a prior sample. The
flow belongs to the *prior*: it makes ``p(z | c)`` more expressive than a per-token
Gaussian (the paper's ablation without it: MOS 4.50 → 2.98). It does not align — MAS
does that, on ``z_p``.

Each coupling shifts one half of the channels by a WaveNet (4 layers, kernel 5) of the
other half: ``z_b = x_b + m(x_a)``. Mean-only means ``log|det| = 0`` exactly, so the
KL needs no Jacobian term. The flips alternate which half moves.

Glossary, official → code: ``ResidualCouplingBlock`` → :class:`PriorFlow`;
``ResidualCouplingLayer(mean_only=True)`` → :class:`~course_lib.flows.coupling.AffineCoupling`
with ``mean_only=True`` and a plain (not weight-normed) input conv; ``Flip`` →
:class:`~course_lib.flows.reshape.ChannelFlip`.
"""

from __future__ import annotations

from course_lib.flows.base import FlowStack
from course_lib.flows.coupling import AffineCoupling
from course_lib.flows.reshape import ChannelFlip
from course_lib.nn.wavenet import remove_weight_norm_everywhere


class PriorFlow(FlowStack):
    """``x [B, C, T]``, ``mask [B, 1, T]``, ``cond [B, G, 1]`` → ``FlowOutput(z, log_det = 0)``; ``reverse=True`` inverts."""

    def __init__(self, channels: int, hidden_channels: int, kernel_size: int, dilation_rate: int, n_layers: int,
                 n_flows: int = 4, cond_channels: int = 0) -> None:
        layers = []
        for _ in range(n_flows):
            layers.append(AffineCoupling(channels, hidden_channels, kernel_size, dilation_rate, n_layers,
                                         cond_channels=cond_channels, mean_only=True, start_weight_norm=False))
            layers.append(ChannelFlip())
        super().__init__(layers)

    def remove_weight_norm(self) -> None:
        remove_weight_norm_everywhere(self)
