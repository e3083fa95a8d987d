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
# # Lesson 08 — Glow-TTS: text to speech with a flow and an alignment search
#
# Lesson 04 built invertible layers; lesson 07 found alignments. Glow-TTS (Kim et al. 2020)
# is the two together: a text encoder predicts one Gaussian per phoneme, MAS decides which
# frames each Gaussian explains, and a flow turns mels into samples of those Gaussians —
# trained by exact maximum likelihood, synthesised by running the flow backwards.
#
# **Goals.** By the end you can
# 1. name every part of Glow-TTS, write the loss it is trained with — exact likelihood,
#    log-determinant included — and assemble its training pass from the model's parts (exercises);
# 2. train it (a few minutes on a CPU for the tiny model) and watch the alignment form;
# 3. synthesise held-out sentences, and control them with temperature and length scale.
#
# **Time**: about 80 min — §1 40 min · §2 10 min · §3 5 min · §4 5 min · §5 5 min · What to try 15 min
#
# **Glossary** (official code → here): `encoder` (TextEncoder + `proj_w`) → `model.encoder`
# (`text_encoder`, `duration_predictor`); `decoder` (FlowSpecDecoder) → `model.decoder`;
# `x_m, x_logs` → `prior_mean, prior_log_std`; `attn` → `alignment`; `logdet` → `log_det`;
# `noise_scale` → temperature; `length_scale` → `length_scale`.

# %%
import time

import matplotlib.pyplot as plt
import torch
from IPython.display import Audio, display

from course_lib import plots
from course_lib.mode import current_mode, pick
from course_lib.models.glow_tts import GlowTTSConfig, build
from course_lib.models.summary import param_summary
from course_lib.threads import use_lesson_threads

torch.manual_seed(0)
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. The model, assembled
#
# * **Text encoder** (shared with Grad-TTS and VITS): embedding → conv pre-net → 6
#   transformer layers with relative positions → one 80-dim mean per phoneme (σ = 1).
# * **Duration predictor**: two convs on the *detached* encoder output → log frames per phoneme.
# * **Flow decoder**: squeeze pairs of frames (80 → 160 channels), then 12 × [ActNorm,
#   grouped 1×1 conv, affine coupling with a WaveNet conditioner], unsqueeze. (The CPU-sized
#   `tiny()` skips the squeeze: on the built-in corpus it made MAS place boundaries about a
#   frame early — lesson 07, section 7.)
#
# Training, per batch (Algorithm 1 of the paper):
# 1. encode the text: $\mu$ `[B, 80, T_text]` and log-durations;
# 2. run the mel through the flow: $z = f(x)$ and $\log|\det J|$;
# 3. MAS on $\log \mathcal N(z_j; \mu_i, I)$ (lesson 07) → alignment $A$, no gradient;
# 4. loss $= -\frac{1}{80\,T}\big[\sum_j \log \mathcal N(z_j; \mu_{A(j)}, I) + \log|\det J|\big]$
#    $+$ MSE between predicted and MAS log-durations.
#
# The paper's model (`paper()`) has exactly the official parameter counts; `tiny()` keeps
# the structure at a CPU size.
#
# > **A common reading is that Glow-TTS, like VITS, trains with a KL term between a posterior
# > and a text prior; in fact it has no KL term and no posterior.** The flow is invertible,
# > so the mel's likelihood is exact: log p(x) = log N(f(x); μ_text, I) + log|det ∂f/∂x|, with
# > the prior N(μ_text, I) aligned to frames by MAS. Nothing is sampled in training — run the
# > same batch through the model twice (in eval mode, dropout off) and the loss is identical
# > to the last digit (section 2 does). VITS (lesson 11) is the one that adds a posterior encoder and a KL (lessons 01, 03).

# %%
print("paper (official base.json, 148 symbols)\n" + str(param_summary(build(GlowTTSConfig.paper()))))
print("\ntiny\n" + str(param_summary(build(GlowTTSConfig.tiny()))))

# %% [markdown]
# *Think!* The duration predictor reads the encoder output *detached*: its loss cannot change
# the text encoder. What could go wrong if its gradient were let through?
#
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The encoder's output already has a job: its means are the prior that MAS aligns with and
# that the flow's likelihood is measured against. Let the duration MSE through and it pulls
# the same features towards whatever makes durations easy to predict — another goal. The
# means become a compromise, a little further from the frames they must explain; the
# likelihood MAS searches gets worse, and so do the alignments — which are the duration
# predictor's own targets. Glow-TTS stops the gradient so that the duration loss does not
# affect the maximum-likelihood objective (Kim et al. 2020): the predictor learns from the
# encoder, never the other way round.
#
# </details>

# %% [markdown]
# ### Exercise — the MLE loss, log-determinant included
#
# Write `mle_loss(z, prior_mean, prior_log_std, log_det, mask)`: the negative
# log-likelihood of the mel in **nats per real mel value**. `z`, `prior_mean` and
# `prior_log_std` are `[B, 80, T]` (the priors already expanded to frames by the alignment),
# `log_det` is `[B]` — the whole flow's log|det ∂z/∂x| for each utterance — and `mask` is
# `[B, 1, T]`. Step 4 above is the formula with σ = 1; here σ is general (VITS-style encoders
# predict it). Three things to get right: which way the log-det enters, what counts as a
# "value" in a padded batch, and the Gaussian's constant. The check feeds padding full of
# garbage and names the slip it sees.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson08 import check_mle_loss, solution_mle_loss


def mle_loss(z, prior_mean, prior_log_std, log_det, mask):
    # YOUR CODE HERE (4–5 lines)
    raise NotImplementedError


loss_works = check_mle_loss(mle_loss)

# %%
show_solution(solution_mle_loss)

# %% [markdown]
# ### Exercise — build the training forward pass
#
# Now assemble the four training steps above into the loss that training minimises, from the
# model's own parts: then your code *is* Glow-TTS's forward pass. `glow_tts_loss(model, batch)`
# gets an untrained tiny Glow-TTS and a batch of two training sentences — the first, and the
# shortest, whose mel is padded. Shapes are [B, C, T]: B = 2 sentences, C = 80 mel channels,
# T = T_text tokens or T_mel frames. In the model's order:
#
# 1. **Text.** `model.encoder(tokens, token_lengths)` gives the per-token prior, `prior_mean` and
#    `prior_log_std` `[B, 80, T_text]` (here log σ = 0), the predicted `log_duration`
#    `[B, 1, T_text]` and the token `mask` `[B, 1, T_text]`.
# 2. **Frames.** The frame mask `[B, 1, T_mel]` from `mel_lengths` (`sequence_mask`). (The paper's
#    flow pairs frames and first drops an odd last one; the tiny model's `config.n_squeeze` is 1,
#    so there is nothing to drop — the solution shows the general case.)
# 3. **Flow.** `model.decoder(mels, frame mask)` runs the mel forward through the flow: its `z`
#    `[B, 80, T_mel]` and its `log_det` `[B]`.
# 4. **MAS**, without gradient: the matrix of $\log\mathcal N(z_j; \mu_i, \sigma_i)$ for every token
#    i and frame j, `[B, T_text, T_mel]` (`gaussian_log_likelihood_matrix`, lesson 07), then
#    `monotonic_alignment_search` with the token and frame masks: the 0/1 alignment
#    `[B, T_text, T_mel]`.
# 5. **MLE.** The prior copied to frames by the alignment (`expand_to_frames`): mean and log-std
#    `[B, 80, T_mel]`; then the exercise above, with the flow's log-det and the frame mask (your
#    `mle_loss`, or the library's `course_lib.models.glow_tts.mle_loss`).
# 6. **Durations.** The alignment summed over frames gives frames per token — shape it
#    `[B, 1, T_text]`. The duration loss is the MSE between the predicted log-durations and the log
#    of these (`log_duration_target`, `duration_loss`), over real tokens.
#
# Return the MLE plus the duration loss. The check builds the model from `tiny_config`, runs your
# function and `model(...)` on the same batch in eval mode (dropout off — nothing else in
# Glow-TTS's training pass is random) and asserts that the two losses are equal; it refuses a
# call to `model(...)` inside yours. A fresh flow's couplings are the identity, which would hide
# some slips, so the check gives them small random weights first.

# %%
from course_lib.alignment import expand_to_frames, gaussian_log_likelihood_matrix, monotonic_alignment_search
from course_lib.checks.lesson08 import check_glow_tts_loss, solution_glow_tts_loss
from course_lib.checks.build import two_sentence_batch
from course_lib.data import ensure_corpus, load_corpus
from course_lib.text import tokenizer_for
from course_lib.nn.duration import duration_loss, log_duration_target
from course_lib.nn.masks import sequence_mask

tiny_config = GlowTTSConfig.tiny()
tokenizer = tokenizer_for(tiny_config.front_end, tiny_config.add_blank)
corpus = load_corpus(ensure_corpus())
two_batch = two_sentence_batch(corpus, tokenizer)
tiny_config = tiny_config.replace(n_vocab=tokenizer.n_vocab)
print(f"tokens {tuple(two_batch.tokens.shape)}, mels {tuple(two_batch.mels.shape)}, "
      f"token lengths {two_batch.token_lengths.tolist()}, mel lengths {two_batch.mel_lengths.tolist()}")


# %%
def glow_tts_loss(model, batch):
    # YOUR CODE HERE (about 10 lines)
    raise NotImplementedError


build_works = check_glow_tts_loss(glow_tts_loss, tiny_config, two_batch)

# %%
show_solution(solution_glow_tts_loss)

# %% [markdown]
# ## 2. Train it and watch the alignment form
#
# The loop below is the library's recipe (`course_lib.models.glow_tts.train.GlowTTSTask`):
# Adam with the Noam schedule, gradients clipped by value at 5, ActNorm initialised from the
# first batch. Each step minimises the loss you just assembled: `task.loss_step` runs
# `model(...)` (`GlowTTS.forward`: your steps 1–4) and `GlowTTS.losses` (steps 5–6). Every
# few steps we keep the alignment MAS found for one validation sentence.
# (`python -m course_lib train glow_tts --config tiny --out runs/glow_tts` does the same with
# checkpoints, resume and validation.)

# %%
from course_lib.models.glow_tts.train import GlowTTSTask
from course_lib.data import training_data

config = GlowTTSConfig.tiny()
data = training_data(None, config.add_blank, batch_size=pick(smoke=4, default=8, full=32), seed=config.seed)
config = config.replace(n_vocab=data.tokenizer.n_vocab, front_end=data.corpus.front_end)
model = build(config)
task = GlowTTSTask(model)
optimizer, schedule = task.optimizers["adam"], task.schedulers["noam"].scheduler
watch = next(iter(data.val_loader))  # one held-out batch to watch

steps = pick(smoke=3, default=600, full=20_000)
print(f"{steps} steps: " + pick(smoke="a few seconds", default="≈ 3–4 min on a 2-core laptop CPU (measured: 0.33–0.41 s a step)",
                              full="≈ 2 h on a CPU, minutes on a GPU"))
snapshots, losses, started = {}, [], time.perf_counter()
step = 0
while step < steps:
    for batch in data.train_loader:
        if step == 0:
            task.on_train_start(batch)  # data-dependent ActNorm init
        loss, logs = task.loss_step(batch, {})
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), config.grad_clip_value)
        optimizer.step()
        schedule.step()
        losses.append({k: v.item() for k, v in logs.items()})
        step += 1
        if step in (1, steps // 4, steps // 2, steps) and step not in snapshots:
            model.eval()
            with torch.no_grad():
                out = model(watch.tokens[:1], watch.token_lengths[:1], watch.mels[:1], watch.mel_lengths[:1])
            snapshots[step] = out.alignment[0, : int(watch.token_lengths[0])]
            model.train()
        if step % max(steps // 10, 1) == 0:
            print(f"step {step:5d}  mle {losses[-1]['mle']:.3f}  duration {losses[-1]['duration']:.3f}"
                  f"  ({time.perf_counter() - started:.0f} s)")
        if step >= steps:
            break

# your loss on the model just trained, and the evidence that nothing is sampled: two passes, one number
model.eval()
with torch.no_grad():
    passes = [model(watch.tokens, watch.token_lengths, watch.mels, watch.mel_lengths) for _ in range(2)]
library_mle = [model.losses(out).mle.item() for out in passes]
print(f"library MLE on the watched batch, two passes: {library_mle[0]:.6f}, {library_mle[1]:.6f} (no sampling)")
if loss_works:
    out = passes[0]
    yours = mle_loss(out.z, out.frame_prior_mean, out.frame_prior_log_std, out.log_det, out.mel_mask)
    print(f"your mle_loss on the same pass:               {float(yours):.6f}")
if build_works:
    with torch.no_grad():
        print(f"library total loss (MLE + duration):          {model.losses(passes[0]).total.item():.6f}\n"
              f"your glow_tts_loss on the same batch:         {float(glow_tts_loss(model, watch)):.6f}")
model.train()

fig, axes = plt.subplots(1, len(snapshots), figsize=(4 * len(snapshots), 3), squeeze=False)
for ax, (at, path) in zip(axes[0], snapshots.items()):
    plots.plot_alignment(path, ax=ax, title=f"alignment after {at} steps")
plt.tight_layout()
plt.show()

# %% [markdown]
# The MLE loss is in nats per mel value and goes *negative* as the model learns (a density
# can exceed 1). Early alignments are near-diagonal guesses; as the prior means become
# distinct per phoneme, MAS locks onto a staircase that follows the speech.

# %%
plt.figure(figsize=(8, 3))
plt.plot([row["mle"] for row in losses], label="MLE (nats per value)")
plt.plot([row["duration"] for row in losses], label="duration MSE (log frames)")
plt.xlabel("step")
plt.legend()
plt.show()

# %% [markdown]
# ## 3. Synthesis
#
# Predict durations, expand the means to frames, sample $z = \mu + \tau\,\varepsilon$ and run
# the flow in reverse. A model the project trained ships in `data/checkpoints/` when present;
# otherwise we use the one just trained (in smoke mode: barely trained, so expect noise).
# The vocoder is the course's (lesson 06; Griffin-Lim where none is shipped).
#
# *Think!* In training MAS built the alignment from the mel. At synthesis there is no mel: what
# builds the path now? And if the duration predictor is off by a frame or two on some phonemes,
# can a word come out in the wrong order, or be skipped? Predict, then run the next two cells.

# %%
from course_lib.paths import CHECKPOINT_DIR
from course_lib.vocoder import load_vocoder

shipped = sorted(CHECKPOINT_DIR.glob("glow_tts*.pt")) if CHECKPOINT_DIR.exists() else []
if shipped:
    from course_lib.models.glow_tts.train import RECIPE as GLOW_TTS

    speaker_model = GLOW_TTS.load(shipped[0], device="cpu")
    print("using the shipped model", shipped[0].name)
else:
    speaker_model = model.eval()
    print("no shipped checkpoint: using the model trained above")
vocoder = load_vocoder()

# %%
from course_lib.widgets.lesson08 import GlowTTSSpeaker, speak, temperature_sweep

sentences = [record.text for record in data.corpus.split("test").utterances[:2]] or ["The quick brown fox jumps."]
for sentence in sentences:
    sample = speak(speaker_model, sentence, temperature=0.667, seed=0, vocoder=vocoder)
    plots.plot_durations(sample.mel, sample.tokens, sample.durations, title=sentence)
    plt.show()
    display(Audio(sample.wave, rate=sample.sample_rate, normalize=False))

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# The duration predictor: its log-durations are exponentiated, multiplied by the length scale
# and rounded *up*, and `path_from_durations` turns them into the same kind of 0/1 staircase
# MAS would have found (its boundaries are the lines on each mel above). Rounding up gives
# every phoneme at least one frame, and a staircase only moves forward, so wrong durations
# change the timing — a phoneme drawn out or clipped — but never the order, and no phoneme is
# skipped. That is lesson 07's hard, monotonic alignment paying off at synthesis;
# attention-based models can skip or repeat words because nothing forces their alignment
# forward.
#
# </details>

# %% [markdown]
# ## 4. Play with it
#
# Type a sentence; move the temperature (variety of the sample) and the length scale
# (speed: every predicted duration is multiplied by it); press *resample* for a new draw.

# %%
speaker = GlowTTSSpeaker(speaker_model, text=sentences[0], vocoder=vocoder)
speaker.ui

# %% [markdown]
# ## 5. Temperature, heard and measured
#
# At temperature 0 every sample is the mean — identical, often flat; the paper preferred
# 0.333, the official notebook uses 0.667. The spread below is the mean |difference| between
# mels of the same sentence drawn with different seeds.
#
# *Think!* What will the spread be at temperature 0? And is the temperature-0 mel the most
# likely one — the mel where the model's density peaks? Predict, then run the cell.

# %%
spread = temperature_sweep(speaker_model, sentences[0], temperatures=(0.0, 0.333, 0.667, 1.0))
for temperature, value in spread.items():
    print(f"temperature {temperature:5.3f}: mean |mel_a − mel_b| = {value:.3f}")
for temperature in (0.0, 0.667):
    sample = speak(speaker_model, sentences[0], temperature=temperature, seed=1, vocoder=vocoder)
    print(f"temperature {temperature}")
    display(Audio(sample.wave, rate=sample.sample_rate, normalize=False))

# %% [markdown]
# <details><summary><b>Answer</b> — click to reveal</summary>
#
# Exactly zero: at temperature 0, z = μ for every seed, the durations never depended on the
# seed, and the flow is a fixed function, so every seed gives the same mel. The spread then
# grows with the temperature, which scales the noise before the flow. But the mel that μ maps
# to, $f^{-1}(\mu)$, is not in general the most likely mel: the model's density is the prior's
# density times |det J| (section 1's loss), and the flow stretches and squeezes differently in
# different places, so the image of the prior's peak need not be where the mel density peaks
# (lesson 04's moons at temperature 0 make the same point). It is one typical rendition —
# smooth, and often flat.
#
# </details>

# %% [markdown]
# ## What to try
# * Compare the model's durations with the corpus' true ones (lesson 07 measures alignment
#   accuracy). *Expect* for the shipped tiny model (`data/checkpoints/README.md`, all 75 test
#   sentences): [83.2 %](../data/facts.json "glow_tts_quality.alignment_accuracy") of frames on the right phoneme, [93.0 %](../data/facts.json "glow_tts_quality.alignment_accuracy_within_1_frame") within ±1 frame, duration MAE
#   [1.76](../data/facts.json "glow_tts_quality.duration_mae") frames; the model trained above for a few minutes is far lower.
# * Train `GlowTTSConfig.tiny().replace(decoder_blocks=2)` (the tiny model has 4): how much
#   worse is the likelihood? *What to look for:* the MLE curve levels off higher — fewer
#   couplings, less of the mel's structure left for the flow to explain — and the alignment
#   forms later, since MAS reads z through the flow.
# * Synthesize a sentence longer than any in the corpus: where does it break first?
#   *What to look for:* the words stay in order — the alignment is monotonic by construction,
#   so Glow-TTS cannot skip or repeat words as attention-based models do; text that would
#   expand past 10,000 frames (≈ 116 s) is refused with a message before the model runs.
#
# ## Summary
# * Glow-TTS = text encoder (per-phoneme Gaussians) + MAS (hard monotonic alignment) +
#   invertible flow decoder, trained by exact likelihood plus a duration loss — no KL, no
#   posterior, no sampling in training: −log p(x) = −log N(z; μ, σ) − log|det J| per value.
# * It outputs a mel, not a waveform: a vocoder (lesson 06) is still needed.
# * Synthesis needs no alignment search: the duration predictor builds the path.
# * Temperature trades variety for stability; the length scale changes speed.
#
# **References.** Kim, Kim, Kong & Yoon 2020 (Glow-TTS, NeurIPS); Kingma & Dhariwal 2018 (Glow).
