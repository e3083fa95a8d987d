"""Training task and command-line entry points for Diff-TTS (choices: see :mod:`course_lib.models.diff_tts`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import torch

from course_lib.audio import griffin_lim
from course_lib.models import recipe
from course_lib.models.contract import SynthesisOptions
from course_lib.models.diff_tts.config import DiffTTSConfig
from course_lib.models.diff_tts.model import DiffTTS
from course_lib.models.single_phase import SinglePhaseTask

MODEL_FILE = "diff_tts.pt"
# `synth`'s default: 20 network calls (γ = 21). bench_tts_quality.py scored the shipped tiny model 16.0 dB
# MCD-DTW there against 17.2 at γ = 1 (all 400 calls, 11–48 s a sentence on 2 cores), about 20× the time.
SYNTH_CALLS = 20


class DiffTTSTask(SinglePhaseTask):
    """One Adam over all weights; loss = duration MSE + ε-MSE; audio samples at ``SYNTH_CALLS`` network calls."""

    LOGGED = ("duration", "diffusion")
    SAMPLE_OPTIONS = SynthesisOptions(seed=0, n_steps=SYNTH_CALLS)
    NEEDS_DURATIONS = ("Diff-TTS trains on true durations and this corpus has none (LJSpeech); use the built-in "
                       "corpus, or add durations from a trained Glow-TTS/Grad-TTS alignment")

    def losses(self, batch):
        return self.modules["model"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths,
                                     batch.durations)


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=10, default=1500, full=500_000)


def train(config: DiffTTSConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          vocoder: Callable = griffin_lim):
    """Train on a corpus with true durations (``None``: the built-in corpus); writes ``out_dir/diff_tts.pt``.

    ``validate=False`` skips the periodic validation losses and audio samples (quicker for a few steps in
    a notebook); ``vocoder`` voices those samples. Returns ``(model, history)``; the run:
    :func:`course_lib.models.recipe.train_acoustic_model`.
    """
    from course_lib.models.diff_tts import build

    return recipe.train_acoustic_model(DiffTTSTask, build, config, data_dir, out_dir,
                                       default_steps() if steps is None else steps, batch_size, resume, validate,
                                       progress, vocoder, MODEL_FILE)


SHIPPED_FILE = "diff_tts_tiny.pt"
# what the shipped checkpoint cost to train (its row in data/checkpoints/README.md)
SHIPPED_TRAINING = recipe.TrainingCost(steps=20_612, cpu_hours=45 / 60, gpu_hours=7.5 / 60)
TRAIN_COMMAND = "python -m course_lib train diff_tts --config tiny --out runs/diff_tts --steps 20612"
# one training step of the tiny config with its corpus set-up, one torch thread of a 2-core CPU whose other core
# was busy (40 steps measured): what the fallback of shipped_or_trained costs a learner without the checkpoint
SECONDS_PER_STEP = 0.66


def load(path: str | Path, device: str | torch.device | None = None) -> DiffTTS:
    """A trained model from a ``save_model`` file, checked against today's symbol table for its front end."""
    from course_lib.models.diff_tts import build

    return recipe.load_checked(path, build, "diff_tts", device)


def shipped_or_trained(steps: int) -> tuple[DiffTTS, str]:
    """The shipped tiny checkpoint (``data/checkpoints/diff_tts_tiny.pt``) if present, else train one now.

    Returns the model (eval mode) and a sentence saying which happened.
    """
    return recipe.shipped_or_trained(SHIPPED_FILE, load, train, DiffTTSConfig.tiny(), steps, TRAIN_COMMAND,
                                     SECONDS_PER_STEP)


def train_cli(args: argparse.Namespace) -> None:
    from course_lib.models.diff_tts import CONFIGS

    recipe.train_cli(args, "diff_tts", CONFIGS, train, MODEL_FILE)


# python -m course_lib synth diff_tts: --steps counts network calls of the skip-γ walk, SYNTH_CALLS by default
SYNTH = recipe.SynthCLI("Diff-TTS", load, temperature="it samples from N(0, I); use --steps to trade quality for "
                        "speed", n_steps=SYNTH_CALLS)
