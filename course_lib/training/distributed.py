"""Several processes, one model: PyTorch DistributedDataParallel (DDP) under ``torchrun``.

``torchrun --nproc_per_node N script.py`` starts N copies of the script with ``RANK``,
``LOCAL_RANK`` and ``WORLD_SIZE`` in their environment. The trainer reads them here and

1. joins the process group (NCCL between GPUs, Gloo on the CPU),
2. gives each process its own GPU (``cuda:LOCAL_RANK``),
3. asks the batch sampler for this process's share of every epoch
   (``batch_sampler.set_distributed(rank, num_replicas)``),
4. wraps each trained module in ``DistributedDataParallel``, which averages gradients
   across processes during ``backward()`` so every copy takes the same step,
5. lets only rank 0 show progress, validate, and write checkpoints and samples.

Launched without torchrun (``WORLD_SIZE`` unset or 1) all of this is skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


@dataclass(frozen=True)
class DistributedContext:
    """This process's place among the training processes (rank 0 of 1 when not distributed)."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def from_env(cls) -> DistributedContext:
        """Read torchrun's ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE``."""
        world_size = int(os.environ.get("WORLD_SIZE", "1"))
        if world_size <= 1:
            return cls()
        return cls(
            rank=int(os.environ["RANK"]),
            local_rank=int(os.environ.get("LOCAL_RANK", "0")),
            world_size=world_size,
        )


def distributed_device(context: DistributedContext) -> torch.device:
    """The device for this process: its own GPU when there are GPUs, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", context.local_rank % torch.cuda.device_count())
    return torch.device("cpu")


def init_process_group(context: DistributedContext, device: torch.device) -> bool:
    """Join the process group (NCCL on CUDA, Gloo on CPU); True if this call created it."""
    if not context.enabled or dist.is_initialized():
        return False
    if device.type == "cuda":
        torch.cuda.set_device(device)
    dist.init_process_group(
        backend="nccl" if device.type == "cuda" else "gloo",
        rank=context.rank,
        world_size=context.world_size,
    )
    return True


def wrap_module(module: nn.Module, device: torch.device, find_unused_parameters: bool) -> nn.Module:
    """``DistributedDataParallel(module)``; modules with nothing to train stay as they are."""
    if not any(parameter.requires_grad for parameter in module.parameters()):
        return module
    return DistributedDataParallel(
        module,
        device_ids=[device.index] if device.type == "cuda" else None,
        find_unused_parameters=find_unused_parameters,
    )


def any_rank(flag: bool, context: DistributedContext, device: torch.device) -> bool:
    """True on every process if ``flag`` is True on any one (so all stop together)."""
    if not context.enabled:
        return flag
    value = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item() > 0)


def shard_batches(loader, context: DistributedContext) -> None:
    """Give this process its share of every epoch: ``batch_sampler.set_distributed(rank, world_size)``.

    A DataLoader built with a ``DistributedSampler`` is already sharded; any other loader
    would feed every process the same batches, so it is refused.
    """
    batch_sampler = getattr(loader, "batch_sampler", None)
    if hasattr(batch_sampler, "set_distributed"):
        batch_sampler.set_distributed(context.rank, context.world_size)
    elif not isinstance(getattr(loader, "sampler", None), torch.utils.data.DistributedSampler):
        raise ValueError(
            "under torchrun every process needs its own share of the data: use a batch sampler "
            "with set_distributed(rank, num_replicas) (course_lib.data's LengthBucketSampler) "
            "or a DataLoader with a torch.utils.data.DistributedSampler"
        )
