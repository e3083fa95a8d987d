"""Lesson 11's build exercise: VITS's generator loss assembled from the model's parts — the solution passes, a
stub is "not done yet", calling the model is refused, each known slip gets its hint, and the solution's loss is
the training task's on a real forward pass."""

from types import SimpleNamespace

import pytest
import torch

from course_lib.alignment import (expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search,
                                  random_windows)
from course_lib.audio import HOP_LENGTH, linear_spectrogram
from course_lib.checks import ExerciseError
from course_lib.checks.build import awake
from course_lib.checks.lesson11 import check_vits_generator_loss, solution_vits_generator_loss
from course_lib.models.waveform.losses import mel_l1_loss
from course_lib.models.vits import VITS, VITSConfig, build_discriminator, duration_loss, kl_divergence
from course_lib.models.vits.train import VITSTask

CONFIG = VITSConfig.tiny_multi().replace(n_vocab=20, n_speakers=2)


def two_recordings():
    """Two utterances of 40 and 25 frames (the second shorter than the 32-frame window), two speakers."""
    gen = torch.Generator().manual_seed(0)
    frames = torch.tensor([40, 25])
    waves = 0.1 * torch.randn(2, 1, 40 * HOP_LENGTH, generator=gen)
    waves[1, :, 25 * HOP_LENGTH:] = 0.0
    tokens = torch.randint(1, 20, (2, 9), generator=gen)
    tokens[1, 7:] = 0
    return SimpleNamespace(tokens=tokens, token_lengths=torch.tensor([9, 7]), waves=waves, mel_lengths=frames,
                           speakers=torch.tensor([0, 1]))


def _stub(model, batch, generator):
    raise NotImplementedError


def test_solution_passes_and_a_stub_is_not_done(capsys):
    assert check_vits_generator_loss(solution_vits_generator_loss, CONFIG, two_recordings()) is True
    assert check_vits_generator_loss(_stub, CONFIG, two_recordings()) is False
    out = capsys.readouterr().out
    assert out.count("✓") == 1 and "the model's" in out and "not implemented yet" in out


def test_calling_the_model_itself_is_refused():
    def calls_the_model(model, batch, generator):
        out = model(batch.tokens, batch.token_lengths, linear_spectrogram(batch.waves[:, 0]), batch.mel_lengths,
                    batch.speakers, generator=generator)
        return model.latent_losses(out).kl

    with pytest.raises(ExerciseError, match="from the model's parts"):
        check_vits_generator_loss(calls_the_model, CONFIG, two_recordings())


def learner(model, batch, generator, *, reverse=False, align_z=False, kl_flip=False, kl_unmasked=False,
            decode=lambda z, z_p: z, sample_starts=lambda starts: starts * HOP_LENGTH, window_early=False,
            weights=True):
    """A learner's version of the loss (written apart from the check's), with one slip chosen by keyword."""
    cfg = model.config
    speaker = model.speaker_embedding(batch.speakers).unsqueeze(-1)
    prior = model.text_encoder(batch.tokens, batch.token_lengths)
    post = model.posterior_encoder(linear_spectrogram(batch.waves[:, 0]), batch.mel_lengths, speaker, generator)
    z_p = model.flow(post.z, post.mask, cond=speaker, reverse=reverse).z
    with torch.no_grad():
        matrix = gaussian_log_likelihood_matrix(post.z if align_z else z_p, prior.prior_mean, prior.prior_log_std)
        alignment = monotonic_alignment_search(matrix, prior.mask, post.mask)
    if window_early:
        window = random_windows(decode(post.z, z_p), alignment, batch.mel_lengths, cfg.segment_frames, generator)
    terms = model.duration_predictor.loss_terms(prior.hidden, prior.mask, alignment.sum(2, keepdim=True)
                                                .transpose(1, 2), speaker, generator)
    if not window_early:
        window = random_windows(decode(post.z, z_p), alignment, batch.mel_lengths, cfg.segment_frames, generator)
    frames_mask = torch.ones_like(post.mask) if kl_unmasked else post.mask
    kl = kl_divergence(z_p, post.log_std, expand_to_frames(prior.prior_mean, alignment),
                       expand_to_frames(prior.prior_log_std, alignment), frames_mask)
    offsets = sample_starts(window.starts)[:, None] + torch.arange(cfg.segment_size)
    padded = torch.nn.functional.pad(batch.waves, (0, cfg.segment_size))
    real = torch.gather(padded, 2, offsets[:, None, :])
    mel = mel_l1_loss(real, model.decoder(window.y, speaker))
    kl = -kl if kl_flip else kl
    if not weights:
        return mel + kl + duration_loss(terms, prior.mask)
    return cfg.mel_loss_weight * mel + cfg.kl_loss_weight * kl + duration_loss(terms, prior.mask)


def test_the_learner_version_without_slips_passes():
    assert check_vits_generator_loss(learner, CONFIG, two_recordings()) is True


@pytest.mark.parametrize("slip, hint", [
    ({"reverse": True}, "the flow runs forward in training"),
    ({"align_z": True}, "MAS searches the log-likelihood of z_p"),
    ({"kl_flip": True}, "opposite sign"),
    ({"kl_unmasked": True}, "give the KL the frames' mask"),
    ({"decode": lambda z, z_p: z_p}, "decode the window of z"),
    ({"sample_starts": lambda starts: starts}, "start · hop"),
    ({"window_early": True}, "the posterior sample, the duration predictor's noise"),
    ({"weights": False}, "weight the terms as training does"),
], ids=["flow-backwards", "mas-on-z", "kl-sign", "kl-unmasked", "decode-z_p", "window-hop", "draw-order",
        "unweighted"])
def test_each_slip_gets_its_hint(slip, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_vits_generator_loss(lambda model, batch, generator: learner(model, batch, generator, **slip), CONFIG,
                                  two_recordings())


def test_an_unknown_mistake_gets_the_general_hint():
    with pytest.raises(ExerciseError, match="values differ.*follow the steps"):
        check_vits_generator_loss(lambda *args: solution_vits_generator_loss(*args) + 0.01, CONFIG, two_recordings())


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train-with-dropout"])
def test_the_solution_is_the_training_task_loss(training):
    """On the model's real forward pass, as a training step runs it (``VITSTask.generate``, which draws from torch's
    global RNG, then ``reconstruction``): the solution gives the same loss from the same RNG state."""
    torch.manual_seed(3)
    model = awake(VITS(CONFIG)).train(training)
    task = VITSTask(model, build_discriminator(CONFIG))
    batch = two_recordings()
    with torch.no_grad():
        for seed in (0, 7):
            torch.manual_seed(seed)
            ours = solution_vits_generator_loss(model, batch, None)
            torch.manual_seed(seed)
            theirs, _ = task.reconstruction(batch, task.generate(batch))
            assert torch.equal(ours, theirs)
