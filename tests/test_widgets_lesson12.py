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


def _row(name, mcd, per, mos, mae=None):
    row = compare.Row(name, mcd_dtw=float(np.mean(mcd)), per=float(np.mean(per)), dnsmos_ovrl=float(np.mean(mos)),
                      duration_mae=mae)
    row.per_sentence = {"mcd_dtw": list(mcd), "per": list(per), "dnsmos_ovrl": list(mos)}
    row.interval = {k: compare.confidence_half_width(v) for k, v in row.per_sentence.items()}
    return row


def test_the_findings_are_written_from_the_rows():
    rows = [_row("ground truth", [0, 0, 0], [0, 0, 0], [2.7, 2.6, 2.8]),
            _row("course vocoder (x.pt) resynthesis", [8, 9, 8.5], [0, 0.01, 0], [2.9, 2.8, 3.0]),
            _row("A + course vocoder (x.pt)", [17, 18, 17.5], [0.10, 0.12, 0.11], [3.0, 3.1, 2.9], mae=0.5),
            _row("B + course vocoder (x.pt)", [20, 21, 20.5], [0.02, 0.12, 0.01], [2.0, 2.1, 2.2], mae=1.8),
            _row("C", [20.2, 20.8, 20.4], [0.05, 0.06, 0.04], [2.5, 2.4, 2.6], mae=2.3)]
    gap, width = W.paired_difference(rows[3], rows[2], "mcd_dtw")
    assert gap == pytest.approx(3.0) and width == pytest.approx(0.0, abs=1e-9)  # the same 3 dB on every sentence
    text = W.table_reading(rows)
    assert "**MCD-DTW** (lower is better): A 17.5 ± 1.2 dB, C 20.5 ± 0.8 dB, B 20.5 ± 1.2 dB." in text
    assert "A against C: 3.0 ± 0.5 dB on the same sentences — told apart" in text
    assert "C against B: 0.0 ± 0.5 dB on the same sentences — **not** told apart" in text   # 20.47 vs 20.5: noise
    assert "ground truth" not in text.split("The vocoder's floor")[0]         # anchors are not ranked
    assert "through course vocoder (x.pt) scores MCD-DTW 8.5" in text
    assert "DNSMOS ranks A first, PER ranks it 3 of 3" in text
    assert "**Durations**: A predicts them best (0.50 frames" in text


def test_the_variation_and_sweep_readings_state_the_measurements():
    v = W.Variation("M", (0, 1), (1.0, 1.2), ((np.zeros(2), np.array([100.0, np.nan])),) * 2, 0.1, 2.5, 0.5)
    assert W.variation_reading([v]) == "* M: 50% of frames voiced; length spread 100 ms, median-F0 spread 2.5 Hz"
    points = [W.SweepPoint(2, 29.0, 0.04), W.SweepPoint(10, 25.6, 0.2), W.SweepPoint(50, 25.4, 1.0)]
    assert W.sweep_reading({"G": points}) == ("* G: MCD-DTW 29.0 → 25.6 → 25.4 dB at 2 / 10 / 50 calls; the last step "
                                              "costs 5.0× the time and moves the MCD by -0.2 dB")
