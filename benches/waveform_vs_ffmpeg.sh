#!/usr/bin/env bash
# The waveform target of issue 3: `earmark peaks --no-cache` on a long MP3
# must take no longer than ffmpeg decoding the same file on one thread
# (`ffmpeg -threads 1 -i F -f null -`). Runs each RUNS times, interleaved so
# both see the same machine load, and prints the medians and their ratio,
# then the reopen-from-cache time and both peak RSS figures.
#
#   benches/waveform_vs_ffmpeg.sh [FILE.mp3] [RUNS]
#
# Without FILE, makes a 92-minute 44.1 kHz stereo 128 kb/s MP3 in /tmp.
# Needs ffmpeg and GNU time (/usr/bin/time); builds earmark in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."

file=${1:-/tmp/long92.mp3}
runs=${2:-5}
if [[ ! -f $file ]]; then
    echo "making $file (92 minutes)..." >&2
    ffmpeg -loglevel error -y -f lavfi -i "sine=f=440:d=5520" -f lavfi -i "anoisesrc=d=5520:a=0.1" \
        -filter_complex amix -ac 2 -ar 44100 -b:a 128k "$file"
fi

cargo build --release --quiet --no-default-features --features audio
target=${CARGO_TARGET_DIR:-target}
earmark=$target/release/earmark
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

# Wall seconds of one command, its output discarded.
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Peak resident set (MB) and CPU time (user + system, s) of one command.
rss_and_cpu() {
    /usr/bin/time -f 'TIME %M %U %S' "$@" 2>&1 >/dev/null |
        awk '/^TIME/ { printf "%.1f MB peak RSS, %.2f s CPU", $2 / 1024, $3 + $4 }'
}

ours=() ffmpeg_runs=()
for ((i = 0; i < runs; i++)); do
    ffmpeg_runs+=("$(seconds ffmpeg -nostdin -threads 1 -i "$file" -f null -)")
    ours+=("$(seconds env EARMARK_CACHE_DIR="$cache" "$earmark" peaks --no-cache "$file")")
done
ours_median=$(printf '%s\n' "${ours[@]}" | median)
ffmpeg_median=$(printf '%s\n' "${ffmpeg_runs[@]}" | median)

EARMARK_CACHE_DIR="$cache" "$earmark" peaks "$file" >/dev/null
cached=()
for ((i = 0; i < runs; i++)); do
    cached+=("$(seconds env EARMARK_CACHE_DIR="$cache" "$earmark" peaks "$file")")
done
cached_median=$(printf '%s\n' "${cached[@]}" | median)

printf 'file:                      %s\n' "$file"
printf 'ffmpeg -threads 1 decode:  %.3f s median of %d (%s)\n' "$ffmpeg_median" "$runs" "${ffmpeg_runs[*]}"
printf 'earmark peaks --no-cache:  %.3f s median of %d (%s)\n' "$ours_median" "$runs" "${ours[*]}"
printf 'reopen from the cache:     %.3f s median of %d\n' "$cached_median" "$runs"
printf 'earmark: %s\n' "$(rss_and_cpu "$earmark" peaks --no-cache "$file")"
printf 'ffmpeg:  %s\n' "$(rss_and_cpu ffmpeg -nostdin -threads 1 -i "$file" -f null -)"
printf 'ratio (earmark / ffmpeg):  %.3f (target <= 1.0)\n' "$(echo "$ours_median / $ffmpeg_median" | bc -l)"
