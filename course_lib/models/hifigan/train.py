"""Training HiFi-GAN on the course trainer: the course's GAN task (``course_lib.models.waveform.gan``) with
HiFi-GAN's generator, its two discriminators and a 45 · mel L1 reconstruction loss.

Recipe (official ``train.py``, REFERENCE.md §1.5): AdamW lr 2e-4, betas (0.8, 0.99), both
learning rates decayed ×0.999 once per epoch, random 8192-sample segments.

Each training step, in order (``course_lib.training.task``):

1. ``discriminator_step``: generate ``fake = G(mel)``; score real and ``fake.detach()`` with
   MPD and MSD; LSGAN loss; update MPD + MSD.
2. ``generator_step``: score the same ``fake`` with the just-updated discriminators (and
   the real audio, without a graph, for the feature-matching targets); adversarial +
   2·feature matching + 45·mel L1 (+ ``phase_loss_weight`` · APNet's phase loss, for an iSTFT generator
   that asks for it); update G.

With ``config.discriminator_start = N > 0`` the first N steps skip phase 1 and the
generator learns from 45·mel L1 alone (a warm-up; the paper uses N = 0).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch
from torch import nn

from course_lib.audio import SAMPLE_RATE, complex_spectrogram, load_audio, mel_spectrogram
from course_lib.mode import pick
from course_lib.models import recipe
from course_lib.models.hifigan import CONFIGS, build
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.generator import build_generator
from course_lib.models.waveform.evaluation import mean_metrics, resynthesis_metrics
from course_lib.models.waveform.gan import GANRecipe, GANTask, Generated
from course_lib.models.waveform.losses import mel_l1_loss, phase_loss
from course_lib.data.segments import SegmentLoader, WaveBatch


def gan_recipe(config: HiFiGANConfig) -> GANRecipe:
    """The GAN task's recipe from a HiFi-GAN config."""
    return GANRecipe(learning_rate=config.learning_rate, adam_betas=tuple(config.adam_betas),
                     lr_decay=config.lr_decay, feature_loss_weight=config.feature_loss_weight,
                     discriminator_start=config.discriminator_start)


class HiFiGANTask(GANTask):
    """The GAN task with HiFi-GAN's generator, ``mpd`` and ``msd``, and 45 · mel L1 (see module docstring).

    ``model`` is what :func:`course_lib.models.hifigan.build` returns (``generator``, ``mpd``, ``msd``).
    ``sample_wave`` (numpy ``[N]``, optional) is resynthesised by :meth:`sample_audio` at each validation.
    """

    def __init__(self, model: nn.Module, config: HiFiGANConfig, sample_wave=None) -> None:
        super().__init__(model.generator, {"mpd": model.mpd, "msd": model.msd}, gan_recipe(config))
        self.config = config
        self.sample_wave = sample_wave

    def generate(self, batch: WaveBatch) -> Generated:
        if self.config.phase_loss_weight:                                   # an iSTFT generator: keep its phase
            fake, phase = self.modules["generator"](batch.mels, return_phase=True)
            return Generated(fake=fake, real=batch.waves, extras=phase)
        return Generated(fake=self.modules["generator"](batch.mels), real=batch.waves)   # [B, 1, segment]

    def reconstruction(self, batch: WaveBatch, generated: Generated) -> tuple[torch.Tensor, dict]:
        mel = mel_l1_loss(generated.real, generated.fake)
        if not self.config.phase_loss_weight:
            return self.config.mel_loss_weight * mel, {"mel": mel}
        target = complex_spectrogram(generated.real).angle()                  # [B, 513, T], the recording's
        phase, parts = phase_loss(generated.extras, target)
        return self.config.mel_loss_weight * mel + self.config.phase_loss_weight * phase, \
            {"mel": mel, "phase": phase, **parts}

    # ------------------------------------------------------------------ hooks
    def validate(self, val_waves) -> dict[str, float]:
        """Resynthesis mel L1 / MCD of whole validation clips (numpy waves ``[N]``); run by the trainer
        in eval mode without gradients."""
        metrics = mean_metrics([resynthesis_metrics(wave, self.vocode(wave)) for wave in val_waves])
        return {"mel_l1": metrics.mel_l1, "mcd": metrics.mcd}

    def sample_audio(self) -> dict:
        if self.sample_wave is None:
            return {}
        return {"resynthesis": (self.vocode(self.sample_wave).numpy(), SAMPLE_RATE)}

    def config_dict(self) -> dict:
        return dataclasses.asdict(self.config)

    # ------------------------------------------------------------------ helpers
    @torch.no_grad()
    def vocode(self, wave) -> torch.Tensor:
        """Resynthesise a whole wave ``[N]`` from its mel → ``[(N // 256)·256]`` on the CPU."""
        generator = self.modules["generator"]
        device = next(generator.parameters()).device
        mel = mel_spectrogram(torch.as_tensor(wave).float()).to(device)       # [80, T]
        return generator(mel.unsqueeze(0))[0, 0].cpu()                       # [T·256]


def _prepare(config: HiFiGANConfig, data_dir: str | None, options: dict) -> recipe.Prepared:
    """Random ``segment_size`` windows of the corpus's clips (default: the built-in multi-voice corpus, every
    voice); validation on a few whole held-out clips."""
    from course_lib.data import training_clips

    train, val = training_clips(data_dir)
    val_waves = [load_audio(path) for path, _ in val[: pick(smoke=1, default=4, full=16)]]
    loader = SegmentLoader([path for path, _ in train], config.batch_size, config.segment_size, seed=config.seed)
    return recipe.Prepared(config=config, train=loader, val=val_waves, sample=val_waves[0])


def _save(path: Path, model: nn.Module, config: HiFiGANConfig) -> Path:
    from course_lib.models.hifigan import save_generator

    return save_generator(path, model.generator, config)


# python -m course_lib train hifigan: writes OUT/generator.pt, the generator alone, for
# course_lib.vocoder.load_vocoder (and OUT/checkpoint.pt, resumable)
RECIPE = recipe.Recipe(
    "hifigan", CONFIGS, build, prepare=_prepare, task=lambda model, prepared, _: HiFiGANTask(
        model, prepared.config, sample_wave=prepared.sample),
    steps=(4, 3000, 500_000), model_file="generator.pt", logged="generator", options=(), one_voice=False,
    val_every=250, save=_save,
    saved_model=lambda config: build_generator(HiFiGANConfig(**config)))
