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
# # Lesson 11 — VITS: text to waveform in one model
#
# Every idea of this course meets here. VITS (Kim, Kong & Son, ICML 2021) is a conditional
# VAE (lessons 01–03) whose prior is made expressive by a normalizing flow (lesson 04), whose
# alignment is found by monotonic alignment search (lesson 07), whose durations come from a
# flow of their own, and whose decoder is a HiFi-GAN generator trained against discriminators
# (lesson 06) — end to end, text in, waveform out, no separate vocoder.
#
# **Goals.** By the end you can
# 1. draw VITS correctly: what the posterior reads, where the flow belongs, what aligns;
# 2. say why the flow is applied to the posterior sample and why its log-determinant vanishes;
# 3. compute the matrix MAS searches on $z_p$ (exercise 1), derive the KL term (exercise 2) and
#    explain why the logged KL can be negative;
# 4. explain the stochastic duration predictor: dequantisation, spline couplings, its bound;
# 5. assemble the generator's loss from the model's parts (exercise 3), and watch every loss term
#    of a live run — reconstruction, KL, duration, adversarial, feature matching;
# 6. say why a frame-rate decoder that does not know the pitch buzzes at 86 Hz, and what giving
#    VITS an explicit F0 changes (a pitch predictor, a source-filter decoder);
# 7. hear what `noise_scale`, `noise_scale_w`, `length_scale`, the pitch and the speaker do,
#    convert a voice, and measure whether VITS runs in real time on a CPU.
#
# **Time**: about 170 min — §1 10 min · §2 5 min · §3 5 min · §4 10 min · §5 15 min · §6 20 min · §7 15 min · §8 30 min · §9 15 min · §10 15 min · §11 10 min · What to try 20 min
#
# **Glossary** (paper / official code → here): `enc_p` → `text_encoder`; `enc_q` →
# `posterior_encoder`; `flow` → `flow`; `dec` → `decoder`; `dp` → `duration_predictor`;
# `emb_g` → `speaker_embedding`; `m_p, logs_p` → `prior_mean, prior_log_std`; `m_q, logs_q` →
# `posterior_mean, posterior_log_std`; `attn` → `alignment`; `w` → `durations`; `ids_slice` →
# `window_starts`; `spec` → the linear spectrogram (`course_lib.audio.linear_spectrogram`).

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
threads = use_lesson_threads()
print("mode:", current_mode(), "| torch threads:", threads)

# %% [markdown]
# ## 1. The picture, drawn correctly
#
# VITS is a VAE whose latent $z$ is a sequence of 192-dim frames at the mel frame rate
# (86 per second). In training:
#
# * the **posterior** $q(z \mid x_{lin})$ is a WaveNet that reads the **linear** magnitude
#   spectrogram of the recording (513 bins, no mel, no log) — *not the text*. It plays the
#   encoder of a VAE: it sees the answer;
# * the **prior** $p(z \mid \text{text})$ is the text encoder's Gaussian per token, made more
#   expressive by the **flow** $f_\theta$. The flow belongs to the prior: $z_p = f_\theta(z)$
#   maps the posterior sample into the space where the text Gaussians live;
# * **MAS** (lesson 07) finds the monotonic alignment between frames and tokens by maximising
#   $\log \mathcal N(z_p; \mu_p, \sigma_p)$ — with no gradient;
# * the **decoder** turns a random 32-frame window of $z$ into 8192 samples, judged by a mel L1
#   and by discriminators.
#
# At inference the posterior is gone: the text prior (expanded by the *predicted* durations) is
# sampled, the flow runs backwards, the decoder speaks.
#
# > **A common reading is that the flow makes VITS alignment-free; in fact MAS on $z_p$ gives
# > it.** The flow is invertible and has no notion of tokens or time order; MAS is what assigns
# > each frame to a token, exactly as in Glow-TTS, only on the flow-mapped posterior sample
# > $z_p$ instead of a flow-mapped mel. "Alignment-free" is true only in the sense that no
# > external aligner is needed — the alignment is *searched* on every batch.

# %%
from course_lib.widgets.lesson11 import vits_diagram

display(vits_diagram())

# %% [markdown]
# ## 2. The model from the library — paper size and the CPU size
#
# `VITSConfig.paper()` is the official `ljs_base.json`; it matches the official
# implementation parameter for parameter (36,321,072 in the generator). The course's
# `tiny()` keeps every part at 64 channels; read where it departs from the paper and why:

# %%
from course_lib.models.summary import count_parameters, param_summary
from course_lib.models.vits import VITS, VITSConfig, build_discriminator

paper_vits = VITS(VITSConfig.paper())  # random weights: for its sizes here and its speed in section 11
print("paper (ljs_base.json)\n" + str(param_summary(paper_vits)))
for name in ("tiny", "tiny_multi", "tiny_multi_f0"):
    config = getattr(VITSConfig, name)()
    judge = "none: trained without one" if config.decoder.source_filter else \
        f"{count_parameters(build_discriminator(config)):,}"
    print(f"{name:<13}: {count_parameters(VITS(config)):>10,} generator parameters, discriminator {judge}")
print(f"paper        : discriminator {count_parameters(build_discriminator(VITSConfig.paper())):,}")
print("\nVITSConfig.tiny():", VITSConfig.tiny.__doc__)

# %% [markdown]
# So the tiny model differs from the paper in three ways, each measured: **64 channels**
# instead of 192 (about 1/20 of the parameters); an **inverse-STFT decoder** (lesson 06 §4)
# instead of HiFi-GAN V1 — frame-rate ConvNeXt blocks predicting magnitude and phase, faster
# to train and to run on a CPU (lesson 06 §4 and section 10 time it); and a **warm-up**
# (`discriminator_start=10_000`): the first steps train on reconstruction, KL and duration
# alone, because a step without discriminators is cheaper (section 8 times both kinds).
# `tiny_multi()` adds a 64-dim speaker embedding that conditions every part. `tiny_multi_f0()`,
# the model the course ships, goes one step further from the paper — it gives the decoder the
# **pitch** — and section 9 shows why it had to.
#
# ## 3. One real batch through the model
#
# The multi-voice built-in corpus (five eSpeak voices — the one lesson 00 promised a
# multi-speaker model for), and the shipped tiny multi-voice VITS when it is in
# `data/checkpoints/` (otherwise a fresh model: the numbers of this section are then those of
# an untrained VITS, and section 8 trains one for a few minutes).

# %%
from course_lib.data import ensure_corpus
from course_lib.data import training_data
from course_lib.models.vits.train import RECIPE as VITS_RECIPE
from course_lib.paths import CHECKPOINT_DIR

corpus_dir = ensure_corpus(multispeaker=True)
config = VITSConfig.tiny_multi()
data = training_data(str(corpus_dir), config.add_blank, batch_size=pick(smoke=2, default=8, full=32),
                     seed=config.seed, return_wave=True, pitch=True)  # batch.f0: each frame's pitch (section 9)
corpus = data.corpus
config = config.replace(n_vocab=data.tokenizer.n_vocab, front_end=corpus.front_end, n_speakers=corpus.n_speakers)
print(f"{len(corpus)} utterances, speakers: {', '.join(corpus.speakers)}")

shipped = CHECKPOINT_DIR / VITS_RECIPE.shipped.file
if shipped.exists():
    vits = VITS_RECIPE.load(shipped, device="cpu")
    print("using the shipped model", shipped.name)
else:
    torch.manual_seed(config.seed)
    vits = VITS(config).eval()
    print(f"no shipped {shipped.name}: an untrained model here "
          f"(the shipped one comes from `{VITS_RECIPE.shipped.command}`)")

batch = next(iter(data.val_loader))
spec = audio.linear_spectrogram(batch.waves[:, 0])  # [B, 513, T]: what the posterior reads
with torch.no_grad():
    out = vits(batch.tokens, batch.token_lengths, spec, batch.mel_lengths, batch.speakers,
               generator=torch.Generator().manual_seed(0), f0=batch.f0 if vits.has_pitch else None)
decoded = "log_magnitude" if vits.has_pitch else "wave"   # section 9: the shipped decoder is given the pitch
for name in ("z", "z_p", "posterior_mean", "posterior_log_std", "frame_prior_mean", "alignment", "durations", decoded):
    print(f"{name:<18} {tuple(getattr(out, name).shape)}")
print(f"input: tokens {tuple(batch.tokens.shape)}, linear spectrogram {tuple(spec.shape)}, "
      f"speakers {batch.speakers.tolist()}")

# %% [markdown]
# `z` and `z_p` have one frame per spectrogram frame; the prior is per token until the
# alignment `[B, T_text, T_frames]` expands it to frames. The paper's decoder makes a `wave`
# only for a window (`segment_size` = 8192 samples = 32 latent frames) per utterance — section 8
# explains why; the shipped model's decoder makes magnitudes for every frame — section 9.
#
# ## 4. Why the flow is applied to the posterior sample — and why log|det| vanishes
#
# The ELBO needs $\log p(z \mid c)$ at the posterior's sample $z$. The prior is *defined*
# through the flow: $z_p = f_\theta(z)$ is Gaussian under the text, so by the change of
# variables (lesson 04)
#
# $$\log p(z \mid c) = \log \mathcal N\big(f_\theta(z);\, \mu_p, \sigma_p\big) + \log\left|\det \frac{\partial f_\theta}{\partial z}\right|.$$
#
# To evaluate it we must run the flow *forward on the sample we have* — the posterior's $z$.
# That is why training maps $z \to z_p$ and inference maps a prior sample $z_p \to z$ with
# $f_\theta^{-1}$.
#
# VITS's couplings are **mean-only**: $z_b' = z_b + m(z_a)$, $z_a' = z_a$. The Jacobian is
# triangular with ones on the diagonal ($\partial z_b'/\partial z_b = I$), so its determinant is
# exactly 1 and $\log|\det| = 0$ — the KL needs no Jacobian term at all. (Glow-TTS's affine
# couplings scale too, and pay a log-det; lesson 04 compared both.) Checked three ways below:
# what the flow reports, autograd's full Jacobian on a small input, and the inverse.

# %%
from torch.autograd.functional import jacobian

mask = out.spec_mask[:1]
speaker_cond = vits._speaker_cond(batch.speakers[:1], 1)
with torch.no_grad():
    mapped = vits.flow(out.z[:1], mask, cond=speaker_cond)
    back = vits.flow(mapped.z, mask, cond=speaker_cond, reverse=True).z
print(f"log|det| the flow reports: {mapped.log_det.tolist()}")
print(f"f⁻¹(f(z)) − z: largest error {float((back - out.z[:1]).abs().max()):.1e}")

small = out.z[:1, :, :3].clone()  # 3 frames × 64 channels = 192 numbers: a 192 × 192 Jacobian
ones = torch.ones(1, 1, 3)
coupling = vits.flow.layers[0]   # one mean-only coupling (the flow alternates couplings and channel flips)
J1 = jacobian(lambda x: coupling(x.view(1, -1, 3), ones, cond=speaker_cond).z.reshape(-1), small.reshape(-1))
J = jacobian(lambda x: vits.flow(x.view(1, -1, 3), ones, cond=speaker_cond).z.reshape(-1), small.reshape(-1))
half = J1.shape[0] // 2  # channels are the slow axis: rows/columns 0 … half−1 are the unchanged half z_a
print(f"one coupling: diagonal all ones {torch.allclose(torch.diagonal(J1), torch.ones(J1.shape[0]))}, "
      f"z_a does not depend on z_b {bool((J1[:half, half:] == 0).all())} → det = 1")
print(f"the whole flow (4 couplings + flips): autograd log|det| = {torch.linalg.slogdet(J).logabsdet:.1e}")

# %% [markdown]
# ## 5. MAS on $z_p$ gives the alignment
#
# For every token $i$ and frame $j$, MAS needs $\log \mathcal N(z_{p,j};\, \mu_{p,i}, \sigma_{p,i})$
# summed over channels — a `[B, T_text, T_frames]` matrix — and finds the monotonic path with
# the highest total (lesson 07). The flow only *prepares* $z_p$; the search aligns.
#
# ### Exercise 1 — the matrix MAS searches
#
# Write `prior_log_likelihood(z_p, prior_mean, prior_log_std)`: `z_p` is `[B, C, T_frames]`,
# the prior per **token** `[B, C, T_text]`; return `[B, T_text, T_frames]`. (Broadcast:
# `z_p[:, :, None, :]` against `prior_mean[..., None]`.) The check names the usual slips —
# and one of them does not change the path MAS finds; which one, and why?

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson11 import (
    check_kl_term,
    check_prior_log_likelihood,
    solution_kl_term,
    solution_prior_log_likelihood,
)


def prior_log_likelihood(z_p, prior_mean, prior_log_std):
    # YOUR CODE HERE (3–4 lines)
    raise NotImplementedError


matrix_works = check_prior_log_likelihood(prior_log_likelihood)

# %%
show_solution(solution_prior_log_likelihood)

# %% [markdown]
# Your matrix (or the solution's) on the real batch: MAS on it must give the model's own
# alignment. And against the truth: the corpus knows how many frames eSpeak spent on every
# phoneme, so we can score the alignment (the share of frames on the right phoneme, as lesson
# 08 scored Glow-TTS). The closer the yellow staircase follows the red true path, the better
# the model aligns; an untrained model's path is a guess, and VITS learns to align slowly — MAS
# is exact, but only as good as the likelihood it searches. The cell below prints the share for
# the model in hand; `data/checkpoints/README.md` gives the shipped model's on the test split.

# %%
from course_lib.alignment import monotonic_alignment_search

with torch.no_grad():
    prior = vits.text_encoder(batch.tokens, batch.token_lengths)
matrix_fn = prior_log_likelihood if matrix_works else solution_prior_log_likelihood
path = monotonic_alignment_search(matrix_fn(out.z_p, prior.prior_mean, prior.prior_log_std), out.text_mask,
                                  out.spec_mask)
print(f"MAS on {'your' if matrix_works else 'the solution’s'} matrix = the model's alignment: "
      f"{torch.equal(path, out.alignment)}")
n_tokens, n_frames = int(batch.token_lengths[0]), int(batch.mel_lengths[0])
mas_durations, true_durations = out.durations[0, 0, :n_tokens].long(), batch.durations[0, :n_tokens]
# tokens are blank, phoneme, blank, …: the truth gives blanks 0 frames, MAS may give them some. A frame MAS puts
# on a blank counts as right when the true phoneme is one of the blank's two neighbours.
token_ids = torch.arange(n_tokens)
mas_token = torch.repeat_interleave(token_ids, mas_durations)
true_token = torch.repeat_interleave(token_ids, true_durations)
on_blank = mas_token % 2 == 0
hit = torch.where(on_blank, (mas_token - true_token).abs() == 1, mas_token == true_token)
print(f"frames on the right phoneme: {hit.float().mean():.1%} ({on_blank.float().mean():.0%} of the frames "
      "MAS gave to blanks)")
fig, ax = plt.subplots(figsize=(10, 3.5))
plots.plot_alignment(out.alignment[0, :n_tokens, :n_frames], ax=ax,
                     title=f"MAS on z_p (yellow, {corpus.speakers[int(batch.speakers[0])]}) and the true path (red)")
ax.step(np.arange(n_frames), true_token.numpy(), where="mid", color="red", linewidth=0.8, alpha=0.8)
plt.show()

# %% [markdown]
# ## 6. The KL term, written out
#
# The ELBO's KL term is $\mathbb E_q\big[\log q(z\mid x) - \log p(z\mid c)\big]$, and VITS estimates
# it from the one sample it already drew. What is given, per frame and channel:
#
# * the posterior $q(z \mid x) = \mathcal N(z; \mu_q, \sigma_q^2)$, sampled as
#   $z = \mu_q + \sigma_q \varepsilon$ with $\varepsilon \sim \mathcal N(0, 1)$;
# * the prior through the flow (section 4): $z_p = f_\theta(z)$ and
#   $\log p(z\mid c) = \log \mathcal N(z_p;\, \mu_A, \sigma_A^2) + \log|\det \partial f_\theta/\partial z|$,
#   with $\mu_A, \sigma_A$ the text prior expanded to frames by MAS, and a log-determinant of 0
#   for VITS's mean-only couplings;
# * the Gaussian log-density $\log \mathcal N(x; \mu, \sigma^2) = -\log\sigma - \tfrac12 (x-\mu)^2/\sigma^2 - \tfrac12\log 2\pi$.
#
# The official code treats the two halves differently: the posterior's part is averaged **over
# ε** (that expectation has a closed form, which is why the function below receives neither $z$
# nor $\mu_q$ nor ε), the prior's part is kept at **the sample** $z_p$. The result is summed over
# real frames and channels and divided by the number of real **frames**.
#
# ### Exercise 2 — derive the KL term
#
# On paper first: write $\log q(z\mid x)$ in terms of $\sigma_q$ and ε, and average it over ε;
# write $\log p(z\mid c)$ in terms of $z_p$, $\mu_A$ and $\sigma_A$; subtract. (What becomes of the
# two $\tfrac12\log 2\pi$?) The expression you reach, per frame and channel, is what VITS logs as
# its KL. Then write it as `kl_term(z_p, posterior_log_std, prior_mean, prior_log_std, mask)`
# ($z_p$, $\log\sigma_q$, $\mu_A$, $\log\sigma_A$): all `[B, C, T]` except `mask [B, 1, T]`;
# return one number, nats per real frame. The check uses a padded batch with garbage in the
# padding and names the slip it sees (sign, mask, normaliser, the ½, the log-std terms, the
# log 2π); the folded solution carries the derivation.

# %%
def kl_term(z_p, posterior_log_std, prior_mean, prior_log_std, mask):
    # YOUR CODE HERE (2–3 lines)
    raise NotImplementedError


kl_works = check_kl_term(kl_term)

# %%
show_solution(solution_kl_term)

# %% [markdown]
# On the real batch, beside the library's `VITS.latent_losses` (which calls
# `course_lib.models.vits.losses.kl_divergence`):

# %%
library_kl = VITS.latent_losses(out).kl
print(f"library KL on the batch: {library_kl:.3f} nats per frame")
if kl_works:
    yours = kl_term(out.z_p, out.posterior_log_std, out.frame_prior_mean, out.frame_prior_log_std, out.spec_mask)
    print(f"your kl_term:            {float(yours):.3f}")

# %% [markdown]
# ### Why the logged KL can be negative
#
# A KL divergence is never negative — but VITS logs a **one-sample estimate** of it, and an
# estimate can be (lesson 01 compared closed-form KL with Monte Carlo). Take the best case,
# $q = p$: then $(z_p-\mu_A)/\sigma_A = \varepsilon'$ is standard normal and the estimate is
# $\tfrac12(\varepsilon'^2 - 1)$ per value — zero on average, negative whenever
# $|\varepsilon'| < 1$, i.e. 68 % of the time. A well-trained model sits close to that regime,
# so its per-frame KL scatters around a small number and single frames (even whole batches of
# a large model) come out below zero. Below: the toy, and the per-frame estimates of the batch.

# %%
toy = 0.5 * (torch.randn(100_000) ** 2 - 1)
per_frame = ((out.frame_prior_log_std - out.posterior_log_std - 0.5 + 0.5 * (out.z_p - out.frame_prior_mean) ** 2
              * torch.exp(-2 * out.frame_prior_log_std)) * out.spec_mask).sum(1)[out.spec_mask[:, 0] > 0]
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
axes[0].hist(toy.numpy(), bins=200, range=(-0.6, 3), color="C0")
axes[0].axvline(0, color="k", linewidth=0.8)
axes[0].set_title(f"q = p, one value: mean {toy.mean():.3f}, negative {float((toy < 0).float().mean()):.0%}")
axes[1].hist(per_frame.numpy(), bins=60, color="C1")
axes[1].axvline(0, color="k", linewidth=0.8)
axes[1].set_title(f"this batch, per frame (sum of {out.z.shape[1]} channels): "
                  f"negative {float((per_frame < 0).float().mean()):.0%}")
axes[1].set_xlabel("single-sample KL estimate (nats)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7. The stochastic duration predictor
#
# Glow-TTS regressed log-durations: one rhythm per sentence. VITS models the *distribution*
# of durations with a flow, so each sample speaks with its own rhythm. Two problems, two tricks:
#
# * **Durations are integers.** A density on integers is degenerate (a continuous flow could
#   put infinite density on 3.0). *Dequantisation*: add $u \in [0, 1)$ and model the continuous
#   $d - u$. Any density on $d-u$ gives a lower bound on the probability of the integer $d$.
# * **One number per token cannot be coupled.** A coupling needs two halves; *variational
#   augmentation* adds a second channel $\nu$. Both $u$ and $\nu$ come from a learned
#   posterior $q(u, \nu \mid d, c)$, and the loss is the bound (paper eq. 11)
#
# $$-\log p(d \mid c) \le \mathbb E_{q(u,\nu \mid d,c)}\big[\log q(u, \nu \mid d, c) - \log p_\theta(d - u, \nu \mid c)\big].$$
#
# The corpus's **true** durations (in frames) show what the trick does: a comb of integers
# becomes a smooth density, which the flow then models in log-frames.

# %%
true = np.array([d for record in corpus.split("train") for d in record.durations])
u = np.random.default_rng(0).uniform(0, 1, size=true.shape)
fig, axes = plt.subplots(1, 3, figsize=(14, 2.8))
axes[0].hist(true, bins=np.arange(0, 31) - 0.25, width=0.5)
axes[0].set_title("true durations: integers (frames)")
axes[1].hist(true - u, bins=120, range=(0, 30))
axes[1].set_title("dequantised d − u, u ~ U(0, 1)")
axes[2].hist(np.log(np.clip(true - u, 1e-5, None)), bins=120, range=(-3, 4))
axes[2].set_title("log(d − u): what the flow models")
for ax in axes:
    ax.set_xlabel("frames" if ax is not axes[2] else "log frames")
plt.tight_layout()
plt.show()
print(f"{len(true):,} phonemes, {np.mean(true == 0):.1%} with 0 frames, mean {true.mean():.2f} frames")

# %% [markdown]
# **The couplings are splines.** Each coupling moves channel 1 by a monotone
# rational-quadratic spline (Durkan et al. 2019) whose knots are predicted from channel 0 and
# the text: 10 bins on $[-5, 5]$, the identity outside ("linear tails"). A spline can bend far
# more than the affine map of lesson 04 — at a price: 3·10 − 1 = 29 numbers per element (10 widths,
# 10 heights, 9 inner derivatives) where an affine map needs 2 — stays exactly invertible
# (a quadratic per bin), and has a cheap derivative for the log-det. A few random splines from
# the library's `rational_quadratic_spline`, their derivatives, and their inverses:

# %%
from course_lib.models.vits import rational_quadratic_spline

x = torch.linspace(-7, 7, 701)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
for index, scale in enumerate((0.0, 0.5, 1.0, 1.5)):
    g = torch.Generator().manual_seed(11 + index)
    widths, heights, derivatives = (scale * torch.randn(n, generator=g) for n in (10, 10, 9))
    y, log_det = rational_quadratic_spline(x, widths.expand(701, 10), heights.expand(701, 10),
                                           derivatives.expand(701, 9), tail_bound=5.0)
    x_back, _ = rational_quadratic_spline(y, widths.expand(701, 10), heights.expand(701, 10),
                                          derivatives.expand(701, 9), inverse=True, tail_bound=5.0)
    label = "parameters 0: near identity" if scale == 0 else f"random parameters ×{scale:g}"
    axes[0].plot(x, y, label=f"{label} (inverse err {float((x_back - x).abs().max()):.0e})")
    axes[1].plot(x, log_det.exp(), label=label)
for ax in axes:
    ax.axvspan(-7, -5, color="0.9")
    ax.axvspan(5, 7, color="0.9")
axes[0].set_title("g(x): monotone, identity outside [−5, 5] (grey)")
axes[1].set_yscale("log")
axes[1].set_title("g′(x) = exp(log-det), log scale: positive, continuous, 1 in the tails")
axes[0].legend(fontsize=7)
plt.tight_layout()
plt.show()

# %% [markdown]
# (With all parameters at 0 the map is not quite the identity: the interior derivatives are
# softplus(0) ≈ 0.69, not 1 — the library's `SplineCoupling` starts from that.) The bound on
# the real batch, per token, as the model computes it in `loss_terms`:

# %%
print(f"duration loss (negative bound) on the batch: {VITS.latent_losses(out).duration:.3f} nats per token")
print("MAS durations of the first sentence:", out.durations[0, 0, :n_tokens].long().tolist())

# %% [markdown]
# At inference the prior flow runs backwards from noise $\mathcal N(0, I)\cdot$`noise_scale_w`;
# channel 0 is the log-duration, rounded up after `exp` and multiplied by `length_scale`.
# With `noise_scale_w = 0` the rhythm is the same every time: the flow's image of the noise's
# mode, f⁻¹(0) — not the most likely rhythm, for a flow's density is warped by its log-det
# (lesson 04).
#
# ## 8. Windowed GAN training, every term live
#
# Decoding whole utterances at 22,050 Hz would dominate memory, and a convolutional decoder
# learns as well from windows: each step, one random **32-frame window of $z$** per utterance
# is decoded into **8192 samples** and compared with the same 8192 samples of the recording
# (`course_lib.models.vits.windows.wave_windows`). MAS, the KL and the duration loss still see
# whole utterances. The generator minimises
#
# $$\mathcal L = \underbrace{45\,\mathcal L_{mel}}_{\text{reconstruction}} + \mathcal L_{KL} + \mathcal L_{dur}
#   + \mathcal L_{adv}(G) + 2\,\mathcal L_{FM},$$
#
# the discriminators (MPD + one scale discriminator) minimise their LSGAN loss. The recipe is
# the library's (`VITSTask` on the course's GAN task; `python -m course_lib train vits` is the
# same with checkpoints and resume). For a live run the warm-up is shortened from 10,000 steps
# to a few dozen so the adversarial and feature-matching terms appear.
#
# ### Exercise 3 — assemble the generator's loss
#
# Before the live run, assemble what the generator minimises in its warm-up — the three terms
# above that need no discriminator — from the model's parts: then your code *is* VITS's training
# pass. `vits_generator_loss(model, batch, generator)` gets an untrained tiny multi-voice VITS,
# section 3's batch (`tokens`, `token_lengths`, `waves [B, 1, N]`, `mel_lengths`, `speakers`) and
# a seeded `torch.Generator`. Shapes are [B, C, T]: C = 64 latent channels, T spectrogram frames,
# T_text tokens. In the model's order:
#
# 1. **Inputs.** The linear spectrogram of the waves, `[B, 513, T]` (`audio.linear_spectrogram` of
#    `waves[:, 0]`), and the speaker condition `[B, G, 1]`: `model.speaker_embedding(speakers)`
#    with a last axis added.
# 2. **Prior.** `model.text_encoder(tokens, token_lengths)`: its `prior_mean` and `prior_log_std`
#    `[B, C, T_text]`, its `hidden` features and its `mask` `[B, 1, T_text]`.
# 3. **Posterior.** `model.posterior_encoder(spec, mel_lengths, speaker, generator)`: the sample `z`
#    and `log_std` `[B, C, T]`, and the frames' `mask` `[B, 1, T]`.
# 4. **Flow.** $z_p$ `[B, C, T]` from `model.flow(z, mask, cond=speaker)` (its `.z`), in the
#    direction training needs (section 4).
# 5. **MAS**, without gradient: exercise 1's matrix on $z_p$ (`gaussian_log_likelihood_matrix`, or
#    yours), then `monotonic_alignment_search` with the token and frame masks: the alignment
#    `[B, T_text, T]`. Its sums over frames are the durations `[B, 1, T_text]`.
# 6. **Duration loss.** `model.duration_predictor.loss_terms(hidden, token mask, durations, speaker,
#    generator)` gives `[B]`; `duration_loss` makes it per token.
# 7. **KL.** Exercise 2 (`kl_divergence`, or yours) of $z_p$, the posterior's log-std and the prior
#    expanded to frames by the alignment (`expand_to_frames`), with the frames' mask.
# 8. **Window.** `random_windows(z, alignment, mel_lengths, segment_frames, generator)` cuts a
#    window of z `[B, C, 32]` and says where it `starts` (`[B]`, in frames); the decoder turns it
#    into `[B, 1, 8192]`; `wave_windows(waves, starts, segment_size)` cuts the same 8192 samples of
#    the recording; `mel_l1_loss(real, fake)` compares the two.
#
# Return the mel L1 weighted by the config's `mel_loss_weight`, plus the KL weighted by its
# `kl_loss_weight`, plus the duration loss. Every draw comes from `generator`, in this order —
# posterior sample, duration noise, window — because the check runs `model(...)` and `VITSTask`'s
# loss on the same batch with the same seed and asserts that yours equals it (it refuses a call
# to `model(...)` inside yours). A fresh flow is the identity (its couplings start at zero), which
# would hide a flow run backwards, so the check gives the zero-initialised layers small random
# weights first.

# %%
from course_lib.alignment import expand_to_frames, gaussian_log_likelihood_matrix, random_windows
from course_lib.checks.lesson11 import check_vits_generator_loss, solution_vits_generator_loss
from course_lib.models.waveform.losses import mel_l1_loss
from course_lib.models.vits import duration_loss, kl_divergence, wave_windows


def vits_generator_loss(model, batch, generator):
    # YOUR CODE HERE (about 16 lines)
    raise NotImplementedError


check_vits_generator_loss(vits_generator_loss, config, batch)

# %%
show_solution(solution_vits_generator_loss)

# %% [markdown]
# ### The live run
#
# `VITSTask` computes exactly this loss at every step (`generate` runs `model(...)`,
# `reconstruction` weights the three terms); once the warm-up is over it adds the adversarial and
# feature-matching terms, and the discriminators take their own step.

# %%
from course_lib.models.vits.train import VITSTask
from course_lib.training import TrainConfig, Trainer

steps = pick(smoke=3, default=60, full=20_000)
live_config = config.replace(discriminator_start=pick(smoke=1, default=35, full=10_000))
torch.manual_seed(live_config.seed)
live_model = VITS(live_config)
task = VITSTask(live_model, build_discriminator(live_config))
print(f"{live_config.discriminator_start} warm-up steps, then {steps - live_config.discriminator_start} GAN steps "
      "(batch 8): ≈ 2 min on a laptop CPU")
trainer = Trainer(task, TrainConfig(steps=steps, log_every=1, progress=True, seed=live_config.seed))
started = time.perf_counter()
history = trainer.fit(data.train_loader)
seconds = time.perf_counter() - started
print(f"{steps} steps in {seconds:.0f} s ({steps / seconds:.2f} steps/s)")

# %%
terms = {"generator/mel": "45 × mel L1 (reconstruction)", "generator/kl": "KL", "generator/duration": "duration",
         "generator/adversarial": "adversarial", "generator/feature_matching": "2 × feature matching",
         "discriminator/loss": "discriminator (LSGAN)"}
weights = {"generator/mel": 45.0, "generator/feature_matching": 2.0}
fig, axes = plt.subplots(2, 3, figsize=(14, 5.5), sharex=True)
for ax, (key, title) in zip(axes.flat, terms.items()):
    points = [(row["step"], weights.get(key, 1.0) * row[key]) for row in history if key in row]
    if points:
        ax.plot(*zip(*points), marker="." if len(points) < 40 else None)
    ax.axvline(live_config.discriminator_start + 0.5, color="0.6", linestyle="--", linewidth=0.8)
    ax.set_title(title)
    ax.grid(alpha=0.3)
for ax in axes[1]:
    ax.set_xlabel("step (dashed: the discriminators join)")
plt.tight_layout()
plt.show()
last = history[-1]
print("last step:", ", ".join(f"{terms[k]} {weights.get(k, 1.0) * last[k]:.3f}" for k in terms if k in last),
      f"→ generator total {last['generator/loss']:.2f}")

# %% [markdown]
# What you should see: the KL falls fastest (from tens of nats per frame: the untrained
# posterior and prior disagree wildly) — the posterior and the prior meet halfway; the mel term
# dominates the total, as the weight 45 intends; the duration bound drifts down slowly and
# noisily. After the dashed line the discriminator loss and the adversarial term both start
# near 6 — six sub-discriminators (five periods and one scale), about 1 each from their random
# initial scores — and fall together as the scores settle; feature matching is small because
# the discriminators' features do not tell anything apart yet. A few dozen GAN steps are only
# the opening of the game: in a long run the two hover around a balance. Two minutes of CPU
# are far from a voice: the shipped model trained for hours (`data/checkpoints/README.md`).
#
# ## 9. Why the frame-rate decoder buzzed — and an explicit F0
#
# The decoder of `tiny()` and of section 8's run is lesson 06's inverse-STFT generator: one STFT
# column per latent frame, overlap-added every 256 samples. Nothing in it knows the pitch, and
# lesson 06 §3 showed what follows: the same frame in, the same column out, and identical
# columns every 256 samples make a wave that repeats every 256 samples — a buzz at
# 22,050 / 256 = 86.1 Hz, whatever the voice. A first course VITS with that decoder trained for
# 5.2 CPU hours, the last 5,500 steps adversarial; on held-out sentences
# (`benchmarks/bench_vits_pitch.py`) it spoke `en-us` [−183](../data/facts.json "vits_pitch.median_f0_cents_en_us")
# and `en-us+m7` [−153](../data/facts.json "vits_pitch.median_f0_cents_en_us_m7") cents below their recordings'
# median pitch: pulled down to the hop rate. More GAN steps did not move it; a network has to
# learn from the frames' small differences how far each harmonic's phase turns per hop, and the
# public record puts that at hundreds of thousands of GPU steps (lesson 06 §3).
#
# So the shipped model is **given the pitch**, as Period VITS (Shirahata et al. 2023) and
# VISinger 2 (Zhang et al. 2022) give it:
#
# * a **pitch predictor** on the prior side reads the text encoder's features expanded to frames
#   by the durations (and the speaker) and predicts log-F0 and voicing per frame; it learns from
#   the corpus's stored pitch (`pitch.tsv`: L1 of log-F0 on voiced frames, cross-entropy of the
#   voicing);
# * a **source-filter decoder** (`course_lib.models.vits.source_filter`) reads $z$ and the pitch
#   and predicts a *filter*: a log envelope written with 48 cosine terms — a curve that cannot
#   draw harmonics below 22,050 / 48 ≈ 459 Hz — and a harmonicity per bin. The *source* is the
#   harmonic comb of F0 (lesson 06 §6): $|S| = \text{envelope}\cdot((1-w) + w\cdot\text{comb}(F_0))$;
# * the **phase** is locked to F0 (lesson 06 §6), then a few of Griffin-Lim's projections and the
#   inverse STFT.
#
# In training the decoder gets the corpus's pitch; at inference, the predictor's. It is trained
# on its magnitudes — 45 · mel L1, as VITS, plus an L1 of the linear magnitudes (the harmonic
# peaks the mel blurs) — with the KL, duration and pitch losses, and **no discriminator**: the
# phase, the part a GAN has to teach, now comes from the pitch. A step costs a fraction of a GAN
# step and decodes whole utterances instead of 32-frame windows.
#
# Measure the difference on one frame. A frame of the posterior sample $z$ of the lowest voice,
# repeated for a second, through section 8's decoder (it never sees a pitch) and through the
# shipped decoder at the recording's pitch in that frame and at 1.5× it:

# %%
from course_lib.data import corpus_pitch
from course_lib.pitch import track_f0

stored_pitch = corpus_pitch(corpus)                                             # the corpus's pitch.tsv


def median_pitch(record) -> float:
    return float(np.median(stored_pitch[record.id][stored_pitch[record.id] > 0]))


low = min(list(corpus.split("test"))[:10], key=median_pitch)                    # the lowest held-out voice
low_wave = torch.from_numpy(audio.load_audio(low.wav_path))
low_spec = audio.linear_spectrogram(low_wave)[None]                             # [1, 513, T]
low_f0 = torch.from_numpy(stored_pitch[low.id])[: low_spec.shape[-1]]
frame = int(torch.argmax(low_spec[0, :40].sum(0) * (low_f0 > 0)))               # its loudest voiced frame
second = int(audio.SAMPLE_RATE / audio.HOP_LENGTH)                              # 86 frames ≈ 1 s


@torch.no_grad()
def one_frame_for_a_second(model, f0_hz=None):
    """A frame of the model's own posterior sample of `low`, repeated 86 times, through its decoder → a wave."""
    speaker = model.speaker_embedding(torch.tensor([low.speaker]))[..., None]   # [1, G, 1]
    z = model.posterior_encoder(low_spec, torch.tensor([low_spec.shape[-1]]), speaker,
                                torch.Generator().manual_seed(0)).z
    frames = z[..., frame: frame + 1].expand(-1, -1, second)                    # [1, C, 86]: the same frame
    if not model.has_pitch:
        return model.decoder(frames, speaker)[0, 0]
    return model.decoder.wave(frames, torch.full((1, second), f0_hz), torch.ones(1, second, dtype=torch.bool),
                              speaker)[0]


def heard_f0(wave) -> float:
    track = track_f0((wave / wave.abs().max()).numpy())
    return float(np.median(track[track > 0])) if (track > 0).any() else float("nan")


pitch_here = float(low_f0[frame])
tries = {"section 8's decoder (no pitch)": one_frame_for_a_second(live_model.eval())}
if vits.has_pitch:
    tries[f"shipped decoder, given {pitch_here:.1f} Hz"] = one_frame_for_a_second(vits, pitch_here)
    tries[f"shipped decoder, given {1.5 * pitch_here:.1f} Hz"] = one_frame_for_a_second(vits, 1.5 * pitch_here)
print(f"{low.speaker_name}: the recording's pitch in frame {frame} is {pitch_here:.1f} Hz; "
      f"the hop rate is {audio.SAMPLE_RATE / audio.HOP_LENGTH:.1f} Hz")
for name, wave in tries.items():
    print(f"  {name:<40} Praat hears {heard_f0(wave):6.1f} Hz")
display(HTML("<table><tr>" + "".join(
    f"<td>{name}<br>{Audio((0.5 * w / w.abs().max()).numpy(), rate=audio.SAMPLE_RATE, normalize=False)._repr_html_()}</td>"
    for name, w in tries.items()) + "</tr></table>"))

# %% [markdown]
# The first wave repeats every 256 samples, so it sings at the hop rate whatever the frame
# holds. The others sing at the pitch they are given — a knob, by construction: the envelope's
# 48 cosine terms cannot hold a harmonic comb, so the only harmonics are the ones F0 puts there.
#
# Now the whole model, each voice's own pitch. Every test sentence of each voice (one in smoke
# mode), spoken from text with the predicted durations and pitch; Praat tracks the model's wave
# and the recording of the same sentence. Many sentences, because the corpus spoke each one with
# a slightly jittered pitch (± 5 of eSpeak's 100 pitch steps): one sentence's median can sit
# ±70 cents from its voice's, and the text cannot say which way.

# %%
from course_lib.evaluation import cents, median_voiced_f0
from course_lib.models.contract import SynthesisOptions
from course_lib.text import tokenizer_for

per_voice = pick(smoke=1, default=None, full=None)   # None: all of the voice's test sentences
speak_tokenizer = tokenizer_for(vits.config.front_end, vits.config.add_blank)
tracks = {}
for voice_id, voice in enumerate(corpus.speakers):
    for record in [r for r in corpus.split("test") if r.speaker == voice_id][:per_voice]:
        ids = torch.tensor(speak_tokenizer.encode(corpus.symbols_for(record)))
        spoken = vits.generate(ids, SynthesisOptions(seed=0, speaker=voice_id)).wave
        tracks.setdefault(voice, ([], []))
        tracks[voice][0].append(track_f0(spoken.numpy()))
        tracks[voice][1].append(track_f0(audio.load_audio(record.wav_path)))
print(f"{'voice':<10} {'sentences':>9} {'model':>9} {'recording':>10} {'difference':>11}")
for voice, (model_tracks, recorded) in tracks.items():
    ours, theirs = median_voiced_f0(model_tracks), median_voiced_f0(recorded)
    print(f"{voice:<10} {len(recorded):>9} {ours:7.1f} Hz {theirs:7.1f} Hz {cents(ours, theirs):+8.0f} cents")

# %% [markdown]
# Every voice now sits where its recordings do. On the benchmark's 15 held-out sentences
# (`benchmarks/bench_vits_pitch.py`) the shipped model's voices are
# [−6](../data/facts.json "vits_pitch_f0.median_f0_cents_en_us") (en-us), [−29](../data/facts.json "vits_pitch_f0.median_f0_cents_en_us_m3") (en-us+m3),
# [+7](../data/facts.json "vits_pitch_f0.median_f0_cents_en_us_f1") (en-us+f1), [+14](../data/facts.json "vits_pitch_f0.median_f0_cents_en_us_m7") (en-us+m7) and
# [+11](../data/facts.json "vits_pitch_f0.median_f0_cents_en_us_f4") (en-us+f4) cents from their recordings, where the first model had
# en-us at −183; frame by frame, after DTW, its pitch is [118](../data/facts.json "vits_pitch_f0.f0_rmse_cents") cents RMS from the
# recordings' (the first model's [241](../data/facts.json "vits_pitch.f0_rmse_cents")) — the rest is intonation the text does not
# fix (each corpus sentence was spoken with a slightly jittered pitch and range). The pitch predictor learned the
# intonation from the text; the decoder only makes the spectrum around it. It was also cheaper: from scratch in
# 1.56 CPU-hours (6,000 steps at a learning rate of 1e-3, then 1,500 at 1e-4), against the first model's 5.2.
#
# ## 10. Listen: noise scales, length scale, pitch, speakers
#
# The shipped model when present; otherwise the one just trained (in smoke mode: barely
# trained, so expect noise). Multi-speaker conditioning is what lesson 00 promised: one
# 64-dim embedding per eSpeak voice, added in the posterior, the flow, the duration predictor
# and the decoder. Folding the weight norms first makes inference a little faster, same output.

# %%
speaker_model = (vits if shipped.exists() else live_model).eval().remove_weight_norm()
print("speaking with:", "the shipped model" if shipped.exists() else f"the model trained above ({steps} steps)")
sentence = next((r.text for r in corpus.split("test")), "The quick brown fox jumps over the lazy dog.")

# %%
from course_lib.widgets.lesson11 import VITSSpeaker

speaker_ui = VITSSpeaker(speaker_model, text=sentence, speakers=corpus.speakers)
speaker_ui.ui

# %% [markdown]
# `noise_scale` multiplies the standard deviation of the prior sample $z_p$ (for the shipped
# model: the spectrum around the pitch); `noise_scale_w` the noise of the duration flow (rhythm);
# `length_scale` multiplies every duration (speed); `pitch ×` multiplies the predicted F0 — the
# words and the rhythm stay (a VITS without an explicit F0 has nothing to shift, and the slider
# is off). *Resample z* draws both noises again.
#
# ### The same sentence, eight times
#
# Eight seeds at the default knobs: pitch from pYIN (the pitch tracker of lesson 06) on top,
# each sample's phonemes as time segments below. The rhythm varies because the durations are
# sampled. In the paper's VITS the pitch varies because $z_p$ does; in the shipped model the
# pitch predictor reads the text features expanded by the sampled durations, so each contour
# keeps its shape and moves with its sample's rhythm, while $z_p$'s noise shapes the spectrum
# around it. (A model without an explicit F0, still in its warm-up, may not make pitch at all:
# then every curve sits flat at the frame rate, 86.1 Hz — the cell below says so.)

# %%
from course_lib.widgets.lesson11 import sample_many, variation_figure

samples = sample_many(speaker_model, sentence, speaker=0, seeds=range(pick(smoke=3, default=8, full=8)))
display(variation_figure(samples, title=f"“{sentence}” ({corpus.speakers[0]}), one row per seed"))
lengths = [len(s.wave) / s.sample_rate for s in samples]
print(f"lengths {min(lengths):.2f}–{max(lengths):.2f} s")
from course_lib.widgets.lesson11 import pitch_contour

median_f0 = float(np.nanmedian(np.concatenate([pitch_contour(s.wave)[1] for s in samples])))
frame_rate = audio.SAMPLE_RATE / audio.HOP_LENGTH
print(f"median F0 of the samples: {median_f0:.1f} Hz")
if abs(median_f0 - frame_rate) < 1.5:
    print(f"⚠ that is the frame rate, {frame_rate:.1f} Hz = 22,050 / 256: the decoder buzzes once per frame "
          "instead of making pitch pulses — an iSTFT decoder that has not had its adversarial phase yet")
display(HTML("<table><tr>" + "".join(
    f"<td>seed {s.seed}<br>{Audio(s.wave, rate=s.sample_rate, normalize=False)._repr_html_()}</td>"
    + ("</tr><tr>" if i % 4 == 3 else "") for i, s in enumerate(samples)) + "</tr></table>"))

# %% [markdown]
# ### Voice conversion: speaker A → speaker B
#
# The posterior with A's embedding, then the flow with A's embedding: $z_p$ lives in the text
# prior's space, which carries no speaker. The reverse flow and the decoder with B's embedding
# put B in. Same words, same timing, another voice — no text needed. The shipped model is also
# given the recording's pitch (Praat's track), moved by the ratio of B's mean training pitch to
# A's: the intonation is A's, the range B's.

# %%
from course_lib.widgets.lesson11 import convert_voice

record = next(r for r in corpus.split("test") if r.speaker == 0)
target = next(r for r in corpus.split("test") if r.speaker == 2)
source_wave = audio.load_audio(record.wav_path)
converted = convert_voice(speaker_model, source_wave, source_speaker=0, target_speaker=2)
versions = {f"original ({corpus.speakers[0]})": source_wave, f"converted → {corpus.speakers[2]}": converted,
            f"a real {corpus.speakers[2]} recording (other words)": audio.load_audio(target.wav_path)}
fig, axes = plt.subplots(1, 3, figsize=(15, 2.8))
for ax, (name, wave) in zip(axes, versions.items()):
    plots.plot_mel(audio.mel_spectrogram(wave), ax=ax, title=name, colorbar=False)
plt.tight_layout()
plt.show()
print(record.text)
display(HTML("<table><tr>" + "".join(f"<td>{name}<br>{Audio(np.clip(w, -1, 1), rate=audio.SAMPLE_RATE, normalize=False)._repr_html_()}</td>"
                                     for name, w in versions.items()) + "</tr></table>"))

# %% [markdown]
# ## 11. Is VITS hard to run in real time?
#
# This course's seed said VITS is "hard to run in real time". Measure it: the same sentence,
# one CPU thread, the median of a few runs, real-time factor = compute seconds per second of
# audio (below 1 is faster than real time). Beside it, Glow-TTS (lesson 08) followed by a
# vocoder — the course vocoder (lesson 06 §6, when shipped), Griffin-Lim with 32 iterations
# (the fallback) and the iSTFT generator (its cost does not depend on its weights) — and the
# paper-size VITS with random weights (again, the cost is the architecture's).

# %%
from course_lib.models.glow_tts import GlowTTSConfig
from course_lib.models.glow_tts import build as build_glow
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.generator import build_generator
from course_lib.text import text_to_tokens, tokenizer_for
from course_lib.vocoder import CourseVocoder, GriffinLimVocoder, load_vocoder
from course_lib.widgets.lesson11 import real_time_factor

repeats = pick(smoke=1, default=3, full=5)
glow_path = CHECKPOINT_DIR / "glow_tts_tiny.pt"
if glow_path.exists():
    from course_lib.models.glow_tts.train import RECIPE as GLOW_TTS

    glow = GLOW_TTS.load(glow_path, device="cpu")
else:
    glow = build_glow(GlowTTSConfig.tiny().replace(n_vocab=tokenizer_for("espeak", True).n_vocab)).eval()
glow_tokens = text_to_tokens(sentence, glow.config.front_end, glow.config.add_blank)[0]
vits_tokens = text_to_tokens(sentence, speaker_model.config.front_end, speaker_model.config.add_blank)[0]
griffin_lim = GriffinLimVocoder(n_iter=32)
istft_vocoder = build_generator(HiFiGANConfig.istft_small()).eval()
course_vocoder = load_vocoder(verbose=False)

torch.set_num_threads(1)
with torch.no_grad():
    wave = speaker_model.synthesize(vits_tokens, seed=0, speaker=0)
    vits_seconds = wave.numel() / audio.SAMPLE_RATE
    mel = glow.synthesize(glow_tokens, seed=0)
    glow_seconds = mel.shape[-1] * audio.HOP_LENGTH / audio.SAMPLE_RATE
    rtf = {
        "VITS tiny (text → wave)": real_time_factor(lambda: speaker_model.synthesize(vits_tokens, seed=0, speaker=0),
                                                    vits_seconds, repeats),
        "Glow-TTS tiny (text → mel)": real_time_factor(lambda: glow.synthesize(glow_tokens, seed=0), glow_seconds, repeats),
        "  + Griffin-Lim 32 (mel → wave)": real_time_factor(lambda: griffin_lim(mel), glow_seconds, repeats),
        "  + iSTFT vocoder (mel → wave)": real_time_factor(lambda: istft_vocoder(mel[None]), glow_seconds, repeats),
    }
    if isinstance(course_vocoder, CourseVocoder):
        rtf["  + course vocoder (mel → wave)"] = real_time_factor(lambda: course_vocoder(mel), glow_seconds, repeats)
    if current_mode() != "smoke":  # a second of the 36 M-parameter model's audio per run: ≈ 10 s in all
        # untrained, its duration predictor gives ≈ 1 frame per token: length_scale stretches it to the tiny's length
        paper_vits.eval().remove_weight_norm()
        stretch = max(1.0, wave.numel() / audio.HOP_LENGTH / len(vits_tokens))
        folded = vits_tokens.clamp_max(paper_vits.config.n_vocab - 1)  # its table has 178 symbols: cost is the same
        paper_tokens = folded[None], torch.tensor([len(folded)])
        run_paper = lambda: paper_vits.infer(*paper_tokens, 0.667, 0.0, stretch, generator=torch.Generator().manual_seed(0))
        paper_seconds = float(run_paper().wave_lengths[0]) / audio.SAMPLE_RATE
        rtf["VITS paper size (random weights)"] = real_time_factor(run_paper, paper_seconds, repeats, warmup=0)
torch.set_num_threads(threads)
print(f"“{sentence}”: VITS {vits_seconds:.2f} s of audio, Glow-TTS {glow_seconds:.2f} s; one thread, median of {repeats}")
for name, value in rtf.items():
    print(f"{name:<36} RTF {value:.3f}  ({1 / value:5.1f}× real time)")
print(f"{'Glow-TTS + Griffin-Lim':<36} RTF {rtf['Glow-TTS tiny (text → mel)'] + rtf['  + Griffin-Lim 32 (mel → wave)']:.3f}")
print(f"{'Glow-TTS + iSTFT vocoder':<36} RTF {rtf['Glow-TTS tiny (text → mel)'] + rtf['  + iSTFT vocoder (mel → wave)']:.3f}")
if "  + course vocoder (mel → wave)" in rtf:
    print(f"{'Glow-TTS + course vocoder':<36} RTF "
          f"{rtf['Glow-TTS tiny (text → mel)'] + rtf['  + course vocoder (mel → wave)']:.3f}")
vits_rtf, glow_gl = rtf["VITS tiny (text → wave)"], rtf["Glow-TTS tiny (text → mel)"] + rtf["  + Griffin-Lim 32 (mel → wave)"]
print(f"\nmeasured: the tiny VITS runs {'faster' if vits_rtf < 1 else 'slower'} than real time on one thread "
      f"({1 / vits_rtf:.1f}×), {'faster' if vits_rtf < glow_gl else 'slower'} than Glow-TTS + Griffin-Lim "
      f"(RTF {vits_rtf:.3f} against {glow_gl:.3f})")

# %% [markdown]
# Read the last line against the claim. VITS has no mel-then-vocoder hand-off and no iterative
# phase search, so the tiny model's whole text → wave path competes with Glow-TTS's text → mel
# plus a vocoder. The paper-size model (its row above, outside smoke mode) costs many times the
# tiny one, and most of that is its HiFi-GAN decoder (the official ljs_base code measured RTF [1.08](../data/facts.json "vits_paper_inference_1thread.official_rtf")
# on one thread with `benchmarks/bench_vits.py --official`; the
# course's decoder runs channels-last, lesson 06 §4); an iSTFT decoder
# (MB-iSTFT-VITS's idea, used by `tiny()`) removes most of it. On a GPU the paper reports
# 67× faster than real time. So: where VITS is hard to run in real time, the paper's HiFi-GAN V1
# decoder (14.3 M of the generator's 36.3 M parameters) on a CPU is the reason, not VITS as such.
#
# ## What to try
# * Set `noise_scale` to 0 in the widget and press *resample z* several times. *Expect:* the
#   timing still changes (the durations are still sampled) but the voice becomes flatter and
#   identical for equal durations; then also set `noise_scale_w` to 0 — now every resample is
#   bit-identical.
# * Raise `noise_scale_w` to 1.5. *Expect:* rhythm that wanders — some phonemes drawn out,
#   some swallowed; the rows of the eight-sample figure (rerun it with
#   `sample_many(..., noise_scale_w=1.5)`) disagree much more in their segment lengths.
# * Convert a voice to every other speaker (`target_speaker` 0 … 4) and compare the pitch with
#   `pitch_contour`. *Expect:* the timing is untouched — the output has exactly the source's
#   frames, since the posterior reads the source — and the contour keeps its shape while its
#   range moves to the target voice's (`en-us+f1` and `en-us+f4` sit higher than the male
#   variants).
# * Move `pitch ×` to 0.5 and to 2 in the widget. *What to look for:* the mel's harmonics spread
#   apart or crowd together while the formants (the envelope's broad peaks) stay where they
#   were — the source moved, the filter did not. Far from 1 the voice sounds unnatural for the
#   same reason: a real voice an octave up also changes its vocal tract.
# * Train `live_config.replace(discriminator_start=0)` for the same number of steps.
#   *Expect:* each step about 1.5× slower (measured here: ≈ 1.9 s against ≈ 1.3 s on one
#   thread), so plot the mel term against `row["seconds"]` rather than the step — per CPU
#   second the warm-up learns the spectrum faster, which is why `tiny()` starts with one.
# * Run MAS on `out.z` instead of `out.z_p` (your `prior_log_likelihood`, then
#   `monotonic_alignment_search`) and score it with section 5's measure. *What to look for:*
#   the two paths differ — the text Gaussians are fitted to $z_p$, so the flow decides which
#   token each frame looks most likely under; whether $z_p$'s path is the closer to the truth
#   depends on how far the model has trained — score both paths on the model in hand.
#
# ## Summary
# * VITS = a conditional VAE: the **posterior** reads the linear spectrogram; the **prior** is
#   the text encoder *plus* the flow; **MAS on $z_p$** aligns (the flow does not); the decoder
#   is a GAN-trained generator on random 32-frame windows of $z$ (8192 samples).
# * The flow maps the posterior sample forward because that is where the prior's density must
#   be evaluated; with mean-only couplings $\log|\det| = 0$ and the KL needs no Jacobian.
# * The KL is logged as a one-sample estimate — it can go negative, its expectation cannot.
# * The stochastic duration predictor is a spline flow trained on a variational bound, with
#   dequantised integer durations; `noise_scale_w` samples the rhythm.
# * The loss: 45·mel L1 + KL + duration + adversarial + 2·feature matching (+ the
#   discriminators' LSGAN loss).
# * Speakers: one embedding conditions every part — which is what makes voice conversion a
#   flow there and back.
# * A frame-rate decoder that does not know the pitch repeats its frames and buzzes at the hop
#   rate, 86 Hz. The shipped model predicts F0 on the prior side and decodes with a
#   source-filter decoder given that pitch (phase locked to it): its voices keep their own
#   pitch, the pitch is a knob, and it trains without a discriminator.
# * On a CPU thread the tiny VITS is much faster than real time; the paper-size model is near
#   real time because of its HiFi-GAN decoder.
#
# **References.** Kim, Kong & Son 2021 (VITS, ICML); Durkan, Bekasov, Murray & Papamakarios
# 2019 (Neural Spline Flows); Ho et al. 2019 (Flow++: variational dequantisation); Kawamura et
# al. 2023 (MB-iSTFT-VITS); Kim et al. 2020 (Glow-TTS); Kong, Kim & Bae 2020 (HiFi-GAN).
