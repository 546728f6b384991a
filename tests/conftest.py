"""Shared fixtures: real lexicon recordings from the spoken-to-signed package."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from signstudio.corpus.lexicon import alphabet, load_clip
from signstudio.pose.sequence import PoseSequence


@pytest.fixture(scope="session")
def real_holistic() -> PoseSequence:
    """A real MediaPipe Holistic recording (DGS letter "h"), as read from its .pose file."""
    return load_clip(alphabet("gsg")["h"])


@pytest.fixture(scope="session")
def real_clips() -> list[PoseSequence]:
    """A few real recordings from different sign languages and frame rates."""
    picks = [
        ("ase", "w"),
        ("gsg", "sch") if "sch" in alphabet("gsg") else ("gsg", "a"),
        ("ukl", "я"),
        ("ise", "zz"),
    ]
    return [load_clip(alphabet(sl)[letter]) for sl, letter in picks]


# ---- a small SMPL-X-shaped model file (avatar and studio tests) ---------------------------
# A small SMPL-X-shaped model file, built here: the real `smplx` loader reads it, no licensed data.
#
# Its 55 joints sit where mannequin-x's calibrated SMPL-X skeleton has them (jaw and eyes placed on
# the head); every joint carries a small tetrahedron of vertices skinned rigidly to it, and the
# joint regressor picks each tetrahedron's centre. Shape coefficient 0 makes the body taller,
# nothing else moves. Everything else the loader expects (pose blend shapes, hand PCA, landmarks)
# is present with the right shapes and zero or identity contents.

SMPLX_LANDMARK_VERTICES = 9930
PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 15, 15, 15,
           20, 25, 26, 20, 28, 29, 20, 31, 32, 20, 34, 35, 20, 37, 38,
           21, 40, 41, 21, 43, 44, 21, 46, 47, 21, 49, 50, 21, 52, 53]  # fmt: skip


def build_smplx_file(folder: Path, gender: str = "NEUTRAL") -> Path:
    from mannequin import Mannequin
    from smplx.joint_names import JOINT_NAMES

    from signstudio.avatar.bodies import smplx_name

    body = Mannequin("convex", flat_hand_mean=True)
    rest = body.forward_skeleton(**body.rest_pose())[:, :3, 3]
    names = list(body.joint_names)
    joints = np.zeros((55, 3))
    for j, n in enumerate(JOINT_NAMES[:55]):
        mine = smplx_name(n)
        if mine in names:
            joints[j] = rest[names.index(mine)]
    head = joints[15]
    joints[22] = head + np.array([0, -0.05, 0.06])  # jaw
    joints[23] = head + np.array([0.03, 0.03, 0.08])  # eyes
    joints[24] = head + np.array([-0.03, 0.03, 0.08])
    tet = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float) * 0.004
    verts = (joints[:, None] + tet[None]).reshape(-1, 3)
    # the loader picks landmark vertices by SMPL-X's own ids (up to 9929): pad to that many,
    # the padding sits on the pelvis and belongs to no face
    pad = SMPLX_LANDMARK_VERTICES - len(verts)
    verts = np.concatenate([verts, np.repeat(joints[:1], pad, axis=0)])
    v = len(verts)
    faces = np.array([[0, 1, 2], [0, 3, 1], [0, 2, 3], [1, 3, 2]])
    f = (faces[None] + 4 * np.arange(55)[:, None, None]).reshape(-1, 3)
    weights = np.concatenate([np.repeat(np.eye(55), 4, axis=0), np.tile(np.eye(55)[:1], (pad, 1))])
    regressor = np.concatenate([np.repeat(np.eye(55), 4, axis=1) / 4, np.zeros((55, pad))], axis=1)
    shapedirs = np.zeros((v, 3, 20), np.float32)  # 10 shape + 10 expression coefficients
    shapedirs[:, 1, 0] = verts[:, 1] * 0.05  # beta 0: taller
    path = folder / f"SMPLX_{gender}.npz"
    np.savez_compressed(
        path,
        v_template=verts,
        f=f.astype(np.int64),
        J_regressor=regressor,
        kintree_table=np.array([PARENTS, list(range(55))], np.int64),
        weights=weights,
        posedirs=np.zeros((v, 3, 54 * 9), np.float32),
        shapedirs=shapedirs,
        hands_componentsl=np.eye(45),
        hands_componentsr=np.eye(45),
        hands_meanl=np.zeros(45),
        hands_meanr=np.zeros(45),
        lmk_faces_idx=np.zeros(51, np.int64),
        lmk_bary_coords=np.full((51, 3), 1 / 3),
        dynamic_lmk_faces_idx=np.zeros((79, 17), np.int64),
        dynamic_lmk_bary_coords=np.full((79, 17, 3), 1 / 3),
    )
    return path


@pytest.fixture(scope="session")
def smplx_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("smplx-models")
    build_smplx_file(folder)
    return folder


@pytest.fixture(autouse=True)
def _own_autosave_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or leaves autosaves in the user's data folder (the studio offers to restore
    whatever it finds there at start)."""
    monkeypatch.setenv("SIGNSTUDIO_AUTOSAVE_DIR", str(tmp_path_factory.mktemp("autosave")))


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """Once a studio window took garbage collection over (`signstudio.app.gui_gc`), the GUI
    thread's timer collects only while events are processed. A test without windows first
    collects everything on the main thread (the closed windows of the tests before it go here,
    never on a worker thread) and then runs with Python's automatic collector, as a plain process
    does; after a GUI test the main thread collects what is due."""
    gui_gc = sys.modules.get("signstudio.app.gui_gc")
    if gui_gc is not None and gui_gc.in_charge() and request.node.get_closest_marker("gui") is None:
        gc.collect()
        gc.enable()
    yield
    gui_gc = sys.modules.get("signstudio.app.gui_gc")
    if gui_gc is not None and gui_gc.in_charge():
        gui_gc.collect_due()
