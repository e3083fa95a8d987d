"""Training the conditional VAE (:class:`CvaeTask` under ``course_lib.training.Trainer``), loading it, and
``python -m course_lib train/synth cvae``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from course_lib.models import recipe
from course_lib.models.cvae.config import CvaeConfig
from course_lib.models.cvae.model import ConditionalVae

MODEL_FILE = "cvae.pt"


class CvaeTask:
    """What :class:`course_lib.training.Trainer` runs: one Adam phase on the negative ELBO + duration loss."""

    def __init__(self, model: ConditionalVae, learning_rate: float = 2e-3) -> None:
        from course_lib.training import Phase

        self.model = model
        self.modules = {"cvae": model}
        self.optimizers = {"adam": torch.optim.Adam(model.parameters(), lr=learning_rate)}
        self.schedulers = {}
        self.phases = [Phase("cvae", "adam", self.loss_fn)]

    def loss_fn(self, batch, cache: dict):
        """``batch``: a :class:`course_lib.data.TextMelBatch` with true durations."""
        if batch.durations is None:
            raise ValueError("the conditional VAE trains on true durations: use the built-in corpus (not LJSpeech)")
        output = self.modules["cvae"](batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, batch.durations)
        losses = self.model.losses(output, batch.mels, batch.durations)
        return losses.total, {"reconstruction": losses.reconstruction, "kl": losses.kl, "duration": losses.duration}

    @torch.no_grad()
    def validate(self, val_loader) -> dict[str, float]:
        self.model.eval()
        totals, count = {}, 0
        for batch in val_loader:
            batch = batch.to(next(self.model.parameters()).device)
            output = self.model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths, batch.durations)
            for key, value in self.model.losses(output, batch.mels, batch.durations).as_dict().items():
                totals[key] = totals.get(key, 0.0) + value
            count += 1
        self.model.train()
        return {key: value / max(count, 1) for key, value in totals.items()}

    def config_dict(self) -> dict:
        return dataclasses.asdict(self.model.config)


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
