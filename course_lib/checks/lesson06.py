"""Checks for lesson 06 (vocoders): the oscillator bank of a harmonic source, a period discriminator's reshape and
the feature-matching loss.

Each check runs the learner's function on fixed inputs and compares it with
:mod:`course_lib.source_filter` or :mod:`course_lib.models.waveform`. A wrong answer is compared with the usual
mistakes (rows and columns swapped, padding with zeros or at the front, a sum
instead of a mean, a forgotten layer) and the matching hint is given.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from course_lib.checks import ExerciseError, attempt, diagnose, report_close
from course_lib.framing import SAMPLE_RATE
from course_lib.models.waveform.discriminators import DiscriminatorResult, fold_by_period
from course_lib.models.waveform.losses import feature_matching_loss
from course_lib.source_filter import NYQUIST, oscillator_bank


def _compare(name: str, got, expected: torch.Tensor, mistakes: dict[str, torch.Tensor], default: str) -> bool:
    try:
        report_close(name, got, expected, atol=1e-5, rtol=1e-4)
    except ExerciseError as err:
        raise ExerciseError(f"{err} Hint: {diagnose(got, mistakes, default)}") from None
    return True


def solution_oscillator(f0, gains):
    """``f0 [N]`` (Hz per sample), ``gains [H, N]`` → ``[N]``: Σ_h gains[h−1] · sin(h·Φ), Φ = 2π·cumsum(f0) / sr,
    each harmonic silent where h·f0 ≥ Nyquist."""
    f0 = torch.as_tensor(f0, dtype=torch.float64)
    gains = torch.as_tensor(gains, dtype=torch.float64)
    phase = 2 * math.pi * torch.cumsum(f0, dim=0) / SAMPLE_RATE              # the running phase Φ(n)
    harmonic = torch.arange(1, gains.shape[0] + 1, dtype=torch.float64)[:, None]
    audible = harmonic * f0[None, :] < SAMPLE_RATE / 2
    return (gains * audible * torch.sin(harmonic * phase[None, :])).sum(0)


def _oscillator_inputs() -> tuple[torch.Tensor, torch.Tensor]:
    """A pitch that glides 100 → 300 Hz, then jumps to 2,500 Hz (harmonics 5 and up cross Nyquist); 6 harmonics
    with gains that change slowly."""
    n = 3000
    f0 = torch.cat([torch.linspace(100.0, 300.0, 2000, dtype=torch.float64),
                    torch.full((n - 2000,), 2500.0, dtype=torch.float64)])
    gains = torch.stack([torch.linspace(1.0 / h, 0.5 / h, n, dtype=torch.float64) for h in range(1, 7)])
    return f0, gains


def check_oscillator(fn) -> bool:
    """``fn(f0 [N], gains [H, N]) -> [N]``: the harmonic source with one integrated phase and nothing above
    Nyquist."""
    f0, gains = _oscillator_inputs()
    got = attempt("oscillator", fn, f0.clone(), gains.clone())
    if got is None:
        return False
    expected = oscillator_bank(f0[None], gains[None])[0].double()
    n = torch.arange(1, f0.numel() + 1, dtype=torch.float64)
    harmonic = torch.arange(1, 7, dtype=torch.float64)[:, None]
    phase = 2 * math.pi * torch.cumsum(f0, 0) / SAMPLE_RATE
    audible = harmonic * f0[None] < NYQUIST
    mistakes = {
        "integrate the pitch: Φ = 2π·cumsum(f0) / sr. 2π·f0·n / sr is right only for a constant pitch — where the "
        "pitch moves, the phase jumps.": (gains * audible * torch.sin(harmonic * 2 * math.pi * f0 * n / SAMPLE_RATE)).sum(0),
        "silence every harmonic at the samples where h·f0 ≥ sr / 2 (Nyquist): above it a sine aliases to a wrong, "
        "lower frequency.": (gains * torch.sin(harmonic * phase)).sum(0),
        "the harmonics are h = 1 … H (the fundamental is h = 1), not 0 … H − 1.":
            (gains * ((harmonic - 1) * f0[None] < NYQUIST) * torch.sin((harmonic - 1) * phase)).sum(0),
        "use sin(h·Φ), as the library does (cos starts every harmonic at its peak).":
            (gains * audible * torch.cos(harmonic * phase)).sum(0),
    }
    # float32 arithmetic on phases of ~10⁴ rad is off by ~10⁻³; every mistake above is off by more than 0.1
    default = "phase = 2π·cumsum(f0) / sr; add gains[h − 1]·sin(h·phase) where h·f0 < sr / 2, for h = 1 … H."
    try:
        report_close("oscillator", got, expected, atol=2e-3, rtol=1e-4)
    except ExerciseError as err:
        raise ExerciseError(f"{err} Hint: {diagnose(got, mistakes, default, atol=2e-3)}") from None
    return True


def solution_fold_by_period(wave, period):
    """``[B, C, N]`` -> ``[B, C, ⌈N/p⌉, p]``: reflect-pad the end to a multiple of the period, then fold."""
    batch, channels, n = wave.shape
    if n % period:
        wave = F.pad(wave, (0, period - n % period), mode="reflect")
    return wave.view(batch, channels, -1, period)


def solution_feature_matching(real, fake):
    """Σ over sub-discriminators and their layers of mean |real − fake| (the ×2 weight comes later).

    HiFi-GAN eq. 3: L_FM = Σ_k Σ_i (1/N_i)·‖D_k^i(x) − D_k^i(G(s))‖₁, N_i the number of elements of layer i —
    a mean within each layer, so every layer counts the same whatever its size, the batch or the clip's length.
    """
    loss = 0
    for real_result, fake_result in zip(real, fake):
        for real_feature, fake_feature in zip(real_result.features, fake_result.features):
            loss = loss + torch.mean(torch.abs(real_feature - fake_feature))
    return loss


def check_fold_by_period(fn) -> bool:
    """``fn(wave [B, C, N], period) -> [B, C, ⌈N/p⌉, p]``, reflect-padding the end to a multiple of p."""
    wave = torch.arange(2 * 17, dtype=torch.float32).reshape(2, 1, 17)
    period = 5
    got = attempt("fold_by_period", fn, wave, period)
    if got is None:
        return False
    expected = fold_by_period(wave, period)
    padded_zero = F.pad(wave, (0, 3)).view(2, 1, 4, 5)
    mistakes = {
        "pad with mode='reflect' (a mirror of the last samples), not zeros — zeros are a fake silence the "
        "discriminator could learn to spot.": padded_zero,
        "the period is the *last* axis: view(B, C, N // p, p), so one column holds samples p apart.":
            F.pad(wave, (0, 3), mode="reflect").view(2, 1, 5, 4).transpose(-1, -2),
        "pad at the end of the wave (F.pad(x, (0, n_pad))), not at the start.":
            F.pad(wave, (3, 0), mode="reflect").view(2, 1, 4, 5),
    }
    if torch.as_tensor(got).shape == (2, 1, 3, 5):
        raise ExerciseError("fold_by_period: shape (2, 1, 3, 5) — you dropped the last 2 samples; pad the end to "
                            "a multiple of the period (17 → 20) with mode='reflect' instead.")
    return _compare("fold_by_period", got, expected, mistakes,
                    "pad (0, p − N mod p) with mode='reflect' when N mod p ≠ 0, then view(B, C, N // p, p).")


def _feature_inputs():
    gen = torch.Generator().manual_seed(6)

    def result(shapes):
        return DiscriminatorResult(torch.randn(2, 7, generator=gen),
                                   [torch.randn(*shape, generator=gen) for shape in shapes])

    layouts = [[(2, 4, 9), (2, 8, 3), (2, 1, 3)], [(2, 4, 5, 2), (2, 1, 5, 2)]]
    real = [result(shapes) for shapes in layouts]
    fake = [result(shapes) for shapes in layouts]
    return real, fake


def check_feature_matching(fn) -> bool:
    """``fn(real, fake) -> scalar``: Σ over sub-discriminators and layers of mean |real − fake| (unweighted)."""
    real, fake = _feature_inputs()
    got = attempt("feature_matching", fn, real, fake)
    if got is None:
        return False
    expected = feature_matching_loss(real, fake)
    pairs = [(r_f, f_f) for r, f in zip(real, fake) for r_f, f_f in zip(r.features, f.features)]
    mistakes = {
        "take the mean |difference| within each layer, then *sum* over layers (layers differ in size).":
            torch.stack([(a - b).abs().mean() for a, b in pairs]).mean(),
        "this is L1, not squared error: torch.mean(torch.abs(real − fake)).":
            sum((a - b).pow(2).mean() for a, b in pairs),
        "use a mean within each layer, not a sum — otherwise big layers dominate.":
            sum((a - b).abs().sum() for a, b in pairs),
        "leave out the ×2 here: the weight is applied in the generator's total loss.":
            2 * expected,
        "include every layer — the final score map (conv_post output) is a feature too.":
            sum((a - b).abs().mean() for a, b in pairs if a.shape[1] != 1),
    }
    return _compare("feature_matching", got, expected, mistakes,
                    "one term per layer of every sub-discriminator: reduce each layer's |real − fake| to a number "
                    "that does not grow with the layer's size, then add the terms up.")
