"""Training data for a vocoder: random fixed-length wave segments and their mels.

HiFi-GAN trains on random 8192-sample windows (0.37 s at 22,050 Hz), not whole
utterances: the generator is fully convolutional, so short windows teach it everything
and keep the discriminators' cost fixed. The mel input is computed from the window itself.

Batches are a pure function of ``(seed, epoch, batch index)``, so a resumed run sees the
very same segments as an uninterrupted one. Given each clip's F0 per mel frame, windows start on
a frame boundary and the batch carries the F0 of their frames (the course vocoder learns pitch). A clip may
also come with its own input mel, frame for frame in step with its wave — an acoustic model's mel of the
same utterance spoken with the true durations — which the batch then carries instead of the window's own
(a vocoder fine-tuned on what it will be given, the recording still its target).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_lib.audio import HOP_LENGTH, LOG_CLAMP, load_audio, mel_spectrogram

SILENT_LOG_MEL = float(np.log(LOG_CLAMP))  # the log-mel of silence: what an input mel is padded with


@dataclass
class WaveBatch:
    """``waves [B, 1, segment]`` in [-1, 1], their log-mels ``mels [B, 80, segment // 256]`` and, when the clips'
    pitch was given, ``f0 [B, segment // 256]`` (Hz, 0 where unvoiced)."""

    waves: torch.Tensor
    mels: torch.Tensor
    f0: torch.Tensor | None = None

    def to(self, device) -> "WaveBatch":
        return WaveBatch(self.waves.to(device), self.mels.to(device), None if self.f0 is None else self.f0.to(device))


def random_start(n_samples: int, segment_size: int, rng: np.random.Generator, align: int = 1) -> int:
    """A uniformly random start, a multiple of ``align``, of a ``segment_size`` window in ``n_samples`` (0 when the
    clip is shorter)."""
    if n_samples < segment_size:
        return 0
    return align * int(rng.integers(0, (n_samples - segment_size) // align + 1))


def random_segment(wave: np.ndarray, segment_size: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``segment_size`` window of ``wave [N]``; shorter waves are zero-padded at the end.

    Padding (as the official loader does) rather than failing keeps short clips usable.
    """
    wave = np.asarray(wave, dtype=np.float32).reshape(-1)
    start = random_start(wave.size, segment_size, rng)
    return _window(wave, start, segment_size)


def _window(values: np.ndarray, start: int, size: int, fill: float = 0.0) -> np.ndarray:
    """``values[..., start: start + size]``, padded with ``fill`` at the end to ``size``."""
    piece = values[..., start: start + size]
    return np.pad(piece, [(0, 0)] * (piece.ndim - 1) + [(0, size - piece.shape[-1])], constant_values=fill)


def make_batch(segments: list[np.ndarray], f0: list[np.ndarray] | None = None,
               mels: list[np.ndarray | None] | None = None) -> WaveBatch:
    """Stack equal-length segments ``[N]`` (and their F0 ``[N // 256]``) into a :class:`WaveBatch`. The input mels
    (0–8 kHz) are the segments' own, except where ``mels`` gives one ``[80, N // 256]`` for a segment."""
    waves = torch.from_numpy(np.stack(segments)).float()   # [B, N]
    pitch = None if f0 is None else torch.from_numpy(np.stack(f0)).float()
    inputs = mel_spectrogram(waves)
    for index, mel in enumerate(mels or []):
        if mel is not None:
            inputs[index] = torch.from_numpy(np.asarray(mel, dtype=np.float32))
    return WaveBatch(waves=waves.unsqueeze(1), mels=inputs, f0=pitch)


class SegmentSampler:
    """Which clips form each batch of an epoch, and the seed of their windows.

    Yields ``(clip indices, window seed)`` per batch: a seeded shuffle per epoch, each clip
    once (the last partial batch dropped). ``set_epoch``/``set_start`` are what the course
    trainer calls for exact resume.
    """

    def __init__(self, n_clips: int, batch_size: int, seed: int = 1234) -> None:
        if n_clips < batch_size:
            raise ValueError(
                f"only {n_clips} training clips for a batch size of {batch_size}: lower the batch size "
                "(--batch-size) or add audio"
            )
        self.n_clips, self.batch_size, self.seed = n_clips, batch_size, seed
        self.epoch = 0
        self.start = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def set_start(self, batch_index: int) -> None:
        self.start = batch_index

    def __len__(self) -> int:
        return self.n_clips // self.batch_size

    def __iter__(self):
        order = np.random.default_rng([self.seed, self.epoch]).permutation(self.n_clips)
        first_batch, self.start = self.start, 0
        for index in range(first_batch, len(self)):
            # windows depend only on (seed, epoch, batch index), not on what ran before
            yield order[index * self.batch_size: (index + 1) * self.batch_size], [self.seed, self.epoch, index]


class SegmentLoader:
    """One epoch of :class:`WaveBatch` es from clips given as numpy waves ``[N]`` or audio file paths.

    Files are read when a batch needs them, so a large corpus is not held in memory.
    ``loader.batch_sampler`` is the :class:`SegmentSampler` the trainer resumes. With ``pitch`` (each clip's
    F0 per mel frame, in the clips' order) windows start on a frame boundary and carry their F0. With
    ``input_mels`` (per clip ``None``, a ``[80, frames]`` array or a ``.npy`` file of one, frames in step with
    the wave's) a window's input mel is cut from the clip's own mel instead of computed from the window.
    """

    def __init__(self, clips: list, batch_size: int, segment_size: int, seed: int = 1234,
                 pitch: list[np.ndarray] | None = None, input_mels: list | None = None) -> None:
        if not clips:
            raise ValueError("no training audio: the clip list is empty (is the corpus folder right?)")
        if pitch is not None and (len(pitch) != len(clips) or segment_size % HOP_LENGTH):
            raise ValueError(f"pitch needs one F0 track per clip ({len(pitch)} for {len(clips)}) and whole frames "
                             f"of {HOP_LENGTH} samples per segment (got {segment_size})")
        if input_mels is not None and (pitch is None or len(input_mels) != len(clips)):
            raise ValueError(f"input mels need the clips' pitch and one entry per clip ({len(input_mels)} for "
                             f"{len(clips)}; None where the window's own mel is the input)")
        self.clips = list(clips)
        self.pitch = pitch
        self.input_mels = input_mels
        self.segment_size = segment_size
        self.batch_sampler = SegmentSampler(len(self.clips), batch_size, seed)

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __iter__(self):
        for indices, window_seed in self.batch_sampler:
            rng = np.random.default_rng(window_seed)
            if self.pitch is None:
                yield make_batch([random_segment(self._wave(i), self.segment_size, rng) for i in indices])
                continue
            waves, f0, mels = [], [], []
            frames = self.segment_size // HOP_LENGTH
            for i in indices:
                wave = np.asarray(self._wave(i), dtype=np.float32).reshape(-1)
                start = random_start(wave.size, self.segment_size, rng, align=HOP_LENGTH)
                waves.append(_window(wave, start, self.segment_size))
                f0.append(_window(np.asarray(self.pitch[i], dtype=np.float32), start // HOP_LENGTH, frames))
                mel = self._input_mel(i)
                mels.append(None if mel is None else _window(mel, start // HOP_LENGTH, frames, fill=SILENT_LOG_MEL))
            yield make_batch(waves, f0, mels)

    def _input_mel(self, index: int) -> np.ndarray | None:
        mel = None if self.input_mels is None else self.input_mels[index]
        return np.load(mel) if isinstance(mel, (str, Path)) else mel

    def _wave(self, index: int) -> np.ndarray:
        clip = self.clips[index]
        if isinstance(clip, (str, Path)):
            return load_audio(clip)
        return clip
