"""The shipped checkpoints in models/: size, sha256 against models/SHA256SUMS, sidecar, that each loads.

A damaged checkpoint is a FAIL with the remedy (restore it from the repository, or retrain): its
sha256 differs from models/SHA256SUMS, its digest (`signstudio.modeling.checkpoint.payload_digest`)
does not match, or it does not load. The studio does not use such a model (`load_checkpoint`
refuses it in one line). A Git LFS pointer instead of the weights stays a warn (nothing is
damaged; ``git lfs pull`` fetches them).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from signstudio.doctor.check import FAIL, OK, WARN, Check, human_size


class _Refused(ValueError):
    """Our own reason a checkpoint that torch reads is refused (library text never reaches a user)."""


def check_checkpoint(path: Path, expected_sha: str | None = None, torch_ok: bool = True) -> Check:
    """One shipped checkpoint: size, sha256, sidecar, and that it loads (weights_only, ~25 ms)."""
    from signstudio.modeling.checkpoint import DIGEST_KEY, FORMAT, payload_digest
    from signstudio.modeling.shipped_models import file_sha256, read_sidecar

    model_id = path.stem
    name = f"model {model_id}"
    t0 = time.perf_counter()
    size = path.stat().st_size
    digest = file_sha256(path)
    data: dict[str, Any] = {"path": str(path), "bytes": size, "sha256": digest}
    head = f"{human_size(size)}, sha256 {digest[:12]}"
    restore = (
        f"restore models/{model_id}/ from the repository (git checkout -- models/{model_id}), "
        f"or retrain it: signstudio train {model_id}"
    )
    with path.open("rb") as fh:
        start = fh.read(64)
    if start.startswith(b"version https://git-lfs"):
        return Check(name, WARN, f"{head}: a Git LFS pointer, not the weights", "git lfs pull", data)
    if expected_sha is not None and digest != expected_sha:
        data["expected_sha256"] = expected_sha
        return Check(
            name,
            FAIL,
            f"{head}: damaged, differs from models/SHA256SUMS ({expected_sha[:12]}); the studio refuses it",
            restore,
            data,
        )
    side = read_sidecar(path)
    langs = " ".join(side["languages"]) if side else ""
    data["languages"] = list(side["languages"]) if side else None
    if torch_ok:
        try:
            import torch

            ckpt = torch.load(path, map_location="cpu", weights_only=True)
            if ckpt.get("format") != FORMAT or ckpt.get("model_id") != model_id:
                raise _Refused(f"format {ckpt.get('format')!r}, model id {ckpt.get('model_id')!r}")
            if ckpt.get(DIGEST_KEY) is not None and ckpt[DIGEST_KEY] != payload_digest(ckpt):
                raise _Refused("its weights do not match the digest saved with them")
            params = sum(int(t.numel()) for t in ckpt["state_dict"].values() if hasattr(t, "numel"))
            data.update(parameters=params, half=bool(ckpt.get("half")))
            head += f", {params / 1e6:.2f} M parameters{' fp16' if ckpt.get('half') else ''}, loads"
        except Exception as exc:
            why = str(exc) if isinstance(exc, _Refused) else "truncated, damaged or not a checkpoint"
            return Check(
                name,
                FAIL,
                f"{head}: damaged, does not load ({why})",
                restore,
                data,
                time.perf_counter() - t0,
            )
    seconds = time.perf_counter() - t0
    if expected_sha is not None:
        head += ", hash as in SHA256SUMS"
    if side is None and path.parent.joinpath("MODEL_CARD.md").exists() and _is_studio_model(model_id):
        return Check(
            name,
            WARN,
            f"{head}; no readable sidecar {path.with_suffix('.json').name}: the studio does not offer it",
            restore,
            data,
            seconds,
        )
    return Check(name, OK, f"{head}" + (f"; {langs}" if langs else ""), data=data, seconds=seconds)


def _is_studio_model(model_id: str) -> bool:
    from signstudio.modeling import shipped_models as shipped

    return model_id in (shipped.MLSF_ID, shipped.P2LG_ID, shipped.NARKD_ID, shipped.DIFFUSION_ID)


def check_checkpoints(models_dir: Path | None = None) -> list[Check]:
    """One line per shipped checkpoint ``models/<id>/<id>.pt``."""
    from signstudio.modeling.shipped_models import MODELS_DIR, read_manifest

    models_dir = Path(models_dir or MODELS_DIR)
    paths = sorted(
        d / f"{d.name}.pt"
        for d in (models_dir.iterdir() if models_dir.is_dir() else [])
        if (d / f"{d.name}.pt").is_file()
    )
    if not paths:
        return [
            Check(
                "models",
                WARN,
                f"no shipped checkpoints in {models_dir}: "
                "only the lookup model and the baselines are offered",
                "run from a checkout of the repository (it ships models/), "
                "or train one: signstudio train MODEL",
                {"models_dir": str(models_dir)},
            )
        ]
    try:
        import torch  # noqa: F401  - once, for every checkpoint

        torch_ok = True
    except Exception:
        torch_ok = False
    manifest = read_manifest(models_dir)
    return [check_checkpoint(p, manifest.get(p.relative_to(models_dir).as_posix()), torch_ok) for p in paths]
