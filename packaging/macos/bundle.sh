#!/usr/bin/env bash
# Builds Earmark.app on macOS, in target/macos/ (under $CARGO_TARGET_DIR when
# set):
#
#   Earmark.app/Contents/Info.plist          packaging/macos/Info.plist, its
#                                            version set to Cargo.toml's
#   Earmark.app/Contents/MacOS/earmark       the release binary
#   Earmark.app/Contents/Resources/earmark.icns
#
# and signs it ad hoc, or with $MACOS_SIGN_IDENTITY (a "Developer ID
# Application: ..." certificate in the keychain) and the hardened runtime,
# as notarisation requires. packaging/macos/dmg.sh puts the result in a disk
# image.
#
# Usage: bash packaging/macos/bundle.sh [--universal] [--no-build]
#   --universal  build for Apple silicon and Intel and join the two binaries
#                with lipo (needs: rustup target add aarch64-apple-darwin
#                x86_64-apple-darwin)
#   --no-build   bundle the binaries already built (one, or the two targets'
#                with --universal)
# Needs Xcode's command line tools (lipo, codesign, plutil, PlistBuddy).
set -euo pipefail

cd "$(dirname "$0")/../.."
universal=false
build=true
for arg in "$@"; do
  case "$arg" in
    --universal) universal=true ;;
    --no-build) build=false ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bundle.sh: unknown argument $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

if [ "$(uname -s)" != Darwin ]; then
  echo "bundle.sh: this needs macOS (lipo, codesign, plutil)" >&2
  exit 1
fi

target_dir="${CARGO_TARGET_DIR:-target}"
# The version from Cargo.toml, as cargo reads it: path+file:///...#earmark@0.1.0
version="$(cargo pkgid)"
version="${version##*[#@]}"
# Info.plist's LSMinimumSystemVersion: the Intel binary must promise no older.
export MACOSX_DEPLOYMENT_TARGET=11.0

if $universal; then
  targets=(aarch64-apple-darwin x86_64-apple-darwin)
  if $build; then
    for target in "${targets[@]}"; do
      cargo build --release --locked --target "$target"
    done
  fi
  binaries=()
  for target in "${targets[@]}"; do
    binaries+=("$target_dir/$target/release/earmark")
  done
else
  if $build; then
    cargo build --release --locked
  fi
  binaries=("$target_dir/release/earmark")
fi
for binary in "${binaries[@]}"; do
  if [ ! -x "$binary" ]; then
    echo "bundle.sh: no $binary; build it, or leave out --no-build" >&2
    exit 1
  fi
done

app="$target_dir/macos/Earmark.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"

if [ ${#binaries[@]} -gt 1 ]; then
  lipo -create -output "$app/Contents/MacOS/earmark" "${binaries[@]}"
else
  cp "${binaries[0]}" "$app/Contents/MacOS/earmark"
fi
lipo -info "$app/Contents/MacOS/earmark"
cp packaging/icons/earmark.icns "$app/Contents/Resources/earmark.icns"

plist="$app/Contents/Info.plist"
cp packaging/macos/Info.plist "$plist"
# tests/packaging.rs keeps the plist's version at Cargo's; a release built
# between a version bump and its plist change still says the right one.
for key in CFBundleShortVersionString CFBundleVersion; do
  if [ "$(/usr/libexec/PlistBuddy -c "Print :$key" "$plist")" != "$version" ]; then
    /usr/libexec/PlistBuddy -c "Set :$key $version" "$plist"
  fi
done
plutil -lint "$plist"

# Sign last: the signature covers the binary, the plist and the resources.
# Ad hoc (-s -) lets Apple silicon run it and Gatekeeper name it, but a
# downloaded copy still needs right-click > Open until it is signed with a
# Developer ID and notarised (see packaging/README.md).
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp \
    --sign "$MACOS_SIGN_IDENTITY" "$app"
else
  codesign --force --deep -s - "$app"
fi
codesign --verify --deep --strict --verbose=2 "$app"

echo "bundle.sh: $app (Earmark $version)"
