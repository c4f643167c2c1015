#!/usr/bin/env bash
# Earmark's decoder beside ffmpeg and mpv on the same files, in one run.
#
#   bash benches/audio_vs_ffmpeg.sh
#
# Makes (once, in $EARMARK_BENCH_DIR, default /tmp/earmark-bench) a 92-minute
# two-voice speech episode from the seed transcript (shared/samples'
# make_podcast.py, espeak-ng + sox), encodes it as 44.1 kHz stereo MP3
# (128 kb/s CBR) and FLAC, and a 3-hour VBR MP3 with and without a Xing
# header. Then prints, per file: full single-thread decode time of ffmpeg
# (`-threads 1 -f null`), mpv (`--ao=null --ao-null-untimed`) and Earmark, the ratio
# of speeds (ffmpeg time / Earmark time: the issue asks for >= 0.8), and
# Earmark's open-to-playable time and seek latency (p50/p95/max).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${EARMARK_BENCH_DIR:-/tmp/earmark-bench}
SEED=${EARMARK_SEED:-$(pwd)/tests/fixtures/seed/delphi-podcast.txt}
MAKE_PODCAST=${EARMARK_MAKE_PODCAST:-$(pwd)/../shared/samples/make_podcast.py}
mkdir -p "$WORK"

ff() { ffmpeg -v error -y "$@"; }
if [ ! -f "$WORK/seed/podcast.wav" ]; then
    python3 "$MAKE_PODCAST" "$SEED" "$WORK/seed"
fi
[ -f "$WORK/episode-92min.mp3" ] ||
    ff -i "$WORK/seed/podcast.wav" -ar 44100 -ac 2 -c:a libmp3lame -b:a 128k "$WORK/episode-92min.mp3"
[ -f "$WORK/episode-92min.flac" ] ||
    ff -i "$WORK/seed/podcast.wav" -ar 44100 -ac 2 -c:a flac "$WORK/episode-92min.flac"
if [ ! -f "$WORK/episode-3h-vbr.mp3" ]; then
    ff -stream_loop 1 -i "$WORK/seed/podcast.wav" -t 10800 -ar 44100 -ac 2 -c:a libmp3lame -q:a 4 "$WORK/episode-3h-vbr.mp3"
fi
[ -f "$WORK/episode-3h-vbr-noxing.mp3" ] ||
    ff -i "$WORK/episode-3h-vbr.mp3" -c:a copy -write_xing 0 "$WORK/episode-3h-vbr-noxing.mp3"

now() { date +%s.%N; }
# Median of three wall-clock runs of a command, in ms.
time_ms() {
    local runs=()
    for _ in 1 2 3; do
        local start end
        start=$(now)
        "$@" >/dev/null 2>&1
        end=$(now)
        runs+=("$(echo "($end - $start) * 1000" | bc -l)")
    done
    printf '%s\n' "${runs[@]}" | sort -g | sed -n 2p
}

cargo bench --bench audio --no-run >/dev/null 2>&1
printf '%-28s %10s %10s %10s %8s %8s %8s %8s %8s\n' file ffmpeg_ms mpv_ms earmark_ms ratio open_ms seek_p50 seek_p95 seek_max
for f in episode-92min.mp3 episode-92min.flac episode-3h-vbr.mp3 episode-3h-vbr-noxing.mp3; do
    path="$WORK/$f"
    ffmpeg_ms=$(time_ms ffmpeg -threads 1 -i "$path" -f null -)
    mpv_ms=$(time_ms mpv --no-config --really-quiet --vo=null --no-video --ao=null --ao-null-untimed "$path")
    json=$(cargo bench --bench audio -- "$path" 2>/dev/null | tail -1)
    field() { echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print(round(eval('d' + sys.argv[1]), 1))" "$1"; }
    earmark_ms=$(field '["decode_ms"]')
    ratio=$(echo "$ffmpeg_ms / $earmark_ms" | bc -l)
    printf '%-28s %10.0f %10.0f %10.0f %8.2f %8s %8s %8s %8s\n' "$f" "$ffmpeg_ms" "$mpv_ms" "$earmark_ms" "$ratio" \
        "$(field '["open_ms"]')" "$(field '["seek_ms"]["p50"]')" "$(field '["seek_ms"]["p95"]')" "$(field '["seek_ms"]["max"]')"
done
