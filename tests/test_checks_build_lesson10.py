"""Lesson 10's build exercise: Diff-TTS's training loss assembled from the model's parts — the solution passes,
a stub is "not done yet", calling the model is refused, each known slip gets its hint, and the solution's loss
is the library model's on a real forward pass."""

import dataclasses
from types import SimpleNamespace

import pytest
import torch

from course_lib.alignment import expand_to_frames, path_from_durations, random_windows
from course_lib.checks import ExerciseError
from course_lib.checks.build import awake
from course_lib.checks.lesson10 import check_diff_tts_loss, solution_diff_tts_loss
from course_lib.diffusion import epsilon_loss, per_item_alpha_bar, q_sample, sample_steps
from course_lib.distributions import gaussian_like
from course_lib.models.contract import seeded
from course_lib.models.diff_tts import DiffTTSConfig, build, normalize_mel
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask

CONFIG = dataclasses.replace(DiffTTSConfig.tiny(), n_vocab=12)


def two_sentences():
    """One sentence longer than the 128-frame window (150 frames), one shorter (45): a padded window."""
    gen = torch.Generator().manual_seed(0)
    tokens = torch.tensor([[1, 4, 7, 2, 9, 3], [5, 8, 2, 6, 0, 0]])
    durations = torch.tensor([[30, 22, 24, 26, 25, 23], [8, 16, 9, 12, 0, 0]])
    mel_lengths = durations.sum(1)
    mels = torch.rand(2, 80, int(mel_lengths.max()), generator=gen) * 8 - 9
    mels = torch.where(sequence_mask(mel_lengths, mels.shape[-1]) > 0, mels, torch.tensor(-11.5))
    return SimpleNamespace(tokens=tokens, token_lengths=torch.tensor([6, 4]), mels=mels, mel_lengths=mel_lengths,
                           durations=durations)


def _stub(model, batch, generator):
    raise NotImplementedError


def test_solution_passes_and_a_stub_is_not_done(capsys):
    assert check_diff_tts_loss(solution_diff_tts_loss, CONFIG, two_sentences()) is True
    assert check_diff_tts_loss(_stub, CONFIG, two_sentences()) is False
    out = capsys.readouterr().out
    assert out.count("✓") == 1 and "the model's" in out and "not implemented yet" in out


def test_calling_the_model_itself_is_refused():
    def calls_the_model(model, batch, generator):
        return model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, batch.durations,
                     generator=generator).total

    with pytest.raises(ExerciseError, match="from the model's parts"):
        check_diff_tts_loss(calls_the_model, CONFIG, two_sentences())


def learner(model, batch, generator, *, alpha_at=lambda step: step, raw_mel=False, clean_input=False,
            decoder_only=False, unmasked_loss=False, step_first=False, duration_too=True):
    """A learner's version of the loss (written apart from the check's), with one slip chosen by keyword."""
    cfg = model.config
    text, log_duration, text_mask = model.encoder(batch.tokens, batch.token_lengths)
    mel_mask = sequence_mask(batch.mel_lengths, batch.mels.shape[-1])
    path = path_from_durations(batch.durations.to(torch.float32), text_mask, mel_mask)
    y = batch.mels * mel_mask if raw_mel else normalize_mel(batch.mels, cfg) * mel_mask
    if step_first:
        step = sample_steps(2, cfg.n_diffusion_steps, generator)
    window = random_windows(y, path, batch.mel_lengths, cfg.segment_frames, generator)
    if not step_first:
        step = sample_steps(2, cfg.n_diffusion_steps, generator)
    noise = gaussian_like(window.y, generator) * window.mask
    x_t = q_sample(window.y, noise, per_item_alpha_bar(model.alpha_bars, alpha_at(step), window.y)) * window.mask
    heard = window.y if clean_input else x_t
    cond = expand_to_frames(text, window.path)
    if decoder_only:
        predicted = model.decoder(heard, window.mask, cond, step) * window.mask
    else:
        predicted = model.predict_noise(heard, window.mask, cond, step)
    loss = epsilon_loss(predicted, noise) if unmasked_loss else epsilon_loss(predicted, noise, window.mask)
    if duration_too:
        loss = loss + duration_loss(log_duration, log_duration_target(batch.durations[:, None], text_mask),
                                    text_mask)
    return loss


def test_the_learner_version_without_slips_passes():
    assert check_diff_tts_loss(learner, CONFIG, two_sentences()) is True


@pytest.mark.parametrize("slip, hint", [
    ({"alpha_at": lambda step: step - 1}, "ᾱ of the wrong step"),
    ({"raw_mel": True}, "diffuse the normalised mel"),
    ({"clean_input": True}, "must see the noisy x_t"),
    ({"decoder_only": True}, "not model.decoder"),
    ({"unmasked_loss": True}, "over real frames only"),
    ({"step_first": True}, "the window starts, then the steps, then the noise"),
    ({"duration_too": False}, "add the duration loss"),
], ids=["alpha-t-minus-1", "raw-mel", "clean-input", "no-skip", "unmasked-loss", "draw-order", "no-duration"])
def test_each_slip_gets_its_hint(slip, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_diff_tts_loss(lambda model, batch, generator: learner(model, batch, generator, **slip), CONFIG,
                            two_sentences())


def test_an_unknown_mistake_gets_the_general_hint():
    with pytest.raises(ExerciseError, match="values differ.*follow the steps"):
        check_diff_tts_loss(lambda *args: solution_diff_tts_loss(*args) * 1.01, CONFIG, two_sentences())


def _twice(run, seed: int):
    """``run(use_solution, generator)`` for the solution, then for the model, each from the same RNG states."""
    results = []
    for use_solution in (True, False):
        torch.manual_seed(seed)  # dropout draws from torch's global RNG in training mode
        results.append(run(use_solution, seeded(seed)))
    return results


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train-with-dropout"])
@pytest.mark.parametrize("with_generator", [True, False], ids=["seeded-generator", "global-rng"])
def test_the_solution_is_the_library_forward(training, with_generator):
    """On the model's real forward pass, the same loss: from one seeded generator, or from torch's global RNG."""
    torch.manual_seed(3)
    model = awake(build(CONFIG)).train(training)
    batch = two_sentences()

    def run(use_solution, generator):
        generator = generator if with_generator else None
        if use_solution:
            return solution_diff_tts_loss(model, batch, generator)
        return model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, batch.durations,
                     generator=generator).total

    with torch.no_grad():
        for seed in (0, 7):
            ours, theirs = _twice(run, seed)
            assert torch.equal(ours, theirs)
