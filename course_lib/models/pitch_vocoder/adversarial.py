"""Candidate (c) of the course vocoder: a short adversarial fine-tune.

The shipped vocoder learns magnitudes with L1 losses only. Here its wave — the magnitudes at the *true* pitch,
their phase locked to it, the projections, the inverse STFT (:meth:`PitchVocoder.locked_wave`, differentiable
in the magnitudes) — is judged by HiFi-GAN's tiny multi-period and multi-scale discriminators through the
course's GAN task (:mod:`course_lib.models.waveform.gan`): LSGAN + 2 · feature matching, anchored by the model's own four
losses and 45 · mel L1 of the wave, as HiFi-GAN anchors its generator.
"""

from __future__ import annotations

from course_lib.data.segments import WaveBatch
from course_lib.models.pitch_vocoder.model import PitchVocoder
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.discriminators import build_mpd, build_msd
from course_lib.models.waveform.gan import GANRecipe, GANTask, Generated
from course_lib.models.waveform.losses import mel_l1_loss


class PitchVocoderGANTask(GANTask):
    """``modules``: ``generator`` (the course vocoder), ``mpd``, ``msd``; validation and samples as
    :class:`~course_lib.models.pitch_vocoder.train.PitchVocoderTask`'s."""

    def __init__(self, model: PitchVocoder, sample_wave=None) -> None:
        config = model.config
        tiny = HiFiGANConfig.tiny()
        super().__init__(model, {"mpd": build_mpd(tiny), "msd": build_msd(tiny)},
                         GANRecipe(learning_rate=config.learning_rate, adam_betas=tuple(config.adam_betas)))
        self.config = config
        self.sample_wave = sample_wave

    def generate(self, batch: WaveBatch) -> Generated:
        wave = self.modules["generator"].locked_wave(batch.mels, batch.f0, batch.f0 > 0)    # [B, segment]
        return Generated(fake=wave[:, None], real=batch.waves)

    def reconstruction(self, batch: WaveBatch, generated: Generated) -> tuple:
        own = self.modules["generator"](batch.mels, batch.waves[:, 0], batch.f0)
        mel = mel_l1_loss(generated.real, generated.fake)
        return own.total + self.config.mel_loss_weight * mel, {
            "mel": mel, "log_magnitude": own.log_magnitude, "magnitude": own.magnitude, "pitch": own.pitch,
            "voicing": own.voicing}

    def validate(self, clips) -> dict[str, float]:
        from course_lib.models.pitch_vocoder.train import validate_clips

        return validate_clips(self.modules["generator"], clips)

    def sample_audio(self) -> dict:
        from course_lib.models.pitch_vocoder.train import resynthesis_sample

        return resynthesis_sample(self.modules["generator"], self.sample_wave)

    def config_dict(self) -> dict:
        return self.config.to_dict()
