"""Audio I/O and the course's one mel-spectrogram definition.

Every acoustic model and the vocoder share the HiFi-GAN convention, so any model
can feed any vocoder:

==============  =====================================================
sample rate     22,050 Hz
STFT            n_fft 1024, window 1024 (Hann), hop 256
framing         reflect-pad (n_fft − hop) / 2 = 384 samples each side, ``center=False``
                → exactly ``n_samples // 256`` frames
mel filters     80 Slaney-normalised filters from librosa, 0–8000 Hz
                (``fmax=None`` → 0–11,025 Hz, the HiFi-GAN/VITS mel *loss*)
compression     natural log of the magnitude clamped at 1e-5
==============  =====================================================

The STFT runs in ``torch.stft`` (CPU or GPU, batched, differentiable); librosa
only supplies the filter bank. Reading and writing use soundfile.
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from course_lib.files import atomic_write
from course_lib.framing import FMAX, FMIN, HOP_LENGTH, N_FFT, N_MELS, SAMPLE_RATE, WIN_LENGTH
LOG_CLAMP = 1e-5
# sqrt(re² + im² + eps) keeps the gradient of |X| finite where X = 0 (as in HiFi-GAN)
_MAGNITUDE_EPS = 1e-9


class AudioError(ValueError):
    """An audio file or array the course cannot use, with the reason and the fix."""


# --------------------------------------------------------------------------- I/O

def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read any soundfile-readable file as mono float32 in [-1, 1] at ``sample_rate``.

    Stereo is averaged to mono; other rates are resampled with librosa's
    high-quality resampler. Returns ``[N]``. A folder, an unreadable or cut-short file,
    or one that holds no audio raises an :class:`AudioError` naming the fix.
    """
    path = Path(path)
    if not path.exists():
        raise AudioError(f"audio file not found: {path}")
    if path.is_dir():
        raise AudioError(f"{path} is a folder, not an audio file: give a WAV, FLAC or OGG file in it")
    try:
        data, file_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as err:  # soundfile raises LibsndfileError/RuntimeError subclasses
        raise AudioError(
            f"cannot read audio file {path}: {str(err).rstrip('.')}. Is it a WAV/FLAC/OGG file and not truncated? "
            f"Re-export it, or give another file"
        ) from err
    _check_wav_complete(path)
    if data.shape[0] == 0:
        raise AudioError(f"{path} holds no audio (0 samples): re-export it, or give another file")
    wave = data.mean(axis=1)
    if file_rate != sample_rate:
        wave = resample(wave, file_rate, sample_rate)
    return np.ascontiguousarray(wave, dtype=np.float32)


def read_recording(path: str | Path, flag: str, min_samples: int = HOP_LENGTH) -> np.ndarray:
    """A recording a command was given (``flag``, e.g. ``"--in"``) as ``[N]`` float32 at 22,050 Hz, checked:
    readable (:func:`load_audio`), finite and at least ``min_samples`` long — each refusal names the flag."""
    try:
        wave = load_audio(path)
    except AudioError as err:
        raise AudioError(f"{flag}: {err}") from None
    bad = np.flatnonzero(~np.isfinite(wave))
    if bad.size:
        raise AudioError(f"{flag} {path} holds NaN or infinite samples ({bad.size:,}, the first at "
                         f"{bad[0] / SAMPLE_RATE:.3f} s): it is not a valid recording; re-export it as 16-bit PCM "
                         "WAV, or give another file")
    if wave.size < min_samples:
        raise AudioError(f"{flag} {path} lasts {wave.size / SAMPLE_RATE * 1000:.0f} ms, too short: give at least "
                         f"{min_samples / SAMPLE_RATE * 1000:.0f} ms of audio")
    return wave


def _check_wav_complete(path: Path) -> None:
    """Raise if a RIFF/WAVE file's ``data`` chunk is longer than the bytes it holds (a cut-short copy or download),
    or declares no audio at all (a writer stopped before it filled the header in).

    soundfile reads such files without complaint, returning only the samples that are there.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(12)[8:] != b"WAVE":
            return
        offset = 12
        while offset + 8 <= size:
            handle.seek(offset)
            header = handle.read(8)
            declared = int.from_bytes(header[4:], "little")
            if header[:4] == b"data":
                if declared == 0:  # what a writer puts first and fixes when it closes the file: it never did
                    raise AudioError(f"{path} declares no audio in its header (0 bytes): its writing was cut short; "
                                     "re-export or re-create it, or remove it")
                if declared != 0xFFFFFFFF and offset + 8 + declared > size:  # ~0: a stream's length left open
                    raise AudioError(f"{path} is truncated: its header declares {declared:,} bytes of audio but the "
                                     f"file holds {size - offset - 8:,}; re-export or re-download it, or remove it")
                return
            offset += 8 + declared + (declared & 1)


def resample(wave: np.ndarray, orig_rate: int, target_rate: int) -> np.ndarray:
    """Resample a ``[N]`` float wave (librosa's soxr_hq)."""
    if orig_rate == target_rate:
        return wave.astype(np.float32)
    import librosa

    return librosa.resample(np.asarray(wave, dtype=np.float32), orig_sr=orig_rate, target_sr=target_rate).astype(
        np.float32
    )


def save_audio(path: str | Path, wave, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write a ``[N]`` wave (numpy or torch, float in [-1, 1]) as 16-bit PCM WAV, atomically
    (:func:`course_lib.files.atomic_write`: a file already at ``path`` stays whole until the new one is complete)."""
    path = Path(path)
    array = _as_numpy(wave).reshape(-1)
    if not np.all(np.isfinite(array)):
        raise AudioError(f"refusing to write {path}: the wave contains NaN or inf")
    clipped = np.clip(array, -1.0, 1.0)
    return atomic_write(path, lambda file: sf.write(file, clipped, sample_rate, subtype="PCM_16", format="WAV"))


def check_wav_path(path: str | Path, flag: str = "path") -> Path:
    """Raise an :class:`AudioError` unless ``path`` can take a new ``.wav`` file — before any work is done.

    It must end in ``.wav`` (what :func:`save_audio` writes), not be a folder, not lie under a file,
    and its nearest existing folder must be writable. ``flag`` names it in the message (e.g. ``"--out"``).
    """
    path = Path(path)
    if path.is_dir():
        raise AudioError(f"{flag} {path} is a folder: give a file name such as {path / 'speech.wav'}")
    if path.suffix.lower() != ".wav":
        raise AudioError(f"{flag} {path} must end in .wav: the course writes 16-bit PCM WAV (convert it "
                         "afterwards, e.g. with ffmpeg, for MP3/FLAC/OGG)")
    folder = next(parent for parent in path.parents if parent.exists())
    if not folder.is_dir():
        raise AudioError(f"{flag} {path} lies under {folder}, which is a file: give a path in a folder")
    if not os.access(folder, os.W_OK):
        raise AudioError(f"{flag} {path}: cannot write in {folder}; choose a folder you can write to")
    return path


def frames_for_samples(n_samples: int) -> int:
    """Number of mel frames for a wave of ``n_samples`` (= n_samples // hop)."""
    return n_samples // HOP_LENGTH


# --------------------------------------------------------------------------- spectrograms

@functools.lru_cache(maxsize=8)
def _mel_basis_cpu(fmax: float | None, n_mels: int = N_MELS) -> torch.Tensor:
    import librosa

    basis = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=n_mels, fmin=FMIN, fmax=fmax, norm="slaney",
                                htk=False)
    return torch.from_numpy(basis).float()  # [n_mels, n_fft // 2 + 1]


def mel_basis(fmax: float | None = FMAX, device: torch.device | str = "cpu") -> torch.Tensor:
    """Slaney mel filter bank ``[80, 513]`` (``fmax=None`` → Nyquist, 11,025 Hz)."""
    return _mel_basis_cpu(None if fmax is None else float(fmax)).to(device)


def _as_batch(wave) -> tuple[torch.Tensor, bool]:
    """Wave as a float tensor ``[B, N]``; also says whether the input was one wave."""
    tensor = torch.as_tensor(wave) if not isinstance(wave, torch.Tensor) else wave
    if not torch.is_floating_point(tensor):
        raise AudioError(f"expected a float wave in [-1, 1], got dtype {tensor.dtype}")
    if tensor.dim() == 3 and tensor.shape[1] == 1:
        tensor = tensor[:, 0]
    if tensor.dim() not in (1, 2):
        raise AudioError(f"expected a wave [N] or [B, N] (or [B, 1, N]), got shape {tuple(tensor.shape)}")
    single = tensor.dim() == 1
    batch = tensor.unsqueeze(0) if single else tensor
    if batch.shape[-1] < HOP_LENGTH:
        raise AudioError(f"wave of {batch.shape[-1]} samples is shorter than one hop ({HOP_LENGTH}); nothing to analyse")
    return batch.float(), single


def _stft(batch: torch.Tensor) -> torch.Tensor:
    """``[B, N]`` → complex STFT ``[B, 513, N // 256]`` with the course's framing."""
    pad = (N_FFT - HOP_LENGTH) // 2
    padded = torch.nn.functional.pad(batch.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
    window = torch.hann_window(WIN_LENGTH, device=batch.device, dtype=batch.dtype)
    return torch.stft(padded, N_FFT, hop_length=HOP_LENGTH, win_length=WIN_LENGTH, window=window,
                      center=False, pad_mode="reflect", normalized=False, onesided=True, return_complex=True)


def _stft_magnitude(batch: torch.Tensor) -> torch.Tensor:
    """``[B, N]`` → magnitude ``[B, 513, N // 256]`` with the course's framing."""
    spec = _stft(batch)
    return torch.sqrt(spec.real.pow(2) + spec.imag.pow(2) + _MAGNITUDE_EPS)


def complex_spectrogram(wave) -> torch.Tensor:
    """The complex STFT in the course's framing — magnitude *and* phase, the frames :func:`istft` inverts.

    ``[N]`` → ``[513, T]``; ``[B, N]`` (or ``[B, 1, N]``) → ``[B, 513, T]``, ``T = N // 256``, complex64.
    """
    batch, single = _as_batch(wave)
    spec = _stft(batch)
    return spec[0] if single else spec


def linear_spectrogram(wave) -> torch.Tensor:
    """Linear magnitude spectrogram (no log) — VITS' posterior-encoder input.

    ``[N]`` → ``[513, T]``; ``[B, N]`` → ``[B, 513, T]`` with ``T = N // 256``.
    """
    batch, single = _as_batch(wave)
    magnitude = _stft_magnitude(batch)
    return magnitude[0] if single else magnitude


def mel_spectrogram(wave, fmax: float | None = FMAX) -> torch.Tensor:
    """The course's log-mel spectrogram.

    ``[N]`` → ``[80, T]``; ``[B, N]`` (or ``[B, 1, N]``) → ``[B, 80, T]``, ``T = N // 256``.
    Runs on the wave's device and is differentiable (the HiFi-GAN mel loss uses it).
    """
    batch, single = _as_batch(wave)
    magnitude = _stft_magnitude(batch)                              # [B, 513, T]
    mel = torch.matmul(mel_basis(fmax, batch.device), magnitude)    # [80, 513] @ [B, 513, T] -> [B, 80, T]
    log_mel = torch.log(torch.clamp(mel, min=LOG_CLAMP))
    return log_mel[0] if single else log_mel


def mel_to_linear(log_mel: torch.Tensor, fmax: float | None = FMAX) -> torch.Tensor:
    """Approximate the magnitude spectrogram ``[.., 513, T]`` behind a log-mel (non-negative least squares-ish).

    Uses the pseudo-inverse of the filter bank, clamped at zero — the usual first
    step of Griffin-Lim from a mel.
    """
    mel = torch.exp(log_mel)
    inverse = torch.linalg.pinv(mel_basis(fmax, log_mel.device))  # [513, 80]
    return torch.clamp(torch.matmul(inverse, mel), min=0.0)


def griffin_lim(log_mel, n_iter: int = 32, momentum: float = 0.99, seed: int = 0) -> torch.Tensor:
    """Waveform from a course log-mel by Griffin-Lim (fast variant with momentum).

    ``[80, T]`` → ``[T * 256]``; ``[B, 80, T]`` → ``[B, T * 256]``. Phase is
    estimated, not known, which is why the result sounds phasey/metallic — the
    problem a neural vocoder solves (lesson 06).
    """
    mel = torch.as_tensor(log_mel).float()
    if mel.dim() not in (2, 3) or mel.shape[-2] != N_MELS:
        raise AudioError(f"expected a log-mel [80, T] or [B, 80, T], got shape {tuple(mel.shape)}")
    if not torch.isfinite(mel).all():
        raise AudioError("the mel contains NaN or inf; check the model output before vocoding")
    single = mel.dim() == 2
    mel = mel.unsqueeze(0) if single else mel
    magnitude = mel_to_linear(mel)                                  # [B, 513, T]
    generator = torch.Generator(device="cpu").manual_seed(seed)
    angle = (2 * torch.pi * torch.rand(magnitude.shape, generator=generator)).to(mel.device)
    wave = istft(project_phase(magnitude, angle, max(1, n_iter), momentum)).clamp(-1.0, 1.0)
    return wave[0] if single else wave


# A log-mel of clamped magnitude lives in [log 1e-5, a few]; an undertrained decoder can overshoot
# by tens, and exp() of that overflows inside the vocoder. Clip to this range before vocoding.
LOG_MEL_RANGE = (math.log(1e-5), 4.0)


def vocode(mel: torch.Tensor, vocoder=griffin_lim) -> torch.Tensor:
    """``[80, T]`` log-mel → wave ``[T·256]`` in [-1, 1] (mel clipped to :data:`LOG_MEL_RANGE` first).

    ``vocoder``: any callable ``[80, T]`` → ``[T·256]`` — a :class:`course_lib.vocoder.Vocoder`, which
    the caller loads (the command line, a lesson), or by default :func:`griffin_lim`.
    """
    return vocoder(mel.detach().cpu().clamp(*LOG_MEL_RANGE)).clamp(-1.0, 1.0)


def write_wave(mel: torch.Tensor, path: str | Path, vocoder=griffin_lim) -> Path:
    """Vocode a ``[80, T]`` log-mel (see :func:`vocode`) and save it at 22,050 Hz."""
    return save_audio(path, vocode(mel, vocoder).cpu().numpy(), SAMPLE_RATE)


def project_phase(magnitude: torch.Tensor, phase: torch.Tensor, n_iter: int, momentum: float = 0.0) -> torch.Tensor:
    """Griffin-Lim's projection, ``n_iter`` times from a starting ``phase``: ``[B, 513, T]`` magnitudes and phases
    (radians) → complex STFT frames ``[B, 513, T]`` with those magnitudes.

    One projection = inverse STFT, then STFT of that wave, keeping its phase: the nearest
    phase that a real wave has. ``momentum`` is fast Griffin-Lim's (Perraudin et al. 2013;
    :func:`griffin_lim` uses 0.99 from a random start); 0 is the plain projection.
    """
    window = torch.hann_window(WIN_LENGTH, device=magnitude.device)
    unit = torch.exp(1j * phase)
    previous = torch.zeros_like(unit)
    for _ in range(n_iter):
        rebuilt = _stft_complex(_istft_uncentered(magnitude * unit, window), window)
        accelerated = rebuilt - (momentum / (1 + momentum)) * previous
        previous = rebuilt
        unit = accelerated / accelerated.abs().clamp_min(1e-8)
    return magnitude * unit


def istft(spec: torch.Tensor, window: torch.Tensor | None = None) -> torch.Tensor:
    """Complex STFT frames in the course framing ``[B, 513, T]`` → wave ``[B, T·256]`` (differentiable).

    The exact inverse of the analysis above: overlap-add of the windowed inverse FFTs,
    divided by the window envelope, then the 384 padded samples cut from each side — so
    ``T`` frames give exactly ``T·256`` samples, sample-aligned with the mel frames. The
    iSTFT generator (``course_lib.models.waveform.istft_generator``) ends with it.
    """
    if window is None:
        window = torch.hann_window(WIN_LENGTH, device=spec.device)
    pad = (N_FFT - HOP_LENGTH) // 2
    return _istft_uncentered(spec, window)[..., pad: pad + spec.shape[-1] * HOP_LENGTH]


# --------------------------------------------------------------------------- helpers

def _stft_complex(signal: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """Uncentred STFT of an already padded signal ``[B, L]`` → ``[B, 513, T]``."""
    return torch.stft(signal, N_FFT, hop_length=HOP_LENGTH, win_length=WIN_LENGTH, window=window,
                      center=False, return_complex=True)


def _istft_uncentered(spec: torch.Tensor, window: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`_stft_complex` by windowed overlap-add: ``[B, 513, T]`` → ``[B, (T-1)·hop + n_fft]``.

    ``torch.istft(center=False)`` refuses a Hann window (its envelope is zero at
    the very ends); here the envelope is clamped instead, which only touches the
    reflect-padded margins that are cut off afterwards.
    """
    n_frames = spec.shape[-1]
    length = (n_frames - 1) * HOP_LENGTH + N_FFT
    frames = torch.fft.irfft(spec, n=N_FFT, dim=-2) * window[:, None]          # [B, n_fft, T]
    fold = dict(output_size=(1, length), kernel_size=(1, N_FFT), stride=(1, HOP_LENGTH))
    signal = torch.nn.functional.fold(frames, **fold)                           # [B, 1, 1, L]
    envelope = torch.nn.functional.fold(window.pow(2)[None, :, None].expand(1, N_FFT, n_frames), **fold)
    return (signal / envelope.clamp_min(1e-8)).reshape(spec.shape[0], length)


def _as_numpy(wave) -> np.ndarray:
    if isinstance(wave, torch.Tensor):
        return wave.detach().float().cpu().numpy()
    return np.asarray(wave, dtype=np.float32)
