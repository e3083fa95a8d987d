"""Lesson 06 checks: the solution passes, a stub is 'not done', classic mistakes get their hint."""

import pytest
import torch
from torch.nn import functional as F

from course_lib.checks import ExerciseError
from course_lib.checks.lesson06 import check_feature_matching, check_fold_by_period
from course_lib.models.waveform.discriminators import fold_by_period
from course_lib.models.waveform.losses import feature_matching_loss


def stub(*args):
    raise NotImplementedError


def test_solutions_pass_and_stubs_are_reported_as_not_done(capsys):
    assert check_fold_by_period(fold_by_period) is True
    assert check_feature_matching(feature_matching_loss) is True
    assert check_fold_by_period(stub) is False
    assert check_feature_matching(stub) is False
    assert "not implemented yet" in capsys.readouterr().out


def test_fold_mistakes_get_their_hint():
    def zero_pad(wave, period):
        n_pad = (-wave.shape[-1]) % period
        wave = F.pad(wave, (0, n_pad))
        return wave.view(*wave.shape[:2], -1, period)

    with pytest.raises(ExerciseError, match="reflect"):
        check_fold_by_period(zero_pad)

    def truncate(wave, period):
        n = wave.shape[-1] // period * period
        return wave[..., :n].view(*wave.shape[:2], -1, period)

    with pytest.raises(ExerciseError, match="dropped the last 2 samples"):
        check_fold_by_period(truncate)


def test_feature_matching_mistakes_get_their_hint():
    def squared(real, fake):
        return sum(torch.mean((a - b) ** 2) for r, f in zip(real, fake) for a, b in zip(r.features, f.features))

    with pytest.raises(ExerciseError, match="L1, not squared"):
        check_feature_matching(squared)
    with pytest.raises(ExerciseError, match="leave out the ×2"):
        check_feature_matching(lambda real, fake: 2 * feature_matching_loss(real, fake))
