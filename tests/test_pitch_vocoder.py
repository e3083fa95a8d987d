"""The course vocoder (course_lib.models.pitch_vocoder): the harmonic comb and the pitch classes as pure functions,
the model's losses, its synthesis at a given pitch, the pitch knob, saving and loading, frame-aligned training
windows."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_lib import audio, paths
from course_lib.framing import HOP_LENGTH, SAMPLE_RATE
from course_lib.models.pitch_vocoder import PitchVocoderConfig, build
from course_lib.models.waveform.harmonics import BIN_HZ, decode_f0, f0_bins, f0_target, hann_lobe, harmonic_comb
from course_lib.pitch import track_f0
from course_lib.training import save_model
from course_lib.vocoder import CourseVocoder, GriffinLimVocoder, load_vocoder


def test_the_hann_lobe_is_one_at_its_centre_symmetric_and_gone_past_four_bins():
    x = torch.linspace(-6, 6, 241)
    lobe = hann_lobe(x)
    assert float(hann_lobe(torch.tensor(0.0))) == pytest.approx(1.0)
    torch.testing.assert_close(lobe, lobe.flip(0))
    assert float(hann_lobe(torch.tensor(2.0))) < 0.01 < float(hann_lobe(torch.tensor(1.0)))  # the main lobe: ±2 bins
    assert not lobe[x.abs() >= 4].any()


@pytest.mark.parametrize("f0", [90.0, 150.0, 233.3])
def test_the_comb_peaks_at_every_harmonic_and_keeps_the_level(f0):
    comb = harmonic_comb(torch.full((1, 3), f0), torch.tensor([[True, True, False]]))[0]   # [513, 3]
    assert comb.shape == (513, 3)
    assert comb[:, 0].mean() == pytest.approx(1.0, rel=1e-5)
    assert torch.equal(comb[:, 2], torch.ones(513))                                        # unvoiced: flat
    for harmonic in range(1, int(SAMPLE_RATE / 2 / f0)):
        centre = harmonic * f0 / BIN_HZ
        nearest = int(round(centre))
        if nearest < 512 and abs(nearest - centre) < 0.25:
            assert comb[nearest, 0] == comb[max(nearest - 2, 0): nearest + 3, 0].max()      # a peak at h·f0
    midway = int(round(1.5 * f0 / BIN_HZ))
    assert comb[midway, 0] < 0.2 * comb[:, 0].max()                                        # a valley between


def test_pitch_classes_round_trip_within_a_few_cents():
    centres = f0_bins(256, 50.0, 600.0)
    f0 = torch.tensor([[55.0, 98.7, 150.0, 310.2, 580.0]])
    decoded = decode_f0(torch.log(f0_target(f0, centres)), centres)
    assert torch.all((1200 * torch.log2(decoded / f0)).abs() < 2)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build(PitchVocoderConfig.tiny())


def test_the_shipped_size_and_the_configs_round_trip(model):
    assert sum(p.numel() for p in model.parameters()) == 1_362_755
    assert PitchVocoderConfig.from_dict(PitchVocoderConfig.tiny().to_dict()) == PitchVocoderConfig.tiny()
    with pytest.raises(ValueError, match="f0_min < f0_max"):
        PitchVocoderConfig(f0_min=300.0, f0_max=200.0)


def tone_batch(hz: float, frames: int = 64) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    t = torch.arange(frames * HOP_LENGTH) / SAMPLE_RATE
    wave = 0.3 * torch.sin(2 * math.pi * hz * t) + 0.1 * torch.sin(2 * math.pi * 2 * hz * t)
    return audio.mel_spectrogram(wave)[None], wave[None], torch.full((1, frames), hz)


@pytest.mark.parametrize("synthesis, steps", [("projection", 30), ("harmonic_noise", 12)])
def test_the_losses_fall_on_one_batch(synthesis, steps):
    torch.manual_seed(0)
    model = build(PitchVocoderConfig(synthesis=synthesis))
    mel, wave, f0 = tone_batch(150.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)  # training warms up to 2e-3 over 100 steps
    torch.manual_seed(1)
    with torch.no_grad():
        first = model(mel, wave, f0)
    for _ in range(steps):
        losses = model(mel, wave, f0)
        optimizer.zero_grad()
        losses.total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), model.config.grad_clip_norm)  # as the trainer does
        optimizer.step()
    torch.manual_seed(1)
    with torch.no_grad():
        last = model(mel, wave, f0)
    trained = ("total", "log_magnitude", "magnitude", "pitch", "voicing")
    for name in trained + (("waveform",) if synthesis == "harmonic_noise" else ()):
        assert float(getattr(last, name)) < float(getattr(first, name)), name
    if synthesis == "projection":
        assert float(last.waveform) == 0.0  # no wave is made in training


@pytest.mark.parametrize("shift", [1.0, 1.5, 0.75])
def test_a_given_pitch_makes_a_wave_at_that_pitch_times_the_shift(model, monkeypatch, shift):
    """The synthesis path alone: the magnitude network set to add nothing and make every bin harmonic, so the
    magnitude is the mel's envelope on the comb of the pitch it is given, and the phase is locked to that pitch."""
    import copy

    model = copy.deepcopy(model)
    with torch.no_grad():
        model.magnitude_net.output.weight.zero_()
        model.magnitude_net.output.bias.copy_(torch.cat([torch.zeros(513), torch.full((513,), 10.0)]))
    noise = torch.from_numpy(np.random.default_rng(0).normal(0, 0.1, 86 * HOP_LENGTH).astype(np.float32))
    mel = audio.mel_spectrogram(noise)[None]  # a flat envelope: whatever pitch is asked for finds energy there
    monkeypatch.setattr(model, "predict_pitch", lambda m: (torch.full(m.shape[::2], 150.0),
                                                           torch.ones(m.shape[::2], dtype=torch.bool)))
    for wave in (model.phase_retrieval(mel, pitch_shift=shift), model.harmonic_plus_noise(mel, pitch_shift=shift)):
        assert wave.shape == (1, 86 * HOP_LENGTH) and torch.isfinite(wave).all() and wave.abs().max() <= 1
        f0 = track_f0(wave[0].numpy())
        cents = 1200 * np.log2(np.median(f0[f0 > 0]) / (150.0 * shift))
        assert abs(cents) < 10  # at the pitch asked for, not at the 86 Hz hop rate


def test_the_harmonic_plus_noise_wave_has_the_harmonic_heights_the_magnitudes_have(model, monkeypatch):
    """Both syntheses read one spectrum: an all-harmonic, voiced frame's STFT peaks at h·F0 come out of the
    oscillator bank at the heights :meth:`log_magnitude` gives them (the Hann lobe's own blur aside)."""
    import copy

    model = copy.deepcopy(model)
    with torch.no_grad():
        model.magnitude_net.output.weight.zero_()
        model.magnitude_net.output.bias.copy_(torch.cat([torch.zeros(513), torch.full((513,), 30.0)]))
    noise = torch.from_numpy(np.random.default_rng(0).normal(0, 0.1, 120 * HOP_LENGTH).astype(np.float32))
    mel = audio.mel_spectrogram(noise).mean(1, keepdim=True).expand(80, 120)[None]     # one envelope throughout
    f0, voiced = torch.full((1, 120), 129.2), torch.ones(1, 120, dtype=torch.bool)   # 6 bins: harmonics on bins
    monkeypatch.setattr(model, "predict_pitch", lambda m: (f0, voiced))
    with torch.no_grad():
        asked = model.log_magnitude(mel, f0, voiced).exp()[0, :, 60]
    made = audio.linear_spectrogram(model.harmonic_plus_noise(mel)[0])[:, 60]
    for harmonic in (1, 2, 3):
        assert float(made[6 * harmonic]) == pytest.approx(float(asked[6 * harmonic]), rel=0.05)


def test_the_config_picks_the_synthesis():
    assert PitchVocoderConfig.tiny_harmonic_noise().synthesis == "harmonic_noise"
    with pytest.raises(ValueError, match="synthesis must be one of projection, harmonic_noise"):
        PitchVocoderConfig(synthesis="wavenet")


def test_synthesis_is_deterministic_and_survives_save_and_load(model, tmp_path):
    mel, _, _ = tone_batch(120.0)
    path = save_model(tmp_path / "pitch_vocoder_tiny.pt", model, model.config.to_dict())
    vocoder = load_vocoder(str(path), verbose=False)
    assert isinstance(vocoder, CourseVocoder)
    torch.testing.assert_close(vocoder(mel[0]), model.synthesize(mel)[0], rtol=0, atol=0)
    with pytest.raises(ValueError, match="pitch_shift must be > 0"):
        model.synthesize(mel, pitch_shift=0.0)


def test_load_vocoder_prefers_the_shipped_course_vocoder(model, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(paths, "CHECKPOINT_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="no shipped course vocoder"):
        load_vocoder("course")
    assert isinstance(load_vocoder(verbose=False), GriffinLimVocoder)
    save_model(tmp_path / "pitch_vocoder_tiny.pt", model, model.config.to_dict())
    assert isinstance(load_vocoder(), CourseVocoder)
    assert "the course vocoder from" in capsys.readouterr().out


def test_training_windows_start_on_frames_and_carry_their_f0():
    from course_lib.data.segments import SegmentLoader

    clips = [np.random.default_rng(i).normal(0, 0.1, (40 + 5 * i) * HOP_LENGTH + 100).astype(np.float32)
             for i in range(4)]
    pitch = [np.arange(len(c) // HOP_LENGTH, dtype=np.float32) + 1000 * i for i, c in enumerate(clips)]
    loader = SegmentLoader(clips, batch_size=2, segment_size=16 * HOP_LENGTH, seed=3, pitch=pitch)
    for batch in loader:
        assert batch.f0.shape == (2, 16) and batch.mels.shape[-1] == 16
        for row in range(2):
            first = float(batch.f0[row, 0])
            clip = int(first // 1000)
            start = int(first - 1000 * clip) * HOP_LENGTH
            torch.testing.assert_close(batch.waves[row, 0], torch.from_numpy(clips[clip][start: start + 16 * 256]))
            assert torch.equal(batch.f0[row], torch.arange(16) + first)
    with pytest.raises(ValueError, match="one F0 track per clip"):
        SegmentLoader(clips, batch_size=2, segment_size=16 * HOP_LENGTH, pitch=pitch[:2])


def test_a_clip_with_its_own_input_mel_gives_that_mel_for_its_window(tmp_path):
    from course_lib.data.segments import SILENT_LOG_MEL, SegmentLoader

    clips = [np.random.default_rng(i).normal(0, 0.1, n * HOP_LENGTH).astype(np.float32) for i, n in
             enumerate((40, 12, 30, 50))]
    pitch = [np.arange(len(c) // HOP_LENGTH, dtype=np.float32) + 1000 * i for i, c in enumerate(clips)]
    # clip 1 (12 frames, shorter than a window) and clip 3 bring a mel whose value is the frame index
    given = {1: np.tile(np.arange(12, dtype=np.float32), (80, 1)), 3: np.tile(np.arange(50, dtype=np.float32), (80, 1))}
    np.save(tmp_path / "three.npy", given[3])
    input_mels = [None, given[1], None, tmp_path / "three.npy"]
    loader = SegmentLoader(clips, batch_size=2, segment_size=16 * HOP_LENGTH, seed=5, pitch=pitch,
                           input_mels=input_mels)
    seen = set()
    for batch in loader:
        for row in range(2):
            clip = int(float(batch.f0[row, 0]) // 1000)
            seen.add(clip)
            start = int(float(batch.f0[row, 0]) - 1000 * clip)
            if clip in given:
                expected = torch.from_numpy(given[clip][:, start: start + 16])
                padded = torch.full((80, 16), SILENT_LOG_MEL)
                padded[:, : expected.shape[-1]] = expected
                assert torch.equal(batch.mels[row], padded)
            else:
                wave = batch.waves[row, 0]
                torch.testing.assert_close(batch.mels[row], audio.mel_spectrogram(wave))
    assert seen == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="input mels need the clips' pitch"):
        SegmentLoader(clips, batch_size=2, segment_size=16 * HOP_LENGTH, input_mels=input_mels)


def shipped_fingerprint() -> dict:
    """The shipped course vocoder on a synthetic vowel (harmonics of 120 Hz, falling 6 dB an octave): the
    pitch it hears and the wave it makes."""
    from course_lib.paths import CHECKPOINT_DIR

    vocoder = CourseVocoder.from_checkpoint(CHECKPOINT_DIR / "pitch_vocoder_tiny.pt")
    t = torch.arange(int(0.75 * SAMPLE_RATE), dtype=torch.float64) / SAMPLE_RATE
    vowel = sum(0.3 / h * torch.sin(2 * math.pi * 120.0 * h * t) for h in range(1, 40)).float()
    mel = audio.mel_spectrogram(vowel)
    f0, voiced = vocoder.model.predict_pitch(mel[None])
    wave = vocoder(mel)
    return {"voiced_frames": int(voiced.sum()), "median_f0": round(float(f0[voiced].median()), 2),
            "wave_abs_sum": round(float(wave.double().abs().sum()), 3)}


SHIPPED = {"voiced_frames": 64, "median_f0": 119.84, "wave_abs_sum": 3451.314}  # shipped_fingerprint() when it shipped


def test_the_shipped_course_vocoder_hears_and_says_what_it_did_when_it_shipped():
    from course_lib.models.pitch_vocoder.train import RECIPE
    from course_lib.paths import CHECKPOINT_DIR

    if not (CHECKPOINT_DIR / "pitch_vocoder_tiny.pt").exists():
        pytest.skip("pitch_vocoder_tiny.pt is not in this checkout")
    found = shipped_fingerprint()
    assert found["voiced_frames"] == SHIPPED["voiced_frames"]
    assert found["median_f0"] == pytest.approx(SHIPPED["median_f0"], abs=0.05)
    assert found["wave_abs_sum"] == pytest.approx(SHIPPED["wave_abs_sum"], rel=1e-4)
    assert abs(1200 * math.log2(found["median_f0"] / 120.0)) < 30  # it hears the vowel's pitch
    readme = (CHECKPOINT_DIR / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `pitch_vocoder_tiny.pt`"))
    assert f"{RECIPE.shipped.cost.steps:,} steps" in row


if __name__ == "__main__":
    print(shipped_fingerprint())


def test_the_locked_wave_is_differentiable_in_the_magnitudes_and_is_what_synthesize_makes(model):
    mel, wave, f0 = tone_batch(150.0, frames=32)
    made = model.locked_wave(mel, f0, f0 > 0)
    made.pow(2).mean().backward()
    assert model.magnitude_net.output.weight.grad is not None
    assert float(model.magnitude_net.output.weight.grad.abs().sum()) > 0
    model.zero_grad(set_to_none=True)
    with torch.no_grad():
        predicted, voiced = model.predict_pitch(mel)
        torch.testing.assert_close(model.synthesize(mel), model.locked_wave(mel, predicted, voiced).clamp(-1, 1))


def test_the_adversarial_fine_tune_steps_both_phases_and_moves_the_generator():
    from course_lib.data.segments import make_batch
    from course_lib.models.pitch_vocoder.adversarial import PitchVocoderGANTask

    torch.manual_seed(0)
    config = PitchVocoderConfig.tiny_adversarial()
    assert config.adversarial and PitchVocoderConfig.from_dict(config.to_dict()) == config
    task = PitchVocoderGANTask(build(config))
    assert set(task.modules) == {"generator", "mpd", "msd"}
    _, wave, f0 = tone_batch(150.0, frames=32)
    batch = make_batch([wave[0].numpy()], [f0[0].numpy()])
    before = [p.detach().clone() for p in task.modules["generator"].parameters()]
    cache: dict = {}
    for phase in task.phases:
        optimizer = task.optimizers[phase.optimizer]
        optimizer.zero_grad(set_to_none=True)
        loss, logs = phase.loss_fn(batch, cache)
        assert torch.isfinite(loss)
        loss.backward()
        optimizer.step()
    assert {"adversarial", "feature_matching", "mel", "pitch"} <= set(logs)
    moved = any(not torch.equal(a, b) for a, b in zip(before, task.modules["generator"].parameters()))
    assert moved
