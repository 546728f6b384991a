"""Lean OpenGL items for a skeleton: its joints and its bones (the floor grid: `floor_grid`).

Why not pyqtgraph's ``GLLinePlotItem`` / ``GLScatterPlotItem``: they take per-vertex arrays
built on the CPU for every new frame (two line vertices per bone, a colour per vertex),
re-specify every vertex attribute and look up every uniform on each paint, and go through
PySide6's ``QOpenGLBuffer`` (whose 6.12 bindings leak a reference to None on every call). For
two holistic skeletons with new data every frame at 800x600 under Mesa llvmpipe they cost
1.25-1.28x an empty frame (1.19-1.22x even with every frame's arrays built ahead); these items
1.14-1.17x (``python -m benchmarks.viewport``; most of what is left is the driver's
own per-draw work, which both pay alike).

How the items here work (napari / vispy style):

* A `JointCloud` is the data of one skeleton: per joint a static *style* ``(r, g, b, size)``
  uploaded when the skeleton changes, a per-frame ``(x, y, z, confidence)`` uploaded when the
  shown frame changes, and the bones as joint index pairs. ``set_frame`` only stores which
  frame of which arrays to show and marks it dirty; the next paint copies that frame into one
  scratch array and uploads it with one ``glBufferSubData`` into a persistent vertex buffer
  allocated with spare capacity (re-allocated only when a bigger skeleton comes). No per-frame
  Python loop over joints or bones, no per-frame vertex array building.
* `GLJointsItem` draws the cloud's joints as round points (``glDrawArrays(GL_POINTS)``).
  `GLBonesItem` draws the bones from the same joint buffer by index pairs, so line vertices
  are never duplicated: on GL >= 3.1 as one instanced draw of screen-space quads reading the
  joints through a buffer texture (analytic antialiasing, the same width on every driver), on
  older contexts with ``glDrawElements(GL_LINES)``. One line item and one point item per
  skeleton, never one item per bone.
* Confidence becomes opacity in the vertex shader (``>= LOW_CONFIDENCE`` opaque, below it
  faint; a bone takes its fainter joint's); a missing joint (confidence 0) is moved outside
  the clip volume, so it is not drawn. A bone is drawn only when both of its joints are
  present: the bone list holds the present bones and is re-uploaded only when the *set* of
  present joints changes (a hand appearing or disappearing), not every frame.
* A joint with size 0 in its style (a hidden group) is never drawn.
* Each item keeps a vertex array object per GL context, so a paint is: use program, a few
  uniforms, bind VAO, (upload), draw. Programs are compiled once per context share group.

Everything is plain PyOpenGL on the GL context that Qt makes current for ``paintGL``; nothing
here uses ``QOpenGLBuffer``. The items live in any pyqtgraph ``GLViewWidget``.
"""

from __future__ import annotations

from typing import Any

from OpenGL import GL
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6 import QtGui

from signstudio.app.viewport.gl_programs import GLResources, current, set_mvp
from signstudio.app.viewport.joint_cloud import JointCloud
from signstudio.app.viewport.shaders import LOC_JOINT, LOC_STYLE

# ---- items ---------------------------------------------------------------------------------


class _CloudItem(GLGraphicsItem):
    """Shared machinery of the joints and bones items: VAO per context, draw state."""

    _program_name = ""

    def __init__(self, cloud: JointCloud, parentItem: GLGraphicsItem | None = None) -> None:
        super().__init__(parentItem=parentItem)
        self.cloud = cloud
        self.opacity = 1.0
        self.desaturate = 0.0
        self.depth_write = True
        self._vao = 0
        self._vao_ctx: Any = None
        self._vao_version = -1
        self.paints = 0

    def set_look(self, opacity: float = 1.0, desaturate: float = 0.0, depth_write: bool = True) -> None:
        """Opacity multiplier (a ghost is ~0.35), desaturation 0..1, whether it hides what is behind."""
        self.opacity, self.desaturate, self.depth_write = float(opacity), float(desaturate), bool(depth_write)
        self.update()

    def _bind(self, res: GLResources, ctx: QtGui.QOpenGLContext) -> None:
        cloud = self.cloud
        if not res.has_vao:
            self._attributes(res)
            return
        if self._vao_ctx is not ctx or self._vao_version != cloud.gl_generation:
            # VAOs are not shared between contexts: one per context (a view that moves to a
            # floating dock gets a new context).
            if self._vao and self._vao_ctx is ctx:
                GL.glDeleteVertexArrays(1, [self._vao])
            self._vao = int(GL.glGenVertexArrays(1))
            self._vao_ctx = ctx
            GL.glBindVertexArray(self._vao)
            self._attributes(res)
            self._vao_version = cloud.gl_generation
        else:
            GL.glBindVertexArray(self._vao)

    def _attributes(self, res: GLResources) -> None:
        self.cloud.bind_attributes()

    def _unbind(self, res: GLResources) -> None:
        if res.has_vao:
            GL.glBindVertexArray(0)
        else:
            GL.glDisableVertexAttribArray(LOC_JOINT)
            GL.glDisableVertexAttribArray(LOC_STYLE)
            GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, 0)

    def _begin(self) -> tuple[QtGui.QOpenGLContext, GLResources] | None:
        if self.cloud.empty:
            return None
        ctx, res = current()
        self.cloud.sync(res.context)
        return ctx, res

    def _state(self) -> None:
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFuncSeparate(
            GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA
        )
        if not self.depth_write:
            GL.glDepthMask(GL.GL_FALSE)

    def _end_state(self) -> None:
        if not self.depth_write:
            GL.glDepthMask(GL.GL_TRUE)

    def release_gl(self) -> None:
        if self._vao and self._vao_ctx is QtGui.QOpenGLContext.currentContext():
            GL.glDeleteVertexArrays(1, [self._vao])
        self._vao, self._vao_ctx = 0, None


class GLJointsItem(_CloudItem):
    """All joints of a skeleton as round points, coloured by the cloud's style, one draw call."""

    #: Multiplies every joint's size (device pixel ratio is applied on top).
    size_scale = 1.0

    def paint(self) -> None:
        begun = self._begin()
        if begun is None:
            return
        ctx, res = begun
        prog = res.skeleton_points
        self._state()
        GL.glEnable(GL.GL_PROGRAM_POINT_SIZE)
        if not res.core:
            GL.glEnable(GL.GL_POINT_SPRITE)
        GL.glUseProgram(prog.id)
        set_mvp(prog.uniforms["u_mvp"], self)
        view = self.view()
        dpr = float(view.devicePixelRatioF()) if view is not None else 1.0
        # joints a hair towards the camera: they sit on top of their bones' ends
        GL.glUniform4f(prog.uniforms["u_params"], self.opacity, self.desaturate, self.size_scale * dpr, 2e-5)
        self._bind(res, ctx)
        GL.glDrawArrays(GL.GL_POINTS, 0, self.cloud.num_joints)
        self._unbind(res)
        GL.glUseProgram(0)
        GL.glDisable(GL.GL_PROGRAM_POINT_SIZE)
        self._end_state()
        self.paints += 1


class GLBonesItem(_CloudItem):
    """All bones of a skeleton, drawn from the cloud's joint buffer by bone index pairs.

    On GL >= 3.1: one instanced draw of screen-space quads (``glDrawArraysInstanced``, four
    corners per bone), reading the joints through buffer textures, antialiased in the shader.
    Older contexts: ``glDrawElements(GL_LINES)`` with the driver's line smoothing.
    A bone takes its child joint's colour (the second joint of the pair) and the opacity of its
    fainter joint. Lines are ``width`` pixels wide.
    """

    def __init__(self, cloud: JointCloud, width: float = 3.0, parentItem: GLGraphicsItem | None = None):
        super().__init__(cloud, parentItem=parentItem)
        self.width = float(width)
        self.antialias = True
        self._quads: bool | None = None  # which path the VAO was built for

    def _attributes(self, res: GLResources) -> None:
        if res.quads:
            self.cloud.bind_bone_instances(res.corners)
        else:
            self.cloud.bind_attributes()

    def paint(self) -> None:
        begun = self._begin()
        if begun is None or not self.cloud.num_indices:
            return
        ctx, res = begun
        view = self.view()
        dpr = float(view.devicePixelRatioF()) if view is not None else 1.0
        if self._quads is not res.quads:  # the VAO holds the attributes of one path
            self._quads = res.quads
            self._vao_version = -1
        self._state()
        if res.quads and res.bone_quads is not None:
            prog = res.bone_quads
            GL.glUseProgram(prog.id)
            set_mvp(prog.uniforms["u_mvp"], self)
            GL.glUniform4f(prog.uniforms["u_params"], self.opacity, self.desaturate, self.width * dpr, 0.0)
            w = view.deviceWidth() if view is not None else 1
            h = view.deviceHeight() if view is not None else 1
            GL.glUniform2f(prog.uniforms["u_viewport"], float(w), float(h))
            self._bind(res, ctx)
            self.cloud.bind_textures()
            GL.glDrawArraysInstanced(GL.GL_TRIANGLE_STRIP, 0, 4, self.cloud.num_indices // 2)
            self.cloud.unbind_textures()
            self._unbind(res)
            GL.glUseProgram(0)
        else:
            prog = res.skeleton_bones
            if self.antialias:
                GL.glEnable(GL.GL_LINE_SMOOTH)
            if not res.core:
                GL.glLineWidth(self.width * dpr)
            GL.glUseProgram(prog.id)
            set_mvp(prog.uniforms["u_mvp"], self)
            GL.glUniform4f(prog.uniforms["u_params"], self.opacity, self.desaturate, 1.0, 0.0)
            self._bind(res, ctx)
            GL.glDrawElements(GL.GL_LINES, self.cloud.num_indices, GL.GL_UNSIGNED_INT, None)
            self._unbind(res)
            GL.glUseProgram(0)
            if self.antialias:
                GL.glDisable(GL.GL_LINE_SMOOTH)
            if not res.core:
                GL.glLineWidth(1.0)
        self._end_state()
        self.paints += 1
