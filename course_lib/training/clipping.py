"""Gradient clipping over one optimizer's parameters, the way the course's models need it.

Glow-TTS clips each gradient element to ±5 (``clip_grad_value_``); Grad-TTS clips the
encoder's and the decoder's gradient norms to 1 separately; HiFi-GAN and VITS do not
clip. :func:`clip_gradients` covers all three: by value, then by L2 norm per parameter
group — an optimizer built with an ``encoder`` group and a ``decoder`` group gets the
Grad-TTS behaviour, one with a single group the usual global norm.
"""

from __future__ import annotations

import torch
from torch.optim import Optimizer


def clip_gradients(optimizer: Optimizer, max_norm: float | None, max_value: float | None) -> float:
    """Clip the gradients of ``optimizer``'s parameters in place; returns their norm before norm clipping.

    By value first (each element into ``[-max_value, max_value]``), then to ``max_norm``
    per parameter group. The returned norm is over all groups — worth logging: a norm
    that keeps growing warns of divergence before the loss turns NaN.
    """
    squared_norms = []
    for group in optimizer.param_groups:
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            continue
        if max_value is not None:
            torch.nn.utils.clip_grad_value_(params, max_value)
        if max_norm is not None:
            norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        else:
            norm = torch.nn.utils.get_total_norm([p.grad for p in params])
        squared_norms.append(norm.float() ** 2)
    if not squared_norms:
        return 0.0
    return float(torch.stack(squared_norms).sum().sqrt())
