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
# # Lesson 00 — Audio and text: what a TTS model reads and writes
#
# Every model in this course maps **text** to **sound**. Before any model, we need to
# know exactly what both ends look like as tensors.
#
# **Goals.** By the end of this lesson you can
# 1. turn a waveform into a short-time Fourier transform (STFT) and a log-mel spectrogram,
#    and explain every number in the course's mel definition;
# 2. turn a mel back into sound with Griffin-Lim, and say why it sounds "phasey";
# 3. turn text into normalised text, phonemes and integer ids;
# 4. use the course's built-in speech corpus and its ground-truth phoneme durations.
#
# **Time**: about 90 min — §0 5 min · §1 3 min · §2 5 min · §3 10 min · §4 30 min · §5 5 min · §6 10 min · §7 2 min · §8 5 min · §9 2 min · Try this 15 min
#
# Run the cells top to bottom. The size of everything comes from `TTS_COURSE_MODE`
# (`smoke`, `default` or `full`); this lesson is small in every mode.
#
# ## 0. The course map
#
# The **classic pipeline** turns text into sound in five stages, each a separate model or
# algorithm:
#
# | stage | input → output | in this course |
# |---|---|---|
# | 1. text front end | text → normalised text → phonemes → ids | this lesson, §6 |
# | 2. alignment / durations | phonemes → frames per phoneme | lesson 07 (MAS) |
# | 3. acoustic model | phoneme ids (+ durations) → **mel spectrogram** | lessons 03, 08, 09, 10 |
# | 4. vocoder | mel → **waveform** | lesson 06 (HiFi-GAN); Griffin-Lim in §5 |
# | 5. output | waveform → loudspeaker | 22,050 Hz, this lesson |
#
# Which models replace which stages:
#
# | model | lesson | replaces | needs a separate vocoder? |
# |---|---|---|---|
# | Glow-TTS (flow decoder + MAS) | 08 | 2 and 3: learns its own durations, outputs a mel | **yes** |
# | Grad-TTS (score-based diffusion from N(μ, I) + MAS) | 09 | 2 and 3, outputs a mel | **yes** |
# | Diff-TTS (discrete DDPM from N(0, I), given durations) | 10 | 3 only, outputs a mel | **yes** |
# | VITS (conditional VAE + flow + MAS + HiFi-GAN decoder) | 11 | 2, 3 **and** 4: text → waveform | no |
#
# A common reading is that all of these are "end-to-end text-to-speech"; in fact **only
# VITS goes from text to a waveform**. Glow-TTS, Grad-TTS and Diff-TTS stop at a mel and
# need a vocoder — in this course every one of them is heard through the same one (lesson
# 06), which is why they all share the one mel definition of §4.
#
# The notes this course was commissioned from compared the models in one table. Each
# claim is a hypothesis here, not a fact; the course measures it:
#
# | model | the notes' claim | status |
# |---|---|---|
# | VITS | best quality, hard to run in real time | checked in lesson 12 |
# | Diff-TTS | an improved Grad-TTS | **wrong** as history: Diff-TTS came first and is independent (lesson 10); quality checked in lesson 12 |
# | Grad-TTS | slow | needs a number: RTF 0.033 at 10 steps on a GPU in its paper (lesson 09); checked in lesson 12 |
# | Glow-TTS | listed beside the others, without a verdict | checked in lesson 12 (speed, quality, alignment) |

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Audio, display

from course_lib import audio, plots
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. The built-in corpus
#
# Real speech datasets (LJSpeech: 24 hours, 2.6 GB) need a download. This course works
# offline, so it **synthesises its own corpus**: a sentence grammar written by the
# project produces a few thousand distinct sentences, and the eSpeak NG speech synthesiser
# (shipped inside the `espeakng-loader` wheel) speaks them at 22,050 Hz.
#
# Synthetic speech is robotic — but it has a property no recorded corpus has: eSpeak
# tells us **which phoneme it spoke at which sample**. So every utterance comes with
# exact, ground-truth phoneme durations. Later lessons use them to check alignments
# learned by Glow-TTS and VITS against the truth.
#
# The first call builds the corpus (seconds) and caches it under `data/cache/`.

# %%
from course_lib.data import ensure_corpus, load_corpus

corpus = load_corpus(ensure_corpus())
print(f"{len(corpus)} utterances; splits:",
      {name: len(corpus.split(name)) for name in ("train", "val", "test")})
record = corpus.split("train")[0]
print(record.id, "|", record.raw_text)
print("normalised:", record.text)

# %% [markdown]
# ## 2. A waveform is a list of numbers
#
# A waveform is the air pressure at the microphone, sampled 22,050 times a second
# (the **sample rate**) and scaled to [-1, 1]. One second is 22,050 numbers.

# %%
wave = audio.load_audio(record.wav_path)
print(f"{len(wave)} samples = {len(wave) / audio.SAMPLE_RATE:.2f} s, dtype {wave.dtype}, "
      f"range [{wave.min():.2f}, {wave.max():.2f}]")
plots.plot_wave(wave, title=record.text)
plt.show()
display(Audio(wave, rate=audio.SAMPLE_RATE, normalize=False))

# %% [markdown]
# Zoom in on 20 ms: voiced speech is nearly periodic; the period is the pitch.

# %%
start = len(wave) // 2
segment = wave[start:start + int(0.02 * audio.SAMPLE_RATE)]
fig, ax = plt.subplots(figsize=(10, 2))
ax.plot(np.arange(len(segment)) / audio.SAMPLE_RATE * 1000, segment)
ax.set_xlabel("ms"); ax.set_title("20 ms of speech")
plt.show()

# %% [markdown]
# ## 3. From samples to a spectrogram: the STFT
#
# Sound is easier to model as **which frequencies are present when**. The short-time
# Fourier transform cuts the wave into overlapping frames and takes the Fourier transform
# of each:
#
# $$X[f, t] = \sum_{n=0}^{N-1} x[tH + n]\, w[n]\, e^{-2\pi i f n / N}$$
#
# with frame length $N$ = `n_fft` = 1024 samples (46 ms), window $w$ = Hann of 1024
# samples, and hop $H$ = 256 samples (11.6 ms, so ~86 frames per second). Each frame
# gives $N/2 + 1 = 513$ frequency bins from 0 to 11,025 Hz (the Nyquist frequency).
#
# Let's compute one frame by hand and compare with `torch.stft`.

# %%
n_fft, hop = audio.N_FFT, audio.HOP_LENGTH
pad = (n_fft - hop) // 2                      # 384 samples of reflect padding on each side
padded = np.pad(wave, (pad, pad), mode="reflect")
window = np.hanning(n_fft + 1)[:-1]           # the periodic Hann window torch uses
t = 50                                        # frame index
frame = padded[t * hop: t * hop + n_fft] * window
by_hand = np.abs(np.fft.rfft(frame))          # [513]
library = audio.linear_spectrogram(wave)[:, t].numpy()
print("bins:", by_hand.shape[0], "| max difference to the library:", np.abs(by_hand - library).max())

# %% [markdown]
# **Why that padding?** With `center=False` and (n_fft − hop)/2 = 384 reflected samples
# on each side, a wave of $n$ samples gives exactly $\lfloor n / 256 \rfloor$ frames, and
# frame $t$ is centred on samples $256t \dots 256t + 255$. Mel frames and waveform
# samples then line up exactly — what a vocoder needs (HiFi-GAN upsamples each frame into
# exactly 256 samples).

# %%
spectrogram = audio.linear_spectrogram(wave)        # [513, T]
print("linear spectrogram:", tuple(spectrogram.shape), "| len(wave) // 256 =", len(wave) // hop)
plots.plot_mel(torch.log(spectrogram.clamp_min(1e-5)), title="log linear spectrogram (513 bins)")
plt.gca().set_ylabel("frequency bin")
plt.show()

# %% [markdown]
# ## 4. The mel scale
#
# Our ears resolve low frequencies finely and high ones coarsely: below about 1 kHz a step
# of 100 Hz is easy to hear, far above it only much larger steps are. The **mel** scale bends
# frequency to follow that — the Slaney mel used here is linear below 1 kHz and logarithmic
# above, so 100 → 200 Hz is 1.5 mel units and 1000 → 2000 Hz about 10 (this is not the octave,
# which doubles the frequency at every height) — and a bank of 80 triangular filters, narrow
# at low frequencies and wide at high ones, sums the 513 bins into 80 mel bands.

# %%
basis = audio.mel_basis()                     # [80, 513]
freqs = np.linspace(0, audio.SAMPLE_RATE / 2, basis.shape[1])
fig, ax = plt.subplots(figsize=(10, 2.5))
for row in basis[::4]:
    ax.plot(freqs, row.numpy())
ax.set_xlabel("Hz"); ax.set_title("every 4th of the 80 Slaney mel filters (0–8000 Hz)")
plt.show()

# %% [markdown]
# ### The course's one mel definition
#
# Every acoustic model and the vocoder in this course share **one** mel definition — the
# HiFi-GAN convention — so that any model can feed any vocoder. Mismatched front ends are
# a classic source of buzzing audio when people combine models from different repos.
#
# | parameter | value | why |
# |---|---|---|
# | sample rate | 22,050 Hz | LJSpeech's rate; covers speech up to 11 kHz |
# | `n_fft` | 1024 | 46 ms frames: enough frequency resolution for pitch harmonics |
# | window | Hann, 1024 | smooth edges → less spectral leakage |
# | hop | 256 | 11.6 ms steps; 256 = the vocoder's total upsampling factor |
# | padding | reflect (n_fft − hop)/2, `center=False` | exactly n // 256 frames, aligned with the wave |
# | mel bins | 80 | enough detail for a vocoder, far fewer numbers than 513 |
# | fmin / fmax | 0 / 8000 Hz | speech energy lives below 8 kHz (`fmax=None` → 11,025 Hz is used for the HiFi-GAN and VITS *loss*) |
# | filters | Slaney-normalised (librosa) | each filter has equal area |
# | compression | natural log of max(magnitude, 1e-5) | loudness is perceived logarithmically; the clamp avoids log(0) in silence |

# %%
mel = audio.mel_spectrogram(wave)             # [80, T]
print("mel:", tuple(mel.shape), f"min {mel.min():.2f} (= ln 1e-5 = {np.log(1e-5):.2f} in silence), max {mel.max():.2f}")
plots.plot_mel(mel, title="log-mel spectrogram")
plt.show()

# %% [markdown]
# ### Exercise 1 — phoneme durations in frames
#
# An aligner (eSpeak here, a forced aligner for recorded speech) tells you where each
# phoneme **starts, in samples**. A TTS model needs **whole frames per phoneme**, and they
# must add up to exactly the mel's length — or the length regulator of lessons 08–10 builds
# a mel of the wrong size.
#
# Write `frame_durations(boundaries, n_samples)`: `boundaries` are the sample indices where
# phonemes 2, 3, … start (ascending), `n_samples` the wave's length; return one integer per
# phoneme. Think about two things first: how many frames does the mel have (§3), and which
# phoneme does a frame belong to when a boundary falls inside it (where is frame t centred)?
# The check recognises the usual slips and says which one you made.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson00 import (
    check_frame_durations,
    check_log_mel,
    check_log_mel_on_audio,
    reference_log_mel,
    solution_frame_durations,
)


def frame_durations(boundaries: list[int], n_samples: int) -> list[int]:
    # YOUR CODE HERE (use audio.HOP_LENGTH)
    raise NotImplementedError


check_frame_durations(frame_durations)

# %% [markdown]
# Stuck, or done and curious how the course builds its corpus? The solution is below,
# folded; click it open. (`course_lib.data.durations.boundaries_to_durations` is the
# library version: it also gives every phoneme at least one frame.)

# %%
show_solution(solution_frame_durations)

# %% [markdown]
# ### Exercise 2 — implement the log-mel
#
# Given a magnitude spectrogram `[513, T]` and the filter bank `[80, 513]`, return the
# log-mel `[80, T]` as the table defines it. The table names three operations — the filters,
# the floor at 1e-5, the natural log — but not where the filters go among them, and the order
# matters. Decide before you write the line:
#
# * **filter, then log — or log, then filter?** Which one is the loudness of a band, and which
#   lets a single near-empty bin drag a whole band down?
# * **where does the floor go:** on the 513 bins or on the 80 bands? The cell under the table
#   printed what a silent frame must come out as.
#
# Replace the `raise` with your code; the check feeds a silent frame and names the usual slips.

# %%
def log_mel(magnitude: torch.Tensor, mel_basis: torch.Tensor) -> torch.Tensor:
    # YOUR CODE HERE (one line)
    raise NotImplementedError


if check_log_mel(log_mel):
    check_log_mel_on_audio(log_mel, wave)

# %%
show_solution(reference_log_mel)

# %% [markdown]
# <details><summary><b>Why this order</b> — click to reveal</summary>
#
# Filter first: the filter bank adds up the magnitude inside each band, and the log then
# compresses that band's loudness. Filtering the log-magnitudes instead adds up logs: one
# near-empty bin inside a band drags the whole band down (an exactly empty one, without a
# floor, makes it −∞). The floor goes on the bands, just before the log: digital silence then
# comes out as ln 1e-5 ≈ −11.5 in every band, one constant level (the minimum printed under the
# table). A floor on the bins would leave each silent band at 1e-5 times the sum of its filter's
# weights, a different level in every band — and no floor at all gives log(0) = −∞, which
# poisons every loss downstream.
#
# </details>

# %% [markdown]
# ## 5. Back to sound: Griffin-Lim
#
# A mel throws away two things: the fine frequency detail (80 bands instead of 513 bins)
# and the **phase** of every STFT bin. Griffin-Lim (1984) guesses the phase: start with
# random phases, then alternate between "make it a valid STFT" (inverse STFT, then STFT
# again) and "keep the magnitudes we know". Each round gets closer to a consistent
# signal, but the answer is only one of many with these magnitudes, and the result
# sounds metallic and phasey. Listen, then compare the mels.

# %%
n_iter = pick(smoke=8, default=32, full=64)
rebuilt = audio.griffin_lim(mel, n_iter=n_iter)
print(f"Griffin-Lim with {n_iter} iterations; mel L1 to the original: "
      f"{(audio.mel_spectrogram(rebuilt) - mel).abs().mean():.3f}")
display(Audio(wave, rate=audio.SAMPLE_RATE, normalize=False))
display(Audio(rebuilt.numpy(), rate=audio.SAMPLE_RATE, normalize=False))
fig, axes = plt.subplots(2, 1, figsize=(10, 5), sharex=True)
plots.plot_mel(mel, ax=axes[0], title="original", colorbar=False)
plots.plot_mel(audio.mel_spectrogram(rebuilt), ax=axes[1], title=f"after Griffin-Lim ({n_iter} iterations)",
               colorbar=False)
plt.tight_layout(); plt.show()

# %% [markdown]
# **Why phase matters.** Keep the true magnitudes, throw the phase away (random), and
# listen: the words survive, the voice turns into a rough whisper. That missing phase is
# the whole job of a neural vocoder such as HiFi-GAN (lesson 06).

# %%
spec = torch.stft(torch.from_numpy(padded), n_fft, hop, window=torch.hann_window(n_fft), center=False,
                  return_complex=True)
random_phase = spec.abs() * torch.exp(2j * torch.pi * torch.rand(spec.shape, generator=torch.Generator().manual_seed(0)))
scrambled = torch.istft(random_phase, n_fft, hop, window=torch.hann_window(n_fft), center=True)
display(Audio(scrambled.numpy(), rate=audio.SAMPLE_RATE, normalize=True))

# %% [markdown]
# ## 6. Text: normalise → phonemes → ids
#
# Models do not read letters well: English spelling is a poor guide to sound
# ("though", "through", "tough"). So the front end
# 1. **normalises** the text: numbers, currency, abbreviations and odd Unicode become words;
# 2. converts words to **phonemes**: ARPAbet from the CMU Pronouncing Dictionary (with
#    stress digits 0/1/2), with eSpeak NG as the fallback for words the dictionary lacks —
#    or IPA straight from eSpeak NG, as VITS uses;
# 3. maps each symbol to an **integer id** with a symbol table.

# %%
from course_lib import text

raw = "Dr. Smith paid $3.50 for 2 coffees on May 1st — café au lait!"
normalised = text.normalize_text(raw)
print("raw:        ", raw)
print("normalised: ", normalised)
print("ARPAbet:    ", text.phonemize(normalised))
print("IPA:        ", text.ipa(raw))

# %% [markdown]
# The symbol table of the official Glow-TTS recipe has 148 entries: a pad symbol, 11
# punctuation marks, 52 letters and 84 ARPAbet phonemes (15 vowels × 4 — no digit or stress 0/1/2 — plus 24 consonants). Glow-TTS
# and VITS can **intersperse a blank** token between all symbols, which gives the
# alignment a place to put transitions.

# %%
arpabet = text.Tokenizer(text.ARPABET_SYMBOLS)
with_blank = text.Tokenizer(text.ARPABET_SYMBOLS, add_blank=True)
phonemes = text.phonemize("hello world")
ids = arpabet.encode(phonemes)
print(len(text.ARPABET_SYMBOLS), "symbols;", phonemes, "->", ids)
print("decoded back:", arpabet.decode(ids))
print("with blanks (blank id", with_blank.blank_id, "):", with_blank.encode(phonemes))

# %% [markdown]
# ### The corpus's own phonemes
#
# Models trained on the built-in corpus read **the phonemes eSpeak actually spoke** — the
# ones its durations refer to — and new text goes through the same eSpeak front end, so
# training and inference agree.

# %%
print("spoken phonemes:", record.phonemes)
print("durations (frames):", record.durations)
print(f"sum of durations = {sum(record.durations)} = mel frames {mel.shape[-1]}")
tokenizer = corpus.tokenizer
print("ids:", tokenizer.encode(record.phonemes)[:20], "...", f"({tokenizer.n_vocab} symbols)")
print("new text through the same front end:", text.espeak_phonemes("A brand new sentence."))

# %% [markdown]
# ## 7. Ground-truth durations on the mel
#
# Each phoneme covers a whole number of frames; the boundaries come from eSpeak's own
# phoneme events. This is the "alignment" that Glow-TTS, Grad-TTS and VITS must *learn*
# from data (lesson 07) — here we get it for free.

# %%
plots.plot_durations(mel, record.phonemes, record.durations, title=record.text)
plt.show()

# %% [markdown]
# ## 8. Listen around the corpus
#
# Pick an utterance (and, in the multi-speaker corpus, a voice) and hear it with its mel
# and durations. The multi-speaker variant uses several eSpeak voices and gives each a
# speaker id — lesson 11 (VITS, multi-speaker) trains on it and conditions on that id.

# %%
from course_lib.widgets.lesson00 import corpus_browser

multi = load_corpus(ensure_corpus(multispeaker=True))
print(f"multi-speaker corpus: {len(multi)} utterances, voices:", sorted({r.speaker_name for r in multi}))
browser = corpus_browser(multi)
display(browser.ui)

# %% [markdown]
# ## 9. Using LJSpeech instead
#
# If you have LJSpeech-1.1 (or any folder in its layout: `wavs/` + `metadata.csv`),
# `course_lib.data.load_ljspeech(path)` reads it; `download_ljspeech(dest)` fetches it on
# a machine with internet. It has no ground-truth durations, so the models learn their
# alignment with monotonic alignment search — exactly as on the built-in corpus, whose
# durations we then only use to *check* the learned ones.
#
# ```python
# from course_lib.data import load_ljspeech
# lj = load_ljspeech("/data/LJSpeech-1.1")      # ARPAbet front end, as the official recipes
# ```

# %% [markdown]
# ## Try this
# - Change `n_iter` of Griffin-Lim to 1, 8, 100: when does it stop improving?
#   *Expect* (first training utterance): mel L1 0.36 at 1 iteration, 0.22 at 8, 0.19 at 32 and
#   0.18 at 100 — it stops improving after a few dozen, and the metallic sound stays: it comes
#   from the phase guess, not from too few iterations.
# - Compute the mel with `fmax=None` and plot it: where does the extra range show up?
#   *Expect:* the same 80 bands now span 0–11,025 Hz, so every band is wider and the low
#   harmonics get fewer bands; the top bands now cover 8–11 kHz, where the corpus has little
#   energy (mean of the top 10 bands −7.0 instead of −6.4 on the first training utterance).
# - Phonemize words the dictionary lacks ("zorbulax", your name) — what does the fallback do?
#   *Expect:* eSpeak's letter-to-sound rules, mapped to ARPAbet with stress digits:
#   "zorbulax" → `Z AO1 R B Y UH0 L AE2 K S` — plausible for regular spellings, often wrong for names.
# - Compare the voices' speaking rates: the mean of `sum(r.durations) / len(r.durations)` per
#   `r.speaker_name` in `multi`. *Expect* (smoke corpus, 10 utterances each): from ≈ 6.1 frames
#   per phoneme (`en-us+m7`) to ≈ 7.4 (`en-us+f4`, `en-us+m3`) — each voice has its own rate,
#   which a multi-speaker model must learn to predict from the speaker id.
#
# ## Summary
# - The classic pipeline is front end → durations → acoustic model → mel → vocoder → wave;
#   only VITS (lesson 11) covers text → wave alone, the others need a vocoder.
# - A 22,050 Hz wave → STFT (n_fft 1024, hop 256, Hann, reflect pad 384, no centring) →
#   513-bin magnitudes → 80 Slaney mel filters (0–8 kHz) → natural log with a 1e-5 floor:
#   exactly `len(wave) // 256` frames. One definition for every model and the vocoder.
# - Durations come from rounding cumulative boundaries (frame t is centred on sample 256t + 128),
#   so they always sum to the mel's length.
# - The mel has no phase; Griffin-Lim guesses it and sounds phasey — a neural vocoder learns it.
# - Text → normalised words → phonemes (ARPAbet or eSpeak IPA) → ids, optionally with blanks.
# - The built-in corpus is synthetic on purpose: offline, and with exact phoneme durations.
#
# ## References
# - D. Griffin and J. Lim, *Signal estimation from modified short-time Fourier transform*, 1984.
# - J. Kong et al., *HiFi-GAN*, NeurIPS 2020 — the mel convention used here.
# - The CMU Pronouncing Dictionary; eSpeak NG (github.com/espeak-ng/espeak-ng).
# - K. Ito and L. Johnson, *The LJ Speech Dataset*, 2017.
