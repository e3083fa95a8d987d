"""PER by jiwer, scoring a recognizer per voice, and DNSMOS P.835 (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_lib import quality
from course_lib.models.recognizer import RecognizerConfig, build
from course_lib.quality import DNSMOSScores, ScoringItem, dnsmos, phoneme_error_rate, score_recognizer


# ---- phoneme error rate -----------------------------------------------------------------------------------------
def test_per_of_known_strings():
    ref = [["h", "ə", "l"]]
    assert phoneme_error_rate(ref, [["h", "ə", "l"]]) == 0.0
    assert phoneme_error_rate(ref, [["h", "ɪ", "l"]]) == pytest.approx(1 / 3)     # one substitution in three
    assert phoneme_error_rate(ref, [["h", "ə"]]) == pytest.approx(1 / 3)          # one deletion
    assert phoneme_error_rate(ref, [["h", "ə", "l", "oʊ", "oʊ"]]) == pytest.approx(2 / 3)  # insertions count
    assert phoneme_error_rate(ref, [[]]) == 1.0                                   # nothing heard
    assert phoneme_error_rate(ref, [["a"] * 6]) == pytest.approx(2.0)             # PER can exceed 1
    # corpus-level: edits over all reference phonemes, not a mean of rates
    assert phoneme_error_rate([["a"], ["b", "c", "d"]], [["x"], ["b", "c", "d"]]) == pytest.approx(1 / 4)
    # multi-character IPA symbols are single tokens
    assert phoneme_error_rate([["ˈoʊ", "tʃ"]], [["oʊ", "tʃ"]]) == pytest.approx(1 / 2)


@pytest.mark.parametrize("refs, hyps, error, phrase", [
    ([["a"]], [["a"], ["b"]], ValueError, "one of each"),
    ([], [], ValueError, "no utterances"),
    ([[]], [["a"]], ValueError, "reference has no phonemes"),
    ("abc", ["abc"], TypeError, "lists of phoneme lists"),
    ([["a b"]], [["a"]], ValueError, "no spaces"),
])
def test_per_bad_input_is_a_clear_error(refs, hyps, error, phrase):
    with pytest.raises(error, match=phrase):
        phoneme_error_rate(refs, hyps)


# ---- scoring a recognizer -------------------------------------------------------------------------------------
class _Parrot(torch.nn.Module):
    """A 'recognizer' that hears a fixed transcript, to test the scoring plumbing."""

    def __init__(self, heard: list[int]):
        super().__init__()
        self.config = RecognizerConfig.tiny()
        self.weight = torch.nn.Parameter(torch.zeros(1))
        self.heard = heard

    def recognize(self, mel, lengths=None):
        assert mel.dim() == 2 and mel.shape[0] == 80
        return [self.heard]


def test_score_recognizer_per_voice_from_waves_and_mels():
    from course_lib.text import tokenizer_for

    symbols = tokenizer_for("espeak", False).symbols
    heard = [symbols.index(s) for s in ("h", "ə", "l")]
    wave = torch.zeros(22050)
    items = [ScoringItem(wave, ("h", "ə", "l"), "a"),
             (torch.zeros(80, 40) - 5.0, ["h", "ɪ", "|", "l"], "b"),      # the pause is not a phoneme
             (wave.numpy(), ["h", "ə", "l", "oʊ"])]
    scores = score_recognizer(_Parrot(heard), items)
    assert scores.per_voice == {"a": 0.0, "all": pytest.approx(0.25), "b": pytest.approx(1 / 3)}
    assert scores.n_voice == {"a": 1, "all": 1, "b": 1}
    assert scores.per == pytest.approx(2 / 10)
    assert scores.references[1] == ["h", "ɪ", "l"] and scores.hypotheses[0] == ["h", "ə", "l"]


def test_score_recognizer_runs_a_real_untrained_model_and_refuses_bad_audio():
    model = build(RecognizerConfig.tiny()).eval()
    scores = score_recognizer(model, [(torch.zeros(5000), ["h", "ə"], "x")])
    assert math.isfinite(scores.per) and scores.per >= 0
    with pytest.raises(ValueError, match="shorter than one mel frame"):
        score_recognizer(model, [(torch.zeros(100), ["h"])])
    with pytest.raises(ValueError, match="expected a wave"):
        score_recognizer(model, [(torch.zeros(3, 100), ["h"])])
    with pytest.raises(ValueError, match="NaN"):
        score_recognizer(model, [(torch.full((1000,), float("nan")), ["h"])])
    with pytest.raises(ValueError, match="no utterances"):
        score_recognizer(model, [])


# ---- DNSMOS ------------------------------------------------------------------------------------------------------
needs_dnsmos = pytest.mark.skipif(quality.dnsmos_unavailable() is not None,
                                  reason=str(quality.dnsmos_unavailable()))


def _tone_and_noise(seconds: float = 2.0, rate: int = 22050) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(0)
    return (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(t.size)).astype(np.float32)


@needs_dnsmos
def test_dnsmos_gives_finite_scores_in_range_for_a_tone_and_noise():
    # one 9-s DNSMOS window (shorter clips are tiled) costs about a second on one CPU thread: score one clip,
    # a 16 kHz torch tensor (taken as it is, no resampling)
    scores = dnsmos(torch.from_numpy(_tone_and_noise(rate=16000)), 16000)
    assert isinstance(scores, DNSMOSScores)
    for value in scores.to_dict().values():
        assert math.isfinite(value) and 0.5 < value < 5.5


@pytest.mark.parametrize("wave, rate, phrase", [
    (np.zeros(0, np.float32), 22050, "empty"),
    (np.zeros(22050, np.float32), 8000, "16000 Hz or more"),
    (np.zeros(22050, np.float32), 22.05, "whole number"),
    (np.zeros(1000, np.float32), 22050, "at least 0.5 s"),
    (np.zeros((2, 22050), np.float32), 22050, "mono"),
    (np.full(22050, 2.0, np.float32), 22050, "outside"),
    (np.full(22050, np.nan, np.float32), 22050, "NaN"),
])
def test_dnsmos_bad_input_is_a_clear_error(wave, rate, phrase):
    with pytest.raises(ValueError, match=phrase):
        dnsmos(wave, rate)


def test_dnsmos_without_its_packages_names_the_fix(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_onnxruntime(name, *args, **kwargs):
        if name.startswith("onnxruntime") or name.startswith("speechmos"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    quality._dnsmos_model.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    try:
        message = quality.dnsmos_unavailable()
        assert message is not None and "pip install speechmos onnxruntime" in message and "\n" not in message
        with pytest.raises(quality.DNSMOSUnavailable, match="make setup"):
            dnsmos(_tone_and_noise())
    finally:
        monkeypatch.undo()
        quality._dnsmos_model.cache_clear()
