"""`SkeletonSlot`: the GL items of one skeleton (and its avatar) in a view, reused for every sequence."""

from __future__ import annotations

from PySide6 import QtGui

from signstudio.app.viewport.glview import GLView
from signstudio.app.viewport.joint_cloud import JointCloud
from signstudio.app.viewport.mesh_item import GLMeshItem
from signstudio.app.viewport.skeleton_items import GLBonesItem, GLJointsItem
from signstudio.avatar.mesh import AvatarMesh
from signstudio.pose.sequence import PoseSequence
from signstudio.session.geometry import DisplaySkeleton

AVATAR_COLOR = (0.86, 0.76, 0.62)  # light wood, readable on dark and light backgrounds
AVATAR_BOTH_OPACITY = 0.45
LINE_WIDTH = 3.0
GHOST_OPACITY = 0.35
GHOST_DESATURATE = 0.35


class SkeletonSlot:
    """One skeleton in a view: a bone item and a joint item sharing one `JointCloud`.

    Slots are made once and reused for every sequence, so GL buffers are not re-created (nor
    leaked) when a new sequence arrives.
    """

    def __init__(self, view: GLView, depth: int, ghost: bool = False) -> None:
        self.cloud = JointCloud()
        self.bones = GLBonesItem(self.cloud, width=LINE_WIDTH)
        self.joints = GLJointsItem(self.cloud)
        self.mesh = GLMeshItem()
        self.mesh.setDepthValue(depth - 1)  # drawn before the skeleton: a translucent body shows it
        self.mesh.setVisible(False)
        self.mesh_of: PoseSequence | None = None  # the sequence the mesh belongs to
        view.addItem(self.mesh)
        self.ghost = ghost
        self.bones.setDepthValue(depth)
        self.joints.setDepthValue(depth + 1)
        if ghost:
            for item in self.items:
                item.set_look(opacity=GHOST_OPACITY, desaturate=GHOST_DESATURATE, depth_write=False)
        for item in self.items:
            view.addItem(item)
        self.display: DisplaySkeleton | None = None
        self.set_display(None)

    @property
    def items(self) -> tuple[GLBonesItem, GLJointsItem]:
        return self.bones, self.joints

    def set_display(self, display: DisplaySkeleton | None) -> None:
        self.display = display
        if display is None:
            self.cloud.clear()
            for item in self.items:
                item.setVisible(False)
            return
        self.cloud.set_skeleton(display.rgb, display.size, display.bones)
        m = QtGui.QMatrix4x4(*(float(v) for v in display.matrix.reshape(-1)))
        for item in self.items:
            item.setTransform(m)
            item.setVisible(True)
        self.mesh.setTransform(m)
        self.show_frame(0)

    def set_body(self, mesh: AvatarMesh | None, mode: str) -> None:
        """The avatar of the shown sequence (None: none yet) drawn as ``mode`` says."""
        shown = self.display is not None
        has_mesh = mesh is not None and shown
        if has_mesh and self.mesh_of is not (self.display.seq if self.display else None):
            assert mesh is not None and self.display is not None
            self.mesh.set_mesh(mesh.vertices, mesh.normals, mesh.faces)
            self.mesh_of = self.display.seq
        if not has_mesh:
            self.mesh.set_mesh(None)
            self.mesh_of = None
        body_on = has_mesh and mode in ("avatar", "both")
        self.mesh.setVisible(body_on)
        base = GHOST_OPACITY if self.ghost else 1.0
        self.mesh.set_look(AVATAR_COLOR, base * (AVATAR_BOTH_OPACITY if mode == "both" else 1.0))
        skeleton_on = shown and not (body_on and mode == "avatar")
        for item in self.items:
            item.setVisible(skeleton_on)

    def show_frame(self, frame: int) -> bool:
        """Show ``frame`` (clamped); True when it differs from the frame shown (an upload follows)."""
        if self.display is None:
            return False
        seq = self.display.seq
        changed = self.cloud.set_frame(seq.data, seq.confidence, self.display.clamp(frame))
        if changed:
            self.bones.update()
        if self.mesh_of is seq:
            changed = self.mesh.set_frame(self.display.clamp(frame)) or changed
        return changed
