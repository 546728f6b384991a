"""`signstudio doctor` and Help → Diagnostics: what this machine has, and what to do about it.

Qt-free: the window's only part is the OpenGL probe, ``python -m signstudio.app.gl_probe``, run in
a subprocess by module name, and the studio's settings, read by a function the caller hands in.

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
    corpus      the built-in corpus cache (`signstudio.corpus.store.default_cache_path`), its checksum
    model <id>  each shipped checkpoint in models/: size, sha256 (models/SHA256SUMS), digest,
                sidecar, and that it loads
    SMPL-X      the SMPL-X folder the studio remembers (QSettings, read by the app), if one is chosen
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
* a corpus cache that exists but fails its check (damaged: checksum mismatch, truncated; or built
  by an older version without a checksum): the studio starts on one recorded letter without it,
  the built-in corpus is unusable until ``signstudio corpus build --force``;
* a damaged shipped checkpoint (sha256 differs from models/SHA256SUMS, digest mismatch, does not
  load): the studio refuses that model;
* a missing corpus cache that cannot be built here either (the lexicon recordings of
  spoken-to-signed are missing, or the data folder is not writable): then the built-in corpus is
  unusable.

A corpus cache that is simply not built yet is a ``warn``, named as such with its remedy: the
studio still opens (`signstudio.corpus.store.default_sample` falls back to one recorded letter
clip; the lookup model and references read the lexicon directly), but the corpus browser is
empty and the first view is a single letter instead of a joined word, until
``signstudio corpus build`` (about 30 s, once) makes it. Versions other than the pins, a
shipped checkpoint that is a Git LFS pointer or lacks its sidecar, a remembered SMPL-X folder
without its model file and an autosave folder that cannot be written are ``warn`` too: the
studio runs, with that part missing. ``signstudio doctor --strict`` exits 1 on warnings as well.

Speed: about 2.5 s on a 2-core machine, most of it importing torch (once, for CUDA and to load
the shipped checkpoints, ~25 ms each); the OpenGL probe (~0.7 s) runs alongside the other checks.

Modules, one topic each: `check` (the row and its status words), `report` (text, JSON, exit
status), `packages` (Python, pins, PySide6, torch), `display` (display and OpenGL), `cuda`,
`corpus`, `checkpoints`, `folders` (SMPL-X and autosave), `run` (all of them, in order).
"""

from signstudio.doctor.check import FAIL, INFO, OK, SKIP, STATUSES, WARN, Check
from signstudio.doctor.checkpoints import check_checkpoint, check_checkpoints
from signstudio.doctor.corpus import check_corpus
from signstudio.doctor.cuda import check_cuda
from signstudio.doctor.display import check_display, check_opengl, debian_package, start_gl_probe
from signstudio.doctor.folders import BodyChoice, body_from_settings, check_autosave, check_smplx
from signstudio.doctor.packages import (
    check_packages,
    check_pyside,
    check_python,
    check_torch_package,
    requirements,
)
from signstudio.doctor.report import counts, exit_code, header, report_json, report_text, summary
from signstudio.doctor.run import run_checks

__all__ = [
    "FAIL",
    "INFO",
    "OK",
    "SKIP",
    "STATUSES",
    "WARN",
    "BodyChoice",
    "Check",
    "body_from_settings",
    "check_autosave",
    "check_checkpoint",
    "check_checkpoints",
    "check_corpus",
    "check_cuda",
    "check_display",
    "check_opengl",
    "check_packages",
    "check_pyside",
    "check_python",
    "check_smplx",
    "check_torch_package",
    "counts",
    "debian_package",
    "exit_code",
    "header",
    "report_json",
    "report_text",
    "requirements",
    "run_checks",
    "start_gl_probe",
    "summary",
]
