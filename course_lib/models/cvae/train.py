"""The conditional VAE's training task (:class:`CvaeTask`) and its recipe (``RECIPE``: training, loading,
``python -m course_lib train/synth cvae``)."""

from __future__ import annotations

from course_lib.models import recipe
from course_lib.models.cvae import CONFIGS, build
from course_lib.models.single_phase import SinglePhaseTask


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


# python -m course_lib train / synth cvae: --temperature is the τ that scales z's noise, the contract's noise scale
RECIPE = recipe.mel_model(
    "cvae", CONFIGS, build, CvaeTask, steps=(10, 1000, 20_000), model_file="cvae.pt",
    shipped=recipe.Shipped("cvae_tiny.pt", recipe.TrainingCost(steps=1_000, cpu_hours=0.25),
                           "python -m course_lib train cvae --config tiny --out runs/cvae --steps 1000"),
    synth=recipe.SynthCLI("the CVAE", temperature=lambda temperature: temperature))
