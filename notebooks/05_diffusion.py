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
# # Lesson 05 — Diffusion: learning to undo noise
#
# Grad-TTS (lesson 09) and Diff-TTS (lesson 10) generate a mel-spectrogram by starting
# from noise and removing it step by step. This lesson builds that machinery on a 2-D
# toy you can see, then on a real mel.
#
# **Goals.** By the end you can
# 1. add noise to data in one jump with `q_sample` and say why the coefficients are square roots;
# 2. derive the DDPM training loss — what "predict the noise" means and why it is an MSE;
# 3. write one reverse (denoising) step and sample from a trained model;
# 4. read diffusion as a stochastic differential equation, its reverse, and the
#    deterministic **probability-flow ODE** that Grad-TTS integrates;
# 5. trade steps for speed: accelerated sampling on a sub-sequence of steps, measured.
#
# **Time**: about 105 min — §1 10 min · §2 20 min · §3 35 min · §4 15 min · §5 10 min · What to try 15 min
#
# **Glossary** (paper → code): β_t → `betas[t]`, ᾱ_t = ∏(1 − β_s) → `alpha_bar[t]`,
# ε → `noise`, ε_θ → `predicted_noise`, ∇log p_t → `score`, γ → `gamma` (skip factor).
# Steps are 0-based in code: index `i` is the paper's `t = i + 1`.

# %%
import time

import matplotlib.pyplot as plt
import torch

from course_lib import diffusion
from course_lib.diffusion.toy import ring_of_gaussians, sliced_wasserstein, train_toy_denoiser
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. Intuition: destroy slowly, learn to rebuild
#
# Take a data point x₀ and, over T small steps, shrink it a little and add a little
# Gaussian noise (Ho et al. 2020, eq. 2):
#
# $$q(x_t \mid x_{t-1}) = \mathcal N\big(\sqrt{1-\beta_t}\,x_{t-1},\ \beta_t I\big).$$
#
# After enough steps nothing of x₀ is left: x_T is standard normal whatever x₀ was.
# Generating is the reverse: start from noise and undo one small step at a time. Each
# small step of noise is nearly Gaussian to undo, so a network only has to learn many
# *easy* denoising problems instead of one hard generative one.
#
# *Think!* Why shrink at all? Suppose each step only added noise, x_t = x_{t−1} + √β_t ε.
# What would x_T look like after many steps, and what would that mean for the noise that
# generation starts from?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# Its variance would grow with every step, Var x_t = Var x₀ + β₁ + ⋯ + β_t, and x₀ would
# never fade, only drown: x_T = x₀ + noise. Generation would have to start from a Gaussian
# much wider than the data, sized to the data's scale. The shrink factor √(1−β_t) keeps the
# variance at 1 instead — if x_{t−1} has unit variance, then (1−β_t)·1 + β_t = 1 — and it
# multiplies x₀'s share down at every step, so x_T ≈ N(0, I) whatever x₀ was. (Adding noise
# only is a valid design too: "variance exploding" score models start from a very wide
# Gaussian. DDPM, Diff-TTS and Grad-TTS keep the variance fixed.)
#
# </details>

# %%
betas = diffusion.linear_betas(100, 1e-4, 0.2)  # T = 100 small steps: enough for the toy
alpha_bars = diffusion.alpha_bar(betas)
data = ring_of_gaussians(2000, generator=torch.Generator().manual_seed(0))  # [2000, 2]

fig, axes = plt.subplots(1, 5, figsize=(15, 3), sharex=True, sharey=True)
for ax, t in zip(axes, [0, 10, 25, 50, 99]):
    x_t = diffusion.q_sample(data, torch.randn_like(data), alpha_bars[t].float())
    ax.scatter(x_t[:, 0], x_t[:, 1], s=2)
    ax.set_title(f"t = {t + 1}: ᾱ = {alpha_bars[t]:.3f}")
    ax.set_aspect("equal")
plt.suptitle("forward noising of a ring of 8 Gaussians")
plt.show()

# %% [markdown]
# ## 2. The forward process in one jump
#
# Training needs x_t at a random step t, and running t noising steps every time would be slow.
# Every step is Gaussian, so the steps compose into a single Gaussian jump from x₀ to x_t.
#
# ### Exercise 1 — derive the jump, then code `q_sample`
# Given: one step is $x_t = \sqrt{\alpha_t}\,x_{t-1} + \sqrt{\beta_t}\,\varepsilon_t$ with
# α_t = 1 − β_t and a fresh ε_t ~ N(0, I) at every step; a sum of independent Gaussians is
# Gaussian, and their means and variances add. Find the mean and the variance of
# q(x_t | x₀) in terms of ᾱ_t = α₁α₂⋯α_t (eq. 4). On paper: write x₂ through x₀ first, then
# argue by induction. A test for your answer: the variance of x_t must stay 1 when x₀ has
# variance 1 (section 1).
#
# Then write `q_sample(x0, noise, alpha_bar_t)`: x_t from x₀ and one standard-normal `noise`
# tensor, in one jump. `alpha_bar_t` is a tensor that broadcasts against `x0` (e.g.
# `[B, 1, 1]`). Replace the `raise` and run the cell.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson05 import check_q_sample, check_reverse_step, solution_q_sample, solution_reverse_step


def q_sample(x0: torch.Tensor, noise: torch.Tensor, alpha_bar_t: torch.Tensor) -> torch.Tensor:
    # YOUR CODE HERE
    raise NotImplementedError


check_q_sample(q_sample)

# %%
show_solution(solution_q_sample)

# %% [markdown]
# <details><summary><b>The derivation</b> — click to reveal</summary>
#
# Two steps: $x_2 = \sqrt{\alpha_2}\big(\sqrt{\alpha_1}\,x_0 + \sqrt{\beta_1}\,\varepsilon_1\big) + \sqrt{\beta_2}\,\varepsilon_2
# = \sqrt{\alpha_1\alpha_2}\,x_0 + \big(\sqrt{\alpha_2\beta_1}\,\varepsilon_1 + \sqrt{\beta_2}\,\varepsilon_2\big)$.
# The bracket is Gaussian with mean 0 and variance α₂β₁ + β₂ = α₂(1 − α₁) + 1 − α₂ = 1 − α₁α₂.
# Induction: if x_{t−1} = √ᾱ_{t−1} x₀ + noise of variance 1 − ᾱ_{t−1}, one more step gives
# √ᾱ_t x₀ + noise of variance α_t(1 − ᾱ_{t−1}) + β_t = 1 − ᾱ_t. So
#
# $$q(x_t\mid x_0) = \mathcal N\big(\sqrt{\bar\alpha_t}\,x_0,\ (1-\bar\alpha_t) I\big)
# \quad\Longleftrightarrow\quad x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\ \ \varepsilon\sim\mathcal N(0,I).$$
#
# The square roots are standard deviations; the two *variances* ᾱ_t and 1 − ᾱ_t add to 1.
#
# </details>
#
# ᾱ falls from ≈1 to ≈0 — strictly, since every β_t > 0.
#
# The same on a mel-spectrogram: an eSpeak sentence, scaled to roughly [−1, 1]
# (the range a diffusion that ends at N(0, I) expects — Diff-TTS does this), noised
# at a few ᾱ. By ᾱ ≈ 0.1 the words are gone; the low-frequency band survives longest
# because it is the loudest.

# %%
from course_lib.audio import mel_spectrogram
from course_lib.espeak import synthesize
from course_lib.plots import plot_mel

mel = mel_spectrogram(torch.as_tensor(synthesize("Diffusion turns noise into speech.").wave))  # [80, T]
mel_scaled = 2 * (mel - mel.min()) / (mel.max() - mel.min()) - 1
fig, axes = plt.subplots(1, 4, figsize=(16, 3))
for ax, level in zip(axes, [1.0, 0.7, 0.3, 0.05]):
    noisy = diffusion.q_sample(mel_scaled, torch.randn_like(mel_scaled), torch.tensor(level))
    plot_mel(noisy, ax=ax, title=f"ᾱ = {level}", colorbar=False)
plt.show()

# %% [markdown]
# **Hear it.** The eye loses the words around ᾱ ≈ 0.1; the ear notices the noise far earlier.
# Pick ᾱ_t: the noised mel is mapped back to log-mel units and played through the course
# vocoder (lesson 06; its own colouring is there at ᾱ = 1 too, so listen for what *changes*).
# The line under the mels gives the signal-to-noise ratio, ᾱ/(1 − ᾱ), and the step of this
# lesson's 100-step schedule where ᾱ_t first falls that low.

# %%
from course_lib.widgets.lesson05 import noised_mel_player

noised_mel_player(mel, alpha_bar=0.9, alpha_bars=alpha_bars).ui

# %% [markdown]
# ## 3. DDPM: why "predict the noise" and why an MSE
#
# The reverse step we want, q(x_{t−1} | x_t), is intractable — it depends on the whole
# data distribution. But conditioned on x₀ it is a Gaussian we can write down (eq. 6–7).
#
# **Derive it (pen and paper).** Bayes' rule with the two distributions you already have —
# one step, q(x_t | x_{t−1}) (section 1), and one jump, q(x_{t−1} | x₀) (section 2) — gives
#
# $$q(x_{t-1}\mid x_t,x_0) \;\propto\; q(x_t\mid x_{t-1})\;q(x_{t-1}\mid x_0),$$
#
# a product of two Gaussians in x_{t−1}, so a Gaussian $\mathcal N(\tilde\mu_t, \tilde\beta_t I)$.
# Find β̃_t and μ̃_t:
#
# 1. Collect the terms of the exponent that are quadratic in x_{t−1}: their coefficient is
#    −1/(2β̃_t). The identity α_t(1 − ᾱ_{t−1}) + β_t = 1 − ᾱ_t simplifies it.
# 2. Collect the terms linear in x_{t−1}: a Gaussian's exponent is −(x² − 2μ̃x)/(2β̃) + const,
#    so μ̃_t is β̃_t times their coefficient. You get μ̃_t as a mix of x_t and x₀.
# 3. When sampling, x₀ is what we are looking for. Write it through the noise that made x_t,
#    x₀ = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t, and substitute: μ̃_t becomes x_t minus a multiple of ε,
#    over a constant. Which multiple, which constant?
#
# <details><summary><b>The derivation</b> — click to reveal</summary>
#
# The exponent is $-\frac{(x_t-\sqrt{\alpha_t}\,x_{t-1})^2}{2\beta_t} - \frac{(x_{t-1}-\sqrt{\bar\alpha_{t-1}}\,x_0)^2}{2(1-\bar\alpha_{t-1})}$.
#
# 1. Quadratic coefficient: $-\frac12\big(\frac{\alpha_t}{\beta_t} + \frac{1}{1-\bar\alpha_{t-1}}\big)
#    = -\frac12\,\frac{1-\bar\alpha_t}{\beta_t(1-\bar\alpha_{t-1})}$, so
#    $\tilde\beta_t = \frac{1-\bar\alpha_{t-1}}{1-\bar\alpha_t}\beta_t$.
# 2. Linear coefficient: $\frac{\sqrt{\alpha_t}}{\beta_t}x_t + \frac{\sqrt{\bar\alpha_{t-1}}}{1-\bar\alpha_{t-1}}x_0$; times β̃_t,
#    $\tilde\mu_t = \frac{\sqrt{\bar\alpha_{t-1}}\,\beta_t}{1-\bar\alpha_t}\,x_0 + \frac{\sqrt{\alpha_t}\,(1-\bar\alpha_{t-1})}{1-\bar\alpha_t}\,x_t$.
# 3. With x₀ substituted, x_t's coefficient is $\frac{\beta_t + \alpha_t(1-\bar\alpha_{t-1})}{\sqrt{\alpha_t}\,(1-\bar\alpha_t)} = \frac{1}{\sqrt{\alpha_t}}$
#    and ε's is $-\frac{\sqrt{\bar\alpha_{t-1}}\,\beta_t}{\sqrt{\bar\alpha_t}\sqrt{1-\bar\alpha_t}} = -\frac{\beta_t}{\sqrt{\alpha_t}\sqrt{1-\bar\alpha_t}}$, so
#    $\tilde\mu_t = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\varepsilon\Big)$.
#
# </details>
#
# The model p_θ(x_{t−1} | x_t) = N(μ_θ, σ_t² I) is trained by maximising a lower bound on
# log p(x₀); each term of the bound is a KL between two Gaussians with the same fixed
# variance, which (lesson 01) is just a scaled **squared distance between the means**.
#
# Step 3 says what μ_θ should look like: the only unknown in μ̃_t is the noise ε. So if the
# network outputs a guess ε_θ(x_t, t) of the noise and we set (eq. 11)
#
# $$\mu_\theta(x_t,t) = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,\varepsilon_\theta(x_t,t)\Big),$$
#
# the squared distance of means becomes a weighted ‖ε − ε_θ‖². Ho et al. drop the
# weight and get the famous **L_simple** (eq. 14):
#
# $$L_\text{simple} = \mathbb E_{t,x_0,\varepsilon}\,\big\|\varepsilon - \varepsilon_\theta(\sqrt{\bar\alpha_t}x_0+\sqrt{1-\bar\alpha_t}\varepsilon,\ t)\big\|^2 .$$
#
# Training (Algorithm 1): draw x₀, a step t, noise ε; make x_t with `q_sample`; regress ε.
# Let's train a small MLP on the ring — about half a minute.

# %%
toy_steps = pick(smoke=150, default=2500, full=6000)
print(f"{toy_steps} steps: " + pick(smoke="a few seconds", default="≈ 30 s on a 2-core laptop CPU",
                                   full="≈ 70 s on a 2-core laptop CPU"))
start = time.perf_counter()
toy = train_toy_denoiser(alpha_bars, steps=toy_steps, progress=True)
print(f"trained {toy_steps} steps in {time.perf_counter() - start:.1f} s; "
      f"loss {sum(toy.losses[:20]) / 20:.3f} → {sum(toy.losses[-20:]) / 20:.3f}")
plt.figure(figsize=(6, 2.5))
plt.plot(toy.losses, linewidth=0.5)
plt.xlabel("step")
plt.ylabel("ε-MSE")
plt.title("L_simple while training (noisy: t is random)")
plt.show()

# %% [markdown]
# ### Exercise 2 — one reverse step
# Sampling (Algorithm 2) repeats, from x_T ~ N(0, I):
# x_{t−1} = μ_θ(x_t, t) + σ_t z with z ~ N(0, I) (no z at the last step), with the mean of
# eq. 11 and σ_t² = β̃_t. Write the step between **any** two steps, given only their ᾱ values
# `alpha_bar_t` and `alpha_bar_prev`: the same function will later jump across skipped steps
# (section 5). First decide what α_t and β_t must be when the jump spans several steps: which
# single forward step takes x_prev to x_t (section 2)? With those, eq. 11 and β̃_t hold as
# derived.

# %%
def reverse_step(x_t, predicted_noise, alpha_bar_t, alpha_bar_prev, noise):
    # YOUR CODE HERE
    raise NotImplementedError


check_reverse_step(reverse_step)

# %%
show_solution(solution_reverse_step)

# %% [markdown]
# The library's sampler runs this step in a loop (`diffusion.ddpm_sample`); the network is
# just a function `(x_t, t) -> ε̂`. Every 20 steps we keep a snapshot.

# %%
x_start = torch.randn(2000, 2, generator=torch.Generator().manual_seed(1))
result = diffusion.ddpm_sample(toy.model, x_start, alpha_bars, generator=torch.Generator().manual_seed(2),
                               return_trajectory=True)
fig, axes = plt.subplots(1, 6, figsize=(18, 3), sharex=True, sharey=True)
for ax, k in zip(axes, [0, 20, 40, 60, 80, 100]):
    ax.scatter(result.trajectory[k][:, 0], result.trajectory[k][:, 1], s=2)
    ax.set_title(f"after {k} reverse steps")
    ax.set_aspect("equal")
plt.show()
print(f"sliced Wasserstein to fresh data: samples {sliced_wasserstein(result.sample, data):.3f}, "
      f"pure noise {sliced_wasserstein(x_start, data):.3f}, "
      f"another data draw {sliced_wasserstein(ring_of_gaussians(2000, generator=torch.Generator().manual_seed(9)), data):.3f}")

# %% [markdown]
# ## 4. Scores, the SDE, and the ODE
#
# The noise guess is a **score** in disguise. For x_t = √ᾱ x₀ + √(1−ᾱ) ε, the gradient of
# log q(x_t | x₀) is −ε/√(1−ᾱ); averaging over x₀ gives Tweedie's identity
#
# $$\nabla_x \log p_t(x) = -\frac{\mathbb E[\varepsilon\mid x_t=x]}{\sqrt{1-\bar\alpha_t}}
#   \quad\Rightarrow\quad \varepsilon_\theta \approx -\sqrt{1-\bar\alpha_t}\ \nabla\log p_t .$$
#
# Let the steps shrink to zero: the chain becomes a stochastic differential equation
# (Song et al. 2021). Grad-TTS uses a variant whose noise drifts not to 0 but to a
# text-dependent mean μ (eq. 1 of its paper, β(t) = 0.05 + 19.95t, t ∈ [0, 1]):
#
# $$dX_t = \tfrac12\beta(t)(\mu - X_t)\,dt + \sqrt{\beta(t)}\,dW_t .$$
#
# It is linear, so X_t | X₀ is Gaussian with mean x₀e^{−½∫β} + μ(1 − e^{−½∫β}) and variance
# 1 − e^{−∫β} (`diffusion.forward_moments`). Anderson's theorem gives the reverse-time SDE,
# and there is a deterministic **probability-flow ODE** with the same marginals:
#
# $$dX_t = \tfrac12\beta(t)\big(\mu - X_t - \nabla\log p_t(X_t)\big)\,dt\quad\text{(integrated from } t=1 \text{ to } 0).$$
#
# With Gaussian data we know the true score exactly (`diffusion.gaussian_score`), so we can
# watch the ODE carry N(μ, I) onto the data with no network at all.
#
# *Think!* The ODE has no noise term: run it twice from the same start and it ends at the same
# point. Where, then, does the variety of its samples come from — and will its samples spread
# as widely as the SDE's? Predict, then run the cell (both start from the same points).

# %%
schedule = diffusion.NoiseSchedule()  # β from 0.05 to 20, as Grad-TTS
data_mean = torch.tensor([1.5, -0.5], dtype=torch.float64)
data_cov = torch.tensor([[0.25, 0.12], [0.12, 0.16]], dtype=torch.float64)
mu = torch.tensor([0.5, 0.3], dtype=torch.float64)  # the "encoder output": near the data, not on it


def true_score(x, t):
    return diffusion.gaussian_score(x, t, data_mean, data_cov, mu, schedule)


mu_batch = mu.expand(3000, 2)
start_points = diffusion.prior_start(mu_batch, temperature=1.0, generator=torch.Generator().manual_seed(0))
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharex=True, sharey=True)
for ax, stochastic in zip(axes[:2], [False, True]):
    out = diffusion.solve_reverse(true_score, start_points, mu_batch, n_steps=50, stochastic=stochastic,
                                  generator=torch.Generator().manual_seed(1), return_trajectory=True)
    paths = torch.stack(out.trajectory)  # [steps + 1, N, 2]
    for i in range(25):
        ax.plot(paths[:, i, 0], paths[:, i, 1], linewidth=0.6)
    ax.scatter(out.sample[:, 0], out.sample[:, 1], s=1, alpha=0.3)
    ax.set_title(("SDE" if stochastic else "ODE") + f": sample mean {out.sample.mean(0).numpy().round(2)}")
exact = torch.distributions.MultivariateNormal(data_mean, data_cov).sample((3000,))
axes[2].scatter(exact[:, 0], exact[:, 1], s=1, alpha=0.3)
axes[2].set_title("the data distribution")
plt.show()

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# All the variety comes from the random start X₁ ~ N(μ, I). The ODE is a fixed, invertible map
# that carries the start distribution onto the data distribution, one start to one sample —
# a normalizing flow (lesson 04) whose velocity comes from the score. The SDE adds fresh noise
# along every path, so its paths are jagged and its end points are not fixed by the start, yet
# the two share their marginals at every t: both clouds match the data's spread, with the ODE's
# paths smooth.
#
# </details>

# %% [markdown]
# ## 5. Steps vs quality vs time
#
# Every reverse step costs one network call, so fewer steps means faster synthesis.
# **Accelerated sampling** visits only every γ-th step: T−1, T−1−γ, …, 0, each jump using
# the exact one-jump forward process between the visited steps (α = ᾱ_t/ᾱ_prev). The walk
# must end exactly at step 0, so γ has to divide T − 1: for our T = 100, γ ∈ {1, 3, 9, 11, 33};
# for Diff-TTS's T = 400, the demo's γ = 7, 21, 57 all divide 399. Anything else is refused:

# %%
try:
    diffusion.accelerated_timesteps(100, 10)
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# Quality (sliced Wasserstein distance to the data; lower is better) and time for each γ,
# with the stochastic ancestral step and with the deterministic DDIM step (η = 0, Song,
# Meng & Ermon 2021), which keeps more of the spread when the jumps are large.

# %%
gammas = [1, 3, 9, 11, 33]
n_points = pick(smoke=500, default=2000, full=4000)
reference = ring_of_gaussians(n_points, generator=torch.Generator().manual_seed(5))
results = {"ancestral": [], "ddim": []}
for method in results:
    for gamma in gammas:
        start = time.perf_counter()
        sample = diffusion.accelerated_sample(
            toy.model, torch.randn(n_points, 2, generator=torch.Generator().manual_seed(3)), alpha_bars, gamma,
            method=method, generator=torch.Generator().manual_seed(4)).sample
        results[method].append((99 // gamma + 1, sliced_wasserstein(sample, reference), time.perf_counter() - start))

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for method, rows in results.items():
    calls, distance, seconds = zip(*rows)
    axes[0].plot(calls, distance, "o-", label=method)
    axes[1].plot(calls, seconds, "o-", label=method)
axes[0].set(xscale="log", xlabel="network calls (100/γ)", ylabel="sliced Wasserstein ↓", title="quality")
axes[1].set(xscale="log", yscale="log", xlabel="network calls", ylabel="seconds", title="time")
axes[0].legend()
plt.show()
for method, rows in results.items():
    print(method, [f"γ={g}: {d:.3f} in {s * 1000:.0f} ms" for g, (_, d, s) in zip(gammas, rows)])

# %% [markdown]
# Time falls in proportion to the calls; quality holds for small γ and then degrades —
# with only a handful of jumps, each jump has to guess x₀ from a very noisy point, and the
# stochastic version in particular loses spread. Grad-TTS's answer is to start closer to
# the data (N(μ, I) instead of N(0, I)) so that ~10 steps suffice; lesson 09 measures it.
#
# ## What to try
# * Change `toy_steps` and watch quality at γ = 1 follow the training loss. *Expect* (default
#   mode, the section 3 sampler and seeds): 500 steps → final loss 0.284, sliced Wasserstein
#   0.260, samples smeared between the modes; 2,500 → 0.222 and 0.062; 6,000 → 0.222 and 0.042.
#   Quality follows the loss only at first: from 2,500 steps on the loss is flat while the
#   samples keep tightening — the ε-MSE is dominated by large t, where the answer is nearly
#   the input, so it hides progress at the small t that shape the modes (lesson 09 meets the
#   same "the loss does not decrease" with Grad-TTS).
# * Use `variance="beta"` in `ddpm_sample` (σ² = β_t instead of β̃_t): Ho et al. found
#   both work; on the toy, compare the spread. *Expect* (2,500 steps): β_t ≥ β̃_t adds a little
#   more noise per step, so the modes come out slightly wider — the standard deviation of each
#   sample's offset from its nearest ring centre is 0.225 against 0.212 with β̃_t (the data's:
#   0.099), sliced Wasserstein 0.068 against 0.062. The difference is small, as Ho et al. found;
#   both are wider than the data at 2,500 steps, and 6,000 steps bring β̃_t to 0.122.
# * In section 4, start from N(0, I) instead of N(μ, I) (`mu = torch.zeros(2)`) — the
#   SDE still works; with 3 steps instead of 50, which start lands closer? *Expect:* the
#   N(μ, I) start, clearly — lesson 09's section 1 measures exactly this on the same Gaussian
#   toy across 1–50 steps: the gap is largest at few steps and closes by 50.
#
# ## Summary
# * Forward: x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε, no matter how many steps — `q_sample`.
# * Training: predict the noise; the ELBO's Gaussian KLs reduce to an ε-MSE.
# * Sampling: undo one step at a time from N(0, I) with eq. 11 plus fresh noise.
# * ε-prediction is score estimation; in continuous time the reverse SDE and the
#   probability-flow ODE share the data's marginals (Grad-TTS integrates the ODE).
# * Fewer steps = proportionally faster and, past a point, worse.
#
# ## References
# * J. Ho, A. Jain, P. Abbeel. *Denoising Diffusion Probabilistic Models*. NeurIPS 2020.
# * Y. Song et al. *Score-Based Generative Modeling through Stochastic Differential Equations*. ICLR 2021.
# * J. Song, C. Meng, S. Ermon. *Denoising Diffusion Implicit Models*. ICLR 2021.
# * V. Popov et al. *Grad-TTS: A Diffusion Probabilistic Model for Text-to-Speech*. ICML 2021.
# * M. Jeong et al. *Diff-TTS: A Denoising Diffusion Model for Text-to-Speech*. Interspeech 2021.
