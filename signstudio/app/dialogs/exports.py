"""File → Export: the edited sequence (and its pair's scores) in every form a lab needs.

    export(window, "eaf", path)                   # ELAN: text, hands (letters), flags, notes, media
    export(window, "bvh", path, rig="compact")    # BVH for Blender & co (bone lengths fixed)
    export(window, "video", path, reference=True, strip=True)   # mp4 or gif of the viewport
    export(window, "video", path, speed=0.25, size="720p", loops=2, caption="hello")  # a lesson
    export(window, "frames", folder, ...)         # one PNG per frame
    export(window, "metrics", path)               # per-frame DTW/FGD/joint errors, .csv or .json
    export_dialog(window, "bvh")                  # File → Export → …: ask where, export, report
    export_motion_dialog(window)                  # File → Export → SMPL-X motion (.npz)

Pose files (.pose, .npz, .skels, .h5) are File → Save as (they keep everything and are what the
studio reopens); these are one-way exports. Every file is written atomically by the writer it
goes through (`signstudio.pose.formats`, `signstudio.app.render`,
`signstudio.runner.frame_metrics`). The video and PNG frames are rendered off screen in this
process, with a progress dialog; the window waits meanwhile (a render of a 100-frame word takes a
few seconds on a CPU).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6 import QtCore, QtWidgets

from signstudio.app.dialogs.common import as_parent, ask
from signstudio.app.editor import PoseEditor
from signstudio.runner.scoring import PairScores
from signstudio.session.document import PoseDocument
from signstudio.session.studio import StudioState


class ExportSource(Protocol):
    """What an export reads of the studio window (`signstudio.app.window.StudioWindow`)."""

    state: StudioState
    editor: PoseEditor

    @property
    def _scores(self) -> PairScores | None: ...  # of the pair on screen, once scored

    @property
    def document(self) -> PoseDocument | None: ...

    def _status(self, text: str, ms: int = 5000) -> None: ...

    def _error(self, title: str, text: str) -> None: ...

    def _title_for_files(self) -> str: ...

    def export_motion(self, path: str | Path) -> Path: ...


KINDS = {
    "eaf": ("ELAN annotations (.eaf)…", "ELAN (*.eaf)", ".eaf"),
    "bvh": ("BVH motion (.bvh)…", "BVH (*.bvh)", ".bvh"),
    "video": ("Video (.mp4, .gif)…", "Video (*.mp4 *.gif)", ".mp4"),
    "frames": ("PNG frames…", "", ""),
    "metrics": ("Per-frame metrics (.csv, .json)…", "CSV (*.csv);;JSON (*.json)", ".csv"),
}


def export(window: ExportSource, kind: str, path: str | Path, **options: Any) -> Path:
    """Write the window's edited sequence as ``kind`` to ``path``; returns what was written.
    ValueError or FormatError (one line) when it cannot be done."""
    from signstudio.pose import formats

    seq = window.state.sequence
    if seq is None:
        raise ValueError("nothing to export: generate or open a sequence first")
    path = Path(path)
    doc = window.document
    if kind in ("eaf", "bvh"):
        if kind == "eaf" and "media" not in options and window.editor.saved_path is not None:
            options["media"] = window.editor.saved_path  # link the pose file it was saved as
        formats.write(path, seq, format=kind, **options)
        return path
    if kind == "metrics":
        from signstudio.runner.frame_metrics import write_frame_metrics

        scores = window._scores
        if scores is None or window.state.reference is None:
            raise ValueError("per-frame metrics need a reference and its scores (they follow each edit)")
        return write_frame_metrics(
            path,
            scores,
            {"text": seq.meta.get("text"), "sign_language": seq.meta.get("sign_language")},
            fps=seq.fps,
            flags=doc.flags if doc else None,
            notes=doc.notes if doc else None,
        )
    if kind in ("video", "frames"):
        from signstudio.app.render import render

        reference = window.state.reference if options.get("reference", True) else None
        strip = bool(options.get("strip", False)) and reference is not None
        out: str | Path = path
        if kind == "frames":
            path.mkdir(parents=True, exist_ok=True)
            out = f"{path}/"
        progress = options.get("progress")
        scores = window._scores if reference is window.state.reference else None
        render(
            seq,
            out,
            reference,
            strip=strip,
            scores=scores if strip else None,
            progress=progress,
            fitted=_fitted(window, seq, reference),
            **_lesson(options),
        )
        return path
    raise ValueError(f"unknown export {kind!r} (known: {', '.join(KINDS)})")


def export_dialog(window: ExportSource, kind: str) -> Path | None:
    """Ask where (and, for videos and frames, what to show), export, say what was written."""
    seq = window.state.sequence
    if seq is None:
        window._status("Nothing to export: generate or open a sequence first", 6000)
        return None
    title, filters, suffix = KINDS[kind]
    saved = window.editor.saved_path
    name = saved.stem if saved is not None else window._title_for_files()  # follows a Save as
    parent = as_parent(window)
    options: dict[str, Any] = {}
    if kind == "frames":
        chosen = QtWidgets.QFileDialog.getExistingDirectory(
            parent, "Export PNG frames into", str(Path.home())
        )
    else:
        chosen, _ = QtWidgets.QFileDialog.getSaveFileName(
            parent, title.rstrip("…"), f"{name}{suffix}", filters
        )
    if not chosen:
        return None
    if kind == "bvh":
        rig = _bvh_rig(window)
        if rig is None:
            return None
        options["rig"] = rig
    if kind in ("video", "frames"):
        from signstudio.app.dialogs.video_export import video_options

        picked = video_options(window, kind)
        if picked is None:
            return None
        options.update(picked)
        bar = QtWidgets.QProgressDialog("Rendering…", "", 0, seq.num_frames, parent)
        bar.setWindowTitle(title.rstrip("…"))
        bar.setCancelButton(None)
        bar.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        bar.setMinimumDuration(0)

        def progress(done: int, total: int) -> None:
            bar.setMaximum(total)
            bar.setValue(done)

        options["progress"] = progress
    try:
        out = export(window, kind, chosen, **options)
    except (ValueError, OSError) as exc:  # FormatError is a ValueError
        window._error(title.rstrip("…"), str(exc))
        return None
    finally:
        if "progress" in options:
            bar.close()
    window._status(f"Exported {out}", 8000)
    return out


def _bvh_rig(window: ExportSource) -> str | None:
    """Which BVH rig (`signstudio.pose.formats.bvh`): every joint, or body and hands only."""
    dialog = QtWidgets.QDialog(as_parent(window))
    dialog.setWindowTitle("BVH rig")
    dialog.setObjectName("bvh_rig_dialog")
    column = QtWidgets.QVBoxLayout(dialog)
    full = QtWidgets.QRadioButton("Every joint (rooted at the neck)", dialog)
    compact = QtWidgets.QRadioButton("Compact: body and hands, no face points (50 joints)", dialog)
    full.setObjectName("rig_full")
    compact.setObjectName("rig_compact")
    full.setChecked(True)
    column.addWidget(full)
    column.addWidget(compact)
    if not ask(dialog, column):
        return None
    return "compact" if compact.isChecked() else "full"


def _fitted(window: ExportSource, *seqs: Any) -> dict[int, Any]:
    """The studio's fitted avatars of ``seqs`` (by id): the video reuses them, no second fit."""
    controller = getattr(window, "controller", None)
    found = {id(s): controller.avatar_of(s) for s in seqs if s is not None and controller is not None}
    return {k: mesh for k, mesh in found.items() if mesh is not None}


def _lesson(options: dict[str, Any]) -> dict[str, Any]:
    """The lesson options of a video export (`signstudio.app.dialogs.video_export`) as `render`'s
    keywords: avatar, size (a name of `SIZES`), speed, loops, mirror, caption, body."""
    from signstudio.session.render_plan import SIZES

    size = options.get("size", "360p")
    if size not in SIZES:
        raise ValueError(f"size {size!r}: a video is {', '.join(SIZES)}")
    return {
        "avatar": options.get("avatar", "none"),
        "size": SIZES[size],
        "speed": float(options.get("speed", 1.0)),
        "loops": int(options.get("loops", 1)),
        "mirror": bool(options.get("mirror", False)),
        "caption": options.get("caption") or None,
        "body": options.get("body", "both"),
    }


def export_motion_dialog(window: ExportSource) -> None:
    """File → Export → SMPL-X motion: the shown sequence's avatar parameters as AMASS ``.npz``."""
    path, _ = QtWidgets.QFileDialog.getSaveFileName(
        as_parent(window), "Export SMPL-X motion", str(Path.home() / "motion.npz"), "AMASS motion (*.npz)"
    )
    if not path:
        return
    try:
        out = window.export_motion(path)
    except (ValueError, OSError) as exc:
        QtWidgets.QMessageBox.warning(as_parent(window), "Export SMPL-X motion", str(exc))
        return
    window._status(f"Wrote {out}", 6000)


__all__ = ["KINDS", "export", "export_dialog", "export_motion_dialog"]
