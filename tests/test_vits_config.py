"""VITS configs: the official parameter counts exactly, the registry protocol, checkpoint round trip, bad values."""

import json
import subprocess
import sys

import pytest
import torch

from course_lib.models import model_of_config, model_module
from course_lib.models.summary import count_parameters, param_summary
from course_lib.models.vits import CONFIGS, DurationConfig, VITSConfig, build, build_discriminator

torch.set_num_threads(1)

# official name → ours: enc_p text_encoder, dec decoder, enc_q posterior_encoder, flow, dp duration_predictor, emb_g
PAPER_PARTS = {"text_encoder": 6_326_784, "decoder": 14_337_024, "posterior_encoder": 7_238_016,
               "flow": 7_102_080, "duration_predictor": 1_317_168}


@pytest.mark.parametrize("config,parts,total", [
    (VITSConfig.paper(), PAPER_PARTS, 36_321_072),                                      # ljs_base.json
    (VITSConfig.ljs_nosdp(), {**PAPER_PARTS, "duration_predictor": 345_857}, 35_349_761),  # ljs_nosdp.json
    (VITSConfig.vctk(), {"text_encoder": 6_326_784, "decoder": 14_468_608, "posterior_encoder": 8_823_168,
                         "flow": 8_687_232, "duration_predictor": 1_366_512, "speaker_embedding": 27_904},
     39_700_208),                                                                         # vctk_base.json
])
def test_official_generator_parameter_counts(config, parts, total):
    """REFERENCE.md §2 and §9.1: the official code instantiated with 178 symbols (weight-norm g and v counted)."""
    assert config.n_vocab == 178
    with torch.device("meta"):
        summary = param_summary(build(config))
    assert summary.parts == parts
    assert summary.total == total


def test_official_discriminator_parameter_count():
    """One scale discriminator (5,641,362) + five period discriminators (8,221,154 each) = 46,747,132."""
    with torch.device("meta"):
        discriminator = build_discriminator(VITSConfig.paper())
    assert [count_parameters(d) for d in discriminator.discriminators] == [5_641_362] + [8_221_154] * 5
    assert count_parameters(discriminator) == 46_747_132


def test_weight_norm_folding_gives_the_deployed_counts():
    """REFERENCE.md §2, weight-norm removed: 36,287,856 in all, 29,061,936 in the parts inference uses."""
    with torch.device("meta"):
        model = build(VITSConfig.paper()).remove_weight_norm()
    assert count_parameters(model) == 36_287_856
    assert count_parameters(model) - count_parameters(model.posterior_encoder) == 29_061_936


def test_info_command_reports_the_paper_counts():
    result = subprocess.run([sys.executable, "-m", "course_lib", "info", "vits", "--config", "paper", "--n-vocab",
                             "178", "--json"], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout)
    assert report["total"] == 36_321_072 and report["parts"] == PAPER_PARTS
    # the discriminator it trains against, apart from the generator's total
    assert report["discriminator"] == {"total": 46_747_132, "parts": {"scale": 5_641_362, **{
        f"period_{p}": 8_221_154 for p in (2, 3, 5, 7, 11)}}}


def test_info_table_shows_the_discriminator_apart(capsys):
    from course_lib.__main__ import main

    assert main(["info", "vits", "--config", "paper"]) == 0
    generator, discriminator = capsys.readouterr().out.split("\n\ndiscriminator")
    assert generator.splitlines()[-1].split() == ["total", "36,321,072"]
    assert discriminator.splitlines()[-1].split() == ["total", "46,747,132"]
    assert "period_11" in discriminator and "period_11" not in generator


def test_registry_protocol_and_config_round_trip():
    assert model_module("vits").CONFIGS is CONFIGS and set(CONFIGS) >= {"paper", "ljs_nosdp", "vctk", "tiny"}
    for make in CONFIGS.values():
        config = make()
        saved = json.loads(json.dumps(config.to_dict()))  # what a checkpoint stores: nested dicts, lists
        assert VITSConfig.from_dict(saved) == config
        assert model_of_config(saved) == "vits"
    assert isinstance(build(VITSConfig.tiny().to_dict()).config.duration, DurationConfig)


def test_tiny_is_small_and_keeps_every_part():
    config = VITSConfig.tiny()
    summary = param_summary(build(config))
    assert set(summary.parts) == set(PAPER_PARTS)
    assert summary.total < 3_500_000  # 3.17 M, of which the iSTFT decoder is 1.97 M
    assert config.duration.stochastic and config.segment_frames == 32
    assert config.decoder.istft is not None and config.discriminator_start > 0


def test_tiny_multi_conditions_every_part_on_the_speaker():
    config = VITSConfig.tiny_multi()
    assert config.speaker_conditioned and config.speaker_channels == 64
    assert VITSConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config


@pytest.mark.parametrize("changes,message", [
    ({"n_speakers": 4}, "speaker_channels"),
    ({"speaker_channels": 16}, "single speaker"),
    ({"segment_size": 8000}, "multiple of the hop"),
    ({"latent_channels": 191}, "even"),
    ({"discriminator_start": -1}, "discriminator_start"),
])
def test_bad_configs_name_the_fix(changes, message):
    with pytest.raises(ValueError, match=message):
        VITSConfig.paper().replace(**changes)


def test_unknown_nested_keys_are_an_error():
    saved = VITSConfig.paper().to_dict()
    saved["flow"]["n_layerz"] = 3
    with pytest.raises(ValueError, match="unknown VITS flow config keys"):
        VITSConfig.from_dict(saved)
