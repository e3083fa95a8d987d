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
# # Lesson 09 — Grad-TTS: diffusion that starts from the text
#
# Grad-TTS (Popov et al., ICML 2021) keeps Glow-TTS's text encoder, duration predictor and
# monotonic alignment search (lessons 07–08) and replaces the flow decoder by the
# score-based diffusion of lesson 05 — with one twist: the noise does not end at N(0, I)
# but at **N(μ, I)**, where μ is the encoder's guess of the mel.
#
# > **Two common readings, corrected.**
# > * A common reading is that Grad-TTS, like any diffusion model, starts sampling from plain
# >   Gaussian noise N(0, I); in fact it starts from **N(μ, I)** — noise around the text's
# >   average mel (section 1 measures what that buys).
# > * A common reading is that Grad-TTS is "slow"; in fact that depends on the hardware, and
# >   the number is what matters. At 10 reverse steps its paper reports the same quality as
# >   at 100 (MOS 4.38) at a GPU real-time factor of **0.033** — 30× faster than real time
# >   (Popov et al. 2021, arXiv:2105.06337); this course's paper-size model measures [0.036](../data/facts.json "gpu.grad_tts_10steps_inference_rtf") on
# >   one H200 (`benchmarks/bench_gpu.py`, README). On **two CPU cores** the official code
# >   needs RTF [1.163](../data/facts.json "grad_tts.official_inference_10_steps_rtf") at 10 steps — slower than real time (`benchmarks/bench_grad_tts.py`
# >   compares ours with that figure). Slow on a laptop CPU, fast on a GPU.
#
# **Goals.** By the end you can
# 1. explain — and see — why starting the reverse process at N(μ, I) needs fewer steps;
# 2. derive the forward moments of the μ-terminal SDE from the SDE itself, and its λ_t-weighted
#    score-matching loss;
# 3. say what the *prior loss* is and why the model needs it;
# 4. assemble Grad-TTS's training loss from the model's parts, then train it end to end and
#    hear it, watching the mel emerge step by step;
# 5. measure quality and time against the number of reverse steps.
#
# **Time**: about 105 min — §1 10 min · §2 3 min · §3 35 min · §4 25 min · §5 2 min · §6 10 min · §7 5 min · What to try 15 min
#
# **Glossary** (paper → code): μ̃ (per token) → `prior_mean`, μ (per frame) → `mu_y`,
# s_θ(x_t, μ, t) → `score`, β_t → `schedule.beta(t)`, τ → `temperature`,
# N (reverse steps) → `n_steps`, A (alignment) → `path`.

# %%
import time

import matplotlib.pyplot as plt
import torch

from course_lib import diffusion
from course_lib.mode import current_mode, pick
from course_lib.models import grad_tts
from course_lib.models.summary import param_summary
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. Why N(μ, I) and not N(0, I)?
#
# The reverse process has to carry its start point all the way to a mel. From N(0, I) it
# must invent everything — loudness, formants, timing; from N(μ, I) most of that is already
# in μ, and the network only adds detail. With few Euler steps, a shorter trip means a
# smaller discretisation error.
#
# We can see it without any network, on the Gaussian toy of lesson 05 where the exact score
# is known: data N(m, Σ), prior mean μ close to m. Run the reverse ODE from N(μ, I) and from
# N(0, I) with N steps and measure the error of the sample mean and covariance.

# %%
schedule = diffusion.NoiseSchedule()
data_mean = torch.tensor([2.0, -1.5], dtype=torch.float64)
data_cov = torch.tensor([[0.25, 0.10], [0.10, 0.20]], dtype=torch.float64)
n_points = pick(smoke=1000, default=5000, full=10000)
step_counts = [1, 2, 3, 5, 10, 20, 50]
errors = {}
for name, mu in {"start N(μ, I), μ near the data": torch.tensor([1.7, -1.2], dtype=torch.float64),
                 "start N(0, I)": torch.zeros(2, dtype=torch.float64)}.items():
    mu_batch = mu.expand(n_points, 2)
    errors[name] = []
    for n in step_counts:
        start = diffusion.prior_start(mu_batch, 1.0, torch.Generator().manual_seed(0))
        sample = diffusion.solve_reverse(
            lambda x, t, mu=mu: diffusion.gaussian_score(x, t, data_mean, data_cov, mu, schedule),
            start, mu_batch, n_steps=n).sample
        errors[name].append(((sample.mean(0) - data_mean).norm() + (torch.cov(sample.T) - data_cov).norm()).item())
plt.figure(figsize=(6, 3.2))
for name, err in errors.items():
    plt.plot(step_counts, err, "o-", label=name)
plt.xscale("log")
plt.yscale("log")
plt.xlabel("reverse ODE steps N")
plt.ylabel("error of mean + covariance")
plt.legend()
plt.title("same exact score, different starts")
plt.show()

# %% [markdown]
# The paper measured the same thing by ear: listeners compared Grad-TTS-10 with a variant
# that generates from N(0, I) and preferred Grad-TTS in **93.8 %** of cases at 10 steps,
# **82.3 %** at 20 and **60.3 %** at 50 (Popov et al. 2021, arXiv:2105.06337, its
# preference test against the N(0, I) variant) — the gap closes as steps grow, exactly as in
# the toy.

# %%
plt.figure(figsize=(5, 2.6))
plt.bar(["10", "20", "50"], [93.8, 82.3, 60.3])
plt.axhline(50, color="k", linewidth=0.8, linestyle="--")
plt.ylabel("% preferring N(μ, I) start")
plt.xlabel("reverse steps of the N(0, I) variant")
plt.title("Grad-TTS paper, preference test")
plt.show()

# %% [markdown]
# ## 2. The model, at paper size and at CPU size
#
# Encoder: the Glow-TTS encoder, mean only (identity covariance) — `course_lib.nn.text_encoder`;
# duration predictor on its detached output. Decoder: a 2-D U-Net that reads the mel as an
# 80 × T image with μ as a second channel (`course_lib.nn.unet`). The paper configuration
# matches the official implementation parameter for parameter.

# %%
paper = grad_tts.build(grad_tts.GradTTSConfig.paper())
print(param_summary(paper))
print("U-Net parts:", param_summary(paper.decoder.estimator).parts)
del paper
print(param_summary(grad_tts.build(grad_tts.GradTTSConfig.tiny())))

# %% [markdown]
# ## 3. The μ-terminal SDE, in closed form
#
# Forward (Grad-TTS eq. 1, with Σ = I): $dX_t = \tfrac12\beta_t(\mu - X_t)\,dt + \sqrt{\beta_t}\,dW_t$
# for t from 0 to 1, with β_t = 0.05 + 19.95 t. The drift pulls $X_t$ toward μ, the noise adds
# variance at the rate β_t, and every element (mel bin, frame) moves on its own.
#
# ### Exercise 1 — derive the forward moments
#
# Training needs $X_t \mid X_0 = x_0$ in closed form. The SDE is linear in $X_t$, so that law is
# a Gaussian $\mathcal N(m_t, v_t I)$; derive $m_t$ and $v_t$ from the SDE, on paper first:
#
# 1. **Mean.** Take the expectation of both sides (the increment $dW_t$ has mean 0): an ordinary
#    differential equation for $m_t$, starting at $m_0 = x_0$. It is easiest to solve for $m_t - \mu$.
# 2. **Variance.** Write the SDE of the deviation $D_t = X_t - m_t$, apply Itô's rule to $D_t^2$
#    (with $(dW_t)^2 = dt$) and take the expectation: an ODE for $v_t$, starting at $v_0 = 0$.
# 3. Both solutions contain $\rho_t = \int_0^t \beta_s\,ds$: work it out for this β_t.
# 4. Check your answer at t = 1: where have $m_t$ and $v_t$ gone? That end point names the SDE.
#
# Then write `forward_moments(x0, mu, t)`. The check names the slip when a factor ½ or the
# integral is off; the folded solution carries the derivation.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson09 import (
    check_forward_moments,
    check_score_loss,
    solution_forward_moments,
    solution_score_loss,
)


def forward_moments(x0, mu, t):
    """x0, mu: [B, 80, T]; t: [B]. Return (mean [B, 80, T], variance broadcasting as [B, 1, 1])."""
    # YOUR CODE HERE
    raise NotImplementedError


check_forward_moments(forward_moments)

# %%
show_solution(solution_forward_moments)

# %% [markdown]
# ### Training and sampling with these moments
#
# **Training the decoder: denoising score matching.** The network $s_\theta(x_t, \mu, t)$
# should output the score $\nabla_x\log p_t(x)$ of the noisy mels. That score is unknown, but
# for one training mel $x_0$ the conditional $X_t\mid X_0$ is the Gaussian of exercise 1, whose
# score we *can* write down — and regressing on the conditional score gives the same minimiser
# as regressing on the true one (Vincent 2011). One more choice: at small t the target is huge
# (the Gaussian is narrow), so each item's squared error is **weighted by λ_t**, the
# variance $v_t$ of $X_t\mid X_0$, which puts every t on the same scale.
#
# **Sampling** integrates the probability-flow ODE $dX_t = \tfrac12\beta_t(\mu - X_t - s_\theta(X_t))\,dt$
# backwards with Euler steps at $t_i = 1 - (i+\tfrac12)/N$: $x_{t-h} = x_t - \tfrac12(\mu - x_t - s_\theta)\,\beta_t\,h$
# (`diffusion.reverse_ode_step`, used by `diffusion.solve_reverse` in section 1).
#
# ### Exercise 2 — the diffusion loss
# Write `score_loss(score_model, x0, mu, t, noise)`: draw $x_t$ from $X_t\mid X_0 = x_0$ with
# the given standard-normal `noise` (your `forward_moments` helps), call
# `score_model(x_t, mu, t)`, and return the λ_t-weighted squared error against the score of
# that Gaussian, averaged over all elements. Work out the target on paper first: what is
# $\nabla_x \log\mathcal N(x; m, \lambda I)$ at $x = m + \sqrt\lambda\,\varepsilon$? The check
# names the slip if the weight, the sign or a square root is off.

# %%
def score_loss(score_model, x0, mu, t, noise):
    # YOUR CODE HERE (4–5 lines)
    raise NotImplementedError


check_score_loss(score_loss)

# %%
show_solution(solution_score_loss)

# %% [markdown]
# The solution simplifies: with the target $-\varepsilon/\sqrt{\lambda_t}$ and the weight λ_t,
# $\lambda_t\|s_\theta + \varepsilon/\sqrt{\lambda_t}\|^2 = \|\sqrt{\lambda_t}\,s_\theta + \varepsilon\|^2$ — a
# noise-prediction MSE in which $-\sqrt{\lambda_t}\,s_\theta$ plays the role of DDPM's $\varepsilon_\theta$
# (lesson 05). The library's `diffusion.score_matching_loss(score, noise, t, schedule, mask)`
# is that form, with a mask for padded frames.

# %% [markdown]
# ## 4. The prior loss — a frequent question
#
# Grad-TTS trains three losses: the duration loss, the diffusion loss, and a **prior**
# (encoder) loss $-\log\mathcal N(y;\ \mu_y,\ I)$ = ½‖y − μ_y‖² + ½ log 2π per element, where μ_y
# is the encoder output copied to frames by the MAS alignment. Why, if the decoder is a
# diffusion?
#
# 1. **It sets where sampling starts.** Reverse diffusion starts at N(μ_y, I); section 1 showed
#    that a μ close to the mel needs fewer steps.
# 2. **It is what MAS maximises.** The alignment is the monotonic path with the highest
#    $\sum_j\log\mathcal N(y_j;\ \tilde\mu_{A(j)}, I)$ — the same quantity. Without this loss μ
#    would not resemble the mel, and the alignment (hence the durations) would be arbitrary.
# 3. **Nothing else trains μ toward the mel.** The diffusion loss uses μ only as conditioning.
#
# Its value never goes below ½ log 2π ≈ 0.919 (the constant), and a trained model sits
# near 1.1–1.5: μ is a blurred, average mel, the detail is the decoder's job. The library's
# version is `grad_tts.losses.prior_loss`:

# %%
from course_lib.models.grad_tts.losses import prior_loss

y = torch.randn(1, 80, 50)
mask = torch.ones(1, 1, 50)
print(f"μ = y exactly: {prior_loss(y, y, mask):.3f} (= ½ log 2π);  μ = y + 1: {prior_loss(y, y + 1, mask):.3f}")

# %% [markdown]
# *Think!* Glow-TTS aligns with its decoder's own likelihood: MAS searches
# $\log\mathcal N(f(x);\ \mu, I)$ on the flow's output. Grad-TTS aligns the raw mel against the
# encoder's μ̃ instead, and needs the prior loss for it. Why not let MAS search the diffusion
# decoder's likelihood?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# Because the diffusion decoder has no likelihood MAS can use. MAS needs one number for every
# pair of token and frame, numbers that add up along a path. A flow gives them: it maps the
# mel to z without looking at the text, one z frame per mel frame, and each frame can be scored
# under each token's Gaussian. The diffusion decoder defines a density of the whole mel at
# once, given the whole μ_y — that is, given one alignment already chosen; it does not split
# into per-pair terms, and even one evaluation means integrating the probability-flow ODE
# together with the trace of its Jacobian (Song et al. 2021). The prior loss supplies a cheap
# per-frame Gaussian likelihood instead, and keeps it meaningful by training μ̃ towards the mel.
#
# </details>

# %% [markdown]
# ### Exercise 3 — build the training loss
#
# Before training, assemble the loss that training minimises — duration, prior and diffusion —
# from the model's own parts: then your code *is* Grad-TTS's forward pass.
# `grad_tts_loss(model, batch, generator)` gets an untrained tiny Grad-TTS, a batch of two
# training sentences (the first, and the shortest, whose mel is padded) and a seeded
# `torch.Generator`. Shapes are [B, C, T]: B = 2 sentences, C = 80 mel channels, T = T_text
# tokens, T_mel frames or W window frames. In the model's order:
#
# 1. **Text.** `model.encoder(tokens, token_lengths)` gives μ̃ per token, `prior_mean`
#    `[B, 80, T_text]`, the predicted `log_duration` `[B, 1, T_text]` and the token `mask`
#    `[B, 1, T_text]`.
# 2. **Frames.** The frame mask `[B, 1, T_mel]` from `mel_lengths` (`sequence_mask`); y = the
#    mel times that mask, `[B, 80, T_mel]`.
# 3. **MAS**, without gradient: the matrix of $\log\mathcal N(y_j; \tilde\mu_i, I)$,
#    `[B, T_text, T_mel]` (`gaussian_log_likelihood_matrix` with a log-std of zeros), then
#    `monotonic_alignment_search` with the token and frame masks: the path `[B, T_text, T_mel]`.
# 4. **Durations.** The path summed over frames gives frames per token — shape it `[B, 1, T_text]`;
#    the duration loss is the MSE between the predicted log-durations and the log of these
#    (`log_duration_target`, `duration_loss`).
# 5. **μ and the prior loss.** μ_y = μ̃ copied to frames by the path (`expand_to_frames`),
#    `[B, 80, T_mel]`; section 4's `prior_loss(y, μ_y, frame mask)`, on the whole mel.
# 6. **Window.** `random_windows(y, path, mel_lengths, model.config.segment_frames, generator)`: y
#    `[B, 80, W]`, the window's path `[B, T_text, W]` and mask `[B, 1, W]`; μ on the window is μ̃
#    expanded by the window's path, `[B, 80, W]`.
# 7. **Noising.** Times t `[B]` (`diffusion.sample_times(B, generator)`), then ε `[B, 80, W]`
#    (`gaussian_like(window y, generator)`), masked; then $x_t$ = a draw of $X_t \mid X_0 = y$ with
#    that ε and the moments of exercise 1 (the library's are
#    `diffusion.forward_moments(y, μ, t, model.decoder.schedule)`), masked.
# 8. **Score loss.** $s_\theta$ = `model.decoder.estimator(x_t, window mask, μ, t)`, `[B, 80, W]`;
#    exercise 2's loss with a mask: `diffusion.score_matching_loss(score, ε, t, schedule, window mask)`.
#
# Return the sum of the three losses. Every draw comes from `generator`, in this order — window,
# times, noise — because the check runs `model(...)` on the same batch with the same seed, in
# eval mode (dropout off), and asserts that your loss equals the model's (it refuses a call to
# `model(...)` inside yours). Its model takes 128-frame windows, twice the tiny model's, so that
# the short sentence's window runs into padding and the masks matter.

# %%
import dataclasses

from course_lib.alignment import (expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search,
                                  random_windows)
from course_lib.checks.lesson09 import check_grad_tts_loss, solution_grad_tts_loss
from course_lib.checks.build import two_sentence_batch
from course_lib.data import TextMelDataset, ensure_corpus, load_corpus
from course_lib.distributions import gaussian_like
from course_lib.text import tokenizer_for
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask

tokenizer = tokenizer_for("espeak", False)
corpus = load_corpus(ensure_corpus())
two_batch = two_sentence_batch(corpus, tokenizer)
check_config = dataclasses.replace(grad_tts.GradTTSConfig.tiny(), n_vocab=tokenizer.n_vocab, segment_frames=128)
print(f"tokens {tuple(two_batch.tokens.shape)}, mels {tuple(two_batch.mels.shape)}, "
      f"token lengths {two_batch.token_lengths.tolist()}, mel lengths {two_batch.mel_lengths.tolist()}")


# %%
def grad_tts_loss(model, batch, generator):
    # YOUR CODE HERE (about 16 lines)
    raise NotImplementedError


check_grad_tts_loss(grad_tts_loss, check_config, two_batch)

# %%
show_solution(solution_grad_tts_loss)

# %% [markdown]
# Training minimises exactly this loss: each step of `GradTTSTask` runs `model(...)` — the
# library's `GradTTS.forward`, the steps you just wrote — on a batch and sums the three terms.

# %% [markdown]
# ## 5. Train end to end
#
# On the built-in eSpeak corpus: MAS on the whole utterance, the decoder on random windows.
# If the project ships a trained tiny checkpoint it is loaded; otherwise a few steps are
# trained here (smoke mode: just enough to run the code; `default`: a few minutes; for a
# real model run the command printed below, or `full` mode on a GPU for the paper config).
#
# *Think!* MAS runs on the whole utterance, but the decoder trains on a random window of each
# mel. Why not give both the whole mel?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The diffusion loss is local: every element's target is its own noise, so a window's loss is
# an unbiased sample of the whole mel's, for a fraction of the memory — and memory is what the
# decoder eats, a 2-D U-Net over an 80 × T image whose activations are kept for the backward
# pass. MAS cannot work on a window: an alignment is global — it starts with the first token
# on the first frame and ends with the last on the last — and a window would cut phonemes in
# half and leave tokens with no frames at all. So the path is searched on the whole utterance,
# and the window's μ is cut from it, which is why `random_windows` takes the path too.
#
# </details>

# %%
from course_lib.models.grad_tts.train import RECIPE as GRAD_TTS

model, how = GRAD_TTS.shipped_or_trained(steps=pick(smoke=2, default=200, full=20000))
print(how)

# %% [markdown]
# ## 6. Watch the mel emerge
#
# Type a sentence, pick the number of reverse steps, the temperature τ (the start is
# μ + ε/τ: larger τ, less noise to remove) and the seed, press *synthesize*, then slide
# through the steps: the first frame is the noisy start around μ, the last is the mel
# that was vocoded.

# %%
from course_lib.widgets.lesson09 import reverse_trajectory, trajectory_explorer

explorer = trajectory_explorer(model, text="Diffusion turns noise into speech.", n_steps=10)
explorer.ui

# %% [markdown]
# Headless, the same thing as a plot: the start, two intermediate steps and the result.

# %%
from course_lib import plots

traj = reverse_trajectory(model, "Diffusion turns noise into speech.", n_steps=10, temperature=1.5, seed=0)
fig, axes = plt.subplots(1, 4, figsize=(16, 2.8))
for ax, index in zip(axes, [0, 3, 6, 10]):
    plots.plot_mel(traj.mels[index], ax=ax, title=f"after {index} steps", colorbar=False)
plt.show()

# %% [markdown]
# ## 7. Quality and time against the number of steps
#
# A held-out sentence with its **true** durations (the corpus knows them), so the generated
# mel lines up frame by frame with the recording: the mean absolute log-mel error measures
# quality, the wall clock measures cost. Also shown: the prior mean μ alone (0 steps).
#
# *Think!* The dashed line is μ alone: the encoder's blurred average mel, no diffusion at all.
# How far below it will the reverse steps bring the error to the recording? Predict, then run
# the cell.

# %%
item = TextMelDataset(corpus.split("test").utterances[:1], tokenizer=tokenizer, frontend=corpus.symbols_for)[0]
steps_grid = pick(smoke=[1, 2], default=[1, 2, 5, 10, 25, 50], full=[1, 2, 4, 10, 25, 50, 100])
rows = []
for n in steps_grid:
    start = time.perf_counter()
    out = model.synthesize(item.tokens, n_steps=n, seed=0, durations=item.durations[None])
    rows.append((n, (out.mel[0] - item.mel).abs().mean().item(), time.perf_counter() - start))
prior_error = (out.prior_mean[0] - item.mel).abs().mean().item()
audio_seconds = item.mel.shape[-1] * 256 / 22050
fig, axes = plt.subplots(1, 2, figsize=(11, 3.3))
axes[0].plot([r[0] for r in rows], [r[1] for r in rows], "o-", label="Grad-TTS")
axes[0].axhline(prior_error, color="gray", linestyle="--", label="μ alone")
axes[0].set(xscale="log", xlabel="reverse steps", ylabel="mean |log-mel error| ↓", title="quality")
axes[0].legend()
axes[1].plot([r[0] for r in rows], [r[2] / audio_seconds for r in rows], "o-")
axes[1].set(xscale="log", yscale="log", xlabel="reverse steps", ylabel="real-time factor", title="time")
plt.show()
for n, err, sec in rows:
    print(f"{n:4d} steps: error {err:.3f}, {sec:.2f} s for {audio_seconds:.2f} s of audio (RTF {sec / audio_seconds:.2f})")

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# Hardly at all: the curve stays close to the line, on one side of it or the other, and levels
# off within a handful of steps. μ is the per-phoneme average, the best guess a frame-by-frame
# error can reward. The decoder adds what μ lacks — harmonics, texture, movement from frame to
# frame — and detail that is plausible but not *this* recording's own costs about as much
# error as it removes (lesson 03's section 9 met the same effect). A frame-wise error to one
# take cannot show what the reverse steps buy: compare the mels of section 6, listen, and see
# lesson 12 for measures that look further.
#
# </details>

# %% [markdown]
# Cost grows linearly with the steps (one U-Net call each); quality saturates after about
# ten — the paper's Grad-TTS-10 scored 4.38 MOS, as high as 100 steps. At paper size on two
# CPU cores the official code takes RTF [1.163](../data/facts.json "grad_tts.official_inference_10_steps_rtf") at 10 steps for 3 s of audio — ≈ 0.35 s per step
# — so 10 steps are slower than real time on a CPU (`benchmarks/bench_grad_tts.py` measures
# ours beside that figure); on a GPU the same 10 steps run at RTF 0.033 (paper) / [0.036](../data/facts.json "gpu.grad_tts_10steps_inference_rtf") (ours,
# one H200).
#
# ## What to try
# * In the widget, set τ = 1 and τ = 5 with 2 steps: which is cleaner, which more varied?
#   (The maintainers suggest 1–5 steps with τ ≈ 5 for fast CPU synthesis.) *Expect* (shipped
#   tiny model, 3 held-out sentences with true durations, seeds 0 and 1;
#   `benchmarks/bench_lesson_exercises.py`): τ = 1 → error [1.459](../data/facts.json "lesson09_exercises.tau1_2steps_error"),
#   spread between the two seeds [0.809](../data/facts.json "lesson09_exercises.tau1_2steps_spread"); τ = 5 → error [1.324](../data/facts.json "lesson09_exercises.tau5_2steps_error"), spread [0.041](../data/facts.json "lesson09_exercises.tau5_2steps_spread"). τ = 5 starts so close
#   to μ that the two seeds sound almost alike: cleaner, and nearly deterministic.
# * Use `stochastic=True` in `model.synthesize` (the reverse SDE): the paper found it no better.
#   *Expect* (same setting, 10 steps, τ = 1.5): the ODE gives error [1.287](../data/facts.json "lesson09_exercises.ode_10steps_error") and spread [0.254](../data/facts.json "lesson09_exercises.ode_10steps_spread"), the
#   SDE [1.787](../data/facts.json "lesson09_exercises.sde_10steps_error") and [1.341](../data/facts.json "lesson09_exercises.sde_10steps_spread") — with 10 steps the fresh noise of each SDE step is not removed again.
# * Train longer (`python -m course_lib train grad_tts --config tiny --out runs/grad_tts`) and
#   redo section 7: the "diffusion loss does not decrease" complaint (Speech-Backbones #13)
#   is normal — the loss plateaus early while the samples keep improving. *Expect:* the
#   shipped tiny model's MCD-DTW went from [28.0](../data/facts.json "grad_tts_quality_step_2400.mcd_dtw_n_steps_2") / [27.2](../data/facts.json "grad_tts_quality_step_2400.mcd_dtw_n_steps_10") / [30.8](../data/facts.json "grad_tts_quality_step_2400.mcd_dtw_n_steps_50") dB at 2 / 10 / 50 steps after
#   2,400 training steps to [26.9](../data/facts.json "grad_tts_quality.mcd_dtw_n_steps_2") / [23.2](../data/facts.json "grad_tts_quality.mcd_dtw_n_steps_10") / [22.9](../data/facts.json "grad_tts_quality.mcd_dtw_n_steps_50") dB after 4,000 (`data/checkpoints/README.md`).
#
# ## Summary
# * Grad-TTS = Glow-TTS's encoder + MAS + a score-based decoder whose noise ends at N(μ, I).
# * Starting near the answer lets ~10 Euler steps of the probability-flow ODE suffice.
# * Three losses: durations (log MSE), prior (Gaussian NLL of the mel around μ — it also
#   defines the alignment), diffusion (λ_t-weighted score matching on 2-s windows: regress on
#   the score −ε/√λ_t of X_t | X_0, weight λ_t, i.e. ‖√λ_t s_θ + ε‖²).
# * "Slow" needs the hardware: RTF 0.033 at 10 steps on a GPU (paper), [1.163](../data/facts.json "grad_tts.official_inference_10_steps_rtf") on two CPU cores
#   (official code). It outputs a mel, so it needs a vocoder.
# * Paper config: 14,835,032 parameters (7,200,145 encoder + 7,634,887 decoder).
#
# ## References
# * V. Popov, I. Vovk, V. Gogoryan, T. Sadekova, M. Kudinov. *Grad-TTS: A Diffusion
#   Probabilistic Model for Text-to-Speech*. ICML 2021, arXiv:2105.06337. Code: huawei-noah/Speech-Backbones.
# * Y. Song et al. *Score-Based Generative Modeling through SDEs*. ICLR 2021.
# * P. Vincent. *A Connection Between Score Matching and Denoising Autoencoders*. Neural Computation, 2011.
# * J. Kim et al. *Glow-TTS*. NeurIPS 2020.
