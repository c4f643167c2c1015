#!/usr/bin/env bash
# The player window's start-up time and CPU use, measured on the real
# release binary in a real X window (Xvfb, software OpenGL through Mesa
# llvmpipe: the slowest case, no GPU).
#
#   bash benches/window.sh AUDIO TRANSCRIPT
#
# e.g. the 92-minute seed episode (made by assets/demo/make_podcast.py from
# ../shared/seed/000_941165a8263d4ebc.txt, encoded to MP3). Prints:
# - cold start: process start to the first frame showing the transcript
#   (fresh settings and waveform cache), and to the audio being ready;
# - paused: CPU use over 5 s once the waveform is built (should be ~0: no
#   frames are drawn while nothing changes);
# - playing: CPU use over 10 s, as % of one core (the whole process: audio
#   engine, output, drawing).
# Needs Xvfb and xdotool (packaging/setup.sh installs them). No sound server
# is started: playback goes to the null output, whose clock runs in real time.
set -euo pipefail
cd "$(dirname "$0")/.."
audio=${1:?usage: benches/window.sh AUDIO TRANSCRIPT}
transcript=${2:?usage: benches/window.sh AUDIO TRANSCRIPT}

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/earmark

work=$(mktemp -d)
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
app=
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
sleep 1

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

start_ns=$(date +%s%N)
DISPLAY=$display EARMARK_STATE_DIR=$work/state EARMARK_CACHE_DIR=$work/cache \
  EARMARK_TRACE=$work/trace.jsonl "$bin" "$audio" "$transcript" 2>/dev/null &
app=$!

wait_for() { # event name → its first wall_ns
  for _ in $(seq 1 600); do
    line=$(grep -m1 "\"event\":\"$1\"" "$work/trace.jsonl" 2>/dev/null || true)
    if [ -n "$line" ]; then
      sed 's/.*"wall_ns":\([0-9]*\).*/\1/' <<<"$line"
      return
    fi
    sleep 0.02
  done
  echo "no $1 event" >&2
  exit 1
}
rows_ns=$(wait_for rows)
opened_ns=$(wait_for opened)
echo "cold start to the first frame with the transcript: $(( (rows_ns - start_ns) / 1000000 )) ms"
echo "cold start to the audio ready: $(( (opened_ns - start_ns) / 1000000 )) ms"

# Let the waveform finish (its progress repaints the window), then idle.
sleep 8
frames() { grep -c '"event":"frame"' "$work/trace.jsonl" || true; }
# measure STATE SECONDS: frames drawn and CPU used over that many seconds.
measure() {
  local before frames_before after
  before=$(ticks "$app")
  frames_before=$(frames)
  sleep "$2"
  after=$(ticks "$app")
  echo "$1: $(( $(frames) - frames_before )) frames drawn in $2 s"
  echo "$1: $(awk -v t=$((after - before)) -v hz="$hz" -v s="$2" 'BEGIN { printf "%.1f", 100 * t / hz / s }')% of one core over $2 s"
}
measure paused 5

wid=$(DISPLAY=$display xdotool search --name Earmark | head -1)
DISPLAY=$display xdotool windowfocus --sync "$wid" key space
sleep 1
measure playing 10
highlights=$(grep -c '"event":"highlight"' "$work/trace.jsonl" || true)
echo "(the highlight changed $highlights times)"
