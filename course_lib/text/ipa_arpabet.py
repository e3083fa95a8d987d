"""eSpeak NG's English IPA → ARPAbet with stress digits.

eSpeak writes stress before the vowel it belongs to (``həlˈoʊ``), so a stress mark
gives its digit (``ˈ`` → 1, ``ˌ`` → 2) to the next vowel; a vowel with no mark gets 0,
as in the CMU dictionary. The string is cut into segments by longest match against
:data:`IPA_TO_ARPABET`, so ``aɪɚ`` is one segment (AY ER) and ``ɑːɹ`` another (AA R).

The table covers every phoneme eSpeak's English voices emit (the symbols of
:data:`course_lib.text.symbols.ESPEAK_SYMBOLS`): General American (``en-us``), British
(``en``, ``en-gb-x-rp``) and the regional voices. ARPAbet has only General American's
39 phonemes, so dialect vowels go to the General American phoneme of the same lexical
set (Wells 1982): the Welsh-English ``ei`` of *bee* is IY, the Scottish ``ʌʉ`` of
*mouth* is AW, the New York ``əɪ`` of *bird* is ER. Where eSpeak's en-us and British
voices disagree about a symbol, the en-us reading wins: ``iə`` (en-us *idea*) is IY AH.
Allophones go to their phoneme: the flap ``ɾ`` and glottal stop ``ʔ`` are T (CMUdict
writes *butter* and *button* with T), syllabic ``n̩`` is AH N. eSpeak's linking r after
an r-coloured vowel is dropped (CMUdict never writes ER R or R R).

Checked against CMUdict on words it knows: phone error rate (stress ignored) ~2 % on
common words, ~11 % on a random sample (mostly surnames, where spelling is a poor guide).
"""

from __future__ import annotations

import re
import unicodedata

ARPABET_VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
ARPABET_CONSONANTS = frozenset("B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH".split())

STRESS_DIGITS = {"ˈ": "1", "ˌ": "2"}

IPA_TO_ARPABET: dict[str, tuple[str, ...]] = {
    # monophthongs
    "i": ("IY",), "iː": ("IY",), "ɪ": ("IH",), "ᵻ": ("IH",),
    "e": ("EY",), "eː": ("EY",), "ɛ": ("EH",), "æ": ("AE",), "a": ("AE",),
    "aː": ("AA",), "a:": ("AA",), "aa": ("AA",), "ɑ": ("AA",), "ɑː": ("AA",), "ɒ": ("AA",),
    "ɔ": ("AO",), "ɔː": ("AO",), "o": ("OW",), "oː": ("OW",),
    "ʌ": ("AH",), "ə": ("AH",), "ɐ": ("AH",),
    "ʊ": ("UH",), "ʉ": ("UH",), "u": ("UW",), "uː": ("UW",), "ʉː": ("UW",),
    "ɜ": ("ER",), "ɜː": ("ER",), "ɚ": ("ER",),
    # diphthongs
    "eɪ": ("EY",), "aɪ": ("AY",), "ɔɪ": ("OY",), "oɪ": ("OY",), "aʊ": ("AW",), "æʊ": ("AW",),
    "ʌʉ": ("AW",), "oʊ": ("OW",), "əʊ": ("OW",), "ʌʊ": ("OW",),
    "ei": ("IY",), "əu": ("UW",), "əɪ": ("ER",), "ɛə": ("AE",),
    # centring diphthongs and r-coloured vowels
    "iə": ("IY", "AH"), "iəɹ": ("IH", "R"), "eə": ("EH", "R"), "ʊə": ("UH", "R"), "oə": ("AO", "R"), "ɔə": ("AO", "R"),
    "ɑə": ("AA", "R"), "aɪə": ("AY", "ER"), "aɪɚ": ("AY", "ER"),
    "ɑːɹ": ("AA", "R"), "ɔːɹ": ("AO", "R"), "ɛɹ": ("EH", "R"), "ɪɹ": ("IH", "R"), "ʊɹ": ("UH", "R"),
    "ʉɹ": ("UH", "R"), "əɹ": ("ER",), "ʌɹ": ("ER",),
    # syllabic consonants and nasal vowels (French names)
    "əl": ("AH", "L"), "n̩": ("AH", "N"), "ɑ̃": ("AA", "N"), "ɔ̃": ("AO", "N"),
    # consonants
    "p": ("P",), "b": ("B",), "t": ("T",), "d": ("D",), "k": ("K",), "ɡ": ("G",),
    "f": ("F",), "v": ("V",), "θ": ("TH",), "ð": ("DH",), "s": ("S",), "z": ("Z",),
    "ʃ": ("SH",), "ʒ": ("ZH",), "h": ("HH",), "tʃ": ("CH",), "dʒ": ("JH",),
    "m": ("M",), "n": ("N",), "ŋ": ("NG",), "l": ("L",), "ɹ": ("R",), "r": ("R",),
    "j": ("Y",), "w": ("W",),
    # allophones and regional consonants
    "ɾ": ("T",), "ʔ": ("T",), "t̪": ("TH",), "x": ("K",), "ʍ": ("W",), "ɬ": ("L",), "ʲ": ("Y",),
}

_SEGMENT = re.compile(
    "|".join(re.escape(key) for key in sorted(IPA_TO_ARPABET, key=len, reverse=True)) + r"|[ˈˌ]|\s+|."
)


def _ends_in_r(phone: str) -> bool:
    """eSpeak writes a linking r after r-coloured vowels (``ɡˈʊɹɹuː``, ``dɚɹˈɛkt``);
    CMUdict's ER already holds the r and it never doubles R, so that R is dropped."""
    return phone == "R" or phone.startswith("ER")


def ipa_to_arpabet(ipa: str) -> list[str]:
    """``'həlˈoʊ wˈɜːld'`` → ``['HH', 'AH0', 'L', 'OW1', ' ', 'W', 'ER1', 'L', 'D']``.

    Words (runs of whitespace) come out as one ``' '`` token. Length marks and
    diacritics the table does not know are skipped (``ɛ̃`` reads as ``ɛ``); any other
    symbol raises a ValueError naming it.
    """
    phones: list[str] = []
    stress = "0"
    for match in _SEGMENT.finditer(ipa.strip()):
        piece = match.group(0)
        if piece in STRESS_DIGITS:
            stress = STRESS_DIGITS[piece]
        elif piece.isspace():
            phones.append(" ")
        elif piece in IPA_TO_ARPABET:
            for phone in IPA_TO_ARPABET[piece]:
                if phone in ARPABET_VOWELS:
                    phones.append(phone + stress)
                    stress = "0"  # the mark belongs to the first vowel only
                elif not (phone == "R" and phones and _ends_in_r(phones[-1])):
                    phones.append(phone)
        elif piece == "ː" or unicodedata.category(piece) == "Mn":
            continue
        else:
            raise ValueError(
                f"no ARPAbet for the IPA symbol {piece!r} (U+{ord(piece):04X}) in {ipa!r}; "
                "add it to course_lib.text.ipa_arpabet.IPA_TO_ARPABET"
            )
    return phones
