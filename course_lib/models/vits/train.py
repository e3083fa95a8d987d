"""VITS's training tasks and its recipe (``RECIPE``: training, model files, the shipped checkpoint, ``synth``).

Recipe (official ``train.py`` / ``ljs_base.json``): the course's GAN task
(``course_lib.models.waveform.gan``) with VITS as the generator and its discriminator (one scale
discriminator + MPD); AdamW (lr 2e-4, betas 0.8/0.99, eps 1e-9), both learning rates decayed
×0.999875 once per epoch. The generator's reconstruction losses, beside adversarial +
2·feature matching:

* 45 · mel L1 between the decoded 32-frame window (8192 samples) and the same span of the
  recording, on the 0–11,025 Hz mel (``fmax=None``), as HiFi-GAN;
* 1 · KL between the flow-mapped posterior sample and the aligned text prior
  (:func:`course_lib.models.vits.losses.kl_divergence`);
* the duration loss (the stochastic predictor's negative variational bound, or the
  deterministic one's MSE).

Batches carry the padded waves; the posterior's linear spectrogram is computed from them
here (float32 even under autocast), so the data plumbing is the acoustic models'.

A VITS with an explicit F0 (``VITSConfig.tiny_multi_f0``) trains in one phase instead
(:class:`SourceFilterVITSTask`): no discriminator, the same AdamW and decay, and the losses
45 · (mel L1 + relative linear-magnitude L1) of its decoded magnitudes + KL + duration + the pitch
predictor's log-F0 L1 and voicing cross-entropy.
"""

from __future__ import annotations

import argparse
import dataclasses
from types import SimpleNamespace

import torch

from course_lib.audio import SAMPLE_RATE, linear_spectrogram
from course_lib.models import recipe
from course_lib.models.single_phase import SinglePhaseTask
from course_lib.models.waveform.gan import GANRecipe, GANTask, Generated
from course_lib.models.waveform.losses import mel_l1_loss
from course_lib.models.vits import CONFIGS, build, build_discriminator
from course_lib.models.vits.config import VITSConfig
from course_lib.models.vits.discriminator import VITSDiscriminator
from course_lib.models.vits.model import VITS
from course_lib.models.vits.source_filter import spectral_losses
from course_lib.training import mean_losses
from course_lib.training.schedules import exponential_schedule
from course_lib.models.vits.windows import wave_windows



def gan_recipe(config: VITSConfig) -> GANRecipe:
    """The GAN task's recipe from a VITS config."""
    return GANRecipe(learning_rate=config.learning_rate, adam_betas=tuple(config.adam_betas),
                     adam_eps=config.adam_eps, weight_decay=config.weight_decay, lr_decay=config.lr_decay,
                     feature_loss_weight=config.feature_loss_weight,
                     discriminator_start=config.discriminator_start)


class VITSTask(GANTask):
    """The GAN task with VITS as the generator (see module docstring); ``sample_tokens [T_text]`` is spoken
    at each validation, to listen while training."""

    def __init__(self, model: VITS, discriminator: VITSDiscriminator, sample_tokens: torch.Tensor | None = None
                 ) -> None:
        super().__init__(model, {"discriminator": discriminator}, gan_recipe(model.config))
        self.config = model.config
        self.sample_tokens = sample_tokens

    def generate(self, batch) -> Generated:
        if batch.waves is None:
            raise ValueError("VITS trains on waves: build the loaders with "
                             "course_lib.data.training_data(..., return_wave=True)")
        with torch.autocast(device_type=batch.waves.device.type, enabled=False):
            spec = linear_spectrogram(batch.waves[:, 0].float())               # [B, 513, T_frames]
        speakers = batch.speakers if self.config.speaker_conditioned else None
        out = self.modules["generator"](batch.tokens, batch.token_lengths, spec, batch.mel_lengths, speakers)
        real = wave_windows(batch.waves, out.window_starts, self.config.segment_size)   # [B, 1, 8192]
        return Generated(fake=out.wave, real=real, extras=out)

    def reconstruction(self, batch, generated: Generated) -> tuple[torch.Tensor, dict]:
        cfg = self.config
        mel = mel_l1_loss(generated.real.float(), generated.fake.float())
        latent = VITS.latent_losses(generated.extras)
        loss = cfg.mel_loss_weight * mel + cfg.kl_loss_weight * latent.kl + latent.duration
        return loss, {"mel": mel, "kl": latent.kl, "duration": latent.duration}

    # ------------------------------------------------------------------ hooks
    @torch.no_grad()
    def validate(self, val_loader) -> dict[str, float]:
        """Mean mel L1, KL and duration loss over the validation batches (no discriminator)."""
        def losses_of(batch):
            return SimpleNamespace(**self.reconstruction(batch, self.generate(batch))[1])

        return mean_losses(self.modules["generator"], val_loader, losses_of, ("mel", "kl", "duration"))

    def sample_audio(self) -> dict:
        """One validation sentence, text → wave, at the inference defaults and seed 0."""
        if self.sample_tokens is None:
            return {}
        model = self.modules["generator"]  # the trainer hands hooks the bare modules, never DDP wrappers
        speaker = 0 if self.config.speaker_conditioned else None
        wave = model.synthesize(self.sample_tokens, seed=0, speaker=speaker)
        return {"sample": (wave.cpu().numpy(), SAMPLE_RATE)}

    def config_dict(self) -> dict:
        return self.config.to_dict()


@dataclasses.dataclass
class SourceFilterLosses:
    """One pass of a VITS with an explicit F0: ``total`` and its unweighted parts."""

    total: torch.Tensor
    mel: torch.Tensor
    magnitude: torch.Tensor
    kl: torch.Tensor
    duration: torch.Tensor
    log_f0: torch.Tensor
    voicing: torch.Tensor


class SourceFilterVITSTask(SinglePhaseTask):
    """A VITS with an explicit F0 (``config.decoder.source_filter``), trained in one phase: no discriminator (see
    the module docstring); ``sample_tokens [T_text]`` is spoken at each validation."""

    PHASE = "generator"
    LOGGED = ("mel", "magnitude", "kl", "duration", "log_f0", "voicing")

    def make_optimizer(self, model: VITS) -> torch.optim.Optimizer:
        cfg = model.config
        return torch.optim.AdamW(model.parameters(), lr=cfg.learning_rate, betas=tuple(cfg.adam_betas),
                                 eps=cfg.adam_eps, weight_decay=cfg.weight_decay)

    def make_schedulers(self, optimizer: torch.optim.Optimizer) -> dict:
        return {"adam": exponential_schedule(optimizer, self.config.lr_decay, interval="epoch")}

    def losses(self, batch) -> SourceFilterLosses:
        if batch.waves is None or batch.f0 is None:
            raise ValueError("a VITS with an explicit F0 trains on waves and pitch: build the loaders with "
                             "course_lib.data.training_data(..., return_wave=True, pitch=True)")
        cfg = self.config
        with torch.autocast(device_type=batch.waves.device.type, enabled=False):
            spec = linear_spectrogram(batch.waves[:, 0].float())               # [B, 513, T_frames]
        speakers = batch.speakers if cfg.speaker_conditioned else None
        out = self.modules["model"](batch.tokens, batch.token_lengths, spec, batch.mel_lengths, speakers,
                                    f0=batch.f0[:, : spec.shape[-1]])
        spectral = spectral_losses(out.log_magnitude, spec, out.spec_mask)
        latent = VITS.latent_losses(out)
        pitch = out.pitch_losses
        total = (cfg.mel_loss_weight * (spectral.mel + spectral.magnitude) + cfg.kl_loss_weight * latent.kl
                 + latent.duration + cfg.decoder.source_filter.pitch_loss_weight * (pitch.log_f0 + pitch.voicing))
        return SourceFilterLosses(total=total, mel=spectral.mel, magnitude=spectral.magnitude, kl=latent.kl,
                                  duration=latent.duration, log_f0=pitch.log_f0, voicing=pitch.voicing)

    def sample_audio(self) -> dict:
        """One validation sentence, text → wave, at the inference defaults and seed 0."""
        if self.sample_tokens is None:
            return {}
        speaker = 0 if self.config.speaker_conditioned else None
        wave = self.modules["model"].synthesize(self.sample_tokens, seed=0, speaker=speaker)
        return {"sample": (wave.cpu().numpy(), SAMPLE_RATE)}


def _prepare(config: VITSConfig, data_dir: str | None, options: dict) -> recipe.Prepared:
    """The corpus with each batch's waves (and, for a VITS with an explicit F0, each frame's F0)."""
    return recipe.text_corpus(config, data_dir, waves=True, pitch=config.decoder.source_filter is not None)


def _task(model: VITS, prepared: recipe.Prepared, options: dict) -> VITSTask | SourceFilterVITSTask:
    if model.config.decoder.source_filter is not None:
        return SourceFilterVITSTask(model, prepared.sample)
    return VITSTask(model, build_discriminator(model.config), prepared.sample)


# python -m course_lib train / synth vits: text → wave in one model, no vocoder. ``init``: a VITS model file or a
# run's checkpoint.pt whose weights (and, for a VITS with an explicit F0, its speakers' pitch counts) a second
# phase at another learning rate starts from (tiny_multi_f0_anneal).
RECIPE = recipe.Recipe(
    "vits", CONFIGS, build, prepare=_prepare, task=_task, steps=(2, 2000, 800_000), model_file="vits.pt",
    logged="generator", options=("init",),
    shipped=recipe.Shipped(
        "vits_tiny_multi.pt",
        # 6,000 steps at 1e-3 and 1,500 at 1e-4, user + system CPU time of one torch thread (GNU time)
        recipe.TrainingCost(steps=7_500, cpu_hours=5629 / 3600),
        "python -m course_lib train vits --config tiny_multi_f0 --data data/cache/corpus/espeak-multi-default "
        "--out runs/vits_f0 --steps 6000 && python -m course_lib train vits --config tiny_multi_f0_anneal "
        "--data data/cache/corpus/espeak-multi-default --init runs/vits_f0/vits.pt --out runs/vits_f0_anneal "
        "--steps 1500",
        # the shipped run's first phase: 4,491 CPU-seconds for 6,020 steps
        seconds_per_step=0.75, fallback_config="tiny_multi_f0", fallback_data=recipe.multi_voice_corpus),
    synth=recipe.SynthCLI("VITS", temperature="its official name for the prior's is noise_scale: give --noise-scale",
                          makes_waves=True))


def convert_cli(args: argparse.Namespace) -> None:
    """Voice conversion: a recording of ``--from-speaker`` → the same speech in ``--speaker``'s voice.

    The recording is read as mono at 22,050 Hz (other rates are resampled, stereo is averaged).
    """
    import numpy as np

    from course_lib.audio import HOP_LENGTH, read_recording, save_audio

    wave = read_recording(args.input, "--in", min_samples=2 * HOP_LENGTH)
    model = RECIPE.load(args.checkpoint)
    if not model.config.speaker_conditioned:
        raise ValueError(f"{args.checkpoint} is a single-speaker VITS: voice conversion needs a multi-speaker one "
                         "(train with a multi-speaker config on the multi-voice corpus)")
    model.remove_weight_norm().eval()
    if float(np.sqrt(np.mean(wave**2))) < 1e-4:
        raise ValueError(f"{args.input} is silent (RMS below -80 dBFS): there is no voice to convert")
    spec = linear_spectrogram(torch.from_numpy(wave))[None]                   # [1, 513, T]
    generator = torch.Generator().manual_seed(args.seed)
    f0 = None
    if model.has_pitch:  # the recording's intonation, moved into the target voice's range by the model
        from course_lib.pitch import track_f0

        f0 = torch.from_numpy(track_f0(wave))[None, : spec.shape[-1]]
    with torch.no_grad():
        converted = model.voice_conversion(spec, torch.tensor([spec.shape[-1]]), args.from_speaker, args.speaker,
                                           generator, f0=f0)[0, 0].clamp(-1.0, 1.0)
    path = save_audio(args.out, converted.numpy(), SAMPLE_RATE)
    print(f"wrote {path} ({converted.numel() / SAMPLE_RATE:.2f} s, speaker {args.from_speaker} → {args.speaker})")
