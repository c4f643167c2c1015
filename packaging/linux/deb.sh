#!/usr/bin/env bash
# Builds the Debian package with cargo-deb into the target folder's debian/
# (target/debian/earmark_VERSION-1_ARCH.deb) and prints its path.
#
#   bash packaging/linux/deb.sh                        # a release build
#   bash packaging/linux/deb.sh --profile dev --no-build
#
# The second packages the binary `cargo test` already built (CI does this:
# one compile serves the tests and the package; see .ci/run). What goes in
# the package, and why, is [package.metadata.deb] in Cargo.toml. Installs
# cargo-deb (pinned) when it is missing. Check a package with check-deb.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_DEB_VERSION=3.6.4
profile=release
build=(--locked)
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=${2:?--profile needs a name}; shift 2 ;;
    --no-build) build=(--no-build); shift ;;
    *) echo "deb.sh: unknown option $1 (try --profile NAME, --no-build)" >&2; exit 2 ;;
  esac
done

if ! cargo deb --version 2>/dev/null | grep -qF "$CARGO_DEB_VERSION"; then
  echo "deb.sh: installing cargo-deb $CARGO_DEB_VERSION"
  cargo install --quiet --locked cargo-deb --version "$CARGO_DEB_VERSION"
fi

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
profile_dir=$profile
[ "$profile" = dev ] && profile_dir=debug

# The manual pages and completions, from the CLI definition itself; where
# the assets in Cargo.toml find them (target/release/ is cargo-deb's name
# for the profile's folder).
# Manual pages go in compressed (Debian policy 12.1); cargo-deb compresses
# only the files it does not count as built.
docs="$target_dir/$profile_dir/earmark-docs"
rm -rf "$docs"
cargo run --quiet --example generate_docs -- "$docs" >/dev/null
gzip -9n "$docs"/man/*.1

# A release keeps line tables for Earmark's own code (the crash report's
# backtrace) and symbols: cargo-deb moves both out of the stripped binary
# into earmark-dbgsym (Debian's layout: /usr/lib/debug/.build-id/), which
# the backtrace reads when it is installed. The dev profile's full debug
# information is just stripped (CI's package is not a release; cargo-deb
# warns that the dev profile is not for releases).
if [ "$profile" = dev ]; then
  cargo deb --quiet --profile dev "${build[@]}" --strip
else
  rm -f "$target_dir"/debian/earmark-dbgsym_*.ddeb
  deb=$(cargo deb --quiet --profile "$profile" "${build[@]}" --dbgsym | grep '\.deb$')
  # cargo-deb's dbgsym package lacks what Debian's own have (lintian:
  # no-copyright-file, no-changelog, unknown-priority): the doc folder as a
  # link to earmark's, which it then depends on, and priority optional.
  for ddeb in "$target_dir"/debian/earmark-dbgsym_*.ddeb; do
    unpacked=$(mktemp -d)
    dpkg-deb -R "$ddeb" "$unpacked"
    sed -i 's/^Priority: extra$/Priority: optional/; s/^Recommends: /Depends: /' "$unpacked/DEBIAN/control"
    mkdir -p "$unpacked/usr/share/doc"
    ln -s earmark "$unpacked/usr/share/doc/earmark-dbgsym"
    dpkg-deb --root-owner-group -Zxz -b "$unpacked" "$ddeb" >/dev/null
    rm -rf "$unpacked"
    echo "deb.sh: debug symbols in $ddeb" >&2
  done
  echo "$deb"
fi
