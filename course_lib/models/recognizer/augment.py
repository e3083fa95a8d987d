"""Training-time augmentation: what makes the recognizer deaf to vocoder artefacts.

Per utterance and step, each drawn independently with the config's probability:

1. **resynthesis** — the wave is replaced by a resynthesis of its own mel: the course's
   Griffin-Lim (32 iterations, the lessons' baseline vocoder) and any extra vocoders given
   (e.g. the shipped neural one). Resynthesis costs about 0.2 s per second of speech on one CPU
   thread, so each utterance's copy is made once, when first drawn, and kept (float16, in memory);
   the copies are deterministic (Griffin-Lim seeds its own phase), so a resumed run sees the
   same ones;
2. **speed** — the wave resampled by a factor in [speed_min, speed_max] (speed and pitch change
   together, as in Kaldi's speed perturbation);
3. **noise** — white Gaussian noise at an SNR drawn uniformly in dB;
4. the mel of the result (:func:`course_lib.audio.mel_spectrogram`), then **SpecAugment**-style
   masks: up to ``freq_masks`` bands of mel bins and ``time_masks`` spans of frames set to the
   utterance's mean log-mel.

Randomness comes from ``generator`` (a ``torch.Generator``) or, when None, torch's global RNG —
which the course trainer saves in checkpoints, so training with augmentation resumes exactly.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Mapping, Sequence

import torch
from torch.nn import functional as F

from course_lib.audio import HOP_LENGTH, LOG_CLAMP, griffin_lim, mel_spectrogram
from course_lib.distributions import gaussian
from course_lib.models.recognizer.config import RecognizerConfig

SILENCE_LOG_MEL = math.log(LOG_CLAMP)  # what course mels are padded with


def _uniform(low: float, high: float, generator: torch.Generator | None) -> float:
    return low + (high - low) * float(torch.rand((), generator=generator))


def add_noise(wave: torch.Tensor, snr_db: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """``wave [N]`` plus white Gaussian noise whose power is ``snr_db`` dB below the wave's."""
    power = wave.pow(2).mean().clamp_min(1e-10)
    noise = gaussian(wave.shape, wave, generator)
    return wave + noise * torch.sqrt(power / 10.0 ** (snr_db / 10.0))


def change_speed(wave: torch.Tensor, factor: float) -> torch.Tensor:
    """``wave [N]`` played ``factor`` times faster (``factor`` > 1: shorter and higher), by linear resampling."""
    if factor <= 0:
        raise ValueError(f"speed factor must be > 0, got {factor}")
    n_out = max(HOP_LENGTH, round(wave.numel() / factor))
    return F.interpolate(wave.view(1, 1, -1), size=n_out, mode="linear", align_corners=False).view(-1)


def spec_augment(mel: torch.Tensor, freq_masks: int, freq_mask_bins: int, time_masks: int, time_mask_frames: int,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """``mel [80, T]`` with random bands of bins and spans of frames set to its mean (a copy; input untouched).

    Each time mask is at most ``time_mask_frames`` and at most a tenth of the mel long.
    """
    mel = mel.clone()
    n_bins, n_frames = mel.shape
    fill = mel.mean()

    def draw(limit: int, size: int) -> tuple[int, int]:
        width = int(torch.randint(0, limit + 1, (), generator=generator)) if limit > 0 else 0
        start = int(torch.randint(0, max(1, size - width + 1), (), generator=generator))
        return start, width

    for _ in range(freq_masks):
        start, width = draw(min(freq_mask_bins, n_bins), n_bins)
        mel[start: start + width, :] = fill
    for _ in range(time_masks):
        start, width = draw(min(time_mask_frames, n_frames // 10), n_frames)
        mel[:, start: start + width] = fill
    return mel


def _key(mel: torch.Tensor) -> str:
    """A content key for a mel: the same utterance from any corpus or run finds its cached resynthesis."""
    return hashlib.sha1(mel.detach().float().cpu().contiguous().numpy().tobytes()).hexdigest()


class Augmenter:
    """Applies the config's augmentation to a batch; keeps each utterance's resyntheses (see the module doc).

    ``resynthesizers``: name → callable ``[80, T]`` log-mel → wave ``[T·256]`` (default: Griffin-Lim with
    ``config.griffin_lim_iters`` iterations); one is picked uniformly when resynthesis is drawn.
    """

    def __init__(self, config: RecognizerConfig, resynthesizers: Mapping[str, Callable] | None = None):
        self.config = config
        if resynthesizers is None:
            resynthesizers = {"griffin_lim": functools.partial(griffin_lim, n_iter=config.griffin_lim_iters)}
        if not resynthesizers:
            raise ValueError("give at least one resynthesizer (name → mel-to-wave callable), or set p_resynth=0")
        self.resynthesizers = dict(resynthesizers)
        self.cache: dict[tuple[str, str], torch.Tensor] = {}

    def resynthesized(self, name: str, mel: torch.Tensor) -> torch.Tensor:
        """The wave ``[T·256]`` that resynthesizer ``name`` makes from ``mel [80, T]`` (made once, then cached)."""
        key = (name, _key(mel))
        if key not in self.cache:
            with torch.no_grad():
                wave = torch.as_tensor(self.resynthesizers[name](mel.detach().float())).reshape(-1)
            self.cache[key] = wave.clamp(-1.0, 1.0).to(torch.float16).cpu()  # on the mel's device (a GPU's is fast)
        return self.cache[key].float()

    def item(self, wave: torch.Tensor | None, mel: torch.Tensor,
             generator: torch.Generator | None = None) -> torch.Tensor:
        """One utterance: ``wave [N]`` (or None: resynthesis only) and its clean ``mel [80, T]`` → augmented mel."""
        c = self.config
        draws = torch.rand(4, generator=generator).tolist()       # one draw per augmentation, always four
        device = mel.device
        changed = False
        if draws[0] < c.p_resynth:
            names = sorted(self.resynthesizers)
            pick = int(torch.randint(0, len(names), (), generator=generator))
            wave, changed = self.resynthesized(names[pick], mel), True
        if wave is None and (draws[1] < c.p_speed or draws[2] < c.p_noise):
            wave = self.resynthesized(sorted(self.resynthesizers)[0], mel)
            changed = True
        if draws[1] < c.p_speed:
            wave, changed = change_speed(wave.float().cpu(), _uniform(c.speed_min, c.speed_max, generator)), True
        if draws[2] < c.p_noise:
            wave, changed = add_noise(wave.float().cpu(), _uniform(c.snr_db_min, c.snr_db_max, generator), generator), True
        out = mel_spectrogram(wave.float().cpu().clamp(-1.0, 1.0)).to(device) if changed else mel
        if draws[3] < c.p_specaugment:
            out = spec_augment(out, c.freq_masks, c.freq_mask_bins, c.time_masks, c.time_mask_frames, generator)
        return out

    def batch(self, mels: torch.Tensor, mel_lengths: torch.Tensor, waves: torch.Tensor | None = None,
              wave_lengths: torch.Tensor | None = None,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """A padded batch (``mels [B, 80, T]``, optional ``waves [B, 1, N]``) → augmented ``(mels, mel_lengths)``."""
        items = []
        for b in range(mels.shape[0]):
            mel = mels[b, :, : int(mel_lengths[b])]
            wave = None
            if waves is not None:
                wave = waves[b].reshape(-1)[: int(wave_lengths[b]) if wave_lengths is not None else None]
            items.append(self.item(wave, mel, generator))
        return pad_mels(items)


def pad_mels(mels: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """``[80, T_i]`` mels → ``([B, 80, T_max]`` padded with the silence log-mel, ``lengths [B])``."""
    if not mels:
        raise ValueError("no mels to pad")
    longest = max(m.shape[-1] for m in mels)
    padded = torch.stack([F.pad(m, (0, longest - m.shape[-1]), value=SILENCE_LOG_MEL) for m in mels])
    return padded, torch.tensor([m.shape[-1] for m in mels], dtype=torch.long, device=padded.device)
