"""`signstudio doctor` and Help → Diagnostics: what this machine has, and what to do about it.

Each check is a plain function returning `Check` rows (status, what, and for a problem a
remedy); `run_checks` runs them all in the order they are printed:

    python      the interpreter against the package's ``Requires-Python``
    packages    every runtime requirement of signstudio installed and inside its pin
    PySide6     the pinned PySide6-Essentials; 6.12.0 on Python 3.11 is refused (see below)
    torch       the pinned torch, and whether it is the CPU or a CUDA build
    display     DISPLAY (X11, Xvfb) or WAYLAND_DISPLAY, and QT_QPA_PLATFORM
    OpenGL      renderer, version and vendor of a real Qt OpenGL context, software or GPU,
                made by ``python -m signstudio.app.gl_probe`` in a subprocess (a broken display
                or a Qt plugin with missing libraries aborts that process, not this one)
    CUDA        the GPU torch sees and its memory, or that models run on the CPU
    corpus      the built-in corpus cache (`signstudio.corpus.store.default_cache_path`)
    model <id>  each shipped checkpoint in models/: size, sha256, sidecar, and that it loads
    SMPL-X      the SMPL-X folder the studio remembers (QSettings), if one is chosen
    autosave    the autosave folder can be created and written atomically

Pins are read from the installed package's metadata (``importlib.metadata.requires``; from
pyproject.toml in a checkout that was never installed), never written here a second time.

Status words: ``ok``; ``info`` (worth knowing, nothing to do: no GPU); ``warn`` (works, but
something is missing or degraded; a remedy follows); ``FAIL`` (the studio window cannot run
here, or crashes; a remedy follows); ``skip`` (not checked because an earlier check failed).

What blocks the studio (FAIL, exit status 1):

* no display (neither DISPLAY nor WAYLAND_DISPLAY, or Qt's ``offscreen``/``minimal`` platform,
  which have no OpenGL), a display Qt cannot connect to, a Qt platform plugin that does not load
  (missing xcb libraries), or no OpenGL context / OpenGL older than 2.1 (the viewport's shaders
  need GLSL 1.20);
* a runtime requirement that is not installed, a Python older than ``Requires-Python``, and
  PySide6 6.12.0 on Python 3.11 (it leaks a reference to None in QOpenGLBuffer
  release/write/allocate and pyqtgraph's GL items crash after a few thousand repaints; the pin,
  6.11.3, and 6.9.3 pass a 100 000-repaint soak);
* a corpus cache that exists but cannot be read (the studio's first view opens it and stops);
* a missing corpus cache that cannot be built here either (the lexicon recordings of
  spoken-to-signed are missing, or the data folder is not writable): then the built-in corpus is
  unusable.

A corpus cache that is simply not built yet is a ``warn``, named as such with its remedy: the
studio still opens (`signstudio.corpus.lexicon.default_sample` falls back to one recorded letter
clip; the lookup model and references read the lexicon directly), but the corpus browser is
empty and the first view is a single letter instead of a joined word, until
``signstudio corpus build`` (about 30 s, once) makes it. Versions other than the pins, a
damaged or missing shipped checkpoint, a remembered SMPL-X folder without its model file and an
autosave folder that cannot be written are ``warn`` too: the studio runs, with that part
missing. ``signstudio doctor --strict`` exits 1 on warnings as well.

Speed: about 2.5 s on a 2-core machine, most of it importing torch (once, for CUDA and to load
the shipped checkpoints, ~25 ms each); the OpenGL probe (~0.7 s) runs alongside the other checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

OK, INFO, WARN, FAIL, SKIP = "ok", "info", "warn", "FAIL", "skip"
STATUSES = (OK, INFO, WARN, FAIL, SKIP)

XVFB_COMMAND = "xvfb-run -a -s '-screen 0 1600x1000x24' signstudio app"
BOOTSTRAP = "bash packaging/bootstrap.sh studio"
CORPUS_BUILD = "signstudio corpus build (once, about 30 s)"
PYSIDE_DIST = "PySide6-Essentials"
#: PySide6 versions that break the studio, with the Python versions on which they do.
BAD_PYSIDE = {"6.12.0": ((3, 11),)}
PYSIDE_PITFALL = (
    "PySide6 6.12.0 on Python 3.11 leaks a reference to None in QOpenGLBuffer.release/write/allocate: "
    "the viewport crashes after a few thousand repaints"
)
#: The oldest OpenGL the viewport draws with (GLSL 1.20), and the one its bone quads need.
GL_MIN, GL_QUADS = (2, 1), (3, 1)
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "microsoft basic render")
PROBE_TIMEOUT_S = 30.0
MIN_FREE_BYTES = 200 * 2**20  # a corpus build writes ~50 MB
NAME_WIDTH = 21  # "model backtranslation"


@dataclass(frozen=True)
class Check:
    """One line of the report: ``status`` (ok/info/warn/FAIL/skip), what was checked (``name``),
    what was found (``detail``) and, for warn/FAIL, what to do (``remedy``)."""

    name: str
    status: str
    detail: str
    remedy: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def blocks(self) -> bool:
        return self.status == FAIL

    def line(self, name_width: int = NAME_WIDTH) -> str:
        text = f"{self.status:<5} {self.name:<{name_width}} {self.detail}"
        if self.remedy and self.status in (WARN, FAIL):
            text += f"  → {self.remedy}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---- report ---------------------------------------------------------------------------------


def counts(checks: Iterable[Check]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for c in checks:
        out[c.status] += 1
    return out


def exit_code(checks: Iterable[Check], strict: bool = False) -> int:
    """1 when something blocks the studio (or, with ``strict``, when anything warns), else 0."""
    bad = (FAIL, WARN) if strict else (FAIL,)
    return int(any(c.status in bad for c in checks))


def summary(checks: list[Check], seconds: float | None = None) -> str:
    n = counts(checks)
    parts = ", ".join(f"{n[s]} {s}" for s in STATUSES if n[s])
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    blocking = [c.name for c in checks if c.blocks]
    if blocking:
        return f"summary: {len(blocking)} problem(s) block the studio ({', '.join(blocking)}); {parts}{took}"
    if n[WARN]:
        return f"summary: nothing blocks the studio; {n[WARN]} warning(s) above; {parts}{took}"
    return f"summary: nothing blocks the studio; {parts}{took}"


def header() -> str:
    from signstudio import __version__

    return f"signstudio doctor: SignStudio {__version__}, Python {sys.version.split()[0]} on {sys.platform}"


def report_text(checks: list[Check], seconds: float | None = None) -> str:
    width = max([NAME_WIDTH, *(len(c.name) for c in checks)])
    return "\n".join([header(), *(c.line(width) for c in checks), summary(checks, seconds)])


def report_json(checks: list[Check], seconds: float | None = None, strict: bool = False) -> dict[str, Any]:
    from signstudio import __version__

    return {
        "signstudio": __version__,
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "ok": not any(c.blocks for c in checks),
        "exit_code": exit_code(checks, strict),
        "counts": counts(checks),
        "seconds": seconds,
        "checks": [c.to_dict() for c in checks],
    }


# ---- requirements ---------------------------------------------------------------------------


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _pyproject_requirements() -> list[str] | None:
    """The dependencies in pyproject.toml when this package runs from a checkout, else None."""
    import tomllib

    pyproject = _repo_root() / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        with pyproject.open("rb") as fh:
            project = tomllib.load(fh)["project"]
        if project.get("name") != "signstudio":
            return None
        return [str(r) for r in project.get("dependencies", [])]
    except (OSError, KeyError, ValueError):
        return None


def _runtime(reqs: Iterable[str]) -> list[str]:
    return [r for r in reqs if "extra ==" not in r.replace('"', "").replace("'", "")]


def requirements() -> tuple[list[str], bool]:
    """signstudio's runtime requirement strings from its installed metadata, and whether that
    metadata is stale: when the package runs from a checkout whose pyproject.toml asks for
    something else (edited since ``pip install -e .``), the checkout's list is returned."""
    from importlib import metadata

    source = _pyproject_requirements()
    try:
        installed = _runtime(metadata.requires("signstudio") or [])
    except metadata.PackageNotFoundError:
        return (source or []), source is not None
    if source is not None and _canonical(source) != _canonical(installed):
        return source, True
    return installed, False


def _canonical(reqs: Iterable[str]) -> set[tuple[str, str]]:
    out = set()
    for r in reqs:
        name, spec = _parse(r)
        out.add((re.sub(r"[-_.]+", "-", name).lower(), ",".join(sorted(spec.split(",")))))
    return out


def _requires_python() -> str:
    from importlib import metadata

    try:
        return str((metadata.metadata("signstudio").get_all("Requires-Python") or [""])[0])
    except metadata.PackageNotFoundError:
        import tomllib

        with (_repo_root() / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"].get("requires-python", ""))


def _parse(req: str) -> tuple[str, str]:
    """(distribution name, version specifier) of a requirement string."""
    try:
        from packaging.requirements import Requirement

        r = Requirement(req)
        return r.name, str(r.specifier)
    except ImportError:  # pragma: no cover - packaging comes with transformers
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*([^;]*)", req)
        return (m.group(1), m.group(2).strip()) if m else (req, "")


def _satisfies(version: str, spec: str) -> bool:
    if not spec:
        return True
    try:
        from packaging.specifiers import SpecifierSet

        return SpecifierSet(spec).contains(version, prereleases=True)
    except ImportError:  # pragma: no cover
        return all(not s.startswith("==") or version.split("+")[0] == s[2:] for s in spec.split(","))
    except ValueError:
        return False


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


def _installed(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_python() -> Check:
    spec = _requires_python()
    version = sys.version.split()[0]
    detail = f"Python {version} ({sys.executable})"
    if spec and not _satisfies(version, spec):
        return Check(
            "python",
            FAIL,
            f"{detail}; SignStudio needs Python {spec}",
            f"use Python {spec} (python3.11 -m venv .venv, or {BOOTSTRAP})",
            {"version": version, "requires": spec},
        )
    return Check(
        "python", OK, f"{detail}, needs {spec or 'any'}", data={"version": version, "requires": spec}
    )


def check_packages() -> list[Check]:
    """One line for all requirements, then PySide6 and torch each on its own line."""
    rows: dict[str, dict[str, Any]] = {}
    reqs, stale = requirements()
    stale_note = (
        "signstudio's installed metadata is older than pyproject.toml (checked against pyproject.toml)"
        if stale
        else ""
    )
    for req in reqs:
        name, spec = _parse(req)
        version = _installed(name)
        rows[name] = {
            "required": spec,
            "installed": version,
            "satisfied": version is not None and _satisfies(version, spec),
        }
    missing = [n for n, r in rows.items() if r["installed"] is None]
    off_pin = [
        f"{n} {r['installed']} (wants {r['required']})"
        for n, r in rows.items()
        if r["installed"] is not None and not r["satisfied"] and n not in (PYSIDE_DIST, "torch")
    ]
    if missing:
        pkgs = " ".join(f"'{n}{rows[n]['required']}'" for n in missing)
        first = Check(
            "packages",
            FAIL,
            f"{len(missing)} of {len(rows)} requirements not installed: {', '.join(missing)}"
            + (f"; {stale_note}" if stale else ""),
            f"pip install -e . (in the repository), or pip install {pkgs}; or {BOOTSTRAP}",
            {"requirements": rows, "stale_metadata": stale},
        )
    elif off_pin or stale:
        first = Check(
            "packages",
            WARN,
            "; ".join(
                s
                for s in (
                    f"{sum(r['satisfied'] for r in rows.values())} of {len(rows)} requirements as pinned",
                    f"not as pinned: {', '.join(off_pin)}" if off_pin else "",
                    stale_note,
                )
                if s
            ),
            "pip install -e . (in the repository: installs the pinned versions and refreshes the metadata)",
            {"requirements": rows, "stale_metadata": stale},
        )
    else:
        first = Check(
            "packages",
            OK,
            f"all {len(rows)} runtime requirements installed as pinned ("
            + ", ".join(
                f"{n} {rows[n]['installed']}" for n in ("numpy", "pyqtgraph", "PyOpenGL") if n in rows
            )
            + ")",
            data={"requirements": rows},
        )
    return [first, check_pyside(rows.get(PYSIDE_DIST)), check_torch_package(rows.get("torch"))]


def check_pyside(row: dict[str, Any] | None = None, python: tuple[int, int] | None = None) -> Check:
    """The pinned PySide6-Essentials, and the 6.12.0-on-3.11 crash."""
    spec = (row or {}).get("required") or ""
    if row is None:
        spec = next((s for n, s in map(_parse, requirements()[0]) if n == PYSIDE_DIST), "")
        version = _installed(PYSIDE_DIST)
    else:
        version = row.get("installed")
    python = python or (sys.version_info.major, sys.version_info.minor)
    pin = f"{PYSIDE_DIST}{spec}"
    shiboken = (row or {}).get("shiboken6") or _installed("shiboken6")
    data = {"installed": version, "required": spec, "shiboken6": shiboken}
    if version is None:
        full = _installed("PySide6")
        return Check(
            "PySide6",
            FAIL,
            f"{PYSIDE_DIST} is not installed" + (f" (PySide6 {full} is)" if full else ""),
            f"pip install '{pin}'",
            data,
        )
    if python in BAD_PYSIDE.get(version, ()):
        return Check(
            "PySide6",
            FAIL,
            f"PySide6 {version} on Python {python[0]}.{python[1]}: {PYSIDE_PITFALL}",
            f"pip install '{pin}' (the pin; 6.9.3 also passes the 100 000-repaint soak)",
            data,
        )
    if shiboken and shiboken != version:
        return Check(
            "PySide6",
            FAIL,
            f"PySide6 {version} with shiboken6 {shiboken}: the two must be the same version",
            f"pip install --force-reinstall '{pin}'",
            data,
        )
    if not _satisfies(version, spec):
        return Check(
            "PySide6",
            WARN,
            f"{PYSIDE_DIST} {version}, not the pinned {spec}: untested with the viewport "
            "(6.12.0 on Python 3.11 crashes it)",
            f"pip install '{pin}', or check this one with python packaging/soak_repaint.py",
            data,
        )
    return Check(
        "PySide6",
        OK,
        f"{PYSIDE_DIST} {version} as pinned ({spec}; 6.12.0 on Python 3.11 would crash the viewport)",
        data=data,
    )


def check_torch_package(row: dict[str, Any] | None = None) -> Check:
    spec = (row or {}).get("required") or ""
    version = (row or {}).get("installed") if row is not None else _installed("torch")
    data = {"installed": version, "required": spec}
    if version is None:
        return Check(
            "torch",
            FAIL,
            "torch is not installed",
            f"pip install 'torch{spec}' --index-url https://download.pytorch.org/whl/cpu (the CPU wheel)",
            data,
        )
    local = version.partition("+")[2]
    build = "CPU build" if local == "cpu" else (f"{local} build" if local else "default build")
    if not _satisfies(version, spec):
        return Check(
            "torch",
            WARN,
            f"torch {version} ({build}), not the pinned {spec}",
            f"pip install 'torch{spec}' --index-url https://download.pytorch.org/whl/cpu "
            "(the CPU wheel; an unpinned torch pulls several GB of CUDA)",
            data,
        )
    return Check("torch", OK, f"torch {version} as pinned ({spec}; {build})", data=data)


# ---- display and OpenGL ---------------------------------------------------------------------

NO_GL_PLATFORMS = ("offscreen", "minimal")


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
            f"--screenshot out/studio.png --quit (or {BOOTSTRAP})"
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


def start_gl_probe() -> subprocess.Popen[str]:
    """``python -m signstudio.app.gl_probe`` in a subprocess (collect it with `check_opengl`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "signstudio.app.gl_probe"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(_repo_root()) if (_repo_root() / "signstudio").is_dir() else None,
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


# ---- CUDA -------------------------------------------------------------------------------------


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


# ---- corpus -----------------------------------------------------------------------------------


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if p.exists():
            return p
    return Path("/")


def _writable_folder(folder: Path) -> tuple[bool, str]:
    """Whether ``folder`` exists (or can be made) and accepts new files, without creating it."""
    base = _nearest_existing(folder)
    if not base.is_dir():
        return False, f"{base} is a file, not a folder"
    if not os.access(base, os.W_OK | os.X_OK):
        return False, f"{base} is not writable"
    return True, ""


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


def check_corpus() -> Check:
    """The built-in corpus cache: present and readable, or buildable here (see the module doc)."""
    from signstudio.corpus.store import data_dir, default_cache_path

    path = default_cache_path()
    folder = data_dir()
    others = sorted(p.name for p in folder.glob("corpus-*.h5") if p != path) if folder.is_dir() else []
    data: dict[str, Any] = {"path": str(path), "data_dir": str(folder), "other_caches": others}
    if path.exists():
        try:
            import h5py

            with h5py.File(path, "r") as h5:
                key = str(h5.attrs["version_key"])
                langs = sorted(h5["letters"].keys())
        except Exception as exc:
            return Check(
                "corpus",
                FAIL,
                f"corpus cache {path} cannot be read ({type(exc).__name__}: {exc}); "
                "the studio stops at start",
                "signstudio corpus build --force (rebuilds it, about 30 s)",
                data,
            )
        data.update(version_key=key, languages=langs, bytes=path.stat().st_size)
        return Check(
            "corpus",
            OK,
            f"{path} ({_size(path.stat().st_size)}, {len(langs)} sign languages)",
            data=data,
        )
    # Not built: can it be?
    problems = []
    try:
        from signstudio.corpus.lexicon import lexicon_dir

        index = lexicon_dir() / "index.csv"
        if not index.is_file():
            problems.append(f"the lexicon recordings are missing ({index})")
    except Exception as exc:
        problems.append(f"the lexicon recordings are missing ({exc})")
    writable, why = _writable_folder(folder)
    if not writable:
        problems.append(f"the data folder {folder} cannot be written ({why})")
    else:
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(_nearest_existing(folder)).free
            data["free_bytes"] = free
            if free < MIN_FREE_BYTES:
                problems.append(f"only {_size(free)} free in {folder}")
    data["buildable"] = not problems
    if problems:
        return Check(
            "corpus",
            FAIL,
            f"corpus cache not built ({path}) and it cannot be built here: {'; '.join(problems)}; "
            "the built-in corpus is unusable",
            "reinstall spoken-to-signed (pip install -e .) and/or point SIGNSTUDIO_DATA_DIR at a writable "
            "folder, then signstudio corpus build",
            data,
        )
    stale = (
        f" (another cache here, built with other settings or versions: {', '.join(others)})" if others else ""
    )
    return Check(
        "corpus",
        WARN,
        f"corpus cache not built: {path} is missing{stale}; the studio opens on one recorded letter and "
        "its corpus browser stays empty",
        CORPUS_BUILD,
        data,
    )


# ---- shipped checkpoints --------------------------------------------------------------------


def _manifest(models_dir: Path) -> dict[str, str]:
    """Expected sha256 per path relative to models/, from models/SHA256SUMS if there is one
    (``sha256sum`` format)."""
    path = models_dir / "SHA256SUMS"
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.strip().split(maxsplit=1)
            if len(parts) == 2:
                out[parts[1].lstrip("*").strip()] = parts[0].lower()
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_checkpoint(path: Path, expected_sha: str | None = None, torch_ok: bool = True) -> Check:
    """One shipped checkpoint: size, sha256, sidecar, and that it loads (weights_only, ~25 ms)."""
    from signstudio.modeling.checkpoint import FORMAT
    from signstudio.modeling.shipped_models import read_sidecar

    model_id = path.stem
    name = f"model {model_id}"
    t0 = time.perf_counter()
    size = path.stat().st_size
    digest = _sha256(path)
    data: dict[str, Any] = {"path": str(path), "bytes": size, "sha256": digest}
    head = f"{_size(size)}, sha256 {digest[:12]}"
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
            name, WARN, f"{head}: differs from models/SHA256SUMS ({expected_sha[:12]})", restore, data
        )
    side = read_sidecar(path)
    langs = " ".join(side["languages"]) if side else ""
    data["languages"] = list(side["languages"]) if side else None
    if torch_ok:
        try:
            import torch

            ckpt = torch.load(path, map_location="cpu", weights_only=True)
            if ckpt.get("format") != FORMAT or ckpt.get("model_id") != model_id:
                raise ValueError(f"format {ckpt.get('format')!r}, model id {ckpt.get('model_id')!r}")
            params = sum(int(t.numel()) for t in ckpt["state_dict"].values() if hasattr(t, "numel"))
            data.update(parameters=params, half=bool(ckpt.get("half")))
            head += f", {params / 1e6:.2f} M parameters{' fp16' if ckpt.get('half') else ''}, loads"
        except Exception as exc:
            return Check(
                name,
                WARN,
                f"{head}: does not load ({type(exc).__name__}: {exc})",
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
    from signstudio.modeling.shipped_models import MODELS_DIR

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
    manifest = _manifest(models_dir)
    return [check_checkpoint(p, manifest.get(p.relative_to(models_dir).as_posix()), torch_ok) for p in paths]


# ---- SMPL-X -----------------------------------------------------------------------------------


def remembered_body() -> tuple[str, str | None]:
    """(body model, SMPL-X folder) as the studio remembers them (QSettings)."""
    from signstudio.app.settings import Settings

    s = Settings()
    folder = s.get("smplx_folder")
    return str(s.get("body_model", "mannequin")), (str(folder) if folder else None)


def check_smplx(choice: tuple[str, str | None] | None = None) -> Check:
    """The SMPL-X folder the studio remembers: none is fine (the mannequin), a chosen one must hold
    SMPLX_NEUTRAL.npz."""
    if choice is None:
        try:
            choice = remembered_body()
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


# ---- autosave ---------------------------------------------------------------------------------


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


# ---- all --------------------------------------------------------------------------------------


def _timed(name: str, fn: Callable[[], Check | list[Check]]) -> list[Check]:
    t0 = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:  # a check that breaks is itself a finding, not a traceback
        return [
            Check(name, WARN, f"the check itself failed: {type(exc).__name__}: {exc}", "report this as a bug")
        ]
    rows = out if isinstance(out, list) else [out]
    took = time.perf_counter() - t0
    return [c if c.seconds else Check(**{**asdict(c), "seconds": took / len(rows)}) for c in rows]


def run_checks(
    *,
    body: tuple[str, str | None] | None = None,
    progress: Callable[[Check], None] | None = None,
) -> list[Check]:
    """Every check, in report order. ``body``: the studio's (body model, SMPL-X folder) when the
    caller knows them (the window); None reads them from its settings. ``progress`` is called
    with each row as soon as it is known (in report order)."""
    display = check_display()
    proc = None
    if not display.blocks:
        with contextlib.suppress(OSError):
            proc = start_gl_probe()  # runs while the other checks do
    rows: list[Check] = []

    def add(items: list[Check]) -> None:
        for c in items:
            rows.append(c)
            if progress is not None:
                progress(c)

    try:
        add(_timed("python", check_python))
        add(_timed("packages", check_packages))
        add([display])
        add(_timed("OpenGL", lambda: check_opengl(display, proc)))
        add(_timed("CUDA", check_cuda))
        add(_timed("corpus", check_corpus))
        add(_timed("models", check_checkpoints))
        add(_timed("SMPL-X", lambda: check_smplx(body)))
        add(_timed("autosave", check_autosave))
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()
    return rows
