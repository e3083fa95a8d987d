"""WaveNet-style gated residual stack ("WN"), non-causal, with weight normalisation.

Used as the conditioner inside affine coupling layers (Glow-TTS decoder, VITS
flow) and as the body of VITS' posterior encoder. Each layer:

    a = dilated_conv(x) + cond_i            # [B, 2H, T]
    h = tanh(a[:H]) * sigmoid(a[H:])        # gated activation (van den Oord et al. 2016)
    r, s = res_skip_conv(dropout(h))        # residual (to x) and skip (to the output) halves
    x = (x + r) * mask ;  out += s

The last layer has no residual half. Convolutions are weight-normalised
(Salimans & Kingma 2016); :meth:`WaveNet.remove_weight_norm` folds ``g·v/‖v‖``
back into plain weights for inference.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import weight_norm


def gated_activation(x: torch.Tensor) -> torch.Tensor:
    """``[B, 2H, T]`` -> ``tanh(first half) * sigmoid(second half)`` ``[B, H, T]``."""
    a, b = x.chunk(2, dim=1)
    return torch.tanh(a) * torch.sigmoid(b)


def remove_weight_norm_everywhere(module: nn.Module) -> None:
    """Replace every weight-norm parametrisation under ``module`` by its current plain weight.

    Runs with gradients enabled: under ``torch.no_grad()`` PyTorch would leave the folded
    weight as a plain tensor instead of an ``nn.Parameter`` — gone from ``parameters()``,
    ``state_dict()`` and ``.to(device)``.
    """
    with torch.enable_grad():
        for sub in module.modules():
            if parametrize.is_parametrized(sub, "weight"):
                parametrize.remove_parametrizations(sub, "weight", leave_parametrized=True)


class WaveNet(nn.Module):
    """Gated residual stack: ``x [B, H, T]``, ``mask [B, 1, T]``, ``cond [B, G, 1 or T]`` -> ``[B, H, T]``."""

    def __init__(
        self,
        hidden_channels: int,
        kernel_size: int,
        dilation_rate: int,
        n_layers: int,
        cond_channels: int = 0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"WaveNet kernel_size must be odd to keep the length, got {kernel_size}")
        self.hidden_channels = hidden_channels
        self.n_layers = n_layers
        self.cond_channels = cond_channels
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        self.dropout = nn.Dropout(dropout)
        # one 1x1 conv makes the conditioning for every layer at once
        self.cond_layer = (
            weight_norm(nn.Conv1d(cond_channels, 2 * hidden_channels * n_layers, 1)) if cond_channels else None
        )
        for i in range(n_layers):
            dilation = dilation_rate**i
            padding = (kernel_size * dilation - dilation) // 2
            self.in_layers.append(
                weight_norm(nn.Conv1d(hidden_channels, 2 * hidden_channels, kernel_size, dilation=dilation, padding=padding))
            )
            out = 2 * hidden_channels if i < n_layers - 1 else hidden_channels  # last layer: skip only
            self.res_skip_layers.append(weight_norm(nn.Conv1d(hidden_channels, out, 1)))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        h = self.hidden_channels
        output = torch.zeros_like(x)
        if cond is not None:
            if self.cond_layer is None:
                raise ValueError("this WaveNet was built with cond_channels=0 but received a conditioning tensor")
            cond = self.cond_layer(cond)  # [B, 2H·L, 1 or T]
        for i, (in_layer, res_skip_layer) in enumerate(zip(self.in_layers, self.res_skip_layers)):
            pre = in_layer(x)
            if cond is not None:
                pre = pre + cond[:, 2 * h * i : 2 * h * (i + 1)]
            res_skip = res_skip_layer(self.dropout(gated_activation(pre)))
            if i < self.n_layers - 1:
                x = (x + res_skip[:, :h]) * mask
                output = output + res_skip[:, h:]
            else:
                output = output + res_skip
        return output * mask

    def remove_weight_norm(self) -> None:
        remove_weight_norm_everywhere(self)
