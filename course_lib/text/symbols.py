"""Symbol tables: the Glow-TTS ARPAbet layout and the eSpeak NG phoneme inventory.

``ARPABET_SYMBOLS`` (148) reproduces the official Glow-TTS/Tacotron 2 table in its
order: pad ``'_'``, the marks ``-!'(),.:;?`` and space, the 52 letters, then the 84
CMUdict ARPAbet symbols with an ``@`` prefix (15 vowels × {no digit, 0, 1, 2} + 24
consonants, sorted) so the phoneme ``'@B'`` never clashes with the letter ``'B'``.
With the blank of ``base_blank`` a model's vocabulary is 149.

``ESPEAK_SYMBOLS`` (205) is what the built-in corpus and the eSpeak front end use: pad
``'_'`` (id 0), the pause :data:`PAUSE` ``'|'``, then :data:`ESPEAK_PHONEMES`.
"""

from __future__ import annotations

PAD = "_"
"""Padding symbol, id 0 in both tables."""

PAUSE = "|"
"""A pause eSpeak spoke (it reports one as an empty phoneme event). ``'|'`` is the IPA
minor (foot) group boundary; ``'_'`` is taken by padding."""

ARPABET_PUNCTUATION = "-!'(),.:;? "
"""The Glow-TTS marks, in table order: its ``_special`` '-' then ``_punctuation`` (space last)."""

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

_VOWELS = ("AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW")
_CONSONANTS = ("B", "CH", "D", "DH", "F", "G", "HH", "JH", "K", "L", "M", "N", "NG", "P", "R", "S", "SH",
               "T", "TH", "V", "W", "Y", "Z", "ZH")
CMU_PHONEMES = _VOWELS + _CONSONANTS
"""The 39 ARPAbet phonemes of CMUdict, stress not written."""

ARPABET_PHONES: tuple[str, ...] = tuple(sorted(
    [vowel + stress for vowel in _VOWELS for stress in ("", "0", "1", "2")] + list(_CONSONANTS)
))
"""The 84 symbols of ``cmudict.symbols()`` (vowels bare and with stress 0/1/2, consonants), sorted."""

ARPABET_SYMBOLS: tuple[str, ...] = (PAD, *ARPABET_PUNCTUATION, *LETTERS, *("@" + p for p in ARPABET_PHONES))

# Every phoneme-event string eSpeak NG 1.52 (espeakng-loader 0.2.4) emitted while speaking
# ~2,000 varied texts (12,000 dictionary words with punctuation, nonwords, raw numbers,
# money, dates, letters, initialisms, accented and foreign words) with the English
# languages en-us, en, en-029, en-gb-scotland, en-gb-x-gbclan, en-gb-x-gbcwmd, en-gb-x-rp
# and en-us-nyc, and a sample of them with the variants en+m1..m7, en+f1..f5, en-us+klatt,
# en-us+whisper, en-us+croak, en+klatt4 at rates 120-260 (variants change the voice, not
# the phonemes), then the whole CMU word list (126k words) with en-us and en and 20k words
# with each regional language: that pass added only the nasal vowels of French names and 'ˈɐ'.
# Stress marks stay on the vowel as eSpeak attaches them; the Scottish voice's ASCII
# 'a:' is read as 'aː'. Sorted by code point.
ESPEAK_PHONEMES: tuple[str, ...] = (
    'a', 'aa', 'aɪ', 'aɪə', 'aɪɚ', 'aʊ', 'aː', 'b', 'd', 'dʒ', 'e', 'ei', 'eə', 'eɪ', 'eː', 'f',
    'h', 'i', 'iə', 'iː', 'j', 'k', 'l', 'm', 'n', 'n̩', 'o', 'oə', 'oɪ', 'oʊ', 'oː', 'p', 'r',
    's', 't', 'tʃ', 't̪', 'uː', 'v', 'w', 'x', 'z', 'æ', 'æʊ', 'ð', 'ŋ', 'ɐ', 'ɑə', 'ɑː', 'ɑːɹ',
    'ɑ̃', 'ɒ', 'ɔ', 'ɔə', 'ɔɪ', 'ɔː', 'ɔːɹ', 'ɔ̃', 'ə', 'əl', 'əu', 'əɪ', 'əɹ', 'əʊ', 'ɚ', 'ɛ',
    'ɛə', 'ɛɹ', 'ɜ', 'ɜː', 'ɡ', 'ɪ', 'ɪɹ', 'ɬ', 'ɹ', 'ɾ', 'ʃ', 'ʉ', 'ʉɹ', 'ʊ', 'ʊə', 'ʊɹ', 'ʌ',
    'ʌɹ', 'ʌʉ', 'ʌʊ', 'ʍ', 'ʒ', 'ʔ', 'ʲ', 'ˈa', 'ˈaa', 'ˈaɪ', 'ˈaɪə', 'ˈaɪɚ', 'ˈaʊ', 'ˈaː', 'ˈe',
    'ˈei', 'ˈeə', 'ˈeɪ', 'ˈeː', 'ˈi', 'ˈiə', 'ˈiː', 'ˈo', 'ˈoə', 'ˈoɪ', 'ˈoʊ', 'ˈoː', 'ˈuː', 'ˈæ',
    'ˈæʊ', 'ˈɐ', 'ˈɑə', 'ˈɑː', 'ˈɑːɹ', 'ˈɑ̃', 'ˈɒ', 'ˈɔ', 'ˈɔə', 'ˈɔɪ', 'ˈɔː', 'ˈɔːɹ', 'ˈə', 'ˈəl',
    'ˈəu', 'ˈəɪ', 'ˈəɹ', 'ˈəʊ', 'ˈɚ', 'ˈɛ', 'ˈɛə', 'ˈɛɹ', 'ˈɜ', 'ˈɜː', 'ˈɪ', 'ˈɪɹ', 'ˈʉ', 'ˈʉɹ',
    'ˈʉː', 'ˈʊ', 'ˈʊə', 'ˈʊɹ', 'ˈʌ', 'ˈʌɹ', 'ˈʌʉ', 'ˈʌʊ', 'ˌa', 'ˌaa', 'ˌaɪ', 'ˌaɪə', 'ˌaɪɚ',
    'ˌaʊ', 'ˌaː', 'ˌe', 'ˌei', 'ˌeə', 'ˌeɪ', 'ˌeː', 'ˌi', 'ˌiə', 'ˌiː', 'ˌn̩', 'ˌo', 'ˌoə', 'ˌoɪ',
    'ˌoʊ', 'ˌoː', 'ˌuː', 'ˌæ', 'ˌæʊ', 'ˌɑə', 'ˌɑː', 'ˌɑːɹ', 'ˌɒ', 'ˌɔ', 'ˌɔə', 'ˌɔɪ', 'ˌɔː',
    'ˌɔːɹ', 'ˌə', 'ˌəu', 'ˌəɪ', 'ˌəɹ', 'ˌəʊ', 'ˌɛ', 'ˌɛə', 'ˌɛɹ', 'ˌɜː', 'ˌɪ', 'ˌɪɹ', 'ˌʉ', 'ˌʉɹ',
    'ˌʊ', 'ˌʊə', 'ˌʊɹ', 'ˌʌ', 'ˌʌɹ', 'ˌʌʉ', 'ˌʌʊ', 'θ', 'ᵻ',
)
ESPEAK_SYMBOLS: tuple[str, ...] = (PAD, PAUSE, *ESPEAK_PHONEMES)
