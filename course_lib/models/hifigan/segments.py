"""Training data for a vocoder: random fixed-length wave segments and their mels.

HiFi-GAN trains on random 8192-sample windows (0.37 s at 22,050 Hz), not whole
utterances: the generator is fully convolutional, so short windows teach it everything
and keep the discriminators' cost fixed. The mel input is computed from the window itself.

Batches are a pure function of ``(seed, epoch, batch index)``, so a resumed run sees the
very same segments as an uninterrupted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_lib.audio import load_audio, mel_spectrogram


@dataclass
class WaveBatch:
    """``waves [B, 1, segment]`` in [-1, 1] and their log-mels ``mels [B, 80, segment // 256]``."""

    waves: torch.Tensor
    mels: torch.Tensor

    def to(self, device) -> "WaveBatch":
        return WaveBatch(self.waves.to(device), self.mels.to(device))


def random_segment(wave: np.ndarray, segment_size: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``segment_size`` window of ``wave [N]``; shorter waves are zero-padded at the end.

    Padding (as the official loader does) rather than failing keeps short clips usable.
    """
    wave = np.asarray(wave, dtype=np.float32).reshape(-1)
    if wave.size >= segment_size:
        start = int(rng.integers(0, wave.size - segment_size + 1))
        return wave[start: start + segment_size]
    return np.pad(wave, (0, segment_size - wave.size))


def make_batch(segments: list[np.ndarray]) -> WaveBatch:
    """Stack equal-length segments ``[N]`` into a :class:`WaveBatch` (mels on 0–8 kHz, the vocoder input)."""
    waves = torch.from_numpy(np.stack(segments)).float()   # [B, N]
    return WaveBatch(waves=waves.unsqueeze(1), mels=mel_spectrogram(waves))


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
    ``loader.batch_sampler`` is the :class:`SegmentSampler` the trainer resumes.
    """

    def __init__(self, clips: list, batch_size: int, segment_size: int, seed: int = 1234) -> None:
        if not clips:
            raise ValueError("no training audio: the clip list is empty (is the corpus folder right?)")
        self.clips = list(clips)
        self.segment_size = segment_size
        self.batch_sampler = SegmentSampler(len(self.clips), batch_size, seed)

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __iter__(self):
        for indices, window_seed in self.batch_sampler:
            rng = np.random.default_rng(window_seed)
            yield make_batch([random_segment(self._wave(i), self.segment_size, rng) for i in indices])

    def _wave(self, index: int) -> np.ndarray:
        clip = self.clips[index]
        if isinstance(clip, (str, Path)):
            return load_audio(clip)
        return clip
