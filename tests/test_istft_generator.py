"""The inverse-STFT generator: exact sizes, sample alignment with the mel frames, training, the vocoder interface."""

import dataclasses
import math

import pytest
import torch

from course_lib import audio
from course_lib.models.hifigan import CONFIGS, build, save_generator
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.generator import build_generator
from course_lib.models.waveform.istft_generator import ISTFTGenerator, ISTFTGeneratorConfig
from course_lib.models.waveform.losses import mel_l1_loss
from course_lib.models.summary import count_parameters
from course_lib.vocoder import HiFiGANVocoder, load_vocoder

# REFERENCE.md §9.2: Vocos (dim 512, 8 ConvNeXt blocks) 13.46 M; "Vocos small" (256, 768, 4) 2.0 M.
# Per block: depthwise C·k + C, LayerNorm 2C, two linears C·I + I + I·C + C, layer scale C.
def expected_parameters(config: ISTFTGeneratorConfig) -> int:
    c, i, k, n_bins = config.dim, config.intermediate_dim, config.kernel_size, config.n_bins
    block = (c * k + c) + 2 * c + (c * i + i) + (i * c + c) + c
    embed = config.in_channels * c * k + c
    head = c * 2 * n_bins + 2 * n_bins
    return embed + 2 * c + config.n_layers * block + 2 * c + head


@pytest.mark.parametrize("name, count", [("vocos", 13_459_970), ("small", 1_996_546)])
def test_parameter_counts_match_vocos(name, count):
    config = getattr(ISTFTGeneratorConfig, name)()
    assert expected_parameters(config) == count
    with torch.device("meta"):
        assert count_parameters(ISTFTGenerator(config)) == count


def test_istft_is_the_exact_inverse_of_the_course_stft():
    torch.manual_seed(0)
    wave = torch.randn(2, 40 * audio.HOP_LENGTH)
    pad = (audio.N_FFT - audio.HOP_LENGTH) // 2
    padded = torch.nn.functional.pad(wave.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
    spec = torch.stft(padded, audio.N_FFT, audio.HOP_LENGTH, audio.WIN_LENGTH, torch.hann_window(audio.WIN_LENGTH),
                      center=False, return_complex=True)
    assert spec.shape[-1] == 40
    torch.testing.assert_close(audio.istft(spec), wave, atol=1e-5, rtol=0)


def test_one_frame_in_gives_256_samples_out_and_frames_stay_local():
    generator = ISTFTGenerator(ISTFTGeneratorConfig.small()).eval()
    mel = torch.full((1, 80, 30), -5.0)
    with torch.no_grad():
        base = generator(mel)
        assert base.shape == (1, 1, 30 * 256)
        changed = mel.clone()
        changed[..., 25:] = 0.0
        moved = (generator(changed) - base).abs()[0, 0]
    # receptive field: 1 + 4 depthwise convs + the embedding, each ±3 frames → frames ≥ 25 − 15 may change,
    # and each frame's 1024-sample window reaches 384 samples back
    first = int(torch.nonzero(moved > 1e-7)[0])
    assert first >= (25 - 15) * 256 - 384


def test_the_phase_is_used_through_cos_and_sin_and_magnitudes_are_capped():
    generator = ISTFTGenerator(ISTFTGeneratorConfig.small())
    with torch.no_grad():
        generator.head.bias[: generator.config.n_bins] = 50.0     # exp(50) would overflow float16
        spec = generator.spectrum(torch.zeros(1, 80, 5))
    assert spec.dtype == torch.complex64
    assert float(spec.abs().max()) <= 100.0 * (1 + 1e-5)


def test_the_config_builds_the_istft_generator_and_survives_a_json_round_trip(tmp_path):
    config = CONFIGS["istft_small"]()
    assert config.generator_kind == "istft" and HiFiGANConfig.tiny().generator_kind == "hifigan"
    model = build(config)
    assert isinstance(model.generator, ISTFTGenerator)
    tiny = build(HiFiGANConfig.tiny())
    assert count_parameters(model.mpd) == count_parameters(tiny.mpd)   # it trains against tiny()'s discriminators
    assert count_parameters(model.msd) == count_parameters(tiny.msd)
    assert HiFiGANConfig(**dataclasses.asdict(config)) == config
    path = save_generator(tmp_path / "istft.pt", model.generator, config)
    vocoder = load_vocoder(str(path), verbose=False)
    assert vocoder.name.startswith("iSTFT")
    mel = audio.mel_spectrogram(torch.sin(torch.arange(8192) * 0.05))
    torch.testing.assert_close(vocoder(mel), HiFiGANVocoder(model.generator)(mel), rtol=0, atol=0)


def test_a_few_steps_on_mel_l1_teach_it_one_clip():
    torch.manual_seed(0)
    t = torch.arange(8192) / audio.SAMPLE_RATE
    wave = (0.3 * torch.sin(2 * torch.pi * 180 * t) + 0.1 * torch.sin(2 * torch.pi * 540 * t)).reshape(1, 1, -1)
    mel = audio.mel_spectrogram(wave[:, 0])
    generator = build_generator(CONFIGS["istft_small"]())
    optimizer = torch.optim.AdamW(generator.parameters(), 2e-4 * 10)
    losses = []
    for _ in range(30):
        loss = mel_l1_loss(wave, generator(mel))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_complex_spectrogram_is_what_istft_inverts_and_its_magnitude_is_the_linear_spectrogram():
    torch.manual_seed(0)
    wave = torch.randn(2, 40 * audio.HOP_LENGTH) * 0.1
    spec = audio.complex_spectrogram(wave)
    assert spec.shape == (2, 513, 40) and spec.dtype == torch.complex64
    torch.testing.assert_close(audio.istft(spec), wave, atol=1e-5, rtol=0)
    torch.testing.assert_close(spec.abs(), audio.linear_spectrogram(wave), atol=1e-4, rtol=1e-4)
    assert audio.complex_spectrogram(wave[0]).shape == (513, 40)


def test_anti_wrapping_measures_an_angle_error_modulo_two_pi():
    from course_lib.models.waveform.losses import anti_wrapping

    x = torch.tensor([0.0, 0.1, -0.1, 2 * math.pi - 0.1, 4 * math.pi + 0.3, math.pi, -3 * math.pi])
    torch.testing.assert_close(anti_wrapping(x), torch.tensor([0.0, 0.1, 0.1, 0.1, 0.3, math.pi, math.pi]),
                               atol=1e-5, rtol=0)
    assert float(anti_wrapping(torch.randn(1000) * 20).max()) <= math.pi + 1e-6


def test_the_phase_loss_sees_offsets_delays_and_turning_speeds_separately():
    from course_lib.models.waveform.losses import phase_loss

    torch.manual_seed(0)
    target = (torch.rand(2, 513, 20) * 2 - 1) * math.pi
    total, parts = phase_loss(target, target)
    assert float(total) == 0.0
    torch.testing.assert_close(phase_loss(target + 2 * math.pi, target)[0], torch.tensor(0.0), atol=1e-5, rtol=0)
    _, offset = phase_loss(target + 0.5, target)                      # the same offset everywhere: ip only
    assert abs(float(offset["phase_ip"]) - 0.5) < 1e-4 and float(offset["phase_gd"]) < 1e-4
    assert float(offset["phase_iaf"]) < 1e-4
    ramp = 0.01 * torch.arange(513.0)[:, None]                       # a delay: phase grows with frequency
    _, delayed = phase_loss(target + ramp, target)
    assert abs(float(delayed["phase_gd"]) - 0.01) < 1e-4 and float(delayed["phase_iaf"]) < 1e-4
    assert float(delayed["phase_ip"]) > 0.5


def test_the_generator_returns_its_phase_on_request_and_the_task_trains_on_it():
    from course_lib.data.segments import make_batch
    from course_lib.models.hifigan.train import HiFiGANTask

    generator = ISTFTGenerator(ISTFTGeneratorConfig.small()).eval()
    mel = torch.randn(1, 80, 12) - 5
    with torch.no_grad():
        wave, phase = generator(mel, return_phase=True)
        assert torch.equal(wave, generator(mel)) and phase.shape == (1, 513, 12)
    with pytest.raises(ValueError, match="inverse-STFT generator"):
        dataclasses.replace(HiFiGANConfig.tiny(), phase_loss_weight=1.0)

    torch.manual_seed(0)
    config = dataclasses.replace(CONFIGS["istft_small"](), phase_loss_weight=10.0, segment_size=4096)
    task = HiFiGANTask(build(config), config)
    # a chirp: every frame's spectrum differs, so the frames can tell the generator where the phase has got to
    # (a steady sine gives identical mel frames, and identical frames can only ever get identical phases)
    t = torch.arange(4096) / audio.SAMPLE_RATE
    batch = make_batch([(0.3 * torch.sin(2 * torch.pi * (150 * t + 4000 * t**2))).numpy()])
    optimizer = torch.optim.AdamW(task.modules["generator"].parameters(), 2e-3)
    losses = []
    for _ in range(30):                                              # the warm-up phase: reconstruction alone
        loss, logs = task.generator_step(batch, {})
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(logs["phase"].detach()))
    assert {"mel", "phase", "phase_ip", "phase_gd", "phase_iaf"} <= set(logs)
    assert losses[-1] < losses[0] - 0.2, losses                       # ≈ 4.93 → 4.55 rad here


@pytest.mark.parametrize("phase, hop_periodic", [("absolute", True), ("integrated", False)])
def test_identical_frames_buzz_at_the_hop_rate_unless_the_phase_is_integrated(phase, hop_periodic):
    config = dataclasses.replace(ISTFTGeneratorConfig.small(), phase=phase)
    generator = ISTFTGenerator(config).eval()
    n_bins = config.n_bins
    with torch.no_grad():                       # every frame the same: one bin's energy, a phase (or advance) of 1
        generator.head.weight.zero_()
        generator.head.bias.fill_(-10.0)
        generator.head.bias[8] = 4.0            # bin 8: 172 Hz, two periods per hop — frames add up in phase
        generator.head.bias[n_bins:] = 1.0
        wave = generator(torch.zeros(1, 80, 40))[0, 0]
    middle = wave[1024:-1024]
    repeats = torch.allclose(middle[256:], middle[:-256], atol=1e-6)
    assert repeats == hop_periodic              # identical frames, identical phases: a wave with period 256
    assert float(middle.abs().max()) > 0.01


def test_the_phase_parameterisation_is_checked():
    with pytest.raises(ValueError, match="'absolute' or 'integrated'"):
        ISTFTGeneratorConfig(phase="relative")
    config = dataclasses.replace(ISTFTGeneratorConfig.small(), phase="integrated")
    assert count_parameters(ISTFTGenerator(config)) == 1_996_546       # the same network, read differently
