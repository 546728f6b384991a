"""The floor grid under the skeletons: lines on a plane, fading out towards the rim."""

from __future__ import annotations

import ctypes
import math
from typing import Any

import numpy as np
from OpenGL import GL
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6 import QtGui

from signstudio.app.viewport.gl_programs import current, set_mvp
from signstudio.app.viewport.shaders import LOC_POSITION


class GLFloorGrid(GLGraphicsItem):
    """A square grid of lines on the plane z = 0 (place it with the item transform), fading out
    towards its rim. Uploaded once per `set_grid`; one draw call per paint."""

    def __init__(self, color: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 0.16)) -> None:
        super().__init__()
        self.color = tuple(float(c) for c in color)
        self._lines = np.zeros((0, 3), np.float32)
        self._fade = (0.0, 0.0, 1.0)
        self._version = 0
        self._gpu: tuple[Any, int, int] | None = None  # (share key, vbo, version)
        self._vao = 0
        self._vao_ctx: Any = None
        self.set_grid(10.0, 1.0)

    def set_grid(self, size: float, spacing: float) -> None:
        """A ``size`` x ``size`` square centred on the origin with a line every ``spacing``."""
        n = max(1, round(size / spacing / 2))
        ticks = np.arange(-n, n + 1, dtype=np.float32) * np.float32(spacing)
        half = np.float32(n * spacing)
        k = len(ticks)
        lines = np.zeros((4 * k, 3), np.float32)
        lines[0 : 2 * k : 2, 0] = ticks
        lines[0 : 2 * k : 2, 1] = -half
        lines[1 : 2 * k : 2, 0] = ticks
        lines[1 : 2 * k : 2, 1] = half
        lines[2 * k :: 2, 1] = ticks
        lines[2 * k :: 2, 0] = -half
        lines[2 * k + 1 :: 2, 1] = ticks
        lines[2 * k + 1 :: 2, 0] = half
        self._lines = lines
        self._fade = (0.0, 0.0, float(half))
        self._version += 1
        self.update()

    def place(self, lo: np.ndarray, hi: np.ndarray, floor: float) -> None:
        """Lie just under ``floor`` beneath the box (``lo``, ``hi``), sized and spaced to it."""
        extent = float(max(hi[0] - lo[0], hi[2] - lo[2], 1e-6))
        spacing = _nice_step(extent / 4)
        floor -= 0.03 * extent
        cx, cy = float((lo[0] + hi[0]) / 2), float((lo[1] + hi[1]) / 2)
        self.set_grid(8 * extent, spacing)
        self.resetTransform()
        self.translate(cx, cy, floor)

    def set_color(self, color: tuple[float, float, float, float]) -> None:
        self.color = tuple(float(c) for c in color)
        self.update()

    def paint(self) -> None:
        if not len(self._lines):
            return
        ctx, res = current()
        key = res.context
        if self._gpu is None or self._gpu[0] is not key:
            self._gpu = (key, int(GL.glGenBuffers(1)), -1)
        _, vbo, version = self._gpu
        if version != self._version:
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, vbo)
            GL.glBufferData(GL.GL_ARRAY_BUFFER, self._lines.nbytes, self._lines, GL.GL_STATIC_DRAW)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
            self._gpu = (key, vbo, self._version)
        prog = res.grid
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFuncSeparate(
            GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA
        )
        GL.glDepthMask(GL.GL_FALSE)  # the floor never hides a joint sunk into it
        GL.glUseProgram(prog.id)
        set_mvp(prog.uniforms["u_mvp"], self)
        GL.glUniform4f(prog.uniforms["u_color"], *self.color)
        GL.glUniform3f(prog.uniforms["u_fade"], *self._fade)
        if res.has_vao:
            if self._vao_ctx is not ctx:
                self._vao = int(GL.glGenVertexArrays(1))
                self._vao_ctx = ctx
                GL.glBindVertexArray(self._vao)
                self._attrib(vbo)
            else:
                GL.glBindVertexArray(self._vao)
        else:
            self._attrib(vbo)
        GL.glDrawArrays(GL.GL_LINES, 0, len(self._lines))
        if res.has_vao:
            GL.glBindVertexArray(0)
        else:
            GL.glDisableVertexAttribArray(LOC_POSITION)
        GL.glUseProgram(0)
        GL.glDepthMask(GL.GL_TRUE)

    @staticmethod
    def _attrib(vbo: int) -> None:
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, vbo)
        GL.glVertexAttribPointer(LOC_POSITION, 3, GL.GL_FLOAT, GL.GL_FALSE, 12, ctypes.c_void_p(0))
        GL.glEnableVertexAttribArray(LOC_POSITION)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def release_gl(self) -> None:
        if self._gpu is not None:
            GL.glDeleteBuffers(1, [self._gpu[1]])
            self._gpu = None
        if self._vao and self._vao_ctx is QtGui.QOpenGLContext.currentContext():
            GL.glDeleteVertexArrays(1, [self._vao])
        self._vao, self._vao_ctx = 0, None


def _nice_step(x: float) -> float:
    """1, 2 or 5 times a power of ten, the closest not above ``x``."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    base = 10.0**exp
    for m in (5, 2, 1):
        if m * base <= x:
            return m * base
    return base
