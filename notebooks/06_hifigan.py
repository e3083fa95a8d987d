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
# # Lesson 06 — Vocoders: from a mel back to speech
#
# Every acoustic model in this course (Glow-TTS, Grad-TTS, Diff-TTS) predicts a
# mel-spectrogram; a **vocoder** turns it into a waveform. VITS trains one inside itself. This
# lesson starts from how speech is made — a **source** (the harmonics of the pitch, and noise)
# shaped by a **filter** (the vocal tract) — and asks what a mel keeps of each. That tells us
# why Griffin-Lim sounds phasey, why a generator that does not know the pitch buzzes, what
# HiFi-GAN (Kong, Kim & Bae, NeurIPS 2020) learns instead, and how the course's own vocoder
# makes the source and the filter explicit and learns in minutes on a CPU.
#
# **Goals.** By the end you can
# 1. make a vowel from a source and a filter, and write the oscillator that makes its harmonics;
# 2. say what a mel keeps (the envelope) and what it blurs (the harmonics), and show that the
#    *magnitudes*, not the phase, cap what Griffin-Lim can do;
# 3. explain why a frame-rate generator that does not know the pitch buzzes at 86 Hz;
# 4. build HiFi-GAN's pieces — transposed convolutions, MRF, the period and scale
#    discriminators, the losses — at the paper's exact sizes;
# 5. name what PESQ, periodicity, V/UV F1 and pitch error hear that a mel L1 cannot;
# 6. assemble the course vocoder from pitch, envelope and pitch-locked phase, train it live,
#    and compare two ways of making its wave: phase retrieval and harmonics plus noise.
#
# **Time**: about 145 min — §1 25 min · §2 15 min · §3 10 min · §4 40 min · §5 5 min · §6 30 min · What to try 20 min
#
# **Glossary** (paper → code): F0 → `f0`, harmonic h → `h·f0`, oscillator bank → `source_filter.oscillator_bank`;
# G → `generator`, D_P^p → `PeriodDiscriminator(p)`, D_S → `ScaleDiscriminator`, MPD/MSD → `mpd`/`msd`,
# h_u → `upsample_initial_channel`, k_u / u → `upsample_kernel_sizes` / `upsample_rates`, k_r, D_r →
# `resblock_kernel_sizes`, `resblock_dilation_sizes`, λ_fm = 2 → `feature_loss_weight`, λ_mel = 45 →
# `mel_loss_weight`.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import HTML, Audio, display

from course_lib import audio, plots
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())


def player(samples) -> str:
    """An audio player as HTML, not normalised (so loudness compares across players)."""
    return Audio(np.clip(np.asarray(samples), -1, 1), rate=audio.SAMPLE_RATE, normalize=False)._repr_html_()


# %% [markdown]
# ## 1. How speech is made: a source and a filter
#
# Voiced sounds (vowels, m, l, z…) start at the vocal folds: they open and close F0 times a
# second, and a train of pulses at F0 is a **sum of harmonics** — sines at F0, 2·F0, 3·F0, …, each
# a little weaker than the last. Unvoiced sounds (s, f, the h of "hat") start as turbulent
# **noise**. Either source then passes the **filter** — the throat, mouth and lips — whose
# resonances, the *formants*, lift some frequencies and damp others; which vowel you hear is
# which formants. This is the source-filter model (Fant 1960), and eSpeak NG, which spoke this
# course's corpus, is built on it: its `wavegen.c` adds sin(h·phase)·amplitude(h) for every
# harmonic h, the amplitudes read off formant peaks, and mixes in filtered noise.
#
# The source's part is an **oscillator bank**. One running phase Φ — the fundamental's — drives
# every harmonic: harmonic h is sin(h·Φ). When the pitch changes, Φ must keep running smoothly,
# so it is the *integral* of F0, not 2π·F0·n/sr (that is right only for a constant pitch):
#
# $$x[n] = \sum_{h=1}^{H} a_h[n]\,\sin\!\big(h\,\Phi[n]\big),\qquad \Phi[n] = 2\pi\sum_{m \le n} \frac{F_0[m]}{22{,}050},\qquad a_h[n] = 0 \text{ where } h\,F_0[n] \ge 11{,}025\ \text{Hz}.$$
#
# The last condition keeps every harmonic below Nyquist: above it a sine cannot be sampled and
# comes back as a wrong, lower frequency (aliasing).
#
# ### Exercise 1 — the oscillator bank
#
# Write `oscillator(f0, gains)`: `f0 [N]` is the pitch at every sample (Hz, a float64 tensor),
# `gains [H, N]` the amplitude of harmonic h = 1 … H at every sample; return the wave `[N]`.
# Replace the `raise` and run the cell (`torch.cumsum` integrates).

# %%
import math

from course_lib.checks import show_solution
from course_lib.checks.lesson06 import check_oscillator, solution_oscillator


def oscillator(f0: torch.Tensor, gains: torch.Tensor) -> torch.Tensor:
    # YOUR CODE HERE
    raise NotImplementedError


check_oscillator(oscillator)

# %% [markdown]
# Stuck? Reveal the library's version (click to expand) — try the exercise first.

# %%
show_solution(solution_oscillator)

# %% [markdown]
# The library's `course_lib.source_filter.oscillator_bank` is the same sum (batched, in float32
# after an exact float64 phase). On a pitch that glides up an octave, they agree — and the wave
# runs on smoothly where a wave that restarted its phase every 256 samples would click:

# %%
from course_lib.source_filter import oscillator_bank

glide = torch.linspace(110.0, 220.0, audio.SAMPLE_RATE, dtype=torch.float64)       # 1 s, one octave up
gains = torch.stack([torch.full((audio.SAMPLE_RATE,), 0.3 / h, dtype=torch.float64) for h in range(1, 11)])
library_wave = oscillator_bank(glide[None], gains[None].float())[0]
print(f"library vs solution: largest difference {float((library_wave - solution_oscillator(glide, gains)).abs().max()):.1e}")
n = torch.arange(glide.numel())
restarted = sum(0.3 / h * torch.sin(2 * math.pi * h * glide * (n % 256) / audio.SAMPLE_RATE) for h in range(1, 11))
print(f"largest step between samples: integrated phase {float(library_wave.diff().abs().max()):.3f}, "
      f"phase restarted every hop {float(restarted.diff().abs().max()):.3f}")
display(HTML(f"<table><tr><th>integrated phase</th><th>restarted every 256 samples</th></tr>"
             f"<tr><td>{player(library_wave)}</td><td>{player(restarted)}</td></tr></table>"))

# %% [markdown]
# Now the whole model. `source_filter_vowel` puts the harmonics of F0 (falling 6 dB an octave, as
# a glottal pulse through the lips does) and some noise through the formants of a vowel
# (`course_lib.source_filter.harmonic_source` and `filtered_noise`). Move the sliders: the
# **pitch** moves the harmonics (the comb) under an envelope that stays put; the **vowel** moves
# the envelope under harmonics that stay put; **voicing** and **noise** mix a buzz and a whisper.
# Every harmonic touches the envelope — the spectrum is the source's comb times the filter.

# %%
from course_lib.widgets.lesson06 import SourceFilterPlayground

playground = SourceFilterPlayground(f0=120.0, voicing=1.0, noise=0.05)
display(playground.ui)

# %% [markdown]
# ## 2. What a mel keeps: the envelope, not the harmonics
#
# A log-mel keeps 80 smoothed bands of the magnitude per 11.6 ms frame, and throws the phase away.
# Its lowest filters are 66 Hz apart, the ones above 1 kHz hundreds: the **envelope** survives, but
# most harmonics share a filter with their neighbours, so the comb is blurred away. Griffin-Lim
# (lesson 00) starts from the mel's *pseudo-inverse* — the 513 linear bins most consistent with
# the 80 bands — and alternates STFT and inverse STFT until the magnitudes agree with it. The
# loudest voiced frame of a held-out utterance in the lowest voice (harmonics closest together):

# %%
from course_lib.data import corpus_pitch, ensure_corpus, load_corpus
from course_lib.source_filter import BIN_HZ
from course_lib.vocoder import GriffinLimVocoder

corpus = load_corpus(ensure_corpus(multispeaker=True))
test_split = corpus.split("test").utterances
held_out = test_split[: pick(smoke=2, default=4, full=6)]          # scored in section 6
stored_pitch = corpus_pitch(corpus)                      # F0 per frame, Praat's tracker, stored with the corpus
originals = [audio.load_audio(u.wav_path) for u in held_out]
# the lowest voice among the first ten: its harmonics are closest together, the hardest for the mel to keep
record = min(test_split[:10], key=lambda u: float(np.median(stored_pitch[u.id][stored_pitch[u.id] > 0])))
wave = audio.load_audio(record.wav_path)
mel = audio.mel_spectrogram(wave)                                   # [80, T]
true_magnitude = audio.linear_spectrogram(wave)                     # [513, T]
blurred = audio.mel_to_linear(mel)                                  # [513, T], Griffin-Lim's start
print(record.speaker_name, "|", record.text, "|", tuple(mel.shape))

voiced_frames = torch.from_numpy(stored_pitch[record.id] > 0)
frame = int(torch.argmax(true_magnitude[:40].sum(0) * voiced_frames))          # the loudest voiced frame
hz = np.arange(true_magnitude.shape[0]) * BIN_HZ
upto = hz <= 3000
fig, ax = plt.subplots(figsize=(11, 3.2))
for values, label in ((true_magnitude[:, frame], "recording"), (blurred[:, frame], "mel's pseudo-inverse")):
    ax.plot(hz[upto], 20 * np.log10(values[upto].clamp_min(1e-5).numpy()), label=label, linewidth=1)
ax.set(xlabel="Hz", ylabel="dB", ylim=(-60, None),
       title=f"frame {frame}: F0 {stored_pitch[record.id][frame]:.0f} Hz — the mel keeps the envelope, blurs the comb")
ax.legend()
plt.show()

# %% [markdown]
# ### Griffin-Lim: consistent phases, not the right ones
#
# Griffin-Lim's magnitudes end up close to what it was given; its phases are only *consistent*,
# not *right*, so voiced sounds lose their crisp pitch pulses and sound phasey. Zoom into 25 ms of
# the loudest vowel:

# %%
griffin_lim = GriffinLimVocoder(n_iter=32)
gl_wave = griffin_lim(mel).numpy()
loudest = int(mel.exp().sum(0).argmax()) * audio.HOP_LENGTH
span = slice(loudest, loudest + int(0.025 * audio.SAMPLE_RATE))
fig, ax = plt.subplots(figsize=(11, 2.8))
ax.plot(wave[span], label="original")
ax.plot(gl_wave[span], label="Griffin-Lim (32)", alpha=0.8)
ax.set_title("25 ms of a vowel: nearly the same spectrum, another waveform")
ax.legend()
plt.show()
display(HTML(f"<table><tr><th>original</th><th>Griffin-Lim (32)</th></tr>"
             f"<tr><td>{player(wave)}</td><td>{player(gl_wave)}</td></tr></table>"))

# %% [markdown]
# Can more iterations fix it? Each one makes the phases more consistent with the magnitudes, so
# the mel of the result creeps towards the original's (the mel L1: the mean |difference| of the
# two log-mels). Big gains in the first few iterations, then ever smaller ones — each doubling of
# the work buys less:

# %%
from course_lib.widgets.lesson06 import griffin_lim_curve

every_doubling = (1, 2, 4, 8, 16, 32, 64, 128)
curve = griffin_lim_curve(wave, iterations=pick(smoke=(1, 4, 16, 64), default=every_doubling, full=every_doubling))
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(list(curve), [metrics.mel_l1 for metrics in curve.values()], "o-")
ax.set_xscale("log", base=2)
ax.set_xticks(list(curve), [str(iterations) for iterations in curve])
ax.set_ylim(bottom=0)
ax.set(xlabel="Griffin-Lim iterations", ylabel="mel L1 (lower is better)", title="diminishing returns")
plt.show()

# %% [markdown]
# ### The magnitudes cap what any phase retrieval can do
#
# Is the floor the phase's fault or the magnitudes'? Give Griffin-Lim the recording's *true*
# linear magnitudes — harmonics and all — instead of the mel's blurred pseudo-inverse, same 32
# iterations from the same random phases, and score both with PESQ-WB (a model of a listener
# comparing two waves; higher is better, section 5):

# %%
from course_lib.models.waveform.evaluation import pesq_wideband

start = 2 * math.pi * torch.rand(true_magnitude.shape, generator=torch.Generator().manual_seed(0))
from_mel = audio.istft(audio.project_phase(blurred[None], start[None], 32, 0.99))[0].clamp(-1, 1).numpy()
from_true = audio.istft(audio.project_phase(true_magnitude[None], start[None], 32, 0.99))[0].clamp(-1, 1).numpy()
cap = {"the mel's pseudo-inverse": pesq_wideband(wave, from_mel), "the recording's magnitudes": pesq_wideband(wave, from_true)}
for name, score in cap.items():
    print(f"Griffin-Lim (32) from {name:<27} PESQ-WB {'n/a' if score is None else f'{score:.2f}'}")
display(HTML(f"<table><tr><th>from the mel</th><th>from the true magnitudes</th></tr>"
             f"<tr><td>{player(from_mel)}</td><td>{player(from_true)}</td></tr></table>"))

# %% [markdown]
# Same algorithm, same phases to start from: only the magnitudes changed, and the score jumped.
# A better vocoder must first of all put the **harmonics** back into the magnitudes — and for
# that it needs the **pitch**.
#
# ## 3. Why a generator that does not know the pitch buzzes at 86 Hz
#
# A neural vocoder *learns* mel → wave. The fastest kind stays at the frame rate: for every mel
# frame it predicts one STFT column (magnitudes and phases), and an inverse STFT overlap-adds the
# columns every 256 samples (iSTFTNet, Kaneko et al. 2022; Vocos, Siuzdak 2023). Give such a
# network a steady vowel — the same mel frame again and again — and, not knowing the pitch, it
# returns the same column every time. Identical frames overlap-added every 256 samples make a
# wave that repeats every 256 samples: a buzz at 22,050 / 256 = 86 Hz, whatever the voice's pitch.
# Try it with the recording's own column, from the highest voice among the held-out utterances:

# %%
from course_lib.pitch import track_f0

def median_f0(utterance) -> float:
    voiced_f0 = stored_pitch[utterance.id][stored_pitch[utterance.id] > 0]
    return float(np.median(voiced_f0))


high = max(test_split[:10], key=median_f0)       # the highest voice: its pitch is far from the hop rate
high_wave = audio.load_audio(high.wav_path)
high_spectrum = audio.complex_spectrogram(high_wave)                   # [513, T]
high_frame = int(torch.argmax(high_spectrum[:40].abs().sum(0) * torch.from_numpy(stored_pitch[high.id] > 0)))
column = high_spectrum[:, high_frame]                                  # [513] one frame, magnitudes and phases
copies = audio.istft(column[None, :, None].expand(1, -1, 86).contiguous())[0]   # 86 identical frames = 1 s
buzz = track_f0(copies.numpy())
print(f"{high.speaker_name}, the recording's pitch at its loudest voiced frame: {stored_pitch[high.id][high_frame]:.1f} Hz; "
      f"86 copies of its frame: {np.median(buzz[buzz > 0]):.1f} Hz (the hop rate: {audio.SAMPLE_RATE / audio.HOP_LENGTH:.1f} Hz)")
display(HTML(f"<table><tr><th>one frame, repeated</th></tr><tr><td>{player(copies / copies.abs().max() * 0.5)}</td></tr></table>"))

# %% [markdown]
# To sing at 195 Hz instead, frame t's phases must run ahead of frame t − 1's by
# 2π·195·256/22,050 per harmonic, and the only clue in the mel is how the frames of a real vowel
# differ slightly from one another. Learning to read that clue is slow: the public record puts a
# frame-rate or upsampling GAN vocoder at hundreds of thousands of GPU steps (HiFi-GAN's V1 trained
# 2.5 M). The cheap way out is to **give the vocoder the pitch** (section 6). First, the classic
# neural vocoder.
#
# ## 4. HiFi-GAN
#
# HiFi-GAN skips the frame-rate shortcut: a fully convolutional generator upsamples the mel to the
# sample rate, and discriminators that judge raw audio teach it the phase. Its pieces, at the
# paper's exact sizes:
#
# ### Upsampling by 256: transposed convolutions
#
# Each mel frame stands for 256 samples. The generator multiplies the time axis in stages — V1:
# 8 · 8 · 2 · 2 = 256 — with transposed convolutions. A transposed conv with stride u and kernel k
# places a copy of the kernel, scaled by each input sample, every u output samples and adds the
# overlaps. Its output length is (T − 1)·u − 2p + k; with padding p = (k − u)/2 that is exactly T·u.
#
# **Checkerboard artefacts** (Odena et al. 2016): when k is not a multiple of u, output positions
# are covered by *different numbers* of kernel copies, so even a constant input comes out with a
# ripple repeating every u output samples — in V1's first stage, which upsamples the 86 Hz frame
# rate by 8, a buzz at 86 Hz and its harmonics again. HiFi-GAN uses k = 2u, where every position
# gets exactly two copies.

# %%
from torch import nn


def overlap_count(kernel: int, stride: int, n_in: int = 8) -> torch.Tensor:
    """Output of an all-ones transposed conv on an all-ones input: how many kernel copies cover each sample."""
    layer = nn.ConvTranspose1d(1, 1, kernel, stride, bias=False)
    nn.init.ones_(layer.weight)
    with torch.no_grad():
        return layer(torch.ones(1, 1, n_in))[0, 0]


fig, ax = plt.subplots(figsize=(10, 2.5))
ax.plot(overlap_count(16, 8), label="k = 16, u = 8 (HiFi-GAN: k = 2u)")
ax.plot(overlap_count(12, 8), label="k = 12, u = 8 (k not a multiple of u)")
ax.set_title("constant input → transposed conv: uneven overlap is a checkerboard pattern")
ax.legend()
plt.show()

# %% [markdown]
# The configuration checks the two rules that users of the official code learn the hard way
# (hifi-gan issues #12, #116): the rates must multiply to the hop length, and k − u must be even
# with k ≥ u.

# %%
from course_lib.models.hifigan import CONFIGS, build
from course_lib.models.waveform.config import HiFiGANConfig

for bad in ({"upsample_rates": (8, 8, 2), "upsample_kernel_sizes": (16, 16, 4)},
            {"upsample_kernel_sizes": (15, 16, 4, 4)}):
    try:
        HiFiGANConfig(**bad)
    except ValueError as err:
        print("ValueError:", err, "\n")

# %% [markdown]
# ### Multi-receptive-field fusion (MRF)
#
# After each upsampling, the MRF runs several residual blocks in parallel — kernels 3, 7, 11 with
# dilations 1, 3, 5 in V1 — and **averages** them. Small kernels model fine detail, dilated large
# ones long periodic patterns; averaging (not summing) keeps the scale independent of the number
# of blocks. One conv with kernel k and dilation d widens the view by (k − 1)·d samples:

# %%
from course_lib.models.waveform.generator import resblock_receptive_field

for name in ("v1", "v3"):
    config = CONFIGS[name]()
    fields = [resblock_receptive_field(k, d, config.resblock)
              for k, d in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes)]
    print(f"{name}: ResBlock{config.resblock}, kernels {config.resblock_kernel_sizes} → receptive fields {fields} "
          "samples at each stage's rate")

# %% [markdown]
# The tiny generator, stage by stage (`[B, C, T]` after each step):

# %%
from torch.nn import functional as F

tiny = build(HiFiGANConfig.tiny())
generator = tiny.generator
x = generator.conv_pre(mel[None, :, :20])
print("conv_pre         ", tuple(x.shape))
for index, (up, mrf) in enumerate(zip(generator.ups, generator.mrfs)):
    x = mrf(up(F.leaky_relu(x, 0.1)))
    print(f"stage {index}: ×{generator.config.upsample_rates[index]} + MRF", tuple(x.shape))
print("conv_post + tanh ", tuple(generator(mel[None, :, :20]).shape))

# %% [markdown]
# ### Discriminators that look at periods and at scales
#
# **Multi-period discriminator (MPD).** A period discriminator with period p reshapes the wave
# `[B, 1, N]` into `[B, 1, N/p, p]`: column j holds samples j, j + p, j + 2p, … Its 2-D convs have
# kernels `(5, 1)`, so they only ever compare samples exactly p apart. Periods 2, 3, 5, 7, 11 are
# primes, so the five views overlap as little as possible. Below: a vowel folded by its own pitch
# period repeats from row to row — stripes along the time axis (section 1's harmonics) — by a prime
# it does not.

# %%
from course_lib.models.waveform.discriminators import fold_by_period

pitch_period = round(audio.SAMPLE_RATE / float(stored_pitch[record.id][loudest // audio.HOP_LENGTH] or 100.0))
segment = torch.as_tensor(wave[loudest: loudest + 12 * pitch_period]).view(1, 1, -1)  # 12 periods of one vowel
fig, axes = plt.subplots(1, 3, figsize=(12, 3))
for ax, period in zip(axes, (2, 11, pitch_period)):
    folded = fold_by_period(segment, period)[0, 0]                   # [N/p, p]
    ax.imshow(folded[:60].T.numpy(), aspect="auto", origin="lower", cmap="coolwarm")
    ax.set_title(f"period {period}: [{folded.shape[0]}, {period}]")
    ax.set_xlabel("row (time / p)")
axes[0].set_ylabel("column (phase)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise 2 — the period reshape
#
# Write `fold(wave, period)`: `[B, C, N]` → `[B, C, ⌈N/p⌉, p]`. When N is not a multiple of p, pad
# the **end** with `F.pad(wave, (0, n_pad), mode="reflect")` first (zeros would be a fake silence
# the discriminator could learn to spot). Replace the `raise` and run the cell.

# %%
from course_lib.checks.lesson06 import check_feature_matching, check_fold_by_period


def fold(wave: torch.Tensor, period: int) -> torch.Tensor:
    # YOUR CODE HERE
    raise NotImplementedError


check_fold_by_period(fold)

# %%
from course_lib.checks.lesson06 import solution_feature_matching, solution_fold_by_period

show_solution(solution_fold_by_period)

# %% [markdown]
# **Multi-scale discriminator (MSD)**, from MelGAN: three 1-D conv stacks with large grouped
# kernels, on the raw wave, on the wave average-pooled ×2 and ×4. The MPD sees samples p apart
# but never a continuous stretch; the MSD sees continuous audio at three resolutions. The first
# (raw audio) uses spectral norm for stability, the others weight norm.

# %%
from course_lib.models.waveform.discriminators import judge

real = torch.as_tensor(wave[:8192]).view(1, 1, -1)
fake = torch.as_tensor(gl_wave[:8192]).view(1, 1, -1)
with torch.no_grad():
    period_results = judge(tiny.mpd, real, fake)
    scale_results = judge(tiny.msd, real, fake)
for name, results in (("MPD", period_results), ("MSD", scale_results)):
    for index, result in enumerate(results.real):
        shapes = [tuple(f.shape[1:]) for f in result.features]
        print(f"{name}[{index}] score {tuple(result.score.shape)}, {len(shapes)} feature maps, last {shapes[-1]}")

# %% [markdown]
# ### The losses
#
# *LSGAN* (Mao et al. 2017) replaces the log-loss by squared errors:
#
# $$\mathcal L_D = \sum_k \mathbb E\big[(D_k(x) - 1)^2 + D_k(G(s))^2\big],\qquad
#   \mathcal L_{adv}(G) = \sum_k \mathbb E\big[(D_k(G(s)) - 1)^2\big].$$
#
# *Feature matching*: generated audio should make the discriminators respond as real audio does,
# not only in their final score but at every layer. The loss compares each sub-discriminator's
# intermediate activations (feature maps) on real and on generated audio with an L1 distance — a
# learned perceptual distance, $\mathcal L_{FM}$. Exercise 3 builds it.
#
# *Mel L1*: $\lVert \phi(x) - \phi(G(s)) \rVert_1$ on the log-mel up to 11,025 Hz (the input mel
# stops at 8 kHz; the loss covers the whole band).
#
# The generator minimises $\mathcal L_{adv} + 2\,\mathcal L_{FM} + 45\,\mathcal L_{mel}$. Why 45? A
# log-mel L1 is small (≈ 1 at the start, ≈ 0.2–0.4 late); the adversarial and feature terms are
# O(1–10) summed over 8 sub-discriminators. Weighted by 45 the mel term dominates early, so the
# generator first learns the right spectrum — the anchor that keeps the GAN from drifting — and
# the adversarial terms then refine what the mel cannot express (phase, fine structure). The
# paper's ablation: without it MOS falls from 4.10 to 3.25.
#
# ### Exercise 3 — feature matching
#
# Write `feature_matching(real, fake)`: both are lists with one result per sub-discriminator,
# whose `.features` holds that sub-discriminator's feature maps layer by layer (the final score
# map included), on real and on generated audio — the same shapes pair by pair. The loss has one
# L1 term per layer of every sub-discriminator, added up without weights: the ×2 belongs to the
# total above, which was tuned for that sum. What is left to you is how one layer's tensor
# |real − fake| becomes one number. The maps differ in size by orders of magnitude (early layers
# are long, late ones short), and the loss should not change with the batch size or the clip's
# length: what does that rule out, and what does it leave?

# %%
def feature_matching(real, fake) -> torch.Tensor:
    # YOUR CODE HERE
    raise NotImplementedError


check_feature_matching(feature_matching)

# %%
show_solution(solution_feature_matching)

# %% [markdown]
# <details><summary><b>The paper's formula</b> — click to reveal</summary>
#
# $\mathcal L_{FM} = \sum_k \sum_i \frac{1}{N_i}\lVert D_k^i(x) - D_k^i(G(s))\rVert_1$ (HiFi-GAN eq. 3,
# summed over the sub-discriminators k), with N_i the number of elements of layer i: the mean
# absolute difference within each layer, summed over the layers. A sum within each layer would
# let the largest maps (the early, long ones) outweigh the rest and would grow with the batch and
# the clip; the mean gives every layer the same say, whatever its size.
#
# </details>

# %% [markdown]
# The library's version, on the untrained tiny model: how big is each term? `discriminator_losses`
# and `generator_losses` are the functions training runs — the course's GAN task
# (`course_lib.models.waveform.gan`, shared by HiFi-GAN, VITS and the course vocoder's adversarial
# fine-tune) calls them at every step on its discriminators' results, `{name: one result per
# sub-discriminator}`. The mel term is the model's own (`mel_l1_loss`): the task adds it to the
# generator's total.

# %%
from course_lib.models.waveform.losses import discriminator_losses, generator_losses, mel_l1_loss

batch_mel = audio.mel_spectrogram(real[:, 0])
with torch.no_grad():
    generated = generator(batch_mel)
    real_results = {"mpd": tiny.mpd(real), "msd": tiny.msd(real)}
    fake_results = {"mpd": tiny.mpd(generated), "msd": tiny.msd(generated)}
    judged = discriminator_losses(real_results, fake_results)
    losses = generator_losses(real_results, fake_results, feature_loss_weight=2.0)
    mel_loss = mel_l1_loss(real, generated)
print("discriminators: " + ", ".join(f"{name} {loss:.3f}" for name, loss in judged.each.items())
      + f"  →  total {judged.total:.3f}")
print(f"generator: adversarial {losses.adversarial:.3f} | 2 × feature matching {2 * losses.feature_matching:.3f} | "
      f"45 × mel L1 {45 * mel_loss:.3f}  →  total {losses.total + 45 * mel_loss:.3f}")

# %% [markdown]
# ### The paper's sizes, and where the time goes
#
# The course's configs reproduce the official parameter counts exactly (weight-norm `g` and `v`
# both counted while training; folded into one weight for inference). Then the cost on a CPU: the
# last upsampling stage runs its residual blocks 22,050 times a second, while a frame-rate
# (inverse-STFT) generator of the same family does all its work 86 times a second. Both timed on
# 3 s of audio, one thread:

# %%
from course_lib.models.waveform.generator import Generator, build_generator
from course_lib.models.summary import count_parameters

paper = {"v1": 13.92, "v2": 0.92, "v3": 1.46}
for name in ("v1", "v2", "v3"):
    g = Generator(CONFIGS[name]())
    training = count_parameters(g)
    inference = count_parameters(g.remove_weight_norm())
    print(f"{name}: {training:>11,} while training, {inference:>11,} for inference (paper: {paper[name]} M)")
print(f"tiny: {count_parameters(tiny.generator):,} generator, {count_parameters(tiny.mpd):,} MPD, "
      f"{count_parameters(tiny.msd):,} MSD")


def best_of(fn, repeats: int = 3) -> float:
    """Fastest of ``repeats`` timed calls, in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start_time = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start_time)
    return min(times)


three_seconds = torch.randn(1, audio.N_MELS, 259)                     # 259 frames = 3.0 s
threads = torch.get_num_threads()
torch.set_num_threads(1)
with torch.no_grad():
    v3 = Generator(CONFIGS["v3"]()).eval().remove_weight_norm()
    istft_small = build_generator(CONFIGS["istft_small"]()).eval()
    rtf = {"HiFi-GAN V3": best_of(lambda: v3(three_seconds)) / 3.0,
           "iSTFT generator (istft_small)": best_of(lambda: istft_small(three_seconds)) / 3.0}
torch.set_num_threads(threads)
for name, value in rtf.items():
    print(f"{name:<31} real-time factor {value:.4f} on one thread (seconds of compute per second of audio)")

# %% [markdown]
# The frame-rate generator is the faster by the ratio printed above — and section 3 says what it
# pays for that: without the pitch, it buzzes. HiFi-GAN earns its phase with discriminators and
# GPU-weeks. The course takes a third road.
#
# Part of a convolution's cost on a CPU is not arithmetic but **memory layout**: a `[B, C, T]`
# tensor stores each channel's samples together, while oneDNN (PyTorch's CPU convolutions) wants
# each sample's channels together, so it reorders the input and the output around every conv. The
# course's `Generator` therefore infers in `torch.channels_last` memory, seen as an image of height
# 1 (`course_lib.nn.channels_last`: the same weights and sums, less time; training keeps
# `[B, C, T]`, whose backward pass is faster). `benchmarks/bench_vits.py` measures what that gives
# the paper VITS decoder.
#
# ## 5. Measures a vocoder cannot game
#
# Section 2's curve used the mel L1: it compares 1024-sample STFT *magnitudes* on the 0–8 kHz mel
# — exactly what Griffin-Lim optimises, so Griffin-Lim scores well on it and still sounds phasey.
# Vocoder papers (CARGAN, BigVGAN, Vocos) report measures that hear the phase and the pitch
# (`course_lib.models.waveform.evaluation.vocoder_scores`):
#
# | measure | what it compares | sees | cannot see |
# |---|---|---|---|
# | **PESQ-WB** (MOS-LQO ≈ 1.0 … 4.64, ↑) | a model of a listener comparing the two waves at 16 kHz (ITU-T P.862.2) | roughness, phasiness, noise, dropouts | content above 8 kHz; it was built for telephone speech |
# | **periodicity RMSE** (↓) | the pitch tracker's voicing probability, frame by frame (pYIN, 10 ms) | buzz, breathiness, lost pitch pulses | the spectral envelope |
# | **V/UV F1** (↑) | which frames are voiced, the original's as the truth | voiced sounds turned to noise or noise to buzz | errors inside voiced frames |
# | **pitch RMSE** (cents, ↓) | F0 where both are voiced | a wrong pitch | everything else |
# | **M-STFT** (↓) | spectral convergence + log-magnitude L1 at windows 240 / 600 / 1200 | phase errors, which smear magnitudes at windows Griffin-Lim did not fit | a consistent, wrong phase at all scales |
# | mel L1, MCD (↓) | the 1024-window log-mel | a wrong spectral envelope | phase — Griffin-Lim games them |
#
# ## 6. The course vocoder: the source and the filter made explicit
#
# Sections 1–3 say what a vocoder needs: the **pitch** (else it buzzes at the hop rate), the
# **harmonics** back in the magnitudes (else the magnitudes cap it), and a phase that follows the
# pitch. The course vocoder (`course_lib.models.pitch_vocoder`, no discriminator) learns the first
# two and computes the third.
#
# ### The phase, from the pitch
#
# A voiced sound is a sum of harmonics h·F0, and harmonic h has the phase h·Φ (section 1). The
# phase vocoder's *phase locking* (Laroche & Dolson 1999) gives every STFT bin its nearest
# harmonic's phase. Course frame t is centred on sample 256t + 128 and its DFT counts time from
# the window's first sample, 512 samples earlier — which adds −π·k at bin k:
#
# $$\varphi[k, t] = h_k \, \Phi(t) - \pi k, \qquad h_k = \operatorname{round}\!\Big(\frac{k \cdot 21.53\ \text{Hz}}{F_0}\Big), \qquad \Phi(t) = 2\pi \sum_{s \le t} F_0[s] \cdot \tfrac{256}{22050}$$
#
# and unvoiced frames get random phases (noise has nothing to lock to). This is a **zero-phase
# pulse** model: every harmonic peaks together once a period, as an idealised glottal pulse does.
# It is a *consistent* phase for the pitch, not the recording's own (a real voice's harmonics
# have their own offsets), so it cannot give the recording back sample for sample — a few of
# Griffin-Lim's projections then mend what locking misses (the pitch moves inside a window; a bin
# between two harmonics hears both). With the pitch the corpus stores and the mel's own blurred
# magnitudes, against Griffin-Lim from random phases:

# %%
from course_lib.models.waveform.evaluation import mean_scores, pitch_track, vocoder_scores
from course_lib.models.waveform.pitch_phase import pitch_locked_resynthesis

tracks = [pitch_track(w) for w in originals]
columns = ["pesq", "periodicity_rmse", "vuv_f1", "pitch_rmse_cents", "mr_stft", "mel_l1"]


def score_table(candidates: dict) -> dict:
    """name → mean scores over the held-out utterances; ``candidates``: name → (wave [N] → resynthesis)."""
    return {name: mean_scores([vocoder_scores(w, resynthesise(w), track) for w, track in zip(originals, tracks)])
            for name, resynthesise in candidates.items()}


def print_table(scores: dict) -> None:
    print(f"{'':<36}" + "".join(f"{c:>17}" for c in columns))
    for name, score in scores.items():
        values = score.to_dict()
        print(f"{name:<36}" + "".join(f"{'n/a' if values[c] is None else f'{values[c]:.3f}':>17}" for c in columns))


pitch_of = {id(w): stored_pitch[u.id] for u, w in zip(held_out, originals)}
locked = score_table({
    "Griffin-Lim (32)": lambda w: griffin_lim(audio.mel_spectrogram(w)).numpy(),
    "stored pitch, locked, 0 projections": lambda w: pitch_locked_resynthesis(
        audio.mel_spectrogram(w), pitch_of[id(w)], pitch_of[id(w)] > 0, 0).numpy(),
    "stored pitch, locked, 3 projections": lambda w: pitch_locked_resynthesis(
        audio.mel_spectrogram(w), pitch_of[id(w)], pitch_of[id(w)] > 0, 3).numpy(),
})
print_table(locked)

# %% [markdown]
# Knowing the pitch, a few projections beat 32 from random phases on periodicity and voicing;
# PESQ moves less, because both still start from the mel's blurred magnitudes (section 2). The
# course vocoder removes both crutches — the recording's pitch and the blurred magnitudes:
#
# 1. **the pitch** — a small network reads the mel (and the low bins of its pseudo-inverse, where
#    harmonics are resolved) and classifies each frame's F0 among 256 log-spaced pitches, plus
#    voiced or not; it learns from the F0 the corpus stores;
# 2. **the magnitudes** — a second network, given the mel and that pitch, predicts the filter (an
#    envelope: a correction to the pseudo-inverse) and, per bin, how harmonic the source is; the
#    magnitude is the envelope times a mix of a flat noise floor and the **harmonic comb** of F0
#    (`harmonic_comb`: the Hann window's lobe at every h·F0) — source × filter, trained with L1 on
#    log *and* linear magnitudes (the log alone fits the quiet bins between harmonics and misses
#    the loud peaks a listener hears);
# 3. **the wave** — two ways from the same pitch and envelopes: (a) *phase retrieval*, the
#    magnitudes with their phase locked to the predicted pitch and a few projections (what ships);
#    (b) *harmonics plus noise*, eSpeak's own way: section 1's oscillator bank at the predicted
#    pitch, each harmonic as loud as the magnitudes are at h·F0, plus noise filtered by the
#    envelope × (1 − harmonicity) (`PitchVocoder.harmonic_plus_noise`).
#
# The shipped model's view of one voiced frame, and its pitch track against the stored one:

# %%
from course_lib.vocoder import CourseVocoder, load_vocoder

shipped = load_vocoder()  # the course vocoder when it is shipped, else Griffin-Lim — it says which
if isinstance(shipped, CourseVocoder):
    course = shipped.model
    example_mel = mel[None]
    with torch.no_grad():
        f0_pred, voiced_pred = course.predict_pitch(example_mel)
        magnitude = course.log_magnitude(example_mel, f0_pred, voiced_pred).exp()[0]
    stored = stored_pitch[record.id]
    fig, (ax_frame, ax_pitch) = plt.subplots(1, 2, figsize=(13, 3.4))
    for values, label in ((true_magnitude[:, frame], "recording"), (blurred[:, frame], "mel's pseudo-inverse"),
                          (magnitude[:, frame], "course vocoder")):
        ax_frame.plot(hz[upto], 20 * np.log10(values[upto].clamp_min(1e-5).numpy()), label=label, linewidth=1)
    ax_frame.set(xlabel="Hz", ylabel="dB", ylim=(-60, None), title=f"frame {frame}: F0 predicted "
                 f"{float(f0_pred[0, frame]):.0f} Hz, stored {stored[frame]:.0f} Hz")
    ax_frame.legend(fontsize=8)
    seconds = np.arange(stored.size) * audio.HOP_LENGTH / audio.SAMPLE_RATE
    ax_pitch.plot(seconds, np.where(stored > 0, stored, np.nan), label="stored (Praat, from the recording)")
    ax_pitch.plot(seconds, np.where(voiced_pred[0], f0_pred[0], np.nan), "--", label="predicted from the mel")
    ax_pitch.set(xlabel="s", ylabel="F0 (Hz)", title=f"{record.speaker_name}: pitch")
    ax_pitch.legend(fontsize=8)
    plt.tight_layout()
    plt.show()
    both = voiced_pred[0].numpy() & (stored > 0)
    cents = 1200 * np.abs(np.log2(f0_pred[0].numpy()[both] / stored[both]))
    print(f"predicted F0 against the stored one: median error {np.median(cents):.1f} cents over {both.sum()} frames "
          f"voiced in both; voicing agrees on {np.mean(voiced_pred[0].numpy() == (stored > 0)):.1%} of frames")
    print(f"{shipped.name}: {count_parameters(course):,} parameters (pitch network "
          f"{count_parameters(course.pitch_net):,}, magnitude network {count_parameters(course.magnitude_net):,})")
else:
    print("The course vocoder is not shipped here: train it with "
          "`python -m course_lib train pitch_vocoder --config tiny --out runs/pitch_vocoder`.")

# %% [markdown]
# The pseudo-inverse follows the recording's harmonics only low down, where the mel's filters are
# narrow; the course vocoder puts a peak at every harmonic of the pitch it predicted.
#
# ### Train it live
#
# The same code as `python -m course_lib train pitch_vocoder --config tiny`, on the course trainer:
# random 96-frame windows of the training split with their stored F0, AdamW, four losses (log and
# linear magnitudes, the pitch class, voicing). No discriminator, so a step is cheap.

# %%
from course_lib.data.segments import SegmentLoader
from course_lib.models import pitch_vocoder
from course_lib.models.pitch_vocoder.train import PitchVocoderTask
from course_lib.training import TrainConfig, Trainer, plot_history

steps = pick(smoke=2, default=300, full=6000)
live_config = pitch_vocoder.PitchVocoderConfig.tiny()
train_split = corpus.split("train")
loader = SegmentLoader([u.wav_path for u in train_split], pick(smoke=2, default=16, full=16),
                       live_config.segment_frames * audio.HOP_LENGTH, seed=0,
                       pitch=[stored_pitch[u.id] for u in train_split])
torch.manual_seed(0)
live_model = pitch_vocoder.build(live_config)
trainer = Trainer(PitchVocoderTask(live_model), TrainConfig(steps=steps, log_every=max(1, steps // 30), progress=True))
start_time = time.perf_counter()
history = trainer.fit(loader)
print(f"{steps} steps in {time.perf_counter() - start_time:.0f} s")
plot_history(history, keys=["vocoder/log_magnitude", "vocoder/magnitude", "vocoder/pitch", "vocoder/voicing"])
plt.show()

# %% [markdown]
# ### Every way, scored and heard
#
# The held-out utterances through Griffin-Lim, the shipped course vocoder both ways (a) and (b),
# and the model you just trained — each vocoder with its **own predicted pitch**, on utterances
# it never saw:

# %%
live = CourseVocoder(live_model.eval(), name=f"course vocoder trained above ({steps} steps)")
ways = {"Griffin-Lim (32)": lambda w: griffin_lim(audio.mel_spectrogram(w)).numpy()}
if isinstance(shipped, CourseVocoder):
    ways["course vocoder (a): phase retrieval"] = lambda w: shipped(audio.mel_spectrogram(w)).numpy()
    ways["course vocoder (b): harmonics + noise"] = lambda w: course.harmonic_plus_noise(
        audio.mel_spectrogram(w)[None])[0].numpy()
ways[live.name] = lambda w: live(audio.mel_spectrogram(w)).numpy()
versions = {name: [make(w) for w in originals] for name, make in ways.items()}
scores = {name: mean_scores([vocoder_scores(w, v, track) for w, v, track in zip(originals, waves, tracks)])
          for name, waves in versions.items()}
print_table(scores)

rows = []
for index, utterance in enumerate(held_out):
    cells = "".join(f"<td>{player(versions[name][index])}</td>" for name in versions)
    rows.append(f"<tr><td>{utterance.speaker_name}<br><i>{utterance.text}</i></td>"
                f"<td>{player(originals[index])}</td>{cells}</tr>")
header = "".join(f"<th>{name}</th>" for name in ["utterance", "original", *versions])
display(HTML(f"<table><tr>{header}</tr>{''.join(rows)}</table>"))

# %% [markdown]
# Read the table with section 5 in mind. Griffin-Lim's mel L1 is low because it fits those very
# magnitudes; periodicity and V/UV F1 hear the pitch it lost. Way (a) keeps the magnitudes the
# network was trained on and only borrows the phase, which is why it ships. Way (b) makes every
# sample from oscillators and noise: the pitch is exactly what it was told, but the split into
# "harmonic" and "noise" was never trained through the wave, so noise leaks into the voiced
# frames (compare their periodicity). `benchmarks/bench_vocoder.py` scores both on 20 utterances,
# and (b) fine-tuned through its own synthesis.
#
# ### A pitch knob
#
# *Think!* Both ways can multiply the predicted F0 by R before making the wave
# (`pitch_shift=R`). Will the voice come out a major third higher (×1.25) each way? Predict, then
# run the cell.

# %%
if isinstance(shipped, CourseVocoder):
    ways_to_shift = (("(a) phase retrieval", course.phase_retrieval), ("(b) harmonics + noise", course.harmonic_plus_noise))
    players = []
    for utterance, samples in ((record, wave), (high, high_wave)):
        shift_mel = audio.mel_spectrogram(samples)[None]
        for name, make in ways_to_shift:
            medians = []
            for shift in (1.0, 1.25):
                f0_out = track_f0(make(shift_mel, pitch_shift=shift)[0].numpy())
                medians.append(float(np.median(f0_out[f0_out > 0])))
            print(f"{utterance.speaker_name:<9} {name:<22} median F0 {medians[0]:6.1f} Hz as predicted, "
                  f"{medians[1]:6.1f} Hz asked for ×1.25 — moved ×{medians[1] / medians[0]:.3f}")
        players.append(f"<td>{player(course.harmonic_plus_noise(shift_mel, pitch_shift=1.25)[0].numpy())}</td>")
    display(HTML(f"<table><tr><th>{record.speaker_name}: (b) asked for ×1.25</th><th>{high.speaker_name}: (b) asked for "
                 f"×1.25</th></tr><tr>{''.join(players)}</tr></table>"))

# %% [markdown]
# (Answer: (a) barely moves, for any voice: its magnitude network reads the whole mel and learned
# to put back the harmonics it finds there. (b)'s oscillators do run at the new pitch, but how far
# the voice follows depends on the voice. For a low voice, harmonics lie closer together than
# most mel bands are wide, so the envelope is nearly smooth and the shift mostly holds. For a high
# voice the mel's low bands resolve the recording's own harmonics, so the shifted harmonics land
# in the envelope's valleys, while the noise, filtered through the same comb-shaped envelope,
# rings at the old pitch. The mel is not pitch-free: a pitch knob needs an envelope with the
# harmonics taken out — and a model trained to make its wave from such an envelope. Lesson 11
# comes back to this for VITS.)
#
# ### Listen to one utterance every way
#
# Pick an utterance and a vocoder; for Griffin-Lim, move the iterations slider. On the left, the
# original's mel above the mel of the chosen version's wave (same colour scale); on the right,
# 25 ms of the loudest frame of each.

# %%
from course_lib.widgets.lesson06 import VocoderListener

listener = VocoderListener(held_out, shipped if isinstance(shipped, CourseVocoder) else live)
display(listener.ui)

# %% [markdown]
# ## What to try
#
# * In the playground of section 1, set F0 to 86 Hz and the vowel to "a": you hear section 3's
#   buzz as a voice. Then find the pitch where "i" stops sounding like "i" (its first formant sits
#   at 270 Hz: a pitch above it leaves no harmonic to show the formant).
# * Train the course vocoder as the shipped one was (`python -m course_lib train pitch_vocoder --config
#   tiny --out runs/pitch_vocoder`; its steps and CPU time are in `data/checkpoints/README.md`) and score it with
#   `python benchmarks/bench_vocoder.py --part quality --candidate mine=runs/pitch_vocoder/pitch_vocoder.pt`.
# * Fine-tune way (b) through its own synthesis: `python -m course_lib train pitch_vocoder --config
#   tiny_harmonic_noise --init data/checkpoints/pitch_vocoder_tiny.pt --out runs/pv_hn --steps 600`
#   adds a multi-resolution STFT loss on the oscillators' wave. Does the noise leave the voiced
#   frames? (`benchmarks/README.md` has the measured figures.)
# * Put the discriminators of section 4 to work on the course vocoder: `python -m course_lib train pitch_vocoder
#   --config tiny_adversarial --init data/checkpoints/pitch_vocoder_tiny.pt --out runs/pv_gan --steps 400`
#   judges its wave (made at the true pitch, the locked phase, the projections) with HiFi-GAN's tiny MPD and MSD.
#   Does an adversarial loss pay when the phase is not learned? (`benchmarks/README.md` has the measured answer.)
# * Train HiFi-GAN or the inverse-STFT generator (`python -m course_lib train hifigan --config
#   istft_small --out runs/vocoder`) and listen for section 3's buzz; `benchmarks/README.md` lists
#   what the course measured for phase losses and integrated phases, none of which removed it.
# * Break the k = 2u rule in HiFi-GAN's first stage (`upsample_kernel_sizes` starting with 12,
#   u = 8), train and listen: horizontal lines at 86 Hz and its harmonics in the spectrogram.
# * Vocode a recording of a real voice — your own, or a clip of LJSpeech (the README says how to
#   use it) — which the course vocoder never heard: `python -m course_lib vocode --in CLIP.wav
#   --out out.wav`. *What to look for:* whether its pitch follows a voice outside eSpeak's.
#
# ## Summary
#
# * Speech is a source — harmonics of F0 from one integrated phase, or noise — times a filter, the
#   envelope; eSpeak NG makes the corpus that way.
# * A mel keeps the envelope and blurs the harmonics; Griffin-Lim's consistent phases cannot put
#   them back: the **magnitudes** cap phase retrieval (measured live above).
# * A frame-rate generator that does not know the pitch repeats its frames: an 86 Hz buzz.
# * HiFi-GAN: conv → (leaky-ReLU, transposed conv ×u, MRF) × stages → conv → tanh, k = 2u against
#   checkerboards; MPD folds the wave by prime periods, MSD looks at three resolutions; LSGAN +
#   2 · feature matching + 45 · mel L1.
# * Judge vocoders with PESQ, periodicity, V/UV F1 and pitch error beside the mel errors.
# * The course vocoder predicts the pitch, puts the harmonic comb under a learned envelope and
#   locks the phase to the pitch — trained in minutes on a CPU. Harmonics plus noise from the same
#   pitch and envelopes sounds worse, and neither is a pitch knob: the mel's low bands hold the
#   recording's harmonics.
#
# ## References
#
# * Fant, *Acoustic Theory of Speech Production*, 1960; Klatt, *Software for a cascade/parallel
#   formant synthesizer*, JASA 1980; Peterson & Barney, *Control methods used in a study of the
#   vowels*, JASA 1952 (the formants of section 1).
# * Kong, Kim & Bae, *HiFi-GAN*, NeurIPS 2020 (arXiv 2010.05646); official code jik876/hifi-gan.
# * Kumar et al., *MelGAN*, NeurIPS 2019 (the multi-scale discriminator).
# * Kaneko et al., *iSTFTNet*, ICASSP 2022; Siuzdak, *Vocos*, ICLR 2024 (arXiv 2306.00814).
# * Laroche & Dolson, *Improved phase vocoder time-scale modification of audio*, IEEE TSAP 1999.
# * Engel et al., *DDSP: Differentiable Digital Signal Processing*, ICLR 2020; Stylianou, *Harmonic
#   plus noise models for speech*, 1996 (way (b)).
# * Morrison et al., *Chunked Autoregressive GAN for Conditional Waveform Synthesis* (CARGAN), ICLR 2022
#   — the pitch, periodicity and V/UV F1 measures; ITU-T P.862.2 (PESQ wideband).
# * Mao et al., *Least Squares Generative Adversarial Networks*, ICCV 2017.
# * Odena, Dumoulin & Olah, *Deconvolution and Checkerboard Artifacts*, Distill 2016.
# * Griffin & Lim, *Signal estimation from modified short-time Fourier transform*, 1984.
