"""A seeded template grammar that writes the built-in corpus's sentences.

Each template is a sentence with ``{slot}`` fields; each slot is filled by a
small function drawing from the word lists in :mod:`course_lib.data.vocabulary`.
The raw text deliberately contains digits, ordinals, money, years, times,
percentages and abbreviated titles ("Dr. Chen paid $4.50 on May 3rd."), so the
text normaliser has real work to do before eSpeak speaks it.

``generate_sentences(n, seed)`` returns ``n`` distinct sentences of 4–25 words,
the same list for the same ``(n, seed)`` on every machine (Python's
``random.Random`` with an integer seed is reproducible across platforms).
"""

from __future__ import annotations

import random
import re
from typing import Callable

from course_lib.data import vocabulary as V

MIN_WORDS = 4
MAX_WORDS = 25

_SLOT = re.compile(r"\{(\w+)\}")


def _article(phrase: str) -> str:
    """'a' or 'an' by the first letter (good enough for this vocabulary: no 'hour', 'unit')."""
    return ("an " if phrase[0].lower() in "aeio" else "a ") + phrase


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _count(rng: random.Random) -> str:
    """A quantity, written as digits or as a word so both forms appear."""
    n = rng.choice((2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 24, 30, 48, 100, 250, 1200))
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 12: "twelve"}
    return words[n] if n in words and rng.random() < 0.4 else str(n)


def _money(rng: random.Random) -> str:
    dollars = rng.choice((1, 2, 3, 5, 7, 9, 10, 12, 15, 20, 25, 40, 50, 99, 120, 300))
    if rng.random() < 0.4:
        return f"${dollars}.{rng.choice((10, 25, 50, 75, 99))}"
    return f"${dollars}"


def _clock(rng: random.Random) -> str:
    hour = rng.randint(1, 12)
    return f"{hour}:{rng.choice((15, 30, 45, 5, 20, 40))}" if rng.random() < 0.5 else f"{hour} o'clock"


def _person(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(V.MALE_NAMES + V.FEMALE_NAMES)
    if roll < 0.65:
        return f"{rng.choice(V.TITLES)} {rng.choice(V.SURNAMES)}"
    if roll < 0.8:
        return f"{rng.choice(V.FEMALE_NAMES + V.MALE_NAMES)} {rng.choice(V.SURNAMES)}"
    return f"the {rng.choice(V.JOBS)}"


def _thing(rng: random.Random) -> str:
    noun = rng.choice(V.NOUNS)[0]
    roll = rng.random()
    if roll < 0.35:
        return _article(f"{rng.choice(V.ADJECTIVES)} {noun}")
    if roll < 0.55:
        return f"the {rng.choice(V.COLOURS)} {noun}"
    if roll < 0.75:
        return f"my {noun}"
    return _article(noun)


def _things(rng: random.Random) -> str:
    plural = rng.choice(V.NOUNS)[1]
    if rng.random() < 0.5:
        plural = f"{rng.choice(V.ADJECTIVES)} {plural}"
    return f"{_count(rng)} {plural}"


def _time(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(V.TIME_PHRASES)
    if roll < 0.55:
        return f"on {rng.choice(V.DAYS)}"
    if roll < 0.7:
        return f"at {_clock(rng)}"
    if roll < 0.85:
        return f"on {rng.choice(V.MONTHS)} {_ordinal(rng.randint(1, 31))}"
    return f"in {rng.randint(1890, 2030)}"


def _pick(options: tuple) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(options)


def _pick_form(options: tuple, form: int) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(options)[form]


SLOTS: dict[str, Callable[[random.Random], str]] = {
    "person": _person,
    "name": _pick(V.MALE_NAMES + V.FEMALE_NAMES),
    "job": _pick(V.JOBS),
    "thing": _thing,
    "things": _things,
    "noun": _pick_form(V.NOUNS, 0),
    "nouns": _pick_form(V.NOUNS, 1),
    "animal": _pick_form(V.ANIMALS, 0),
    "animals": _pick_form(V.ANIMALS, 1),
    "food": _pick(V.FOODS),
    "place": _pick(V.PLACES),
    "city": _pick(V.CITIES),
    "country": _pick(V.COUNTRIES),
    "street": _pick(V.STREETS),
    "adj": _pick(V.ADJECTIVES),
    "colour": _pick(V.COLOURS),
    "adverb": _pick(V.ADVERBS),
    "feeling": _pick(V.FEELINGS),
    "verb": _pick_form(V.VERBS, 0),
    "verbs": _pick_form(V.VERBS, 1),
    "verbed": _pick_form(V.VERBS, 2),
    "verbing": _pick_form(V.VERBS, 3),
    "act": _pick_form(V.ACTIVITIES, 0),
    "acts": _pick_form(V.ACTIVITIES, 1),
    "acted": _pick_form(V.ACTIVITIES, 2),
    "acting": _pick_form(V.ACTIVITIES, 3),
    "time": _time,
    "clock": _clock,
    "money": _money,
    "count": _count,
    "year": lambda rng: str(rng.randint(1890, 2030)),
    "ordinal": lambda rng: _ordinal(rng.randint(1, 31)),
    "month": _pick(V.MONTHS),
    "percent": lambda rng: f"{rng.randint(2, 98)}%",
    "decimal": lambda rng: f"{rng.randint(0, 9)}.{rng.randint(1, 9)}",
    "house": lambda rng: str(rng.randint(1, 250)),
    "weather": _pick(V.WEATHER),
    "interjection": _pick(V.INTERJECTIONS),
    "connective": _pick(V.CONNECTIVES),
    "greeting": _pick(V.GREETINGS),
}

# Statements, questions, exclamations and requests; short and long.
TEMPLATES = (
    "Then {name} {acted} {adverb}.",
    "{person} {verbed} {thing} {time}.",
    "{person} {verbed} {things} at the {place} {time}.",
    "Did {person} really {verb} {thing}?",
    "Why did {person} {verb} {thing} at the {place}?",
    "{interjection}, {person} {acted} {adverb}!",
    "{weather}, {connective} {person} {acted} {time}.",
    "{name} is a {adj} {job} from {city}.",
    "There are {count} {animals} living near the {place}.",
    "How many {nouns} did {person} {verb} in {city}?",
    "{person} paid {money} for {thing} at the {place}.",
    "The {animal} {acted} {adverb} beside the {colour} {noun}.",
    "{greeting}, {name}! Would you like some {food}?",
    "Please {verb} the {adj} {noun} before {person} arrives.",
    "{person} and {person} travelled to {city} {time}.",
    "In {year}, {person} moved from {city} to {country}.",
    "The train to {city} leaves at {clock} from platform {house}.",
    "{person} felt {feeling} {connective} the {noun} was so {adj}.",
    "Is the {noun} {adj} or {adj}?",
    "What {a_adj_noun} that is!",
    "{person} keeps {things} in {a_container} under the stairs.",
    "{person} said that about {percent} of the {animals} in {country} are {colour}.",
    "On {month} {ordinal}, the {job} {verbed} {things} for the {place}.",
    "Where is the {adj} {noun} that {person} {verbed} {time}?",
    "{person} lives at {house} {street} Street, near the old {place}.",
    "The {job} told {person} to {verb} the {noun} {adverb}.",
    "Don't {verb} my {noun}, {name}!",
    "Have you ever seen a {colour} {animal} in {country}?",
    "{person} was {acting} in the {place} when the {noun} fell over.",
    "It is {clock} and {person} is still {acting}.",
    "The {noun} costs {money}, which is {adj} for {thing}.",
    "Does the {job} know that the {animal} is {feeling}?",
    "{person} {acts} {adverb} every {month}, {connective} {person} {acts} at home.",
    "The {adj} {animal} {verbed} {thing} {connective} nobody was watching.",
    "Would you {verb} {thing} for me, {name}?",
    "{person} measured {decimal} metres of {colour} ribbon for the {noun}.",
    "{interjection}! The {animals} have escaped from the {place} again!",
    "If it rains {time}, {person} will {act} at the {place} instead.",
    "{person} was born in {city} in {year} and worked as a {job} for {count} years.",
    "{weather}, so the {job} {verbed} {thing} and went back to the {place}.",
    "Nobody knew why {person} {verbed} {things} {time}, {connective} everyone was {feeling}.",
    "Could you tell {person} that the {noun} is in the {place}?",
    "{person} has {count} {animals}, {count} {nouns} and a very {adj} {animal}.",
    "After {verbing} {thing}, {person} {acted} {adverb} {connective} the {job} {acted}.",
    "The {place} in {city} opens at {clock} on {time_day}s.",
    "Which {noun} did {person} choose, the {colour} one or the {colour} one?",
    "I think {person} {verbed} {thing} {connective} the {animal} looked so {feeling}.",
    "About {percent} of the {job}s in {city} {act} on {time_day}.",
    "{greeting}! My name is {name}, and I am a {adj} {job} from {country}.",
    "Every {time_day}, {person} buys {food} and {food} at the {place} on {street} Street.",
    "When {person} finally arrived at the {place} {time}, the {job} had already {verbed} {things} "
    "and the {animals} were {acting} {adverb}.",
    "Although the {noun} was {adj} and rather {adj}, {person} {verbed} it {adverb} {connective} "
    "{person} {acted} in the {place}.",
    "{interjection}, I can hardly believe that {person} {verbed} {thing} in {city}, "
    "and then {acted} all the way to the {place}!",
    "Before leaving {city} {time}, {person} {verbed} {thing}, {verbed} {thing} "
    "and {verbed} {things} for the journey.",
    "{person} spoke in a {adj} voice about the noise from the {place}.",
    "The choice between {thing} and {thing} was not easy for {person}.",
    "{person} could not see the point of {verbing} {thing} {time}.",
    "Usually the {job} enjoys a quiet evening at the {place} with {food} and a good book.",
)

SLOTS["time_day"] = _pick(V.DAYS)
SLOTS["a_adj_noun"] = lambda rng: _article(f"{rng.choice(V.ADJECTIVES)} {rng.choice(V.NOUNS)[0]}")
SLOTS["a_container"] = lambda rng: _article(f"{rng.choice(V.ADJECTIVES)} {rng.choice(V.CONTAINERS)}")


def fill_template(template: str, rng: random.Random) -> str:
    """Fill every ``{slot}`` independently and capitalise the first letter."""
    text = _SLOT.sub(lambda match: SLOTS[match.group(1)](rng), template)
    return text[0].upper() + text[1:]


def word_count(text: str) -> int:
    return len(text.split())


def generate_sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` distinct sentences of ``MIN_WORDS``–``MAX_WORDS`` words, reproducible from ``seed``.

    Sentences are drawn template by template (uniformly) and kept the first
    time they appear. Raises a ValueError if the grammar cannot supply ``n``
    distinct sentences.
    """
    if n < 0:
        raise ValueError(f"cannot generate {n} sentences; ask for zero or more")
    rng = random.Random(seed)
    seen: set[str] = set()
    sentences: list[str] = []
    attempts = 0
    while len(sentences) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise ValueError(f"the grammar produced only {len(sentences)} distinct sentences; ask for fewer than {n}")
        text = fill_template(rng.choice(TEMPLATES), rng)
        if MIN_WORDS <= word_count(text) <= MAX_WORDS and text not in seen:
            seen.add(text)
            sentences.append(text)
    return sentences
