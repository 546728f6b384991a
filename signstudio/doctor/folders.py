"""The user's folders: the SMPL-X folder the studio remembers, and the autosave folder."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

from signstudio.doctor.check import INFO, OK, SKIP, WARN, Check

#: (body model, SMPL-X folder) as the studio remembers them: ("mannequin", None), ("smplx", "/models").
BodyChoice = tuple[str, str | None]


def body_from_settings(settings: Any) -> BodyChoice:
    """The (body model, SMPL-X folder) kept in the studio's settings (anything with ``get(key, default)``);
    the app hands its QSettings-backed `Settings`, so this package stays Qt-free."""
    folder = settings.get("smplx_folder")
    return str(settings.get("body_model", "mannequin")), (str(folder) if folder else None)


def check_smplx(
    choice: BodyChoice | None = None, read_choice: Callable[[], BodyChoice] | None = None
) -> Check:
    """The SMPL-X folder the studio remembers: none is fine (the mannequin), a chosen one must hold
    SMPLX_NEUTRAL.npz. ``choice`` when the caller knows it (the window), else ``read_choice()``
    reads the studio's settings (the app owns them: Qt)."""
    if choice is None:
        if read_choice is None:
            return Check("SMPL-X", SKIP, "the studio's settings were not given to the check")
        try:
            choice = read_choice()
        except Exception as exc:  # PySide6 missing: reported above
            return Check(
                "SMPL-X", SKIP, f"the studio's settings cannot be read ({type(exc).__name__}: {exc})"
            )
    body, folder = choice
    data = {"body_model": body, "folder": folder}
    if not folder:
        return Check("SMPL-X", OK, "no SMPL-X folder chosen: the built-in mannequin is used", data=data)
    from signstudio.avatar.bodies import find_smplx_file

    try:
        path = find_smplx_file(folder)
    except ValueError as exc:
        status = WARN if body == "smplx" else INFO
        using = "the studio falls back to the mannequin" if body == "smplx" else "the mannequin is used"
        return Check(
            "SMPL-X",
            status,
            f"{exc} ({using})",
            "View → Body → SMPL-X… and choose the folder that holds SMPLX_NEUTRAL.npz, "
            "or View → Body → Mannequin",
            data,
        )
    data["file"] = str(path)
    using = "in use" if body == "smplx" else "chosen before; the mannequin is in use"
    return Check("SMPL-X", OK, f"{path} ({using})", data=data)


def check_autosave() -> Check:
    """The autosave folder can be created, and a file written there atomically and removed."""
    from signstudio.pose.formats._atomic import atomic_path
    from signstudio.session.autosave import SUFFIX, Autosaver

    folder = Autosaver().folder
    data: dict[str, Any] = {"folder": str(folder), "env": os.environ.get("SIGNSTUDIO_AUTOSAVE_DIR")}
    probe = folder / f".doctor-{os.getpid()}.probe"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(probe) as tmp:
            tmp.write_bytes(b"signstudio doctor\n")
        ok = probe.read_bytes() == b"signstudio doctor\n"
        probe.unlink()
        if not ok:
            raise OSError(f"{probe} did not read back what was written")
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink()
        where = (
            "SIGNSTUDIO_AUTOSAVE_DIR"
            if data["env"]
            else "SIGNSTUDIO_DATA_DIR (autosaves go to its autosave/)"
        )
        return Check(
            "autosave",
            WARN,
            f"cannot write autosaves to {folder} ({exc.strerror or exc}); "
            "unsaved edits would be lost in a crash",
            f"make {folder} writable, or point {where} at a writable folder",
            data,
        )
    waiting = len(list(folder.glob(f"*{SUFFIX}")))
    data["pending"] = waiting
    more = f"; {waiting} autosave(s) waiting to be restored at the next start" if waiting else ""
    return Check("autosave", OK, f"{folder} is writable (atomic write and remove){more}", data=data)
