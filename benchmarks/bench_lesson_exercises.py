"""Benchmark: the "What to try" figures of lessons 09 and 10 that are about the shipped checkpoints.

The lessons quote what their exercises give on the shipped tiny models (``data/checkpoints/grad_tts_tiny.pt``,
``diff_tts_tiny.pt``) so that a learner knows what to expect; this measures exactly those figures, with the
lessons' own definitions and settings, so that retraining a checkpoint shows which sentences moved
(``tests/test_facts.py`` holds the lessons' links to them). The held-out sentences are the first three of the
built-in corpus's test split in ``default`` mode (the lessons' ``corpus.split("test")``), spoken with their true
durations; "error" is the lessons' quality measure, the mean |log-mel − recording's log-mel| (lesson 09 §7,
lesson 10 §4), averaged over the sentences and both seeds; "spread" is the mean |mel_seed0 − mel_seed1| between
the two seeds' samples of one sentence (:func:`course_lib.models.cvae.pairwise_mel_spread`), averaged over the
sentences.

* **lesson 09** (Grad-TTS), seeds 0 and 1: 2 reverse steps at τ = 1 and at τ = 5 (the widget's two settings);
  10 steps at τ = 1.5 with the probability-flow ODE and with the reverse SDE (``stochastic=True``).
* **lesson 10** (Diff-TTS): the γ × seed A/B on the lesson's sentence "Diffusion turns noise into speech."
  with the predicted durations — the widget's own :func:`~course_lib.widgets.lesson10.diff_tts_sample` and
  :func:`~course_lib.widgets.lesson10.mel_distance` (mean |mel_A − mel_B|): γ = 7 against 57 on seed 0, and
  seeds 0 against 1 at γ = 57 and at γ = 7; then the ancestral walk against DDIM at γ = 57 on the three
  held-out sentences, seeds 0 and 1.

One torch thread; under half a minute. Ends with one JSON object per figure per line; with
``TTS_COURSE_RECORD_FACTS=1`` the figures are recorded in ``data/facts.json`` (keys ``lesson09_exercises.*``,
``lesson10_exercises.*``).

    TTS_COURSE_MODE=default python benchmarks/bench_lesson_exercises.py
"""

from __future__ import annotations

import time

import torch

from course_lib.facts import emit
from course_lib.paths import CHECKPOINT_DIR

UNIT = "mean |Δ log-mel|"
SEEDS = (0, 1)
N_SENTENCES = 3                                   # "3 held-out sentences with true durations"
AB_TEXT = "Diffusion turns noise into speech."    # lesson 10's A/B widget
AB_GAMMA_A = 7                                    # the widget's γ_A in default mode (pick(smoke=57, default=7))
AB_GAMMA_B = 57
# lesson 09's exercises: name → Grad-TTS synthesis settings
GRAD_TTS_SETTINGS = {
    "tau1_2steps": {"n_steps": 2, "temperature": 1.0},
    "tau5_2steps": {"n_steps": 2, "temperature": 5.0},
    "ode_10steps_tau1.5": {"n_steps": 10, "temperature": 1.5},
    "sde_10steps_tau1.5": {"n_steps": 10, "temperature": 1.5, "stochastic": True},
}
# lesson 10's exercise: name → Diff-TTS synthesis settings
DIFF_TTS_SETTINGS = {
    "ancestral_gamma57": {"gamma": 57, "method": "ancestral"},
    "ddim_gamma57": {"gamma": 57, "method": "ddim"},
}


def shipped(kind: str):
    """The shipped tiny checkpoint, loaded as the lessons' ``shipped_or_trained`` loads it (eval mode, CPU)."""
    from course_lib.models import recipe_of

    recipe = recipe_of(kind)
    path = CHECKPOINT_DIR / recipe.shipped.file
    if not path.exists():
        raise SystemExit(f"{path} is missing: these figures are about the shipped checkpoint")
    return recipe.load(path, device="cpu")


def held_out_items():
    """The lessons' held-out sentences: the first ``N_SENTENCES`` of the default corpus's test split."""
    from course_lib.data import TextMelDataset, ensure_corpus, load_corpus
    from course_lib.text import tokenizer_for

    corpus = load_corpus(ensure_corpus("default"))
    dataset = TextMelDataset(corpus.split("test").utterances[:N_SENTENCES], tokenizer=tokenizer_for("espeak", False),
                             frontend=corpus.symbols_for)
    return [dataset[i] for i in range(len(dataset))]


def with_true_durations(model, options: dict):
    """``(item, seed)`` → ``model``'s ``[80, T]`` log-mel of the held-out ``item``, spoken with its true durations."""
    return lambda item, seed: model.synthesize(item.tokens, seed=seed, durations=item.durations[None], **options).mel[0]


@torch.no_grad()
def error_and_spread(synthesize, items) -> tuple[float, float]:
    """``synthesize(item, seed)`` → ``[80, T]`` log-mel; the lessons' error (to the recording, mean over sentences
    and seeds) and spread (between the seeds, mean over sentences)."""
    from course_lib.models.cvae import pairwise_mel_spread

    errors, spreads = [], []
    for item in items:
        mels = [synthesize(item, seed) for seed in SEEDS]
        errors += [(mel - item.mel).abs().mean().item() for mel in mels]  # lesson 09 §7 / lesson 10 §4
        spreads.append(pairwise_mel_spread(mels))
    return sum(errors) / len(errors), sum(spreads) / len(spreads)


def lesson09(items) -> None:
    model = shipped("grad_tts")
    for name, options in GRAD_TTS_SETTINGS.items():
        start = time.perf_counter()
        error, spread = error_and_spread(with_true_durations(model, options), items)
        print(f"lesson 09, {name}: error {error:.3f}, spread {spread:.3f} ({time.perf_counter() - start:.1f} s)",
              flush=True)
        metric = name.replace("_tau1.5", "")
        emit("lesson09_exercises", f"{metric}_error", error, UNIT)
        emit("lesson09_exercises", f"{metric}_spread", spread, UNIT)


def lesson10(items) -> None:
    from course_lib.vocoder import load_vocoder
    from course_lib.widgets.lesson10 import diff_tts_sample, mel_distance

    model = shipped("diff_tts")
    vocoder = load_vocoder(verbose=False)  # the widget voices its samples; the distances are on the mels
    samples = {(gamma, seed): diff_tts_sample(model, AB_TEXT, gamma, seed, vocoder=vocoder)
               for gamma in (AB_GAMMA_A, AB_GAMMA_B) for seed in SEEDS}
    ab = {f"ab_gamma{AB_GAMMA_A}_vs_gamma{AB_GAMMA_B}_seed0": (samples[AB_GAMMA_A, 0], samples[AB_GAMMA_B, 0]),
          f"ab_seed0_vs_seed1_gamma{AB_GAMMA_B}": (samples[AB_GAMMA_B, 0], samples[AB_GAMMA_B, 1]),
          f"ab_seed0_vs_seed1_gamma{AB_GAMMA_A}": (samples[AB_GAMMA_A, 0], samples[AB_GAMMA_A, 1])}
    for name, (a, b) in ab.items():
        distance = mel_distance(a, b)
        print(f"lesson 10, {name}: mean |mel_A − mel_B| {distance:.3f}", flush=True)
        emit("lesson10_exercises", name, distance, UNIT)
    for name, options in DIFF_TTS_SETTINGS.items():
        error, spread = error_and_spread(with_true_durations(model, options), items)
        print(f"lesson 10, {name}: error {error:.3f}, spread {spread:.3f}", flush=True)
        emit("lesson10_exercises", f"{name}_error", error, UNIT)
        emit("lesson10_exercises", f"{name}_spread", spread, UNIT)


def main() -> None:
    torch.set_num_threads(1)
    start = time.perf_counter()
    items = held_out_items()
    lesson09(items)
    lesson10(items)
    print(f"done in {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
