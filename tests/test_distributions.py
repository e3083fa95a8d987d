"""Identities of the diagonal-Gaussian helpers (course_lib.distributions)."""

import math

import pytest
import torch

from course_lib import distributions as D
from course_lib.nn.masks import sequence_mask


def _params(seed, shape=(3, 4)):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g), 0.5 * torch.randn(shape, generator=g)


def test_closed_form_matches_monte_carlo_within_standard_error():
    mean_q, log_std_q = _params(0)
    mean_p, log_std_p = _params(1)
    closed = D.kl_gaussians(mean_q, log_std_q, mean_p, log_std_p)
    estimate, std_err = D.kl_monte_carlo(
        mean_q, log_std_q, mean_p, log_std_p, n_samples=20_000, generator=torch.Generator().manual_seed(2)
    )
    # 12 entries, each within 4.5 standard errors (a false alarm has probability < 1e-4)
    z_scores = (estimate - closed).abs() / std_err
    assert z_scores.max() < 4.5, z_scores


def test_kl_is_nonnegative_and_zero_against_itself():
    mean_q, log_std_q = _params(3, (1000,))
    mean_p, log_std_p = _params(4, (1000,))
    assert (D.kl_gaussians(mean_q, log_std_q, mean_p, log_std_p) >= 0).all()
    self_kl = D.kl_gaussians(mean_q, log_std_q, mean_q, log_std_q)
    torch.testing.assert_close(self_kl, torch.zeros_like(self_kl))


def test_kl_is_asymmetric_on_a_known_pair():
    # q = N(0, 1), p = N(0, 2²): KL(q‖p) = log 2 + 1/8 − 1/2, KL(p‖q) = −log 2 + 2 − 1/2
    zero, log2 = torch.tensor(0.0), torch.tensor(math.log(2.0))
    forward = D.kl_gaussians(zero, zero, zero, log2)
    reverse = D.kl_gaussians(zero, log2, zero, zero)
    assert forward.item() == pytest.approx(math.log(2) + 0.125 - 0.5)
    assert reverse.item() == pytest.approx(-math.log(2) + 2.0 - 0.5)
    assert forward.item() != pytest.approx(reverse.item())


def test_standard_normal_special_case_uses_log_var():
    mean, log_std = _params(5)
    log_var = 2.0 * log_std
    torch.testing.assert_close(
        D.kl_standard_normal(mean, log_var),
        D.kl_gaussians(mean, log_std, torch.zeros_like(mean), torch.zeros_like(mean)),
    )


def test_log_prob_matches_torch_normal():
    mean, log_std = _params(6)
    x = torch.randn(5, 3, 4)
    expected = torch.distributions.Normal(mean, log_std.exp()).log_prob(x)
    torch.testing.assert_close(D.gaussian_log_prob(x, mean, log_std), expected)


def test_single_sample_estimate_can_be_negative_but_averages_to_kl():
    zero, log2 = torch.tensor(0.0), torch.tensor(math.log(2.0))
    z = D.reparameterize(zero.expand(5000), zero.expand(5000), generator=torch.Generator().manual_seed(0))
    single = D.kl_single_sample(z, zero, zero, zero, log2)
    assert (single < 0).any()  # individual draws dip below zero ...
    assert single.mean().item() > 0  # ... their average does not


def test_reparameterized_gradients_reach_mean_and_log_std():
    mean = torch.zeros(4, requires_grad=True)
    log_std = torch.zeros(4, requires_grad=True)
    z = D.reparameterize(mean, log_std, generator=torch.Generator().manual_seed(0))
    (z**2).sum().backward()
    # d/dμ z² = 2z ; d/dlogσ z² = 2z·σε = 2z·(z − μ)
    torch.testing.assert_close(mean.grad, 2 * z.detach())
    torch.testing.assert_close(log_std.grad, 2 * z.detach() ** 2)


def test_temperature_scales_the_noise_and_zero_gives_mean():
    mean, log_std = _params(7)
    g = lambda: torch.Generator().manual_seed(11)  # noqa: E731
    full = D.reparameterize(mean, log_std, 1.0, g())
    half = D.reparameterize(mean, log_std, 0.5, g())
    torch.testing.assert_close(half - mean, 0.5 * (full - mean))
    torch.testing.assert_close(D.reparameterize(mean, log_std, 0.0), mean)


@pytest.mark.parametrize("bad", [-0.1, float("nan")])
def test_negative_temperature_is_rejected(bad):
    mean, log_std = _params(8)
    with pytest.raises(ValueError, match="temperature"):
        D.reparameterize(mean, log_std, temperature=bad)


def test_shape_mismatch_and_nan_sigma_raise_clear_errors():
    mean, log_std = _params(9)
    with pytest.raises(ValueError, match="log_std has shape"):
        D.reparameterize(mean, log_std[:, :2])
    with pytest.raises(ValueError, match="same latent tensor"):
        D.kl_gaussians(mean, log_std, mean[:2], log_std[:2])
    with pytest.raises(ValueError, match="NaN"):
        D.kl_gaussians(mean, torch.full_like(log_std, float("nan")), mean, log_std)
    with pytest.raises(ValueError, match="log_var"):
        D.kl_standard_normal(mean, log_std.T)
    with pytest.raises(ValueError, match="broadcast"):
        D.gaussian_log_prob(torch.zeros(5), mean, log_std)


def test_masked_reductions_ignore_padding():
    kl = torch.ones(2, 3, 5)
    mask = sequence_mask(torch.tensor([5, 2]), 5)
    kl[1, :, 2:] = 1e6  # padding must not leak in
    assert D.sum_over_channels(kl, mask)[1].tolist() == [3, 3, 0, 0, 0]
    assert D.kl_per_frame_loss(kl, mask).item() == pytest.approx(3.0)
    with pytest.raises(ValueError, match="mask"):
        D.kl_per_frame_loss(kl, mask[:, 0])


def test_a_seeded_draw_uses_the_generators_device_not_the_tensors(monkeypatch):
    """The CVAE's first validation on CUDA passed a CPU generator (contract.seeded) to reparameterize, which drew
    on the mean's device: torch refuses a CPU generator for a CUDA draw. Seen on a CPU by a spy on torch.randn
    and a tensor on the meta device: the draw is asked of the generator's device, then moved to the tensor's."""
    from course_lib import distributions

    asked = []
    real_randn = torch.randn

    def spy(*args, **kwargs):
        asked.append(torch.device(kwargs["device"]))
        return real_randn(*args, **kwargs)

    monkeypatch.setattr(distributions.torch, "randn", spy)
    elsewhere = torch.zeros(2, 3, device="meta")
    noise = distributions.gaussian_like(elsewhere, torch.Generator().manual_seed(0))
    assert asked == [torch.device("cpu")] and noise.device == elsewhere.device and noise.shape == (2, 3)
    distributions.gaussian_like(elsewhere)                                  # no generator: the tensor's device
    assert asked[-1] == elsewhere.device
    monkeypatch.undo()

    drawn = []
    monkeypatch.setattr(distributions, "gaussian_like", lambda x, generator=None: drawn.append(generator) or x * 0)
    generator = torch.Generator().manual_seed(3)
    distributions.reparameterize(torch.zeros(2, 3), torch.zeros(2, 3), 1.0, generator)
    assert drawn == [generator]                                            # reparameterize draws through it


def test_noise_is_drawn_on_the_generators_device_whatever_the_tensors():
    """A seeded CPU generator (``contract.seeded``) with a model on another device: the draw happens on the CPU and
    is moved ("meta" stands in for a GPU here)."""
    from course_lib.distributions import gaussian, gaussian_frame_major

    on_meta = torch.empty(2, 3, 4, device="meta")
    assert gaussian((2, 3), on_meta, torch.Generator().manual_seed(0)).device.type == "meta"
    assert gaussian_frame_major(on_meta, torch.Generator().manual_seed(0)).shape == (2, 3, 4)
    like = torch.zeros(1, 4)
    torch.testing.assert_close(gaussian((1, 4), like, torch.Generator().manual_seed(5)),
                               torch.randn(1, 4, generator=torch.Generator().manual_seed(5)))


def test_the_frame_major_draw_is_the_official_prior_sample():
    """VITS's official inference draws randn_like on a [B, T, C] prior transposed to [B, C, T]."""
    from course_lib.distributions import gaussian_frame_major

    ours = gaussian_frame_major(torch.zeros(2, 8, 30), torch.Generator().manual_seed(1))
    official = torch.empty(2, 30, 8).transpose(1, 2).normal_(generator=torch.Generator().manual_seed(1))
    contiguous = torch.randn(2, 30, 8, generator=torch.Generator().manual_seed(1)).transpose(1, 2)
    assert torch.equal(ours, official) and not torch.equal(ours, contiguous)   # the order matters past 16 numbers
