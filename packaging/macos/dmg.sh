#!/usr/bin/env bash
# Puts Earmark.app (from packaging/macos/bundle.sh) in a compressed disk
# image, target/macos/Earmark-VERSION.dmg (under $CARGO_TARGET_DIR when set),
# beside a link to /Applications to drag it onto.
#
# Usage: bash packaging/macos/dmg.sh
# With $MACOS_SIGN_IDENTITY set (as for bundle.sh) the image is signed too,
# ready for `xcrun notarytool submit` (see packaging/README.md).
# Needs macOS (hdiutil, codesign, ditto).
set -euo pipefail

cd "$(dirname "$0")/../.."
if [ "$(uname -s)" != Darwin ]; then
  echo "dmg.sh: this needs macOS (hdiutil)" >&2
  exit 1
fi

target_dir="${CARGO_TARGET_DIR:-target}"
app="$target_dir/macos/Earmark.app"
if [ ! -d "$app" ]; then
  echo "dmg.sh: no $app; run packaging/macos/bundle.sh first" >&2
  exit 1
fi
version="$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist")"
dmg="$target_dir/macos/Earmark-$version.dmg"

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
# ditto keeps the bundle's signature, extended attributes and symlinks.
ditto "$app" "$staging/Earmark.app"
ln -s /Applications "$staging/Applications"

# hdiutil now and then fails with "Resource busy" on a busy machine (CI
# runners): try again before giving up.
rm -f "$dmg"
for attempt in 1 2 3; do
  if hdiutil create -volname "Earmark" -srcfolder "$staging" -ov \
    -format UDZO "$dmg"; then
    break
  fi
  if [ "$attempt" -eq 3 ]; then
    echo "dmg.sh: hdiutil create failed three times" >&2
    exit 1
  fi
  sleep 5
done

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$dmg"
fi
hdiutil verify "$dmg"
echo "dmg.sh: $dmg"
