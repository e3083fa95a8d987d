"""Benchmark: does a VITS hold each voice's pitch, and is it intelligible, on sentences it never heard?

Every 5th sentence of the multi-voice corpus's test split (15 sentences, every voice) is spoken by
the model in the recording's voice, with its own durations and its own pitch (seed 0, the config's
noise scales). Against the recordings of the same sentences:

* **each voice's median F0** (Praat, :func:`course_lib.pitch.track_f0`, over the voice's voiced
  frames) in cents from the recordings' (target: every voice within ±50 cents);
* **F0 RMSE** in cents over the frames voiced in both, after DTW on the mels
  (:func:`course_lib.evaluation.compare_pitch`);
* **PER** by the course recognizer (target ≤ 5 %), and MCD-DTW (dB);
* PER on ten sentences unlike the corpus's grammar (questions, long and foreign words, names,
  numbers in words), each in one voice, in turn — the phonemes eSpeak gives for the text;
* RTF on one thread (compute over audio, all 15 sentences).

With ``--curve DIR`` every trainer snapshot ``DIR/step-*.pt`` is scored instead (PER, F0 RMSE,
the worst voice's median F0 error and MCD against CPU-minutes on the trainer's clock): the
learning curve of a run.

    python benchmarks/bench_vits_pitch.py                               # the shipped vits_tiny_multi.pt
    python benchmarks/bench_vits_pitch.py runs/vits_f0/vits.pt
    python benchmarks/bench_vits_pitch.py --curve runs/vits_f0/snapshots

Ends with one JSON object per figure per line (``course_lib.facts``).
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np
import torch

from course_lib.audio import SAMPLE_RATE, load_audio, mel_spectrogram
from course_lib.cepstrum import mcd_dtw
from course_lib.evaluation import cents, compare_pitch, median_voiced_f0
from course_lib.facts import emit
from course_lib.models.contract import SynthesisOptions
from course_lib.text import text_to_tokens, tokenizer_for
from course_lib.models.vits.train import RECIPE
from course_lib.paths import CHECKPOINT_DIR
from course_lib.quality import ScoringItem, score_recognizer

PITCH_TARGET_CENTS = 50.0
PER_TARGET = 0.05
# unlike the corpus's templates: questions, long and borrowed words, unusual names, numbers written out
UNSEEN_SENTENCES = (
    "Would you rather borrow the blue umbrella or the yellow one?",
    "Photosynthesis transforms sunlight into chemical energy.",
    "Professor Nakamura published eleven papers in nineteen ninety eight.",
    "How many kilometres separate Reykjavik from Buenos Aires?",
    "The extraordinarily complicated instructions confused everybody.",
    "Please call me back before half past seven tomorrow.",
    "Xylophones, saxophones and synthesizers filled the auditorium.",
    "Did Gwendolyn really memorize three thousand digits of pi?",
    "Unbelievably, the thermometer showed minus forty degrees.",
    "Why does the refrigerator hum so loudly at midnight?",
)


def test_records():
    from course_lib.data import ensure_corpus, open_corpus

    corpus = open_corpus(ensure_corpus(multispeaker=True))
    return corpus, list(corpus.split("test").utterances)[::5]


def recognizer():
    from course_lib.models.recognizer.train import RECIPE as RECOGNIZER

    return RECOGNIZER.load(CHECKPOINT_DIR / RECOGNIZER.shipped.file, device="cpu")


def speak(model, tokens: torch.Tensor, speaker: int) -> torch.Tensor:
    options = SynthesisOptions(seed=0, speaker=speaker if model.config.speaker_conditioned else None)
    return model.generate(tokens, options).wave.float()


def score(model, corpus, records, listener, unseen: bool) -> dict:
    """Every figure of one model on the test sentences (and the unseen ones if ``unseen``)."""
    tokenizer = tokenizer_for(model.config.front_end, model.config.add_blank)
    waves, references, comparisons, mcds, items = {}, {}, [], [], []
    for record in records:
        tokens = torch.tensor(tokenizer.encode(corpus.symbols_for(record)))
        wave = speak(model, tokens, record.speaker)
        reference = torch.from_numpy(load_audio(record.wav_path, SAMPLE_RATE))
        comparison = compare_pitch(wave, reference)
        comparisons.append(comparison)
        waves.setdefault(record.speaker_name, []).append(comparison.f0)
        references.setdefault(record.speaker_name, []).append(comparison.reference_f0)
        mcds.append(mcd_dtw(mel_spectrogram(wave), mel_spectrogram(reference)))
        items.append(ScoringItem(wave, tuple(p for p in corpus.symbols_for(record) if p != "|"), record.speaker_name,
                                 record.id))
    voices = {voice: float(cents(median_voiced_f0(waves[voice]), median_voiced_f0(references[voice])))
              for voice in sorted(waves)}
    rmse = [c.rmse_cents for c in comparisons if c.voiced_pairs]
    result = {"per": score_recognizer(listener, items).per, "mcd": float(np.mean(mcds)),
              "f0_rmse_cents": float(np.mean(rmse)) if rmse else float("nan"), "median_f0_cents": voices,
              "worst_voice_cents": max(abs(v) for v in voices.values())}
    if unseen:
        from course_lib.text import espeak_phonemes

        n_speakers = model.config.n_speakers
        unseen_items = []
        for i, sentence in enumerate(UNSEEN_SENTENCES):
            tokens = text_to_tokens(sentence, model.config.front_end, model.config.add_blank)[0]
            wave = speak(model, tokens, i % n_speakers)
            unseen_items.append(ScoringItem(wave, tuple(p for p in espeak_phonemes(sentence) if p != "|")))
        result["per_unseen"] = score_recognizer(listener, unseen_items).per
    return result


def rtf_one_thread(model, corpus, records) -> float:
    """Seconds of compute per second of audio on one thread, over every test sentence (after one warm-up)."""
    tokenizer = tokenizer_for(model.config.front_end, model.config.add_blank)
    tokens = [torch.tensor(tokenizer.encode(corpus.symbols_for(record))) for record in records]
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        speak(model, tokens[0], records[0].speaker)
        start, samples = time.perf_counter(), 0
        for record, ids in zip(records, tokens):
            samples += speak(model, ids, record.speaker).numel()
        return (time.perf_counter() - start) / (samples / SAMPLE_RATE)
    finally:
        torch.set_num_threads(previous)


def curve(folder: Path, corpus, records, listener) -> None:
    snapshots = sorted(folder.glob("step-*.pt"), key=lambda p: int(re.findall(r"\d+", p.stem)[0]))
    if not snapshots:
        raise SystemExit(f"no step-*.pt snapshots in {folder}")
    print("| step | CPU min | PER | F0 RMSE (cents) | worst voice's median F0 (cents) | MCD-DTW (dB) |")
    print("|---|---|---|---|---|---|")
    for path in snapshots:
        model, step, seconds = RECIPE.load_run(path)
        figures = score(model, corpus, records, listener, unseen=False)
        print(f"| {step:,} | {seconds / 60:.0f} | {figures['per']:.1%} | {figures['f0_rmse_cents']:.0f} | "
              f"{figures['worst_voice_cents']:.0f} | {figures['mcd']:.2f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", nargs="?", default=str(CHECKPOINT_DIR / RECIPE.shipped.file),
                        help="a VITS model file or a run's checkpoint.pt (default: the shipped one)")
    parser.add_argument("--curve", metavar="DIR", default=None, help="score every step-*.pt snapshot in DIR")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    corpus, records = test_records()
    listener = recognizer()
    if args.curve:
        curve(Path(args.curve), corpus, records, listener)
        return
    model, step, _ = RECIPE.load_run(args.checkpoint)
    name = "vits_pitch" + ("_f0" if model.has_pitch else "")
    print(f"{args.checkpoint}{'' if step is None else f' (step {step:,})'}: {len(records)} test sentences")
    figures = score(model, corpus, records, listener, unseen=True)
    for voice, value in figures["median_f0_cents"].items():
        print(f"  {voice:10s} median F0 {value:+.0f} cents from its recordings")
        emit(name, f"median_f0_cents_{voice.replace('+', '_').replace('-', '_')}", value, "cents",
             f"within ±{PITCH_TARGET_CENTS:.0f}")
    rtf = rtf_one_thread(model, corpus, records)
    print(f"PER {figures['per']:.1%} (unseen sentences {figures['per_unseen']:.1%}), F0 RMSE "
          f"{figures['f0_rmse_cents']:.0f} cents, MCD-DTW {figures['mcd']:.2f} dB, RTF {rtf:.4f} (one thread)")
    emit(name, "per", figures["per"], "fraction", PER_TARGET)
    emit(name, "per_unseen_sentences", figures["per_unseen"], "fraction", PER_TARGET)
    emit(name, "f0_rmse_cents", figures["f0_rmse_cents"], "cents")
    emit(name, "mcd_dtw", figures["mcd"], "dB")
    emit(name, "rtf_1thread", rtf, "", 0.02)


if __name__ == "__main__":
    main()
