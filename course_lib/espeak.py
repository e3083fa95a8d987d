"""eSpeak NG through ctypes, from the library the ``espeakng-loader`` wheel ships.

No system package is needed: the wheel carries ``libespeak-ng.so`` and its data.
Two things are used by the course:

* :func:`synthesize` — speak a text with a voice and get the 22,050 Hz waveform
  together with the phoneme events (each phoneme eSpeak spoke and the sample
  where it starts). This is how the built-in corpus gets exact durations.
* :func:`text_to_ipa` — eSpeak's own phonemizer (IPA), as VITS uses.

eSpeak keeps global state, so every call goes through one lock.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import numpy as np

from course_lib.framing import SAMPLE_RATE

# espeak_AUDIO_OUTPUT / initialise options / event types / parameters (speak_lib.h)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INIT_PHONEME_EVENTS = 1
_INIT_PHONEME_IPA = 2
_CHARS_UTF8 = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_PHONEME = 7
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_PARAM_RANGE = 4


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class EspeakError(RuntimeError):
    """eSpeak NG could not be loaded or refused a request."""


class VoiceError(ValueError):
    """A voice name eSpeak NG does not have, with where to find the ones it has."""


class _Voice(ctypes.Structure):  # espeak_VOICE (speak_lib.h)
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p), ("identifier", ctypes.c_char_p),
                ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


@dataclass(frozen=True)
class PhonemeEvent:
    """One phoneme eSpeak spoke: its IPA symbol and the sample where it starts."""

    phoneme: str
    start_sample: int


@dataclass(frozen=True)
class Utterance:
    """What :func:`synthesize` returns.

    ``wave`` is float32 in [-1, 1] at :data:`SAMPLE_RATE`; ``phonemes`` are in
    spoken order with start samples that never decrease.
    """

    wave: np.ndarray
    phonemes: tuple[PhonemeEvent, ...]
    sample_rate: int = SAMPLE_RATE


class _Engine:
    """The loaded library plus the buffers the synth callback fills."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as err:  # pragma: no cover - a dependency of the course
            raise EspeakError(
                "the espeakng-loader package is missing; run the course set-up (`make setup`) "
                "or `pip install espeakng-loader`"
            ) from err
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_path = espeakng_loader.get_data_path().encode()
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INIT_PHONEME_EVENTS | _INIT_PHONEME_IPA
        )
        if rate != SAMPLE_RATE:
            raise EspeakError(f"eSpeak NG initialised at {rate} Hz, expected {SAMPLE_RATE} Hz")
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        self.lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        self.lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
        self.lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        self.lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        self._chunks: list[np.ndarray] = []
        self._events: list[PhonemeEvent] = []
        self._callback = _CALLBACK(self._on_synth)  # keep a reference: ctypes does not
        self.lib.espeak_SetSynthCallback(self._callback)
        self.voice: str | None = None

    def _on_synth(self, wav, num_samples, events) -> int:
        if num_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(num_samples,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            event = events[i]
            if event.type == _EVENT_PHONEME:
                symbol = event.id.string.decode("utf-8", errors="replace")
                self._events.append(PhonemeEvent(symbol, int(event.sample)))
            i += 1
        return 0

    def set_voice(self, voice: str) -> None:
        if voice != self.voice:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise VoiceError(f"eSpeak NG has no voice {voice!r}: `python -m course_lib corpus voices` lists "
                                 "them (e.g. en-us, or en-us+m3 with a variant)")
            self.voice = voice

    def list_voices(self, variants: bool) -> list[tuple[str, str]]:
        """``(name to pass, description)`` of every language voice, or of every variant (``+name``)."""
        spec = _Voice(languages=b"variant") if variants else None
        table = self.lib.espeak_ListVoices(ctypes.byref(spec) if spec is not None else None)
        found, index = [], 0
        while table[index]:
            voice = table[index].contents
            if variants:  # identifier "!v/m3" → "+m3"
                found.append(("+" + voice.identifier.decode().split("/")[-1], voice.name.decode()))
            else:  # languages: a priority byte, then the language name
                found.append((voice.languages[1:].decode(), voice.name.decode()))
            index += 1
        return sorted(found)

    def synth(self, text: str, voice: str, rate: int, pitch: int, pitch_range: int) -> Utterance:
        self.set_voice(voice)
        for param, value in ((_PARAM_RATE, rate), (_PARAM_PITCH, pitch), (_PARAM_RANGE, pitch_range),
                             (_PARAM_VOLUME, 100)):
            self.lib.espeak_SetParameter(param, value, 0)
        self._chunks, self._events = [], []
        encoded = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(encoded)
        status = self.lib.espeak_Synth(buffer, len(encoded), 0, 0, 0, _CHARS_UTF8, None, None)
        if status != 0:
            raise EspeakError(f"eSpeak NG failed to synthesise {text[:40]!r} (status {status})")
        self.lib.espeak_Synchronize()
        pcm = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)
        wave = (pcm.astype(np.float32) / 32768.0).astype(np.float32)
        return Utterance(wave=wave, phonemes=tuple(self._events))

    def to_ipa(self, text: str, voice: str) -> str:
        self.set_voice(voice)
        encoded = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
        pointer = ctypes.c_void_p(ctypes.addressof(encoded))
        pieces = []
        # bit 1 of phonememode selects IPA; the call consumes one clause at a time
        while pointer.value:
            out = self.lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, 0x02)
            if out:
                pieces.append(out.decode("utf-8"))
        return " ".join(p.strip() for p in pieces if p.strip())


_lock = threading.Lock()
_engine: _Engine | None = None


def _get_engine() -> _Engine:
    global _engine
    if _engine is None:
        _engine = _Engine()
    return _engine


def synthesize(text: str, voice: str = "en-us", rate: int = 175, pitch: int = 50,
               pitch_range: int = 50) -> Utterance:
    """Speak ``text`` with eSpeak NG; return the wave and the phonemes it spoke.

    ``rate`` is words per minute (80–450), ``pitch`` and ``pitch_range`` are 0–100.
    """
    if not text or not text.strip():
        raise ValueError("cannot synthesise empty text: give at least one word")
    with _lock:
        return _get_engine().synth(text, voice, rate, pitch, pitch_range)


def check_voice(voice: str) -> str:
    """``voice`` if eSpeak NG has it (``en-us``, ``en-us+m3``…), else a :class:`VoiceError` naming it and how to
    list the voices there are."""
    with _lock:
        _get_engine().set_voice(voice)
    return voice


def list_voices(variants: bool = False) -> list[tuple[str, str]]:
    """eSpeak NG's voices as ``(name, description)``: the languages (``en-us``…), or with ``variants`` the
    voice variants to append with ``+`` (``+m3``, ``+f4``…)."""
    with _lock:
        return _get_engine().list_voices(variants)


def text_to_ipa(text: str, voice: str = "en-us") -> str:
    """eSpeak NG's IPA transcription of ``text`` (words separated by spaces)."""
    if not text or not text.strip():
        raise ValueError("cannot phonemize empty text: give at least one word")
    with _lock:
        return _get_engine().to_ipa(text, voice)
