"""An inverse-STFT generator: log-mel ``[B, 80, T]`` → waveform ``[B, 1, T·256]``, without upsampling.

HiFi-GAN spends almost all of its time in the upsampling stages: at 22,050 Hz the last
stage runs its residual blocks 22,050 times a second, on a CPU one conv after another.
The inverse-STFT idea (iSTFTNet, Kaneko et al. 2022; Vocos, Siuzdak 2023; MB-iSTFT-VITS)
asks the network for the *spectrum* instead of the samples:

1. a ConvNeXt backbone runs at the **frame rate** (86 frames a second), so its cost is
   ~256× smaller per layer than a sample-rate conv of the same width;
2. a linear head predicts, per frame, 513 log-magnitudes and 513 phases — the full
   complex STFT frame ``S = |S|·e^{iφ}``, magnitude *and* phase (what Griffin-Lim has to
   guess by iteration);
3. an inverse STFT (windowed overlap-add, :func:`course_lib.audio.istft`) turns the
   frames into samples. It is a fixed, exact linear map: no parameters, and on a CPU a
   few milliseconds per second of audio.

Backbone block (ConvNeXt, Liu et al. 2022, 1-D as in Vocos): depthwise conv (kernel 7)
→ LayerNorm → Linear(dim → intermediate) → GELU → Linear(intermediate → dim) → a
learned per-channel scale (layer scale, 1/n_layers at init) → residual add.

The phase is predicted as an unconstrained angle ``φ`` and used through ``cos φ`` and
``sin φ``: the network never has to learn a wrap-around at ±π. Magnitudes are
``exp(log|S|)`` capped at 100 (Vocos's guard against an exploding exponent early in
training).

The output frames use the course's framing (``n_fft`` 1024, Hann, hop 256, 384 samples of
padding each side, ``center=False``), so frame ``t`` of the input mel and samples
``256·t …`` of the output line up exactly, as for the HiFi-GAN generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.audio import N_FFT, N_MELS, istft

MAX_MAGNITUDE = 100.0


@dataclass(frozen=True)
class ISTFTGeneratorConfig:
    """Width and depth of the ConvNeXt backbone of an :class:`ISTFTGenerator`.

    ``vocos()`` is Vocos's mel model (13,459,970 parameters with 80 mel bins);
    ``small()`` is REFERENCE.md §9.2's "Vocos small" (1,996,546), the course's CPU vocoder.
    """

    in_channels: int = N_MELS
    dim: int = 512
    intermediate_dim: int = 1536
    n_layers: int = 8
    kernel_size: int = 7
    speaker_channels: int = 0  # VITS multi-speaker: an embedding projected and added after the input conv
    # "absolute": the head predicts each frame's phase (Vocos); "integrated": it predicts how far each bin's
    # phase turns since the previous frame, and the phase is their running sum over frames
    phase: str = "absolute"

    def __post_init__(self) -> None:
        if self.speaker_channels < 0:
            raise ValueError(f"ISTFTGeneratorConfig.speaker_channels must be ≥ 0, got {self.speaker_channels}")
        for name in ("in_channels", "dim", "intermediate_dim", "n_layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"ISTFTGeneratorConfig.{name} must be ≥ 1, got {getattr(self, name)}")
        if self.kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd for 'same' padding, got {self.kernel_size}")
        if self.phase not in ("absolute", "integrated"):
            raise ValueError(f"ISTFTGeneratorConfig.phase must be 'absolute' or 'integrated', got {self.phase!r}")

    @classmethod
    def vocos(cls) -> "ISTFTGeneratorConfig":
        """Vocos (mel, 24 kHz release): dim 512, intermediate 1536, 8 ConvNeXt blocks."""
        return cls()

    @classmethod
    def small(cls) -> "ISTFTGeneratorConfig":
        """Dim 256, intermediate 768, 4 blocks: 2.0 M parameters, RTF ≈ 0.007 on one CPU thread."""
        return cls(dim=256, intermediate_dim=768, n_layers=4)

    @property
    def n_bins(self) -> int:
        """Frequency bins of one predicted STFT frame (``n_fft / 2 + 1`` = 513)."""
        return N_FFT // 2 + 1


class ConvNeXtBlock(nn.Module):
    """``[B, C, T]`` → ``[B, C, T]``: depthwise conv → LayerNorm → MLP (GELU) → layer scale → + input."""

    def __init__(self, dim: int, intermediate_dim: int, kernel_size: int, layer_scale: float) -> None:
        super().__init__()
        self.depthwise = nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.expand = nn.Linear(dim, intermediate_dim)
        self.project = nn.Linear(intermediate_dim, dim)
        self.scale = nn.Parameter(torch.full((dim,), layer_scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x
        x = self.depthwise(x).transpose(1, 2)                  # [B, T, C]: the MLP acts per frame
        x = self.project(F.gelu(self.expand(self.norm(x))))
        return residual + (self.scale * x).transpose(1, 2)


class ISTFTGenerator(nn.Module):
    """Mel ``[B, in_channels, T]`` → wave ``[B, 1, T·256]`` through a frame-rate backbone and an inverse STFT."""

    def __init__(self, config: ISTFTGeneratorConfig) -> None:
        super().__init__()
        self.config = config
        self.embed = nn.Conv1d(config.in_channels, config.dim, config.kernel_size, padding=config.kernel_size // 2)
        self.speaker_proj = nn.Conv1d(config.speaker_channels, config.dim, 1) if config.speaker_channels else None
        self.norm = nn.LayerNorm(config.dim, eps=1e-6)
        self.blocks = nn.ModuleList(
            ConvNeXtBlock(config.dim, config.intermediate_dim, config.kernel_size, 1.0 / config.n_layers)
            for _ in range(config.n_layers)
        )
        self.final_norm = nn.LayerNorm(config.dim, eps=1e-6)
        self.head = nn.Linear(config.dim, 2 * config.n_bins)   # log-magnitude and phase per bin
        self.apply(_init_weights)

    def spectrum(self, mel: torch.Tensor, speaker: torch.Tensor | None = None) -> torch.Tensor:
        """``mel [B, in_channels, T]`` (``speaker [B, speaker_channels, 1]``) → complex STFT frames ``[B, 513, T]``
        (float32)."""
        return self._complex(*self.magnitude_and_phase(mel, speaker))

    def magnitude_and_phase(self, mel: torch.Tensor,
                            speaker: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``mel [B, in_channels, T]`` → ``(log_magnitude, phase)``, each ``[B, 513, T]`` float32 (phase unwrapped:
        any real number of radians)."""
        x = self.embed(mel)                                                   # [B, C, T]
        if self.speaker_proj is not None:
            if speaker is None:
                raise ValueError("this generator was built with speaker_channels > 0: pass speaker [B, S, 1]")
            x = x + self.speaker_proj(speaker)
        x = self.norm(x.transpose(1, 2)).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        x = self.head(self.final_norm(x.transpose(1, 2))).transpose(1, 2)     # [B, 2·513, T]
        log_magnitude, phase = x.float().chunk(2, dim=1)
        if self.config.phase == "integrated":
            phase = torch.cumsum(phase, dim=-1)                               # advances per frame → phases
        return log_magnitude, phase

    @staticmethod
    def _complex(log_magnitude: torch.Tensor, phase: torch.Tensor) -> torch.Tensor:
        magnitude = torch.exp(log_magnitude).clamp(max=MAX_MAGNITUDE)
        return torch.complex(magnitude * torch.cos(phase), magnitude * torch.sin(phase))

    def forward(self, mel: torch.Tensor, speaker: torch.Tensor | None = None, return_phase: bool = False):
        """``mel [B, in_channels, T]`` → ``wave [B, 1, T·256]`` (not clipped; the vocoder clips to [-1, 1]).

        ``return_phase``: also return the predicted phase ``[B, 513, T]`` (for a phase loss in training)."""
        log_magnitude, phase = self.magnitude_and_phase(mel, speaker)
        wave = istft(self._complex(log_magnitude, phase)).unsqueeze(1)       # [B, 1, T·256]
        return (wave, phase) if return_phase else wave

    def remove_weight_norm(self) -> "ISTFTGenerator":
        """Nothing to fold (the backbone has no weight norm); there for the vocoder interface. Returns self."""
        return self

    @property
    def has_weight_norm(self) -> bool:
        return False


def _init_weights(module: nn.Module) -> None:
    """Vocos's initialisation: truncated normal (σ 0.02) weights and zero biases for convs and linears."""
    if isinstance(module, (nn.Conv1d, nn.Linear)):
        nn.init.trunc_normal_(module.weight, std=0.02)
        nn.init.zeros_(module.bias)

