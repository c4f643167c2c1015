#!/usr/bin/env python3
"""Measures `earmark sync --snap` on cases of make_cases.py with ASR-like timings.

usage: snap_bench.py CASE... [--earmark PATH] [--seed N] [--late MIN,MAX] [--early MIN,MAX]

For each case directory (transcript.txt, truth.json, audio.flac), writes the
transcript as a speech recogniser might time it: each line still in the
audio starts a random 150-300 ms (--late) after its speech starts and ends
a random 150-300 ms (--early) before its speech stops (in transcript time,
so the case's edits still apply); cut lines are kept as they are. Then runs
`earmark sync` on it without and with --snap and prints, for the lines still
in the audio, the share of starts and of ends within 20 and 50 ms of the
truth (start_ms and speech_end_ms), and the median error of each; then the
same over only the lines the alignment itself placed within 100 ms of their
start (score.py's bar), which is what the snap can be asked to finish: a
line the alignment put on the wrong phrase or reported missing is beyond
its reach. Deterministic for a seed.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score import read_records  # noqa: E402


def range_time(ms):
    return "%02d:%02d:%02d.%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)


def asr_like(case, rng, late, early):
    """The case's transcript.txt with ASR-like times, as text."""
    with open(os.path.join(case, "truth.json")) as f:
        truth = json.load(f)
    with open(os.path.join(case, "transcript.txt"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    rate = truth.get("rate", 1.0)
    out = []
    for line, true in zip(lines, truth["lines"]):
        if true["cut"]:
            out.append(line)
            continue
        _, rest = line.split(", ", 1)
        speech_ms = (true["speech_end_ms"] - true["start_ms"]) / rate
        start = true["transcript_start_ms"] + rng.randint(*late)
        end = round(true["transcript_start_ms"] + speech_ms) - rng.randint(*early)
        out.append("%s - %s, %s" % (range_time(start), range_time(max(end, start + 1)), rest))
    return "\n".join(out) + "\n", truth


def edge_errors(path, truth):
    """[(start error, end error)] in ms of the lines still in the audio."""
    records = read_records(path)
    return [(abs(a - t["start_ms"]), abs(b - t["speech_end_ms"]))
            for (a, b, _), t in zip(records, truth["lines"]) if not t["cut"]]


def shares(errors):
    n = len(errors)
    starts = sorted(e for e, _ in errors)
    ends = sorted(e for _, e in errors)
    pct = lambda xs, ms: 100.0 * sum(x <= ms for x in xs) / n
    return (f"starts {pct(starts, 20):5.1f} % / {pct(starts, 50):5.1f} % within 20/50 ms "
            f"(median {starts[n // 2]} ms), "
            f"ends {pct(ends, 20):5.1f} % / {pct(ends, 50):5.1f} % (median {ends[n // 2]} ms)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--earmark", default="target/debug/earmark")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--late", default="150,300", help="ms range of the late starts")
    ap.add_argument("--early", default="150,300", help="ms range of the early ends")
    args = ap.parse_args()
    late = tuple(int(x) for x in args.late.split(","))
    early = tuple(int(x) for x in args.early.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases:
            name = os.path.basename(os.path.normpath(case))
            text, truth = asr_like(case, random.Random(f"{args.seed}/{name}"), late, early)
            source = os.path.join(tmp, "asr.txt")
            with open(source, "w", encoding="utf-8") as f:
                f.write(text)
            n = sum(not t["cut"] for t in truth["lines"])
            print(f"{name} ({n} lines in the audio)")
            print(f"  as transcribed:  {shares(edge_errors(source, truth)) if not any(t['cut'] for t in truth['lines']) else '(another cut)'}")
            results = {}
            for label, extra in (("sync:", []), ("sync --snap:", ["--snap"])):
                out = os.path.join(tmp, "out.txt")
                run = subprocess.run([args.earmark, "sync", source, os.path.join(case, "audio.flac"),
                                      "-o", out] + extra, capture_output=True, text=True)
                if run.returncode != 0:
                    print(f"  {label} failed: {run.stderr.strip()}")
                    break
                results[label] = edge_errors(out, truth)
                print(f"  {label:<16} {shares(results[label])}")
                if extra:
                    print("   ", run.stdout.strip().splitlines()[-2])
            if len(results) == 2:
                placed = [s <= 100 for s, _ in results["sync:"]]
                print(f"  of the {sum(placed)} lines the alignment placed within 100 ms:")
                for label, errors in results.items():
                    kept = [e for e, p in zip(errors, placed) if p]
                    print(f"    {label:<14} {shares(kept)}")

if __name__ == "__main__":
    sys.exit(main())
