"""Resynthesis quality of a vocoder: the original wave against the vocoder's output from its mel.

A vocoder returns exactly ``T·256`` samples for ``T`` frames, so the two waves line up
sample for sample and no alignment is needed. Two families of measures:

**On the mel the vocoder was given** (cheap; validation during training):

* **mel L1** — mean |log-mel(original) − log-mel(resynthesis)| (natural log);
* **MCD** (Kubichek 1993; :func:`course_lib.cepstrum.mel_cepstral_distortion`) — cepstra
  ``c_1 … c_13`` of each log-mel frame, in dB.

Both read the 1024-sample STFT *magnitudes* on the 0–8 kHz mel — exactly what Griffin-Lim
optimises. A Griffin-Lim resynthesis scores well on them while sounding phasey: they
cannot see phase, periodicity or buzz.

**What modern vocoder papers report** (CARGAN, BigVGAN, Vocos; REFERENCE.md §9.3), which
Griffin-Lim cannot game:

* **PESQ wideband** (ITU-T P.862.2, the ``pesq`` package, both waves resampled to 16 kHz):
  a perceptual model of a listener comparing the two, −0.5 … 4.64, higher is better. It
  hears phase incoherence and roughness. ``None`` (with :data:`PESQ_UNAVAILABLE`) when the
  package could not be built on this machine.
* **pitch RMSE** (cents) over frames voiced in both, **periodicity RMSE** (the tracker's
  voicing probability, 0–1, over all frames) and **voiced/unvoiced F1** (original's voicing as
  the truth): from ``librosa.pyin`` (a kept pitch tracker; 16 kHz, 10-ms hop, 50–550 Hz as
  in CARGAN). A buzzing or breathy vocoder changes periodicity even where the mel is right.
* **multi-resolution STFT distance** — spectral convergence + log-magnitude L1, averaged
  over FFT sizes 512 / 1024 / 2048 with windows 240 / 600 / 1200 and hops 50 / 120 / 240
  (Parallel WaveGAN's resolutions, auraloss's defaults, BigVGAN's "M-STFT"): windows other
  than the 1024 Griffin-Lim is fitted to, so its phase errors show as smeared magnitudes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import torch

from course_lib.audio import HOP_LENGTH, SAMPLE_RATE, mel_spectrogram, resample
from course_lib.cepstrum import mel_cepstral_distortion
from course_lib.nn.spectral import MR_STFT_RESOLUTIONS, multi_resolution_stft

PESQ_RATE = 16_000
PITCH_HOP = 160            # 10 ms at 16 kHz
PITCH_RANGE = (50.0, 550.0)

try:  # the pesq package compiles a C extension at install time; the rest runs without it
    from pesq import pesq as _pesq
    PESQ_UNAVAILABLE = None
except ImportError as err:  # pragma: no cover - depends on the machine
    _pesq = None
    PESQ_UNAVAILABLE = (f"PESQ unavailable: the `pesq` package is not installed or could not be built ({err}); "
                        "install it with `.venv/bin/pip install pesq` (needs a C compiler)")


@dataclass(frozen=True)
class ResynthesisMetrics:
    """``mel_l1`` (natural-log units) and ``mcd`` (dB) of one or more resyntheses; lower is better."""

    mel_l1: float
    mcd: float


@dataclass(frozen=True)
class VocoderScores:
    """Every resynthesis measure of one utterance (or a mean over several).

    Higher is better for ``pesq`` and ``vuv_f1``; lower for the rest. ``pesq`` is None when
    the package is unavailable (see :data:`PESQ_UNAVAILABLE`).
    """

    pesq: float | None
    periodicity_rmse: float
    vuv_f1: float
    pitch_rmse_cents: float
    mr_stft: float
    mel_l1: float
    mcd: float

    def to_dict(self) -> dict:
        return asdict(self)


def _paired(reference, resynthesis) -> tuple[torch.Tensor, torch.Tensor]:
    """Both waves as float ``[N]`` on the CPU, cut to the reference's whole frames."""
    reference = torch.as_tensor(reference).float().reshape(-1).cpu()
    resynthesis = torch.as_tensor(resynthesis).float().reshape(-1).cpu()
    n_samples = (reference.numel() // HOP_LENGTH) * HOP_LENGTH
    if resynthesis.numel() < n_samples:
        raise ValueError(
            f"the resynthesis has {resynthesis.numel()} samples but the reference needs {n_samples} "
            f"({n_samples // HOP_LENGTH} frames × {HOP_LENGTH})"
        )
    return reference[:n_samples], resynthesis[:n_samples]


def resynthesis_metrics(reference: np.ndarray | torch.Tensor, resynthesis: np.ndarray | torch.Tensor
                        ) -> ResynthesisMetrics:
    """Compare a wave ``[N]`` with its resynthesis ``[M]`` (``M ≥ (N // 256)·256``) on the course mel."""
    reference, resynthesis = _paired(reference, resynthesis)
    reference_mel = mel_spectrogram(reference)                    # [80, T]
    mel = mel_spectrogram(resynthesis)
    return ResynthesisMetrics(
        mel_l1=float((reference_mel - mel).abs().mean()),
        mcd=mel_cepstral_distortion(reference_mel, mel),
    )


def mean_metrics(items: list[ResynthesisMetrics]) -> ResynthesisMetrics:
    """Average of several utterances' metrics."""
    if not items:
        raise ValueError("no metrics to average")
    return ResynthesisMetrics(mel_l1=float(np.mean([m.mel_l1 for m in items])),
                              mcd=float(np.mean([m.mcd for m in items])))


# ---------------------------------------------------------------------- the vocoder papers' measures
def pesq_wideband(reference: np.ndarray, resynthesis: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float | None:
    """PESQ-WB of ``resynthesis`` against ``reference`` (both ``[N]`` at ``sample_rate``), at 16 kHz."""
    if _pesq is None:
        return None
    ref = resample(np.asarray(reference, dtype=np.float32), sample_rate, PESQ_RATE)
    deg = resample(np.asarray(resynthesis, dtype=np.float32), sample_rate, PESQ_RATE)
    return float(_pesq(PESQ_RATE, ref, deg, "wb"))


@dataclass(frozen=True)
class PitchTrack:
    """``f0 [F]`` in Hz (NaN where unvoiced), ``voiced [F]`` (bool) and ``periodicity [F]`` (0–1), 10-ms frames."""

    f0: np.ndarray
    voiced: np.ndarray
    periodicity: np.ndarray


def pitch_track(wave: np.ndarray, sample_rate: int = SAMPLE_RATE) -> PitchTrack:
    """pYIN (``librosa.pyin``) at 16 kHz, 10-ms hop, 50–550 Hz; periodicity = its voicing probability."""
    import librosa

    wave16 = resample(np.asarray(wave, dtype=np.float32), sample_rate, PESQ_RATE)
    f0, voiced, probability = librosa.pyin(wave16, fmin=PITCH_RANGE[0], fmax=PITCH_RANGE[1], sr=PESQ_RATE,
                                           frame_length=1024, hop_length=PITCH_HOP)
    return PitchTrack(f0=f0, voiced=np.asarray(voiced, dtype=bool), periodicity=np.nan_to_num(probability))


def pitch_measures(reference: PitchTrack, resynthesis: PitchTrack) -> tuple[float, float, float]:
    """CARGAN's ``(periodicity RMSE, V/UV F1, pitch RMSE in cents)`` of two tracks of the same audio length.

    Pitch RMSE is over frames voiced in both (0 when there are none); V/UV F1 takes the
    reference's voicing as the truth (1 when neither has a voiced frame).
    """
    n = min(len(reference.f0), len(resynthesis.f0))
    ref_v, res_v = reference.voiced[:n], resynthesis.voiced[:n]
    periodicity = float(np.sqrt(np.mean((reference.periodicity[:n] - resynthesis.periodicity[:n]) ** 2)))
    true_positive = float(np.sum(ref_v & res_v))
    predicted, actual = float(np.sum(res_v)), float(np.sum(ref_v))
    f1 = 1.0 if predicted + actual == 0 else 2 * true_positive / (predicted + actual)
    both = ref_v & res_v
    if both.any():
        cents = 1200.0 * np.log2(resynthesis.f0[:n][both] / reference.f0[:n][both])
        pitch = float(np.sqrt(np.mean(cents**2)))
    else:
        pitch = 0.0
    return periodicity, f1, pitch


def paired_pitch_rmse(reference: PitchTrack, copy: PitchTrack, baseline: PitchTrack) -> tuple[float, float] | None:
    """``(copy's, baseline's)`` pitch RMSE in cents on the same frames: those voiced in the reference and in both
    copies. :func:`pitch_measures` takes each copy's own voiced frames, so a copy that keeps only the easy frames
    voiced is scored on those alone; this compares two copies on one set. None when no frame is voiced in all
    three."""
    n = min(len(reference.f0), len(copy.f0), len(baseline.f0))
    common = reference.voiced[:n] & copy.voiced[:n] & baseline.voiced[:n]
    if not common.any():
        return None
    truth = reference.f0[:n][common]
    return tuple(float(np.sqrt(np.mean((1200.0 * np.log2(track.f0[:n][common] / truth)) ** 2)))
                 for track in (copy, baseline))


def copy_track(reference: np.ndarray | torch.Tensor, resynthesis: np.ndarray | torch.Tensor) -> PitchTrack:
    """The :func:`pitch_track` of a resynthesis as :func:`vocoder_scores` tracks it (cut to the reference's
    length, clipped to [-1, 1])."""
    _, resynthesis = _paired(reference, resynthesis)
    return pitch_track(resynthesis.clamp(-1, 1).numpy())


def mr_stft_distance(reference: torch.Tensor, resynthesis: torch.Tensor,
                     resolutions=MR_STFT_RESOLUTIONS) -> float:
    """Multi-resolution STFT distance of two waves ``[N]``: mean over ``resolutions`` of
    spectral convergence ``‖|X| − |Y|‖_F / ‖|X|‖_F`` + mean |log|X| − log|Y|| (:mod:`course_lib.nn.spectral`)."""
    return float(multi_resolution_stft(reference, resynthesis, resolutions))


def vocoder_scores(reference: np.ndarray | torch.Tensor, resynthesis: np.ndarray | torch.Tensor,
                   reference_track: PitchTrack | None = None, resynthesis_track: PitchTrack | None = None
                   ) -> VocoderScores:
    """Every measure of one resynthesis ``[M]`` of ``reference [N]`` (22,050 Hz; ``M ≥ (N // 256)·256``).

    ``reference_track`` (from :func:`pitch_track`) saves re-tracking the reference when several
    vocoders are scored against the same original; ``resynthesis_track`` (from :func:`copy_track`) the copy.
    """
    reference, resynthesis = _paired(reference, resynthesis)
    mel = resynthesis_metrics(reference, resynthesis)
    ref_np, res_np = reference.numpy(), resynthesis.clamp(-1, 1).numpy()
    periodicity, f1, pitch = pitch_measures(reference_track or pitch_track(ref_np),
                                            resynthesis_track or pitch_track(res_np))
    return VocoderScores(pesq=pesq_wideband(ref_np, res_np), periodicity_rmse=periodicity, vuv_f1=f1,
                         pitch_rmse_cents=pitch, mr_stft=mr_stft_distance(reference, resynthesis),
                         mel_l1=mel.mel_l1, mcd=mel.mcd)


def mean_scores(items: list[VocoderScores]) -> VocoderScores:
    """Field-wise mean of several utterances' :class:`VocoderScores` (``pesq`` None if any is None)."""
    if not items:
        raise ValueError("no scores to average")
    values = {}
    for item in fields(VocoderScores):
        column = [getattr(score, item.name) for score in items]
        values[item.name] = None if any(v is None for v in column) else float(np.mean(column))
    return VocoderScores(**values)


def beats(candidate: VocoderScores, baseline: VocoderScores) -> dict[str, bool]:
    """Whether ``candidate`` is better than ``baseline`` on the four measures the course ships a vocoder by:
    PESQ-WB (higher), periodicity RMSE (lower), V/UV F1 (higher) and pitch RMSE in cents (lower)."""
    pesq = (candidate.pesq is not None and baseline.pesq is not None
            and candidate.pesq > baseline.pesq)
    return {"pesq": pesq,
            "periodicity_rmse": candidate.periodicity_rmse < baseline.periodicity_rmse,
            "vuv_f1": candidate.vuv_f1 > baseline.vuv_f1,
            "pitch_rmse_cents": candidate.pitch_rmse_cents < baseline.pitch_rmse_cents}

