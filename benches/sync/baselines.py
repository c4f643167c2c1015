#!/usr/bin/env python3
"""Runs the baselines, alass and ffsubsync, on the cases make_cases.py made
and writes a Markdown table of the share of lines within 100 ms per case per
tool (and how long each run took).

usage: baselines.py CASES_DIR [--out DIR] [--cases GLOB] [--tools NAME,...]
                    [--earmark PATH]

Neither tool is linked or built into Earmark; both are outside programs,
installed for this benchmark only (see README.md beside this file):
  alass-cli  cargo install alass-cli --root ~/.cache/earmark/alass   (GPL-3.0)
  ffsubsync  python3 -m venv ~/.cache/earmark/ffsubsync-venv
             ~/.cache/earmark/ffsubsync-venv/bin/pip install ffsubsync  (MIT)
Both read the audio through ffmpeg, and take SubRip: each case's
transcript.txt goes to SRT and back with `earmark convert`.

Every run is appended to DIR/results.jsonl (a run already there is not
repeated, so an interrupted benchmark resumes) and the table is rewritten to
DIR/table.md after each.
"""
import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import score  # noqa: E402

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "earmark")
ALASS = os.environ.get("ALASS", os.path.join(CACHE, "alass", "bin", "alass-cli"))
FFSUBSYNC = os.environ.get("FFSUBSYNC", os.path.join(CACHE, "ffsubsync-venv", "bin", "ffsubsync"))

# name -> the command for (audio, srt in, srt out). alass's defaults are a
# split penalty of 7 and speed optimization 1; ffsubsync's are one offset
# (at most 60 s) and a frame-rate ratio guessed from the lengths. Podcast
# lines are long (up to a minute): ffsubsync's cap on a subtitle's length
# (10 s by default) is lifted, and its offset bound widened to 10 minutes.
FFS_PODCAST = ["--vad", "webrtc", "--max-offset-seconds", "600", "--max-subtitle-seconds", "120"]
TOOLS = {
    "alass": lambda a, i, o: [ALASS, a, i, o],
    # alass guesses a frame-rate ratio among film rates (25/24, ...), which
    # a podcast never has: -g turns the guess off.
    "alass -g": lambda a, i, o: [ALASS, "-g", a, i, o],
    "alass -g -p 3": lambda a, i, o: [ALASS, "-g", "--split-penalty", "3", a, i, o],
    "alass -g -p 20": lambda a, i, o: [ALASS, "-g", "--split-penalty", "20", a, i, o],
    "alass -g -O 0": lambda a, i, o: [ALASS, "-g", "--speed-optimization", "0", a, i, o],
    "alass -g --no-split": lambda a, i, o: [ALASS, "-g", "--no-split", a, i, o],
    "ffsubsync": lambda a, i, o: [FFSUBSYNC, a, "-i", i, "-o", o],
    "ffsubsync podcast": lambda a, i, o: [FFSUBSYNC, a, "-i", i, "-o", o, *FFS_PODCAST],
    "ffsubsync podcast --gss": lambda a, i, o: [FFSUBSYNC, a, "-i", i, "-o", o, *FFS_PODCAST, "--gss"],
    "ffsubsync podcast --split-penalty": lambda a, i, o: [
        FFSUBSYNC, a, "-i", i, "-o", o, *FFS_PODCAST, "--split-penalty"],
}


def run_one(case_dir, tool, earmark):
    audio = os.path.join(case_dir, "audio.flac")
    with open(os.path.join(case_dir, "truth.json")) as f:
        truth = json.load(f)
    with tempfile.TemporaryDirectory() as tmp:
        srt_in, srt_out, back = (os.path.join(tmp, n) for n in ("in.srt", "out.srt", "out.txt"))
        subprocess.run([earmark, "convert", os.path.join(case_dir, "transcript.txt"), srt_in],
                       check=True, capture_output=True)
        if tool == "earmark":
            command = [earmark, "sync", srt_in, audio, "-o", srt_out]
        else:
            command = TOOLS[tool](audio, srt_in, srt_out)
        start = time.monotonic()
        proc = subprocess.run(command, capture_output=True, text=True)
        seconds = time.monotonic() - start
        result = {"case": os.path.basename(case_dir), "tool": tool, "seconds": round(seconds, 2)}
        if proc.returncode != 0 or not os.path.exists(srt_out):
            result["error"] = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["exit %d" % proc.returncode]
            return result
        subprocess.run([earmark, "convert", srt_out, back], check=True, capture_output=True)
        texts = score.case_texts(os.path.join(case_dir, "truth.json"))
        result.update(score.score(score.read_times(back, texts), truth))
        return result


def table(results, tools):
    # A case with a room under it is told apart by the flag score.py sets.
    results = [dict(r, case=r["case"] + ("_room" if r.get("room") and not r["case"].endswith("_room") else ""))
               for r in results]
    by = {(r["case"], r["tool"]): r for r in results}
    cases = sorted({r["case"] for r in results},
                   key=lambda c: (not c.startswith("small"), c.replace("_room", ""), c.endswith("_room")))
    tools = [t for t in tools if any(r["tool"] == t for r in results)]
    head = "| case | lines in audio / cut | " + " | ".join(tools) + " |"
    rows = [head, "|" + "---|" * (len(tools) + 2)]
    for case in cases:
        any_r = next(r for r in results if r["case"] == case and "in_audio" in r) if any(
            r["case"] == case and "in_audio" in r for r in results) else None
        lines = f"{any_r['in_audio']} / {len(any_r['cut'])}" if any_r else "?"
        cells = []
        for tool in tools:
            r = by.get((case, tool))
            if r is None:
                cells.append("")
            elif "error" in r:
                cells.append(f"failed ({r['seconds']:.0f} s)")
            else:
                cell = f"{100 * r['within_100ms']:.0f} % ({r['seconds']:.0f} s)"
                if case.replace("_room", "").endswith("_control"):
                    cell += f", moved ≤ {r['max_shift_ms']} ms"
                cells.append(cell)
        rows.append(f"| {case} | {lines} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases_dir")
    ap.add_argument("--out", default=None, help="where results.jsonl and table.md go (default: CASES_DIR)")
    ap.add_argument("--cases", default="*", help="a glob of case names (default: all)")
    ap.add_argument("--tools", default=",".join(["earmark", *TOOLS]),
                    help="comma-separated, from: earmark, " + ", ".join(TOOLS))
    ap.add_argument("--earmark", default=os.environ.get("EARMARK", "earmark"))
    args = ap.parse_args()
    out = args.out or args.cases_dir
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "results.jsonl")
    results = []
    if os.path.exists(path):
        with open(path) as f:
            results = [json.loads(line) for line in f if line.strip()]
    done = {(r["case"], r["tool"]) for r in results}
    tools = args.tools.split(",")
    cases = sorted(c for c in os.listdir(args.cases_dir)
                   if fnmatch.fnmatch(c, args.cases) and os.path.exists(os.path.join(args.cases_dir, c, "truth.json")))
    for case in cases:
        for tool in tools:
            if (case, tool) in done:
                continue
            r = run_one(os.path.join(args.cases_dir, case), tool, args.earmark)
            print(score.summary(r) + f" [{tool}, {r['seconds']} s]" if "in_audio" in r
                  else f"{case} [{tool}]: failed: {r['error']}", flush=True)
            results.append(r)
            with open(path, "a") as f:
                f.write(json.dumps(r) + "\n")
            with open(os.path.join(out, "table.md"), "w") as f:
                f.write(table(results, ["earmark", *TOOLS]))


if __name__ == "__main__":
    main()
