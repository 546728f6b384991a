"""The display and a real Qt OpenGL context, probed in a subprocess (`signstudio.app.gl_probe`).

`display_problem` is the same verdict as one line for the commands that need a display
(`signstudio render`, `signstudio app`): Qt itself aborts the process (SIGABRT, a screen of plugin
text) when its platform plugin cannot connect, so the commands ask first, before Qt starts, and
print "no display: run under xvfb-run (e.g. xvfb-run -a signstudio render ...)" with exit 2. Beyond
`check_display` it connects to the X server that ``DISPLAY`` names (its socket; no X library), so
a ``DISPLAY`` left over from a closed session is found too.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from signstudio.doctor.check import BOOTSTRAP, FAIL, INFO, OK, SKIP, WARN, Check, repo_root

XVFB_COMMAND = "xvfb-run -a -s '-screen 0 1600x1000x24' signstudio app"
#: The oldest OpenGL the viewport draws with (GLSL 1.20), and the one its bone quads need.
GL_MIN, GL_QUADS = (2, 1), (3, 1)
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "microsoft basic render")
PROBE_TIMEOUT_S = 30.0
NO_GL_PLATFORMS = ("offscreen", "minimal")


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def _xvfb_available() -> bool:
    return bool(shutil.which("xvfb-run") and shutil.which("Xvfb"))


def check_display(env: dict[str, str] | None = None, platform: str | None = None) -> Check:
    env = dict(os.environ if env is None else env)
    platform = platform or sys.platform
    qpa = env.get("QT_QPA_PLATFORM", "")
    plugin = qpa.split(":")[0].split(";")[0].strip().lower()
    data = {k: env.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if plugin in NO_GL_PLATFORMS:
        return Check(
            "display",
            FAIL,
            f"QT_QPA_PLATFORM={qpa}: Qt's {plugin} platform has no OpenGL, the viewport cannot draw",
            "unset QT_QPA_PLATFORM (or set it to xcb) and run on a display, or under Xvfb: "
            f"QT_QPA_PLATFORM=xcb {XVFB_COMMAND}",
            data,
        )
    if platform != "linux":
        return Check("display", OK, f"{platform}: Qt uses the native window system", data=data)
    if plugin and not plugin.startswith(("xcb", "wayland")):
        return Check(
            "display",
            INFO,
            f"QT_QPA_PLATFORM={qpa}: Qt's {plugin} platform (the OpenGL probe decides)",
            data=data,
        )
    shown = [f"{k}={env[k]}" for k in ("DISPLAY", "WAYLAND_DISPLAY") if env.get(k)]
    if shown:
        kind = "X11" if env.get("DISPLAY") else "Wayland"
        if env.get("DISPLAY") and env.get("WAYLAND_DISPLAY"):
            kind = "X11 and Wayland"
        via = f", Qt platform {qpa}" if qpa else ""
        return Check("display", OK, f"{' '.join(shown)} ({kind}{via})", data=data)
    if _xvfb_available():
        remedy = (
            f"run on a desktop (or ssh -X), or under a virtual display: {XVFB_COMMAND} "
            f"--screenshot studio.png --quit (or {BOOTSTRAP})"
        )
    else:
        remedy = (
            "run on a desktop (or ssh -X), or install Xvfb (apt-get install xvfb xauth; "
            f"{BOOTSTRAP} does it as root) and run under {XVFB_COMMAND}"
        )
    return Check(
        "display",
        FAIL,
        "no display: DISPLAY and WAYLAND_DISPLAY are unset; the studio window needs one "
        "(Qt's offscreen platform has no OpenGL)",
        remedy,
        data,
    )


def x_server_answers(display: str, timeout: float = 2.0) -> bool | None:
    """Whether an X server accepts a connection at ``display`` (``:0``, ``:99.0``,
    ``localhost:10.0``, ``unix:1``), as libxcb would connect; None when ``display`` cannot be
    parsed (then Qt decides)."""
    m = re.fullmatch(r"(?P<host>[^:]*):(?P<num>\d+)(?:\.\d+)?", display.strip())
    if m is None:
        return None
    host, num = m["host"], int(m["num"])
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{num}"
        for address in ("\0" + path, path):  # the abstract socket first, as libxcb does
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout)
                s.connect(address)
                return True
        if host == "unix":
            return False
        host = "localhost"
    try:
        with socket.create_connection((host, 6000 + num), timeout=timeout):
            return True
    except OSError:
        return False


def display_problem(command: str = "render", env: dict[str, str] | None = None) -> str | None:
    """One line when Qt would find no usable display here (and abort), else None."""
    env = dict(os.environ if env is None else env)
    remedy = f"run under xvfb-run (e.g. xvfb-run -a signstudio {command} ...)"
    check = check_display(env)
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if check.status == FAIL and qpa in NO_GL_PLATFORMS:
        return f"no display: QT_QPA_PLATFORM={qpa} has no OpenGL; unset it and {remedy}"
    if check.status == FAIL:
        return f"no display: {remedy}"
    display = env.get("DISPLAY", "")
    if sys.platform == "linux" and display and not env.get("WAYLAND_DISPLAY") and qpa in ("", "xcb"):
        if x_server_answers(display) is False:
            return f"no display: no X server answers at DISPLAY={display}; {remedy}"
    return None


def start_gl_probe() -> subprocess.Popen[str]:
    """``python -m signstudio.app.gl_probe`` in a subprocess (collect it with `check_opengl`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "signstudio.app.gl_probe"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(repo_root()) if (repo_root() / "signstudio").is_dir() else None,
    )


def _missing_xcb_libraries() -> list[str]:
    """Shared libraries Qt's xcb platform plugin needs that the loader cannot find (ldd)."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")  # where it is, without loading Qt here
    if spec is None or spec.origin is None:
        return []
    qt = Path(spec.origin).parent / "Qt"
    missing: set[str] = set()
    for lib in (
        qt / "plugins" / "platforms" / "libqxcb.so",
        *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1],
    ):
        if not lib.exists() or not shutil.which("ldd"):
            continue
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, timeout=10).stdout
            missing.update(m.group(1) for m in re.finditer(r"^\s*(\S+) => not found", out, re.M))
    return sorted(missing)


def debian_package(soname: str) -> str:
    """A Debian package name for a shared library (libxcb-cursor.so.0 -> libxcb-cursor0)."""
    special = {"libglib-2.0.so.0": "libglib2.0-0", "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1"}
    if soname in special:
        return special[soname]
    m = re.match(r"(lib[\w+\-.]*?)\.so\.(\d+)", soname)
    if not m:
        return soname
    stem, major = m.group(1).lower(), m.group(2)
    return f"{stem}-{major}" if stem[-1].isdigit() else f"{stem}{major}"


def _gl_from_probe(result: dict[str, Any], seconds: float) -> Check:
    if not result.get("ok"):
        error = str(result.get("error", "no OpenGL context"))
        platform = str(result.get("platform", ""))
        libs = sorted(set(re.findall(r"(lib[\w+\-.]*\.so[.\d]*): cannot open shared object file", error)))
        if libs:  # PySide6's Qt libraries need system libraries that are not installed
            packages = " ".join(sorted({debian_package(x) for x in libs}))
            remedy = f"{BOOTSTRAP} (installs them as root), or sudo apt-get install {packages}"
            detail = f"Qt cannot load: missing system libraries {', '.join(libs)} ({error})"
            return Check("OpenGL", FAIL, detail, remedy, {**result, "missing_libraries": libs}, seconds)
        if "cannot be imported" in error:
            return Check(
                "OpenGL", FAIL, error, "pip install -e . (installs the pinned PySide6)", result, seconds
            )
        if platform in NO_GL_PLATFORMS:
            remedy = (
                "unset QT_QPA_PLATFORM and run on a display or under Xvfb: "
                f"QT_QPA_PLATFORM=xcb {XVFB_COMMAND}"
            )
        else:
            remedy = (
                "install Mesa's OpenGL (apt-get install libgl1 libegl1 libgl1-mesa-dri; "
                f"{BOOTSTRAP} does it as root) or the GPU's driver"
            )
        return Check("OpenGL", FAIL, error, remedy, result, seconds)
    context = tuple(result.get("context") or _version_tuple(str(result.get("version", ""))))
    renderer = str(result.get("renderer", ""))
    software = any(s in renderer.lower() for s in SOFTWARE_RENDERERS)
    kind = "software rendering (Mesa llvmpipe)" if "llvmpipe" in renderer.lower() else "software rendering"
    if not software:
        kind = "GPU"
    result = {**result, "software": software}
    detail = (
        f"{kind}: OpenGL {result.get('version')} · renderer {renderer} · vendor {result.get('vendor')} · "
        f"Qt {result.get('qt')} on {result.get('platform')}"
    )
    if result.get("gles"):
        return Check(
            "OpenGL",
            WARN,
            f"{detail}: OpenGL ES, the viewport is written for desktop OpenGL",
            "use a desktop OpenGL driver (Mesa: libgl1-mesa-dri) or QT_OPENGL=desktop",
            result,
            seconds,
        )
    if context < GL_MIN:
        return Check(
            "OpenGL",
            FAIL,
            f"{detail}: the viewport needs OpenGL {GL_MIN[0]}.{GL_MIN[1]} or newer",
            f"install Mesa (apt-get install libgl1-mesa-dri; {BOOTSTRAP}) or a newer GPU driver",
            result,
            seconds,
        )
    if context < GL_QUADS:
        return Check(
            "OpenGL",
            WARN,
            f"{detail}: below {GL_QUADS[0]}.{GL_QUADS[1]}, bones are drawn as 1-pixel lines",
            "a newer driver (Mesa llvmpipe gives 4.5) draws bones as antialiased quads",
            result,
            seconds,
        )
    return Check("OpenGL", OK, detail, data=result, seconds=seconds)


def check_opengl(
    display: Check | None = None, proc: subprocess.Popen[str] | None = None, timeout: float = PROBE_TIMEOUT_S
) -> Check:
    """A real Qt OpenGL context's renderer, version and vendor (skipped without a display)."""
    t0 = time.perf_counter()
    if display is not None and display.blocks:
        return Check("OpenGL", SKIP, "not probed: no usable display (see above)")
    try:
        proc = proc or start_gl_probe()
    except OSError as exc:
        return Check("OpenGL", FAIL, f"cannot start the OpenGL probe: {exc}", "reinstall: pip install -e .")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return Check(
            "OpenGL",
            FAIL,
            f"the OpenGL probe hung for {timeout:.0f} s (a display that does not answer?)",
            "check that the X server of DISPLAY is running; or run under Xvfb: " + XVFB_COMMAND,
            seconds=time.perf_counter() - t0,
        )
    seconds = time.perf_counter() - t0
    result: dict[str, Any] | None = None
    for line in reversed(out.strip().splitlines()):
        with contextlib.suppress(ValueError):
            parsed = json.loads(line)
            if isinstance(parsed, dict):
                result = parsed
                break
    if result is not None:
        return _gl_from_probe(result, seconds)
    # Qt gave up before the probe could answer (it aborts when no platform plugin loads).
    lines = [s.strip() for s in err.splitlines() if s.strip()]
    data: dict[str, Any] = {"returncode": proc.returncode, "stderr": lines[-12:]}
    connect = next((s for s in lines if "could not connect to display" in s), None)
    if connect is not None:
        where = connect.rsplit("display", 1)[-1].strip() or os.environ.get("DISPLAY", "")
        return Check(
            "OpenGL",
            FAIL,
            f"Qt could not connect to display {where!s}: no X server answers there",
            "start the X server (or fix DISPLAY), or run under a virtual display: " + XVFB_COMMAND,
            data,
            seconds,
        )
    missing = _missing_xcb_libraries()
    data["missing_libraries"] = missing
    if missing:
        packages = sorted({debian_package(s) for s in missing})
        return Check(
            "OpenGL",
            FAIL,
            f"Qt's xcb platform plugin does not load: missing {', '.join(missing)}",
            f"{BOOTSTRAP} (installs them as root), or sudo apt-get install {' '.join(packages)}",
            data,
            seconds,
        )
    why = next((s for s in lines if "Could not load the Qt platform plugin" in s), None)
    why = why or (lines[-1] if lines else f"exit status {proc.returncode}")
    return Check(
        "OpenGL",
        FAIL,
        f"the OpenGL probe failed (exit {proc.returncode}): {why}",
        f"QT_DEBUG_PLUGINS=1 {Path(sys.executable).name} -m signstudio.app.gl_probe shows Qt's details; "
        f"{BOOTSTRAP} installs the system libraries Qt needs",
        data,
        seconds,
    )
