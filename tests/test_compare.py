"""`python -m course_lib compare`: every system measured the same way, files written, bad input refused."""

import json

import pytest
import torch

from course_lib import compare
from course_lib.__main__ import main
from course_lib.models import glow_tts


def _item():
    torch.manual_seed(0)
    from types import SimpleNamespace

    wave = torch.randn(80 * 256) * 0.1
    from course_lib.audio import mel_spectrogram

    return SimpleNamespace(id="X1", tokens=torch.randint(1, 50, (6,)), mel=mel_spectrogram(wave), wave=wave,
                           durations=torch.tensor([13, 14, 13, 14, 13, 13]), speaker=0)


def test_every_system_gets_the_same_measures_and_the_files_are_written(tmp_path):
    model = glow_tts.build(glow_tts.GlowTTSConfig.tiny().replace(n_vocab=60)).eval()
    from course_lib.vocoder import GriffinLimVocoder

    systems = [compare.System("ground truth", lambda item, seed: item.wave, stochastic=False),
               compare._tts_system("glow_tts", model, GriffinLimVocoder(), 0)]
    rows = compare.measure(systems, [_item()], [["a", "b"]], tmp_path, seeds=2, variation_seeds=2, progress=False)
    truth, glow = rows
    assert truth.mcd_dtw == pytest.approx(0.0, abs=1e-6) and truth.rtf_1_thread is None
    assert glow.mcd_dtw > 0 and glow.rtf_1_thread > 0 and glow.parameters == sum(p.numel() for p in model.parameters())
    assert glow.duration_mae is not None and 0.0 <= glow.alignment_accuracy <= 1.0
    assert glow.duration_spread_s == pytest.approx(0.0)   # Glow-TTS's durations do not depend on the seed
    assert len(list((tmp_path / "wavs").glob("*.wav"))) == 1 + 2 + 0
    table = compare.markdown(rows, 1)
    assert "| ground truth | 0.00 |" in table and "Glow-TTS + Griffin-Lim" in table
    chart = compare.pareto_chart(rows, tmp_path / "pareto.png")
    assert chart.stat().st_size > 1000


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
