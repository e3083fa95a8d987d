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

import argparse
import dataclasses
from pathlib import Path

import torch
from torch import nn

from course_lib.audio import SAMPLE_RATE, complex_spectrogram, load_audio, mel_spectrogram
from course_lib.mode import pick
from course_lib.models.waveform.config import HiFiGANConfig
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


# ---------------------------------------------------------------------- command line
def default_steps() -> int:
    """Steps when ``--steps`` is not given: a few (smoke), a CPU session (default), a GPU run (full)."""
    return pick(smoke=4, default=3000, full=500_000)


def training_clips(data_dir: str | Path | None) -> tuple[list[Path], list[Path]]:
    """Audio files of the train and val splits: of ``data_dir`` (built-in corpus or LJSpeech layout)
    or, without one, of the built-in multi-speaker corpus (all voices), built on first use."""
    from course_lib.data import ensure_corpus, open_corpus

    root = Path(data_dir) if data_dir else ensure_corpus(multispeaker=True)
    corpus = open_corpus(root)
    train = [u.wav_path for u in corpus.split("train")]
    val = [u.wav_path for u in corpus.split("val")]
    if not train:
        raise ValueError(f"{root} has no training utterances")
    return train, val or train[:1]


def train_cli(args: argparse.Namespace) -> None:
    """``python -m course_lib train hifigan --config tiny [--data DIR] --out DIR [--steps N] [--resume]``.

    Writes ``OUT/checkpoint.pt`` (resumable, every 500 steps and at the end) and
    ``OUT/generator.pt`` (the generator alone, for :class:`course_lib.vocoder.HiFiGANVocoder`).
    """
    from course_lib.models import recipe
    from course_lib.models.hifigan import CONFIGS, build, save_generator
    from course_lib.training import Trainer

    if args.config not in CONFIGS:
        raise ValueError(f"unknown HiFi-GAN config {args.config!r}: choose one of {', '.join(CONFIGS)}")
    config = CONFIGS[args.config]()
    if getattr(args, "batch_size", None) is not None:
        config = dataclasses.replace(config, batch_size=args.batch_size)
    train_files, val_files = training_clips(args.data)
    n_val = pick(smoke=1, default=4, full=16)
    val_waves = [load_audio(path) for path in val_files[:n_val]]
    loader = SegmentLoader(train_files, config.batch_size, config.segment_size, seed=config.seed)
    task = HiFiGANTask(recipe.seed_and_build(build, config), config, sample_wave=val_waves[0])
    steps = default_steps() if args.steps is None else args.steps
    trainer = Trainer(task, recipe.train_config(config, args.out, steps, val_every=250))
    print(f"HiFi-GAN {args.config}: {len(train_files)} training clips, {len(loader)} batches of "
          f"{config.batch_size} per epoch, {steps} steps on {trainer.device} → {args.out}")
    trainer.fit(loader, val_waves, resume=args.resume)
    generator_path = save_generator(Path(args.out) / "generator.pt", task.modules["generator"], config)
    last = [row for row in trainer.history if "val/mel_l1" in row]
    if last:
        print(f"step {last[-1]['step']}: val mel L1 {last[-1]['val/mel_l1']:.3f}, MCD {last[-1]['val/mcd']:.2f} dB")
    print(f"generator saved to {generator_path} (load with course_lib.vocoder.load_vocoder('{generator_path}'))")
