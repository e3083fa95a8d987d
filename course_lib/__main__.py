"""Command line: ``python -m course_lib {corpus,info,train,synth} ...``.

    python -m course_lib corpus build --mode default [--voices en-us,en+m3] [--out DIR]
    python -m course_lib info glow_tts --config paper [--n-vocab 148] [--json]
    python -m course_lib train glow_tts --config tiny --data DIR --out DIR [--steps N] [--resume]
    python -m course_lib synth glow_tts --checkpoint PATH --text "Hello." --out hello.wav [--seed 0]
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
    return parser


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
