//! Every input a fuzzer found a bug with, replayed through the same check the
//! fuzz targets run. A file in `tests/fixtures/fuzz/` is named after its
//! target: `<target>-<what it does>.<ext>`.

#[path = "support/fuzz_check.rs"]
mod fuzz_check;

#[path = "support/audio_fuzz_check.rs"]
mod audio_fuzz_check;

#[path = "support/journal_fuzz_check.rs"]
mod journal_fuzz_check;

use earmark::transcript::Format;

fn format_of_target(target: &str) -> Option<Format> {
    match target {
        "detect" | "journal" => None,
        "whisper_json" => Some(Format::WhisperJson),
        "whispercpp_json" => Some(Format::WhisperCppJson),
        "whisperx_json" => Some(Format::WhisperxJson),
        "podcast_json" => Some(Format::PodcastJson),
        other => Some(
            other
                .parse()
                .unwrap_or_else(|_| panic!("unknown fuzz target {other}")),
        ),
    }
}

#[test]
fn every_fuzz_crash_stays_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name");
        let target = name.split('-').next().expect("a target prefix");
        let data = std::fs::read(&path).expect("read fixture");
        if target == "decode" {
            audio_fuzz_check::check_audio(&data);
        } else if target == "journal" {
            journal_fuzz_check::check_journal(&data);
        } else {
            fuzz_check::check(&data, format_of_target(target));
        }
        replayed += 1;
    }
    assert!(replayed > 0, "no fuzz fixtures found in {}", dir.display());
}
