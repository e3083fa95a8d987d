"""Text–mel(–wave) examples for training, and the padding collate.

``TextMelDataset`` turns corpus records into :class:`TextMelItem` (token ids,
log-mel from :func:`course_lib.audio.mel_spectrogram`, optional durations,
speaker id, optional wave, optional F0 per frame). :func:`collate` pads a list of items into a
:class:`TextMelBatch`. Shapes use B batch, T_text tokens, T_mel frames, N samples.
(Vocoder training cuts its own random segments: ``course_lib.data.segments``.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Callable, Mapping, Sequence

import torch

from course_lib.data.corpus import Corpus, UtteranceRecord

# Padding value for mels: the log-mel of silence (log of the 1e-5 clamp), so a
# padded mel looks like the mel of a zero-padded wave.
SILENCE_LOG_MEL = math.log(1e-5)


@dataclass(frozen=True)
class TextMelItem:
    """One example: ``tokens [T_text]``, ``mel [80, T_mel]``, ``durations [T_text]`` or None, ``wave [N]`` or None,
    ``f0 [T_mel]`` (Hz, 0 = unvoiced) or None."""

    id: str
    tokens: torch.Tensor
    mel: torch.Tensor
    durations: torch.Tensor | None
    speaker: int
    wave: torch.Tensor | None = None
    f0: torch.Tensor | None = None


@dataclass(frozen=True)
class TextMelBatch:
    """A padded batch.

    ``tokens [B, T_text]`` (pad id), ``token_lengths [B]``, ``mels [B, 80, T_mel]``
    (padded with the silence log-mel), ``mel_lengths [B]``, ``durations [B, T_text]``
    (0 on padding; None when the corpus has none), ``speakers [B]``, ``waves
    [B, 1, N]`` and ``wave_lengths [B]`` when waves were asked for, ``f0 [B, T_mel]``
    (Hz, 0 where unvoiced and on padding) when pitch was asked for.
    """

    ids: tuple[str, ...]
    tokens: torch.Tensor
    token_lengths: torch.Tensor
    mels: torch.Tensor
    mel_lengths: torch.Tensor
    speakers: torch.Tensor
    durations: torch.Tensor | None = None
    waves: torch.Tensor | None = None
    wave_lengths: torch.Tensor | None = None
    f0: torch.Tensor | None = None

    @property
    def token_mask(self) -> torch.Tensor:
        """``[B, 1, T_text]`` float, 1 on real tokens."""
        from course_lib.nn.masks import sequence_mask

        return sequence_mask(self.token_lengths, self.tokens.shape[1])

    @property
    def mel_mask(self) -> torch.Tensor:
        """``[B, 1, T_mel]`` float, 1 on real frames."""
        from course_lib.nn.masks import sequence_mask

        return sequence_mask(self.mel_lengths, self.mels.shape[2])

    def to(self, device: torch.device | str) -> "TextMelBatch":
        """The same batch with every tensor on ``device``."""
        moved = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, value in moved.items():
            if isinstance(value, torch.Tensor):
                moved[name] = value.to(device, non_blocking=True)
        return replace(self, **moved)

    def __len__(self) -> int:
        return len(self.ids)


def _pad_stack(tensors: Sequence[torch.Tensor], value: float) -> torch.Tensor:
    """Right-pad tensors along their last axis to the longest and stack: ``[B, ..., T_max]``."""
    longest = max(t.shape[-1] for t in tensors)
    return torch.stack([torch.nn.functional.pad(t, (0, longest - t.shape[-1]), value=value) for t in tensors])


def collate(items: Sequence[TextMelItem], pad_id: int = 0) -> TextMelBatch:
    """Pad a list of :class:`TextMelItem` into a :class:`TextMelBatch` (order kept)."""
    if not items:
        raise ValueError("cannot collate an empty list of examples")
    has_durations = all(item.durations is not None for item in items)
    has_waves = all(item.wave is not None for item in items)
    has_f0 = all(item.f0 is not None for item in items)
    return TextMelBatch(
        ids=tuple(item.id for item in items),
        tokens=_pad_stack([item.tokens for item in items], pad_id),                    # [B, T_text]
        token_lengths=torch.tensor([item.tokens.shape[-1] for item in items]),
        mels=_pad_stack([item.mel for item in items], SILENCE_LOG_MEL),               # [B, 80, T_mel]
        mel_lengths=torch.tensor([item.mel.shape[-1] for item in items]),
        speakers=torch.tensor([item.speaker for item in items]),
        durations=_pad_stack([item.durations for item in items], 0) if has_durations else None,
        waves=_pad_stack([item.wave for item in items], 0.0).unsqueeze(1) if has_waves else None,  # [B, 1, N]
        wave_lengths=torch.tensor([item.wave.shape[-1] for item in items]) if has_waves else None,
        f0=_pad_stack([item.f0 for item in items], 0.0) if has_f0 else None,                # [B, T_mel]
    )


def _with_blanks(durations: list[int], n_tokens: int) -> list[int]:
    """Durations for a blank-interspersed sequence: blanks take 0 frames (sum unchanged)."""
    if n_tokens == len(durations):
        return durations
    if n_tokens == 2 * len(durations) + 1:
        spread = [0] * n_tokens
        spread[1::2] = durations
        return spread
    raise ValueError(f"{len(durations)} durations cannot be matched to {n_tokens} tokens; the tokenizer must map "
                     "one symbol to one id (optionally with blanks between)")


class TextMelDataset(torch.utils.data.Dataset):
    """Corpus records → :class:`TextMelItem`.

    ``tokenizer`` encodes symbol lists (default: the corpus's); ``frontend`` maps a
    record to its symbols (default: the corpus's :meth:`Corpus.symbols_for`, or the
    stored phonemes for plain records). ``return_wave`` adds each item's wave
    (a model that slices its own audio windows, e.g. VITS). ``pitch`` (``{id: F0 [T_mel]}``,
    :func:`course_lib.data.pitch.corpus_pitch`) adds each item's F0. ``cache_mels`` keeps
    computed mels in memory (each DataLoader worker has its own cache).
    """

    def __init__(self, corpus_or_records: Corpus | Sequence[UtteranceRecord], tokenizer=None,
                 frontend: Callable[[UtteranceRecord], list[str]] | None = None, return_wave: bool = False,
                 cache_mels: bool = False, pitch: Mapping[str, object] | None = None):
        corpus = corpus_or_records if isinstance(corpus_or_records, Corpus) else None
        self.records = tuple(corpus_or_records)
        if not self.records:
            raise ValueError("the dataset has no utterances: check the corpus folder and the split name")
        if tokenizer is None:
            if corpus is None:
                raise ValueError("pass a tokenizer when giving plain records (or pass the Corpus itself)")
            tokenizer = corpus.tokenizer
        if frontend is None:
            frontend = corpus.symbols_for if corpus is not None else _stored_phonemes
        self.tokenizer = tokenizer
        self.frontend = frontend
        self.return_wave = return_wave
        self.pitch = pitch
        self.cache_mels = cache_mels
        self._mels: dict[int, torch.Tensor] = {}
        self._tokens: dict[int, list[int]] = {}
        self._lengths: list[int] | None = None

    def __len__(self) -> int:
        return len(self.records)

    @property
    def mel_lengths(self) -> list[int]:
        """Mel frames per item (from durations, else from the audio file header) — for length bucketing."""
        if self._lengths is None:
            self._lengths = [_n_frames(record) for record in self.records]
        return self._lengths

    def check_alignable(self) -> None:
        """Raise naming the first clip with fewer mel frames than tokens (a text–mel alignment gives every token
        at least one frame), or whose length cannot be read. Phonemizes every record once (cached)."""
        from course_lib.audio import HOP_LENGTH, SAMPLE_RATE

        for index, (record, frames) in enumerate(zip(self.records, self.mel_lengths)):
            try:
                n_tokens = len(self.tokens(index))
            except ValueError as err:  # text the front end cannot read (TextError)
                raise ValueError(f"utterance {record.id} ({record.wav_path}): {err}; fix its transcript in "
                                 "metadata.csv or delete the line") from err
            if frames < n_tokens:
                raise ValueError(
                    f"{record.wav_path} (utterance {record.id}) lasts {frames * HOP_LENGTH / SAMPLE_RATE:.2f} s, "
                    f"{frames} mel frames for {n_tokens} tokens (at least one each is needed): remove its line from "
                    "metadata.csv or fix its transcript")

    def tokens(self, index: int) -> list[int]:
        if index not in self._tokens:
            self._tokens[index] = list(self.tokenizer.encode(self.frontend(self.records[index])))
        return self._tokens[index]

    def _load(self, index: int) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``mel [80, T_mel]`` and, if needed, ``wave [N]`` (N trimmed to T_mel·256)."""
        from course_lib.audio import HOP_LENGTH, SAMPLE_RATE, load_audio, mel_spectrogram

        record = self.records[index]
        mel = self._mels.get(index)
        wave = None
        if mel is None or self.return_wave:
            wave = torch.from_numpy(load_audio(record.wav_path, SAMPLE_RATE))
            if not torch.isfinite(wave).all():
                raise ValueError(f"{record.wav_path} (utterance {record.id}) holds NaN or infinite samples; "
                                 "re-export it as 16-bit PCM or remove its line from metadata.csv")
            if mel is None:
                mel = mel_spectrogram(wave)                                   # [80, N // 256]
                if record.durations is not None and sum(record.durations) != mel.shape[-1]:
                    raise ValueError(f"{record.wav_path}: durations sum to {sum(record.durations)} frames but the "
                                     f"audio has {mel.shape[-1]}; the corpus is out of date — rebuild it")
                if self.cache_mels:
                    self._mels[index] = mel
            wave = wave[: mel.shape[-1] * HOP_LENGTH]
        return mel, wave

    def __getitem__(self, index: int) -> TextMelItem:
        record = self.records[index]
        tokens = self.tokens(index)
        mel, wave = self._load(index)
        durations = None
        if record.durations is not None:
            durations = torch.tensor(_with_blanks(list(record.durations), len(tokens)), dtype=torch.long)
        f0 = None
        if self.pitch is not None:
            from course_lib.data.pitch import check_frames

            f0 = torch.from_numpy(check_frames(self.pitch, record.id, mel.shape[-1], record.wav_path))
        return TextMelItem(id=record.id, tokens=torch.tensor(tokens, dtype=torch.long), mel=mel,
                           durations=durations, speaker=record.speaker,
                           wave=wave if self.return_wave else None, f0=f0)

    def collate(self, items: Sequence[TextMelItem]) -> TextMelBatch:
        """:func:`collate` with this dataset's pad id (pass as ``DataLoader(collate_fn=dataset.collate)``)."""
        return collate(items, pad_id=self.tokenizer.pad_id)


def _stored_phonemes(record: UtteranceRecord) -> list[str]:
    if record.phonemes is None:
        raise ValueError(f"{record.id} has no stored phonemes; pass a frontend (e.g. course_lib.text.phonemize "
                         f"on record.text) or the Corpus, which knows its front end")
    return list(record.phonemes)


def _n_frames(record: UtteranceRecord) -> int:
    """Mel frames of a record without decoding audio (durations, else the file header)."""
    import soundfile as sf

    from course_lib.audio import HOP_LENGTH, SAMPLE_RATE

    if record.durations is not None:
        return sum(record.durations)
    try:
        info = sf.info(str(record.wav_path))
    except Exception as err:
        raise ValueError(f"cannot read audio file {record.wav_path}: {err}; re-export or remove it") from err
    return int(info.frames * SAMPLE_RATE / info.samplerate) // HOP_LENGTH
