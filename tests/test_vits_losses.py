"""VITS' single-sample KL: what it gives exactly when the posterior equals the prior, and the duration loss."""

import math

import torch

from course_lib.models.vits.losses import duration_loss, kl_divergence
from course_lib.nn.masks import sequence_mask

torch.set_num_threads(1)


def _prior(seed: int = 0, channels: int = 8, frames: int = 30):
    gen = torch.Generator().manual_seed(seed)
    mean = torch.randn(2, channels, frames, generator=gen)
    log_std = torch.randn(2, channels, frames, generator=gen) * 0.3
    mask = sequence_mask(torch.tensor([frames, 20]), frames).float()
    return mean, log_std, mask, gen


def test_kl_is_zero_when_the_sample_sits_one_sigma_from_the_mean():
    """q = p and |ε| = 1: the single-sample estimate ½(ε² − 1) vanishes element by element."""
    mean, log_std, mask, gen = _prior()
    signs = torch.randint(0, 2, mean.shape, generator=gen) * 2.0 - 1.0
    z_p = mean + signs * log_std.exp()
    assert abs(kl_divergence(z_p, log_std, mean, log_std, mask).item()) < 1e-5


def test_kl_with_posterior_equal_to_prior_is_half_of_eps_squared_minus_one():
    """Exactly Σ ½(ε² − 1) over real frames and channels, divided by the number of real frames."""
    mean, log_std, mask, gen = _prior(1)
    eps = torch.randn(mean.shape, generator=gen)
    kl = kl_divergence(mean + eps * log_std.exp(), log_std, mean, log_std, mask)
    expected = (0.5 * (eps.pow(2) - 1) * mask).sum() / mask.sum()
    torch.testing.assert_close(kl, expected, atol=1e-5, rtol=0)


def test_kl_with_posterior_equal_to_prior_is_zero_only_on_average():
    """Many samples: the mean of ½(ε² − 1) per frame (192 channels) is 0 within its sampling error."""
    mean, log_std, mask, gen = _prior(2, channels=192, frames=400)
    eps = torch.randn(mean.shape, generator=gen)
    kl = kl_divergence(mean + eps * log_std.exp(), log_std, mean, log_std, mask)
    frames = mask.sum().item()
    per_frame_std = math.sqrt(192 * 2) / 2  # Var ε² = 2 per channel, ½ factor, summed over channels
    assert abs(kl.item()) < 4 * per_frame_std / math.sqrt(frames)


def test_kl_of_the_prior_mean_is_minus_half_per_channel():
    """z_p = μ_p and equal σ: −½ per channel — why the logged KL of VITS can be negative."""
    mean, log_std, mask, _ = _prior(3)
    kl = kl_divergence(mean, log_std, mean, log_std, mask)
    torch.testing.assert_close(kl, torch.tensor(-0.5 * 8))


def test_kl_matches_the_closed_form_when_averaged_over_samples():
    """E_ε of the estimate = KL(N(μ_q, σ_q) ‖ N(μ_p, σ_p)) (the flow here is the identity)."""
    gen = torch.Generator().manual_seed(4)
    mu_q, log_q, mu_p, log_p = 0.3, -0.4, -0.2, 0.1
    eps = torch.randn(1, 1, 200_000, generator=gen, dtype=torch.float64)
    z = mu_q + eps * math.exp(log_q)
    full = torch.ones_like(z)
    estimate = kl_divergence(z, full * log_q, full * mu_p, full * log_p, full[:, :1])
    closed = log_p - log_q + (math.exp(2 * log_q) + (mu_q - mu_p) ** 2) / (2 * math.exp(2 * log_p)) - 0.5
    assert abs(estimate.item() - closed) < 0.01


def test_duration_loss_is_a_mean_over_real_tokens():
    terms = torch.tensor([6.0, 3.0])
    mask = sequence_mask(torch.tensor([4, 2]), 4).float()
    assert duration_loss(terms, mask).item() == 1.5
