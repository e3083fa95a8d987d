"""Lesson 09's build exercise: Grad-TTS's training loss assembled from the model's parts — the solution passes,
a stub is "not done yet", calling the model is refused, each known slip gets its hint, and the solution's loss
is the library model's on a real forward pass."""

import dataclasses
from types import SimpleNamespace

import pytest
import torch

from course_lib.alignment import (expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search,
                                  random_windows)
from course_lib.checks import ExerciseError
from course_lib.checks.lesson09 import check_grad_tts_loss, solution_forward_moments, solution_grad_tts_loss
from course_lib.data.dataset import SILENCE_LOG_MEL
from course_lib.diffusion import sample_times, score_matching_loss
from course_lib.distributions import gaussian_like
from course_lib.models.contract import seeded
from course_lib.models.grad_tts import GradTTSConfig, build
from course_lib.models.grad_tts.losses import prior_loss
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask

# 32-frame windows: longer than the second sentence (20 frames), shorter than the first (44)
CONFIG = dataclasses.replace(GradTTSConfig.tiny(), n_vocab=12, segment_frames=32)


def two_sentences():
    """One sentence longer than the window, one shorter, padded with silence as the collate pads it."""
    gen = torch.Generator().manual_seed(0)
    mel_lengths = torch.tensor([44, 20])
    mels = torch.rand(2, 80, int(mel_lengths.max()), generator=gen) * 8 - 9
    mels = torch.where(sequence_mask(mel_lengths, mels.shape[-1]) > 0, mels, torch.tensor(SILENCE_LOG_MEL))
    tokens = torch.tensor([[1, 4, 7, 2, 9, 3], [5, 8, 2, 6, 0, 0]])
    return SimpleNamespace(tokens=tokens, token_lengths=torch.tensor([6, 4]), mels=mels, mel_lengths=mel_lengths)


def _stub(model, batch, generator):
    raise NotImplementedError


def test_solution_passes_and_a_stub_is_not_done(capsys):
    assert check_grad_tts_loss(solution_grad_tts_loss, CONFIG, two_sentences()) is True
    assert check_grad_tts_loss(_stub, CONFIG, two_sentences()) is False
    out = capsys.readouterr().out
    assert out.count("✓") == 1 and "the model's" in out and "not implemented yet" in out


def test_calling_the_model_itself_is_refused():
    def calls_the_model(model, batch, generator):
        return model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, generator=generator).total

    with pytest.raises(ExerciseError, match="from the model's parts"):
        check_grad_tts_loss(calls_the_model, CONFIG, two_sentences())


def learner(model, batch, generator, *, std_of_noise=True, toward_mu=True, frames_not_logs=False,
            unmasked_score=False, times_first=False, prior_too=True):
    """A learner's version of the loss (written apart from the check's, with lesson 09's own
    ``forward_moments``), with one slip chosen by keyword."""
    enc = model.encoder(batch.tokens, batch.token_lengths)
    mel_mask = sequence_mask(batch.mel_lengths, batch.mels.shape[-1])
    y = batch.mels * mel_mask
    with torch.no_grad():
        log_likelihood = gaussian_log_likelihood_matrix(y, enc.prior_mean, 0 * enc.prior_mean)
        path = monotonic_alignment_search(log_likelihood, enc.mask, mel_mask)
    frames = path.sum(2)[:, None]
    target = frames * enc.mask if frames_not_logs else log_duration_target(frames, enc.mask)
    loss = duration_loss(enc.log_duration, target, enc.mask)
    if prior_too:
        loss = loss + prior_loss(y, expand_to_frames(enc.prior_mean, path), mel_mask)
    if times_first:
        t = sample_times(2, generator)
    window = random_windows(y, path, batch.mel_lengths, model.config.segment_frames, generator)
    if not times_first:
        t = sample_times(2, generator)
    mu = expand_to_frames(enc.prior_mean, window.path)
    noise = gaussian_like(window.y, generator) * window.mask
    mean, variance = solution_forward_moments(window.y, mu if toward_mu else torch.zeros_like(mu), t)
    x_t = (mean + (variance.sqrt() if std_of_noise else variance) * noise) * window.mask
    score = model.decoder.estimator(x_t, window.mask, mu, t)
    schedule = model.decoder.schedule
    return loss + score_matching_loss(score, noise, t, schedule, None if unmasked_score else window.mask)


def test_the_learner_version_without_slips_passes():
    assert check_grad_tts_loss(learner, CONFIG, two_sentences()) is True


@pytest.mark.parametrize("slip, hint", [
    ({"std_of_noise": False}, "noise x_t with the standard deviation"),
    ({"toward_mu": False}, "x_t drifts toward μ"),
    ({"frames_not_logs": True}, "learns log-durations"),
    ({"unmasked_score": True}, "window's real frames only"),
    ({"times_first": True}, "the window starts, then the times, then the noise"),
    ({"prior_too": False}, "add the prior loss"),
], ids=["variance-for-std", "mean-toward-0", "linear-durations", "unmasked-score-loss", "draw-order", "no-prior"])
def test_each_slip_gets_its_hint(slip, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_grad_tts_loss(lambda model, batch, generator: learner(model, batch, generator, **slip), CONFIG,
                            two_sentences())


def test_an_unknown_mistake_gets_the_general_hint():
    with pytest.raises(ExerciseError, match="values differ.*follow the steps"):
        check_grad_tts_loss(lambda *args: solution_grad_tts_loss(*args) * 1.01, CONFIG, two_sentences())


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train-with-dropout"])
@pytest.mark.parametrize("with_generator", [True, False], ids=["seeded-generator", "global-rng"])
def test_the_solution_is_the_library_forward(training, with_generator):
    """On the model's real forward pass, the same loss: from one seeded generator, or from torch's global RNG."""
    torch.manual_seed(3)
    model = build(CONFIG).train(training)
    batch = two_sentences()
    with torch.no_grad():
        for seed in (0, 7):
            results = []
            for use_solution in (True, False):
                torch.manual_seed(seed)  # dropout draws from torch's global RNG in training mode
                generator = seeded(seed) if with_generator else None
                if use_solution:
                    results.append(solution_grad_tts_loss(model, batch, generator))
                else:
                    results.append(model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths,
                                         generator=generator).total)
            assert torch.equal(*results)
