"""Grad-TTS's VP-SDE with terminal mean μ: closed forms, loss, and the reverse solvers."""

from __future__ import annotations

import pytest
import torch

from course_lib.diffusion import (
    NoiseSchedule,
    NonFiniteEstimateError,
    forward_moments,
    forward_sample,
    gaussian_score,
    prior_start,
    reverse_times,
    score_matching_loss,
    solve_reverse,
)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread avoids oversubscription on the shared 2-core CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


SCHEDULE = NoiseSchedule()  # β(t) = 0.05 + (20 − 0.05) t


def test_integral_is_antiderivative_of_beta():
    t = torch.linspace(0.05, 0.95, 19, dtype=torch.float64)
    h = 1e-6
    numeric = (SCHEDULE.integral(t + h) - SCHEDULE.integral(t - h)) / (2 * h)
    torch.testing.assert_close(numeric, SCHEDULE.beta(t))
    assert SCHEDULE.integral(torch.tensor(0.0)).item() == 0.0
    assert SCHEDULE.integral(torch.tensor(1.0)).item() == pytest.approx(0.05 + 0.5 * 19.95)


def test_forward_at_t_zero_returns_x0_and_at_t_one_is_near_prior():
    x0, mu = torch.randn(2, 80, 8), torch.randn(2, 80, 8)
    zero = forward_moments(x0, mu, torch.zeros(2), SCHEDULE)
    assert torch.equal(zero.mean, x0) and torch.all(zero.variance == 0)
    assert torch.equal(forward_sample(x0, mu, torch.zeros(2), torch.randn_like(x0), SCHEDULE), x0)
    one = forward_moments(x0, mu, torch.ones(2), SCHEDULE)
    torch.testing.assert_close(one.mean, mu, atol=0.05, rtol=0)
    assert torch.all((one.variance - 1).abs() < 1e-4)


def test_closed_form_moments_match_simulated_forward_sde():
    """Euler–Maruyama on dX = ½(μ − X)β dt + √β dW from a fixed x0 agrees with eq. 4–5."""
    gen = torch.Generator().manual_seed(0)
    n, n_steps, t_end = 40_000, 400, 0.3
    x0, mu = torch.tensor(2.0, dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64)
    x = torch.full((n,), 2.0, dtype=torch.float64)
    dt = t_end / n_steps
    for i in range(n_steps):
        beta = SCHEDULE.beta(torch.tensor((i + 0.5) * dt, dtype=torch.float64))
        x = x + 0.5 * (mu - x) * beta * dt + (beta * dt).sqrt() * torch.randn(n, generator=gen, dtype=torch.float64)
    closed = forward_moments(x0.reshape(1, 1), mu.reshape(1, 1), torch.tensor([t_end], dtype=torch.float64), SCHEDULE)
    assert x.mean().item() == pytest.approx(closed.mean.item(), abs=0.02)
    assert x.var().item() == pytest.approx(closed.variance.item(), rel=0.03)


def test_loss_is_zero_for_the_exact_conditional_score():
    x0, mu, noise = torch.randn(3, 80, 16), torch.randn(3, 80, 16), torch.randn(3, 80, 16)
    t = torch.tensor([0.1, 0.5, 0.9])
    variance = forward_moments(x0, mu, t, SCHEDULE).variance
    exact_score = -noise / variance.sqrt()
    assert score_matching_loss(exact_score, noise, t, SCHEDULE).item() < 1e-10
    assert score_matching_loss(torch.zeros_like(noise), noise, t, SCHEDULE).item() == pytest.approx(
        noise.pow(2).mean().item())


def test_loss_ignores_padded_frames():
    noise = torch.zeros(1, 2, 4)
    score = torch.tensor([[[0.0, 0.0, 50.0, 50.0]] * 2])
    mask = torch.tensor([[[1.0, 1.0, 0.0, 0.0]]])
    assert score_matching_loss(score, noise, torch.tensor([0.5]), SCHEDULE, mask).item() == 0.0


def _toy_problem(dim: int):
    data_mean = torch.tensor([1.5, -0.5][:dim], dtype=torch.float64)
    data_cov = torch.tensor([[0.25, 0.12], [0.12, 0.16]], dtype=torch.float64)[:dim, :dim]
    mu = torch.tensor([0.5, 0.3][:dim], dtype=torch.float64)  # a prior mean near, not at, the data

    def score_fn(x, t):
        return gaussian_score(x, t, data_mean, data_cov, mu, SCHEDULE)

    return data_mean, data_cov, mu, score_fn


@pytest.mark.parametrize("dim", [1, 2])
def test_reverse_ode_with_true_score_recovers_gaussian_data(dim):
    data_mean, data_cov, mu, score_fn = _toy_problem(dim)
    gen = torch.Generator().manual_seed(0)
    mu_batch = mu.expand(20_000, dim)
    start = prior_start(mu_batch, temperature=1.0, generator=gen)
    sample = solve_reverse(score_fn, start, mu_batch, n_steps=100).sample
    torch.testing.assert_close(sample.mean(0), data_mean, atol=0.02, rtol=0)
    torch.testing.assert_close(torch.cov(sample.T).reshape(dim, dim), data_cov, atol=0.02, rtol=0)


def test_reverse_sde_with_true_score_recovers_gaussian_data():
    data_mean, data_cov, mu, score_fn = _toy_problem(2)
    gen = torch.Generator().manual_seed(1)
    mu_batch = mu.expand(20_000, 2)
    start = prior_start(mu_batch, temperature=1.0, generator=gen)
    sample = solve_reverse(score_fn, start, mu_batch, n_steps=200, stochastic=True, generator=gen).sample
    torch.testing.assert_close(sample.mean(0), data_mean, atol=0.03, rtol=0)
    torch.testing.assert_close(torch.cov(sample.T), data_cov, atol=0.03, rtol=0)


def test_temperature_shrinks_the_start_around_mu():
    mu = torch.zeros(50_000, 1)
    assert prior_start(mu, 1.0, torch.Generator().manual_seed(0)).std().item() == pytest.approx(1.0, rel=0.02)
    assert prior_start(mu, 2.0, torch.Generator().manual_seed(0)).std().item() == pytest.approx(0.5, rel=0.02)


def test_grad_tts_time_grid_and_trajectory():
    assert reverse_times(4) == [0.875, 0.625, 0.375, 0.125]
    _, _, mu, score_fn = _toy_problem(2)
    mu_batch = mu.expand(3, 2)
    result = solve_reverse(score_fn, mu_batch.clone(), mu_batch, n_steps=5, return_trajectory=True)
    assert len(result.trajectory) == 6 and torch.equal(result.trajectory[-1], result.sample)
    assert result.times == reverse_times(5)


@pytest.mark.parametrize("steps", [0, -2, 1.5])
def test_bad_step_counts_are_rejected(steps):
    with pytest.raises(ValueError, match="positive integer"):
        solve_reverse(lambda x, t: x, torch.zeros(1, 2), torch.zeros(1, 2), n_steps=steps)


@pytest.mark.parametrize("temperature", [0.0, -1.0, float("nan")])
def test_bad_temperatures_are_rejected(temperature):
    with pytest.raises(ValueError, match="temperature"):
        prior_start(torch.zeros(1, 2), temperature)


def test_nan_score_stops_the_solver_with_a_message():
    def broken(x, t):
        return torch.where(t[:, None] < 0.5, torch.nan, 0.0) * torch.ones_like(x)

    with pytest.raises(NonFiniteEstimateError, match="reverse step 2"):
        solve_reverse(broken, torch.zeros(1, 2), torch.zeros(1, 2), n_steps=4)
