"""The corpus sentence grammar and the frame-duration rules (pure functions, no audio)."""

import re

import numpy as np
import pytest

from course_lib.data import vocabulary
from course_lib.data.durations import (Segment, boundaries_to_durations, frame_durations, padded_length,
                                       segments_from_events)
from course_lib.data.sentences import MAX_WORDS, MIN_WORDS, TEMPLATES, generate_sentences, word_count


def test_sentences_are_distinct_deterministic_and_in_length_range():
    sentences = generate_sentences(3000, seed=5)
    assert len(set(sentences)) == 3000
    assert sentences == generate_sentences(3000, seed=5)
    assert sentences[:100] == generate_sentences(100, seed=5)  # smaller corpora are prefixes
    assert sentences != generate_sentences(3000, seed=6)
    counts = [word_count(s) for s in sentences]
    assert min(counts) >= MIN_WORDS and max(counts) <= MAX_WORDS
    assert max(counts) - min(counts) >= 15  # short and long sentences both occur


def test_sentences_mix_kinds_and_need_normalising():
    sentences = generate_sentences(2000, seed=0)
    assert sum(s.endswith("?") for s in sentences) > 100
    assert sum(s.endswith("!") for s in sentences) > 50
    assert sum(bool(re.search(r"\d", s)) for s in sentences) > 300          # numbers, years, money, times
    assert any("$" in s for s in sentences) and any("%" in s for s in sentences)
    assert any(re.search(r"\b(Dr|Mr|Mrs|Ms|Prof)\.", s) for s in sentences)
    assert any(re.search(r"\d(st|nd|rd|th)\b", s) for s in sentences)


def test_vocabulary_has_several_hundred_words_and_rare_sounds():
    words = set()
    for name in dir(vocabulary):
        value = getattr(vocabulary, name)
        if name.isupper() and isinstance(value, tuple):
            for entry in value:
                for phrase in (entry if isinstance(entry, tuple) else (entry,)):
                    words.update(phrase.lower().split())
    assert len(words) >= 800
    words.update(re.sub(r"\{\w+\}|[^\w' ]", " ", " ".join(TEMPLATES)).lower().split())
    for word in ("measure", "garage", "boy", "voice", "book", "sugar", "thunder", "weather", "judge"):
        assert any(word in w for w in words), word
    assert len(TEMPLATES) >= 40


def test_asking_for_a_negative_count_is_an_error():
    with pytest.raises(ValueError, match="zero or more"):
        generate_sentences(-1)


# ----------------------------------------------------------------------------- durations

def test_one_segment_per_event_leading_silence_joins_first_phoneme():
    # what eSpeak reports: phonemes, two pause events between clauses, a pause and an end marker
    events = [("h", 264), ("ə", 1384), ("|", 4000), ("|", 5200), ("l", 5500), ("|", 8000), ("|", 8192)]
    segments = segments_from_events(events, 8192)
    assert [s.symbol for s in segments] == ["h", "ə", "|", "|", "l", "|", "|"]
    assert segments[0] == Segment("h", 0, 1384)
    assert segments[2] == Segment("|", 4000, 5200)
    assert segments[-1] == Segment("|", 8192, 8192)  # the end marker: empty, still gets a frame below
    # the spans tile [0, n_samples)
    assert all(a.end == b.start for a, b in zip(segments, segments[1:])) and segments[-1].end == 8192
    durations = frame_durations(segments, 8192)
    assert durations.sum() == 32 and durations.min() == 1 and durations[-1] == 1


def test_events_going_back_in_time_are_rejected():
    with pytest.raises(ValueError, match="back in time"):
        segments_from_events([("a", 500), ("b", 100)], 1024)


def test_durations_round_cumulative_boundaries_and_sum_exactly():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n_frames = int(rng.integers(5, 400))
        k = int(rng.integers(1, n_frames + 1))
        inner = np.sort(rng.integers(0, n_frames * 256, size=k - 1))
        durations = boundaries_to_durations(inner, n_frames)
        assert durations.sum() == n_frames
        assert durations.min() >= 1  # possible because k <= n_frames
        assert len(durations) == k


def test_boundary_rounding_uses_frame_centres():
    # frame t is centred on sample 256 t + 128: a boundary at sample 300 falls after 1 frame, at 400 after 2
    assert boundaries_to_durations([300], 4).tolist() == [1, 3]
    assert boundaries_to_durations([400], 4).tolist() == [2, 2]


def test_more_phonemes_than_frames_still_sum_exactly():
    durations = boundaries_to_durations([10, 20, 30, 40, 50], 3)
    assert durations.sum() == 3 and durations.min() >= 0


def test_frame_durations_of_segments_and_padding():
    assert padded_length(1000) == 1024 and padded_length(1024) == 1024 and padded_length(0) == 256
    segments = [Segment("a", 0, 700), Segment("b", 700, 701), Segment("|", 701, 2048)]
    durations = frame_durations(segments, 2048)
    assert durations.tolist() == [3, 1, 4]  # the 1-sample phoneme still gets a frame
    with pytest.raises(ValueError, match="no phoneme events"):
        frame_durations([], 2048)
