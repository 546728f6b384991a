"""Python, the runtime requirements and their pins (read from the package metadata), PySide6 and torch."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

from signstudio.doctor.check import BOOTSTRAP, FAIL, OK, WARN, Check, repo_root

PYSIDE_DIST = "PySide6-Essentials"
#: PySide6 versions that break the studio, with the Python versions on which they do.
BAD_PYSIDE = {"6.12.0": ((3, 11),)}
PYSIDE_PITFALL = (
    "PySide6 6.12.0 on Python 3.11 leaks a reference to None in QOpenGLBuffer.release/write/allocate: "
    "the viewport crashes after a few thousand repaints"
)


def _pyproject_requirements() -> list[str] | None:
    """The dependencies in pyproject.toml when this package runs from a checkout, else None."""
    import tomllib

    pyproject = repo_root() / "pyproject.toml"
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

        with (repo_root() / "pyproject.toml").open("rb") as fh:
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
