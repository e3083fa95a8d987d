"""Benchmark: the text front end — CMUdict G2P, its eSpeak fallback, and the eSpeak front end.

Times, on ~1,000 generated sentences (dictionary words, numbers, money, abbreviations,
punctuation and one invented word in two sentences):

* loading the CMU dictionary (first call, cold);
* :func:`normalize_text` alone, :func:`phonemize` (cold fallback cache, then warm);
* the out-of-vocabulary path per word (eSpeak IPA → ARPAbet);
* the eSpeak front end: :func:`ipa` and :func:`espeak_phonemes` (a full synthesis each);

and the fallback's quality: its phone error rate against CMUdict on words the dictionary
knows (stress ignored). Ends with one JSON object per figure per line.

    python benchmarks/bench_g2p.py [--sentences N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time

from course_lib.text import espeak_phonemes, ipa, normalize_text, phonemize
from course_lib.text.cmu import cmu_lexicon
from course_lib.text.g2p import espeak_word_arpabet

SEED = 0
COMMON_WORDS = """water beautiful computer station garden yellow morning teacher window mountain purple quickly
whisper thunder people little between another because through thought enough language question several
children important together different country family picture example always without government""".split()


def _figure(metric: str, value: float, unit: str, target: str | None = None) -> str:
    return json.dumps({"benchmark": "g2p", "metric": metric, "value": value, "unit": unit, "target": target})


def _nonword(rng: random.Random) -> str:
    """A pronounceable invented word (consonant-vowel syllables) the dictionary will not have."""
    onsets = "b d f g k l m n p r s t v z sh th br pl st".split()
    vowels, codas = "a e i o u oo ai".split(), "x n k rt".split()
    syllables = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(2, 3)))
    return syllables + rng.choice(codas)


def make_sentences(n: int, rng: random.Random) -> list[str]:
    """``n`` varied English-like sentences: dictionary words plus the things normalisation must read."""
    words = sorted(w for w in cmu_lexicon() if w.isalpha() and 3 <= len(w) <= 9)
    extras = ["$3.50", "1984", "the 22nd", "12.5%", "Dr. Smith", "St. Louis", "10:30 a.m.", "1,250", "etc.", "U.S.A."]
    sentences = []
    for index in range(n):
        body = [rng.choice(words) for _ in range(rng.randint(6, 14))]
        body.insert(rng.randrange(len(body)), rng.choice(extras))
        if index % 2 == 0:
            body.insert(rng.randrange(len(body)), _nonword(rng))
        if rng.random() < 0.5:
            body[rng.randrange(len(body) - 1)] += ","
        sentence = " ".join(body)
        sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".?!"))
    return sentences


def _phone_error_rate(words: list[str]) -> float:
    """Edit distance between fallback and dictionary phones (stress removed), per dictionary phone."""
    def edit_distance(a: list[str], b: list[str]) -> int:
        row = list(range(len(b) + 1))
        for i, x in enumerate(a, 1):
            diagonal, row[0] = row[0], i
            for j, y in enumerate(b, 1):
                diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
        return row[-1]

    lexicon = cmu_lexicon()
    errors = total = 0
    for word in words:
        reference = [re.sub(r"\d", "", p) for p in lexicon[word].split()]
        guess = [re.sub(r"\d", "", p) for p in espeak_word_arpabet(word)]
        errors += edit_distance(guess, reference)
        total += len(reference)
    return errors / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(SEED)

    started = time.perf_counter()
    lexicon = cmu_lexicon()
    load_seconds = time.perf_counter() - started
    sentences = make_sentences(args.sentences, rng)
    n_words = sum(len(s.split()) for s in sentences)
    n_chars = sum(len(s) for s in sentences)

    started = time.perf_counter()
    for sentence in sentences:
        normalize_text(sentence)
    normalize_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for sentence in sentences:
        phonemize(sentence)  # first pass: every invented word goes through eSpeak
    cold_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for sentence in sentences:
        phonemize(sentence)  # second pass: fallback answers come from the cache
    warm_seconds = time.perf_counter() - started

    nonwords = sorted({_nonword(rng) for _ in range(300)} - set(lexicon))
    espeak_word_arpabet.cache_clear()
    started = time.perf_counter()
    for word in nonwords:
        espeak_word_arpabet(word)
    oov_ms = (time.perf_counter() - started) / len(nonwords) * 1000

    subset = sentences[:200]
    started = time.perf_counter()
    for sentence in subset:
        ipa(sentence)
    ipa_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for sentence in subset:
        espeak_phonemes(sentence)
    spoken_seconds = time.perf_counter() - started

    common_per = _phone_error_rate(COMMON_WORDS)
    sample = rng.sample(sorted(w for w in lexicon if w.isalpha() and 4 <= len(w) <= 10), 300)
    random_per = _phone_error_rate(sample)

    print(f"{len(sentences)} sentences, {n_words} words, {n_chars} characters")
    print(f"CMUdict load {load_seconds:.2f} s; normalise {len(sentences) / normalize_seconds:,.0f} sentences/s; "
          f"phonemize cold {len(sentences) / cold_seconds:,.0f}/s, warm {len(sentences) / warm_seconds:,.0f}/s")
    print(f"out-of-vocabulary word via eSpeak: {oov_ms:.2f} ms; ipa {len(subset) / ipa_seconds:,.0f} sentences/s; "
          f"espeak_phonemes {len(subset) / spoken_seconds:,.0f} sentences/s")
    print(f"fallback phone error rate vs CMUdict: common words {common_per:.3f}, random entries {random_per:.3f}")
    for line in (
        _figure("cmudict_load_time", round(load_seconds, 3), "s", "<= 1 s"),
        _figure("normalize_throughput", round(len(sentences) / normalize_seconds, 1), "sentences/s", None),
        _figure("phonemize_throughput_cold", round(len(sentences) / cold_seconds, 1), "sentences/s", ">= 200"),
        _figure("phonemize_throughput_warm", round(len(sentences) / warm_seconds, 1), "sentences/s", None),
        _figure("phonemize_words_per_second", round(n_words / cold_seconds, 1), "words/s", None),
        _figure("oov_fallback_latency", round(oov_ms, 3), "ms/word", "<= 5 ms"),
        _figure("ipa_throughput", round(len(subset) / ipa_seconds, 1), "sentences/s", None),
        _figure("espeak_phonemes_throughput", round(len(subset) / spoken_seconds, 1), "sentences/s", None),
        _figure("fallback_phone_error_rate_common", round(common_per, 4), "fraction", "<= 0.05"),
        _figure("fallback_phone_error_rate_random", round(random_per, 4), "fraction", None),
    ):
        print(line)


if __name__ == "__main__":
    main()
