"""Every shipped model on the same held-out sentences, measured the same way (lesson 12; ``python -m course_lib
compare``).

Systems: the recording itself, its Griffin-Lim (32 iterations) resynthesis, its resynthesis by the shipped
neural vocoder (when one ships), and every shipped text-to-speech model — Glow-TTS, Grad-TTS and Diff-TTS
through the course vocoder (``load_vocoder("auto")``), VITS on its own (it makes the wave). The sentences
are the first N of the built-in corpus's test split, spoken by its ``en-us`` voice (a multi-voice VITS
speaks them as speaker 0, the same voice). Every model is driven through the synthesis contract
(:mod:`course_lib.models.contract`) at its defaults.

Measures, all on the wave each system makes:

* **MCD-DTW** (dB) of the wave's mel against the recording's (:mod:`course_lib.cepstrum`);
* **DNSMOS P.835** overall (no reference; :func:`course_lib.quality.dnsmos`), when it can run here;
* **PER** of the course's phoneme recognizer (:mod:`course_lib.quality`; `data/checkpoints/recognizer_tiny.pt`);
* **duration error** (frames per phoneme) of the duration predictor and **alignment accuracy** of the
  model's own alignment search (:mod:`course_lib.evaluation`);
* the **spread over sentences** of MCD-DTW, DNSMOS and PER: each sentence's score (its seeds averaged) is kept
  in ``Row.per_sentence``, and ``Row.interval`` holds the half-width of a 95 % confidence interval of the mean
  (Student's t over the sentences), printed as ``mean ± half-width``;
* **variation** across seeds of one sentence: the spread (standard deviation) of its total duration and
  of its median F0 (``librosa.pyin``);
* **speed**: CPU real-time factor (seconds of compute per second of audio, one sentence, median of 3)
  at 1 and at 2 threads (on a machine with two cores or more), and on the GPU when CUDA is present
  (a copy of the model and vocoder on ``cuda``, float32, after one warm-up call, timed to
  ``torch.cuda.synchronize``); parameters (model + vocoder).

:func:`run` writes ``results.md`` (the table), ``results.json``, ``pareto.png`` (MCD-DTW against RTF,
marker area ∝ parameters) and the wavs.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from course_lib import audio, evaluation
from course_lib.cepstrum import mcd_dtw
from course_lib.files import atomic_write
from course_lib.models import recipe_of
from course_lib.models.contract import SynthesisOptions

COMPARED = ("glow_tts", "grad_tts", "diff_tts", "vits")  # each through its recipe's shipped checkpoint
# each model at the setting the course synthesises with (``synth``'s defaults): Diff-TTS's config keeps the
# paper's γ = 1 (all 400 network calls); the course speaks it with the 20-call walk (γ = 21)
SETTINGS = {"diff_tts": {"n_steps": 20}}
VARIATION_SEEDS = 8


@dataclass
class System:
    """One way to make a wave for a test item: ``speak(item, seed) -> wave [N]``."""

    name: str
    speak: Callable[[object, int], torch.Tensor]
    parameters: int | None = None
    end_to_end: bool = False           # text → wave in one model
    model: object | None = None        # the TTS model (for durations and alignment), None for resyntheses
    options: SynthesisOptions | None = None  # its setting (without seed)
    stochastic: bool = True            # does the seed change the wave?
    training: str | None = None        # what its shipped checkpoint cost to train (data/checkpoints/README.md)
    # ``on(device) -> speak``: the same speak with a copy of its model and vocoder on ``device`` (GPU timing)
    on: Callable[[torch.device], Callable[[object, int], torch.Tensor]] | None = None


@dataclass
class Row:
    """One system's figures (means over the sentences; None where a measure does not apply or cannot run)."""

    name: str
    mcd_dtw: float | None = None
    dnsmos_ovrl: float | None = None
    per: float | None = None
    duration_mae: float | None = None
    alignment_accuracy: float | None = None
    duration_spread_s: float | None = None
    f0_spread_hz: float | None = None
    rtf_1_thread: float | None = None
    rtf_2_threads: float | None = None
    rtf_gpu: float | None = None
    parameters: int | None = None
    end_to_end: bool = False
    training: str | None = None
    notes: list[str] = field(default_factory=list)
    per_sentence: dict[str, list[float]] = field(default_factory=dict)  # "mcd_dtw" / "dnsmos_ovrl" / "per" → one per sentence
    interval: dict[str, float] = field(default_factory=dict)            # the same keys → 95 % CI half-width of the mean


def confidence_half_width(values: Sequence[float], level: float = 0.95) -> float | None:
    """Half-width of the ``level`` confidence interval of the mean of ``values`` (Student's t; None below 2)."""
    from scipy.stats import t

    if len(values) < 2:
        return None
    return float(t.ppf(0.5 + level / 2, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values)))


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def shipped_systems(models: Sequence[str] | None = None, vocoder_name: str = "auto") -> list[System]:
    """The reference, its resyntheses and every shipped model among ``models`` (None: all four)."""
    from course_lib import paths
    from course_lib.vocoder import GriffinLimVocoder, load_vocoder

    vocoder = load_vocoder(vocoder_name, verbose=False)
    vocoder_parameters = vocoder.parameters
    griffin_lim = GriffinLimVocoder()
    systems = [
        System("ground truth", lambda item, seed: item.wave, stochastic=False),
        _resynthesis_system("Griffin-Lim resynthesis", griffin_lim, 0),
    ]
    if vocoder.name != griffin_lim.name:
        systems.append(_resynthesis_system(f"{vocoder.name} resynthesis", vocoder, vocoder_parameters))
    unknown = set(models or ()) - set(COMPARED)
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(sorted(unknown))}: choose from {', '.join(COMPARED)}")
    for kind in models or COMPARED:
        recipe = recipe_of(kind)
        path = paths.CHECKPOINT_DIR / recipe.shipped.file
        if not path.is_file():
            print(f"compare: no shipped {recipe.synth.label} ({path.name}); skipped")
            continue
        systems.append(_tts_system(recipe, recipe.load(path, device="cpu"), vocoder, vocoder_parameters))
    return systems


def _resynthesis_system(name: str, vocoder, parameters: int) -> System:
    """The recording's mel through ``vocoder``."""

    def on(device: torch.device):
        moved = vocoder.to(device)
        return lambda item, seed: moved(item.mel.to(device))

    return System(name, lambda item, seed: vocoder(item.mel), parameters, stochastic=False, on=on)


def _tts_system(recipe, model, vocoder, vocoder_parameters: int) -> System:
    setting = {**SETTINGS.get(recipe.name, {}), **({"speaker": 0} if "speaker" in model.knobs else {})}
    label = recipe.synth.label

    def speaker_for(model, vocoder):
        def speak(item, seed):
            result = model.generate(evaluation.model_item(item, model).tokens, SynthesisOptions(seed=seed, **setting))
            return result.wave if result.wave is not None else vocoder(result.mel)
        return speak

    def on(device: torch.device):
        return speaker_for(copy.deepcopy(model).to(device), vocoder.to(device))

    options = SynthesisOptions(**SETTINGS.get(recipe.name, {}))
    training = str(recipe.shipped.cost)
    speak = speaker_for(model, vocoder)
    if recipe.synth.makes_waves:   # text -> wave in one model: no vocoder, nor its parameters
        return System(label, speak, _count(model), end_to_end=True, model=model, options=options, training=training,
                      on=on)
    return System(f"{label} + {vocoder.name}", speak, _count(model) + vocoder_parameters, model=model,
                  options=options, training=training, on=on)


def test_split_size() -> int:
    """How many held-out test sentences :func:`test_items` can give (the single-voice corpus of this mode)."""
    from course_lib.data import ensure_corpus, load_corpus

    return len(load_corpus(ensure_corpus()).split("test"))


def test_items(n_sentences: int) -> tuple[list, list[list[str]]]:
    """The first ``n_sentences`` of the single-voice built-in corpus's test split, with waves, and the phonemes
    spoken in each (pauses left out, as the recognizer is scored)."""
    from course_lib.data import TextMelDataset, ensure_corpus, load_corpus

    corpus = load_corpus(ensure_corpus())
    records = corpus.split("test").utterances[:n_sentences]
    dataset = TextMelDataset(records, tokenizer=corpus.tokenizer, return_wave=True)
    phonemes = [[p for p in corpus.symbols_for(record) if p != "|"] for record in records]
    return [dataset[i] for i in range(len(dataset))], phonemes


def wav_path(wav_dir: str | Path, system_name: str, item_id: str, seed: int) -> Path:
    """Where :func:`measure` writes ``system_name``'s clip of ``item_id`` at ``seed``."""
    slug = system_name.lower().replace(" ", "_").replace("+", "").replace("__", "_")
    return Path(wav_dir) / f"{slug}_{item_id}_seed{seed}.wav"


def gpu_device() -> torch.device | None:
    """The CUDA device GPU speed is measured on, or None on a machine without one."""
    return torch.device("cuda") if torch.cuda.is_available() else None


def _rtf_on(system: System, item, device: torch.device, repeats: int) -> float:
    """Real-time factor of ``system`` copied to ``device``: one warm-up call (kernel choice, allocator), then the
    median of ``repeats`` calls, each timed up to the device's last kernel."""
    speak = system.on(device)

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    speak(item, 0)
    sync()
    times, seconds = [], 1.0
    for repeat in range(repeats):
        start = time.perf_counter()
        wave = speak(item, repeat)
        sync()
        times.append(time.perf_counter() - start)
        seconds = wave.numel() / audio.SAMPLE_RATE
    return statistics.median(times) / seconds


def _rtf(system: System, item, threads: int, repeats: int) -> float:
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        times, seconds = [], 1.0
        for repeat in range(repeats):
            start = time.perf_counter()
            wave = system.speak(item, repeat)
            times.append(time.perf_counter() - start)
            seconds = wave.numel() / audio.SAMPLE_RATE
        return statistics.median(times) / seconds
    finally:
        torch.set_num_threads(before)


def second_core_free(cpu_count: int | None = None, load: float | None = None) -> bool:
    """Whether a second core is idle for a two-thread timing: two cores or more, and the last minute's load
    average (this process's own thread included) leaves one free."""
    cpu_count = (os.cpu_count() or 1) if cpu_count is None else cpu_count
    load = os.getloadavg()[0] if load is None else load
    return cpu_count >= 2 and load <= cpu_count - 0.5


def _median_f0(wave: torch.Tensor) -> float:
    import librosa

    # 60–400 Hz: the corpus's voices sit at 80–250 Hz; a wider range lets pYIN jump octaves on buzzy clips
    f0, voiced, _ = librosa.pyin(wave.numpy().astype(np.float32), fmin=60, fmax=400, sr=audio.SAMPLE_RATE,
                                 frame_length=1024, hop_length=audio.HOP_LENGTH)
    voiced_f0 = f0[voiced & np.isfinite(f0)]
    return float(np.median(voiced_f0)) if voiced_f0.size else float("nan")


def _recognizer():
    from course_lib import paths

    recipe = recipe_of("recognizer")
    path = paths.CHECKPOINT_DIR / recipe.shipped.file
    if not path.is_file():
        return None
    return recipe.load(path, device="cpu")


def measure(systems: Sequence[System], items: Sequence, phonemes: Sequence[Sequence[str]], out_dir: Path,
            seeds: int = 3, variation_seeds: int = VARIATION_SEEDS, progress: bool = True,
            dnsmos: bool = True) -> list[Row]:
    """Score every system on ``items`` (``seeds`` samples each, wavs written; ``phonemes`` spoken in each, for
    PER), variation across ``variation_seeds`` seeds on the first item (fewer than 2: not measured, None).
    ``dnsmos=False`` skips DNSMOS, the slowest measure (its column stays empty, with a note saying why)."""
    from tqdm.auto import tqdm

    from course_lib import quality
    from course_lib.mode import pick

    dnsmos_missing = quality.dnsmos_unavailable() if dnsmos else "DNSMOS skipped (asked for: --no-dnsmos)"
    gpu = gpu_device()
    recognizer = _recognizer()
    wav_dir = out_dir / "wavs"
    wav_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    bar = tqdm(total=len(systems) * len(items), desc="compare", disable=not progress)
    for system in systems:
        row = Row(system.name, parameters=system.parameters, end_to_end=system.end_to_end, training=system.training)
        mcds, moses, references, hypotheses = [], [], [], []
        sentence_mcd, sentence_mos, sentence_per = [], [], []
        for item, spoken in zip(items, phonemes):
            first = len(mcds), len(moses), len(hypotheses)
            for seed in range(seeds if system.stochastic else 1):
                with torch.no_grad():
                    wave = system.speak(item, seed).float().clamp(-1.0, 1.0)
                audio.save_audio(wav_path(wav_dir, system.name, item.id, seed), wave.numpy(), audio.SAMPLE_RATE)
                mcds.append(mcd_dtw(audio.mel_spectrogram(wave), item.mel))
                if dnsmos_missing is None and wave.numel() >= quality.DNSMOS_MIN_SECONDS * audio.SAMPLE_RATE:
                    moses.append(quality.dnsmos(wave).ovrl)
                elif dnsmos_missing is None:
                    row.notes.append(f"DNSMOS: a {system.name} clip shorter than {quality.DNSMOS_MIN_SECONDS} s "
                                     "was left out")
                if recognizer is not None:
                    references.append(list(spoken))
                    hypotheses.append(quality.transcribe(recognizer, wave))
            sentence_mcd.append(float(np.mean(mcds[first[0]:])))
            if len(moses) > first[1]:
                sentence_mos.append(float(np.mean(moses[first[1]:])))
            if len(hypotheses) > first[2]:
                sentence_per.append(quality.phoneme_error_rate(references[first[2]:], hypotheses[first[2]:]))
            bar.update(1)
        row.per_sentence = {name: values for name, values in
                            (("mcd_dtw", sentence_mcd), ("dnsmos_ovrl", sentence_mos), ("per", sentence_per)) if values}
        row.interval = {name: width for name, values in row.per_sentence.items()
                        if (width := confidence_half_width(values)) is not None}
        row.mcd_dtw = float(np.mean(mcds))
        row.dnsmos_ovrl = float(np.mean(moses)) if moses else None
        if dnsmos_missing is not None:
            row.notes.append(dnsmos_missing)
        if recognizer is not None:
            row.per = quality.phoneme_error_rate(references, hypotheses)
        if system.model is not None:
            scores = evaluation.score(evaluation.scorer_for(system.model, options=system.options), items)
            row.duration_mae = scores.duration_mae
            row.alignment_accuracy = scores.alignment_accuracy
        if system.model is not None and variation_seeds >= 2:
            with torch.no_grad():
                waves = [system.speak(items[0], seed) for seed in range(variation_seeds)]
            row.duration_spread_s = float(np.std([w.numel() / audio.SAMPLE_RATE for w in waves]))
            medians = [f0 for f0 in (_median_f0(w.float()) for w in waves) if np.isfinite(f0)]
            row.f0_spread_hz = float(np.std(medians)) if len(medians) >= 2 else None  # None: pYIN found no pitch
        if system.parameters is not None:  # something is computed: time it
            repeats = pick(smoke=1, default=3, full=3)
            with torch.no_grad():
                row.rtf_1_thread = _rtf(system, items[0], 1, repeats)
                if second_core_free():
                    row.rtf_2_threads = _rtf(system, items[0], 2, repeats)
                elif (os.cpu_count() or 1) >= 2:
                    row.notes.append(f"RTF 2 threads: not timed for {system.name} — another job keeps the second "
                                     f"core busy (load {os.getloadavg()[0]:.1f}), and two threads would time the "
                                     "wait, not the model")
                if gpu is not None and system.on is not None:
                    row.rtf_gpu = _rtf_on(system, items[0], gpu, repeats)
        rows.append(row)
    bar.close()
    if gpu is None:
        rows[0].notes.append("RTF GPU: no CUDA device on this machine")
    if recognizer is None:
        rows[0].notes.append("PER: no shipped phoneme recognizer (data/checkpoints/recognizer_tiny.pt) yet")
    return rows


def _cell(value, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def _spread_cell(row: Row, name: str, digits: int) -> str:
    """``mean ± half-width`` of a measure with a confidence interval, else the mean alone."""
    width = row.interval.get(name)
    return _cell(getattr(row, name), digits) + ("" if width is None else f" ± {width:.{digits}f}")


def markdown(rows: Sequence[Row], n_sentences: int) -> str:
    """The results as a markdown table, with the notes under it."""
    header = ("| system | MCD-DTW dB ↓ | DNSMOS ↑ | PER ↓ | duration MAE | alignment acc. | duration spread s | "
              "F0 spread Hz | RTF 1 thread | RTF 2 threads | RTF GPU | parameters | text → wave | training |")
    spread = (" MCD-DTW, DNSMOS and PER read mean ± the half-width of a 95 % confidence interval over the "
              "sentences." if any(r.interval for r in rows) else "")
    lines = [f"Held-out test sentences: {n_sentences} (built-in corpus, en-us).{spread}", "", header,
             "|" + "---|" * 14]
    for r in rows:
        lines.append(f"| {r.name} | {_spread_cell(r, 'mcd_dtw', 2)} | {_spread_cell(r, 'dnsmos_ovrl', 2)} | "
                     f"{_spread_cell(r, 'per', 3)} | "
                     f"{_cell(r.duration_mae)} | {_cell(r.alignment_accuracy, 3)} | {_cell(r.duration_spread_s, 3)} | "
                     f"{_cell(r.f0_spread_hz, 1)} | {_cell(r.rtf_1_thread, 3)} | {_cell(r.rtf_2_threads, 3)} | "
                     f"{_cell(r.rtf_gpu, 4)} | {_cell(r.parameters)} | {_cell(r.end_to_end) if r.parameters is not None else '—'} | "
                     f"{r.training or '—'} |")
    notes = sorted({note for r in rows for note in r.notes})
    return "\n".join(lines + ([""] + [f"* {note}" for note in notes] if notes else [])) + "\n"


def pareto_chart(rows: Sequence[Row], path: Path) -> Path:
    """MCD-DTW against 1-thread RTF, marker area ∝ parameters, for every system that computes something."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    timed = [r for r in rows if r.rtf_1_thread is not None]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in timed:
        size = 30 + 400 * (r.parameters or 0) / max(max(t.parameters or 1 for t in timed), 1)
        ax.scatter(r.rtf_1_thread, r.mcd_dtw, s=size, alpha=0.6)
        ax.annotate(r.name, (r.rtf_1_thread, r.mcd_dtw), textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.text(1.0, ax.get_ylim()[0], " real time", va="bottom", fontsize=8, color="grey")
    ax.set_xscale("log")
    ax.set_xlabel("CPU real-time factor, 1 thread (log; left = faster)")
    ax.set_ylabel("MCD-DTW to the recording, dB (lower = closer)")
    ax.set_title("Quality against speed (marker area ∝ parameters)")
    fig.tight_layout()
    atomic_write(path, lambda file: fig.savefig(file, format="png", dpi=100))
    plt.close(fig)
    return Path(path)


OUTPUTS = ("results.md", "results.json", "pareto.png", "wavs")  # what run writes into its folder


def earlier_results(out_dir: str | Path) -> list[Path]:
    """What an earlier :func:`run` left in ``out_dir`` (its :data:`OUTPUTS` that exist)."""
    return [Path(out_dir) / name for name in OUTPUTS if (Path(out_dir) / name).exists()]


def clear_earlier_results(out_dir: str | Path) -> list[Path]:
    """Remove what an earlier :func:`run` wrote in ``out_dir`` — its tables, chart and the wavs it named — and
    nothing else (another file in ``wavs/`` keeps the folder); returns what it removed."""
    removed = []
    for path in earlier_results(out_dir):
        if path.is_dir():
            for wav in sorted(path.glob("*_seed*.wav")):
                wav.unlink()
                removed.append(wav)
            with contextlib.suppress(OSError):
                path.rmdir()  # only when empty
        else:
            path.unlink()
            removed.append(path)
    return removed


def run(out_dir: str | Path, models: Sequence[str] | None = None, n_sentences: int = 10, seeds: int = 3,
        variation_seeds: int = VARIATION_SEEDS, progress: bool = True, dnsmos: bool = True,
        overwrite: bool = False, vocoder: str = "auto") -> list[Row]:
    """Measure every shipped system and write ``results.md``, ``results.json``, ``pareto.png`` and the wavs.

    A folder holding an earlier run's results is refused unless ``overwrite``, which removes them first
    (:func:`clear_earlier_results`), so old and new wavs never mix. Stopped by Ctrl-C, it says what it kept.
    ``vocoder`` voices the mel models (:func:`course_lib.vocoder.load_vocoder`'s names; default the course's).
    """
    if n_sentences < 1 or seeds < 1 or variation_seeds < 2:
        raise ValueError("compare needs ≥ 1 sentence, ≥ 1 seed and ≥ 2 variation seeds")
    out = Path(out_dir)
    earlier = earlier_results(out)
    if earlier and not overwrite:
        raise ValueError(f"{out} already holds the results of a comparison ({', '.join(p.name for p in earlier)}): "
                         "add --overwrite to replace them, or give a new --out folder")
    clear_earlier_results(out)
    out.mkdir(parents=True, exist_ok=True)
    items, phonemes = test_items(n_sentences)
    try:
        rows = measure(shipped_systems(models, vocoder), items, phonemes, out, seeds, variation_seeds, progress,
                       dnsmos)
    except KeyboardInterrupt:
        kept = len(list((out / "wavs").glob("*.wav")))
        raise KeyboardInterrupt(f"compare stopped before its tables were written; kept the {kept} wav(s) made so "
                                f"far in {out / 'wavs'} — run it again with --overwrite to start over") from None
    for name, text in (("results.md", markdown(rows, len(items))),
                       ("results.json", json.dumps([asdict(r) for r in rows], indent=2))):
        atomic_write(out / name, lambda file, text=text: file.write(text.encode("utf-8")))
    pareto_chart(rows, out / "pareto.png")
    return rows
