"""Checks for lesson 04 (normalizing flows): the affine coupling layer.

The exercise: ``affine_coupling(x, conditioner, reverse=False) -> (z, log_det)``
for ``x [B, C, T]``. The first half of the channels passes through; the
conditioner sees it and returns ``(shift, log_scale)`` for the second half::

    forward:  z_b = shift + exp(log_scale) · x_b      log_det = Σ log_scale   (per utterance)
    reverse:  x_b = (z_b − shift) · exp(−log_scale)   log_det = −Σ log_scale

The check compares both directions with the library (:class:`course_lib.flows.AffineCoupling`
math) and names the usual mistakes.
"""

from __future__ import annotations

import torch

from course_lib.checks import ExerciseError, attempt, diagnose, report_close
from course_lib.flows import AffineCoupling, FlowOutput


def _conditioner(x_a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed, non-trivial map ``[B, C/2, T] -> (shift, log_scale)`` each ``[B, C/2, T]``."""
    generator = torch.Generator().manual_seed(404)
    half = x_a.shape[1]
    weight = torch.randn(2 * half, half, generator=generator, dtype=x_a.dtype) * 0.5
    stats = torch.einsum("oc,bct->bot", weight, torch.tanh(x_a))
    return stats[:, :half], 0.5 * torch.tanh(stats[:, half:])


def reference_affine_coupling(x, conditioner, reverse: bool = False):
    """The solution: split channels in half, transform the second half given the first."""
    half = x.shape[1] // 2
    x_a, x_b = x[:, :half], x[:, half:]
    shift, log_scale = conditioner(x_a)
    log_det = log_scale.sum(dim=(1, 2))
    if reverse:
        return torch.cat([x_a, (x_b - shift) * torch.exp(-log_scale)], dim=1), -log_det
    return torch.cat([x_a, shift + torch.exp(log_scale) * x_b], dim=1), log_det


def _inputs() -> torch.Tensor:
    return torch.randn(3, 6, 5, generator=torch.Generator().manual_seed(4), dtype=torch.float64)


def _unpack(name: str, got):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise ExerciseError(f"{name}: return a pair (z, log_det), got {type(got).__name__}")
    return got


def check_affine_coupling(fn) -> bool:
    """``fn(x, conditioner, reverse=False) -> (z, log_det)`` with ``log_det [B]``."""
    x = _inputs()
    got = attempt("affine coupling (forward)", fn, x, _conditioner)
    if got is None:
        return False
    z, log_det = _unpack("affine coupling (forward)", got)
    want_z, want_log_det = reference_affine_coupling(x, _conditioner)
    half = x.shape[1] // 2
    shift, log_scale = _conditioner(x[:, :half])
    z_hint = diagnose(z, {
        "Hint: the first half passes through unchanged — only x_b is transformed.":
            torch.cat([shift + torch.exp(log_scale) * x[:, :half], x[:, half:]], dim=1),
        "Hint: scale by exp(log_scale), not by log_scale itself.":
            torch.cat([x[:, :half], shift + log_scale * x[:, half:]], dim=1),
        "Hint: scale first, then shift: z_b = shift + exp(log_scale)·x_b.":
            torch.cat([x[:, :half], (x[:, half:] + shift) * torch.exp(log_scale)], dim=1),
    }, "Hint: z = [x_a, shift + exp(log_scale)·x_b] with (shift, log_scale) = conditioner(x_a).")
    report_close("coupling output z", z, want_z, hint=z_hint)
    det_hint = diagnose(log_det, {
        "Hint: log_det is per utterance: sum over channels and time, keep the batch axis.": log_scale.sum(),
        "Hint: the log-det of z_b = shift + exp(s)·x_b is Σ s, not Σ exp(s).": torch.exp(log_scale).sum(dim=(1, 2)),
    }, "Hint: log_det = log_scale.sum(dim=(1, 2)) — the Jacobian is triangular with exp(s) on its diagonal.")
    report_close("coupling log-determinant", log_det, want_log_det, hint=det_hint)

    back = attempt("affine coupling (reverse)", fn, want_z, _conditioner, True)
    if back is None:
        return False
    x_back, log_det_back = _unpack("affine coupling (reverse)", back)
    report_close("reverse(forward(x)) = x", x_back, x,
                 hint="Hint: undo in the opposite order: x_b = (z_b − shift)·exp(−log_scale).")
    report_close("reverse log-determinant", log_det_back, -want_log_det,
                 hint="Hint: the inverse's log-det is the forward one negated.")
    return True


# ---------------------------------------------------------------- the learner's coupling, used in the toy flow
def coupling_for_the_flow(fn) -> tuple[object, str]:
    """``fn`` when it passes :func:`check_affine_coupling` (run quietly), else :func:`reference_affine_coupling`,
    with a sentence saying which one the lesson's flow will run."""
    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            passed = check_affine_coupling(fn)
    except Exception as err:  # ExerciseError, or the learner's code raising something else
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return reference_affine_coupling, (f"⚠ your affine_coupling does not pass the check yet ({reason}); "
                                           "the flows below use the library's reference_affine_coupling instead")
    if not passed:
        return reference_affine_coupling, ("… your affine_coupling is not written yet: the flows below use the "
                                           "library's reference_affine_coupling (write yours, rerun, and they use it)")
    return fn, "✓ the affine flows below run on your affine_coupling (with the library's conditioner network)"


class LearnerCoupling(AffineCoupling):
    """The library's conditioner (1×1 conv → WaveNet → zero-initialised 1×1 conv) around a coupling
    function ``coupling_fn(x, conditioner, reverse) -> (z, log_det)`` — the exercise's, for instance.

    With :func:`reference_affine_coupling` it computes exactly what :class:`~course_lib.flows.AffineCoupling` does.
    """

    def __init__(self, coupling_fn, channels: int, hidden_channels: int, kernel_size: int, dilation_rate: int,
                 n_layers: int, **kwargs) -> None:
        super().__init__(channels, hidden_channels, kernel_size, dilation_rate, n_layers, **kwargs)
        self.coupling_fn = coupling_fn

    def forward(self, x: torch.Tensor, mask: torch.Tensor, cond: torch.Tensor | None = None,
                reverse: bool = False) -> FlowOutput:
        z, log_det = self.coupling_fn(x * mask, lambda x_a: self.shift_and_log_scale(x_a, mask, cond), reverse)
        return FlowOutput(z * mask, log_det)
