"""Lesson 12 tools: every system side by side — listening table, seed variation, steps against quality and speed.

Pure parts (unit-tested, no UI):

* :func:`clip_path` / :func:`listening_clips` — the wavs ``compare.measure`` wrote, gathered per system and
  sentence; :func:`listening_table` lays them out as one HTML table (a row per system, a column per sentence,
  one player per seed);
* :func:`listening_grid` — the same table's clips made (or reused) for every system × sentence × seed;
* :func:`f0_contour` — pYIN F0 (a cheaper range and hop than ``compare``'s); :func:`variation` draws
  one sentence with several seeds through a compare ``System`` and measures the spread of its total duration
  and of its median F0; :func:`variation_figure` overlays the contours, one panel per system;
* :func:`steps_sweep` — one diffusion model at several ``n_steps`` (network calls) through the synthesis
  contract: MCD-DTW of its mel against the recording and the real-time factor of text → mel;
* :func:`find_row` — the first compare ``Row`` whose name starts with a label (``None`` if that system is absent);
* :func:`paired_difference`, :func:`table_reading`, :func:`variation_reading`, :func:`sweep_reading` — the
  lesson's findings written from the run's own measurements (ranks, paired gaps with their confidence interval,
  voiced shares, steps against MCD), so the prose cannot disagree with the table above it.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_lib import audio, compare
from course_lib.cepstrum import mcd_dtw
from course_lib.models.contract import SynthesisOptions

# pYIN range and hop: the built-in corpus's eSpeak voices sit at 80–250 Hz; compare uses the same range at hop 256 —
# hop 512 is about half the cost and gives the same median F0 on these voices
F0_MIN, F0_MAX, F0_HOP = 60.0, 400.0, 2 * audio.HOP_LENGTH


# ------------------------------------------------------------------------------------------ listening table
def clip_path(wav_dir: str | Path, system_name: str, item_id: str, seed: int) -> Path:
    """Where ``compare.measure`` wrote ``system_name``'s wave of ``item_id`` at ``seed`` (its naming rule)."""
    return compare.wav_path(wav_dir, system_name, item_id, seed)


def listening_clips(wav_dir: str | Path, system_names: Sequence[str], item_ids: Sequence[str], seeds: int = 3
                    ) -> dict[str, dict[str, list[tuple[int, np.ndarray]]]]:
    """``{system: {item_id: [(seed, wave), …]}}`` from the wavs on disk; a deterministic system has only seed 0.

    Raises ``FileNotFoundError`` naming the folder when a system has no clip at all for a sentence.
    """
    clips: dict[str, dict[str, list[tuple[int, np.ndarray]]]] = {}
    for name in system_names:
        clips[name] = {}
        for item_id in item_ids:
            found = [(seed, audio.load_audio(path)) for seed in range(seeds)
                     if (path := clip_path(wav_dir, name, item_id, seed)).is_file()]
            if not found:
                raise FileNotFoundError(f"no clip of {name!r} for {item_id} in {wav_dir}: run compare.measure "
                                        "with this folder first")
            clips[name][item_id] = found
    return clips


def listening_table(clips: dict[str, dict[str, list[tuple[int, np.ndarray]]]], sentences: dict[str, str],
                    sample_rate: int = audio.SAMPLE_RATE) -> str:
    """One HTML table: a row per system, a column per sentence (its text as the header), a player per seed."""
    from IPython.display import Audio

    item_ids = list(sentences)
    head = "".join(f"<th style='text-align:left;max-width:16em'>{html.escape(sentences[i])}</th>" for i in item_ids)
    rows = []
    for name, per_item in clips.items():
        cells = []
        for item_id in item_ids:
            players = "".join(
                f"<div style='white-space:nowrap'><small>{'seed ' + str(seed) if len(per_item[item_id]) > 1 else ''}"
                f"</small>{Audio(np.clip(wave, -1, 1), rate=sample_rate, normalize=False)._repr_html_()}</div>"
                for seed, wave in per_item.get(item_id, []))
            cells.append(f"<td style='vertical-align:top'>{players}</td>")
        rows.append(f"<tr><th style='text-align:left'>{html.escape(name)}</th>{''.join(cells)}</tr>")
    return f"<table><tr><th>system</th>{head}</tr>{''.join(rows)}</table>"


def listening_grid(systems: Sequence, items: Sequence, seeds: int = 3,
                   known: dict[tuple[str, str, int], np.ndarray] | None = None
                   ) -> dict[str, dict[str, list[tuple[int, np.ndarray]]]]:
    """``{system: {item_id: [(seed, wave), …]}}`` for every compare ``System`` × item × seed (one seed for a
    deterministic system); a wave already made is taken from ``known[(system name, item id, seed)]``."""
    known = known or {}
    clips: dict[str, dict[str, list[tuple[int, np.ndarray]]]] = {}
    for system in systems:
        clips[system.name] = {}
        for item in items:
            found = []
            for seed in range(seeds if system.stochastic else 1):
                wave = known.get((system.name, item.id, seed))
                if wave is None:
                    with torch.no_grad():
                        wave = system.speak(item, seed).float().clamp(-1.0, 1.0).numpy()
                found.append((seed, np.asarray(wave)))
            clips[system.name][item.id] = found
    return clips


# ---------------------------------------------------------------------------------------------- variation
def f0_contour(wave, sample_rate: int = audio.SAMPLE_RATE, fmin: float = F0_MIN, fmax: float = F0_MAX,
               hop_length: int = F0_HOP) -> tuple[np.ndarray, np.ndarray]:
    """``(times [F] s, f0 [F] Hz with NaN where unvoiced)`` by ``librosa.pyin``."""
    import librosa

    wave = np.asarray(wave.numpy() if isinstance(wave, torch.Tensor) else wave, dtype=np.float32)
    f0, voiced, _ = librosa.pyin(wave, fmin=fmin, fmax=fmax, sr=sample_rate, frame_length=1024,
                                 hop_length=hop_length)
    f0 = np.where(voiced & np.isfinite(f0), f0, np.nan)
    return np.arange(len(f0)) * hop_length / sample_rate, f0


@dataclass(frozen=True)
class Variation:
    """One system's samples of one sentence: per seed its length (s) and F0 contour; the spreads across seeds."""

    name: str
    seeds: tuple[int, ...]
    seconds: tuple[float, ...]
    contours: tuple[tuple[np.ndarray, np.ndarray], ...]  # (times, f0) per seed
    duration_spread_s: float   # standard deviation of the total duration
    f0_spread_hz: float        # standard deviation of the median F0 (compare's definition)
    voiced_share: float        # share of frames pYIN calls voiced, over all samples
    waves: tuple[np.ndarray, ...] = ()


def variation(system, item, seeds: Sequence[int] = range(8), keep_waves: bool = False) -> Variation:
    """Speak ``item`` with every seed through a compare ``System`` (``speak(item, seed) -> wave``) and measure."""
    waves, contours = [], []
    for seed in seeds:
        with torch.no_grad():
            wave = system.speak(item, seed).float().clamp(-1.0, 1.0).numpy()
        waves.append(wave)
        contours.append(f0_contour(wave))
    medians = [float(np.nanmedian(f0)) if np.isfinite(f0).any() else np.nan for _, f0 in contours]
    voiced = np.concatenate([np.isfinite(f0) for _, f0 in contours])
    seconds = tuple(len(w) / audio.SAMPLE_RATE for w in waves)
    return Variation(system.name, tuple(seeds), seconds, tuple(contours), float(np.std(seconds)),
                     float(np.nanstd(medians)) if np.isfinite(medians).any() else float("nan"),
                     float(voiced.mean()), tuple(waves) if keep_waves else ())


def variation_figure(variations: Sequence[Variation], title: str | None = None):
    """One panel per system, the F0 contours of all its seeds overlaid on one time axis (a ``Figure``)."""
    from matplotlib.figure import Figure

    if not variations:
        raise ValueError("no variations to draw: pass what variation() returned, one per system")
    fig = Figure(figsize=(11, 1.9 * len(variations) + 0.6))
    axes = np.atleast_1d(fig.subplots(len(variations), 1, sharex=True, sharey=True))
    for ax, v in zip(axes, variations):
        for index, (seed, (times, f0)) in enumerate(zip(v.seeds, v.contours)):
            ax.plot(times, f0, color=f"C{index % 10}", linewidth=1.2, alpha=0.85, label=f"seed {seed}")
            ax.axvline(v.seconds[index], color=f"C{index % 10}", linewidth=0.6, alpha=0.5)
        ax.set_title(f"{v.name}: length spread {v.duration_spread_s * 1000:.0f} ms, median-F0 spread "
                     f"{v.f0_spread_hz:.1f} Hz, {v.voiced_share:.0%} of frames voiced", fontsize=9, loc="left")
        ax.set_ylabel("F0 (Hz)")
        ax.grid(alpha=0.3)
    axes[0].legend(ncol=min(8, len(variations[0].seeds)), fontsize=7, loc="upper right")
    axes[-1].set_xlabel("time (s) — thin vertical lines: where each sample ends")
    fig.suptitle(title or "the same sentence, one curve per seed (pYIN; gaps are unvoiced)", fontsize=10)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------------ steps sweep
@dataclass(frozen=True)
class SweepPoint:
    n_steps: int
    mcd_dtw: float   # mean over the items, dB, the model's mel against the recording's
    rtf: float       # median over the items of (seconds of text → mel) / (seconds of audio)


def steps_sweep(model, items: Sequence, n_steps: Sequence[int], seed: int = 0) -> list[SweepPoint]:
    """``model.generate`` at each ``n_steps`` on every item (``item.tokens``, ``item.mel``): MCD-DTW and RTF."""
    points = []
    if items and n_steps:  # one untimed call first: the first run of a model pays one-off set-up costs
        with torch.no_grad():
            model.generate(items[0].tokens, SynthesisOptions(n_steps=int(min(n_steps)), seed=seed))
    for steps in n_steps:
        mcds, rtfs = [], []
        for item in items:
            start = time.perf_counter()
            with torch.no_grad():
                result = model.generate(item.tokens, SynthesisOptions(n_steps=int(steps), seed=seed))
            seconds = time.perf_counter() - start
            mel = result.mel.reshape(result.mel.shape[-2], -1).float().cpu()
            mcds.append(mcd_dtw(mel, item.mel))
            rtfs.append(seconds / (mel.shape[-1] * audio.HOP_LENGTH / audio.SAMPLE_RATE))
        points.append(SweepPoint(int(steps), float(np.mean(mcds)), float(np.median(rtfs))))
    return points


def find_row(rows: Sequence, label: str):
    """The first row whose ``name`` starts with ``label`` (e.g. ``"Grad-TTS"``), or ``None``."""
    return next((row for row in rows if row.name.startswith(label)), None)


# ------------------------------------------------------------------------------------------ findings, as measured
MEASURES = {"mcd_dtw": ("MCD-DTW", "dB", 1, True), "per": ("PER", "%", 1, True),
            "dnsmos_ovrl": ("DNSMOS", "", 2, False)}  # name, unit, digits, lower is better


def is_anchor(row) -> bool:
    """The recording and its resyntheses: references, not text-to-speech systems."""
    return row.name == "ground truth" or row.name.endswith("resynthesis")


def paired_difference(a, b, measure: str) -> tuple[float, float | None]:
    """Mean over the shared sentences of ``a``'s score minus ``b``'s, and the 95 % CI half-width of that mean
    (paired: both systems spoke the same sentences, so the sentence-to-sentence spread cancels)."""
    diffs = np.subtract(a.per_sentence[measure], b.per_sentence[measure])
    return float(diffs.mean()), compare.confidence_half_width(diffs)


def _figure(row, measure: str) -> str:
    _, unit, digits, _ = MEASURES[measure]
    scale = 100 if unit == "%" else 1
    value, width = getattr(row, measure) * scale, row.interval.get(measure)
    spread = "" if width is None else f" ± {width * scale:.{digits}f}"
    return f"{value:.{digits}f}{spread}{' ' + unit if unit else ''}"


def ranking(rows: Sequence, measure: str) -> str:
    """The text-to-speech rows best first by ``measure``, and for each neighbour whether the sentences tell them
    apart (the paired 95 % interval of their gap excludes 0) — one markdown sentence."""
    label, unit, digits, lower = MEASURES[measure]
    ranked = sorted((r for r in rows if not is_anchor(r) and getattr(r, measure) is not None),
                    key=lambda r: getattr(r, measure), reverse=not lower)
    if not ranked:
        return f"**{label}**: not measured in this run."
    scale = 100 if unit == "%" else 1
    parts = [f"**{label}** ({'lower' if lower else 'higher'} is better): "
             + ", ".join(f"{r.name.split(' + ')[0]} {_figure(r, measure)}" for r in ranked) + "."]
    for a, b in zip(ranked, ranked[1:]):
        if measure not in a.per_sentence or measure not in b.per_sentence:
            continue
        gap, width = paired_difference(b, a, measure)
        names = f"{a.name.split(' + ')[0]} against {b.name.split(' + ')[0]}"
        if width is None:
            parts.append(f"{names}: one sentence, no interval.")
        else:
            apart = abs(gap) > width
            parts.append(f"{names}: {abs(gap) * scale:.{digits}f} ± {width * scale:.{digits}f}{' ' + unit if unit else ''}"
                         f" on the same sentences — {'told apart' if apart else '**not** told apart'}.")
    return " ".join(parts)


def table_reading(rows: Sequence) -> str:
    """The table's findings as markdown bullets: each measure's ranking with its paired gaps, the vocoder's floor,
    and where DNSMOS and PER disagree."""
    bullets = [ranking(rows, measure) for measure in MEASURES]
    floor = next((r for r in rows if r.name.endswith("resynthesis") and not r.name.startswith("Griffin-Lim")), None)
    floor = floor or find_row(rows, "Griffin-Lim")
    if floor is not None:
        bullets.append(f"**The vocoder's floor**: the recording's own mel through {floor.name.replace(' resynthesis', '')} "
                       f"scores MCD-DTW {_figure(floor, 'mcd_dtw')} and PER {_figure(floor, 'per') if floor.per is not None else '—'}: "
                       "no mel model speaking through it can come closer to the recording than that.")
    scored = [r for r in rows if not is_anchor(r) and r.dnsmos_ovrl is not None and r.per is not None]
    if len(scored) >= 2:
        by_mos = sorted(scored, key=lambda r: -r.dnsmos_ovrl)
        by_per = sorted(scored, key=lambda r: r.per)
        if by_mos[0] is not by_per[0]:
            bullets.append(f"**Two questions, two answers**: DNSMOS ranks {by_mos[0].name.split(' + ')[0]} first, PER ranks it "
                           f"{by_per.index(by_mos[0]) + 1} of {len(scored)} — a no-reference quality model hears a clean, "
                           "steady voice; it does not check what the voice says.")
        else:
            bullets.append(f"**DNSMOS and PER agree on the first place** ({by_mos[0].name.split(' + ')[0]}) in this run; "
                           "they need not — DNSMOS never checks what the voice says.")
    timed = [r for r in rows if not is_anchor(r) and r.duration_mae is not None]
    if timed:
        best = min(timed, key=lambda r: r.duration_mae)
        bullets.append(f"**Durations**: {best.name.split(' + ')[0]} predicts them best ({best.duration_mae:.2f} frames per "
                       "phoneme off, on average)" + (" — the one model trained on the corpus's true durations rather "
                       "than on ones it found by alignment." if best.name.startswith("Diff-TTS") else "."))
    return "\n".join(f"* {b}" for b in bullets)


def variation_reading(variations: Sequence[Variation]) -> str:
    """Per system: how much of it pYIN calls voiced, and how far seeds move its length and median F0."""
    lines = []
    for v in variations:
        f0 = "pYIN found no pitch" if not np.isfinite(v.f0_spread_hz) else f"median-F0 spread {v.f0_spread_hz:.1f} Hz"
        lines.append(f"* {v.name}: {v.voiced_share:.0%} of frames voiced; " + (
            f"length spread {v.duration_spread_s * 1000:.0f} ms, {f0}" if len(v.seeds) > 1 else "one take"))
    return "\n".join(lines)


def sweep_reading(sweeps: dict[str, Sequence[SweepPoint]]) -> str:
    """Per diffusion model: MCD-DTW at each number of calls, and what the last step bought at what cost."""
    lines = []
    for label, points in sweeps.items():
        path = " → ".join(f"{p.mcd_dtw:.1f}" for p in points)
        calls = " / ".join(str(p.n_steps) for p in points)
        line = f"* {label}: MCD-DTW {path} dB at {calls} calls"
        if len(points) >= 2:
            last, before = points[-1], points[-2]
            line += (f"; the last step costs {last.rtf / before.rtf:.1f}× the time and moves the MCD by "
                     f"{last.mcd_dtw - before.mcd_dtw:+.1f} dB")
        lines.append(line)
    return "\n".join(lines)
