"""Data, text and training plumbing shared by the acoustic models (Glow-TTS, Grad-TTS, Diff-TTS).

* :func:`training_data` — corpus (either layout) → tokenizer → length-bucketed train/val loaders;
* :func:`load_checked` — a ``save_model`` file → model, checked against today's symbol table;
* :func:`seed_and_build` — a fresh model from the run's seed, so the same command gives the same weights;
* :func:`train_acoustic_model` — the training run of every mel-making model; :func:`first_val_tokens`,
  :func:`train_config`, :func:`mean_losses` — its pieces, which the other models' runs reuse;
* :func:`shipped_or_trained`, :func:`train_cli` — the shipped-checkpoint fallback and ``python -m course_lib train``;
* :class:`SynthCLI`, :func:`synth_cli` — ``python -m course_lib synth`` for every model, through the synthesis contract;
* :func:`text_to_tokens` — text → token ids through the front end a model was trained with;
* :func:`vocode` / :func:`write_wave` — mel → course vocoder → wave / wav file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from course_lib.audio import griffin_lim


@dataclass
class TrainingData:
    """What a training run reads: the corpus, its tokenizer and the two loaders."""

    corpus: object
    tokenizer: object
    train_loader: DataLoader
    val_loader: DataLoader | None


@dataclass(frozen=True)
class TrainingCost:
    """What a shipped checkpoint cost to train (its row in ``data/checkpoints/README.md``): steps, and hours of
    one CPU thread and of one GPU."""

    steps: int
    cpu_hours: float
    gpu_hours: float = 0.0

    def __str__(self) -> str:
        spent = [f"{self.cpu_hours:.2g} CPU h"] + ([f"{self.gpu_hours * 60:.0f} GPU min"] if self.gpu_hours else [])
        return f"{self.steps:,} steps, " + " + ".join(spent)


def make_tokenizer(front_end: str, add_blank: bool):
    """The symbol table a front end speaks (eSpeak phonemes or ARPAbet), optionally with blanks."""
    from course_lib import text

    symbols = text.ESPEAK_SYMBOLS if front_end == "espeak" else text.ARPABET_SYMBOLS
    return text.Tokenizer(symbols, add_blank=add_blank)


def training_data(data_dir: str | None, add_blank: bool, batch_size: int, seed: int,
                  val_batches: int = 2, return_wave: bool = False, pitch: bool = False) -> TrainingData:
    """Loaders over a corpus folder in either layout (``None``: the built-in corpus for the current mode).

    Every clip is checked first (:meth:`TextMelDataset.check_alignable`). Mels are cached in memory
    after the first epoch; the validation loader holds at most ``val_batches`` batches. ``return_wave``
    adds the padded waves to every batch (VITS decodes windows of them); ``pitch`` each frame's F0
    (``batch.f0``, from the corpus's ``pitch.tsv`` or the course's cache of it).
    """
    from course_lib.data import LengthBucketSampler, TextMelDataset, corpus_pitch, ensure_corpus, open_corpus

    corpus = open_corpus(Path(data_dir) if data_dir else ensure_corpus())
    f0 = corpus_pitch(corpus) if pitch else None
    tokenizer = make_tokenizer(corpus.front_end, add_blank)
    if not corpus.split("train").utterances:
        raise ValueError(f"{corpus.root} has no utterances in the train split; add clips or fix splits.tsv")
    train = TextMelDataset(corpus.split("train"), tokenizer=tokenizer, frontend=corpus.symbols_for, cache_mels=True,
                           return_wave=return_wave, pitch=f0)
    train.check_alignable()
    sampler = LengthBucketSampler(train.mel_lengths, batch_size, seed=seed, drop_last=len(train) >= batch_size)
    train_loader = DataLoader(train, batch_sampler=sampler, collate_fn=train.collate)
    val_records = corpus.split("val").utterances[: val_batches * batch_size]
    val_loader = None
    if val_records:
        val = TextMelDataset(val_records, tokenizer=tokenizer, frontend=corpus.symbols_for, cache_mels=True,
                             return_wave=return_wave, pitch=f0)
        val.check_alignable()
        val_loader = DataLoader(val, batch_size=batch_size, collate_fn=val.collate)
    return TrainingData(corpus=corpus, tokenizer=tokenizer, train_loader=train_loader, val_loader=val_loader)


def check_vocabulary(n_vocab: int, front_end: str, add_blank: bool, source: str) -> None:
    """Raise a ValueError when a checkpoint's ``n_vocab`` differs from today's symbol table for its front end."""
    expected = make_tokenizer(front_end, add_blank).n_vocab
    if expected != n_vocab:
        raise ValueError(
            f"{source} was trained with n_vocab={n_vocab} but the {front_end!r} tokenizer (add_blank={add_blank}) "
            f"has {expected} symbols: the symbol table changed since; retrain it with this version of the course")


def load_checked(path: str | Path, build: Callable, name: str,
                 device: str | torch.device | None = None) -> torch.nn.Module:
    """The ``name`` model in a ``save_model`` file (rebuilt by ``build``), checked with :func:`check_vocabulary`.

    A file of another model is refused with that model's name.
    """
    from course_lib.models import model_of_config
    from course_lib.training import CheckpointError, load_model, pick_device

    def build_checked(config: dict) -> torch.nn.Module:
        try:
            return build(config)
        except ValueError as err:
            made_for = model_of_config(config)
            if made_for is None or made_for == name:
                raise
            raise CheckpointError(f"{path} is a {made_for} model file, not {name}: synthesise with `python -m "
                                  f"course_lib synth {made_for} --checkpoint {path} ...`, or give a {name} "
                                  "checkpoint") from err

    model, _ = load_model(path, build_checked, device=pick_device(device))
    cfg = model.config
    check_vocabulary(cfg.n_vocab, cfg.front_end, cfg.add_blank, str(path))
    return model


def seed_and_build(build: Callable, config) -> torch.nn.Module:
    """``build(config)`` after seeding every RNG with ``config.seed``: a fresh run's initial weights depend
    on the seed only (the trainer seeds again before the first step; a resumed run loads its weights)."""
    from course_lib.training import seed_everything

    seed_everything(config.seed)
    return build(config)


def first_val_tokens(val_loader: DataLoader | None) -> torch.Tensor | None:
    """``[1, T_text]`` tokens of the first validation sentence, unpadded (None without a validation loader)."""
    if val_loader is None:
        return None
    batch = next(iter(val_loader))
    return batch.tokens[:1, : int(batch.token_lengths[0])]


def train_config(config, out_dir: str | Path, steps: int, validate: bool = True, progress: bool = True,
                 val_every: int | None = None):
    """Every model's ``TrainConfig`` — the one place a run's rhythm is set: clip gradients as ``config`` says
    (``grad_clip_norm`` per group, or ``grad_clip_value``), seed ``config.seed``, validate every ``val_every``
    steps (default: every fifth of the run; never if not ``validate``), checkpoint every tenth of the run but at
    least every 500 steps (a long run loses little to a crash), log every 10 steps (every step of a shorter run)."""
    from course_lib.training import TrainConfig

    if validate:
        val_every = max(steps // 5, 1) if val_every is None else max(min(val_every, steps), 1)
    return TrainConfig(steps=steps, grad_clip_norm=getattr(config, "grad_clip_norm", None),
                       grad_clip_value=getattr(config, "grad_clip_value", None), seed=config.seed,
                       out_dir=str(out_dir), val_every=val_every if validate else None, progress=progress,
                       checkpoint_every=max(min(steps // 10, 500), 1), log_every=min(10, steps))


def train_acoustic_model(task_class: type, build: Callable, config, data_dir: str | None, out_dir: str | Path,
                         steps: int, batch_size: int | None, resume: bool, validate: bool, progress: bool,
                         vocoder: Callable, model_file: str):
    """The run of every model that makes mels (Glow-TTS, Grad-TTS, Diff-TTS); returns ``(model, history)``.

    ``batch_size`` (None: the config's) is stored in the saved config, as are the vocabulary and front end
    of the corpus in ``data_dir`` (``None``: the built-in corpus) and, for a multi-speaker config, its number
    of speakers. A task whose ``NEEDS_DURATIONS`` is set refuses a corpus without true durations. The model
    goes to ``out_dir/model_file``; ``vocoder`` voices the audio samples written while training.
    """
    from course_lib.training import Trainer, save_model

    if batch_size is not None:
        config = dataclasses.replace(config, batch_size=batch_size)
    data = training_data(data_dir, config.add_blank, config.batch_size, config.seed)
    if task_class.NEEDS_DURATIONS and any(u.durations is None for u in data.corpus.utterances):
        raise ValueError(task_class.NEEDS_DURATIONS)
    fitted = {"n_vocab": data.tokenizer.n_vocab, "front_end": data.corpus.front_end}
    if getattr(config, "n_speakers", 1) > 1:  # a multi-speaker config takes the corpus's speakers
        fitted["n_speakers"] = data.corpus.n_speakers
    fields = {f.name for f in dataclasses.fields(config)}  # the CVAE's front end is fixed (eSpeak), not a field
    config = dataclasses.replace(config, **{name: value for name, value in fitted.items() if name in fields})
    model = seed_and_build(build, config)
    task = task_class(model, first_val_tokens(data.val_loader), vocoder)
    trainer = Trainer(task, train_config(config, out_dir, steps, validate, progress))
    history = trainer.fit(data.train_loader, data.val_loader, resume=resume)
    save_model(Path(out_dir) / model_file, model, config.to_dict())
    return model, history


def mean_losses(model: torch.nn.Module, val_loader: Iterable | None, losses_of: Callable,
                names: tuple[str, ...]) -> dict[str, float]:
    """``{name: mean over batches}`` of the scalar fields ``names`` of ``losses_of(batch)`` ({} without a loader).

    Each batch is moved to ``model``'s device first.
    """
    if val_loader is None:
        return {}
    device = next(model.parameters()).device
    sums, count = dict.fromkeys(names, 0.0), 0
    for batch in val_loader:
        losses = losses_of(batch.to(device))
        for name in names:
            sums[name] += float(getattr(losses, name))
        count += 1
    return {name: value / max(count, 1) for name, value in sums.items()}


def shipped_or_trained(shipped_file: str, load: Callable, train: Callable, tiny_config, steps: int,
                       train_command: str, seconds_per_step: float) -> tuple[torch.nn.Module, str]:
    """``load(CHECKPOINT_DIR / shipped_file)`` if that file exists, else ``train(tiny_config, …)`` for ``steps`` now.

    Before it trains it prints how long that takes at ``seconds_per_step`` (the model's measured step on one
    torch thread of a 2-core CPU, the lessons' setting). The run goes to ``cache_dir()/runs/<shipped_file's
    stem>`` without validation. Returns the model (eval mode) and a sentence saying which happened (naming
    ``train_command`` when it trained).
    """
    from course_lib.paths import CHECKPOINT_DIR, cache_dir

    shipped = CHECKPOINT_DIR / shipped_file
    if shipped.exists():
        return load(shipped).eval(), f"loaded the shipped checkpoint {shipped.name}"
    print(f"no shipped checkpoint {shipped.name}: training {steps} steps now, {about(steps * seconds_per_step)} "
          "on a 2-core laptop CPU", flush=True)
    model, _ = train(tiny_config, None, cache_dir() / "runs" / Path(shipped_file).stem, steps=steps, validate=False)
    return model.eval(), (f"no shipped checkpoint: trained {steps} steps here; the shipped one comes from "
                          f"`{train_command}`")


def about(seconds: float) -> str:
    """A rough duration for people: ``"≈ 40 s"``, ``"≈ 3 min"``, ``"≈ 2.5 h"``."""
    if seconds < 90:
        return f"≈ {max(1, round(seconds / 10) * 10 if seconds >= 20 else round(seconds))} s"
    if seconds < 90 * 60:
        return f"≈ {round(seconds / 60)} min"
    return f"≈ {seconds / 3600:.1f} h"


def checked_batch_size(args: argparse.Namespace, name: str, configs: Mapping[str, Callable]) -> int | None:
    """The batch size ``train NAME`` runs with: ``--batch-size``, or on ``--resume`` the run's own (asking for
    another is refused); ``args.config`` must be one of ``configs``."""
    from course_lib.training import config_json_path
    from course_lib.training.trainer import CHECKPOINT_NAME

    if args.config not in configs:
        raise ValueError(f"unknown config {args.config!r} for {name}: choose one of {', '.join(configs)}")
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


def check_speakers(data_dir: str | None, name: str, config_name: str, config, configs: Mapping[str, Callable]) -> None:
    """Refuse to train a single-speaker ``config`` on a corpus folder of several speakers (it would silently make
    one voice of them), naming the model's configs that take speakers."""
    if data_dir is None:  # the built-in single-voice corpus
        return
    from course_lib.data import open_corpus

    corpus = open_corpus(Path(data_dir))
    if corpus.n_speakers < 2 or getattr(config, "n_speakers", 1) > 1:
        return
    multi = [key for key, make in configs.items() if getattr(make(), "n_speakers", 1) > 1]
    fix = (f"train a multi-speaker config ({' or '.join(f'--config {key}' for key in multi)})" if multi else
           f"{name} has no multi-speaker config: give it a folder of one speaker")
    shown = ", ".join(corpus.speakers[:3]) + (", …" if corpus.n_speakers > 3 else "")
    raise ValueError(f"--data {data_dir} holds {corpus.n_speakers} speakers ({shown}) but {name} --config "
                     f"{config_name} makes one voice, so it would blend them: {fix}")


def train_cli(args: argparse.Namespace, name: str, configs: Mapping[str, Callable], train: Callable,
              model_file: str, needs_vocoder: bool = True, phase: str | None = None, one_voice: bool = True) -> None:
    """``python -m course_lib train NAME``: train ``configs[args.config]()``, print the last losses of ``phase``
    (default ``tts``, or ``generator`` for a model that makes its own waves).

    ``args.vocoder`` (set by the command line) voices the audio samples written while training, for
    models that make mels (``needs_vocoder``; VITS makes its own waves).

    ``--resume`` keeps the batch size the run was trained with; asking for another one is refused. A model that
    makes a voice (``one_voice``; not a vocoder) refuses a folder of several speakers unless its config takes them.
    """
    batch_size = checked_batch_size(args, name, configs)
    config = configs[args.config]()
    if one_voice:
        check_speakers(args.data, name, args.config, config, configs)
    voice = {"vocoder": args.vocoder} if needs_vocoder else {}
    _, history = train(config, args.data, args.out, args.steps, batch_size, args.resume, **voice)
    phase = phase or ("tts" if needs_vocoder else "generator")
    rows = [row for row in history if f"{phase}/loss" in row]  # validation rows are interleaved
    last = rows[-1]
    print(f"trained {name} ({args.config}) to step {last['step']}; last losses: "
          + ", ".join(f"{k}={v:.3f}" for k, v in last.items() if k.startswith(f"{phase}/")))
    print(f"model written to {Path(args.out) / model_file}")


@dataclass(frozen=True)
class SynthCLI:
    """What ``python -m course_lib synth`` needs to know of one model; the rest is the contract.

    ``temperature`` turns the model's official temperature (``--temperature``) into the contract's
    ``noise_scale``, or is the sentence saying why the model has none. ``n_steps``: the command line's
    default ``--steps`` where it differs from the model's own (None: the model's).
    """

    label: str
    load: Callable  # (path) -> a model implementing course_lib.models.contract
    temperature: Callable[[float], float] | str
    n_steps: int | None = None
    makes_waves: bool = False  # text -> wave in one model: no vocoder


# the flag of each contract knob, to say which flag to drop
SYNTH_FLAGS = {"noise_scale": "--noise-scale", "noise_scale_w": "--noise-scale-w", "length_scale": "--length-scale",
               "n_steps": "--steps", "seed": "--seed", "speaker": "--speaker", "pitch_shift": "--pitch-shift"}


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


def synth_cli(args: argparse.Namespace, synth: SynthCLI) -> None:
    """``python -m course_lib synth MODEL``: load, text → tokens, ``model.generate``, write the wave.

    A model that makes its own wave (``result.wave``) writes it; the others' mel goes through
    ``args.vocoder`` (loaded by the command line). A knob the model lacks is the contract's error,
    naming the flag to drop.
    """
    from course_lib.audio import SAMPLE_RATE, save_audio
    from course_lib.models.contract import check_options
    from course_lib.nn.wavenet import remove_weight_norm_everywhere

    options = synth_options(args, synth)
    model = synth.load(args.checkpoint)
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


def text_to_tokens(text_in: str, front_end: str, add_blank: bool) -> torch.Tensor:
    """``[1, T_text]`` token ids for ``text_in`` (eSpeak phonemes or CMUdict ARPAbet).

    Every token takes at least one frame, so text of more tokens than
    :data:`~course_lib.alignment.MAX_SYNTHESIS_FRAMES` is refused here, before any model runs.
    """
    from course_lib import text
    from course_lib.alignment import MAX_SYNTHESIS_FRAMES, check_synthesis_length

    symbols = text.espeak_phonemes(text_in) if front_end == "espeak" else text.phonemize(text_in)
    ids = make_tokenizer(front_end, add_blank).encode(symbols)
    if not ids:
        raise ValueError(f"the text {text_in!r} gave no phonemes; give a sentence with words in it")
    check_synthesis_length(torch.tensor([len(ids)]), MAX_SYNTHESIS_FRAMES)
    return torch.tensor([ids], dtype=torch.long)


# A log-mel of clamped magnitude lives in [log 1e-5, a few]; an undertrained decoder can overshoot
# by tens, and exp() of that overflows inside the vocoder. Clip to this range before vocoding.
LOG_MEL_RANGE = (math.log(1e-5), 4.0)


def vocode(mel: torch.Tensor, vocoder: Callable = griffin_lim) -> torch.Tensor:
    """``[80, T]`` log-mel → wave ``[T·256]`` in [-1, 1] (mel clipped to a valid range first).

    ``vocoder``: any callable ``[80, T]`` → ``[T·256]`` — a :class:`course_lib.vocoder.Vocoder`, which
    the caller loads (the command line, a lesson), or by default Griffin-Lim from ``course_lib.audio``.
    """
    return vocoder(mel.detach().cpu().clamp(*LOG_MEL_RANGE)).clamp(-1.0, 1.0)


def write_wave(mel: torch.Tensor, path: str | Path, vocoder: Callable = griffin_lim) -> Path:
    """Vocode a ``[80, T]`` log-mel (see :func:`vocode`) and save it at 22,050 Hz."""
    from course_lib.audio import SAMPLE_RATE, save_audio

    return save_audio(path, vocode(mel, vocoder).cpu().numpy(), SAMPLE_RATE)
