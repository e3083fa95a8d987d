"""Command line: ``python -m course_lib {corpus,info,train,synth,vocode} ...``.

    python -m course_lib corpus build --mode default [--voices en-us,en+m3] [--out DIR]
    python -m course_lib info glow_tts --config paper [--n-vocab 148] [--json]
    python -m course_lib train glow_tts --config tiny --data DIR --out DIR [--steps N] [--resume]
    python -m course_lib synth glow_tts --checkpoint PATH --text "Hello." --out hello.wav [--seed 0]
    python -m course_lib vocode --in speech.wav --out resynth.wav [--checkpoint PATH | --vocoder griffin-lim]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys


def _info(args: argparse.Namespace) -> int:
    from course_lib.models import model_module
    from course_lib.models.summary import param_summary

    module = model_module(args.model)
    if args.config not in module.CONFIGS:
        raise ValueError(f"unknown config {args.config!r} for {args.model}: choose one of {', '.join(module.CONFIGS)}")
    config = module.CONFIGS[args.config]()
    if args.n_vocab is not None:
        if not hasattr(config, "n_vocab"):
            raise ValueError(f"{args.model} has no vocabulary; drop --n-vocab")
        config = dataclasses.replace(config, n_vocab=args.n_vocab)
    summary = param_summary(module.build(config))
    if args.json:
        print(json.dumps({"model": args.model, "config": args.config, **summary.to_dict()}))
    else:
        print(f"{args.model} ({args.config})")
        print(summary)
    return 0


def _delegate(verb: str):
    def run(args: argparse.Namespace) -> int:
        from course_lib.models import model_module

        module = model_module(args.model)
        handler = getattr(module, f"{verb}_cli", None)
        if handler is None:
            raise ValueError(f"`{verb}` is not available for {args.model} yet")
        return handler(args) or 0

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_lib", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)

    from course_lib.data import add_corpus_cli

    add_corpus_cli(verbs)

    info = verbs.add_parser("info", help="parameter counts, total and per submodule")
    info.add_argument("model")
    info.add_argument("--config", default="paper")
    info.add_argument("--n-vocab", type=int, default=None)
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=_info)

    train = verbs.add_parser("train", help="train a model (resumable)")
    train.add_argument("model")
    train.add_argument("--config", default="tiny")
    train.add_argument("--data", default=None, help="corpus folder (default: the built-in corpus)")
    train.add_argument("--out", required=True, help="run folder for checkpoints and samples")
    train.add_argument("--steps", type=int, default=None)
    train.add_argument("--batch-size", type=int, default=None)
    train.add_argument("--resume", action="store_true")
    train.set_defaults(func=_delegate("train"))

    synth = verbs.add_parser("synth", help="text -> wav with a trained checkpoint")
    synth.add_argument("model")
    synth.add_argument("--checkpoint", required=True)
    synth.add_argument("--text", required=True)
    synth.add_argument("--out", required=True)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--temperature", type=float, default=None)
    synth.add_argument("--length-scale", type=float, default=1.0)
    synth.add_argument("--steps", type=int, default=None)
    synth.add_argument("--vocoder", default="auto", help="'auto', 'griffin-lim' or a HiFi-GAN checkpoint")
    synth.set_defaults(func=_delegate("synth"))

    vocode = verbs.add_parser("vocode", help="copy synthesis: wav → mel → vocoder → wav",
                              description="Resynthesise any audio file through the course vocoder: read it (mono, "
                                          "resampled to 22,050 Hz), compute the course mel, vocode it.")
    vocode.add_argument("--in", dest="input", required=True, help="audio file to resynthesise (WAV, FLAC or OGG)")
    vocode.add_argument("--out", required=True, help="output .wav file (16-bit PCM, 22,050 Hz)")
    choice = vocode.add_mutually_exclusive_group()
    choice.add_argument("--checkpoint", default=None, help="a vocoder generator.pt (default: the shipped vocoder)")
    choice.add_argument("--vocoder", default="auto",
                        help="'auto' (the shipped vocoder, else Griffin-Lim) or 'griffin-lim' (default: auto)")
    vocode.set_defaults(func=_vocode)
    return parser


def _vocode(args: argparse.Namespace) -> int:
    from pathlib import Path

    from course_lib import audio
    from course_lib.vocoder import load_vocoder

    out = Path(args.out)
    if out.suffix.lower() != ".wav":
        raise ValueError(f"--out {out} must end in .wav (the course writes 16-bit PCM WAV)")
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder: give a file name such as {out / 'resynth.wav'}")
    vocoder = load_vocoder(args.checkpoint or args.vocoder)
    wave = audio.load_audio(args.input)
    if wave.size < audio.HOP_LENGTH:
        raise ValueError(f"{args.input} holds {wave.size} samples at 22,050 Hz, less than one mel frame "
                         f"({audio.HOP_LENGTH}): give a longer recording")
    resynthesis = vocoder(audio.mel_spectrogram(wave)).clamp(-1.0, 1.0)
    audio.save_audio(out, resynthesis.numpy(), audio.SAMPLE_RATE)
    print(f"wrote {out} ({resynthesis.numel() / audio.SAMPLE_RATE:.2f} s, {vocoder.name})")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
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
