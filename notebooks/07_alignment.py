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
# # Lesson 07 — Alignment: monotonic alignment search
#
# A sentence has ~50 phonemes; its recording has ~350 mel frames. Which frames belong to
# which phoneme? The built-in corpus knows (eSpeak tells us), but real recordings do not,
# and a TTS model must learn it. Glow-TTS and VITS find it with **monotonic alignment
# search** (MAS): a dynamic programme that, given how well every frame fits every phoneme,
# returns the best alignment that reads the text in order.
#
# **Goals.** By the end you can
# 1. say why TTS needs a hard, monotonic alignment and what MAS maximises;
# 2. derive the Glow-TTS log-likelihood matrix that feeds MAS (the four-term split);
# 3. derive the MAS recurrence, draw it cell by cell, and implement it (exercise);
# 4. see why the compiled version matters, and turn a path into durations (and back);
# 5. run MAS on real speech and measure how often it picks the true phoneme.
#
# **Time**: about 85 min — §1 3 min · §2 10 min · §3 25 min · §4 3 min · §5 3 min · §6 10 min · §7 5 min · §8 10 min · What to try 15 min
#
# **Glossary** (Glow-TTS code → here): `logp` → `log_likelihood [B, T_text, T_mel]`;
# `attn` → `alignment` / `path`; `maximum_path` → `monotonic_alignment_search`;
# `generate_path` → `path_from_durations`; `w`, `logw_` → `durations`, `log_duration_target`;
# `x_m, x_logs` → `prior_mean, prior_log_std`.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from course_lib import alignment, plots
from course_lib.mode import current_mode, pick
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. Why alignment
#
# Training a text → mel model needs to know which phoneme produced each frame: Glow-TTS'
# prior puts a Gaussian on every frame, *the one of its phoneme*. Soft attention (Tacotron)
# learns this implicitly and sometimes skips or repeats words. Speech, however, reads text
# **in order**: frame by frame, the phoneme index never goes back, never jumps ahead, and
# every phoneme is spoken for at least one frame. An alignment is therefore a 0/1 matrix
# $A$ `[T_text, T_mel]` with exactly one 1 per column whose row index rises by 0 or 1 per
# frame. MAS picks, among all such $A$, the one maximising
# $\sum_j \log \mathcal N\big(z_j;\, \mu_{a(j)}, \sigma_{a(j)}\big)$ (Glow-TTS eq. 4).

# %% [markdown]
# ## 2. The log-likelihood matrix — and the split that confuses everyone
#
# MAS needs $L_{ij} = \log \mathcal N(z_j; \mu_i, \mathrm{diag}\,\sigma_i^2)$ for **every**
# token $i$ and frame $j$. Written directly that is a `[B, C, T_text, T_mel]` tensor — large.
# Expand the square instead, summing over channels $c$:
#
# $$ L_{ij} = \underbrace{\sum_c \Big(-\tfrac12\log 2\pi - \log\sigma_{ic}\Big)}_{\text{per token}}
#   \;\underbrace{-\;\tfrac12\sum_c \sigma_{ic}^{-2}\, z_{jc}^2}_{(\sigma^{-2})^\top (z^2)}
#   \;+\;\underbrace{\sum_c \mu_{ic}\sigma_{ic}^{-2}\, z_{jc}}_{(\mu\sigma^{-2})^\top z}
#   \;\underbrace{-\;\tfrac12\sum_c \mu_{ic}^2\sigma_{ic}^{-2}}_{\text{per token}} .$$
#
# Two terms are matrix products `[T_text, C] @ [C, T_mel]`, two are per-token constants
# broadcast over frames — Glow-TTS' `logp1 … logp4`. Nothing here is an approximation; it
# is the same number, computed without the big tensor. It runs without gradient: MAS only
# *chooses* $A$; the loss then uses $A$ as a constant.

# %%
z = torch.randn(1, 5, 8)  # [B, C, T_mel]
prior_mean, prior_log_std = torch.randn(1, 5, 3), 0.3 * torch.randn(1, 5, 3)  # [B, C, T_text]
split = alignment.gaussian_log_likelihood_matrix(z, prior_mean, prior_log_std)  # [B, T_text, T_mel]
direct = torch.distributions.Normal(prior_mean.unsqueeze(-1), prior_log_std.exp().unsqueeze(-1)).log_prob(
    z.unsqueeze(2)).sum(1)  # [B, C, T_text, T_mel] summed over C
print("shape", tuple(split.shape), " max |split − direct| =", float((split - direct).abs().max()))

# %% [markdown]
# *Think!* MAS picks the path by an argmax, without gradient, and the loss then treats $A$ as a
# constant. Does training lose part of its gradient by not differentiating through the choice
# of $A$?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# No. A small change of $L$ leaves the best path where it is — a path is a discrete choice,
# and it switches only at ties — so its derivative with respect to $L$ is zero almost
# everywhere: there is nothing to lose. Put another way, the best total MAS finds,
# $\max_A \sum_{ij} A_{ij} L_{ij}$, has the chosen $A$ itself as its gradient with respect to $L$
# (Danskin's theorem), and that is exactly the gradient the loss gets with $A$ held constant.
# The model learns to align indirectly: each step raises the likelihood along the current
# path, which reshapes $L$, and the next step's MAS may choose another path. Section 8 runs
# that loop.
#
# </details>

# %% [markdown]
# ## 3. The recurrence
#
# Let $Q_{ij}$ be the best score of frames $0..j$ with frame $j$ on token $i$. Frame $j-1$
# was either on the same token (stay) or on the previous one (advance), so
#
# $$ Q_{0,0} = L_{0,0}, \qquad Q_{ij} = L_{ij} + \max\big(Q_{i,j-1},\; Q_{i-1,j-1}\big) .$$
#
# Only cells with $i \le j \le T_\text{mel} - T_\text{text} + i$ are reachable (enough frames
# before, for tokens $0..i-1$, and after, for the rest): a diagonal **band**. The best
# path ends at $(T_\text{text}-1, T_\text{mel}-1)$; walk back frame by frame, stepping to the
# previous token when it holds the larger $Q$ (or when forced, $i = j$). Cost:
# $O(T_\text{text} \cdot T_\text{mel})$ instead of the $\binom{T_\text{mel}-1}{T_\text{text}-1}$ paths
# of brute force.
#
# Here is the table on a small example: three well separated "phonemes", 12 frames.

# %%
true_durations = [3, 5, 4]
frame_token = np.repeat(np.arange(3), true_durations)
rng = np.random.default_rng(7)
small_ll = -((np.arange(3)[:, None] - frame_token[None, :]) ** 2) * 2.0 + 0.5 * rng.standard_normal((3, 12))
small_ll = small_ll.astype(np.float32)
table = alignment.best_path_scores(small_ll)
path = alignment.backtrack(table)
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
for ax, matrix, title in ((axes[0], small_ll, "log-likelihood L[i, j]"), (axes[1], table, "best score Q[i, j] (blank: outside band)")):
    ax.imshow(np.where(np.isfinite(matrix), matrix, np.nan), origin="lower", aspect="auto", cmap="viridis")
    for i in range(3):
        for j in range(12):
            if np.isfinite(matrix[i, j]):
                ax.text(j, i, f"{matrix[i, j]:.1f}", ha="center", va="center", fontsize=7,
                        color="red" if path[i, j] else "white")
    ax.set(title=title, xlabel="frame j", ylabel="token i")
plt.tight_layout()
plt.show()
print("durations found:", path.sum(1).tolist(), " true:", true_durations)

# %% [markdown]
# ### Exercise — implement MAS
# Write `mas(log_likelihood)` for one utterance: `log_likelihood [T_text, T_mel]` (a numpy
# array, `T_mel ≥ T_text`) → 0/1 `path` of the same shape. Fill $Q$ on the band, then
# backtrack. The check compares with brute force on 3 × 7 and with the library on 12 × 40.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson07 import check_mas, solution_mas


def mas(log_likelihood):
    # YOUR CODE HERE (about 15 lines)
    raise NotImplementedError


check_mas(mas)

# %%
show_solution(solution_mas)

# %% [markdown]
# ## 4. The fast version
#
# Training runs MAS on every batch. `course_lib.alignment` has two implementations with
# bit-identical paths: `maximum_path_reference` (the loops above, in Python) and
# `maximum_path_fast`, the same recurrence compiled by numba, one utterance per thread,
# sweeping the band frame by frame so the inner loop has no dependency chain.

# %%
batch, t_text, t_mel = pick(smoke=(4, 60, 400), default=(16, 100, 800), full=(16, 100, 800))
values = np.random.default_rng(0).standard_normal((batch, t_text, t_mel)).astype(np.float32)
lengths_text, lengths_mel = np.full(batch, t_text), np.full(batch, t_mel)
alignment.maximum_path_fast(values, lengths_text, lengths_mel)  # compile / load the cache
timings = {}
for name, fn in (("reference (Python)", alignment.maximum_path_reference), ("fast (numba)", alignment.maximum_path_fast)):
    start = time.perf_counter()
    result = fn(values, lengths_text, lengths_mel)
    timings[name] = time.perf_counter() - start
    print(f"{name:20s} {timings[name] * 1e3:9.2f} ms")
print("identical paths:", np.array_equal(alignment.maximum_path_reference(values, lengths_text, lengths_mel), result))

# %% [markdown]
# ## 5. Durations, and the duration predictor
#
# A path *is* a list of durations: the number of frames per token (`durations_from_path`);
# and durations give back the path (`path_from_durations`, used at synthesis, where there is
# no audio to align). Glow-TTS trains a small convolutional **duration predictor** to regress
# $\log d$ from the (detached) text encoding — at synthesis it says how long each phoneme
# lasts, and `length_scale` stretches all of them.

# %%
durations = alignment.durations_from_path(torch.from_numpy(path[None]).float())
rebuilt = alignment.path_from_durations(durations, torch.ones(1, 1, 3), torch.ones(1, 1, 12))
print("durations", durations.tolist(), " round trip exact:", bool((rebuilt[0].numpy() == path).all()))

# %% [markdown]
# ## 6. MAS on real speech
#
# The built-in corpus has true durations, so we can measure MAS. We need a likelihood: the
# simplest acoustic model gives every phoneme symbol one mean log-mel frame (averaged over
# the training split with the true durations) and unit variance on standardised mels. MAS
# then aligns held-out sentences against those means; **alignment accuracy** is the share of
# frames it gives to the right phoneme. A trained Glow-TTS does the same with its own
# prior and flow (if a shipped checkpoint is present it is measured too).
#
# *Think!* The means were fitted with the true durations, and MAS finds the exact best path
# under them. Will it put every frame on the right phoneme? If not, where do you expect the
# misses? Predict, then run the cell.

# %%
from course_lib.data import TextMelDataset, ensure_corpus, load_corpus

corpus = load_corpus(ensure_corpus())
train_items = TextMelDataset(corpus.split("train").utterances[: pick(smoke=40, default=400, full=1000)],
                             tokenizer=corpus.tokenizer)
held_out = TextMelDataset(corpus.split("test").utterances[: pick(smoke=3, default=20, full=50)] or
                          corpus.split("val").utterances[:3], tokenizer=corpus.tokenizer)
items = [train_items[i] for i in range(len(train_items))]
all_frames = torch.cat([item.mel for item in items], 1)
mel_mean, mel_std = all_frames.mean(1, keepdim=True), all_frames.std(1, keepdim=True)

n_vocab = corpus.tokenizer.n_vocab
sums, counts = torch.zeros(n_vocab, 80), torch.zeros(n_vocab)
for item in items:
    frame_tokens = torch.repeat_interleave(item.tokens, item.durations)  # the true token of every frame
    sums.index_add_(0, frame_tokens, ((item.mel - mel_mean) / mel_std).T)
    counts.index_add_(0, frame_tokens, torch.ones(len(frame_tokens)))
token_means = sums / counts.clamp_min(1).unsqueeze(1)  # [n_vocab, 80]


def accuracy_and_path(item, symbol_means=None):
    symbol_means = token_means if symbol_means is None else symbol_means
    mel = ((item.mel - mel_mean) / mel_std).unsqueeze(0)  # [1, 80, T_mel]
    means = symbol_means[item.tokens].T.unsqueeze(0)  # [1, 80, T_text]
    log_likelihood = alignment.gaussian_log_likelihood_matrix(mel, means, torch.zeros_like(means))
    found = alignment.monotonic_alignment_search(log_likelihood, torch.ones(1, 1, means.shape[-1]),
                                                 torch.ones(1, 1, mel.shape[-1]))[0]
    true_tokens = torch.repeat_interleave(torch.arange(len(item.tokens)), item.durations)
    return float((found.argmax(0) == true_tokens).float().mean()), found


results = [accuracy_and_path(held_out[i]) for i in range(len(held_out))]
accuracies = [acc for acc, _ in results]
print(f"alignment accuracy (per-phoneme mean mel + MAS): {np.mean(accuracies):.1%} over {len(accuracies)} sentences")

example = held_out[0]
true_path = alignment.path_from_durations(example.durations[None].float(), torch.ones(1, 1, len(example.tokens)),
                                          torch.ones(1, 1, example.mel.shape[-1]))[0]
fig, axes = plt.subplots(1, 2, figsize=(13, 3.5))
plots.plot_alignment(true_path, ax=axes[0], title="true alignment (eSpeak)")
plots.plot_alignment(results[0][1], ax=axes[1], title=f"MAS, accuracy {accuracies[0]:.0%}")
plt.tight_layout()
plt.show()

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# No — the search is exact, but only as good as the likelihood it searches. The misses sit at
# the boundaries between phonemes, mostly a frame either way (section 7 counts them): one mean
# per symbol, the same in every context and for every frame of the phoneme, cannot follow the
# transitions from one sound into the next, and a frame near a boundary hears both neighbours,
# since the analysis window spans four hops. Where two neighbouring tokens are the same symbol
# (two pauses in a row), the likelihood cannot tell them apart at all, and the boundary between
# them is a coin toss.
#
# </details>

# %%
from course_lib.evaluation import alignment_accuracy
from course_lib.paths import CHECKPOINT_DIR


def boundary_offsets(durations, true_durations):
    """Where each inner phoneme boundary landed, in frames, relative to the true one (MAS − truth)."""
    return (durations.cumsum(0)[:-1] - true_durations.cumsum(0)[:-1]).tolist()


baseline_offsets = [x for (_, path), i in zip(results, range(len(held_out)))
                    for x in boundary_offsets(path.sum(-1).long(), held_out[i].durations)]
offsets = {"per-phoneme mean mel": baseline_offsets}
shipped = sorted(CHECKPOINT_DIR.glob("glow_tts*.pt")) if CHECKPOINT_DIR.exists() else []
if shipped:
    from course_lib.models.glow_tts.train import RECIPE as GLOW_TTS

    model = GLOW_TTS.load(shipped[0], device="cpu")
    model_accuracies, model_accuracies_1, model_offsets = [], [], []
    for i in range(len(held_out)):
        item = held_out[i]
        with torch.no_grad():
            out = model(item.tokens[None], torch.tensor([len(item.tokens)]), item.mel[None],
                        torch.tensor([item.mel.shape[-1]]))
        found = out.alignment[0].sum(-1).long()          # frames per token, from MAS on the model's likelihood
        model_accuracies.append(alignment_accuracy(found, item.durations))
        model_accuracies_1.append(alignment_accuracy(found, item.durations, tolerance=1))
        model_offsets += boundary_offsets(found, item.durations[: len(found)])
    offsets[f"Glow-TTS ({shipped[0].name})"] = model_offsets
    print(f"alignment accuracy of {shipped[0].name}: {np.mean(model_accuracies):.1%} "
          f"({np.mean(model_accuracies_1):.1%} of frames within ±1 frame of the right phoneme)")
else:
    print("no shipped Glow-TTS checkpoint in", CHECKPOINT_DIR, "— train one in lesson 08")

# %% [markdown]
# ## 7. Where the misses are
#
# Accuracy counts frames; the picture is clearer per boundary. For every boundary between
# two phonemes, how many frames early (−) or late (+) did MAS put it?

# %%
fig, ax = plt.subplots(figsize=(8, 3))
bins = np.arange(-4.5, 5)
for name, values in offsets.items():
    ax.hist(np.clip(values, -4, 4), bins=bins, alpha=0.6, density=True, label=name)
ax.set(xlabel="boundary offset (frames, clipped to ±4)", ylabel="share of boundaries")
ax.legend()
plt.tight_layout()
plt.show()
for name, values in offsets.items():
    values = np.asarray(values)
    print(f"{name:>40}: exact {np.mean(values == 0):.0%}, within ±1 frame {np.mean(np.abs(values) <= 1):.0%}, "
          f"mean offset {values.mean():+.2f} frames")

# %% [markdown]
# Most misses are one frame either way, and that is partly the truth's fault. A frame is
# labelled with the phoneme under its *centre*, but the analysis window is 1,024 samples — four
# hops — so the frames next to a boundary hear both phonemes, and a loud neighbour dominates
# their log-mel. Even the per-phoneme means, fitted on the true durations, land only about a
# third of the boundaries exactly.
#
# One more miss is the model's own: with the paper's squeeze (pairs of frames stacked into
# 160 channels) our tiny Glow-TTS put boundaries about one frame *early*, on average
# (accuracy 78.6 %); without it the offsets are centred on zero, so the course's `tiny()`
# config skips the squeeze. The paper config keeps it — at 22 kHz with real speech the
# effect has not been reported, and it halves the decoder's work.

# %% [markdown]
# ## 8. Your MAS inside a training step: learning to align without the durations
#
# Section 6 cheated: it fitted the per-phoneme means *with the true durations*. Glow-TTS has
# no durations — it alternates, in every training step, between **aligning** (MAS under the
# current model, no gradient) and **learning** (a gradient step on the log-likelihood along
# that path). The same loop works on our one-mean-per-phoneme model. We start from a *flat
# start* — means fitted as if every phoneme of a sentence lasted equally long — and take a
# few training steps, each aligning 16 training sentences with **your `mas`** from the
# exercise (or, if it does not pass the check yet, the library's solution; the cell says
# which). The held-out accuracy is measured with the library's MAS after every few steps.
#
# *Think!* At the flat start the prior is wrong: every mean was fitted as if each phoneme of a
# sentence lasted equally long. What does MAS do with a wrong prior — can it refuse, or warn
# you? And can aligning under wrong means, then stepping the means along that path, ever get
# better? Predict, then run the cell.

# %%
from course_lib.checks.lesson07 import mas_for_training

mas_fn, which = mas_for_training(mas)
print(which)


def fit_means(durations_of):
    """Per-symbol mean of the standardised frames, with each utterance's durations from ``durations_of(item)``."""
    sums, counts = torch.zeros(n_vocab, 80), torch.zeros(n_vocab)
    for item in items:
        frame_tokens = torch.repeat_interleave(item.tokens, durations_of(item))
        sums.index_add_(0, frame_tokens, ((item.mel - mel_mean) / mel_std).T)
        counts.index_add_(0, frame_tokens, torch.ones(len(frame_tokens)))
    return sums / counts.clamp_min(1).unsqueeze(1)


def equal_durations(item):
    n, frames = len(item.tokens), item.mel.shape[-1]
    durations = torch.full((n,), frames // n)
    durations[: frames - int(durations.sum())] += 1
    return durations


def held_out_accuracy(means):
    return float(np.mean([accuracy_and_path(held_out[i], means)[0] for i in range(len(held_out))]))


def training_step(means, optimizer, batch):
    """Align each utterance with mas_fn under the current means (no gradient), then one Adam step on −log p."""
    optimizer.zero_grad()
    loss, frames = 0.0, 0
    for item in batch:
        mel = ((item.mel - mel_mean) / mel_std).unsqueeze(0)  # [1, 80, T_mel]
        mu = means[item.tokens].T.unsqueeze(0)  # [1, 80, T_text]
        log_likelihood = alignment.gaussian_log_likelihood_matrix(mel, mu, torch.zeros_like(mu))[0]
        path = torch.as_tensor(np.asarray(mas_fn(log_likelihood.detach().numpy())), dtype=log_likelihood.dtype)
        loss = loss - (path * log_likelihood).sum()  # the log-likelihood along the chosen path
        frames += mel.shape[-1]
    loss = loss / (frames * 80)  # nats per mel value
    loss.backward()
    optimizer.step()
    return loss.item()


align_steps = pick(smoke=2, default=10, full=30)
print(f"{align_steps} training steps of 16 sentences: " + pick(
    smoke="a few seconds", default="≈ 10 s on a 2-core laptop CPU (your Python MAS is the slow part)",
    full="≈ 30 s on a 2-core laptop CPU (your Python MAS is the slow part)"))
flat = fit_means(equal_durations)
means = flat.clone().requires_grad_(True)
optimizer = torch.optim.Adam([means], lr=0.05)
generator = torch.Generator().manual_seed(0)
curve = [(0, held_out_accuracy(flat))]
print(f"flat start: held-out accuracy {curve[0][1]:.1%}")
started = time.perf_counter()
for step in range(1, align_steps + 1):
    batch = [items[i] for i in torch.randint(0, len(items), (pick(smoke=4, default=16, full=16),),
                                             generator=generator).tolist()]
    loss = training_step(means, optimizer, batch)
    if step % max(align_steps // 5, 1) == 0 or step == align_steps:
        curve.append((step, held_out_accuracy(means.detach())))
        print(f"step {step:3d}  −log p {loss:.3f} nats per value  held-out accuracy {curve[-1][1]:.1%}"
              f"  ({time.perf_counter() - started:.0f} s)")
print(f"with the true durations (section 6): {np.mean(accuracies):.1%}")

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# MAS always returns a path, and always a valid one — monotonic, every token at least one
# frame — because it only ever searches such paths; it cannot tell you that the likelihood is
# wrong. Under a wrong prior it returns the best path *for the wrong model*: each boundary goes
# wherever the wrong means fit best. It can still get better, because the flat-start means
# are blurred, not random: each averages frames where its phoneme mostly was, so a frame still
# fits its own phoneme's mean a little better than most others, and much of the path is right.
# A gradient step along that path moves each mean towards the frames it was given, which moves
# the boundaries closer, which sharpens the means again — hard EM, or Viterbi training.
# Nothing in the loop checks against the truth, though: a mistake the means and the path agree
# on reinforces itself, so the loop settles short of the means fitted on the true durations.
#
# </details>

# %% [markdown]
# Measured in `default` mode: the flat start already aligns 73.5 % of the held-out frames
# (equal durations are not a bad first guess for eSpeak's even speech), and ten training
# steps — 160 sentences aligned by MAS, ten gradient steps — lift it to 78.5 %, about half of
# the way to the 83.4 % of the means fitted on the true durations. No duration was ever
# given: aligning and learning pulled each other up. More steps do not close the rest (with
# 30 it wavers between 77 and 78 %): this model has one mean per symbol and nothing else to
# learn, so it settles on alignments that agree with its own means. Glow-TTS runs the very
# same loop, with a text encoder and a flow that can keep reshaping the likelihood MAS sees.

# %% [markdown]
# ## What to try
# * Replace unit variance by a per-phoneme variance (`prior_log_std`) in section 6. Does accuracy improve?
#   *Expect* (default mode; the log of each symbol's per-bin standard deviation, fitted on the
#   true durations like the means): 84.6 % against 83.4 % — a little: the means carry most of
#   what tells phonemes apart.
# * Score accuracy by *symbol* instead of token position (two pauses in a row are the same
#   sound): how much of the miss was a coin toss between identical neighbours? *Expect:*
#   87.1 % by symbol against 83.4 % by position — about a fifth of the misses (3.7 of 16.6
#   points) were frames given to a token with the same symbol as the right one.
# * Shuffle the frames of a held-out mel before MAS: what does the path look like, and why is
#   it still monotonic? *Expect:* still a staircase from the first token at the first frame to
#   the last at the last — monotonic by construction, since MAS only ever searches monotonic
#   paths — but its steps no longer follow the speech: the durations are far from the true ones.
# * Time `maximum_path_fast` with `numba.set_num_threads(1)` and with all cores. *Expect* (the
#   section 4 batch, 16 × 100 × 800, on a 2-core CPU with another program busy on one core):
#   median 5.9 ms on one thread, 4.5 ms on two; the best runs, 3.4 and 2.1 ms, show the
#   near-2× an idle machine gives — one utterance per thread, so a batch of 16 splits evenly,
#   but a thread that loses its core holds up the whole batch.
#
# ## Summary
# * MAS maximises the total log-likelihood over monotonic, surjective alignments by dynamic
#   programming on a band: $Q_{ij} = L_{ij} + \max(Q_{i,j-1}, Q_{i-1,j-1})$, then backtrack.
# * The likelihood matrix comes from a four-term expansion — two matrix products, two
#   per-token constants — computed without gradient.
# * A path is a set of durations; the duration predictor learns them, and synthesis rebuilds
#   the path from predicted durations.
#
# **References.** Kim, Kim, Kong & Yoon 2020 (Glow-TTS, §3.2 and Algorithm 1); Kim, Kong &
# Son 2021 (VITS, §2.2); Rabiner 1989 (Viterbi decoding, the same idea for HMMs).
