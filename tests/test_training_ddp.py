"""Data-parallel training under torchrun, on the CPU with the Gloo backend (2 processes)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

PROJECT_DIR = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import torch
    from torch import nn
    from torch.utils.data import DataLoader
    from course_lib.data.sampler import LengthBucketSampler
    from course_lib.training import Phase, TrainConfig, Trainer

    torch.set_num_threads(1)
    out_dir = sys.argv[1]
    targets = torch.linspace(-1, 1, 32).unsqueeze(1)

    class Task:
        def __init__(self):
            torch.manual_seed(int(os.environ["RANK"]))  # different inits: DDP must broadcast rank 0's
            self.model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
            self.modules = {"model": self.model}
            self.optimizers = {"model": torch.optim.SGD(self.model.parameters(), lr=0.1)}
            self.schedulers = {}
            self.phases = [Phase("model", "model", self.loss_fn)]
            self.seen = []

        def loss_fn(self, indices, cache):
            self.seen.extend(indices.tolist())
            x = indices.float().unsqueeze(1) / 32
            return (self.modules["model"](x) - targets[indices]).pow(2).mean(), {}

    task = Task()
    sampler = LengthBucketSampler([1] * 32, batch_size=4, seed=3)
    loader = DataLoader(range(32), batch_sampler=sampler)
    trainer = Trainer(task, TrainConfig(steps=6, log_every=1, out_dir=out_dir, progress=False))
    history = trainer.fit(loader)
    rank = int(os.environ["RANK"])
    weights = torch.cat([p.detach().flatten() for p in task.model.parameters()]).tolist()
    with open(os.path.join(out_dir, f"rank{rank}.json"), "w") as file:
        json.dump({"seen": task.seen, "weights": weights, "rows": len(history), "device": str(trainer.device)}, file)
    """
)


@pytest.mark.slow  # three Python processes import torch: ~10 s on a quiet 2-core machine
@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch built without torch.distributed")
def test_torchrun_two_cpu_processes_share_the_data_and_stay_in_sync(tmp_path):
    script = tmp_path / "train_ddp.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR), "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               str(script), str(tmp_path)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]

    ranks = [json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in (0, 1)]
    assert all(r["device"] == "cpu" for r in ranks)
    # 8 batches an epoch, 4 per rank: 6 steps cross an epoch end; each batch is 4 items
    assert len(ranks[0]["seen"]) == len(ranks[1]["seen"]) == 24
    first_epoch = [set(r["seen"][:16]) for r in ranks]
    assert not first_epoch[0] & first_epoch[1], "both ranks saw the same items"
    assert first_epoch[0] | first_epoch[1] == set(range(32))
    assert ranks[0]["weights"] == pytest.approx(ranks[1]["weights"], abs=1e-6)  # DDP kept them in sync
    assert ranks[0]["rows"] == 6
    assert (tmp_path / "checkpoint.pt").is_file() and not list(tmp_path.glob(".*.tmp"))
