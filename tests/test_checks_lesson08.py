"""Lesson 08 checks: Glow-TTS's MLE loss, and its training loss assembled from the model's parts — each
solution passes, a stub is "not done yet", slips get their hint, and the build solution's loss is the library
model's on a real forward pass."""

import math
from types import SimpleNamespace

import pytest
import torch

from course_lib.alignment import expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search
from course_lib.checks import ExerciseError
from course_lib.checks.lesson08 import check_glow_tts_loss, check_mle_loss, solution_glow_tts_loss, solution_mle_loss
from course_lib.checks.build import awake
from course_lib.data.dataset import SILENCE_LOG_MEL
from course_lib.models.glow_tts import GlowTTSConfig, build
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask


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
    torch.manual_seed(0)
    model = build(GlowTTSConfig.tiny().replace(n_vocab=20)).eval()
    tokens = torch.randint(1, 20, (2, 7))
    mels = torch.randn(2, 80, 30)
    with torch.no_grad():
        out = model(tokens, torch.tensor([7, 5]), mels, torch.tensor([30, 22]))
        ours = solution_mle_loss(out.z, out.frame_prior_mean, out.frame_prior_log_std, out.log_det, out.mel_mask)
        assert torch.isclose(ours, model.losses(out).mle, atol=1e-5)


# ------------------------------------------------------------------ build it: the training loss
CONFIG = GlowTTSConfig.tiny().replace(n_vocab=20)


def two_sentences(n_frames=(41, 26)):
    """Two sentences of 8 and 5 tokens; the second's mel is padded with silence, as the collate pads it."""
    gen = torch.Generator().manual_seed(8)
    mel_lengths = torch.tensor(n_frames)
    mels = torch.rand(2, 80, int(mel_lengths.max()), generator=gen) * 8 - 9
    mels = torch.where(sequence_mask(mel_lengths, mels.shape[-1]) > 0, mels, torch.tensor(SILENCE_LOG_MEL))
    tokens = torch.randint(1, 20, (2, 8), generator=gen) * sequence_mask(torch.tensor([8, 5]), 8)[:, 0].long()
    return SimpleNamespace(tokens=tokens, token_lengths=torch.tensor([8, 5]), mels=mels, mel_lengths=mel_lengths)


def _glow_stub(model, batch):
    raise NotImplementedError


def test_build_solution_passes_and_a_stub_is_not_done(capsys):
    assert check_glow_tts_loss(solution_glow_tts_loss, CONFIG, two_sentences()) is True
    assert check_glow_tts_loss(_glow_stub, CONFIG, two_sentences()) is False
    out = capsys.readouterr().out
    assert out.count("✓") == 1 and "the model's" in out and "not implemented yet" in out


def test_build_calling_the_model_itself_is_refused():
    def calls_the_model(model, batch):
        return model.losses(model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths)).total

    with pytest.raises(ExerciseError, match="from the model's parts"):
        check_glow_tts_loss(calls_the_model, CONFIG, two_sentences())


def glow_learner(model, batch, *, log_det_sign=1.0, search_the_mel=False, frames_not_logs=False, no_mask=False,
                 duration_too=True):
    """A learner's version of the loss (written apart from the check's, with lesson 08's own ``mle_loss``),
    with one slip chosen by keyword."""
    enc = model.encoder(batch.tokens, batch.token_lengths)
    n_frames = batch.mels.shape[-1]
    mel_mask = torch.ones(2, 1, n_frames) if no_mask else sequence_mask(batch.mel_lengths, n_frames)
    flow = model.decoder(batch.mels, mel_mask)
    with torch.no_grad():
        searched = batch.mels if search_the_mel else flow.z
        log_likelihood = gaussian_log_likelihood_matrix(searched, enc.prior_mean, enc.prior_log_std)
        alignment = monotonic_alignment_search(log_likelihood, enc.mask, mel_mask)
    loss = solution_mle_loss(flow.z, expand_to_frames(enc.prior_mean, alignment),
                             expand_to_frames(enc.prior_log_std, alignment), log_det_sign * flow.log_det, mel_mask)
    if duration_too:
        frames = alignment.sum(2, keepdim=True).transpose(1, 2)  # [B, 1, T_text]
        target = frames * enc.mask if frames_not_logs else log_duration_target(frames, enc.mask)
        loss = loss + duration_loss(enc.log_duration, target, enc.mask)
    return loss


def test_build_the_learner_version_without_slips_passes():
    assert check_glow_tts_loss(glow_learner, CONFIG, two_sentences()) is True


@pytest.mark.parametrize("slip, hint", [
    ({"log_det_sign": 0.0}, "the log-det is missing"),
    ({"log_det_sign": -1.0}, "the log-det has the wrong sign"),
    ({"search_the_mel": True}, "MAS searches the latents"),
    ({"frames_not_logs": True}, "learns log-durations"),
    ({"no_mask": True}, "frame mask comes from mel_lengths"),
    ({"duration_too": False}, "add the duration loss"),
], ids=["no-log-det", "log-det-sign", "mas-on-mel", "linear-durations", "no-mask", "no-duration"])
def test_build_each_slip_gets_its_hint(slip, hint):
    with pytest.raises(ExerciseError, match=hint):
        check_glow_tts_loss(lambda model, batch: glow_learner(model, batch, **slip), CONFIG, two_sentences())


def test_build_an_unknown_mistake_gets_the_general_hint():
    with pytest.raises(ExerciseError, match="values differ.*follow the steps"):
        check_glow_tts_loss(lambda *args: solution_glow_tts_loss(*args) * 1.01, CONFIG, two_sentences())


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train-with-dropout"])
@pytest.mark.parametrize("n_squeeze, n_frames", [(1, (41, 26)), (2, (41, 27))], ids=["tiny", "squeezed-odd"])
def test_build_the_solution_is_the_library_forward(training, n_squeeze, n_frames):
    """On the model's real forward pass, the same loss — the paper's squeeze (odd frames dropped) included."""
    torch.manual_seed(3)
    model = awake(build(CONFIG.replace(n_squeeze=n_squeeze)))
    batch = two_sentences(n_frames)
    model.data_dependent_init(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths)
    model.train(training)
    with torch.no_grad():
        results = []
        for use_solution in (True, False):
            torch.manual_seed(5)  # dropout draws from torch's global RNG in training mode
            if use_solution:
                results.append(solution_glow_tts_loss(model, batch))
            else:
                results.append(model.losses(model(batch.tokens, batch.token_lengths, batch.mels,
                                                  batch.mel_lengths)).total)
    assert torch.equal(*results)


def test_the_build_exercises_batch_is_the_first_and_the_shortest_training_sentence():
    from course_lib.checks.build import two_sentence_batch
    from course_lib.data import ensure_corpus, load_corpus
    from course_lib.text import tokenizer_for

    corpus = load_corpus(ensure_corpus())
    batch = two_sentence_batch(corpus, tokenizer_for("espeak", False))
    records = corpus.split("train").utterances
    assert batch.mel_lengths.tolist() == [sum(records[0].durations), min(sum(r.durations) for r in records)]
    assert batch.mel_lengths[1] < batch.mels.shape[-1]          # the short one is padded
