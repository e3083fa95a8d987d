"""VITS with an explicit F0: the source-filter decoder, the pitch predictor, and the model around them."""

import math

import numpy as np
import pytest
import torch

from course_lib.audio import HOP_LENGTH, linear_spectrogram
from course_lib.models.contract import SynthesisOptions
from course_lib.models.vits import DecoderConfig, FlowConfig, PosteriorConfig, VITSConfig, build
from course_lib.models.vits.source_filter import (
    PitchPredictor,
    SourceFilterConfig,
    SourceFilterDecoder,
    cosine_basis,
    spectral_losses,
)
from course_lib.pitch import track_f0

torch.set_num_threads(1)


def _small(**changes) -> VITSConfig:
    """tiny_multi_f0 at a few thousand parameters a part, three speakers."""
    base = VITSConfig.tiny_multi_f0()
    return base.replace(
        n_vocab=20, latent_channels=16, encoder_channels=32, encoder_filter_channels=64, encoder_layers=1,
        posterior=PosteriorConfig(hidden_channels=32, n_layers=2),
        flow=FlowConfig(hidden_channels=16, n_layers=1, n_flows=2), n_speakers=3, speaker_channels=8,
        decoder=DecoderConfig(source_filter=SourceFilterConfig(channels=32, pitch_channels=16,
                                                                dilations=(1, 2), pitch_dilations=(1,))),
        **changes)


def _tones(frames=(48, 40)) -> torch.Tensor:
    """``[2, max(frames)·256]``: 220 Hz and 330 Hz, each with its octave; the second silent after its frames."""
    t = torch.arange(max(frames) * HOP_LENGTH) / 22_050
    waves = torch.stack([0.3 * torch.sin(2 * math.pi * f * t) + 0.1 * torch.sin(2 * math.pi * 2 * f * t)
                         for f in (220.0, 330.0)])
    waves[1, frames[1] * HOP_LENGTH:] = 0
    return waves


def _batch(frames=(48, 40), n_tokens=(8, 6)):
    """Two harmonic tones (linear spectrograms, token ids) and their pitch, the second half unvoiced."""
    spec = linear_spectrogram(_tones(frames))
    tokens = torch.randint(1, 20, (2, max(n_tokens)), generator=torch.Generator().manual_seed(0))
    tokens[1, n_tokens[1]:] = 0
    f0 = torch.tensor([220.0, 330.0])[:, None].repeat(1, max(frames))
    f0[:, 30:] = 0.0
    return tokens, torch.tensor(n_tokens), spec, torch.tensor(frames), f0


def test_the_cosine_envelope_cannot_draw_the_harmonics_of_a_speaking_voice():
    """Least squares onto the basis: a formant-like curve survives, a 150 Hz comb (a period of 147 samples, longer
    than the 48 terms) is flattened, so the decoder's harmonics can only come from the pitch it is given."""
    basis = cosine_basis(48).double()                                               # [513, 48]
    hz = torch.arange(513, dtype=torch.float64) * 22_050 / 1024
    formants = torch.log(sum(torch.exp(-0.5 * ((hz - f) / 150) ** 2) for f in (500, 1500, 2500)) + 0.05)
    comb = torch.log(0.01 + torch.cos(math.pi * hz / 150.0) ** 2)
    def fitted(curve):
        return basis @ torch.linalg.lstsq(basis, curve[:, None]).solution[:, 0]
    assert (fitted(formants) - formants).abs().max() < 0.3
    assert fitted(comb).std() < 0.1 * comb.std()


def test_the_decoder_puts_the_harmonics_where_the_pitch_says_and_a_shift_moves_them():
    """An untrained decoder, the same z at 120 Hz and at 240 Hz: Praat hears each pitch in the wave (the pitch is a
    knob by construction, whatever the network learned)."""
    torch.manual_seed(0)
    decoder = SourceFilterDecoder(SourceFilterConfig(channels=16, dilations=(1,)), latent_channels=4).eval()
    z = torch.randn(1, 4, 80) * 0.1
    voiced = torch.ones(1, 80, dtype=torch.bool)
    for hz in (120.0, 240.0):
        with torch.no_grad():
            wave = decoder.wave(z, torch.full((1, 80), hz), voiced)[0]
        track = track_f0(wave.numpy() / wave.abs().max().item())
        assert abs(np.median(track[track > 0]) / hz - 1) < 0.03, hz


def test_unvoiced_frames_are_the_smooth_envelope_alone():
    torch.manual_seed(0)
    decoder = SourceFilterDecoder(SourceFilterConfig(channels=16, dilations=(1,)), latent_channels=4)
    z = torch.randn(2, 4, 10)
    f0 = torch.full((2, 10), 150.0)
    voiced = torch.zeros(2, 10, dtype=torch.bool)
    envelope, harmonicity = decoder.envelope_and_harmonicity(z, f0, voiced)
    assert harmonicity.abs().max() == 0
    torch.testing.assert_close(decoder.log_magnitude(z, f0, voiced), envelope + math.log(1 + 1e-4))
    assert decoder.log_magnitude(z, f0, voiced).shape == (2, 513, 10)


def test_spectral_losses_are_zero_on_the_truth_and_ignore_padding():
    target = torch.rand(2, 513, 12) + 0.01
    mask = torch.ones(2, 1, 12)
    mask[1, :, 8:] = 0
    zero = spectral_losses(target.log(), target, mask)
    assert zero.mel.item() < 1e-5 and zero.magnitude.item() < 1e-5
    changed = target.clone()
    changed[1, :, 8:] *= 10  # padding
    again = spectral_losses(changed.log(), target, mask)
    assert again.mel.item() < 1e-5 and again.magnitude.item() < 1e-5


def test_the_pitch_predictor_learns_log_f0_on_voiced_frames_and_voicing_everywhere():
    torch.manual_seed(0)
    predictor = PitchPredictor(SourceFilterConfig(pitch_channels=16, pitch_dilations=(1,)), in_channels=6)
    hidden = torch.randn(2, 6, 20)
    mask = torch.ones(2, 1, 20)
    mask[1, :, 15:] = 0
    f0 = torch.full((2, 20), 200.0)
    f0[:, :5] = 0.0
    optimizer = torch.optim.Adam(predictor.parameters(), lr=1e-2)
    for _ in range(150):
        losses = predictor.losses(hidden, mask, f0)
        optimizer.zero_grad()
        (losses.log_f0 + losses.voicing).backward()
        optimizer.step()
    predicted, voiced = predictor.predict(hidden, mask)
    assert torch.equal(voiced[0], f0[0] > 0) and not voiced[1, 15:].any()   # padding is never voiced
    assert torch.allclose(predicted[0, 5:], torch.tensor(200.0), rtol=0.05)
    shifted, _ = predictor.predict(hidden, mask, shift=2.0)
    torch.testing.assert_close(shifted, 2 * predicted)


def test_the_training_pass_decodes_every_frame_and_needs_the_pitch():
    torch.manual_seed(0)
    model = build(_small())
    tokens, token_lengths, spec, frames, f0 = _batch()
    with pytest.raises(ValueError, match="explicit F0.*pitch=True"):
        model(tokens, token_lengths, spec, frames, speakers=torch.tensor([0, 1]))
    out = model(tokens, token_lengths, spec, frames, speakers=torch.tensor([0, 1]), f0=f0)
    assert out.wave is None and out.log_magnitude.shape == (2, 513, 48)
    assert torch.isfinite(out.pitch_losses.log_f0) and torch.isfinite(out.pitch_losses.voicing)
    # each speaker's pitch is counted from its voiced frames, in training only
    torch.testing.assert_close(model.speaker_mean_log_f0(torch.tensor([0, 1])),
                               torch.log(torch.tensor([220.0, 330.0])))
    with pytest.raises(ValueError, match="speaker 2 has no voiced training frames"):
        model.speaker_mean_log_f0(2)
    model.eval()
    model(tokens, token_lengths, spec, frames, speakers=torch.tensor([2, 2]), f0=f0)
    assert model.speaker_voiced_frames[2] == 0


def test_the_training_task_overfits_one_batch():
    """``SourceFilterVITSTask``'s own loss (45 · (mel + magnitude) + KL + duration + pitch) on one batch of two tones:
    the spectral error falls and the pitch predictor learns the tones' pitch."""
    from types import SimpleNamespace

    from course_lib.models.vits.train import SourceFilterVITSTask

    torch.manual_seed(0)
    model = build(_small())
    tokens, token_lengths, spec, frames, f0 = _batch()
    batch = SimpleNamespace(tokens=tokens, token_lengths=token_lengths, waves=_tones()[:, None], mel_lengths=frames,
                            speakers=torch.tensor([0, 1]), f0=f0)
    task = SourceFilterVITSTask(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.8, 0.99))
    first = task.losses(batch)
    for _ in range(25):
        losses = task.losses(batch)
        optimizer.zero_grad()
        losses.total.backward()
        optimizer.step()
    assert losses.mel < 0.8 * first.mel and losses.log_f0 < 0.5 * first.log_f0


def test_synthesis_reports_its_pitch_and_the_shift_is_a_contract_knob():
    torch.manual_seed(0)
    model = build(_small()).eval()
    tokens = torch.randint(1, 20, (1, 7))
    out = model.infer(tokens, torch.tensor([7]), speakers=1, generator=torch.Generator().manual_seed(0))
    doubled = model.infer(tokens, torch.tensor([7]), speakers=1, generator=torch.Generator().manual_seed(0),
                          pitch_shift=2.0)
    assert out.f0.shape == (1, out.alignment.shape[-1]) and out.wave.shape[-1] == out.f0.shape[-1] * HOP_LENGTH
    torch.testing.assert_close(doubled.f0, 2 * out.f0)
    assert "pitch_shift" in model.knobs
    result = model.generate(tokens[0], SynthesisOptions(seed=0, speaker=1, pitch_shift=1.5))
    assert result.settings["pitch_shift"] == 1.5 and result.wave.abs().max() <= 1
    with pytest.raises(ValueError, match="pitch_shift must be a finite number > 0"):
        model.infer(tokens, torch.tensor([7]), speakers=1, pitch_shift=0.0)


def test_a_vits_without_an_explicit_f0_refuses_the_shift():
    model = build(VITSConfig.tiny().replace(n_vocab=20)).eval()
    with pytest.raises(ValueError, match="never sees the pitch.*tiny_multi_f0"):
        model.generate(torch.arange(1, 6), SynthesisOptions(pitch_shift=1.2))
    with pytest.raises(ValueError, match="no explicit F0 to shift"):
        model.infer(torch.arange(1, 6)[None], torch.tensor([5]), pitch_shift=1.2)


def test_voice_conversion_keeps_the_intonation_in_the_target_range():
    torch.manual_seed(0)
    model = build(_small())
    tokens, token_lengths, spec, frames, f0 = _batch()
    model(tokens, token_lengths, spec, frames, speakers=torch.tensor([0, 1]), f0=f0)  # counts 220 Hz and 330 Hz
    model.eval()
    with pytest.raises(ValueError, match="recording's f0"):
        model.voice_conversion(spec[:1], frames[:1], 0, 1)
    source = f0[:1]
    wave = model.voice_conversion(spec[:1], frames[:1], 0, 1, f0=source)[0, 0]
    track = track_f0(wave[: 30 * HOP_LENGTH].numpy() / wave.abs().max().item())
    assert abs(np.median(track[track > 0]) / 330.0 - 1) < 0.05   # 220 Hz × 330/220


def test_the_config_survives_its_json_and_the_paper_configs_are_unchanged():
    config = VITSConfig.tiny_multi_f0()
    again = VITSConfig.from_dict(config.to_dict())
    assert again == config and isinstance(again.decoder.source_filter, SourceFilterConfig)
    assert VITSConfig.paper().decoder.source_filter is None
    model = build(config)
    assert model.has_pitch and not build(VITSConfig.tiny_multi()).has_pitch
    with pytest.raises(ValueError, match="envelope_order"):
        SourceFilterConfig(envelope_order=600)
