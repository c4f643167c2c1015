//! `earmark sync` run as a user would, on the generated episodes of
//! `tests/fixtures/sync/` (a trimmed intro and an inserted ad break, with
//! and without room noise): every line still in the audio lands within
//! 100 ms of where its speech starts, the cut line is reported and kept at
//! the cut with no length, only the times change, an in-sync transcript
//! comes back byte for byte, and bad input is one stderr line and no file.
//! With `--snap`, a transcript timed as a recogniser times it (starts late,
//! ends early) ends up with every start and end on its speech, its word
//! times move with it (a word-level Podcasting 2.0 file, whose lines are
//! their words), and nothing moves further than `--snap-ms`.
//! Each case prints its figures (`cargo test --test cli_sync -- --nocapture`).

#[path = "support/sync_case.rs"]
mod sync_case;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sync_case::{case_dir, in_sync_transcript, lines_in_audio, range_time, truth};

/// The bar for a line still in the audio, as `benches/sync/score.py` counts.
const WITHIN_MS: u64 = 100;

fn earmark<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .output()
        .expect("the earmark binary runs")
}

fn succeeded(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// `(start_ms, end_ms, text)` of every line of a transcript, as Earmark reads it.
fn lines_of(path: &Path) -> Vec<(u64, u64, String)> {
    let json: Value = serde_json::from_str(&succeeded(
        earmark(&["inspect".as_ref(), path.as_os_str()]),
        "inspect",
    ))
    .expect("inspect prints JSON");
    json["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| {
            (
                s["start_ms"].as_u64().expect("start"),
                s["end_ms"].as_u64().expect("end"),
                s["text"].as_str().expect("text").to_owned(),
            )
        })
        .collect()
}

/// `line` with every `HH:MM:SS.mmm` (or `,mmm`) replaced by `T`: what is
/// left must not change in a sync. (By hand: the crate has no regex.)
fn blank_times(line: &str) -> String {
    let shape = b"dd:dd:dd.ddd";
    let bytes = line.as_bytes();
    let is_time = |at: usize| {
        bytes.len() >= at + shape.len()
            && shape.iter().zip(&bytes[at..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                b'.' => *b == b'.' || *b == b',',
                _ => s == b,
            })
    };
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if is_time(at) {
            out.push(b'T');
            at += shape.len();
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).expect("times are ASCII")
}

/// Syncs the case's transcript to its audio and checks it against the truth.
fn sync_matches_the_truth(case: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = case_dir(case).join("transcript.txt");
    let output = dir.path().join("OUT.txt");
    let report_path = dir.path().join("R.json");
    let summary = succeeded(
        earmark(&[
            "sync".as_ref(),
            input.as_os_str(),
            case_dir(case).join("audio.mp3").as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
            "--report".as_ref(),
            report_path.as_os_str(),
        ]),
        "sync",
    );
    println!("{case}:\n{summary}");
    assert!(summary.contains("confidence"), "{summary}");

    let truth = truth(case);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("the report"))
            .expect("the report is JSON");
    let missing: Vec<u64> = report["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .map(|m| m["index"].as_u64().expect("index"))
        .collect();
    let lines = lines_of(&output);
    let truth_lines = truth["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), truth_lines.len(), "every line is kept");
    let mut worst_ms = 0;
    for (line, true_line) in lines.iter().zip(truth_lines) {
        let index = true_line["index"].as_u64().expect("index");
        if true_line["cut"].as_bool().expect("cut") {
            assert_eq!(line.0, line.1, "cut line {index} has no length: {line:?}");
            assert!(missing.contains(&index), "line {index} is reported missing");
            let text = &report["missing"][missing.iter().position(|&m| m == index).unwrap()];
            assert_eq!(text["text"], line.2.as_str(), "the report quotes the line");
        } else {
            let true_start = true_line["start_ms"].as_u64().expect("start_ms");
            let error_ms = line.0.abs_diff(true_start);
            println!(
                "  line {index}: start {} ms, truth {true_start} ms, error {error_ms} ms",
                line.0
            );
            assert!(
                error_ms <= WITHIN_MS,
                "line {index} starts at {} ms, its speech at {true_start} ms",
                line.0
            );
            assert!(!missing.contains(&index), "line {index} is in the audio");
            worst_ms = worst_ms.max(error_ms);
        }
    }
    println!("  worst error {worst_ms} ms, missing {missing:?}");

    let before = std::fs::read_to_string(&input).expect("the input");
    let after = std::fs::read_to_string(&output).expect("the output");
    assert_eq!(before.lines().count(), after.lines().count());
    let mut changed = 0;
    for (old, new) in before.lines().zip(after.lines()) {
        assert_eq!(blank_times(old), blank_times(new), "only times change");
        changed += usize::from(old != new);
    }
    assert!(changed > 0, "the transcript was re-timed");
    assert_eq!(
        before.ends_with('\n'),
        after.ends_with('\n'),
        "the final newline is kept"
    );
}

#[test]
fn a_shifted_transcript_is_retimed_to_its_truth() {
    sync_matches_the_truth("combo");
}

#[test]
fn a_shifted_transcript_is_retimed_to_its_truth_in_a_room() {
    sync_matches_the_truth("combo_room");
}

fn in_sync_comes_back_byte_for_byte(case: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in_sync.txt");
    let output = dir.path().join("OUT.txt");
    let text = in_sync_transcript(case);
    std::fs::write(&input, &text).expect("writing the transcript");
    let summary = succeeded(
        earmark(&[
            "sync".as_ref(),
            input.as_os_str(),
            case_dir(case).join("audio.mp3").as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ]),
        "sync",
    );
    println!("{case}, in sync:\n{summary}");
    let synced = std::fs::read_to_string(&output).expect("the output");
    assert_eq!(synced, text, "an in-sync transcript is not changed");
}

#[test]
fn an_in_sync_transcript_comes_back_byte_for_byte() {
    in_sync_comes_back_byte_for_byte("combo");
}

#[test]
fn an_in_sync_transcript_comes_back_byte_for_byte_in_a_room() {
    in_sync_comes_back_byte_for_byte("combo_room");
}

#[test]
fn without_an_output_only_the_summary_is_printed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("transcript.txt");
    std::fs::copy(case_dir("combo").join("transcript.txt"), &input).expect("copy");
    let summary = succeeded(
        earmark(&[
            "sync".as_ref(),
            input.as_os_str(),
            case_dir("combo").join("audio.mp3").as_os_str(),
        ]),
        "sync",
    );
    assert!(summary.contains("lines 2-2: shift -4"), "{summary}");
    assert!(summary.contains("missing: 1 line (1)"), "{summary}");
    assert!(summary.contains("wrote nothing"), "{summary}");
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert_eq!(files.len(), 1, "nothing written beside the transcript");
}

#[test]
fn an_srt_output_holds_every_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("OUT.srt");
    succeeded(
        earmark(&[
            "sync".as_ref(),
            case_dir("combo").join("transcript.txt").as_os_str(),
            case_dir("combo").join("audio.mp3").as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
        ]),
        "sync",
    );
    let srt = std::fs::read_to_string(&output).expect("the output");
    assert!(srt.contains(" --> "), "SubRip, not range lines:\n{srt}");
    let input = lines_of(&case_dir("combo").join("transcript.txt"));
    let lines = lines_of(&output);
    assert_eq!(lines.len(), input.len());
    for (line, original) in lines.iter().zip(&input) {
        assert_eq!(line.2, original.2, "the text is kept");
    }
}

/// Runs a sync that must be refused; returns its stderr line and checks
/// that nothing was written.
fn refused(transcript: &Path, audio: &Path) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("OUT.txt");
    let report = dir.path().join("R.json");
    let out = earmark(&[
        "sync".as_ref(),
        transcript.as_os_str(),
        audio.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
        "--report".as_ref(),
        report.as_os_str(),
    ]);
    assert!(!out.status.success(), "the sync was accepted");
    assert!(out.stdout.is_empty(), "nothing on stdout when refused");
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!output.exists(), "no output: {stderr}");
    assert!(!report.exists(), "no report: {stderr}");
    println!("{}", stderr.trim_end());
    stderr.trim_end().to_owned()
}

fn combo_transcript() -> PathBuf {
    case_dir("combo").join("transcript.txt")
}

#[test]
fn a_missing_audio_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audio = dir.path().join("gone.mp3");
    let line = refused(&combo_transcript(), &audio);
    assert!(line.contains("gone.mp3"), "{line}");
    assert!(line.contains("cannot read"), "{line}");
}

#[test]
fn a_missing_transcript_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let line = refused(
        &dir.path().join("gone.txt"),
        &case_dir("combo").join("audio.mp3"),
    );
    assert!(line.contains("gone.txt"), "{line}");
}

#[test]
fn a_corrupt_audio_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audio = dir.path().join("noise.mp3");
    // Deterministic "random" bytes (a linear congruential generator).
    let mut state = 0x2545_f491_u32;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect();
    std::fs::write(&audio, bytes).expect("writing the file");
    let line = refused(&combo_transcript(), &audio);
    assert!(line.contains("noise.mp3"), "{line}");
}

#[test]
fn an_audio_file_without_speech_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audio = dir.path().join("silence.wav");
    let rate = 16_000;
    let mut writer = earmark::audio::wav::WavWriter::create(&audio, rate, 1).expect("a WAV file");
    writer
        .write(&vec![0.0; 5 * rate as usize])
        .expect("writing the WAV file");
    writer.finish(&audio).expect("finishing the WAV file");
    let line = refused(&combo_transcript(), &audio);
    assert!(line.contains("silence.wav"), "{line}");
    assert!(line.contains("no speech"), "{line}");
}

#[test]
fn a_transcript_without_times_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let transcript = dir.path().join("untimed.txt");
    std::fs::write(
        &transcript,
        "You're now plugged into the Delphi Podcast.\nHey, guys.\n",
    )
    .expect("writing the transcript");
    let line = refused(&transcript, &case_dir("combo").join("audio.mp3"));
    assert!(line.contains("untimed.txt"), "{line}");
}

/// The case's lines still in the audio at their true places, as a
/// recogniser might time them: each start `late_ms` after its speech
/// starts, each end `early_ms[i]` before its speech stops.
fn asr_like_transcript(case: &str, late_ms: u64, early_ms: &[u64]) -> String {
    let mut out = String::new();
    for ((line, true_line), early_ms) in lines_in_audio(case).into_iter().zip(early_ms) {
        let (_, rest) = line.split_once(", ").expect("a range line");
        out.push_str(&format!(
            "{} - {}, {rest}\n",
            range_time(true_line["start_ms"].as_u64().expect("start_ms") + late_ms),
            range_time(true_line["speech_end_ms"].as_u64().expect("speech_end_ms") - early_ms)
        ));
    }
    out
}

/// Each line's distance from where its speech starts and stops, in ms.
fn edge_errors_ms(case: &str, path: &Path) -> Vec<(u64, u64)> {
    lines_of(path)
        .iter()
        .zip(
            lines_in_audio(case)
                .into_iter()
                .map(|(_, true_line)| true_line),
        )
        .map(|(line, true_line)| {
            (
                line.0
                    .abs_diff(true_line["start_ms"].as_u64().expect("start_ms")),
                line.1
                    .abs_diff(true_line["speech_end_ms"].as_u64().expect("speech_end_ms")),
            )
        })
        .collect()
}

/// The ends a recogniser cut short, line by line (the starts are all
/// 200 ms late: the alignment takes a shift the lines share, and it moves
/// the ends with it, so they are 350–450 ms early when the snap starts).
const EARLY_MS: [u64; 3] = [250, 150, 220];

/// Syncs an ASR-like transcript of `case` with `extra` arguments; returns
/// the output's path, the summary and the report.
fn sync_asr_like(case: &str, dir: &Path, name: &str, extra: &[&str]) -> (PathBuf, String, Value) {
    let input = dir.join("asr.txt");
    let text = asr_like_transcript(case, 200, &EARLY_MS);
    std::fs::write(&input, &text).expect("writing the transcript");
    let output = dir.join(format!("{name}.txt"));
    let report_path = dir.join(format!("{name}.json"));
    let audio = case_dir(case).join("audio.mp3");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "sync".as_ref(),
        input.as_os_str(),
        audio.as_os_str(),
        "-o".as_ref(),
        output.as_os_str(),
        "--report".as_ref(),
        report_path.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let summary = succeeded(earmark(&args), "sync");
    println!("{case} {extra:?}:\n{summary}");
    let report = serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report"))
        .expect("the report is JSON");
    let before = std::fs::read_to_string(&input).expect("the input");
    let after = std::fs::read_to_string(&output).expect("the output");
    for (old, new) in before.lines().zip(after.lines()) {
        assert_eq!(blank_times(old), blank_times(new), "only times change");
    }
    assert_eq!(before.lines().count(), after.lines().count());
    (output, summary, report)
}

/// `--snap` puts every start and end within `within_ms` of its speech,
/// where the alignment alone leaves the ends out.
fn snap_puts_each_line_on_its_speech(case: &str, within_ms: u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (aligned, summary, report) = sync_asr_like(case, dir.path(), "aligned", &[]);
    assert!(!summary.contains("snap"), "{summary}");
    assert!(report.get("snap").is_none(), "no snap without --snap");
    let errors = edge_errors_ms(case, &aligned);
    println!("  without --snap, (start, end) errors: {errors:?}");
    assert!(
        errors.iter().all(|&(_, end)| end > within_ms),
        "the alignment alone leaves every end out: {errors:?}"
    );

    let (snapped, summary, report) = sync_asr_like(case, dir.path(), "snapped", &["--snap"]);
    let errors = edge_errors_ms(case, &snapped);
    println!("  with --snap, (start, end) errors: {errors:?}");
    assert_eq!(errors.len(), EARLY_MS.len(), "every line is in the audio");
    for (index, &(start, end)) in errors.iter().enumerate() {
        assert!(start <= within_ms, "line {index} starts {start} ms off");
        assert!(end <= within_ms, "line {index} ends {end} ms off");
    }
    let snap = &report["snap"];
    assert_eq!(snap["bound_ms"], 700);
    assert_eq!(snap["lines"], 3);
    assert_eq!(snap["ends"]["moved"], 3, "{snap}");
    assert_eq!(snap["ends"]["later"], 3, "{snap}");
    let max_ms = snap["ends"]["max_ms"].as_u64().expect("max_ms");
    assert!((350..=700).contains(&max_ms), "{snap}");
    assert!(
        summary.contains("snap (within 700 ms): ") && summary.contains("3 of 3 ends moved"),
        "{summary}"
    );
}

#[test]
fn snap_puts_late_starts_and_early_ends_on_their_speech() {
    snap_puts_each_line_on_its_speech("combo", 40);
}

/// In the room the detector hears a sentence's last word stop up to some
/// 80 ms before the truth (its tail is under the noise).
#[test]
fn snap_puts_late_starts_and_early_ends_on_their_speech_in_a_room() {
    snap_puts_each_line_on_its_speech("combo_room", WITHIN_MS);
}

#[test]
fn snap_moves_nothing_beyond_its_bound() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (aligned, _, _) = sync_asr_like("combo", dir.path(), "aligned", &[]);
    let (snapped, summary, report) = sync_asr_like(
        "combo",
        dir.path(),
        "snapped",
        &["--snap", "--snap-ms", "100"],
    );
    assert_eq!(report["snap"]["bound_ms"], 100);
    assert_eq!(report["snap"]["ends"]["moved"], 0, "{}", report["snap"]);
    assert!(summary.contains("snap (within 100 ms): "), "{summary}");
    for ((before_start, before_end), (after_start, after_end)) in edge_errors_ms("combo", &aligned)
        .into_iter()
        .zip(edge_errors_ms("combo", &snapped))
    {
        assert_eq!(before_end, after_end);
        assert!(before_start.abs_diff(after_start) <= 100);
    }
}

#[test]
fn snap_ms_without_snap_is_refused() {
    let out = earmark(&[
        "sync".as_ref(),
        combo_transcript().as_os_str(),
        case_dir("combo").join("audio.mp3").as_os_str(),
        "--snap-ms".as_ref(),
        "300".as_ref(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--snap"), "{stderr}");
}

/// The ASR-like lines of `case` as a Podcasting 2.0 JSON transcript with
/// word times (a record per word, a line per speaker turn): each line's
/// span filled with words of at most a second, the first starting with the
/// line, the last ending it and its sentence.
fn asr_like_podcast_json(case: &str, late_ms: u64, early_ms: &[u64]) -> String {
    let in_audio = lines_in_audio(case)
        .into_iter()
        .map(|(_, true_line)| true_line);
    let mut records = Vec::new();
    for (index, (true_line, early_ms)) in in_audio.zip(early_ms).enumerate() {
        let start_ms = true_line["start_ms"].as_u64().expect("start_ms") + late_ms;
        let end_ms = true_line["speech_end_ms"].as_u64().expect("speech_end_ms") - early_ms;
        let words = (end_ms - start_ms).div_ceil(1000);
        for i in 0..words {
            let word_start_ms = start_ms + (end_ms - start_ms) * i / words;
            let word_end_ms = start_ms + (end_ms - start_ms) * (i + 1) / words;
            records.push(serde_json::json!({
                "speaker": format!("Speaker {index}"),
                "startTime": word_start_ms as f64 / 1000.0,
                "endTime": word_end_ms as f64 / 1000.0,
                "body": if i + 1 == words { "end.".to_owned() } else { format!("w{i}") },
            }));
        }
    }
    serde_json::to_string_pretty(&serde_json::json!({ "version": "1.0.0", "segments": records }))
        .expect("JSON")
}

#[test]
fn snap_moves_word_times_with_their_line_and_keeps_them_inside_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("asr.json");
    std::fs::write(&input, asr_like_podcast_json("combo", 200, &EARLY_MS)).expect("writing");
    assert_eq!(lines_of(&input).len(), 3, "a line per speaker turn");
    let output = dir.path().join("OUT.json");
    succeeded(
        earmark(&[
            "sync".as_ref(),
            input.as_os_str(),
            case_dir("combo").join("audio.mp3").as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
            "--snap".as_ref(),
        ]),
        "sync",
    );
    let errors = edge_errors_ms("combo", &output);
    println!("(start, end) errors: {errors:?}");
    assert!(
        errors.iter().all(|&(start, end)| start <= 40 && end <= 40),
        "{errors:?}"
    );
    let json: Value = serde_json::from_str(&succeeded(
        earmark(&["inspect".as_ref(), output.as_os_str()]),
        "inspect",
    ))
    .expect("inspect prints JSON");
    for segment in json["segments"].as_array().expect("segments") {
        let (start_ms, end_ms) = (segment["start_ms"].as_u64(), segment["end_ms"].as_u64());
        let words = segment["words"].as_array().expect("words");
        assert!(words.len() > 1, "{segment}");
        assert_eq!(words[0]["start_ms"].as_u64(), start_ms, "{segment}");
        assert_eq!(
            words[words.len() - 1]["end_ms"].as_u64(),
            end_ms,
            "{segment}"
        );
        let mut last_ms = start_ms;
        for word in words {
            for time in [&word["start_ms"], &word["end_ms"]] {
                assert!(
                    time.as_u64() >= last_ms && time.as_u64() <= end_ms,
                    "{segment}"
                );
                last_ms = time.as_u64();
            }
        }
    }
}
