"""Where the computation runs: the device (``auto`` = CUDA when present) and the process group.

Nothing in langind calls ``.cuda()``: every room asks :func:`pick_device`. Launched by ``torchrun``
(WORLD_SIZE > 1), :func:`setup_distributed` joins the process group (gloo on CPU, nccl on GPU).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch
import torch.distributed as dist

from langind.errors import LangindError


@dataclass
class Dist:
    """Where this process sits in a (possibly single-process) job."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.world > 1:
            dist.barrier()


def pick_device(name: str, local_rank: int = 0) -> torch.device:
    """``auto`` means CUDA when present, else CPU; never hard-coded."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise LangindError("--device cuda asked for, but no CUDA device is available; use --device cpu")
        if name == "cuda":
            name = f"cuda:{local_rank}"
    try:
        return torch.device(name)
    except RuntimeError:
        raise LangindError(f"unknown device {name!r}; use auto, cpu or cuda[:N]") from None


def setup_distributed(device: str) -> Dist:
    """Join the process group when launched by ``torchrun`` (WORLD_SIZE > 1)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return Dist(device=pick_device(device))
    rank = int(os.environ["RANK"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = pick_device(device, local_rank)
    backend = "nccl" if dev.type == "cuda" else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    return Dist(rank=rank, world=world, local_rank=local_rank, device=dev)


@torch.no_grad()
def ddp_param_divergence(model: torch.nn.Module) -> float:
    """Largest difference of any weight across ranks: 0 means DDP kept the replicas in sync."""
    worst = torch.zeros(1, device=next(model.parameters()).device)
    for p in model.parameters():
        hi = p.detach().clone()
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        worst = torch.maximum(worst, (hi - p).abs().max().reshape(1))
    dist.all_reduce(worst, op=dist.ReduceOp.MAX)
    return float(worst.item())
