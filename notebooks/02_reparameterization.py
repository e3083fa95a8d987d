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
# # Lesson 02 — Reparameterization: gradients through random samples
#
# A VAE, and VITS, draw a random latent z from the encoder's distribution and decode it.
# Training needs the gradient of the loss with respect to the encoder's μ and σ — but how
# do you differentiate through "draw a random number"?
#
# **Goals.** By the end you can
# 1. write down two gradient estimators for $\nabla_\phi\,\mathbb E_{z\sim q_\phi}[f(z)]$ —
#    the score function (REINFORCE) and the pathwise (reparameterized) one — and measure
#    their variances;
# 2. use the reparameterized sample $z = \mu + \sigma\varepsilon$ and see the gradients
#    it passes to μ and log σ;
# 3. train a VAE on mel-spectrogram segments of the built-in corpus, read its ELBO, and
#    watch β trade reconstruction for KL until the posterior **collapses** — and write the
#    test that tells a collapsed latent dimension from a working one;
# 4. walk through the latent space (traversal, interpolation) and hear it.
#
# **Time**: about 85 min — §1 5 min · §2 10 min · §3 5 min · §4 10 min · §5 20 min · §6 15 min · Try this 20 min

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Audio, display

from course_lib import audio, distributions, plots
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. Intuition: move the randomness out of the way
#
# $\mathbb E_{z\sim\mathcal N(\mu,\sigma^2)}[f(z)]$ depends on μ and σ only through the
# *distribution* we sample from, so "differentiate the sample" makes no sense as stated.
# Two ways out:
#
# * **Score function** (REINFORCE, Williams 1992): differentiate the density instead,
#   $\nabla_\phi \mathbb E_q[f] = \int f\,\nabla_\phi q = \mathbb E_q\big[f(z)\,\nabla_\phi\log q_\phi(z)\big]$.
#   Works for any f (even non-differentiable) — but is noisy: f's value multiplies a zero-mean score.
# * **Pathwise / reparameterization** (Kingma & Welling 2014): write the sample as a
#   deterministic function of the parameters and parameter-free noise,
#   $z = \mu + \sigma\varepsilon,\ \varepsilon\sim\mathcal N(0,1)$. Then
#   $\nabla_\phi\mathbb E_q[f(z)] = \mathbb E_\varepsilon\big[f'(z)\,\partial z/\partial\phi\big]$ with
#   $\partial z/\partial\mu = 1,\ \partial z/\partial\log\sigma = \sigma\varepsilon$. Needs a
#   differentiable f; uses its slope, so it is usually far less noisy.

# %% [markdown]
# ## 2. Both estimators on a toy objective
#
# Take $f(z) = (z-3)^2$ and $q = \mathcal N(\mu, \sigma^2)$. Then
# $\mathbb E_q[f] = (\mu-3)^2 + \sigma^2$, so the true gradients are
# $\partial/\partial\mu = 2(\mu-3)$ and $\partial/\partial\log\sigma = 2\sigma^2$.
# For the score function, $\partial\log q/\partial\mu = (z-\mu)/\sigma^2$ and
# $\partial\log q/\partial\log\sigma = (z-\mu)^2/\sigma^2 - 1$.
#
# *Think!* Both estimators average to the true gradient. Which one will have the larger
# per-sample spread? And if you added a constant — say 100 — to f, which moves E_q[f] but not
# its gradient, which estimator's spread would change? Predict, then run the cell.

# %%
def f(z):
    return (z - 3.0) ** 2


mu, log_sigma = 0.5, math.log(0.8)
sigma = math.exp(log_sigma)
true_grad = np.array([2 * (mu - 3), 2 * sigma**2])


def score_function_grads(n, generator):
    """[n, 2] per-sample estimates of (∂/∂μ, ∂/∂log σ) E[f]."""
    z = mu + sigma * torch.randn(n, generator=generator)
    score = torch.stack([(z - mu) / sigma**2, (z - mu) ** 2 / sigma**2 - 1], dim=1)
    return f(z)[:, None] * score


def pathwise_grads(n, generator):
    """[n, 2] per-sample gradients through z = μ + σ ε, by autograd."""
    mean = torch.full((n,), mu, requires_grad=True)
    log_std = torch.full((n,), log_sigma, requires_grad=True)
    z = distributions.reparameterize(mean, log_std, generator=generator)
    f(z).sum().backward()  # each sample only touches its own (mean, log_std) copy
    return torch.stack([mean.grad, log_std.grad], dim=1)


generator = torch.Generator().manual_seed(0)
n_per = pick(smoke=2_000, default=20_000, full=200_000)
sf, pw = score_function_grads(n_per, generator), pathwise_grads(n_per, generator)
print("true gradient          ", np.round(true_grad, 3))
print("score-function mean    ", np.round(sf.mean(0).numpy(), 3), " per-sample std", np.round(sf.std(0).numpy(), 2))
print("pathwise mean          ", np.round(pw.mean(0).numpy(), 3), " per-sample std", np.round(pw.std(0).numpy(), 2))

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The score function's. Its per-sample estimate is f(z) times the score ∇_φ log q, and the score
# is zero-mean noise whose size has nothing to do with f: a large factor (f ≈ 6 near the mean)
# times noise. The pathwise estimate is f′(z)·∂z/∂φ — here 2(z − 3) for μ and 2(z − 3)·σε for
# log σ — which moves only as much as f's slope does across q's width. A constant added to f
# leaves every pathwise sample exactly as it was (f′ does not see it), but adds 100 times the
# score to every score-function sample: still unbiased, since the score averages to zero, and
# far noisier. That is why practical REINFORCE subtracts a *baseline* from f before it
# multiplies.
#
# </details>

# %%
sizes = [1, 4, 16, 64, 256, 1024]
repeats = pick(smoke=50, default=400, full=2000)
fig, ax = plt.subplots(figsize=(7, 3.2))
for name, estimator in (("score function", score_function_grads), ("pathwise", pathwise_grads)):
    # variance of the N-sample average of the ∂/∂μ estimate, measured over `repeats` runs
    variances = [estimator(n * repeats, generator)[:, 0].view(repeats, n).mean(1).var().item() for n in sizes]
    ax.loglog(sizes, variances, "o-", label=name)
ax.set_xlabel("samples per gradient estimate (N)")
ax.set_ylabel("variance of ∂/∂μ estimate")
ax.set_title("both fall as 1/N; the pathwise one starts far lower")
ax.legend()
plt.show()

# %% [markdown]
# Both estimators are unbiased; the score function's variance is larger by a constant
# factor that grows with how large f is (here f ≈ 6 at the mean, and it multiplies a
# zero-mean score). In a VAE, f is a reconstruction loss over thousands of mel bins:
# the score function would need enormous batches. That is why the VAEs here and VITS,
# which draw z **during training** and backpropagate through it, write their samplers as
# $\mu + \sigma\varepsilon$.
#
# > **A common reading is that Glow-TTS writes its sampler as μ + σε for the same reason;
# > in fact Glow-TTS never samples in training.** Its loss is the exact likelihood of
# > z = f(mel) (lessons 04 and 08): the flow runs on the data, no random draw, so there is
# > no gradient estimator to choose. Its $z = \mu + \tau\varepsilon$ appears only at
# > synthesis, under `torch.no_grad()` — simply how one samples a Gaussian at temperature τ.

# %% [markdown]
# ## 3. The library version
# `distributions.reparameterize(mean, log_std, temperature=1.0, generator=None)` draws the
# noise itself (seedable through `generator`) and scales it by a **temperature** τ — the
# knob later lessons call `noise_scale`: τ = 0 returns the mean. It rejects τ < 0 and NaN σ.
# Because z is built from the tensors with `+` and `*`, autograd reaches both parameters:
# ∂z/∂μ = 1 and ∂z/∂log σ = σε — the pathwise derivative of section 1 (the cell prints both).

# %%
mean, log_std = torch.tensor([0.0, 1.0, -2.0]), torch.tensor([0.0, -1.0, 0.5])
noise = torch.randn(3, generator=torch.Generator().manual_seed(7))
library = distributions.reparameterize(mean, log_std, generator=torch.Generator().manual_seed(7))
print("by hand:", mean + log_std.exp() * noise)
print("library:", library)
print("τ = 0  :", distributions.reparameterize(mean, log_std, temperature=0.0))
try:
    distributions.reparameterize(mean, log_std, temperature=-1.0)
except ValueError as err:
    print("bad input →", err)

mean_p, log_std_p = mean.clone().requires_grad_(), log_std.clone().requires_grad_()
distributions.reparameterize(mean_p, log_std_p, generator=torch.Generator().manual_seed(7)).sum().backward()
print("∂z/∂μ      :", mean_p.grad)
print("∂z/∂log σ  :", log_std_p.grad, " = σε:", log_std.exp() * noise)

# %% [markdown]
# ## 4. A VAE on mel-spectrogram segments
#
# Data: the built-in corpus, cut into segments of 16 mel frames (0.19 s, `[80, 16]`).
# Model (`course_lib.models.vae`): a conv encoder → $q(z|x) = \mathcal N(\mu, \mathrm{diag}\,\sigma^2)$
# over a few latent dimensions → conv decoder. It maximises the **ELBO**
#
# $$\log p(x) \ge \mathbb E_{q(z|x)}[\log p(x|z)] - \mathrm{KL}\big(q(z|x)\,\|\,\mathcal N(0,I)\big),$$
#
# i.e. minimises `reconstruction + β·KL` with a unit-variance Gaussian likelihood on
# normalised log-mels (`reconstruction` = ½Σ(x − x̂)² per segment) and β = 1 for the true ELBO.
# The encoder outputs a **log-variance**, so the KL is `kl_standard_normal(mean, log_var)`
# (lesson 01) and the sample is `reparameterize(mean, 0.5 * log_var)`.

# %%
from course_lib.data import ensure_corpus, load_corpus
from course_lib.models import vae as vae_lib

corpus = load_corpus(ensure_corpus())
n_utterances = pick(smoke=20, default=400, full=1500)
train_records = list(corpus.split("train"))[:n_utterances]
config = pick(smoke=vae_lib.VaeConfig.tiny(), default=vae_lib.VaeConfig.small(), full=vae_lib.VaeConfig.small())
segments = torch.cat([
    vae_lib.cut_segments(audio.mel_spectrogram(audio.load_audio(r.wav_path)), config.segment_frames, stride=8)
    for r in train_records
])  # [N, 80, 16]
print(f"{len(segments)} segments of shape {tuple(segments.shape[1:])} from {len(train_records)} utterances")

# %%
vae_steps = pick(smoke=20, default=800, full=6000)
print(f"{vae_steps} steps: " + pick(smoke="a few seconds", default="≈ 1 min on a 2-core laptop CPU",
                                   full="≈ 8 min on a 2-core laptop CPU"))
torch.manual_seed(0)
vae = vae_lib.build(config)
history = vae_lib.train(vae, segments, steps=vae_steps, batch_size=64)
fig, ax = plt.subplots(1, 2, figsize=(11, 3))
ax[0].plot([h["reconstruction"] for h in history], label="reconstruction")
ax[0].plot([h["loss"] for h in history], label="loss = −ELBO")
ax[0].set_yscale("log")
ax[0].legend()
ax[1].plot([h["kl"] for h in history], color="tab:green")
ax[1].set_title("KL(q(z|x) ‖ N(0, I)) per segment, nats")
plt.show()

# %% [markdown]
# Reconstructions: each held-out segment goes through the encoder's mean (τ = 0) and the decoder.

# %%
test_record = corpus.split("test")[0]
test_mel = audio.mel_spectrogram(audio.load_audio(test_record.wav_path))
test_segments = vae_lib.cut_segments(test_mel, config.segment_frames)  # no overlap: they tile the utterance
with torch.no_grad():
    recon = vae(test_segments, temperature=0.0).reconstruction
rebuilt = torch.cat(list(recon), dim=1)  # [80, n·16]
fig, ax = plt.subplots(2, 1, figsize=(10, 4.5))
plots.plot_mel(test_mel[:, : rebuilt.shape[1]], ax=ax[0], title=f"held out: {test_record.text}", colorbar=False)
plots.plot_mel(rebuilt, ax=ax[1], title=f"VAE reconstruction through a {config.latent_dim}-d bottleneck",
               colorbar=False)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. β and posterior collapse
#
# With β > 1 the KL term weighs more. Past some point the cheapest solution is to make
# $q(z|x) = \mathcal N(0, I)$ for **every** x — KL = 0 — and let the decoder output an
# average segment: the latents carry no information. This **posterior collapse** is the
# failure mode behind many "the model ignores its latent" stories (Bowman et al. 2016).
#
# ### Exercise — diagnose collapse
#
# You get the encoder's posterior parameters for a batch of N inputs, `mean` and `log_var`,
# each `[N, D]`. Write `collapsed_dimensions(mean, log_var)` returning a bool `[D]`: True
# where latent dimension d carries no information about the input. Before you write
# anything, decide what "no information" means: is a dimension with a small KL collapsed?
# Is a dimension whose posterior is far from N(0, 1) necessarily working? What does the
# decoder actually read? The check's batch contains a dimension designed to fool each of
# the usual answers, and it tells you which one yours fell for.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson02 import check_collapse_diagnosis, solution_collapsed_dimensions


def collapsed_dimensions(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    # YOUR CODE HERE (one or two lines)
    raise NotImplementedError


diagnosis_works = check_collapse_diagnosis(collapsed_dimensions)

# %%
show_solution(solution_collapsed_dimensions)

# %% [markdown]
# Now the real thing: three VAEs trained with β = 1, 30 and 1000. The library counts
# *active units* — `vae_lib.active_units`, Burda et al.'s test Var_x E_q[z_d] > 0.01 — and,
# once your function passes, your diagnosis is printed beside it: the two must agree.
#
# *Think!* Before you run it: order the three models by KL and by reconstruction error. Which β
# will leave no active unit at all — and what will its reconstructions of six *different*
# segments look like? Predict, then run the cell.

# %%
betas = [1.0, 30.0, 1000.0]
collapse_steps = pick(smoke=10, default=300, full=2000)
print(f"3 VAEs × {collapse_steps} steps: " + pick(smoke="a few seconds", default="≈ 1 min on a 2-core laptop CPU",
                                                 full="≈ 6 min on a 2-core laptop CPU"))
results = {}
for beta in betas:
    torch.manual_seed(0)
    model = vae_lib.build(config)
    hist = vae_lib.train(model, segments, steps=collapse_steps, batch_size=64, beta=beta, progress=False)
    active = int(vae_lib.active_units(model, segments[:1024]).sum())
    results[beta] = (model, hist[-1], active)
    yours = ""
    if diagnosis_works:
        with torch.no_grad():
            posterior_mean, posterior_log_var = model.encode(segments[:1024])
        yours = f"  (your diagnosis: {int((~collapsed_dimensions(posterior_mean, posterior_log_var)).sum())} working)"
    print(f"β = {beta:6.0f}: reconstruction {hist[-1]['reconstruction']:8.1f}  KL {hist[-1]['kl']:6.2f} nats  "
          f"active units {active}/{config.latent_dim}{yours}")

with torch.no_grad():
    fig, ax = plt.subplots(1, len(betas), figsize=(12, 2.8))
    for axis, beta in zip(ax, betas):
        out = results[beta][0](test_segments[:6], temperature=0.0).reconstruction
        plots.plot_mel(torch.cat(list(out), dim=1), ax=axis, title=f"β = {beta:g}", colorbar=False)
    fig.tight_layout()
    plt.show()

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# As β grows the KL falls and the reconstruction error rises: every nat that z carries about
# the input now costs β times more, so the encoder sends less through z and the decoder has
# less to rebuild from. At β = 1000 no information is worth its price: q(z|x) = N(0, I) for
# every input, no unit is active, and the decoder, fed a z that says nothing about x, outputs
# the one segment that is best on average — the six reconstructions look (nearly) the same.
# In default mode β = 30 stays short of that: its units remain active, with a much smaller KL
# and a worse reconstruction than at β = 1. Where the cliff lies is a "try this" below.
#
# </details>

# %% [markdown]
# At large β every reconstruction is the same blurred "average segment": the decoder no
# longer listens to z. In TTS the same pressure appears whenever a decoder is strong enough
# to model the data without z; VITS keeps its latent useful because the prior is
# *conditioned on text* (lesson 03) and the decoder must reproduce a waveform.

# %% [markdown]
# ## 6. Walking through latent space — see it and hear it
#
# **Traversal:** encode one segment, then sweep one latent dimension from −3 to 3 while the
# others stay at the posterior mean. **Interpolation:** decode points on the straight line
# between two segments' codes. Each row of 16-frame mels is joined into one clip and turned
# into sound by the course vocoder (lesson 06; Griffin-Lim where none is shipped).
#
# *Think!* The cell sweeps the dimension whose posterior means vary most across segments. Why
# that one — and what would a traversal of a collapsed dimension, such as any of the β = 1000
# model's, look and sound like? Predict, then run the cell.

# %%
from course_lib.vocoder import load_vocoder

vocoder = load_vocoder()
with torch.no_grad():
    mean_codes, _ = vae.encode(segments[:1024])
dimension = int(mean_codes.var(0).argmax())  # the most active dimension
sweep = vae_lib.traverse(vae, test_segments[2], dimension, torch.linspace(-3, 3, 7))
voiced = test_segments[test_segments[:, :20].mean(dim=(1, 2)).argsort(descending=True)]  # loud low bins
path = vae_lib.interpolate(vae, voiced[0], test_segments[0], 7)

fig, ax = plt.subplots(2, 1, figsize=(10, 4.5))
for axis, mels, title in ((ax[0], sweep, f"traversal of latent dimension {dimension}: −3 → 3"),
                          (ax[1], path, "interpolation between two segments' codes")):
    plots.plot_mel(torch.cat(list(mels), dim=1), ax=axis, title=title, colorbar=False)
fig.tight_layout()
plt.show()
for mels in (sweep, path):
    wave = vocoder(torch.cat(list(mels), dim=1)).numpy()
    display(Audio(np.clip(wave, -1, 1), rate=audio.SAMPLE_RATE, normalize=False))

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The spread of the posterior means across inputs is section 5's test: how much a dimension's
# code changes with the input. The dimension that varies most carries the most about the
# segment, so sweeping it gives the largest, clearest change. A collapsed dimension is the
# opposite: its q(z_d|x) is the same whatever the input (N(0, 1) in the β = 1000 model), so in
# training the decoder only ever saw noise there, unrelated to the segment it had to rebuild,
# and learned to ignore it. Sweeping it from −3 to 3 changes (almost) nothing: seven copies of
# one mel, one sound.
#
# </details>

# %% [markdown]
# **A traversal you can hear.** A 16-frame segment lasts 0.19 s — too short to judge by ear.
# The widget below decodes the whole held-out sentence, segment by segment, with one latent
# dimension set to the same value in every segment (the others keep each segment's own
# posterior mean); "as encoded" plays the plain reconstruction to compare with. It starts on
# the most active dimension; move the value slider and listen to what that one number controls.
#
# *What to listen for* (default mode, measured on the held-out sentence; the dimension's index
# may differ on your run, its role usually does not): the most active dimension mostly sets the
# **energy of the low, voiced band**. At −3 the low 20 mel bins sit at −2.3 (log-mel) against
# −3.4 at 0 and −5.5 at +3, while the top 30 bins barely move (−5.8 → −6.6): one end sounds
# loud and buzzy, every segment voiced; the other thin and breathy, almost a whisper. The further
# you move outside the range this sentence's own codes span (printed with the plot; −2.3 … +3.4
# here), the further the clip drifts from the plain reconstruction: mean |Δ log-mel| 0.8 at 0,
# 1.5 at −3, 1.7 at +3.

# %%
from course_lib.widgets.lesson02 import latent_traversal

latent_traversal(vae, test_segments, dim=dimension, value=0.0, vocoder=vocoder).ui

# %% [markdown]
# ## Try this
# * Change `config` to `VaeConfig.tiny()` (4 latent dimensions) or raise `latent_dim`:
#   how do the reconstruction and the number of active units change? *Expect* (default
#   mode, 300 steps, β = 1): 4 dimensions → reconstruction 197, KL 9.3 nats, 4/4 active;
#   8 → 128, 17.4 nats, 8/8; 16 → 88, 25.9 nats, 16/16. At β = 1 every dimension is used, and
#   more of them buy reconstruction with KL.
# * Find the β where collapse begins: sweep β between 1 and 1000 and plot active units.
#   *Expect* (same setting): β = 1, 3, 10, 30 keep 8/8 active while the KL falls 17.4 → 11.8 →
#   6.2 → 1.3 nats and the reconstruction rises 128 → 139 → 195 → 308; at β = 100 all 8 collapse
#   at once (KL 0.00, reconstruction 369, the same as β = 1000). Collapse is a cliff, not a slope.
# * Replace the pathwise estimator with the score function in the VAE (sample z with
#   `.detach()` and add `(reconstruction.detach() * log q(z|x))`): how many more steps does it need?
#   *What to look for:* in the same number of steps the reconstruction barely moves — f is now
#   a sum over 80 × 16 mel values, and section 2 showed the score function's variance grows
#   with the size of f.
#
# ## Summary
# * The score-function estimator needs only log q's gradient but is noisy; the pathwise
#   estimator rewrites z = μ + σε and differentiates through it, with far lower variance.
# * `reparameterize(mean, log_std, temperature, generator)` is the one sampler every later model uses.
# * A VAE minimises reconstruction + β·KL; β = 1 is the ELBO, large β collapses the posterior
#   (KL → 0, no active units, one blurred output for every input).
# * Collapse is diagnosed by whether q(z_d|x) varies with x (the spread of the posterior means
#   across inputs), not by the KL: a stuck dimension can pay KL and carry nothing.
# * Glow-TTS never samples in training, so it has no estimator to choose; VAEs and VITS do.
# * The latent space is smooth: traversals and interpolations decode to gradually changing sounds.
#
# ## References
# * D. Kingma, M. Welling. *Auto-Encoding Variational Bayes*, ICLR 2014.
# * D. Rezende, S. Mohamed, D. Wierstra. *Stochastic Backpropagation and Approximate Inference in Deep Generative Models*, ICML 2014.
# * R. Williams. *Simple statistical gradient-following algorithms for connectionist reinforcement learning*, 1992.
# * S. Mohamed et al. *Monte Carlo Gradient Estimation in Machine Learning*, JMLR 2020.
# * I. Higgins et al. *β-VAE*, ICLR 2017; S. Bowman et al. *Generating Sentences from a Continuous Space*, 2016;
#   Y. Burda et al. *Importance Weighted Autoencoders*, 2016 (active units).
# * Code: `course_lib/distributions.py`, `course_lib/models/vae.py`, `course_lib/checks/lesson02.py`.
