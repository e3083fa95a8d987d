"""VITS speed on this machine: the paper config against the official code's figures, and the tiny configs.

Workloads as in REFERENCE.md §3 (untrained weights, warm-up first, median of repeats):

* paper (ljs_base) train step: batch 4 × 2 s utterances (80 tokens, 172 frames), the generator's
  training pass with MAS, the discriminator step and the generator step with AdamW, through the
  course's GAN task. Official: 9.29 s on 2 threads.
* paper inference, weight norm folded: text → waveform, reported as RTF (seconds of compute per
  second of audio it made). Official: 1.77 s for 3 s, RTF 0.589 on 2 threads.
* the tiny config (its inverse-STFT decoder, lesson 06) beside the same config with a V3-shaped
  HiFi-GAN decoder (three upsamplings, ResBlock2, 128 channels) — the figures tiny's design was
  chosen by: inference RTF at 1 and 2 threads and training steps per second (batch 8 × 120 frames;
  the GAN step — tiny's warm-up steps skip the discriminator).

With ``--official DIR`` — a checkout of the official code (github.com/jaywalnut310/vits), kept
outside this project — the same two paper workloads also run on the official ``SynthesizerTrn`` and
``MultiPeriodDiscriminator`` (its ``train.py`` step: net_g forward, discriminator step, generator
step, AdamW), in the same process, threads and inputs, and the ratios are of the two measured here
rather than of REFERENCE.md's figures. Two things are adapted at run time so that it runs on
torch 2 and librosa 0.10, neither changing the work done: the mel of the generated wave is taken
with ``return_complex=True`` (the official call predates it), and librosa's mel filter bank is
called with keywords. Build the official Cython MAS first (``cd DIR/monotonic_align && mkdir -p
monotonic_align && python setup.py build_ext --inplace``, needs Cython); without it the course's
MAS stands in, and the benchmark says so.

Prints one JSON line per figure: {"benchmark", "metric", "value", "unit", "target"}.
Run: ``nice -n 10 .venv/bin/python benchmarks/bench_vits.py [--quick] [--threads N] [--official DIR]``. On a
2-core machine shared with other jobs, two torch threads stall each other; compare like with like.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import statistics
import sys
import time
import types
from pathlib import Path

import torch

from course_lib.audio import HOP_LENGTH, SAMPLE_RATE
from course_lib.data import TextMelBatch
from course_lib.facts import emit
from course_lib.models.vits import VITSConfig, build, build_discriminator
from course_lib.models.vits.config import DecoderConfig
from course_lib.models.vits.train import VITSTask

# REFERENCE.md §3: official code, 2 threads, fp32
OFFICIAL_TRAIN_STEP = 9.29
OFFICIAL_INFERENCE_RTF = 0.589


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: the first call is several times slower
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def batch_of(batch_size: int, n_tokens: int, frames: int, n_vocab: int) -> TextMelBatch:
    generator = torch.Generator().manual_seed(0)
    lengths = torch.full((batch_size,), frames)
    return TextMelBatch(ids=tuple(str(i) for i in range(batch_size)),
                        tokens=torch.randint(1, n_vocab, (batch_size, n_tokens), generator=generator),
                        token_lengths=torch.full((batch_size,), n_tokens), mels=torch.zeros(batch_size, 80, frames),
                        mel_lengths=lengths, speakers=torch.zeros(batch_size, dtype=torch.long),
                        waves=0.1 * torch.randn(batch_size, 1, frames * HOP_LENGTH, generator=generator),
                        wave_lengths=lengths * HOP_LENGTH)


def train_step_seconds(config: VITSConfig, batch: TextMelBatch, repeats: int) -> float:
    torch.manual_seed(0)
    task = VITSTask(build(config), build_discriminator(config))

    def step():
        cache: dict = {}
        for phase in task.phases:
            optimizer = task.optimizers[phase.optimizer]
            optimizer.zero_grad(set_to_none=True)
            loss, _ = phase.loss_fn(batch, cache)
            loss.backward()
            optimizer.step()

    return median_seconds(step, repeats)


def inference_rtf(config: VITSConfig, n_tokens: int, repeats: int) -> float:
    torch.manual_seed(0)
    model = build(config).eval().remove_weight_norm()
    tokens = torch.randint(1, config.n_vocab, (1, n_tokens), generator=torch.Generator().manual_seed(1))
    lengths = torch.tensor([n_tokens])
    with torch.no_grad():
        out = model.infer(tokens, lengths, generator=torch.Generator().manual_seed(0))
        seconds_of_audio = int(out.wave_lengths[0]) / SAMPLE_RATE
        seconds = median_seconds(lambda: model.infer(tokens, lengths, generator=torch.Generator().manual_seed(0)),
                                 repeats)
    return seconds / seconds_of_audio


class Official:
    """The official VITS (ljs_base) from a checkout at ``root``: its modules, imported once, adapted as the module
    docstring says."""

    def __init__(self, root: str) -> None:
        root_path = Path(root).resolve()
        if not (root_path / "models.py").is_file() or not (root_path / "configs" / "ljs_base.json").is_file():
            raise SystemExit(f"error: --official {root} is not a checkout of jaywalnut310/vits "
                             "(models.py and configs/ljs_base.json not found)")
        sys.path.insert(0, str(root_path))
        try:
            importlib.import_module("monotonic_align")
            self.mas = "official Cython"
        except ImportError:
            self.mas = "the course's (official Cython MAS not built)"
            sys.modules["monotonic_align"] = types.SimpleNamespace(maximum_path=_course_maximum_path)
        import librosa

        self.models = importlib.import_module("models")
        self.losses = importlib.import_module("losses")
        self.commons = importlib.import_module("commons")
        self.mel = importlib.import_module("mel_processing")
        self.mel.librosa_mel_fn = lambda sr, n_fft, n_mels, fmin, fmax: librosa.filters.mel(
            sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
        self.hps = json.loads((root_path / "configs" / "ljs_base.json").read_text())

    def networks(self, n_vocab: int):
        data, train = self.hps["data"], self.hps["train"]
        torch.manual_seed(0)
        net_g = self.models.SynthesizerTrn(n_vocab, data["filter_length"] // 2 + 1,
                                           train["segment_size"] // data["hop_length"], **self.hps["model"])
        net_d = self.models.MultiPeriodDiscriminator(self.hps["model"]["use_spectral_norm"])
        return net_g, net_d

    def wave_mel(self, wave: torch.Tensor) -> torch.Tensor:
        """``mel_spectrogram_torch`` of the official code, its STFT called with ``return_complex=True``."""
        data = self.hps["data"]
        return self.mel.spec_to_mel_torch(_linear(wave.unsqueeze(1), data), data["filter_length"],
                                          data["n_mel_channels"], data["sampling_rate"], data["mel_fmin"],
                                          data["mel_fmax"])

    def train_step_seconds(self, n_vocab: int, batch: TextMelBatch, repeats: int) -> float:
        data, train = self.hps["data"], self.hps["train"]
        net_g, net_d = self.networks(n_vocab)
        optim_g = torch.optim.AdamW(net_g.parameters(), train["learning_rate"], betas=train["betas"], eps=train["eps"])
        optim_d = torch.optim.AdamW(net_d.parameters(), train["learning_rate"], betas=train["betas"], eps=train["eps"])
        x, x_lengths = batch.tokens, batch.token_lengths
        y = batch.waves
        spec = _linear(y, data)                                  # [B, 513, T]
        spec_lengths = batch.mel_lengths
        segment = train["segment_size"]
        losses, commons = self.losses, self.commons

        def step():
            y_hat, l_length, _, ids_slice, _, z_mask, (_, z_p, m_p, logs_p, _, logs_q) = net_g(
                x, x_lengths, spec, spec_lengths)
            mel = self.mel.spec_to_mel_torch(spec, data["filter_length"], data["n_mel_channels"],
                                             data["sampling_rate"], data["mel_fmin"], data["mel_fmax"])
            y_mel = commons.slice_segments(mel, ids_slice, segment // data["hop_length"])
            y_hat_mel = self.wave_mel(y_hat.squeeze(1))
            y_slice = commons.slice_segments(y, ids_slice * data["hop_length"], segment)
            real, fake, _, _ = net_d(y_slice, y_hat.detach())
            loss_disc, _, _ = losses.discriminator_loss(real, fake)
            optim_d.zero_grad()
            loss_disc.backward()
            commons.clip_grad_value_(net_d.parameters(), None)
            optim_d.step()
            real, fake, fmap_r, fmap_g = net_d(y_slice, y_hat)
            loss_gen, _ = losses.generator_loss(fake)
            loss = (loss_gen + losses.feature_loss(fmap_r, fmap_g)
                    + torch.nn.functional.l1_loss(y_mel, y_hat_mel) * train["c_mel"] + torch.sum(l_length.float())
                    + losses.kl_loss(z_p, logs_q, m_p, logs_p, z_mask) * train["c_kl"])
            optim_g.zero_grad()
            loss.backward()
            commons.clip_grad_value_(net_g.parameters(), None)
            optim_g.step()

        return median_seconds(step, repeats)

    def inference_rtf(self, n_vocab: int, n_tokens: int, repeats: int) -> float:
        net_g, _ = self.networks(n_vocab)
        net_g.eval()
        net_g.dec.remove_weight_norm()
        tokens = torch.randint(1, n_vocab, (1, n_tokens), generator=torch.Generator().manual_seed(1))
        lengths = torch.tensor([n_tokens])

        def infer():
            torch.manual_seed(0)
            return net_g.infer(tokens, lengths, noise_scale=0.667, noise_scale_w=0.8, length_scale=1.0)[0]

        with torch.no_grad():
            seconds_of_audio = infer().shape[-1] / SAMPLE_RATE
            seconds = median_seconds(infer, repeats)
        return seconds / seconds_of_audio


def _linear(wave: torch.Tensor, data: dict) -> torch.Tensor:
    """The official ``spectrogram_torch`` (reflect-padded, ``center=False`` magnitude), ``return_complex=True``."""
    n_fft, hop, win = data["filter_length"], data["hop_length"], data["win_length"]
    padded = torch.nn.functional.pad(wave, ((n_fft - hop) // 2, (n_fft - hop) // 2), mode="reflect").squeeze(1)
    spec = torch.stft(padded, n_fft, hop_length=hop, win_length=win, window=torch.hann_window(win), center=False,
                      return_complex=True)
    return torch.sqrt(spec.real.pow(2) + spec.imag.pow(2) + 1e-6)


def _course_maximum_path(neg_cent: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The official ``maximum_path(neg_cent [B, T_mel, T_text], mask)`` by the course's MAS."""
    from course_lib.alignment import monotonic_alignment_search

    text_mask = mask[:, :1, :].float()
    mel_mask = mask[:, :, :1].transpose(1, 2).float()
    return monotonic_alignment_search(neg_cent.transpose(1, 2), text_mask, mel_mask).transpose(1, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny configs only (skip the paper config)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch threads for the paper config (REFERENCE: 2)")
    parser.add_argument("--official", metavar="DIR", default=None,
                        help="a checkout of jaywalnut310/vits: time it beside the course's, in this run")
    args = parser.parse_args()
    official = Official(args.official) if args.official and not args.quick else None

    tiny = dataclasses.replace(VITSConfig.tiny(), discriminator_start=0)
    tiny_v3 = dataclasses.replace(tiny, decoder=DecoderConfig(
        resblock="2", upsample_rates=(8, 8, 4), upsample_kernel_sizes=(16, 16, 8), upsample_initial_channel=128,
        resblock_kernel_sizes=(3, 5, 7), resblock_dilation_sizes=((1, 2), (2, 6), (3, 12))))
    if not args.quick:
        torch.set_num_threads(args.threads)
        paper = VITSConfig.paper()
        batch = batch_of(4, 80, 172, paper.n_vocab)
        name = f"vits_paper_train_step_b4x2s_{args.threads}thread"
        step = train_step_seconds(paper, batch, args.repeats)
        official_step, source = OFFICIAL_TRAIN_STEP, "REFERENCE.md"
        if official is not None:
            official_step, source = official.train_step_seconds(paper.n_vocab, batch, args.repeats), "this run"
            emit(name, "official_seconds", official_step, "s/step", f"measured here, MAS: {official.mas}")
        emit(name, "seconds", step, "s/step", f"<= {official_step:.2f} (official, {source})")
        emit(name, "ratio_to_official", step / official_step, "x", "<= 1.0")
        name = f"vits_paper_inference_{args.threads}thread"
        rtf = inference_rtf(paper, 80, args.repeats)
        official_rtf, source = OFFICIAL_INFERENCE_RTF, "REFERENCE.md"
        if official is not None:
            official_rtf, source = official.inference_rtf(paper.n_vocab, 80, args.repeats), "this run"
            emit(name, "official_rtf", official_rtf, "s compute / s audio", "measured here")
        emit(name, "rtf", rtf, "s compute / s audio",
             f"<= {0.8 * official_rtf:.3f} (0.8 x official {official_rtf:.3f}, {source})")
        emit(name, "ratio_to_official", rtf / official_rtf, "x", "<= 0.8")
    for name, config in (("tiny", tiny), ("tiny_v3_decoder", tiny_v3)):
        for threads in (1, 2):
            torch.set_num_threads(threads)
            emit(f"vits_{name}_inference_{threads}thread", "rtf", inference_rtf(config, 80, args.repeats),
                 "s compute / s audio")
        torch.set_num_threads(1)
        step = train_step_seconds(config, batch_of(8, 40, 120, config.n_vocab), args.repeats)
        emit(f"vits_{name}_train_step_b8x120frames_1thread", "steps_per_second", 1.0 / step, "steps/s")


if __name__ == "__main__":
    main()
