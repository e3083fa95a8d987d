"""Training the course vocoder: one phase, random frame-aligned windows with their F0, on the course trainer.

Each step: the window's |STFT| is the magnitude target, its stored F0 (``pitch.tsv``) the pitch target and
the magnitude network's pitch input (teacher forcing: at inference it gets the pitch network's prediction).
Validation resynthesises whole held-out clips from their mels, as the vocoder will be used, and reports the
mel L1 and MCD of the result, the predicted pitch's error in cents on frames voiced in both, and the
voicing accuracy.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
from pathlib import Path

import numpy as np
import torch

from course_lib.audio import SAMPLE_RATE, mel_spectrogram
from course_lib.data.segments import SegmentLoader, WaveBatch
from course_lib.models.pitch_vocoder.config import PitchVocoderConfig
from course_lib.models.pitch_vocoder.model import PitchVocoder
from course_lib.models.recipe import TrainingCost
from course_lib.models.single_phase import SinglePhaseTask

MODEL_FILE = "pitch_vocoder.pt"
SHIPPED_FILE = "pitch_vocoder_tiny.pt"
TRAIN_COMMAND = "python -m course_lib train pitch_vocoder --config tiny --out runs/pitch_vocoder"
# data/checkpoints/README.md: 6,000 steps in 11.6 min on two torch threads of a 2-core CPU
SHIPPED_TRAINING = TrainingCost(steps=6_000, cpu_hours=2 * 11.6 / 60)


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


def default_steps() -> int:
    from course_lib.mode import pick

    return pick(smoke=4, default=6000, full=20_000)


def training_clips(data_dir: str | None) -> tuple[list, list]:
    """``(train, val)`` lists of ``(wav path, F0 [T])`` of a corpus folder (default: the built-in multi-voice
    corpus, every voice), the F0 from :func:`course_lib.data.corpus_pitch`."""
    from course_lib.data import corpus_pitch, ensure_corpus, open_corpus

    root = Path(data_dir) if data_dir else ensure_corpus(multispeaker=True)
    corpus = open_corpus(root)
    pitch = corpus_pitch(corpus)
    split = {name: [(u.wav_path, pitch[u.id]) for u in corpus.split(name)] for name in ("train", "val")}
    if not split["train"]:
        raise ValueError(f"{root} has no training utterances")
    return split["train"], split["val"] or split["train"][:1]


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


def train(config: PitchVocoderConfig, data_dir: str | None, out_dir: str | Path, steps: int | None = None,
          batch_size: int | None = None, resume: bool = False, validate: bool = True, progress: bool = True,
          init: str | Path | None = None, input_mels: list[str | Path] | None = None):
    """Train on a corpus folder (``None``: the built-in multi-voice corpus); writes ``out_dir/pitch_vocoder.pt``.
    ``init``: a course vocoder model file whose weights the run starts from (a fine-tune; a resumed run loads its
    own). ``input_mels``: folders of acoustic models' true-duration mels (:func:`fine_tune_clips`), whose
    utterances join the training clips with those mels as the input and the recording as the target.
    Returns ``(model, history)``."""
    from course_lib.audio import load_audio
    from course_lib.mode import pick
    from course_lib.models import recipe
    from course_lib.models.pitch_vocoder import build
    from course_lib.training import Trainer, save_model

    if batch_size is not None:
        config = dataclasses.replace(config, batch_size=batch_size)
    train_clips, val_clips = training_clips(data_dir)
    val = [(load_audio(path), f0) for path, f0 in val_clips[: pick(smoke=1, default=4, full=16)]]
    tuned = fine_tune_clips(input_mels) if input_mels else []
    loader = SegmentLoader([path for path, _ in train_clips] + [path for path, _, _ in tuned], config.batch_size,
                           config.segment_frames * 256, seed=config.seed,
                           pitch=[f0 for _, f0 in train_clips] + [f0 for _, f0, _ in tuned],
                           input_mels=[None] * len(train_clips) + [mel for _, _, mel in tuned] if tuned else None)
    model = recipe.seed_and_build(build, config)
    if init is not None:
        model.load_state_dict(load(init, device="cpu").state_dict())
    if config.adversarial:
        from course_lib.models.pitch_vocoder.adversarial import PitchVocoderGANTask

        task = PitchVocoderGANTask(model, sample_wave=val[0][0])
    else:
        task = PitchVocoderTask(model, sample_wave=val[0][0])
    steps = default_steps() if steps is None else steps
    trainer = Trainer(task, recipe.train_config(config, out_dir, steps, validate, progress))
    history = trainer.fit(loader, val, resume=resume)
    save_model(Path(out_dir) / MODEL_FILE, model, config.to_dict())
    return model, history


def load(path: str | Path, device: str | torch.device | None = None) -> PitchVocoder:
    """The course vocoder in a ``save_model`` file (eval mode); another model's file is refused, named."""
    from course_lib.models import model_of_config
    from course_lib.models.pitch_vocoder import build
    from course_lib.training import CheckpointError, load_model, pick_device

    def build_checked(config: dict) -> PitchVocoder:
        made_for = model_of_config(config)
        if made_for not in (None, "pitch_vocoder"):
            raise CheckpointError(f"{path} is a {made_for} model file, not the course vocoder (pitch_vocoder)")
        return build(config)

    model, _ = load_model(path, build_checked, device=pick_device(device))
    return model.eval()


def train_cli(args: argparse.Namespace) -> None:
    from course_lib.models import recipe
    from course_lib.models.pitch_vocoder import CONFIGS

    init, input_mels = getattr(args, "init", None), getattr(args, "input_mels", None)
    phase = "generator" if CONFIGS[args.config]().adversarial else "vocoder"
    recipe.train_cli(args, "pitch_vocoder", CONFIGS, functools.partial(train, init=init, input_mels=input_mels),
                     MODEL_FILE,
                     needs_vocoder=False, phase=phase, one_voice=False)
