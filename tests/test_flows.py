"""Flow layers: invertibility, exact log-determinants, masks, identity at init."""

import pytest
import torch
from torch.autograd.functional import jacobian

from course_lib.flows import (
    ActNorm,
    AffineCoupling,
    ChannelFlip,
    FlowStack,
    InvConvNear,
    actnorm_init_from_data,
    from_groups,
    squeeze,
    to_groups,
    unsqueeze,
)

torch.set_num_threads(1)
C, T = 8, 6


def randomised_coupling(mean_only=False, cond_channels=0):
    torch.manual_seed(1)
    layer = AffineCoupling(C, 16, 3, 1, 2, cond_channels=cond_channels, mean_only=mean_only).eval()
    with torch.no_grad():  # leave the identity start so the test sees a real map
        layer.end.weight.normal_(0, 0.3)
        layer.end.bias.normal_(0, 0.3)
    return layer


def initialised_actnorm():
    layer = ActNorm(C)
    layer(torch.randn(3, C, T) * 2 + 1, torch.ones(3, 1, T))  # data-dependent init
    return layer


def stack():
    torch.manual_seed(2)
    layers = []
    for _ in range(2):
        layers += [initialised_actnorm(), InvConvNear(C, 4), randomised_coupling(), ChannelFlip()]
    return FlowStack(layers).eval()


LAYERS = {
    "actnorm": initialised_actnorm,
    "invconv": lambda: InvConvNear(C, 4),
    "coupling": randomised_coupling,
    "coupling_mean_only": lambda: randomised_coupling(mean_only=True),
    "coupling_cond": lambda: randomised_coupling(cond_channels=3),
    "flip": ChannelFlip,
    "stack": stack,
}


def cond_for(name, batch):
    return torch.randn(batch, 3, 1, generator=torch.Generator().manual_seed(5)) if name == "coupling_cond" else None


@pytest.mark.parametrize("name", LAYERS)
def test_reverse_undoes_forward(name):
    layer = LAYERS[name]()
    x = torch.randn(2, C, T)
    mask = torch.ones(2, 1, T)
    cond = cond_for(name, 2)
    fwd = layer(x, mask, cond=cond)
    back = layer(fwd.z, mask, cond=cond, reverse=True)
    torch.testing.assert_close(back.z, x, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(back.log_det, -fwd.log_det, atol=1e-5, rtol=1e-5)
    assert fwd.log_det.shape == (2,)


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("reverse", [False, True])
def test_log_det_matches_autograd_jacobian(name, reverse):
    layer = LAYERS[name]().double()
    x = torch.randn(1, C, 4, dtype=torch.float64)
    mask = torch.ones(1, 1, 4, dtype=torch.float64)
    cond = cond_for(name, 1)
    cond = cond.double() if cond is not None else None
    jac = jacobian(lambda v: layer(v, mask, cond=cond, reverse=reverse).z, x)  # [1,C,4,1,C,4]
    expected = torch.linalg.slogdet(jac.reshape(C * 4, C * 4)).logabsdet
    got = layer(x, mask, cond=cond, reverse=reverse).log_det
    torch.testing.assert_close(got, expected.reshape(1), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("name", LAYERS)
def test_padding_is_ignored_and_stays_zero(name):
    layer = LAYERS[name]()
    x = torch.randn(2, C, T)
    mask = torch.ones(2, 1, T)
    mask[1, :, 4:] = 0
    x_padded = x.clone()
    x_padded[1, :, 4:] = 123.0  # garbage on padding must not leak
    cond = cond_for(name, 2)
    out = layer(x_padded, mask, cond=cond)
    alone = layer(x[1:, :, :4], torch.ones(1, 1, 4), cond=None if cond is None else cond[1:])
    assert out.z[1, :, 4:].abs().max() == 0
    torch.testing.assert_close(out.z[1:, :, :4], alone.z, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out.log_det[1:], alone.log_det, atol=1e-4, rtol=1e-5)


def test_zero_initialised_coupling_is_identity():
    layer = AffineCoupling(C, 16, 5, 1, 3, dropout=0.0)
    x = torch.randn(2, C, T)
    out = layer(x, torch.ones(2, 1, T))
    torch.testing.assert_close(out.z, x)
    assert out.log_det.abs().max() == 0


def test_actnorm_data_init_standardises_real_frames():
    x = torch.randn(4, C, 10) * torch.linspace(0.5, 3, C)[None, :, None] + 2.0
    mask = torch.ones(4, 1, 10)
    mask[2:, :, 7:] = 0
    layer = ActNorm(C)
    z = layer(x, mask).z
    count = mask.sum()
    mean = (z * mask).sum((0, 2)) / count
    var = (z * z * mask).sum((0, 2)) / count - mean**2
    torch.testing.assert_close(mean, torch.zeros(C), atol=1e-5, rtol=0)
    torch.testing.assert_close(var, torch.ones(C), atol=1e-4, rtol=0)
    assert bool(layer.initialized)
    before = layer.bias.clone()
    layer(x * 5, mask)  # a second batch does not re-initialise
    torch.testing.assert_close(layer.bias, before)
    bias, log_scale = actnorm_init_from_data(x, mask)
    assert bias.shape == log_scale.shape == (C,)


def test_invconv_groups_round_trip_and_mix_both_halves():
    x = torch.arange(2 * 16 * 3, dtype=torch.float32).reshape(2, 16, 3)
    torch.testing.assert_close(from_groups(to_groups(x, 4), 4), x)
    channels_in_group0 = to_groups(torch.arange(16.0).view(1, 16, 1), 4)[0, :, 0, 0]
    assert (channels_in_group0 < 8).sum() == 2 and (channels_in_group0 >= 8).sum() == 2
    with pytest.raises(ValueError, match="n_split"):
        InvConvNear(10, 4)


def test_squeeze_unsqueeze_round_trip_with_masks():
    x = torch.randn(2, 3, 9)
    mask = torch.ones(2, 1, 9)
    mask[1, :, 5:] = 0
    x = x * mask
    sq, sq_mask = squeeze(x, mask, 2)
    assert sq.shape == (2, 6, 4) and sq_mask.shape == (2, 1, 4)
    assert sq_mask[1, 0].tolist() == [1, 1, 0, 0]  # frame pair (4, 5) is incomplete -> padding
    back, back_mask = unsqueeze(sq, sq_mask, 2)
    torch.testing.assert_close(back[0], x[0, :, :8])
    torch.testing.assert_close(back[1, :, :4], x[1, :, :4])
    assert back_mask[1, 0].tolist() == [1, 1, 1, 1, 0, 0, 0, 0]


def test_coupling_rejects_odd_channels():
    with pytest.raises(ValueError, match="odd"):
        AffineCoupling(5, 8, 3, 1, 2)


def test_vits_flow_size():
    """REFERENCE.md §2: VITS' flow = 4 mean-only couplings (plain 1×1 start conv, 4-layer WN k5) + flips."""
    from course_lib.models.summary import count_parameters

    with torch.device("meta"):
        layer = AffineCoupling(192, 192, 5, 1, 4, mean_only=True, start_weight_norm=False)
    assert 4 * count_parameters(layer) == 7_102_080
