#!/usr/bin/env python3
"""Scores a re-timed transcript against a case's truth.json (make_cases.py).

usage: score.py RETIMED TRUTH.json [--report REPORT.json] [--json]

RETIMED is the case's transcript after a sync, in the range-line layout
(`HH:MM:SS.mmm - HH:MM:SS.mmm, ...`) or SubRip; its N-th record is the
truth's N-th line. Prints, for the lines still in the audio, the share whose
start is within 100 ms (and 20 ms) of where their speech really starts, the
median and worst error; which cut lines were reported (a line is reported
cut when it has zero length, as `earmark sync` writes them, or when the
report's "missing" list names its 0-based index); and the largest shift
applied to any line (on an in-sync case, what a sync should leave at 0).
"""
import argparse
import json
import os
import re
import sys

TIME = r"(\d+):(\d\d):(\d\d)[.,](\d{3})"
RANGE = re.compile(r"^\s*\[?" + TIME + r"\s*(?:-|-->)\s*" + TIME)


def ms(g):
    return ((int(g[0]) * 60 + int(g[1])) * 60 + int(g[2])) * 1000 + int(g[3])


def read_records(path):
    """[(start_ms, end_ms, text)] of every record, in file order (range
    lines or SubRip cues; the text with whitespace collapsed)."""
    records = []
    with open(path, encoding="utf-8-sig") as f:
        for line in f:
            m = RANGE.match(line)
            if m:
                g = m.groups()
                rest = line[m.end():].lstrip(" ,]").strip()
                records.append([ms(g[0:4]), ms(g[4:8]), rest])
            elif records and line.strip() and not line.strip().isdigit():
                records[-1][2] += " " + line.strip()
    return [(a, b, " ".join(t.split())) for a, b, t in records]


def match(records, texts):
    """The record of each of `texts` (None where a tool dropped it): the
    N-th record when the counts agree, else the next record, in order, with
    the same text."""
    if len(records) == len(texts):
        return [(a, b) for a, b, _ in records]
    out, j = [], 0
    for text in texts:
        k = next((k for k in range(j, len(records)) if records[k][2] == text), None)
        if k is None:
            out.append(None)
        else:
            out.append(records[k][:2])
            j = k + 1
    return out


def read_times(path, texts):
    """[(start_ms, end_ms) or None] of `texts` (the case's transcript, in
    order) in the re-timed file at `path`."""
    return match(read_records(path), texts)


def case_texts(truth_path):
    """The texts of the transcript.txt beside a truth.json, in order."""
    return [t for _, _, t in read_records(os.path.join(os.path.dirname(truth_path), "transcript.txt"))]


def score(times, truth, report=None):
    lines = truth["lines"]
    dropped = [line["index"] for t, line in zip(times, lines) if t is None]
    # A line a tool dropped counts as wrong, and as an unreported cut.
    times = [t if t is not None else (-10**9, -10**9 + 1) for t in times]
    missing = set()
    if report:
        for item in report.get("missing", []):
            missing.add(item["index"] if isinstance(item, dict) else int(item))
    errors, cut, reported, false_cut = [], [], [], []
    for (start, end), line in zip(times, lines):
        said_cut = end == start or line["index"] in missing
        if line["cut"]:
            cut.append(line["index"])
            if said_cut:
                reported.append(line["index"])
        else:
            errors.append(abs(start - line["start_ms"]))
            if said_cut:
                false_cut.append(line["index"])
    shifts = [abs(start - line["transcript_start_ms"])
              for (start, _), line in zip(times, lines) if line["index"] not in dropped]
    errors.sort()
    n = len(errors)
    return {
        "case": truth["case"],
        "room": truth["room"],
        "lines": len(lines),
        "in_audio": n,
        "within_100ms": sum(e <= 100 for e in errors) / n if n else None,
        "within_20ms": sum(e <= 20 for e in errors) / n if n else None,
        "median_error_ms": errors[n // 2] if n else None,
        "max_error_ms": errors[-1] if n else None,
        "cut": cut,
        "cut_reported": reported,
        "wrongly_reported_cut": false_cut,
        "max_shift_ms": max(shifts) if shifts else 0,
        "dropped": dropped,
    }


def summary(s):
    pct = lambda x: "-" if x is None else f"{100 * x:.1f} %"
    return (f"{s['case']}{' (room)' if s['room'] else ''}: {pct(s['within_100ms'])} of "
            f"{s['in_audio']} lines within 100 ms ({pct(s['within_20ms'])} within 20 ms), "
            f"median error {s['median_error_ms']} ms, worst {s['max_error_ms']} ms; "
            f"cut lines reported {len(s['cut_reported'])}/{len(s['cut'])}"
            f"{', wrongly ' + str(len(s['wrongly_reported_cut'])) if s['wrongly_reported_cut'] else ''}; "
            f"largest shift {s['max_shift_ms']} ms"
            f"{'; dropped ' + str(len(s['dropped'])) + ' lines' if s['dropped'] else ''}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("retimed")
    ap.add_argument("truth")
    ap.add_argument("--report", help="a sync report whose \"missing\" lists cut lines")
    ap.add_argument("--json", action="store_true", help="print the score as JSON")
    args = ap.parse_args()
    with open(args.truth) as f:
        truth = json.load(f)
    report = None
    if args.report:
        with open(args.report) as f:
            report = json.load(f)
    s = score(read_times(args.retimed, case_texts(args.truth)), truth, report)
    print(json.dumps(s) if args.json else summary(s))


if __name__ == "__main__":
    sys.exit(main())
