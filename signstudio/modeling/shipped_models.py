"""Where shipped checkpoints live, and their registry entries, without importing torch.

A trained ``signllm-mlsf`` checkpoint ``models/signllm-mlsf/signllm-mlsf.pt`` has a sidecar
``signllm-mlsf.json`` (written by the trainer's export) listing its languages, so the registry
can describe the model at start-up without loading torch. No checkpoint -> no entry
(`shipped_entries` is empty), and `signstudio.modeling.models.signllm_mlsf.SignLLMMLSF` raises a
`ModelError` saying how to train one.

``models/SHA256SUMS`` (``sha256sum`` format, paths relative to models/) records the sha256 of every
shipped checkpoint. `load_checkpoint` checks a file listed there before it uses it (a mismatch is
one line: reinstall it), doctor reports a mismatch as a FAIL, and writing a checkpoint into
models/ (the trainers' ``export``) updates its line (`record_sha256`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from signstudio.modeling.base import ModelInfo, ModelSetting

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
MLSF_ID = "signllm-mlsf"
MLSF_CHECKPOINT = MODELS_DIR / MLSF_ID / f"{MLSF_ID}.pt"
MLSF_FACTORY = "signstudio.modeling.models.signllm_mlsf:SignLLMMLSF"
P2LG_ID = "signllm-p2lg"
P2LG_CHECKPOINT = MODELS_DIR / P2LG_ID / f"{P2LG_ID}.pt"
P2LG_FACTORY = "signstudio.modeling.models.signllm_p2lg:SignLLMP2LG"
NARKD_ID = "nar-kd"
NARKD_CHECKPOINT = MODELS_DIR / NARKD_ID / f"{NARKD_ID}.pt"
NARKD_FACTORY = "signstudio.modeling.models.nar_kd:NARKDModel"
DIFFUSION_ID = "diffusion"
DIFFUSION_CHECKPOINT = MODELS_DIR / DIFFUSION_ID / f"{DIFFUSION_ID}.pt"
DIFFUSION_FACTORY = "signstudio.modeling.models.diffusion:DiffusionModel"


MANIFEST = "SHA256SUMS"


def read_manifest(models_dir: Path | None = None) -> dict[str, str]:
    """Expected sha256 per path relative to models/ (empty without a readable manifest)."""
    path = Path(models_dir or MODELS_DIR) / MANIFEST
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return out
    for line in text.splitlines():
        parts = line.strip().split(maxsplit=1)
        if len(parts) == 2:
            out[parts[1].lstrip("*").strip()] = parts[0].lower()
    return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def shipped_name(path: Path, models_dir: Path | None = None) -> str | None:
    """``<id>/<id>.pt`` for a file inside models/, else None."""
    try:
        return Path(path).resolve().relative_to(Path(models_dir or MODELS_DIR).resolve()).as_posix()
    except ValueError:
        return None


def expected_sha256(path: Path) -> str | None:
    """The sha256 models/SHA256SUMS records for ``path`` (None: not a listed shipped file)."""
    name = shipped_name(path)
    return None if name is None else read_manifest().get(name)


def record_sha256(path: Path) -> None:
    """Put ``path``'s sha256 into models/SHA256SUMS (a checkpoint just written into models/)."""
    name = shipped_name(path)
    if name is None:
        return
    entries = {**read_manifest(), name: file_sha256(path)}
    manifest = MODELS_DIR / MANIFEST
    tmp = manifest.with_name(f".{MANIFEST}.tmp")
    tmp.write_text("".join(f"{sha}  {n}\n" for n, sha in sorted(entries.items())), encoding="utf-8")
    tmp.replace(manifest)


def sidecar(checkpoint: Path) -> Path:
    return checkpoint.with_suffix(".json")


def make_info(languages: tuple[str, ...]) -> ModelInfo:
    return ModelInfo(
        id=MLSF_ID,
        name="SignLLM MLSF",
        description=(
            "SignLLM's Multi-Language Switching Framework: one text-to-pose transformer per sign "
            "language (progressive-transformer decoder with a counter channel)."
        ),
        languages=tuple(sorted(languages)),
        needs_torch=True,
        kind="neural",
    )


def p2lg_info(languages: tuple[str, ...]) -> ModelInfo:
    return ModelInfo(
        id=P2LG_ID,
        name="SignLLM Prompt2LangGloss",
        description=(
            "SignLLM's Prompt2LangGloss: one shared model writes language-tagged glosses "
            "(ASE_W ASE_A ...) and signs them; it has its own prompt reader (16 spoken languages), "
            "but prompt mode uses the studio's reader for every model."
        ),
        languages=tuple(sorted(languages)),
        needs_torch=True,
        kind="neural",
        reads_prompts=True,
    )


def narkd_info(languages: tuple[str, ...]) -> ModelInfo:
    return ModelInfo(
        id=NARKD_ID,
        name="NAR + knowledge distillation",
        description=(
            "Hwang et al.'s non-autoregressive model: every frame at once from a frozen MiniLM text "
            "encoding, a length regulator and a frame VAE whose encoder taught the latents."
        ),
        languages=tuple(sorted(languages)),
        needs_torch=True,
        kind="neural",
    )


def diffusion_info(languages: tuple[str, ...], steps: int = 20, guidance: float = 2.0) -> ModelInfo:
    settings = (
        ModelSetting(
            "steps",
            "Denoising steps",
            "int",
            5,
            50,
            steps,
            1,
            "DDIM steps: more is slower; the default was chosen by dev DTW (see the model card)",
        ),
        ModelSetting(
            "guidance",
            "Guidance scale",
            "float",
            0.0,
            10.0,
            guidance,
            0.5,
            "classifier-free guidance: 1 = none; higher follows the text more closely",
        ),
    )
    return ModelInfo(
        id=DIFFUSION_ID,
        name="Diffusion sign actor",
        description=(
            "A text-conditioned diffusion model (after Neural Sign Actors) over relative joint "
            "positions; DDIM sampling with classifier-free guidance, steps and guidance adjustable."
        ),
        languages=tuple(sorted(languages)),
        needs_torch=True,
        kind="neural",
        settings=settings,
    )


def _sidecar_languages(checkpoint: Path) -> tuple[str, ...] | None:
    info = read_sidecar(checkpoint)
    return None if info is None else info["languages"]


def read_sidecar(checkpoint: Path) -> dict | None:
    """The sidecar's dict (``languages`` as a tuple) if the checkpoint and a readable sidecar exist."""
    side = sidecar(checkpoint)
    if not checkpoint.exists() or not side.exists():
        return None
    try:
        info = json.loads(side.read_text(encoding="utf-8"))
        info["languages"] = tuple(info["languages"])
        return dict(info)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def mlsf_info(checkpoint: Path | None = None) -> ModelInfo | None:
    """The entry for a checkpoint with a readable sidecar, else None."""
    langs = _sidecar_languages(checkpoint or MLSF_CHECKPOINT)
    return None if langs is None else make_info(langs)


def shipped_entries() -> list[tuple[ModelInfo, str]]:
    """(info, factory) for each shipped neural checkpoint that exists."""
    out = []
    info = mlsf_info()
    if info is not None:
        out.append((info, MLSF_FACTORY))
    langs = _sidecar_languages(P2LG_CHECKPOINT)
    if langs is not None:
        out.append((p2lg_info(langs), P2LG_FACTORY))
    narkd = read_sidecar(NARKD_CHECKPOINT)
    if narkd is not None:
        out.append((narkd_info(narkd["languages"]), NARKD_FACTORY))
    diff = read_sidecar(DIFFUSION_CHECKPOINT)
    if diff is not None:
        defaults = diff.get("sampling", {})
        out.append((diffusion_info(diff["languages"], **defaults), DIFFUSION_FACTORY))
    return out


def family_entry(family: str, languages: tuple[str, ...]) -> tuple[ModelInfo, str] | None:
    """(info, factory) of a model family that generates poses, for a checkpoint of that family
    covering ``languages``; None for a family that does not generate (an evaluator) or is unknown."""
    makers = {
        MLSF_ID: (make_info, MLSF_FACTORY),
        P2LG_ID: (p2lg_info, P2LG_FACTORY),
        NARKD_ID: (narkd_info, NARKD_FACTORY),
        DIFFUSION_ID: (diffusion_info, DIFFUSION_FACTORY),
    }
    if family not in makers:
        return None
    make, factory = makers[family]
    return make(languages), factory


GENERATOR_FAMILIES = (MLSF_ID, P2LG_ID, NARKD_ID, DIFFUSION_ID)
EVALUATOR_FAMILIES = {"fgd-encoder": "--fgd-encoder", "backtranslation": "--backtranslation"}
