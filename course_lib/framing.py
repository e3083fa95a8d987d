"""The course's audio framing, in one torch-free place: every model, the vocoder, the corpus builder
and eSpeak NG agree on these numbers (``course_lib.audio`` explains each one).

Torch-free so that the corpus builder's worker processes, which never touch a tensor, start fast.
"""

SAMPLE_RATE = 22050     # Hz
N_FFT = 1024            # STFT size (and window length)
WIN_LENGTH = 1024
HOP_LENGTH = 256        # samples per mel frame: 11.6 ms
N_MELS = 80
FMIN = 0.0
FMAX = 8000.0           # the input mel's top; the HiFi-GAN / VITS mel loss uses fmax=None (11,025 Hz)

# Synthesis refuses text longer than this many mel frames (≈ 116 s at 22,050 Hz, hop 256), the same for every
# model: a paragraph would otherwise run for minutes and take gigabytes in a diffusion decoder.
MAX_SYNTHESIS_FRAMES = 10_000


def refuse_overlong(frames: float, max_frames: int = MAX_SYNTHESIS_FRAMES, knobs: str = "the length scale") -> int:
    """``frames`` as an int; a ValueError, worded alike for every model, above ``max_frames`` — or when it is not
    a finite number (durations that overflowed). ``knobs`` names what to lower."""
    frames = float(frames)
    if not frames <= max_frames:  # NaN fails this too
        count = f"{frames:.0f}" if frames < 1e12 else "an overflowing number of"
        raise ValueError(f"the text expands to {count} frames (> {max_frames}, about "
                         f"{max_frames * HOP_LENGTH / SAMPLE_RATE:.0f} s): split it into sentences and synthesise them "
                         f"one by one, or lower {knobs}")
    return int(frames)
