"""Length-bucketed batches with exact resume and disjoint shares for data-parallel ranks.

Each epoch: shuffle all indices with a generator seeded by ``(seed, epoch)``; cut
the shuffled list into buckets of ``batch_size × bucket_batches``; sort each
bucket by length and cut it into batches (similar lengths → little padding);
shuffle the batch order. The whole epoch is a pure function of
``(lengths, batch_size, seed, epoch)``, so:

* ``set_start(k)`` skips the first ``k`` batches of this rank's epoch — a
  trainer resuming after ``k`` steps sees exactly the batches it would have;
* with ``num_replicas = R`` rank ``r`` takes batches ``r, r + R, r + 2R, …``
  of the same list, after dropping the last ``len % R`` batches so every rank
  takes the same number of steps (required by DistributedDataParallel); ranks
  never share an index.
"""

from __future__ import annotations

import random
from typing import Iterator, Sequence

import numpy as np
import torch


class LengthBucketSampler(torch.utils.data.Sampler):
    """Batch sampler (``DataLoader(batch_sampler=...)``) grouping items of similar length."""

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int = 0, drop_last: bool = False,
                 num_replicas: int = 1, rank: int = 0, bucket_batches: int = 32):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if len(lengths) == 0:
            raise ValueError("no lengths given: the dataset is empty")
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.drop_last = drop_last
        self.bucket_batches = int(bucket_batches)
        self.epoch = 0
        self.start = 0
        self.set_distributed(rank, num_replicas)

    def set_distributed(self, rank: int, num_replicas: int) -> None:
        """Take rank ``rank``'s share of every epoch among ``num_replicas`` processes."""
        if num_replicas < 1 or not 0 <= rank < num_replicas:
            raise ValueError(f"rank {rank} is not among num_replicas={num_replicas} (need 0 <= rank < num_replicas)")
        self.rank, self.num_replicas = int(rank), int(num_replicas)

    def set_epoch(self, epoch: int) -> None:
        """Pick the epoch (its shuffle) and start again from its first batch."""
        self.epoch = int(epoch)
        self.start = 0

    def set_start(self, batch_index: int) -> None:
        """Begin the current epoch at this rank's batch ``batch_index`` (call after :meth:`set_epoch`)."""
        if not 0 <= batch_index <= self.batches_per_epoch:
            raise ValueError(f"start batch {batch_index} is outside the epoch's {self.batches_per_epoch} batches")
        self.start = int(batch_index)

    @property
    def batches_per_epoch(self) -> int:
        """Batches this rank gets in a whole epoch."""
        n = len(self.lengths)
        total = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return total // self.num_replicas

    def epoch_batches(self, epoch: int) -> list[list[int]]:
        """All of this rank's batches of ``epoch``, in order."""
        rng = np.random.default_rng([self.seed, epoch])
        order = rng.permutation(len(self.lengths))
        bucket = self.batch_size * self.bucket_batches
        batches: list[list[int]] = []
        for begin in range(0, len(order), bucket):
            members = order[begin: begin + bucket]
            members = members[np.argsort(self.lengths[members], kind="stable")]
            batches.extend(members[i: i + self.batch_size].tolist() for i in range(0, len(members), self.batch_size))
        if self.drop_last:
            batches = [b for b in batches if len(b) == self.batch_size]
        batches = [batches[i] for i in rng.permutation(len(batches))]
        kept = self.batches_per_epoch * self.num_replicas  # equal steps on every rank
        return batches[:kept][self.rank:: self.num_replicas]

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self.epoch_batches(self.epoch)[self.start:])

    def __len__(self) -> int:
        return self.batches_per_epoch - self.start


def worker_init_fn(worker_id: int) -> None:
    """Seed Python's and NumPy's global generators in a DataLoader worker from torch's per-worker seed.

    (The datasets here draw from explicitly seeded generators; this keeps any
    other library code in the worker reproducible too.)
    """
    seed = torch.initial_seed() % 2**32
    random.seed(seed)
    np.random.seed(seed)
