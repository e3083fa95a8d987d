"""Lesson 06 widgets: a source × filter playground, and one utterance heard through every vocoder.

:func:`source_filter_vowel` makes a vowel as eSpeak does — the harmonics of F0 and noise through a vowel's
formants — and :class:`SourceFilterPlayground` is its UI (pitch, voicing and noise sliders, a vowel menu → the
spectrum under its envelope, 25 ms of the wave, a second to hear).

The pure part of the listener, :func:`vocode_utterance`, maps (wave or file, vocoder name, iterations) to a
:class:`VocodedSample`: the version's wave, its mel beside the original's, and its
:func:`~course_lib.models.waveform.evaluation.resynthesis_metrics` against the original
(none for the original itself). :func:`griffin_lim_curve` measures how Griffin-Lim's
quality changes with its number of iterations. :class:`VocoderListener` is the thin
ipywidgets UI: an utterance menu, vocoder buttons, an iterations slider; the mels, a
25 ms zoom into the waveforms and the audio in one Output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_lib import audio
from course_lib.models.waveform.evaluation import ResynthesisMetrics, resynthesis_metrics
from course_lib.widgets import audio_output, show_outputs

ORIGINAL = "original"
GRIFFIN_LIM = "Griffin-Lim"
MIN_GL_ITERATIONS = 1  # course_lib.audio.griffin_lim always runs at least one iteration


@dataclass(frozen=True)
class VocodedSample:
    wave: np.ndarray  # [T·256] float32 in [-1, 1]
    sample_rate: int
    mel: torch.Tensor  # [80, T] log-mel of this version's wave
    original_mel: torch.Tensor  # [80, T] log-mel of the original: what the vocoder was given
    metrics: ResynthesisMetrics | None  # against the original; None for the original itself
    name: str  # e.g. "Griffin-Lim (32 iterations)"


def load_wave(wave_or_path) -> np.ndarray:
    """A wave ``[N]`` float32 from an array/tensor, a file path, or an utterance with ``.wav_path``."""
    source = getattr(wave_or_path, "wav_path", wave_or_path)
    if isinstance(source, (str, Path)):
        return audio.load_audio(source)
    wave = torch.as_tensor(source).detach().float().cpu().numpy()
    if wave.ndim != 1:
        raise ValueError(f"expected one wave [N], got shape {wave.shape}")
    return wave.astype(np.float32)


def _check_iterations(gl_iterations: int) -> int:
    if int(gl_iterations) != gl_iterations or gl_iterations < MIN_GL_ITERATIONS:
        raise ValueError(f"Griffin-Lim needs a whole number of iterations ≥ {MIN_GL_ITERATIONS}, got {gl_iterations}")
    return int(gl_iterations)


@torch.no_grad()
def vocode_utterance(wave_or_path, vocoder_name: str, vocoders: dict | None = None, gl_iterations: int = 32,
                     seed: int = 0) -> VocodedSample:
    """Original wave → mel ``[80, T]`` → the chosen vocoder → wave ``[T·256]``, with its metrics.

    ``vocoder_name``: ``"original"`` (the wave itself, cut to ``T·256`` samples), ``"Griffin-Lim"``
    (``gl_iterations`` iterations from a random phase drawn with ``seed``), or a key of ``vocoders``
    (name → any callable mel ``[80, T]`` → wave ``[T·256]`` with ``.sample_rate``, e.g. a
    :class:`~course_lib.vocoder.HiFiGANVocoder`). Raises ``ValueError`` for an unknown name,
    ``gl_iterations`` < 1, or a wave shorter than one frame.
    """
    vocoders = dict(vocoders or {})
    choices = [ORIGINAL, GRIFFIN_LIM, *(name for name in vocoders if name not in (ORIGINAL, GRIFFIN_LIM))]
    if vocoder_name not in choices:
        raise ValueError(f"unknown vocoder {vocoder_name!r}: choose one of {', '.join(map(repr, choices))}")
    gl_iterations = _check_iterations(gl_iterations)
    original = load_wave(wave_or_path)
    original_mel = audio.mel_spectrogram(original)                   # [80, T]
    original = original[: original_mel.shape[1] * audio.HOP_LENGTH]  # [T·256]: whole frames only
    sample_rate = audio.SAMPLE_RATE
    if vocoder_name == ORIGINAL:
        return VocodedSample(wave=np.clip(original, -1.0, 1.0), sample_rate=sample_rate, mel=original_mel,
                             original_mel=original_mel, metrics=None, name=ORIGINAL)
    if vocoder_name == GRIFFIN_LIM:
        wave = audio.griffin_lim(original_mel, n_iter=gl_iterations, seed=seed)
        name = f"{GRIFFIN_LIM} ({gl_iterations} iteration{'s' if gl_iterations != 1 else ''})"
    else:
        vocoder = vocoders[vocoder_name]
        wave = vocoder(original_mel)
        sample_rate = int(getattr(vocoder, "sample_rate", sample_rate))
        name = vocoder_name
    wave = np.clip(torch.as_tensor(wave).detach().float().cpu().numpy(), -1.0, 1.0).astype(np.float32)
    return VocodedSample(wave=wave, sample_rate=sample_rate, mel=audio.mel_spectrogram(wave),
                         original_mel=original_mel, metrics=resynthesis_metrics(original, wave), name=name)


@torch.no_grad()
def griffin_lim_curve(wave_or_path, iterations=(1, 4, 16, 64), seed: int = 0) -> dict[int, ResynthesisMetrics]:
    """``{iterations: metrics}`` of Griffin-Lim from the wave's own mel: quality against effort.

    Every run starts from the same random phase (``seed``), so the curve shows what the
    extra iterations buy. Raises ``ValueError`` for an iteration count < 1.
    """
    counts = [_check_iterations(n) for n in iterations]
    original = load_wave(wave_or_path)
    mel = audio.mel_spectrogram(original)                             # [80, T]
    return {n: resynthesis_metrics(original, audio.griffin_lim(mel, n_iter=n, seed=seed)) for n in counts}


def loudest_span(mel: torch.Tensor, seconds: float = 0.025) -> slice:
    """Samples of the loudest frame of ``mel [80, T]`` onwards, ``seconds`` long: a voiced stretch to zoom into."""
    start = int(mel.exp().sum(0).argmax()) * audio.HOP_LENGTH
    return slice(start, start + int(seconds * audio.SAMPLE_RATE))


class VocoderListener:
    """Utterance menu, vocoder buttons and a Griffin-Lim iterations slider; ``.ui`` is the widget to display.

    ``utterances``: objects with ``.wav_path``, ``.text`` and ``.speaker_name`` (e.g.
    ``corpus.split("test").utterances[:8]``). ``vocoder``: the neural vocoder to compare
    (e.g. the shipped :class:`~course_lib.vocoder.HiFiGANVocoder`), offered under its ``.name``;
    None offers only the original and Griffin-Lim.
    """

    def __init__(self, utterances, vocoder=None, gl_iterations: int = 32, max_gl_iterations: int = 100) -> None:
        import ipywidgets as widgets

        self.utterances = list(utterances)
        if not self.utterances:
            raise ValueError("no utterances to listen to: pass e.g. corpus.split('test').utterances[:8]")
        self.vocoders = {} if vocoder is None else {vocoder.name: vocoder}
        if set(self.vocoders) & {ORIGINAL, GRIFFIN_LIM}:
            raise ValueError(f"the vocoder's name {vocoder.name!r} is taken by a built-in choice; give it another")
        self.utterance = widgets.Dropdown(
            options=[(f"{u.speaker_name}: {u.text if len(u.text) <= 60 else u.text[:57] + '…'}", i)
                     for i, u in enumerate(self.utterances)],
            value=0, description="utterance", layout=widgets.Layout(width="70%"))
        self.vocoder = widgets.ToggleButtons(options=[ORIGINAL, GRIFFIN_LIM, *self.vocoders], value=GRIFFIN_LIM,
                                             description="vocoder")
        self.iterations = widgets.IntSlider(value=gl_iterations, min=MIN_GL_ITERATIONS, max=max_gl_iterations,
                                            description="Griffin-Lim iterations", continuous_update=False,
                                            style={"description_width": "initial"},
                                            layout=widgets.Layout(width="50%"))
        self.output = widgets.Output()
        for control in (self.utterance, self.vocoder, self.iterations):
            control.observe(lambda _change: self.render(), names="value")
        self.ui = widgets.VBox([self.utterance, self.vocoder, self.iterations, self.output])
        self._waves: dict[int, np.ndarray] = {}  # loaded once per utterance
        self.sample: VocodedSample | None = None
        self.error: str | None = None
        self.render()

    def _wave(self, index: int) -> np.ndarray:
        if index not in self._waves:
            self._waves[index] = load_wave(self.utterances[index])
        return self._waves[index]

    def render(self) -> None:
        from matplotlib.figure import Figure

        from course_lib import plots

        self.iterations.disabled = self.vocoder.value != GRIFFIN_LIM  # the slider only moves Griffin-Lim
        try:
            utterance = self.utterances[self.utterance.value]
            sample = vocode_utterance(self._wave(self.utterance.value), self.vocoder.value, self.vocoders,
                                      self.iterations.value)
            self.error = None
        except ValueError as err:  # unreadable or too short a file, bad iterations
            self.error = str(err)
            show_outputs(self.output, f"⚠ {err}\n")
            return
        self.sample = sample
        text = f"{utterance.speaker_name}: {utterance.text}\n"
        if sample.metrics is not None:
            text += (f"{sample.name}: mel L1 {sample.metrics.mel_l1:.3f}, MCD {sample.metrics.mcd:.2f} dB "
                     "against the original (lower is better)\n")
        fig = Figure(figsize=(13, 4.6))  # not pyplot: nothing is left open or shown twice
        axes = fig.subplots(2, 2, gridspec_kw={"width_ratios": (3, 1)})
        limits = {"vmin": float(sample.original_mel.min()), "vmax": float(sample.original_mel.max())}
        plots.plot_mel(sample.original_mel, ax=axes[0, 0], title="original", colorbar=False, **limits)
        plots.plot_mel(sample.mel, ax=axes[1, 0], title=f"{sample.name}: mel of its wave", colorbar=False,
                       **limits)
        span = loudest_span(sample.original_mel)
        original = self._wave(self.utterance.value)
        milliseconds = 1000 * np.arange(len(original[span])) / sample.sample_rate
        peak = 1.05 * max(float(np.abs(original[span]).max()), float(np.abs(sample.wave[span]).max()), 1e-3)
        for ax, (label, wave) in zip(axes[:, 1], (("original", original), (sample.name, sample.wave))):
            ax.plot(milliseconds[: len(wave[span])], wave[span], linewidth=0.8)
            ax.set_title(f"{label}: 25 ms of the loudest frame", fontsize=9)
            ax.set_xlabel("ms")
            ax.set_ylim(-peak, peak)
        fig.tight_layout()
        # One assignment of the Output's contents instead of `with self.output: ...` (see
        # course_lib.widgets.show_outputs): no flicker, and no large captured outputs for notebook
        # runners to echo back to the kernel, which can hang `nbconvert --execute` (jupyter/nbclient#312).
        show_outputs(self.output, text, fig, audio_output(sample.wave, sample.sample_rate))



# --------------------------------------------------------------------------- source × filter

# formant frequencies and bandwidths (Hz) of three vowels, an adult male's (Peterson & Barney 1952's averages;
# bandwidths after Klatt 1980)
VOWELS = {
    "a (father)": ((730, 1090, 2440), (80, 90, 120)),
    "i (beet)": ((270, 2290, 3010), (60, 100, 120)),
    "u (boot)": ((300, 870, 2240), (60, 80, 100)),
}


def formant_envelope(frequency: np.ndarray, formants, bandwidths) -> np.ndarray:
    """``|H(f)|`` of a cascade of two-pole resonators, 1 at 0 Hz: a peak of width ``bandwidth`` at each formant."""
    f = np.asarray(frequency, dtype=np.float64)
    response = np.ones_like(f)
    for centre, width in zip(formants, bandwidths):
        response *= centre**2 / np.sqrt((centre**2 - f**2) ** 2 + (width * f) ** 2)
    return response


@dataclass(frozen=True)
class SourceFilterSample:
    wave: np.ndarray          # [N] float32 in [-1, 1]
    sample_rate: int
    frequency: np.ndarray     # [513] Hz of the STFT bins
    spectrum: np.ndarray      # [513] |STFT| of the middle frame (linear)
    envelope: np.ndarray      # [513] the spectral envelope (formants × source tilt): where a harmonic peaks


@torch.no_grad()
def source_filter_vowel(f0: float = 120.0, voicing: float = 1.0, noise: float = 0.05, vowel: str = "a (father)",
                        seconds: float = 1.0, seed: int = 0) -> SourceFilterSample:
    """A vowel made as eSpeak makes one: the harmonics of ``f0`` (times ``voicing``) and white noise (times
    ``noise``), both shaped by the spectral envelope — ``vowel``'s formants times the source's tilt, falling 6 dB an
    octave above F0 (the glottal pulse's −12 dB and the lips' radiation's +6 dB).

    ``voicing`` 0 with ``noise`` > 0 whispers; ``noise`` 1 puts the noise 10 dB under the harmonics' peaks. Raises
    ``ValueError`` for ``f0`` outside 40–1,000 Hz, ``voicing`` or ``noise`` outside [0, 1], an unknown vowel or
    ``seconds`` outside 0.1–5.
    """
    from course_lib.source_filter import BIN_HZ, NYQUIST, filtered_noise, harmonic_source, sinusoid_amplitude

    if not 40.0 <= f0 <= 1000.0:
        raise ValueError(f"f0 must lie in 40–1,000 Hz, got {f0}")
    for name, value in (("voicing", voicing), ("noise", noise)):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must lie in [0, 1], got {value}")
    if vowel not in VOWELS:
        raise ValueError(f"unknown vowel {vowel!r}: choose one of {', '.join(map(repr, VOWELS))}")
    if not 0.1 <= seconds <= 5.0:
        raise ValueError(f"seconds must lie in 0.1–5, got {seconds}")
    formants, bandwidths = VOWELS[vowel]

    def envelope(frequency: np.ndarray) -> np.ndarray:  # |STFT| a harmonic at that frequency peaks at
        return 256.0 * formant_envelope(frequency, formants, bandwidths) * np.minimum(1.0, f0 / np.maximum(frequency, 1))

    n_frames = int(seconds * audio.SAMPLE_RATE) // audio.HOP_LENGTH
    harmonics = np.arange(1, int(NYQUIST // f0) + 1) * f0
    peaks = torch.from_numpy(voicing * envelope(harmonics)).float()
    voiced = harmonic_source(torch.full((1, n_frames), float(f0)),
                             sinusoid_amplitude(peaks)[None, :, None].expand(1, -1, n_frames).contiguous())[0]
    frequency = np.arange(audio.N_FFT // 2 + 1) * BIN_HZ
    shaped = envelope(frequency)
    magnitude = torch.from_numpy(noise * 10 ** (-10 / 20) * shaped).float()[None, :, None].expand(1, -1, n_frames)
    wave = (voiced + filtered_noise(magnitude.contiguous(), seed)[0]).numpy().astype(np.float64)
    gain = 0.5 / max(float(np.abs(wave).max()), 1e-9)                      # peak at half of full scale
    fade = np.minimum(1.0, np.minimum(np.arange(wave.size), np.arange(wave.size)[::-1]) / (0.02 * audio.SAMPLE_RATE))
    wave = (gain * wave * fade).astype(np.float32)
    spectrum = audio.linear_spectrogram(wave)[:, n_frames // 2].numpy()
    return SourceFilterSample(wave=wave, sample_rate=audio.SAMPLE_RATE, frequency=frequency, spectrum=spectrum,
                              envelope=gain * shaped)


class SourceFilterPlayground:
    """Pitch, voicing and noise sliders and a vowel menu → the vowel's spectrum under its filter, 25 ms of its wave,
    and a second of it to hear. ``.ui`` is the widget to display."""

    def __init__(self, f0: float = 120.0, voicing: float = 1.0, noise: float = 0.05, vowel: str = "a (father)"):
        import ipywidgets as widgets

        style, layout = {"description_width": "initial"}, widgets.Layout(width="45%")
        self.f0 = widgets.FloatLogSlider(value=f0, base=2, min=math.log2(50), max=math.log2(400), step=0.05,
                                         description="pitch F0 (Hz)", continuous_update=False, style=style,
                                         layout=layout)
        self.voicing = widgets.FloatSlider(value=voicing, min=0, max=1, step=0.05, description="voicing",
                                           continuous_update=False, style=style, layout=layout)
        self.noise = widgets.FloatSlider(value=noise, min=0, max=1, step=0.05, description="noise level",
                                         continuous_update=False, style=style, layout=layout)
        self.vowel = widgets.ToggleButtons(options=list(VOWELS), value=vowel, description="vowel")
        self.output = widgets.Output()
        for control in (self.f0, self.voicing, self.noise, self.vowel):
            control.observe(lambda _change: self.render(), names="value")
        self.ui = widgets.VBox([self.vowel, self.f0, self.voicing, self.noise, self.output])
        self.sample: SourceFilterSample | None = None
        self.render()

    def render(self) -> None:
        from matplotlib.figure import Figure

        self.sample = sample = source_filter_vowel(self.f0.value, self.voicing.value, self.noise.value,
                                                   self.vowel.value)
        fig = Figure(figsize=(13, 3.2))
        ax_spectrum, ax_wave = fig.subplots(1, 2, gridspec_kw={"width_ratios": (2, 1)})
        upto = sample.frequency <= 5000
        floor = sample.spectrum.max() * 1e-4
        ax_spectrum.plot(sample.frequency[upto], 20 * np.log10(np.maximum(sample.spectrum[upto], floor)),
                         linewidth=0.9, label="the vowel's spectrum (one frame)")
        ax_spectrum.plot(sample.frequency[upto], 20 * np.log10(np.maximum(sample.envelope[upto], floor)), "--",
                         label="the envelope (formants × the source's tilt)")
        ax_spectrum.set(xlabel="Hz", ylabel="dB", title="source × filter")
        ax_spectrum.legend(fontsize=8)
        middle = sample.wave.size // 2
        span = sample.wave[middle: middle + int(0.025 * sample.sample_rate)]
        ax_wave.plot(1000 * np.arange(span.size) / sample.sample_rate, span, linewidth=0.8)
        ax_wave.set(xlabel="ms", title="25 ms of the wave")
        fig.tight_layout()
        show_outputs(self.output, fig, audio_output(sample.wave, sample.sample_rate))
