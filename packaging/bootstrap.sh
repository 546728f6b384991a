#!/usr/bin/env bash
# SignStudio: the one script behind the README's two Quick start commands.
#
#   bash packaging/bootstrap.sh studio [ARGS...]   set up, then open the studio (ARGS go to `signstudio app`)
#   bash packaging/bootstrap.sh test [PYTEST_ARGS]  set up, then run the whole test suite
#
# Setup (idempotent; a second run takes seconds):
#   1. system packages for a virtual display (Xvfb) and Qt's xcb platform + OpenGL (Mesa llvmpipe),
#      installed with apt-get only when missing (root only; otherwise a message says what is missing);
#   2. a virtual environment at .venv with torch==2.13.0 first (the CPU wheel in /opt/wheels; a bare
#      torch requirement would pull GBs of CUDA), then `pip install -e .[dev]`. Skipped when the
#      stamp .venv/.bootstrap-stamp matches pyproject.toml, this script and the Python version.
#
# Needs: Debian/Ubuntu, python3 (3.11+) on PATH, network to PyPI and the Debian mirrors. No GPU.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
SCREEN="-screen 0 1600x1000x24"
TORCH_PIN="torch==2.13.0"

# Runtime libraries of PySide6 6.11 (found with ldd on Qt's libs and plugins/platforms/libqxcb.so),
# the virtual display, Mesa's software OpenGL, and a font.
APT_PACKAGES=(
  xvfb xauth
  libgl1 libegl1 libglx-mesa0 libegl-mesa0 libgl1-mesa-dri
  libglib2.0-0 libdbus-1-3 libfontconfig1 fonts-dejavu-core
  libx11-6 libx11-xcb1 libxkbcommon0 libxkbcommon-x11-0
  libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0
  libxcb-xinerama0 libxcb-xkb1
  libwayland-client0 libwayland-cursor0 libwayland-egl1
)

if [ -t 1 ]; then B=$'\033[1m' Y=$'\033[1;33m' R=$'\033[1;31m' G=$'\033[1;32m' N=$'\033[0m'; else B='' Y='' R='' G='' N=''; fi
say() { printf '%s[bootstrap]%s %s\n' "$B" "$N" "$*"; }
warn() { printf '%s[bootstrap]%s %s\n' "$Y" "$N" "$*" >&2; }
die() { printf '%s[bootstrap]%s %s\n' "$R" "$N" "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

usage() {
  cat <<EOF
usage: bash packaging/bootstrap.sh studio [ARGS...]   set up, then open the studio
       bash packaging/bootstrap.sh test               set up, then run the whole test suite
EOF
}

MODE="${1:-}"
case "$MODE" in
  studio | test) shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

# ---- 1. system packages -------------------------------------------------------------------
missing_packages() {
  local pkg
  for pkg in "$@"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != "installed" ]; then
      printf '%s\n' "$pkg"
    fi
  done
}

setup_system() {
  local packages=("${APT_PACKAGES[@]}")
  # Debian's own python3 needs python3-venv for `python3 -m venv` (ensurepip).
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    packages+=(python3-venv)
  fi
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    warn "no apt/dpkg here: skipping system packages; install the equivalents of: ${packages[*]}"
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_packages "${packages[@]}")
  if [ "${#missing[@]}" -eq 0 ]; then
    say "system packages: all ${#packages[@]} present"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    warn "not root: skipping apt-get. Missing system packages (${#missing[@]}): ${missing[*]}"
    warn "install them with:  sudo apt-get install --no-install-recommends ${missing[*]}"
    return 0
  fi
  local t0
  t0=$(now)
  say "system packages: installing ${#missing[@]} missing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/tmp/signstudio-apt.log 2>&1 ||
    { tail -n 30 /tmp/signstudio-apt.log >&2; die "apt-get install failed (log: /tmp/signstudio-apt.log)"; }
  say "system packages: done in $(since "$t0") s"
}

# ---- 2. Python environment ----------------------------------------------------------------
stamp_key() {
  {
    python3 --version 2>&1
    echo "$TORCH_PIN"
    sha256sum pyproject.toml packaging/bootstrap.sh
  } | sha256sum | cut -d' ' -f1
}

# pip, minus its warnings about configured local index folders that lack a package.
quiet_pip() {
  local rc=0 # pipefail: the pipeline fails when pip does (the filter never fails)
  "$@" </dev/null 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; } || rc=$?
  [ "$rc" -eq 0 ] || die "pip failed (exit $rc): $*"
}

setup_python() {
  command -v python3 >/dev/null 2>&1 || die "python3 is not on PATH (Python 3.11+ is needed)"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "python3 is $(python3 --version 2>&1); SignStudio needs Python 3.11 or newer"
  local key stamp="$VENV/.bootstrap-stamp"
  key=$(stamp_key)
  if [ -x "$PY" ] && [ -x "$VENV/bin/signstudio" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    say "python environment: up to date ($VENV)"
    return 0
  fi
  local t0
  t0=$(now)
  if [ ! -x "$PY" ]; then
    say "python environment: creating $VENV"
    python3 -m venv "$VENV"
  fi
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
  local pip=("$PY" -m pip install --quiet --progress-bar off)
  if [ -d /opt/wheels ]; then
    pip+=(--find-links /opt/wheels)
  fi
  say "python environment: $TORCH_PIN first (CPU wheel)"
  quiet_pip "${pip[@]}" "$TORCH_PIN"
  say "python environment: pip install -e .[dev]"
  quiet_pip "${pip[@]}" -e ".[dev]"
  "$PY" -c 'import signstudio, torch, PySide6, pyqtgraph, OpenGL' ||
    die "the environment was installed but its imports fail"
  echo "$key" >"$stamp"
  say "python environment: ready in $(since "$t0") s"
}

# Qt wants a private runtime dir; without one it warns on every start.
if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="/tmp/runtime-$(id -u)"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
fi

T_SETUP=$(now)
setup_system
setup_python
SETUP_S=$(since "$T_SETUP")
say "setup: ${SETUP_S} s"

have_xvfb() { command -v xvfb-run >/dev/null 2>&1 && command -v Xvfb >/dev/null 2>&1; }

# ---- studio -------------------------------------------------------------------------------
if [ "$MODE" = studio ]; then
  # The built-in corpus (real lexicon recordings, ~30 s once; instant when the cache is current).
  "$VENV/bin/signstudio" corpus build </dev/null >/dev/null || warn "corpus build failed: the studio shows a single recorded clip"
  if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    say "opening the studio (close the window to return)"
    exec "$VENV/bin/signstudio" app "$@"
  fi
  have_xvfb || die "no display and no Xvfb: install xvfb (as root: apt-get install xvfb xauth) or run on a desktop"
  shot="$ROOT/out/studio.png"
  mkdir -p "$ROOT/out"  # signstudio never creates a missing output folder
  say "no display: rendering the studio once under Xvfb"
  QT_QPA_PLATFORM=xcb xvfb-run -a -s "$SCREEN" \
    "$VENV/bin/signstudio" app "$@" --screenshot "$shot" --quit </dev/null
  say "screenshot of the studio: $shot"
  say "this machine has no display: to use the studio interactively, run this command in a desktop session"
  say "(or with X forwarding: ssh -X, then the same command)"
  exit 0
fi

# ---- test ---------------------------------------------------------------------------------
export PYTHONDONTWRITEBYTECODE=1
NAMES=()
RESULTS=()
TIMES=()
run_step() {
  local name="$1"
  shift
  local t0 rc=0
  t0=$(now)
  printf '\n%s==== %s%s  (%s)\n' "$B" "$name" "$N" "$*"
  "$@" </dev/null || rc=$?
  NAMES+=("$name")
  TIMES+=("$(since "$t0")")
  if [ "$name" = pytest ] && [ "$rc" -eq 5 ]; then
    RESULTS+=("FAILED (pytest collected no tests: exit 5)")
  elif [ "$rc" -eq 0 ]; then
    RESULTS+=("ok")
  else
    RESULTS+=("FAILED (exit $rc)")
  fi
}

T_TEST=$(now)
run_step "ruff check" "$VENV/bin/ruff" check .
run_step "ruff format" "$VENV/bin/ruff" format --check .
run_step "import-linter" "$VENV/bin/lint-imports"
run_step "mypy" "$VENV/bin/mypy"
# GUI tests need a real X server with OpenGL (Qt's offscreen platform has none): one Xvfb for the
# whole pytest run, started by xvfb-run (no extra plugin; also keeps windows off a developer's desktop).
mkdir -p "$ROOT/out"
JUNIT="$ROOT/out/junit.xml"
rm -f "$JUNIT"
if have_xvfb; then
  run_step pytest env QT_QPA_PLATFORM=xcb xvfb-run -a -s "$SCREEN" "$PY" -m pytest --junitxml="$JUNIT" "$@"
else
  warn "xvfb-run not found: running pytest on DISPLAY='${DISPLAY:-}' (GUI tests skip without one, fail under CI)"
  run_step pytest "$PY" -m pytest --junitxml="$JUNIT" "$@"
fi

printf '\n%s==== summary%s\n' "$B" "$N"
failed=0
for i in "${!NAMES[@]}"; do
  printf '  %-14s %8s s   %s\n' "${NAMES[$i]}" "${TIMES[$i]}" "${RESULTS[$i]}"
  [ "${RESULTS[$i]}" = ok ] || failed=1
done
printf '  %-14s %8s s\n' "setup" "$SETUP_S"
printf '  %-14s %8s s\n' "checks" "$(since "$T_TEST")"
# One plain closing line with the test counts, read by CI.
if [ -f "$JUNIT" ]; then
  "$PY" - "$JUNIT" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
n = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")}
failed = n["failures"] + n["errors"]
print(f"tests: {n['tests'] - failed - n['skipped']} passed, {failed} failed, {n['skipped']} skipped")
PYEOF
fi
if [ "$failed" -ne 0 ]; then
  printf '%sFAILED%s\n' "$R" "$N"
  exit 1
fi
printf '%sall checks passed%s\n' "$G" "$N"
