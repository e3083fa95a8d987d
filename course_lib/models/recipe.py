"""One declaration per trainable model: what the course needs of it beyond its architecture, losses and config.

A model's ``train`` module declares ``RECIPE = Recipe(...)``: its configs and ``build``, how a run prepares
its data (:func:`text_corpus` for the models that read text, :func:`vocoder_clips` for the vocoders) and
makes its task, its default steps and model file, its shipped checkpoint (:class:`Shipped`) and what
``synth`` needs (:class:`SynthCLI`). The rest is written once, here:

* :meth:`Recipe.train` — the one run every model trains by: prepare the data, seed and build, start from
  ``init`` if asked, make the task, fit with the course's run rhythm (:func:`course_lib.training.train_config`),
  save the model file;
* :meth:`Recipe.load` — a model file, checked against today's symbol table (another model's file is refused,
  named); :meth:`Recipe.load_run` — a model file or a run's trainer checkpoint;
* :meth:`Recipe.shipped_or_trained` — the shipped checkpoint, or a run now when it is missing.

The command line (:mod:`course_lib.cli`) trains and synthesises through the recipe. A new single-phase
model is its network, its losses, its config, a :class:`~course_lib.models.single_phase.SinglePhaseTask`
and one ``Recipe``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch


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


@dataclass(frozen=True)
class Shipped:
    """A checkpoint the course ships in ``data/checkpoints``: its file, what it cost (its row in
    ``data/checkpoints/README.md``), the command that trained it, and — for a model a lesson cannot do without —
    the fallback a learner without the file gets: ``fallback_config`` trained now, at ``seconds_per_step`` (one
    step on one torch thread of a 2-core CPU, the lessons' setting), on the corpus ``fallback_data()`` names
    (None: the built-in single-voice corpus)."""

    file: str
    cost: TrainingCost
    command: str
    seconds_per_step: float | None = None
    fallback_config: str = "tiny"
    fallback_data: Callable[[], str] | None = None


@dataclass(frozen=True)
class SynthCLI:
    """What ``python -m course_lib synth`` needs to know of a model beyond the synthesis contract.

    ``temperature`` turns the model's official temperature (``--temperature``) into the contract's
    ``noise_scale``, or is the sentence saying why the model has none. ``n_steps``: the command line's
    default ``--steps`` where it differs from the model's own (None: the model's).
    """

    label: str
    temperature: Callable[[float], float] | str
    n_steps: int | None = None
    makes_waves: bool = False  # text -> wave in one model: no vocoder


@dataclass
class Prepared:
    """A run's data, ready: the config fitted to it (vocabulary, front end, speakers), the training batches, the
    validation data (None: none), what the task's audio samples start from (``sample``: ``[1, T_text]`` tokens of
    the first validation sentence, or a validation wave) and the symbol table (text models)."""

    config: Any
    train: Iterable
    val: Iterable | None
    sample: Any = None
    symbols: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Recipe:
    """Everything the course needs to train, load, ship and voice one model (see the module docstring).

    ``prepare(config, data_dir, options) -> Prepared`` and ``task(model, prepared, options)`` take the run's
    ``options``: keyword arguments of :meth:`train` this model accepts beyond the common ones (``options``
    names them: ``vocoder`` voices a mel model's audio samples; ``init`` starts from a model's weights).
    ``logged`` is the phase whose last losses ``train`` prints (or ``logged(config)`` names it);
    ``save(path, model, config)`` writes the model file (default: :func:`course_lib.training.save_model` of the
    whole model and ``config.to_dict()``); ``saved_model(config dict)`` builds what that file holds when it is not
    the whole trained model (HiFi-GAN's ``generator.pt``: the generator without its discriminators).
    """

    name: str
    configs: Mapping[str, Callable[[], Any]]
    build: Callable[[Any], torch.nn.Module]
    prepare: Callable[[Any, str | None, dict], Prepared]
    task: Callable[[torch.nn.Module, Prepared, dict], Any]
    steps: tuple[int, int, int]  # when none are given: smoke, default, full mode
    model_file: str
    logged: str | Callable[[Any], str] = "tts"
    options: tuple[str, ...] = ("vocoder",)
    shipped: Shipped | None = None
    synth: SynthCLI | None = None
    one_voice: bool = True  # it makes a voice: a single-speaker config refuses a folder of several speakers
    val_every: int | None = None  # validation interval (None: every fifth of the run)
    save: Callable | None = None
    saved_model: Callable[[dict], torch.nn.Module] | None = None

    def default_steps(self) -> int:
        from course_lib.mode import pick

        smoke, default, full = self.steps
        return pick(smoke=smoke, default=default, full=full)

    def config(self, name: str):
        """``configs[name]()``, or a ValueError naming the configs there are."""
        if name not in self.configs:
            raise ValueError(f"unknown config {name!r} for {self.name}: choose one of {', '.join(self.configs)}")
        return self.configs[name]()

    def logged_phase(self, config) -> str:
        return self.logged(config) if callable(self.logged) else self.logged

    def train(self, config, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
              batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
              **options) -> tuple[torch.nn.Module, list[dict]]:
        """Train ``config`` on a corpus folder (``None``: the model's default corpus); returns ``(model, history)``
        and writes ``out_dir/<model_file>``. ``batch_size`` (None: the config's) is saved with the run, so
        ``--resume`` keeps it; ``validate=False`` skips validation and audio samples; ``init`` (a model file or
        a run's ``checkpoint.pt``) starts a new run from those weights with a fresh optimizer."""
        from course_lib.training import Trainer, save_model, seed_and_build, train_config

        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise TypeError(f"{self.name} training takes no {', '.join(unknown)}")
        init = options.pop("init", None)
        if batch_size is not None:
            config = dataclasses.replace(config, batch_size=batch_size)
        prepared = self.prepare(config, data_dir, options)
        model = seed_and_build(self.build, prepared.config)
        if init is not None and not resume:
            try:
                model.load_state_dict(self.load_run(init)[0].state_dict())
            except RuntimeError as err:
                raise ValueError(f"--init {init} is a {self.name} of other sizes than --config's "
                                 f"({str(err).splitlines()[0]}): start from a model of the same architecture") from None
        task = self.task(model, prepared, options)
        steps = self.default_steps() if steps is None else steps
        trainer = Trainer(task, train_config(prepared.config, out_dir, steps, validate, progress, self.val_every))
        history = trainer.fit(prepared.train, prepared.val, resume=resume)
        if self.save is None:
            save_model(Path(out_dir) / self.model_file, model, prepared.config.to_dict())
        else:
            self.save(Path(out_dir) / self.model_file, model, prepared.config)
        return model, history

    def load(self, path: str | Path, device: str | torch.device | None = None) -> torch.nn.Module:
        """The model in a ``save_model`` file (eval mode). A file of another model is refused with that model's
        name; a text model's vocabulary must match today's symbol table for its front end."""
        from course_lib.models import model_of_config
        from course_lib.training import CheckpointError, load_model, pick_device

        def build_checked(config: dict) -> torch.nn.Module:
            made_for = model_of_config(config)
            if made_for not in (None, self.name):
                raise CheckpointError(f"{path} is a {made_for} model file, not {self.name}: "
                                      + (f"synthesise with `python -m course_lib synth {made_for} --checkpoint {path} "
                                         f"...`, or give a {self.name} checkpoint" if self.synth else
                                         f"give a {self.name} model file"))
            return (self.saved_model or self.build)(config)

        model, _ = load_model(path, build_checked, device=pick_device(device))
        if hasattr(model.config, "n_vocab"):
            check_vocabulary(model.config, str(path))
        return model.eval()

    def load_run(self, path: str | Path) -> tuple[torch.nn.Module, int | None, float | None]:
        """A model file, or a run's trainer ``checkpoint.pt`` (its model at that step), to score a run while it
        trains. Returns ``(model in eval mode on the CPU, step, seconds on the trainer's clock)``; the last two
        are None for a model file."""
        from course_lib.training import read_torch_file

        payload = read_torch_file(path)
        if "modules" not in payload:
            return self.load(path, device="cpu"), None, None
        model = (self.saved_model or self.build)(payload["config"]["task"])
        modules = payload["modules"]
        model.load_state_dict(modules["generator"] if "generator" in modules else modules["model"])
        return model.eval(), int(payload["step"]), float(payload["seconds"])

    def shipped_or_trained(self, steps: int) -> tuple[torch.nn.Module, str]:
        """The shipped checkpoint if present, else ``shipped.fallback_config`` trained for ``steps`` now.

        Before it trains it says how long that takes at ``shipped.seconds_per_step``. The run goes to
        ``cache_dir()/runs/<shipped file's stem>`` without validation. Returns the model (eval mode) and a
        sentence saying which happened (naming the shipped training command when it trained).
        """
        from course_lib.paths import CHECKPOINT_DIR, cache_dir

        shipped = self.shipped
        path = CHECKPOINT_DIR / shipped.file
        if path.exists():
            return self.load(path), f"loaded the shipped checkpoint {path.name}"
        print(f"no shipped checkpoint {path.name}: training {steps} steps now, "
              f"{about(steps * shipped.seconds_per_step)} on a 2-core laptop CPU", flush=True)
        data_dir = None if shipped.fallback_data is None else str(shipped.fallback_data())
        model, _ = self.train(self.configs[shipped.fallback_config](), data_dir,
                              cache_dir() / "runs" / Path(shipped.file).stem, steps=steps, validate=False)
        return model.eval(), (f"no shipped checkpoint: trained {steps} steps here; the shipped one comes from "
                              f"`{shipped.command}`")


def check_vocabulary(config, source: str) -> None:
    """Raise a ValueError when a text model's ``n_vocab`` differs from today's symbol table for its front end."""
    from course_lib.text import tokenizer_for

    add_blank = getattr(config, "add_blank", False)
    expected = tokenizer_for(config.front_end, add_blank).n_vocab
    if expected != config.n_vocab:
        raise ValueError(
            f"{source} was trained with n_vocab={config.n_vocab} but the {config.front_end!r} tokenizer "
            f"(add_blank={add_blank}) has {expected} symbols: the symbol table changed since; retrain it with this "
            "version of the course")


def about(seconds: float) -> str:
    """A rough duration for people: ``"≈ 40 s"``, ``"≈ 3 min"``, ``"≈ 2.5 h"``."""
    if seconds < 90:
        return f"≈ {max(1, round(seconds / 10) * 10 if seconds >= 20 else round(seconds))} s"
    if seconds < 90 * 60:
        return f"≈ {round(seconds / 60)} min"
    return f"≈ {seconds / 3600:.1f} h"


def multi_voice_corpus() -> str:
    """The built-in multi-voice corpus's folder (built on first use): the default data of the models that learn
    every voice (VITS, the recognizer, the vocoders)."""
    from course_lib.data import ensure_corpus

    return str(ensure_corpus(multispeaker=True))


def text_corpus(config, data_dir: str | None, *, waves: bool = False, pitch: bool = False,
                default_data: Callable[[], str] | None = None, needs_durations: str | None = None) -> Prepared:
    """A text model's data: the loaders of :func:`course_lib.data.training_data` over ``data_dir`` (None:
    ``default_data()``, else the built-in corpus), and ``config`` fitted to the corpus — its vocabulary and
    front end and, for a multi-speaker config, its number of speakers (the fields the config has).

    ``waves`` adds each batch's waves, ``pitch`` each frame's F0; ``needs_durations`` (the error) refuses a
    corpus without true durations.
    """
    from course_lib.data import first_val_tokens, training_data

    if data_dir is None and default_data is not None:
        data_dir = str(default_data())
    data = training_data(data_dir, config.add_blank, config.batch_size, config.seed, return_wave=waves, pitch=pitch)
    if needs_durations and any(u.durations is None for u in data.corpus.utterances):
        raise ValueError(needs_durations)
    fitted = {"n_vocab": data.tokenizer.n_vocab, "front_end": data.corpus.front_end}
    if getattr(config, "n_speakers", 1) > 1:
        fitted["n_speakers"] = data.corpus.n_speakers
    fields = {f.name for f in dataclasses.fields(config)}  # the CVAE's front end is fixed (eSpeak), not a field
    config = dataclasses.replace(config, **{name: value for name, value in fitted.items() if name in fields})
    return Prepared(config=config, train=data.train_loader, val=data.val_loader,
                    sample=first_val_tokens(data.val_loader), symbols=data.tokenizer.symbols)


def mel_model(name: str, configs: Mapping[str, Callable[[], Any]], build: Callable, task_class: type,
              steps: tuple[int, int, int], model_file: str, **fields) -> Recipe:
    """The recipe of a text → mel model that trains in one phase (Glow-TTS, Grad-TTS, Diff-TTS, the CVAE): its
    corpus by :func:`text_corpus` (refused without true durations when the task's ``NEEDS_DURATIONS`` says why),
    its ``task_class(model, first validation sentence, the run's vocoder)``; ``fields``: the rest of the recipe."""
    from course_lib.audio import griffin_lim

    return Recipe(name, configs, build, steps=steps, model_file=model_file, logged=task_class.PHASE,
                  prepare=lambda config, data_dir, _: text_corpus(config, data_dir,
                                                                  needs_durations=task_class.NEEDS_DURATIONS),
                  task=lambda model, prepared, options: task_class(model, prepared.sample,
                                                                   options.get("vocoder", griffin_lim)),
                  **fields)
