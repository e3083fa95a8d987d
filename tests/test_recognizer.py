"""The CTC phoneme recognizer (issue 14): size, loss, decoding, augmentation, learning, CLI training and resume."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from course_lib.models.recognizer import (
    BLANK_ID,
    CONFIGS,
    PAUSE_ID,
    Augmenter,
    RecognizerConfig,
    add_noise,
    build,
    change_speed,
    ctc_loss,
    greedy_decode,
    spec_augment,
)
from course_lib.models.recognizer.train import RecognizerTask, targets_of

# no augmentation: what the learning tests need
CLEAN = dataclasses.replace(RecognizerConfig.tiny(), p_resynth=0.0, p_speed=0.0, p_noise=0.0, p_specaugment=0.0)


def _count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def test_parameter_counts_and_config_round_trip():
    assert _count(build(RecognizerConfig.tiny())) == 1_636_621 < 2_000_000
    with torch.device("meta"):
        assert _count(build(RecognizerConfig.base())) == 8_880_973
    config = RecognizerConfig.tiny()
    assert build(config.to_dict()).config == config
    assert set(CONFIGS) == {"tiny", "base"}


@pytest.mark.parametrize("bad, phrase", [(dict(p_noise=1.5), "p_noise"), (dict(add_blank=True), "own blank"),
                                         (dict(speed_min=1.2, speed_max=1.1), "speed_min"),
                                         (dict(conv_kernel=4), "odd")])
def test_bad_config_values_are_refused_with_their_name(bad, phrase):
    with pytest.raises(ValueError, match=phrase):
        dataclasses.replace(RecognizerConfig.tiny(), **bad)


def test_output_lengths_and_a_finite_ctc_loss_with_padding():
    torch.manual_seed(0)
    model = build(RecognizerConfig.tiny()).eval()
    mels = torch.randn(3, 80, 91) - 5.0
    lengths = torch.tensor([91, 60, 31])
    out = model(mels, lengths)
    assert out.log_probs.shape == (3, 31, 205)
    assert out.lengths.tolist() == [31, 20, 11]
    assert torch.allclose(out.log_probs.exp().sum(-1), torch.ones(3, 31), atol=1e-5)
    loss = ctc_loss(out, [[5, 6, 7, 8], [9, 9, 10], [11]])
    assert torch.isfinite(loss) and loss > 0
    # padding does not leak: the second item alone gives the same outputs on its real frames
    alone = model(mels[1:2, :, :60], lengths[1:2])
    assert torch.allclose(alone.log_probs[0], out.log_probs[1, :20], atol=1e-5)


def test_empty_target_is_a_clear_error():
    model = build(RecognizerConfig.tiny())
    out = model(torch.randn(1, 80, 30), torch.tensor([30]))
    with pytest.raises(ValueError, match="no phonemes"):
        ctc_loss(out, [[]])


def test_greedy_decode_of_a_hand_made_posteriorgram():
    # frames: blank a a blank a b b blank → a a b ; the second item stops after 3 frames → a
    a, b = 3, 4
    path = [BLANK_ID, a, a, BLANK_ID, a, b, b, BLANK_ID]
    probs = torch.full((2, len(path), 6), 0.01)
    for t, s in enumerate(path):
        probs[:, t, s] = 0.9
    assert greedy_decode(probs.log(), torch.tensor([8, 3])) == [[a, a, b], [a]]
    assert greedy_decode(probs[0].log()) == [[a, a, b]]
    with pytest.raises(ValueError, match="posteriorgram"):
        greedy_decode(torch.zeros(6))


def test_targets_drop_pauses_and_padding():
    tokens = torch.tensor([[5, PAUSE_ID, 6, 0], [7, 8, PAUSE_ID, PAUSE_ID]])
    assert targets_of(tokens, torch.tensor([3, 4])) == [[5, 6], [7, 8]]
    assert targets_of(tokens, torch.tensor([3, 4]), drop_pauses=False) == [[5, PAUSE_ID, 6], [7, 8, PAUSE_ID, PAUSE_ID]]


# ---- augmentation ---------------------------------------------------------------------------------------------

def _tone(seconds: float = 1.0, hz: float = 220.0) -> torch.Tensor:
    t = torch.arange(int(22050 * seconds)) / 22050
    return 0.3 * torch.sin(2 * math.pi * hz * t)


def test_noise_hits_its_snr_and_speed_changes_length():
    wave = _tone()
    noisy = add_noise(wave, 10.0, torch.Generator().manual_seed(0))
    snr = 10 * torch.log10(wave.pow(2).mean() / (noisy - wave).pow(2).mean())
    assert abs(float(snr) - 10.0) < 0.3
    assert change_speed(wave, 1.1).numel() == round(22050 / 1.1)
    assert change_speed(wave, 0.9).numel() == round(22050 / 0.9)
    with pytest.raises(ValueError, match="> 0"):
        change_speed(wave, 0.0)


def test_spec_augment_masks_with_the_mean_and_keeps_the_input():
    mel = torch.randn(80, 200)
    masked = spec_augment(mel, 2, 10, 2, 15, torch.Generator().manual_seed(1))
    assert masked.shape == mel.shape and not torch.equal(masked, mel)
    changed = masked != mel
    assert torch.all(masked[changed] == mel.mean())
    assert changed.any(dim=1).sum() <= 80 and changed.all(dim=0).sum() <= 2 * 15  # whole frames: time masks only


def _fast_config(**changes) -> RecognizerConfig:
    return dataclasses.replace(RecognizerConfig.tiny(), griffin_lim_iters=2, **changes)


def test_augmented_batch_shapes_and_determinism_under_a_seed():
    from course_lib.audio import mel_spectrogram

    waves = torch.stack([_tone(1.0, 220.0), _tone(1.0, 330.0)])
    waves[1, 15000:] = 0.0
    wave_lengths = torch.tensor([22050, 15000])
    mels = mel_spectrogram(waves)
    mel_lengths = torch.tensor([86, 15000 // 256])
    config = _fast_config(p_resynth=0.5, p_speed=1.0, p_noise=1.0, p_specaugment=1.0)
    first = Augmenter(config).batch(mels, mel_lengths, waves.unsqueeze(1), wave_lengths, torch.Generator().manual_seed(3))
    again = Augmenter(config).batch(mels, mel_lengths, waves.unsqueeze(1), wave_lengths, torch.Generator().manual_seed(3))
    other = Augmenter(config).batch(mels, mel_lengths, waves.unsqueeze(1), wave_lengths, torch.Generator().manual_seed(4))
    assert torch.equal(first[0], again[0]) and torch.equal(first[1], again[1])
    assert not torch.equal(first[0], other[0])
    out, lengths = first
    assert out.shape[:2] == (2, 80) and out.shape[2] == int(lengths.max())
    assert all(abs(int(n) - int(m)) <= int(m) * 0.12 + 1 for n, m in zip(lengths, mel_lengths))  # speed ±10 %
    assert torch.isfinite(out).all()


def test_resynthesis_is_made_once_and_cached_and_off_means_untouched():
    mel = torch.randn(80, 40) - 4.0
    calls = []

    def fake_vocoder(m):
        calls.append(1)
        return torch.zeros(m.shape[-1] * 256).uniform_(-0.1, 0.1, generator=torch.Generator().manual_seed(0))

    augmenter = Augmenter(_fast_config(p_resynth=1.0, p_speed=0.0, p_noise=0.0, p_specaugment=0.0),
                          {"fake": fake_vocoder})
    a = augmenter.item(None, mel, torch.Generator().manual_seed(0))
    b = augmenter.item(None, mel, torch.Generator().manual_seed(1))
    assert len(calls) == 1 and torch.equal(a, b) and a.shape == mel.shape
    untouched = Augmenter(CLEAN).item(None, mel, torch.Generator().manual_seed(0))
    assert untouched is mel


# ---- learning ---------------------------------------------------------------------------------------------------

def _smoke_batch(n: int = 4):
    from course_lib.data import TextMelDataset, ensure_corpus, open_corpus
    from course_lib.text import tokenizer_for

    corpus = open_corpus(ensure_corpus(mode="smoke", multispeaker=True))
    records = sorted(corpus.split("train").utterances, key=lambda u: sum(u.durations))[:n]
    dataset = TextMelDataset(records, tokenizer=tokenizer_for("espeak", False), frontend=corpus.symbols_for,
                             return_wave=True)
    return dataset.collate([dataset[i] for i in range(len(records))])


def test_overfits_one_batch():
    batch = _smoke_batch()
    torch.manual_seed(0)
    model = build(dataclasses.replace(CLEAN, learning_rate=3e-3, dropout=0.0))
    task = RecognizerTask(model)
    losses = []
    for _ in range(30):
        loss, _ = task.loss_step(batch, {})
        task.optimizers["adam"].zero_grad()
        loss.backward()
        task.optimizers["adam"].step()
        losses.append(float(loss.detach()))
    assert all(math.isfinite(x) for x in losses)
    assert losses[-1] < 0.6 * losses[0], losses


# ---- command line ------------------------------------------------------------------------------------------------

def _small_fast_tiny() -> RecognizerConfig:
    """tiny's augmentation (every kind on) on a narrow network, with a 2-iteration Griffin-Lim: a CLI run in seconds."""
    return dataclasses.replace(RecognizerConfig.tiny(), conv_channels=32, rnn_hidden=32, griffin_lim_iters=2,
                               p_resynth=0.5, p_speed=0.5, p_noise=0.5, p_specaugment=0.5)


def test_cli_trains_and_resumes_exactly(tmp_path, monkeypatch, capsys):
    from course_lib.__main__ import main
    from course_lib.models import recognizer
    from course_lib.models.recognizer.train import RECIPE

    monkeypatch.setitem(recognizer.CONFIGS, "tiny", _small_fast_tiny)
    common = ["train", "recognizer", "--config", "tiny", "--batch-size", "2"]
    assert main([*common, "--out", str(tmp_path / "straight"), "--steps", "4"]) == 0
    assert "trained recognizer (tiny) to step 4" in capsys.readouterr().out
    assert main([*common, "--out", str(tmp_path / "resumed"), "--steps", "2"]) == 0
    assert main(["train", "recognizer", "--config", "tiny", "--out", str(tmp_path / "resumed"), "--steps", "4",
                 "--resume"]) == 0
    straight = RECIPE.load(tmp_path / "straight" / "recognizer.pt")
    resumed = RECIPE.load(tmp_path / "resumed" / "recognizer.pt")
    assert not straight.training
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert torch.equal(a, b), f"{name} differs after resume"
    mel = torch.randn(80, 60) - 5.0
    assert straight.recognize(mel) == resumed.recognize(mel)


def test_cli_refuses_an_unknown_config(tmp_path, capsys):
    from course_lib.__main__ import main

    assert main(["train", "recognizer", "--config", "paper", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "unknown config 'paper' for recognizer: choose one of tiny, base" in err


def test_the_shipped_recognizer_reads_held_out_speech_of_every_voice_and_its_griffin_lim_copy():
    from course_lib.audio import griffin_lim
    from course_lib.models.recognizer.train import RECIPE
    from course_lib.paths import CHECKPOINT_DIR
    from course_lib.quality import corpus_items, score_recognizer

    path = CHECKPOINT_DIR / RECIPE.shipped.file
    if not path.exists():
        pytest.skip(f"{path.name} is not in this checkout")
    recognizer = RECIPE.load(path)
    items = corpus_items("test", limit=8)                             # the current mode's multi-voice corpus
    truth = score_recognizer(recognizer, items)
    resynthesized = score_recognizer(recognizer, corpus_items("test", resynthesize=griffin_lim, limit=8))
    # its bar (benchmarks/bench_recognizer.py, all 75 test utterances of the default corpus: 0.4 % and 0.4 %)
    assert truth.per <= 0.05 and resynthesized.per <= truth.per + 0.03, (truth.per, resynthesized.per)
    assert len(truth.per_voice) >= 2
