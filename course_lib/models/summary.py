"""Parameter counts, total and per top-level submodule (or per sub-discriminator of a discriminator stack)."""

from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn


@dataclass(frozen=True)
class ParamSummary:
    total: int
    parts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"total": self.total, "parts": dict(self.parts)}

    def __str__(self) -> str:
        width = max([len(k) for k in self.parts] + [5])
        lines = [f"{name:<{width}}  {count:>12,}" for name, count in self.parts.items()]
        lines.append(f"{'total':<{width}}  {self.total:>12,}")
        return "\n".join(lines)


def count_parameters(module: nn.Module) -> int:
    """Every ``nn.Parameter`` (weight-norm ``g`` and ``v`` both count, as in the official repos)."""
    return sum(p.numel() for p in module.parameters())


def param_summary(model: nn.Module) -> ParamSummary:
    parts = {name: count_parameters(child) for name, child in model.named_children()}
    return ParamSummary(total=count_parameters(model), parts=parts)


def discriminator_summary(stack: nn.Module) -> ParamSummary:
    """Counts of a discriminator stack (its ``discriminators``), one part per sub-discriminator: ``period_P`` for
    a period discriminator, ``scale`` for a scale one (``scale_1``, ``scale_2``… when there are several)."""
    subs = list(stack.discriminators)
    n_scales = sum(not hasattr(sub, "period") for sub in subs)
    parts, scale = {}, 0
    for sub in subs:
        if hasattr(sub, "period"):
            name = f"period_{sub.period}"
        else:
            scale += 1
            name = "scale" if n_scales == 1 else f"scale_{scale}"
        parts[name] = count_parameters(sub)
    return ParamSummary(total=count_parameters(stack), parts=parts)
