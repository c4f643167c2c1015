#!/usr/bin/env bash
# Makes the demo episode's audio from its transcript: synthetic speech
# (espeak-ng, two voices) placed so that each line's speech starts exactly
# at its start time and ends before its end time, encoded as MP3.
#
#   bash assets/demo/make.sh      (needs espeak-ng, sox, ffmpeg with libmp3lame)
#
# make_podcast.py is the project's sample generator (shared/samples), kept
# here so the demo can be rebuilt from this folder alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/make_podcast.py" "$here/demo-episode.txt" "$work"
# 2 s of silence after the last line, then a 48 kb/s mono MP3 (about 180 KB).
ffmpeg -v error -y -i "$work/podcast.wav" -af apad=pad_dur=1 -c:a libmp3lame -b:a 48k \
    "$here/demo-episode.mp3"
cp "$work/segments.tsv" "$here/demo-episode.segments.tsv"
