"""Diff-TTS's training task and its recipe (``RECIPE``; choices: see :mod:`course_lib.models.diff_tts`)."""

from __future__ import annotations

from course_lib.models import recipe
from course_lib.models.contract import SynthesisOptions
from course_lib.models.diff_tts import CONFIGS, build
from course_lib.models.single_phase import SinglePhaseTask

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


# python -m course_lib train / synth diff_tts: --steps counts network calls of the skip-γ walk, SYNTH_CALLS by default
RECIPE = recipe.mel_model(
    "diff_tts", CONFIGS, build, DiffTTSTask, steps=(10, 1500, 500_000), model_file="diff_tts.pt",
    shipped=recipe.Shipped(
        "diff_tts_tiny.pt", recipe.TrainingCost(steps=20_612, cpu_hours=45 / 60, gpu_hours=7.5 / 60),
        "python -m course_lib train diff_tts --config tiny --out runs/diff_tts --steps 20612",
        seconds_per_step=0.66),
    synth=recipe.SynthCLI("Diff-TTS", temperature="it samples from N(0, I); use --steps to trade quality for speed",
                          n_steps=SYNTH_CALLS))
