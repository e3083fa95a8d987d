import numpy as np
import pytest
import soundfile as sf
import torch

from course_lib import audio


def _tone(seconds=1.0, freq=440.0, rate=audio.SAMPLE_RATE):
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_mel_shape_and_frame_count():
    wave = _tone(1.0)
    mel = audio.mel_spectrogram(wave)
    assert mel.shape == (80, len(wave) // 256)
    batch = audio.mel_spectrogram(torch.stack([torch.from_numpy(wave)] * 3))
    assert batch.shape == (3, 80, len(wave) // 256)
    assert torch.allclose(batch[1], mel, atol=1e-6)
    assert audio.frames_for_samples(44032) == 172


def test_mel_matches_librosa_reference():
    """Same definition computed independently with librosa's STFT (HiFi-GAN framing)."""
    import librosa

    wave = _tone(0.5, 300) + _tone(0.5, 2500) * 0.3
    padded = np.pad(wave, (384, 384), mode="reflect")
    magnitude = np.abs(librosa.stft(padded, n_fft=1024, hop_length=256, win_length=1024, center=False))
    basis = librosa.filters.mel(sr=22050, n_fft=1024, n_mels=80, fmin=0, fmax=8000)
    reference = np.log(np.clip(basis @ np.sqrt(magnitude**2 + 1e-9), 1e-5, None))
    ours = audio.mel_spectrogram(wave).numpy()
    # float32 vs float64: compare where there is energy (the log amplifies tiny differences near the clamp)
    loud = reference > -7
    assert loud.mean() > 0.2
    assert np.abs(ours - reference)[loud].max() < 1e-3
    assert np.abs(np.exp(ours) - np.exp(reference)).max() < 1e-4 * np.exp(reference).max()


def test_tone_energy_lands_in_the_right_mel_bin():
    mel = audio.mel_spectrogram(_tone(0.5, 1000))
    import librosa

    centers = librosa.mel_frequencies(n_mels=82, fmin=0, fmax=8000)[1:-1]
    assert abs(centers[mel.mean(dim=1).argmax()] - 1000) < 120


def test_fmax_none_reaches_nyquist():
    wave = _tone(0.5, 10000)
    assert audio.mel_spectrogram(wave, fmax=None).max() > audio.mel_spectrogram(wave, fmax=8000).max() + 3


def test_mel_is_differentiable():
    wave = torch.from_numpy(_tone(0.3)).requires_grad_()
    audio.mel_spectrogram(wave).sum().backward()
    assert torch.isfinite(wave.grad).all() and wave.grad.abs().sum() > 0


def test_linear_spectrogram_shape():
    spec = audio.linear_spectrogram(torch.from_numpy(_tone(0.5))[None])
    assert spec.shape == (1, 513, len(_tone(0.5)) // 256)
    assert (spec >= 0).all()


def test_griffin_lim_recovers_the_mel():
    wave = _tone(0.6, 220) + 0.3 * _tone(0.6, 660)
    mel = audio.mel_spectrogram(wave)
    rebuilt = audio.griffin_lim(mel, n_iter=16)
    assert rebuilt.shape == (mel.shape[-1] * 256,)
    assert (audio.mel_spectrogram(rebuilt) - mel).abs().mean() < 0.5


def test_griffin_lim_rejects_bad_mels():
    with pytest.raises(audio.AudioError, match=r"\[80, T\]"):
        audio.griffin_lim(torch.zeros(40, 10))
    with pytest.raises(audio.AudioError, match="NaN"):
        audio.griffin_lim(torch.full((80, 10), float("nan")))


@pytest.mark.parametrize("rate", [8000, 48000])
def test_load_converts_rate_and_channels(tmp_path, rate):
    t = np.arange(rate) / rate
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 440 * t)], axis=1) * 0.5
    path = tmp_path / "stereo.wav"
    sf.write(path, stereo, rate)
    wave = audio.load_audio(path)
    assert wave.dtype == np.float32 and wave.ndim == 1
    assert abs(len(wave) - audio.SAMPLE_RATE) <= 2
    assert 0.4 < np.abs(wave).max() < 0.6


def test_corrupt_file_error_names_the_file(tmp_path):
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x00\x00garbage")
    with pytest.raises(audio.AudioError, match="broken.wav"):
        audio.load_audio(path)
    with pytest.raises(audio.AudioError, match="not found"):
        audio.load_audio(tmp_path / "missing.wav")


def test_silent_audio_is_handled(tmp_path):
    silence = np.zeros(22050, dtype=np.float32)
    mel = audio.mel_spectrogram(silence)
    assert torch.isfinite(mel).all() and float(mel.max()) == pytest.approx(np.log(1e-5), abs=1e-3)
    path = audio.save_audio(tmp_path / "s.wav", silence)
    assert np.array_equal(audio.load_audio(path), silence)


def test_save_refuses_nan(tmp_path):
    with pytest.raises(audio.AudioError, match="NaN"):
        audio.save_audio(tmp_path / "x.wav", np.array([0.0, np.nan], dtype=np.float32))


def test_too_short_wave_is_a_clear_error():
    with pytest.raises(audio.AudioError, match="shorter than one hop"):
        audio.mel_spectrogram(np.zeros(100, dtype=np.float32))
