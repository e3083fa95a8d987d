"""Lesson 05 pieces: the 2-D toy trainer, the sample distance, and the exercise checks."""

from __future__ import annotations

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks import lesson05 as L
from course_lib.diffusion import alpha_bar, linear_betas
from course_lib.diffusion.toy import ring_of_gaussians, sliced_wasserstein, train_toy_denoiser


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread avoids oversubscription on the shared 2-core CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_toy_denoiser_learns():
    training = train_toy_denoiser(alpha_bar(linear_betas(100, 1e-4, 0.2)), steps=120, batch_size=128)
    first, last = sum(training.losses[:10]) / 10, sum(training.losses[-10:]) / 10
    assert last < 0.8 * first


def test_sliced_wasserstein_is_a_distance_between_clouds():
    gen = torch.Generator().manual_seed(0)
    a = ring_of_gaussians(3000, generator=gen)
    b = ring_of_gaussians(3000, generator=gen)
    assert sliced_wasserstein(a, a) == 0.0
    assert sliced_wasserstein(a, b) < 0.05 < sliced_wasserstein(a, torch.randn(3000, 2, generator=gen))
    assert sliced_wasserstein(a + 1.0, a) == pytest.approx(sliced_wasserstein(a, a + 1.0))
    with pytest.raises(ValueError, match="same shape"):
        sliced_wasserstein(a, a[:10])


def stub(*args):
    raise NotImplementedError


def solution_q_sample(x0, noise, alpha_bar_t):
    return alpha_bar_t.sqrt() * x0 + (1 - alpha_bar_t).sqrt() * noise


def solution_reverse_step(x_t, eps, ab_t, ab_prev, z):
    alpha = ab_t / ab_prev
    beta = 1 - alpha
    mean = (x_t - beta / (1 - ab_t).sqrt() * eps) / alpha.sqrt()
    return mean + ((1 - ab_prev) / (1 - ab_t) * beta).sqrt() * z


def test_solutions_pass_and_stubs_are_not_done(capsys):
    assert L.check_q_sample(solution_q_sample) and L.check_reverse_step(solution_reverse_step)
    assert L.check_q_sample(stub) is False and L.check_reverse_step(stub) is False
    out = capsys.readouterr().out
    assert out.count("✓") == 2 and "not implemented yet" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x0, n, ab: ab * x0 + (1 - ab) * n, "standard deviations"),
    (lambda x0, n, ab: (1 - ab).sqrt() * x0 + ab.sqrt() * n, "swapped"),
    (lambda x0, n, ab: (1 - ab).sqrt() * n, "keep x0"),
    (lambda x0, n, ab: x0 + n, "compose two steps"),
])
def test_q_sample_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L.check_q_sample(wrong)


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, e, a, p, z: solution_reverse_step(x, e, a, p, 0 * z), "mean only"),
    (lambda x, e, a, p, z: solution_reverse_step(x, e, a, p, 0 * z) + (1 - a / p).sqrt() * z, "not β_t"),
    (lambda x, e, a, p, z: solution_reverse_step(x, e, a, p, z) - (1 - a / p) * e / (a / p).sqrt()
     * (1 / (1 - a) - 1 / (1 - a).sqrt()), "square root on the denominator"),
])
def test_reverse_step_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        L.check_reverse_step(wrong)
