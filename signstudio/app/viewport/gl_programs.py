"""Shader programs per GL context share group, and the raw GL calls every viewport item uses.

Plain PyOpenGL on the context that Qt makes current for ``paintGL`` (no ``QOpenGLBuffer``, whose
PySide6 6.12 bindings leak a reference on every call). Programs are compiled once per share
group (`current`) and dropped with their context (`forget_context`).
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
from OpenGL import GL
from OpenGL.raw.GL.VERSION.GL_1_5 import glBufferSubData as _raw_buffer_sub_data
from OpenGL.raw.GL.VERSION.GL_2_0 import glUniformMatrix4fv as _raw_uniform_matrix4fv
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6 import QtGui

from signstudio.app.viewport.shaders import (
    BONE_QUAD_FRAGMENT,
    BONE_QUAD_VERTEX,
    BONES_FRAGMENT,
    GRID_FRAGMENT,
    GRID_VERTEX,
    LOC_BONE,
    LOC_CORNER,
    LOC_JOINT,
    LOC_POSITION,
    LOC_STYLE,
    POINTS_FRAGMENT,
    PRELUDE_120,
    PRELUDE_120_FRAG,
    PRELUDE_130,
    PRELUDE_140,
    SKELETON_VERTEX,
)


class ShaderError(RuntimeError):
    """A shader did not compile or link (the message carries the driver's log)."""


def _compile(kind: int, source: str) -> int:
    shader = GL.glCreateShader(kind)
    GL.glShaderSource(shader, source)
    GL.glCompileShader(shader)
    if not GL.glGetShaderiv(shader, GL.GL_COMPILE_STATUS):
        log = GL.glGetShaderInfoLog(shader)
        GL.glDeleteShader(shader)
        raise ShaderError(f"shader did not compile: {log!r}")
    return int(shader)


def _link(vertex: str, fragment: str, attributes: dict[str, int], prelude: tuple[str, str]) -> int:
    vs = _compile(GL.GL_VERTEX_SHADER, prelude[0] + vertex)
    fs = _compile(GL.GL_FRAGMENT_SHADER, prelude[1] + fragment)
    program = GL.glCreateProgram()
    GL.glAttachShader(program, vs)
    GL.glAttachShader(program, fs)
    for name, loc in attributes.items():
        GL.glBindAttribLocation(program, loc, name)
    GL.glLinkProgram(program)
    GL.glDetachShader(program, vs)
    GL.glDetachShader(program, fs)
    GL.glDeleteShader(vs)
    GL.glDeleteShader(fs)
    if not GL.glGetProgramiv(program, GL.GL_LINK_STATUS):
        log = GL.glGetProgramInfoLog(program)
        GL.glDeleteProgram(program)
        raise ShaderError(f"shader program did not link: {log!r}")
    return int(program)


class Program:
    """A linked program and its uniform locations (looked up once)."""

    def __init__(
        self,
        vertex: str,
        fragment: str,
        attributes: dict[str, int],
        uniforms: tuple[str, ...],
        prelude: tuple[str, str] | None = None,
    ):
        if prelude is None:
            prelude = (
                (PRELUDE_120, PRELUDE_120_FRAG) if _gl_version() < (3, 0) else (PRELUDE_130, PRELUDE_130)
            )
        self.id = _link(vertex, fragment, attributes, prelude)
        self.uniforms = {name: int(GL.glGetUniformLocation(self.id, name)) for name in uniforms}


def _gl_version() -> tuple[int, int]:
    ctx = QtGui.QOpenGLContext.currentContext()
    if ctx is None:
        raise RuntimeError("no current OpenGL context")
    major, minor = ctx.format().version()
    return int(major), int(minor)


class GLResources:
    """Programs of one context share group; `resources()` returns the current context's."""

    def __init__(self, context: QtGui.QOpenGLContext) -> None:
        self.context = context
        self.skeleton_points = Program(
            SKELETON_VERTEX,
            POINTS_FRAGMENT,
            {"a_joint": LOC_JOINT, "a_style": LOC_STYLE},
            ("u_mvp", "u_params"),
        )
        self.skeleton_bones = Program(
            SKELETON_VERTEX,
            BONES_FRAGMENT,
            {"a_joint": LOC_JOINT, "a_style": LOC_STYLE},
            ("u_mvp", "u_params"),
        )
        self.grid = Program(
            GRID_VERTEX, GRID_FRAGMENT, {"a_position": LOC_POSITION}, ("u_mvp", "u_color", "u_fade")
        )
        self.has_vao = bool(GL.glGenVertexArrays)
        self.core = context.format().profile() == QtGui.QSurfaceFormat.OpenGLContextProfile.CoreProfile
        # Bones as quads need buffer textures and instancing (GL 3.1); older contexts draw GL_LINES.
        self.quads = (
            not context.isOpenGLES()
            and _gl_version() >= (3, 1)
            and self.has_vao
            and all(bool(f) for f in (GL.glTexBuffer, GL.glDrawArraysInstanced, GL.glVertexAttribDivisor))
        )
        self.bone_quads: Program | None = None
        self.corners = 0
        if self.quads:
            self.bone_quads = Program(
                BONE_QUAD_VERTEX,
                BONE_QUAD_FRAGMENT,
                {"a_corner": LOC_CORNER, "a_bone": LOC_BONE},
                ("u_mvp", "u_params", "u_viewport", "u_joints", "u_style"),
                prelude=(PRELUDE_140, PRELUDE_140),
            )
            GL.glUseProgram(self.bone_quads.id)
            GL.glUniform1i(self.bone_quads.uniforms["u_joints"], 0)
            GL.glUniform1i(self.bone_quads.uniforms["u_style"], 1)
            GL.glUseProgram(0)
            corners = np.asarray([[0, -1], [0, 1], [1, -1], [1, 1]], np.float32)
            self.corners = int(GL.glGenBuffers(1))
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.corners)
            GL.glBufferData(GL.GL_ARRAY_BUFFER, corners.nbytes, corners, GL.GL_STATIC_DRAW)
            GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)


_RESOURCES: dict[int, GLResources] = {}


def _share_key(ctx: QtGui.QOpenGLContext) -> QtGui.QOpenGLContext:
    """The context whose resources ``ctx`` uses: the global share context when it shares with it."""
    glob = QtGui.QOpenGLContext.globalShareContext()
    if glob is not None and QtGui.QOpenGLContext.areSharing(ctx, glob):
        return glob
    return ctx


_LAST: list[Any] = [None, None]  # (context, its resources): one Qt call per paint in the common case


def current() -> tuple[QtGui.QOpenGLContext, GLResources]:
    """The current context and the programs of its share group (compiled on first use)."""
    ctx = QtGui.QOpenGLContext.currentContext()
    if ctx is None:
        raise RuntimeError("no current OpenGL context")
    if ctx is _LAST[0]:
        return ctx, _LAST[1]
    key = _share_key(ctx)
    res = _RESOURCES.get(id(key))
    if res is None or res.context is not key:
        res = GLResources(key)
        _RESOURCES[id(key)] = res
    _LAST[0], _LAST[1] = ctx, res
    return ctx, res


def resources() -> GLResources:
    """The programs of the current context (compiled on first use in its share group)."""
    return current()[1]


def forget_context(ctx: QtGui.QOpenGLContext) -> None:
    """Drop the cached programs of a context that is about to be destroyed (when not shared)."""
    _RESOURCES.pop(id(ctx), None)
    _LAST[0] = _LAST[1] = None


def set_mvp(location: int, item: GLGraphicsItem) -> None:
    """Upload the item's model-view-projection matrix (the raw entry point: no array wrapping)."""
    _raw_uniform_matrix4fv(location, 1, GL.GL_FALSE, (ctypes.c_float * 16)(*item.mvpMatrix().data()))


def sub_data(target: int, array: np.ndarray) -> None:
    """``glBufferSubData`` of a whole contiguous array at offset 0, through the raw entry point."""
    _raw_buffer_sub_data(target, 0, array.nbytes, ctypes.c_void_p(array.ctypes.data))
