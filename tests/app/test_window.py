"""The studio window end to end under Xvfb: generate, scrub, compare, survive bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.gui

RIGHT_HAND = np.array([40, 200, 120])
LEFT_HAND = np.array([255, 140, 40])


def _array(image) -> np.ndarray:  # type: ignore[no-untyped-def]
    """QImage -> (H, W, 3) uint8."""
    from PySide6 import QtGui

    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    h, w, bpl = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), np.uint8, count=h * bpl).reshape(h, bpl)
    return buf[:, : w * 3].reshape(h, w, 3).copy()


def _colour_pixels(pixels: np.ndarray, colour: np.ndarray, tol: int = 40) -> int:
    return int((np.abs(pixels.astype(int) - colour).max(axis=-1) < tol).sum())


@pytest.fixture
def studio(qtbot, tmp_path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def]
    """A window with its own settings file and an in-thread runner (no child process to start)."""
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    win = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    assert win.wait_painted()
    yield win
    win.clock.pause()
    win.close()


def _generate(qtbot, win, text: str, lang: str = "ase", prompt: bool = False):  # type: ignore[no-untyped-def]
    win.text_panel.set_prompt_mode(prompt)
    win.text_panel.set_language(lang)
    win.text_panel.input.setText(text)
    with qtbot.waitSignal(win.generation_finished, timeout=60000) as blocker:
        qtbot.mouseClick(win.text_panel.generate_button, _left())
    return blocker.args[0]


def _left():  # type: ignore[no-untyped-def]
    from PySide6 import QtCore

    return QtCore.Qt.MouseButton.LeftButton


def test_named_docks_menus_and_first_view(studio) -> None:
    titles = {d.windowTitle() for d in studio.docks.values()}
    assert titles == {"Text && Prompt", "Files", "Metrics", "History", "Timeline", "Dataset", "Lexicon"}
    menus = [a.text().replace("&", "") for a in studio.menuBar().actions()]
    assert menus == ["File", "Edit", "Generate", "Models", "View", "Playback", "Lexicon", "Help"]
    # the built-in sample is on screen before anything is generated
    assert studio.state.reference is not None and studio.state.sequence is None
    assert studio.clock.num_frames == studio.state.reference.num_frames


def test_typing_a_word_and_generating_shows_a_skeleton(studio, qtbot) -> None:
    response = _generate(qtbot, studio, "hello")
    assert response.ok and response.text == "hello"
    assert studio.state.sequence is response.sequence
    assert studio.state.reference is not None
    assert studio.state.reference.meta["reference_kind"] == "lexicon join"
    studio.clock.frame = studio.clock.num_frames // 2
    assert studio.wait_painted()
    pixels = _array(studio.viewport.view.grabFramebuffer())
    # ASL fingerspelling is one-handed: the signer's right hand colour must be drawn
    assert _colour_pixels(pixels, RIGHT_HAND) > 150
    assert "frame" in studio.timeline.text()


def test_scrubbing_changes_the_picture(studio, qtbot) -> None:
    _generate(qtbot, studio, "hello")
    view = studio.viewport.view
    studio.timeline.seek(0)
    studio.timeline.flush()
    assert studio.wait_painted()
    first = _array(view.grabFramebuffer())
    studio.timeline.seek(studio.clock.num_frames - 10)
    studio.timeline.flush()
    assert studio.clock.frame == studio.clock.num_frames - 10
    assert studio.wait_painted()
    later = _array(view.grabFramebuffer())
    assert (np.abs(first.astype(int) - later).max(axis=-1) > 30).sum() > 200


def test_reference_view_differs_from_generated_view(studio, qtbot) -> None:
    _generate(qtbot, studio, "hello")
    assert studio.viewport.mode == "side-by-side" and studio.viewport.view_b.isVisible()
    studio.clock.frame = 30
    assert studio.wait_painted()
    gen = _array(studio.viewport.view.grabFramebuffer())
    ref = _array(studio.viewport.view_b.grabFramebuffer())
    h = min(gen.shape[0], ref.shape[0])
    w = min(gen.shape[1], ref.shape[1])
    assert (np.abs(gen[:h, :w].astype(int) - ref[:h, :w]).max(axis=-1) > 30).sum() > 200
    # the ghost overlay puts both in one view
    studio.ghost_action.trigger()
    assert studio.state.reference_display == "ghost" and studio.viewport.mode == "ghost"
    assert not studio.viewport.view_b.isVisible()


def test_prompt_mode_reads_text_and_language(studio, qtbot) -> None:
    response = _generate(
        qtbot, studio, "How do I sign 'water' in German Sign Language?", lang="ase", prompt=True
    )
    assert response.ok, response.error
    assert response.text == "water" and response.lang == "gsg"
    assert studio.text_panel.current_language() == "gsg"
    assert "water" in studio.text_panel.preview.text()


def test_errors_are_messages_not_crashes(studio, qtbot) -> None:
    response = _generate(qtbot, studio, "42")
    assert response.error and "4" in response.error
    assert "4" in studio.text_panel.status.text()
    # the window still works
    assert _generate(qtbot, studio, "hi").ok


def test_a_stale_result_never_overwrites_a_newer_one(studio, qtbot) -> None:
    studio.text_panel.set_language("ase")
    results = []
    studio.generation_finished.connect(results.append)
    studio.generate("wonderful", "ase", "lookup", False)
    with qtbot.waitSignal(
        studio.generation_finished, timeout=60000, check_params_cb=lambda r: r.text == "hi"
    ):
        studio.generate("hi", "ase", "lookup", False)
    qtbot.wait(200)
    assert studio.state.sequence is not None and studio.state.sequence.meta["text"] == "hi"
    assert all(r.text == "hi" for r in results)


def test_bad_file_shows_a_dialog_and_the_window_lives_on(studio, qtbot, tmp_path, monkeypatch) -> None:
    from PySide6 import QtWidgets

    shown = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    bad = tmp_path / "broken.skels"
    bad.write_text("1 2 3\n")
    assert not studio.open_file(bad)
    assert shown and str(bad) in shown[0]
    assert studio.isVisible()
    assert _generate(qtbot, studio, "hi").ok


def test_open_file_drag_and_drop_and_recent_files(studio, sample_file: Path) -> None:
    from PySide6 import QtCore, QtGui

    assert studio.open_file(sample_file)
    assert studio.state.sequence is not None and studio.state.reference is None
    assert studio.state.recent_files[0] == str(sample_file.resolve())
    assert studio.files.recent.item(0).data(QtCore.Qt.ItemDataRole.UserRole) == str(sample_file.resolve())
    # dropping two files: the second becomes the reference
    mime = QtCore.QMimeData()
    mime.setUrls([QtCore.QUrl.fromLocalFile(str(sample_file)), QtCore.QUrl.fromLocalFile(str(sample_file))])
    drop = QtGui.QDropEvent(
        QtCore.QPointF(50, 50),
        QtCore.Qt.DropAction.CopyAction,
        mime,
        _left(),
        QtCore.Qt.KeyboardModifier.NoModifier,
    )
    studio.dropEvent(drop)
    assert studio.state.reference is not None
    # the sample was saved from a lexicon join: its .pose sidecar says so (not a bare "user file")
    assert studio.state.reference.meta["reference_kind"] == "lexicon join"


def test_settings_are_remembered(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SIGNSTUDIO_CONFIG_DIR", str(tmp_path / "config"))
    from signstudio.app.runner_bridge import RunnerBridge
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import Runner

    def make() -> StudioWindow:
        w = StudioWindow(bridge=RunnerBridge(Runner(isolation="thread")), auto_generate=False)
        qtbot.addWidget(w)
        return w

    first = make()
    first.text_panel.set_language("gsg")
    first.text_panel.set_prompt_mode(True)
    first.ghost_action.trigger()
    first.resize(1111, 777)
    assert first.text_panel.set_model("diffusion")  # a model's settings are remembered too
    assert first.text_panel.set_model_option("steps", 12)
    first.close()
    second = make()
    assert second.text_panel.set_model("diffusion")
    assert second.text_panel.model_options()["steps"] == 12
    assert second.text_panel.current_language() == "gsg"
    assert second.text_panel.prompt_mode
    assert second.state.reference_display == "ghost"
    assert second.width() == 1111
    second.close()


def test_keyboard_drives_the_clock(studio, qtbot) -> None:
    from PySide6 import QtCore

    studio.viewport.view.setFocus()  # in the text box, Space and arrows edit the text instead
    studio.clock.frame = 5
    qtbot.keyClick(studio, QtCore.Qt.Key.Key_Right)
    assert studio.clock.frame == 6
    qtbot.keyClick(studio, QtCore.Qt.Key.Key_End)
    assert studio.clock.frame == studio.clock.num_frames - 1
    qtbot.keyClick(studio, QtCore.Qt.Key.Key_Home)
    assert studio.clock.frame == 0
    qtbot.keyClick(studio, QtCore.Qt.Key.Key_Space)
    assert studio.clock.playing
    qtbot.waitUntil(lambda: studio.clock.frame > 2, timeout=3000)
    qtbot.keyClick(studio, QtCore.Qt.Key.Key_Space)
    assert not studio.clock.playing


def test_screenshot_of_the_window(studio, tmp_path) -> None:
    out = studio.save_screenshot(tmp_path / "shot.png")
    from PySide6 import QtGui

    pixels = _array(QtGui.QImage(str(out)))
    assert pixels.shape[0] > 300 and pixels.std() > 10


def test_warped_timing_follows_the_dtw_alignment(studio, qtbot) -> None:
    response = _generate(qtbot, studio, "hello")
    assert response.alignment is not None and response.alignment.metric == "dtw-mje"
    path = response.alignment.path
    assert path[0].tolist() == [0, 0]
    assert path[-1].tolist() == [response.sequence.num_frames - 1, response.reference.num_frames - 1]
    assert studio.state.warp_path is not None
    studio.warped_action.trigger()
    assert studio.state.reference_timing == "warped"
    table = studio.state.frame_table()
    assert np.all(np.diff(table) >= 0) and table[0] == 0
    assert table[-1] == response.reference.num_frames - 1
    assert "DTW alignment" in studio.warped_action.toolTip()
    expected = f"{response.alignment.score:.3f} shoulder widths"
    qtbot.waitUntil(lambda: studio.metrics.value("DTW (dtw-mje)") == expected, timeout=3000)


def _test_word(lang: str) -> str:
    """A word of the corpus' test split (never trained on), long enough to show several letters."""
    from signstudio.corpus.store import open_corpus

    return next(w.text for w in open_corpus(quiet=True).words(lang, "test") if 4 <= len(w.units) <= 6)


@pytest.mark.parametrize("model_id", ["signllm-mlsf", "signllm-p2lg", "nar-kd", "diffusion"])
def test_a_shipped_neural_model_signs_from_the_studio(studio, qtbot, model_id) -> None:
    """Generate on CPU from the studio: the output follows the lexicon reference closer than the
    mean pose does (DTW along the same path the timeline uses) and lasts about as long."""
    from signstudio.modeling.registry import load_model
    from signstudio.runner.work import align

    assert studio.text_panel.set_model(model_id)
    word = _test_word("ase")
    response = _generate(qtbot, studio, word, lang="ase")
    assert response.ok, response.error
    seq, ref = response.sequence, response.reference
    assert seq.meta["model"] == model_id and ref is not None and response.alignment is not None
    assert 0.6 < (seq.num_frames / seq.fps) / (ref.num_frames / ref.fps) < 1.6
    [mean] = load_model("mean", "cpu").generate([word], "ase")
    baseline = align(mean, ref, metric=response.alignment.metric)
    assert baseline is not None and response.alignment.score < 0.8 * baseline.score
    assert studio.state.sequence is seq


def test_signllm_p2lg_signs_what_the_studio_reader_reads(studio, qtbot) -> None:
    assert studio.text_panel.set_model("signllm-p2lg")
    studio.text_panel.set_prompt_mode(True)
    studio.text_panel.input.setText("Could you show me “hello” in ASL?")
    assert "Will sign <b>“hello”</b>" in studio.text_panel.preview.text()
    response = _generate(qtbot, studio, "Could you show me “hello” in ASL?", lang="gsg", prompt=True)
    assert response.ok, response.error
    assert (response.text.lower(), response.lang, response.lang_from_prompt) == ("hello", "ase", True)
    assert response.sequence.meta["gloss"] == "ASE_H ASE_E ASE_L ASE_L ASE_O"


def test_diffusion_settings_reach_the_model_and_progress_counts_steps(studio, qtbot) -> None:
    from PySide6 import QtWidgets

    panel = studio.text_panel
    studio.resize(1500, 920)  # the size of the README's screenshots
    assert panel.set_model("lookup")
    assert not panel.settings_box.isVisible()  # lookup has no settings
    assert panel.set_model("diffusion")
    steps = panel.findChild(QtWidgets.QSpinBox, "setting_steps")
    guidance = panel.findChild(QtWidgets.QDoubleSpinBox, "setting_guidance")
    assert panel.settings_box.isVisible() and steps is not None and guidance is not None
    assert "DDIM" in steps.toolTip()
    # the dock makes room for the new rows: nothing in the form is squeezed
    rows = (panel.model, panel.language, steps, guidance, panel.generate_button)
    qtbot.waitUntil(lambda: all(w.height() >= w.minimumSizeHint().height() for w in rows), timeout=3000)
    steps.setValue(6)
    guidance.setValue(1.5)
    messages: list[str] = []
    studio.bridge.progress.connect(lambda _rid, _f, msg: messages.append(msg))
    response = _generate(qtbot, studio, "water", lang="ase")
    assert response.ok, response.error
    assert dict(response.request.options) == {"steps": 6, "guidance": 1.5}
    qtbot.waitUntil(lambda: "denoising step 6/6" in messages, timeout=5000)
    assert response.sequence.meta["model"] == "diffusion"
    # the values are kept per model while the window lives
    assert panel.set_model("lookup") and panel.model_options() == {}
    assert panel.set_model("diffusion") and panel.model_options() == {"steps": 6, "guidance": 1.5}


def test_a_generated_word_shows_quality_curves_and_a_heat_map(studio, qtbot) -> None:
    """Both per-frame curves under the timeline, the cursor on them following the clock, the
    Metrics dock's scores, and the heat map colouring each joint by its error (worst in red)."""
    from signstudio.session.geometry import heat_colors

    assert studio.text_panel.set_model("nar-kd")
    word = _test_word("ase")
    response = _generate(qtbot, studio, word, lang="ase")
    scores = response.scores
    assert (
        response.ok and scores is not None and scores.dtw_curve is not None and scores.fgd_curve is not None
    )
    strip = studio.timeline.strip
    assert strip.rows[:2] == ["DTW", "FGD-style"]
    n = response.sequence.num_frames
    assert np.allclose(strip.curves["DTW cost"].values, scores.dtw_curve)
    assert np.allclose(strip.curves["FGD-style"].values, scores.fgd_curve)
    for frame in (n // 3, n - 1):  # scrubbing moves the cursor on every row
        studio.clock.frame = frame
        assert all(line.value() == frame for line in strip.cursor_lines)
    assert studio.metrics.value("DTW (dtw-mje)") == f"{scores.dtw_mje:.3f} shoulder widths"
    assert studio.metrics.value("FGD-style").startswith(f"{scores.fgd_mean:.1f}")

    cloud = studio.viewport.main.cloud
    own = cloud.colors
    if not studio.heat_action.isChecked():
        studio.heat_action.trigger()
    frame = int(np.nanargmax(np.nanmax(scores.joint_errors, axis=1)))  # a frame with a clear worst joint
    studio.clock.frame = frame
    errors = scores.joint_errors[frame]
    shown = cloud.colors
    assert np.allclose(shown, heat_colors(errors))  # upper50 on screen: joint for joint
    worst, best = int(np.nanargmax(errors)), int(np.nanargmin(errors))
    redness = shown[:, 0] - shown[:, 1]
    assert redness[worst] > redness[best]
    assert "worst over the sequence" in studio.viewport.legend.text()
    studio.heat_action.trigger()
    assert np.allclose(cloud.colors, own) and "joint error" not in studio.viewport.legend.text()


def test_a_pair_not_generated_is_scored_off_the_gui_thread(studio, qtbot) -> None:
    """Opening a sequence with its reference (no generation) scores it too, and a newer pair
    replaces an older one's scores."""
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    a, b = corpus.words("ase", "test")[:2]
    ref = corpus.word_sequence("ase", a, "upper50")
    other = corpus.word_sequence("ase", b, "upper50").replace(meta_update={"text": a.text})
    with qtbot.waitSignal(studio.scores_ready, timeout=30000) as blocker:
        studio.set_pair(other, ref)
    scores = blocker.args[0]
    assert scores.n_gen == other.num_frames and scores.dtw_mje is not None and scores.dtw_mje > 0
    assert "DTW" in studio.timeline.strip.rows
    assert studio.state.warp_path is not None and np.array_equal(studio.state.warp_path, scores.path)
    with qtbot.waitSignal(studio.scores_ready, timeout=30000) as blocker:
        studio.set_pair(ref, ref)
    assert blocker.args[0].dtw_mje == pytest.approx(0.0, abs=1e-9)


def test_a_pair_plays_on_the_mannequin(studio, qtbot, tmp_path) -> None:
    """View → Avatar and skeleton: both sequences get a mannequin fitted by IK off the GUI thread,
    drawn translucent around their skeletons and following the clock; the mode is remembered."""
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    word = min(corpus.words("ase", "test"), key=lambda w: w.frames)
    ref = corpus.word_sequence("ase", word, "upper50")
    gen = corpus.word_sequence("ase", corpus.words("ase", "test")[1], "upper50")
    studio.set_pair(gen, ref)
    with pytest.raises(ValueError, match="no avatar fitted yet"):
        studio.export_motion(tmp_path / "early.npz")
    arrived = []
    studio.avatar_ready.connect(arrived.append)
    studio.actions_by_name["avatar_and_skeleton"].trigger()
    assert studio.viewport.body_mode == "both" and studio.settings.get("body_mode") == "both"
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=120000)
    assert {id(s) for s in arrived} == {id(gen), id(ref)}
    main, side = studio.viewport.main, studio.viewport.side
    assert main.mesh.visible() and side.mesh.visible() and main.bones.visible()
    assert studio.viewport.avatar_of(gen).num_frames == gen.num_frames
    studio.clock.frame = 7
    assert main.mesh.frame == 7
    # File → Export SMPL-X motion: AMASS-style, hands included, read back exactly
    from signstudio.pose.formats.amass import read_motion as read_amass

    out = studio.export_motion(tmp_path / "motion.npz")
    motion = read_amass(out)
    assert motion.poses.shape == (gen.num_frames, 165) and np.abs(motion.hand_pose).max() > 0
    assert np.array_equal(motion.poses, studio.viewport.avatar_of(gen).motion.poses)
    # a taller body (β1 = 2): fitted again, remembered
    before = studio.viewport.avatar_of(gen).vertices
    arrived.clear()
    studio.set_body_shape([2.0] + [0.0] * 9)
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=120000)
    assert studio.settings.get("body_shape")[0] == 2.0 and studio.body_shape()[0] == 2.0
    assert not np.allclose(studio.viewport.avatar_of(gen).vertices, before)
    assert np.allclose(studio.viewport.avatar_of(gen).motion.betas[0], 2.0)
    studio.actions_by_name["avatar"].trigger()
    assert not main.bones.visible() and main.mesh.visible()
    studio.actions_by_name["skeleton"].trigger()
    assert not main.mesh.visible() and main.bones.visible()


def test_smplx_after_choosing_its_folder_once(studio, qtbot, smplx_folder, tmp_path, monkeypatch) -> None:
    """A folder without SMPLX_NEUTRAL.npz is refused with a message saying where it belongs (the
    mannequin stays); the right folder gives the SMPL-X body, remembered for the next start."""
    from PySide6 import QtWidgets

    from signstudio.corpus.store import open_corpus

    messages: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "warning", lambda _p, _t, text: messages.append(text))
    corpus = open_corpus(quiet=True)
    seq = corpus.word_sequence("ase", min(corpus.words("ase", "test"), key=lambda w: w.frames), "upper50")
    studio.set_pair(seq, None)
    assert not studio.set_body_model("smplx", str(tmp_path))
    assert "SMPLX_NEUTRAL.npz" in messages[-1] and studio.body_model() == ("mannequin", None)
    assert studio.body_model_actions["mannequin"].isChecked()
    arrived = []
    studio.avatar_ready.connect(arrived.append)
    assert studio.set_body_model("smplx", str(smplx_folder))
    assert studio.viewport.body_mode == "both"  # choosing a body shows it
    qtbot.waitUntil(lambda: len(arrived) == 1, timeout=120000)
    mesh = studio.viewport.avatar_of(seq)
    assert mesh is not None and mesh.body == "smplx" and mesh.vertices.shape[1] == 9930
    assert studio.settings.get("body_model") == "smplx" and studio.settings.get("smplx_folder") == str(
        smplx_folder
    )
    assert studio.body_model_actions["smplx"].isChecked() and not messages[1:]


def test_edits_undo_redo_and_rescore(studio, qtbot) -> None:
    """Edit → Fill missing points on a sequence with a gap: the gap is filled and the pair is
    scored again; Ctrl+Z restores the sequence exactly, Ctrl+Y brings the edit back."""
    from signstudio.corpus.store import open_corpus

    corpus = open_corpus(quiet=True)
    word = corpus.words("ase", "test")[0]
    ref = corpus.word_sequence("ase", word, "upper50")
    elbow = ref.skeleton.index("LElbow", "BODY")
    conf, data = ref.confidence.copy(), ref.data.copy()
    conf[10:14, elbow], data[10:14, elbow] = 0.0, 0.0
    gen = ref.replace(data=data, confidence=conf)
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):
        studio.set_pair(gen, ref)
    assert studio.document is not None and not studio.undo_action.isEnabled()
    with qtbot.waitSignal(studio.scores_ready, timeout=30000):  # the edited pair is scored again
        studio.actions_by_name["fill_missing_points"].trigger()
    edited = studio.state.sequence
    assert (edited.confidence[10:14, elbow] > 0).all() and edited.filled[10:14, elbow].all()
    assert studio.undo_action.isEnabled() and studio.undo_action.text() == "Undo fill missing points"
    assert studio.undo()
    back = studio.state.sequence
    assert np.array_equal(back.data, gen.data) and np.array_equal(back.confidence, gen.confidence)
    assert studio.redo()
    assert np.array_equal(studio.state.sequence.data, edited.data)
    # a sequence from outside starts a new document: nothing to undo
    studio.set_pair(ref, None)
    assert studio.document is not None and not studio.document.can_undo and not studio.undo_action.isEnabled()
