"""GLSL sources of the viewport's GL items (`signstudio.app.viewport.skeleton_items`, the floor grid)
and the attribute locations they are linked with."""

from __future__ import annotations

# Joints with confidence below LOW_CONFIDENCE are drawn with opacity FAINT_ALPHA (the same
# rule as everywhere in the viewport).
from signstudio.session.geometry import FAINT_ALPHA, LOW_CONFIDENCE

# ---- shaders -------------------------------------------------------------------------------
# One source, two dialects: GLSL 1.30+ (``in``/``out``/``flat``) on any GL >= 3.0 context
# (Mesa, Windows, Linux drivers) and GLSL 1.20 on a legacy 2.1 context (macOS without a core
# profile), where bone colours are interpolated instead of flat.

PRELUDE_130 = """#version 130
#define IN in
#define OUT out
#define FLAT flat
#define FRAG_OUT out vec4 frag_color;
#define FRAG_COLOR frag_color
"""
PRELUDE_120 = """#version 120
#define IN attribute
#define OUT varying
#define FLAT
#define FRAG_OUT
#define FRAG_COLOR gl_FragColor
"""
PRELUDE_120_FRAG = PRELUDE_120.replace("#define IN attribute", "#define IN varying")
PRELUDE_130_FRAG = PRELUDE_130

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

PRELUDE_140 = PRELUDE_130.replace("#version 130", "#version 140")

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
