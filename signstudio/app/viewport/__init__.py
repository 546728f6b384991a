"""The 3D viewport: the generated sequence and its reference on a floor grid, with labels.

The window embeds one `Viewport` and drives it with four calls (the rest is internal)::

    viewport.set_sequences(generated, reference)   # either may be None
    viewport.set_reference_mode("side-by-side")    # or "ghost"
    viewport.set_frames(generated_frame, reference_frame)
    viewport.grab_image() / viewport.save_screenshot(path)

Views. *Side by side*: two GL views, generated on the left and the reference on the right,
with linked cameras (orbit, pan or zoom one and the other follows). Two views rather than one
view with two skeletons standing apart: each skeleton turns about its own centre, so a side or
top view shows both profiles instead of one skeleton hiding behind the other, and the same
camera preset means the same thing in both. *Ghost*: one view, the reference drawn over the
generated skeleton, translucent and desaturated. With one sequence only, one view shows it.

Each skeleton is two GL items of `skeleton_items` (one bone item, one joint item, sharing one
vertex buffer) fed straight from the sequence's arrays: a frame reaches the GPU
only when the frame shown changes. Both sequences are normalised for display the same way
(neck at the origin, shoulder width 1: see `signstudio.session.geometry.display_normalisation`),
so a holistic recording in pixels and a model's upper50 output in shoulder units look alike.

Display space is z-up: data in image convention (x right, y down, z away) is shown as
(x, z, -y). The signer faces the original camera (-y); "front" looks from there, "signer's
view" from behind and above the signer's right shoulder, looking the way the signer looks, so
their right hand is on the right of the screen. The camera is a Qt-free model,
`signstudio.session.camera.Camera`, that both views show (which links them).

Modules: `widget` (`Viewport`), `glview` (one GL view), `slots` (a skeleton's items in a view),
`skeleton_items` / `joint_cloud` / `floor_grid` / `mesh_item` (the GL items and their data),
`shaders` and `gl_programs` (GLSL and programs per context), `captions` and `overlays` (the
labels over the views), `colours` (`ViewColours`, the dark and light looks).
"""

from signstudio.app.viewport.colours import DARK_COLOURS, LIGHT_COLOURS, ViewColours
from signstudio.app.viewport.widget import BODY_MODES, MODES, Viewport

__all__ = ["BODY_MODES", "DARK_COLOURS", "LIGHT_COLOURS", "MODES", "ViewColours", "Viewport"]
