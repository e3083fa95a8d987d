"""Glow-TTS flow decoder: mel frames <-> Gaussian latents, exactly invertible.

``y [B, 80, T]`` is squeezed to ``[B, 160, T/2]`` (two frames side by side), then
``decoder_blocks`` × [ActNorm, grouped invertible 1×1 conv, affine coupling with a
WaveNet conditioner], then unsqueezed back. Training runs it forward (mel ->
``z`` plus ``log|det|``); synthesis runs it in reverse (``z`` sampled around the
aligned text means -> mel).
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.flows import ActNorm, AffineCoupling, FlowOutput, FlowStack, InvConvNear, squeeze, unsqueeze
from course_lib.models.glow_tts.config import GlowTTSConfig


class FlowDecoder(nn.Module):
    """``x [B, n_mels, T]`` (T divisible by ``n_squeeze``), ``mask [B, 1, T]``, ``cond [B, G, 1]`` or None."""

    def __init__(self, config: GlowTTSConfig) -> None:
        super().__init__()
        self.n_squeeze = config.n_squeeze
        channels = config.n_mels * config.n_squeeze
        layers = []
        for _ in range(config.decoder_blocks):
            layers += [
                ActNorm(channels),
                InvConvNear(channels, config.n_split),
                AffineCoupling(
                    channels,
                    config.decoder_channels,
                    config.decoder_kernel_size,
                    config.decoder_dilation_rate,
                    config.decoder_block_layers,
                    cond_channels=config.speaker_channels if config.speaker_conditioned else 0,
                    dropout=config.decoder_dropout,
                ),
            ]
        self.flows = FlowStack(layers)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None, reverse: bool = False
    ) -> FlowOutput:
        """Mel -> latent (``reverse=False``) or latent -> mel; ``log_det [B]`` of that direction."""
        if x.shape[-1] % self.n_squeeze:
            raise ValueError(
                f"the flow decoder needs a frame count divisible by {self.n_squeeze}, got {x.shape[-1]}; "
                "trim the mel (GlowTTS.forward does this)"
            )
        squeezed, squeezed_mask = squeeze(x, mask, self.n_squeeze)
        out = self.flows(squeezed, squeezed_mask, cond=cond, reverse=reverse)
        z, _ = unsqueeze(out.z, squeezed_mask, self.n_squeeze)
        return FlowOutput(z, out.log_det)

    def remove_weight_norm(self) -> None:
        for layer in self.flows.layers:
            if isinstance(layer, AffineCoupling):
                layer.remove_weight_norm()
