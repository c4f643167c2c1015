//! The generated episodes of `tests/fixtures/sync/` (made by
//! `benches/sync/make_fixture.sh`), shared by the tests of `earmark sync`
//! and of the window's sync check.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The folder of case `case` (`combo` or `combo_room`).
pub fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sync")
        .join(case)
}

/// The case's `truth.json`: where each line's speech really is, or that it
/// was cut.
pub fn truth(case: &str) -> Value {
    let text = std::fs::read_to_string(case_dir(case).join("truth.json")).expect("truth.json");
    serde_json::from_str(&text).expect("truth.json is JSON")
}

/// `ms` as the range-line layout writes it, `HH:MM:SS.mmm`.
pub fn range_time(ms: u64) -> String {
    earmark::transcript::time::format_timestamp(ms, Default::default())
}

/// The case's transcript lines still in its audio, each with its truth
/// (`start_ms`, `end_ms`, `speech_end_ms`): the cut lines dropped.
pub fn lines_in_audio(case: &str) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(case_dir(case).join("transcript.txt")).expect("transcript");
    let truth = truth(case);
    text.lines()
        .zip(truth["lines"].as_array().expect("lines"))
        .filter(|(_, true_line)| !true_line["cut"].as_bool().expect("cut"))
        .map(|(line, true_line)| (line.to_owned(), true_line.clone()))
        .collect()
}

/// The case's transcript with each line at its true place, the cut line
/// dropped: in sync with the audio.
pub fn in_sync_transcript(case: &str) -> String {
    let mut out = String::new();
    for (line, true_line) in lines_in_audio(case) {
        let (_, rest) = line.split_once(", ").expect("a range line");
        out.push_str(&format!(
            "{} - {}, {rest}\n",
            range_time(true_line["start_ms"].as_u64().expect("start_ms")),
            range_time(true_line["end_ms"].as_u64().expect("end_ms"))
        ));
    }
    out
}
