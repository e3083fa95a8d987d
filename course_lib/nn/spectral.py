"""A multi-resolution STFT distance (Yamamoto et al., Parallel WaveGAN, 2020): a wave's magnitudes compared at
several window sizes at once, so no single time-frequency trade-off is all that is fitted.

Shapes: waves ``[N]`` or ``[B, N]``; the result is a scalar tensor (differentiable: a training loss, and the
``mr_stft`` measure of lesson 06's vocoder scores).
"""

from __future__ import annotations

import torch

MR_STFT_RESOLUTIONS = ((512, 50, 240), (1024, 120, 600), (2048, 240, 1200))  # (n_fft, hop, window)


def multi_resolution_stft(reference: torch.Tensor, generated: torch.Tensor,
                          resolutions=MR_STFT_RESOLUTIONS) -> torch.Tensor:
    """Mean over ``resolutions`` of spectral convergence ``‖|X| − |Y|‖_F / ‖|X|‖_F`` + mean ``|log|X| − log|Y||``,
    ``X`` the reference's STFT and ``Y`` the generated wave's (the norms over the whole batch)."""
    total = reference.new_zeros(())
    for n_fft, hop, window_length in resolutions:
        window = torch.hann_window(window_length, device=reference.device, dtype=reference.dtype)

        def magnitude(wave: torch.Tensor) -> torch.Tensor:
            spec = torch.stft(wave, n_fft, hop_length=hop, win_length=window_length, window=window,
                              return_complex=True)
            return spec.abs().clamp_min(1e-7)

        x, y = magnitude(reference), magnitude(generated)
        total = total + torch.linalg.norm(x - y) / torch.linalg.norm(x) + (x.log() - y.log()).abs().mean()
    return total / len(resolutions)


__all__ = ["MR_STFT_RESOLUTIONS", "multi_resolution_stft"]
