"""The eSpeak front end: IPA, spoken phoneme symbols, the event → symbol mapping and its table."""

import pytest

from course_lib.espeak import synthesize
from course_lib.text import (ESPEAK_PHONEMES, ESPEAK_SYMBOLS, PAD, PAUSE, TextError, Tokenizer, UnknownEspeakSymbol,
                             espeak_event_symbol, espeak_phonemes, ipa, text_to_ids)

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Would you rather hear the pure measure of a rouge beige garage, or a vision of treasure?",
    "Dr. Nguyen paid $3.50 on 12/05/1984 for 22 croissants; the fire, the power, the hour!",
    "I ❤️ Zürich — naïve résumé, loch, which, button, butter, Xhosa, Llewellyn.",
]


def test_table_layout():
    assert ESPEAK_SYMBOLS[:2] == (PAD, PAUSE) == ("_", "|")
    assert list(ESPEAK_PHONEMES) == sorted(set(ESPEAK_PHONEMES))
    assert len(ESPEAK_SYMBOLS) == 2 + len(ESPEAK_PHONEMES) == 205
    assert {"h", "ə", "l", "ˈoʊ", "ɚ", "ˈaɪɚ", "n̩", "ʔ", "ɾ"} <= set(ESPEAK_PHONEMES)


@pytest.mark.parametrize("voice", ["en-us", "en", "en+m3", "en+f2", "en-us+klatt", "en-us+m7", "en-gb-scotland"])
def test_spoken_symbols_are_in_the_table(voice):
    tokenizer = Tokenizer(ESPEAK_SYMBOLS)
    for sentence in SENTENCES:
        symbols = espeak_phonemes(sentence, voice=voice)
        assert set(symbols) <= set(ESPEAK_SYMBOLS) - {PAD}
        assert max(tokenizer.encode(symbols)) < len(ESPEAK_SYMBOLS)


def test_one_symbol_per_phoneme_event():
    """The corpus keeps one duration per event, so the mapping must neither merge nor drop events."""
    events = synthesize("Hello, world.").phonemes
    symbols = espeak_phonemes("Hello, world.")
    assert len(symbols) == len(events)
    assert symbols == [espeak_event_symbol(e.phoneme) for e in events]
    assert symbols[:4] == ["h", "ə", "l", "ˈoʊ"] and symbols[4] == PAUSE


def test_event_mapping():
    assert espeak_event_symbol("") == PAUSE
    for symbol in ESPEAK_PHONEMES:
        assert espeak_event_symbol(symbol) == symbol
    # unseen strings go to the closest symbol in the table
    assert espeak_event_symbol("ˈa:") == "ˈaː"       # ASCII colon (Scottish voice) read as a length mark
    assert espeak_event_symbol("ˈɔ̃") == "ɔ̃"         # stress dropped
    assert espeak_event_symbol("ˈeɪə") == "ˈeɪ"      # trailing part dropped
    assert espeak_event_symbol("ˈaɪ\ufffd") == "ˈaɪ"  # character cut by eSpeak's 8-byte field
    with pytest.raises(UnknownEspeakSymbol, match=r"'ʎ' \(U\+028E\).*ESPEAK_PHONEMES"):
        espeak_event_symbol("ʎ")
    assert issubclass(UnknownEspeakSymbol, ValueError)


def test_ipa():
    assert ipa("Hello world") == "həlˈoʊ wˈɜːld"
    assert ipa("It costs $2.") == ipa("It costs two dollars.")


def test_text_to_ids_with_espeak():
    tokenizer = Tokenizer(ESPEAK_SYMBOLS, add_blank=True)
    ids = text_to_ids("Hello.", frontend="espeak", add_blank=True)
    assert tokenizer.decode(ids) == espeak_phonemes("Hello.")
    assert ids[0] == ids[-1] == tokenizer.blank_id == 205


@pytest.mark.parametrize("bad", ["", " \t", "🎉🎉", "?!"])
def test_empty_or_unpronounceable_text_raises(bad):
    with pytest.raises(TextError, match="give at least one English word"):
        espeak_phonemes(bad)
    with pytest.raises(TextError):
        ipa(bad)
