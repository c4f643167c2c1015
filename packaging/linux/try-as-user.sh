#!/usr/bin/env bash
# Earmark tried as a new user would, on the installed package: a fresh home,
# a private session bus, a sound server with a null sink and an X server,
# all started here and stopped at the end.
#
#   bash packaging/linux/try-as-user.sh [AUDIO TRANSCRIPT] [OUT]
#
# 1. starts Earmark from its installed desktop entry (`gio launch`, as a
#    menu does) and shoots the window: a new user's first start;
# 2. opens an episode's transcript, converted to SubRip beside its audio,
#    with `xdg-open` (what a file manager's double-click runs): it must open
#    in the window already there, not in a second one;
# 3. presses the play key through MPRIS (`playerctl play-pause`), records
#    the sink, shoots the window playing, reads the status, position and
#    metadata, and presses it again.
# The episode defaults to the bundled demo. Screenshots and the recording's
# levels go to OUT (default target/try-as-user). Needs the .deb installed
# (`apt-get install ./target/debian/earmark_*.deb`), and Xvfb, xdotool,
# imagemagick, dbus, pulseaudio, pulseaudio-utils, playerctl, xdg-utils
# and libglib2.0-bin (gio).
set -euo pipefail
cd "$(dirname "$0")/../.."

audio=$(realpath "${1:-assets/demo/demo-episode.mp3}")
transcript=$(realpath "${2:-assets/demo/demo-episode.txt}")
out=$(realpath -m "${3:-target/try-as-user}")
entry=/usr/share/applications/io.github.earmark.Earmark.desktop
[ -f "$entry" ] || { echo "try-as-user: install the .deb first ($entry is missing)" >&2; exit 1; }
for tool in Xvfb xdotool import dbus-daemon pulseaudio parec playerctl xdg-open gio; do
  command -v "$tool" >/dev/null || { echo "try-as-user: $tool is missing" >&2; exit 1; }
done

rm -rf "$out" && mkdir -p "$out"
home=$(mktemp -d)
mkdir -p "$home/home/Podcasts" "$home/run" && chmod 700 "$home/run"
export HOME=$home/home XDG_RUNTIME_DIR=$home/run XDG_CONFIG_HOME=$home/home/.config \
  XDG_DATA_HOME=$home/home/.local/share XDG_CACHE_HOME=$home/home/.cache
unset EARMARK_STATE_DIR EARMARK_CACHE_DIR PULSE_SERVER
display=:$((150 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display
bus=$(dbus-daemon --session --fork --print-address=1 --print-pid=1)
DBUS_SESSION_BUS_ADDRESS=$(echo "$bus" | sed -n 1p)
export DBUS_SESSION_BUS_ADDRESS
bus_pid=$(echo "$bus" | sed -n 2p)
pulseaudio -D --exit-idle-time=-1 -n --load="module-null-sink sink_name=speakers" \
  --load=module-native-protocol-unix 2>/dev/null
recorder=
cleanup() {
  [ -n "$recorder" ] && kill "$recorder" 2>/dev/null
  pkill -u "$(id -u)" -x earmark 2>/dev/null
  pulseaudio --kill 2>/dev/null
  kill "$bus_pid" "$xvfb" 2>/dev/null
  rm -rf "$home"
}
trap cleanup EXIT
sleep 1
shot() { import -window root "$out/$1.png" && echo "try-as-user: $out/$1.png"; }
windows() { xdotool search --class io.github.earmark.Earmark 2>/dev/null | wc -l; }

name=$(basename "${audio%.*}")
cp "$audio" "$HOME/Podcasts/"
earmark convert "$transcript" "$HOME/Podcasts/$name.srt"
echo "try-as-user: $name.srt is $(xdg-mime query filetype "$HOME/Podcasts/$name.srt"), opened by $(xdg-mime query default application/x-subrip)"

echo "try-as-user: 1. from the desktop entry"
gio launch "$entry" >"$out/earmark.log" 2>&1 &
for _ in $(seq 100); do [ "$(windows)" -ge 1 ] && break; sleep 0.1; done
[ "$(windows)" -eq 1 ] || { echo "try-as-user: no window" >&2; exit 1; }
sleep 2
shot 1-from-the-menu

echo "try-as-user: 2. xdg-open $name.srt"
started=$(date +%s%N)
xdg-open "$HOME/Podcasts/$name.srt"
echo "try-as-user: xdg-open returned after $((($(date +%s%N) - started) / 1000000)) ms"
sleep 2
title=$(xdotool search --class io.github.earmark.Earmark getwindowname %@)
echo "try-as-user: $(windows) window(s), titled: $title"
if [ "$(windows)" -ne 1 ] || [[ "$title" != *"$name.srt"* ]]; then
  echo "try-as-user: the window did not open $name.srt" >&2
  exit 1
fi
shot 2-xdg-open

echo "try-as-user: 3. the play key"
parec -d speakers.monitor --raw --format=s16le --rate=44100 --channels=1 >"$out/heard.raw" &
recorder=$!
sleep 0.5
playerctl -p earmark play-pause
sleep 3
echo "try-as-user: $(playerctl -p earmark status) at $(playerctl -p earmark position) s"
playerctl -p earmark metadata
shot 3-play-key
playerctl -p earmark play-pause
sleep 0.5
echo "try-as-user: after the second press: $(playerctl -p earmark status)"
kill "$recorder" && recorder=
python3 - "$out/heard.raw" <<'EOF'
import array, sys
samples = array.array("h", open(sys.argv[1], "rb").read())
block = 4410
peaks = [max(map(abs, samples[i:i + block])) for i in range(0, len(samples) - block, block)]
heard = [i for i, p in enumerate(peaks) if p > 1000]
if not heard:
    sys.exit("try-as-user: nothing was heard at the sink")
print(f"try-as-user: sound at the sink for {len(heard) / 10:.1f} s of {len(peaks) / 10:.1f} s recorded")
EOF
