"""VITS' posterior encoder, prior flow and stochastic duration predictor: round trips, log-dets, a bound that learns."""

import pytest
import torch

from course_lib.models.vits.duration import DeterministicDurationPredictor, StochasticDurationPredictor
from course_lib.models.vits.duration_flows import ElementwiseAffine, LogFlow, SplineCoupling
from course_lib.models.vits.flow import PriorFlow
from course_lib.models.vits.posterior import PosteriorEncoder
from course_lib.nn.masks import sequence_mask

torch.set_num_threads(1)


def _perturb(module: torch.nn.Module, seed: int = 0, scale: float = 0.1) -> None:
    """Move every weight off its init (zero-initialised last convs would make each flow the identity)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * scale)


def _batch(channels: int, lengths=(20, 13), seed: int = 0):
    mask = sequence_mask(torch.tensor(lengths), max(lengths)).float()
    x = torch.randn(len(lengths), channels, max(lengths), generator=torch.Generator().manual_seed(seed)) * mask
    return x, mask


def test_prior_flow_round_trip_is_exact_and_volume_preserving():
    flow = PriorFlow(16, 32, 5, 1, 2, n_flows=4, cond_channels=8).eval()
    _perturb(flow)
    z, mask = _batch(16)
    cond = torch.randn(2, 8, 1)
    forward = flow(z, mask, cond=cond)
    back = flow(forward.z, mask, cond=cond, reverse=True)
    assert not torch.allclose(forward.z, z)  # it does something
    torch.testing.assert_close(back.z, z, atol=1e-5, rtol=0)
    assert torch.equal(forward.log_det, torch.zeros(2)) and torch.equal(back.log_det, torch.zeros(2))
    assert torch.all(forward.z[1, :, 13:] == 0)  # padding stays zero


def test_posterior_sample_is_reparameterised_and_masked():
    encoder = PosteriorEncoder(513, 8, 16, 5, 1, 3)
    spec = torch.rand(2, 513, 20)
    lengths = torch.tensor([20, 13])
    a = encoder(spec, lengths, generator=torch.Generator().manual_seed(3))
    b = encoder(spec, lengths, generator=torch.Generator().manual_seed(3))
    assert a.z.shape == a.mean.shape == a.log_std.shape == (2, 8, 20)
    torch.testing.assert_close(a.z, b.z)
    eps = torch.randn(a.mean.shape, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a.z, (a.mean + eps * a.log_std.exp()) * a.mask)
    assert torch.all(a.z[1, :, 13:] == 0)
    a.z.sum().backward()  # gradients reach the encoder through the sample
    assert encoder.stats.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="linear spectrograms"):
        encoder(torch.rand(2, 80, 20), lengths)


@pytest.mark.parametrize("layer", [SplineCoupling(2, 16, 3, 3), ElementwiseAffine(2), LogFlow()],
                         ids=["spline_coupling", "elementwise_affine", "log"])
def test_duration_flows_invert_and_negate_their_log_det(layer):
    _perturb(layer, scale=0.5)
    layer.double()  # float64: the check is about the algebra, not float32 rounding in the quadratic root
    x, mask = (t.double() for t in _batch(2))
    if isinstance(layer, LogFlow):
        x = (x.abs() + 0.5) * mask  # the log flow's domain: positive durations
    cond = torch.randn(2, 16, 20, dtype=torch.float64) if isinstance(layer, SplineCoupling) else None
    forward = layer(x, mask, cond=cond)
    back = layer(forward.z, mask, cond=cond, reverse=True)
    torch.testing.assert_close(back.z, x, atol=1e-9, rtol=0)
    torch.testing.assert_close(back.log_det, -forward.log_det, atol=1e-9, rtol=0)
    assert torch.all(forward.log_det != 0)


def _durations(mask: torch.Tensor) -> torch.Tensor:
    gen = torch.Generator().manual_seed(1)
    return torch.randint(1, 9, mask.shape, generator=gen).float() * mask  # [B, 1, T_text] frames per token


def test_stochastic_duration_bound_is_finite_and_falls_on_one_batch():
    torch.manual_seed(0)
    predictor = StochasticDurationPredictor(32, dropout=0.0)
    text, mask = _batch(32, lengths=(12, 9))
    durations = _durations(mask)
    optimizer = torch.optim.Adam(predictor.parameters(), lr=3e-3)
    bounds = []
    for _ in range(20):
        # the same posterior noise every step: the objective is then a fixed function of the weights
        terms = predictor.loss_terms(text, mask, durations, generator=torch.Generator().manual_seed(0))
        loss = terms.sum() / mask.sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        bounds.append(loss.item())
    assert all(torch.isfinite(torch.tensor(bounds)))
    assert bounds[-1] < bounds[0] - 0.5 and bounds[-1] < min(bounds[:10])


def test_stochastic_duration_sampling_skips_only_a_discarded_channel():
    predictor = StochasticDurationPredictor(32).eval()
    _perturb(predictor, scale=0.2)
    text, mask = _batch(32, lengths=(12, 9))
    log_durations = predictor.sample_log_durations(text, mask, None, noise_scale=0.8,
                                                   generator=torch.Generator().manual_seed(2))
    assert log_durations.shape == (2, 1, 12) and torch.all(log_durations[1, :, 9:] == 0)
    # every layer reversed, the first coupling included: channel 0 comes out the same
    h = predictor.condition(text, mask, None)
    z = torch.randn((2, 2, 12), generator=torch.Generator().manual_seed(2)) * 0.8 * mask
    with torch.no_grad():
        full = predictor.flows(z, mask, cond=h, reverse=True).z
    torch.testing.assert_close(log_durations, full[:, :1], atol=1e-6, rtol=0)
    quiet = predictor.sample_log_durations(text, mask, None, noise_scale=0.0)
    torch.testing.assert_close(quiet, predictor.sample_log_durations(text, mask, None, noise_scale=0.0))


def test_duration_predictors_detach_the_text_and_need_a_speaker_when_built_for_one():
    text, mask = _batch(32, lengths=(12, 9))
    text.requires_grad_(True)
    for predictor in (StochasticDurationPredictor(32, cond_channels=4), DeterministicDurationPredictor(32, 64,
                                                                                                          cond_channels=4)):
        predictor.loss_terms(text, mask, _durations(mask), torch.randn(2, 4, 1)).sum().backward()
        assert text.grad is None
        with pytest.raises(ValueError, match="speaker vector"):
            predictor.loss_terms(text, mask, _durations(mask))
