#!/usr/bin/env bash
# `earmark sync` beside ffmpeg decoding the same audio, in one run: issue
# 12's speed target is a sync in at most 0.5x the time `ffmpeg -threads 1`
# takes to decode the file, in at most 100 MB.
#
#   bash benches/sync_vs_ffmpeg.sh [--runs N] [--mp3] CASE_DIR...
#
# A case folder (`benches/sync/make_cases.py OUT --size long` makes the
# 92-minute ones) holds transcript.txt and audio.*. Builds the release
# binary, then per case runs `earmark sync` and ffmpeg's decode one after
# the other N times (default 5, interleaved so both meet the same load)
# and prints the median and range of each one's wall-clock seconds, the
# ratio of the medians and Earmark's peak memory. With --mp3 each case's
# audio is also encoded once as a 44.1 kHz stereo 128 kb/s MP3 (what most
# podcasts publish) in $EARMARK_BENCH_DIR (default /tmp/earmark-bench) and
# measured the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
mp3=false
cases=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --mp3) mp3=true; shift ;;
        *) cases+=("$1"); shift ;;
    esac
done
[ ${#cases[@]} -gt 0 ] || { sed -n 2,16p "$0"; exit 2; }
WORK=${EARMARK_BENCH_DIR:-/tmp/earmark-bench}
mkdir -p "$WORK"
cargo build --release --quiet
earmark=${CARGO_TARGET_DIR:-target}/release/earmark

# "median min max" of numbers on stdin.
stats() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)], v[1], v[NR]}'; }

bench() {
    local name=$1 transcript=$2 audio=$3 ours=() theirs=() peak=0 line
    for _ in $(seq "$runs"); do
        /usr/bin/time -o "$WORK/time.txt" -f '%e %M' "$earmark" sync "$transcript" "$audio" \
            -o "$WORK/synced.txt" >/dev/null 2>&1
        line=$(tail -1 "$WORK/time.txt")
        ours+=("${line% *}")
        peak=$(( ${line#* } > peak ? ${line#* } : peak ))
        /usr/bin/time -o "$WORK/time.txt" -f '%e' ffmpeg -nostdin -v error -threads 1 \
            -i "$audio" -f null - >/dev/null 2>&1
        line=$(tail -1 "$WORK/time.txt")
        theirs+=("$line")
    done
    read -r om olo ohi < <(printf '%s\n' "${ours[@]}" | stats)
    read -r fm flo fhi < <(printf '%s\n' "${theirs[@]}" | stats)
    printf '%-34s %6.2f s (%.2f-%.2f) %6.2f s (%.2f-%.2f) %7.2fx %6d MB\n' "$name" \
        "$om" "$olo" "$ohi" "$fm" "$flo" "$fhi" "$(echo "$om / $fm" | bc -l)" $((peak / 1024))
}

printf '%-34s %-20s %-20s %8s %9s\n' case earmark_sync ffmpeg_decode ratio memory
for dir in "${cases[@]}"; do
    name=$(basename "$dir")
    audio=$(ls "$dir"/audio.* | head -1)
    bench "$name (${audio##*.})" "$dir/transcript.txt" "$audio"
    if $mp3; then
        encoded="$WORK/$name-44k-stereo.mp3"
        [ -f "$encoded" ] || ffmpeg -nostdin -v error -y -i "$audio" -ar 44100 -ac 2 \
            -c:a libmp3lame -b:a 128k "$encoded"
        bench "$name (mp3 44.1k stereo)" "$dir/transcript.txt" "$encoded"
    fi
done
