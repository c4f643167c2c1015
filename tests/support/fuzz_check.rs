//! What every parser fuzz target checks (shared with `tests/fuzz_regressions.rs`): any bytes either parse or are refused
//! with a line-numbered error (never a panic), and what parsed writes back to
//! text that parses again to the same number of segments.

use earmark::transcript::{self, Format};

/// Runs one input through the parser for `format` (detection when `None`).
pub fn check(data: &[u8], format: Option<Format>) {
    let Ok(parsed) = transcript::parse_bytes(data.to_vec(), format) else {
        return;
    };
    let own = parsed.format;
    let target = if own.is_writable() {
        own
    } else {
        Format::PodcastJson
    };
    let written = transcript::write_string(&parsed, target).expect("writable format");
    if parsed.segments.is_empty() {
        return;
    }
    let reread = transcript::parse_bytes(written.clone().into_bytes(), Some(target))
        .unwrap_or_else(|e| panic!("written {target} does not parse back: {e}\n{written}"));
    if matches!(target, Format::Text | Format::Markdown) {
        return; // speaker turns merge, so counts may shrink once
    }
    if reread.header.words_as_segments && !parsed.header.words_as_segments {
        return; // one-word records read back as a word-level file and group
    }
    assert_eq!(
        reread.segments.len(),
        parsed.segments.len(),
        "segment count changed on write-back as {target}:\n{written}"
    );
}
