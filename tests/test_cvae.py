"""The conditional VAE of lesson 03 (course_lib.models.cvae), on random tensors."""

import pytest
import torch

from course_lib.distributions import kl_gaussians
from course_lib.models import cvae as C
from course_lib.models import model_module


@pytest.fixture(autouse=True)
def _one_thread():
    """The CI machine has 2 shared cores: one thread per test process is faster than two."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _batch(seed=0, n_vocab=64):
    g = torch.Generator().manual_seed(seed)
    token_lengths = torch.tensor([7, 5, 3])
    real = torch.arange(7)[None] < token_lengths[:, None]
    tokens = torch.randint(1, n_vocab, (3, 7), generator=g) * real
    durations = torch.randint(1, 5, (3, 7), generator=g) * real
    mel_lengths = durations.sum(1)
    mels = torch.randn(3, 80, int(mel_lengths.max()), generator=g) * 2 - 6
    return tokens, token_lengths, mels, mel_lengths, durations


def test_registry_builds_both_configs():
    module = model_module("cvae")
    assert set(module.CONFIGS) == {"tiny", "small"}
    model = module.build(module.CONFIGS["tiny"]())
    assert [name for name, _ in model.named_children()] == [
        "text_encoder", "posterior_encoder", "decoder", "duration_predictor"]


def test_alignment_expands_each_token_over_its_frames():
    durations = torch.tensor([[2, 1, 3], [1, 2, 0]])
    alignment = C.durations_to_alignment(durations, 6)
    assert alignment.shape == (2, 3, 6)
    torch.testing.assert_close(alignment.sum(1)[0], torch.ones(6))  # every frame has one token
    assert alignment.sum(1)[1].tolist() == [1, 1, 1, 0, 0, 0]  # padding frames have none
    values = torch.tensor([[[10.0, 20.0, 30.0]], [[1.0, 2.0, 0.0]]])  # [B, 1, T_text]
    expanded = C.expand_to_frames(values, alignment)
    assert expanded[0, 0].tolist() == [10, 10, 20, 30, 30, 30]
    assert expanded[1, 0].tolist() == [1, 2, 2, 0, 0, 0]


def test_forward_shapes_masks_and_kl():
    model = C.build(C.CvaeConfig.tiny()).eval()
    tokens, token_lengths, mels, mel_lengths, durations = _batch()
    out = model(tokens, token_lengths, mels, mel_lengths, durations)
    T = mels.shape[2]
    assert out.mel.shape == mels.shape
    assert out.latent.shape == out.prior_mean.shape == out.posterior_log_std.shape == (3, 8, T)
    assert out.log_durations.shape == (3, 1, 7)
    # padding frames are zero everywhere, and the per-frame KL is the closed form summed over channels
    assert out.mel[2, :, int(mel_lengths[2]):].abs().sum() == 0
    kl = kl_gaussians(out.posterior_mean, out.posterior_log_std, out.prior_mean, out.prior_log_std)
    torch.testing.assert_close(out.kl_per_frame(), (kl * out.mel_mask).sum(1))
    # the prior is constant over each phoneme's frames
    first = int(durations[0, 0])
    assert torch.allclose(out.prior_mean[0, :, :first], out.prior_mean[0, :, :1].expand(-1, first))


def test_padding_does_not_change_an_utterance():
    model = C.build(C.CvaeConfig.tiny()).eval()
    tokens, token_lengths, mels, mel_lengths, durations = _batch()
    n_tok, n_frames = int(token_lengths[2]), int(mel_lengths[2])
    alone = model(tokens[2:, :n_tok], token_lengths[2:], mels[2:, :, :n_frames], mel_lengths[2:], durations[2:, :n_tok],
                  generator=torch.Generator().manual_seed(1))
    batched = model(tokens, token_lengths, mels, mel_lengths, durations, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(alone.posterior_mean[0], batched.posterior_mean[2, :, :n_frames], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(alone.prior_mean[0], batched.prior_mean[2, :, :n_frames], atol=1e-5, rtol=1e-4)


def test_bad_inputs_raise_clear_errors():
    model = C.build(C.CvaeConfig.tiny())
    tokens, token_lengths, mels, mel_lengths, durations = _batch()
    with pytest.raises(ValueError, match="sum to mel_lengths"):
        model(tokens, token_lengths, mels, mel_lengths + 1, durations)
    with pytest.raises(ValueError, match="n_vocab"):
        model(tokens + 300, token_lengths, mels, mel_lengths, durations)
    with pytest.raises(ValueError, match="temperature"):
        model.synthesize(tokens, token_lengths, temperature=-0.5)
    with pytest.raises(ValueError, match="length_scale"):
        model.synthesize(tokens, token_lengths, length_scale=0.0)


def test_loss_falls_when_overfitting_one_batch():
    torch.manual_seed(0)
    model = C.build(C.CvaeConfig.tiny())
    batch = _batch()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    history = []
    for _ in range(60):
        out = model(*batch)
        losses = model.losses(out, batch[2], batch[4])
        optimizer.zero_grad()
        losses.total.backward()
        optimizer.step()
        history.append(losses.as_dict())
    assert history[-1]["total"] < 0.6 * history[0]["total"]
    assert history[-1]["duration"] < history[0]["duration"]


def test_synthesis_is_seeded_and_temperature_controls_spread():
    model = C.build(C.CvaeConfig.tiny()).eval()
    tokens, token_lengths, _, mel_lengths, durations = _batch()

    def sample(seed, temperature):
        g = torch.Generator().manual_seed(seed)
        return model.synthesize(tokens, token_lengths, durations, temperature=temperature, generator=g)

    a, b = sample(0, 0.7), sample(0, 0.7)
    torch.testing.assert_close(a.mel, b.mel)
    assert torch.equal(a.mel_lengths, mel_lengths)  # true durations are used as given
    assert not torch.allclose(sample(1, 0.7).mel, a.mel)
    torch.testing.assert_close(sample(1, 0.0).mel, sample(2, 0.0).mel)  # τ = 0: the prior mean, no randomness
    spread = lambda t: (sample(3, t).latent - sample(4, t).latent).abs().mean()  # noqa: E731
    assert spread(1.0) > 1.5 * spread(0.5)


def test_predicted_durations_and_length_scale():
    model = C.build(C.CvaeConfig.tiny()).eval()
    tokens, token_lengths, *_ = _batch()
    normal = model.synthesize(tokens, token_lengths, temperature=0.0)
    slow = model.synthesize(tokens, token_lengths, temperature=0.0, length_scale=3.0)
    for item, n_tokens in enumerate(token_lengths.tolist()):  # every real token speaks, padding never does
        assert (normal.durations[item, :n_tokens] >= 1).all(), item
        assert normal.durations[item, n_tokens:].sum() == 0, item
    assert (slow.mel_lengths > normal.mel_lengths).all()
    assert normal.mel.shape[2] == int(normal.mel_lengths.max())


def _text_mel_batch(seed=0):
    from course_lib.data import TextMelBatch

    tokens, token_lengths, mels, mel_lengths, durations = _batch(seed, n_vocab=205)
    return TextMelBatch(ids=("a", "b", "c"), tokens=tokens, token_lengths=token_lengths, mels=mels,
                        mel_lengths=mel_lengths, speakers=torch.zeros(3, dtype=torch.long), durations=durations)


def test_trains_under_the_course_trainer_and_reloads_identically(tmp_path):
    from course_lib.training import TrainConfig, Trainer, save_model

    torch.manual_seed(0)
    model = C.build(C.CvaeConfig.tiny())
    batches = [_text_mel_batch(0), _text_mel_batch(1)]
    trainer = Trainer(C.CvaeTask(model), TrainConfig(steps=4, log_every=2, checkpoint_every=None, progress=False),
                      device="cpu")
    history = trainer.fit(batches)
    assert {"cvae/loss", "cvae/kl", "cvae/reconstruction", "cvae/duration"} <= set(history[-1])
    assert C.CvaeTask(model).validate(batches)["kl"] > 0

    import dataclasses

    path = save_model(tmp_path / "cvae.pt", model, dataclasses.asdict(model.config))
    reloaded = C.load(path)
    assert reloaded.config == model.config  # tuples survive the JSON round trip
    tokens, token_lengths, *_ = _batch(0, n_vocab=205)
    a = model.synthesize(tokens, token_lengths, temperature=0.5, generator=torch.Generator().manual_seed(3))
    b = reloaded.synthesize(tokens, token_lengths, temperature=0.5, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a.mel, b.mel)
    with pytest.raises(ValueError, match="unknown CvaeConfig keys"):
        C.CvaeConfig.from_dict({"n_vocab": 10, "n_layerz": 3})


def test_heldout_metrics_and_spread():
    model = C.build(C.CvaeConfig.tiny())
    metrics = C.heldout_metrics(model, [_text_mel_batch(0)], temperature=0.667, seeds=(0, 1))
    assert metrics.n_utterances == 3 and metrics.sample_spread > 0
    assert C.heldout_metrics(model, [_text_mel_batch(0)], temperature=0.0).sample_spread == 0.0
    a, b = torch.zeros(2, 80, 5), torch.ones(2, 80, 5)
    assert C.pairwise_mel_spread([a, b]) == 1.0
    assert C.pairwise_mel_spread([a, b], mask=torch.tensor([[[1.0, 1, 0, 0, 0]]] * 2)) == 1.0
    with pytest.raises(ValueError, match="two samples"):
        C.pairwise_mel_spread([a])
