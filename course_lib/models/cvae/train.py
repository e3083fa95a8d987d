"""Training the conditional VAE (:class:`CvaeTask` under ``course_lib.training.Trainer``), loading it, and
``python -m course_lib train/synth cvae``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from course_lib.models import recipe
from course_lib.models.cvae.config import CvaeConfig
from course_lib.models.cvae.model import ConditionalVae
from course_lib.models.single_phase import SinglePhaseTask

MODEL_FILE = "cvae.pt"


class CvaeTask(SinglePhaseTask):
    """One Adam at ``config.learning_rate``, one phase on the negative ELBO + duration loss (true durations)."""

    PHASE = "cvae"
    LOGGED = ("reconstruction", "kl", "duration")

    def losses(self, batch):
        """``batch``: a :class:`course_lib.data.TextMelBatch` with true durations."""
        if batch.durations is None:
            raise ValueError("the conditional VAE trains on true durations: use the built-in corpus (not LJSpeech)")
        output = self.modules["model"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths,
                                       batch.durations)
        return self.model.losses(output, batch.mels, batch.durations)

    def config_dict(self) -> dict:
        return dataclasses.asdict(self.config)


def load(path, device: str | torch.device = "cpu") -> ConditionalVae:
    """A model saved with ``course_lib.training.save_model(path, model, dataclasses.asdict(config))``, checked
    against today's eSpeak symbol table (a file of another model is refused with that model's name)."""
    from course_lib.models.cvae import build

    return recipe.load_checked(path, lambda values: build(CvaeConfig.from_dict(values)), "cvae", device)


def train_cli(args) -> int:
    """``python -m course_lib train cvae --config tiny --out runs/cvae [--data DIR] [--steps N] [--resume]``."""
    from torch.utils.data import DataLoader

    from course_lib.data import LengthBucketSampler, TextMelDataset, ensure_corpus, load_corpus
    from course_lib.models.cvae import CONFIGS, build
    from course_lib.training import TrainConfig, Trainer, save_model

    corpus = load_corpus(args.data or ensure_corpus())
    train_set = TextMelDataset(corpus.split("train"), cache_mels=True)
    val_set = TextMelDataset(corpus.split("val"))
    config = dataclasses.replace(CONFIGS[args.config](), n_vocab=train_set.tokenizer.n_vocab)
    model = build(config)
    batch_size = args.batch_size or 16
    loader = DataLoader(train_set, batch_sampler=LengthBucketSampler(train_set.mel_lengths, batch_size, seed=0),
                        collate_fn=train_set.collate)
    val_loader = DataLoader(val_set, batch_size=batch_size, collate_fn=val_set.collate)
    trainer = Trainer(CvaeTask(model), TrainConfig(steps=args.steps or 5000, grad_clip_norm=5.0, log_every=50,
                                                   val_every=500, checkpoint_every=500, out_dir=args.out))
    trainer.fit(loader, val_loader, resume=args.resume)
    final = save_model(Path(args.out) / MODEL_FILE, model.cpu(), dataclasses.asdict(config))
    print(f"saved {final}")
    return 0


# python -m course_lib synth cvae: --temperature is the τ that scales z's noise, the contract's noise scale
SYNTH = recipe.SynthCLI("the CVAE", load, temperature=lambda temperature: temperature)
