#!/usr/bin/env bash
# Install SignStudio's desktop integration: the menu entry, the icons, and the .pose/.skels file
# types, so that pose files open in SignStudio by double-click.
#
#   bash install.sh [--exec PATH] [--system | --prefix DIR] [--no-default] [--uninstall]
#
#   --exec PATH   the signstudio executable the menu entry starts (default: the bundle this script
#                 lies in, dist/signstudio/signstudio; else `signstudio` on PATH, e.g. a pip install)
#   --system      install for every user into /usr/local/share (needs root); default: this user's
#                 ${XDG_DATA_HOME:-~/.local/share}
#   --prefix DIR  install into DIR/{applications,mime,icons} (packagers, tests)
#   --no-default  do not make SignStudio the default application for .pose/.skels (xdg-mime)
#   --uninstall   remove what an install put there
#
# Installs:
#   applications/signstudio.desktop            Exec= the absolute path of --exec
#   mime/packages/signstudio.xml               application/x-signstudio-pose (*.pose),
#                                              application/x-signstudio-skels (*.skels)
#   icons/hicolor/NxN/apps/signstudio.png      16-512 px, and scalable/apps/signstudio.svg
#   icons/hicolor/NxN/mimetypes/application-x-signstudio-{pose,skels}.png
# then runs update-mime-database, update-desktop-database, gtk-update-icon-cache and
# xdg-mime default where they are installed (each is optional: without them the files are in
# place and the desktop picks them up at its next scan).
#
# Works from a checkout (packaging/linux/, icons in resources/icons) and from a bundle
# (dist/signstudio/_internal/linux/, icons in _internal/resources/icons).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SIZES=(16 24 32 48 64 128 256 512)
MIME_TYPES=(application/x-signstudio-pose application/x-signstudio-skels)

say() { printf '[install] %s\n' "$*"; }
die() { printf '[install] error: %s\n' "$*" >&2; exit 1; }

EXEC=""
PREFIX="${XDG_DATA_HOME:-$HOME/.local/share}"
SYSTEM=0
SET_DEFAULT=1
UNINSTALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --exec) EXEC="${2:?--exec needs a path}"; shift 2 ;;
    --system) SYSTEM=1; PREFIX=/usr/local/share; shift ;;
    --prefix) PREFIX="${2:?--prefix needs a folder}"; SET_DEFAULT=0; shift 2 ;;
    --no-default) SET_DEFAULT=0; shift ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h | --help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
done
if [ "$SYSTEM" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
  die "--system installs into /usr/local/share: run it as root (sudo), or without --system for this user"
fi

# The icon set and the files beside this script.
ICONS=""
for dir in "$HERE/../../resources/icons" "$HERE/../resources/icons"; do
  if [ -f "$dir/signstudio-256.png" ]; then ICONS="$(cd "$dir" && pwd)"; break; fi
done
DESKTOP_SRC="$HERE/signstudio.desktop"
MIME_SRC="$HERE/signstudio-mime.xml"

APPS="$PREFIX/applications"
MIME="$PREFIX/mime"
HICOLOR="$PREFIX/icons/hicolor"

refresh() {
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$MIME" >/dev/null 2>&1 || say "update-mime-database $MIME failed (ignored)"
  fi
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$APPS" 2>/dev/null || say "update-desktop-database $APPS failed (ignored)"
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$HICOLOR/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$HICOLOR" 2>/dev/null || true
  fi
  return 0
}

if [ "$UNINSTALL" -eq 1 ]; then
  rm -f "$APPS/signstudio.desktop" "$MIME/packages/signstudio.xml" "$HICOLOR/scalable/apps/signstudio.svg"
  for size in "${SIZES[@]}"; do
    rm -f "$HICOLOR/${size}x${size}/apps/signstudio.png"
    for type in "${MIME_TYPES[@]}"; do
      rm -f "$HICOLOR/${size}x${size}/mimetypes/${type//\//-}.png"
    done
  done
  [ -d "$MIME/packages" ] && refresh
  say "removed SignStudio's menu entry, file types and icons from $PREFIX"
  exit 0
fi

[ -f "$DESKTOP_SRC" ] && [ -f "$MIME_SRC" ] || die "signstudio.desktop or signstudio-mime.xml is missing beside $0"
[ -n "$ICONS" ] || die "no icon set found (resources/icons/signstudio-*.png) near $HERE"

# The executable: --exec, else the bundle around this script, else signstudio on PATH.
if [ -z "$EXEC" ]; then
  for candidate in "$HERE/../../signstudio" "$HERE/../signstudio"; do
    if [ -f "$candidate" ] && [ -x "$candidate" ]; then EXEC="$candidate"; break; fi
  done
fi
if [ -z "$EXEC" ]; then
  EXEC="$(command -v signstudio || true)"
  [ -n "$EXEC" ] || die "no signstudio executable: pass --exec PATH (the bundle's dist/signstudio/signstudio, or .venv/bin/signstudio)"
fi
[ -x "$EXEC" ] || die "$EXEC is not an executable"
EXEC="$(cd "$(dirname "$EXEC")" && pwd)/$(basename "$EXEC")"
case "$EXEC" in
  *[[:space:]\"\'\\\$\`]*) die "the executable's path must not contain spaces or quotes (desktop Exec= quoting): $EXEC" ;;
esac

mkdir -p "$APPS" "$MIME/packages" "$HICOLOR/scalable/apps"
# Exec/TryExec point at this executable; everything else as in the template.
sed -e "s|^Exec=signstudio |Exec=$EXEC |" -e "s|^TryExec=signstudio\$|TryExec=$EXEC|" \
  "$DESKTOP_SRC" >"$APPS/signstudio.desktop.tmp"
chmod 644 "$APPS/signstudio.desktop.tmp"
mv "$APPS/signstudio.desktop.tmp" "$APPS/signstudio.desktop"
install -m 644 "$MIME_SRC" "$MIME/packages/signstudio.xml"
install -m 644 "$ICONS/signstudio.svg" "$HICOLOR/scalable/apps/signstudio.svg"
for size in "${SIZES[@]}"; do
  dir="$HICOLOR/${size}x${size}"
  mkdir -p "$dir/apps" "$dir/mimetypes"
  install -m 644 "$ICONS/signstudio-$size.png" "$dir/apps/signstudio.png"
  for type in "${MIME_TYPES[@]}"; do
    install -m 644 "$ICONS/signstudio-$size.png" "$dir/mimetypes/${type//\//-}.png"
  done
done
refresh
if [ "$SET_DEFAULT" -eq 1 ] && [ "$SYSTEM" -eq 0 ] && command -v xdg-mime >/dev/null 2>&1; then
  xdg-mime default signstudio.desktop "${MIME_TYPES[@]}" 2>/dev/null || say "xdg-mime default failed (ignored)"
fi
say "installed into $PREFIX: applications/signstudio.desktop (Exec=$EXEC app %f),"
say "  mime/packages/signstudio.xml (*.pose, *.skels), icons/hicolor (${#SIZES[@]} sizes + scalable)"
