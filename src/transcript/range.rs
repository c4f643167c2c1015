//! Range lines, our first users' layout and its relatives, one record a line:
//!
//! ```text
//! 00:00:01.400 - 00:00:03.725, Speaker A: You're now plugged in...
//! [00:00:00.000 --> 00:00:05.000]  text
//! [00:00:00.233 --> 00:00:07.088] [Unknown]      (text on the next lines)
//! ```
//!
//! Grammar: optional `[`, time, separator (`-` `–` `—` `-->` `→` `to`), time,
//! optional `]`, optional `,`, optional speaker up to the first `: `, text.
//! Untimed lines continue the previous record, and so does any line indented
//! deeper than the first record (the writer indents a continuation line that
//! would otherwise read as a time). A line that starts like a time but does
//! not parse is skipped with a warning. Blank lines are skipped; when one
//! came before every record but the first, the writer puts them back.

use super::error::ParseFailure;
use super::format::Format;
use super::model::{Segment, Transcript};
use super::time::{Timestamp, count_blanks, parse_timestamp, write_timestamp};

/// Separators accepted between the two times, longest first so `-->` wins over `-`.
const SEPARATORS: [&str; 6] = ["-->", "\u{2192}", "\u{2013}", "\u{2014}", "-", "to"];

/// The longest text before `: ` that is taken as a speaker's name.
const MAX_SPEAKER_CHARS: usize = 48;
/// The most words a speaker's name may have.
const MAX_SPEAKER_WORDS: usize = 6;

/// Put before a continuation line that would otherwise read as a timed line.
const CONTINUATION_INDENT: &str = "  ";

/// One timed line, split into its parts (slices of the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RangeLine<'a> {
    start: Timestamp,
    end: Timestamp,
    bracketed: bool,
    /// The exact text between the two times.
    separator: &'a str,
    speaker: Option<&'a str>,
    text: &'a str,
}

/// Why a line that starts like a time is not a range line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineError {
    NotTimed,
    Broken(&'static str),
}

fn parse_line(line: &str) -> Result<RangeLine<'_>, LineError> {
    let bytes = line.as_bytes();
    let bracketed = bytes.first() == Some(&b'[');
    let mut at = usize::from(bracketed);
    let start = parse_timestamp(&bytes[at..]).ok_or(if starts_like_time(line) {
        LineError::Broken("expected a start time like 00:00:01.400")
    } else {
        LineError::NotTimed
    })?;
    at += start.len;
    let sep_from = at;
    at += count_blanks(&bytes[at..]);
    let sep = SEPARATORS
        .iter()
        .find(|sep| line[at..].starts_with(*sep))
        .ok_or(LineError::Broken(
            "expected \" - \" or \" --> \" after the start time",
        ))?;
    at += sep.len();
    at += count_blanks(&bytes[at..]);
    let sep_to = at;
    let end = parse_timestamp(&bytes[at..]).ok_or(LineError::Broken(
        "expected an end time like 00:00:03.725 after the separator",
    ))?;
    at += end.len;
    if bracketed {
        if bytes.get(at) != Some(&b']') {
            return Err(LineError::Broken("expected \"]\" after the end time"));
        }
        at += 1;
    }
    if bytes.get(at) == Some(&b',') {
        at += 1;
    }
    let rest = line[at..].trim();
    if bytes
        .get(at)
        .is_some_and(|b| !b.is_ascii_whitespace() && *b != b',')
        && !rest.is_empty()
        && !bracketed
        && bytes[at - 1] != b','
    {
        return Err(LineError::Broken(
            "expected a space or \",\" after the end time",
        ));
    }
    let (speaker, text) = split_speaker(rest);
    Ok(RangeLine {
        start,
        end,
        bracketed,
        separator: &line[sep_from..sep_to],
        speaker,
        text,
    })
}

/// A line that begins with `[`digit, or digit(s) then `:`: meant as a timed line.
fn starts_like_time(line: &str) -> bool {
    let bytes = line.strip_prefix('[').unwrap_or(line).as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && bytes.get(digits) == Some(&b':')
}

/// Splits `Speaker: text`, `**Speaker:** text`, a lone `[Speaker]` or a
/// lone `Speaker:`.
fn split_speaker(rest: &str) -> (Option<&str>, &str) {
    if let Some(name) = rest
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .filter(|name| is_speaker_like(name) && !name.contains(['[', ']']))
    {
        return (Some(name), "");
    }
    if let Some(bold) = rest.strip_prefix("**")
        && let Some(close) = bold.find(":**")
        && is_speaker_like(&bold[..close])
    {
        return (Some(&bold[..close]), bold[close + 3..].trim_start());
    }
    if let Some(text) = rest.strip_prefix(": ") {
        // The writer's mark for "no speaker, and the text has a colon".
        return (None, text.trim_start());
    }
    if let Some(name) = rest
        .strip_suffix(':')
        .filter(|name| is_speaker_like(name) && !name.contains(':'))
    {
        // A speaker's line with no text yet.
        return (Some(name), "");
    }
    match memchr::memmem::find(rest.as_bytes(), b": ") {
        Some(colon) if is_speaker_like(&rest[..colon]) => {
            (Some(&rest[..colon]), rest[colon + 2..].trim_start())
        }
        _ => (None, rest),
    }
}

fn is_speaker_like(name: &str) -> bool {
    let ends_sentence = name.ends_with(['.', '?', '!'])
        && !["Jr.", "Sr.", "Dr."]
            .iter()
            .any(|title| name.ends_with(title));
    !name.is_empty()
        && !ends_sentence
        && name.chars().count() <= MAX_SPEAKER_CHARS
        && name.split_whitespace().count() <= MAX_SPEAKER_WORDS
        && !name.starts_with(char::is_whitespace)
        && !name.contains("://")
}

/// Whether `text` reads as range lines: among the first lines that start like a
/// time, at least half parse and at least one does. Lines indented deeper than
/// the first record are continuations, as the parser reads them.
pub(super) fn looks_like(text: &str) -> bool {
    let mut timed = 0;
    let mut time_like = 0;
    let mut base_indent = None;
    for raw_line in text.lines().filter(|l| !l.trim().is_empty()).take(200) {
        let indent = raw_line.len() - raw_line.trim_start().len();
        if base_indent.is_some_and(|base| indent > base) {
            continue;
        }
        match parse_line(raw_line.trim()) {
            Ok(_) => {
                timed += 1;
                base_indent.get_or_insert(indent);
            }
            Err(LineError::Broken(_)) => time_like += 1,
            Err(LineError::NotTimed) => {}
        }
    }
    timed > 0 && timed >= time_like
}

/// Parses range lines. Fails only when no line is a timed record.
pub(super) fn parse(text: &str) -> Result<Transcript, ParseFailure> {
    let mut transcript = Transcript::new(Format::Range);
    let estimated_records = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
    transcript.segments.reserve(estimated_records);
    let mut first_broken: Option<(usize, &'static str)> = None;
    let mut current: Option<(Segment, usize)> = None;
    let mut base_indent = None;
    // Records after the first, and how many of them a blank line came before.
    let (mut later_records, mut after_blank) = (0usize, 0usize);
    let mut blank_since_record = false;
    for (index, raw_line) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = raw_line.trim();
        if line.is_empty() {
            blank_since_record = true;
            continue;
        }
        let indent = raw_line.len() - raw_line.trim_start().len();
        let parsed = match base_indent {
            Some(base) if indent > base && current.is_some() => Err(LineError::NotTimed),
            _ => parse_line(line),
        };
        if parsed.is_ok() {
            base_indent.get_or_insert(indent);
        }
        match parsed {
            Ok(record) => {
                if let Some((segment, at)) = current.take() {
                    transcript.push(segment, at);
                    later_records += 1;
                    after_blank += usize::from(blank_since_record);
                } else {
                    transcript.time_style = record.start.style();
                    transcript.header.range_separator = Some(record.separator.to_owned());
                    transcript.header.range_brackets = record.bracketed;
                }
                let speaker = record.speaker.and_then(|s| transcript.intern_speaker(s));
                let segment = Segment {
                    start_ms: record.start.ms,
                    end_ms: record.end.ms,
                    speaker,
                    text: record.text.to_owned(),
                    ..Segment::default()
                };
                current = Some((segment, line_no));
                blank_since_record = false;
            }
            Err(LineError::NotTimed) if !is_garbage(line) => match current.as_mut() {
                Some((segment, _)) => {
                    if !segment.text.is_empty() {
                        segment.text.push('\n');
                    }
                    segment.text.push_str(line);
                }
                None => transcript.warn(line_no, "skipped text before the first timed line"),
            },
            Err(LineError::NotTimed) => {
                transcript.warn(line_no, "skipped a line that is not text");
            }
            Err(LineError::Broken(expected)) => {
                first_broken.get_or_insert((line_no, expected));
                transcript.warn(line_no, format!("skipped: {expected}"));
            }
        }
    }
    transcript.header.range_blank_between = later_records > 0 && after_blank == later_records;
    match current {
        Some((segment, at)) => transcript.push(segment, at),
        None => {
            let (line, expected) = first_broken.unwrap_or((
                1,
                "expected a timed line like \"00:00:01.400 - 00:00:03.725, Speaker A: text\"",
            ));
            return Err(ParseFailure::new(line, expected));
        }
    }
    Ok(transcript)
}

/// Control characters other than tab mean the line is not text.
fn is_garbage(line: &str) -> bool {
    line.chars()
        .any(|c| (c.is_control() && c != '\t') || c == '\u{fffd}')
}

/// Writes range lines: the source's separator, brackets, time style and
/// blank lines between records when the transcript came from range lines,
/// else `00:00:01.400 - 00:00:03.725, ` with no blank lines.
pub(super) fn write(transcript: &Transcript) -> String {
    let own = transcript.format == Format::Range;
    let style = if own {
        transcript.time_style
    } else {
        Format::Range.default_time_style()
    };
    let separator = transcript
        .header
        .range_separator
        .as_deref()
        .filter(|_| own)
        .unwrap_or(" - ");
    let bracketed = own && transcript.header.range_brackets;
    let blank_between = own && transcript.header.range_blank_between;
    let mut out = String::with_capacity(transcript.segments.len() * 120);
    for (index, segment) in transcript.segments.iter().enumerate() {
        if blank_between && index > 0 {
            out.push('\n');
        }
        if bracketed {
            out.push('[');
        }
        write_timestamp(&mut out, segment.start_ms, style);
        out.push_str(separator);
        write_timestamp(&mut out, segment.end_ms, style);
        out.push_str(if bracketed { "] " } else { ", " });
        let name = transcript.speaker_name(segment.speaker);
        let mut lines = segment
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or("");
        if !name.is_empty() {
            out.push_str(name);
            out.push_str(": ");
        } else if split_speaker(first) != (None, first) {
            out.push_str(": ");
        }
        out.push_str(first);
        out.push('\n');
        for line in lines {
            if is_garbage(line) {
                // Would be skipped on reading: keep it on the previous line.
                out.pop();
                out.push(' ');
            } else if parse_line(line) != Err(LineError::NotTimed) {
                out.push_str(CONTINUATION_INDENT);
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> RangeLine<'_> {
        parse_line(line).unwrap_or_else(|e| panic!("{line:?}: {e:?}"))
    }

    #[test]
    fn the_seed_layout() {
        let r = one("00:00:01.400 - 00:00:03.725, Speaker A: You're now plugged in: yes.");
        assert_eq!((r.start.ms, r.end.ms), (1_400, 3_725));
        assert_eq!(r.speaker, Some("Speaker A"));
        assert_eq!(r.text, "You're now plugged in: yes.");
        assert_eq!(r.separator, " - ");
    }

    #[test]
    fn relatives() {
        let r = one("[00:00:00.000 --> 00:00:05.000]  hello there");
        assert!(r.bracketed);
        assert_eq!((r.speaker, r.text), (None, "hello there"));
        let r = one("[00:00:00.233 --> 00:00:07.088] [Unknown]");
        assert_eq!((r.speaker, r.text), (Some("Unknown"), ""));
        let r = one("[01:02 \u{2192} 01:05] **Ana:** hi");
        assert_eq!(
            (r.start.ms, r.end.ms, r.speaker, r.text),
            (62_000, 65_000, Some("Ana"), "hi")
        );
        for sep in ["-", "\u{2013}", "\u{2014}", "-->", "\u{2192}", "to"] {
            let line = format!("0:01,5 {sep} 100:00:00,25, Macedo, Jr.: ok");
            let r = one(&line);
            assert_eq!((r.start.ms, r.end.ms), (1_500, 360_000_250), "{sep}");
            assert_eq!(r.speaker, Some("Macedo, Jr."));
        }
    }

    #[test]
    fn sentences_with_colons_are_not_speakers() {
        let r = one("00:01.000 - 00:02.000, Well, here is the thing I told you about: it works.");
        assert_eq!(r.speaker, None);
        let r = one("00:01.000 - 00:02.000, see https://example.com: it works");
        assert_eq!(r.speaker, None);
    }

    #[test]
    fn broken_lines_say_what_was_expected() {
        assert_eq!(parse_line("hello: there"), Err(LineError::NotTimed));
        assert!(
            matches!(parse_line("00:00:01.400 - 00:00:0"), Err(LineError::Broken(m)) if m.contains("end time"))
        );
        assert!(
            matches!(parse_line("00:00:01.400 ~ 00:00:02.000"), Err(LineError::Broken(m)) if m.contains("after the start"))
        );
        assert!(
            matches!(parse_line("[00:00:01.400 - 00:00:02.000 text"), Err(LineError::Broken(m)) if m.contains("]"))
        );
    }

    #[test]
    fn continuation_garbage_and_truncation() {
        let text = "intro\n00:00:01.000 - 00:00:02.000, A: one\nmore of one\n00:00:0x.000 - junk\n\u{1}\u{2}\n00:00:03.000 - 00:00:04.000, B: two\n00:00:05.000 - 00:0";
        let t = parse(text).expect("parses");
        assert_eq!(t.segments.len(), 2);
        assert_eq!(t.segments[0].text, "one\nmore of one");
        let lines: Vec<usize> = t.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![1, 4, 5, 7]);
    }

    #[test]
    fn nothing_timed_is_an_error_at_the_first_broken_line() {
        assert_eq!(
            parse("just words\nmore words\n")
                .map(|_| ())
                .unwrap_err()
                .line,
            1
        );
        assert_eq!(
            parse("words\n00:00:01 - x\n").map(|_| ()).unwrap_err().line,
            2
        );
    }

    #[test]
    fn writes_back_what_it_read() {
        for text in [
            "00:00:01.400 - 00:00:03.725, Speaker A: You're now plugged in.\n00:00:05.265 - 00:00:48.309, Speaker B: Hey: guys.\n",
            "[00:00.000 --> 00:05.000] hello\n[00:05.000 --> 00:07.500] Ana: hi\n",
            "00:00:01,4 \u{2013} 00:00:02,5, : Note: a colon\n00:00:03,0 \u{2013} 00:00:04,0, B: two\nlines\n",
            "00:00:01.000 - 00:00:02.000, A: at\n  10:30 - 11:00, a line that looks timed\n",
            "00:00:01.000 - 00:00:02.000, A: one\n\n00:00:03.000 - 00:00:04.000, B: two\n\n00:00:05.000 - 00:00:06.000, A: three\n",
            "00:00:01.000 - 00:00:02.000, A: one\nmore of one\n\n00:00:03.000 - 00:00:04.000, B: two\n",
        ] {
            let t = parse(text).expect("parses");
            assert_eq!(write(&t), text);
        }
    }

    #[test]
    fn blank_lines_come_back_only_when_every_record_had_one_before_it() {
        let spaced = parse("00:00:01 - 00:00:02, A: one\n\n\n00:00:03 - 00:00:04, B: two\n")
            .expect("parses");
        assert!(spaced.header.range_blank_between);
        let mixed = "00:00:01 - 00:00:02, A: one\n\n00:00:03 - 00:00:04, B: two\n00:00:05 - 00:00:06, A: three\n";
        let t = parse(mixed).expect("parses");
        assert!(!t.header.range_blank_between);
        assert_eq!(
            write(&t),
            mixed.replacen("\n\n", "\n", 1),
            "a mixed layout is written without blank lines, as before"
        );
    }
}
