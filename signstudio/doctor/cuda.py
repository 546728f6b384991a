"""The GPU torch sees, or that models run on the CPU."""

from __future__ import annotations

import contextlib
from typing import Any

from signstudio.doctor.check import FAIL, INFO, OK, Check


def check_cuda() -> Check:
    try:
        import torch
    except Exception as exc:
        return Check(
            "CUDA",
            FAIL,
            f"torch cannot be imported ({type(exc).__name__}: {exc})",
            "reinstall the pinned torch, the CPU wheel (see the torch line above): "
            "pip install -e . --index-url https://download.pytorch.org/whl/cpu",
        )
    built = torch.version.cuda
    data: dict[str, Any] = {"torch": torch.__version__, "cuda_build": built, "devices": []}
    if not torch.cuda.is_available():
        if built:
            why = f"torch {torch.__version__} is built for CUDA {built} but sees no GPU (driver?)"
        else:
            why = f"torch {torch.__version__} is the CPU build"
        return Check("CUDA", INFO, f"no CUDA GPU: models run on the CPU ({why})", data=data)
    devices = []
    for i in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(i)
        total = props.total_memory / 2**30
        dev = {
            "index": i,
            "name": props.name,
            "total_gib": round(total, 1),
            "capability": f"{props.major}.{props.minor}",
        }
        with contextlib.suppress(RuntimeError):
            free, _ = torch.cuda.mem_get_info(i)
            dev["free_gib"] = round(free / 2**30, 1)
        devices.append(dev)
    data["devices"] = devices
    text = "; ".join(
        f"cuda:{d['index']} {d['name']}, {d['total_gib']:.1f} GiB"
        + (f" ({d['free_gib']:.1f} GiB free)" if "free_gib" in d else "")
        + f", compute {d['capability']}"
        for d in devices
    )
    return Check("CUDA", OK, f"{text}; torch {torch.__version__}, CUDA {built}", data=data)
