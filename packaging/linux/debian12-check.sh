#!/usr/bin/env bash
# Proves that the .deb installs and runs on a clean Debian 12 with nothing
# but its declared dependencies:
#
#   sudo bash packaging/linux/debian12-check.sh target/debian/earmark_*.deb [OUT]
#
# mmdebstrap makes a fresh Debian 12 root (variant "apt": the essential
# packages and apt, nothing else) in OUT (default target/debian12-check); apt
# installs the package there without recommends, pulling its dependencies
# from the mirror; then, inside that root, `earmark --version` and `earmark
# inspect` run, and the window opens on the X server of this machine (an
# Xvfb whose socket is bound into the root, so no X package is added to it)
# and is shot to OUT/window.png. The root's package list is left in
# OUT/packages.txt. Needs root, mmdebstrap (installed when missing), the
# Debian mirror, Xvfb, xdotool and imagemagick (packaging/setup.sh has them).
# Takes a few minutes, most of it downloading.
set -euo pipefail
cd "$(dirname "$0")/../.."

deb=$(realpath "${1:?usage: debian12-check.sh PACKAGE.deb [OUT]}")
out=$(realpath -m "${2:-target/debian12-check}")
[ "$(id -u)" -eq 0 ] || { echo "debian12-check: run as root (sudo)" >&2; exit 1; }
if ! command -v mmdebstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
fi

rm -rf "$out"
mkdir -p "$out"
display_number=$((130 + RANDOM % 9))
Xvfb ":$display_number" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1

# Runs inside the new root, as the last customize hook.
cat >"$out/inside.sh" <<EOF
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends /tmp/earmark.deb
dpkg-query -W -f='\${Package} \${Version}\n' >/tmp/packages.txt
earmark --version
earmark inspect /tmp/demo-episode.txt | head -c 200; echo
mkdir -p /tmp/state
DISPLAY=:$display_number EARMARK_STATE_DIR=/tmp/state EARMARK_CACHE_DIR=/tmp/cache \
  earmark /tmp/demo-episode.mp3 >/tmp/earmark.log 2>&1 &
echo \$! >/tmp/earmark.pid
EOF

# The hooks: copy the package and the demo in, bind the X socket, run the
# script, find and shoot the window from outside, stop the app, copy out.
mmdebstrap --mode=root --variant=apt --quiet \
  --customize-hook="copy-in $deb /tmp/" \
  --customize-hook="sh -c 'mv \"\$1\"/tmp/$(basename "$deb") \"\$1\"/tmp/earmark.deb' -- \"\$1\"" \
  --customize-hook="copy-in assets/demo/demo-episode.mp3 assets/demo/demo-episode.txt /tmp/" \
  --customize-hook="mkdir -p \"\$1\"/tmp/.X11-unix && mount --bind /tmp/.X11-unix \"\$1\"/tmp/.X11-unix" \
  --customize-hook="copy-in $out/inside.sh /tmp/" \
  --customize-hook="chroot \"\$1\" sh /tmp/inside.sh" \
  --customize-hook="sh -c '
    pid=\$(cat \"\$1\"/tmp/earmark.pid)
    for i in \$(seq 1 300); do
      w=\$(DISPLAY=:$display_number xdotool search --onlyvisible --class io.github.earmark.Earmark 2>/dev/null | head -n 1)
      [ -n \"\$w\" ] && break
      sleep 0.1
    done
    [ -n \"\$w\" ] || { echo \"no window\"; cat \"\$1\"/tmp/earmark.log; exit 1; }
    sleep 2
    DISPLAY=:$display_number xdotool getwindowname \"\$w\"
    DISPLAY=:$display_number import -window root $out/window.png
    chroot \"\$1\" sh -c \"kill \$pid\"
    sleep 1
    umount \"\$1\"/tmp/.X11-unix
  ' -- \"\$1\"" \
  --customize-hook="copy-out /tmp/packages.txt /tmp/earmark.log $out/" \
  bookworm "$out/root.tar"
rm -f "$out/root.tar" "$out/inside.sh"
echo "debian12-check: passed; $(wc -l <"$out/packages.txt") packages in the root, window in $out/window.png"
