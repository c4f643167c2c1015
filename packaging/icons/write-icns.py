"""Writes macOS's .icns from rendered PNGs; make-icons.sh runs it.

Usage: write-icns.py OUT.icns DIR
DIR holds N.png for N in 16, 32, 64, 128, 256, 512 and 1024, and N.rgba
(raw 8-bit RGBA, from ImageMagick) for 16 and 32.

16 and 32 px go in the classic elements (is32/s8mk, il32/l8mk: run-length
RGB and an 8-bit mask), which every macOS version reads; the rest, and the
Retina doubles of 16 and 32, as PNG (ic07-ic14). Standard library only; the
same input gives the same bytes.
"""

import struct
import sys
from pathlib import Path

# (element type, PNG size) for the PNG elements: 128, 256, 512 at 1x and
# 16, 32, 128, 256, 512 at 2x.
PNG_ELEMENTS = [
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
]
# (colour element, mask element, size) for the classic elements.
CLASSIC_ELEMENTS = [(b"is32", b"s8mk", 16), (b"il32", b"l8mk", 32)]


def run_length(channel: bytes) -> bytes:
    """One colour channel in icns's run-length code: a byte 0x80 + n - 3
    then a value for a run of n (3 to 130) equal bytes, a byte n - 1 then n
    (1 to 128) bytes for bytes copied as they are."""
    out = bytearray()
    i, n = 0, len(channel)
    while i < n:
        end = i
        while end < n and end - i < 130 and channel[end] == channel[i]:
            end += 1
        if end - i >= 3:
            out += bytes([end - i + 125, channel[i]])
            i = end
            continue
        start = i
        while i < n and i - start < 128:
            if i + 2 < n and channel[i] == channel[i + 1] == channel[i + 2]:
                break
            i += 1
        out.append(i - start - 1)
        out += channel[start:i]
    return bytes(out)


def element(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">4sI", kind, 8 + len(data)) + data


def main() -> None:
    out_path, folder = Path(sys.argv[1]), Path(sys.argv[2])
    body = bytearray()
    for colour_kind, mask_kind, size in CLASSIC_ELEMENTS:
        rgba = (folder / f"{size}.rgba").read_bytes()
        if len(rgba) != size * size * 4:
            sys.exit(f"write-icns: {size}.rgba is not {size}x{size} RGBA")
        colour = b"".join(run_length(rgba[c::4]) for c in range(3))
        body += element(colour_kind, colour)
        body += element(mask_kind, rgba[3::4])
    for kind, size in PNG_ELEMENTS:
        body += element(kind, (folder / f"{size}.png").read_bytes())
    out_path.write_bytes(struct.pack(">4sI", b"icns", 8 + len(body)) + body)


if __name__ == "__main__":
    main()
