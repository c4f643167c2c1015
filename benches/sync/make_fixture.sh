#!/usr/bin/env bash
# Makes tests/fixtures/sync/ (what tests/sync_vad.rs checks the speech
# detector on): make_cases.py's tiny case (70 s: the seed's first three
# lines, the intro trimmed, an ad break with a music sting), without and
# with the room, as 16 kb/s 16 kHz mono MP3 so the two stay small enough to commit.
# Needs espeak-ng, sox and ffmpeg (with libmp3lame).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../../tests/fixtures/sync
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/make_cases.py" "$tmp" --size tiny
for case in combo combo_room; do
    mkdir -p "$out/$case"
    ffmpeg -nostdin -v error -y -i "$tmp/tiny_$case/audio.flac" -ar 16000 -c:a libmp3lame -b:a 16k "$out/$case/audio.mp3"
    cp "$tmp/tiny_$case/truth.json" "$tmp/tiny_$case/transcript.txt" "$out/$case/"
done
du -sh "$out"
