"""Render the studio's reference screenshots headless (run under Xvfb):

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python packaging/screenshots.py out/screens

text-mode.png    "hello" typed in text mode, ASL, generated beside its lexicon reference
prompt-mode.png  "How do I sign 'water' in German Sign Language?" in prompt mode
ghost.png        the same with the reference overlaid as a translucent ghost, time-warped
signllm.png      signllm-mlsf signing an ASL test-split word (never trained on) beside its reference
p2lg.png         signllm-p2lg reading a prompt itself (“Could you show me “hello” in ASL?”)
nar-kd.png       nar-kd signing the same ASL test word (every frame at once)
diffusion.png    diffusion signing it, its step and guidance settings in the panel
evaluation.png   nar-kd again with its quality: DTW and FGD-style curves, scores and the reading
                 in Metrics, joints coloured by their error at the frame furthest off (away from the
                 ends)
avatar.png       the same pair on the built-in mannequin (IK), translucent around the skeletons
editing.png      nar-kd's word being corrected: Edit joints on, the right wrist dragged up between
                 two keyframes (amber marks on the scrubber), a flagged frame (red), the History
                 panel, and the DTW/FGD strip re-scored after the edit
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _generate(win, text: str, lang: str, prompt: bool, model: str = "lookup") -> None:  # type: ignore[no-untyped-def]
    """Type ``text`` as a person does and press Generate; back when the result is shown."""
    from PySide6 import QtCore

    win.text_panel.set_model(model)
    win.text_panel.set_prompt_mode(prompt)
    win.text_panel.set_language(lang)
    win.text_panel.set_text(text)
    loop = QtCore.QEventLoop()
    win.generation_finished.connect(loop.quit)
    win.text_panel.generate_button.click()
    QtCore.QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    win.generation_finished.disconnect(loop.quit)


def _shot(win, path: Path, part: int) -> None:  # type: ignore[no-untyped-def]
    """The window at frame ``num_frames // part``, saved to ``path``."""
    win.clock.frame = win.clock.num_frames // part
    print(win.save_screenshot(path))


def lookup_shots(win, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Text mode, prompt mode and the ghost (lookup, the lexicon join beside its reference)."""
    _generate(win, "hello", "ase", False)
    _shot(win, out / "text-mode.png", 2)
    _generate(win, "How do I sign 'water' in German Sign Language?", "ase", True)
    _shot(win, out / "prompt-mode.png", 2)
    win.ghost_action.trigger()
    win.warped_action.trigger()
    _shot(win, out / "ghost.png", 3)
    win.side_action.trigger()  # back to side by side, each on its own clock
    win.own_clock_action.trigger()


def model_shots(win, out: Path, word: str, shipped: set[str]) -> None:  # type: ignore[no-untyped-def]
    """Each shipped neural model signing an ASL test word (p2lg reading a prompt itself)."""
    if "signllm-mlsf" in shipped:
        _generate(win, word, "ase", False, "signllm-mlsf")
        _shot(win, out / "signllm.png", 3)
    if "signllm-p2lg" in shipped:
        _generate(win, "Could you show me “hello” in ASL?", "gsg", True, "signllm-p2lg")
        _shot(win, out / "p2lg.png", 3)
    for model in ("nar-kd", "diffusion"):
        if model in shipped:
            _generate(win, word, "ase", False, model)
            _shot(win, out / f"{model}.png", 3)


def quality_shots(win, out: Path, word: str) -> None:  # type: ignore[no-untyped-def]
    """nar-kd's quality view (curves, Metrics, joint error heat map), then the same pair on the
    mannequin, then the editing picture."""
    from PySide6 import QtCore

    _generate(win, word, "ase", False, "nar-kd")
    win.docks["Metrics"].raise_()
    if not win.heat_action.isChecked():
        win.heat_action.trigger()
    scores = win._scores
    if scores is not None and scores.dtw_curve is not None:  # the frame furthest off, inside
        lo, hi = len(scores.dtw_curve) // 10, len(scores.dtw_curve) * 9 // 10
        win.clock.frame = lo + int(scores.dtw_curve[lo:hi].argmax())
    print(win.save_screenshot(out / "evaluation.png"))
    win.heat_action.trigger()
    # the same pair on the mannequin, translucent around the skeletons (IK in the model process)
    arrived: list[object] = []
    loop = QtCore.QEventLoop()

    def got(seq: object) -> None:
        arrived.append(seq)
        if len(arrived) == 2:
            loop.quit()

    win.avatar_ready.connect(got)
    win.set_body_mode("both")
    QtCore.QTimer.singleShot(180_000, loop.quit)
    loop.exec()
    _shot(win, out / "avatar.png", 2)
    win.set_body_mode("skeleton")
    editing_shot(win, out / "editing.png")


def main(out_dir: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    os.environ.setdefault("SIGNSTUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="signstudio-shots-"))
    os.environ.setdefault("SIGNSTUDIO_AUTOSAVE_DIR", tempfile.mkdtemp(prefix="signstudio-shots-"))
    from PySide6 import QtWidgets

    from signstudio.app import theme
    from signstudio.app.qt_boot import prepare_qt
    from signstudio.app.window import StudioWindow
    from signstudio.corpus.store import open_corpus
    from signstudio.modeling.registry import available_models

    prepare_qt()
    app = QtWidgets.QApplication(["signstudio"])
    theme.apply(app, "dark")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    win = StudioWindow(auto_generate=False)
    win.resize(1500, 920)
    win.show()
    lookup_shots(win, out)
    shipped = {m.id for m in available_models()}
    words = open_corpus(quiet=True).words("ase", "test")
    word = next(w.text for w in words if len(w.units) == 5)
    model_shots(win, out, word, shipped)
    if "nar-kd" in shipped:
        quality_shots(win, out, word)
    win.close()
    return 0


def editing_shot(win, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Correct the shown sequence the way a user does: keyframes, a flag, a wrist dragged."""
    from PySide6 import QtCore

    from signstudio.app.pointer import drag

    def settle(seconds: float) -> None:
        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    seq = win.state.sequence
    n = win.clock.num_frames
    win.set_editing(True)
    win.editor.set_spread("keyframes")
    for f in (n // 4, 3 * n // 4):
        win.clock.frame = f
        win.keyframe_action.trigger()
    win.clock.frame = 2 * n // 3
    win.actions_by_name["flag_this_frame"].trigger()
    win.clock.frame = n // 2
    settle(0.3)
    start = win.viewport.joint_pixel(seq.skeleton.index("RWrist", "BODY"))
    drag(win.viewport.view, start, -48, -54)
    win.docks["History"].raise_()
    settle(4.0)  # the edited pair is re-scored in the model process
    print(win.save_screenshot(path))
    win.set_editing(False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out/screens"))
