"""Synthesis of corpus utterances in fresh worker processes.

Why fresh processes: eSpeak NG keeps state between utterances that no API call
resets (a pitch-flutter phase counter in ``wavegen.c``, its noise generator),
so the same sentence spoken twice in one process gives slightly different
samples. Output is reproducible only from a freshly loaded library. The builder
therefore cuts the work into fixed chunks and speaks each chunk, in order, in a
new Python process (``python -m course_lib.data.synth``) — the bytes then depend
on the chunk layout only, never on the number of workers or on what the calling
process spoke before. Plain subprocesses (not ``multiprocessing``) keep the
workers light: they never re-import the caller's ``__main__`` (a notebook, a
benchmark script that imports torch), so each starts in a fraction of a second.

Worker protocol: a JSON request ``{"wav_dir", "result_path", "jobs": [...]}`` on
stdin; ``wav_dir/ID.wav`` written for each job; the results as JSON in
``result_path``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import soundfile as sf

from course_lib.data.durations import padded_length
from course_lib.framing import HOP_LENGTH, SAMPLE_RATE
CHUNK_SIZE = 200  # utterances per fresh process; part of the output format (changes the bytes)
_PROJECT_ROOT = Path(__file__).resolve().parents[2]  # the folder holding course_lib/


@dataclass(frozen=True)
class SynthJob:
    """One utterance to speak: what, with which voice and prosody, and where to write it."""

    utt_id: str
    text: str
    voice: str
    rate: int
    pitch: int
    pitch_range: int


@dataclass(frozen=True)
class SynthResult:
    """What the worker reports back: the padded length and eSpeak's raw phoneme events."""

    utt_id: str
    n_samples: int
    events: tuple[tuple[str, int], ...]
    f0: tuple[float, ...] = ()  # Hz per mel frame, one decimal, 0 = unvoiced (course_lib.pitch.track_f0)


def synthesize_chunk(jobs: Sequence[SynthJob], wav_dir: Path) -> list[SynthResult]:
    """Speak ``jobs`` in order in this process; write ``wav_dir/ID.wav`` (16-bit PCM, zero-padded to whole hops) and
    track each one's F0."""
    from course_lib.espeak import synthesize
    from course_lib.pitch import track_f0

    results = []
    for job in jobs:
        spoken = synthesize(job.text, voice=job.voice, rate=job.rate, pitch=job.pitch, pitch_range=job.pitch_range)
        # eSpeak's samples are int16 scaled by 1/32768: scaling back is exact
        pcm = np.round(spoken.wave * 32768.0).astype(np.int16)
        padded = np.zeros(padded_length(pcm.size, HOP_LENGTH), dtype=np.int16)
        padded[: pcm.size] = pcm
        sf.write(str(Path(wav_dir) / f"{job.utt_id}.wav"), padded, SAMPLE_RATE, subtype="PCM_16")
        events = tuple((event.phoneme, event.start_sample) for event in spoken.phonemes)
        f0 = tuple(round(float(value), 1) for value in track_f0(padded / 32768.0))  # the samples a reader gets
        results.append(SynthResult(job.utt_id, int(padded.size), events, f0))
    return results


def _run_worker(chunk: Sequence[SynthJob], wav_dir: Path, result_path: Path) -> list[SynthResult]:
    """Speak one chunk in a fresh ``python -m course_lib.data.synth`` process."""
    request = json.dumps({"wav_dir": str(wav_dir), "result_path": str(result_path),
                          "jobs": [asdict(job) for job in chunk]})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, "-m", "course_lib.data.synth"], input=request, text=True,
                          capture_output=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the eSpeak synthesis worker failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    rows = json.loads(result_path.read_text(encoding="utf-8"))
    result_path.unlink()
    return [SynthResult(row["utt_id"], row["n_samples"], tuple((s, int(t)) for s, t in row["events"]),
                        tuple(row["f0"])) for row in rows]


def synthesize_all(jobs: Sequence[SynthJob], wav_dir: Path, workers: int = 2) -> list[SynthResult]:
    """Speak all jobs in fixed chunks, each in a fresh process, ``workers`` at a time; results in job order."""
    chunks = [list(jobs[i: i + CHUNK_SIZE]) for i in range(0, len(jobs), CHUNK_SIZE)]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(chunks) or 1))) as pool:
        futures = [pool.submit(_run_worker, chunk, wav_dir, wav_dir.parent / f".chunk-{i:05d}.json")
                   for i, chunk in enumerate(chunks)]
        return [result for future in futures for result in future.result()]


def _main() -> None:
    request = json.loads(sys.stdin.read())
    jobs = [SynthJob(**job) for job in request["jobs"]]
    results = synthesize_chunk(jobs, Path(request["wav_dir"]))
    Path(request["result_path"]).write_text(json.dumps([asdict(r) for r in results]), encoding="utf-8")


if __name__ == "__main__":
    _main()
