"""Training the course vocoder (its task and ``RECIPE``): one phase, random frame-aligned windows with their F0,
on the course trainer.

Each step: the window's |STFT| is the magnitude target, its stored F0 (``pitch.tsv``) the pitch target and
the magnitude network's pitch input (teacher forcing: at inference it gets the pitch network's prediction).
Validation resynthesises whole held-out clips from their mels, as the vocoder will be used, and reports the
mel L1 and MCD of the result, the predicted pitch's error in cents on frames voiced in both, and the
voicing accuracy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from course_lib.audio import SAMPLE_RATE, mel_spectrogram
from course_lib.data.segments import SegmentLoader, WaveBatch
from course_lib.models import recipe
from course_lib.models.pitch_vocoder import CONFIGS, build
from course_lib.models.pitch_vocoder.config import PitchVocoderConfig
from course_lib.models.pitch_vocoder.model import PitchVocoder
from course_lib.models.single_phase import SinglePhaseTask


class PitchVocoderTask(SinglePhaseTask):
    """AdamW, warmed up and then decayed every step; the model's four losses; validation on whole clips."""

    PHASE = "vocoder"
    LOGGED = ("log_magnitude", "magnitude", "pitch", "voicing", "waveform")

    def __init__(self, model: PitchVocoder, sample_wave: np.ndarray | None = None) -> None:
        super().__init__(model)
        self.sample_wave = sample_wave

    def make_optimizer(self, model: torch.nn.Module) -> torch.optim.Optimizer:
        return torch.optim.AdamW(model.parameters(), lr=self.config.learning_rate, betas=tuple(self.config.adam_betas))

    def make_schedulers(self, optimizer: torch.optim.Optimizer) -> dict:
        from course_lib.training.schedules import warmup_decay_schedule

        return {"warmup_decay": warmup_decay_schedule(optimizer, self.config.warmup_steps, self.config.lr_decay)}

    def losses(self, batch: WaveBatch):
        return self.modules["model"](batch.mels, batch.waves[:, 0], batch.f0)

    def validate(self, clips: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
        return validate_clips(self.modules["model"], clips)

    def sample_audio(self) -> dict:
        return resynthesis_sample(self.modules["model"], self.sample_wave)


@torch.no_grad()
def validate_clips(model: PitchVocoder, clips: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, float]:
    """Whole ``(wave [N], f0 [N // 256])`` clips resynthesised from their mels: the mel L1 and MCD of the result,
    the predicted pitch's median error in cents (frames voiced in both) and the voicing accuracy."""
    from course_lib.models.waveform.evaluation import mean_metrics, resynthesis_metrics

    device = next(model.parameters()).device
    metrics, cents, agree, frames = [], [], 0, 0
    for wave, f0 in clips:
        mel = mel_spectrogram(torch.as_tensor(wave)).to(device)[None]
        metrics.append(resynthesis_metrics(wave, model.synthesize(mel)[0].cpu()))
        predicted, voiced = (x[0].cpu() for x in model.predict_pitch(mel))
        truth = torch.as_tensor(f0)
        both = voiced & (truth > 0)
        cents.append(1200 * torch.log2(predicted[both] / truth[both]).abs())
        agree += int((voiced == (truth > 0)).sum())
        frames += truth.numel()
    mel = mean_metrics(metrics)
    errors = torch.cat(cents)
    return {"mel_l1": mel.mel_l1, "mcd": mel.mcd, "voicing_accuracy": agree / max(frames, 1),
            "f0_median_cents": float(errors.median()) if errors.numel() else 0.0}


@torch.no_grad()
def resynthesis_sample(model: PitchVocoder, wave: np.ndarray | None) -> dict:
    """``{"resynthesis": (wave, rate)}`` of one validation clip, or nothing without one."""
    if wave is None:
        return {}
    mel = mel_spectrogram(torch.as_tensor(wave)).to(next(model.parameters()).device)[None]
    return {"resynthesis": (model.synthesize(mel)[0].cpu().numpy(), SAMPLE_RATE)}


def fine_tune_clips(folders: list[str | Path]) -> list[tuple[Path, np.ndarray, Path]]:
    """``(wav path, F0 [T], input mel file)`` for every training utterance of the built-in single-voice corpus
    whose acoustic-model mel (``<utterance id>.npy``, ``[80, T]`` in step with the recording) one of ``folders``
    holds — what ``course_lib.vocoder.tts_training_mels`` writes."""
    from course_lib.data import corpus_pitch, ensure_corpus, open_corpus

    corpus = open_corpus(ensure_corpus())
    pitch = corpus_pitch(corpus)
    clips = [(u.wav_path, pitch[u.id], Path(folder) / f"{u.id}.npy")
             for folder in folders for u in corpus.split("train") if (Path(folder) / f"{u.id}.npy").is_file()]
    if not clips:
        raise ValueError(f"no acoustic-model mels of the corpus's training utterances in {', '.join(map(str, folders))}")
    return clips


def _prepare(config: PitchVocoderConfig, data_dir: str | None, options: dict) -> recipe.Prepared:
    """Random windows of the corpus's clips with their F0 — and, with ``input_mels`` (folders of acoustic models'
    true-duration mels, :func:`fine_tune_clips`), those utterances with the model's mel as the input and the
    recording as the target; validation on a few whole held-out clips."""
    from course_lib.audio import load_audio
    from course_lib.data import training_clips
    from course_lib.mode import pick

    train_clips, val_clips = training_clips(data_dir, pitch=True)
    val = [(load_audio(path), f0) for path, f0 in val_clips[: pick(smoke=1, default=4, full=16)]]
    tuned = fine_tune_clips(options["input_mels"]) if options.get("input_mels") else []
    loader = SegmentLoader([path for path, _ in train_clips] + [path for path, _, _ in tuned], config.batch_size,
                           config.segment_frames * 256, seed=config.seed,
                           pitch=[f0 for _, f0 in train_clips] + [f0 for _, f0, _ in tuned],
                           input_mels=[None] * len(train_clips) + [mel for _, _, mel in tuned] if tuned else None)
    return recipe.Prepared(config=config, train=loader, val=val, sample=val[0][0])


def _task(model: PitchVocoder, prepared: recipe.Prepared, options: dict) -> SinglePhaseTask:
    if model.config.adversarial:
        from course_lib.models.pitch_vocoder.adversarial import PitchVocoderGANTask

        return PitchVocoderGANTask(model, sample_wave=prepared.sample)
    return PitchVocoderTask(model, sample_wave=prepared.sample)


# python -m course_lib train pitch_vocoder: the built-in multi-voice corpus, every voice; ``init``: a course vocoder
# model file a fine-tune starts from; ``input_mels``: see _prepare
RECIPE = recipe.Recipe(
    "pitch_vocoder", CONFIGS, build, prepare=_prepare, task=_task, steps=(4, 6000, 20_000),
    model_file="pitch_vocoder.pt", logged=lambda config: "generator" if config.adversarial else "vocoder",
    options=("init", "input_mels"), one_voice=False,
    shipped=recipe.Shipped("pitch_vocoder_tiny.pt",
                           # 6,000 steps in 11.6 min on two torch threads of a 2-core CPU
                           recipe.TrainingCost(steps=6_000, cpu_hours=2 * 11.6 / 60),
                           "python -m course_lib train pitch_vocoder --config tiny --out runs/pitch_vocoder"))
