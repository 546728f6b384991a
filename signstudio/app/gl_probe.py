"""Create a Qt OpenGL context and print what it is, as one line of JSON.

    python -m signstudio.app.gl_probe
    {"ok": true, "platform": "xcb", "renderer": "llvmpipe (LLVM 15.0.6, 256 bits)",
     "version": "4.5 (Compatibility Profile) Mesa 22.3.6", "vendor": "Mesa", "glsl": "4.50",
     "context": [4, 5], "profile": "compatibility", "gles": false, "qt": "6.11.3", "pyside6": "6.11.3"}

`signstudio doctor` (`signstudio.doctor`) runs this in a subprocess: a display that is
missing or broken, or a Qt platform plugin whose libraries are missing, can abort the process
(Qt calls ``abort()`` when no platform plugin loads), and that must not take the caller with it.
The context is made the way the studio's GL views get theirs (Qt's default surface format, on
an offscreen surface of the same platform), so the answer is what the viewport will see.

Exit status: 0 with ``"ok": true``; 1 with ``"ok": false`` and ``"error"`` when Qt started but
no context could be made current; anything else (Qt aborting) leaves no JSON on stdout and the
caller reads Qt's own message from stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

GL_VENDOR, GL_RENDERER, GL_VERSION, GL_SHADING_LANGUAGE_VERSION = 0x1F00, 0x1F01, 0x1F02, 0x8B8C


def probe() -> dict[str, Any]:
    """What an OpenGL context made here is (needs a QGuiApplication-capable platform)."""
    import PySide6
    from PySide6 import QtCore, QtGui

    app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication(["signstudio-gl-probe"])
    out: dict[str, Any] = {
        "ok": False,
        "platform": QtGui.QGuiApplication.platformName(),
        "qt": QtCore.qVersion(),
        "pyside6": PySide6.__version__,
    }
    context = QtGui.QOpenGLContext()
    if not context.create():
        out["error"] = f"Qt's {out['platform']!r} platform could not create an OpenGL context"
        return out
    surface = QtGui.QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    if not context.makeCurrent(surface):
        out["error"] = "an OpenGL context was created but could not be made current"
        return out
    try:
        funcs = context.functions()
        strings = {}
        for key, enum in (
            ("renderer", GL_RENDERER),
            ("version", GL_VERSION),
            ("vendor", GL_VENDOR),
            ("glsl", GL_SHADING_LANGUAGE_VERSION),
        ):
            value = funcs.glGetString(enum)
            strings[key] = value.decode() if isinstance(value, bytes) else str(value or "")
        fmt = context.format()
        profiles = {
            QtGui.QSurfaceFormat.OpenGLContextProfile.CoreProfile: "core",
            QtGui.QSurfaceFormat.OpenGLContextProfile.CompatibilityProfile: "compatibility",
        }
        out.update(strings)
        out.update(
            ok=bool(strings["renderer"] and strings["version"]),
            context=[fmt.majorVersion(), fmt.minorVersion()],
            profile=profiles.get(fmt.profile(), "none"),
            gles=context.isOpenGLES(),
        )
        if not out["ok"]:
            out["error"] = "the OpenGL context reports no renderer or version"
    finally:
        context.doneCurrent()
        surface.destroy()
    del app
    return out


def main() -> int:
    try:
        result = probe()
    except ImportError as exc:
        result = {"ok": False, "error": f"PySide6 cannot be imported: {exc}"}
    except Exception as exc:  # report anything else as the one line the caller parses
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result), flush=True)
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
