"""The course vocoder interface: Griffin-Lim and HiFi-GAN, bad input, checkpoints, the default choice."""

import dataclasses

import pytest
import torch

from course_lib import paths
from course_lib.models.hifigan import save_generator
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.generator import Generator
from course_lib.training import save_model
from course_lib.vocoder import (
    GriffinLimVocoder,
    HiFiGANVocoder,
    VocoderInputError,
    check_mel,
    load_vocoder,
)


@pytest.fixture(scope="module")
def generator():
    torch.manual_seed(0)
    return Generator(HiFiGANConfig.tiny())


def test_bad_mels_are_refused_with_the_reason():
    with pytest.raises(VocoderInputError, match="has 64 bins.*80"):
        check_mel(torch.zeros(64, 10))
    with pytest.raises(VocoderInputError, match="transposed"):
        check_mel(torch.zeros(1, 10, 80))
    with pytest.raises(VocoderInputError, match="empty"):
        check_mel(torch.zeros(80, 0))
    with pytest.raises(VocoderInputError, match="NaN or inf in 1 frame.*frame 3"):
        check_mel(torch.zeros(80, 5).index_fill_(1, torch.tensor([3]), float("nan")))
    with pytest.raises(VocoderInputError, match=r"\[80, T\]"):
        check_mel(torch.zeros(80))
    assert check_mel(torch.zeros(80, 4)).shape == (1, 80, 4)


def test_both_vocoders_keep_the_batch_shape_and_make_256_samples_per_frame(generator):
    mel = torch.full((2, 80, 6), -5.0)
    for vocoder in (GriffinLimVocoder(n_iter=2), HiFiGANVocoder(Generator(HiFiGANConfig.tiny()))):
        assert vocoder(mel).shape == (2, 6 * 256)
        assert vocoder(mel[0].numpy()).shape == (6 * 256,)
        with pytest.raises(VocoderInputError):
            vocoder(torch.full((80, 4), float("inf")))


def test_hifigan_vocoder_is_ready_for_inference(generator):
    vocoder = HiFiGANVocoder(Generator(HiFiGANConfig.tiny()))
    assert not vocoder.generator.has_weight_norm
    assert not vocoder.generator.training
    assert all(not p.requires_grad for p in vocoder.generator.parameters())
    with pytest.raises(ValueError, match="in_channels=80"):
        HiFiGANVocoder(Generator(dataclasses.replace(HiFiGANConfig.tiny(), in_channels=192)))


def test_a_vocoder_moved_to_its_own_device_is_itself_and_a_copy_elsewhere_keeps_the_original():
    griffin_lim = GriffinLimVocoder(n_iter=2)
    assert griffin_lim.to("cpu") is griffin_lim            # no weights: it runs where the mel is
    vocoder = HiFiGANVocoder(Generator(HiFiGANConfig.tiny()))
    assert vocoder.to("cpu") is vocoder
    moved = vocoder.to("meta")                               # another device: a copy, the original untouched
    assert moved is not vocoder and moved.device == torch.device("meta") and moved.name == vocoder.name
    assert next(moved.generator.parameters()).is_meta and not next(vocoder.generator.parameters()).is_meta


def test_save_then_load_gives_identical_audio(tmp_path, generator):
    path = save_generator(tmp_path / "hifigan_tiny.pt", generator)
    mel = torch.randn(80, 7)
    expected = HiFiGANVocoder(Generator(HiFiGANConfig.tiny()).eval())  # a different random init
    loaded = HiFiGANVocoder.from_checkpoint(path)
    reference = Generator(HiFiGANConfig.tiny())
    reference.load_state_dict(generator.state_dict())
    torch.testing.assert_close(loaded(mel), HiFiGANVocoder(reference)(mel), rtol=0, atol=0)
    assert not torch.equal(loaded(mel), expected(mel))


def test_checkpoint_from_another_config_names_the_mismatch(tmp_path, generator):
    path = save_generator(tmp_path / "g.pt", generator)
    with pytest.raises(ValueError, match="upsample_initial_channel: expected 128, found 64"):
        HiFiGANVocoder.from_checkpoint(path, expected_config=dataclasses.replace(HiFiGANConfig.tiny(),
                                                                                 upsample_initial_channel=128))
    other = tmp_path / "other.pt"
    save_model(other, torch.nn.Linear(2, 2), {"n_vocab": 148, "hidden_channels": 192})
    with pytest.raises(ValueError, match="not a vocoder .its config has 2 fields.*hidden_channels"):
        HiFiGANVocoder.from_checkpoint(other)


def test_load_vocoder_prefers_the_shipped_hifigan_and_says_which(tmp_path, monkeypatch, capsys, generator):
    monkeypatch.setattr(paths, "CHECKPOINT_DIR", tmp_path)
    assert isinstance(load_vocoder(), GriffinLimVocoder)
    assert "Griffin-Lim" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="train one"):
        load_vocoder("hifigan")
    assert isinstance(load_vocoder("griffin-lim", verbose=False), GriffinLimVocoder)
    save_generator(tmp_path / "hifigan_tiny.pt", generator)
    vocoder = load_vocoder()
    assert isinstance(vocoder, HiFiGANVocoder)
    assert "hifigan_tiny.pt" in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown vocoder"):
        load_vocoder("wavenet")


def test_vocode_cli_resynthesises_a_wav_and_names_bad_input(tmp_path, capsys):
    import numpy as np
    import soundfile as sf

    from course_lib import audio
    from course_lib.__main__ import main

    stereo_44k = np.stack([np.sin(np.arange(44100) * 0.03)] * 2, axis=1).astype(np.float32) * 0.3
    source = tmp_path / "speech.wav"
    sf.write(source, stereo_44k, 44100)
    out = tmp_path / "resynth.wav"
    assert main(["vocode", "--in", str(source), "--out", str(out), "--vocoder", "griffin-lim"]) == 0
    wave, rate = sf.read(out)
    assert rate == audio.SAMPLE_RATE and wave.ndim == 1 and wave.size == (22050 // 256) * 256
    (tmp_path / "notes.wav").write_text("not audio")
    assert main(["vocode", "--in", str(tmp_path / "notes.wav"), "--out", str(out), "--vocoder", "griffin-lim"]) == 2
    assert "cannot read audio file" in capsys.readouterr().err
    assert main(["vocode", "--in", str(source), "--out", str(tmp_path / "x.mp3"), "--vocoder", "griffin-lim"]) == 2
    assert "must end in .wav" in capsys.readouterr().err
    sf.write(tmp_path / "click.wav", np.zeros(100, np.float32), 22050)
    assert main(["vocode", "--in", str(tmp_path / "click.wav"), "--out", str(out), "--vocoder", "griffin-lim"]) == 2
    assert "ms, too short" in capsys.readouterr().err
