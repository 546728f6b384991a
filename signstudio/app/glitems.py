"""Lean OpenGL items for the viewport: a skeleton's joints, its bones, and the floor grid.

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

import ctypes
from typing import Any

import numpy as np
from OpenGL import GL
from OpenGL.raw.GL.VERSION.GL_1_5 import glBufferSubData as _raw_buffer_sub_data
from OpenGL.raw.GL.VERSION.GL_2_0 import glUniformMatrix4fv as _raw_uniform_matrix4fv
from pyqtgraph.opengl.GLGraphicsItem import GLGraphicsItem
from PySide6 import QtGui

# Joints with confidence below LOW_CONFIDENCE are drawn with opacity FAINT_ALPHA (the same
# rule as everywhere in the viewport).
from signstudio.app.geometry import FAINT_ALPHA, LOW_CONFIDENCE

_FLOAT = 4
_VEC4 = 4 * _FLOAT

# ---- shaders -------------------------------------------------------------------------------
# One source, two dialects: GLSL 1.30+ (``in``/``out``/``flat``) on any GL >= 3.0 context
# (Mesa, Windows, Linux drivers) and GLSL 1.20 on a legacy 2.1 context (macOS without a core
# profile), where bone colours are interpolated instead of flat.

_PRELUDE_130 = """#version 130
#define IN in
#define OUT out
#define FLAT flat
#define FRAG_OUT out vec4 frag_color;
#define FRAG_COLOR frag_color
"""
_PRELUDE_120 = """#version 120
#define IN attribute
#define OUT varying
#define FLAT
#define FRAG_OUT
#define FRAG_COLOR gl_FragColor
"""
_PRELUDE_120_FRAG = _PRELUDE_120.replace("#define IN attribute", "#define IN varying")
_PRELUDE_130_FRAG = _PRELUDE_130

SKELETON_VERTEX = f"""
uniform mat4 u_mvp;
// x: opacity multiplier (ghost), y: desaturation 0..1, z: point size scale, w: depth bias
uniform vec4 u_params;
IN vec4 a_joint;   // x, y, z, confidence
IN vec4 a_style;   // r, g, b, point size in pixels (0: never drawn)
FLAT OUT vec4 v_color;
OUT float v_size;
void main() {{
    float c = a_joint.w;
    if (!(c > 0.0) || !(a_style.w > 0.0)) {{
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume: not drawn
        gl_PointSize = 1.0;
        v_color = vec4(0.0);
        v_size = 1.0;
        return;
    }}
    gl_Position = u_mvp * vec4(a_joint.xyz, 1.0);
    gl_Position.z -= u_params.w * gl_Position.w;  // joints win the depth test against their bones
    float grey = dot(a_style.rgb, vec3(0.299, 0.587, 0.114));
    vec3 rgb = mix(a_style.rgb, vec3(grey), u_params.y);
    float alpha = (c >= {LOW_CONFIDENCE:.4f} ? 1.0 : {FAINT_ALPHA:.4f}) * u_params.x;
    v_color = vec4(rgb, alpha);
    v_size = max(a_style.w * u_params.z, 1.0);
    gl_PointSize = v_size;
}}
"""

POINTS_FRAGMENT = """
FLAT IN vec4 v_color;
IN float v_size;
FRAG_OUT
void main() {
    vec2 p = gl_PointCoord * 2.0 - 1.0;
    float r = length(p);
    if (r > 1.0) discard;
    // soft edge one pixel wide, and a darker rim on big joints so they read against their bones
    float edge = 1.0 - smoothstep(1.0 - 2.0 / v_size, 1.0, r);
    float rim = v_size >= 6.0 ? mix(1.0, 0.55, smoothstep(0.55, 0.8, r)) : 1.0;
    FRAG_COLOR = vec4(v_color.rgb * rim, v_color.a * edge);
}
"""

BONES_FRAGMENT = """
FLAT IN vec4 v_color;
IN float v_size;
FRAG_OUT
void main() {
    FRAG_COLOR = v_color;
}
"""

_PRELUDE_140 = _PRELUDE_130.replace("#version 130", "#version 140")

# Bones as screen-space quads (GL >= 3.1): one instance per bone, four corners each. The joint
# and style buffers are read as buffer textures, so the bone list (pairs of joint indices) is
# the only per-bone data and nothing is duplicated per line vertex. Analytic antialiasing across
# the line; the same width on every driver (GL_LINES wider than 1 pixel are optional in core
# profiles and slow to smooth in llvmpipe).
BONE_QUAD_VERTEX = f"""
uniform mat4 u_mvp;
uniform vec4 u_params;      // x: opacity multiplier, y: desaturation, z: width in pixels
uniform vec2 u_viewport;    // pixels
uniform samplerBuffer u_joints;
uniform samplerBuffer u_style;
in vec2 a_corner;           // x: 0 at the parent, 1 at the child; y: -1 / +1 across
in uvec2 a_bone;            // per instance: parent, child
flat out vec4 v_color;
out float v_across;         // pixels from the centre line
flat out float v_half;
float opacity(float c) {{ return c >= {LOW_CONFIDENCE:.4f} ? 1.0 : {FAINT_ALPHA:.4f}; }}
void main() {{
    vec4 j0 = texelFetch(u_joints, int(a_bone.x));
    vec4 j1 = texelFetch(u_joints, int(a_bone.y));
    vec4 style = texelFetch(u_style, int(a_bone.y));  // a bone takes its child's colour
    if (!(j0.w > 0.0) || !(j1.w > 0.0)) {{
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // a joint is missing: no bone
        v_color = vec4(0.0); v_across = 0.0; v_half = 0.0;
        return;
    }}
    vec4 c0 = u_mvp * vec4(j0.xyz, 1.0);
    vec4 c1 = u_mvp * vec4(j1.xyz, 1.0);
    // keep both ends in front of the camera (zoomed in close, one may be behind it)
    float near = 1e-4;
    if (c0.w < near) c0 = mix(c0, c1, (near - c0.w) / (c1.w - c0.w));
    if (c1.w < near) c1 = mix(c1, c0, (near - c1.w) / (c0.w - c1.w));
    vec2 s0 = c0.xy / c0.w * u_viewport * 0.5;
    vec2 s1 = c1.xy / c1.w * u_viewport * 0.5;
    vec2 d = s1 - s0;
    float len = length(d);
    vec2 dir = len > 1e-6 ? d / len : vec2(1.0, 0.0);
    vec2 nrm = vec2(-dir.y, dir.x);
    float half_width = 0.5 * u_params.z;
    float reach = half_width + 1.0;  // one more pixel for the antialiased edge
    vec4 c = a_corner.x < 0.5 ? c0 : c1;
    vec2 off = nrm * a_corner.y * reach + dir * (a_corner.x < 0.5 ? -half_width : half_width);
    c.xy += off * 2.0 / u_viewport * c.w;
    gl_Position = c;
    float grey = dot(style.rgb, vec3(0.299, 0.587, 0.114));
    v_color = vec4(mix(style.rgb, vec3(grey), u_params.y), min(opacity(j0.w), opacity(j1.w)) * u_params.x);
    v_across = a_corner.y * reach;
    v_half = half_width;
}}
"""

BONE_QUAD_FRAGMENT = """
flat in vec4 v_color;
in float v_across;
flat in float v_half;
out vec4 frag_color;
void main() {
    float cover = clamp(v_half + 0.5 - abs(v_across), 0.0, 1.0);
    if (cover <= 0.0) discard;
    frag_color = vec4(v_color.rgb, v_color.a * cover);
}
"""

GRID_VERTEX = """
uniform mat4 u_mvp;
IN vec3 a_position;
OUT vec2 v_xy;
void main() {
    v_xy = a_position.xy;
    gl_Position = u_mvp * vec4(a_position, 1.0);
}
"""

GRID_FRAGMENT = """
uniform vec4 u_color;
uniform vec3 u_fade;  // centre x, centre y, radius where the grid has faded out
IN vec2 v_xy;
FRAG_OUT
void main() {
    float d = length(v_xy - u_fade.xy) / u_fade.z;
    FRAG_COLOR = vec4(u_color.rgb, u_color.a * (1.0 - smoothstep(0.35, 1.0, d)));
}
"""

# Attribute locations, bound before linking.
LOC_JOINT, LOC_STYLE = 0, 1
LOC_POSITION = 0
LOC_CORNER, LOC_BONE = 0, 1


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
                (_PRELUDE_120, _PRELUDE_120_FRAG) if _gl_version() < (3, 0) else (_PRELUDE_130, _PRELUDE_130)
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
                prelude=(_PRELUDE_140, _PRELUDE_140),
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


def _set_mvp(location: int, item: GLGraphicsItem) -> None:
    """Upload the item's model-view-projection matrix (the raw entry point: no array wrapping)."""
    _raw_uniform_matrix4fv(location, 1, GL.GL_FALSE, (ctypes.c_float * 16)(*item.mvpMatrix().data()))


def _sub_data(target: int, array: np.ndarray) -> None:
    """``glBufferSubData`` of a whole contiguous array at offset 0, through the raw entry point."""
    _raw_buffer_sub_data(target, 0, array.nbytes, ctypes.c_void_p(array.ctypes.data))


# ---- data ----------------------------------------------------------------------------------


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
                _sub_data(GL.GL_ARRAY_BUFFER, self._style)
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
            _sub_data(GL.GL_ARRAY_BUFFER, self._style)
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
        _sub_data(GL.GL_ARRAY_BUFFER, buf)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        self.uploads += 1
        present = conf > 0
        if self._present is None or not np.array_equal(present, self._present):
            self._present = present
            keep = present[self._bones].all(axis=1) if len(self._bones) else np.zeros(0, bool)
            self._indices = np.ascontiguousarray(self._bones[keep].reshape(-1))
            self.num_indices = int(self._indices.size)
            if self.num_indices:
                # The element buffer is bound through a VAO in core profiles; bind it directly
                # with no VAO bound so that no VAO's state is changed by this upload.
                GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self._ebo)
                _sub_data(GL.GL_ELEMENT_ARRAY_BUFFER, self._indices)
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
        _set_mvp(prog.uniforms["u_mvp"], self)
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
            _set_mvp(prog.uniforms["u_mvp"], self)
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
            _set_mvp(prog.uniforms["u_mvp"], self)
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
        _set_mvp(prog.uniforms["u_mvp"], self)
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
