#!/usr/bin/env python3
"""Episodes with known truth for re-syncing a transcript made for another cut
(issue 12): for a transcript in the range-line layout, synthesize the raw
recording with shared/samples/make_podcast.py (espeak-ng + sox: each line's
speech starts exactly at its start time), then edit it as an editor or an ad
server would (trim the start, insert an ad or a music bed, remove a section,
let the clock drift) and write, per case:

  CASE/audio.flac       the edited episode (22050 Hz mono, 16-bit)
  CASE/transcript.txt   the transcript as it was made (the raw times)
  CASE/truth.json       per line: where its speech really is in audio.flac
                        (start_ms, end_ms), or that it was cut; the speech
                        activity of the audio; the edits themselves

usage: make_cases.py OUTDIR [--size tiny|small|long|both] [--only NAME,...]
                            [--transcript SEED] [--make-podcast PATH]

Everything is deterministic: espeak-ng and the music are deterministic, and
sox runs with -R (fixed seeds) and -D (no dither). Needs python3 (standard
library only), espeak-ng and sox. See README.md beside this file.
"""
import argparse
import array
import hashlib
import importlib.util
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import wave

RATE = 22050
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SEED = os.path.join(HERE, "..", "..", "tests", "fixtures", "seed", "delphi-podcast.txt")
DEFAULT_MAKE_PODCAST = os.path.join(HERE, "..", "..", "..", "shared", "samples", "make_podcast.py")
LINE = re.compile(r"^(\d+):(\d\d):(\d\d)\.(\d{3}) - (\d+):(\d\d):(\d\d)\.(\d{3}), ([^:]+): (.*)$")

# Frames of the speech-activity truth: 10 ms, a sample is speech when the
# clean speech track (ads included, music not) peaks above -40 dBFS in it
# (the level make_podcast.py trims espeak's silence at); gaps shorter than
# MERGE_GAP_MS (stop closures inside words) are bridged.
ACTIVE_PEAK = 300
MERGE_GAP_MS = 150

# The room: pink noise at -50 dBFS RMS and mains hum (50 Hz with its odd
# harmonics, falling off), added under the finished episode.
NOISE_DBFS = -50.0
HUM_HARMONICS_DBFS = {50: -45.0, 150: -52.0, 250: -58.0, 350: -62.0}

# The drift: the audio runs 0.05 % slow against the transcript's clock.
DRIFT_RATE = 1.0005

# The voices make_podcast.py gives speakers A and B, and one it gives neither.
HOST_VOICE = "en-gb+f3"
AD_VOICE = "en-us+f4"

AD_TEXT = (
    "This episode is brought to you by Northwind Ledger, the accounting app for people "
    "who would rather be doing anything else. Connect your bank, snap your receipts, and "
    "Northwind sorts them while you sleep. Quarterly taxes? Northwind reminds you a week "
    "ahead and fills in the form. Thousands of freelancers and small studios already use "
    "it every day. Go to northwind ledger dot com slash delphi for two months free, and "
    "tell them our show sent you. That is northwind ledger dot com slash delphi. "
    "Northwind Ledger. Books done, weekend back."
)
AD_TEXT_SHORT = (
    "This episode is brought to you by Northwind Ledger, the accounting app for people "
    "who would rather be doing anything else. Go to northwind ledger dot com slash delphi "
    "for two months free."
)
TINY_AD_TEXT = "Northwind Ledger: books done, weekend back. Two months free at northwind ledger dot com."
HOST_AD_TEXT = (
    "Quick break before we go on. I have been using Harbor Notes for about a year now, "
    "and it is where every one of these interviews starts. It keeps my research, my "
    "questions and the recordings in one place, and it finds anything I have ever "
    "written down in a second. If you make anything with words, try it: harbor notes "
    "dot app, code delphi, and your first three months are on me. Okay, back to the "
    "conversation."
)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_transcript(path):
    """[(start_s, end_s, speaker, text, raw_line)] of a range-line transcript."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if m:
                g = m.groups()
                start = int(g[0]) * 3600 + int(g[1]) * 60 + int(g[2]) + int(g[3]) / 1000
                end = int(g[4]) * 3600 + int(g[5]) * 60 + int(g[6]) + int(g[7]) / 1000
                rows.append((start, end, g[8], g[9], raw.rstrip("\n")))
    return rows


def read_wav(path):
    with wave.open(path) as w:
        assert w.getframerate() == RATE and w.getsampwidth() == 2 and w.getnchannels() == 1, path
        return array.array("h", w.readframes(w.getnframes()))


def write_wav(path, pcm):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def sox(*args):
    subprocess.run(["sox", "-R", "-D", "-V1", *map(str, args)], check=True)


def raw_recording(transcript, cache_dir, make_podcast):
    """The raw episode of `transcript` (make_podcast.py's podcast.wav) and
    its segments [(start, end, speech_start, speech_end)], cached by the
    transcript's content."""
    with open(transcript, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    out = os.path.join(cache_dir, "raw-" + digest)
    wav, tsv = os.path.join(out, "podcast.wav"), os.path.join(out, "segments.tsv")
    if not (os.path.exists(wav) and os.path.exists(tsv)):
        log(f"synthesizing the raw recording of {transcript} ...")
        spec = importlib.util.spec_from_file_location("make_podcast", make_podcast)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main(transcript, out + ".tmp")
        shutil.rmtree(out, ignore_errors=True)
        os.rename(out + ".tmp", out)
    segs = []
    with open(tsv) as f:
        for row in f:
            start, end, s0, s1, _ = row.rstrip("\n").split("\t")
            segs.append((float(start), float(end), float(s0), float(s1)))
    return read_wav(wav), segs


def speak(text, voice, tmp):
    path = os.path.join(tmp, "ad.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", "175", "-w", path, text], check=True)
    data = read_wav(path)
    nz = [i for i in range(0, len(data), 64) if abs(data[i]) > ACTIVE_PEAK]
    return data[max(nz[0] - 64, 0): nz[-1] + 64] if nz else data


def music(seconds):
    """A synthetic chord bed: a I-vi-IV-V progression of sine triads over a
    bass note, two seconds a chord, each struck and decaying, about -16 dBFS
    RMS. Not speech: the truth's speech activity leaves it out."""
    roots = [261.63, 220.00, 174.61, 196.00]  # C, Am, F, G
    triads = [(1, 1.25992, 1.49831), (1, 1.18921, 1.49831), (1, 1.25992, 1.49831), (1, 1.25992, 1.49831)]
    n = int(seconds * RATE)
    out = array.array("h", bytes(2 * n))
    chord_len = 2 * RATE
    for i in range(n):
        c = (i // chord_len) % 4
        t = (i % chord_len) / RATE
        env = min(1.0, t / 0.03) * math.exp(-t * 0.9)
        fade = min(1.0, i / (0.3 * RATE), (n - i) / (0.3 * RATE))
        x = 0.0
        for ratio in triads[c]:
            x += math.sin(2 * math.pi * roots[c] * ratio * i / RATE)
        x += 0.8 * math.sin(2 * math.pi * roots[c] / 2 * i / RATE)
        out[i] = int(2600 * x * env * fade)
    return out


def silence(seconds):
    return array.array("h", bytes(2 * int(seconds * RATE)))


def gap_near(segs, target):
    """The middle of the pause between two lines nearest `target` seconds (a
    cut or an insertion there splits no line), in samples."""
    best = None
    for a, b in zip(segs, segs[1:]):
        lo, hi = a[3], b[2]
        if hi - lo < 0.3:
            continue
        mid = (lo + hi) / 2
        if best is None or abs(mid - target) < abs(best - target):
            best = mid
    return int(round(best * RATE))


def case_specs(size, segs):
    """{name: spec}; a spec's times are seconds in the raw recording."""
    if size == "tiny":
        # The test fixture: the first three lines, the intro trimmed and an
        # ad break (a music sting, then a short ad) after the second.
        ad = ("ad", AD_VOICE, TINY_AD_TEXT)
        return {"combo": dict(trim=gap_near(segs, 4.0),
                              inserts=[(gap_near(segs, 47.5), [("music", 2.0), ad])])}
    if size == "small":
        t = dict(trim=4.0, ad=120.0, music=338.0, cut=(155.0, 289.0), ad2=500.0,
                 ad_text=AD_TEXT_SHORT, host_text=HOST_AD_TEXT, bed=12.0, sting=3.0)
    else:
        t = dict(trim=4.0, ad=1200.0, music=2700.0, cut=(2100.0, 2280.0), ad2=3300.0,
                 ad_text=AD_TEXT, host_text=HOST_AD_TEXT, bed=30.0, sting=6.0)
    trim = gap_near(segs, t["trim"])
    ad_at, music_at, ad2_at = (gap_near(segs, t[k]) for k in ("ad", "music", "ad2"))
    cut = (gap_near(segs, t["cut"][0]), gap_near(segs, t["cut"][1]))
    ad = ("ad", AD_VOICE, t["ad_text"])
    host_ad = ("ad", HOST_VOICE, t["host_text"])
    bed = ("music", t["bed"])
    sting = ("music", t["sting"])
    combo = dict(trim=trim, cuts=[cut],
                 inserts=[(ad_at, [sting, ad, ("silence", 0.8), sting]), (ad2_at, [host_ad])])
    return {
        "control": dict(),
        "trim": dict(trim=trim),
        "ins_speech": dict(inserts=[(ad_at, [ad])]),
        "ins_music": dict(inserts=[(music_at, [bed])]),
        "removed": dict(cuts=[cut]),
        "drift": dict(rate=DRIFT_RATE),
        "combo": combo,
        "combo_drift": dict(combo, rate=DRIFT_RATE),
    }


def build(spec, raw, tmp, cache):
    """The edited clean episode, its speech-only track (music silenced) and
    the pieces: ("raw", a, b, at) for raw samples a..b placed at `at`, or
    (kind, at, length, detail) for an insertion."""
    n = len(raw)
    removed = [(0, spec["trim"])] if spec.get("trim") else []
    removed += spec.get("cuts", [])
    inserts = dict(spec.get("inserts", []))
    points = sorted({0, n, *[p for r in removed for p in r], *inserts})
    audio, speech, pieces = array.array("h"), array.array("h"), []
    for a, b in zip(points, points[1:]):
        if a in inserts:
            for item in inserts[a]:
                kind = item[0]
                key = repr(item)
                if key not in cache:
                    if kind == "ad":
                        cache[key] = speak(item[2], item[1], tmp)
                    elif kind == "music":
                        cache[key] = music(item[1])
                    else:
                        cache[key] = silence(item[1])
                clip = cache[key]
                pieces.append((kind, len(audio), len(clip), item[1] if kind == "ad" else None))
                audio.extend(clip)
                speech.extend(clip if kind == "ad" else silence(len(clip) / RATE))
        if any(lo <= a and b <= hi for lo, hi in removed):
            continue
        pieces.append(("raw", a, b, len(audio)))
        audio.extend(raw[a:b])
        speech.extend(raw[a:b])
    return audio, speech, pieces


def map_raw(pieces, sample):
    """The edited sample of raw sample `sample`, or None when it was cut."""
    for p in pieces:
        if p[0] == "raw" and p[1] <= sample < p[2]:
            return p[3] + sample - p[1]
    return None


def map_raw_clamped(pieces, sample):
    """Like map_raw, but a cut sample maps to where the cut now is."""
    at = map_raw(pieces, sample)
    if at is not None:
        return at
    later = [p for p in pieces if p[0] == "raw" and p[1] >= sample]
    if later:
        return later[0][3]
    last = [p for p in pieces if p[0] == "raw"][-1]
    return last[3] + last[2] - last[1]


def line_end(pieces, last_speech, end):
    """The edited sample where a line ending at raw sample `end` ends: its
    end mapped, but no further than the end of the piece its speech ends in
    (a line's end often lies in the pause where a cut or an ad went)."""
    for p in pieces:
        if p[0] == "raw" and p[1] <= last_speech < p[2]:
            return p[3] + min(end, p[2]) - p[1]
    return map_raw_clamped(pieces, end)


def activity_spans(speech):
    """[(start, end)] in samples where the speech-only track is active."""
    spans = []
    frame = RATE // 100
    start = None
    merge = MERGE_GAP_MS * RATE // 1000
    for i in range(0, len(speech), frame):
        chunk = speech[i:i + frame]
        active = max(chunk) > ACTIVE_PEAK or -min(chunk) > ACTIVE_PEAK
        if active and start is None:
            start = i
        elif not active and start is not None:
            if spans and start - spans[-1][1] < merge:
                spans[-1] = (spans[-1][0], i)
            else:
                spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(speech)))
    return spans


def ms(samples, rate=1.0):
    return int(round(samples * rate * 1000 / RATE))


def truth(name, spec, segs, rows, pieces, speech, room, rate, duration_samples):
    lines = []
    for i, ((start, end, s0, s1), row) in enumerate(zip(segs, rows)):
        a, b = int(round(s0 * RATE)), int(round(s1 * RATE))
        kept = [(max(a, p[1]), min(b, p[2])) for p in pieces if p[0] == "raw" and p[1] < b and a < p[2]]
        entry = {
            "index": i,
            "transcript_start_ms": int(round(row[0] * 1000)),
            "transcript_end_ms": int(round(row[1] * 1000)),
        }
        # A line is cut when less than half its speech is left (the cuts
        # here fall in pauses, so a line is either whole or gone).
        if sum(hi - lo for lo, hi in kept) < (b - a) / 2:
            entry.update(cut=True, cut_at_ms=ms(map_raw_clamped(pieces, a), rate))
        else:
            entry.update(
                cut=False,
                start_ms=ms(map_raw(pieces, kept[0][0]), rate),
                speech_end_ms=ms(map_raw(pieces, kept[-1][1] - 1) + 1, rate),
                end_ms=ms(line_end(pieces, kept[-1][1] - 1, int(round(end * RATE))), rate),
            )
        lines.append(entry)
    edits = []
    for p in pieces:
        if p[0] == "raw":
            edits.append({"kind": "raw", "raw_start_ms": ms(p[1]), "raw_end_ms": ms(p[2]),
                          "start_ms": ms(p[3], rate), "end_ms": ms(p[3] + p[2] - p[1], rate)})
        else:
            e = {"kind": p[0], "start_ms": ms(p[1], rate), "end_ms": ms(p[1] + p[2], rate)}
            if p[3]:
                e["voice"] = p[3]
            edits.append(e)
    return {
        "case": name,
        "sample_rate": RATE,
        "duration_ms": ms(duration_samples),
        "rate": rate,
        "room": room,
        "edits": edits,
        "lines": lines,
        "speech": [[ms(a, rate), ms(b, rate)] for a, b in activity_spans(speech)],
    }


def sox_rms_db(path):
    out = subprocess.run(["sox", path, "-n", "stats"], capture_output=True, text=True, check=True).stderr
    return float(re.search(r"RMS lev dB\s+(-?[\d.]+)", out).group(1))


def hum(samples):
    period = RATE // 50  # 441 samples: 22050 Hz holds 50 Hz exactly
    one = array.array("h", [
        int(round(sum(32767 * 10 ** (db / 20) * math.sqrt(2) * math.sin(2 * math.pi * f * i / RATE)
                      for f, db in HUM_HARMONICS_DBFS.items())))
        for i in range(period)])
    out = one * (samples // period + 1)
    return out[:samples]


def add_room(clean_wav, out, tmp):
    """clean_wav with pink noise at NOISE_DBFS and hum mixed under it."""
    with wave.open(clean_wav) as w:
        samples = w.getnframes()
    dur = samples / RATE
    probe = os.path.join(tmp, "pink-probe.wav")
    sox("-n", "-r", RATE, "-c", 1, "-b", 16, probe, "synth", 30, "pinknoise", "gain", -20)
    gain = NOISE_DBFS - sox_rms_db(probe) - 20
    noise = os.path.join(tmp, "pink.wav")
    sox("-n", "-r", RATE, "-c", 1, "-b", 16, noise, "synth", f"{dur:.6f}", "pinknoise", "gain", f"{gain:.3f}")
    hum_wav = os.path.join(tmp, "hum.wav")
    write_wav(hum_wav, hum(samples))
    sox("-m", "-v", 1, clean_wav, "-v", 1, noise, "-v", 1, hum_wav, "-b", 16, out, "trim", "0s", f"{samples}s")


def make_case(outdir, name, spec, raw, segs, rows, transcript_lines, clip_cache):
    rate = spec.get("rate", 1.0)
    with tempfile.TemporaryDirectory(dir=outdir) as tmp:
        audio, speech, pieces = build(spec, raw, tmp, clip_cache)
        clean = os.path.join(tmp, "clean.wav")
        write_wav(clean, audio)
        if rate != 1.0:
            # Stretch by `rate` (pitch and tempo together, as a clock that
            # runs slow does): sox's speed resamples exactly.
            stretched = os.path.join(tmp, "stretched.wav")
            sox(clean, "-b", 16, stretched, "speed", f"{1 / rate:.9f}", "rate", "-v", RATE)
            clean = stretched
        with wave.open(clean) as w:
            samples = w.getnframes()
        for room in (False, True):
            case = os.path.join(outdir, name + ("_room" if room else ""))
            os.makedirs(case, exist_ok=True)
            if room:
                add_room(clean, os.path.join(case, "audio.flac"), tmp)
            else:
                sox(clean, "-b", 16, os.path.join(case, "audio.flac"))
            with open(os.path.join(case, "transcript.txt"), "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in transcript_lines))
            with open(os.path.join(case, "truth.json"), "w") as f:
                json.dump(truth(name, spec, segs, rows, pieces, speech, room, rate, samples), f, indent=1)
            log(f"  {case}: {samples / RATE / 60:.1f} min")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--size", choices=["tiny", "small", "long", "both"], default="small",
                    help="tiny: the test fixture (70 s, one case); small: 10 minutes; "
                    "long: the whole 92-minute seed; both: small and long")
    ap.add_argument("--only", help="comma-separated case names (control, trim, ins_speech, "
                    "ins_music, removed, drift, combo, combo_drift)")
    ap.add_argument("--transcript", default=DEFAULT_SEED)
    ap.add_argument("--make-podcast", default=os.environ.get("MAKE_PODCAST", DEFAULT_MAKE_PODCAST))
    ap.add_argument("--small-seconds", type=float, default=600.0,
                    help="the small cases use the lines that start before this")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    cache = os.path.join(args.outdir, ".raw-cache")
    os.makedirs(cache, exist_ok=True)
    all_rows = parse_transcript(args.transcript)
    sizes = ["small", "long"] if args.size == "both" else [args.size]
    for size in sizes:
        limit = {"tiny": 70.0, "small": args.small_seconds}.get(size)
        rows = all_rows if limit is None else [r for r in all_rows if r[0] < limit]
        src = os.path.join(cache, f"transcript-{size}.txt")
        with open(src, "w", encoding="utf-8") as f:
            f.write("".join(r[4] + "\n" for r in rows))
        raw, segs = raw_recording(src, cache, args.make_podcast)
        assert len(segs) == len(rows)
        clip_cache = {}
        for name, spec in case_specs(size, segs).items():
            if args.only and name not in args.only.split(","):
                continue
            make_case(args.outdir, f"{size}_{name}", spec, raw, segs, rows, [r[4] for r in rows], clip_cache)


if __name__ == "__main__":
    main()
