"""A shaded triangle mesh for the viewport: the avatar's body, one frame of a precomputed sequence.

Why not pyqtgraph's ``GLMeshItem``: its ``MeshData`` computes vertex normals with a Python loop
over vertices (seconds at 5k–24k vertices) and re-sends every array through the legacy pipeline
on each paint. Here, as for the skeleton items (`signstudio.app.viewport.skeleton_items`):

* the whole sequence's vertices and normals are computed once, off the GUI thread
  (`signstudio.avatar.bodies`: normals vectorised); `set_frame` only selects a frame;
* the faces go to an element buffer once per mesh; each new frame is one ``glBufferSubData`` of
  (V, 6) float32 (position, normal) into a persistent buffer; an unchanged frame uploads nothing;
* the shading is a headlight: ambient + Lambert + a little specular in the fragment shader,
  two-sided (the mannequin's convex links are closed, but a cut-open mesh must not go black);
* ``opacity`` < 1 draws it translucent without writing depth, so the skeleton inside shows
  ("avatar translucent with the skeleton inside").
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem

from signstudio.app.viewport.gl_programs import Program, current, set_mvp, sub_data

LOC_POSITION, LOC_NORMAL = 0, 1
_STRIDE = 6 * 4

MESH_VERTEX = """
uniform mat4 u_mvp;
uniform mat4 u_normal;  // the item's model-view, for normals in eye space
IN vec3 a_position;
IN vec3 a_normal;
OUT vec3 v_normal;
void main() {
    gl_Position = u_mvp * vec4(a_position, 1.0);
    v_normal = (u_normal * vec4(a_normal, 0.0)).xyz;
}
"""

MESH_FRAGMENT = """
uniform vec4 u_color;  // rgb, opacity
IN vec3 v_normal;
FRAG_OUT
void main() {
    vec3 n = normalize(v_normal);
    float facing = abs(n.z);               // headlight along the view axis, two-sided
    float diffuse = 0.30 + 0.70 * facing;
    float spec = pow(facing, 24.0) * 0.18;
    FRAG_COLOR = vec4(u_color.rgb * diffuse + vec3(spec), u_color.a);
}
"""

_PROGRAMS: dict[int, Program] = {}


def _program(res: Any) -> Program:
    prog = _PROGRAMS.get(id(res))
    if prog is None:
        prog = Program(
            MESH_VERTEX,
            MESH_FRAGMENT,
            {"a_position": LOC_POSITION, "a_normal": LOC_NORMAL},
            ("u_mvp", "u_normal", "u_color"),
        )
        _PROGRAMS[id(res)] = prog
    return prog


class GLMeshItem(GLGraphicsItem):
    """Frames of a mesh: ``set_mesh(vertices (F, V, 3), normals (F, V, 3), faces (T, 3))``, then
    ``set_frame(i)``; ``set_look(rgb 0..1, opacity)``. ``uploads`` counts frame uploads."""

    def __init__(self) -> None:
        super().__init__()
        self._vertices: np.ndarray | None = None
        self._normals: np.ndarray | None = None
        self._faces = np.zeros((0, 3), np.uint32)
        self.frame = 0
        self.color = (0.82, 0.72, 0.58)
        self.opacity = 1.0
        self._version = 0  # the mesh (faces, sizes) changed
        self._frame_version = 0
        self._gpu: dict[str, Any] = {}
        self._scratch = np.zeros((0, 6), np.float32)
        self.uploads = 0

    @property
    def num_frames(self) -> int:
        return 0 if self._vertices is None else int(self._vertices.shape[0])

    def set_mesh(
        self, vertices: np.ndarray | None, normals: np.ndarray | None = None, faces: np.ndarray | None = None
    ) -> None:
        if vertices is None or normals is None or faces is None:
            self._vertices = self._normals = None
            self.setVisible(False)
            return
        v = np.asarray(vertices, np.float32)
        n = np.asarray(normals, np.float32)
        if v.ndim != 3 or v.shape != n.shape:
            raise ValueError(f"vertices and normals must both be (F, V, 3), got {v.shape} and {n.shape}")
        f = np.ascontiguousarray(faces, np.uint32).reshape(-1, 3)
        if len(f) and f.max() >= v.shape[1]:
            raise ValueError(f"face indices out of range for {v.shape[1]} vertices")
        self._vertices, self._normals, self._faces = v, n, f
        self._scratch = np.zeros((v.shape[1], 6), np.float32)
        self.frame = 0
        self._version += 1
        self._frame_version += 1
        self.setVisible(True)
        self.update()

    def set_frame(self, frame: int) -> bool:
        """Show ``frame`` (clamped); True when it differs from the one shown."""
        if self._vertices is None:
            return False
        frame = int(np.clip(frame, 0, len(self._vertices) - 1))
        if frame == self.frame:
            return False
        self.frame = frame
        self._frame_version += 1
        self.update()
        return True

    def set_look(self, color: tuple[float, float, float] | None = None, opacity: float | None = None) -> None:
        if color is not None:
            self.color = tuple(float(c) for c in color)  # type: ignore[assignment]
        if opacity is not None:
            self.opacity = float(opacity)
        self.update()

    def paint(self) -> None:
        if self._vertices is None or self._normals is None or not len(self._faces):
            return
        ctx, res = current()
        gpu = self._gpu
        if gpu.get("key") is not res.context:
            vbo, ebo = (int(b) for b in GL.glGenBuffers(2))
            gpu.clear()
            gpu.update(key=res.context, vbo=vbo, ebo=ebo, version=-1, frame_version=-1, vao=0, vao_ctx=None)
        if gpu["version"] != self._version:
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, gpu["vbo"])
            GL.glBufferData(GL.GL_ARRAY_BUFFER, self._scratch.nbytes, None, GL.GL_DYNAMIC_DRAW)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, gpu["ebo"])
            GL.glBufferData(GL.GL_ELEMENT_ARRAY_BUFFER, self._faces.nbytes, self._faces, GL.GL_STATIC_DRAW)
            GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, 0)
            gpu["version"], gpu["frame_version"] = self._version, -1
        if gpu["frame_version"] != self._frame_version:
            self._scratch[:, :3] = self._vertices[self.frame]
            self._scratch[:, 3:] = self._normals[self.frame]
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, gpu["vbo"])
            sub_data(GL.GL_ARRAY_BUFFER, self._scratch)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            gpu["frame_version"] = self._frame_version
            self.uploads += 1
        prog = _program(res)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFuncSeparate(
            GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA
        )
        translucent = self.opacity < 1.0
        if translucent:
            GL.glDepthMask(GL.GL_FALSE)
        GL.glUseProgram(prog.id)
        set_mvp(prog.uniforms["u_mvp"], self)
        mv = self.modelViewMatrix()
        GL.glUniformMatrix4fv(prog.uniforms["u_normal"], 1, GL.GL_FALSE, np.asarray(mv.data(), np.float32))
        GL.glUniform4f(prog.uniforms["u_color"], *self.color, self.opacity)
        if res.has_vao:
            if gpu["vao_ctx"] is not ctx or not gpu["vao"]:
                gpu["vao"] = int(GL.glGenVertexArrays(1))
                gpu["vao_ctx"] = ctx
                GL.glBindVertexArray(gpu["vao"])
                self._attributes(gpu)
            else:
                GL.glBindVertexArray(gpu["vao"])
        else:
            self._attributes(gpu)
        GL.glDrawElements(GL.GL_TRIANGLES, int(self._faces.size), GL.GL_UNSIGNED_INT, None)
        if res.has_vao:
            GL.glBindVertexArray(0)
        else:
            GL.glDisableVertexAttribArray(LOC_POSITION)
            GL.glDisableVertexAttribArray(LOC_NORMAL)
            GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, 0)
        if translucent:
            GL.glDepthMask(GL.GL_TRUE)

    @staticmethod
    def _attributes(gpu: dict[str, Any]) -> None:
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, gpu["vbo"])
        GL.glVertexAttribPointer(LOC_POSITION, 3, GL.GL_FLOAT, GL.GL_FALSE, _STRIDE, None)
        GL.glEnableVertexAttribArray(LOC_POSITION)
        GL.glVertexAttribPointer(LOC_NORMAL, 3, GL.GL_FLOAT, GL.GL_FALSE, _STRIDE, ctypes.c_void_p(12))
        GL.glEnableVertexAttribArray(LOC_NORMAL)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, gpu["ebo"])


__all__ = ["GLMeshItem"]
