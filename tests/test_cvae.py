"""The conditional VAE of lesson 03 (course_lib.models.cvae), on random tensors."""

import pytest
import torch

from course_lib.distributions import kl_gaussians
from course_lib.models import cvae as C
from course_lib.models import model_module
from course_lib.models.cvae.train import RECIPE, CvaeTask


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
    trainer = Trainer(CvaeTask(model), TrainConfig(steps=4, log_every=2, checkpoint_every=None, progress=False),
                      device="cpu")
    history = trainer.fit(batches)
    assert {"cvae/loss", "cvae/kl", "cvae/reconstruction", "cvae/duration"} <= set(history[-1])
    assert CvaeTask(model).validate(batches)["kl"] > 0

    import dataclasses

    path = save_model(tmp_path / "cvae.pt", model, dataclasses.asdict(model.config))
    reloaded = RECIPE.load(path, device="cpu")
    assert reloaded.config == model.config  # tuples survive the JSON round trip
    tokens, token_lengths, *_ = _batch(0, n_vocab=205)
    a = model.synthesize(tokens, token_lengths, temperature=0.5, generator=torch.Generator().manual_seed(3))
    b = reloaded.synthesize(tokens, token_lengths, temperature=0.5, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(a.mel, b.mel)
    with pytest.raises(ValueError, match="unknown CVAE config keys"):
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


# The shipped lesson-03 checkpoint, sampled before the CVAE became a package (models/cvae.py → models/cvae/):
# "The quick brown fox jumps over the lazy dog.", τ = 0.667, seed 3. The reference numbers were printed by the
# old module; the package must give the same tokens, durations and mel.
SHIPPED_TOKENS = [46, 60, 23, 41, 138, 23, 9, 76, 97, 26, 17, 117, 23, 35, 11, 146, 25, 33, 35, 169, 40, 66, 46, 60,
                  24, 102, 43, 19, 10, 117, 72, 1, 1]
SHIPPED_DURATIONS = [5, 10, 4, 9, 13, 7, 2, 5, 10, 7, 7, 15, 4, 8, 3, 7, 12, 7, 7, 11, 5, 7, 4, 5, 6, 9, 4, 7, 5, 17,
                     7, 1, 1]
SHIPPED_MEL_GRID = [  # mel[::16, ::40] of the [80, 231] log-mel
    -4.1827, -3.513, -4.4049, -3.835, -4.2728, -4.8489, -4.3883, -4.7801, -1.8324, -7.5288, -3.1464, -6.5371, -5.9317,
    -6.5665, -2.344, -6.4115, -2.6121, -7.7396, -6.2418, -4.268, -5.3094, -5.8477, -4.9396, -6.0912, -6.2799, -5.7363,
    -7.0186, -10.2583, -7.5217, -8.0236]
SHIPPED_MEL_SUM = -88567.53674221039


def test_the_shipped_checkpoint_loads_and_speaks_as_before():
    from course_lib.models.contract import SynthesisOptions
    from course_lib.paths import CHECKPOINT_DIR

    path = CHECKPOINT_DIR / "cvae_tiny.pt"
    if not path.exists():
        pytest.skip("the shipped CVAE checkpoint is not in this checkout")
    model = RECIPE.load(path, device="cpu").eval()
    said = C.synthesize_text(model, "The quick brown fox jumps over the lazy dog.", temperature=0.667, seed=3)
    assert said.tokens[0].tolist() == SHIPPED_TOKENS
    assert said.synthesis.durations[0].tolist() == SHIPPED_DURATIONS
    mel = said.synthesis.mel[0]
    assert mel.shape == (80, sum(SHIPPED_DURATIONS))
    torch.testing.assert_close(mel[::16, ::40].flatten(), torch.tensor(SHIPPED_MEL_GRID), atol=1e-4, rtol=0)
    assert float(mel.double().sum()) == pytest.approx(SHIPPED_MEL_SUM, rel=1e-6)
    # the contract gives the very same sample
    result = model.generate(torch.tensor(SHIPPED_TOKENS), SynthesisOptions(noise_scale=0.667, seed=3))
    assert torch.equal(result.mel, mel) and result.durations.tolist() == SHIPPED_DURATIONS
    assert result.wave is None and result.settings == {"noise_scale": 0.667, "length_scale": 1.0, "seed": 3}


def test_the_cvae_implements_the_synthesis_contract():
    from course_lib.models.contract import SynthesisOptions

    model = C.build(C.CvaeConfig.tiny()).eval()
    tokens = torch.randint(1, 205, (9,), generator=torch.Generator().manual_seed(0))
    a = model.generate(tokens, SynthesisOptions(seed=1))
    assert torch.equal(a.mel, model.generate(tokens, SynthesisOptions(seed=1)).mel)
    assert a.mel.shape == (80, int(a.durations.sum()))
    assert a.settings == {"noise_scale": 0.667, "length_scale": 1.0, "seed": 1}
    mean = model.generate(tokens, SynthesisOptions(noise_scale=0.0, seed=1)).mel
    torch.testing.assert_close(mean, model.generate(tokens, SynthesisOptions(noise_scale=0.0, seed=2)).mel)
    predicted = model.predicted_durations(tokens, SynthesisOptions(length_scale=2.0))
    torch.testing.assert_close(predicted, 2.0 * model.predicted_durations(tokens))
    assert torch.equal(a.durations, torch.round(model.predicted_durations(tokens)).clamp_min(1).long())
    assert model.own_alignment(tokens, a.mel) is None
    for knob, why in (("n_steps", "decodes in one pass"), ("noise_scale_w", "deterministic"),
                      ("speaker", "single speaker")):
        with pytest.raises(ValueError, match=why):
            model.generate(tokens, SynthesisOptions(**{knob: 1}))


def test_synth_cvae_goes_through_the_one_cli_path(tmp_path, capsys):
    import soundfile as sf

    from course_lib.__main__ import main
    from course_lib.paths import CHECKPOINT_DIR

    path = CHECKPOINT_DIR / "cvae_tiny.pt"
    if not path.exists():
        pytest.skip("the shipped CVAE checkpoint is not in this checkout")
    argv = ["synth", "cvae", "--checkpoint", str(path), "--text", "Hello there.", "--vocoder", "griffin-lim",
            "--seed", "3"]
    assert main([*argv, "--out", str(tmp_path / "t.wav"), "--temperature", "0.5"]) == 0
    assert "noise_scale 0.5" in capsys.readouterr().out
    assert main([*argv, "--out", str(tmp_path / "n.wav"), "--noise-scale", "0.5"]) == 0  # the CVAE's τ is its noise scale
    first, rate = sf.read(tmp_path / "t.wav")
    assert rate == 22050 and first.size > 256 and (first == sf.read(tmp_path / "n.wav")[0]).all()
    capsys.readouterr()
    assert main([*argv, "--out", str(tmp_path / "s.wav"), "--steps", "4"]) == 2
    assert "decodes in one pass" in capsys.readouterr().err and not (tmp_path / "s.wav").exists()
