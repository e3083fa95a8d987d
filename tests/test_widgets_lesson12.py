"""Lesson 12 tools: the listening table finds compare's wavs, variation measures seeds, the sweep times steps."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from course_lib import audio, compare
from course_lib.widgets import lesson12 as W

RATE = audio.SAMPLE_RATE


def _tone(freq, seconds=0.8):
    t = torch.arange(int(seconds * RATE)) / RATE
    return 0.3 * torch.sin(2 * torch.pi * freq * t)


def _item(item_id="X1"):
    wave = _tone(150.0)
    return SimpleNamespace(id=item_id, tokens=torch.arange(1, 7), mel=audio.mel_spectrogram(wave), wave=wave,
                           durations=torch.full((6,), 11), speaker=0)


def _tone_system(name="Tone + Griffin-Lim (32 iterations)"):
    # seed s: a tone at 120 + 20·s Hz, 0.5 + 0.1·s seconds long
    return compare.System(name, lambda item, seed: _tone(120.0 + 20 * seed, 0.5 + 0.1 * seed))


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_the_listening_table_reads_the_wavs_compare_wrote(tmp_path):
    truth = compare.System("ground truth", lambda item, seed: item.wave, stochastic=False)
    tone = _tone_system()
    items = [_item("X1"), _item("X2")]
    compare.measure([truth, tone], items, [["a"], ["b"]], tmp_path, seeds=2, variation_seeds=2, progress=False)
    assert W.clip_path(tmp_path / "wavs", tone.name, "X2", 1).is_file()   # the same naming rule as compare
    clips = W.listening_clips(tmp_path / "wavs", [truth.name, tone.name], ["X1", "X2"], seeds=3)
    assert [seed for seed, _ in clips["ground truth"]["X1"]] == [0]          # deterministic: one clip
    assert [seed for seed, _ in clips[tone.name]["X2"]] == [0, 1]
    page = W.listening_table(clips, {"X1": "First <sentence>.", "X2": "Second."})
    assert page.count("<audio") == 2 * (1 + 2) and "First &lt;sentence&gt;." in page and "seed 1" in page
    with pytest.raises(FileNotFoundError, match="no clip of 'nobody'"):
        W.listening_clips(tmp_path / "wavs", ["nobody"], ["X1"])


def test_variation_measures_length_and_pitch_across_seeds():
    v = W.variation(_tone_system(), _item(), seeds=range(3), keep_waves=True)
    assert v.seconds == pytest.approx((0.5, 0.6, 0.7), abs=1 / RATE)
    assert v.duration_spread_s == pytest.approx(np.std([0.5, 0.6, 0.7]), abs=1e-4)
    medians = [np.nanmedian(f0) for _, f0 in v.contours]
    assert medians == pytest.approx([120, 140, 160], rel=0.03) and v.f0_spread_hz == pytest.approx(16.3, rel=0.1)
    assert v.voiced_share > 0.7 and len(v.waves) == 3
    fig = W.variation_figure([v, W.variation(_tone_system("Other"), _item(), seeds=[0, 0])])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    with pytest.raises(ValueError, match="no variations"):
        W.variation_figure([])


def test_steps_sweep_times_each_step_count_through_the_contract():
    calls = []

    class Fake:
        def generate(self, tokens, options):
            calls.append(options.n_steps)
            mel = audio.mel_spectrogram(_tone(150.0 + options.n_steps))  # more steps: further from the recording
            return SimpleNamespace(mel=mel)

    points = W.steps_sweep(Fake(), [_item(), _item("X2")], [2, 50])
    assert calls == [2, 2, 2, 50, 50]  # one warm-up call and [p.n_steps for p in points] == [2, 50]
    assert 0 <= points[0].mcd_dtw < points[1].mcd_dtw and all(p.rtf > 0 for p in points)


def test_find_row():
    rows = [compare.Row("ground truth"), compare.Row("Grad-TTS + Griffin-Lim (32 iterations)")]
    assert W.find_row(rows, "Grad-TTS") is rows[1] and W.find_row(rows, "VITS") is None


def test_listening_grid_reuses_known_waves_and_speaks_the_rest():
    spoken = []
    tone = compare.System("Tone", lambda item, seed: spoken.append((item.id, seed)) or _tone(100.0 + seed, 0.2))
    truth = compare.System("ground truth", lambda item, seed: item.wave, stochastic=False)
    known = {("Tone", "X1", 0): np.zeros(10, dtype=np.float32)}
    clips = W.listening_grid([truth, tone], [_item("X1"), _item("X2")], seeds=2, known=known)
    assert spoken == [("X1", 1), ("X2", 0), ("X2", 1)]
    assert len(clips["ground truth"]["X2"]) == 1 and clips["Tone"]["X1"][0][1].shape == (10,)
