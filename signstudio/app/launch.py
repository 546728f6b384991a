"""`signstudio app`: open the studio on a file, or on a real recording of the built-in corpus.

Files are read before any window exists, so a bad file ends as the CLI's one-line error and
exit 2 (DESIGN.md §4); once the window is up, errors go to a dialog instead. ``--index N`` /
``--key KEY`` open one sequence of a multi-sequence FILE through `signstudio.session.dataset`
(a ``.skels`` is indexed, not parsed whole; the index is cached in the data dir), with its
text/gloss/key in ``meta`` for the caption; FILE alone is read whole as before (so a file with
a damaged sequence anywhere is still refused). Either way a multi-sequence FILE (``.skels``,
``.h5``, a folder) then fills the Dataset panel with the shown sequence's row current.

The other flags (`signstudio.cli.app_cmd`) set the window up through the same actions and
methods its menus use, in a fixed order: generate (``--text``) and wait for it; edits (mirror,
keyframes, flags, Edit joints, a mouse drag of a joint); view choices (reference display and
timing, body, camera, speed, loop, panel). With ``--screenshot`` the picture waits for the
pair's scores (so the DTW/FGD rows and the Metrics table are drawn) and for the avatars (IK runs
in the model process); then the heat map and ``--frame``. A flag that cannot be applied (an
unknown language, a joint that is not drawn) is a one-line error and exit 2. A ``--quit`` run
reads the user's settings but never writes them (`session_settings`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signstudio.app.qt_boot import display_problem
from signstudio.pose.sequence import PoseSequence

if TYPE_CHECKING:
    from signstudio.app.window import StudioWindow
    from signstudio.runner.service import GenerateResponse


#: Files up to this size are read and checked whole before the window opens (a damaged sequence
#: anywhere is refused, as `info` refuses it: PT's splits, the hostile-file set); a larger
#: multi-sequence file (PHOENIX14T train, 1.15 GB) opens as a dataset reading one sequence, and
#: damaged sequences are named in one warning line and marked in the Dataset panel (issue 19).
WHOLE_READ_BYTES = 64 << 20


def _chosen_sequence(path: str, index: int | None, key: str | None) -> PoseSequence:
    """FILE's sequence ``index`` or ``key``, read alone through `signstudio.session.dataset` (a
    7 000-line .skels is indexed, not parsed); an index or key that is not there is its one-line
    `FormatError` (exit 2). Without either, FILE is read whole (`WHOLE_READ_BYTES`) or, when
    larger and of a multi-sequence format, its sequence 0 is read alone."""
    from signstudio.pose.formats import read_one
    from signstudio.session.dataset import open_dataset

    if index is None and key is None and not _large_dataset(path):
        return read_one(path)
    dataset = open_dataset(path)
    if index is None and key is None:
        bad = [e.index for e in dataset.entries if e.problem]
        if bad:
            print(
                f"warning: {path}: {len(bad)} of {len(dataset)} sequences cannot be read "
                f"(first: sequence {bad[0]}: {dataset.entries[bad[0]].problem}); the others open",
                file=sys.stderr,
                flush=True,
            )
    return dataset.sequence_by_key(key) if key is not None else dataset.sequence(index or 0)


def _large_dataset(path: str) -> bool:
    p = Path(path)
    return p.is_file() and p.suffix.lower() in _MULTI_SUFFIXES and p.stat().st_size > WHOLE_READ_BYTES


def _user_file(seq: PoseSequence) -> PoseSequence:
    return seq.replace(meta_update={"reference_kind": seq.meta.get("reference_kind", "user file")})


def load_sequences(
    args: argparse.Namespace, notes: list[str] | None = None
) -> tuple[PoseSequence | None, PoseSequence | None]:
    """The sequence to show (FILE, or its ``--index``/``--key`` sequence; None: the window's
    built-in first view) and the optional --gt (`_paired_reference`). A pairing problem is one
    ``warning:`` line on stderr, also appended to ``notes`` (the window's status shows it)."""
    index, key = _flag(args, "index"), _flag(args, "key")
    seq = _user_file(_chosen_sequence(args.file, index, key)) if args.file else None
    gt = None
    if args.gt:
        gt, note = _paired_reference(args.file, index, key, args.gt)
        if note:
            print(f"warning: {note}", file=sys.stderr, flush=True)
            if notes is not None:
                notes.append(note)
    return seq, gt


_MULTI_SUFFIXES = (".skels", ".h5")


def _paired_reference(
    file: str | None, index: int | None, key: str | None, gt: str
) -> tuple[PoseSequence | None, str | None]:
    """--gt's sequence for the one shown, and a warning line (or None).

    When --gt holds several sequences (a ``.skels``, ``.h5`` or folder dataset) and FILE is
    given, the reference is the shown sequence's partner by `signstudio.session.pairing.plan_pairs`
    (by key when both have keys, else by index); no partner: no reference and a warning. Pairing
    by index across keys that differ is warned about too. Otherwise --gt is read whole as before."""
    from signstudio.pose.formats import read_one

    many = Path(gt).is_dir() or Path(gt).suffix.lower() in _MULTI_SUFFIXES
    if not (file and many):
        return _user_file(read_one(gt)), None
    from signstudio.session.dataset import open_dataset
    from signstudio.session.pairing import plan_pairs

    pred, ref = open_dataset(file), open_dataset(gt)
    if len(ref) <= 1 and len(pred) <= 1:
        return _user_file(read_one(gt)), None
    shown = pred.index_of(key) if key is not None else index or 0
    plan = plan_pairs(pred, ref)
    partner = plan.partner_of(shown)
    name = pred.keys[shown] if shown < len(pred) and pred.keys[shown] else f"#{shown + 1}"
    if partner is None:
        return None, f"{file}: sequence {name} has no partner in {gt} ({plan.summary}); no reference shown"
    note = plan.warning
    if note is None and plan.by == "index" and len(ref) > 1:
        note = f"--gt {gt}: {plan.summary}"
    return _user_file(ref.sequence(partner)), note


def _report_first_paint(window: StudioWindow) -> None:
    """Print seconds from process start to the first painted GL frame, and whether torch was
    imported by then (`signstudio bench` reads this line)."""
    import time

    viewport = window.viewport

    def once() -> None:
        viewport.painted.disconnect(once)
        started = _process_start()
        print(
            f"startup: first frame painted after {time.time() - started:.3f} s; "
            f"torch imported: {'torch' in sys.modules}",
            flush=True,
        )

    viewport.painted.connect(once)


def _process_start() -> float:
    """Wall-clock time this process started (Linux: /proc; elsewhere: now)."""
    import time

    try:
        with open("/proc/self/stat") as fh:
            ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()


def session_settings() -> Any:
    """The user's settings for reading, with every change kept in memory only: a run that ends
    by itself (``--quit``) leaves the studio's remembered layout, modes and files as they were."""
    from signstudio.app.settings import MAX_RECENT, Settings

    class SessionSettings(Settings):
        def __init__(self) -> None:
            super().__init__()
            self._changed: dict[str, Any] = {}

        def get(self, key: str, default: Any = None) -> Any:
            if key in self._changed:
                return self._changed[key]
            return super().get(key, default)

        def set(self, key: str, value: Any) -> None:
            self._changed[key] = value

        def recent_files(self) -> list[str]:
            if "recent_files" in self._changed:
                return list(self._changed["recent_files"])
            return super().recent_files()

        def add_recent(self, path: str) -> list[str]:
            recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
            self._changed["recent_files"] = recent[:MAX_RECENT]
            return list(self._changed["recent_files"])

        def sync(self) -> None:
            pass

    return SessionSettings()


# ---- flags that set the studio up (signstudio.cli.app_cmd) --------------------------------------
#: Seconds to wait for what a screenshot must show: a generation (model loading included), the
#: pair's scores, the avatars (IK on the CPU: seconds per sequence).
GENERATION_TIMEOUT = 300.0
SCORES_TIMEOUT = 120.0
AVATAR_TIMEOUT = 300.0

#: Flags whose effect needs the generated (or opened) sequence on screen.
_RESULT_FLAGS = ("mirror", "keyframe", "flag", "drag", "heat", "camera")


def _flag(args: argparse.Namespace, name: str, default: object = None) -> Any:
    """``args.name``, or ``default`` for a namespace made without the newer flags."""
    return getattr(args, name, default)


def check_flags(args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of flags (one line), or None."""
    index, key = _flag(args, "index"), _flag(args, "key")
    if index is not None or key is not None:
        if not args.file:
            return "--index and --key choose a sequence of FILE: give FILE"
        if index is not None and key is not None:
            return "give --index or --key, not both"
        if index is not None and index < 0:
            return f"--index {index}: sequences count from 0"
    if _flag(args, "text") is not None:
        if args.file or args.gt:
            return "--text generates what is shown: give FILE (and --gt) or --text, not both"
        if not str(args.text).strip():
            return "--text is empty"
    else:
        given = [f"--{n}" for n in ("lang", "model") if _flag(args, n)] + (
            ["--prompt"] if _flag(args, "prompt") else []
        )
        if given:
            return f"{', '.join(given)} go with --text (what to generate on start)"
    drag = _flag(args, "drag")
    if drag:
        try:
            float(drag[1]), float(drag[2])
        except ValueError:
            return (
                f"--drag JOINT DX DY: DX and DY are pixels, e.g. --drag 'right wrist' -40 -50, not {drag[1:]}"
            )
    for name in ("keyframe", "flag"):
        if any(n < 0 for n in _flag(args, name) or []):
            return f"--{name}: frames count from 0"
    return check_compare(args)


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Process events until ``condition()`` holds (False on timeout); the window stays live."""
    import time

    from PySide6 import QtCore, QtWidgets

    app = QtWidgets.QApplication.instance()
    assert app is not None
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


def _settle(seconds: float) -> None:
    import time

    end = time.monotonic() + seconds
    _wait_until(lambda: time.monotonic() >= end, seconds + 1.0)


class Arrivals:
    """What arrived asynchronously: the generation's answer, the scores of the pair on screen,
    failures of scoring or of an avatar fit (connected right after the window is made, before
    any event is processed, so nothing is missed)."""

    def __init__(self, window: StudioWindow) -> None:
        self.window = window
        self.response: GenerateResponse | None = None
        self.scored_for: object = None  # the generated sequence whose scores are drawn
        self.score_error: str | None = None
        self.avatar_error: str | None = None
        window.generation_finished.connect(self._on_generated)
        window.scores_ready.connect(self._on_scores)
        window.bridge.scored.connect(self._on_scored)
        window.bridge.avatar_ready.connect(self._on_avatar)

    def _on_generated(self, response: GenerateResponse) -> None:
        self.response = response
        if getattr(response, "scores", None) is not None:
            self.scored_for = response.sequence  # scored with the generation: no second round

    def _on_scores(self, _scores: object) -> None:
        self.scored_for = self.window.state.sequence
        self.score_error = None

    def _on_scored(self, _token: int, result: object) -> None:
        if isinstance(result, str):
            self.score_error = result

    def _on_avatar(self, _token: int, result: object) -> None:
        if isinstance(result, str):
            self.avatar_error = result

    def scores_shown(self) -> bool:
        gen = self.window.state.sequence
        return gen is None or self.scored_for is gen or self.score_error is not None

    def avatars_shown(self) -> bool:
        w = self.window
        if w.viewport.body_mode == "skeleton" or self.avatar_error is not None:
            return True
        shown = (w.state.sequence, w.state.reference)
        return all(w.viewport.avatar_of(s) is not None for s in shown if s is not None)


def _joint_index(seq: PoseSequence, name: str) -> int:
    """A joint of ``seq`` by the name people use in the studio ("right wrist", "right index tip",
    as the status bar says them) or by its layout name ("BODY:RWrist")."""
    from signstudio.session.geometry import joint_label

    wanted = " ".join(name.replace("_", " ").split()).lower()
    for i, joint in enumerate(seq.skeleton.joints):
        if wanted in (joint_label(joint).lower(), joint.lower(), joint.rpartition(":")[2].lower()):
            return i
    known = ", ".join(dict.fromkeys(joint_label(j) for j in seq.skeleton.joints[:12]))
    raise ValueError(f"--drag: no joint {name!r} in the {seq.layout} skeleton (e.g. {known}, …)")


def _drag_joint(window: StudioWindow, name: str, dx: float, dy: float) -> None:
    """Drag a joint of the generated skeleton with the mouse, as a user does with Edit joints on:
    press on the joint, six moves, release (one undo step)."""
    from PySide6 import QtWidgets

    from signstudio.app.pointer import drag

    seq = window.state.sequence
    if seq is None:
        raise ValueError("--drag: no generated or opened sequence to edit")
    joint = _joint_index(seq, name)
    window.set_editing(True)
    window.clock.pause()
    window.wait_painted()
    view = window.viewport.view
    start = window.viewport.joint_pixel(joint)
    steps_before = window.editor.undo_stack.count()

    drag(view, start, dx, dy)
    QtWidgets.QApplication.processEvents()
    if window.editor.undo_stack.count() == steps_before:
        raise ValueError(
            f"--drag: {name!r} could not be picked on frame {window.clock.frame} (not drawn there?)"
        )


def _frame_in_range(window: StudioWindow, flag: str, frame: int) -> int:
    n = window.clock.num_frames
    if not 0 <= frame < n:
        raise ValueError(f"--{flag} {frame}: the sequence has frames 0..{n - 1}")
    return frame


def _apply_edits(window: StudioWindow, args: argparse.Namespace) -> None:
    """Edits in the order a user would make them; ValueError (one line) when one cannot be made."""
    edits = _flag(args, "mirror") or _flag(args, "keyframe") or _flag(args, "flag") or _flag(args, "drag")
    if edits and window.document is None:
        raise ValueError("nothing to edit: the edit flags need a generated or opened sequence")
    if _flag(args, "mirror"):
        window.actions_by_name["mirror_left_and_right"].trigger()
    for frame in _flag(args, "keyframe") or []:
        window.clock.frame = _frame_in_range(window, "keyframe", frame)
        doc = window.document
        assert doc is not None  # checked above: the edit flags need a document
        if frame not in doc.keyframes:
            window.keyframe_action.trigger()
    for frame in _flag(args, "flag") or []:
        window.clock.frame = _frame_in_range(window, "flag", frame)
        window.actions_by_name["flag_this_frame"].trigger()
    if _flag(args, "reach"):
        window.spread_actions[args.reach].trigger()
    if _flag(args, "edit"):
        window.set_editing(True)
    drag = _flag(args, "drag")
    if drag:
        if args.frame is not None:
            window.clock.frame = _frame_in_range(window, "frame", args.frame)
        _drag_joint(window, drag[0], float(drag[1]), float(drag[2]))


def _apply_view(window: StudioWindow, args: argparse.Namespace) -> None:
    """Display choices (as the View and Playback menus make them)."""
    reference = _flag(args, "reference")
    if reference:
        (window.ghost_action if reference == "ghost" else window.side_action).trigger()
    timing = _flag(args, "timing")
    if timing:
        (window.warped_action if timing == "warped" else window.own_clock_action).trigger()
    body = _flag(args, "body")
    if body:
        window.set_body_mode(body)
    if _flag(args, "camera"):
        window.viewport.set_camera(args.camera)
    if _flag(args, "speed"):
        window.timeline.set_speed(args.speed)
    if _flag(args, "loop"):
        window.timeline.set_loop(True)
    name = _flag(args, "panel")
    if name:
        window.docks[name].show()
        window.docks[name].raise_()


def _start_generation(window: StudioWindow, args: argparse.Namespace) -> None:
    panel = window.text_panel
    if args.lang and not panel.set_language(args.lang):
        raise ValueError(f"--lang {args.lang}: no such sign language here (see the studio's list)")
    if args.model and not panel.set_model(args.model):
        from signstudio.modeling.registry import available_models

        known = ", ".join(m.id for m in available_models())
        raise ValueError(f"--model {args.model}: no such model (known: {known})")
    panel.set_prompt_mode(bool(args.prompt))
    panel.set_text(args.text)
    panel.generate_button.click()  # as the user does: the panel's language, model and options


def run(args: argparse.Namespace) -> int:
    problem = check_flags(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    notes: list[str] = []
    seq, gt = load_sequences(args, notes)  # FormatError -> one line, exit 2 (cli.main)
    no_display = display_problem()
    if no_display:  # before Qt starts: it would abort the process
        print(f"error: {no_display}", file=sys.stderr)
        return 2
    if args.screenshot:  # a missing folder or a full disk: say so before the window opens
        from signstudio.pose.formats._atomic import check_destination

        check_destination(args.screenshot)

    from PySide6 import QtCore

    from signstudio.app.dialogs.welcome import show_welcome
    from signstudio.app.qt_boot import studio_application
    from signstudio.app.settings import Settings
    from signstudio.app.window import StudioWindow

    # A --quit run (a screenshot, a smoke test) reads the user's settings but changes none of them.
    settings = session_settings() if args.quit else Settings()
    app = studio_application(_flag(args, "theme") or str(settings.get("theme", "system")))

    text = _flag(args, "text")
    window = StudioWindow(seq, gt, settings=settings, auto_generate=text is None)
    if args.file:  # a multi-sequence FILE fills the Dataset panel, its shown row current
        window.datasets.follow_launch(args.file, _flag(args, "index"), _flag(args, "key"), gt=args.gt)
    watch = Arrivals(window)
    if _flag(args, "size"):
        window.resize(*args.size)
    if os.environ.get("SIGNSTUDIO_REPORT_STARTUP"):
        _report_first_paint(window)
    window.show()
    try:
        status = apply_flags(window, watch, args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        status = 2
    if status:
        window.close()
        return status
    if notes:  # --gt's pairing: the same line as on stderr, where the user looks
        window.statusBar().showMessage(notes[-1])
    if args.screenshot:
        path = window.save_screenshot(args.screenshot)
        print(f"screenshot: {path}")
    if args.quit:
        if not args.screenshot and not window.wait_painted():
            print("error: the 3D view did not paint (no OpenGL on this display?)", file=sys.stderr)
            return 1
        window.close()
        return 0
    # first start: the welcome tour over the window (never on --quit/--screenshot runs)
    QtCore.QTimer.singleShot(400, window, lambda: show_welcome(window))
    return int(app.exec())


def apply_flags(window: StudioWindow, watch: Arrivals, args: argparse.Namespace) -> int:
    """Apply the flags; with --screenshot, wait until what they ask for is drawn. Returns an exit
    status (0: go on); a flag that cannot be applied raises ValueError (one line)."""
    text = _flag(args, "text")
    window.lexicon.apply_flags(args, early=True)  # --lexicon: the first generation uses it
    if text is not None:
        _start_generation(window, args)
    needs_result = bool(args.screenshot) or any(_flag(args, f) for f in _RESULT_FLAGS)
    if needs_result or text is not None:
        # The first view (or --text) generates: let it finish so the picture is complete.
        if not window.wait_generated(timeout=GENERATION_TIMEOUT):
            print(f"error: the generation took longer than {GENERATION_TIMEOUT:.0f} s", file=sys.stderr)
            return 1
        response = watch.response
        if text is not None and response is not None and not response.ok:
            why = response.error or "cancelled"
            print(f"error: could not generate {text!r}: {why}", file=sys.stderr)
            return 1
        _settle(0.1)  # the pair's second slice (metrics table)
    _apply_edits(window, args)
    _apply_view(window, args)
    window.lexicon.apply_flags(args)  # --mark, --add-to-lexicon (signstudio.app.lexicon_flags)
    if _flag(args, "compare") and not apply_compare(window, args):
        return 1
    if args.screenshot:
        if not _wait_until(watch.scores_shown, SCORES_TIMEOUT):
            print("warning: the scores did not arrive in time; the picture lacks them", file=sys.stderr)
        if not _wait_until(watch.avatars_shown, AVATAR_TIMEOUT):
            print("warning: the avatars were not fitted in time; the picture lacks them", file=sys.stderr)
        if watch.avatar_error:
            print(f"warning: no avatar: {watch.avatar_error}", file=sys.stderr)
        _wait_dataset_scores(window)
    if _flag(args, "sort"):
        _sort_dataset(window, args.sort)
    if _flag(args, "heat") and not window.heat_action.isChecked():
        window.heat_action.trigger()  # after the scores: the map is drawn at once
    if args.frame is not None:
        window.clock.frame = args.frame
    if args.screenshot:
        _settle(0.3)  # let the last repaints (curves, table, status) land
    return 0


def _wait_dataset_scores(window: StudioWindow) -> None:
    """--screenshot with a dataset scored against --gt: the picture waits for every row."""
    scoring = window.datasets.scoring
    if scoring.scores is None:
        return
    if not _wait_until(lambda: scoring.scores is None or scoring.scores.state != "running", SCORES_TIMEOUT):
        print("warning: the dataset's scores did not arrive in time; the picture lacks some", file=sys.stderr)
    _settle(0.3)  # the last batch of rows reaches the table (queued, flushed on a timer)


def _sort_dataset(window: StudioWindow, spec: str) -> None:
    """--sort COLUMN[:desc]: the Dataset table sorted as a header click sorts it (after the
    scores, so a score column sorts by them), its top row shown; an unknown column is ValueError."""
    from PySide6 import QtCore

    column, _, order = spec.partition(":")
    browser = window.datasets.browser
    if browser.dataset is None:
        raise ValueError("--sort sorts the Dataset table: give a FILE of many sequences (.skels, .h5)")
    scoring = window.datasets.scoring.scores
    if scoring is not None and scoring.state == "running":
        _wait_dataset_scores(window)  # a score column exists (and sorts) once its scores are in
    if column not in browser.columns:
        raise ValueError(f"--sort {column}: no such column (the columns are {', '.join(browser.columns)})")
    if order not in ("", "asc", "desc"):
        raise ValueError(f"--sort {spec}: the order after ':' is asc or desc")
    Order = QtCore.Qt.SortOrder
    window.datasets.panel.table.sortByColumn(
        browser.columns.index(column), Order.DescendingOrder if order == "desc" else Order.AscendingOrder
    )
    rows = browser.rows()
    if rows and browser.current != rows[0]:
        browser.go_to(rows[0])  # the top row's pair on screen, scored off the GUI thread
        _wait_until(lambda: window.controller.scores is not None, SCORES_TIMEOUT)


# ---- --compare B [C]: the same text by two or three models (signstudio.app.compare) -------------
def check_compare(args: argparse.Namespace) -> str | None:
    """What is wrong with ``--compare`` (one line), or None: it needs --text and --model, and
    models that exist (checked before any window opens: exit 2)."""
    compare = _flag(args, "compare")
    if not compare:
        return None
    if _flag(args, "text") is None or not _flag(args, "model"):
        return "--compare B [C] compares with --model A on --text: give --text, --lang and --model"
    from signstudio.modeling.registry import available_models
    from signstudio.session.compare import check_models

    return check_models(args.model, list(compare), [m.id for m in available_models()])


def apply_compare(window: StudioWindow, args: argparse.Namespace) -> bool:
    """Generate the --compare models after the window's own (--model) and show them all; wait
    for them (False, with the reason on stderr, when they take too long)."""
    from signstudio.app.compare import CompareSession
    from signstudio.session.compare import ComparePlan

    lang = window.text_panel.current_language() if not args.lang else args.lang
    plan = ComparePlan(str(args.text).strip(), lang, (args.model, *args.compare))
    session = CompareSession(window, plan)
    setattr(window, "compare_session", session)  # noqa: B010 - kept alive with the window
    session.start()
    if not _wait_until(lambda: session.done, GENERATION_TIMEOUT * len(args.compare)):
        print(
            f"error: --compare: the models took longer than {GENERATION_TIMEOUT:.0f} s each", file=sys.stderr
        )
        return False
    window.wait_painted()
    return True
