#!/usr/bin/env bash
# SignStudio: build the Linux desktop bundle (PyInstaller, onedir) and smoke-test it headless.
#
#   bash packaging/build_bundle.sh            build dist/signstudio/, then smoke-test it
#   bash packaging/build_bundle.sh --no-build smoke-test (and measure) the bundle already in dist/
#   bash packaging/build_bundle.sh --no-smoke build only
#
# Steps:
#   1. a build virtual environment at build/bundle-venv (kept between builds; remade when
#      pyproject.toml or the pins below change): torch==2.13.0 first (the CPU wheel in
#      /opt/wheels when present; a bare torch requirement would pull GBs of CUDA), then the
#      dependencies of `pip install .`, then PyInstaller. SignStudio itself is installed
#      non-editable (`--no-deps --force-reinstall .`) on every build, so the bundle carries this
#      checkout's code and never points back at it;
#   2. PyInstaller with packaging/pyinstaller/signstudio.spec -> dist/signstudio/ (work files in
#      build/pyinstaller/);
#   3. smoke tests of the bundle with a clean config dir (SIGNSTUDIO_CONFIG_DIR) and a clean autosave
#      dir: `signstudio --version`; `generate --text hello --lang ase` with the lookup model and with
#      nar-kd (torch + the MiniLM text encoder); `info` on the result and on a bad file (exit 2);
#      `app --screenshot PNG --quit` under Xvfb, on the first view and on a file (the PNGs must
#      exist and not be blank: that first view runs the model process, DTW, FGD, back-translation);
#      `render --avatar mannequin` to mp4 (IK, off-screen GL, the bundled ffmpeg);
#   4. the bundle's size (du) and its start time to the first painted frame: a cold start (page
#      cache dropped, needs root) and warm starts.
#
# Needs: what packaging/bootstrap.sh installs (Xvfb, Mesa, the xcb libraries), python3 3.11+,
# network to PyPI (the first time). Build: ~4-5 min on 2 cores (the build venv once: ~3 min more);
# the bundle is ~1.5 GB.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/build/bundle-venv"
PY="$VENV/bin/python"
SPEC="$ROOT/packaging/pyinstaller/signstudio.spec"
DIST="$ROOT/dist"
WORK="$ROOT/build/pyinstaller"
APP="$DIST/signstudio"
EXE="$APP/signstudio"
SCREEN="-screen 0 1600x1000x24"
TORCH_PIN="torch==2.13.0"
PYINSTALLER_PIN="pyinstaller==6.22.3"
SMOKE="$ROOT/build/smoke"

if [ -t 1 ]; then B=$'\033[1m' Y=$'\033[1;33m' R=$'\033[1;31m' G=$'\033[1;32m' N=$'\033[0m'; else B='' Y='' R='' G='' N=''; fi
say() { printf '%s[bundle]%s %s\n' "$B" "$N" "$*"; }
warn() { printf '%s[bundle]%s %s\n' "$Y" "$N" "$*" >&2; }
die() { printf '%s[bundle]%s %s\n' "$R" "$N" "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

BUILD=1
RUN_SMOKE=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --no-smoke) RUN_SMOKE=0 ;;
    -h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $arg (see --help)" ;;
  esac
done

if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="/tmp/runtime-$(id -u)"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# pip, minus its warnings about configured local index folders that lack a package.
quiet_pip() {
  local rc=0
  "$@" </dev/null 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; } || rc=$?
  [ "$rc" -eq 0 ] || die "pip failed (exit $rc): $*"
}

# ---- 1. build environment ------------------------------------------------------------------
stamp_key() {
  {
    python3 --version 2>&1
    echo "$TORCH_PIN $PYINSTALLER_PIN"
    sha256sum pyproject.toml
  } | sha256sum | cut -d' ' -f1
}

setup_venv() {
  command -v python3 >/dev/null 2>&1 || die "python3 is not on PATH (Python 3.11+ is needed)"
  local pip=("$PY" -m pip install --quiet --progress-bar off)
  [ -d /opt/wheels ] && pip+=(--find-links /opt/wheels)
  local key stamp="$VENV/.bundle-stamp" t0
  key=$(stamp_key)
  t0=$(now)
  if [ ! -x "$PY" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$key" ]; then
    rm -rf "$VENV"
    say "build environment: creating $VENV"
    python3 -m venv "$VENV"
    say "build environment: $TORCH_PIN first (CPU wheel)"
    quiet_pip "${pip[@]}" "$TORCH_PIN"
    say "build environment: the dependencies of signstudio, and $PYINSTALLER_PIN"
    quiet_pip "${pip[@]}" . "$PYINSTALLER_PIN"
    echo "$key" >"$stamp"
  fi
  # This checkout's code, non-editable, every time (the dependencies are already there).
  say "build environment: installing this checkout (non-editable)"
  quiet_pip "${pip[@]}" --no-deps --force-reinstall --no-build-isolation .
  rm -rf "$ROOT/build/lib" "$ROOT/build/bdist."* # setuptools' in-tree build leftovers
  (cd / && "$PY" - <<'PYEOF') || die "the build environment's signstudio or torch is not the one a bundle needs"
import pathlib, signstudio, torch
here = pathlib.Path(signstudio.__file__).resolve()
assert "site-packages" in here.parts, here
assert not torch.version.cuda, f"torch {torch.__version__} is a CUDA build"
print(f"[bundle] signstudio from {here.parent}; torch {torch.__version__} (CPU)")
PYEOF
  say "build environment: ready in $(since "$t0") s"
}

# ---- 2. PyInstaller ------------------------------------------------------------------------
build_bundle() {
  local t0
  t0=$(now)
  say "pyinstaller: $SPEC -> $APP (log: build/pyinstaller.log)"
  mkdir -p "$WORK"
  # Run outside the checkout so that the analysis cannot find ./signstudio instead of the installed copy.
  (cd "$WORK" && SIGNSTUDIO_ROOT="$ROOT" "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" "$SPEC") >"$ROOT/build/pyinstaller.log" 2>&1 ||
    { tail -n 40 "$ROOT/build/pyinstaller.log" >&2; die "pyinstaller failed (log: build/pyinstaller.log)"; }
  [ -x "$EXE" ] || die "pyinstaller did not produce $EXE"
  say "pyinstaller: done in $(since "$t0") s"
}

# ---- 3. smoke tests ------------------------------------------------------------------------
blank_check() { # PNG -> exit 0 when it has more than a handful of distinct colours
  "$PY" - "$1" <<'PYEOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, ctype, depth = 8, b"", 0, 0, 0, 0
while pos < len(data):
    (length,) = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
channels = {2: 3, 6: 4, 0: 1, 4: 2}[ctype]
stride = width * channels * depth // 8 + 1
colours = set()
for y in range(0, height, max(1, height // 200)):
    row = raw[y * stride + 1:(y + 1) * stride]  # filter byte skipped; filtered rows still vary when the image does
    colours.update(row[i:i + channels] for i in range(0, len(row), channels * 7))
print(f"[bundle] screenshot {width}x{height}, {len(colours)} distinct sampled values")
sys.exit(0 if width > 200 and height > 200 and len(colours) > 50 else 1)
PYEOF
}

smoke_env() {
  # A clean studio: its own config and autosave folders; the corpus cache (data dir) is the user's.
  env SIGNSTUDIO_CONFIG_DIR="$SMOKE/config" SIGNSTUDIO_AUTOSAVE_DIR="$SMOKE/autosave" \
    QT_QPA_PLATFORM=xcb "$@"
}

smoke() {
  command -v xvfb-run >/dev/null 2>&1 || die "xvfb-run is missing (bash packaging/bootstrap.sh studio installs it)"
  rm -rf "$SMOKE" && mkdir -p "$SMOKE"
  local t0
  t0=$(now)
  say "smoke: signstudio --version"
  smoke_env "$EXE" --version </dev/null
  say "smoke: signstudio generate --text hello --lang ase"
  smoke_env "$EXE" generate --text hello --lang ase --out "$SMOKE/hello.pose" </dev/null
  [ -s "$SMOKE/hello.pose" ] || die "generate wrote no $SMOKE/hello.pose"
  say "smoke: signstudio generate --model nar-kd (torch, transformers and the MiniLM text encoder)"
  smoke_env "$EXE" generate --text hello --lang ase --model nar-kd --out "$SMOKE/hello-nar.pose" </dev/null
  say "smoke: signstudio info hello.pose"
  smoke_env "$EXE" info "$SMOKE/hello.pose" </dev/null
  local rc=0
  printf 'not a pose file\n' >"$SMOKE/bad.pose"
  smoke_env "$EXE" info "$SMOKE/bad.pose" </dev/null 2>"$SMOKE/bad.txt" || rc=$?
  [ "$rc" -eq 2 ] || die "info on a bad file exited $rc (expected 2): $(cat "$SMOKE/bad.txt")"
  say "smoke: a bad file is one line and exit 2: $(head -c 160 "$SMOKE/bad.txt")"
  say "smoke: signstudio app --screenshot --quit (Xvfb)"
  smoke_env SIGNSTUDIO_REPORT_STARTUP=1 xvfb-run -a -s "$SCREEN" \
    "$EXE" app --screenshot "$SMOKE/studio.png" --quit </dev/null | tee "$SMOKE/app.txt"
  [ -s "$SMOKE/studio.png" ] || die "the studio wrote no screenshot"
  blank_check "$SMOKE/studio.png" || die "the screenshot $SMOKE/studio.png is blank"
  say "smoke: signstudio app FILE --gt FILE --screenshot --quit (Xvfb)"
  smoke_env xvfb-run -a -s "$SCREEN" "$EXE" app "$SMOKE/hello.pose" --gt "$SMOKE/hello.pose" \
    --screenshot "$SMOKE/file.png" --quit </dev/null
  blank_check "$SMOKE/file.png" || die "the screenshot $SMOKE/file.png is blank"
  say "smoke: signstudio render --avatar mannequin (IK, off-screen GL, ffmpeg) under Xvfb"
  smoke_env xvfb-run -a -s "$SCREEN" "$EXE" render "$SMOKE/hello-nar.pose" --gt "$SMOKE/hello.pose" \
    --avatar mannequin --frames 0:10 --out "$SMOKE/hello.mp4" </dev/null 2>/dev/null
  [ -s "$SMOKE/hello.mp4" ] || die "render wrote no $SMOKE/hello.mp4"
  say "smoke: all passed in $(since "$t0") s (screenshots in ${SMOKE#"$ROOT"/})"
}

# ---- 4. size and start time ----------------------------------------------------------------
first_paint() { # prints seconds from exec to the first painted GL frame (the app's own report)
  smoke_env SIGNSTUDIO_REPORT_STARTUP=1 xvfb-run -a -s "$SCREEN" \
    "$EXE" app "$SMOKE/hello.pose" --quit </dev/null 2>/dev/null |
    sed -n 's/^startup: first frame painted after \([0-9.]*\) s.*/\1/p'
}

drop_caches() {
  sync
  { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null
}

measure() {
  local size files cold="" warm=() t0 t
  size=$(du -sh "$APP" | cut -f1)
  files=$(find "$APP" -type f | wc -l)
  say "bundle: $APP: $size in $files files"
  if drop_caches; then
    t0=$(now)
    t=$(first_paint)
    cold="first paint ${t:-?} s, process $(since "$t0") s (page cache dropped)"
  else
    warn "cannot drop the page cache (not root, or not allowed in this container): no true cold start"
  fi
  for _ in 1 2 3; do
    warm+=("$(first_paint)")
  done
  # The built-in first view complete: window, model process, lookup generation, scores, screenshot.
  t0=$(now)
  smoke_env xvfb-run -a -s "$SCREEN" "$EXE" app --screenshot "$SMOKE/measure.png" --quit </dev/null >/dev/null 2>&1
  t=$(since "$t0")
  [ -n "$cold" ] && say "start, cold: $cold"
  say "start, warm: first paint ${warm[*]} s (a file given; seconds from exec, the app's own report)"
  say "first view complete, warm: $t s (app --screenshot --quit on the built-in first view, Xvfb start included)"
  {
    echo "size=$size files=$files"
    echo "cold=${cold:-unmeasured}"
    echo "warm=${warm[*]}"
    echo "first_view=$t"
  } >"$ROOT/build/bundle-measure.txt"
}

T0=$(now)
if [ "$BUILD" -eq 1 ]; then
  setup_venv
  build_bundle
else
  [ -x "$EXE" ] || die "no bundle at $EXE: run without --no-build first"
  [ -x "$PY" ] || PY=python3
fi
if [ "$RUN_SMOKE" -eq 1 ]; then
  smoke
  measure
fi
printf '%s[bundle]%s done in %s s: %s\n' "$G" "$N" "$(since "$T0")" "$APP"
