"""One vocoder interface for the whole course: log-mel → waveform.

Every acoustic model in the course predicts the same 80-bin log-mel
(:func:`course_lib.audio.mel_spectrogram`); a :class:`Vocoder` turns it into audio:

* :class:`GriffinLimVocoder` — no training, phase estimated by iteration (phasey, metallic);
* :class:`CourseVocoder` — the course vocoder (:mod:`course_lib.models.pitch_vocoder`): the pitch predicted
  from the mel, magnitudes learned on its harmonic comb, phase locked to it;
* :class:`HiFiGANVocoder` — a neural vocoder of lesson 06 trained with HiFi-GAN's discriminators and
  losses: HiFi-GAN's upsampling generator or the inverse-STFT generator, from a checkpoint or a generator.

``load_vocoder()`` gives the course's default: the course vocoder shipped in
``data/checkpoints/pitch_vocoder_*.pt``, else a HiFi-GAN shipped as ``hifigan_*.pt``, else Griffin-Lim —
and says which.

Shapes: ``[80, T]`` → ``[T·256]``; ``[B, 80, T]`` → ``[B, T·256]`` (float32, on the mel's device).
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import torch

from course_lib import audio, paths
from course_lib.models.pitch_vocoder.train import RECIPE as COURSE_VOCODER
from course_lib.models.waveform.config import HiFiGANConfig
from course_lib.models.waveform.generator import Generator, build_generator
from course_lib.models.waveform.istft_generator import ISTFTGenerator

SHIPPED_PATTERN = "hifigan_*.pt"
COURSE_PATTERN = "pitch_vocoder_*.pt"


class VocoderInputError(ValueError):
    """A mel the vocoders cannot turn into audio, with the reason and the fix."""


def check_mel(mel) -> torch.Tensor:
    """Validate a log-mel and return it as a float tensor ``[B, 80, T]``.

    Raises :class:`VocoderInputError` for the wrong number of bins (including a
    transposed ``[T, 80]`` mel), an empty mel, or NaN/inf values.
    """
    tensor = torch.as_tensor(mel) if not isinstance(mel, torch.Tensor) else mel
    if not torch.is_floating_point(tensor):
        raise VocoderInputError(f"expected a float log-mel, got dtype {tensor.dtype}")
    if tensor.dim() not in (2, 3):
        raise VocoderInputError(
            f"expected a log-mel [80, T] or [B, 80, T], got shape {tuple(tensor.shape)}"
        )
    n_bins = tensor.shape[-2]
    if n_bins != audio.N_MELS:
        hint = " It looks transposed: pass mel.transpose(-1, -2)." if tensor.shape[-1] == audio.N_MELS else ""
        raise VocoderInputError(
            f"the mel has {n_bins} bins but the course's vocoders take {audio.N_MELS}-bin log-mels "
            f"(course_lib.audio.mel_spectrogram), shape [80, T] or [B, 80, T]; got {tuple(tensor.shape)}.{hint}"
        )
    if tensor.shape[-1] == 0 or tensor.numel() == 0:
        raise VocoderInputError(
            f"the mel is empty (shape {tuple(tensor.shape)}): there are no frames to vocode — "
            "did the acoustic model predict zero durations?"
        )
    finite = torch.isfinite(tensor)
    if not finite.all():
        bad_frames = (~finite).any(dim=-2).nonzero()[:, -1].unique()
        raise VocoderInputError(
            f"the mel contains NaN or inf in {bad_frames.numel()} frame(s) (first at frame "
            f"{int(bad_frames[0])}): check the acoustic model's output (a diverged training run?) before vocoding"
        )
    batch = tensor.float()
    return batch.unsqueeze(0) if batch.dim() == 2 else batch


class Vocoder:
    """Base class: ``vocoder(mel)`` checks the mel, synthesises, and keeps the input's batch shape and device."""

    name = "vocoder"
    sample_rate = audio.SAMPLE_RATE

    def __call__(self, mel) -> torch.Tensor:
        single = (mel.dim() if isinstance(mel, torch.Tensor) else np.ndim(mel)) == 2
        batch = check_mel(mel)
        wave = self.synthesize(batch)                 # [B, T·256]
        return wave[0] if single else wave

    def synthesize(self, mel: torch.Tensor) -> torch.Tensor:
        """Checked ``mel [B, 80, T]`` → ``wave [B, T·256]``."""
        raise NotImplementedError

    def to(self, device: str | torch.device) -> "Vocoder":
        """A vocoder that computes on ``device`` (this one, when it has no weights: it runs where the mel is)."""
        return self

    @property
    def parameters(self) -> int:
        """How many trained weights it has (0: Griffin-Lim)."""
        network = getattr(self, "model", getattr(self, "generator", None))
        return 0 if network is None else sum(p.numel() for p in network.parameters())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name})"


class GriffinLimVocoder(Vocoder):
    """Griffin-Lim from the mel (``course_lib.audio.griffin_lim``); ``n_iter`` trades speed for quality."""

    def __init__(self, n_iter: int = 32) -> None:
        self.n_iter = n_iter
        self.name = f"Griffin-Lim ({n_iter} iterations)"

    def synthesize(self, mel: torch.Tensor) -> torch.Tensor:
        return audio.griffin_lim(mel, n_iter=self.n_iter)


class HiFiGANVocoder(Vocoder):
    """A HiFi-GAN-trained generator ready for inference: weight norm folded, eval mode, no gradients.

    ``generator`` is a HiFi-GAN :class:`Generator` or an :class:`ISTFTGenerator`.
    """

    def __init__(self, generator: Generator | ISTFTGenerator, device: str | torch.device | None = None,
                 name: str = "HiFi-GAN"):
        if not isinstance(generator, (Generator, ISTFTGenerator)):
            raise TypeError(f"expected a course_lib HiFi-GAN Generator or ISTFTGenerator, got {type(generator).__name__}")
        if generator.config.in_channels != audio.N_MELS:
            raise ValueError(
                f"this generator takes {generator.config.in_channels} input channels, not an {audio.N_MELS}-bin "
                "mel (a VITS decoder?); a mel vocoder needs in_channels=80"
            )
        if generator.has_weight_norm:
            generator.remove_weight_norm()
        if device is None:
            device = next(generator.parameters()).device
        self.device = torch.device(device)
        self.generator = generator.to(self.device).eval().requires_grad_(False)
        self.config = generator.config
        self.name = name

    @classmethod
    def from_checkpoint(cls, path: str | Path, expected_config: HiFiGANConfig | None = None,
                        device: str | torch.device | None = None) -> "HiFiGANVocoder":
        """Load a generator saved by :func:`course_lib.models.hifigan.save_generator` (or the training run's ``generator.pt``).

        With ``expected_config``, a checkpoint made with another configuration raises a
        ValueError naming each differing field.
        """
        from course_lib.training import load_model

        path = Path(path)

        def build_fn(config_dict: dict) -> Generator | ISTFTGenerator:
            config = config_from_dict(config_dict, source=str(path))
            if expected_config is not None:
                from course_lib.training import check_config_match

                check_config_match(dataclasses.asdict(expected_config), dataclasses.asdict(config),
                                   what=f"HiFi-GAN checkpoint {path}",
                                   fix="Load it without expected_config, or pick the checkpoint trained "
                                       "with this config.")
            return build_generator(config)

        generator, _ = load_model(path, build_fn, device=device or "cpu")
        kind = "iSTFT" if isinstance(generator, ISTFTGenerator) else "HiFi-GAN"
        return cls(generator, device=device, name=f"{kind} ({path.name})")

    def to(self, device: str | torch.device) -> "HiFiGANVocoder":
        """A copy whose generator computes on ``device`` (this one when it is already there)."""
        if torch.device(device) == self.device:
            return self
        return HiFiGANVocoder(copy.deepcopy(self.generator), device=device, name=self.name)

    @torch.no_grad()
    def synthesize(self, mel: torch.Tensor) -> torch.Tensor:
        wave = self.generator(mel.to(self.device))   # [B, 1, T·256]
        return wave[:, 0].to(mel.device)


class CourseVocoder(Vocoder):
    """The course vocoder (:class:`course_lib.models.pitch_vocoder.PitchVocoder`) ready for inference."""

    def __init__(self, model, device: str | torch.device | None = None, name: str = "course vocoder"):
        if device is None:
            device = next(model.parameters()).device
        self.device = torch.device(device)
        self.model = model.to(self.device).eval().requires_grad_(False)
        self.name = name

    @classmethod
    def from_checkpoint(cls, path: str | Path, device: str | torch.device | None = None) -> "CourseVocoder":
        return cls(COURSE_VOCODER.load(path, device=device or "cpu"), device=device,
                   name=f"course vocoder ({Path(path).name})")

    def to(self, device: str | torch.device) -> "CourseVocoder":
        """A copy whose model computes on ``device`` (this one when it is already there)."""
        if torch.device(device) == self.device:
            return self
        return CourseVocoder(copy.deepcopy(self.model), device=device, name=self.name)

    def synthesize(self, mel: torch.Tensor) -> torch.Tensor:
        return self.model.synthesize(mel.to(self.device)).to(mel.device)


def config_from_dict(config_dict: dict, source: str = "the checkpoint") -> HiFiGANConfig:
    """Rebuild a :class:`HiFiGANConfig` from a JSON dict; another model's config is refused naming that model."""
    from course_lib.models import model_of_config
    from course_lib.training import CheckpointError

    known = {f.name for f in dataclasses.fields(HiFiGANConfig)}
    unknown = sorted(set(config_dict) - known)
    if unknown:
        made_for = model_of_config(config_dict)
        what = (f"a {made_for} model file, not a vocoder" if made_for else
                f"not a vocoder (its config has {len(unknown)} fields a vocoder's has not, e.g. "
                f"{', '.join(unknown[:3])})")
        raise CheckpointError(f"{source} is {what}: give a vocoder generator.pt (what `train hifigan` writes), or "
                              "--vocoder griffin-lim")
    return HiFiGANConfig(**config_dict)


def shipped_checkpoint(pattern: str = SHIPPED_PATTERN) -> Path | None:
    """The vocoder checkpoint shipped in ``data/checkpoints`` under ``pattern`` (default: a HiFi-GAN,
    ``hifigan_*.pt``; :data:`COURSE_PATTERN` for the course vocoder), or None."""
    found = sorted(paths.CHECKPOINT_DIR.glob(pattern))
    return found[0] if found else None


def vocoder_from_file(path: str | Path, device: str | torch.device | None = None) -> Vocoder:
    """The vocoder a ``.pt`` file holds: the course vocoder or a HiFi-GAN generator, told apart by its config."""
    from course_lib.models import model_of_config
    from course_lib.training import read_torch_file

    payload = read_torch_file(path)
    config = payload.get("config") if isinstance(payload, dict) else None
    if isinstance(config, dict) and (model_of_config(config) == "pitch_vocoder" or "pitch_classes" in config):
        return CourseVocoder.from_checkpoint(path, device=device)
    return HiFiGANVocoder.from_checkpoint(path, device=device)


def load_vocoder(name: str = "auto", device: str | torch.device | None = None, verbose: bool = True) -> Vocoder:
    """The course's vocoder.

    ``name``: ``"auto"`` (the shipped course vocoder, else a shipped HiFi-GAN, else Griffin-Lim), ``"course"``
    (the shipped course vocoder; error if missing), ``"hifigan"`` (the shipped HiFi-GAN; error if missing),
    ``"griffin_lim"`` (or ``"griffin-lim"``), or a path to a vocoder ``.pt`` file. Prints which vocoder it chose
    unless ``verbose=False``.
    """
    choices = ("auto", "course", "hifigan", "griffin_lim")
    name = str(name)
    if name.replace("-", "_") in choices:
        name = name.replace("-", "_")
    if name not in choices and not Path(name).suffix == ".pt":
        raise ValueError(f"unknown vocoder {name!r}: choose one of {', '.join(choices)} or a path to a .pt file")
    course, hifigan = shipped_checkpoint(COURSE_PATTERN), shipped_checkpoint()
    if name == "griffin_lim":
        vocoder: Vocoder = GriffinLimVocoder()
        message = f"vocoder: {vocoder.name}"
    elif name in ("course", "hifigan") and (course if name == "course" else hifigan) is None:
        pattern = COURSE_PATTERN if name == "course" else SHIPPED_PATTERN
        raise FileNotFoundError(f"no shipped {name} vocoder in {paths.CHECKPOINT_DIR} ({pattern}); train one with "
                                f"`{COURSE_VOCODER.shipped.command}` or use load_vocoder('griffin_lim')")
    elif name in ("auto", "course") and course is not None:
        vocoder = CourseVocoder.from_checkpoint(course, device=device)
        message = f"vocoder: the course vocoder from {course}"
    elif name in ("auto", "hifigan") and hifigan is not None:
        vocoder = HiFiGANVocoder.from_checkpoint(hifigan, device=device)
        message = f"vocoder: HiFi-GAN from {hifigan}"
    elif name == "auto":
        vocoder = GriffinLimVocoder()
        message = (f"vocoder: {vocoder.name} — no vocoder checkpoint in {paths.CHECKPOINT_DIR}; train one with "
                   f"`{COURSE_VOCODER.shipped.command}`")
    else:
        vocoder = vocoder_from_file(name, device=device)
        message = f"vocoder: {vocoder.name} from {name}"
    if verbose:
        print(message)
    return vocoder


# ------------------------------------------------------------------------------------------ fine-tune data
FINE_TUNE_MODELS = ("glow_tts", "grad_tts", "diff_tts", "cvae")
FINE_TUNE_UTTERANCES = 400  # per model: ≈ 10 CPU-minutes of synthesis for all four, a third of the training split


def check_fine_tune_models(models: list[str]) -> None:
    """Refuse an empty list or a name that is not an acoustic model the vocoder can fine-tune on."""
    unknown = [name for name in models if name not in FINE_TUNE_MODELS]
    if unknown or not models:
        raise ValueError(f"fine-tune on which models? got {', '.join(unknown) or 'none'}; choose from "
                         f"{', '.join(FINE_TUNE_MODELS)} (comma-separated)")


def tts_training_mels(models: list[str], limit: int | None = FINE_TUNE_UTTERANCES, progress: bool = True) -> list[Path]:
    """For each shipped acoustic model in ``models``, its mel of every training utterance of the built-in
    single-voice corpus spoken with the true durations (:func:`course_lib.evaluation.teacher_forced_mel`, seed 0),
    one ``<utterance id>.npy`` ``[80, T]`` per utterance, in a cache folder per model checkpoint (written
    atomically, reused while the checkpoint is unchanged). ``limit``: the first N utterances (None: all). The course vocoder
    fine-tunes on them (``train pitch_vocoder --fine-tune-on``): the input it will be given, the recording its
    target."""
    import hashlib
    import io

    from tqdm.auto import tqdm

    from course_lib import evaluation
    from course_lib.data import TextMelDataset, ensure_corpus, load_corpus
    from course_lib.files import atomic_write
    from course_lib.models import recipe_of

    check_fine_tune_models(models)
    corpus_dir = ensure_corpus()
    corpus = load_corpus(corpus_dir)
    records = corpus.split("train").utterances[:limit]
    dataset = TextMelDataset(records, tokenizer=corpus.tokenizer)
    folders = []
    for name in models:
        recipe = recipe_of(name)
        checkpoint = paths.CHECKPOINT_DIR / recipe.shipped.file
        if not checkpoint.is_file():
            raise FileNotFoundError(f"no shipped {name} ({checkpoint}) to fine-tune the vocoder on; train one with "
                                    f"`{recipe.shipped.command}`")
        digest = hashlib.sha256(checkpoint.read_bytes() + corpus_dir.name.encode()).hexdigest()[:12]
        folder = paths.cache_dir() / "tts_mels" / f"{name}-{digest}"
        missing = [index for index, record in enumerate(records) if not (folder / f"{record.id}.npy").is_file()]
        if missing:
            model = recipe.load(checkpoint, device="cpu")
            for index in tqdm(missing, desc=f"{name} mels", disable=not progress):
                buffer = io.BytesIO()
                np.save(buffer, evaluation.teacher_forced_mel(model, dataset[index]).numpy())
                atomic_write(folder / f"{records[index].id}.npy", lambda file: file.write(buffer.getvalue()))
        folders.append(folder)
    return folders
