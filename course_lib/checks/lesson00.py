"""Checks for lesson 00 (audio and text)."""

from __future__ import annotations

import numpy as np
import torch

from course_lib import audio
from course_lib.checks import (
    ExerciseError,
    attempt,
    check_close,
    diagnose,
    report_close,
)
from course_lib.data.durations import boundaries_to_durations


def reference_log_mel(magnitude: torch.Tensor, mel_basis: torch.Tensor) -> torch.Tensor:
    """Magnitude ``[513, T]`` and filters ``[80, 513]`` → log-mel ``[80, T]``.

    Filter first (a band's loudness is the log of its summed magnitude), floor each band at 1e-5
    (silence → ln 1e-5 in every band, never −inf), then the natural log.
    """
    return torch.log(torch.clamp(mel_basis @ magnitude, min=audio.LOG_CLAMP))


def solution_frame_durations(boundaries: list[int], n_samples: int) -> list[int]:
    """Phoneme boundaries (sample indices) and the wave's length -> frames per phoneme, summing to the mel length."""
    hop = audio.HOP_LENGTH
    n_frames = n_samples // hop  # the course STFT gives one frame per whole hop
    # frame t is centred on sample hop·t + hop/2: a boundary at sample s falls after round(s / hop) frames.
    # Round the cumulative boundaries, never the durations, and the sum is exact.
    edges = [0] + [(s + hop // 2) // hop for s in boundaries] + [n_frames]
    return [end - start for start, end in zip(edges, edges[1:])]


# Two utterances: inner boundaries in samples (eSpeak's phoneme starts) and the wave's length.
_DURATION_CASES = (
    ([3000, 5450, 9100, 12870, 17330, 21000, 25500], 28665),
    ([700, 2300, 4100, 6333, 9000], 11900),
)


def _independent_rounding(boundaries, n_samples):
    spans = [b - a for a, b in zip([0, *boundaries], [*boundaries, n_samples])]
    return [round(span / audio.HOP_LENGTH) for span in spans]


def _with_edges(boundaries, n_samples, to_frame, last):
    edges = [0] + [to_frame(s) for s in boundaries] + [last]
    return [b - a for a, b in zip(edges, edges[1:])]


def check_frame_durations(fn) -> bool:
    """``fn(boundaries, n_samples) -> list[int]``: one whole number of mel frames per phoneme, summing to the mel length."""
    hop = audio.HOP_LENGTH
    for boundaries, n_samples in _DURATION_CASES:
        got = attempt("frame durations", fn, list(boundaries), n_samples)
        if got is None:
            return False
        got = [int(d) for d in got]
        n_frames = audio.frames_for_samples(n_samples)
        expected = boundaries_to_durations(boundaries, n_frames).tolist()
        if got == expected:
            continue
        if len(got) != len(expected):
            hint = (f"{len(boundaries)} inner boundaries split the utterance into {len(expected)} phonemes — "
                    "the last one runs from the last boundary to the end of the mel.")
        elif got == _independent_rounding(boundaries, n_samples):
            hint = (f"rounding each duration on its own gives {sum(got)} frames, but the mel has {n_frames}: the "
                    "rounding errors add up. Round the cumulative boundaries instead, then take differences.")
        elif got == _with_edges(boundaries, n_samples, lambda s: s // hop, n_frames):
            hint = ("s // 256 rounds every boundary down; frame t is centred on sample 256·t + 128, so a boundary "
                    "at sample s falls after round(s / 256) frames.")
        elif got == _with_edges(boundaries, n_samples, lambda s: (s + hop // 2) // hop, round(n_samples / hop)):
            hint = (f"the mel has n_samples // 256 = {n_frames} frames (one per whole hop, section 3), "
                    f"not round(n_samples / 256) = {round(n_samples / hop)}.")
        elif sum(got) != n_frames:
            hint = f"the durations must sum to the mel's n_samples // 256 = {n_frames} frames (yours: {sum(got)})."
        else:
            hint = "a boundary at sample s falls after round(s / 256) frames; durations are the differences."
        raise ExerciseError(f"frame durations: for boundaries {boundaries} and {n_samples} samples expected "
                            f"{expected}, got {got}. Hint: {hint}")
    print("✓ frame durations: match the corpus builder, and sum to the mel length")
    return True


def check_log_mel(fn) -> bool:
    """``fn(magnitude [513, T], mel_basis [80, 513]) -> [80, T]`` must equal the course's log-mel."""
    generator = torch.Generator().manual_seed(0)
    magnitude = torch.rand(513, 12, generator=generator) ** 4
    magnitude[:, 0] = 0.0  # a silent frame: the clamp matters here
    basis = audio.mel_basis()
    got = attempt("log_mel", fn, magnitude, basis)
    if got is None:
        return False
    expected = reference_log_mel(magnitude, basis)
    got_t = torch.as_tensor(got, dtype=torch.float64)
    if got_t.shape == expected.shape and not torch.isfinite(got_t).all():
        raise ExerciseError("log_mel: −inf or NaN in the silent frame (column 0): log(0) = −inf. Hint: floor "
                            "each band at 1e-5 before the log (torch.clamp).")
    floor = audio.LOG_CLAMP
    hint = diagnose(got, {
        "Hint: filter first, then take the log — a band's loudness is the log of its summed magnitude, "
        "not a sum of log-magnitudes.": basis @ torch.log(torch.clamp(magnitude, min=floor)),
        "Hint: put the floor on the 80 bands (after the filters), not on the 513 bins: silence must come out "
        "as ln 1e-5 in every band.": torch.log(basis @ torch.clamp(magnitude, min=floor)),
        "Hint: floor with a maximum (torch.clamp), don't add 1e-5: adding shifts every quiet band.":
            torch.log(basis @ magnitude + floor),
        "Hint: the natural log (torch.log), not log10.": torch.log10(torch.clamp(basis @ magnitude, min=floor)),
    }, "Hint: the log-mel is the natural log of each band's filtered magnitude, floored at 1e-5 (the table).")
    report_close("log_mel", got, expected, atol=1e-5, hint=hint)
    return True


def check_log_mel_on_audio(fn, wave: np.ndarray) -> bool:
    """The same exercise on real audio, against ``course_lib.audio.mel_spectrogram``."""
    magnitude = audio.linear_spectrogram(wave)
    return check_close("log_mel on real audio", fn, (magnitude, audio.mel_basis()), audio.mel_spectrogram(wave),
                        atol=1e-4)
