"""What ``python -m course_lib train`` and ``synth`` do once ``__main__`` has checked the arguments: the same for
every model, through its :class:`~course_lib.models.recipe.Recipe` and the synthesis contract."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from course_lib.models.recipe import Recipe, SynthCLI

# the flag of each contract knob, to say which flag to drop
SYNTH_FLAGS = {"noise_scale": "--noise-scale", "noise_scale_w": "--noise-scale-w", "length_scale": "--length-scale",
               "n_steps": "--steps", "seed": "--seed", "speaker": "--speaker", "pitch_shift": "--pitch-shift"}


def checked_batch_size(args: argparse.Namespace) -> int | None:
    """The batch size ``train`` runs with: ``--batch-size``, or on ``--resume`` the run's own (asking for another
    is refused)."""
    from course_lib.training import config_json_path
    from course_lib.training.trainer import CHECKPOINT_NAME

    batch_size = args.batch_size
    saved = config_json_path(Path(args.out) / CHECKPOINT_NAME)
    if args.resume and saved.is_file():
        trained_with = json.loads(saved.read_text(encoding="utf-8")).get("task", {}).get("batch_size")
        if batch_size is not None and trained_with is not None and batch_size != trained_with:
            raise ValueError(f"--batch-size {batch_size} differs from the {trained_with} the run in {args.out} was "
                             f"trained with, so resuming would not continue it: drop --batch-size, or train into "
                             f"a new --out folder")
        batch_size = trained_with
    return batch_size


def check_speakers(data_dir: str | None, recipe: Recipe, config_name: str, config) -> None:
    """Refuse to train a single-speaker ``config`` on a corpus folder of several speakers (it would silently make
    one voice of them), naming the model's configs that take speakers."""
    if data_dir is None:  # the model's default corpus
        return
    from course_lib.data import open_corpus

    corpus = open_corpus(Path(data_dir))
    if corpus.n_speakers < 2 or getattr(config, "n_speakers", 1) > 1:
        return
    multi = [key for key, make in recipe.configs.items() if getattr(make(), "n_speakers", 1) > 1]
    fix = (f"train a multi-speaker config ({' or '.join(f'--config {key}' for key in multi)})" if multi else
           f"{recipe.name} has no multi-speaker config: give it a folder of one speaker")
    shown = ", ".join(corpus.speakers[:3]) + (", …" if corpus.n_speakers > 3 else "")
    raise ValueError(f"--data {data_dir} holds {corpus.n_speakers} speakers ({shown}) but {recipe.name} --config "
                     f"{config_name} makes one voice, so it would blend them: {fix}")


def train_cli(args: argparse.Namespace, recipe: Recipe) -> None:
    """``python -m course_lib train NAME``: train ``--config`` on ``--data``, print the last losses of the recipe's
    logged phase and the last validation figures.

    ``--resume`` keeps the batch size the run was trained with; asking for another one is refused. A model that
    makes a voice refuses a folder of several speakers unless its config takes them. The recipe's options are
    read from ``args`` (``vocoder``, loaded by the command line, voices a mel model's audio samples).
    """
    config = recipe.config(args.config)
    batch_size = checked_batch_size(args)
    if recipe.one_voice:
        check_speakers(args.data, recipe, args.config, config)
    options = {name: getattr(args, name) for name in recipe.options if getattr(args, name, None) is not None}
    _, history = recipe.train(config, args.data, args.out, args.steps, batch_size, args.resume, **options)
    phase = recipe.logged_phase(config)
    last = [row for row in history if f"{phase}/loss" in row][-1]  # validation rows are interleaved
    validated = [row for row in history if any(key.startswith("val/") for key in row)]
    tail = ("; validation: " + ", ".join(f"{k[4:]}={v:.3f}" for k, v in validated[-1].items() if k.startswith("val/"))
            if validated else "")
    print(f"trained {recipe.name} ({args.config}) to step {last['step']}; last losses: "
          + ", ".join(f"{k}={v:.3f}" for k, v in last.items() if k.startswith(f"{phase}/")) + tail)
    print(f"model written to {Path(args.out) / recipe.model_file}")


def synth_options(args: argparse.Namespace, synth: SynthCLI):
    """The contract's :class:`SynthesisOptions` from the ``synth`` flags (``--temperature`` through ``synth``)."""
    from course_lib.models.contract import SynthesisOptions

    noise_scale = args.noise_scale
    if args.temperature is not None:
        if isinstance(synth.temperature, str):
            raise ValueError(f"{synth.label} has no temperature ({synth.temperature}): drop --temperature")
        noise_scale = synth.temperature(args.temperature)
    return SynthesisOptions(noise_scale=noise_scale, noise_scale_w=args.noise_scale_w, length_scale=args.length_scale,
                            n_steps=synth.n_steps if args.steps is None else args.steps, seed=args.seed,
                            speaker=args.speaker, pitch_shift=args.pitch_shift)


def synth_cli(args: argparse.Namespace, recipe: Recipe) -> None:
    """``python -m course_lib synth MODEL``: load, text → tokens, ``model.generate``, write the wave.

    A model that makes its own wave (``result.wave``) writes it; the others' mel goes through
    ``args.vocoder`` (loaded by the command line). A knob the model lacks is the contract's error,
    naming the flag to drop.
    """
    from course_lib.audio import SAMPLE_RATE, save_audio, write_wave
    from course_lib.models.contract import check_options
    from course_lib.nn.wavenet import remove_weight_norm_everywhere
    from course_lib.text import text_to_tokens

    synth = recipe.synth
    options = synth_options(args, synth)
    model = recipe.load(args.checkpoint)
    remove_weight_norm_everywhere(model)  # inference only: fold g·v/‖v‖ once (half a flow decoder's time)
    try:
        check_options(options, model.knobs, synth.label, model.REFUSED)
    except ValueError as err:
        refused = [SYNTH_FLAGS[name] for name in options.given() if name not in model.knobs]
        raise ValueError(f"{err}: drop {' and '.join(refused)}") from None
    tokens = text_to_tokens(args.text, model.config.front_end, model.config.add_blank)[0]
    result = model.generate(tokens, options)
    if result.wave is not None:
        path = save_audio(args.out, result.wave.detach().cpu().numpy(), SAMPLE_RATE)
        made = f"{result.wave.numel() / SAMPLE_RATE:.2f} s"
    else:
        path = write_wave(result.mel, args.out, args.vocoder)
        made = f"{result.mel.shape[-1]} frames, {getattr(args.vocoder, 'name', 'Griffin-Lim')}"
    settings = ", ".join(f"{name} {value:.4g}" if isinstance(value, float) else f"{name} {value}"
                         for name, value in result.settings.items())
    print(f"wrote {path} ({made}; {settings})")
