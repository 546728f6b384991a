"""What every trainer repeats, written once: the optimizer step, and for the trainers with a dev
set the step / evaluate-on-dev / keep-best-and-save loop.

    loop = TrainingLoop(Path(cfg.out), rank=rank, world=world, device=device)
    if loop.last.exists():
        loop.resume(loop.load_last()["extra"])   # step, wall time, best score, log
    loop.run(total_steps, train_step, lambda: loop.evaluate_and_save(evaluate, save, opt, extra), ...)

``train_step()`` trains one batch at ``loop.step`` (`optimizer_step`) and returns its loss;
``evaluate()`` returns the dev score (lower is better) and the fields of its ``log.json`` entry;
``save(path, extra)`` writes a checkpoint (``extra`` None for ``best.pt``, the resume state for
``last.pt``); ``extra()`` adds the trainer's own resume state. Under DDP (``world`` > 1) rank 0
alone evaluates and saves, and a time limit stops every rank at the same step.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import torch

Evaluate = Callable[[], tuple[float, dict[str, Any]]]
Save = Callable[[Path, "dict[str, Any] | None"], None]


def optimizer_step(
    opt: torch.optim.Optimizer,
    loss: torch.Tensor,
    lr: float,
    clip: Iterable[torch.Tensor] | None = None,
    world: int = 1,
) -> None:
    """Backward, average the gradients over the ``world`` ranks (when > 1: every rank then steps
    alike, as DistributedDataParallel would), clip the gradient norm to 1 over ``clip`` (if
    given), set ``lr``, step."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if world > 1:
        average_gradients([p for g in opt.param_groups for p in g["params"]], world)
    if clip is not None:
        torch.nn.utils.clip_grad_norm_(clip, 1.0)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()


def average_gradients(params: list[torch.Tensor], world: int) -> None:
    """All-reduce and average ``params``' gradients (a missing one counts as 0, so every rank
    reduces the same tensors in the same order)."""
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    grads = [p.grad for p in params if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    torch.distributed.all_reduce(flat)
    flat /= world
    offset = 0
    for g in grads:
        g.copy_(flat[offset : offset + g.numel()].view_as(g))
        offset += g.numel()


def start_distributed(device: str) -> tuple[int, int, str]:
    """(rank, world size, device) of this process; under torchrun (WORLD_SIZE > 1) the process
    group is initialised: gloo on CPU, nccl on CUDA. ``device`` auto | cpu | cuda | cuda:N."""
    import os

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", str(rank)))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda was asked for, but torch sees no CUDA GPU")
        if device == "cuda":
            device = f"cuda:{local_rank}"
        torch.cuda.set_device(device)
    if world > 1 and not torch.distributed.is_initialized():
        torch.distributed.init_process_group(
            "nccl" if device.startswith("cuda") else "gloo", rank=rank, world_size=world
        )
    return rank, world, device


def stop_distributed(world: int) -> None:
    if world > 1 and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def broadcast_parameters(module: torch.nn.Module, world: int) -> None:
    """Rank 0's weights on every rank (after a start that might differ between ranks)."""
    if world > 1:
        for t in module.state_dict().values():
            torch.distributed.broadcast(t, 0)


class TrainingLoop:
    """A run's progress in ``out`` (``last.pt`` resumable, ``best.pt``, ``log.json``): the step,
    the wall time (resumed runs carry theirs over), the best dev score, the evaluation log."""

    def __init__(self, out: Path, *, rank: int = 0, world: int = 1, device: str = "cpu"):
        self.out, self.rank, self.world, self.device = out, rank, world, device
        self.last, self.best = out / "last.pt", out / "best.pt"
        self.step, self.best_score = 0, math.inf
        self.elapsed_before = 0.0
        self.eval_seconds = 0.0  # evaluation time so far (resumed runs carry it over)
        self.log: list[dict[str, Any]] = []
        self.started = time.perf_counter()

    def resume(self, extra: dict[str, Any]) -> None:
        """Continue from the resume state a ``last.pt`` holds (its ``extra``)."""
        self.step, self.elapsed_before = int(extra["step"]), float(extra["wall_s"])
        self.best_score = float(extra["best_score"])
        self.eval_seconds = float(extra.get("eval_s", 0.0))
        self.log = list(extra["log"])
        self.started = time.perf_counter()

    def load_last(self) -> dict[str, Any]:
        """``last.pt`` to resume from; one that cannot be used (truncated by a kill or a full disk,
        damaged) is one line saying what to do, not a traceback."""
        from signstudio.modeling.checkpoint import CheckpointError, load_checkpoint

        try:
            return load_checkpoint(self.last, map_location=self.device)
        except CheckpointError as exc:
            raise exc.with_remedy(
                "this run cannot resume from it: delete it to start the run over (best.pt is kept), "
                "or train into another --out"
            ) from None

    def wall(self) -> float:
        return self.elapsed_before + time.perf_counter() - self.started

    def best_or_none(self) -> float | None:
        return self.best_score if math.isfinite(self.best_score) else None

    def evaluate_and_save(
        self,
        evaluate: Evaluate,
        save: Save,
        optimizer: torch.optim.Optimizer,
        resume_extra: Callable[[], dict[str, Any]],
    ) -> None:
        """Rank 0: score dev, log it, save ``best.pt`` if better, then ``last.pt`` and ``log.json``."""
        if self.rank == 0:
            t0 = time.perf_counter()
            score, fields = evaluate()
            self.eval_seconds += time.perf_counter() - t0
            entry = {
                "wall_s": round(self.wall(), 3),
                "train_s": round(self.wall() - self.eval_seconds, 3),  # wall time minus all evaluations
                "eval_s": round(time.perf_counter() - t0, 3),
                "step": self.step,
                **fields,
            }
            self.log.append(entry)
            if score < self.best_score:
                self.best_score = score
                save(self.best, None)
            extra = {
                "optimizer": optimizer.state_dict(),
                "step": self.step,
                "wall_s": self.wall(),
                "best_score": self.best_score,
                "eval_s": self.eval_seconds,
                "log": self.log,
                **resume_extra(),
            }
            save(self.last, extra)
            (self.out / "log.json").write_text(json.dumps(self.log, indent=1), encoding="utf-8")
        if self.world > 1:
            torch.distributed.barrier()

    def run(
        self,
        total_steps: int,
        train_step: Callable[[], float],
        evaluate_and_save: Callable[[], None],
        *,
        eval_every: int,
        max_minutes: float | None,
        progress: bool,
        desc: str,
    ) -> None:
        """Train until ``total_steps`` (or ``max_minutes``), evaluating every ``eval_every`` steps
        and once at the end (unless the last step was just evaluated)."""
        from tqdm import tqdm

        limit_s = max_minutes * 60 if max_minutes else math.inf
        bar = tqdm(total=total_steps, initial=self.step, disable=not progress or self.rank != 0, desc=desc)
        last_eval = self.step
        while self.step < total_steps:
            loss_value = train_step()
            self.step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss_value:.4f}")
            stop = self._out_of_time(limit_s)
            if self.step - last_eval >= eval_every and not stop and self.step < total_steps:
                evaluate_and_save()
                last_eval = self.step
            if stop:
                break
        bar.close()
        if self.step != last_eval or not self.log:
            evaluate_and_save()

    def _out_of_time(self, limit_s: float) -> bool:
        stop = self.wall() >= limit_s
        if self.world > 1:  # every rank stops at the same step
            flag = torch.tensor([float(stop)], device=self.device)
            torch.distributed.all_reduce(flag)
            stop = bool(flag.item() > 0)
        return stop
