# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 12 — Side by side: every model on the same text, measured
#
# The course began from a seed that closed with a comparison table of VITS, Glow-TTS, Grad-TTS
# and Diff-TTS. Its claims read like common knowledge: *"VITS: best quality, hard to run in real
# time"*, *"Diff-TTS: an improved Grad-TTS"*, *"Grad-TTS: slow"*, and a column saying which
# systems are *end-to-end*. This lesson rebuilds that table claim by claim from measurements on
# the models you trained — the same held-out sentences, the same yardsticks, the same CPU — and
# lets you hear every system side by side.
#
# **Goals.** By the end you can
# 1. say what each measure (MCD-DTW, DNSMOS, PER, duration error, seed spread, RTF) can and
#    cannot tell you, and compute a real-time factor correctly (exercise 1);
# 2. rank systems only where the sentences tell them apart (a confidence interval per measure, a
#    paired gap per neighbour), and hear every shipped system on the same sentences, three seeds each;
# 3. see how much each model varies from seed to seed — in pitch and in timing;
# 4. measure the steps-against-quality-and-speed trade of the two diffusion models;
# 5. correct the seed's table with a figure per claim, and read a Pareto chart (exercise 2)
#    to pick a system for a job.
#
# **Time**: about 110 min — §1 10 min · §2 15 min · §3 10 min · §4 10 min · §5 15 min · §6 10 min · §7 15 min · §8 5 min · What to try 20 min
#
# **Glossary** (this lesson's columns): *MCD-DTW* — mel-cepstral distance to the recording after
# dynamic time warping, dB, lower = closer; *DNSMOS* — a no-reference MOS estimate (1–5);
# *PER* — phoneme error rate of the course's recognizer; *RTF* — seconds of compute per second
# of audio (below 1 = faster than real time); *spread* — standard deviation across seeds;
# *± w* — the half-width of a 95 % confidence interval of a mean over sentences.

# %%
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import HTML, Markdown, display

from course_lib import audio, compare
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
threads = use_lesson_threads()
print("mode:", current_mode(), "| torch threads:", threads)

# %% [markdown]
# ## 1. Intuition: what a yardstick can see
#
# No single number says "quality". Each measure here answers a narrower question:
#
# | measure | asks | blind to |
# |---|---|---|
# | MCD-DTW | how far is the spectrum from *this* recording, after aligning in time? | a different but equally good prosody is "far" |
# | DNSMOS | does it sound like clean speech to a model trained on real recordings? | eSpeak's buzzy voice scores low even when clean |
# | PER | can a recognizer read the phonemes back? | naturalness |
# | duration MAE, alignment | are the phoneme lengths right? | everything inside a phoneme |
# | seed spread | does a new seed give a new performance? | whether that performance is good |
# | RTF, parameters | what does it cost, here, on one and on two threads (and on the GPU, when there is one)? | another machine (a GPU reorders everything) |
#
# **A warning on the MCD's scale.** The course's MCD (`course_lib.cepstrum`) takes an orthonormal
# DCT of the 80-band natural-log mel and keeps 13 coefficients; papers compute mel-cepstra of
# order 24–34 with SPTK from a WORLD spectral envelope (frequency-warped, scaled as a true
# cepstrum). Same formula on top — (10 / ln 10)·√(2 Σ (c − ĉ)²) — but other cepstra, so the dB land
# elsewhere: the table below shows where for the tiny models; papers report 4–8 dB for theirs.
# Compare systems within this table, never with a published MCD.
#
# Three anchors make the numbers readable: the **recording** itself (MCD 0), its **Griffin-Lim
# resynthesis** and its resynthesis by the **course vocoder** (lesson 06) — the vocoder every mel
# model speaks through here. The course vocoder row is what a perfect mel model would score
# through it, so it bounds MCD and PER from below: a model's mel can only add error to the
# recording's. DNSMOS has no reference, so it has no such bound: a model whose mels are smoother
# than the recording's can sound "cleaner" to it than the resynthesis does.
#
# ## 2. Measure: every shipped system, the same sentences
#
# `course_lib.compare` loads every shipped checkpoint (a missing one is skipped, and says so),
# drives each through the synthesis contract at the setting the course speaks with (Diff-TTS:
# 20 network calls), writes every wave, and scores them. Default mode: 10 held-out sentences at
# seed 0 (smoke: 2; full: the whole test split). Each sentence is scored on its own, so every
# mean comes with its spread: **± w** is the half-width of a 95 % confidence interval over the
# sentences (Student's t). Ten sentences is few — the intervals say how few. The seed-variation
# columns come from eight seeds of the first sentence, which section 4 plots. About two and a
# half minutes on a laptop CPU (DNSMOS and the recognizer are most of it).

# %%
from course_lib.widgets.lesson12 import find_row, variation

out_dir = Path("runs/lesson12")
n_sentences = pick(smoke=2, default=10, full=compare.test_split_size())
n_listen, n_seeds = pick(smoke=1, default=3, full=3), pick(smoke=2, default=3, full=3)  # section 3's grid
variation_seeds = list(range(pick(smoke=3, default=8, full=8)))

started = time.perf_counter()
systems = compare.shipped_systems()  # the mel models speak through the course vocoder
items, phonemes = compare.test_items(n_sentences)
# variation_seeds=1: compare measures no seed spread here — section 4's eight seeds fill it in below
rows = compare.measure(systems, items, phonemes, out_dir, seeds=1, variation_seeds=1)
variations = {}
for system, row in zip(systems, rows):
    if system.model is not None:
        variations[system.name] = v = variation(system, items[0], variation_seeds, keep_waves=True)
        row.duration_spread_s, row.f0_spread_hz = v.duration_spread_s, v.f0_spread_hz
print(f"measured in {time.perf_counter() - started:.0f} s")
display(Markdown(compare.markdown(rows, len(items))))

# %% [markdown]
# Read the table row by row against the anchors: every system is ranked against the same
# recording, and every mel model pays the course vocoder's floor on top of its own error.
# "Parameters" counts the model plus its vocoder (Griffin-Lim has none).
#
# **PER** comes from the course's own CTC recognizer (`data/checkpoints/recognizer_tiny.pt`),
# trained on recordings *and* their Griffin-Lim copies so that a vocoder's artefacts do not
# count as errors: on all 75 multi-voice test utterances it reads the recordings at
# [0.4 %](../data/facts.json "recognizer.per_ground_truth"), their Griffin-Lim copies at
# [0.4 %](../data/facts.json "recognizer.per_griffin_lim_32") and the course vocoder's copies — a
# vocoder it never trained on — at [0.5 %](../data/facts.json "recognizer.per_course_vocoder_pitch_vocoder_tiny_pt_resynthesis")
# (`benchmarks/bench_recognizer.py`). So the anchor rows above should read ≈ 0, and a model's PER
# is its own.
#
# What this run's table says, written from the rows themselves — a gap is **told apart** when
# the 95 % interval of the paired difference (the same sentences, so the sentence-to-sentence
# spread cancels) leaves out zero:

# %%
from course_lib.widgets.lesson12 import table_reading

display(Markdown(table_reading(rows)))

# %% [markdown]
# Read the rankings with their gaps. A system ranked "first" but not told apart from the second
# has not won anything on these sentences: a handful of phonemes or a tenth of a dB can swap
# them. The full-mode run scores the whole test split and narrows every interval by about
# √(75/10) ≈ 2.7×. (A bug once made the DNSMOS-against-PER point louder: VITS fed its tokens
# without the blanks it was trained with spoke far too fast and the recognizer read few of its
# phonemes, while DNSMOS rated it as clean as before.)
#
# ## 3. Listen: the same sentences, every system, three seeds
#
# A row per system, a column per sentence (the first three), a player per seed (the recording
# and its resyntheses are deterministic: one each). Listen across a row first (does the model keep its character?), then
# down a column (who reads this sentence best?). Seed 0 is the clip `compare` scored (in
# `runs/lesson12/wavs/`), the first sentence's other seeds come from the variation run, the
# rest are spoken here (≈ 20 s).

# %%
from course_lib.data import ensure_corpus, load_corpus
from course_lib.widgets.lesson12 import clip_path, listening_grid, listening_table

test_records = {r.id: r.text for r in load_corpus(ensure_corpus()).split("test").utterances[:n_sentences]}
listened = {item.id: test_records[item.id] for item in items[:n_listen]}
known = {(s.name, item.id, 0): audio.load_audio(clip_path(out_dir / "wavs", s.name, item.id, 0))
         for s in systems for item in items}
known.update({(name, items[0].id, seed): wave for name, v in variations.items() for seed, wave in zip(v.seeds, v.waves)})
clips = listening_grid(systems, items[:n_listen], seeds=n_seeds, known=known)
display(HTML(listening_table(clips, listened)))

# %% [markdown]
# What to listen for: first the two resynthesis rows — Griffin-Lim's phasey, metallic edge
# against the course vocoder's steadier pitch (lesson 06). Then each model against the course
# vocoder's row, not against the recording: that row is the best any mel model can sound
# through it. Glow-TTS's seeds sound alike (its durations and most of its detail are
# deterministic); Diff-TTS's seeds differ in detail and voicing; VITS makes its own wave, at a
# pitch its own predictor chose (lesson 11 §9) — listen whether each voice keeps its register.
#
# ## 4. Variation: eight seeds of one sentence
#
# A generative model should give a new performance for a new seed. Two things can vary: the
# **timing** (the durations) and the **pitch and timbre** (the sample itself). Each panel
# overlays the pYIN F0 contours of eight seeds; the thin vertical lines mark where each sample ends.

# %%
from course_lib.widgets.lesson12 import variation_figure

from IPython.display import Image

# the recording and its Griffin-Lim resynthesis as references: how much of a clip can pYIN call voiced at all?
references = [variation(s, items[0], [0]) for s in systems if s.model is None]
figure = variation_figure(references + list(variations.values()),
                          title=f"“{test_records[items[0].id]}”, one curve per seed")
figure.savefig(out_dir / "variation.png", dpi=90)
display(Image(filename=str(out_dir / "variation.png")))
for v in variations.values():
    lengths = sorted(set(round(s, 3) for s in v.seconds))
    medians = [f"{np.nanmedian(f0):.0f}" if np.isfinite(f0).any() else "unvoiced" for _, f0 in v.contours]
    print(f"{v.name:<42} lengths {', '.join(f'{s:.2f}' for s in lengths)} s; median F0 per seed "
          f"{', '.join(medians)} Hz")

# %% [markdown]
# *How to read the figure.* Each panel's title carries its spreads; the lines below sum them up
# for this run. Three things to look for:
#
# * **Timing.** Glow-TTS, Grad-TTS and Diff-TTS predict durations deterministically from the
#   text (a regression, lesson 07), so every seed gives the same length: a spread of exactly
#   0 ms. Only VITS's stochastic duration predictor (lesson 11) samples a rhythm.
# * **Pitch.** The eSpeak voices the models learned from have a nearly fixed pitch, so where
#   pYIN finds pitch the seeds agree within a few hertz: a seed changes detail and voicing, not
#   the melody.
# * **Voiced share.** A gap in a curve is the tracker giving up, not silence. Compare each
#   model's voiced share with the recording's and with its vocoder's resynthesis: a vocoder
#   whose phase smears the periodicity (Griffin-Lim) hides pitch from pYIN, one that keeps the
#   pitch (the course vocoder) shows it.
#
# A pitch tracker with a wide range can also jump an octave on such clips: searching 50–550 Hz,
# a smoke run once gave Diff-TTS seeds at 468, 51 and 105 Hz, a "spread" of 185 Hz that was the
# tracker's, not the model's (compare now searches 60–400 Hz, the voices sit at 80–250). Always
# look at the contours behind a spread.

# %%
from course_lib.widgets.lesson12 import variation_reading

display(Markdown(variation_reading(references + list(variations.values()))))

# %% [markdown]
# ## 5. Steps against quality and speed
#
# All four models are *non-autoregressive*: no frame waits for the frame before it, the whole
# mel (or wave) is made at once. That is not the same as *one pass*: Glow-TTS and VITS run
# their networks once, a diffusion model once per reverse step. Both diffusion models take
# `n_steps` — network calls — through the same contract. Grad-TTS at
# 2 / 10 / 50 reverse steps; Diff-TTS at the walks of its 400-step schedule that end at step 0
# (4, 8, 20, 58 calls: γ = 133, 57, 21, 7). MCD-DTW of the model's *mel* (no vocoder: this is
# the acoustic model alone) and the RTF of text → mel, on the first sentence, seed 0 (≈ 30 s).
# One sentence: read the shape of each curve, not its third digit.
#
# *Think!* Grad-TTS at 50 steps against 10: how much more compute will it need, and how much
# closer to the recording will it get? Predict both curves' shapes, then run the cell.

# %%
from course_lib.widgets.lesson12 import steps_sweep

sweep_items = items[: pick(smoke=1, default=1, full=5)]
grid = {"Grad-TTS": pick(smoke=[2, 10], default=[2, 10, 50], full=[2, 10, 50]),
        "Diff-TTS": pick(smoke=[8, 20], default=[4, 8, 20, 58], full=[4, 8, 20, 58])}
sweeps = {}
torch.set_num_threads(1)  # speed claims are made at one thread
for system in systems:
    label = system.name.split(" + ")[0]
    if label in grid:
        sweeps[label] = steps_sweep(system.model, sweep_items, grid[label])
torch.set_num_threads(threads)
vocoder_row = next(r for r in rows if r.name.endswith("resynthesis") and not r.name.startswith("Griffin-Lim"))
vocoder_rtf = vocoder_row.rtf_1_thread
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for label, points in sweeps.items():
    axes[0].plot([p.n_steps for p in points], [p.mcd_dtw for p in points], "o-", label=label)
    axes[1].plot([p.n_steps for p in points], [p.rtf for p in points], "o-", label=f"{label} (text → mel)")
    for p in points:
        print(f"{label:<9} {p.n_steps:3d} calls: MCD-DTW {p.mcd_dtw:5.1f} dB, RTF {p.rtf:.3f} "
              f"(+ the course vocoder {vocoder_rtf:.3f} → {p.rtf + vocoder_rtf:.3f})")
axes[1].axhline(1.0, color="grey", linestyle="--", linewidth=0.8)
axes[1].text(2, 1.05, "real time", color="grey", fontsize=8)
axes[1].axhline(vocoder_rtf, color="C3", linestyle=":", linewidth=0.8)
axes[1].text(2, vocoder_rtf * 1.08, "the course vocoder alone", color="C3", fontsize=8)
axes[0].set(xscale="log", xlabel="network calls (log)", ylabel="MCD-DTW of the mel, dB ↓",
            title="quality (lower = closer to the recording)")
axes[1].set(xscale="log", yscale="log", xlabel="network calls (log)", ylabel="RTF, 1 thread (log)",
            title="cost of text → mel (lower = faster)")
calls = sorted({p.n_steps for points in sweeps.values() for p in points})
labels = [("\n" if i and np.log10(c / calls[i - 1]) < 0.1 else "") + str(c) for i, c in enumerate(calls)]
for ax in axes:
    ax.set_xticks(calls, labels)
    ax.minorticks_off()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# Close to five times the compute: every step is one more pass of the U-Net, and only the
# text encoder's single pass does not grow. The distance to the recording barely changes. More
# steps integrate the ODE more exactly, but a handful already land about as close as the
# trained score network allows; what is left is the model's own error and the prosody of one
# take, which no solver removes. Diff-TTS's walks behave the same way: cost in proportion to
# the calls, quality flat past a few.
#
# </details>

# %% [markdown]
# Cost is linear in the calls, for both: a diffusion model is exactly as slow as the steps you
# ask of it. Quality is not — in this run:

# %%
from course_lib.widgets.lesson12 import sweep_reading

display(Markdown(sweep_reading(sweeps)))
print("\n".join(f"{s.name.split(' + ')[0]} was trained for {s.training}" for s in systems
                if s.name.split(' + ')[0] in sweeps))

# %% [markdown]
# Past a handful of calls the MCD barely moves, so the last steps buy almost nothing at several
# times the cost. Timings on a shared CPU move by up to 2× between runs; compare within one
# run. Read Diff-TTS against Grad-TTS with their training in mind (the lines above, from
# `data/checkpoints/README.md`): equal *sampling* compute here, not equal training.
#
# ### Exercise 1 — a real-time factor, correctly
#
# Every speed claim in this lesson is an RTF: **compute seconds ÷ seconds of audio made**. Below
# 1 is faster than real time; its inverse is the "× real time" papers quote. Write
# `real_time_factor(compute_seconds, n_samples, sample_rate)`. The check names the usual slips.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson12 import (
    check_pareto_front,
    check_real_time_factor,
    solution_pareto_front,
    solution_real_time_factor,
)


def real_time_factor(compute_seconds, n_samples, sample_rate):
    # YOUR CODE HERE (1 line)
    raise NotImplementedError


rtf_works = check_real_time_factor(real_time_factor)

# %%
show_solution(solution_real_time_factor)

# %% [markdown]
# Yours (or the solution's) on a real timing: one Grad-TTS sentence at 10 steps plus
# the course vocoder, one thread.

# %%
rtf_fn = real_time_factor if rtf_works else solution_real_time_factor
grad = next((s for s in systems if s.name.startswith("Grad-TTS")), None)
if grad is not None:
    torch.set_num_threads(1)
    start = time.perf_counter()
    with torch.no_grad():
        wave = grad.speak(items[0], 0)
    seconds = time.perf_counter() - start
    torch.set_num_threads(threads)
    value = rtf_fn(seconds, wave.numel(), audio.SAMPLE_RATE)
    print(f"{seconds:.2f} s of compute for {wave.numel():,} samples ({wave.numel() / audio.SAMPLE_RATE:.2f} s): "
          f"RTF {value:.3f} — {1 / value:.1f}× faster than real time")

# %% [markdown]
# ## 6. The seed's table, rebuilt claim by claim
#
# VITS's *cost* does not depend on its weights, so an untrained tiny VITS (lesson 11's
# `tiny_multi_f0`), stretched to the first sentence's length, measures what the architecture costs
# on one thread — beside the shipped one's row, and in a checkout without it.
#
# *Think!* Why may an *untrained* model stand in for a trained one when timing — and why does
# the cell stretch its durations?

# %%
from course_lib.text import text_to_tokens, tokenizer_for
from course_lib.models.vits import VITS, VITSConfig
from course_lib.widgets.lesson11 import real_time_factor as time_it

vits_row = find_row(rows, "VITS")
torch.manual_seed(0)
untrained_vits = VITS(VITSConfig.tiny_multi_f0().replace(n_vocab=tokenizer_for("espeak", True).n_vocab)).eval()
untrained_vits.remove_weight_norm()
vits_tokens = text_to_tokens(test_records[items[0].id], "espeak", True)[0]
stretch = items[0].mel.shape[-1] / len(vits_tokens)  # an untrained duration predictor gives ≈ 1 frame per token
run_vits = lambda: untrained_vits.infer(vits_tokens[None], torch.tensor([len(vits_tokens)]), 0.667, 0.0, stretch,
                                        0, torch.Generator().manual_seed(0))
torch.set_num_threads(1)
with torch.no_grad():
    vits_seconds = float(run_vits().wave_lengths[0]) / audio.SAMPLE_RATE
    vits_cost = time_it(run_vits, vits_seconds, repeats=pick(smoke=1, default=3, full=3))
torch.set_num_threads(threads)
print(f"untrained tiny VITS, {vits_seconds:.2f} s of audio: RTF {vits_cost:.3f} at one thread (text → wave)")
print("shipped VITS:", "measured above" if vits_row else "not shipped — its quality rows stay empty")

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# A forward pass costs what its shapes cost, not what its weights are: the same layers on the
# same number of frames do the same multiplications and additions, whatever numbers the
# weights hold. What the weights do decide is *how many* frames there are: an untrained
# duration predictor gives about one frame per token, a clip far shorter than the sentence, and
# timing it would weigh the fixed costs — the call, the text encoder — against too little
# audio. The length scale stretches the untrained durations to the sentence's own number of
# frames (and `noise_scale_w = 0` keeps them the same from run to run), so the timed clip is as
# long as the real one.
#
# </details>

# %%
from course_lib import facts
from course_lib.widgets.lesson12 import paired_difference


def fmt(row, field, digits=2):
    value = getattr(row, field) if row is not None else None
    width = row.interval.get(field) if row is not None else None
    return "—" if value is None else f"{value:.{digits}f}" + ("" if width is None else f" ± {width:.{digits}f}")


fact = {key: f.value for key, f in facts.load().items()}  # the benchmarks' figures (data/facts.json)
glow, grad_row, diff = (find_row(rows, name) for name in ("Glow-TTS", "Grad-TTS", "Diff-TTS"))
truth = find_row(rows, "ground truth")
gsweep = {p.n_steps: p for p in sweeps.get("Grad-TTS", [])}
dsweep = {p.n_steps: p for p in sweeps.get("Diff-TTS", [])}
steps_text = ", ".join(f"{n}: MCD {p.mcd_dtw:.1f} dB, RTF {p.rtf:.3f}" for n, p in gsweep.items())
diff_text = ", ".join(f"{n}: MCD {p.mcd_dtw:.1f} dB, RTF {p.rtf:.3f}" for n, p in dsweep.items())
models = [r for r in (glow, grad_row, diff, vits_row) if r is not None]
if vits_row is not None:
    vits_quality = ("measured, MCD-DTW / DNSMOS / PER: " + ", ".join(
        f"{r.name.split(' + ')[0]} {fmt(r, 'mcd_dtw', 1)} / {fmt(r, 'dnsmos_ovrl')} / {fmt(r, 'per', 3)}" for r in models)
        + f" (recording DNSMOS {fmt(truth, 'dnsmos_ovrl')})")
    closest = min(models, key=lambda r: r.mcd_dtw)
    if closest is vits_row:
        vits_verdict = (f"**borne out here by MCD**: the course's tiny VITS is the closest of the {len(models)} to "
                        "the recordings (section 2 says whether the sentences tell it apart); the papers' MOS favour "
                        "VITS too, narrowly")
    else:
        gap, width = paired_difference(vits_row, closest, "mcd_dtw")
        vits_verdict = (f"**not borne out by the course's tiny VITS**: {closest.name.split(' + ')[0]} is closer to the "
                        f"recordings by {gap:.1f} ± {width or 0:.1f} dB on the same sentences, after a few hours of "
                        "CPU training; the papers' MOS, after full training, favour VITS narrowly")
else:
    vits_verdict = "open until VITS ships; the papers' MOS favour it, narrowly"
    vits_quality = ("**not measured here: no shipped VITS** (`data/checkpoints/vits_tiny_multi.pt`). The papers' own "
                    "MOS, not comparable across papers: VITS 4.43 vs Glow-TTS + HiFi-GAN 4.14 (VITS paper, LJSpeech); "
                    "Grad-TTS-10 4.38 vs Glow-TTS 4.11 (Grad-TTS paper)")
paper_vits = (f"paper size: the official code {fact['vits_paper_inference_1thread.official_rtf']:.2f} on one thread, "
              f"{fact['vits_paper_inference_2thread.official_rtf']:.2f} on two, most of it the HiFi-GAN V1 decoder; the "
              f"course's {fact['vits_paper_inference_1thread.rtf']:.2f} / {fact['vits_paper_inference_2thread.rtf']:.2f} "
              "(`benchmarks/bench_vits.py --official`: its decoder infers channels-last, lesson 06 §4)")
claims = f"""
| row | the seed says | measured here | verdict |
|---|---|---|---|
| VITS | best quality | {vits_quality} | {vits_verdict} |
| VITS | hard to run in real time | tiny VITS (untrained; cost is the architecture's) RTF **{vits_cost:.3f}** on one thread{'' if vits_row is None else f', shipped {fmt(vits_row, "rtf_1_thread", 3)}'}; {paper_vits}; 67× faster than real time on a V100 (paper) | **corrected**: true only of a HiFi-GAN V1-sized decoder on a CPU |
| VITS | end-to-end | the only text → wave model; the others' RTF includes the course vocoder's {fmt(vocoder_row, 'rtf_1_thread', 3)} | **confirmed** |
| Glow-TTS | needs a vocoder | RTF {fmt(glow, 'rtf_1_thread', 3)} with the course vocoder, of which the vocoder {fmt(vocoder_row, 'rtf_1_thread', 3)}; MCD {fmt(glow, 'mcd_dtw', 1)} dB; seed spread {fmt(glow, 'f0_spread_hz', 1)} Hz, {fmt(glow, 'duration_spread_s', 3)} s | **confirmed**: fast, and the vocoder is a large share of its cost |
| Grad-TTS | slow | steps {steps_text} (text → mel, one thread) | **corrected**: cost is linear in the steps *you* choose; quality is flat after ≈ 10 |
| Diff-TTS | an improved Grad-TTS | arXiv 2104.01409 (April 2021) came *before* Grad-TTS's 2105.06337 (May 2021); a discrete 400-step DDPM from N(0, I) with given durations vs a continuous SDE from N(μ, I) with MAS. Calls {diff_text}; at its setting MCD {fmt(diff, 'mcd_dtw', 1)} vs Grad-TTS {fmt(grad_row, 'mcd_dtw', 1)} dB | **corrected**: earlier and independent, not an improvement of it |
| Grad-TTS, Diff-TTS | end-to-end | both output mels: the table's "text → wave" column says no | **corrected** |
"""
display(Markdown(claims))

# %% [markdown]
# Said plainly, one sentence per claim:
#
# * **A common reading is that VITS is hard to run in real time; in fact** the tiny VITS's
#   architecture runs many times faster than real time on one CPU thread (the table), and even
#   the paper-size model sits near real time on one thread (the course's RTF
#   [0.91](../data/facts.json "vits_paper_inference_1thread.rtf"), the official code's
#   [1.08](../data/facts.json "vits_paper_inference_1thread.official_rtf")) — its HiFi-GAN V1
#   decoder is most of the cost; an inverse-STFT decoder (lesson 06, MB-iSTFT-VITS) removes
#   most of it.
# * **A common reading is that Diff-TTS improved Grad-TTS; in fact** it appeared a month
#   earlier and was developed independently — a different kind of model (lesson 10).
# * **A common reading is that Grad-TTS is slow; in fact** its cost is the number of reverse
#   steps, which you choose at synthesis: the sweep shows the tiny model faster than real
#   time at 10 steps on one thread, its quality already flat by then (the paper: GPU RTF 0.033
#   at 10 steps, MOS 4.38, the same as at 100). The paper-size model is another matter: the
#   official code needs RTF [1.163](../data/facts.json "grad_tts.official_inference_10_steps_rtf")
#   at 10 steps on two CPU cores (`benchmarks/bench_grad_tts.py`): *that* is slow on a CPU.
# * **A common reading is that all four are end-to-end; in fact** only VITS goes text → wave;
#   Glow-TTS, Grad-TTS and Diff-TTS make mels and inherit a vocoder's cost and its ceiling.
# * **"Best quality"** needs two yardsticks and an interval (section 2): MCD-DTW asks how close
#   to one take, DNSMOS how clean it sounds, and on ten sentences neighbours are often not told
#   apart. The papers' MOS put VITS first by a small margin on LJSpeech, after days of GPU
#   training; the course's tiny VITS had a few CPU hours. Your ears, section 3, are the third
#   judge.
#
# ## 7. The Pareto chart — and reading it
#
# Quality (MCD-DTW, lower = closer) against speed (RTF, left = faster), marker area ∝ parameters.
# A system is worth considering only if no other is at least as good on both axes and better on
# one: the **Pareto front**.

# %%
chart = compare.pareto_chart(rows, out_dir / "pareto.png")
display(Image(filename=str(chart)))

# %% [markdown]
# ### Exercise 2 — which systems are on the front?
#
# Write `pareto_front(points)`: `points` maps a name to `(mcd_dtw, rtf)`, both lower-is-better;
# return the sorted names that no other point **dominates** (≤ on both, < on at least one). The
# check uses a small case with a tie and two equal points.

# %%
def pareto_front(points):
    # YOUR CODE HERE (3–4 lines)
    raise NotImplementedError


front_works = check_pareto_front(pareto_front)

# %%
show_solution(solution_pareto_front)

# %% [markdown]
# *Think!* Before you run the next cell: which systems must be on the front, whatever the other
# figures?
#
# On the measured systems (the text-to-speech ones: the recording and its resynthesis are
# anchors, not candidates):

# %%
front_fn = pareto_front if front_works else solution_pareto_front
candidates = {r.name: (r.mcd_dtw, r.rtf_1_thread) for r in rows
              if r.rtf_1_thread is not None and "resynthesis" not in r.name}
front = front_fn(candidates)
for name, (mcd, rtf) in sorted(candidates.items(), key=lambda kv: kv[1][1]):
    print(f"{'on the front' if name in front else 'dominated   '}  {name:<42} MCD {mcd:5.1f} dB, RTF {rtf:.3f}")

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The fastest and the closest. Nothing can dominate the fastest system, since no other is at
# least as fast (barring an exact tie), and for the same reason nothing dominates the one
# closest to the recordings. So the front always holds those two — or one, when the fastest is
# also the closest — and every other system earns its place only by being faster than every
# system at least as close to the recordings.
#
# </details>

# %% [markdown]
# ## 8. Which would you pick, for what?
#
# Each job weighs the two axes differently. The rules first, then what they pick from this
# run's rows (tiny models, this CPU; the GPU figures from the papers):
#
# * **Offline batch** (audiobooks, a dataset to render overnight): speed hardly matters, so
#   take the system closest to the recordings — if the sentences tell it apart from the next;
#   if not, let DNSMOS, PER and your ears decide. A better vocoder comes before anything else:
#   every mel model sits on its vocoder's floor.
# * **Interactive, on a laptop CPU** (a screen reader, a voice assistant): the fastest system on
#   the Pareto front whose quality you accept; Glow-TTS when a deterministic voice is the
#   feature (`noise_scale_w = 0` makes VITS's rhythm deterministic too); never a paper-size
#   diffusion decoder at 50 steps. Latency for the *first* audio also counts: a text → wave
#   model has no mel-then-vocoder hand-off.
# * **A GPU server**: every model here is far faster than real time on a GPU (the papers: VITS
#   67×; Grad-TTS-10 GPU RTF 0.033; Glow-TTS 0.008), so the choice is quality and variety per
#   request — the stochastic ones (VITS's sampled rhythm, diffusion's sampled detail) give
#   each request a new performance; batch many requests to fill the device.
# * **A phone**: parameters (the marker size) — the decoder's size (a HiFi-GAN V1 is 14 M, an
#   iSTFT one 2 M) matters more than the acoustic model's.

# %%
tts = [r for r in rows if r.rtf_1_thread is not None and "resynthesis" not in r.name]
by_mcd = sorted(tts, key=lambda r: r.mcd_dtw)
fastest_on_front = min((r for r in tts if r.name in front), key=lambda r: r.rtf_1_thread)
offline = f"offline batch: {by_mcd[0].name} (MCD-DTW {fmt(by_mcd[0], 'mcd_dtw', 1)} dB)"
if len(by_mcd) > 1 and "mcd_dtw" in by_mcd[1].per_sentence:
    gap, width = paired_difference(by_mcd[1], by_mcd[0], "mcd_dtw")
    told = width is not None and gap > width
    offline += (f", {gap:.1f} ± {width or 0:.1f} dB closer than {by_mcd[1].name} — "
                + ("told apart" if told else "not told apart: listen to both"))
print(offline)
print(f"interactive, laptop CPU: {fastest_on_front.name} (RTF {fastest_on_front.rtf_1_thread:.3f} on one thread, "
      f"the fastest on the front; MCD-DTW {fmt(fastest_on_front, 'mcd_dtw', 1)} dB)")
largest = max(tts, key=lambda r: r.parameters)
print(f"parameters: the largest here is {largest.name} at {largest.parameters / 1e6:.1f} M (model + vocoder) — still tiny")

# %% [markdown]
# ## What to try
# * Run the lesson in full mode (`TTS_COURSE_MODE=full`): section 2 scores the whole test split.
#   *What to look for:* which "not told apart" gaps become "told apart", and whether any ranking
#   flips. The benchmarks' own figures, on mels without a vocoder: Diff-TTS at 20 calls
#   [16.0 dB](../data/facts.json "diff_tts_quality.mcd_dtw_n_steps_20") and Grad-TTS at 10 steps
#   [23.2 dB](../data/facts.json "grad_tts_quality.mcd_dtw_n_steps_10") on ten sentences, Glow-TTS
#   [20.3 dB](../data/facts.json "glow_tts_quality.mcd_dtw") on all 75; VITS
#   [17.7 dB](../data/facts.json "vits_quality.mcd_dtw") on the 75 multi-voice sentences, its own
#   corpus (`benchmarks/bench_tts_quality.py`).
# * Rerun section 2 through Griffin-Lim: `compare.shipped_systems(vocoder_name="griffin-lim")`.
#   *What to look for:* how much of each mel model's MCD, PER and DNSMOS was the vocoder's —
#   VITS's row does not move, it makes its own wave.
# * In section 5, give Grad-TTS a smaller `noise_scale` (`SynthesisOptions(noise_scale=0.2,
#   n_steps=10)` in `model.generate`). *What to look for:* a start closer to μ, the "average
#   voice": the seeds even more alike in section 4's plot, and whether MCD — distance to one
#   recording — rewards it.
# * Time the sweep with `torch.set_num_threads(2)`. *What to look for:* how far from 2× the
#   speed-up is when another program keeps the second core busy, and whether tiny convolutions
#   split well at all.
# * Silence VITS's duration noise: speak section 4's sentence through
#   `compare.System("VITS, w = 0", lambda item, seed: model.generate(evaluation.model_item(item,
#   model).tokens, SynthesisOptions(seed=seed, speaker=0, noise_scale_w=0.0)).wave, model=model)`
#   (with `model` the VITS system's `.model`, `SynthesisOptions` from `course_lib.models.contract`,
#   `evaluation` from `course_lib` — it adds the blanks VITS was trained with) and pass
#   it to `variation`. *Expect:* the length spread falls to exactly 0 — the stochastic duration
#   predictor's noise is VITS's only source of rhythm variation — while the median-F0 spread
#   only shrinks: pitch detail comes from the prior sample z_p, which `noise_scale` (not
#   `noise_scale_w`) scales.
#
# ## Summary
# * Measured on the same held-out sentences, the seed's table mostly does not survive: VITS is
#   not inherently slow (its HiFi-GAN decoder on a CPU is); Grad-TTS is as fast as the steps
#   you give it; Diff-TTS came first and is a different model; only VITS is end-to-end.
# * Diffusion cost is linear in network calls, while quality flattens after a few: choose the
#   steps, do not inherit them.
# * Only a model that samples durations varies in timing; pitch variety depends on where the
#   sampler starts (N(0, I) varies most, μ with τ = 1.5 least).
# * The mel models' quality is capped by their vocoder (its resynthesis row); a ranking means
#   something only where the sentences tell the systems apart; a Pareto front names the
#   candidates, the job picks one.
#
# **References.** Kim, Kong & Son 2021 (VITS, ICML, arXiv:2106.06103); Kim et al. 2020 (Glow-TTS,
# NeurIPS); Popov et al. 2021 (Grad-TTS, ICML, arXiv:2105.06337); Jeong et al. 2021 (Diff-TTS,
# Interspeech, arXiv:2104.01409); Reddy et al. 2022 (DNSMOS P.835, ICASSP); Kubichek 1993 (MCD).
