"""Monotonic alignment search and path utilities."""

import itertools

import numpy as np
import pytest
import torch

from course_lib.alignment import (
    durations_from_path,
    expand_to_frames,
    gaussian_log_likelihood_matrix,
    maximum_path_fast,
    maximum_path_reference,
    monotonic_alignment_search,
    path_from_durations,
)
from course_lib.nn.masks import sequence_mask

torch.set_num_threads(1)


def all_monotonic_paths(t_text, t_mel):
    """Every alignment: durations ≥ 1 summing to t_mel (compositions), as 0/1 matrices."""
    for cuts in itertools.combinations(range(1, t_mel), t_text - 1):
        bounds = (0, *cuts, t_mel)
        path = np.zeros((t_text, t_mel), dtype=np.int32)
        for i in range(t_text):
            path[i, bounds[i] : bounds[i + 1]] = 1
        yield path


@pytest.mark.parametrize("t_text,t_mel", [(1, 4), (2, 2), (3, 5), (3, 7), (4, 8), (5, 9)])
@pytest.mark.parametrize("solve", [maximum_path_reference, maximum_path_fast])
def test_mas_matches_brute_force(t_text, t_mel, solve):
    rng = np.random.default_rng(t_text * 100 + t_mel)
    for _ in range(5):
        values = rng.standard_normal((1, t_text, t_mel)).astype(np.float32)
        best = max(all_monotonic_paths(t_text, t_mel), key=lambda p: float((p * values[0]).sum()))
        got = solve(values, [t_text], [t_mel])[0]
        np.testing.assert_array_equal(got, best)


def test_fast_and_reference_bit_identical_with_padding():
    rng = np.random.default_rng(0)
    values = (rng.standard_normal((6, 12, 40)) * 3).astype(np.float32)
    text_lengths = np.array([12, 1, 7, 5, 12, 0])
    mel_lengths = np.array([40, 30, 7, 33, 12, 10])
    fast = maximum_path_fast(values, text_lengths, mel_lengths)
    ref = maximum_path_reference(values, text_lengths, mel_lengths)
    np.testing.assert_array_equal(fast, ref)
    for b, (tt, tm) in enumerate(zip(text_lengths, mel_lengths)):
        path = fast[b]
        assert path[tt:].sum() == 0 and path[:, tm:].sum() == 0  # padding untouched
        if tt == 0:
            assert path.sum() == 0
            continue
        assert (path[:tt, :tm].sum(0) == 1).all()  # every frame exactly one token
        assert (path[:tt, :tm].sum(1) >= 1).all()  # every token ≥ 1 frame
        token_of_frame = path[:tt, :tm].argmax(0)
        assert (np.diff(token_of_frame) >= 0).all() and (np.diff(token_of_frame) <= 1).all()  # monotonic


def test_too_few_frames_is_a_clear_error():
    values = np.zeros((1, 5, 3), dtype=np.float32)
    for solve in (maximum_path_fast, maximum_path_reference):
        with pytest.raises(ValueError, match="at least one frame per token"):
            solve(values, [5], [3])


def test_torch_wrapper_uses_masks_and_keeps_dtype():
    torch.manual_seed(0)
    log_likelihood = torch.randn(2, 6, 15, dtype=torch.float64)
    text_mask = sequence_mask(torch.tensor([6, 4]), 6)
    mel_mask = sequence_mask(torch.tensor([15, 9]), 15)
    fast = monotonic_alignment_search(log_likelihood, text_mask, mel_mask)
    ref = monotonic_alignment_search(log_likelihood, text_mask, mel_mask, implementation="reference")
    assert fast.dtype == torch.float64 and fast.shape == (2, 6, 15)
    torch.testing.assert_close(fast, ref)
    durations = durations_from_path(fast)
    assert durations.sum(1).tolist() == [15, 9]
    with pytest.raises(ValueError, match="implementation"):
        monotonic_alignment_search(log_likelihood, text_mask, mel_mask, implementation="cython")


def test_path_from_durations_round_trip():
    durations = torch.tensor([[2, 1, 3, 0], [1, 4, 0, 0]])
    text_mask = sequence_mask(torch.tensor([4, 2]), 4)
    mel_mask = sequence_mask(torch.tensor([6, 5]), 7)
    path = path_from_durations(durations, text_mask, mel_mask)
    assert path.shape == (2, 4, 7)
    torch.testing.assert_close(durations_from_path(path), durations.float())  # float path, float durations
    assert path[0, :, 0].tolist() == [1, 0, 0, 0] and path[0, :, 2].tolist() == [0, 1, 0, 0]
    assert path[:, :, 6].sum() == 0  # beyond both mel lengths


def test_expand_to_frames_copies_token_stats():
    stats = torch.tensor([[[1.0, 2.0, 3.0]]])  # [B=1, C=1, T_text=3]
    path = path_from_durations(torch.tensor([[2, 1, 2]]), torch.ones(1, 1, 3), torch.ones(1, 1, 5))
    assert expand_to_frames(stats, path).tolist() == [[[1.0, 1.0, 2.0, 3.0, 3.0]]]


def test_gaussian_log_likelihood_matrix_matches_direct_sum():
    torch.manual_seed(1)
    z = torch.randn(2, 5, 7, dtype=torch.float64)
    mean = torch.randn(2, 5, 3, dtype=torch.float64)
    log_std = torch.randn(2, 5, 3, dtype=torch.float64) * 0.3
    dist = torch.distributions.Normal(mean.unsqueeze(-1), log_std.exp().unsqueeze(-1))  # [B, C, T_text, 1]
    direct = dist.log_prob(z.unsqueeze(2)).sum(1)  # [B, T_text, T_mel]
    torch.testing.assert_close(gaussian_log_likelihood_matrix(z, mean, log_std), direct)


def test_mas_recovers_true_alignment_of_separable_data():
    """Frames generated from token means with known durations are aligned back exactly."""
    torch.manual_seed(2)
    durations = torch.tensor([[3, 1, 4, 2, 5]])
    text_mask, mel_mask = torch.ones(1, 1, 5), torch.ones(1, 1, 15)
    means = torch.randn(1, 8, 5) * 3
    true_path = path_from_durations(durations, text_mask, mel_mask)
    z = expand_to_frames(means, true_path) + 0.1 * torch.randn(1, 8, 15)
    log_likelihood = gaussian_log_likelihood_matrix(z, means, torch.zeros_like(means))
    path = monotonic_alignment_search(log_likelihood, text_mask, mel_mask)
    torch.testing.assert_close(path, true_path)


def test_score_table_holds_the_best_path_score():
    from course_lib.alignment import backtrack, best_path_scores

    values = np.random.default_rng(3).standard_normal((4, 9)).astype(np.float64)
    table = best_path_scores(values)
    path = backtrack(table)
    assert table[-1, -1] == pytest.approx(float((path * values).sum()))
    assert np.isfinite(table[0, :6]).all() and np.isneginf(table[0, 6:]).all()  # band: i ≤ j ≤ T_mel - T_text + i
    assert np.isneginf(table[3, :3]).all() and np.isfinite(table[3, 3:]).all()


# ---------------------------------------------------------------- the synthesis core every model shares
def test_durations_from_log_rounds_up_or_to_the_nearest_frame_and_masks():
    from course_lib.alignment import durations_from_log

    log_d = torch.log(torch.tensor([[[1.2, 2.5, 0.2, 7.0]]]))
    mask = torch.tensor([[[1.0, 1.0, 1.0, 0.0]]])
    assert durations_from_log(log_d, mask).tolist() == [[2.0, 3.0, 1.0, 0.0]]
    assert durations_from_log(log_d, mask, rounding="round").tolist() == [[1.0, 2.0, 1.0, 0.0]]  # ≥ 1 per token
    assert durations_from_log(log_d, mask, length_scale=2.0).tolist() == [[3.0, 5.0, 1.0, 0.0]]
    with pytest.raises(ValueError, match="length_scale must be a finite number > 0"):
        durations_from_log(log_d, mask, length_scale=0.0)
    with pytest.raises(ValueError, match="rounding must be"):
        durations_from_log(log_d, mask, rounding="floor")


def test_plan_frames_gives_lengths_mask_and_the_path_and_refuses_too_long_text():
    from course_lib.alignment import plan_frames

    durations = torch.tensor([[2.0, 3.0, 0.0], [1.0, 1.0, 1.0]])
    text_mask = torch.tensor([[[1.0, 1.0, 0.0]], [[1.0, 1.0, 1.0]]])
    plan = plan_frames(durations, text_mask)
    assert plan.lengths.tolist() == [5, 3] and plan.mask.shape == (2, 1, 5)
    assert plan.mask[1, 0].tolist() == [1, 1, 1, 0, 0]
    assert torch.equal(plan.path.sum(1), plan.mask[:, 0]) and torch.equal(plan.path.sum(-1), plan.durations)
    stats = torch.arange(6.0).reshape(2, 1, 3)
    assert plan.expand(stats)[0, 0].tolist() == [0, 0, 1, 1, 1]
    assert plan_frames(durations, text_mask, multiple=2).lengths.tolist() == [4, 2]   # Glow-TTS's squeeze
    with pytest.raises(ValueError, match="lower the duration noise"):
        plan_frames(durations * 1e6, text_mask, knobs="the duration noise")


def test_maximum_likelihood_path_is_mas_on_the_gaussian_matrix_and_float32_under_bf16():
    from course_lib.alignment import gaussian_log_likelihood_matrix, maximum_likelihood_path

    g = torch.Generator().manual_seed(0)
    z, mean = torch.randn(2, 4, 12, generator=g), torch.randn(2, 4, 5, generator=g)
    log_std = 0.3 * torch.randn(2, 4, 5, generator=g)
    text_mask, frame_mask = torch.ones(2, 1, 5), torch.ones(2, 1, 12)
    expected = monotonic_alignment_search(gaussian_log_likelihood_matrix(z, mean, log_std), text_mask, frame_mask)
    assert torch.equal(maximum_likelihood_path(z, mean, log_std, text_mask, frame_mask), expected)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.equal(maximum_likelihood_path(z, mean, log_std, text_mask, frame_mask), expected)
