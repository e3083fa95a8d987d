"""Training data for a vocoder: random fixed-length wave segments and their mels.

HiFi-GAN trains on random 8192-sample windows (0.37 s at 22,050 Hz), not whole
utterances: the generator is fully convolutional, so short windows teach it everything
and keep the discriminators' cost fixed. The mel input is computed from the window itself.

Batches are a pure function of ``(seed, epoch, batch index)``, so a resumed run sees the
very same segments as an uninterrupted one. Given each clip's F0 per mel frame, windows start on
a frame boundary and the batch carries the F0 of their frames (the course vocoder learns pitch).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_lib.audio import HOP_LENGTH, load_audio, mel_spectrogram


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


def _window(values: np.ndarray, start: int, size: int) -> np.ndarray:
    """``values[start: start + size]``, zero-padded at the end to ``size``."""
    piece = values[start: start + size]
    return np.pad(piece, (0, size - piece.size))


def make_batch(segments: list[np.ndarray], f0: list[np.ndarray] | None = None) -> WaveBatch:
    """Stack equal-length segments ``[N]`` (and their F0 ``[N // 256]``) into a :class:`WaveBatch` (mels on
    0–8 kHz, the vocoder input)."""
    waves = torch.from_numpy(np.stack(segments)).float()   # [B, N]
    pitch = None if f0 is None else torch.from_numpy(np.stack(f0)).float()
    return WaveBatch(waves=waves.unsqueeze(1), mels=mel_spectrogram(waves), f0=pitch)


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
    F0 per mel frame, in the clips' order) windows start on a frame boundary and carry their F0.
    """

    def __init__(self, clips: list, batch_size: int, segment_size: int, seed: int = 1234,
                 pitch: list[np.ndarray] | None = None) -> None:
        if not clips:
            raise ValueError("no training audio: the clip list is empty (is the corpus folder right?)")
        if pitch is not None and (len(pitch) != len(clips) or segment_size % HOP_LENGTH):
            raise ValueError(f"pitch needs one F0 track per clip ({len(pitch)} for {len(clips)}) and whole frames "
                             f"of {HOP_LENGTH} samples per segment (got {segment_size})")
        self.clips = list(clips)
        self.pitch = pitch
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
            waves, f0 = [], []
            for i in indices:
                wave = np.asarray(self._wave(i), dtype=np.float32).reshape(-1)
                start = random_start(wave.size, self.segment_size, rng, align=HOP_LENGTH)
                waves.append(_window(wave, start, self.segment_size))
                f0.append(_window(np.asarray(self.pitch[i], dtype=np.float32), start // HOP_LENGTH,
                                  self.segment_size // HOP_LENGTH))
            yield make_batch(waves, f0)

    def _wave(self, index: int) -> np.ndarray:
        clip = self.clips[index]
        if isinstance(clip, (str, Path)):
            return load_audio(clip)
        return clip
