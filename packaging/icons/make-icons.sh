#!/usr/bin/env bash
# Renders Earmark's icon at every size each platform needs, from the SVG
# sources beside this script, into this folder:
#   hicolor/NxN/apps/APP_ID.png   Linux (freedesktop icon theme), 16 to 512 px
#   hicolor/scalable/apps/APP_ID.svg   Linux, a copy of earmark.svg
#   earmark.ico                   Windows: 16, 24, 32, 48, 64, 128 and 256 px
#   earmark.icns                  macOS: 16 to 512 px, and their Retina doubles
#                                 (up to 1024 px), written by write-icns.py
# 16 and 24 px come from earmark-16.svg and earmark-24.svg, drawn on those
# grids so that they stay sharp; every other size from earmark.svg.
#
# The results are committed, so building a package needs none of this; run
# it again after changing an SVG, and commit what it writes. It installs
# nothing. It needs, on Debian/Ubuntu:
#   librsvg2-bin (rsvg-convert), imagemagick (convert), python3
# and gives the same bytes each time for the same versions of those.
set -euo pipefail

# The application id (src/app_id.rs); tests/packaging.rs checks they agree.
APP_ID=io.github.earmark.Earmark
HICOLOR_SIZES=(16 24 32 48 64 128 256 512)
ICO_SIZES=(16 24 32 48 64 128 256)

here=$(cd "$(dirname "$0")" && pwd)

missing=()
command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
command -v convert >/dev/null || missing+=(imagemagick)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "make-icons: needs ${missing[*]} (Debian/Ubuntu: apt-get install ${missing[*]})" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The SVG drawn for a size: the small ones have their own grid.
source_for() {
  case "$1" in
    16) echo "$here/earmark-16.svg" ;;
    24) echo "$here/earmark-24.svg" ;;
    *) echo "$here/earmark.svg" ;;
  esac
}

render() {
  rsvg-convert --width "$1" --height "$1" --keep-aspect-ratio "$(source_for "$1")" --output "$work/$1.png"
}

for size in "${HICOLOR_SIZES[@]}" 1024; do
  render "$size"
done
# Raw pixels for the .icns elements that are not PNG.
for size in 16 32; do
  convert "$work/$size.png" -depth 8 "rgba:$work/$size.rgba"
done

for size in "${HICOLOR_SIZES[@]}"; do
  dir="$here/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  cp "$work/$size.png" "$dir/$APP_ID.png"
done
mkdir -p "$here/hicolor/scalable/apps"
cp "$here/earmark.svg" "$here/hicolor/scalable/apps/$APP_ID.svg"

# ImageMagick stores 256 px as PNG and the smaller sizes as bitmaps, which
# every Windows version reads; no dates, so the file is the same each run.
ico_inputs=()
for size in "${ICO_SIZES[@]}"; do
  ico_inputs+=("$work/$size.png")
done
convert "${ico_inputs[@]}" -define png:exclude-chunks=date,time "$here/earmark.ico"

python3 "$here/write-icns.py" "$here/earmark.icns" "$work"

echo "make-icons: wrote hicolor/, earmark.ico and earmark.icns in $here"
