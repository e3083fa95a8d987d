"""The mel-segment VAE (course_lib.models.vae): shapes, ELBO, learning, collapse."""

import pytest
import torch

from course_lib.distributions import kl_standard_normal
from course_lib.models import model_module
from course_lib.models import vae as V


@pytest.fixture(autouse=True)
def _one_thread():
    """The CI machine has 2 shared cores: one thread per test process is faster than two."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _structured_segments(n=512, seed=0, config=V.VaeConfig.tiny()):
    """Segments generated from 2 hidden factors: a VAE should find them, a collapsed one won't."""
    g = torch.Generator().manual_seed(seed)
    factors = torch.randn(n, 2, generator=g)
    basis = torch.randn(2, config.n_mels * config.segment_frames, generator=g)
    flat = factors @ basis * config.mel_std * 0.5 + config.mel_mean
    flat = flat + 0.05 * torch.randn(flat.shape, generator=g)
    return flat.view(n, config.n_mels, config.segment_frames)


def test_registry_and_shapes():
    module = model_module("vae")
    model = module.build(module.CONFIGS["tiny"]())
    mel = torch.randn(3, 80, 16) - 6
    out = model(mel, generator=torch.Generator().manual_seed(0))
    assert out.reconstruction.shape == (3, 80, 16)
    assert out.mean.shape == out.log_var.shape == out.latent.shape == (3, 4)
    # temperature 0 feeds the posterior mean to the decoder
    torch.testing.assert_close(model(mel, temperature=0.0).latent, out.mean)


def test_elbo_terms_are_the_documented_formula():
    model = V.build(V.VaeConfig.tiny())
    mel = torch.randn(4, 80, 16) - 6
    out = model(mel)
    terms = model.elbo(mel, out, beta=3.0)
    expected_kl = kl_standard_normal(out.mean, out.log_var).sum(1).mean()
    torch.testing.assert_close(terms.kl, expected_kl)
    torch.testing.assert_close(terms.loss, terms.reconstruction + 3.0 * terms.kl)


def test_bad_inputs_raise():
    model = V.build(V.VaeConfig.tiny())
    with pytest.raises(ValueError, match="segments"):
        model(torch.randn(2, 80, 15))
    with pytest.raises(ValueError, match="even"):
        V.VaeConfig(segment_frames=15)
    with pytest.raises(ValueError, match="temperature"):
        model(torch.randn(2, 80, 16), temperature=-1.0)


def test_cut_segments():
    mel = torch.arange(80 * 40, dtype=torch.float32).view(80, 40)
    seg = V.cut_segments(mel, 16)
    assert seg.shape == (2, 80, 16)
    torch.testing.assert_close(seg[1], mel[:, 16:32])
    assert V.cut_segments(mel, 16, stride=8).shape == (4, 80, 16)


def test_learns_and_large_beta_collapses_the_posterior():
    torch.manual_seed(0)
    segments = _structured_segments()
    elbo_model = V.build(V.VaeConfig.tiny())
    history = V.train(elbo_model, segments, steps=100, batch_size=32, progress=False)
    first = sum(h["loss"] for h in history[:10]) / 10
    last = sum(h["loss"] for h in history[-10:]) / 10
    assert last < 0.5 * first
    assert V.active_units(elbo_model, segments).sum() >= 2  # both hidden factors found

    torch.manual_seed(0)
    collapsed = V.build(V.VaeConfig.tiny())
    V.train(collapsed, segments, steps=100, batch_size=32, beta=2000.0, progress=False)
    assert V.active_units(collapsed, segments).sum() == 0
    # a collapsed model decodes every input to (nearly) the same segment
    recon = collapsed(segments[:32], temperature=0.0).reconstruction
    assert recon.std(dim=0).mean() < 0.2 * segments[:32].std(dim=0).mean()


def test_traverse_and_interpolate_shapes_and_endpoints():
    model = V.build(V.VaeConfig.tiny()).eval()
    a, b = torch.randn(80, 16) - 6, torch.randn(80, 16) - 6
    path = V.interpolate(model, a, b, 5)
    assert path.shape == (5, 80, 16)
    with torch.no_grad():
        mean_a = model.encode(a[None])[0]
        torch.testing.assert_close(path[0], model.decode(mean_a)[0])
    sweep = V.traverse(model, a, dim=1, values=torch.linspace(-2, 2, 4))
    assert sweep.shape == (4, 80, 16)
    assert not torch.allclose(sweep[0], sweep[-1])
