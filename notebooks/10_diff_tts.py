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
# # Lesson 10 — Diff-TTS: a plain DDPM that speaks, and how to make it fast
#
# Diff-TTS (Jeong et al., Interspeech 2021) was among the first diffusion acoustic models,
# published weeks before Grad-TTS. It takes the most direct route: a non-autoregressive text
# encoder, a duration predictor and a length regulator (as in FastSpeech) produce a
# frame-level text representation, and a **discrete DDPM with T = 400 steps** (lesson 05)
# turns N(0, I) noise into the mel, conditioned on it. To be fast it samples on a
# sub-sequence of steps with a skip factor γ; the demo uses γ = 1, 7, 21, 57.
#
# > **A common reading is that Diff-TTS is an improved Grad-TTS; in fact it came first and is
# > independent.** Diff-TTS appeared on arXiv in April 2021 (arXiv:2104.01409), Grad-TTS in
# > May 2021 (arXiv:2105.06337); the two were developed independently. They differ in kind:
# > Diff-TTS is a *discrete* DDPM (T = 400 steps) that starts from **N(0, I)** and takes its
# > durations from outside; Grad-TTS is a *continuous-time* score SDE that starts from
# > **N(μ, I)** and learns its alignment with MAS. Section 5 puts them side by side at equal
# > compute; which sounds better is checked in lesson 12.
#
# **Goals.** By the end you can
# 1. say what Diff-TTS is built from, and which of its details are *not* known (no public code);
# 2. explain the accelerated walk and write the deterministic DDIM jump between two of its steps;
# 3. assemble its training loss from the model's parts, and check that it is the model's own;
# 4. hear the same sentence at γ = 1, 7, 21, 57 and plot time and quality;
# 5. compare it with Grad-TTS at equal compute, and say what each design choice buys.
#
# **Time**: about 85 min — §1 10 min · §2 15 min · §3 25 min · §4 10 min · §5 5 min · §6 5 min · What to try 15 min
#
# **Glossary**: T → `n_diffusion_steps`, γ → `gamma`, ᾱ_t → `alpha_bars[t]`,
# ε_θ(x_t, t, c) → `model.decoder(x_t, mask, cond, t)`, c (expanded text) → `cond`.

# %%
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Audio, display

from course_lib.diffusion import accelerated_timesteps
from course_lib.mode import current_mode, pick
from course_lib.models import diff_tts
from course_lib.models.summary import param_summary
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. What we know, and what we chose
#
# The paper (Jeong et al. 2021, arXiv:2104.01409) comes with a demo page but no official
# code. **From the paper and its demo**:
# non-autoregressive (every frame at once, with no frame waiting for the one before it — but
# not in one pass: the mel is refined by the reverse steps, 400 network calls at γ = 1);
# denoising diffusion from noise to mel, conditioned on text; trained
# with the likelihood-based ε objective and no auxiliary mel losses; accelerated sampling;
# T = 400 and γ ∈ {1, 7, 21, 57}; 28× faster than real time on a 2080 Ti; a decoder of gated
# WaveNet-style residual blocks with a diffusion-step embedding. Where it leaves a detail
# open, it is **chosen by us** (each documented in `course_lib.models.diff_tts`):
#
# | part | our choice | why |
# |---|---|---|
# | text encoder | the course's Glow-TTS encoder, 192 ch | shared by every model here |
# | durations | Glow-TTS duration predictor, trained on the corpus's **true** durations | no aligner needed |
# | decoder | 12 gated residual layers, 256 ch, dilations 1-2-4-8, DiffWave step embedding | the described block type |
# | noise prediction | ε̂ = √(1 − ᾱ_t)·x_t + network | at large t, x_t is ε: the network only learns a correction |
# | schedule | linear β 1e-4 → 0.05 over 400 steps | ends at ᾱ_T ≈ 5e-5, like DDPM's 1000-step schedule |
# | mel scale | log-mel mapped to ≈ [−1, 1] | a N(0, I) end needs data of unit scale |
# | γ not dividing T − 1 | refused, with the valid list | the walk must end at step 0 |

# %%
print(diff_tts.__doc__[diff_tts.__doc__.index("Unconfirmed"):][:600], "…")
print(param_summary(diff_tts.build(diff_tts.DiffTTSConfig.paper())))
print(param_summary(diff_tts.build(diff_tts.DiffTTSConfig.tiny())))

# %% [markdown]
# *Think!* The table's noise prediction adds √(1 − ᾱ_t)·x_t to the network's output. Why is
# that a good guess of ε at large t — and what is left for the network at small t?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε. At large t, ᾱ_t ≈ 0: x_t is almost exactly ε and √(1 − ᾱ_t) ≈ 1,
# so the skip term *is* the answer and the network only learns a small correction. At small t,
# ᾱ_t ≈ 1: the skip term shrinks towards zero, and the network must find the faint noise on a
# nearly clean mel by itself — which takes knowing what clean mels look like, the part of the
# job that matters. Without the skip, the network would first have to learn to copy x_t to its
# output at large t — a copy that a stack narrower than the 80 bins cannot even make
# (section 6).
#
# </details>

# %% [markdown]
# ## 2. The accelerated walk
#
# With a trained ε-network, sampling normally visits every step T−1, …, 0. The accelerated
# sampler visits T−1, T−1−γ, …, 0 and jumps between visited steps with the exact one-jump
# forward process: since ᾱ is a product, one jump from step `prev` to step `t` multiplies
# by α = ᾱ_t / ᾱ_prev, so β_jump = 1 − ᾱ_t/ᾱ_prev — and the ordinary ancestral step
# (lesson 05, eq. 11) applies unchanged.
#
# The demo's γ are no accident: 399 = 3 · 7 · 19, and 7, 21, 57 all divide it, so each walk
# ends exactly at step 0 (58, 20 and 8 network calls). The library's
# `accelerated_timesteps(T, γ)` builds the walk and refuses a γ that misses step 0:

# %%
for gamma in (1, 7, 21, 57):
    walk = accelerated_timesteps(400, gamma)
    print(f"γ = {gamma:2d}: {len(walk):3d} network calls, steps {walk[:4]} … {walk[-2:]}")
try:
    accelerated_timesteps(400, 10)
except ValueError as err:
    print("γ = 10 →", err)

# %% [markdown]
# ### Exercise — a deterministic jump (DDIM)
#
# The ancestral step adds fresh noise at every jump; with large jumps that randomness is
# poorly matched and the samples under-disperse (lesson 05). Song, Meng & Ermon (2021)
# noticed that the same ε-network allows a **deterministic** jump between *any* two steps.
# The idea, in two moves: (1) from $x_t$ and the network's noise estimate $\hat\varepsilon$,
# estimate the clean mel $\hat x_0$ (undo $x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon$);
# (2) land at step `prev` as if the forward process had taken $\hat x_0$ there with the *same*
# noise $\hat\varepsilon$ — no fresh noise.
#
# Write `ddim_jump(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev)`. The check compares
# with `diffusion.ddim_step(..., eta=0)` on a long jump (ᾱ 0.04 → 0.7), then verifies the
# property that makes it exact: fed the *true* noise, the jump lands precisely on
# `q_sample(x0, ε, ᾱ_prev)`, however far it goes.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson10 import check_ddim_jump, solution_ddim_jump


def ddim_jump(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev):
    # YOUR CODE HERE (2 lines)
    raise NotImplementedError


check_ddim_jump(ddim_jump)

# %%
show_solution(solution_ddim_jump)

# %% [markdown]
# *Think!* Fed the *true* noise, the DDIM jump lands exactly on `q_sample(x0, ε, ᾱ_prev)`,
# however far it goes. Why, then, would a walk of a few long DDIM jumps be any worse than one
# of many short ones?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# At sampling time the jump is fed not the true noise but the network's estimate ε̂, and from a
# very noisy x_t many clean mels are plausible: the best estimate in the mean-squared sense
# leads to an x̂₀ that is their *average*, a blurred mel. One long jump carries that blur all
# the way to step `prev`. Short jumps ask again from a less noisy x_t, where fewer mels fit and
# x̂₀ is sharper, and each correction builds on the last. The jump is exact; the estimate it is
# fed is not, and how often the estimate is renewed sets the quality.
#
# </details>

# %% [markdown]
# ## 3. Train (or load) a tiny Diff-TTS
#
# Training needs the durations: the built-in corpus stores the exact phoneme durations eSpeak
# spoke, so the length regulator uses the truth and no alignment search is needed. (For
# LJSpeech you would first extract durations, e.g. with a trained Glow-TTS's MAS.)
#
# ### Exercise — build the training loss
#
# Before training, assemble the loss that training minimises, from the model's own parts: then
# your code *is* the model's forward pass. `diff_tts_loss(model, batch, generator)` gets an
# untrained tiny Diff-TTS, a batch of two training sentences (the first, and the shortest, which
# is shorter than the decoder's 128-frame window) and a seeded `torch.Generator`. Shapes are
# [B, C, T]: B = 2 sentences, C channels, and T is T_text tokens, T_mel mel frames or W = 128
# window frames, as marked. In the model's order:
#
# 1. **Text.** `model.encoder(tokens, token_lengths)` gives the text representation
#    `[B, C_text, T_text]`, the predicted log-durations `[B, 1, T_text]` and the token mask
#    `[B, 1, T_text]`.
# 2. **Duration loss.** The log-domain MSE between the predicted log-durations and the true
#    durations (`batch.durations`, `[B, T_text]`: give it a channel axis): `duration_loss` and
#    `log_duration_target`.
# 3. **Length regulator.** The frame mask `[B, 1, T_mel]` from `mel_lengths` (`sequence_mask`), then
#    the hard path `[B, T_text, T_mel]` from the true durations (`path_from_durations`).
# 4. **Target.** y = the log-mel mapped to about [−1, 1] (`normalize_mel`), masked: `[B, 80, T_mel]`.
# 5. **Window.** One random window per sentence, of y and of the path: `random_windows` with the
#    config's `segment_frames` gives y `[B, 80, W]`, the window's path `[B, T_text, W]` and its mask
#    `[B, 1, W]`. The text expanded by the window's path (`expand_to_frames`) is c `[B, C_text, W]`.
# 6. **Noise.** A step t `[B]`, uniform over 0 … T−1 (`sample_steps`); then ε `[B, 80, W]`
#    (`gaussian_like`), masked; then x_t = `q_sample(y, ε, ᾱ_t)`, masked, with ᾱ_t read from
#    `model.alpha_bars` at each sentence's step and shaped `[B, 1, 1]`.
# 7. **ε-MSE.** ε̂ = `model.predict_noise(x_t, mask, c, t)`, `[B, 80, W]`; `epsilon_loss` against ε
#    over the window's real frames.
#
# Return the duration loss plus the ε-MSE. Every draw comes from `generator`, in this order —
# window, step, noise — because the check runs `model(...)` on the same batch with the same seed
# and asserts that your loss equals the model's (it refuses a call to `model(...)` inside yours).
# A fresh model's last layer is zero, which would hide some slips, so the check gives it small
# random weights first.

# %%
import dataclasses

from course_lib.alignment import expand_to_frames, path_from_durations, random_windows
from course_lib.checks.lesson10 import check_diff_tts_loss, solution_diff_tts_loss
from course_lib.checks.build import two_sentence_batch
from course_lib.data import ensure_corpus, load_corpus
from course_lib.diffusion import epsilon_loss, q_sample, sample_steps
from course_lib.distributions import gaussian_like
from course_lib.models.diff_tts import normalize_mel
from course_lib.text import tokenizer_for
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask

tokenizer = tokenizer_for("espeak", False)
corpus = load_corpus(ensure_corpus())
two_batch = two_sentence_batch(corpus, tokenizer)
tiny_config = dataclasses.replace(diff_tts.DiffTTSConfig.tiny(), n_vocab=tokenizer.n_vocab)
print(f"tokens {tuple(two_batch.tokens.shape)}, mels {tuple(two_batch.mels.shape)}, "
      f"durations {tuple(two_batch.durations.shape)}, mel lengths {two_batch.mel_lengths.tolist()}")


# %%
def diff_tts_loss(model, batch, generator):
    # YOUR CODE HERE (about 12 lines)
    raise NotImplementedError


check_diff_tts_loss(diff_tts_loss, tiny_config, two_batch)

# %%
show_solution(solution_diff_tts_loss)

# %% [markdown]
# Training minimises exactly this loss: each step runs `model(...)` — the library's
# `DiffTTS.forward`, the steps you just wrote — on a batch and lets Adam move every weight.

# %%
from course_lib.models.diff_tts.train import RECIPE as DIFF_TTS

model, how = DIFF_TTS.shipped_or_trained(steps=pick(smoke=2, default=200, full=20000))
print(how)

# %% [markdown]
# What you are about to hear: the shipped tiny Diff-TTS trained 20,612 steps (4,000 on a CPU,
# the rest in about 7 minutes on one GPU). On ten held-out sentences its MCD-DTW is
# [17.4](../data/facts.json "diff_tts_quality.mcd_dtw_n_steps_8") / [16.0](../data/facts.json "diff_tts_quality.mcd_dtw_n_steps_20") / [16.3 dB](../data/facts.json "diff_tts_quality.mcd_dtw_n_steps_58") at
# γ = 57 / 21 / 7 — far from untrained ([110.1 dB](../data/facts.json "diff_tts_quality.mcd_dtw_untrained")) and well below
# simply repeating each phoneme's average frame ([35.7 dB](../data/facts.json "diff_tts_quality.mcd_dtw_mean_mel_true_durations"))
# (`benchmarks/bench_tts_quality.py`). At 4,000 steps it was still at
# [53.3](../data/facts.json "diff_tts_quality_step_4000.mcd_dtw_n_steps_8") / [61.3](../data/facts.json "diff_tts_quality_step_4000.mcd_dtw_n_steps_20") / [64.6 dB](../data/facts.json "diff_tts_quality_step_4000.mcd_dtw_n_steps_58"),
# *worse* than those averages, while the tiny Grad-TTS passed them
# ([27.2 dB](../data/facts.json "grad_tts_quality_step_2400.mcd_dtw_n_steps_10") at 10 steps) by 2,400 steps: starting from pure noise has to be paid for in training time. Section 6 comes back
# to why.
#
# ## 4. One sentence at γ = 1, 7, 21, 57
#
# A held-out sentence with its true durations, so every output lines up with the recording:
# the mean absolute log-mel error is our quality measure (lower is better), the wall clock
# our cost. In smoke mode γ = 1 (400 calls) is skipped.
#
# *Think!* γ = 1 makes 400 network calls, γ = 57 only 8. How much more time will γ = 1 take —
# and how much lower will its error to the recording be? Predict, then run the cell.

# %%
from course_lib import plots
from course_lib.data import TextMelDataset, ensure_corpus, load_corpus
from course_lib.audio import vocode
from course_lib.text import tokenizer_for
from course_lib.vocoder import load_vocoder

vocoder = load_vocoder()
corpus = load_corpus(ensure_corpus())
item = TextMelDataset(corpus.split("test").utterances[:1], tokenizer=tokenizer_for("espeak", False),
                      frontend=corpus.symbols_for)[0]
audio_seconds = item.mel.shape[-1] * 256 / 22050
gammas = pick(smoke=[21, 57], default=[1, 7, 21, 57], full=[1, 7, 21, 57])
diff_rows, mels = [], {}
for gamma in gammas:
    start = time.perf_counter()
    out = model.synthesize(item.tokens, gamma=gamma, seed=0, durations=item.durations[None])
    seconds = time.perf_counter() - start
    mels[gamma] = out.mel[0]
    diff_rows.append((399 // gamma + 1, (out.mel[0] - item.mel).abs().mean().item(), seconds))
    print(f"γ = {gamma:2d}: {399 // gamma + 1:3d} calls, error {diff_rows[-1][1]:.3f}, "
          f"{seconds:.2f} s (RTF {seconds / audio_seconds:.2f})")

fig, axes = plt.subplots(1, len(gammas) + 1, figsize=(4 * (len(gammas) + 1), 2.6))
plots.plot_mel(item.mel, ax=axes[0], title="recording", colorbar=False)
for ax, gamma in zip(axes[1:], gammas):
    plots.plot_mel(mels[gamma], ax=ax, title=f"Diff-TTS γ = {gamma}", colorbar=False)
plt.show()
for gamma in gammas:
    print(f"γ = {gamma}")
    display(Audio(vocode(mels[gamma], vocoder).numpy(), rate=22050, normalize=False))

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The time grows in proportion to the calls, 400 against 8: one network pass per visited
# step. The error barely moves between the walks, and not always in favour of more calls. Each
# walk ends at a different sample of the same sentence (the A/B below shows that changing γ is
# like changing the seed), and an error to one recording cannot tell a better sample from a
# different one. What long jumps can cost the ancestral walk — variety, since it
# under-disperses (lesson 05) — is not what this error measures; ears and the spread between
# seeds are.
#
# </details>

# %% [markdown]
# **A/B: γ × seed.** Two knobs change a Diff-TTS sample: γ (how many of the 400 steps the walk
# visits) and the seed (which N(0, I) start and which fresh noise at every jump). Set A and B,
# then play A, B, or A then B; the line under the mels gives each one's calls and seconds and
# how far apart the two mels are (mean |mel_A − mel_B|, log-mel units). Durations come from the
# duration predictor and do not depend on γ or the seed, so the two mels line up frame by frame.
# It starts on the same seed at γ = 7 and γ = 57: change only the seed next, and compare which
# knob moves the sample more. *Expect* (shipped tiny model, this sentence): γ = 7 against 57 on
# seed 0 gives [0.375](../data/facts.json "lesson10_exercises.ab_gamma7_vs_gamma57_seed0"), seeds 0 against 1 at γ = 57 give [0.369](../data/facts.json "lesson10_exercises.ab_seed0_vs_seed1_gamma57") (and [0.375](../data/facts.json "lesson10_exercises.ab_seed0_vs_seed1_gamma7") at γ = 7). Changing γ is
# as large a change as changing the seed: the same seed's noise is fed to different jumps, so
# it is a new sample, not the same one rendered more coarsely.

# %%
from course_lib.widgets.lesson10 import gamma_seed_ab

gamma_seed_ab(model, text="Diffusion turns noise into speech.", gamma_a=pick(smoke=57, default=7, full=7),
              seed_a=0, gamma_b=57, seed_b=0, vocoder=vocoder).ui

# %% [markdown]
# ## 5. Side by side with Grad-TTS at equal compute
#
# One network call is the unit of cost for both (their networks differ in size, so we also
# plot seconds). Grad-TTS gets the same numbers of calls as Diff-TTS's walks: 8, 20, 58.

# %%
from course_lib.models.grad_tts.train import RECIPE as GRAD_TTS

grad_model, how = GRAD_TTS.shipped_or_trained(steps=pick(smoke=2, default=200, full=20000))
print("Grad-TTS:", how)
grad_rows = []
for calls in pick(smoke=[8], default=[8, 20, 58], full=[8, 20, 58]):
    start = time.perf_counter()
    out = grad_model.synthesize(item.tokens, n_steps=calls, seed=0, durations=item.durations[None])
    grad_rows.append((calls, (out.mel[0] - item.mel).abs().mean().item(), time.perf_counter() - start))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.3))
for name, rows in (("Diff-TTS (N(0, I), T = 400)", diff_rows), ("Grad-TTS (N(μ, I), ODE)", grad_rows)):
    axes[0].plot([r[0] for r in rows], [r[1] for r in rows], "o-", label=name)
    axes[1].plot([r[0] for r in rows], [r[2] / audio_seconds for r in rows], "o-", label=name)
axes[0].set(xscale="log", xlabel="network calls", ylabel="mean |log-mel error| ↓", title="quality")
axes[1].set(xscale="log", yscale="log", xlabel="network calls", ylabel="real-time factor", title="time")
axes[0].legend()
plt.show()

# %% [markdown]
# Read the quality panel with its training budgets in mind: the shipped Diff-TTS had 20,612
# steps, the shipped Grad-TTS 4,000, so this is equal *sampling* compute, not equal training.
# Notice too that Grad-TTS's error does not fall with more calls (here it even creeps up). A
# short ODE walk stays close to its start, μ, the smooth "average voice"; a long one follows
# the score network all the way, and an undertrained network's detail is partly wrong.
# Frame-by-frame error punishes wrong detail more than missing detail, which is also why
# τ = 1.5 (a start closer to μ) helps.
#
# ## 6. What each design choice buys
#
# * **Start point.** Diff-TTS starts from pure noise, so every frame's loudness and spectrum
#   must be recovered by the walk; Grad-TTS starts at μ and only refines. At equal training and
#   a handful of calls this is the biggest difference (lesson 09, section 1); it is also why
#   Diff-TTS needed far more training steps before it beat the per-phoneme averages.
# * **Discrete vs continuous time.** Diff-TTS's network knows only the 400 trained steps, so a
#   faster sampler must visit a subset of them (γ); Grad-TTS's network takes any t ∈ [0, 1], so
#   N can be anything.
# * **Stochastic vs deterministic sampling.** The ancestral walk adds fresh noise at each jump;
#   with large jumps it under-disperses (lesson 05). `model.synthesize(..., method="ddim")` is
#   the deterministic alternative (Song et al. 2021).
# * **Decoder shape.** A 1-D gated residual stack over frames treats the 80 bins as channels;
#   Grad-TTS's 2-D U-Net treats the mel as an image with local structure along frequency.
#   Channels-as-bins has a trap we fell into: a stack narrower than 80 cannot hand back an
#   80-value ε, and a 64-wide tiny model stalled at ε-MSE 0.66 — even at t = T − 1, where
#   ε = x_t and the answer is in the input. The config now refuses `residual_channels < n_mels`.
# * **Durations.** Diff-TTS needs durations from outside (we have the truth); Grad-TTS finds its
#   own with MAS, at the cost of the prior loss that makes MAS meaningful.
#
# ## What to try
# * Synthesize with `method="ddim"` at γ = 57 and compare the error and the sound. *Expect*
#   (shipped tiny model, 3 held-out sentences with true durations, seeds 0 and 1;
#   `benchmarks/bench_lesson_exercises.py`): ancestral error [0.519](../data/facts.json "lesson10_exercises.ancestral_gamma57_error") with spread [0.389](../data/facts.json "lesson10_exercises.ancestral_gamma57_spread") between
#   the seeds, DDIM [0.566](../data/facts.json "lesson10_exercises.ddim_gamma57_error") with spread [0.511](../data/facts.json "lesson10_exercises.ddim_gamma57_spread") — DDIM keeps
#   more variety (lesson 05: the ancestral walk under-disperses at large jumps) and pays for
#   it a little in frame-by-frame error, which punishes wrong detail.
# * Train both models for the same wall-clock time and redo section 5. *What to look for:* at
#   equal training Grad-TTS's start at μ wins at few calls — the shipped Diff-TTS needed 20,612
#   steps to beat the per-phoneme averages that the tiny Grad-TTS beat by 2,400 (section 3).
#
# ## Summary
# * Diff-TTS = text encoder + duration predictor + length regulator + a T = 400 DDPM decoder
#   predicting the noise, trained with L_simple only.
# * Skip-γ sampling divides the cost by ≈ γ; the walk must end at step 0, so γ divides T − 1.
#   DDIM jumps deterministically between any two visited steps: x̂_0 from ε̂, then re-noise with ε̂.
# * Diff-TTS is not an improved Grad-TTS: it came first (April vs May 2021) and differs in kind —
#   discrete DDPM from N(0, I) with given durations vs continuous SDE from N(μ, I) with MAS.
#   Both output mels and need a vocoder.
# * Where the paper is silent we chose and documented; the lesson's numbers are ours, not the paper's.
#
# ## References
# * M. Jeong, H. Kim, S. J. Cheon, B. J. Choi, N. S. Kim. *Diff-TTS: A Denoising Diffusion
#   Model for Text-to-Speech*. Interspeech 2021, arXiv:2104.01409. Demo: jmhxxi.github.io/Diff-TTS-demo.
# * V. Popov et al. *Grad-TTS*. ICML 2021, arXiv:2105.06337.
# * J. Song, C. Meng, S. Ermon. *Denoising Diffusion Implicit Models*. ICLR 2021 (DDIM).
# * J. Ho, A. Jain, P. Abbeel. *Denoising Diffusion Probabilistic Models*. NeurIPS 2020.
# * Z. Kong et al. *DiffWave: A Versatile Diffusion Model for Audio Synthesis*. ICLR 2021.
# * Y. Ren et al. *FastSpeech*. NeurIPS 2019 (length regulator).
