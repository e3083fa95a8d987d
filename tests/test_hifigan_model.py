"""HiFi-GAN: exact paper parameter counts, config checks, shapes, discriminators and losses."""

import dataclasses
import json

import pytest
import torch

from course_lib.models.hifigan import CONFIGS, build
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.discriminators import (
    DiscriminatorResult,
    MultiPeriodDiscriminator,
    MultiScaleDiscriminator,
    PeriodDiscriminator,
    ScaleDiscriminator,
    ScaleLayout,
    fold_by_period,
    judge,
)
from course_lib.models.waveform.generator import Generator, resblock_receptive_field
from course_lib.models.waveform.losses import (
    discriminator_losses,
    feature_matching_loss,
    generator_losses,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    mel_l1_loss,
)
from course_lib.models.summary import count_parameters, param_summary

# REFERENCE.md §2 (official code instantiated): with weight norm, after removal
GENERATOR_COUNTS = {"v1": (13_936_130, 13_926_017), "v2": (928_514, 925_985), "v3": (1_464_322, 1_462_273)}


@pytest.mark.parametrize("name", ["v1", "v2", "v3"])
def test_generator_parameter_counts_match_the_paper_configs(name):
    with torch.device("meta"):
        generator = Generator(CONFIGS[name]())
    with_norm, removed = GENERATOR_COUNTS[name]
    assert count_parameters(generator) == with_norm
    generator.remove_weight_norm()
    assert not generator.has_weight_norm
    assert count_parameters(generator) == removed


def test_discriminator_parameter_counts_match_the_official_ones():
    with torch.device("meta"):
        mpd, msd = MultiPeriodDiscriminator(), MultiScaleDiscriminator()
    assert count_parameters(mpd) == 41_105_770
    assert count_parameters(msd) == 29_618_821
    # the first scale is spectral-normed (u, v are buffers), the two others weight-normed
    assert [count_parameters(d) for d in msd.discriminators] == [9_870_209, 9_874_306, 9_874_306]


def test_vits_can_reuse_the_generator_and_a_scale_discriminator():
    # VITS decoder: 192 latent channels, plain conv_pre, plain bias-free conv_post (REFERENCE.md §2, §7)
    vits_decoder = dataclasses.replace(HiFiGANConfig.v1(), in_channels=192, pre_weight_norm=False,
                                       post_weight_norm=False, post_bias=False)
    with torch.device("meta"):
        generator = Generator(vits_decoder)
        scale, period = ScaleDiscriminator(ScaleLayout.vits()), PeriodDiscriminator(2)
    assert count_parameters(generator) == 14_337_024
    assert count_parameters(generator.remove_weight_norm()) == 14_327_424
    assert count_parameters(scale) == 5_641_362
    assert count_parameters(period) == 8_221_154


def test_build_exposes_generator_and_discriminators_for_param_summary():
    summary = param_summary(build(HiFiGANConfig.tiny()))
    assert list(summary.parts) == ["generator", "mpd", "msd"]
    assert summary.total == sum(summary.parts.values())
    assert set(CONFIGS) == {"v1", "v2", "v3", "tiny", "paper", "istft_small", "istft_vocos"}
    assert CONFIGS["paper"]() == CONFIGS["v1"]()


def test_upsample_rates_must_multiply_to_the_hop_length():
    with pytest.raises(ValueError, match=r"multiply to 128.*hop length is 256"):
        HiFiGANConfig(upsample_rates=(8, 8, 2), upsample_kernel_sizes=(16, 16, 4))


def test_transposed_conv_padding_rule_is_checked():
    with pytest.raises(ValueError, match=r"kernel 15 with stride 8.*k − u = 7"):
        HiFiGANConfig(upsample_kernel_sizes=(15, 16, 4, 4))
    with pytest.raises(ValueError, match=r"kernel 2 with stride 4"):
        dataclasses.replace(HiFiGANConfig.v3(), upsample_kernel_sizes=(16, 16, 2))


def test_other_config_mistakes_are_named():
    with pytest.raises(ValueError, match="same length"):
        HiFiGANConfig(upsample_kernel_sizes=(16, 16, 4))
    with pytest.raises(ValueError, match="ResBlock2 takes 2 dilations"):
        HiFiGANConfig(resblock="2")
    with pytest.raises(ValueError, match="multiple of the hop length"):
        HiFiGANConfig(segment_size=8000)


def test_config_survives_a_json_round_trip():
    config = HiFiGANConfig.v3()
    restored = HiFiGANConfig(**json.loads(json.dumps(dataclasses.asdict(config))))
    assert restored == config


def test_every_stage_upsamples_exactly_and_output_is_bounded():
    torch.manual_seed(0)
    generator = Generator(HiFiGANConfig.tiny())
    mel = torch.randn(2, 80, 7)
    wave = generator(mel)
    assert wave.shape == (2, 1, 7 * 256)
    assert wave.abs().max() <= 1.0


def test_removing_weight_norm_keeps_the_output():
    torch.manual_seed(0)
    generator = Generator(HiFiGANConfig.tiny()).eval()
    mel = torch.randn(1, 80, 5)
    with torch.no_grad():
        before = generator(mel)
        after = generator.remove_weight_norm()(mel)
    torch.testing.assert_close(after, before, atol=1e-6, rtol=1e-5)
    # folded under no_grad, the weights must stay parameters (else they vanish from state_dict and .to())
    assert count_parameters(generator) == 119_170 - sum(
        m.parametrizations.weight.original0.numel() for m in Generator(HiFiGANConfig.tiny()).modules()
        if hasattr(m, "parametrizations"))
    assert all(key.endswith(("weight", "bias")) for key in generator.state_dict())


def test_resblock1_generator_runs_and_speaker_conditioning_is_required_when_configured():
    config = dataclasses.replace(HiFiGANConfig.v2(), upsample_initial_channel=32, speaker_channels=4)
    generator = Generator(config)
    mel = torch.randn(1, 80, 3)
    assert generator(mel, speaker=torch.randn(1, 4, 1)).shape == (1, 1, 768)
    with pytest.raises(ValueError, match="speaker"):
        generator(mel)


def test_fold_by_period_puts_samples_p_apart_in_one_column():
    wave = torch.arange(10.0).view(1, 1, 10)
    folded = fold_by_period(wave, 3)                      # reflect-padded to 12 samples
    assert folded.shape == (1, 1, 4, 3)
    assert folded[0, 0, :, 1].tolist() == [1.0, 4.0, 7.0, 8.0]   # 10 reflects to 8
    assert torch.equal(fold_by_period(wave, 5)[0, 0, :, 0], torch.tensor([0.0, 5.0]))


def test_discriminators_return_one_result_per_sub_discriminator():
    config = HiFiGANConfig.tiny()
    model = build(config)
    real, fake = torch.randn(2, 1, 1024).tanh(), torch.randn(2, 1, 1024).tanh()
    period = judge(model.mpd, real, fake)
    scale = judge(model.msd, real, fake)
    assert len(period.real) == 5 and len(scale.fake) == 3
    assert all(r.score.shape[0] == 2 and len(r.features) == 6 for r in period.real)
    assert all(len(r.features) == 8 for r in scale.real)
    # judging the pair at once equals judging each alone
    alone = model.mpd(real)
    torch.testing.assert_close(alone[2].score, period.real[2].score)


def _result(score, features=()):
    return DiscriminatorResult(torch.as_tensor(score, dtype=torch.float32), [torch.as_tensor(f) for f in features])


def test_lsgan_losses_vanish_for_a_perfect_discriminator_and_generator():
    real, fake = [_result([[1.0, 1.0]])], [_result([[0.0, 0.0]])]
    assert lsgan_discriminator_loss(real, fake).item() == 0.0
    assert lsgan_generator_loss([_result([[1.0]])]).item() == 0.0
    # a fooled discriminator (fake scored 1) pays 1 per sub-discriminator
    assert lsgan_discriminator_loss(real * 2, [_result([[1.0]])] * 2).item() == pytest.approx(2.0)


def test_feature_matching_is_l1_over_every_layer():
    real = [_result([[0.0]], [[1.0, 1.0], [2.0]])]
    fake = [_result([[0.0]], [[0.0, 1.0], [4.0]])]
    assert feature_matching_loss(real, fake).item() == pytest.approx(0.5 + 2.0)
    assert feature_matching_loss(real, real).item() == 0.0


def test_gan_objectives_sum_over_the_named_discriminators_and_weight_feature_matching_by_2():
    wave = torch.randn(1, 1, 2048) * 0.1
    assert mel_l1_loss(wave, wave).item() == 0.0
    scores = [_result([[0.5]], [[1.0]])]
    shifted = [_result([[0.5]], [[1.5]])]
    real, fake = {"mpd": scores, "msd": scores}, {"mpd": shifted, "msd": shifted}
    losses = generator_losses(real, fake)
    assert losses.adversarial.item() == pytest.approx(2 * 0.25)        # (1 − 0.5)² per discriminator
    assert losses.feature_matching.item() == pytest.approx(2 * 0.5)    # |1 − 1.5| per discriminator
    assert losses.total.item() == pytest.approx(0.5 + 2 * 1.0)
    assert generator_losses(real, fake, feature_loss_weight=0.0).total.item() == pytest.approx(0.5)
    judged = discriminator_losses(real, fake)
    assert set(judged.each) == {"mpd", "msd"}
    assert judged.each["mpd"].item() == pytest.approx(0.25 + 0.25)      # (1 − 0.5)² + 0.5²
    assert judged.total.item() == pytest.approx(1.0)


def test_receptive_fields_of_the_mrf_blocks():
    # V1 kernel 11, dilations 1, 3, 5: 10·(1 + 3 + 5) dilated + 3·10 plain → 121 samples
    assert resblock_receptive_field(11, (1, 3, 5), "1") == 121
    # V3 kernel 7, dilations 3, 12: 6·15 → 91 samples
    assert resblock_receptive_field(7, (3, 12), "2") == 91
