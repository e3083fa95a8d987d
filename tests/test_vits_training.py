"""VITS training through the course's GAN task and the command line: losses, resume, model files, synth."""

import pytest
import soundfile as sf
import torch

from course_lib.__main__ import main
from course_lib.models.vits import VITSConfig, build, build_discriminator
from course_lib.models.vits.train import RECIPE, VITSTask


def _train(tmp_path, name, *extra):
    argv = ["train", "vits", "--config", "tiny", "--out", str(tmp_path / name), "--batch-size", "2", *extra]
    return main(argv)


def test_the_cli_trains_resumes_exactly_and_synthesises(tmp_path, capsys):
    assert _train(tmp_path, "straight", "--steps", "2") == 0, capsys.readouterr().err
    assert _train(tmp_path, "stopped", "--steps", "1") == 0
    assert _train(tmp_path, "stopped", "--steps", "2", "--resume") == 0
    saved = {run: torch.load(tmp_path / run / "checkpoint.pt", weights_only=True) for run in ("straight", "stopped")}
    last = [row for row in saved["straight"]["history"] if "generator/loss" in row][-1]
    # tiny's first steps are its warm-up: reconstruction, KL and duration alone, no discriminator yet
    assert {"generator/mel", "generator/kl", "generator/duration"} <= set(last)
    assert not any(key.startswith("discriminator/") or key == "generator/adversarial" for key in last)
    for part in ("generator", "discriminator"):   # resumed = uninterrupted, weight for weight
        a, b = saved["straight"]["modules"][part], saved["stopped"]["modules"][part]
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), part

    model_file = tmp_path / "straight" / "vits.pt"
    out = tmp_path / "hello.wav"
    assert main(["synth", "vits", "--checkpoint", str(model_file), "--text", "Hello there.", "--out", str(out),
                 "--noise-scale", "0.5", "--noise-scale-w", "0.3", "--seed", "3"]) == 0
    wave, rate = sf.read(out)
    assert rate == 22050 and wave.size > 256 and abs(wave).max() <= 1.0
    # VITS needs no vocoder, has no sampling steps and (trained single-speaker) no speakers
    for bad, message in ((["--vocoder", "griffin-lim"], "uses no vocoder"), (["--steps", "4"], "decodes in one pass"),
                         (["--speaker", "1"], "single speaker")):
        argv = ["synth", "vits", "--checkpoint", str(model_file), "--text", "Hi.", "--out", str(out), *bad]
        assert main(argv) == 2
        assert message in capsys.readouterr().err
    # and the knobs only VITS has are refused by the others
    from course_lib.paths import CHECKPOINT_DIR

    assert main(["synth", "glow_tts", "--checkpoint", str(CHECKPOINT_DIR / "glow_tts_tiny.pt"), "--text", "Hi.",
                 "--out", str(out), "--vocoder", "griffin-lim", "--noise-scale-w", "0.3"]) == 2
    assert "deterministic" in (err := capsys.readouterr().err) and "drop --noise-scale-w" in err


def test_a_saved_model_speaks_the_same_wave_for_a_seed(tmp_path):
    from course_lib.text import tokenizer_for
    from course_lib.training import save_model

    config = VITSConfig.tiny().replace(n_vocab=tokenizer_for("espeak", True).n_vocab)
    torch.manual_seed(0)
    model = build(config).eval()
    path = save_model(tmp_path / "vits.pt", model, config.to_dict())
    again = RECIPE.load(path, device="cpu")
    tokens = torch.randint(1, config.n_vocab, (12,))
    torch.testing.assert_close(again.synthesize(tokens, seed=5), model.synthesize(tokens, seed=5), rtol=0, atol=0)


def test_warm_losses_are_the_papers_sum():
    """The generator's objective: adversarial + 2·feature matching + 45·mel + 1·KL + duration."""
    from course_lib.data import TextMelBatch

    torch.manual_seed(0)
    config = VITSConfig.tiny()
    model, discriminator = build(config), build_discriminator(config)
    task = VITSTask(model, discriminator)
    lengths = torch.tensor([40, 36])
    waves = torch.randn(2, 1, 40 * 256) * 0.1
    batch = TextMelBatch(ids=("a", "b"), tokens=torch.randint(1, 50, (2, 9)), token_lengths=torch.tensor([9, 7]),
                         mels=torch.zeros(2, 80, 40), mel_lengths=lengths, durations=None,
                         speakers=torch.zeros(2, dtype=torch.long), waves=waves, wave_lengths=lengths * 256)
    cache: dict = {}
    task.discriminator_step(batch, cache)
    total, logs = task.generator_step(batch, cache)
    expected = (logs["adversarial"] + 2 * logs["feature_matching"] + 45 * logs["mel"] + logs["kl"]
                + logs["duration"])
    torch.testing.assert_close(total, expected)


def test_voice_conversion_from_the_command_line_and_its_bad_input(tmp_path, capsys):
    import dataclasses

    import numpy as np

    from course_lib.text import tokenizer_for
    from course_lib.training import save_model

    config = dataclasses.replace(VITSConfig.tiny(), n_vocab=tokenizer_for("espeak", True).n_vocab, n_speakers=3,
                                 speaker_channels=16)
    many = save_model(tmp_path / "many.pt", build(config), config.to_dict())
    single_config = VITSConfig.tiny().replace(n_vocab=config.n_vocab)
    single = save_model(tmp_path / "single.pt", build(single_config), single_config.to_dict())
    t = np.arange(int(0.5 * 44100)) / 44100
    stereo_44k = np.stack([0.3 * np.sin(2 * np.pi * 150 * t)] * 2, axis=1).astype(np.float32)
    sf.write(tmp_path / "a.wav", stereo_44k, 44100)
    sf.write(tmp_path / "silent.wav", np.zeros(22050, np.float32), 22050)
    sf.write(tmp_path / "click.wav", 0.3 * np.ones(100, np.float32), 22050)

    def convert(checkpoint, source, *extra):
        return main(["convert", "vits", "--checkpoint", str(checkpoint), "--in", str(tmp_path / source),
                     "--from-speaker", "0", "--speaker", "2", "--out", str(tmp_path / "b.wav"), *extra])

    assert convert(many, "a.wav") == 0, capsys.readouterr().err   # stereo at 44.1 kHz: read as mono 22,050 Hz
    wave, rate = sf.read(tmp_path / "b.wav")
    assert rate == 22050 and wave.ndim == 1 and wave.size == (22050 // 2 // 256) * 256
    for checkpoint, source, message in ((single, "a.wav", "single-speaker VITS"), (many, "silent.wav", "is silent"),
                                        (many, "click.wav", "ms, too short")):
        assert convert(checkpoint, source) == 2
        assert message in capsys.readouterr().err
    assert convert(many, "a.wav", "--speaker", "7") == 2   # argparse keeps the last --speaker: 7 of 3
    assert "0 … 2" in capsys.readouterr().err


def test_a_vits_with_an_explicit_f0_trains_in_one_phase_resumes_exactly_and_shifts_its_pitch(tmp_path, capsys):
    import numpy as np

    from course_lib.data import ensure_corpus

    data = str(ensure_corpus(multispeaker=True))

    def train(name, *extra):
        return main(["train", "vits", "--config", "tiny_multi_f0", "--data", data, "--out", str(tmp_path / name),
                     "--batch-size", "2", *extra])

    assert train("straight", "--steps", "2") == 0, capsys.readouterr().err
    assert train("stopped", "--steps", "1") == 0
    assert train("stopped", "--steps", "2", "--resume") == 0
    saved = {run: torch.load(tmp_path / run / "checkpoint.pt", weights_only=True) for run in ("straight", "stopped")}
    assert set(saved["straight"]["modules"]) == {"model"}   # no discriminator: the phase comes from the pitch
    last = [row for row in saved["straight"]["history"] if "generator/loss" in row][-1]
    assert {"generator/mel", "generator/magnitude", "generator/kl", "generator/duration", "generator/log_f0",
            "generator/voicing"} <= set(last)
    a, b = saved["straight"]["modules"]["model"], saved["stopped"]["modules"]["model"]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert a["speaker_voiced_frames"].sum() > 0   # the speakers' pitch was counted, and resumed with the weights

    model_file = tmp_path / "straight" / "vits.pt"
    out = tmp_path / "high.wav"
    assert main(["synth", "vits", "--checkpoint", str(model_file), "--text", "Hello there.", "--out", str(out),
                 "--speaker", "1", "--pitch-shift", "1.5"]) == 0, capsys.readouterr().err
    assert "pitch_shift 1.5" in capsys.readouterr().out
    from course_lib.text import tokenizer_for
    from course_lib.paths import CHECKPOINT_DIR
    from course_lib.training import save_model

    plain = VITSConfig.tiny().replace(n_vocab=tokenizer_for("espeak", True).n_vocab)   # no explicit F0
    plain_file = save_model(tmp_path / "plain.pt", build(plain), plain.to_dict())
    for kind, checkpoint in (("vits", plain_file), ("glow_tts", CHECKPOINT_DIR / "glow_tts_tiny.pt")):
        assert main(["synth", kind, "--checkpoint", str(checkpoint), "--text", "Hi.", "--out", str(out),
                     "--pitch-shift", "1.5"]) == 2
        assert "drop --pitch-shift" in capsys.readouterr().err
    t = np.arange(22050) / 22050
    sf.write(tmp_path / "tone.wav", (0.3 * np.sin(2 * np.pi * 150 * t)).astype(np.float32), 22050)
    heard = [str(i) for i in a["speaker_voiced_frames"].nonzero()[:, 0].tolist()]   # two steps: not every voice
    assert main(["convert", "vits", "--checkpoint", str(model_file), "--in", str(tmp_path / "tone.wav"),
                 "--from-speaker", heard[0], "--speaker", heard[-1], "--out", str(tmp_path / "b.wav")]) == 0, \
        capsys.readouterr().err


def test_a_second_phase_starts_from_the_first_phases_weights_at_its_own_learning_rate(tmp_path, capsys):
    from course_lib.data import ensure_corpus

    data = str(ensure_corpus(multispeaker=True))

    def train(config, name, *extra):
        return main(["train", "vits", "--config", config, "--data", data, "--out", str(tmp_path / name),
                     "--batch-size", "2", "--steps", "1", *extra])

    assert train("tiny_multi_f0", "first") == 0, capsys.readouterr().err
    assert train("tiny_multi_f0_anneal", "second", "--init", str(tmp_path / "first" / "checkpoint.pt")) == 0, \
        capsys.readouterr().err
    first, _, _ = RECIPE.load_run(tmp_path / "first" / "vits.pt")
    second, _, _ = RECIPE.load_run(tmp_path / "second" / "vits.pt")
    fresh = build(second.config)
    weights = dict(first.named_parameters())
    moved = max(float((p - weights[name]).abs().max()) for name, p in second.named_parameters())
    assert moved < 0.01   # one step at 1e-4 from the first phase's weights, not from fresh ones
    assert any(float((p - dict(fresh.named_parameters())[n]).abs().max()) > 0.01 for n, p in second.named_parameters())
    assert second.speaker_voiced_frames.sum() > first.speaker_voiced_frames.sum()   # the pitch counts carry on
    history = torch.load(tmp_path / "second" / "checkpoint.pt", weights_only=True)["history"]
    assert [row["lr/adam"] for row in history if "lr/adam" in row][0] == pytest.approx(1e-4)
    # weights of another architecture are refused with the fix
    plain = VITSConfig.tiny_multi().replace(n_vocab=first.config.n_vocab)
    from course_lib.training import save_model

    other = save_model(tmp_path / "plain.pt", build(plain), plain.to_dict())
    assert train("tiny_multi_f0_anneal", "third", "--init", str(other)) == 2
    assert "other sizes" in capsys.readouterr().err
