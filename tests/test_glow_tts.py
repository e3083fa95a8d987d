"""Glow-TTS: exact paper sizes, a tiny model that learns, synthesis, files and bad input."""

import dataclasses

import pytest
import torch

from course_lib.models import model_module
from course_lib.models.glow_tts import CONFIGS, GlowTTSConfig, build
from course_lib.models.glow_tts.train import GlowTTSTask
from course_lib.models.summary import param_summary
from course_lib.training import load_model, save_model

torch.set_num_threads(1)


@pytest.mark.parametrize(
    "config,encoder,decoder,total",
    [
        (GlowTTSConfig.paper(), 7_199_953, 21_423_936, 28_623_889),  # base.json, 148 symbols
        (GlowTTSConfig.paper_blank(), 7_200_145, 21_423_936, 28_624_081),  # base_blank.json, 149
    ],
)
def test_paper_parameter_counts(config, encoder, decoder, total):
    """REFERENCE.md §2 (official code, train graph: weight-norm g and v both counted)."""
    summary = param_summary(build(config))
    assert summary.parts == {"encoder": encoder, "decoder": decoder}
    assert summary.total == total


def test_registry_and_n_vocab_replace():
    module = model_module("glow_tts")
    assert set(module.CONFIGS) >= {"paper", "tiny"}
    config = dataclasses.replace(CONFIGS["paper"](), n_vocab=149)
    assert param_summary(module.build(config)).parts["encoder"] == 7_200_145


def toy_batch(n_vocab=20, batch=3, seed=0):
    """Frames drawn around a fixed vector per token id, with random durations: a learnable alignment."""
    g = torch.Generator().manual_seed(seed)
    token_means = torch.randn(n_vocab, 80, generator=g) * 2
    token_lengths = torch.tensor([9, 7, 5][:batch])
    tokens = torch.zeros(batch, int(token_lengths.max()), dtype=torch.long)
    mels, mel_lengths = [], []
    for b, n in enumerate(token_lengths.tolist()):
        tokens[b, :n] = torch.randint(1, n_vocab, (n,), generator=g)
        durations = torch.randint(2, 6, (n,), generator=g)
        frames = token_means[tokens[b, :n]].repeat_interleave(durations, dim=0).T  # [80, T_mel]
        mels.append(frames + 0.3 * torch.randn(frames.shape, generator=g))
        mel_lengths.append(frames.shape[1])
    longest = max(mel_lengths)
    mel_batch = torch.stack([torch.nn.functional.pad(m, (0, longest - m.shape[1])) for m in mels])
    return tokens, token_lengths, mel_batch, torch.tensor(mel_lengths)


def tiny_config(**changes):
    return GlowTTSConfig.tiny().replace(n_vocab=20, **changes)


def test_tiny_model_learns_a_batch():
    torch.manual_seed(0)
    config = tiny_config(warmup_steps=10)
    model = build(config)
    tokens, token_lengths, mels, mel_lengths = toy_batch()
    task = GlowTTSTask(model)
    batch = type("Batch", (), dict(tokens=tokens, token_lengths=token_lengths, mels=mels, mel_lengths=mel_lengths,
                                   speakers=torch.zeros(3, dtype=torch.long)))
    task.on_train_start(batch)
    assert all(bool(m.initialized) for m in model.modules() if hasattr(m, "initialized"))
    optimizer, schedule = task.optimizers["adam"], task.schedulers["noam"].scheduler
    losses = []
    for _ in range(20):
        loss, logs = task.loss_step(batch, {})
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), config.grad_clip_value)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 1.0, losses  # ≈ 3.3 -> 0.4 nats in 20 steps
    assert set(logs) == {"mle", "duration"}


def test_training_pass_shapes_and_alignment():
    model = build(tiny_config())
    tokens, token_lengths, mels, mel_lengths = toy_batch()
    out = model(tokens, token_lengths, mels, mel_lengths)
    b, t_text = tokens.shape
    t_mel = (mels.shape[-1] // 2) * 2
    assert out.z.shape == (b, 80, t_mel) and out.alignment.shape == (b, t_text, t_mel)
    real_frames = (mel_lengths // 2) * 2
    assert out.alignment.sum((1, 2)).tolist() == real_frames.tolist()  # one token per real frame
    assert torch.isfinite(model.losses(out).total)


def test_decoder_is_invertible_on_mels():
    model = build(tiny_config()).eval()
    _, _, mels, mel_lengths = toy_batch()
    mels = mels[:, :, :20]
    mask = torch.ones(3, 1, 20)
    with torch.no_grad():
        model.decoder(mels, mask)  # ActNorm data init
        z = model.decoder(mels, mask)
        back = model.decoder(z.z, mask, reverse=True)
    torch.testing.assert_close(back.z, mels, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(back.log_det, -z.log_det, atol=1e-3, rtol=1e-5)


def test_synthesize_is_finite_repeatable_and_saved_model_matches(tmp_path):
    model = build(tiny_config())
    tokens, token_lengths, mels, mel_lengths = toy_batch()
    model.data_dependent_init(tokens, token_lengths, mels, mel_lengths)
    mel = model.synthesize(tokens[0, :9], seed=3)
    assert mel.dim() == 2 and mel.shape[0] == 80 and mel.shape[1] >= 2 and torch.isfinite(mel).all()
    torch.testing.assert_close(model.synthesize(tokens[0, :9], seed=3), mel)
    assert not torch.equal(model.synthesize(tokens[0, :9], seed=4), mel)
    path = save_model(tmp_path / "glow.pt", model, model.config.to_dict())
    loaded, config = load_model(path, build)
    assert loaded.config == model.config
    torch.testing.assert_close(loaded.synthesize(tokens[0, :9], seed=3), mel)
    slow = model.synthesize(tokens[0, :9], seed=3, length_scale=2.0)
    assert slow.shape[1] > mel.shape[1]


def test_bad_synthesis_input_is_a_clear_error():
    model = build(tiny_config(max_frames=50))
    tokens = torch.randint(1, 20, (12,))
    with pytest.raises(ValueError, match="length_scale"):
        model.synthesize(tokens, length_scale=0.0)
    with pytest.raises(ValueError, match="noise_scale"):
        model.synthesize(tokens, noise_scale=-0.1)
    with pytest.raises(ValueError, match="frames"):
        model.synthesize(tokens, length_scale=20.0)
    with pytest.raises(ValueError, match="n_vocab"):
        model.synthesize(torch.tensor([3, 25]))
    with pytest.raises(ValueError, match="empty"):
        model.synthesize([])


def test_config_from_dict_rejects_unknown_keys_and_checks_shapes():
    config = GlowTTSConfig.tiny()
    assert GlowTTSConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown Glow-TTS config keys"):
        GlowTTSConfig.from_dict({**config.to_dict(), "hidden": 3})
    with pytest.raises(ValueError, match="n_split"):
        GlowTTSConfig(n_split=3)
    with pytest.raises(ValueError, match="speaker_channels"):
        GlowTTSConfig(n_speakers=4)


def test_multi_speaker_conditioning():
    model = build(tiny_config(n_speakers=3, speaker_channels=8))
    tokens, token_lengths, mels, mel_lengths = toy_batch()
    out = model(tokens, token_lengths, mels, mel_lengths, speakers=torch.tensor([0, 1, 2]))
    assert torch.isfinite(model.losses(out).total)
    assert "speaker_embedding" in param_summary(model).parts
    with pytest.raises(ValueError, match="speakers"):
        model(tokens, token_lengths, mels, mel_lengths)


def test_checkpoint_with_another_vocabulary_is_a_clear_error(tmp_path):
    from course_lib.models.glow_tts.train import RECIPE

    model = build(GlowTTSConfig.tiny().replace(n_vocab=30))  # the eSpeak table has more symbols
    path = save_model(tmp_path / "glow.pt", model, model.config.to_dict())
    with pytest.raises(ValueError, match="n_vocab=30"):
        RECIPE.load(path)


def test_synth_cli_writes_a_wave(tmp_path):
    import soundfile as sf

    from course_lib.__main__ import main
    from course_lib.text import tokenizer_for

    config = GlowTTSConfig.tiny().replace(n_vocab=tokenizer_for("espeak", False).n_vocab)
    model = build(config)
    path = save_model(tmp_path / "glow.pt", model, config.to_dict())
    assert main(["synth", "glow_tts", "--checkpoint", str(path), "--text", "Hello there.", "--out",
                 str(tmp_path / "hello.wav"), "--temperature", "0.5", "--vocoder", "griffin-lim"]) == 0
    wave, rate = sf.read(tmp_path / "hello.wav")
    assert rate == 22050 and len(wave) > 256 and abs(wave).max() <= 1.0
