"""Lesson 11 tools and widget: VITS from a text box, with speaker, noise_scale, noise_scale_w and length_scale.

Pure parts (unit-tested, no UI):

* :func:`speak` — (model, text, speaker, noise_scale, noise_scale_w, length_scale, seed, pitch_shift) →
  :class:`VITSSample` (wave, sample rate, its mel, token labels, durations, and the pitch a VITS with an
  explicit F0 spoke at);
* :func:`sample_many` — one sentence drawn with several seeds; :func:`variation_figure` draws their F0
  (pYIN) and their durations on one time axis, so the variation is seen;
* :func:`convert_voice` — a recording of speaker A → the same speech in speaker B's voice;
* :func:`real_time_factor` — median seconds of compute per second of audio;
* :func:`vits_diagram` — the training graph, posterior and prior drawn apart.

:class:`VITSSpeaker` is the thin ipywidgets UI (text box, speaker menu, three sliders — four with a pitch
slider for a VITS with an explicit F0 —, seed and "resample z"; waveform, mel and audio in one Output).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from course_lib import audio
from course_lib.models.vits import VITS
from course_lib.widgets import audio_output, show_outputs


@dataclass(frozen=True)
class VITSSample:
    wave: np.ndarray        # [N] float32 in [-1, 1]
    sample_rate: int
    mel: torch.Tensor       # [80, T] log-mel of the wave (for plotting)
    tokens: list[str]       # the symbols spoken ("·" for a blank)
    durations: list[int]    # frames per token, as the duration predictor sampled them
    speaker: int | None
    noise_scale: float
    noise_scale_w: float
    length_scale: float
    seed: int
    pitch_shift: float = 1.0
    f0: np.ndarray | None = None  # [T] Hz per frame, 0 = unvoiced: the pitch a VITS with an explicit F0 spoke at


def token_labels(model: VITS, text: str) -> tuple[torch.Tensor, list[str]]:
    """``[T_text]`` token ids of ``text`` through the model's front end, and one label per token (blank → "·")."""
    from course_lib.text import text_to_tokens, tokenizer_for

    cfg = model.config
    tokens = text_to_tokens(text, cfg.front_end, cfg.add_blank)[0]
    tokenizer = tokenizer_for(cfg.front_end, cfg.add_blank)
    labels = ["·" if i == tokenizer.blank_id else tokenizer.symbols[i] for i in tokens.tolist()]
    return tokens, labels


def _speaker(model: VITS, speaker: int | None) -> int | None:
    return (0 if speaker is None else int(speaker)) if model.config.speaker_conditioned else None


@torch.no_grad()
def speak(model: VITS, text: str, speaker: int | None = 0, noise_scale: float | None = None,
          noise_scale_w: float | None = None, length_scale: float = 1.0, seed: int = 0,
          pitch_shift: float = 1.0) -> VITSSample:
    """Text → sampled durations → z_p ~ N(μ, (noise_scale·σ)²) → reverse flow → decoder → wave.

    ``speaker`` is ignored by a single-speaker model; ``pitch_shift`` multiplies the predicted F0 of a VITS
    with an explicit F0 (others refuse anything but 1). Raises ``ValueError`` for empty text, a speaker out of
    range, negative noise scales, a length scale or pitch shift ≤ 0 (the model's messages).
    """
    tokens, labels = token_labels(model, text)
    speaker = _speaker(model, speaker)
    noise_scale = model.config.noise_scale if noise_scale is None else noise_scale
    noise_scale_w = model.config.noise_scale_w if noise_scale_w is None else noise_scale_w
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        out = model.infer(tokens[None].to(device), torch.tensor([len(tokens)], device=device), noise_scale,
                          noise_scale_w, length_scale, speaker, torch.Generator().manual_seed(int(seed)),
                          pitch_shift)
    finally:
        model.train(was_training)
    wave = out.wave[0, 0, : int(out.wave_lengths[0])].clamp(-1.0, 1.0).cpu().numpy().astype(np.float32)
    return VITSSample(wave=wave, sample_rate=audio.SAMPLE_RATE, mel=audio.mel_spectrogram(wave), tokens=labels,
                      durations=[int(d) for d in out.durations[0]], speaker=speaker, noise_scale=float(noise_scale),
                      noise_scale_w=float(noise_scale_w), length_scale=float(length_scale), seed=int(seed),
                      pitch_shift=float(pitch_shift), f0=None if out.f0 is None else out.f0[0].cpu().numpy())


def sample_many(model: VITS, text: str, speaker: int | None = 0, seeds: Sequence[int] = range(8),
                noise_scale: float | None = None, noise_scale_w: float | None = None) -> list[VITSSample]:
    """The same sentence drawn once per seed (both noises resampled)."""
    return [speak(model, text, speaker, noise_scale, noise_scale_w, seed=seed) for seed in seeds]


def pitch_contour(wave: np.ndarray, sample_rate: int = audio.SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    """``(times [F] in s, f0 [F] in Hz, NaN where unvoiced)`` from pYIN (the vocoder lesson's pitch tracker)."""
    from course_lib.models.waveform.evaluation import PITCH_HOP, PESQ_RATE, pitch_track

    track = pitch_track(wave, sample_rate)
    return np.arange(len(track.f0)) * PITCH_HOP / PESQ_RATE, track.f0


def variation_figure(samples: Sequence[VITSSample], title: str | None = None):
    """Top: the F0 of every sample over time; bottom: one row per sample, its tokens as time segments.

    Returns a ``matplotlib.figure.Figure`` (not pyplot's, so it is shown only where displayed).
    """
    from matplotlib.figure import Figure

    if not samples:
        raise ValueError("no samples to draw: pass the list sample_many returned")
    fig = Figure(figsize=(11, 2.6 + 0.32 * len(samples)))
    ax_f0, ax_dur = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2.2, 0.3 * len(samples) + 0.4]})
    colors = [f"C{i % 10}" for i in range(len(samples))]
    frame_seconds = audio.HOP_LENGTH / audio.SAMPLE_RATE
    longest = 0.0
    for row, (sample, color) in enumerate(zip(samples, colors)):
        times, f0 = pitch_contour(sample.wave, sample.sample_rate)
        ax_f0.plot(times, f0, color=color, linewidth=1.4, label=f"seed {sample.seed}")
        start = 0.0
        for label, frames in zip(sample.tokens, sample.durations):
            if frames == 0:
                continue
            width = frames * frame_seconds
            if label != "·":  # blanks stay white gaps; phonemes alternate shades of the sample's colour
                ax_dur.broken_barh([(start, width)], (row - 0.4, 0.8), facecolors=color,
                                   alpha=0.85 if len(ax_dur.collections) % 2 else 0.5, edgecolor="white")
            start += width
        longest = max(longest, start)
    ax_f0.set_ylabel("F0 (Hz)")
    ax_f0.grid(alpha=0.3)
    ax_f0.legend(ncol=min(8, len(samples)), fontsize=7, loc="upper right")
    ax_f0.set_title(title or "the same sentence, one sample per seed: pitch (top) and phoneme timing (bottom)")
    ax_dur.set_yticks(range(len(samples)), [f"seed {s.seed}" for s in samples], fontsize=7)
    ax_dur.set_ylim(len(samples) - 0.5, -0.5)
    ax_dur.set_xlim(0, longest * 1.01)
    ax_dur.set_xlabel("time (s) — each bar is one phoneme, gaps are blanks")
    fig.tight_layout()
    return fig


@torch.no_grad()
def convert_voice(model: VITS, wave: np.ndarray, source_speaker: int, target_speaker: int, seed: int = 0
                  ) -> np.ndarray:
    """``wave [N]`` (22,050 Hz) spoken by ``source_speaker`` → ``[T·256]`` in ``target_speaker``'s voice, in [-1, 1].

    A VITS with an explicit F0 keeps the recording's intonation (Praat's track of it), moved into the target's
    range."""
    spec = audio.linear_spectrogram(torch.as_tensor(np.asarray(wave, dtype=np.float32)))[None]  # [1, 513, T]
    device = next(model.parameters()).device
    f0 = None
    if model.has_pitch:
        from course_lib.pitch import track_f0

        f0 = torch.from_numpy(track_f0(np.asarray(wave, dtype=np.float32)))[None, : spec.shape[-1]].to(device)
    was_training = model.training
    model.eval()
    try:
        converted = model.voice_conversion(spec.to(device), torch.tensor([spec.shape[-1]], device=device),
                                           source_speaker, target_speaker, torch.Generator().manual_seed(int(seed)),
                                           f0=f0)
    finally:
        model.train(was_training)
    return converted[0, 0].clamp(-1.0, 1.0).cpu().numpy().astype(np.float32)


def real_time_factor(fn: Callable[[], object], audio_seconds: float, repeats: int = 3, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``repeats`` runs (after ``warmup`` untimed ones) ÷ ``audio_seconds``.

    Below 1 is faster than real time.
    """
    if audio_seconds <= 0 or repeats < 1:
        raise ValueError(f"need audio_seconds > 0 and repeats >= 1, got {audio_seconds} and {repeats}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / audio_seconds


# ---------------------------------------------------------------------------------------------- the diagram
_POSTERIOR, _PRIOR, _DECODER, _MAS = "#cfe3f7", "#fde3c8", "#d5efd5", "#eeeeee"


def vits_diagram():
    """VITS in training: the posterior (blue) reads the linear spectrogram; the prior (orange) is the text
    encoder *and* the flow; MAS (grey, no gradient) aligns z_p with the text prior; the decoder (green) sees a
    32-frame window of z. Returns a ``matplotlib.figure.Figure``."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Patch

    fig = Figure(figsize=(12, 5.4))
    ax = fig.subplots()
    ax.set_xlim(-0.15, 12.4)
    ax.set_ylim(-0.55, 6.1)
    ax.axis("off")
    boxes = {
        "spec": (1.2, 5.2, "linear spectrogram\n$x_{lin}$ [513 × T]", _POSTERIOR),
        "post": (4.2, 5.2, "posterior encoder\n$q(z\\,|\\,x_{lin}) = \\mathcal{N}(\\mu_q, \\sigma_q)$", _POSTERIOR),
        "z": (7.0, 5.2, "$z = \\mu_q + \\sigma_q\\,\\varepsilon$\n[192 × T]", _POSTERIOR),
        "dec": (10.4, 5.2, "decoder G: a random\n32-frame window of z\n→ 8192 samples", _DECODER),
        "gan": (10.4, 3.55, "45·mel L1 + adversarial\n+ 2·feature matching\n(vs. the same 8192 samples)", _DECODER),
        "flow": (7.0, 3.55, "flow $f_\\theta$ (part of the prior)\nmean-only couplings:\n$\\log|\\det| = 0$", _PRIOR),
        "zp": (7.0, 2.05, "$z_p = f_\\theta(z)$", _PRIOR),
        "kl": (10.4, 2.05, "KL: $\\log q(z|x) - \\log\\mathcal{N}(z_p;\\mu_A,\\sigma_A)$\n(one sample)", _PRIOR),
        "text": (1.2, 0.45, "text\n(phoneme ids)", _PRIOR),
        "enc": (4.2, 0.45, "text encoder\n$\\mathcal{N}(\\mu_p, \\sigma_p)$ per token", _PRIOR),
        "mas": (7.0, 0.45, "MAS on $\\log\\mathcal{N}(z_p;\\mu_p,\\sigma_p)$\n→ alignment A, durations d", _MAS),
        "sdp": (4.2, 2.05, "stochastic duration\npredictor: bound on\n$\\log p(d\\,|\\,\\text{text})$", _PRIOR),
    }
    for x, y, label, color in boxes.values():
        ax.add_patch(FancyBboxPatch((x - 1.25, y - 0.5), 2.5, 1.0, boxstyle="round,pad=0.05", facecolor=color,
                                    edgecolor="0.35", linewidth=1.0))
        ax.text(x, y, label, ha="center", va="center", fontsize=8.6)

    def arrow(a: str, b: str, label: str = "", dashed: bool = False) -> None:
        (xa, ya, *_), (xb, yb, *_) = boxes[a], boxes[b]
        if ya == yb:
            start, end = (xa + 1.3 * np.sign(xb - xa), ya), (xb - 1.3 * np.sign(xb - xa), yb)
        else:
            start, end = (xa, ya - 0.55 * np.sign(ya - yb)), (xb, yb + 0.55 * np.sign(ya - yb))
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color="0.2", linewidth=1.2,
                                                              linestyle="--" if dashed else "-"))
        if label:
            ax.text((start[0] + end[0]) / 2 + 0.08, (start[1] + end[1]) / 2 + 0.1, label, fontsize=7.5, color="0.25")

    arrow("spec", "post")
    arrow("post", "z")
    arrow("z", "dec")
    arrow("dec", "gan")
    arrow("z", "flow")
    arrow("flow", "zp")
    arrow("zp", "kl")
    arrow("text", "enc")
    arrow("enc", "mas")
    arrow("zp", "mas")
    arrow("enc", "sdp", "hidden (detached)")
    ax.annotate("", xy=(5.45, 2.05), xytext=(5.75, 0.75), arrowprops=dict(arrowstyle="-|>", color="0.2",
                                                                           linestyle="--"))
    ax.text(5.65, 1.2, "d (target)", fontsize=7.5, color="0.25")
    ax.annotate("", xy=(10.4, 1.5), xytext=(8.3, 0.6), arrowprops=dict(arrowstyle="-|>", color="0.2", linestyle="--"))
    ax.text(9.5, 0.75, "$\\mu_A, \\sigma_A$ = prior expanded by A", fontsize=7.5, color="0.25")
    ax.text(0.0, -0.45, "Inference: text → encoder → sampled durations → $z_p \\sim \\mathcal{N}(\\mu_A, "
            "(\\mathrm{noise\\_scale}\\cdot\\sigma_A)^2)$ → $f_\\theta^{-1}$ → decoder on all of z → wave. "
            "The posterior encoder is not used (except for voice conversion).", fontsize=8.4)
    ax.legend(handles=[Patch(facecolor=_POSTERIOR, edgecolor="0.35", label="posterior q(z | x_lin): reads audio"),
                       Patch(facecolor=_PRIOR, edgecolor="0.35", label="prior p(z | text): encoder + flow + durations"),
                       Patch(facecolor=_MAS, edgecolor="0.35", label="alignment search (no gradient)"),
                       Patch(facecolor=_DECODER, edgecolor="0.35", label="decoder and its GAN losses")],
              loc="upper left", bbox_to_anchor=(0.0, 0.77), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------- the UI
class VITSSpeaker:
    """Text box, speaker menu, noise_scale / noise_scale_w / length_scale sliders, seed and "resample z".

    ``.ui`` is the widget to display; ``speakers`` names the model's speakers (defaults to their ids).
    """

    def __init__(self, model: VITS, text: str = "The quick brown fox jumps over the lazy dog.",
                 speakers: Sequence[str] | None = None, speaker: int = 0) -> None:
        import ipywidgets as widgets

        self.model = model
        n = model.config.n_speakers
        names = list(speakers) if speakers is not None else [f"speaker {i}" for i in range(n)]
        if len(names) != n:
            raise ValueError(f"the model has {n} speakers but {len(names)} names were given")
        style = {"description_width": "initial"}

        def slider(value, low, high, description):
            return widgets.FloatSlider(value=value, min=low, max=high, step=0.05, description=description,
                                       continuous_update=False, style=style)

        self.text = widgets.Text(value=text, description="text", continuous_update=False,
                                 layout=widgets.Layout(width="70%"))
        self.speaker = widgets.Dropdown(options=[(name, i) for i, name in enumerate(names)], value=speaker,
                                        description="speaker", disabled=n == 1)
        self.noise_scale = slider(model.config.noise_scale, 0.0, 1.5, "noise_scale (z)")
        self.noise_scale_w = slider(model.config.noise_scale_w, 0.0, 1.5, "noise_scale_w (durations)")
        self.length_scale = slider(1.0, 0.5, 2.0, "length_scale")
        # the predicted F0 × this; a VITS whose decoder never sees the pitch has nothing to shift
        self.pitch_shift = slider(1.0, 0.5, 2.0, "pitch × (F0)")
        self.pitch_shift.disabled = not model.has_pitch
        self.seed = widgets.IntText(value=0, description="seed")
        self.resample = widgets.Button(description="resample z", icon="refresh")
        self.output = widgets.Output()
        for control in (self.text, self.speaker, self.noise_scale, self.noise_scale_w, self.length_scale, self.seed,
                        self.pitch_shift):
            control.observe(lambda _change: self.render(), names="value")
        self.resample.on_click(lambda _button: self._next_seed())
        self.ui = widgets.VBox([self.text, self.speaker, widgets.HBox([self.noise_scale, self.noise_scale_w]),
                                widgets.HBox([self.length_scale, self.pitch_shift]),
                                widgets.HBox([self.seed, self.resample]), self.output])
        self.sample: VITSSample | None = None
        self.error: str | None = None
        self.render()

    def _next_seed(self) -> None:
        self.seed.value += 1  # the observer re-renders

    def render(self) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        try:
            sample = speak(self.model, self.text.value, self.speaker.value, self.noise_scale.value,
                           self.noise_scale_w.value, self.length_scale.value, self.seed.value, self.pitch_shift.value)
            self.error = None
        except ValueError as err:  # empty or unpronounceable text, bad knob values, too long
            self.error = str(err)
            show_outputs(self.output, f"⚠ {err}\n")
            return
        self.sample = sample
        fig = Figure(figsize=(10, 4.6))  # not pyplot: shown once, in the Output, never inline as well
        ax_wave, ax_mel = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1, 2]})
        plots.plot_wave(sample.wave, sample.sample_rate, ax=ax_wave,
                        title=f"{self.speaker.label}: noise_scale {sample.noise_scale:.2f}, noise_scale_w "
                              f"{sample.noise_scale_w:.2f}, length_scale {sample.length_scale:.2f}, "
                              + (f"pitch ×{sample.pitch_shift:.2f}, " if self.model.has_pitch else "")
                              + f"seed {sample.seed}")
        plots.plot_durations(sample.mel, sample.tokens, sample.durations, ax=ax_mel)
        fig.tight_layout()
        show_outputs(self.output, fig, audio_output(sample.wave, sample.sample_rate))
