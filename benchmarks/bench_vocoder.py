"""Vocoder benchmarks: CPU speed (against REFERENCE.md §3 and the RTF ≤ 0.02 target) and resynthesis quality
against Griffin-Lim with the measures modern vocoder papers report.

    python benchmarks/bench_vocoder.py                      # speed and quality
    python benchmarks/bench_vocoder.py --part speed --configs v3,tiny,istft_small
    python benchmarks/bench_vocoder.py --part quality --candidate istft=runs/voc/generator.pt

Prints one JSON object per figure per line: {"benchmark", "metric", "value", "unit", "target"}.

* Speed: vocoder RTF for 258 frames (2.995 s of audio; weight norm removed, one warm-up,
  median of ``--repeats``) at 1 and 2 torch threads — wall time, and CPU time per thread as a
  quiet-machine estimate (the load average is printed first); and one training step (batch 4 ×
  8192 samples: generator, MPD and MSD, a discriminator then a generator update with AdamW),
  also as steps per second. Targets: the official HiFi-GAN figures on 2 cores (REFERENCE.md §3),
  ours ≤ 1.0× of them; the shipped vocoder (the course vocoder, ``pitch_vocoder_*.pt``, on the first
  258 frames of a held-out utterance) RTF ≤ 0.02 on one thread. Untrained weights for the HiFi-GAN
  configs — the cost does not depend on training. And the course vocoder's training step (batch 16 ×
  96 frames, AdamW; ``tiny`` and ``tiny_harmonic_noise``, whose step runs the oscillator bank) in steps per second.
* Quality: every measure of ``course_lib.models.waveform.evaluation`` (PESQ-WB, periodicity RMSE,
  V/UV F1, pitch RMSE in cents, multi-resolution STFT, mel L1, MCD) for Griffin-Lim at 32 and
  100 iterations, the shipped vocoder and each ``--candidate NAME=PATH``, on held-out
  built-in-corpus utterances (test split, every voice in turn) and, out of domain, on the
  LJSpeech clips in ``../shared/data/ljspeech_sample`` (read in place; no target). The shipped
  vocoder's target is to beat Griffin-Lim (32) on PESQ-WB, periodicity RMSE, V/UV F1 and pitch RMSE. DNSMOS
  OVRL (no reference: how clean the copies sound) for every row and the recordings, where it is installed. One
  reference row, ``oracle_pitch_locked_3``, is not a vocoder: the mel's magnitudes with phases
  locked to the recording's own pYIN pitch and 3 projections (``course_lib.models.waveform.pitch_phase``)
  — what a vocoder that predicted the pitch perfectly could start from. Every course vocoder is also scored
  making its wave the other way, ``…_harmonic_noise`` (candidate (b): oscillators and filtered noise from the
  same pitch and envelopes) or ``…_projection`` (candidate (a)), and its RTF is timed both ways.
* Curve (``--part curve``): the course vocoder trained from scratch in this process (``--config``, default
  ``tiny``), paused at each of ``--curve-steps`` to score the held-out utterances: the four measures against
  CPU-minutes of training (process CPU time, all threads), beside Griffin-Lim 32 on the same utterances.
* TTS (``--part tts``): what a learner hears — each shipped acoustic model's mels (Glow-TTS, Grad-TTS, Diff-TTS
  at its 20-call walk, the CVAE) of held-out sentences of the single-voice corpus, spoken with the corpus's
  true durations so they line up with the recording (``evaluation.teacher_forced_mel``), voiced by Griffin-Lim
  32, the shipped vocoder and each candidate, and scored against the recording with the quality measures.
  The bar: the shipped vocoder beats Griffin-Lim 32 on the four measures for every model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from course_lib import audio
from course_lib.data.segments import make_batch
from course_lib.facts import emit
from course_lib.models.hifigan import CONFIGS, build
from course_lib.models.waveform.generator import build_generator
from course_lib.models.waveform.evaluation import (PESQ_UNAVAILABLE, beats, copy_track, mean_scores, paired_pitch_rmse,
                                                   pitch_track, vocoder_scores)
from course_lib.models.waveform.pitch_phase import frame_pitch, pitch_locked_resynthesis
from course_lib.models.hifigan.train import HiFiGANTask
from course_lib.quality import dnsmos, dnsmos_unavailable
from course_lib.vocoder import COURSE_PATTERN, CourseVocoder, GriffinLimVocoder, shipped_checkpoint, vocoder_from_file

# REFERENCE.md §3: official code, 2 threads, fp32, median after a warm-up
REFERENCE_RTF = {"v1": 0.646, "v2": 0.074, "v3": 0.061}
REFERENCE_STEP_SECONDS = {"v1": 14.56, "v2": 11.09, "v3": 11.12}
INFERENCE_FRAMES = 258
LJSPEECH_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ljspeech_sample"


@dataclass(frozen=True)
class Timing:
    """Median wall seconds, and median process CPU seconds divided by the threads (what a quiet
    machine's wall time would be with both threads busy — this machine is shared, REFERENCE's was not)."""

    wall: float
    cpu_per_thread: float


def median_timing(fn, repeats: int) -> Timing:
    fn()  # warm-up: the first call is several times slower (REFERENCE.md §3)
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus) / torch.get_num_threads())


def inference_rtf(generator: torch.nn.Module, repeats: int) -> Timing:
    generator = generator.eval().remove_weight_norm() if generator.has_weight_norm else generator.eval()
    mel = torch.randn(1, audio.N_MELS, INFERENCE_FRAMES, generator=torch.Generator().manual_seed(0))
    seconds_of_audio = INFERENCE_FRAMES * audio.HOP_LENGTH / audio.SAMPLE_RATE
    with torch.no_grad():
        timing = median_timing(lambda: generator(mel), repeats)
    return Timing(timing.wall / seconds_of_audio, timing.cpu_per_thread / seconds_of_audio)


def vocoder_rtf(vocoder, repeats: int) -> Timing:
    """RTF of any course :class:`~course_lib.vocoder.Vocoder` on the first 258 frames of a held-out utterance (a
    real mel: the course vocoder's cost does not depend on it, but its voicing decisions do, a little)."""
    wave = held_out_waves(None, 1)[0]
    mel = audio.mel_spectrogram(torch.from_numpy(wave))[:, :INFERENCE_FRAMES]
    seconds_of_audio = mel.shape[-1] * audio.HOP_LENGTH / audio.SAMPLE_RATE
    with torch.no_grad():
        timing = median_timing(lambda: vocoder(mel), repeats)
    return Timing(timing.wall / seconds_of_audio, timing.cpu_per_thread / seconds_of_audio)


def course_train_step_timing(config_name: str, repeats: int) -> Timing:
    """One training step of the course vocoder (batch 16 × 96 frames, AdamW)."""
    from course_lib.models.pitch_vocoder import CONFIGS as COURSE_CONFIGS
    from course_lib.models.pitch_vocoder import build as build_course
    from course_lib.models.pitch_vocoder.train import PitchVocoderTask

    config = COURSE_CONFIGS[config_name]()
    torch.manual_seed(0)
    task = PitchVocoderTask(build_course(config))
    rng = np.random.default_rng(0)
    frames = config.segment_frames
    batch = make_batch([rng.uniform(-0.5, 0.5, frames * audio.HOP_LENGTH).astype(np.float32)
                        for _ in range(config.batch_size)],
                       [rng.uniform(80, 250, frames).astype(np.float32) for _ in range(config.batch_size)])

    def step():
        optimizer = task.optimizers["adam"]
        optimizer.zero_grad(set_to_none=True)
        loss, _ = task.phases[0].loss_fn(batch, {})
        loss.backward()
        optimizer.step()

    return median_timing(step, repeats)


def train_step_timing(name: str, repeats: int) -> Timing:
    config = CONFIGS[name]()
    torch.manual_seed(0)
    task = HiFiGANTask(build(config), config)
    rng = np.random.default_rng(0)
    batch = make_batch([rng.uniform(-0.5, 0.5, config.segment_size).astype(np.float32) for _ in range(4)])

    def step():
        cache: dict = {}
        for phase in task.phases:
            optimizer = task.optimizers[phase.optimizer]
            optimizer.zero_grad(set_to_none=True)
            loss, _ = phase.loss_fn(batch, cache)
            loss.backward()
            optimizer.step()

    return median_timing(step, repeats)


def emit_timing(benchmark: str, metric: str, timing: Timing, unit: str, target) -> None:
    emit(benchmark, metric, timing.wall, unit, target)
    emit(benchmark, f"{metric}_cpu_per_thread", timing.cpu_per_thread, unit, target)


def run_speed(configs: list[str], checkpoint: Path | None, repeats: int, train_repeats: int) -> None:
    print(json.dumps({"note": f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"}), flush=True)
    threads = torch.get_num_threads()
    for n_threads in (1, 2):
        torch.set_num_threads(n_threads)
        for name in configs:
            target = REFERENCE_RTF.get(name) if n_threads == 2 else None
            emit_timing(f"vocoder_{name}_inference_3s_{n_threads}thread", "rtf",
                        inference_rtf(build_generator(CONFIGS[name]()), repeats), "s compute / s audio", target)
        if checkpoint is not None:
            shipped = vocoder_from_file(checkpoint)
            emit_timing(f"vocoder_shipped_inference_3s_{n_threads}thread ({checkpoint.name})", "rtf",
                        vocoder_rtf(shipped, repeats), "s compute / s audio", 0.02 if n_threads == 1 else None)
            other = other_way(shipped)
            if other is not None:
                emit_timing(f"vocoder_shipped_{other[0]}_inference_3s_{n_threads}thread ({checkpoint.name})", "rtf",
                            vocoder_rtf(other[1], repeats), "s compute / s audio", None)
    torch.set_num_threads(threads)
    for course_config in ("tiny", "tiny_harmonic_noise"):
        timing = course_train_step_timing(course_config, train_repeats)
        benchmark = f"vocoder_pitch_vocoder_{course_config}_train_step_b16x96frames_{threads}thread"
        emit_timing(benchmark, "seconds", timing, "s/step", None)
        emit(benchmark, "steps_per_second", 1.0 / timing.wall, "steps/s")
    for name in configs:
        timing = train_step_timing(name, train_repeats)
        emit_timing(f"vocoder_{name}_train_step_b4x8192_{threads}thread", "seconds", timing, "s/step",
                    REFERENCE_STEP_SECONDS.get(name))
        emit(f"vocoder_{name}_train_step_b4x8192_{threads}thread", "steps_per_second", 1.0 / timing.wall, "steps/s")


def held_out_waves(corpus_dir: str | None, n_utterances: int) -> list[np.ndarray]:
    """Test-split utterances of the built-in multi-speaker corpus (or of ``corpus_dir``)."""
    from course_lib.data import CorpusError, ensure_corpus, load_corpus, load_ljspeech

    root = Path(corpus_dir) if corpus_dir else ensure_corpus(multispeaker=True)
    try:
        corpus = load_corpus(root)
    except CorpusError:
        corpus = load_ljspeech(root)
    test = corpus.split("test")
    # every voice represented: take utterances round-robin over speakers
    by_speaker: dict[int, list] = {}
    for record in test:
        by_speaker.setdefault(record.speaker, []).append(record)
    picked = []
    while len(picked) < n_utterances and any(by_speaker.values()):
        for records in by_speaker.values():
            if records and len(picked) < n_utterances:
                picked.append(records.pop(0))
    return [audio.load_audio(record.wav_path) for record in picked]


def other_way(vocoder) -> tuple[str, object] | None:
    """A course vocoder's other synthesis, as ``(suffix, mel [80, T] → wave)``; None for another vocoder."""
    if not isinstance(vocoder, CourseVocoder):
        return None
    model = vocoder.model
    if model.config.synthesis == "projection":
        return "harmonic_noise", lambda mel: model.harmonic_plus_noise(mel[None])[0]
    return "projection", lambda mel: model.phase_retrieval(mel[None])[0]


def score_copies(waves: list, copies: dict[str, list], tracks: list) -> tuple[dict, dict]:
    """``({vocoder: mean scores}, {vocoder: [its copies' pitch tracks]})`` of each vocoder's copies of ``waves``."""
    copy_tracks = {name: [copy_track(w, copy) for w, copy in zip(waves, made)] for name, made in copies.items()}
    results = {name: mean_scores([vocoder_scores(w, copy, track, copied)
                                  for w, copy, track, copied in zip(waves, made, tracks, copy_tracks[name])])
               for name, made in copies.items()}
    return results, copy_tracks


def emit_paired_pitch(benchmark: str, tracks: list, copy_tracks: dict, name: str, scores) -> None:
    """A vocoder's pitch RMSE and Griffin-Lim 32's on the same frames (voiced in the recording and in both copies;
    the mean over utterances), their per-utterance difference with its 95 % t-interval, whether it beats Griffin-Lim
    32 on the four measures with that pitch figure, and whether it is at least as good (beats it on the other three,
    and its pitch is lower or not told apart)."""
    from course_lib.compare import confidence_half_width

    pairs = [paired_pitch_rmse(track, copied, baseline) for track, copied, baseline
             in zip(tracks, copy_tracks[name], copy_tracks["griffin_lim_32"])]
    pairs = [pair for pair in pairs if pair is not None]
    if not pairs:
        return
    own, baseline = (float(np.mean(column)) for column in zip(*pairs))
    differences = [a - b for a, b in pairs]
    difference, width = float(np.mean(differences)), confidence_half_width(differences)
    emit(benchmark, "pitch_rmse_cents_paired", own, "cents", f"< {baseline:.4f} (Griffin-Lim 32, same frames)")
    emit(benchmark, "pitch_rmse_cents_paired_griffin_lim_32", baseline, "cents")
    emit(benchmark, "pitch_rmse_cents_paired_difference", difference, "cents")
    if width is not None:
        emit(benchmark, "pitch_rmse_cents_paired_difference_ci95", width, "cents")
    won = beats(scores["own"], scores["griffin_lim_32"])
    others = won["pesq"] and won["periodicity_rmse"] and won["vuv_f1"]
    emit(benchmark, "beats_griffin_lim_32_paired_pitch", others and own < baseline, "bool")
    emit(benchmark, "at_least_as_good_as_griffin_lim_32",
         others and (difference < 0 or (width is not None and difference - width <= 0)), "bool")


def run_quality(candidates: dict[str, Path], corpus_dir: str | None, n_utterances: int) -> None:
    vocoders = {"griffin_lim_32": GriffinLimVocoder(32), "griffin_lim_100": GriffinLimVocoder(100)}
    for name, path in candidates.items():
        vocoders[name] = vocoder_from_file(path)
        other = other_way(vocoders[name])
        if other is not None:
            vocoders[f"{name}_{other[0]}"] = other[1]
    if not candidates:
        print(json.dumps({"note": "no vocoder checkpoint shipped or given: only Griffin-Lim is measured"}))
    if PESQ_UNAVAILABLE:
        print(json.dumps({"note": PESQ_UNAVAILABLE}))
    sets = {"builtin_test": held_out_waves(corpus_dir, n_utterances)}
    lj_files = sorted((LJSPEECH_SAMPLE / "wavs").glob("*.wav"))[:n_utterances]
    if lj_files:
        sets["ljspeech_sample"] = [audio.load_audio(path) for path in lj_files]
    higher_is_better = {"pesq", "vuv_f1"}
    units = {"pesq": "PESQ-WB", "periodicity_rmse": "0-1", "vuv_f1": "F1", "pitch_rmse_cents": "cents",
             "mr_stft": "SC + log-mag L1", "mel_l1": "ln-mel L1", "mcd": "dB"}
    for set_name, waves in sets.items():
        tracks = [pitch_track(w) for w in waves]
        copies = {name: [vocoder(audio.mel_spectrogram(w)) for w in waves] for name, vocoder in vocoders.items()}
        results, copy_tracks = score_copies(waves, copies, tracks)
        if dnsmos_unavailable() is None:  # no reference: how clean each set of copies sounds, the recordings beside
            for name, made in {"recordings": waves, **copies}.items():
                emit(f"vocoder_quality_{set_name}_{name} (n={len(waves)})", "dnsmos_ovrl",
                     float(np.mean([dnsmos(np.clip(np.asarray(copy), -1, 1)).ovrl for copy in made])),
                     "DNSMOS P.835 OVRL")
        else:
            print(json.dumps({"note": dnsmos_unavailable()}))
        # a reference, not a vocoder: the mel's magnitudes with phases locked to the *recording's* pitch (pYIN),
        # then 3 projections — what a vocoder that predicted F0 and voicing perfectly could start from
        results["oracle_pitch_locked_3"] = mean_scores([
            vocoder_scores(w, pitch_locked_resynthesis(audio.mel_spectrogram(w), *frame_pitch(w), 3), track)
            for w, track in zip(waves, tracks)])
        baseline = results["griffin_lim_32"]
        for name, scores in results.items():
            shipped_target = set_name == "builtin_test" and name == "shipped"
            for metric, value in scores.to_dict().items():
                target = None
                if shipped_target and metric in ("pesq", "periodicity_rmse", "vuv_f1", "pitch_rmse_cents"):
                    sign = ">" if metric in higher_is_better else "<"
                    target = f"{sign} {getattr(baseline, metric):.4f} (Griffin-Lim 32)"
                emit(f"vocoder_quality_{set_name}_{name} (n={len(waves)})", metric, value, units[metric], target)
            if name.startswith(("griffin_lim", "oracle")):
                continue
            emit(f"vocoder_quality_{set_name}_{name} (n={len(waves)})", "beats_griffin_lim_32",
                 all(beats(scores, baseline).values()), "bool")
            emit_paired_pitch(f"vocoder_quality_{set_name}_{name} (n={len(waves)})", tracks, copy_tracks, name,
                              {"own": scores, "griffin_lim_32": baseline})


def run_curve(config_name: str, checkpoints: list[int], corpus_dir: str | None, n_utterances: int,
              out_dir: Path) -> None:
    """Train the course vocoder from scratch, pausing at each step count of ``checkpoints`` to score it."""
    from course_lib.models.pitch_vocoder import CONFIGS as COURSE_CONFIGS
    from course_lib.models.pitch_vocoder.train import RECIPE

    waves = held_out_waves(corpus_dir, n_utterances)
    tracks = [pitch_track(w) for w in waves]
    baseline = mean_scores([vocoder_scores(w, GriffinLimVocoder(32)(audio.mel_spectrogram(w)), track)
                            for w, track in zip(waves, tracks)])
    for metric in ("pesq", "periodicity_rmse", "vuv_f1", "pitch_rmse_cents"):
        emit(f"vocoder_curve_griffin_lim_32 (n={len(waves)})", metric, getattr(baseline, metric), metric)
    cpu_seconds = 0.0
    for index, steps in enumerate(sorted(checkpoints)):
        started = time.process_time()
        model, _ = RECIPE.train(COURSE_CONFIGS[config_name](), corpus_dir, out_dir, steps=steps, resume=index > 0,
                         validate=False, progress=False)
        cpu_seconds += time.process_time() - started
        vocoder = CourseVocoder(model.eval())
        scores = mean_scores([vocoder_scores(w, vocoder(audio.mel_spectrogram(w)), track)
                              for w, track in zip(waves, tracks)])
        benchmark = f"vocoder_curve_{config_name}_step_{steps} (n={len(waves)})"
        emit(benchmark, "cpu_minutes", cpu_seconds / 60, "CPU min (all threads)")
        for metric in ("pesq", "periodicity_rmse", "vuv_f1", "pitch_rmse_cents"):
            emit(benchmark, metric, getattr(scores, metric), metric)
        emit(benchmark, "beats_griffin_lim_32", all(beats(scores, baseline).values()), "bool")


def run_tts(candidates: dict[str, Path], n_utterances: int) -> None:
    """Every shipped acoustic model's true-duration mels through Griffin-Lim 32 and each vocoder, scored."""
    from course_lib import compare, evaluation
    from course_lib.models import recipe_of
    from course_lib.paths import CHECKPOINT_DIR

    vocoders = {"griffin_lim_32": GriffinLimVocoder(32)} | {name: vocoder_from_file(path)
                                                            for name, path in candidates.items()}
    items, _ = compare.test_items(n_utterances)
    waves = [item.wave.numpy() for item in items]
    tracks = [pitch_track(w) for w in waves]
    for kind in ("glow_tts", "grad_tts", "diff_tts", "cvae"):
        recipe = recipe_of(kind)
        path = CHECKPOINT_DIR / recipe.shipped.file
        if not path.is_file():
            print(json.dumps({"note": f"no shipped {kind} ({path.name}): skipped"}))
            continue
        model = recipe.load(path, device="cpu")
        mels = [evaluation.teacher_forced_mel(model, item) for item in items]
        copies = {name: [vocoder(mel) for mel in mels] for name, vocoder in vocoders.items()}
        results, copy_tracks = score_copies(waves, copies, tracks)
        for name, scores in results.items():
            benchmark = f"vocoder_tts_{kind}_{name} (n={len(items)})"
            for metric, value in scores.to_dict().items():
                emit(benchmark, metric, value, metric)
            if name != "griffin_lim_32":
                emit(benchmark, "beats_griffin_lim_32", all(beats(scores, results["griffin_lim_32"]).values()),
                     "bool")
                emit_paired_pitch(benchmark, tracks, copy_tracks, name,
                                  {"own": scores, "griffin_lim_32": results["griffin_lim_32"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("speed", "quality", "curve", "tts", "all"), default="all",
                        help="all: speed and quality (the curve trains a model: ask for it by name)")
    parser.add_argument("--configs", default="v1,v2,v3,tiny,istft_small,istft_vocos")
    parser.add_argument("--candidate", action="append", default=[], metavar="NAME=PATH",
                        help="a vocoder .pt (the course vocoder's or a HiFi-GAN generator.pt) to score beside the "
                             "shipped one (repeatable)")
    parser.add_argument("--config", default="tiny", help="--part curve: the course vocoder config to train")
    parser.add_argument("--curve-steps", default="250,500,1000,2000,4000,6000",
                        help="--part curve: the step counts to score at")
    parser.add_argument("--curve-out", default="runs/bench_vocoder_curve",
                        help="--part curve: the run folder (replaced)")
    parser.add_argument("--corpus", default=None, help="corpus folder (default: the built-in multi-speaker corpus)")
    parser.add_argument("--n-utterances", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--train-repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the training steps and scoring")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    checkpoint = shipped_checkpoint(COURSE_PATTERN) or shipped_checkpoint()
    candidates = {"shipped": checkpoint} if checkpoint is not None else {}
    for item in args.candidate:
        name, _, path = item.partition("=")
        if not path:
            parser.error(f"--candidate takes NAME=PATH, got {item!r}")
        candidates[name] = Path(path)
    if args.part in ("speed", "all"):
        run_speed([c.strip() for c in args.configs.split(",") if c.strip()], checkpoint, args.repeats,
                  args.train_repeats)
    if args.part in ("quality", "all"):
        run_quality(candidates, args.corpus, args.n_utterances)
    if args.part == "tts":
        run_tts(candidates, args.n_utterances)
    if args.part == "curve":
        import shutil

        out = Path(args.curve_out)
        if out.exists() and not (out / "checkpoint.pt").exists() and any(out.iterdir()):
            parser.error(f"--curve-out {out} holds files that are not a training run; give another folder")
        shutil.rmtree(out, ignore_errors=True)
        run_curve(args.config, [int(n) for n in args.curve_steps.split(",")], args.corpus, args.n_utterances, out)


if __name__ == "__main__":
    main()
