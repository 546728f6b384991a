"""`JointCloud`: one skeleton's joints and bones on the CPU, and their GPU buffers.

The data side of the skeleton items (`signstudio.app.viewport.skeleton_items`, whose docstring
says how they draw): a static per-joint style, the frame shown, the present bones, uploaded at
the next paint only when stale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from OpenGL import GL

from signstudio.app.viewport.gl_programs import sub_data
from signstudio.app.viewport.shaders import LOC_BONE, LOC_CORNER, LOC_JOINT, LOC_STYLE

_FLOAT = 4
_VEC4 = 4 * _FLOAT

# ---- data ----------------------------------------------------------------------------------


def present_bones(bones: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The bones drawn in a frame: of ``bones`` (B, 2) joint index pairs, those whose two joints
    are ``present`` (J,) bool. A missing joint (confidence 0: e.g. a hand a model did not
    produce, `signstudio.modeling.output`) ends no bone, so nothing is drawn to its place-holder."""
    bones = np.asarray(bones, np.uint32).reshape(-1, 2)
    if not len(bones):
        return bones
    return bones[np.asarray(present, bool)[bones].all(axis=1)]


class JointCloud:
    """One skeleton's joints and bones, CPU side, with what the GPU copy still lacks.

    ``set_skeleton(rgb (J, 3) 0..1, size (J,) px, bones (B, 2))`` sets what changes only with the
    skeleton; ``set_frame(data (F, J, 3), confidence (F, J), i)`` selects the frame shown (arrays
    are kept by reference, nothing is copied until the next paint uploads frame ``i``).
    Positions are in the item's local coordinates (the items' transform maps them to the scene).

    ``uploads`` counts frame uploads (tests check that an unchanged frame is not re-sent),
    ``index_uploads`` element-buffer uploads.
    """

    def __init__(self) -> None:
        self.num_joints = 0
        self._style = np.zeros((0, 4), np.float32)
        self._base_rgb = np.zeros((0, 3), np.float32)
        self.style_version = 0  # bumps when only the colours change (`set_colors`)
        self._gpu_style_version = -1
        self._bones = np.zeros((0, 2), np.uint32)
        self._data: np.ndarray | None = None
        self._conf: np.ndarray | None = None
        self.frame: int | None = None
        self._scratch = np.zeros((0, 4), np.float32)
        self._present: np.ndarray | None = None  # joints present in the uploaded frame
        self._indices = np.zeros(0, np.uint32)  # present bones, flattened pairs
        self.version = 0  # bumps on every change of skeleton (the GPU copy is stale)
        self.frame_version = 0
        self.uploads = 0
        self.index_uploads = 0
        # GPU state, valid for the share group of ``_gl_key``
        self._gl_key: Any = None
        self.gl_generation = 0
        self._tex_joints = self._tex_style = 0
        self._tex_capacity = -1
        self._vbo_joints = 0
        self._vbo_style = 0
        self._ebo = 0
        self._capacity = 0
        self._bone_capacity = 0
        self._gpu_version = -1
        self._gpu_frame_version = -1
        self.num_indices = 0

    # -- CPU side --
    def set_skeleton(self, rgb: np.ndarray, size: np.ndarray, bones: np.ndarray) -> None:
        rgb = np.asarray(rgb, np.float32).reshape(-1, 3)
        j = rgb.shape[0]
        style = np.empty((j, 4), np.float32)
        style[:, :3] = rgb
        style[:, 3] = np.asarray(size, np.float32).reshape(j)
        bones = np.asarray(bones).reshape(-1, 2)
        if len(bones) and (bones.min() < 0 or bones.max() >= j):
            raise ValueError(f"bone indices out of range for {j} joints")
        self.num_joints = j
        self._style = style
        self._base_rgb = style[:, :3].copy()
        self._bones = np.ascontiguousarray(bones, np.uint32)
        self._scratch = np.zeros((j, 4), np.float32)
        self._present = None
        self._data = self._conf = None
        self.frame = None
        self.version += 1
        self.frame_version += 1

    @property
    def colors(self) -> np.ndarray:
        """(J, 3) the joints' colours as they will be drawn (a copy)."""
        return self._style[:, :3].copy()

    def set_colors(self, rgb: np.ndarray | None) -> None:
        """Recolour the joints (and the bones, which take their child's colour) without touching
        the skeleton: (J, 3) 0..1, or None for the skeleton's own colours. Only the small style
        buffer is uploaded at the next paint (the heat map calls this on every frame)."""
        base = self._base_rgb if rgb is None else np.asarray(rgb, np.float32).reshape(-1, 3)
        if base.shape[0] != self.num_joints:
            raise ValueError(f"{base.shape[0]} colours for {self.num_joints} joints")
        if np.array_equal(self._style[:, :3], base):
            return
        self._style[:, :3] = base
        self.style_version += 1

    def set_frame(self, data: np.ndarray, confidence: np.ndarray, frame: int) -> bool:
        """Show ``frame`` of ``data`` (F, J, 3) / ``confidence`` (F, J); False when already shown."""
        if data is self._data and confidence is self._conf and frame == self.frame:
            return False
        if data.shape[1] != self.num_joints or confidence.shape[1] != self.num_joints:
            raise ValueError(f"frame has {data.shape[1]} joints, skeleton {self.num_joints}")
        self._data, self._conf, self.frame = data, confidence, int(frame)
        self.frame_version += 1
        return True

    def clear(self) -> None:
        self.set_skeleton(np.zeros((0, 3)), np.zeros(0), np.zeros((0, 2)))

    @property
    def empty(self) -> bool:
        return self._data is None or self.num_joints == 0

    # -- GPU side (called from paint with the context current) --
    def bind_textures(self) -> None:
        """The joint and style buffers as buffer textures on units 0 and 1 (for bone quads)."""
        if not self._tex_joints:
            self._tex_joints, self._tex_style = (int(t) for t in GL.glGenTextures(2))
            self._tex_capacity = -1
        if self._tex_capacity != self._capacity:  # (re)attach after the buffers were re-allocated
            for tex, vbo in ((self._tex_joints, self._vbo_joints), (self._tex_style, self._vbo_style)):
                GL.glBindTexture(GL.GL_TEXTURE_BUFFER, tex)
                GL.glTexBuffer(GL.GL_TEXTURE_BUFFER, GL.GL_RGBA32F, vbo)
            self._tex_capacity = self._capacity
        GL.glActiveTexture(GL.GL_TEXTURE1)
        GL.glBindTexture(GL.GL_TEXTURE_BUFFER, self._tex_style)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_BUFFER, self._tex_joints)

    @staticmethod
    def unbind_textures() -> None:
        GL.glActiveTexture(GL.GL_TEXTURE1)
        GL.glBindTexture(GL.GL_TEXTURE_BUFFER, 0)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_BUFFER, 0)

    def bind_bone_instances(self, corners: int) -> None:
        """Attributes of the bone quads: the 4 corners (per vertex), the bone pairs (per instance)."""
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, corners)
        GL.glVertexAttribPointer(LOC_CORNER, 2, GL.GL_FLOAT, GL.GL_FALSE, 8, None)
        GL.glEnableVertexAttribArray(LOC_CORNER)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._ebo)  # the present bones, as (parent, child) pairs
        GL.glVertexAttribIPointer(LOC_BONE, 2, GL.GL_UNSIGNED_INT, 8, None)
        GL.glVertexAttribDivisor(LOC_BONE, 1)
        GL.glEnableVertexAttribArray(LOC_BONE)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def sync(self, key: Any) -> None:
        """Create the buffers on first use in share group ``key`` (`GLResources.context`) and
        upload whatever is stale."""
        if key is not self._gl_key:
            self._vbo_joints, self._vbo_style, self._ebo = (int(b) for b in GL.glGenBuffers(3))
            self._tex_joints = self._tex_style = 0
            self._gl_key = key
            self.gl_generation += 1  # VAOs that point at the old buffers must be rebuilt
            self._capacity = self._bone_capacity = 0
            self._gpu_version = self._gpu_frame_version = -1
        if self._gpu_version != self.version:
            self._upload_skeleton()
        elif self._gpu_style_version != self.style_version:
            if self.num_joints:
                GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._vbo_style)
                sub_data(GL.GL_ARRAY_BUFFER, self._style)
                GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            self._gpu_style_version = self.style_version
        if self._gpu_frame_version != self.frame_version:
            self._upload_frame()

    def _upload_skeleton(self) -> None:
        j = self.num_joints
        if j > self._capacity:
            cap = max(64, int(j * 1.25))
            for vbo in (self._vbo_joints, self._vbo_style):
                GL.glBindBuffer(GL.GL_ARRAY_BUFFER, vbo)
                GL.glBufferData(GL.GL_ARRAY_BUFFER, cap * _VEC4, None, GL.GL_DYNAMIC_DRAW)
            self._capacity = cap
        if j:
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._vbo_style)
            sub_data(GL.GL_ARRAY_BUFFER, self._style)
        b = len(self._bones)
        if b > self._bone_capacity:
            cap = max(64, int(b * 1.25))
            GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self._ebo)
            GL.glBufferData(GL.GL_ELEMENT_ARRAY_BUFFER, cap * 2 * 4, None, GL.GL_DYNAMIC_DRAW)
            GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, 0)
            self._bone_capacity = cap
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        self._present = None
        self.num_indices = 0
        self._gpu_version = self.version
        self._gpu_style_version = self.style_version

    def _upload_frame(self) -> None:
        self._gpu_frame_version = self.frame_version
        if self._data is None or self._conf is None or self.frame is None or not self.num_joints:
            self.num_indices = 0
            return
        buf = self._scratch
        buf[:, :3] = self._data[self.frame]
        conf = self._conf[self.frame]
        buf[:, 3] = conf
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._vbo_joints)
        sub_data(GL.GL_ARRAY_BUFFER, buf)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        self.uploads += 1
        present = conf > 0
        if self._present is None or not np.array_equal(present, self._present):
            self._present = present
            self._indices = np.ascontiguousarray(present_bones(self._bones, present).reshape(-1))
            self.num_indices = int(self._indices.size)
            if self.num_indices:
                # The element buffer is bound through a VAO in core profiles; bind it directly
                # with no VAO bound so that no VAO's state is changed by this upload.
                GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self._ebo)
                sub_data(GL.GL_ELEMENT_ARRAY_BUFFER, self._indices)
                GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, 0)
            self.index_uploads += 1

    def bind_attributes(self) -> None:
        """Point attributes 0 (joint) and 1 (style) at the buffers, bind the element buffer."""
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._vbo_joints)
        GL.glVertexAttribPointer(LOC_JOINT, 4, GL.GL_FLOAT, GL.GL_FALSE, _VEC4, None)
        GL.glEnableVertexAttribArray(LOC_JOINT)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._vbo_style)
        GL.glVertexAttribPointer(LOC_STYLE, 4, GL.GL_FLOAT, GL.GL_FALSE, _VEC4, None)
        GL.glEnableVertexAttribArray(LOC_STYLE)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self._ebo)

    def release_gl(self) -> None:
        """Delete the GPU buffers (the context of their share group must be current)."""
        if self._gl_key is not None:
            GL.glDeleteBuffers(3, [self._vbo_joints, self._vbo_style, self._ebo])
            if self._tex_joints:
                GL.glDeleteTextures(2, [self._tex_joints, self._tex_style])
        self._tex_joints = self._tex_style = 0
        self._gl_key = None
        self._vbo_joints = self._vbo_style = self._ebo = 0
