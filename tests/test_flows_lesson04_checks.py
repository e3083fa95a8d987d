"""Lesson 04 check: the affine coupling exercise."""

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks.lesson04 import check_affine_coupling, reference_affine_coupling
from course_lib.flows import AffineCoupling


def test_solution_passes(capsys):
    assert check_affine_coupling(reference_affine_coupling)
    assert capsys.readouterr().out.count("✓") == 4


def test_reference_agrees_with_the_library_layer():
    torch.manual_seed(0)
    layer = AffineCoupling(4, 8, 3, 1, 2).double().eval()
    with torch.no_grad():
        layer.end.weight.normal_(0, 0.3)
    x, mask = torch.randn(2, 4, 5, dtype=torch.float64), torch.ones(2, 1, 5, dtype=torch.float64)
    z, log_det = reference_affine_coupling(x, lambda x_a: layer.shift_and_log_scale(x_a, mask, None))
    out = layer(x, mask)
    torch.testing.assert_close(z, out.z)
    torch.testing.assert_close(log_det, out.log_det)


def test_stub_is_not_done_yet(capsys):
    def stub(x, conditioner, reverse=False):
        raise NotImplementedError

    assert check_affine_coupling(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


def _wrong_scale(x, conditioner, reverse=False):
    half = x.shape[1] // 2
    shift, log_scale = conditioner(x[:, :half])
    return torch.cat([x[:, :half], shift + log_scale * x[:, half:]], 1), log_scale.sum((1, 2))


def _wrong_log_det(x, conditioner, reverse=False):
    z, log_det = reference_affine_coupling(x, conditioner, reverse)
    return z, log_det.sum()


def _wrong_reverse(x, conditioner, reverse=False):
    z, log_det = reference_affine_coupling(x, conditioner, False)
    return z, log_det


@pytest.mark.parametrize("wrong, hint", [
    (_wrong_scale, "exp\\(log_scale\\)"),
    (_wrong_log_det, "per utterance"),
    (_wrong_reverse, "opposite order"),
    (lambda x, c, reverse=False: x, "pair"),
])
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_affine_coupling(wrong)


def test_the_flow_uses_a_passing_coupling_and_falls_back_otherwise(capsys):
    from course_lib.checks.lesson04 import coupling_for_the_flow

    def stub(x, conditioner, reverse=False):
        raise NotImplementedError

    def wrong(x, conditioner, reverse=False):  # scales by log_scale itself
        half = x.shape[1] // 2
        shift, log_scale = conditioner(x[:, :half])
        return torch.cat([x[:, :half], shift + log_scale * x[:, half:]], 1), log_scale.sum((1, 2))

    def mine(x, conditioner, reverse=False):
        return reference_affine_coupling(x, conditioner, reverse)

    assert coupling_for_the_flow(mine) == (mine, coupling_for_the_flow(mine)[1]) and "your" in coupling_for_the_flow(mine)[1]
    fn, why = coupling_for_the_flow(stub)
    assert fn is reference_affine_coupling and "not written yet" in why
    fn, why = coupling_for_the_flow(wrong)
    assert fn is reference_affine_coupling and "does not pass" in why and "exp(log_scale)" in why
    assert capsys.readouterr().out == ""  # the check runs quietly


def test_learner_coupling_equals_the_library_layer_both_ways():
    from course_lib.checks.lesson04 import LearnerCoupling

    torch.manual_seed(0)
    library = AffineCoupling(4, 8, 3, 1, 2).double()
    torch.manual_seed(0)
    yours = LearnerCoupling(reference_affine_coupling, 4, 8, 3, 1, 2).double()
    with torch.no_grad():
        for a, b in zip(library.parameters(), yours.parameters()):
            a.normal_(0, 0.3)
            b.copy_(a)
    x, mask = torch.randn(2, 4, 5, dtype=torch.float64), torch.ones(2, 1, 5, dtype=torch.float64)
    mask[1, :, 3:] = 0
    for reverse in (False, True):
        want, got = library(x, mask, reverse=reverse), yours(x, mask, reverse=reverse)
        torch.testing.assert_close(got.z, want.z)
        torch.testing.assert_close(got.log_det, want.log_det)
