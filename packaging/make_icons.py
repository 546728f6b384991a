"""Render SignStudio's icon set from its SVG source.

    python packaging/make_icons.py [--check]

Reads ``resources/icons/signstudio.svg`` and writes, beside it:

- ``signstudio-<N>.png`` for N in 16, 24, 32, 48, 64, 128, 256, 512 (square, RGBA), the sizes
  the freedesktop ``hicolor`` theme and Qt's window icon use (``packaging/linux/install.sh``
  installs them, ``signstudio.app.icons.app_icon`` loads them);
- ``signstudio.ico`` (Windows: 16-256 px, PNG-compressed entries, for PyInstaller's ``icon=``);
- ``signstudio.icns`` (macOS: 16-512 px and their @2x, PNG entries, for the ``.app`` bundle).

Rendered with Qt's own SVG renderer (QtSvg is part of PySide6-Essentials), offscreen; no
display is needed. ``--check`` renders into memory and exits 1 when a file on disk differs
(or is missing), comparing PNGs (also those inside the .ico/.icns) by their pixels within a small
tolerance. A changed SVG without regenerated icons is caught.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "signstudio.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
DETAIL_MIN = 32
SVG_NS = "http://www.w3.org/2000/svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns type codes with PNG payloads: (code, pixel size)
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic11", 32),  # 16@2x
    (b"ic12", 64),  # 32@2x
    (b"ic13", 256),  # 128@2x
    (b"ic14", 512),  # 256@2x
)


def svg_for_size(svg: Path, size: int) -> bytes:
    """The SVG's text, without its ``class="detail"`` groups below `DETAIL_MIN` px (at 16 and 24 px
    the motion arcs and joint dots are noise; the plain hand reads better)."""
    ET.register_namespace("", SVG_NS)
    tree = ET.parse(svg)
    if size < DETAIL_MIN:
        for parent in tree.iter():
            for child in list(parent):
                if child.get("class") == "detail":
                    parent.remove(child)
    return ET.tostring(tree.getroot(), encoding="utf-8")


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered to a ``size`` x ``size`` RGBA PNG (antialiased, transparent corners)."""
    from PySide6 import QtCore, QtGui, QtSvg

    renderer = QtSvg.QSvgRenderer(QtCore.QByteArray(svg_for_size(svg, size)))
    if not renderer.isValid():
        raise SystemExit(f"error: {svg}: not a valid SVG")
    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QtCore.QRectF(0, 0, size, size))
    painter.end()
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.convertToFormat(QtGui.QImage.Format.Format_ARGB32).save(buffer, "PNG"):
        raise SystemExit("error: Qt could not encode a PNG")
    return bytes(buffer.data().data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG-compressed images (supported since Windows Vista)."""
    entries = [(size, pngs[size]) for size in ICO_SIZES]
    header = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    directory = b""
    for size, data in entries:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + directory + b"".join(data for _, data in entries)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images (the icp*/ic0*/ic1* types)."""
    body = b"".join(code + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for code, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def outputs(svg: Path = SVG) -> dict[Path, bytes]:
    """Every file the icon set consists of (besides the SVG), by path."""
    pngs = {size: render_png(svg, size) for size in SIZES}
    files = {svg.parent / f"signstudio-{size}.png": data for size, data in pngs.items()}
    files[svg.parent / "signstudio.ico"] = ico_bytes(pngs)
    files[svg.parent / "signstudio.icns"] = icns_bytes(pngs)
    return files


def ico_pngs(data: bytes) -> list[tuple[int, bytes]]:
    """The (size, PNG) entries of an .ico written by `ico_bytes`."""
    _, kind, count = struct.unpack_from("<HHH", data, 0)
    if kind != 1:
        raise ValueError("not an .ico file")
    out = []
    for i in range(count):
        side, _, _, _, _, _, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        out.append((side or 256, data[offset : offset + length]))
    return out


def icns_pngs(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type code, PNG) entries of an .icns written by `icns_bytes`."""
    if data[:4] != b"icns" or struct.unpack_from(">I", data, 4)[0] != len(data):
        raise ValueError("not an .icns file")
    out, pos = [], 8
    while pos < len(data):
        code, length = data[pos : pos + 4], struct.unpack_from(">I", data, pos + 4)[0]
        out.append((code, data[pos + 8 : pos + length]))
        pos += length
    return out


def same_png(a: bytes, b: bytes, tolerance: int = 8) -> bool:
    """Whether two PNGs have the same size and pixels, each channel within ``tolerance`` (another
    Qt build may antialias an edge or encode the PNG a little differently)."""
    from PySide6 import QtGui

    fmt = QtGui.QImage.Format.Format_RGBA8888
    one, two = (QtGui.QImage.fromData(x).convertToFormat(fmt) for x in (a, b))
    if one.isNull() or two.isNull() or one.size() != two.size():
        return False
    p, q = bytes(one.constBits()), bytes(two.constBits())
    return len(p) == len(q) and max((abs(x - y) for x, y in zip(p, q, strict=True)), default=0) <= tolerance


def same_file(path: Path, data: bytes) -> bool:
    """Whether ``path`` holds ``data``, comparing PNGs (also those inside .ico/.icns) by pixels."""
    old = path.read_bytes()
    try:
        if path.suffix == ".png":
            return same_png(old, data)
        if path.suffix == ".ico":
            pairs = list(zip(ico_pngs(old), ico_pngs(data), strict=True))
        elif path.suffix == ".icns":
            pairs = list(zip(icns_pngs(old), icns_pngs(data), strict=True))
        else:
            return old == data
    except (ValueError, struct.error):
        return False
    return all(x[0] == y[0] and same_png(x[1], y[1]) for x, y in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the files on disk are stale")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtGui

    app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication(sys.argv[:1])
    stale = []
    for path, data in outputs().items():
        if args.check:
            if not path.is_file() or not same_file(path, data):
                stale.append(path.name)
            continue
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    del app
    if stale:
        print(f"stale icons (run python packaging/make_icons.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
