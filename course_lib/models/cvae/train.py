"""Training the conditional VAE (:class:`CvaeTask` under ``course_lib.training.Trainer``), loading it, and
``python -m course_lib train/synth cvae``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch

from course_lib.audio import griffin_lim
from course_lib.models import recipe
from course_lib.models.cvae.config import CvaeConfig
from course_lib.models.cvae.model import ConditionalVae
from course_lib.models.single_phase import SinglePhaseTask

MODEL_FILE = "cvae.pt"


class CvaeTask(SinglePhaseTask):
    """One Adam at ``config.learning_rate``, one phase on the negative ELBO + duration loss (true durations)."""

    PHASE = "cvae"
    LOGGED = ("reconstruction", "kl", "duration")
    NEEDS_DURATIONS = ("the conditional VAE trains on true durations and this corpus has none (LJSpeech); use the "
                       "built-in corpus")

    def losses(self, batch):
        """``batch``: a :class:`course_lib.data.TextMelBatch` with true durations."""
        if batch.durations is None:
            raise ValueError(self.NEEDS_DURATIONS)
        output = self.modules["model"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths,
                                       batch.durations)
        return self.model.losses(output, batch.mels, batch.durations)


def load(path, device: str | torch.device = "cpu") -> ConditionalVae:
    """A model saved with ``course_lib.training.save_model(path, model, config.to_dict())``, checked against
    today's eSpeak symbol table (a file of another model is refused with that model's name)."""
    from course_lib.models.cvae import build

    return recipe.load_checked(path, build, "cvae", device)


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=10, default=1000, full=20_000)


def train(config: CvaeConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          vocoder: Callable = griffin_lim):
    """Train on a corpus with true durations (``None``: the built-in corpus); writes ``out_dir/cvae.pt``.

    The run every mel-making model trains by (:func:`course_lib.models.recipe.train_acoustic_model`);
    ``vocoder`` voices the audio samples written at each validation. Returns ``(model, history)``.
    """
    from course_lib.models.cvae import build

    return recipe.train_acoustic_model(CvaeTask, build, config, data_dir, out_dir,
                                       default_steps() if steps is None else steps, batch_size, resume, validate,
                                       progress, vocoder, MODEL_FILE)


def train_cli(args) -> None:
    """``python -m course_lib train cvae --config tiny --out runs/cvae [--data DIR] [--steps N] [--resume]``."""
    from course_lib.models.cvae import CONFIGS

    recipe.train_cli(args, "cvae", CONFIGS, train, MODEL_FILE, phase=CvaeTask.PHASE)


# python -m course_lib synth cvae: --temperature is the τ that scales z's noise, the contract's noise scale
SYNTH = recipe.SynthCLI("the CVAE", load, temperature=lambda temperature: temperature)
