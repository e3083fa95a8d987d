"""Measures of synthesized speech that need no reference recording of the same take.

* **Intelligibility** — the **phoneme error rate** (PER) of the course's own CTC phoneme
  recognizer (:mod:`course_lib.models.recognizer`) against the phonemes the speech should hold:
  (substitutions + deletions + insertions) / reference phonemes, computed by ``jiwer`` (a kept
  edit-distance library) on the phoneme symbols joined by spaces. :func:`score_recognizer` scores a
  list of utterances (waves or mels) per voice; :func:`corpus_items` gives the built-in
  multi-voice corpus's held-out utterances, optionally resynthesised (Griffin-Lim, a vocoder).
* **A no-reference quality estimate** — **DNSMOS P.835** (Reddy et al., ICASSP 2022): Microsoft's
  ONNX models, shipped inside the ``speechmos`` wheel and run by ``onnxruntime``, predict the
  SIG (speech signal), BAK (background) and OVRL (overall) mean opinion scores, 1–5, of a 16 kHz
  clip (:func:`dnsmos`). Nothing is downloaded at run time. Both packages are the optional
  ``dnsmos`` extra (``make setup`` installs it); without them :func:`dnsmos` raises
  :class:`DNSMOSUnavailable` naming the fix and everything else still runs.

DNSMOS was trained on real, noisy recordings: it ranks degradations, it does not certify
naturalness. On the course's machine it gave built-in-corpus ground truth OVRL ≈ 2.6 against
≈ 2.3 for its Griffin-Lim resynthesis (eSpeak's buzzy voice scores low even when clean).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from course_lib.audio import HOP_LENGTH, N_MELS, SAMPLE_RATE, mel_spectrogram, resample
from course_lib.models.recognizer import PhonemeRecognizer, phoneme_error_rate
from course_lib.text import PAUSE

DNSMOS_RATE = 16_000
DNSMOS_MIN_SECONDS = 0.5  # DNSMOS scores 9-s windows, tiling shorter clips; below this a clip is mostly repeats
DNSMOS_FIX = "install it with `.venv/bin/pip install speechmos onnxruntime` (or run `make setup`)"

__all__ = ["DNSMOSScores", "DNSMOSUnavailable", "RecognitionScores", "ScoringItem", "corpus_items", "dnsmos",
           "dnsmos_unavailable", "phoneme_error_rate", "score_recognizer", "transcribe"]


# ---------------------------------------------------------------------------------------- intelligibility
@dataclass(frozen=True)
class ScoringItem:
    """One utterance to recognise: ``audio`` (a wave ``[N]`` at 22,050 Hz or a log-mel ``[80, T]``), the
    ``phonemes`` it should hold, and its ``voice`` (a speaker name; PER is also reported per voice)."""

    audio: object
    phonemes: tuple[str, ...]
    voice: str = "all"
    id: str = ""


@dataclass(frozen=True)
class RecognitionScores:
    """``per`` over all utterances, ``per_voice`` and ``n_voice`` (utterances) per voice, and every transcript."""

    per: float
    per_voice: dict[str, float]
    n_voice: dict[str, int]
    references: list[list[str]] = field(repr=False)
    hypotheses: list[list[str]] = field(repr=False)

    def to_dict(self) -> dict:
        return asdict(self)


def _as_mel(audio) -> torch.Tensor:
    """A wave ``[N]`` (22,050 Hz) or a log-mel ``[80, T]`` → log-mel ``[80, T]`` (float, CPU)."""
    tensor = torch.as_tensor(np.asarray(audio) if not isinstance(audio, torch.Tensor) else audio).float().cpu()
    if tensor.dim() == 1:
        if tensor.numel() < HOP_LENGTH:
            raise ValueError(f"a wave of {tensor.numel()} samples is shorter than one mel frame ({HOP_LENGTH} at "
                             f"{SAMPLE_RATE} Hz): give a longer clip")
        if not torch.isfinite(tensor).all():
            raise ValueError("the wave holds NaN or infinite samples; check the model output")
        return mel_spectrogram(tensor)
    if tensor.dim() == 2 and tensor.shape[0] == N_MELS:
        if not torch.isfinite(tensor).all():
            raise ValueError("the mel holds NaN or infinite values; check the model output")
        return tensor
    raise ValueError(f"expected a wave [N] at {SAMPLE_RATE} Hz or a course log-mel [{N_MELS}, T], got shape "
                     f"{tuple(tensor.shape)}")


def _symbols(recognizer: PhonemeRecognizer) -> tuple[str, ...]:
    from course_lib.text import tokenizer_for

    return tokenizer_for(recognizer.config.front_end, False).symbols


def transcribe(recognizer: PhonemeRecognizer, audio) -> list[str]:
    """The phoneme symbols ``recognizer`` hears in one wave ``[N]`` (22,050 Hz) or log-mel ``[80, T]`` (greedy CTC)."""
    mel = _as_mel(audio).to(next(recognizer.parameters()).device)
    symbols = _symbols(recognizer)
    return [symbols[i] for i in recognizer.recognize(mel)[0]]


def score_recognizer(recognizer: PhonemeRecognizer, items: Sequence[ScoringItem | tuple]) -> RecognitionScores:
    """PER of ``recognizer``'s transcripts of ``items``: overall and per voice.

    Items are :class:`ScoringItem` or tuples ``(audio, phonemes)`` / ``(audio, phonemes, voice)``. Pauses
    (``'|'``) are left out of the references when the recognizer was trained without them.
    """
    if not items:
        raise ValueError("no utterances to score: give at least one (audio, phonemes) item")
    drop = recognizer.config.drop_pauses
    references, hypotheses, voices = [], [], []
    for item in items:
        if not isinstance(item, ScoringItem):
            if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
                raise ValueError("each item is a ScoringItem or a tuple (audio, phonemes[, voice])")
            item = ScoringItem(item[0], tuple(item[1]), *(item[2:] or ()))
        if isinstance(item.phonemes, str):
            raise TypeError(f"phonemes must be a list of symbols, got the string {item.phonemes!r}")
        reference = [p for p in item.phonemes if not (drop and p == PAUSE)]
        references.append(reference)
        hypotheses.append(transcribe(recognizer, item.audio))
        voices.append(str(item.voice))
    per_voice, n_voice = {}, {}
    for voice in sorted(set(voices)):
        chosen = [i for i, v in enumerate(voices) if v == voice]
        per_voice[voice] = phoneme_error_rate([references[i] for i in chosen], [hypotheses[i] for i in chosen])
        n_voice[voice] = len(chosen)
    return RecognitionScores(per=phoneme_error_rate(references, hypotheses), per_voice=per_voice, n_voice=n_voice,
                             references=references, hypotheses=hypotheses)


def corpus_items(split: str = "test", data_dir: str | None = None, resynthesize: Callable | None = None,
                 limit: int | None = None) -> list[ScoringItem]:
    """The utterances of a built-in corpus split as :class:`ScoringItem` (waves at 22,050 Hz, eSpeak phonemes).

    ``data_dir`` ``None``: the multi-voice corpus of the current mode. ``resynthesize`` (a callable
    ``[80, T]`` log-mel → wave, e.g. :func:`course_lib.audio.griffin_lim` or a loaded vocoder) replaces each
    wave by its resynthesis. ``limit`` keeps the first N.
    """
    from pathlib import Path

    from course_lib.audio import load_audio
    from course_lib.data import ensure_corpus, open_corpus

    corpus = open_corpus(Path(data_dir) if data_dir else ensure_corpus(multispeaker=True)).split(split)
    records = list(corpus.utterances)[:limit]
    if not records:
        raise ValueError(f"{corpus.root} has no utterances in the {split} split")
    if any(r.phonemes is None for r in records):
        raise ValueError(f"{corpus.root} stores no phonemes (a recorded corpus); score the built-in corpus, or give "
                         "ScoringItems with phonemes from course_lib.text.espeak_phonemes")
    items = []
    for record in records:
        wave = torch.from_numpy(load_audio(record.wav_path, SAMPLE_RATE))
        if resynthesize is not None:
            with torch.no_grad():
                wave = torch.as_tensor(resynthesize(mel_spectrogram(wave))).reshape(-1).float().cpu().clamp(-1, 1)
        items.append(ScoringItem(wave, tuple(record.phonemes), record.speaker_name, record.id))
    return items


# ---------------------------------------------------------------------------------------------- DNSMOS
class DNSMOSUnavailable(RuntimeError):
    """``speechmos`` or ``onnxruntime`` is not installed; the message names the fix."""


@dataclass(frozen=True)
class DNSMOSScores:
    """DNSMOS P.835 ``sig``, ``bak``, ``ovrl`` (and the P.808 ``p808`` overall score), each about 1–5."""

    sig: float
    bak: float
    ovrl: float
    p808: float

    def to_dict(self) -> dict:
        return asdict(self)


def dnsmos_unavailable() -> str | None:
    """None when DNSMOS can run here, else one line saying why and how to fix it."""
    try:
        _dnsmos_model()
    except DNSMOSUnavailable as err:
        return str(err)
    return None


@functools.lru_cache(maxsize=1)
def _dnsmos_model():
    """speechmos's DNSMOS with our own onnxruntime sessions (thread count of torch's, no log spam)."""
    try:
        import onnxruntime as ort
        from speechmos import dnsmos as speechmos_dnsmos
    except ImportError as err:
        raise DNSMOSUnavailable(f"DNSMOS unavailable: {err}; {DNSMOS_FIX}") from None
    from pathlib import Path

    models = Path(speechmos_dnsmos.__file__).parent / "dnsmos_models"
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, torch.get_num_threads())
    options.inter_op_num_threads = 1
    options.log_severity_level = 3

    def session(name: str):
        path = models / name
        if not path.is_file():
            raise DNSMOSUnavailable(f"DNSMOS unavailable: {path} is missing from the speechmos wheel; reinstall it "
                                    "with `.venv/bin/pip install --force-reinstall speechmos`")
        return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])

    model = speechmos_dnsmos.DNSMOS.__new__(speechmos_dnsmos.DNSMOS)  # its __init__ makes default sessions
    model.primary_model_path = str(models / "sig_bak_ovr.onnx")
    model.onnx_sess = session("sig_bak_ovr.onnx")
    model.p808_onnx_sess = session("model_v8.onnx")
    return model


def dnsmos(wave, sample_rate: int = SAMPLE_RATE) -> DNSMOSScores:
    """DNSMOS P.835 of a mono wave ``[N]`` in [-1, 1] at ``sample_rate`` (≥ 16 kHz; resampled to 16 kHz).

    Raises a ValueError for an empty, too short, multi-channel, non-finite or out-of-range wave or a rate
    below 16 kHz, and :class:`DNSMOSUnavailable` when ``speechmos``/``onnxruntime`` are missing.
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)):
        raise ValueError(f"sample_rate must be a whole number of Hz (e.g. {SAMPLE_RATE}), got {sample_rate!r}")
    if sample_rate < DNSMOS_RATE:
        raise ValueError(f"DNSMOS needs audio at {DNSMOS_RATE} Hz or more, got {sample_rate} Hz: upsampling cannot add "
                         "the missing band; give the wave at its real rate (course waves are 22,050 Hz)")
    array = (wave.detach().float().cpu().numpy() if isinstance(wave, torch.Tensor) else np.asarray(wave, np.float32))
    array = np.squeeze(array)
    if array.ndim != 1:
        raise ValueError(f"DNSMOS takes one mono wave [N], got shape {np.shape(wave)}; mix down or pick a channel")
    if array.size == 0:
        raise ValueError("the wave is empty: give at least half a second of audio")
    seconds = array.size / sample_rate
    if seconds < DNSMOS_MIN_SECONDS:
        raise ValueError(f"the wave lasts {seconds:.3f} s; DNSMOS needs at least {DNSMOS_MIN_SECONDS} s "
                         f"(did you pass the rate of another wave? this one was said to be {sample_rate} Hz)")
    if not np.all(np.isfinite(array)):
        raise ValueError("the wave holds NaN or infinite samples; check the model output")
    peak = float(np.abs(array).max())
    if peak > 1.0:
        raise ValueError(f"the wave peaks at {peak:.3g}, outside [-1, 1]: scale it (float audio in [-1, 1])")
    model = _dnsmos_model()
    audio = resample(array.astype(np.float32), int(sample_rate), DNSMOS_RATE).astype(np.float32)
    audio = np.clip(audio, -1.0, 1.0)  # soxr can overshoot a full-scale wave slightly
    scores = model(audio, DNSMOS_RATE, False)
    return DNSMOSScores(sig=float(scores["sig_mos"]), bak=float(scores["bak_mos"]), ovrl=float(scores["ovrl_mos"]),
                        p808=float(scores["p808_mos"]))
