"""Render the studio's reference screenshots headless (run under Xvfb):

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python packaging/screenshots.py out/screens

text-mode.png    "hello" typed in text mode, ASL, generated beside its lexicon reference
prompt-mode.png  "How do I sign 'water' in German Sign Language?" in prompt mode
ghost.png        the same with the reference overlaid as a translucent ghost, time-warped
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def main(out_dir: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    os.environ.setdefault("SIGNSTUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="signstudio-shots-"))
    from PySide6 import QtCore, QtWidgets

    from signstudio.app import theme
    from signstudio.app.main import prepare_qt
    from signstudio.app.window import StudioWindow

    prepare_qt()
    app = QtWidgets.QApplication(["signstudio"])
    theme.apply(app, "dark")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    win = StudioWindow(auto_generate=False)
    win.resize(1500, 920)
    win.show()

    def generate(text: str, lang: str, prompt: bool) -> None:
        win.text_panel.set_prompt_mode(prompt)
        win.text_panel.set_language(lang)
        win.text_panel.set_text(text)
        loop = QtCore.QEventLoop()
        win.generation_finished.connect(loop.quit)
        win.text_panel.generate_button.click()
        QtCore.QTimer.singleShot(120_000, loop.quit)
        loop.exec()
        win.generation_finished.disconnect(loop.quit)

    generate("hello", "ase", False)
    win.clock.frame = win.clock.num_frames // 2
    print(win.save_screenshot(out / "text-mode.png"))
    generate("How do I sign 'water' in German Sign Language?", "ase", True)
    win.clock.frame = win.clock.num_frames // 2
    print(win.save_screenshot(out / "prompt-mode.png"))
    win.ghost_action.trigger()
    win.warped_action.trigger()
    win.clock.frame = win.clock.num_frames // 3
    print(win.save_screenshot(out / "ghost.png"))
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out/screens"))
