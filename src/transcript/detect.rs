//! Which format a file holds, judged from its content (never its name), in the
//! order that works on real files: JSON by its keys, WebVTT by its header, SRT
//! by timing lines after an index, range lines, then timed plain text.

use super::format::Format;
use super::{json, plain, range};

/// How many non-blank lines detection looks at.
const SNIFF_LINES: usize = 200;

/// The format `text` (decoded, `\n` line ends) appears to be in, if any.
pub fn detect(text: &str) -> Option<Format> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\n']);
    if trimmed.starts_with('{') || starts_json_array(trimmed) {
        return json::detect(trimmed);
    }
    if trimmed.starts_with("WEBVTT") {
        return Some(Format::Vtt);
    }
    // Line-based formats see the lines as written: indentation matters to them.
    if looks_like_srt(text) {
        return Some(Format::Srt);
    }
    if range::looks_like(text) {
        return Some(Format::Range);
    }
    plain::looks_like(text).then_some(Format::Text)
}

/// `[` that opens a JSON array rather than a bracketed time like `[00:01]`.
fn starts_json_array(text: &str) -> bool {
    text.strip_prefix('[')
        .map(|rest| rest.trim_start())
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['{', '[', ']', '"']))
}

/// A timing line of its own (`TS --> TS`, then nothing or cue settings /
/// coordinates): range lines carry their text on the timing line instead.
fn looks_like_srt(text: &str) -> bool {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .take(SNIFF_LINES)
        .any(is_bare_timing_line)
}

fn is_bare_timing_line(line: &str) -> bool {
    let line = line.trim();
    let Some(start) = super::time::parse_timestamp(line.as_bytes()) else {
        return false;
    };
    let after = line[start.len..].trim_start();
    let Some(after) = after
        .strip_prefix("-->")
        .or_else(|| after.strip_prefix("-- >"))
    else {
        return false;
    };
    let after = after.trim_start();
    let Some(end) = super::time::parse_timestamp(after.as_bytes()) else {
        return false;
    };
    // Nothing, or only `key:value` words (VTT settings, SRT `X1:` coordinates).
    after[end.len..]
        .split_whitespace()
        .all(|word| word.contains(':') && !word.ends_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_array_is_not_a_bracketed_time() {
        assert!(starts_json_array("[{\"a\":1}]"));
        assert!(starts_json_array("[ ]"));
        assert!(!starts_json_array("[00:00:01.000 --> 00:00:02.000] hi"));
    }

    #[test]
    fn vtt_and_srt_by_content() {
        assert_eq!(
            detect("WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n"),
            Some(Format::Vtt)
        );
        assert_eq!(
            detect("1\n00:00:01,000 --> 00:00:02,000\nhi\n"),
            Some(Format::Srt)
        );
        assert_eq!(
            detect("00:00:01.400 - 00:00:03.725, Speaker A: hi\n"),
            Some(Format::Range)
        );
        assert_eq!(
            detect("[00:00:00.000 --> 00:00:05.000]  hi\n"),
            Some(Format::Range)
        );
        assert_eq!(detect("nothing timed here\n"), None);
        assert_eq!(
            detect(
                "\n  00:00:01.000 - 00:00:02.000, A: one\n    10:30\n  00:00:03.000 - 00:00:04.000, B: two\n"
            ),
            Some(Format::Range)
        );
    }
}
