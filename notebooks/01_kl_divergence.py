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
# # Lesson 01 — KL divergence: how far is one distribution from another?
#
# VITS and every VAE in this course (lessons 02, 03, 11) train with a term that reads
# `KL(q ‖ p)`: the Kullback–Leibler divergence between what the model infers from the
# audio (q, the approximate posterior) and what it predicts from the text (p, the prior).
# The two play different parts. q stands in for the true posterior p(z|x), which cannot be
# computed; the prior is part of the generative model itself — at synthesis z is drawn from
# it — and not an approximation of q. The KL term pulls the two towards each other, and
# lesson 03 derives why it appears at all. This lesson builds KL from scratch.
#
# > **A common reading is that Glow-TTS trains with this KL too; in fact Glow-TTS has no KL
# > term.** It has no posterior to approximate: its flow maps the mel to z = f(x) exactly,
# > and it maximises the exact likelihood log N(z; μ_text, I) + log|det ∂z/∂x| (lesson 04's
# > change of variables), with the prior means μ_text aligned to frames by MAS (lesson 07).
# > Its loss is `mle_loss` in `course_lib/models/glow_tts/model.py` — lesson 08 writes it.
#
# **Goals.** By the end you can
# 1. compute KL between two histograms and say what each term means;
# 2. derive the closed form between two Gaussians, specialise it to the VAE's KL term, and
#    read that term by term;
# 3. estimate KL by Monte Carlo, measure the estimator's spread, and explain why a
#    *single-sample* estimate — the one VITS logs — can be **negative**;
# 4. see that KL is not symmetric: fitting one Gaussian to a two-peaked target with
#    forward vs reverse KL gives "mode covering" vs "mode seeking".
#
# **Time**: about 90 min — §1 15 min · §2 30 min · §3 2 min · §4 10 min · §5 10 min · §6 5 min · Try this 15 min
#
# **Glossary** (paper → code): μ → `mean`, log σ → `log_std`, log σ² → `log_var`
# (never mixed up: `log_var = 2·log_std`), q/p → `*_q`/`*_p`.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from tqdm.auto import tqdm

from course_lib import distributions
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. Intuition: the cost of using the wrong code book
#
# Suppose events come from a distribution **p**, but you believe they come from **q**.
# Each time outcome *i* happens, you are "surprised" by `−log q_i` instead of the
# `−log p_i` you would feel if you knew the truth. The *average extra surprise* is
#
# $$\mathrm{KL}(p\,\|\,q) = \sum_i p_i \log\frac{p_i}{q_i} = \mathbb{E}_{x\sim p}\big[\log p(x) - \log q(x)\big].$$
#
# Three facts follow: KL ≥ 0 (Gibbs' inequality), KL = 0 only when p = q, and
# KL(p‖q) ≠ KL(q‖p) in general — the average is taken under the *first* argument.
# Where p has mass and q has none, KL(p‖q) is infinite.
#
# > **Two words that are often misread.**
# > * A common reading is that KL is a *distance* between distributions; in fact it is a
# >   **divergence**: it is not symmetric (the cell below prints KL(p‖q) = 0.211 but
# >   KL(q‖p) = 0.237 nats) and it breaks the triangle inequality — for a = N(0, 1),
# >   b = N(1, 1), c = N(2, 1): KL(a‖c) = 2.0 > KL(a‖b) + KL(b‖c) = 0.5 + 0.5 (second cell).
# > * A common reading is that q is "the data distribution" or "the decoder"; in fact, in
# >   variational inference, **q is the approximate posterior** q(z|x): the encoder's guess of
# >   which latents explain x, standing in for the intractable true posterior p(z|x).

# %%
p = torch.tensor([0.10, 0.40, 0.30, 0.15, 0.05])
q = torch.tensor([0.30, 0.20, 0.20, 0.20, 0.10])
terms_pq = p * torch.log(p / q)
print("per-outcome terms of KL(p‖q):", [f"{t:+.3f}" for t in terms_pq.tolist()])
print(f"KL(p‖q) = {terms_pq.sum():.4f} nats    KL(q‖p) = {(q * torch.log(q / p)).sum():.4f} nats")

fig, ax = plt.subplots(1, 2, figsize=(10, 2.8))
ax[0].bar(np.arange(5) - 0.2, p, width=0.4, label="p")
ax[0].bar(np.arange(5) + 0.2, q, width=0.4, label="q")
ax[0].legend()
ax[0].set_title("two histograms")
ax[1].bar(np.arange(5), terms_pq)
ax[1].axhline(0, color="k", linewidth=0.5)
ax[1].set_title("p·log(p/q) per outcome: some negative, the sum is not")
plt.show()

# %%
unit = torch.tensor(0.0)  # log σ = 0: all three have σ = 1
ab, bc, ac = (float(distributions.kl_gaussians(torch.tensor(m1), unit, torch.tensor(m2), unit))
              for m1, m2 in ((0.0, 1.0), (1.0, 2.0), (0.0, 2.0)))
print(f"KL(a‖b) + KL(b‖c) = {ab} + {bc} = {ab + bc}  <  KL(a‖c) = {ac}: no triangle inequality")

# %% [markdown]
# ### Exercise 1 — discrete KL
# Write `discrete_kl(p, q)` for two histograms, from the definition above. Section 1's
# histograms avoid the hard case; the check does not: its p has an **empty bin** (p_i = 0)
# where q does not. Before you code, decide what such a bin must contribute — what does
# p_i log(p_i/q_i) tend to as p_i → 0, and is that outcome ever drawn from p? — and what your
# formula computes for it in floating point. Replace the `raise` and run the cell.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson01 import (
    check_discrete_kl,
    check_gaussian_kl,
    check_kl_standard_normal,
    discrete_kl as solution_discrete_kl,
    solution_gaussian_kl,
    solution_kl_to_standard_normal,
)


def discrete_kl(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    # YOUR CODE HERE
    raise NotImplementedError


check_discrete_kl(discrete_kl)

# %%
show_solution(solution_discrete_kl)

# %% [markdown]
# *Think!* The check's pair is p = (0.5, 0.3, 0.2, 0) and q = (¼, ¼, ¼, ¼). What is
# KL(q‖p) for the same pair, and what does that say about which of the two arguments must
# cover which?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# KL(q‖p) is infinite: q draws the fourth outcome a quarter of the time, and there
# log(q₄/p₄) = log(¼/0) = ∞. In general KL(a‖b) is finite only if b > 0 wherever a > 0: the
# second argument must cover everything the first can produce. In a VAE's KL(q‖p) the prior
# must cover every z the posterior proposes — a Gaussian prior always does, since it is
# positive everywhere.
#
# </details>

# %% [markdown]
# ## 2. KL between two Gaussians, in closed form
#
# For continuous distributions the sum becomes an integral,
# $\mathrm{KL}(q\|p) = \mathbb{E}_{z\sim q}[\log q(z) - \log p(z)]$. With
# $q = \mathcal N(\mu_q, \sigma_q^2)$ and $p = \mathcal N(\mu_p, \sigma_p^2)$:
#
# $$\log q(z) = -\log\sigma_q - \tfrac12\log 2\pi - \frac{(z-\mu_q)^2}{2\sigma_q^2},\qquad
#   \log p(z) = -\log\sigma_p - \tfrac12\log 2\pi - \frac{(z-\mu_p)^2}{2\sigma_p^2}.$$
#
# ### Exercise 2 — derive the Gaussian KL, then code it
# On paper, subtract the two log-densities and take the expectation under q term by term. You
# need only $\mathbb E_q[z-\mu_q] = 0$ and $\mathbb E_q[(z-\mu_q)^2] = \sigma_q^2$. The one term
# that takes an idea is $\mathbb E_q[(z-\mu_p)^2]$: z is centred on $\mu_q$, not on $\mu_p$, so
# write $z-\mu_p$ through $z-\mu_q$. Test your result before you code it: KL(q‖q) must be 0,
# and for fixed σ's it must grow with the gap between the means.
#
# Then implement `gaussian_kl(mean_q, log_std_q, mean_p, log_std_p)`, elementwise; the
# arguments are **log σ**. The check also recognises the usual slips — q and p swapped,
# σ instead of σ², log σ² read as log σ — and tells you which one you made.

# %%
def gaussian_kl(mean_q, log_std_q, mean_p, log_std_p):
    # YOUR CODE HERE
    raise NotImplementedError


check_gaussian_kl(gaussian_kl)

# %%
show_solution(solution_gaussian_kl)

# %% [markdown]
# <details><summary><b>The derivation</b> — click to reveal</summary>
#
# Subtract; the $\log 2\pi$ cancels. Take the expectation under q term by term:
#
# * $\mathbb E_q[(z-\mu_q)^2] = \sigma_q^2$, so the q-quadratic gives $-\tfrac12$;
# * write $z - \mu_p = (z-\mu_q) + (\mu_q-\mu_p)$: the cross term has mean 0, so
#   $\mathbb E_q[(z-\mu_p)^2] = \sigma_q^2 + (\mu_q-\mu_p)^2$.
#
# $$\boxed{\mathrm{KL}(q\|p) = \log\frac{\sigma_p}{\sigma_q} + \frac{\sigma_q^2 + (\mu_q-\mu_p)^2}{2\sigma_p^2} - \frac12}$$
#
# </details>
#
# For a diagonal Gaussian over many dimensions, the KL is the **sum** of the per-dimension terms.
# The boxed result in code, on one pair:

# %%
def gaussian_kl_by_hand(mean_q, log_std_q, mean_p, log_std_p):
    var_q, var_p = torch.exp(2 * log_std_q), torch.exp(2 * log_std_p)
    return (log_std_p - log_std_q) + (var_q + (mean_q - mean_p) ** 2) / (2 * var_p) - 0.5


mean_q, log_std_q = torch.tensor(0.0), torch.tensor(math.log(1.0))
mean_p, log_std_p = torch.tensor(1.0), torch.tensor(math.log(2.0))
print(f"KL(q‖p) by hand = {gaussian_kl_by_hand(mean_q, log_std_q, mean_p, log_std_p):.4f}")
print(f"KL(p‖q) by hand = {gaussian_kl_by_hand(mean_p, log_std_p, mean_q, log_std_q):.4f}   (not the same!)")

# %% [markdown]
# ### Exercise 3 — the VAE's KL term
# A VAE's prior is $p = \mathcal N(0, 1)$ and its encoder outputs a mean μ and a
# **log-variance** `log_var` $= \log\sigma^2$ (not log σ). Specialise your result of
# Exercise 2 to this case and write it with μ and `log_var` alone, as the encoder hands them
# over. Then implement `kl_to_standard_normal(mean, log_var)`, elementwise. A test for
# your formula: it must be 0 exactly at μ = 0, `log_var` = 0.

# %%
def kl_to_standard_normal(mean, log_var):
    # YOUR CODE HERE
    raise NotImplementedError


check_kl_standard_normal(kl_to_standard_normal)

# %%
show_solution(solution_kl_to_standard_normal)

# %% [markdown]
# <details><summary><b>The derivation, and the formula read term by term</b> — click to reveal</summary>
#
# Put $\mu_p = 0$, $\sigma_p = 1$ in the box, and use $\log\sigma_q = \tfrac12\,$`log_var`:
#
# $$\mathrm{KL} = -\tfrac12\log\sigma^2 + \tfrac12(\sigma^2 + \mu^2) - \tfrac12
#   = -\tfrac12\big(1 + \log\sigma^2 - \mu^2 - \sigma^2\big).$$
#
# * `1` — the $-\tfrac12$ constant that makes KL(p‖p) = 0;
# * `+ logvar` — rewards spread: an encoder that is too sure (σ → 0) pays $-\log\sigma$;
# * `− μ²` — pulls every code's mean towards the prior's 0;
# * `− e^logvar` — penalises σ² > 1; with the `logvar` term its optimum is σ = 1.
#
# </details>
#
# In code the sum runs over latent dimensions — the familiar VAE line, against the general formula:

# %%
mean = torch.tensor([0.5, -1.0, 0.0])
log_var = torch.tensor([-1.0, 0.3, 0.0])
familiar = -0.5 * torch.sum(1 + log_var - mean**2 - log_var.exp())
general = gaussian_kl_by_hand(mean, 0.5 * log_var, torch.zeros(3), torch.zeros(3)).sum()
print(f"familiar VAE formula {familiar:.5f}  ==  general formula with log_std = log_var / 2: {general:.5f}")

# %% [markdown]
# ## 3. The library version
#
# `course_lib.distributions` holds the tested versions every later model uses:
# `kl_gaussians(mean_q, log_std_q, mean_p, log_std_p)` (elementwise) and
# `kl_standard_normal(mean, log_var)`. They check shapes and reject NaN σ with a message.

# %%
print("library kl_gaussians:", float(distributions.kl_gaussians(mean_q, log_std_q, mean_p, log_std_p)))
print("library kl_standard_normal summed:", float(distributions.kl_standard_normal(mean, log_var).sum()))
assert torch.isclose(distributions.kl_gaussians(mean_q, log_std_q, mean_p, log_std_p),
                     gaussian_kl_by_hand(mean_q, log_std_q, mean_p, log_std_p))
try:
    distributions.kl_gaussians(mean_q, torch.tensor(float("nan")), mean_p, log_std_p)
except ValueError as err:
    print("bad input →", err)

# %% [markdown]
# ## 4. Monte Carlo: estimating KL from samples
#
# When no closed form exists (VITS' flow makes p complicated), we *sample*
# $z \sim q$ and average $\log q(z) - \log p(z)$. Each single term is an unbiased
# estimate of KL, but it is a random number with its own spread:
#
# $$\widehat{\mathrm{KL}}_1 = \log q(z) - \log p(z),\quad z\sim q \qquad
#   \mathbb E[\widehat{\mathrm{KL}}_1] = \mathrm{KL}(q\|p),\qquad
#   \mathrm{std}\big(\widehat{\mathrm{KL}}_N\big) = \mathrm{std}(\widehat{\mathrm{KL}}_1)/\sqrt N.$$
#
# *Think!* Every single-sample estimate averages to a KL, and a KL is never negative. Can
# one estimate be negative? If so, do you expect negative estimates to become rarer or more
# common as q and p get closer? Predict, then run the cell.

# %%
n_max = pick(smoke=2_000, default=20_000, full=200_000)
draws = distributions.reparameterize(mean_q.expand(n_max), log_std_q.expand(n_max))
single = distributions.kl_single_sample(draws, mean_q, log_std_q, mean_p, log_std_p)  # [n_max]
closed = float(distributions.kl_gaussians(mean_q, log_std_q, mean_p, log_std_p))
print(f"closed form {closed:.4f};  mean of {n_max} single-sample estimates {single.mean():.4f} "
      f"± {single.std() / math.sqrt(n_max):.4f} (standard error)")
print(f"fraction of single-sample estimates below zero: {(single < 0).float().mean():.1%}")

sizes = np.unique(np.logspace(0, math.log10(n_max // 50), 12).astype(int))
spread = [single[: (n_max // n) * n].view(-1, n).mean(1).std().item() for n in sizes]
fig, ax = plt.subplots(1, 2, figsize=(11, 3))
ax[0].hist(single.numpy(), bins=80)
ax[0].axvline(closed, color="k", label="true KL")
ax[0].axvline(0, color="r", linestyle=":", label="0")
ax[0].set_title("single-sample estimates log q(z) − log p(z)")
ax[0].legend()
ax[1].loglog(sizes, spread, "o-", label="measured std of the N-sample mean")
ax[1].loglog(sizes, single.std().item() / np.sqrt(sizes), "k--", label="std₁ / √N")
ax[1].set_xlabel("N samples")
ax[1].legend()
plt.show()

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# Yes. log q(z) − log p(z) is negative at every z where p(z) > q(z), and unless p = q, q puts
# some mass there: Gibbs' inequality bounds the average, not each term (compare the negative
# bars of section 1). Closer pairs make negative estimates *more* common: as q → p the KL
# shrinks like the square of the difference (m²/2 for a mean shift m), while the estimates'
# spread shrinks only like the difference itself (|m| for the same shift), so the histogram
# ends up centred near 0, with a large share of it on the negative side. The cell after the
# next paragraph shows a nearly equal pair.
#
# </details>
#
# **Why VITS' KL term can go below zero.** VITS cannot use the closed form: its prior
# is evaluated after a normalizing flow (lesson 11). So it computes, per frame, the
# single-sample estimate at the one posterior sample it drew — exactly the quantity in
# the histogram above. Its *expectation* is a true KL ≥ 0, but any one batch's value is a
# random draw from that histogram, and once q and p are close (late in training) much of
# the histogram lies below zero. A negative `loss_kl` in a VITS log is therefore not a
# bug. (VITS also replaces the q-quadratic $(z-\mu_q)^2/\sigma_q^2$ by its mean, 1 —
# a variance reduction — but the p-term is still a single sample.)

# %%
near = distributions.reparameterize(torch.zeros(10_000), torch.zeros(10_000))
close_pair = distributions.kl_single_sample(near, torch.tensor(0.0), torch.tensor(0.0),
                                            torch.tensor(0.1), torch.tensor(0.05))
print(f"q and p nearly equal: true KL {distributions.kl_gaussians(torch.tensor(0.), torch.tensor(0.), torch.tensor(0.1), torch.tensor(0.05)):.4f}, "
      f"{(close_pair < 0).float().mean():.0%} of single-sample estimates are negative")

# %% [markdown]
# ## 5. Asymmetry in action: forward vs reverse KL
#
# Fit a single Gaussian q to a two-peaked target p (a mixture of N(−2, 0.5²) and
# N(2, 0.5²)) by gradient descent, two ways:
#
# * **forward** KL(p‖q) = E_p[log p − log q]: only −E_p[log q] depends on q — maximum
#   likelihood on samples of p;
# * **reverse** KL(q‖p) = E_q[log q − log p]: sample z ~ q with the reparameterization
#   trick (lesson 02).
#
# Variational inference (VAEs, VITS) minimises the *reverse* direction KL(q‖p) with q the posterior.
#
# *Think!* One Gaussian cannot match two peaks. Which fit will sit between the peaks with a
# wide σ, and which will settle on one peak with a narrow σ? Ask where each direction's
# expectation is taken and where its log blows up. Predict, then run the cell.
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The forward fit averages −log q over samples of p: wherever p has a sample and q has almost
# no mass, −log q is huge, so q must put mass on both peaks — a wide Gaussian between them,
# **mode covering**. The reverse fit averages log q − log p over samples of q: wherever q puts
# mass and p has almost none (the gap between the peaks), −log p is huge, so q keeps out of the
# gap and settles on one peak — **mode seeking**. It may ignore a peak, but must not put mass
# where p has none.
#
# </details>

# %%
def target_log_prob(x):
    """log of ½N(−2, 0.5²) + ½N(2, 0.5²)."""
    log_half = math.log(0.5)
    components = torch.stack([distributions.gaussian_log_prob(x, torch.tensor(c), torch.tensor(math.log(0.5)))
                              for c in (-2.0, 2.0)])
    return torch.logsumexp(components + log_half, dim=0)


def sample_target(n, generator):
    centres = torch.where(torch.rand(n, generator=generator) < 0.5, -2.0, 2.0)
    return centres + 0.5 * torch.randn(n, generator=generator)


def fit(direction, steps, batch=256, seed=0):
    generator = torch.Generator().manual_seed(seed)
    mean = torch.tensor(0.5, requires_grad=True)  # start slightly right of centre ...
    log_std = torch.tensor(math.log(0.5), requires_grad=True)  # ... and narrow
    optimizer = torch.optim.Adam([mean, log_std], lr=0.05)
    losses = []
    for _ in tqdm(range(steps), desc=direction, mininterval=2.0):
        if direction == "forward":  # KL(p‖q) up to the constant E_p[log p]
            x = sample_target(batch, generator)
            loss = -distributions.gaussian_log_prob(x, mean, log_std).mean()
        else:  # KL(q‖p), one reparameterized sample per row
            z = distributions.reparameterize(mean.expand(batch), log_std.expand(batch), generator=generator)
            loss = (distributions.gaussian_log_prob(z, mean, log_std) - target_log_prob(z)).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return mean.item(), log_std.exp().item(), losses


fit_steps = pick(smoke=60, default=600, full=2000)
forward_fit, reverse_fit = fit("forward", fit_steps), fit("reverse", fit_steps)
x = torch.linspace(-5, 5, 400)
fig, ax = plt.subplots(1, 2, figsize=(11, 3))
ax[0].fill_between(x, target_log_prob(x).exp(), alpha=0.3, color="gray", label="target p")
for (m, s, _), name in ((forward_fit, "forward KL(p‖q): covers"), (reverse_fit, "reverse KL(q‖p): seeks")):
    ax[0].plot(x, distributions.gaussian_log_prob(x, torch.tensor(m), torch.tensor(math.log(s))).exp(),
               label=f"{name}  μ={m:.2f} σ={s:.2f}")
ax[0].legend(fontsize=8)
ax[1].plot(forward_fit[2], label="forward loss (−E_p log q)")
ax[1].plot(reverse_fit[2], label="reverse loss (KL(q‖p))")
ax[1].set_xlabel("step")
ax[1].legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 6. Explore: sliders for μ and σ
#
# Move the sliders: both densities redraw, with KL(q‖p), KL(p‖q) and a Monte-Carlo
# estimate (with its standard error) in the title. Try making q narrow inside a wide p,
# then the other way round — which direction blows up?

# %%
from course_lib.widgets.lesson01 import kl_explorer

explorer = kl_explorer(mean_q=0.0, std_q=1.0, mean_p=1.0, std_p=2.0)
explorer.ui

# %% [markdown]
# ## Try this
# * In section 4, make q and p almost identical: what fraction of single-sample estimates
#   is negative? *Expect:* it depends on *how* they differ. A common reading is that it tends
#   to ½; that holds only for a pure mean shift (the estimate (m² − 2mz)/2 is then linear in
#   z: 49.6 % negative for m = 0.01). For a pure scale change δ = log σ_p the estimate is
#   ≈ δ(1 − z²), negative where |z| > 1: 31.5 % for δ = +0.01 and 68.0 % for δ = −0.01
#   (200,000 draws). The cell's pair, which shifts both, gives about a third.
# * In section 5, start the fits wide (`log_std = 0`, σ = 1): the reverse fit gets stuck
#   straddling both peaks with σ ≈ 1.7 — a local optimum, KL ≈ 1.9 instead of log 2 ≈ 0.69.
#   Reverse KL is not only mode seeking, it is also hard to optimise. Try other starts.
# * With the sliders, set σ_q ≪ σ_p and then σ_q ≫ σ_p at the same means: which KL grows faster?
#   *Expect:* at σ_q = 0.1, σ_p = 1, KL(q‖p) = 1.81 nats but KL(p‖q) = 47.2: the direction that
#   averages over the *wide* distribution, and asks the narrow one to explain it, grows like
#   σ_wide²/σ_narrow²; the other only like log(σ_wide/σ_narrow).
#
# ## Summary
# * KL(p‖q) = E_p[log p − log q] ≥ 0, zero only for p = q, and **not symmetric**: a divergence,
#   not a distance. In variational inference q is the approximate posterior q(z|x).
# * VAEs and VITS train with KL(q‖p); Glow-TTS does not — it maximises an exact likelihood.
# * Gaussians: KL = log(σ_p/σ_q) + (σ_q² + (μ_q−μ_p)²)/(2σ_p²) − ½ per dimension; the
#   VAE's −½Σ(1 + logvar − μ² − e^logvar) is the case p = N(0, 1) with a log-variance.
# * Monte-Carlo estimates are unbiased with error ∝ 1/√N; a single sample can be
#   negative — which is why VITS' logged KL dips below zero.
# * Reverse KL (what VAEs minimise) is mode seeking; forward KL is mode covering.
#
# ## References
# * S. Kullback, R. Leibler. *On Information and Sufficiency*, 1951.
# * D. Kingma, M. Welling. *Auto-Encoding Variational Bayes*, ICLR 2014 (appendix B: the Gaussian KL).
# * J. Kim, J. Kong, J. Son. *Conditional Variational Autoencoder with Adversarial Learning for
#   End-to-End Text-to-Speech* (VITS), ICML 2021 — eq. 3 and the KL loss.
# * C. Bishop. *Pattern Recognition and Machine Learning*, §10.1.2 (forward vs reverse KL).
# * Code: `course_lib/distributions.py`, `course_lib/checks/lesson01.py`, `course_lib/widgets/lesson01.py`.
