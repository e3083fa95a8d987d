"""Lesson 08 check: Glow-TTS's MLE loss — the solution passes, a stub is "not done yet", slips get their hint."""

import math

import pytest
import torch

from course_lib.checks import ExerciseError
from course_lib.checks.lesson08 import check_mle_loss, solution_mle_loss


def _gaussian(z, m, logs):
    return -(logs + 0.5 * math.log(2 * math.pi) + 0.5 * torch.exp(-2 * logs) * (z - m) ** 2)


def test_solution_passes_and_stub_is_not_done(capsys):
    assert check_mle_loss(solution_mle_loss)

    def stub(*args):
        raise NotImplementedError

    assert check_mle_loss(stub) is False
    out = capsys.readouterr().out
    assert "✓" in out and "not implemented yet" in out


@pytest.mark.parametrize("wrong, hint", [
    (lambda z, m, s, d, k: -(_gaussian(z, m, s) * k).sum() / (k.sum() * z.shape[1]), "log-det is missing"),
    (lambda z, m, s, d, k: -((_gaussian(z, m, s) * k).sum() - d.sum()) / (k.sum() * z.shape[1]), "wrong sign"),
    (lambda z, m, s, d, k: -(_gaussian(z, m, s).sum() + d.sum()) / z.numel(), "real values only"),
    (lambda z, m, s, d, k: -((_gaussian(z, m, s) * k).sum() + d.sum()) / z.numel(), "not by z.numel"),
    (lambda z, m, s, d, k: -((_gaussian(z, m, s) * k).sum() + d.sum()) / k.sum(), "frames × channels"),
    (lambda z, m, s, d, k: solution_mle_loss(z, m, s, d, k) - 0.5 * math.log(2 * math.pi), "log 2π"),
    (lambda z, m, s, d, k: solution_mle_loss(z, m, torch.zeros_like(s), d, k)
     + 0.0 * s.sum(), "values differ"),
])
def test_mistakes_get_their_hint(wrong, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_mle_loss(wrong)


def test_solution_matches_the_model_on_a_real_forward_pass():
    from course_lib.models.glow_tts import GlowTTSConfig, build

    torch.manual_seed(0)
    model = build(GlowTTSConfig.tiny().replace(n_vocab=20)).eval()
    tokens = torch.randint(1, 20, (2, 7))
    mels = torch.randn(2, 80, 30)
    with torch.no_grad():
        out = model(tokens, torch.tensor([7, 5]), mels, torch.tensor([30, 22]))
        ours = solution_mle_loss(out.z, out.frame_prior_mean, out.frame_prior_log_std, out.log_det, out.mel_mask)
        assert torch.isclose(ours, model.losses(out).mle, atol=1e-5)
