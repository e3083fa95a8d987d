"""Ground-truth phoneme durations from eSpeak NG's phoneme events.

eSpeak reports the sample where each phoneme starts; an empty phoneme string
marks a pause (clause ends give a few in a row, and the utterance ends with one
at its last sample). This module turns those events into per-phoneme durations
in mel frames that sum *exactly* to the mel length. The rules, in order:

1. **One symbol per event.** Every event, pauses included, is one symbol — the
   same sequence :func:`course_lib.text.espeak_phonemes` gives for new text, so
   training and inference read the same symbols. Event ``i`` spans the samples
   from its start to the next event's start.
2. **Leading silence** (the few hundred samples before the first event) is
   given to the first phoneme; trailing silence is eSpeak's own final pauses.
3. **Padding.** The wave is zero-padded to a multiple of the hop (256 samples),
   so ``n_frames = n_samples // 256`` loses no audio; the padding joins the
   last segment.
4. **Rounding.** Frame ``t`` of the course mel is centred on sample
   ``256·t + 128`` (reflect pad 384, window 1024, ``center=False``), so a
   phoneme boundary at sample ``s`` lies after ``floor((s + 128) / 256)`` frames.
   Cumulative boundaries are rounded, never individual durations, so the sum
   is exact by construction.
5. **At least one frame each.** Boundaries are then nudged so every symbol —
   even eSpeak's zero-length end-of-utterance pause — has ≥ 1 frame whenever
   there are at least as many frames as symbols (boundary ``b_i`` is kept within
   ``[i, n_frames - (K - i)]`` and strictly increasing). With fewer frames than
   symbols some durations are 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from course_lib.framing import HOP_LENGTH


@dataclass(frozen=True)
class Segment:
    """One spoken phoneme (or pause) and its sample span ``[start, end)``."""

    symbol: str
    start: int
    end: int


def padded_length(n_samples: int, hop: int = HOP_LENGTH) -> int:
    """``n_samples`` rounded up to a whole number of hops (at least one hop)."""
    return max(hop, -(-n_samples // hop) * hop)


def segments_from_events(events: Sequence[tuple[str, int]], n_samples: int) -> list[Segment]:
    """Spoken symbols with sample spans from ``(symbol, start_sample)`` events, in eSpeak's order.

    The spans tile ``[0, n_samples)`` exactly (rules 1–3 of the module docstring);
    a span may be empty (rule 5 still gives it a frame).
    """
    starts = [min(max(int(start), 0), n_samples) for _, start in events]
    for before, after in zip(starts, starts[1:]):
        if after < before:
            raise ValueError(f"phoneme events go back in time ({after} after {before}); "
                             "pass the events in the order eSpeak reported them")
    ends = starts[1:] + [n_samples]
    starts = [0] + starts[1:]  # rule 2: leading silence joins the first symbol
    return [Segment(symbol, start, end) for (symbol, _), start, end in zip(events, starts, ends)]


def boundaries_to_durations(boundaries_samples: Sequence[int], n_frames: int, hop: int = HOP_LENGTH) -> np.ndarray:
    """Frame durations ``[K]`` from the ``K - 1`` inner boundaries (in samples).

    Rules 4–5: round cumulative boundaries to frames, then keep each phoneme
    at ≥ 1 frame where ``n_frames >= K``. ``durations.sum() == n_frames`` always.
    """
    inner = np.asarray(boundaries_samples, dtype=np.int64)
    k = inner.size + 1
    frames = (inner + hop // 2) // hop  # rule 4: frame t is centred on sample hop*t + hop/2
    frames = np.clip(frames, 0, n_frames)
    if n_frames >= k:
        index = np.arange(1, k)
        frames = np.clip(frames, index, n_frames - (k - index))
        for i in range(1, frames.size):  # strictly increasing; stays within the upper bound
            frames[i] = max(frames[i], frames[i - 1] + 1)
    else:
        frames = np.maximum.accumulate(frames) if frames.size else frames
    edges = np.concatenate([[0], frames, [n_frames]])
    return np.diff(edges).astype(np.int64)


def frame_durations(segments: Sequence[Segment], n_samples: int, hop: int = HOP_LENGTH) -> np.ndarray:
    """Durations in frames (sum == ``n_samples // hop``) for segments tiling ``[0, n_samples)``."""
    if not segments:
        raise ValueError("no phonemes to time: eSpeak reported no phoneme events for this text")
    inner = [segment.start for segment in segments[1:]]
    return boundaries_to_durations(inner, n_samples // hop, hop)
