"""Benchmark: Glow-TTS paper-config training step and CPU inference speed.

Measured the way REFERENCE.md §3 measured the official code (2 threads, fp32,
random weights and data, warm-up first, median of repeats):

* train step: batch 4 × 80 tokens × 172 frames — forward with MAS, MLE + duration
  loss, backward, clip by value 5, Noam-Adam step (official: 1.16 s median, 1.05 s min);
* inference: 80 tokens forced to 258 frames (2.995 s of audio), mel only, noise 0.667
  (official: 0.111 s, RTF 0.037).

With ``--quality CHECKPOINT`` (a ``save_model`` file or a trainer ``checkpoint.pt``) it
also scores a trained model on held-out sentences of the built-in corpus (test split):
alignment accuracy of MAS on the model's own likelihood against the true phonemes
(target ≥ 90 %), duration-predictor error (mean |frames| per phoneme), and MCD with DTW
between synthesized and reference mels, beside two baselines from the same run: the
untrained model and "per-phoneme mean mel with true durations" (the model must beat both).

Target: ≤ 1.0× the official figure each. On a shared machine the wall-clock
figures mostly measure the neighbours; process CPU seconds are reported too.
Ends with one JSON object per figure per line.

    python benchmarks/bench_glow_tts.py [--repeats N] [--threads 2] [--quality CHECKPOINT] [--skip-speed]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numba
import numpy as np
import torch

from course_lib.models.glow_tts import GlowTTSConfig, build
from course_lib.models.glow_tts.train import GlowTTSTask

OFFICIAL = {"train_step_s": 1.16, "inference_s": 0.111, "rtf": 0.037}
BATCH, TOKENS, FRAMES, INFER_FRAMES = 4, 80, 172, 258
SAMPLE_RATE, HOP = 22050, 256


def _figure(metric: str, value: float, unit: str, target: str | None = None) -> str:
    return json.dumps({"benchmark": "glow_tts", "metric": metric, "value": value, "unit": unit, "target": target})


def _timed(fn, repeats: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU seconds per call (CPU time is the steadier figure on a shared machine)."""
    for _ in range(warmup):  # the first steps are much slower (allocations, numba cache load)
        fn()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def mel_cepstrum(log_mel: np.ndarray, n_coefficients: int = 13) -> np.ndarray:
    """``[80, T]`` natural-log mel -> ``[T, n]`` cepstra c1..cn (orthonormal DCT-II over the bins; c0, energy, dropped)."""
    n_bins = log_mel.shape[0]
    k = np.arange(1, n_coefficients + 1)[:, None]
    basis = np.sqrt(2.0 / n_bins) * np.cos(np.pi * k * (np.arange(n_bins)[None, :] + 0.5) / n_bins)
    return (basis @ log_mel).T


@numba.njit(cache=True)
def _dtw_mean_distance(cost):  # pragma: no cover - compiled
    n, m = cost.shape
    total = np.full((n + 1, m + 1), np.inf)
    steps = np.zeros((n + 1, m + 1))
    total[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, count = total[i - 1, j - 1], steps[i - 1, j - 1]
            if total[i - 1, j] < best:
                best, count = total[i - 1, j], steps[i - 1, j]
            if total[i, j - 1] < best:
                best, count = total[i, j - 1], steps[i, j - 1]
            total[i, j] = best + cost[i - 1, j - 1]
            steps[i, j] = count + 1
    return total[n, m] / steps[n, m]


def mcd_dtw(log_mel_a: np.ndarray, log_mel_b: np.ndarray) -> float:
    """Mel cepstral distortion in dB between two log-mels after DTW alignment (mean over the path)."""
    a, b = mel_cepstrum(log_mel_a), mel_cepstrum(log_mel_b)
    cost = (10.0 / np.log(10.0)) * np.sqrt(2.0 * ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    return float(_dtw_mean_distance(cost))


def _load_any(path: str):
    """A trained model from a ``save_model`` file or a trainer ``checkpoint.pt``."""
    from course_lib.training import read_torch_file

    payload = read_torch_file(path)
    if "modules" in payload:  # trainer checkpoint: weights and the task's config
        model = build(GlowTTSConfig.from_dict(payload["config"]["task"]))
        model.load_state_dict(payload["modules"]["model"])
        return model.eval()
    from course_lib.models.glow_tts.train import load

    return load(path, device="cpu")


@torch.no_grad()
def quality(path: str, n_sentences: int) -> None:
    from course_lib.data import TextMelDataset, ensure_corpus, load_corpus

    model = _load_any(path)
    untrained = build(model.config).eval()
    corpus = load_corpus(ensure_corpus())
    train = TextMelDataset(corpus.split("train"), tokenizer=corpus.tokenizer)
    test = TextMelDataset(corpus.split("test").utterances[:n_sentences], tokenizer=corpus.tokenizer)

    # baseline: every phoneme symbol's mean log-mel frame (train split, true durations)
    n_vocab = corpus.tokenizer.n_vocab
    sums, counts = torch.zeros(n_vocab, 80), torch.zeros(n_vocab)
    for i in range(len(train)):
        item = train[i]
        frame_tokens = torch.repeat_interleave(item.tokens, item.durations)
        sums.index_add_(0, frame_tokens, item.mel.T)
        counts.index_add_(0, frame_tokens, torch.ones(len(frame_tokens)))
    token_means = sums / counts.clamp_min(1).unsqueeze(1)

    scores = {"accuracy": [], "duration_mae": [], "mcd_model": [], "mcd_untrained": [], "mcd_mean_mel": []}
    for i in range(len(test)):
        item = test[i]
        tokens, mel = item.tokens[None], item.mel[None]
        lengths = torch.tensor([tokens.shape[1]])
        out = model(tokens, lengths, mel, torch.tensor([mel.shape[-1]]))
        n = out.alignment.shape[-1]
        true_tokens = torch.repeat_interleave(torch.arange(tokens.shape[1]), item.durations)[:n]
        scores["accuracy"].append(float((out.alignment[0].argmax(0) == true_tokens).float().mean()))
        scores["duration_mae"].append(float((out.log_duration_pred[0, 0].exp() - item.durations).abs().mean()))
        reference = item.mel.numpy()
        generator = torch.Generator().manual_seed(0)
        for name, net in (("mcd_model", model), ("mcd_untrained", untrained)):
            synth = net.infer(tokens, lengths, generator=generator)
            scores[name].append(mcd_dtw(synth.mel[0, :, : int(synth.mel_lengths[0])].numpy(), reference))
        mean_mel = token_means[torch.repeat_interleave(item.tokens, item.durations)].T.numpy()
        scores["mcd_mean_mel"].append(mcd_dtw(mean_mel, reference))

    figures = {key: float(np.mean(values)) for key, values in scores.items()}
    print(f"quality of {path} on {len(test)} test sentences: alignment accuracy {figures['accuracy']:.1%}, "
          f"duration MAE {figures['duration_mae']:.2f} frames, MCD-DTW {figures['mcd_model']:.2f} dB "
          f"(untrained {figures['mcd_untrained']:.2f}, per-phoneme mean mel {figures['mcd_mean_mel']:.2f})")
    print(_figure("alignment_accuracy", round(100 * figures["accuracy"], 1), "%", ">= 90"))
    print(_figure("duration_mae", round(figures["duration_mae"], 2), "frames/phoneme", None))
    print(_figure("mcd_dtw_model", round(figures["mcd_model"], 2), "dB", "< both baselines"))
    print(_figure("mcd_dtw_untrained", round(figures["mcd_untrained"], 2), "dB", None))
    print(_figure("mcd_dtw_mean_mel_true_durations", round(figures["mcd_mean_mel"], 2), "dB", None))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quality", default=None, help="score this trained checkpoint on the test split")
    parser.add_argument("--sentences", type=int, default=20, help="test sentences for --quality")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.quality:
        quality(args.quality, args.sentences)
    if args.skip_speed:
        return

    config = GlowTTSConfig.paper()
    model = build(config)
    task = GlowTTSTask(model)
    optimizer, schedule = task.optimizers["adam"], task.schedulers["noam"].scheduler
    batch = type("Batch", (), dict(
        tokens=torch.randint(1, config.n_vocab, (BATCH, TOKENS)),
        token_lengths=torch.full((BATCH,), TOKENS),
        mels=torch.randn(BATCH, config.n_mels, FRAMES),
        mel_lengths=torch.full((BATCH,), FRAMES),
        speakers=torch.zeros(BATCH, dtype=torch.long),
    ))
    task.on_train_start(batch)

    def train_step() -> None:
        model.train()
        loss, _ = task.loss_step(batch, {})
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_value_(model.parameters(), config.grad_clip_value)
        optimizer.step()
        schedule.step()

    train_times, train_cpu = _timed(train_step, args.repeats)

    model.eval()
    tokens = torch.randint(1, config.n_vocab, (1, TOKENS))
    durations = torch.full((1, TOKENS), INFER_FRAMES // TOKENS)
    durations[0, : INFER_FRAMES - int(durations.sum())] += 1  # 258 frames exactly
    generator = torch.Generator().manual_seed(0)

    def infer() -> None:
        out = model.infer(tokens, torch.tensor([TOKENS]), noise_scale=0.667, generator=generator, durations=durations)
        assert out.mel.shape[-1] == INFER_FRAMES

    infer_times, infer_cpu = _timed(infer, args.repeats)
    audio_seconds = INFER_FRAMES * HOP / SAMPLE_RATE

    train_median, infer_median = statistics.median(train_times), statistics.median(infer_times)
    rtf = infer_median / audio_seconds
    print(f"Glow-TTS paper config, {args.threads} threads: train step {train_median:.3f} s "
          f"(min {min(train_times):.3f}; official 1.16), inference {infer_median:.3f} s for {audio_seconds:.3f} s "
          f"of audio, RTF {rtf:.3f} (official 0.111 s, RTF 0.037)")
    print(_figure("train_step_median", round(train_median, 3), "s", "<= 1.16 (official)"))
    print(_figure("train_step_min", round(min(train_times), 3), "s", "<= 1.05 (official min)"))
    print(_figure("train_step_vs_official", round(train_median / OFFICIAL["train_step_s"], 2), "x", "<= 1.0"))
    print(_figure("inference_median", round(infer_median, 4), "s", "<= 0.111 (official)"))
    print(_figure("inference_rtf", round(rtf, 4), "ratio", "<= 0.037 (official)"))
    print(_figure("inference_vs_official", round(infer_median / OFFICIAL["inference_s"], 2), "x", "<= 1.0"))
    # REFERENCE.md §3: the official runs kept both threads busy (process CPU ≈ 2 × wall)
    print(_figure("train_step_cpu_median", round(statistics.median(train_cpu), 3), "cpu-s",
                  f"<= {2 * OFFICIAL['train_step_s']:.2f} (official ≈ 2 × wall)"))
    print(_figure("inference_cpu_median", round(statistics.median(infer_cpu), 4), "cpu-s",
                  f"<= {2 * OFFICIAL['inference_s']:.3f} (official ≈ 2 × wall)"))


if __name__ == "__main__":
    main()
