"""Text normalisation: numbers, money, abbreviations, Unicode, punctuation, bad input."""

import pytest

from course_lib.text import TextError, cardinal, normalize_text, ordinal, year
from course_lib.text.symbols import ARPABET_PUNCTUATION, LETTERS


@pytest.mark.parametrize("n, words", [
    (0, "zero"), (13, "thirteen"), (21, "twenty one"), (100, "one hundred"), (101, "one hundred one"),
    (1000, "one thousand"), (1_234_567, "one million two hundred thirty four thousand five hundred sixty seven"),
    (10**12, "one trillion"), (-4, "minus four"),
])
def test_cardinal(n, words):
    assert cardinal(n) == words


@pytest.mark.parametrize("n, words", [
    (1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (5, "fifth"), (8, "eighth"), (9, "ninth"),
    (11, "eleventh"), (12, "twelfth"), (20, "twentieth"), (21, "twenty first"), (22, "twenty second"),
    (101, "one hundred first"), (1000, "one thousandth"),
])
def test_ordinal(n, words):
    assert ordinal(n) == words


@pytest.mark.parametrize("n, words", [
    (1984, "nineteen eighty four"), (1905, "nineteen oh five"), (1900, "nineteen hundred"),
    (2000, "two thousand"), (2007, "two thousand seven"), (2010, "twenty ten"), (2024, "twenty twenty four"),
    (1066, "one thousand sixty six"),
])
def test_year(n, words):
    assert year(n) == words


@pytest.mark.parametrize("raw, expected", [
    # numbers in text
    ("I have 2 cats.", "I have two cats."),
    ("Born in 1984.", "Born in nineteen eighty four."),
    ("It was 2007.", "It was two thousand seven."),
    ("On the 1st and the 22nd.", "On the first and the twenty second."),
    ("The 3rd, 11th and 101st.", "The third, eleventh and one hundred first."),
    ("Pi is 3.14.", "Pi is three point one four."),
    ("Half is .5", "Half is point five"),
    ("A crowd of 1,234,567.", "A crowd of one million two hundred thirty four thousand five hundred sixty seven."),
    ("Agent 007", "Agent zero zero seven"),
    ("It is -4 outside", "It is minus four outside"),
    ("The 1980s and '90s", "The nineteen eighties and nineties"),
    ("Add 3/4 cup", "Add three quarters cup"),
    ("Then 1/2 and 5/8", "Then one half and five eighths"),
    ("Walk 5 km or 1 km", "Walk five kilometers or one kilometer"),
    # money and percent
    ("It costs $3.50.", "It costs three dollars and fifty cents."),
    ("Only $1!", "Only one dollar!"),
    ("Just $0.05", "Just five cents"),
    ("A $1,000,000 prize", "A one million dollars prize"),
    ("£1.05 each", "one pound and five pence each"),
    ("€2.5 million", "two point five million euros"),
    ("¥500", "five hundred yen"),
    ("Down 12.5% today", "Down twelve point five percent today"),
    ("100 %", "one hundred percent"),
    # clock times
    ("At 10:30 a.m.", "At ten thirty AM."),
    ("By 7pm", "By seven PM"),
    ("At 10:00 sharp", "At ten o'clock sharp"),
    ("At 9:05", "At nine oh five"),
    # abbreviations
    ("Mr. Smith met Mrs. Jones.", "Mister Smith met Missus Jones."),
    ("Dr. Who and Prof. X", "Doctor Who and Professor X"),
    ("St. Louis is far.", "Saint Louis is far."),
    ("He lives on Main St.", "He lives on Main Street."),
    ("Apples, pears, etc.", "Apples, pears, et cetera."),
    ("Fruit, e.g. apples, i.e. food", "Fruit, for example apples, that is food"),
    ("Room No. 5", "Room number five"),
    ("Acme Inc. is big", "Acme Incorporated is big"),
    ("Cats vs. dogs", "Cats versus dogs"),
    ("The U.S.A. is big", "The USA is big"),
    ("John F. Kennedy", "John F Kennedy"),
    ("Tom & Jerry #1", "Tom and Jerry number one"),
    ("It is 20°C", "It is twenty degrees Celsius"),
    ("2+2=4", "two plus two equals four"),
    # Unicode
    ("“Smart” ‘quotes’", "Smart quotes"),
    ("Wait — what?", "Wait, what?"),
    ("Pages 10–20", "Pages ten to twenty"),
    ("café naïve résumé Zürich", "cafe naive resume Zurich"),
    ("Straße", "Strasse"),
    ("I ❤️ emoji 😀 a lot", "I emoji a lot"),
    ("Hello 世界 world", "Hello world"),
    ("ＡＢＣ １２", "ABC twelve"),
    ("2½ cups", "two and one half cups"),
    ("Wow… really?!", "Wow. really?"),
    # punctuation and whitespace
    ("  Hello ,   world  !  ", "Hello, world!"),
    ("Hello,world", "Hello, world"),
    ("Yes!!! No???", "Yes! No?"),
    ("a [b] {c} (d)", "a (b) (c) (d)"),
    ("well-known and/or \"quoted\"", "well-known and or quoted"),
    ("don't 'quote' dogs'", "don't quote dogs"),
    ("line one\n\nline two", "line one line two"),
])
def test_normalize_cases(raw, expected):
    assert normalize_text(raw) == expected


MESSY = [
    "Dr. Smith paid $3.50 for 2 coffees on May 1st — café au lait!",
    "I ❤️ NY 🗽!!! “Quoted” text… with – dashes — and ½ a ¼ & more © ™ ®",
    "At 10:30 a.m. on 12/05/1984 (Tuesday), 55% of 1,000 people said: <yes> | no ~ *maybe* _ok_",
    "Tab\tseparated\u00a0non-breaking\u2009thin spaces, ellipsis... and --double dashes--",
    "Zürich, Kraków, Dvořák, Bjørn, Ærøskøbing; Привет and 你好 and こんにちは mixed in.",
    "#hashtag @user http://example.com/path?q=1 user@example.com 3x faster 2nd-hand",
]


@pytest.mark.parametrize("raw", MESSY)
def test_output_uses_only_glow_tts_characters(raw):
    """Normalised text contains only letters and the Glow-TTS marks, one space between words."""
    normalised = normalize_text(raw)
    assert set(normalised) <= set(LETTERS + ARPABET_PUNCTUATION), normalised
    assert "  " not in normalised and normalised == normalised.strip()


@pytest.mark.parametrize("raw", MESSY)
def test_normalizing_twice_changes_nothing(raw):
    once = normalize_text(raw)
    assert normalize_text(once) == once


@pytest.mark.parametrize("raw", ["", "   ", "\n\t  \n"])
def test_empty_text_raises_text_error(raw):
    with pytest.raises(TextError, match="empty or only whitespace: give at least one English word"):
        normalize_text(raw)


@pytest.mark.parametrize("raw", ["😀🎉👍", "!!!", "... ?", "Привет мир", "© ® ™", "$"])
def test_unpronounceable_text_raises_text_error(raw):
    with pytest.raises(TextError, match="nothing to pronounce") as caught:
        normalize_text(raw)
    assert "give at least one English word" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError, match="must be a str, got NoneType"):
        normalize_text(None)


def test_random_unicode_is_normalised_or_refused_clearly():
    """Fuzz: any string either raises TextError or gives valid, stable text that phonemizes."""
    import random

    from course_lib.text import phonemize

    rng = random.Random(0)
    pool = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     "
            ".,;:!?'\"-()[]{}$£€¥%&#@/\\*+=<>|~^_`°½²éèêëàâäôöûüçñßæøœ—–…“”‘’😀❤️🎉中文Русскийαβγ\u00a0\u200b\t\n")
    pieces = "Mr. Dr. St. a.m. e.g. etc. U.S.A. 1st 22nd $3.50 12.5% 10:30 1984 -5 3/4 2½ 5km #1 vs.".split()
    refused = 0
    for index in range(300):
        if index % 2:
            raw = "".join(rng.choice(pool) for _ in range(rng.randint(1, 40)))
        else:
            raw = " ".join(rng.choice(pieces + ["".join(rng.choice(pool) for _ in range(4))]) for _ in range(6))
        try:
            normalised = normalize_text(raw)
        except TextError:
            refused += 1
            continue
        assert set(normalised) <= set(LETTERS + ARPABET_PUNCTUATION), raw
        assert normalize_text(normalised) == normalised, raw
        assert phonemize(raw), raw
    assert 0 < refused < 150
