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
# # Lesson 03 — Latent z: the posterior, the prior, and a VAE that speaks
#
# VITS is, at heart, a **conditional VAE**: from the *audio* it infers a latent sequence z
# (the posterior q(z|x)), from the *text* it predicts a distribution over z (the prior
# p(z|y)), and a decoder turns z into sound. Training pulls the two together with the KL
# term of lesson 01; synthesis samples z from the text's prior with the trick of lesson 02.
#
# This lesson builds that structure in miniature — small enough to train on a CPU in
# minutes — and lets you **hear** what z holds.
#
# **Goals.** By the end you can
# 1. derive the conditional ELBO and say what each of its terms trains;
# 2. build the pieces: per-phoneme prior expanded to frames with durations, posterior
#    encoder, decoder, and the KL(q‖p) training term (an exercise);
# 3. compare reconstruction from the posterior with generation from the prior, and
#    control variety with the temperature;
# 4. find *where* in an utterance the model is uncertain (per-frame KL);
# 5. resample z in a widget and hear two samples of the same sentence back to back.
#
# **Time**: about 120 min — §1 5 min · §2 20 min · §3 15 min · §4 10 min · §5 10 min · §6 5 min · §7 10 min · §8 10 min · §9 10 min · §10 5 min · Try this 20 min
#
# **Glossary** (VITS code → here): `m_p, logs_p` → `prior_mean, prior_log_std`;
# `m_q, logs_q` → `posterior_mean, posterior_log_std`; `enc_q` → `posterior_encoder`;
# `enc_p` → `text_encoder`; `dec` → `decoder`; `attn` → `alignment`; `noise_scale` → `temperature`.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Audio, display
from torch.utils.data import DataLoader

from course_lib import audio, distributions, plots
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. Intuition
#
# Text does not determine speech: the same sentence can be said with many pitches,
# energies and timings. A deterministic text → mel model must average over those and
# sounds flat. A latent variable z gives the model somewhere to put "what the text does
# not say". Two networks describe z:
#
# * the **posterior encoder** looks at the real mel x and says *which* z explains it: q(z|x);
# * the **text encoder** looks only at the phonemes y and says which z are *plausible*: p(z|y).
#
# Training makes q(z|x) reconstruct x through the decoder, while KL(q‖p) keeps the
# posterior inside what the text can predict. At synthesis there is no audio, so we
# sample z ~ p(z|y) and decode — a plausible, new rendition of the sentence.

# %% [markdown]
# ## 2. The math: the conditional ELBO
#
# The model: the text gives a prior p(z|y), and the decoder gives p(x|z) — it sees z only, not
# the text. We want to maximise $\log p(x\,|\,y)$ with $p(x|y) = \int p(x|z)\,p(z|y)\,dz$, but
# the integral over every z is intractable, and so is the true posterior
# $p(z|x,y) = p(x|z)\,p(z|y)/p(x|y)$. The posterior encoder's q(z|x) stands in for it.
#
# ### Exercise — derive the bound (pen and paper)
# Given the model and *any* distribution q(z|x), write $\log p(x|y)$ as terms we can compute —
# from the decoder, the prior and q — plus a remainder, and decide whether the remainder may be
# dropped. Three steps:
#
# 1. $\log p(x|y)$ does not depend on z, so it equals its own average under $q(z|x)$.
# 2. Inside that average, replace $p(x|y)$ using Bayes' rule for the true posterior above.
# 3. Multiply and divide by $q(z|x)$ inside the log and split the average into three. Two of
#    the three are KL divergences (lesson 01). One of them needs the true posterior: what
#    sign does it have, and what does dropping it do to the equation?
#
# <details><summary><b>The derivation</b> — click to reveal</summary>
#
# $$\log p(x|y) = \mathbb E_{q(z|x)}\Big[\log \frac{p(x|z)\,p(z|y)}{p(z|x,y)}\Big]
#  = \mathbb E_{q}\Big[\log p(x|z) + \log\frac{p(z|y)}{q(z|x)} + \log\frac{q(z|x)}{p(z|x,y)}\Big]$$
#
# $$\qquad = \mathbb E_{q}\big[\log p(x|z)\big] - \mathrm{KL}\big(q(z|x)\,\|\,p(z|y)\big)
#  + \mathrm{KL}\big(q(z|x)\,\|\,p(z|x,y)\big).$$
#
# The last KL needs the true posterior, so it cannot be computed — but it is never negative.
# Dropping it leaves a **lower bound**, the evidence lower bound (ELBO), and the gap is exactly
# how far q is from the true posterior. Raising the bound by training q therefore pulls q
# towards p(z|x,y): that is why q is the *approximate posterior*. The prior is not an
# approximation of anything: it is part of the model, the distribution synthesis draws z from,
# and the KL term trains it as much as it trains q. (Jensen's inequality,
# $\log\mathbb E \ge \mathbb E\log$, gives the same bound in one line, but hides the gap.)
#
# </details>
#
# The bound (Sohn et al. 2015; VITS eq. 1), with its two terms named:
#
# $$\log p(x|y) \;\ge\; \underbrace{\mathbb E_{q(z|x)}\big[\log p(x|z)\big]}_{\text{reconstruction}}
#  \;-\; \underbrace{\mathrm{KL}\big(q(z|x)\,\|\,p(z|y)\big)}_{\text{posterior vs prior}}.$$
#
# Three modelling choices make each term concrete:
#
# * **Frames and durations.** z is a sequence $[C_z, T_\text{mel}]$, one vector per mel frame.
#   The text encoder gives one Gaussian per *phoneme*; the built-in corpus' true durations
#   (lesson 00) repeat it over that phoneme's frames. VITS learns this alignment with
#   monotonic alignment search (lesson 07); here it is given, so the lesson is about z only.
# * **Reconstruction.** A Laplace likelihood $p(x|z) \propto e^{-|x - \hat x|}$ on normalised
#   log-mels makes $-\log p(x|z)$ an L1 loss, summed over the 80 mel bins of each frame
#   (VITS also uses an L1 mel loss).
# * **KL.** Both q and p are diagonal Gaussians per frame, so the KL is lesson 01's closed
#   form, summed over latent channels and averaged over real (unpadded) frames.
#   VITS inserts a normalizing flow between q and p (lesson 11), loses the closed form, and uses the
#   single-sample estimate instead — which is why its logged KL can be negative.
#
# A small **duration predictor** (Glow-TTS style, trained on the detached text features)
# lets us speak text the corpus never contained.

# %% [markdown]
# ## 3. The pieces, step by step
#
# Data: the built-in corpus — sentences spoken by eSpeak NG, with the phonemes it spoke
# and their durations in frames.

# %%
from course_lib.data import LengthBucketSampler, TextMelDataset, ensure_corpus, load_corpus
from course_lib.models import cvae as cvae_lib
from course_lib.models.cvae.train import RECIPE as CVAE
from course_lib.models.cvae.train import CvaeTask

corpus = load_corpus(ensure_corpus())
train_set = TextMelDataset(corpus.split("train"), cache_mels=True)
test_set = TextMelDataset(corpus.split("test"))
tokenizer = train_set.tokenizer
print(f"{len(train_set)} training and {len(test_set)} held-out utterances; {tokenizer.n_vocab} symbols")

batch = train_set.collate([train_set[i] for i in range(4)])
print("tokens", tuple(batch.tokens.shape), " durations", tuple(batch.durations.shape),
      " mels", tuple(batch.mels.shape), " mel_lengths", batch.mel_lengths.tolist())

# %% [markdown]
# **Durations → alignment → frame-level prior.** `durations_to_alignment` turns frames
# per phoneme into a 0/1 matrix $A$ `[B, T_text, T_mel]`; multiplying per-phoneme
# statistics `[B, C, T_text]` by it repeats each phoneme's Gaussian over its frames.

# %%
alignment = cvae_lib.durations_to_alignment(batch.durations, batch.mels.shape[2])
print("alignment", tuple(alignment.shape), "— each real frame belongs to exactly one phoneme:",
      bool((alignment.sum(1)[0, : batch.mel_lengths[0]] == 1).all()))
phonemes0 = corpus.split("train")[0].phonemes
fig, ax = plt.subplots(1, 2, figsize=(12, 3))
plots.plot_alignment(alignment[0, : len(phonemes0), : batch.mel_lengths[0]], ax=ax[0],
                     title="alignment from true durations")
plots.plot_durations(batch.mels[0, :, : batch.mel_lengths[0]], phonemes0, batch.durations[0, : len(phonemes0)].tolist(),
                     ax=ax[1], title=corpus.split("train")[0].text[:60])
fig.tight_layout()
plt.show()

# %% [markdown]
# **The four networks** (`course_lib/models/cvae/model.py`): `text_encoder` (embedding + residual
# convs → prior statistics per phoneme), `posterior_encoder` (mel → posterior statistics per
# frame), `decoder` (dilated convs, z → mel) and `duration_predictor`. One forward pass on
# the batch, with the shapes at every boundary:

# %%
import dataclasses

from course_lib.models.summary import param_summary

config = pick(smoke=cvae_lib.CvaeConfig.tiny(), default=cvae_lib.CvaeConfig.tiny(), full=cvae_lib.CvaeConfig.small())
config = dataclasses.replace(config, n_vocab=tokenizer.n_vocab)
model = cvae_lib.build(config)
print(param_summary(model))
out = model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, batch.durations)
for name in ("prior_mean", "prior_log_std", "posterior_mean", "posterior_log_std", "latent", "mel", "log_durations"):
    print(f"{name:18s}", tuple(getattr(out, name).shape))
losses = model.losses(out, batch.mels, batch.durations)
print({k: round(v, 2) for k, v in losses.as_dict().items()}, "(untrained)")

# %% [markdown]
# ### Exercise — the KL(q‖p) training term
# Write `kl_term(posterior_mean, posterior_log_std, prior_mean, prior_log_std, mel_mask)`:
# the closed-form KL at every element (you may use `distributions.kl_gaussians`, or your
# lesson 01 solution), **masked**, summed over latent channels and averaged over real frames
# (`mel_mask` is `[B, 1, T]`). The check feeds padding full of garbage, so forgetting the mask shows.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson03 import check_kl_term, reference_kl_term


def kl_term(posterior_mean, posterior_log_std, prior_mean, prior_log_std, mel_mask):
    # YOUR CODE HERE (2–3 lines)
    raise NotImplementedError


check_kl_term(kl_term)

# %%
show_solution(reference_kl_term)

# %% [markdown]
# The library's version is `distributions.kl_per_frame_loss(kl, mask)`; the model's
# `losses()` uses it. The same number, from the forward pass above:

# %%
library_kl = distributions.kl_per_frame_loss(
    distributions.kl_gaussians(out.posterior_mean, out.posterior_log_std, out.prior_mean, out.prior_log_std),
    out.mel_mask)
print(f"library KL term {library_kl:.4f} == model.losses().kl {losses.kl:.4f}")

# %% [markdown]
# ## 4. Train it
#
# The course trainer (`course_lib.training.Trainer`) runs the model's task: one Adam
# update per step on `reconstruction + KL + duration`. Batches group utterances of similar
# length so little time goes to padding.

# %%
from course_lib.training import TrainConfig, Trainer, plot_history

train_steps = pick(smoke=8, default=300, full=20_000)
print(f"{train_steps} steps: " + pick(smoke="a few seconds", default="≈ 2 min on a 2-core laptop CPU",
                                     full="≈ 2 h on a CPU, minutes on a GPU"))
loader = DataLoader(train_set, batch_sampler=LengthBucketSampler(train_set.mel_lengths, batch_size=16, seed=0),
                    collate_fn=train_set.collate)
torch.manual_seed(0)
model = cvae_lib.build(config)
trainer = Trainer(CvaeTask(model),
                  TrainConfig(steps=train_steps, grad_clip_norm=5.0, log_every=max(1, train_steps // 40),
                              checkpoint_every=None))
history = trainer.fit(loader)
model.eval()
fig, ax = plt.subplots(1, 3, figsize=(13, 3))
for axis, key in zip(ax, ("reconstruction", "kl", "duration")):
    plot_history(history, [f"cvae/{key}"], ax=axis)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Two models to listen to.** Yours, trained just now, and — when the course ships one —
# the same tiny configuration trained for 1,000 steps (`data/checkpoints/cvae_tiny.pt`).
# Section 5 plays both side by side; the rest of the lesson plays the one named by
# `playing` and says so. By default that is the shipped model, except in `full` mode where
# yours has trained far longer; set `playing = "yours"` (or `"shipped"`) and rerun from
# section 5 to switch.

# %%
from course_lib.paths import CHECKPOINT_DIR

shipped = CHECKPOINT_DIR / "cvae_tiny.pt"
candidates = {"yours": (model, f"the model you trained above, {train_steps} steps")}
if shipped.exists():
    candidates["shipped"] = (CVAE.load(shipped),
                             f"{shipped.name}, 1,000 steps (retrain: python -m course_lib train cvae "
                             "--config tiny --out runs/cvae --steps 1000)")
playing = "shipped" if "shipped" in candidates and current_mode() != "full" else "yours"
for key, (_, description) in candidates.items():
    print(f"{key:8s}: {description}")

# %% [markdown]
# ## 5. Posterior vs prior: reconstruction and generation
#
# First the A/B: the same held-out sentence generated from the text alone by each model.
# Then, for the model that is `playing`: (a) the ground truth; (b) the decoder fed the
# posterior mean — what the autoencoder can do when it sees the audio; (c) the decoder fed a
# sample from the prior — speech generated from the text alone (true durations, so the
# timing matches and the mels can be compared frame by frame).

# %%
from course_lib.vocoder import load_vocoder

vocoder = load_vocoder()
held_out = test_set.collate([test_set[0]])
record = corpus.split("test")[0]
for key, (candidate, description) in candidates.items():
    with torch.no_grad():
        mel = candidate.synthesize(held_out.tokens, durations=held_out.durations, temperature=0.667,
                                   generator=torch.Generator().manual_seed(0)).mel[0]
    print(f"{key} — {description}: mel L1 to the recording {(mel - held_out.mels[0]).abs().mean():.3f}")
    display(Audio(np.clip(vocoder(mel).numpy(), -1, 1), rate=audio.SAMPLE_RATE, normalize=False))

model, description = candidates[playing]
print(f"\nplaying from here on: {playing} — {description}")

# %%
with torch.no_grad():
    full_mask = torch.ones(1, 1, held_out.mels.shape[2])  # one utterance: no padding
    posterior_mean, _ = model.posterior_encoder(model.normalize(held_out.mels), full_mask)
    reconstruction = model.denormalize(model.decoder(posterior_mean, full_mask))
    generated = model.synthesize(held_out.tokens, durations=held_out.durations, temperature=0.667,
                                 generator=torch.Generator().manual_seed(0))
fig, ax = plt.subplots(3, 1, figsize=(11, 7))
for axis, mel, title in ((ax[0], held_out.mels[0], f"ground truth: {record.text}"),
                         (ax[1], reconstruction[0], "reconstruction from the posterior mean  q(z|x)"),
                         (ax[2], generated.mel[0], "generated from the prior  z ~ p(z|y), τ = 0.667")):
    plots.plot_durations(mel, record.phonemes, record.durations, ax=axis, title=title)
fig.tight_layout()
plt.show()
for mel in (held_out.mels[0], reconstruction[0], generated.mel[0]):
    display(Audio(np.clip(vocoder(mel).numpy(), -1, 1), rate=audio.SAMPLE_RATE, normalize=False))

# %% [markdown]
# ## 6. Temperature
#
# Sampling $z = \mu_p + \tau\,\sigma_p\,\varepsilon$: τ = 0 decodes the prior mean (the
# "average" rendition, often smooth and flat), τ = 1 samples the prior as trained, and
# values in between trade variety for clarity (VITS uses 0.667).

# %%
temperatures = (0.0, 0.667, 1.0)
fig, ax = plt.subplots(len(temperatures), 1, figsize=(11, 6.5))
for axis, tau in zip(ax, temperatures):
    sample = model.synthesize(held_out.tokens, durations=held_out.durations, temperature=tau,
                              generator=torch.Generator().manual_seed(1))
    plots.plot_mel(sample.mel[0], ax=axis, title=f"τ = {tau}", colorbar=False)
    display(Audio(np.clip(vocoder(sample.mel[0]).numpy(), -1, 1), rate=audio.SAMPLE_RATE, normalize=False))
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 7. Where is the model uncertain? The per-frame KL
#
# KL(q‖p) at each frame measures how much the audio told the posterior that the text did
# not: high where the realisation is hard to predict from phonemes alone, low where the
# text says it all.
#
# *Think!* In which frames do you expect the sharpest peaks: vowels, fricatives, the silences
# of stop closures, pauses? Predict, then run the cell.

# %%
with torch.no_grad():
    single = model(held_out.tokens, held_out.token_lengths, held_out.mels, held_out.mel_lengths, held_out.durations)
kl_frames = single.kl_per_frame()[0]  # [T_mel] nats
fig, ax = plt.subplots(2, 1, figsize=(11, 5), sharex=True)
plots.plot_durations(held_out.mels[0], record.phonemes, record.durations, ax=ax[0], title="ground truth")
ax[1].plot(kl_frames.numpy())
ax[1].set_ylabel("KL(q‖p), nats/frame")
ax[1].set_xlabel("frame")
fig.tight_layout()
plt.show()
per_phoneme = torch.split(kl_frames, record.durations)
ranked = sorted(zip([float(k.mean()) for k in per_phoneme], record.phonemes), reverse=True)
print("highest mean KL per frame:", [(p, round(k, 2)) for k, p in ranked[:6]])
print("lowest:", [(p, round(k, 2)) for k, p in ranked[-6:]])

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# In a trained model the sharp peaks sit on the short silences of stop closures and on
# pauses: a per-phoneme prior cannot pin down their exact onset and depth, so the audio tells
# the posterior a lot there. They are the same frames where prior samples differ most
# (section 8).
#
# </details>

# %% [markdown]
# ## 8. Several samples of one sentence
#
# Same text, same durations, different z: overlay the frame energy (log-mel summed over
# bins) and a pitch track (YIN on the vocoded audio, kept where YIN finds a period in
# 70–300 Hz), and plot where the samples' mels differ most (standard deviation across samples).

# %%
import librosa

n_samples = pick(smoke=2, default=4, full=6)
fig, ax = plt.subplots(3, 1, figsize=(11, 7), sharex=True)
sample_mels = []
for seed in range(n_samples):
    mel = model.synthesize(held_out.tokens, durations=held_out.durations, temperature=0.667,
                           generator=torch.Generator().manual_seed(seed)).mel[0]
    sample_mels.append(mel)
    wave = vocoder(mel).numpy()
    f0 = librosa.yin(wave, fmin=70, fmax=400, sr=audio.SAMPLE_RATE, frame_length=1024, hop_length=audio.HOP_LENGTH)
    f0 = np.where(f0 < 300, f0, np.nan)[: mel.shape[1]]  # YIN reports ~fmax where it finds no period
    ax[0].plot(mel.exp().sum(0).log().numpy(), label=f"seed {seed}", alpha=0.8)
    ax[1].plot(f0, ".", markersize=3, alpha=0.8)
ax[0].plot(held_out.mels[0].exp().sum(0).log().numpy(), "k--", label="ground truth", linewidth=1)
ax[0].set_ylabel("log energy")
ax[0].legend(fontsize=8, ncol=3)
ax[1].set_ylabel("F0 (Hz, YIN)")
ax[2].plot(torch.stack(sample_mels).std(dim=0).mean(dim=0).numpy())
ax[2].set_ylabel("mel std across samples")
ax[2].set_xlabel("frame")
fig.tight_layout()
plt.show()
print(f"pairwise mean |mel_a − mel_b| between these samples: {cvae_lib.pairwise_mel_spread(sample_mels):.3f}")

# %% [markdown]
# *Think!* These samples vary the sentence by drawing z from the **prior**. This sentence has a
# recording, so it also has a posterior q(z|x): we could draw z from that instead. Would those
# samples differ from one another more or less than the prior's, and would they sound like new
# renditions or like the recording? Which of the two can a TTS system use at all? Predict, then
# run the cell: it draws as many samples from the posterior, at the same temperature.

# %%
with torch.no_grad():
    posterior_mean, posterior_log_std = model.posterior_encoder(model.normalize(held_out.mels), full_mask)
    posterior_mels = [model.denormalize(model.decoder(distributions.reparameterize(
        posterior_mean, posterior_log_std, 0.667, torch.Generator().manual_seed(seed)), full_mask))[0]
        for seed in range(n_samples)]
print(f"mean σ of z over the sentence: posterior {posterior_log_std.exp().mean():.3f}, "
      f"prior {single.prior_log_std.exp().mean():.3f}")
for name, mels in (("prior      z ~ p(z|y)", sample_mels), ("posterior  z ~ q(z|x)", posterior_mels)):
    to_recording = sum(float((mel - held_out.mels[0]).abs().mean()) for mel in mels) / len(mels)
    print(f"{name}: spread between samples {cvae_lib.pairwise_mel_spread(mels):.3f}, "
          f"mean L1 to the recording {to_recording:.3f}")
for mel in posterior_mels[:2]:
    display(Audio(np.clip(vocoder(mel).numpy(), -1, 1), rate=audio.SAMPLE_RATE, normalize=False))

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# A TTS system cannot use the posterior at all: it is asked to say sentences nobody has
# recorded, so there is no x to encode, and the prior is the only distribution over z it has.
# That is why this lesson (and VITS) samples the prior. Where a recording exists, posterior
# samples stay close to it: q(z|x) sees the audio, so it is narrow wherever the audio pins z
# down — compare the two σ's above. Its samples differ less from one another and sound like
# the recording with small changes, a way to vary one recording, not to make new renditions.
#
# </details>

# %% [markdown]
# ## 9. How good is it? Figures on held-out sentences
#
# Mel L1 to the ground truth (mean over frames × 80 bins, log-mel units) on the test split,
# with true durations, and the spread between samples. For scale: predicting the corpus'
# mean log-mel everywhere scores ≈ 2.
#
# *Think!* Rank the three L1 figures before you run the cell: decoded from the posterior mean,
# from the prior mean (τ = 0), from a prior sample (τ = 0.667). Which is lowest, and does the
# sample, which sounds livelier than the flat τ = 0 rendition (section 6), score better or worse
# than the prior mean?

# %%
test_loader = DataLoader(test_set, batch_size=16, collate_fn=test_set.collate)
if current_mode() == "smoke":
    test_loader = [next(iter(test_loader))]
metrics = cvae_lib.heldout_metrics(model, test_loader, temperature=0.667)
print(f"{metrics.n_utterances} held-out utterances, τ = {metrics.temperature}")
print(f"  mel L1, decoded from the posterior mean : {metrics.posterior_l1:.3f}")
print(f"  mel L1, decoded from the prior mean     : {metrics.prior_mean_l1:.3f}")
print(f"  mel L1, decoded from a prior sample     : {metrics.sample_l1:.3f}")
print(f"  spread between samples (pairwise L1)    : {metrics.sample_spread:.3f}")

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# For a trained model: posterior mean < prior mean < prior sample. The posterior mean is
# lowest because the decoder gets a z inferred from this very recording. The prior mean beats
# the sample although it sounds flatter: a sample adds variation the one recording need not
# share, and L1 to that recording charges every departure from it. L1 to a single recording
# rewards the average rendition; it cannot tell a flat rendition from a plausible, different
# one — which is why sections 8 and 10 ask you to listen.
#
# </details>

# %% [markdown]
# ## 10. Resample z — and hear it
#
# Type any sentence (the duration predictor times it), pick a temperature, and press
# **resample z** for a new draw; **A/B** plays two samples back to back. At τ = 0 every
# press gives the same audio; raise τ and listen to the variation grow.

# %%
from course_lib.widgets.lesson03 import latent_sampler

sampler = latent_sampler(model, text="Speech has many possible renditions.", vocoder=vocoder)
sampler.ui

# %% [markdown]
# ## Try this
# * Set `kl_weight` in the config to 0.1 or 10 (`CvaeConfig(..., kl_weight=…)`) and retrain:
#   how do reconstruction, prior-sample quality and sample spread change? (Lesson 02's β.)
#   *Expect* (default mode, 300 steps, 16 held-out sentences, τ 0.667 — section 9's figures):
#
#   | kl_weight | posterior L1 | prior-sample L1 | spread |
#   |---|---|---|---|
#   | 0.1 | 0.341 | 1.135 | 0.712 |
#   | 1 | 0.392 | 1.004 | 0.592 |
#   | 10 | 0.578 | 0.882 | 0.463 |
#
#   A lighter KL lets the posterior carry more (better reconstruction) but the prior no longer
#   matches it (worse, more varied samples); a heavier one does the reverse — lesson 02's β trade.
# * Give the decoder a smaller receptive field (`decoder_dilations=(1, 1, 1)`): do prior
#   samples get noisier? Why might a per-frame independent z need a decoder with context?
#   (VITS' flow is another answer.) *Expect:* at 300 steps the figures barely move (posterior
#   0.381, prior sample 0.998, spread 0.600 against 0.392 / 1.004 / 0.592) — frame-by-frame L1
#   cannot hear frame-to-frame jitter, so listen to the samples rather than read the numbers.
# * In the widget, type a question ("Is it raining?") and compare with the statement.
#   *What to look for:* 232 of the 1,350 training sentences (default corpus) are questions,
#   which eSpeak speaks with a rising end; whether the tiny model learned that rise from the
#   phonemes alone, the last word tells you.
# * Sort phonemes by their mean per-frame KL over the whole test split: which classes are hardest?
#   *What to look for:* section 7's single sentence already puts pauses and stop closures at
#   the top; over the split, check whether vowels or consonants dominate the bottom.
#
# ## Summary
# * A conditional VAE bounds $\log p(x|y)$ by reconstruction − KL(q(z|x) ‖ p(z|y)); VITS
#   is this model with a flow, learned alignment and a waveform decoder.
# * The prior is per phoneme, expanded to frames by durations; the posterior is per frame.
# * Reconstruction (posterior) is sharper than generation (prior): the gap is what the
#   text cannot say, and the per-frame KL shows where it lives.
# * Temperature scales the prior's noise: τ = 0 gives one flat rendition, larger τ more variety.
#
# ## References
# * K. Sohn, H. Lee, X. Yan. *Learning Structured Output Representation using Deep
#   Conditional Generative Models*, NeurIPS 2015 (the conditional VAE).
# * J. Kim, J. Kong, J. Son. *VITS*, ICML 2021 — §2.1 (variational inference), eq. 1–3.
# * J. Kim et al. *Glow-TTS*, NeurIPS 2020 — §3.3 (duration predictor).
# * Code: `course_lib/models/cvae/`, `course_lib/distributions.py`,
#   `course_lib/widgets/lesson03.py`, `course_lib/checks/lesson03.py`.
