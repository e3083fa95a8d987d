"""TTS quality metrics: cepstral distance, DTW, alignment accuracy, baselines, model scorers."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from course_lib import cepstrum, evaluation
from course_lib.models import diff_tts, glow_tts, grad_tts, vits
from course_lib.models.contract import SynthesisOptions


def test_dct_basis_is_orthonormal():
    basis = cepstrum.dct_matrix(80, 80)
    torch.testing.assert_close(basis @ basis.T, torch.eye(80), atol=1e-5, rtol=0)


def test_mcd_is_zero_for_equal_mels_and_ignores_loudness():
    mel = torch.randn(80, 30)
    assert cepstrum.mel_cepstral_distortion(mel, mel) == pytest.approx(0.0, abs=1e-5)
    # a constant offset of the log-mel is a gain: it lives in c_0 only, which MCD drops
    assert cepstrum.mel_cepstral_distortion(mel, mel + 2.0) == pytest.approx(0.0, abs=1e-3)
    assert cepstrum.mel_cepstral_distortion(mel, mel + torch.randn(80, 30)) > 1.0
    with pytest.raises(ValueError, match="mcd_dtw"):
        cepstrum.mel_cepstral_distortion(mel, mel[:, :20])


def test_mcd_matches_the_formula_on_one_frame():
    a, b = torch.randn(80, 1), torch.randn(80, 1)
    diff = cepstrum.mel_cepstra(a) - cepstrum.mel_cepstra(b)
    expected = 10 / np.log(10) * np.sqrt(2 * float((diff**2).sum()))
    assert cepstrum.mel_cepstral_distortion(a, b) == pytest.approx(expected, rel=1e-5)


def test_dtw_forgives_timing_but_not_content():
    torch.manual_seed(0)
    mel = torch.randn(80, 40)
    slow = torch.repeat_interleave(mel, 2, dim=1)           # the same content, twice as long
    assert cepstrum.mcd_dtw(slow, mel) == pytest.approx(0.0, abs=1e-4)
    assert cepstrum.mcd_dtw(mel, mel.flip(-1)) > 5.0
    # DTW cost never exceeds the frame-by-frame cost of equal-length mels (the diagonal is one path)
    other = mel + 0.5 * torch.randn(80, 40)
    assert cepstrum.mcd_dtw(other, mel) <= cepstrum.mel_cepstral_distortion(mel, other) + 1e-4
    with pytest.raises(ValueError, match="empty"):
        cepstrum.mcd_dtw(mel[:, :0], mel)


def test_alignment_accuracy_counts_frames_on_the_right_token():
    true = torch.tensor([3, 2, 5])
    assert evaluation.alignment_accuracy(true, true) == 1.0
    # one boundary one frame early: 1 of 10 frames wrong
    assert evaluation.alignment_accuracy(torch.tensor([2, 3, 5]), true) == pytest.approx(0.9)
    # a model that trimmed the last frame (Glow-TTS squeeze) is scored on the frames it covers
    assert evaluation.alignment_accuracy(torch.tensor([3, 2, 4]), true) == 1.0
    with pytest.raises(ValueError, match="covers"):
        evaluation.alignment_accuracy(torch.tensor([3, 2, 6]), true)


def test_a_frame_on_a_blank_counts_when_it_sits_on_the_boundary_of_its_neighbours():
    true = torch.tensor([0, 3, 0, 2, 0])                # blank, a, blank, b, blank: blanks never spoken
    on_blank = torch.tensor([1, 2, 1, 1, 0])            # a's last frame and b's first go to the blank between
    assert evaluation.alignment_accuracy(on_blank, true) == 1.0
    far = torch.tensor([0, 2, 0, 2, 1])                 # b takes a's last frame (a miss); the final blank
                                                        # takes b's last (forgiven: it borders b)
    assert evaluation.alignment_accuracy(far, true) == pytest.approx(0.8)


def test_alignment_accuracy_with_a_tolerance_forgives_near_misses_only():
    true = torch.tensor([3, 2, 5])
    early = torch.tensor([2, 3, 5])                     # boundary 1 frame early
    late2 = torch.tensor([5, 1, 4])                     # boundary 2 frames late, the next 1 early
    assert evaluation.alignment_accuracy(early, true, tolerance=1) == 1.0
    assert evaluation.alignment_accuracy(late2, true) == pytest.approx(0.7)
    assert evaluation.alignment_accuracy(late2, true, tolerance=1) == pytest.approx(0.9)
    assert evaluation.alignment_accuracy(late2, true, tolerance=2) == 1.0
    # frame 0 (given to the last token) has no true frame before it: the edge repeats the first
    # token rather than wrapping round to the last one, so it stays a miss
    assert evaluation.alignment_accuracy(torch.tensor([0, 0, 10]), torch.tensor([1, 4, 5]), tolerance=1) == \
        pytest.approx(0.6)
    with pytest.raises(ValueError, match="tolerance"):
        evaluation.alignment_accuracy(true, true, tolerance=-1)


def test_duration_mae():
    assert evaluation.duration_mae(torch.tensor([2.5, 3.0]), torch.tensor([3, 1])) == pytest.approx(1.25)


def test_phoneme_mean_baseline_averages_frames_per_token():
    items = [SimpleNamespace(tokens=torch.tensor([1, 2]), durations=torch.tensor([1, 2]),
                             mel=torch.tensor([[0.0, 2.0, 4.0]]).repeat(80, 1)),
             SimpleNamespace(tokens=torch.tensor([1]), durations=torch.tensor([1]),
                             mel=torch.full((80, 1), 2.0))]
    baseline = evaluation.PhonemeMeanMel(items, n_vocab=4)
    assert baseline.means[1, 0] == pytest.approx(1.0) and baseline.means[2, 0] == pytest.approx(3.0)
    assert baseline.means[3].abs().sum() == 0          # unseen token: zeros, not NaN
    mel = baseline(torch.tensor([2, 1]), torch.tensor([1, 2]))
    assert mel.shape == (80, 3) and mel[0].tolist() == pytest.approx([3.0, 1.0, 1.0])


def _item(n_vocab, n_tokens=6, frames=(4, 3, 5, 2, 6, 4)):
    torch.manual_seed(1)
    durations = torch.tensor(frames[:n_tokens])
    return SimpleNamespace(tokens=torch.randint(1, n_vocab, (n_tokens,)), durations=durations,
                           mel=torch.randn(80, int(durations.sum())) - 4.0)


@pytest.mark.parametrize("kind", ["glow_tts", "grad_tts", "diff_tts", "vits"])
def test_every_model_scores_through_one_interface(kind):
    module = {"glow_tts": glow_tts, "grad_tts": grad_tts, "diff_tts": diff_tts, "vits": vits}[kind]
    config_class = {"glow_tts": glow_tts.GlowTTSConfig, "grad_tts": grad_tts.GradTTSConfig,
                    "diff_tts": diff_tts.DiffTTSConfig, "vits": vits.VITSConfig}[kind]
    config = config_class.tiny_multi() if kind == "vits" else config_class.tiny()
    setting = {"grad_tts": {"n_steps": 2}, "diff_tts": {"n_steps": 4}, "glow_tts": {}, "vits": {}}[kind]
    model = module.build(config)
    scorer = evaluation.scorer_for(model, options=SynthesisOptions(**setting))
    item = _item(config.n_vocab)
    # VITS reads the recording's linear spectrogram, and this one is multi-speaker
    item.wave, item.speaker = torch.randn(item.mel.shape[-1] * 256) * 0.1, 3
    items = [item]
    scores = evaluation.score(scorer, items)
    assert scores.n_items == 1 and np.isfinite(scores.mcd) and np.isfinite(scores.duration_mae)
    if kind == "diff_tts":
        assert scores.alignment_accuracy is None       # trained on true durations: no aligner of its own
    else:
        assert 0.0 <= scores.alignment_accuracy <= 1.0
    assert "MCD-DTW" in scores.describe()


def test_scorer_refuses_other_models():
    with pytest.raises(TypeError, match="course TTS model"):
        evaluation.scorer_for(torch.nn.Linear(2, 2))


def test_a_knob_the_model_lacks_is_refused_before_scoring():
    model = diff_tts.build(diff_tts.DiffTTSConfig.tiny())
    with pytest.raises(ValueError, match="Diff-TTS has no noise_scale"):
        evaluation.scorer_for(model, options=SynthesisOptions(noise_scale=0.5))


def test_a_blank_model_reads_the_corpus_tokens_with_blanks_and_zero_frame_blanks():
    from course_lib.text import tokenizer_for

    tokenizer = tokenizer_for("espeak", add_blank=True)
    blank = tokenizer.blank_id
    item = SimpleNamespace(tokens=torch.tensor([3, 7, 9]), durations=torch.tensor([4, 2, 5]), mel=torch.zeros(80, 11))
    model = vits.build(vits.VITSConfig.tiny().replace(n_vocab=tokenizer.n_vocab))  # add_blank=True, as trained
    seen = evaluation.model_item(item, model)
    assert seen.tokens.tolist() == [blank, 3, blank, 7, blank, 9, blank]
    assert seen.durations.tolist() == [0, 4, 0, 2, 0, 5, 0] and seen.mel is item.mel
    assert evaluation.model_item(seen, model) is seen                          # already in the model's layout
    glow = glow_tts.build(glow_tts.GlowTTSConfig.tiny())                       # no blanks: unchanged
    assert evaluation.model_item(item, glow) is item


def test_fold_blanks_shares_each_blank_between_its_neighbours():
    folded = evaluation.fold_blanks(torch.tensor([2.0, 5.0, 4.0, 3.0, 1.0]))  # b s b s b
    assert folded.tolist() == pytest.approx([2.0 + 5.0 + 2.0, 3.0 + 2.0 + 1.0])
    assert float(folded.sum()) == pytest.approx(15.0)
    with pytest.raises(ValueError, match="2N \\+ 1"):
        evaluation.fold_blanks(torch.tensor([1.0, 2.0]))


def test_scoring_a_blank_model_gives_it_blanks_and_scores_durations_per_symbol():
    model = vits.build(vits.VITSConfig.tiny()).eval()
    generated = []
    generate = model.generate
    model.generate = lambda tokens, options: generated.append(tokens) or generate(tokens, options)
    item = _item(model.config.n_vocab - 1)                                     # corpus tokens: never the blank
    item.wave = torch.randn(item.mel.shape[-1] * 256) * 0.1
    scores = evaluation.score(evaluation.scorer_for(model), [item])
    assert len(generated[0]) == 2 * len(item.tokens) + 1
    assert np.isfinite(scores.duration_mae) and 0.0 <= scores.alignment_accuracy <= 1.0


@pytest.mark.parametrize("kind", ["glow_tts", "grad_tts", "diff_tts", "cvae"])
def test_a_teacher_forced_mel_lines_up_with_the_recording(kind):
    from course_lib.models import cvae

    module = {"glow_tts": glow_tts, "grad_tts": grad_tts, "diff_tts": diff_tts, "cvae": cvae}[kind]
    config_class = {"glow_tts": glow_tts.GlowTTSConfig, "grad_tts": grad_tts.GradTTSConfig,
                    "diff_tts": diff_tts.DiffTTSConfig, "cvae": cvae.CvaeConfig}[kind]
    torch.manual_seed(0)
    model = module.build(config_class.tiny()).eval()
    item = _item(40)
    mel = evaluation.teacher_forced_mel(model, item, seed=3, n_steps=4 if kind != "glow_tts" else None)
    assert mel.shape == item.mel.shape and torch.isfinite(mel).all()
    again = evaluation.teacher_forced_mel(model, item, seed=3, n_steps=4 if kind != "glow_tts" else None)
    assert torch.equal(mel, again)                      # seeded: the same mel for the same seed


def test_a_teacher_forced_mel_needs_a_mel_model():
    model = vits.build(vits.VITSConfig.tiny())
    with pytest.raises(TypeError, match="makes no mel from given durations"):
        evaluation.teacher_forced_mel(model, _item(40))
