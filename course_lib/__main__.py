"""Command line: ``python -m course_lib {corpus,info,train,synth,convert,vocode,compare} ...``.

    python -m course_lib corpus build --mode default [--voices en-us,en+m3] [--out DIR]
    python -m course_lib info glow_tts --config paper [--n-vocab 148] [--json]
    python -m course_lib train glow_tts --config tiny --data DIR --out DIR [--steps N] [--resume | --overwrite]
    python -m course_lib synth glow_tts --checkpoint PATH --text "Hello." --out hello.wav [--seed 0]

Every argument and path is checked before any work; a bad one ends with a one-line
``error: ...`` and exit code 2 (1: a training run diverged; 130: stopped by Ctrl-C).
    python -m course_lib vocode --in speech.wav --out resynth.wav [--checkpoint PATH | --vocoder griffin-lim]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

MAX_SEED = 2**32 - 1  # NumPy's generators take seeds below 2**32
MAX_SPEAKER = 2**31 - 1  # far beyond any model's speakers; an id past it could not even be a tensor
MAX_VOCAB = 100_000  # symbols: phoneme sets have ~150, a character set a few thousand


def _info(args: argparse.Namespace) -> int:
    from course_lib.models import model_module
    from course_lib.models.summary import discriminator_summary, param_summary

    module = model_module(args.model)
    if args.config not in module.CONFIGS:
        raise ValueError(f"unknown config {args.config!r} for {args.model}: choose one of {', '.join(module.CONFIGS)}")
    config = module.CONFIGS[args.config]()
    if args.n_vocab is not None:
        if not hasattr(config, "n_vocab"):
            raise ValueError(f"{args.model} has no vocabulary; drop --n-vocab")
        config = dataclasses.replace(config, n_vocab=args.n_vocab)
    summary = param_summary(module.build(config))
    # a model whose discriminator is built apart (VITS) reports it too, outside the generator's total;
    # HiFi-GAN's MPD and MSD are children of its model, so they are already among its parts
    build_discriminator = getattr(module, "build_discriminator", None)
    discriminator = None if build_discriminator is None else discriminator_summary(build_discriminator(config))
    if args.json:
        report = {"model": args.model, "config": args.config, **summary.to_dict()}
        if discriminator is not None:
            report["discriminator"] = discriminator.to_dict()
        print(json.dumps(report))
    else:
        print(f"{args.model} ({args.config})")
        print(summary)
        if discriminator is not None:
            print("\ndiscriminator (trained against it; not in the total above)")
            print(discriminator)
    return 0


def _recipe(model: str, verb: str):
    from course_lib.models import recipe_of

    recipe = recipe_of(model)
    if recipe is None:
        raise ValueError(f"`{verb}` is not available for {model} yet")
    return recipe


def _train(args: argparse.Namespace) -> int:
    """Claim the run folder (one run, one process; see ``training.run_folder``), then train through the model's
    recipe (:func:`course_lib.cli.train_cli`)."""
    from course_lib.cli import train_cli
    from course_lib.models import TRAINABLE, recipe_of
    from course_lib.training.run_folder import claim_run_folder
    from course_lib.vocoder import check_fine_tune_models, load_vocoder, tts_training_mels

    recipe = _recipe(args.model, "train")
    for flag, option in (("--init", "init"), ("--fine-tune-on", "input_mels")):
        if getattr(args, flag[2:].replace("-", "_")) is not None and option not in recipe.options:
            takers = [name for name in TRAINABLE if option in recipe_of(name).options]
            raise ValueError(f"{flag} is for {' and '.join(takers)} only; {args.model} trains from fresh weights "
                             "on its corpus (or --resume)")
    fine_tune_on = None if args.fine_tune_on is None else [name.strip() for name in args.fine_tune_on.split(",")
                                                           if name.strip()]
    if fine_tune_on is not None:
        check_fine_tune_models(fine_tune_on)
    if args.init is not None and not Path(args.init).is_file():
        raise FileNotFoundError(f"--init {args.init}: no such model file; give a {args.model} model file or run "
                                "checkpoint.pt, e.g. data/checkpoints/pitch_vocoder_tiny.pt")
    args.vocoder = load_vocoder("auto", verbose=False)  # voices the audio samples written while training
    with claim_run_folder(args.out, args.resume, args.overwrite):
        if fine_tune_on is not None:
            args.input_mels = tts_training_mels(fine_tune_on)
        train_cli(args, recipe)
        return 0


def _synth(args: argparse.Namespace) -> int:
    """Check ``--out``, ``--checkpoint`` and ``--vocoder`` (loading it), then the one synth path
    (:func:`course_lib.cli.synth_cli`: the recipe's ``load``, then the synthesis contract)."""
    from course_lib.audio import check_wav_path
    from course_lib.cli import synth_cli
    from course_lib.vocoder import load_vocoder

    recipe = _recipe(args.model, "synth")
    synth = recipe.synth
    if synth is None:
        raise ValueError(f"`synth` is not available for {args.model} yet")
    check_wav_path(args.out, "--out")
    if not Path(args.checkpoint).is_file():
        raise FileNotFoundError(f"--checkpoint {args.checkpoint}: no such file; give the model file a training run "
                                "wrote (e.g. runs/x/glow_tts.pt)")
    if synth.makes_waves:
        if args.vocoder is not None:
            raise ValueError(f"{args.model} goes from text straight to a waveform and uses no vocoder: drop --vocoder")
    else:
        args.vocoder = load_vocoder(args.vocoder or "auto")
    synth_cli(args, recipe)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error: ... (see --help)``, exit code 2."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _whole(minimum: int, maximum: int | None = None, out_of_range: str | None = None):
    """An int parser accepting ``minimum …`` (``… maximum``); ``out_of_range`` words the refusal."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"{value} {out_of_range or f'must be {minimum} or more'}")
        return value

    return parse


_positive_int = _whole(1)
_seed = _whole(0, MAX_SEED, f"is out of range: give a seed from 0 to {MAX_SEED}")
_speaker = _whole(0, MAX_SPEAKER, "is out of range: a model's speaker ids run from 0 to its n_speakers − 1")
_n_vocab = _whole(1, MAX_VOCAB, f"is out of range: give 1 … {MAX_VOCAB:,} symbols (the official counts use 148 and "
                                "178)")


def _finite(minimum: float, inclusive: bool):
    """A float parser accepting finite values ``>= minimum`` (``> minimum`` unless ``inclusive``)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or value < minimum or (value == minimum and not inclusive):
            raise argparse.ArgumentTypeError(f"{text} must be a finite number {'>=' if inclusive else '>'} {minimum:g}")
        return value

    return parse


def _path(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path: give a file or folder name")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m course_lib", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)

    from course_lib.data import add_corpus_cli

    add_corpus_cli(verbs)

    from course_lib.models import MODEL_MODULES, SYNTHESIZERS, TRAINABLE
    from course_lib.models.diff_tts.train import SYNTH_CALLS as DIFF_TTS_SYNTH_CALLS

    info = verbs.add_parser("info", help="parameter counts, total and per submodule (and the discriminator's)",
                            description="Build a model from a named config (untrained) and count its parameters.")
    info.add_argument("model", choices=MODEL_MODULES, metavar="MODEL", help=f"one of: {', '.join(MODEL_MODULES)}")
    info.add_argument("--config", default="paper",
                      help="named config: paper (the official architecture), tiny (the CPU one) or the model's "
                           "others, e.g. hifigan v1/v2/v3/istft_small (default: paper)")
    info.add_argument("--n-vocab", type=_n_vocab, default=None,
                      help="symbols in the text vocabulary (the official counts use 148 for Glow-TTS and "
                           "Grad-TTS, 178 for VITS; default: the config's)")
    info.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    info.set_defaults(func=_info)

    train = verbs.add_parser("train", help="train a model (resumable)",
                             description="Train on the built-in corpus or an LJSpeech-layout folder; writes "
                                         "OUT/checkpoint.pt (resumable, also on Ctrl-C) and the model file.")
    train.add_argument("model", choices=TRAINABLE, metavar="MODEL", help=f"one of: {', '.join(TRAINABLE)}")
    train.add_argument("--config", default="tiny",
                       help="named config: tiny (trains on a CPU; default), paper (the official one, for a GPU), "
                            "or the model's others (see `info`)")
    train.add_argument("--data", type=_path, default=None,
                       help="corpus folder: a built-in corpus (corpus.json) or LJSpeech layout (metadata.csv + "
                            "wavs/); default: the built-in corpus")
    train.add_argument("--out", type=_path, required=True, help="run folder for checkpoints and samples")
    train.add_argument("--steps", type=_positive_int, default=None,
                       help="training steps, ≥ 1 (default: the mode's — a few in smoke mode, a CPU session in "
                            "default mode, the paper's in full mode)")
    train.add_argument("--batch-size", type=_positive_int, default=None,
                       help="utterances (or vocoder segments) per step, ≥ 1 (default: the config's)")
    train.add_argument("--init", type=_path, default=None,
                       help="pitch_vocoder and vits: start from the weights of this model file (or a run's "
                            "checkpoint.pt) of the same sizes, with a fresh optimizer — a fine-tune (e.g. --config "
                            "tiny_harmonic_noise from the shipped vocoder) or a second phase at another learning "
                            "rate (vits --config tiny_multi_f0_anneal)")
    train.add_argument("--fine-tune-on", default=None, metavar="MODELS",
                       help="pitch_vocoder only: also train on these shipped acoustic models' mels of the "
                            "single-voice corpus, spoken with the true durations (comma-separated, from "
                            "glow_tts, grad_tts, diff_tts, cvae; the first 400 training utterances, made once and "
                            "cached) — with --init, the "
                            "shipped vocoder fine-tuned on what it is given")
    again = train.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="continue the run in --out exactly where it stopped")
    again.add_argument("--overwrite", action="store_true", help="replace the run in --out with a fresh one")
    train.set_defaults(func=_train)

    synth = verbs.add_parser("synth", help="text -> wav with a trained checkpoint",
                             description="Synthesise one text with a trained model file through the synthesis contract "
                                         "(course_lib.models.contract) and the course vocoder (VITS makes its "
                                         "own wave). A knob the model does not have is an error, never ignored.")
    synth.add_argument("model", choices=SYNTHESIZERS, metavar="MODEL", help=f"one of: {', '.join(SYNTHESIZERS)}")
    synth.add_argument("--checkpoint", type=_path, required=True,
                       help="the model file a run wrote (e.g. runs/glow/glow_tts.pt) or a shipped one in "
                            "data/checkpoints/")
    synth.add_argument("--text", required=True, help="English text; numbers and abbreviations are spelled out")
    synth.add_argument("--out", type=_path, required=True, help="output .wav file (16-bit PCM, 22,050 Hz)")
    synth.add_argument("--seed", type=_seed, default=0,
                       help="seed of the sampled noise, 0 … 2^32 − 1: the same seed gives the same wave (default 0)")
    noise = synth.add_mutually_exclusive_group()
    noise.add_argument("--noise-scale", type=_finite(0.0, inclusive=True), default=None,
                       help="prior noise scale, ≥ 0, for every model that samples a prior: the standard deviation "
                            "of the prior sample relative to the prior's own (default 0.667; 0 = the mean voice). "
                            "Grad-TTS's is 1/τ; Diff-TTS has none")
    noise.add_argument("--temperature", type=_finite(0.0, inclusive=True), default=None,
                       help="the model's official temperature, ≥ 0 (or --noise-scale, not both): Glow-TTS's T "
                            "(= noise scale, default 0.667), Grad-TTS's τ > 0 (noise scale 1/τ, default 1.5), "
                            "the CVAE's τ (scales z, default 0.667); VITS calls it noise_scale and Diff-TTS has "
                            "none")
    synth.add_argument("--noise-scale-w", type=_finite(0.0, inclusive=True), default=None,
                       help="noise of a stochastic duration predictor (VITS), ≥ 0 (default 0.8; 0 = its most "
                            "likely rhythm); a model with a deterministic one refuses it")
    synth.add_argument("--speaker", type=_speaker, default=None,
                       help="speaker id of a multi-speaker model, 0 … n_speakers − 1; a single-speaker one "
                            "refuses it")
    synth.add_argument("--pitch-shift", type=_finite(0.0, inclusive=False), default=None,
                       help="multiply the predicted pitch, > 0 (2 = an octave up; the words and the rhythm stay): a "
                            "VITS with an explicit F0 (--config tiny_multi_f0) only, the others refuse it")
    synth.add_argument("--length-scale", type=_finite(0.0, inclusive=False), default=1.0,
                       help="speed, > 0: 1 = the predicted durations, 1.2 = 20 %% slower (default 1.0)")
    synth.add_argument("--steps", type=_positive_int, default=None,
                       help="decoder network calls, ≥ 1, for the diffusion models (a one-pass model refuses it): "
                            "Grad-TTS reverse ODE steps (default 10: its paper's setting; "
                            "50 scored 22.9 against 23.2 dB MCD-DTW at 5× the time), Diff-TTS network calls of "
                            f"the skip-γ walk (default {DIFF_TTS_SYNTH_CALLS}: γ = 21, the best MCD-DTW of the "
                            "shipped model, 16.0 dB, and about 20× faster than all 400)")
    synth.add_argument("--vocoder", default=None,
                       help="auto (the shipped course vocoder, else Griffin-Lim; default), course, griffin-lim, or a "
                            "vocoder .pt file; VITS makes its own waveform and takes none")
    synth.set_defaults(func=_synth)

    convert = verbs.add_parser("convert", help="voice conversion: a recording in another speaker's voice",
                               description="Resynthesise a recording of one speaker in another's voice with a "
                                           "multi-speaker VITS (posterior of A → flow with A → reverse flow with B "
                                           "→ decoder with B).")
    convert.add_argument("model", choices=("vits",), metavar="MODEL", help="vits (the only model that converts)")
    convert.add_argument("--checkpoint", type=_path, required=True, help="a multi-speaker VITS model file")
    convert.add_argument("--in", dest="input", type=_path, required=True,
                         help="recording to convert (WAV, FLAC or OGG; read as mono at 22,050 Hz)")
    convert.add_argument("--from-speaker", type=_speaker, required=True,
                         help="speaker id of the recording's voice, 0 … n_speakers − 1")
    convert.add_argument("--speaker", type=_speaker, required=True,
                         help="speaker id to convert to, 0 … n_speakers − 1")
    convert.add_argument("--out", type=_path, required=True, help="output .wav file (16-bit PCM, 22,050 Hz)")
    convert.add_argument("--seed", type=_seed, default=0, help="seed of the posterior sample (default 0)")
    convert.set_defaults(func=_convert)

    vocode = verbs.add_parser("vocode", help="copy synthesis: wav → mel → vocoder → wav",
                              description="Resynthesise any audio file through the course vocoder: read it (mono, "
                                          "resampled to 22,050 Hz), compute the course mel, vocode it.")
    vocode.add_argument("--in", dest="input", required=True, help="audio file to resynthesise (WAV, FLAC or OGG)")
    vocode.add_argument("--out", required=True, help="output .wav file (16-bit PCM, 22,050 Hz)")
    choice = vocode.add_mutually_exclusive_group()
    choice.add_argument("--checkpoint", default=None,
                        help="a vocoder .pt file: the course vocoder's or a HiFi-GAN generator.pt (default: the "
                             "shipped vocoder)")
    choice.add_argument("--vocoder", default="auto",
                        help="'auto' (the shipped course vocoder, else Griffin-Lim), 'course' or 'griffin-lim' "
                             "(default: auto)")
    vocode.set_defaults(func=_vocode)

    compare = verbs.add_parser("compare", help="every shipped model on the same held-out sentences, measured",
                               description="Score the recording, its Griffin-Lim and vocoder resyntheses and every "
                                           "shipped model on the first N test sentences: MCD-DTW, DNSMOS, PER, "
                                           "durations, variation across seeds, CPU RTF (and GPU RTF with CUDA), "
                                           "parameters. Writes results.md, results.json, pareto.png and the wavs "
                                           "to --out.")
    compare.add_argument("--models", default=None,
                         help="comma-separated, from glow_tts, grad_tts, diff_tts, vits (default: every shipped one)")
    compare.add_argument("--sentences", type=_positive_int, default=None,
                         help="held-out test sentences to score (default: 1 in smoke mode, 10 otherwise)")
    compare.add_argument("--seeds", type=_positive_int, default=None,
                         help="samples per sentence and model (default: 1 in smoke mode, 3 otherwise)")
    compare.add_argument("--out", type=_path, default="runs/compare",
                         help="folder for the table, JSON, chart and wavs (default runs/compare)")
    compare.add_argument("--overwrite", action="store_true",
                         help="replace the results of an earlier comparison in --out (only what compare wrote)")
    compare.add_argument("--no-dnsmos", action="store_true",
                         help="skip DNSMOS, the slowest measure (a few seconds a clip on a CPU); its column stays "
                              "empty")
    compare.set_defaults(func=_compare)
    return parser


def _compare(args: argparse.Namespace) -> int:
    """Check ``--out``, ``--models`` and ``--sentences`` before any work, then :func:`course_lib.compare.run`."""
    from course_lib import compare
    from course_lib.mode import pick

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file: give a folder (it will hold results.md, the chart and wavs)")
    blocking = next((parent for parent in out.parents if parent.exists() and not parent.is_dir()), None)
    if blocking is not None:
        raise ValueError(f"--out {out} lies under {blocking}, which is a file: give a folder path")
    models = None
    if args.models is not None:
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        if not models:
            raise ValueError(f"--models is empty: name one or more of {', '.join(compare.COMPARED)}, or drop it to "
                             "compare them all")
        twice = sorted({m for m in models if models.count(m) > 1})
        if twice:
            raise ValueError(f"--models names {', '.join(twice)} more than once: name each model once")
    n_sentences = args.sentences or pick(smoke=1, default=10, full=20)
    available = compare.test_split_size()
    if n_sentences > available:
        raise ValueError(f"--sentences {n_sentences}: the held-out test split has {available} sentences in this "
                         f"mode; give 1 … {available}")
    rows = compare.run(out, models, n_sentences, args.seeds or pick(smoke=1, default=3, full=3),
                       pick(smoke=2, default=8, full=8), dnsmos=not args.no_dnsmos, overwrite=args.overwrite)
    print(compare.markdown(rows, n_sentences))
    print(f"wrote {out / 'results.md'}, results.json, pareto.png and wavs/")
    return 0


def _check_output_beside_input(args: argparse.Namespace) -> None:
    """``--out`` must be a new ``.wav`` path and not the ``--in`` recording itself: the recording is never
    written over (the output could only be written after reading it, and a failed or poor result would
    have cost the original)."""
    from course_lib.audio import check_wav_path
    from course_lib.files import same_file

    check_wav_path(args.out, "--out")
    if same_file(args.input, args.out):
        out = Path(args.out)
        raise ValueError(f"--out {args.out} is the --in recording itself: the course never writes over its input; "
                         f"give another file, e.g. --out {out.with_name(out.stem + '_out.wav')}")


def _convert(args: argparse.Namespace) -> int:
    """Check ``--out``, ``--in`` and ``--checkpoint`` before the model's ``convert_cli`` does any work."""
    from course_lib.models import model_module

    handler = getattr(model_module(args.model), "convert_cli", None)
    if handler is None:
        raise ValueError(f"`convert` is not available for {args.model}")
    _check_output_beside_input(args)
    if not Path(args.checkpoint).is_file():
        raise FileNotFoundError(f"--checkpoint {args.checkpoint}: no such file; give a multi-speaker VITS model file")
    return handler(args) or 0


def _vocode(args: argparse.Namespace) -> int:
    from course_lib import audio
    from course_lib.vocoder import load_vocoder

    _check_output_beside_input(args)
    wave = audio.read_recording(args.input, "--in")
    vocoder = load_vocoder(args.checkpoint or args.vocoder)
    resynthesis = vocoder(audio.mel_spectrogram(wave)).clamp(-1.0, 1.0)
    out = audio.save_audio(args.out, resynthesis.numpy(), audio.SAMPLE_RATE)
    print(f"wrote {out} ({resynthesis.numel() / audio.SAMPLE_RATE:.2f} s, {vocoder.name})")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a folder that became unwritable, a path through a file, …
        from course_lib.files import explain_os_error

        print(f"error: {explain_os_error(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:  # the trainer's TrainingInterrupted says where the checkpoint is
        print(f"\nstopped: {err}" if str(err) else "\nstopped", file=sys.stderr)
        return 130
    except RuntimeError as err:
        trainer = sys.modules.get("course_lib.training.trainer")
        if trainer is None or not isinstance(err, trainer.NonFiniteLossError):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
