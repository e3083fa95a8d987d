"""Benchmark: quality of a trained Glow-TTS, Grad-TTS, Diff-TTS or VITS on held-out sentences.

Scores a checkpoint on the first N sentences of the built-in corpus's test split with
:mod:`course_lib.evaluation` — alignment accuracy (MAS on the model's own likelihood vs
the true phonemes; Glow-TTS and Grad-TTS), duration-predictor error (mean |frames| per
phoneme) and MCD-DTW between synthesized and recorded mels — beside two baselines from
the same sentences: the untrained model and the per-phoneme mean mel with true
durations. The model must beat both. Diffusion models are scored at several numbers
of reverse steps (Grad-TTS ``--steps``) or skip factors (Diff-TTS ``--gammas``), with the
synthesis time per sentence, so quality can be read against compute.

VITS speaks waves, so its MCD is on the mel of its wave; ``--vocoder griffin-lim`` (or
``auto``, or a vocoder ``.pt``) puts the mel models through a vocoder too and scores the mel
of that wave, so every model is measured the same way. A multi-speaker checkpoint is scored
on the multi-voice corpus's test split (every voice), with that corpus's own baseline.

    python benchmarks/bench_tts_quality.py              # every shipped checkpoint
    python benchmarks/bench_tts_quality.py glow_tts [CHECKPOINT]
    python benchmarks/bench_tts_quality.py grad_tts [CHECKPOINT] --steps 2,10,50
    python benchmarks/bench_tts_quality.py diff_tts [CHECKPOINT] --gammas 57,21,7,1
    python benchmarks/bench_tts_quality.py vits [CHECKPOINT]
    python benchmarks/bench_tts_quality.py glow_tts,vits --vocoder griffin-lim   # one run, all measured on waves

CHECKPOINT defaults to the shipped ``data/checkpoints/<model>_tiny.pt`` (VITS:
``vits_tiny_multi.pt``); a trainer
``checkpoint.pt`` works too. Targets (Glow-TTS issue): alignment accuracy ≥ 90 %, MCD
below both baselines. Ends with one JSON object per figure per line.
"""

from __future__ import annotations

import argparse
import re
import time

import torch

from course_lib import evaluation
from course_lib.facts import emit
from course_lib.models import diff_tts, glow_tts, grad_tts, recipe_of, vits
from course_lib.models.contract import SynthesisOptions
from course_lib.paths import CHECKPOINT_DIR

MODELS = {"glow_tts": glow_tts, "grad_tts": grad_tts, "diff_tts": diff_tts, "vits": vits}
SHIPPED = {kind: recipe_of(kind).shipped.file for kind in MODELS}


def load_any(kind: str, path: str):
    """A trained model from a ``save_model`` file or a trainer ``checkpoint.pt`` (eval mode, CPU)."""
    model, step, _ = recipe_of(kind).load_run(path)
    if step is not None:
        print(f"{path}: trainer checkpoint at step {step}")
    return model


def settings(kind: str, args, model) -> list[dict]:
    """Sampler settings to score: one for Glow-TTS and VITS, one per step count / skip factor otherwise."""
    if kind == "grad_tts":
        return [{"n_steps": int(n)} for n in args.steps.split(",")]
    if kind == "diff_tts":  # γ → the network calls of its walk, the contract's n_steps
        return [{"n_steps": diff_tts.steps_for_gamma(model.config.n_diffusion_steps, int(g))}
                for g in args.gammas.split(",")]
    return [{}]


def through(vocoder, scorer: evaluation.Scorer) -> evaluation.Scorer:
    """``scorer`` with each synthesized mel voiced by ``vocoder`` and analysed again (None: unchanged; a model
    that makes its own wave is scored on it as it is)."""
    import dataclasses

    from course_lib.audio import mel_spectrogram

    if vocoder is None:
        return scorer

    def synthesize(item, seed):
        result = scorer.synthesize(item, seed)
        if result.wave is not None:
            return result
        return dataclasses.replace(result, mel=mel_spectrogram(vocoder(result.mel)))

    return dataclasses.replace(scorer, name=f"{scorer.name} → {vocoder.name}", synthesize=synthesize)


class TestSet:
    """The test sentences (with waves) and the per-phoneme-mean baseline of one built-in corpus."""

    def __init__(self, multispeaker: bool, sentences: int) -> None:
        from course_lib.data import TextMelDataset, ensure_corpus, load_corpus

        start = time.perf_counter()
        corpus = load_corpus(ensure_corpus(multispeaker=multispeaker))
        train = TextMelDataset(corpus.split("train"), tokenizer=corpus.tokenizer)
        baseline = evaluation.PhonemeMeanMel((train[i] for i in range(len(train))), corpus.tokenizer.n_vocab)
        test_set = TextMelDataset(corpus.split("test").utterances[:sentences], tokenizer=corpus.tokenizer,
                                  return_wave=True)
        self.items = [test_set[i] for i in range(len(test_set))]
        self.baseline_mcd = evaluation.baseline_mcd(baseline, self.items)
        voices = "multi-voice" if multispeaker else "single-voice"
        print(f"{voices} corpus: per-phoneme means from {len(train)} train utterances in "
              f"{time.perf_counter() - start:.0f} s; {len(self.items)} test sentences "
              f"({len({item.speaker for item in self.items})} voices); per-phoneme mean mel (true durations) "
              f"MCD-DTW {self.baseline_mcd:.2f} dB")


def score_model(kind: str, path: str, args, tests: dict, vocoder) -> None:
    """Print the model's scores (one line per sampler setting) beside the untrained model's."""
    model = load_any(kind, path)
    vocoder = None if kind == "vits" else vocoder  # it makes its own wave
    multispeaker = getattr(model.config, "n_speakers", 1) > 1
    if multispeaker not in tests:
        tests[multispeaker] = TestSet(multispeaker, args.sentences)
    test, baseline_mcd = tests[multispeaker].items, tests[multispeaker].baseline_mcd
    torch.manual_seed(model.config.seed)
    untrained = MODELS[kind].build(model.config).eval()
    name = f"{kind}_quality" + ("" if vocoder is None else "_through_" + "_".join(re.findall(r"\w+", vocoder.name.lower())))
    untrained_scores = evaluation.score(through(vocoder, evaluation.scorer_for(untrained, name="untrained")), test)
    floor = min(baseline_mcd, untrained_scores.mcd)
    print(f"{kind} from {path}; baseline {untrained_scores.describe()}")
    emit(name, "mcd_dtw_mean_mel_true_durations", baseline_mcd, "dB")
    emit(name, "mcd_dtw_untrained", untrained_scores.mcd, "dB")
    for setting in settings(kind, args, model):
        start = time.perf_counter()
        scores = evaluation.score(through(vocoder, evaluation.scorer_for(model, options=SynthesisOptions(**setting))),
                                  test)
        seconds = (time.perf_counter() - start) / len(test)
        print(f"{scores.describe()} — {seconds:.2f} s per sentence; "
              f"{'beats' if scores.mcd < floor else 'does NOT beat'} both baselines")
        suffix = "".join(f"_{key}_{value}" for key, value in setting.items())
        emit(name, f"mcd_dtw{suffix}", scores.mcd, "dB", f"< {floor:.2f} (both baselines)")
        emit(name, f"seconds_per_sentence{suffix}", seconds, "s")
    emit(name, "duration_mae", scores.duration_mae, "frames/phoneme")
    if scores.alignment_accuracy is not None:
        emit(name, "alignment_accuracy", 100 * scores.alignment_accuracy, "%", ">= 90")
        emit(name, "alignment_accuracy_within_1_frame", 100 * scores.alignment_accuracy_1, "%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="all",
                        help=f"a model ({', '.join(sorted(MODELS))}), several joined by commas (their shipped "
                             "checkpoints, in one run), or 'all' (every shipped checkpoint)")
    parser.add_argument("checkpoint", nargs="?", default=None)
    parser.add_argument("--sentences", type=int, default=20, help="test sentences to score")
    parser.add_argument("--steps", default="2,10,50", help="Grad-TTS reverse steps to score")
    parser.add_argument("--gammas", default="57,21,7", help="Diff-TTS skip factors to score (1 = all 400 steps)")
    parser.add_argument("--vocoder", default=None,
                        help="voice the mel models' output with this vocoder (griffin-lim, auto, or a .pt) and "
                             "score the mel of that wave, as VITS's is; default: score their mels directly")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from course_lib.vocoder import load_vocoder

    vocoder = None if args.vocoder is None else load_vocoder(args.vocoder)
    kinds = sorted(MODELS) if args.model == "all" else args.model.split(",")
    unknown = [kind for kind in kinds if kind not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}: choose from {', '.join(sorted(MODELS))} or all")
    if len(kinds) > 1:
        if args.checkpoint:
            parser.error("give one model name with a checkpoint")
        runs = [(kind, CHECKPOINT_DIR / SHIPPED[kind]) for kind in kinds]
        for kind, path in runs:
            if not path.exists():
                print(f"{kind}: no shipped checkpoint ({path.name}); skipped")
        runs = [(kind, str(path)) for kind, path in runs if path.exists()]
    else:
        runs = [(kinds[0], args.checkpoint or str(CHECKPOINT_DIR / SHIPPED[kinds[0]]))]
    tests: dict = {}
    for kind, path in runs:
        score_model(kind, path, args, tests, vocoder)


if __name__ == "__main__":
    main()
