"""VITS with lesson 06's inverse-STFT generator as its decoder (the MB-iSTFT-VITS idea): built, saved, conditioned."""

import dataclasses

import pytest
import torch

from course_lib.models.waveform.istft_generator import ISTFTGenerator, ISTFTGeneratorConfig
from course_lib.models.vits import VITSConfig, build
from course_lib.models.vits.config import DecoderConfig

SMALL = ISTFTGeneratorConfig(dim=32, intermediate_dim=64, n_layers=2)


def test_an_istft_decoder_takes_the_latent_and_survives_a_json_round_trip():
    config = dataclasses.replace(VITSConfig.tiny(), decoder=DecoderConfig(istft=SMALL))
    assert VITSConfig.from_dict(config.to_dict()) == config
    model = build(config).eval()
    assert isinstance(model.decoder, ISTFTGenerator)
    assert model.decoder.config.in_channels == config.latent_channels
    tokens = torch.randint(1, config.n_vocab, (2, 9))
    out = model.infer(tokens, torch.tensor([9, 6]), generator=torch.Generator().manual_seed(0))
    assert out.wave.shape[0] == 2 and out.wave.shape[-1] == int(out.wave_lengths.max())
    assert (out.wave[1, 0, int(out.wave_lengths[1]):] == 0).all()
    wave = model.synthesize(tokens[0], seed=1)
    assert float(wave.abs().max()) <= 1.0   # not tanh-bounded inside, clipped on the way out


def test_a_multi_speaker_istft_decoder_is_conditioned_on_the_speaker():
    config = dataclasses.replace(VITSConfig.tiny(), n_speakers=3, speaker_channels=16,
                                 decoder=DecoderConfig(istft=SMALL))
    model = build(config).eval()
    assert model.decoder.config.speaker_channels == 16
    z = torch.randn(1, config.latent_channels, 8)
    with torch.no_grad():
        model.decoder.speaker_proj.weight.normal_()   # a fresh projection may be small; make the effect plain
        a = model.decoder(z, model.speaker_embedding(torch.tensor([0])).unsqueeze(-1))
        b = model.decoder(z, model.speaker_embedding(torch.tensor([2])).unsqueeze(-1))
    assert not torch.allclose(a, b)
    with pytest.raises(ValueError, match="speaker_channels > 0"):
        model.decoder(z)
