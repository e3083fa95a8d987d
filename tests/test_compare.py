"""`python -m course_lib compare`: every system measured the same way, files written, bad input refused."""

import dataclasses
import json

import pytest
import torch

from course_lib import compare
from course_lib.models import TRAINABLE, recipe_of
from course_lib.__main__ import main
from course_lib.models import glow_tts


def _item():
    torch.manual_seed(0)
    from types import SimpleNamespace

    wave = torch.randn(80 * 256) * 0.1
    from course_lib.audio import mel_spectrogram

    return SimpleNamespace(id="X1", tokens=torch.randint(1, 50, (6,)), mel=mel_spectrogram(wave), wave=wave,
                           durations=torch.tensor([13, 14, 13, 14, 13, 13]), speaker=0)


def test_each_sentence_is_scored_and_the_table_shows_its_spread(tmp_path):
    first, second = _item(), _item()
    second.id, second.wave = "X2", second.wave * 0.3
    systems = [compare.System("ground truth", lambda item, seed: item.wave, stochastic=False),
               compare.System("noisy copy", lambda item, seed: item.wave + 0.05 * torch.randn(
                   item.wave.shape, generator=torch.Generator().manual_seed(seed + len(item.id))), parameters=1)]
    rows = compare.measure(systems, [first, second], [["a"], ["b"]], tmp_path, seeds=2, variation_seeds=1,
                           progress=False, dnsmos=False)
    noisy = rows[1]
    assert len(noisy.per_sentence["mcd_dtw"]) == 2 and noisy.mcd_dtw == pytest.approx(
        sum(noisy.per_sentence["mcd_dtw"]) / 2)
    values = noisy.per_sentence["mcd_dtw"]
    expected = 12.706 * abs(values[0] - values[1]) / 2   # t(0.975, 1) · sd / √2, sd of two = |a − b| / √2
    assert noisy.interval["mcd_dtw"] == pytest.approx(expected, rel=1e-3)
    assert rows[0].interval["mcd_dtw"] < 0.01   # the recording against itself, every sentence ≈ 0
    table = compare.markdown(rows, 2)
    assert f"{noisy.mcd_dtw:.2f} ± {noisy.interval['mcd_dtw']:.2f}" in table and "95 % confidence interval" in table
    assert compare.confidence_half_width([1.0]) is None


def test_every_system_gets_the_same_measures_and_the_files_are_written(tmp_path):
    model = glow_tts.build(glow_tts.GlowTTSConfig.tiny().replace(n_vocab=60)).eval()
    from course_lib.vocoder import GriffinLimVocoder

    systems = [compare.System("ground truth", lambda item, seed: item.wave, stochastic=False),
               compare._tts_system(recipe_of("glow_tts"), model, GriffinLimVocoder(), 0)]
    rows = compare.measure(systems, [_item()], [["a", "b"]], tmp_path, seeds=2, variation_seeds=2, progress=False)
    truth, glow = rows
    assert truth.mcd_dtw == pytest.approx(0.0, abs=1e-6) and truth.rtf_1_thread is None
    assert glow.mcd_dtw > 0 and glow.rtf_1_thread > 0 and glow.parameters == sum(p.numel() for p in model.parameters())
    assert glow.duration_mae is not None and 0.0 <= glow.alignment_accuracy <= 1.0
    assert glow.duration_spread_s == pytest.approx(0.0)   # Glow-TTS's durations do not depend on the seed
    assert len(list((tmp_path / "wavs").glob("*.wav"))) == 1 + 2 + 0
    table = compare.markdown(rows, 1)
    assert "| ground truth | 0.00 |" in table and "Glow-TTS + Griffin-Lim" in table
    assert truth.training is None and glow.training == "14,275 steps, 0.45 CPU h + 8 GPU min"
    assert table.count("|") == 15 * (len(rows) + 2) and "| 14,275 steps, 0.45 CPU h + 8 GPU min |" in table
    chart = compare.pareto_chart(rows, tmp_path / "pareto.png")
    assert chart.stat().st_size > 1000


def test_gpu_speed_is_timed_on_a_copy_of_each_system_and_said_to_be_missing_without_cuda(tmp_path, monkeypatch):
    model = glow_tts.build(glow_tts.GlowTTSConfig.tiny().replace(n_vocab=60)).eval()
    from course_lib.vocoder import GriffinLimVocoder

    glow = compare._tts_system(recipe_of("glow_tts"), model, GriffinLimVocoder(), 0)
    resynthesis = compare._resynthesis_system("Griffin-Lim resynthesis", GriffinLimVocoder(), 0)
    item = _item()
    with torch.no_grad():   # the copy "on a device" says what the model itself says, seed for seed
        assert torch.equal(glow.on(torch.device("cpu"))(item, 3), glow.speak(item, 3))
        assert torch.equal(resynthesis.on(torch.device("cpu"))(item, 0), resynthesis.speak(item, 0))
    monkeypatch.setattr(compare, "gpu_device", lambda: None)
    rows = compare.measure([resynthesis, glow], [item], [["a"]], tmp_path, seeds=1, variation_seeds=2,
                           progress=False, dnsmos=False)
    assert all(r.rtf_gpu is None for r in rows) and "RTF GPU: no CUDA device" in compare.markdown(rows, 1)
    monkeypatch.setattr(compare, "gpu_device", lambda: torch.device("cpu"))  # the CUDA path, timed on the CPU
    rows = compare.measure([resynthesis, glow], [item], [["a"]], tmp_path, seeds=1, variation_seeds=2,
                           progress=False, dnsmos=False)
    assert all(r.rtf_gpu > 0 for r in rows) and "no CUDA device" not in compare.markdown(rows, 1)


def test_an_unknown_model_and_a_file_as_out_are_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="unknown model"):
        compare.shipped_systems(["tacotron"])
    (tmp_path / "x").write_text("")
    assert main(["compare", "--out", str(tmp_path / "x")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_the_command_writes_the_table_json_and_chart(tmp_path):
    assert main(["compare", "--models", "glow_tts", "--sentences", "1", "--seeds", "1", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "results.json").read_text())
    names = [row["name"] for row in rows]
    assert names[0] == "ground truth" and names[1] == "Griffin-Lim resynthesis"
    assert any(name.startswith("Glow-TTS") for name in names)
    assert (tmp_path / "pareto.png").is_file() and (tmp_path / "results.md").is_file()


def test_dnsmos_can_be_skipped_and_the_table_says_so(tmp_path):
    systems = [compare.System("ground truth", lambda item, seed: item.wave, stochastic=False)]
    row, = compare.measure(systems, [_item()], [["a"]], tmp_path, seeds=1, variation_seeds=1, progress=False,
                           dnsmos=False)
    assert row.dnsmos_ovrl is None and "DNSMOS skipped (asked for: --no-dnsmos)" in compare.markdown([row], 1)


SHIPPED_MODELS = [name for name in TRAINABLE if recipe_of(name).shipped is not None]


@pytest.mark.parametrize("kind", SHIPPED_MODELS)
def test_the_training_cost_and_command_of_each_shipped_model_are_the_ones_its_readme_row_states(kind):
    from course_lib.paths import CHECKPOINT_DIR

    shipped = recipe_of(kind).shipped
    readme = (CHECKPOINT_DIR / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{shipped.file}`"))
    cost = shipped.cost
    assert f"{cost.steps:,}" in row or f"--steps {cost.steps}" in row, (kind, cost)
    assert cost.cpu_hours > 0 and cost.gpu_hours >= 0
    assert shipped.command.split(" && ")[0].split(" --data ")[0].split(" --out ")[0] in row, kind


def test_a_model_that_makes_its_own_waves_is_scored_without_the_vocoder(monkeypatch):
    from course_lib.models import vits
    from course_lib.vocoder import GriffinLimVocoder

    glow = glow_tts.build(glow_tts.GlowTTSConfig.tiny().replace(n_vocab=60)).eval()
    end_to_end = vits.build(vits.VITSConfig.tiny()).eval()
    glow_recipe = recipe_of("glow_tts")
    assert not compare._tts_system(glow_recipe, glow, GriffinLimVocoder(), 7).end_to_end
    system = compare._tts_system(recipe_of("vits"), end_to_end, GriffinLimVocoder(), 7)
    assert system.end_to_end and system.name == "VITS" and system.parameters == compare._count(end_to_end)
    # the synth recipe's makes_waves decides, not the model's name
    waves = dataclasses.replace(glow_recipe, synth=dataclasses.replace(glow_recipe.synth, makes_waves=True))
    system = compare._tts_system(waves, glow, GriffinLimVocoder(), 7)
    assert system.end_to_end and system.name == "Glow-TTS" and system.parameters == compare._count(glow)


def test_two_threads_are_timed_only_when_a_second_core_is_free():
    assert compare.second_core_free(cpu_count=2, load=1.0)
    assert not compare.second_core_free(cpu_count=2, load=2.0)   # the lesson and one other job: no core to spare
    assert not compare.second_core_free(cpu_count=1, load=0.0)
    assert compare.second_core_free(cpu_count=16, load=3.0)
