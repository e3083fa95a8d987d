"""Numbers as English words: cardinals, ordinals, years, decimals, money, percent, times.

The pure functions (:func:`cardinal`, :func:`ordinal`, :func:`year`, ...) turn one
number into words; :func:`expand_numbers` finds numbers in a text and rewrites them,
most specific pattern first (``$3.50`` before ``3.50`` before ``3``), so a number is
read once and by the rule that fits it:

* ``$3.50``, ``£1``, ``€2.5 million`` → three dollars and fifty cents, one pound, two point five million euros
* ``12.5%`` → twelve point five percent
* ``10:30 pm``, ``7am`` → ten thirty PM, seven AM
* ``1st``, ``22nd`` → first, twenty second
* ``1980s`` → nineteen eighties
* ``1984``, ``2007`` → nineteen eighty four, two thousand seven (1100–2099 are read as years)
* ``3.14`` → three point one four
* ``1,000,000`` → one million
* ``3/4`` → three quarters
* ``5 km`` → five kilometers
* ``-4`` → minus four

Compound numbers are written with spaces ("twenty two", not "twenty-two") so every
word is a dictionary word for :mod:`course_lib.text.cmu`. "AM"/"PM" stay in capitals:
that is how eSpeak and :func:`course_lib.text.phonemize` know to spell them.
"""

from __future__ import annotations

import re

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
# ordinals that are not simply cardinal + "th"
_IRREGULAR_ORDINALS = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                       "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
# largest number read as words; longer digit strings are read digit by digit
_MAX_CARDINAL = 10**15 - 1

def cardinal(n: int) -> str:
    """``1234`` → ``'one thousand two hundred thirty four'``; negatives get "minus"."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n > _MAX_CARDINAL:
        return digits(str(n))
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (" " + _ONES[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _ONES[hundreds] + " hundred" + (" " + cardinal(rest) if rest else "")
    for scale, name in _SCALES:
        if n >= scale:
            high, rest = divmod(n, scale)
            return cardinal(high) + " " + name + (" " + cardinal(rest) if rest else "")
    raise AssertionError("unreachable: every n >= 1000 meets a scale")


def ordinal(n: int) -> str:
    """``22`` → ``'twenty second'``; only the last word changes."""
    words = cardinal(n).split()
    last = words[-1]
    if last in _IRREGULAR_ORDINALS:
        words[-1] = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def year(n: int) -> str:
    """Read a year the way people say it.

    ``1984`` → nineteen eighty four, ``1905`` → nineteen oh five, ``1900`` → nineteen hundred,
    ``2007`` → two thousand seven, ``2024`` → twenty twenty four. Outside 1100–2099 it is a cardinal.
    """
    if not 1100 <= n <= 2099 or 2000 <= n <= 2009:
        return cardinal(n)
    century, rest = divmod(n, 100)
    if rest == 0:
        return cardinal(century) + " hundred"
    if rest < 10:
        return cardinal(century) + " oh " + cardinal(rest)
    return cardinal(century) + " " + cardinal(rest)


def digits(text: str) -> str:
    """``'007'`` → ``'zero zero seven'``: each digit of a string of digits."""
    return " ".join(_ONES[int(d)] for d in text)


def decimal(text: str) -> str:
    """``'3.14'`` → ``'three point one four'``; ``'.5'`` → ``'point five'``; commas are ignored."""
    whole, _, fraction = text.replace(",", "").partition(".")
    spoken = [_integer(whole)] if whole else []
    if fraction:
        spoken += ["point", digits(fraction)]
    return " ".join(spoken)


def _integer(text: str) -> str:
    """Digits (commas allowed) as a cardinal; leading zeros ('007') or huge numbers digit by digit."""
    plain = text.replace(",", "")
    if len(plain) > 1 and plain.startswith("0"):
        return digits(plain)
    return cardinal(int(plain))


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


# --- money ----------------------------------------------------------------------------------
# symbol -> (unit, units, subunit, subunits); yen has no subunit in use
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", None, None),
}
_MONEY = re.compile(r"([$£€¥])\s?(\d[\d,]*)?(?:\.(\d+))?(?:\s?(thousand|million|billion|trillion)\b)?")


def money(symbol: str, whole: str | None, fraction: str | None, scale: str | None = None) -> str:
    """Read an amount: ``('$', '3', '50')`` → ``'three dollars and fifty cents'``.

    With a scale word (``$2.5 million``) the number is read as a decimal before the unit;
    more than two decimals (``$0.125``) are read as a decimal too.
    """
    unit, units, subunit, subunits = _CURRENCIES[symbol]
    number = (whole or "0") + ("." + fraction if fraction else "")
    if scale:
        return f"{decimal(number)} {scale} {units}"
    if fraction and (len(fraction) > 2 or subunit is None):
        return f"{decimal(number)} {units}"
    amount = int((whole or "0").replace(",", ""))
    cents = int(fraction.ljust(2, "0")) if fraction else 0
    parts = []
    if amount or not cents:
        parts.append(f"{cardinal(amount)} {unit if amount == 1 else units}")
    if cents:
        parts.append(f"{cardinal(cents)} {subunit if cents == 1 else subunits}")
    return " and ".join(parts)


# --- clock times ----------------------------------------------------------------------------
# a period after "a.m." is left alone: it may also end the sentence
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?:\s?([AaPp])\.?\s?[Mm]\b)?")
_HOUR_AMPM = re.compile(r"\b(\d{1,2})\s?([AaPp])\.?\s?[Mm]\b")


def clock(hour: int, minute: int, meridiem: str | None = None) -> str:
    """``(10, 30, 'p')`` → ``'ten thirty PM'``; ``(10, 0)`` → ``"ten o'clock"``; ``(9, 5)`` → nine oh five."""
    if minute == 0:
        spoken = cardinal(hour) + ("" if meridiem else " o'clock")
    elif minute < 10:
        spoken = f"{cardinal(hour)} oh {cardinal(minute)}"
    else:
        spoken = f"{cardinal(hour)} {cardinal(minute)}"
    return spoken + (f" {meridiem.upper()}M" if meridiem else "")


# --- units after a number -------------------------------------------------------------------
_UNITS = {"km": ("kilometer", "kilometers"), "kg": ("kilogram", "kilograms"),
          "cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"),
          "mph": ("mile per hour", "miles per hour"), "kHz": ("kilohertz", "kilohertz"),
          "Hz": ("hertz", "hertz"), "ms": ("millisecond", "milliseconds"), "lbs": ("pound", "pounds"),
          "lb": ("pound", "pounds"), "oz": ("ounce", "ounces"), "ft": ("foot", "feet")}
_UNIT = re.compile(r"\b(\d[\d,]*(?:\.\d+)?)\s?(" + "|".join(_UNITS) + r")\b")

_FRACTION = re.compile(r"(?<![\d/])(\d+)/(\d+)(?![\d/])")
_PERCENT = re.compile(r"(\d[\d,]*(?:\.\d+)?|\.\d+)\s?%")
_ORDINAL = re.compile(r"\b(\d[\d,]*)(st|nd|rd|th)\b", re.IGNORECASE)
_DECADE = re.compile(r"(?:\b|')(\d{2}|1[1-9]\d0|20\d0)'?s\b")
_DECIMAL = re.compile(r"(\d[\d,]*)?\.\d+\b")
_GROUPED = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_YEAR = re.compile(r"\b(1[1-9]\d\d|20\d\d)\b")
_NEGATIVE = re.compile(r"(?<![\w.])-(?=\d)")
_INTEGER = re.compile(r"\d+")


def fraction(numerator: int, denominator: int) -> str:
    """``(3, 4)`` → three quarters, ``(1, 2)`` → one half, ``(5, 8)`` → five eighths,
    ``(7, 32)`` → seven over thirty two."""
    if denominator in (2, 4):
        name = "half" if denominator == 2 else "quarter"
        plural = "halves" if denominator == 2 else "quarters"
    elif 3 <= denominator <= 20:
        name = ordinal(denominator)
        plural = name + "s"
    else:
        return f"{cardinal(numerator)} over {cardinal(denominator)}"
    return f"{cardinal(numerator)} {name if numerator == 1 else plural}"


def _decade(match: re.Match) -> str:
    number = int(match.group(1))
    words = (year(number) if number >= 100 else cardinal(number)).split()
    return " ".join(words[:-1] + [_plural(words[-1])])


def _unit(match: re.Match) -> str:
    amount = match.group(1)
    singular, plural = _UNITS[match.group(2)]
    spoken = decimal(amount) if "." in amount else _integer(amount)
    return f"{spoken} {singular if spoken == 'one' else plural}"


def expand_numbers(text: str) -> str:
    """Rewrite every number in ``text`` as words (see the module docstring for the rules)."""
    text = _MONEY.sub(lambda m: money(*m.groups()) if m.group(2) or m.group(3) else m.group(0), text)
    text = _TIME.sub(lambda m: clock(int(m.group(1)), int(m.group(2)), m.group(3)), text)
    text = _HOUR_AMPM.sub(lambda m: clock(int(m.group(1)), 0, m.group(2)), text)
    text = _PERCENT.sub(lambda m: decimal(m.group(1)) + " percent", text)
    text = _ORDINAL.sub(lambda m: ordinal(int(m.group(1).replace(",", ""))), text)
    text = _DECADE.sub(_decade, text)
    text = _UNIT.sub(_unit, text)
    text = _FRACTION.sub(lambda m: fraction(int(m.group(1)), int(m.group(2))), text)
    text = _DECIMAL.sub(lambda m: decimal(m.group(0)), text)
    text = _GROUPED.sub(lambda m: _integer(m.group(0)), text)
    text = _YEAR.sub(lambda m: year(int(m.group(1))), text)
    text = _NEGATIVE.sub("minus ", text)
    # spaces keep a number apart from letters glued to it: "3x" -> "three x"
    return _INTEGER.sub(lambda m: " " + _integer(m.group(0)) + " ", text)
