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
# # Lesson 06 — HiFi-GAN: the course's neural vocoder
#
# Every acoustic model in this course (Glow-TTS, Grad-TTS, Diff-TTS) predicts a
# mel-spectrogram; something has to turn it into a waveform. VITS goes further and
# trains this very generator inside itself. This lesson builds HiFi-GAN (Kong, Kim & Bae,
# NeurIPS 2020) piece by piece and compares it with Griffin-Lim.
#
# **Goals.** By the end you can
# 1. say what Griffin-Lim gets wrong (phase) and hear it;
# 2. explain how transposed convolutions upsample 256× and where checkerboard artefacts come from;
# 3. compute the receptive fields of the multi-receptive-field fusion (MRF);
# 4. reshape a wave by a period, as the multi-period discriminator does, and say why;
# 5. write each loss term and explain why the mel L1 is weighted by 45;
# 6. say where a HiFi-GAN generator spends its time, and how an inverse-STFT generator avoids it;
# 7. name what PESQ, periodicity, V/UV F1 and a multi-resolution STFT distance can see that mel L1 cannot;
# 8. train a few steps live and compare Griffin-Lim and the neural vocoders by ear and by numbers.
#
# **Glossary** (paper → code): G → `generator`, D_P^p → `PeriodDiscriminator(p)`,
# D_S → `ScaleDiscriminator`, MPD/MSD → `mpd`/`msd`, h_u → `upsample_initial_channel`,
# k_u / u → `upsample_kernel_sizes` / `upsample_rates`, k_r, D_r → `resblock_kernel_sizes`,
# `resblock_dilation_sizes`, λ_fm = 2 → `feature_loss_weight`, λ_mel = 45 → `mel_loss_weight`;
# iSTFTNet / Vocos generator → `ISTFTGenerator` (`HiFiGANConfig.istft`).

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
# one core stays free for the rest of your machine (TTS_COURSE_THREADS overrides; 1 in smoke mode)
print("mode:", current_mode(), "| torch threads:", use_lesson_threads())

# %% [markdown]
# ## 1. Why a neural vocoder: Griffin-Lim's phase problem
#
# A log-mel keeps only the *magnitude* of 80 smoothed frequency bands per 11.6 ms frame.
# The phase — where each sine wave is in its cycle — is thrown away. Griffin-Lim
# (lesson 00) guesses it by alternating STFT and inverse STFT until magnitudes agree.
# The magnitudes end up close; the phases are only *consistent*, not *right*, so voiced
# sounds lose their crisp pitch pulses and sound phasey and metallic.
#
# We use held-out utterances of the built-in corpus (all five eSpeak voices).

# %%
from course_lib.data import ensure_corpus, load_corpus

corpus = load_corpus(ensure_corpus(multispeaker=True))
held_out = corpus.split("test").utterances[: pick(smoke=2, default=4, full=6)]
record = held_out[0]
wave = audio.load_audio(record.wav_path)
mel = audio.mel_spectrogram(wave)                                   # [80, T]
print(record.speaker_name, "|", record.text, "|", tuple(mel.shape))

from course_lib.vocoder import GriffinLimVocoder

griffin_lim = GriffinLimVocoder(n_iter=32)
gl_wave = griffin_lim(mel).numpy()

# %%
# zoom into 25 ms of a voiced stretch: the loudest frame
loudest = int(mel.exp().sum(0).argmax()) * audio.HOP_LENGTH
span = slice(loudest, loudest + int(0.025 * audio.SAMPLE_RATE))
fig, axes = plt.subplots(1, 2, figsize=(12, 3))
axes[0].plot(wave[span], label="original")
axes[0].plot(gl_wave[span], label="Griffin-Lim", alpha=0.8)
axes[0].set_title("25 ms of a vowel: same spectrum, different waveform")
axes[0].legend()
spectrum = lambda x: 20 * np.log10(np.abs(np.fft.rfft(x * np.hanning(len(x)))) + 1e-6)
axes[1].plot(spectrum(wave[span]), label="original")
axes[1].plot(spectrum(gl_wave[span]), label="Griffin-Lim", alpha=0.8)
axes[1].set_title("their magnitude spectra (dB)")
axes[1].legend()
plt.tight_layout()
plt.show()
display(Audio(np.clip(wave, -1, 1), rate=audio.SAMPLE_RATE, normalize=False))
display(Audio(np.clip(gl_wave, -1, 1), rate=audio.SAMPLE_RATE, normalize=False))

# %% [markdown]
# Can more iterations fix it? Each one makes the phases more consistent with the
# magnitudes, so the mel of the result creeps towards the original's. We measure it with
# the mel L1 — the mean |difference| between the log-mels of the original and of the
# resynthesis (`course_lib.models.hifigan.evaluation`, used again in section 8). Big gains
# in the first few iterations, then a floor: Griffin-Lim settles on phases that agree with
# each other but not with the original's, and more iterations do not get it out.

# %%
from course_lib.widgets.lesson06 import griffin_lim_curve

every_doubling = (1, 2, 4, 8, 16, 32, 64, 128)
curve = griffin_lim_curve(wave, iterations=pick(smoke=(1, 4, 16, 64), default=every_doubling, full=every_doubling))
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(list(curve), [metrics.mel_l1 for metrics in curve.values()], "o-")
ax.set_xscale("log", base=2)
ax.set_xticks(list(curve), [str(iterations) for iterations in curve])
ax.set_ylim(bottom=0)
ax.set_xlabel("Griffin-Lim iterations")
ax.set_ylabel("mel L1 (lower is better)")
ax.set_title("more iterations: diminishing returns, then a floor")
plt.show()
for iterations, metrics in curve.items():
    print(f"{iterations:>4} iterations: mel L1 {metrics.mel_l1:.3f}, MCD {metrics.mcd:.2f} dB")

# %% [markdown]
# A neural vocoder *learns* the mapping mel → wave from data, phase included. HiFi-GAN
# does it with a fully convolutional generator trained against discriminators that
# judge raw audio, so it is both fast and natural-sounding.
#
# ## 2. Upsampling by 256: transposed convolutions
#
# Each mel frame stands for 256 samples. The generator starts at the frame rate and
# multiplies the time axis in stages — V1: 8 · 8 · 2 · 2 = 256 — with transposed
# convolutions. A transposed conv with stride u and kernel k places a copy of the kernel,
# scaled by each input sample, every u output samples and adds the overlaps. Its output
# length is (T − 1)·u − 2p + k; with padding p = (k − u)/2 that is exactly T·u.
#
# **Checkerboard artefacts** (Odena et al. 2016): when k is not a multiple of u, output
# positions are covered by *different numbers* of kernel copies, so even a constant input
# comes out with a periodic ripple, repeating every u output samples — a buzz at the layer's
# *input* rate (its output rate / u): in V1's first stage, which upsamples the 86 Hz frame rate
# by 8, that is 86 Hz and its harmonics. HiFi-GAN uses k = 2u, where every position gets
# exactly two copies.

# %%
from torch import nn


def overlap_count(kernel: int, stride: int, n_in: int = 8) -> torch.Tensor:
    """Output of an all-ones transposed conv on an all-ones input: how many kernel copies cover each sample."""
    layer = nn.ConvTranspose1d(1, 1, kernel, stride, bias=False)
    nn.init.ones_(layer.weight)
    with torch.no_grad():
        return layer(torch.ones(1, 1, n_in))[0, 0]


fig, ax = plt.subplots(figsize=(10, 2.5))
ax.plot(overlap_count(16, 8), label="k = 16, u = 8 (HiFi-GAN: k = 2u)")
ax.plot(overlap_count(12, 8), label="k = 12, u = 8 (k not a multiple of u)")
ax.set_title("constant input → transposed conv: uneven overlap is a checkerboard pattern")
ax.legend()
plt.show()

# %% [markdown]
# The configuration checks the two rules that users of the official code learn the hard
# way (hifi-gan issues #12, #116): the rates must multiply to the hop length, and k − u
# must be even with k ≥ u.

# %%
from course_lib.models.hifigan import CONFIGS, HiFiGANConfig, build

for bad in ({"upsample_rates": (8, 8, 2), "upsample_kernel_sizes": (16, 16, 4)},
            {"upsample_kernel_sizes": (15, 16, 4, 4)}):
    try:
        HiFiGANConfig(**bad)
    except ValueError as err:
        print("ValueError:", err, "\n")

# %% [markdown]
# ## 3. Multi-receptive-field fusion (MRF)
#
# After each upsampling, the MRF runs several residual blocks in parallel — kernels
# 3, 7, 11 with dilations 1, 3, 5 in V1 — and **averages** them. Small kernels model
# fine detail, dilated large ones long periodic patterns; averaging (not summing) keeps
# the scale independent of the number of blocks. One conv with kernel k and dilation d
# widens the view by (k − 1)·d samples:

# %%
from course_lib.models.hifigan.generator import resblock_receptive_field

for name in ("v1", "v3"):
    config = CONFIGS[name]()
    fields = [resblock_receptive_field(k, d, config.resblock)
              for k, d in zip(config.resblock_kernel_sizes, config.resblock_dilation_sizes)]
    print(f"{name}: ResBlock{config.resblock}, kernels {config.resblock_kernel_sizes} → receptive fields {fields} "
          "samples at each stage's rate")

# %% [markdown]
# The tiny generator, stage by stage (`[B, C, T]` after each step):

# %%
from torch.nn import functional as F

tiny = build(HiFiGANConfig.tiny())
generator = tiny.generator
x = generator.conv_pre(mel[None, :, :20])
print("conv_pre         ", tuple(x.shape))
for index, (up, mrf) in enumerate(zip(generator.ups, generator.mrfs)):
    x = mrf(up(F.leaky_relu(x, 0.1)))
    print(f"stage {index}: ×{generator.config.upsample_rates[index]} + MRF", tuple(x.shape))
print("conv_post + tanh ", tuple(generator(mel[None, :, :20]).shape))

# %% [markdown]
# ## 4. Discriminators that look at periods and at scales
#
# **Multi-period discriminator (MPD).** Speech is made of sinusoids with different
# periods. A period discriminator with period p reshapes the wave `[B, 1, N]` into
# `[B, 1, N/p, p]`: column j holds samples j, j + p, j + 2p, … Its 2-D convs have kernels
# `(5, 1)`, so they only ever compare samples exactly p apart — every column is a
# down-sampled copy of the wave at a different phase. Periods 2, 3, 5, 7, 11 are primes,
# so the five views overlap as little as possible. Below: a vowel folded by a period
# close to its pitch period shows vertical stripes (it repeats), by a prime it does not.

# %%
from course_lib.models.hifigan.discriminators import fold_by_period

segment = torch.as_tensor(wave[loudest: loudest + 2048]).view(1, 1, -1)
fig, axes = plt.subplots(1, 3, figsize=(12, 3))
pitch_period = int(np.argmax(np.correlate(segment[0, 0].numpy(), segment[0, 0].numpy(), "full")[2048 + 40: 2048 + 400])) + 40
for ax, period in zip(axes, (2, 11, pitch_period)):
    folded = fold_by_period(segment, period)[0, 0]                   # [N/p, p]
    ax.imshow(folded[:60].T.numpy(), aspect="auto", origin="lower", cmap="coolwarm")
    ax.set_title(f"period {period}: [{folded.shape[0]}, {period}]")
    ax.set_xlabel("row (time / p)")
axes[0].set_ylabel("column (phase)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise 1 — the period reshape
#
# Write `fold(wave, period)`: `[B, C, N]` → `[B, C, ⌈N/p⌉, p]`. When N is not a multiple of
# p, pad the **end** with `F.pad(wave, (0, n_pad), mode="reflect")` first (zeros would be a
# fake silence the discriminator could learn to spot). Replace the `raise` and run the cell.

# %%
from course_lib.checks.lesson06 import check_feature_matching, check_fold_by_period


def fold(wave: torch.Tensor, period: int) -> torch.Tensor:
    # YOUR CODE HERE
    raise NotImplementedError


check_fold_by_period(fold)

# %% [markdown]
# Stuck? Reveal the library's version (click to expand) — try the exercise first.

# %%
from course_lib.checks import show_solution
from course_lib.checks.lesson06 import solution_feature_matching, solution_fold_by_period

show_solution(solution_fold_by_period)

# %% [markdown]
# **Multi-scale discriminator (MSD)**, from MelGAN: three 1-D conv stacks with large
# grouped kernels, on the raw wave, on the wave average-pooled ×2 and ×4. The MPD sees
# samples p apart but never a continuous stretch; the MSD sees continuous audio at three
# resolutions. The first (raw audio) uses spectral norm for stability, the others weight
# norm.

# %%
from course_lib.models.hifigan.discriminators import judge

real = torch.as_tensor(wave[:8192]).view(1, 1, -1)
fake = torch.as_tensor(gl_wave[:8192]).view(1, 1, -1)
with torch.no_grad():
    period_results = judge(tiny.mpd, real, fake)
    scale_results = judge(tiny.msd, real, fake)
for name, results in (("MPD", period_results), ("MSD", scale_results)):
    for index, result in enumerate(results.real):
        shapes = [tuple(f.shape[1:]) for f in result.features]
        print(f"{name}[{index}] score {tuple(result.score.shape)}, {len(shapes)} feature maps, last {shapes[-1]}")

# %% [markdown]
# ## 5. The losses
#
# *LSGAN* (Mao et al. 2017) replaces the log-loss by squared errors:
#
# $$\mathcal L_D = \sum_k \mathbb E\big[(D_k(x) - 1)^2 + D_k(G(s))^2\big],\qquad
#   \mathcal L_{adv}(G) = \sum_k \mathbb E\big[(D_k(G(s)) - 1)^2\big].$$
#
# *Feature matching*: the L1 distance between the discriminators' activations on real and
# generated audio, summed over every layer i of every sub-discriminator k — a learned
# perceptual distance: $\mathcal L_{FM} = \sum_k \sum_i \frac{1}{N_i}\lVert D_k^i(x) - D_k^i(G(s))\rVert_1$.
#
# *Mel L1*: $\lVert \phi(x) - \phi(G(s)) \rVert_1$ on the log-mel up to 11,025 Hz (the input
# mel stops at 8 kHz; the loss covers the whole band).
#
# The generator minimises $\mathcal L_{adv} + 2\,\mathcal L_{FM} + 45\,\mathcal L_{mel}$.
# Why 45? A log-mel L1 is small (≈ 1 at the start, ≈ 0.2–0.4 late); the adversarial and
# feature terms are O(1–10) summed over 8 sub-discriminators. Weighted by 45 the mel term
# dominates early, so the generator first learns the right spectrum — the reconstruction
# anchor that keeps the GAN from drifting — and the adversarial terms then refine what the
# mel cannot express (phase, fine structure). The paper's ablation: without it MOS falls
# from 4.10 to 3.25.
#
# ### Exercise 2 — feature matching
#
# Write `feature_matching(real, fake)`: both are lists of results with `.features` (a list
# of tensors per sub-discriminator). Return the unweighted sum over sub-discriminators and
# layers of `torch.mean(torch.abs(r - f))`.

# %%
def feature_matching(real, fake) -> torch.Tensor:
    # YOUR CODE HERE
    raise NotImplementedError


check_feature_matching(feature_matching)

# %%
show_solution(solution_feature_matching)

# %% [markdown]
# The library's version, on the untrained tiny model: how big is each term?

# %%
from course_lib.models.hifigan.losses import generator_losses

batch_mel = audio.mel_spectrogram(real[:, 0])
with torch.no_grad():
    generated = generator(batch_mel)
    period_results = judge(tiny.mpd, real, generated)
    scale_results = judge(tiny.msd, real, generated)
    losses = generator_losses(period_results.real, period_results.fake, scale_results.real, scale_results.fake,
                              real, generated)
print(f"adversarial {losses.adversarial:.3f} | 2 × feature matching {2 * losses.feature_matching:.3f} | "
      f"45 × mel L1 {45 * losses.mel:.3f}  →  total {losses.total:.3f}")

# %% [markdown]
# ## 6. The paper's sizes, from the library
#
# The course's configs reproduce the official parameter counts exactly (weight-norm
# `g` and `v` both counted while training; folded into one weight for inference).

# %%
from course_lib.models.hifigan.generator import Generator
from course_lib.models.summary import count_parameters

paper = {"v1": 13.92, "v2": 0.92, "v3": 1.46}
for name in ("v1", "v2", "v3"):
    g = Generator(CONFIGS[name]())
    training = count_parameters(g)
    inference = count_parameters(g.remove_weight_norm())
    print(f"{name}: {training:>11,} while training, {inference:>11,} for inference (paper: {paper[name]} M)")
print(f"tiny: {count_parameters(tiny.generator):,} generator, {count_parameters(tiny.mpd):,} MPD, "
      f"{count_parameters(tiny.msd):,} MSD")

# %% [markdown]
# ## 7. Skip the upsampling: an inverse-STFT generator
#
# Where does HiFi-GAN's time go? Time each stage of the V3 generator — the fastest paper
# config on a CPU — on 3 s of audio, one thread:

# %%
def best_of(fn, repeats: int = 3) -> float:
    """Fastest of ``repeats`` timed calls, in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


three_seconds = torch.randn(1, audio.N_MELS, 259)                     # 259 frames = 3.0 s
threads = torch.get_num_threads()
torch.set_num_threads(1)
with torch.no_grad():
    v3 = Generator(CONFIGS["v3"]()).eval().remove_weight_norm()
    x = v3.conv_pre(three_seconds)
    hifigan_ms = {"conv_pre (86 frames/s)": best_of(lambda: v3.conv_pre(three_seconds))}
    rate = audio.SAMPLE_RATE / audio.HOP_LENGTH
    for index, (up, mrf) in enumerate(zip(v3.ups, v3.mrfs)):
        rate *= v3.config.upsample_rates[index]
        stage_input = x
        hifigan_ms[f"stage {index}: up + MRF ({rate:,.0f}/s)"] = best_of(lambda: mrf(up(F.leaky_relu(stage_input, 0.1))))
        x = mrf(up(F.leaky_relu(x, 0.1)))
for name, ms in hifigan_ms.items():
    print(f"{name:<32} {ms:7.1f} ms")
print(f"{'total':<32} {sum(hifigan_ms.values()):7.1f} ms for 3 s of audio")

# %% [markdown]
# Every stage has half the channels of the one before but 4–8× the time steps, and the
# last stage runs its residual blocks 22,050 times a second: most of the cost is there.
#
# Part of that cost is not arithmetic but **memory layout**. A `[B, C, T]` tensor stores each
# channel's samples together; oneDNN, the library behind PyTorch's CPU convolutions, wants each
# sample's channels together. So around every conv it reorders the input into its layout and
# the output back, and for kernels longer than 7 it falls back to a slower im2col + matrix
# multiply. Seen as an image of height 1 in `torch.channels_last` memory, `[B, C, 1, T]`, the
# same numbers need no reordering. One conv of V1's first MRF (128 channels, kernel 11, 3 s of
# audio at 5,512 steps a second), both ways:

# %%
from course_lib.nn.channels_last import Conv1d, from_channels_last, to_channels_last

torch.set_num_threads(1)
with torch.no_grad():
    conv = Conv1d(128, 128, 11, padding=5)
    signal = torch.randn(1, 128, 16_512)                                  # [B, C, T]
    signal_cl = to_channels_last(signal)                                  # [B, C, 1, T], channels adjacent
    layout_ms = {"[B, C, T]": best_of(lambda: conv(signal)), "channels-last": best_of(lambda: conv(signal_cl))}
    difference = float((from_channels_last(conv(signal_cl)) - conv(signal)).abs().max())
torch.set_num_threads(threads)
print(", ".join(f"{name} {ms:.0f} ms" for name, ms in layout_ms.items()) + f"; largest difference {difference:.1e}")

# %% [markdown]
# The same weights and the same sums (to float rounding), in less time. The course's
# `Generator` therefore runs inference on a CPU in this layout from its first conv to its
# last (`course_lib.nn.channels_last`; training keeps `[B, C, T]`, whose backward pass is
# faster): the paper VITS decoder drops from 3.7 to 2.6 s per 3 s of audio on one thread.
# The stage timings above use the plain layout.
#
# The **inverse-STFT** idea (iSTFTNet, Kaneko et al. 2022; Vocos, Siuzdak 2023) removes
# those stages. The network stays at the frame rate and predicts, for every frame, the
# complex STFT column — 513 log-magnitudes **and 513 phases** — and a fixed inverse STFT
# (windowed overlap-add, no parameters) turns the columns into samples. It is the same
# last step Griffin-Lim ends with; the difference is that the phase is now predicted by a
# network that has heard real speech, not guessed by iteration.
#
# The inverse STFT is exact: given the true magnitudes and phases it gives the wave back.

# %%
pad = (audio.N_FFT - audio.HOP_LENGTH) // 2
clip = torch.as_tensor(wave[: 40 * audio.HOP_LENGTH]).view(1, -1)
padded = F.pad(clip.unsqueeze(1), (pad, pad), mode="reflect").squeeze(1)
true_spectrum = torch.stft(padded, audio.N_FFT, audio.HOP_LENGTH, audio.WIN_LENGTH,
                           torch.hann_window(audio.WIN_LENGTH), center=False, return_complex=True)   # [1, 513, 40]
rebuilt = audio.istft(true_spectrum)                                                               # [1, 40·256]
print(f"{tuple(true_spectrum.shape)} complex frames → {tuple(rebuilt.shape)} samples; "
      f"largest error {float((rebuilt - clip).abs().max()):.1e}")

# %% [markdown]
# The generator (`course_lib.models.hifigan.istft_generator`): a conv embeds the mel, then
# ConvNeXt blocks (depthwise conv → LayerNorm → a per-frame MLP → a learned scale → add
# back), then a linear head to `[2·513, T]`: `|S| = exp(·)` (capped at 100) and `S = |S|·(cos φ
# + i sin φ)` — the phase enters through cos and sin, so the network never learns a wrap at ±π.
# The same stage timing:

# %%
from course_lib.models.hifigan import build_generator

with torch.no_grad():
    istft_generator = build_generator(CONFIGS["istft_small"]()).eval()
    x = istft_generator.embed(three_seconds)
    istft_ms = {"embed conv": best_of(lambda: istft_generator.embed(three_seconds))}
    for index, block in enumerate(istft_generator.blocks):
        block_input = x
        istft_ms[f"ConvNeXt block {index}"] = best_of(lambda: block(block_input))
        x = block(x)
    istft_ms["head (log|S|, φ)"] = best_of(lambda: istft_generator.head(istft_generator.final_norm(x.transpose(1, 2))))
    spectrum = istft_generator.spectrum(three_seconds)
    istft_ms["inverse STFT"] = best_of(lambda: audio.istft(spectrum))
torch.set_num_threads(threads)
for name, ms in istft_ms.items():
    print(f"{name:<32} {ms:7.1f} ms")
print(f"{'total':<32} {sum(istft_ms.values()):7.1f} ms for 3 s of audio")
print(f"parameters: V3 {count_parameters(v3):,}, iSTFT small {count_parameters(istft_generator):,}; "
      f"real-time factor on one thread: V3 {sum(hifigan_ms.values()) / 3000:.3f}, "
      f"iSTFT {sum(istft_ms.values()) / 3000:.4f}")

# %% [markdown]
# Everything runs at 86 frames a second, so even a wider network (dim 256 against V3's
# 256 → 32 channels) costs a fraction of one HiFi-GAN stage, and the inverse STFT is a few
# milliseconds. VITS's decoder is a HiFi-GAN generator — 97 % of VITS's inference time on a
# CPU (the official jaywalnut310/vits ljs_base, one thread: real-time factor 1.08) — which is why
# MB-iSTFT-VITS puts an iSTFT head there, and why lesson 11 weighs one for its CPU model.
#
# It trains exactly like HiFi-GAN: same discriminators, same losses, same task. Only
# `HiFiGANConfig.istft` changes (`CONFIGS["istft_small"]`).
#
# **What the speed costs: the phase must be read from tiny differences.** The network maps
# each frame's neighbourhood of mel frames to that frame's spectrum. Give it the same mel frame
# many times — a steady vowel — and it returns the same complex frame every time; overlap-added
# every 256 samples, identical frames make a wave that repeats every 256 samples: a buzz at
# 22,050 / 256 = 86 Hz, whatever the voice's pitch. To sing at 195 Hz, frame t's phases must
# run ahead of frame t − 1's by 2π·195·256/22,050 per harmonic, and the only clue is how the
# mel frames of a real vowel differ slightly from one another (where the glottal pulses fall
# inside each window). Measured on this corpus after 1,000 mel-L1-only steps of `istft_small`:
# the median F0 of its output was 86 Hz for all five voices (the recordings: 90–228 Hz), pitch
# error 800 cents. Learning to read that clue is the adversarial phase's job, and slow on a CPU
# — HiFi-GAN's generator faces the same ambiguity (it is as shift-equivariant, frame by frame).
# The same 86 Hz is what lesson 11's warm-up VITS speaks with.
#
# ## 8. Train it live
#
# The same code as `python -m course_lib train hifigan --config istft_small`: a task with
# a discriminator phase then a generator phase, run by the course trainer on random
# 8192-sample windows of the corpus. One change to the paper's recipe, for a CPU budget
# (`HiFiGANConfig.discriminator_start`, ParallelWaveGAN's warm-up): the generator first
# learns on 45 · mel L1 alone, five times cheaper a step than a GAN step because no
# discriminator runs, and the discriminators join after that. This project measured it
# on one thread: after 2,000 warm-up steps (≈ 8 CPU minutes) the held-out PESQ-WB was 1.68
# and the mel L1 0.51; the GAN from step 1 had 1.16 and 0.70 after 1,000 steps (≈ 21 CPU
# minutes), and the tiny HiFi-GAN generator 1.08 and 0.99. Live, the warm-up here takes the
# first part of the run and the GAN the rest — watch `discriminator/loss` appear once the
# warm-up ends (step 200 of 260 in `default` mode).

# %%
import dataclasses

from course_lib.data.segments import SegmentLoader
from course_lib.models.hifigan.train import HiFiGANTask
from course_lib.training import TrainConfig, Trainer, plot_history

steps = pick(smoke=2, default=260, full=20_000)
config = dataclasses.replace(CONFIGS["istft_small"](), discriminator_start=pick(smoke=1, default=200, full=8000))
train_files = [u.wav_path for u in corpus.split("train")]
loader = SegmentLoader(train_files, batch_size=pick(smoke=1, default=8, full=16), segment_size=config.segment_size)
live_model = build(config)
task = HiFiGANTask(live_model, config)
print(f"{config.discriminator_start} warm-up steps, then {steps - config.discriminator_start} GAN steps: "
      + pick(smoke="a few seconds", default="≈ 3 min on a 2-core laptop CPU", full="many hours on a CPU, under an hour on a GPU"))
trainer = Trainer(task, TrainConfig(steps=steps, log_every=max(1, steps // 40), progress=True))
start = time.perf_counter()
history = trainer.fit(loader)
print(f"{steps} steps in {time.perf_counter() - start:.0f} s")
plot_history(history, keys=["generator/mel", "discriminator/loss"])
plt.show()

# %% [markdown]
# ## 9. Measures Griffin-Lim cannot game
#
# Section 1's curve used the mel L1 (and MCD): both compare 1024-sample STFT *magnitudes*
# on the 0–8 kHz mel — exactly what Griffin-Lim optimises. A Griffin-Lim resynthesis scores
# well on them and still sounds phasey. Vocoder papers (CARGAN, BigVGAN, Vocos) report
# measures that hear the phase (`course_lib.models.hifigan.evaluation.vocoder_scores`):
#
# | measure | what it compares | sees | cannot see |
# |---|---|---|---|
# | **PESQ-WB** (−0.5 … 4.64, ↑) | a model of a listener comparing the two waves at 16 kHz | roughness, phasiness, noise, dropouts | content above 8 kHz; it was built for telephone speech |
# | **periodicity RMSE** (↓) | the pitch tracker's voicing probability, frame by frame (pYIN, 10 ms) | buzz, breathiness, lost pitch pulses | the spectral envelope |
# | **V/UV F1** (↑) | which frames are voiced, the original's as the truth | voiced sounds turned to noise or noise to buzz | errors inside voiced frames |
# | **pitch RMSE** (cents, ↓) | F0 where both are voiced | a wrong pitch | everything else |
# | **M-STFT** (↓) | spectral convergence + log-magnitude L1 at windows 240 / 600 / 1200 | phase errors, which smear magnitudes at windows Griffin-Lim did not fit | a consistent, wrong phase at all scales |
# | mel L1, MCD (↓) | the 1024-window log-mel | a wrong spectral envelope | phase — Griffin-Lim games them |
#
# On the held-out utterances (two in smoke mode):

# %%
from course_lib.models.hifigan.evaluation import mean_scores, pitch_track, vocoder_scores
from course_lib.vocoder import GriffinLimVocoder, HiFiGANVocoder, load_vocoder

shipped = load_vocoder()  # the course vocoder of section 10, when it is shipped
if isinstance(shipped, GriffinLimVocoder):
    print("No shipped vocoder here: only the model you just trained is compared with Griffin-Lim.")
live = HiFiGANVocoder(live_model.generator, name=f"iSTFT (trained above, {steps} steps)")
neural = {live.name: live} if isinstance(shipped, GriffinLimVocoder) else {shipped.name: shipped, live.name: live}
candidates = {"Griffin-Lim (32)": griffin_lim, **neural}
originals = [audio.load_audio(u.wav_path) for u in held_out]
tracks = [pitch_track(w) for w in originals]
scores = {name: mean_scores([vocoder_scores(w, vocoder(audio.mel_spectrogram(w)), track)
                             for w, track in zip(originals, tracks)])
          for name, vocoder in candidates.items()}
columns = ["pesq", "periodicity_rmse", "vuv_f1", "pitch_rmse_cents", "mr_stft", "mel_l1", "mcd"]
print(f"{'':<34}" + "".join(f"{c:>17}" for c in columns))
for name, score in scores.items():
    values = score.to_dict()
    print(f"{name:<34}" + "".join(f"{'n/a' if values[c] is None else f'{values[c]:.3f}':>17}" for c in columns))

# %% [markdown]
# ### What phase a voiced frame needs: lock it to the pitch
#
# Section 7 ended on a question: what should frame t's phases be, if not a copy of frame
# t − 1's? For a voiced sound the answer is known — the phase vocoder's *phase locking*
# (Laroche & Dolson 1999). A voiced sound is a sum of harmonics h·f0, and harmonic h has the
# phase h·Φ, where Φ, the fundamental's phase, grows by 2π·f0·256/22,050 every hop. The course
# frame t is centred on sample 256t + 128, and its DFT counts time from the window's first
# sample, 512 samples earlier — which adds −π·k at bin k. So every bin takes its nearest
# harmonic's phase:
#
# $$\varphi[k, t] = h_k \, \Phi(t) - \pi k, \qquad h_k = \operatorname{round}\!\Big(\frac{k \cdot 21.53\ \text{Hz}}{f_0}\Big), \qquad \Phi(t) = 2\pi \sum_{s \le t} f_0[s] \cdot \tfrac{256}{22050}$$
#
# and unvoiced frames get random phases (noise has nothing to lock to). Successive frames now
# turn by each harmonic's true advance — what identical frames never give.
# `course_lib.models.hifigan.pitch_phase` has it: `frame_pitch` (pYIN at the frame centres),
# `pitch_locked_phase`, and `pitch_locked_resynthesis` — the mel's magnitudes (the same
# pseudo-inverse Griffin-Lim starts from) with these phases, then a few of Griffin-Lim's
# projections (`course_lib.audio.project_phase`) to mend what locking misses (the pitch moves
# inside a window; a bin between two harmonics hears both). No training: the pitch here is
# the recording's, tracked by pYIN.

# %%
from course_lib.models.hifigan.pitch_phase import frame_pitch, pitch_locked_resynthesis

pitches = [frame_pitch(w) for w in originals]
locked_scores = {}
for n_projections in (0, 3):
    locked_scores[f"pitch-locked + {n_projections} projections"] = mean_scores([
        vocoder_scores(w, pitch_locked_resynthesis(audio.mel_spectrogram(w), f0, voiced, n_projections), track)
        for w, (f0, voiced), track in zip(originals, pitches, tracks)])
print(f"{'':<34}" + "".join(f"{c:>17}" for c in columns))
for name, score in {"Griffin-Lim (32)": scores["Griffin-Lim (32)"], **locked_scores}.items():
    values = score.to_dict()
    print(f"{name:<34}" + "".join(f"{'n/a' if values[c] is None else f'{values[c]:.3f}':>17}" for c in columns))
f0, voiced = pitches[0]
locked_wave = pitch_locked_resynthesis(audio.mel_spectrogram(originals[0]), f0, voiced, 3).numpy()
display(HTML(f"<table><tr><th>original</th><th>Griffin-Lim (32)</th><th>pitch-locked + 3 projections</th></tr><tr>"
             f"<td>{Audio(originals[0], rate=audio.SAMPLE_RATE)._repr_html_()}</td>"
             f"<td>{Audio(griffin_lim(audio.mel_spectrogram(originals[0])).numpy(), rate=audio.SAMPLE_RATE)._repr_html_()}</td>"
             f"<td>{Audio(locked_wave, rate=audio.SAMPLE_RATE)._repr_html_()}</td></tr></table>"))

# %% [markdown]
# Measured the same way on 10 held-out utterances of all five voices: Griffin-Lim (32)
# PESQ 2.80, periodicity 0.148, V/UV F1 0.926; pitch-locked with no projection 2.11 / 0.127 /
# 0.963; with 3 projections 2.78 / 0.070 / 0.981. Knowing the pitch, three projections halve
# Griffin-Lim's periodicity error and beat its voicing, where 32 projections from random
# phases do not. PESQ comes out level: both start from the same blurred pseudo-inverse
# magnitudes and end with the same projection, and even the recording's true magnitudes lift
# it only to 2.83. Two lessons for a vocoder: a network that predicted F0 and voicing from the
# mel would escape the hop-rate buzz by construction; and PESQ well above Griffin-Lim's needs
# better *magnitudes* than the mel's blurred pseudo-inverse — the next section.

# %% [markdown]
# ## 10. The course vocoder: pitch made explicit
#
# How is speech made? A **source** — the vocal folds' pulses, a sum of harmonics of F0, for
# voiced sounds; turbulent noise for s, f, t — shaped by a **filter**, the vocal tract, whose
# resonances give a smooth envelope. eSpeak NG, which spoke the course's corpus, is built the
# same way: its `wavegen.c` adds sin(h·phase)·amplitude(h) for every harmonic h, the amplitudes
# read off formant peaks. A mel spectrogram keeps the envelope and blurs the source: its
# lowest filters are 66 Hz apart, the ones above 1 kHz hundreds, so most harmonics share a
# filter with their neighbours. Griffin-Lim starts from that blur (the pseudo-inverse) and
# phase retrieval cannot put the harmonics back: **the magnitudes cap what any phase can do**.
#
# The course vocoder (`course_lib.models.pitch_vocoder`, 1.4 M weights, no discriminator)
# makes each part explicit:
#
# 1. **the pitch** — a small network reads the mel (and the low bins of its pseudo-inverse,
#    where harmonics are resolved) and classifies each frame's F0 among 256 log-spaced pitches,
#    plus voiced or not; it learns from the F0 the corpus stores (`pitch.tsv`, Praat's tracker);
# 2. **the magnitudes** — a second network, given the mel and that pitch, predicts an envelope
#    correction and, per bin, how harmonic it is; the magnitude is the envelope times a mix of
#    a flat noise floor and the **harmonic comb** of F0 (`harmonic_comb`: the Hann window's
#    lobe at every h·F0) — a source × filter spectrum, trained with L1 on log *and* linear
#    magnitudes;
# 3. **the phase** — locked to the predicted pitch (above), then a few projections.
#
# Below: one voiced frame of a held-out utterance — the recording's magnitudes, the mel's
# pseudo-inverse Griffin-Lim starts from, and the course vocoder's — and its pitch track
# against the stored one.

# %%
from course_lib.data import corpus_pitch
from course_lib.models.pitch_vocoder.harmonics import BIN_HZ
from course_lib.vocoder import CourseVocoder

if isinstance(shipped, CourseVocoder):
    course = shipped.model
    example = originals[0]
    example_mel = audio.mel_spectrogram(example)[None]
    with torch.no_grad():
        f0_pred, voiced_pred = course.predict_pitch(example_mel)
        magnitude = course.log_magnitude(example_mel, f0_pred, voiced_pred).exp()[0]
        blurred = course.linear_from_mel(example_mel).exp()[0]
    true_magnitude = audio.linear_spectrogram(example)
    frame = int(torch.argmax(true_magnitude[:40].sum(0) * voiced_pred[0]))  # the loudest voiced frame
    stored = corpus_pitch(corpus)[held_out[0].id]
    fig, (ax_frame, ax_pitch) = plt.subplots(1, 2, figsize=(13, 3.4))
    hz = np.arange(true_magnitude.shape[0]) * BIN_HZ
    upto = hz <= 2500
    for values, label in ((true_magnitude[:, frame], "recording"), (blurred[:, frame], "mel pseudo-inverse"),
                          (magnitude[:, frame], "course vocoder")):
        ax_frame.plot(hz[upto], 20 * np.log10(values[upto].clamp_min(1e-5).numpy()), label=label, linewidth=1)
    ax_frame.set(xlabel="Hz", ylabel="dB", ylim=(-60, None),  # the pseudo-inverse dips to its floor between bands
                 title=f"frame {frame}: F0 predicted {float(f0_pred[0, frame]):.0f} Hz")
    ax_frame.legend(fontsize=8)
    seconds = np.arange(stored.size) * audio.HOP_LENGTH / audio.SAMPLE_RATE
    ax_pitch.plot(seconds, np.where(stored > 0, stored, np.nan), label="stored (Praat, from the recording)")
    ax_pitch.plot(seconds, np.where(voiced_pred[0], f0_pred[0], np.nan), "--", label="predicted from the mel")
    ax_pitch.set(xlabel="s", ylabel="F0 (Hz)", title=f"{held_out[0].speaker_name}: pitch")
    ax_pitch.legend(fontsize=8)
    plt.tight_layout()
    plt.show()
    both = voiced_pred[0].numpy() & (stored > 0)
    cents = 1200 * np.abs(np.log2(f0_pred[0].numpy()[both] / stored[both]))
    print(f"predicted F0 against the stored one: median error {np.median(cents):.1f} cents over {both.sum()} frames "
          f"voiced in both; voicing agrees on {np.mean(voiced_pred[0].numpy() == (stored > 0)):.1%} of frames")
else:
    print("The course vocoder is not shipped here: train it with "
          "`python -m course_lib train pitch_vocoder --config tiny --out runs/pitch_vocoder`.")

# %% [markdown]
# In the frame plot the pseudo-inverse follows the recording's harmonics only roughly, and
# only low down where the mel's filters are narrow (it dips to its floor between them); the
# course vocoder puts a peak at every harmonic of the predicted F0. Its row in the table of
# section 9 is measured the same way as Griffin-Lim's, on utterances it never saw, with its
# *own* predicted pitch.
#
# *Think!* `course.synthesize(mel, pitch_shift=1.25)` multiplies the predicted F0 before the comb
# and the phase are built. Will the voice come out a major third higher? Predict, then run the
# cell below. (Answer: the magnitude network reads the whole mel, whose low bins still hold the
# recording's own harmonics, and it learned to put them back — so the shift barely moves the
# pitch. A network given only the mel's envelope would have to obey it; making the pitch a knob
# that way, without losing pitch accuracy, is the course vocoder's next step.)

# %%
from course_lib.pitch import track_f0

if isinstance(shipped, CourseVocoder):
    shift_mel = audio.mel_spectrogram(originals[0])[None]
    medians = {}
    for shift in (1.0, 1.25):
        shifted = course.synthesize(shift_mel, pitch_shift=shift)[0].numpy()
        f0_out = track_f0(shifted)
        medians[shift] = float(np.median(f0_out[f0_out > 0]))
    print(f"{held_out[0].speaker_name}: median F0 {medians[1.0]:.1f} Hz as predicted, {medians[1.25]:.1f} Hz asked "
          f"for ×1.25 — moved ×{medians[1.25] / medians[1.0]:.3f}")

# %% [markdown]
# ## 11. Listening table: original · Griffin-Lim · neural vocoders
#
# `course_lib.vocoder.load_vocoder()` is the vocoder every later lesson uses: the one the
# project trained and ships in `data/checkpoints/` if it is there, else Griffin-Lim — it
# says which. Same held-out utterances, every way, with PESQ-WB and the mel L1 against the
# original.

# %%
from course_lib.models.hifigan.evaluation import resynthesis_metrics


def audio_html(samples: np.ndarray) -> str:
    return Audio(np.clip(samples, -1, 1), rate=audio.SAMPLE_RATE, normalize=False)._repr_html_()


rows = []
names = ["original", *candidates]
fig, axes = plt.subplots(len(held_out), len(names), figsize=(4 * len(names), 2.6 * len(held_out)), squeeze=False)
for row, (utterance, original) in enumerate(zip(held_out, originals)):
    utterance_mel = audio.mel_spectrogram(original)
    versions = {"original": original, **{name: vocoder(utterance_mel).numpy() for name, vocoder in candidates.items()}}
    cells = []
    for column, (name, samples) in enumerate(versions.items()):
        plots.plot_mel(audio.mel_spectrogram(samples), ax=axes[row, column], title=name if row == 0 else None,
                       colorbar=False)
        score = ""
        if name != "original":
            pesq = vocoder_scores(original, samples, tracks[row]).pesq
            pesq_text = "n/a" if pesq is None else f"{pesq:.2f}"
            score = f"<br>PESQ {pesq_text}, mel L1 {resynthesis_metrics(original, samples).mel_l1:.3f}"
        cells.append(f"<td>{audio_html(samples)}{score}</td>")
    rows.append(f"<tr><td>{utterance.speaker_name}<br><i>{utterance.text}</i></td>{''.join(cells)}</tr>")
header = "".join(f"<th>{name}</th>" for name in ["utterance", *names])
display(HTML(f"<table><tr>{header}</tr>{''.join(rows)}</table>"))
plt.tight_layout()
plt.show()

# %% [markdown]
# Read the table with section 9 in mind: Griffin-Lim's mel L1 is low because it fits those
# very magnitudes; PESQ and periodicity hear what it got wrong. A neural vocoder has to earn
# every figure by learning the whole waveform — the paper's V1 trained 2.5 M steps on a GPU,
# the live model above a hundred on your CPU.
#
# ### Hear the phase problem yourself
#
# Pick an utterance and a vocoder; for Griffin-Lim, move the iterations slider. On the
# left, the original's mel above the mel of the chosen version's wave (same colour scale);
# on the right, 25 ms of the loudest frame of each. Griffin-Lim's mel is close to the
# original's, its waveform is not: that is the phase it had to guess. How close the neural
# vocoder gets depends on how long it trained — the shipped model, or the few steps above.

# %%
from course_lib.widgets.lesson06 import VocoderListener

listener = VocoderListener(held_out, next(iter(neural.values())))
display(listener.ui)

# %% [markdown]
# ## What to try
#
# * Train longer (`python -m course_lib train hifigan --config istft_small --out runs/vocoder
#   --steps 20000`, resumable with `--resume`) and watch `val/mel_l1` in the history — expect the
#   mel L1 of the live model to fall from ≈ 1.1 at 250 steps to ≈ 0.9 at 500.
# * Train `--config tiny` (the HiFi-GAN generator) for the same number of steps and compare both
#   with `python benchmarks/bench_vocoder.py --part quality --candidate NAME=PATH`. *Expect* for
#   the cost (the same two generators measured as VITS decoders, `benchmarks/bench_vits.py`, one
#   thread): the iSTFT one trains 1.6× the steps per CPU second (1.10 against 0.68 steps/s) and
#   runs 2.7–4.5× faster; for the quality, both start from the hop-rate buzz of section 7 —
#   listen for which one loses it first.
# * Supervise the phase directly: `dataclasses.replace(CONFIGS["istft_small"], phase_loss_weight=10.0)`
#   adds APNet's anti-wrapping phase loss against the recording's STFT phase
#   (`course_lib.models.hifigan.losses.phase_loss`). *Expect* (measured, 1,000 warm-up steps
#   each, same data and seed): the phase loss barely moves (4.71 rad for random phases → 4.43),
#   V/UV F1 0.895 against 0.871 without it, periodicity 0.266 against 0.276, PESQ 1.45 against
#   1.46, and the output still buzzes at 86 Hz — a phase target does not remove the ambiguity
#   described above, it only says what the answer should have been.
# * Remove the ambiguity instead: `ISTFTGeneratorConfig(phase="integrated")` has the head predict
#   how far each bin's phase turns from one frame to the next and sums those turns over frames
#   — a steady vowel now needs the same *turn* every frame, which identical frames can give.
#   *Expect* (measured, 4,000 warm-up steps each, same data and seed; integrated / absolute):
#   the female voices' median F0 204 / 86 Hz and 230 / 227 Hz (recordings 195 and 228), pitch
#   error 162 / 502 cents, periodicity 0.214 / 0.243 — but V/UV F1 0.75 / 0.86, PESQ 1.89 / 1.96
#   and mel L1 0.44 / 0.38: a summed phase is coherent where the recording is noise, so some
#   unvoiced frames turn tonal. The male voices (90–109 Hz, near the 86 Hz hop rate) still sit
#   at 86 Hz in both. Neither beats Griffin-Lim yet; which one the GAN phase takes further is
#   an open question for the course vocoder.
# * Count the projections a pitch-locked start needs: `pitch_locked_resynthesis(mel, f0, voiced,
#   n)` for n = 0 … 3 against `audio.griffin_lim(mel, n_iter=n)` from random phases. *Expect*
#   (measured, 10 held-out utterances, pYIN's pitch; PESQ / periodicity / V/UV F1): 2.11 / 0.127 /
#   0.963, 2.60 / 0.067 / 0.975, 2.74 / 0.061 / 0.979, 2.78 / 0.070 / 0.981 for n = 0, 1, 2, 3 —
#   the first projection does most of the mending; Griffin-Lim needs 32 from random phases to
#   reach PESQ 2.80 and never reaches that periodicity (0.148).
# * Break the k = 2u rule in the first stage (`upsample_kernel_sizes` starting with 12, u = 8 —
#   the config accepts it: k − u is even), train as long as above and listen. *What to look
#   for:* the ripple of the overlap plot repeats once per mel frame, so it lands at 86 Hz and
#   its harmonics — horizontal lines in the output's spectrogram that the recording does not
#   have, and a buzz under every sound, voiced or not.
# * Drop the MPD (train with only the MSD) — the paper's worst ablation (MOS 2.28).
# * Vocode an LJSpeech clip from `../shared/data/ljspeech_sample`: out of domain for a
#   vocoder trained on eSpeak. *Expect* (measured, the course run at step 12,253 on those 10
#   clips, `bench_vocoder.py --part quality`): PESQ-WB 1.30 against Griffin-Lim's 3.27, V/UV F1
#   0.64 against 0.96, pitch error 631 cents — a real voice's pitch, breath and room are nothing
#   like eSpeak's pulses, and a vocoder only knows the voices it was trained on; Griffin-Lim,
#   which learns nothing, does not care.
#
# ## Summary
#
# * Griffin-Lim recovers magnitudes, not phase; a neural vocoder learns both.
# * HiFi-GAN's generator: conv → (leaky-ReLU, transposed conv ×u, MRF) × stages → conv → tanh;
#   padding (k − u)/2 and ∏u = hop make the length exact.
# * MPD folds the wave by prime periods; MSD looks at three resolutions.
# * Losses: LSGAN + 2 · feature matching + 45 · mel L1, the mel term anchoring training.
# * An inverse-STFT generator predicts magnitude and phase per frame and lets a fixed inverse
#   STFT make the samples: no sample-rate layers, ~20× cheaper than V3 on a CPU.
# * Judge vocoders with PESQ, periodicity, V/UV F1 and pitch error beside the mel errors: Griffin-Lim games
#   the latter.
# * A voiced frame's phase follows from the pitch (phase locking: φ = h·Φ − πk): with pYIN's F0
#   and three projections it halves Griffin-Lim's periodicity error; the pitch is what a
#   frame-rate generator must learn to read, or be given.
# * Speech is a source (harmonics of F0, noise) times a filter (an envelope): the course vocoder
#   predicts the pitch from the mel, puts its harmonic comb under a learned envelope, and locks
#   the phase to it — trained in minutes on a CPU.
#
# ## References
#
# * Kong, Kim & Bae, *HiFi-GAN: Generative Adversarial Networks for Efficient and High Fidelity
#   Speech Synthesis*, NeurIPS 2020 (arXiv 2010.05646); official code jik876/hifi-gan.
# * Kumar et al., *MelGAN*, NeurIPS 2019 (the multi-scale discriminator).
# * Kaneko et al., *iSTFTNet*, ICASSP 2022; Siuzdak, *Vocos*, ICLR 2024 (arXiv 2306.00814).
# * Morrison et al., *Chunked Autoregressive GAN for Conditional Waveform Synthesis* (CARGAN), ICLR 2022
#   — the pitch, periodicity and V/UV F1 measures; ITU-T P.862.2 (PESQ wideband).
# * Mao et al., *Least Squares Generative Adversarial Networks*, ICCV 2017.
# * Odena, Dumoulin & Olah, *Deconvolution and Checkerboard Artifacts*, Distill 2016.
# * Griffin & Lim, *Signal estimation from modified short-time Fourier transform*, 1984.
