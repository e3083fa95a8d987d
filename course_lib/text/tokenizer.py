"""Symbols ↔ integer ids, with the optional blank of Glow-TTS and VITS.

A :class:`Tokenizer` is a symbol table with a fixed order: ``symbols[0]`` is the
padding symbol (id 0, what :func:`collate` pads with). With ``add_blank=True`` a blank
id is appended *after* the table (``blank_id == len(symbols)``, so ``n_vocab`` grows by
one — the Glow-TTS ``base_blank`` layout: 148 symbols + blank = 149) and
:meth:`Tokenizer.encode` intersperses it between all tokens and at both ends.

In the ARPAbet table phonemes are written with an ``@`` (``'@HH'``) so they never clash
with the letters (``'B'`` the letter vs ``'@B'`` the phoneme). :func:`phonemize` returns
bare phonemes (``'HH'``), so the tokenizer reads a bare name that has an ``@`` entry as
that phoneme; :meth:`Tokenizer.decode` gives the table's own spelling (``'@HH'``).
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence, TypeVar

T = TypeVar("T")


def intersperse(items: Sequence[T], blank: T) -> list[T]:
    """``[a, b, c]`` → ``[blank, a, blank, b, blank, c, blank]`` (length ``2 n + 1``).

    The blank gives monotonic alignment a state between every pair of symbols, where
    transitions can sit (Glow-TTS ``add_blank``; VITS uses the same layout).
    """
    result = [blank] * (2 * len(items) + 1)
    result[1::2] = items
    return result


class Tokenizer:
    """Encode symbol lists to ids and back over a fixed table.

    ``Tokenizer(ARPABET_SYMBOLS).encode(['HH', 'AH0', 'L', 'OW1'])`` → ``[106, 73, 117, 123]``.
    """

    def __init__(self, symbols: Sequence[str], add_blank: bool = False):
        if isinstance(symbols, str) or not symbols:
            raise ValueError("symbols must be a non-empty sequence of strings, e.g. ARPABET_SYMBOLS")
        duplicates = sorted(symbol for symbol, count in Counter(symbols).items() if count > 1)
        if duplicates:
            raise ValueError(f"symbol table has duplicates {duplicates}: each symbol needs one id")
        self.symbols: tuple[str, ...] = tuple(symbols)
        self.add_blank = bool(add_blank)
        self._ids = {symbol: index for index, symbol in enumerate(self.symbols)}
        # bare ARPAbet names ('HH') resolve to the '@' phoneme entry, overriding letters ('B')
        for index, symbol in enumerate(self.symbols):
            if symbol.startswith("@") and len(symbol) > 1:
                self._ids[symbol[1:]] = index

    @property
    def n_vocab(self) -> int:
        """Size of the embedding table a model needs: the symbols, plus one if blanks are added."""
        return len(self.symbols) + int(self.add_blank)

    @property
    def pad_id(self) -> int:
        """Id of the padding symbol (the table's first entry)."""
        return 0

    @property
    def blank_id(self) -> int | None:
        """Id of the blank (``len(symbols)``), or ``None`` without ``add_blank``."""
        return len(self.symbols) if self.add_blank else None

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Symbols → ids (blanks interspersed when ``add_blank``). Unknown symbols raise a ValueError naming them."""
        if isinstance(tokens, str):
            raise TypeError("encode takes a list of symbols, not a str: use phonemize(text), "
                            "espeak_phonemes(text) or text_to_ids(text)")
        unknown = sorted({token for token in tokens if token not in self._ids})
        if unknown:
            raise ValueError(
                f"symbols not in this table: {unknown[:20]}{' ...' if len(unknown) > 20 else ''}; "
                f"the table has {len(self.symbols)} symbols, e.g. {list(self.symbols[:6])} - use the "
                "front end that matches it (phonemize() for ARPABET_SYMBOLS, espeak_phonemes() for ESPEAK_SYMBOLS)"
            )
        ids = [self._ids[token] for token in tokens]
        return intersperse(ids, self.blank_id) if self.add_blank else ids

    def decode(self, ids: Sequence[int]) -> list[str]:
        """Ids → the table's symbols; blank ids are dropped. Ids outside the table raise a ValueError."""
        bad = sorted({int(i) for i in ids if not 0 <= int(i) < self.n_vocab})
        if bad:
            raise ValueError(f"ids {bad[:20]} are outside this table (0 .. {self.n_vocab - 1})")
        return [self.symbols[int(i)] for i in ids if int(i) != self.blank_id]

    def __repr__(self) -> str:
        return f"Tokenizer({len(self.symbols)} symbols, add_blank={self.add_blank}, n_vocab={self.n_vocab})"
