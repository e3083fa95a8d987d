"""Common English abbreviations and dotted initialisms, written out.

Two kinds of abbreviation behave differently at the end of a sentence:

* **titles** (``Mr.``, ``Dr.``, ``St.`` before a name) always precede a name, so their
  period is never a full stop and is dropped;
* **enders** (``etc.``, ``Inc.``, ``Jr.``, ``St.`` for Street) may close a sentence, so a
  period at the end of the text or line is kept as the full stop.

``St.`` is "Saint" before a capitalised word (``St. Louis``) and "Street" otherwise
(``Main St.``). ``No.`` is "number" only before a digit (``No. 5``). Dotted initialisms
become capitals (``U.S.A.`` → ``USA``) so both front ends spell them.
"""

from __future__ import annotations

import re

_TITLES = {
    "mr": "mister", "mrs": "missus", "ms": "miz", "dr": "doctor", "prof": "professor",
    "capt": "captain", "gen": "general", "lt": "lieutenant", "col": "colonel", "sgt": "sergeant",
    "rev": "reverend", "hon": "honorable", "mt": "mount", "ft": "fort",
}
_ENDERS = {
    "etc": "et cetera", "jr": "junior", "sr": "senior", "co": "company", "ltd": "limited",
    "inc": "incorporated", "vs": "versus", "approx": "approximately", "dept": "department",
    "ave": "avenue", "rd": "road", "blvd": "boulevard",
}
_PHRASES = {"e.g.": "for example", "i.e.": "that is", "a.k.a.": "also known as"}

# a title precedes a capitalised name; "5 ms." stays a unit, not "miz"
_TITLE = re.compile(r"\b((?i:" + "|".join(_TITLES) + r"))\.(?=\s*[A-Z])")
_ENDER = re.compile(r"\b(" + "|".join(_ENDERS) + r")\.(\s*$)?", re.IGNORECASE | re.MULTILINE)
_VERSUS = re.compile(r"\bvs\b(?!\.)", re.IGNORECASE)
_SAINT = re.compile(r"\bSt\.(?=\s+[A-Z])")
_STREET = re.compile(r"\bSt\.(\s*$)?", re.MULTILINE)
_NUMBER = re.compile(r"\bNo\.(?=\s?\d)", re.IGNORECASE)
_PHRASE = re.compile("|".join(re.escape(p) for p in _PHRASES), re.IGNORECASE)
_INITIALISM = re.compile(r"\b((?:[A-Za-z]\.){2,})(\s*$)?", re.MULTILINE)
# "John F. Kennedy": a single capital with a period inside a name is not a full stop
_INITIAL = re.compile(r"\b([A-Z])\.(?=\s+[A-Z][a-z])")


def _match_case(written: str, expansion: str) -> str:
    """Capitalise the expansion when the abbreviation was capitalised (``Dr.`` → ``Doctor``)."""
    return expansion[0].upper() + expansion[1:] if written[:1].isupper() else expansion


def _keep_stop(tail: str | None) -> str:
    """A period that ended the text/line stays as the sentence's full stop."""
    return "." + tail if tail is not None else ""


def expand_abbreviations(text: str) -> str:
    """Write out the abbreviations in ``text`` (see the module docstring); other text is untouched."""
    text = _PHRASE.sub(lambda m: _match_case(m.group(0), _PHRASES[m.group(0).lower()]), text)
    # before titles, so "Dr. A.B. Smith" sees the capital that follows
    text = _INITIALISM.sub(lambda m: m.group(1).replace(".", "").upper() + _keep_stop(m.group(2)), text)
    text = _NUMBER.sub("number", text)
    text = _SAINT.sub("Saint", text)
    text = _STREET.sub(lambda m: "Street" + _keep_stop(m.group(1)), text)
    text = _TITLE.sub(lambda m: _match_case(m.group(1), _TITLES[m.group(1).lower()]) + " ", text)
    text = _ENDER.sub(lambda m: _match_case(m.group(1), _ENDERS[m.group(1).lower()]) + _keep_stop(m.group(2)), text)
    text = _VERSUS.sub(lambda m: _match_case(m.group(0), "versus"), text)
    return _INITIAL.sub(r"\1", text)
