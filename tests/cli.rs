//! The `earmark` binary's headless commands, run as a user would: the JSON
//! `inspect` prints, and one clear stderr line (never a panic or a partial
//! output file) for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn earmark(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .output()
        .expect("the earmark binary runs")
}

fn inspect(path: &Path) -> Value {
    let out = earmark(&["inspect".as_ref(), path.as_os_str()]);
    assert!(
        out.status.success(),
        "inspect {} failed: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("inspect prints JSON")
}

/// Runs inspect on a file that must be refused; returns its one stderr line.
fn refused(path: &Path) -> String {
    let out = earmark(&["inspect".as_ref(), path.as_os_str()]);
    assert!(!out.status.success(), "{} was accepted", path.display());
    assert!(out.stdout.is_empty(), "nothing on stdout when refused");
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.trim_end().to_owned()
}

fn warning_lines(json: &Value) -> Vec<u64> {
    json["warnings"]
        .as_array()
        .expect("warnings array")
        .iter()
        .map(|w| w["line"].as_u64().expect("line number"))
        .collect()
}

#[test]
fn the_seed_podcast_opens_as_it_is() {
    let json = inspect(&fixture("seed/delphi-podcast.txt"));
    assert_eq!(json["format"], "range");
    let segments = json["segments"].as_array().expect("segments");
    assert_eq!(segments.len(), 234);
    assert_eq!(segments[0]["start_ms"], 1_400);
    assert_eq!(segments[233]["end_ms"], 5_506_035);
    let mut speakers: Vec<&str> = segments
        .iter()
        .map(|s| s["speaker"].as_str().expect("every record has a speaker"))
        .collect();
    speakers.sort_unstable();
    speakers.dedup();
    assert_eq!(speakers, ["Speaker A", "Speaker B"]);
    assert_eq!(
        segments[0]["text"],
        "You're now plugged into the Delphi Podcast."
    );
    assert!(json["warnings"].as_array().expect("warnings").is_empty());
}

#[test]
fn inspect_prints_the_documented_shape() {
    let json = inspect(&fixture("range/hours-continuation.txt"));
    let keys: Vec<&String> = json.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["format", "segments", "warnings"]);
    let segment = &json["segments"][0];
    let keys: Vec<&String> = segment.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        [
            "start_ms",
            "end_ms",
            "end_derived",
            "speaker",
            "text",
            "words"
        ]
    );
    assert_eq!(segment["start_ms"], 360_000_500u64);
    assert_eq!(segment["end_ms"], 360_001_250u64);
    assert_eq!(segment["end_derived"], false);
    assert_eq!(segment["speaker"], "Long Show");
    assert_eq!(segment["text"], "hours over 99\ncontinued on a second line");
}

#[test]
fn bom_crlf_and_brackets_are_read() {
    let json = inspect(&fixture("range/whisper-console-bom-crlf.txt"));
    let segments = json["segments"].as_array().expect("segments");
    assert_eq!(segments.len(), 2);
    assert_eq!(segments[0]["text"], "Whisper console style");
    assert_eq!(segments[1]["start_ms"], 5_000);
    assert_eq!(segments[1]["end_ms"], 7_500);
}

#[test]
fn a_garbage_line_is_skipped_with_a_warning_naming_it() {
    let json = inspect(&fixture("range/garbage-line.txt"));
    assert_eq!(json["segments"].as_array().expect("segments").len(), 2);
    assert_eq!(warning_lines(&json), [2]);
}

#[test]
fn a_truncated_file_keeps_what_is_there_and_warns() {
    let json = inspect(&fixture("range/truncated.txt"));
    assert_eq!(json["segments"].as_array().expect("segments").len(), 1);
    assert_eq!(warning_lines(&json), [2]);
    let message = json["warnings"][0]["message"].as_str().expect("message");
    assert!(message.contains("end time"), "{message}");
}

#[test]
fn disorder_and_overlap_are_warnings_not_errors() {
    let json = inspect(&fixture("range/disorder.txt"));
    let segments = json["segments"].as_array().expect("segments");
    assert_eq!(segments.len(), 3);
    assert_eq!(segments[0]["speaker"], "Macedo, Jr.");
    assert_eq!(segments[1]["start_ms"], 1_000, "file order is kept");
    assert_eq!(warning_lines(&json), [2, 3, 3]);
}

#[test]
fn an_empty_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.srt");
    std::fs::write(&path, "\n  \n").expect("write");
    assert_eq!(
        refused(&path),
        format!(
            "earmark: expected a transcript, found an empty file at line 1 of {}",
            path.display()
        )
    );
}

#[test]
fn binary_garbage_is_refused_not_panicked_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut state = 0x2545_f491_u32;
    let mut noise = Vec::new();
    for _ in 0..4096 {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        noise.push((state >> 24) as u8);
    }
    let with_nul = dir.path().join("noise.mp3");
    std::fs::write(&with_nul, &noise).expect("write");
    let line = refused(&with_nul);
    assert!(
        line.starts_with("earmark: expected text, found binary data at line "),
        "{line}"
    );
    assert!(
        line.ends_with(&format!("of {}", with_nul.display())),
        "{line}"
    );

    let without_nul: Vec<u8> = noise.iter().map(|b| b.max(&1) | 0x80).collect();
    let high_bytes = dir.path().join("noise.txt");
    std::fs::write(&high_bytes, without_nul).expect("write");
    let line = refused(&high_bytes);
    assert!(line.starts_with("earmark: expected a transcript"), "{line}");
    assert!(line.contains("at line 1 of"), "{line}");
}

#[test]
fn a_2_gb_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.txt");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(2_000_000_000).expect("sparse file");
    let line = refused(&path);
    assert!(line.contains("2000 MB"), "{line}");
    assert!(line.contains("up to 268 MB"), "{line}");
}

#[test]
fn a_missing_file_is_named() {
    let line = refused(Path::new("/nonexistent/episode.vtt"));
    assert!(
        line.starts_with("earmark: opening /nonexistent/episode.vtt failed: "),
        "{line}"
    );
}

#[test]
fn forcing_a_format_that_does_not_fit_names_line_and_file() {
    let path = fixture("range/garbage-line.txt");
    let out = earmark(&[
        "inspect".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "podcast-json".as_ref(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("earmark: expected "), "{stderr}");
    assert!(
        stderr.contains(&format!("of {}", path.display())),
        "{stderr}"
    );
}

#[test]
fn convert_writes_the_seed_back_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_path = dir.path().join("copy.txt");
    let seed = fixture("seed/delphi-podcast.txt");
    let out = earmark(&["convert".as_ref(), seed.as_os_str(), out_path.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&out_path).expect("written"),
        std::fs::read(&seed).expect("seed")
    );
}

#[test]
fn a_failed_convert_leaves_no_output_and_never_touches_an_existing_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "not a transcript at all\n").expect("write");
    let fresh = dir.path().join("fresh.srt");
    assert!(
        !earmark(&["convert".as_ref(), bad.as_os_str(), fresh.as_os_str()])
            .status
            .success()
    );
    assert!(!fresh.exists());

    let existing = dir.path().join("existing.txt");
    std::fs::write(&existing, "precious").expect("write");
    assert!(
        !earmark(&["convert".as_ref(), bad.as_os_str(), existing.as_os_str()])
            .status
            .success()
    );
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "precious"
    );

    let seed = fixture("seed/delphi-podcast.txt");
    let to_whisper = earmark(&[
        "convert".as_ref(),
        seed.as_os_str(),
        existing.as_os_str(),
        "--to".as_ref(),
        "whisper-json".as_ref(),
    ]);
    assert!(!to_whisper.status.success());
    assert!(String::from_utf8_lossy(&to_whisper.stderr).contains("cannot write whisper-json"));
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "precious"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
}

/// A file a command creates gets the permissions any new file gets under
/// the user's umask (022 here: readable by all), not a temporary file's 0600;
/// an existing file keeps its own.
#[cfg(unix)]
#[test]
fn a_written_file_gets_the_permissions_of_the_user_s_new_files() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = fixture("seed/delphi-podcast.txt");
    let mode_after_convert = |out_path: &Path| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_earmark"));
        command.args(["convert".as_ref(), seed.as_os_str(), out_path.as_os_str()]);
        // SAFETY: umask is async-signal-safe and touches only the child.
        unsafe {
            command.pre_exec(|| {
                libc::umask(0o022);
                Ok(())
            });
        }
        let out = command.output().expect("the earmark binary runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::metadata(out_path)
            .expect("written")
            .permissions()
            .mode()
            & 0o777
    };
    let fresh = dir.path().join("fresh.srt");
    assert_eq!(mode_after_convert(&fresh), 0o644, "a new file");
    let kept = dir.path().join("kept.srt");
    std::fs::write(&kept, "").expect("write");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    assert_eq!(mode_after_convert(&kept), 0o600, "an existing file's own");
}

#[test]
fn convert_needs_a_known_output_format() {
    let seed = fixture("seed/delphi-podcast.txt");
    let out = earmark(&["convert".as_ref(), seed.as_os_str(), "/tmp/x.docx".as_ref()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--to"));
}

#[test]
fn every_encoding_reads_the_same_text() {
    for (name, warned) in [
        ("utf16le-bom.txt", false),
        ("utf16be-bom.txt", false),
        ("windows-1252.txt", true),
        ("utf8-bom-crlf.txt", false),
    ] {
        let json = inspect(&fixture(&format!("encoding/{name}")));
        let segments = json["segments"].as_array().expect("segments");
        assert_eq!(segments.len(), 2, "{name}");
        assert_eq!(segments[0]["speaker"], "Zoë", "{name}");
        assert_eq!(segments[0]["text"], "Café in Köln — “quoted”", "{name}");
        let warnings = json["warnings"].as_array().expect("warnings");
        assert_eq!(!warnings.is_empty(), warned, "{name}: {warnings:?}");
    }
}

#[test]
fn converting_to_the_same_format_keeps_bom_and_line_endings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = fixture("encoding/utf8-bom-crlf.txt");
    let copy = dir.path().join("copy.txt");
    let out = earmark(&["convert".as_ref(), source.as_os_str(), copy.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&copy).expect("written"),
        std::fs::read(&source).expect("source")
    );
}

#[test]
fn convert_to_text_and_markdown_with_and_without_times() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = fixture("seed/delphi-podcast.txt");
    let read = |name: &str, extra: &[&str]| {
        let out_path = dir.path().join(name);
        let mut args: Vec<&std::ffi::OsStr> =
            vec!["convert".as_ref(), seed.as_os_str(), out_path.as_os_str()];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let out = earmark(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(out_path).expect("written")
    };
    let text = read("a.text", &["--to", "text"]);
    assert!(
        text.starts_with("[00:00:01] Speaker A: You're now plugged into"),
        "{text:.80}"
    );
    let bare = read("b.text", &["--to", "text", "--no-timestamps"]);
    assert!(
        bare.starts_with("Speaker A: You're now plugged into"),
        "{bare:.80}"
    );
    let markdown = read("c.md", &[]);
    assert!(
        markdown.starts_with("**Speaker A** [00:00:01]\nYou're now"),
        "{markdown:.80}"
    );
    assert!(!read("d.md", &["--no-timestamps"]).contains("[00:"));
}

#[test]
fn a_nul_in_json_text_does_not_make_the_converted_file_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("nul.json");
    std::fs::write(
        &json,
        r#"{"version": "1.0.0", "segments": [{"startTime": 1, "endTime": 2, "body": "a\u0000b"}]}"#,
    )
    .expect("write");
    let srt = dir.path().join("nul.srt");
    let out = earmark(&["convert".as_ref(), json.as_os_str(), srt.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = inspect(&srt);
    assert_eq!(back["segments"][0]["text"], "a\u{fffd}b");
}

/// `earmark peaks -o`: the bins as JSON, the loud second where it is, and a
/// second run served from the cache named by `EARMARK_CACHE_DIR`.
#[cfg(feature = "audio")]
#[test]
fn peaks_writes_the_bins_and_reopens_from_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wav = dir.path().join("tone.wav");
    // Four seconds at 8192 Hz (so each of 4 bins is 16 pyramid bins), mono:
    // quiet, except the third second at 0.75.
    let rate = 8192;
    let samples: Vec<f32> = (0..4 * rate)
        .map(|i| {
            if (2 * rate..3 * rate).contains(&i) {
                0.75
            } else {
                0.01
            }
        })
        .collect();
    let mut writer = earmark::audio::wav::WavWriter::create(&wav, rate, 1).expect("create");
    writer.write(&samples).expect("write");
    writer.finish(&wav).expect("finish");
    let cache = dir.path().join("cache");
    let json_path = dir.path().join("peaks.json");
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_earmark"))
            .args(["peaks".as_ref(), wav.as_os_str(), "--bins".as_ref()])
            .arg("4")
            .arg("-o")
            .arg(&json_path)
            .env("EARMARK_CACHE_DIR", &cache)
            .output()
            .expect("the earmark binary runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let first = run();
    assert!(first.starts_with("built the waveform of 4.0 s"), "{first}");
    let json: Value =
        serde_json::from_slice(&std::fs::read(&json_path).expect("the JSON")).expect("JSON");
    assert_eq!(json["sample_rate"], 8192);
    assert_eq!(json["frames"], 4 * 8192);
    let maxima: Vec<f64> = json["bins"]
        .as_array()
        .expect("bins")
        .iter()
        .map(|bin| bin[1].as_f64().expect("max"))
        .collect();
    assert_eq!(maxima.len(), 4);
    assert!(maxima[2] >= 0.75, "{maxima:?}");
    assert!(maxima[0] < 0.1 && maxima[3] < 0.1, "{maxima:?}");

    let second = run();
    assert!(second.starts_with("loaded the waveform"), "{second}");
    assert!(
        cache.join("peaks").is_dir(),
        "the cache lives where it was told"
    );
}
