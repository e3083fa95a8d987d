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
