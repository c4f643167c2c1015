#!/usr/bin/env bash
# Installs a built Earmark .deb on this (Debian/Ubuntu) machine, checks it
# as a user's system would see it, and removes it again:
#
#   bash packaging/linux/check-deb.sh target/debian/earmark_0.1.0-1_amd64.deb
#
# apt installs it without recommends (it must bring its own dependencies);
# then: the files are where they belong, /usr/bin/earmark prints its version
# and runs a headless command, the man page and bash completion load, the
# installed desktop entry's Exec opens a window under Xvfb (with the app id
# as its class), the installed desktop entry, metainfo and file type
# validate and a .earmark file is known as a session, lintian finds nothing,
# and the package removes cleanly. Needs root (or sudo); installs lintian
# when missing. .ci/run runs it; it leaves the system as it found it.
set -euo pipefail
cd "$(dirname "$0")/../.."

deb=$(realpath "${1:?usage: check-deb.sh PACKAGE.deb}")
app_id=io.github.earmark.Earmark
version=$(dpkg-deb -f "$deb" Version)
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
work=$(mktemp -d)
xvfb=
app=
cleanup() {
  if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; fi
  if [ -n "$xvfb" ]; then kill "$xvfb" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "check-deb: $*" >&2
  exit 1
}
step() { echo "check-deb: $*"; }

for tool in lintian xvfb xdotool; do
  if ! dpkg-query -W -f='${Status}' "$tool" 2>/dev/null | grep -q "ok installed"; then
    step "installing $tool"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$tool" >/dev/null
  fi
done

step "lintian"
lintian --fail-on error,warning "$deb" ||
  fail "lintian found problems in $deb"

step "installing $deb"
if dpkg-query -W -f='${Status}' earmark 2>/dev/null | grep -q "ok installed"; then
  fail "earmark is already installed; remove it first (apt-get remove earmark)"
fi
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$deb" >/dev/null

step "installed files"
for path in /usr/bin/earmark \
  "/usr/share/applications/$app_id.desktop" \
  "/usr/share/metainfo/$app_id.metainfo.xml" \
  "/usr/share/mime/packages/$app_id.xml" \
  "/usr/share/icons/hicolor/scalable/apps/$app_id.svg" \
  "/usr/share/icons/hicolor/48x48/apps/$app_id.png" \
  "/usr/share/icons/hicolor/512x512/apps/$app_id.png" \
  /usr/share/man/man1/earmark.1.gz \
  /usr/share/man/man1/earmark-inspect.1.gz \
  /usr/share/bash-completion/completions/earmark \
  /usr/share/zsh/vendor-completions/_earmark \
  /usr/share/fish/vendor_completions.d/earmark.fish \
  /usr/share/doc/earmark/copyright; do
  [ -f "$path" ] || fail "$path is not installed"
done
[ -x /usr/bin/earmark ] || fail "/usr/bin/earmark is not executable"

step "earmark --version and a headless command"
[ "$(/usr/bin/earmark --version)" = "earmark ${version%-*}" ] ||
  fail "earmark --version says '$(/usr/bin/earmark --version)', not 'earmark ${version%-*}'"
/usr/bin/earmark inspect assets/demo/demo-episode.txt >"$work/inspect.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["segments"], "no segments"' \
  "$work/inspect.json" || fail "earmark inspect printed no transcript"

step "man page and completions"
man -w earmark >/dev/null || fail "man does not find earmark(1)"
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l /usr/share/man/man1/earmark.1.gz 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "earmark(1) has warnings: $warnings"
bash -c 'source /usr/share/bash-completion/completions/earmark && complete -p earmark' >/dev/null ||
  fail "the bash completion does not load"

step "the installed desktop entry, metainfo and file type"
desktop-file-validate "/usr/share/applications/$app_id.desktop" || fail "desktop entry"
appstreamcli validate --no-net --explain "/usr/share/metainfo/$app_id.metainfo.xml" >/dev/null ||
  fail "metainfo: $(appstreamcli validate --no-net "/usr/share/metainfo/$app_id.metainfo.xml")"
grep -q "application/x-earmark-session" /usr/share/mime/globs2 ||
  fail "the mime database does not know *.earmark (was update-mime-database triggered?)"

step "the desktop entry's Exec opens a window"
exec_line=$(sed -n 's/^Exec=//p' "/usr/share/applications/$app_id.desktop" | head -n 1)
read -r -a exec_words <<<"${exec_line//%F/}"
display=":$((120 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
sleep 1
DISPLAY=$display EARMARK_STATE_DIR=$work/state EARMARK_CACHE_DIR=$work/cache \
  "${exec_words[@]}" "$PWD/assets/demo/demo-episode.mp3" >"$work/app.log" 2>&1 &
app=$!
window=
for _ in $(seq 1 300); do
  kill -0 "$app" 2>/dev/null || fail "earmark exited: $(cat "$work/app.log")"
  window=$(DISPLAY=$display xdotool search --onlyvisible --pid "$app" 2>/dev/null | head -n 1 || true)
  [ -n "$window" ] && break
  sleep 0.1
done
[ -n "$window" ] || fail "no window within 30 s: $(cat "$work/app.log")"
DISPLAY=$display xdotool search --class "$app_id" | grep -qx "$window" ||
  fail "the window's class is not $app_id"
# The title names the episode once it has loaded, a few frames after the
# window first shows.
for _ in $(seq 1 100); do
  title=$(DISPLAY=$display xdotool getwindowname "$window")
  case "$title" in *demo-episode*) break ;; esac
  sleep 0.1
done
case "$title" in
  *demo-episode*) ;;
  *) fail "the window's title '$title' does not name the episode" ;;
esac
kill "$app"
wait "$app" 2>/dev/null || true
app=

step "removing the package"
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get remove -y -qq --purge earmark >/dev/null
[ ! -e /usr/bin/earmark ] || fail "/usr/bin/earmark is still there after removal"
step "$deb: all checks passed"
