"""The recognizer network, CTC loss and greedy CTC decoding.

Shapes: B batch, F = 80 mel bins, T mel frames, T' = output frames (T / ``time_stride``), V symbols.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.models.recognizer.config import RecognizerConfig
from course_lib.nn.masks import sequence_mask

BLANK_ID = 0  # the pad symbol of every course symbol table ('_'): never spoken, so it serves as the CTC blank
PAUSE_ID = 1  # '|' in ESPEAK_SYMBOLS


@dataclass(frozen=True)
class RecognizerOutput:
    """``log_probs [B, T', V]`` (log-softmax over symbols, blank = 0) and ``lengths [B]`` of real output frames."""

    log_probs: torch.Tensor
    lengths: torch.Tensor


class _ConvBlock(nn.Module):
    """Conv1d → LayerNorm over channels → GELU → dropout, residual when shapes allow."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, dropout: float):
        super().__init__()
        self.conv = nn.Conv1d(in_channels, out_channels, kernel, stride=stride, padding=kernel // 2)
        self.norm = nn.LayerNorm(out_channels)
        self.dropout = nn.Dropout(dropout)
        self.residual = in_channels == out_channels and stride == 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [B, C, T] → [B, C', T']
        y = self.conv(x)
        y = self.dropout(F.gelu(self.norm(y.transpose(1, 2)).transpose(1, 2)))
        return x + y if self.residual else y


class PhonemeRecognizer(nn.Module):
    """Log-mel ``[B, 80, T]`` → per-frame log-probabilities over the symbol table (CTC)."""

    def __init__(self, config: RecognizerConfig):
        super().__init__()
        self.config = config
        c = config
        blocks = [_ConvBlock(c.n_mels, c.conv_channels, c.conv_kernel, c.time_stride, c.dropout)]
        blocks += [_ConvBlock(c.conv_channels, c.conv_channels, c.conv_kernel, 1, c.dropout)
                   for _ in range(c.conv_layers - 1)]
        self.convs = nn.Sequential(*blocks)
        self.rnn = nn.GRU(c.conv_channels, c.rnn_hidden, num_layers=c.rnn_layers, batch_first=True,
                          bidirectional=True, dropout=c.dropout if c.rnn_layers > 1 else 0.0)
        self.dropout = nn.Dropout(c.dropout)
        self.proj = nn.Linear(2 * c.rnn_hidden, c.n_vocab)

    # ---- shapes
    def output_lengths(self, mel_lengths: torch.Tensor) -> torch.Tensor:
        """Output frames for ``mel_lengths`` input frames (the first conv's stride, centred padding)."""
        k, s = self.config.conv_kernel, self.config.time_stride
        return torch.div(mel_lengths + 2 * (k // 2) - k, s, rounding_mode="floor") + 1

    @staticmethod
    def normalize(mels: torch.Tensor, mel_lengths: torch.Tensor) -> torch.Tensor:
        """Per utterance: subtract each bin's mean over the real frames, divide by one overall std (padding → 0).

        The recognizer then ignores the recording level and a fixed spectral tilt (a vocoder's, a microphone's).
        """
        mask = sequence_mask(mel_lengths, mels.shape[-1]).to(mels.dtype)               # [B, 1, T]
        count = mask.sum(-1, keepdim=True).clamp_min(1.0)                               # [B, 1, 1]
        mean = (mels * mask).sum(-1, keepdim=True) / count                              # [B, F, 1]
        centred = (mels - mean) * mask
        var = centred.pow(2).sum((1, 2), keepdim=True) / (count * mels.shape[1])       # [B, 1, 1]
        return centred / var.sqrt().clamp_min(1e-2)

    # ---- forward
    def forward(self, mels: torch.Tensor, mel_lengths: torch.Tensor | None = None) -> RecognizerOutput:
        if mels.dim() != 3 or mels.shape[1] != self.config.n_mels:
            raise ValueError(f"expected log-mels [B, {self.config.n_mels}, T], got shape {tuple(mels.shape)}")
        if mel_lengths is None:
            mel_lengths = torch.full((mels.shape[0],), mels.shape[-1], dtype=torch.long, device=mels.device)
        x = self.convs[0](self.normalize(mels, mel_lengths))                            # [B, C, T']
        lengths = self.output_lengths(mel_lengths).clamp(1, x.shape[-1])
        mask = sequence_mask(lengths, x.shape[-1]).to(x.dtype)                          # [B, 1, T']
        for block in self.convs[1:]:  # padding stays zero, so no real frame sees it (batched == alone)
            x = block(x * mask)
        packed = nn.utils.rnn.pack_padded_sequence(x.transpose(1, 2), lengths.cpu(), batch_first=True,
                                                   enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[-1])  # [B, T', 2H]
        logits = self.proj(self.dropout(out)).float()
        return RecognizerOutput(log_probs=F.log_softmax(logits, dim=-1), lengths=lengths)

    def ctc_loss(self, mels: torch.Tensor, mel_lengths: torch.Tensor, targets: Sequence[Sequence[int]]) -> torch.Tensor:
        """Mean CTC loss per target symbol (``reduction="mean"``) of a batch; ``targets``: one id list per item."""
        out = self(mels, mel_lengths)
        return ctc_loss(out, targets)

    @torch.no_grad()
    def recognize(self, mels: torch.Tensor, mel_lengths: torch.Tensor | None = None) -> list[list[int]]:
        """Greedy CTC transcripts (symbol ids) of ``[80, T]`` or ``[B, 80, T]`` log-mels, in eval mode."""
        was_training = self.training
        self.eval()
        try:
            single = mels.dim() == 2
            out = self(mels.unsqueeze(0) if single else mels, mel_lengths)
        finally:
            self.train(was_training)
        return greedy_decode(out.log_probs, out.lengths)


def ctc_loss(out: RecognizerOutput, targets: Sequence[Sequence[int]]) -> torch.Tensor:
    """CTC (blank 0) of ``out`` against one id list per item, averaged per target symbol then over the batch."""
    lengths = torch.tensor([len(t) for t in targets], dtype=torch.long)
    if (lengths == 0).any():
        raise ValueError("an utterance has no phonemes to recognise (empty target); remove it from the data")
    flat = torch.tensor([i for t in targets for i in t], dtype=torch.long)
    return F.ctc_loss(out.log_probs.transpose(0, 1), flat.to(out.log_probs.device), out.lengths.cpu(), lengths,
                      blank=BLANK_ID, reduction="mean", zero_infinity=True)


def greedy_decode(log_probs: torch.Tensor, lengths: torch.Tensor | None = None, blank: int = BLANK_ID) -> list[list[int]]:
    """Best path: the most likely symbol per frame, repeats merged, blanks dropped.

    ``log_probs [B, T, V]`` (or ``[T, V]``, or probabilities — only the argmax matters) → one id list per item.
    """
    if log_probs.dim() == 2:
        log_probs = log_probs.unsqueeze(0)
    if log_probs.dim() != 3:
        raise ValueError(f"expected a posteriorgram [B, T, V] or [T, V], got shape {tuple(log_probs.shape)}")
    best = log_probs.argmax(-1).cpu()                                                   # [B, T]
    if lengths is None:
        lengths = torch.full((best.shape[0],), best.shape[1], dtype=torch.long)
    decoded = []
    for row, length in zip(best.tolist(), lengths.tolist()):
        ids, previous = [], None
        for symbol in row[: int(length)]:
            if symbol != previous and symbol != blank:
                ids.append(symbol)
            previous = symbol
        decoded.append(ids)
    return decoded


def phoneme_error_rate(references: Sequence[Sequence[str]], hypotheses: Sequence[Sequence[str]]) -> float:
    """Corpus PER: (substitutions + deletions + insertions) / reference phonemes, by ``jiwer`` on the
    phoneme tokens joined by spaces (a kept edit-distance library). Can exceed 1 (insertions)."""
    import jiwer

    if isinstance(references, str) or isinstance(hypotheses, str):
        raise TypeError("give lists of phoneme lists, e.g. [['h', 'ə', 'l', 'ˈoʊ']], not a string")
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses: give one of each per utterance")
    if not references:
        raise ValueError("no utterances to score: give at least one reference and hypothesis")
    for reference in references:
        if not reference:
            raise ValueError("a reference has no phonemes; PER divides by the reference length — drop it")
    for sequence in (*references, *hypotheses):
        if isinstance(sequence, str):
            raise TypeError(f"each utterance is a list of phoneme symbols, got the string {sequence!r}")
        bad = [s for s in sequence if not s or any(ch.isspace() for ch in s)]
        if bad:
            raise ValueError(f"phoneme symbols must be non-empty and hold no spaces, got {bad[:3]}")
    return float(jiwer.wer([" ".join(r) for r in references], [" ".join(h) if h else "" for h in hypotheses]))
