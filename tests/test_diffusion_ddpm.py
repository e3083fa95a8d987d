"""Discrete DDPM: schedule identities, forward draws, ancestral and accelerated sampling."""

from __future__ import annotations

import pytest
import torch

from course_lib.diffusion import (
    NonFiniteEstimateError,
    accelerated_sample,
    accelerated_timesteps,
    alpha_bar,
    ancestral_step,
    ddim_step,
    ddpm_sample,
    epsilon_loss,
    linear_betas,
    q_sample,
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread avoids oversubscription on the shared 2-core CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def gaussian_noise_predictor(alpha_bars: torch.Tensor, data_mean: float, data_std: float):
    """Exact E[ε | x_t] when x_0 ~ N(data_mean, data_std²): the ideal ε-network."""

    def predict(x_t: torch.Tensor, step: torch.Tensor) -> torch.Tensor:
        ab = alpha_bars.to(x_t.dtype)[step].reshape(-1, *([1] * (x_t.dim() - 1)))
        var_t = ab * data_std**2 + 1.0 - ab
        score = -(x_t - ab.sqrt() * data_mean) / var_t
        return -(1.0 - ab).sqrt() * score

    return predict


def test_alpha_bar_strictly_decreasing_in_unit_interval():
    ab = alpha_bar(linear_betas(1000))
    assert torch.all(ab[1:] < ab[:-1])
    assert 0.0 < ab[-1] < 1e-4 and ab[0] == pytest.approx(1 - 1e-4)


def test_linear_betas_rejects_bad_range():
    with pytest.raises(ValueError, match="beta_start"):
        linear_betas(10, beta_start=0.1, beta_end=0.01)


def test_q_sample_at_alpha_bar_one_returns_x0_and_zero_returns_noise():
    x0, noise = torch.randn(2, 80, 12), torch.randn(2, 80, 12)
    assert torch.equal(q_sample(x0, noise, 1.0), x0)
    assert torch.equal(q_sample(x0, noise, 0.0), noise)


def test_q_sample_moments_match_eq4():
    torch.manual_seed(0)
    ab = torch.tensor(0.3)
    x0 = torch.full((200_000,), 2.0)
    xt = q_sample(x0, torch.randn_like(x0), ab)
    assert xt.mean().item() == pytest.approx(ab.sqrt().item() * 2.0, abs=0.01)
    assert xt.var().item() == pytest.approx(1 - ab.item(), rel=0.02)


def test_epsilon_loss_ignores_padding():
    noise = torch.zeros(1, 2, 4)
    pred = torch.tensor([[[1.0, 1.0, 9.0, 9.0], [1.0, 1.0, 9.0, 9.0]]])
    mask = torch.tensor([[[1.0, 1.0, 0.0, 0.0]]])
    assert epsilon_loss(pred, noise, mask).item() == pytest.approx(1.0)
    assert epsilon_loss(pred, noise).item() == pytest.approx(41.0)


def test_accelerated_timesteps_diff_tts_gammas():
    assert accelerated_timesteps(400, 1) == list(range(399, -1, -1))
    for gamma, n_visited in [(7, 58), (21, 20), (57, 8)]:
        walk = accelerated_timesteps(400, gamma)
        assert len(walk) == n_visited and walk[0] == 399 and walk[-1] == 0


@pytest.mark.parametrize("gamma", [0, -3, 8, 400, 2.5])
def test_accelerated_timesteps_rejects_gamma_that_does_not_fit(gamma):
    with pytest.raises(ValueError, match="gamma"):
        accelerated_timesteps(400, gamma)


def test_gamma_one_equals_full_sampler_exactly():
    ab = alpha_bar(linear_betas(50, 1e-4, 0.2))
    predict = gaussian_noise_predictor(ab, 1.0, 0.5)
    x_start = torch.randn(4, 3, 5, generator=torch.Generator().manual_seed(1))
    full = ddpm_sample(predict, x_start, ab, generator=torch.Generator().manual_seed(7), return_trajectory=True)
    fast = accelerated_sample(predict, x_start, ab, gamma=1, generator=torch.Generator().manual_seed(7),
                              return_trajectory=True)
    assert torch.equal(full.sample, fast.sample)
    assert len(full.trajectory) == 51 and all(torch.equal(a, b) for a, b in zip(full.trajectory, fast.trajectory))


def test_full_sampler_matches_textbook_algorithm_2():
    """Same noise draws, written with the stored β_t as in the paper (posterior variance β̃_t)."""
    betas = linear_betas(30, 1e-3, 0.3)
    ab = alpha_bar(betas)
    predict = gaussian_noise_predictor(ab, -0.5, 0.7)
    x = torch.randn(3, 2, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    ours = ddpm_sample(predict, x, ab, generator=torch.Generator().manual_seed(11)).sample
    gen = torch.Generator().manual_seed(11)
    for t in range(29, -1, -1):
        eps = predict(x, torch.full((3,), t))
        z = torch.randn(x.shape, generator=gen).to(x) if t > 0 else torch.zeros_like(x)
        beta, alpha = betas[t], 1 - betas[t]
        sigma2 = (1 - ab[t - 1]) / (1 - ab[t]) * beta if t > 0 else torch.tensor(0.0, dtype=torch.float64)
        x = (x - beta / (1 - ab[t]).sqrt() * eps) / alpha.sqrt() + sigma2.sqrt() * z
    torch.testing.assert_close(ours, x, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("gamma,method", [(1, "ancestral"), (1, "ddim"), (3, "ddim")])
def test_sampling_with_true_noise_recovers_gaussian_data(gamma, method):
    ab = alpha_bar(linear_betas(100, 1e-4, 0.2))
    predict = gaussian_noise_predictor(ab, 1.5, 0.4)
    gen = torch.Generator().manual_seed(0)
    x_start = torch.randn(8000, 1, generator=gen)
    sample = accelerated_sample(predict, x_start, ab, gamma, method=method, generator=gen).sample
    assert sample.mean().item() == pytest.approx(1.5, abs=0.03)
    assert sample.std().item() == pytest.approx(0.4, rel=0.1)


def test_coarse_ancestral_walk_under_disperses():
    """Skipping steps keeps the mean but loses spread (the lesson's steps-vs-quality point)."""
    ab = alpha_bar(linear_betas(100, 1e-4, 0.2))
    predict = gaussian_noise_predictor(ab, 1.5, 0.4)
    stds = []
    for gamma in (1, 11, 33):
        gen = torch.Generator().manual_seed(0)
        stds.append(accelerated_sample(predict, torch.randn(4000, 1, generator=gen), ab, gamma, generator=gen)
                    .sample.std().item())
    assert stds[0] > stds[1] > stds[2]


def test_ddim_with_eta_one_matches_ancestral_mean():
    x, eps = torch.randn(3, 5, dtype=torch.float64), torch.randn(3, 5, dtype=torch.float64)
    ab_t, ab_prev = torch.tensor(0.4, dtype=torch.float64), torch.tensor(0.7, dtype=torch.float64)
    z = torch.randn(3, 5, dtype=torch.float64)
    torch.testing.assert_close(ddim_step(x, eps, ab_t, ab_prev, 1.0, z), ancestral_step(x, eps, ab_t, ab_prev, z))


def test_ancestral_step_without_noise_is_the_mean_and_rejects_unknown_variance():
    x, eps = torch.randn(2, 3), torch.randn(2, 3)
    ab_t, ab_prev = torch.tensor(0.5), torch.tensor(0.8)
    mean = ancestral_step(x, eps, ab_t, ab_prev, None)
    alpha = ab_t / ab_prev
    torch.testing.assert_close(mean, (x - (1 - alpha) / (1 - ab_t).sqrt() * eps) / alpha.sqrt())
    with pytest.raises(ValueError, match="posterior"):
        ancestral_step(x, eps, ab_t, ab_prev, torch.randn(2, 3), variance="learned")


def test_nan_from_network_stops_sampling_with_message():
    ab = alpha_bar(linear_betas(10))

    def broken(x, t):
        return torch.full_like(x, float("nan"))

    with pytest.raises(NonFiniteEstimateError, match="NaN or inf at reverse step 0"):
        ddpm_sample(broken, torch.randn(1, 4), ab)


def test_mask_zeroes_padding_each_step():
    ab = alpha_bar(linear_betas(20, 1e-3, 0.2))
    mask = torch.tensor([[[1.0, 1.0, 0.0]]])
    out = ddpm_sample(gaussian_noise_predictor(ab, 0.0, 1.0), torch.randn(1, 2, 3), ab, mask=mask).sample
    assert torch.all(out[..., 2] == 0)


def test_x0_clipping_matches_eq11_when_inactive_and_bounds_an_untrained_walk():
    x, eps, z = (torch.randn(3, 5, dtype=torch.float64) for _ in range(3))
    ab_t, ab_prev = torch.tensor(0.3, dtype=torch.float64), torch.tensor(0.6, dtype=torch.float64)
    for step in (ancestral_step, lambda *a, **k: ddim_step(*a[:4], 0.5, a[4], **k)):
        torch.testing.assert_close(step(x, eps, ab_t, ab_prev, z, x0_range=(-1e9, 1e9)), step(x, eps, ab_t, ab_prev, z))
    ab = alpha_bar(linear_betas(400, 1e-4, 0.05))
    start = torch.randn(200, 2, generator=torch.Generator().manual_seed(0))

    def silent(x, t):  # an untrained network that predicts no noise
        return torch.zeros_like(x)

    loose = accelerated_sample(silent, start, ab, 57, generator=torch.Generator().manual_seed(1)).sample
    clipped = accelerated_sample(silent, start, ab, 57, generator=torch.Generator().manual_seed(1),
                                 x0_range=(-1.0, 1.0)).sample
    assert loose.abs().max() > 20 and clipped.abs().max() <= 1.0 + 1e-6
