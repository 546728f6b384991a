"""The studio starts when the default corpus cache is damaged: one warning, a recorded letter.

The damaged cache is a bit-flipped copy of a small real build, put where the default cache lives
for ``SIGNSTUDIO_DATA_DIR`` in a tmp folder (the shared default cache is never touched).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from signstudio.corpus import store


@pytest.mark.gui
def test_the_studio_starts_on_a_recorded_letter_and_says_why(tmp_path: Path) -> None:
    """``app --screenshot --quit`` (one bit flipped mid-payload; positions: tests/corpus)."""
    from PySide6 import QtGui

    data = tmp_path / "data"
    data.mkdir()
    cache = store.build(
        data / store.default_cache_path().name,
        store.CorpusSettings(languages=("ase",), words_per_language=8, prompts_per_word=1),
    )
    at = cache.stat().st_size // 2
    with cache.open("r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)[0]
        fh.seek(at)
        fh.write(bytes([byte ^ 0x20]))
    out = tmp_path / "shot.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "SIGNSTUDIO_DATA_DIR": str(data),
        "SIGNSTUDIO_CONFIG_DIR": str(tmp_path / "config"),
        "SIGNSTUDIO_AUTOSAVE_DIR": str(tmp_path / "autosave"),
    }
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "signstudio.cli.main", "app", "--screenshot", str(out), "--quit"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if "corpus cache" in ln]
    assert warnings == [
        f"warning: {cache}: the corpus cache is damaged (checksum mismatch); "
        "rebuild it with: signstudio corpus build --force"
    ], proc.stderr
    assert time.perf_counter() - t0 < 120
    img = QtGui.QImage(str(out)).convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * img.height())
    assert img.width() >= 640 and buf.std() > 5, "blank screenshot"


@pytest.mark.gui
def test_the_corpus_browser_names_the_damage(qtbot, tmp_path: Path, monkeypatch) -> None:
    """In the window itself: the Files dock's corpus note is the one line, the first view a letter."""
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    data = tmp_path / "data"
    data.mkdir()
    cache = store.build(
        data / store.default_cache_path().name,
        store.CorpusSettings(languages=("ase",), words_per_language=8, prompts_per_word=1),
    )
    with cache.open("r+b") as fh:
        fh.seek(cache.stat().st_size // 2)
        fh.write(b"\xff\x00\xff")
    monkeypatch.setenv("SIGNSTUDIO_DATA_DIR", str(data))
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path / "autosave"))
    window = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(window)
    note = window.files.corpus_note.text()
    assert note.startswith(f"{cache}: the corpus cache is damaged") and "corpus build --force" in note
    assert window.files.corpus_language.count() == 0
    window.close()
