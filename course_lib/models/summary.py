"""Parameter counts, total and per top-level submodule."""

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
