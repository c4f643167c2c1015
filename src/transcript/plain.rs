//! Plain text with start times, as transcription services and podcast hosts
//! export it, and the speaker-turn text Earmark writes:
//!
//! ```text
//! [00:01:02] Name: text            lead times, `[...]` or `(...)` or none
//! Speaker 1 (00:00):               a name, then its time (iHeart), text below
//! **Name** [00:00:01]              the Markdown writer's turns, text below
//! Name  0:03                       Otter: two spaces, the time, a paragraph below
//! 0:00                             a bare time line, text below
//! ```
//!
//! One style is chosen per file by scoring each over the first 300 non-blank
//! lines; only that style's headings start records, so a time inside the text
//! of another style stays text. Untimed lines continue the current record
//! (paragraphs joined with `\n`); text before the first time is skipped with a
//! warning. Ends are derived: the next record's start, and for the last record
//! 400 ms a word. A label before `: ` is a speaker only when it reads as a name
//! (`Note:`, `https:`, `So here's the thing:` do not); in bold it always is.
//!
//! The writers put `: ` before speakerless text that would read as a label and
//! `\` before a text line that would read as a heading (the parser removes one).
//! This module owns reading that text and writing it back; it never invents
//! times beyond the derived ends.

use std::borrow::Cow;

use super::error::ParseFailure;
use super::format::Format;
use super::model::{Header, Segment, SpeakerId, Transcript};
use super::time::{Hours, TimeStyle, Timestamp, parse_timestamp, write_timestamp};

/// Options for the human-readable writers (plain text and Markdown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// Write each speaker turn's start time.
    pub timestamps: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions { timestamps: true }
    }
}

/// Non-blank lines scored when choosing the style of a file.
const SNIFF_LINES: usize = 300;
/// The longest text before `: ` that is taken as a speaker's name.
const MAX_SPEAKER_CHARS: usize = 48;
/// The most words a speaker's name may have.
const MAX_SPEAKER_WORDS: usize = 6;
/// Bytes searched for the colon that ends a speaker label (48 chars of up to 4 bytes).
const MAX_LABEL_BYTES: usize = MAX_SPEAKER_CHARS * 4;
/// A style must find a heading at least once per this many non-blank lines.
const MAX_LINES_PER_HEADING: usize = 20;
/// Derived length of the last record, per word: 150 words a minute.
const LAST_RECORD_MS_PER_WORD: u64 = 400;

/// Labels that end in a colon but introduce a remark, not a voice (`Note: ...`).
const NOT_SPEAKERS: [&str; 30] = [
    "note",
    "notes",
    "nb",
    "n.b",
    "ps",
    "p.s",
    "update",
    "edit",
    "warning",
    "caution",
    "tip",
    "example",
    "source",
    "sources",
    "link",
    "links",
    "url",
    "http",
    "https",
    "ftp",
    "mailto",
    "subject",
    "summary",
    "transcript",
    "disclaimer",
    "correction",
    "chapter",
    "title",
    "topic",
    "fyi",
];

/// Lowercase words allowed inside a multi-word name (`Ana de la Cruz`).
const NAME_PARTICLES: [&str; 14] = [
    "de", "da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "van", "von", "bin",
];

/// Which headings start a record in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// Times in these brackets (`[` or `(`): leading the line, or after a name.
    Bracketed(u8),
    /// Times leading the line without brackets (`00:01 Name: text`, bare `0:00`).
    Unbracketed,
    /// Otter's `Name  0:03` lines and bare time lines, text below.
    Otter,
}

/// How a heading with a speaker is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SpeakerForm {
    /// `[00:01] Name: text`, or `[00:01] **Name:** text` when bold.
    Lead { bold: bool },
    /// `Name (00:01): text`, `**Name** [00:01]`.
    Inline { bold: bool, colon: bool },
    /// `Name  0:03`.
    Otter,
}

/// The record layout of a text file, kept so a write-back looks like the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TextLayout {
    /// Which headings start a record (and how times are bracketed).
    pub style: Style,
    /// How a heading names its speaker; a name that only reads back in bold
    /// is written in bold whatever this says.
    pub speaker: SpeakerForm,
    /// Text starts on the line after the heading even where it could follow it.
    pub text_below: bool,
    /// Records are separated by a blank line.
    pub blank_between: bool,
    /// Plain labels end with the full-width colon `：` (no space after it).
    pub wide_colon: bool,
}

/// What the text writer produces: `[00:01:02] Name: text`, blank lines between.
const CANONICAL: TextLayout = TextLayout {
    style: Style::Bracketed(b'['),
    speaker: SpeakerForm::Lead { bold: false },
    text_below: false,
    blank_between: true,
    wide_colon: false,
};

impl TextLayout {
    /// The layout a parse stored in `header`, if any.
    fn from_header(header: &Header) -> Option<TextLayout> {
        header.text_layout
    }

    /// Stores the layout in `header` for the write-back.
    fn store(self, header: &mut Header) {
        header.text_layout = Some(self);
    }
}

/// A line that starts a record, split into its parts (slices of the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Heading<'a> {
    start: Timestamp,
    speaker: Option<&'a str>,
    /// Text on the heading line itself (may be empty).
    text: &'a str,
    /// How the speaker was written; `None` without a speaker.
    form: Option<SpeakerForm>,
    /// The speaker's label ended with the full-width colon `：`.
    wide_colon: bool,
}

/// The record heading `line` (trimmed) holds in `style`, if any.
fn heading(line: &str, style: Style) -> Option<Heading<'_>> {
    match style {
        Style::Bracketed(open) if line.as_bytes().first() == Some(&open) => {
            lead_bracketed(line, open)
        }
        Style::Bracketed(open) => inline(line, open),
        Style::Unbracketed => lead_unbracketed(line),
        Style::Otter => bare_time(line).or_else(|| otter(line)),
    }
}

fn close_of(open: u8) -> u8 {
    if open == b'(' { b')' } else { b']' }
}

/// `[00:01:02] Name: text`, `[00:01:02] text`, `[00:01:02]`.
fn lead_bracketed(line: &str, open: u8) -> Option<Heading<'_>> {
    let bytes = line.as_bytes();
    let start = parse_timestamp(bytes.get(1..)?)?;
    let close_at = 1 + start.len;
    if bytes.get(close_at) != Some(&close_of(open)) {
        return None;
    }
    Some(lead_rest(start, line[close_at + 1..].trim()))
}

/// `00:01:02 Name: text`, `0:00`; never `10:30 am`.
fn lead_unbracketed(line: &str) -> Option<Heading<'_>> {
    let start = parse_timestamp(line.as_bytes())?;
    let rest = &line[start.len..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    if starts_with_clock_suffix(rest) {
        return None;
    }
    Some(lead_rest(start, rest))
}

fn lead_rest(start: Timestamp, rest: &str) -> Heading<'_> {
    let label = split_speaker(rest);
    Heading {
        start,
        speaker: label.speaker,
        text: label.text,
        form: label
            .speaker
            .map(|_| SpeakerForm::Lead { bold: label.bold }),
        wide_colon: label.wide,
    }
}

/// `am`, `p.m.` and relatives: the time before it is a time of day, not a position.
fn starts_with_clock_suffix(rest: &str) -> bool {
    let word_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'.')
        .count();
    let word = rest[..word_len].trim_end_matches('.');
    let ends_word = rest[word_len..]
        .bytes()
        .next()
        .is_none_or(|b| b.is_ascii_whitespace() || b == b',');
    ends_word
        && ["am", "pm", "a.m", "p.m"]
            .iter()
            .any(|suffix| word.eq_ignore_ascii_case(suffix))
}

/// A line that is only a time (`0:03`).
fn bare_time(line: &str) -> Option<Heading<'_>> {
    let start = parse_timestamp(line.as_bytes()).filter(|t| t.len == line.len())?;
    Some(Heading {
        start,
        speaker: None,
        text: "",
        form: None,
        wide_colon: false,
    })
}

/// `Name  0:03`: a name, two spaces or a tab, and a time ending the line.
fn otter(line: &str) -> Option<Heading<'_>> {
    let bytes = line.as_bytes();
    let gap_end = memchr::memrchr2(b' ', b'\t', bytes)?;
    let time_text = &line[gap_end + 1..];
    let start = parse_timestamp(time_text.as_bytes()).filter(|t| t.len == time_text.len())?;
    let before = &line[..=gap_end];
    let name = before.trim_end();
    let gap = &before[name.len()..];
    if gap.len() < 2 && !gap.contains('\t') {
        return None;
    }
    let (name, bold) = strip_bold(name);
    is_label(name, bold).then_some(Heading {
        start,
        speaker: Some(name),
        text: "",
        form: Some(SpeakerForm::Otter),
        wide_colon: false,
    })
}

/// `Name (00:01): text`, `Speaker 1 (00:00):`, `**Name** [00:00:01]`.
fn inline(line: &str, open: u8) -> Option<Heading<'_>> {
    let bytes = line.as_bytes();
    // The time's bracket is the first one after a space that holds a time;
    // a name may hold brackets of its own (`**[Caller]** [00:01]`).
    memchr::memchr_iter(open, bytes)
        .take_while(|&at| at <= MAX_LABEL_BYTES + 4)
        .filter(|&at| at > 0 && bytes[at - 1].is_ascii_whitespace())
        .find_map(|at| inline_at(line, at, open))
}

fn inline_at(line: &str, at: usize, open: u8) -> Option<Heading<'_>> {
    let bytes = line.as_bytes();
    let start = parse_timestamp(&bytes[at + 1..])?;
    let close_at = at + 1 + start.len;
    if bytes.get(close_at) != Some(&close_of(open)) {
        return None;
    }
    let (name, bold) = strip_bold(line[..at].trim_end());
    if !is_label(name, bold) {
        return None;
    }
    let rest = line[close_at + 1..].trim_start();
    let wide_colon = rest.starts_with('：');
    let (colon, text) = if rest.is_empty() {
        (false, "")
    } else if let Some(text) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：')) {
        (true, text.trim_start())
    } else {
        return None;
    };
    Some(Heading {
        start,
        speaker: Some(name),
        text,
        form: Some(SpeakerForm::Inline { bold, colon }),
        wide_colon,
    })
}

fn strip_bold(name: &str) -> (&str, bool) {
    match name.strip_prefix("**").and_then(|n| n.strip_suffix("**")) {
        Some(inner) => (inner, true),
        None => (name, false),
    }
}

/// The text after a lead time, split at its speaker label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Label<'a> {
    speaker: Option<&'a str>,
    text: &'a str,
    /// Written `**Name:**`.
    bold: bool,
    /// Ended by the full-width colon `：`.
    wide: bool,
}

impl<'a> Label<'a> {
    /// No speaker: all of it is text.
    fn none(text: &'a str) -> Self {
        Label {
            speaker: None,
            text,
            bold: false,
            wide: false,
        }
    }
}

/// Splits `Name: text`, `Name：text` or `**Name:** text`; a leading `: ` is the
/// writer's mark for "no speaker, and the text reads like a label".
fn split_speaker(rest: &str) -> Label<'_> {
    if rest == ":" {
        return Label::none("");
    }
    if let Some(text) = rest.strip_prefix(": ") {
        return Label::none(text.trim_start());
    }
    if let Some(bold) = rest.strip_prefix("**")
        && let Some(close) = bold.find(":**")
        && is_label(&bold[..close], true)
    {
        return Label {
            speaker: Some(&bold[..close]),
            text: bold[close + 3..].trim_start(),
            bold: true,
            wide: false,
        };
    }
    let bytes = rest.as_bytes();
    // 0xEF starts the full-width colon `：` (EF BC 9A) and is never a continuation byte.
    for at in memchr::memchr2_iter(b':', 0xEF, bytes) {
        if at > MAX_LABEL_BYTES {
            break;
        }
        let text_at = if bytes[at] == b':' {
            match bytes.get(at + 1) {
                None | Some(b' ' | b'\t') => at + 1,
                Some(_) => continue,
            }
        } else if rest[at..].starts_with('：') {
            at + '：'.len_utf8()
        } else {
            continue;
        };
        let name = rest[..at].trim_end();
        if is_name(name) {
            return Label {
                speaker: Some(name),
                text: rest[text_at..].trim_start(),
                bold: false,
                wide: bytes[at] != b':',
            };
        }
        break;
    }
    Label::none(rest)
}

/// Whether `name` is taken as a speaker: in bold (`**the host:**`) any name
/// that can be written back is, otherwise only what [`is_name`] accepts.
fn is_label(name: &str, bold: bool) -> bool {
    if bold {
        is_writable_name(name)
    } else {
        is_name(name)
    }
}

/// Whether the writers can write `name` as a label that reads back: no colon,
/// no `**`, not too long, no surrounding space.
fn is_writable_name(name: &str) -> bool {
    !name.is_empty()
        && name.trim() == name
        && !name.contains([':', '：', '\n'])
        && !name.contains("**")
        && name.chars().count() <= MAX_SPEAKER_CHARS
}

/// Whether `name` can be a speaker's name rather than the start of a sentence,
/// a link or a remark (`Note`).
fn is_name(name: &str) -> bool {
    let Some(first) = name.chars().next() else {
        return false;
    };
    let ends_sentence = name.ends_with(['.', '?', '!', ',', ';'])
        && !["Jr.", "Sr.", "Dr.", "St."]
            .iter()
            .any(|title| name.ends_with(title));
    if ends_sentence
        || !is_writable_name(name)
        || matches!(first, '[' | '(' | '*' | '\\' | '-' | '#' | '>')
    {
        return false;
    }
    let label = name.trim_end_matches('.');
    if NOT_SPEAKERS
        .iter()
        .any(|word| label.eq_ignore_ascii_case(word))
    {
        return false;
    }
    let mut words = 0;
    for (i, word) in name.split_whitespace().enumerate() {
        words += 1;
        let lowercase = word.chars().next().is_some_and(char::is_lowercase);
        if i > 0 && lowercase && !NAME_PARTICLES.contains(&word) {
            return false;
        }
    }
    words <= MAX_SPEAKER_WORDS
}

/// A line that is meant as a heading but is broken (`[00:61] hi`, a truncated
/// `0:0`): skipped with a warning rather than read as text.
fn is_broken_heading(line: &str, style: Style) -> bool {
    let bytes = line.as_bytes();
    let time_like = |b: &[u8]| {
        let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
        digits > 0 && b.get(digits) == Some(&b':')
    };
    let broken = match style {
        Style::Bracketed(open) => bytes.first() == Some(&open) && time_like(&bytes[1..]),
        Style::Unbracketed | Style::Otter => {
            time_like(bytes)
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b','))
        }
    };
    broken && heading(line, style).is_none()
}

/// Control characters other than tab mean the line is not text.
fn is_garbage(line: &str) -> bool {
    line.chars()
        .any(|c| (c.is_control() && c != '\t') || c == '\u{fffd}')
}

/// Whether a text line, written as is, would not read back as that text: it
/// reads as a heading of any style (one of another style could tip the style
/// choice), a broken heading or garbage (after any leading `\`, which the
/// parser removes one of). The writer puts a `\` before such lines.
fn needs_escape(line: &str, style: Style) -> bool {
    // The parser removes one `\` and the space after it, then asks again.
    let core = line.trim_start_matches(|c: char| c == '\\' || c.is_whitespace());
    STYLES.iter().any(|&any| heading(core, any).is_some())
        || is_broken_heading(core, style)
        || is_garbage(core)
        || starts_like_time_range(core)
}

/// `10:30 - 10:45 ...` or `00:01 --> 00:02`: a line detection would take for a
/// range line or an SRT timing line, so the writers never leave one as text.
fn starts_like_time_range(line: &str) -> bool {
    let Some(start) = parse_timestamp(line.as_bytes()) else {
        return false;
    };
    let rest = line[start.len..].trim_start();
    ["-->", "-", "\u{2192}", "\u{2013}", "\u{2014}", "to"]
        .iter()
        .filter_map(|sep| rest.strip_prefix(sep))
        .any(|after| parse_timestamp(after.trim_start().as_bytes()).is_some())
}

/// The non-blank lines a style is chosen from.
fn first_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .filter(|line| !line.trim().is_empty())
        .take(SNIFF_LINES)
}

/// Every style, strictest first: ties in scoring go to the earlier one.
const STYLES: [Style; 4] = [
    Style::Bracketed(b'['),
    Style::Bracketed(b'('),
    Style::Otter,
    Style::Unbracketed,
];

/// The style that finds the most headings in `lines` (ties go to the stricter
/// style), with its count.
fn best_style<'a>(lines: impl Iterator<Item = &'a str>) -> (Style, usize, usize) {
    let mut counts = [0usize; 4];
    let mut lines_seen = 0;
    for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
        lines_seen += 1;
        for (count, style) in counts.iter_mut().zip(STYLES) {
            if heading(line, style).is_some() {
                *count += 1;
            }
        }
    }
    let mut best = 0;
    for i in 1..STYLES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    (STYLES[best], counts[best], lines_seen)
}

/// Whether `text` reads as timed plain text: the best style finds a heading at
/// least once every 20 lines (twice at least for unbracketed times, which
/// prose can start with).
pub(super) fn looks_like(text: &str) -> bool {
    let (style, headings, lines) = best_style(first_lines(text));
    let needed = if style == Style::Unbracketed { 2 } else { 1 };
    headings >= needed && headings * MAX_LINES_PER_HEADING >= lines
}

/// What the parse learns about the layout, from the first records that show it.
#[derive(Debug, Default)]
struct LayoutSeen {
    /// From the first speaker whose name did not need bold to read as one.
    speaker: Option<SpeakerForm>,
    /// From that same speaker's label.
    wide_colon: bool,
    /// From the first speaker at all, for files where every name needed bold.
    first_speaker: Option<SpeakerForm>,
    text_below: Option<bool>,
    blank_between: Option<bool>,
}

/// Parses timed plain text. Fails only when no line is a record heading.
pub(super) fn parse(text: &str) -> Result<Transcript, ParseFailure> {
    let (mut style, mut headings, _) = best_style(first_lines(text));
    if headings == 0 {
        (style, headings, _) = best_style(text.split('\n'));
    }
    let mut transcript = Transcript::new(Format::Text);
    let mut seen = LayoutSeen::default();
    let mut first_broken = None;
    let mut current: Option<(Segment, usize)> = None;
    let mut blank_before = false;
    let mut records = 0usize;
    for (index, line) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let line = line.trim();
        if line.is_empty() {
            blank_before = true;
            continue;
        }
        let escaped = line
            .strip_prefix('\\')
            .map(str::trim_start)
            .filter(|rest| needs_escape(rest, style));
        let found = if escaped.is_none() && headings > 0 {
            heading(line, style)
        } else {
            None
        };
        if let Some(found) = found {
            records += 1;
            if records == 2 {
                seen.blank_between.get_or_insert(blank_before);
            }
            if let Some((mut segment, at)) = current.take() {
                segment.end_ms = found.start.ms.max(segment.start_ms);
                transcript.push(segment, at);
            } else {
                transcript.time_style = found.start.style();
            }
            if found.start.style().hours == Hours::Never {
                // Minutes past 59 without hours: keep counting minutes on write-back.
                transcript.time_style.hours = Hours::Never;
            }
            if found.start.frac_digits > transcript.time_style.frac_digits {
                // Keep the finest precision any time had, so no time loses digits.
                let finer = found.start.style();
                transcript.time_style.frac_digits = finer.frac_digits;
                transcript.time_style.frac_sep = finer.frac_sep;
            }
            if seen.first_speaker.is_none() {
                seen.first_speaker = found.form;
            }
            if seen.speaker.is_none() && found.speaker.is_some_and(is_name) {
                seen.speaker = found.form;
                seen.wide_colon = found.wide_colon;
            }
            if seen.text_below.is_none() && !found.text.is_empty() {
                seen.text_below = Some(false);
            }
            let speaker = found.speaker.and_then(|s| transcript.intern_speaker(s));
            let segment = Segment {
                start_ms: found.start.ms,
                end_ms: found.start.ms,
                end_derived: true,
                speaker,
                text: found.text.to_owned(),
                ..Segment::default()
            };
            current = Some((segment, line_no));
        } else if escaped.is_none() && is_broken_heading(line, style) {
            first_broken.get_or_insert(line_no);
            transcript.warn(line_no, broken_message(style));
        } else if escaped.is_none() && is_garbage(line) {
            transcript.warn(line_no, "skipped a line that is not text");
        } else {
            let line = escaped.unwrap_or(line);
            match current.as_mut() {
                Some((segment, _)) => {
                    if segment.text.is_empty() {
                        seen.text_below.get_or_insert(true);
                    } else {
                        segment.text.push('\n');
                    }
                    segment.text.push_str(line);
                }
                None => transcript.warn(line_no, "skipped text before the first timed line"),
            }
        }
        blank_before = false;
    }
    let Some((mut segment, at)) = current else {
        return Err(match first_broken {
            Some(line) => ParseFailure::new(line, broken_message(style)),
            None => ParseFailure::new(
                1,
                "expected a timed line like \"[00:01:02] Name: text\" or \"Name (00:01:02): text\"",
            ),
        });
    };
    let words = segment.text.split_whitespace().count() as u64;
    segment.end_ms = segment
        .start_ms
        .saturating_add(words.saturating_mul(LAST_RECORD_MS_PER_WORD));
    transcript.push(segment, at);
    let default_speaker = match style {
        Style::Otter => SpeakerForm::Otter,
        _ => SpeakerForm::Lead { bold: false },
    };
    TextLayout {
        style,
        speaker: seen
            .speaker
            .or(seen.first_speaker)
            .unwrap_or(default_speaker),
        text_below: seen.text_below.unwrap_or(false),
        blank_between: seen.blank_between.unwrap_or(true),
        wide_colon: seen.wide_colon,
    }
    .store(&mut transcript.header);
    Ok(transcript)
}

fn broken_message(style: Style) -> &'static str {
    match style {
        Style::Bracketed(b'(') => {
            "skipped: expected a time like (00:01:02) at the start of the line"
        }
        Style::Bracketed(_) => "skipped: expected a time like [00:01:02] at the start of the line",
        Style::Unbracketed | Style::Otter => "skipped: expected a time like 00:01:02",
    }
}

/// One record to write: a segment, or a speaker's consecutive segments merged.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Turn<'a> {
    /// The start of the turn's first segment.
    pub start_ms: u64,
    pub speaker: Option<SpeakerId>,
    /// Lines separated by `\n`.
    pub text: Cow<'a, str>,
}

/// Speaker turns: consecutive segments of the same speaker become one line of
/// text (segments without a speaker stay apart).
pub(super) fn speaker_turns(transcript: &Transcript) -> Vec<Turn<'_>> {
    let mut turns: Vec<Turn<'_>> = Vec::new();
    for segment in &transcript.segments {
        let continues = turns
            .last()
            .is_some_and(|turn| segment.speaker.is_some() && turn.speaker == segment.speaker);
        if !continues {
            turns.push(Turn {
                start_ms: segment.start_ms,
                speaker: segment.speaker,
                text: Cow::Borrowed(""),
            });
        }
        if let Some(turn) = turns.last_mut() {
            for line in segment
                .text
                .split('\n')
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                let text = turn.text.to_mut();
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(line);
            }
        }
    }
    turns
}

/// Writes `turns` in `layout`: times in `time_style` when `timestamps`, else
/// only names and text. Lines that would read back as something else get a `\`.
pub(super) fn write_turns(
    transcript: &Transcript,
    turns: &[Turn<'_>],
    layout: TextLayout,
    time_style: TimeStyle,
    timestamps: bool,
) -> String {
    let estimated: usize = turns.iter().map(|t| t.text.len() + 40).sum();
    let mut out = String::with_capacity(estimated);
    let (open, close) = match layout.style {
        Style::Bracketed(open) => (Some(char::from(open)), Some(char::from(close_of(open)))),
        Style::Unbracketed | Style::Otter => (None, None),
    };
    let mut first_turn = true;
    for turn in turns {
        let name = transcript.speaker_name(turn.speaker);
        let mut lines = turn
            .text
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .peekable();
        if !timestamps && name.is_empty() && lines.peek().is_none() {
            continue;
        }
        if !first_turn && layout.blank_between {
            out.push('\n');
        }
        first_turn = false;
        let heading_start = out.len();
        let mut text_fits_on_line = !layout.text_below;
        // A name that would not read back as one plain (`the host`) goes in bold.
        let needs_bold = timestamps && !name.is_empty() && !is_name(name);
        // `Name：text` has no space after the colon.
        let mut wide_label = false;
        let time = |out: &mut String| {
            out.extend(open);
            write_timestamp(out, turn.start_ms, time_style);
            out.extend(close);
        };
        match (timestamps, name.is_empty(), layout.speaker) {
            (true, true, _) => {
                time(&mut out);
                text_fits_on_line &= layout.style != Style::Otter;
            }
            (true, false, SpeakerForm::Lead { bold }) => {
                time(&mut out);
                out.push(' ');
                wide_label = layout.wide_colon && !bold && !needs_bold;
                push_label(&mut out, name, bold || needs_bold, wide_label);
            }
            (true, false, SpeakerForm::Inline { bold, colon }) => {
                push_bold(&mut out, name, bold || needs_bold);
                out.push(' ');
                time(&mut out);
                if colon {
                    wide_label = layout.wide_colon;
                    out.push(if wide_label { '：' } else { ':' });
                }
                text_fits_on_line &= colon;
            }
            (true, false, SpeakerForm::Otter) => {
                push_bold(&mut out, name, needs_bold);
                out.push_str("  ");
                time(&mut out);
                text_fits_on_line = false;
            }
            (false, true, _) => {}
            (false, false, SpeakerForm::Inline { bold: true, .. }) => {
                push_bold(&mut out, name, true);
                text_fits_on_line = false;
            }
            (false, false, _) => push_label(&mut out, name, false, false),
        }
        let has_heading = out.len() > heading_start;
        if has_heading
            && text_fits_on_line
            && let Some(first) = lines.next()
        {
            if !wide_label {
                out.push(' ');
            }
            if timestamps && name.is_empty() && label_needs_escape(first, layout.style) {
                out.push_str(": ");
            }
            out.push_str(first);
        }
        if has_heading {
            out.push('\n');
        }
        for line in lines {
            if timestamps && needs_escape(line, layout.style) {
                out.push('\\');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn push_bold(out: &mut String, name: &str, bold: bool) {
    if bold {
        out.push_str("**");
        out.push_str(name);
        out.push_str("**");
    } else {
        out.push_str(name);
    }
}

fn push_label(out: &mut String, name: &str, bold: bool, wide: bool) {
    if bold {
        out.push_str("**");
        out.push_str(name);
        out.push_str(":**");
    } else {
        out.push_str(name);
        out.push(if wide { '：' } else { ':' });
    }
}

/// Text after a speakerless lead time that would read as a label (or as `am`).
fn label_needs_escape(text: &str, style: Style) -> bool {
    split_speaker(text) != Label::none(text)
        || (style == Style::Unbracketed && starts_with_clock_suffix(text))
}

/// Writes speaker turns, one line each, `[00:01:02] Name: text` with a blank
/// line between; a transcript read from timed text is written back record by
/// record in the layout and time style it was read in.
pub(super) fn write(transcript: &Transcript, options: &TextOptions) -> String {
    let own = transcript.format == Format::Text && options.timestamps;
    match TextLayout::from_header(&transcript.header).filter(|_| own) {
        Some(layout) => {
            let records: Vec<Turn<'_>> = transcript
                .segments
                .iter()
                .map(|segment| Turn {
                    start_ms: segment.start_ms,
                    speaker: segment.speaker,
                    text: Cow::Borrowed(segment.text.as_str()),
                })
                .collect();
            write_turns(transcript, &records, layout, transcript.time_style, true)
        }
        None => write_turns(
            transcript,
            &speaker_turns(transcript),
            CANONICAL,
            Format::Text.default_time_style(),
            options.timestamps,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str, style: Style) -> Heading<'_> {
        heading(line, style).unwrap_or_else(|| panic!("{line:?} is not a heading"))
    }

    const BRACKETS: Style = Style::Bracketed(b'[');
    const PARENS: Style = Style::Bracketed(b'(');

    #[test]
    fn headings_of_each_style() {
        let h = one("[00:01:02] Ana Lima: hello: there", BRACKETS);
        assert_eq!(
            (h.start.ms, h.speaker, h.text),
            (62_000, Some("Ana Lima"), "hello: there")
        );
        let h = one("[01:02] hello", BRACKETS);
        assert_eq!((h.start.ms, h.speaker, h.text), (62_000, None, "hello"));
        let h = one("Speaker 1 (00:00):", PARENS);
        assert_eq!((h.speaker, h.text), (Some("Speaker 1"), ""));
        assert_eq!(
            h.form,
            Some(SpeakerForm::Inline {
                bold: false,
                colon: true
            })
        );
        let h = one("Ana (1:02:03): yes", PARENS);
        assert_eq!(
            (h.start.ms, h.speaker, h.text),
            (3_723_000, Some("Ana"), "yes")
        );
        let h = one("**Ana** [00:00:01]", BRACKETS);
        assert_eq!(
            h.form,
            Some(SpeakerForm::Inline {
                bold: true,
                colon: false
            })
        );
        let h = one("Ana de la Cruz  75:12", Style::Otter);
        assert_eq!((h.start.ms, h.speaker), (4_512_000, Some("Ana de la Cruz")));
        let h = one("0:03", Style::Otter);
        assert_eq!((h.start.ms, h.speaker), (3_000, None));
        let h = one("00:10 主持人：你好", Style::Unbracketed);
        assert_eq!(
            (h.start.ms, h.speaker, h.text),
            (10_000, Some("主持人"), "你好")
        );
    }

    #[test]
    fn traps_are_not_headings_or_speakers() {
        assert_eq!(heading("10:30 am we met", Style::Unbracketed), None);
        assert_eq!(heading("10:30 P.M. sharp", Style::Unbracketed), None);
        assert_eq!(heading("we met at 10:30", Style::Otter), None);
        assert_eq!(heading("Ana (host) said", PARENS), None);
        for rest in [
            "Note: the audio drops here",
            "see https://example.com: it works",
            "So here's the thing: it works",
            "Well, it was late. Then: nothing",
        ] {
            assert_eq!(split_speaker(rest), Label::none(rest), "{rest:?}");
        }
        let label = split_speaker("Macedo, Jr.: ok");
        assert_eq!((label.speaker, label.text), (Some("Macedo, Jr."), "ok"));
        let label = split_speaker("speaker 1: ok");
        assert_eq!((label.speaker, label.text), (Some("speaker 1"), "ok"));
        assert_eq!(split_speaker(": Ana: hi"), Label::none("Ana: hi"));
        let label = split_speaker("主持人：你好");
        assert_eq!(
            (label.speaker, label.text, label.wide),
            (Some("主持人"), "你好", true)
        );
    }

    #[test]
    fn style_is_chosen_by_score() {
        assert!(looks_like("[00:00] a\n[00:05] b\n"));
        assert!(looks_like("Ana  0:03\nhello there\n\nBo  0:09\nhi\n"));
        assert!(!looks_like("10:30 we met.\nThen we left.\n"));
        assert!(!looks_like("nothing timed\n"));
        let (style, count, _) =
            best_style("Ana (00:01): hi\n[note] (00:02)\nBo (00:03): yo\n".lines());
        assert_eq!((style, count), (PARENS, 2));
    }

    #[test]
    fn records_continue_and_ends_are_derived() {
        let t = parse("intro\n\nAna  0:03\nfirst line\n\nsecond para\n\nBo  0:10\none two three\n")
            .expect("parses");
        assert_eq!(t.speakers, vec!["Ana", "Bo"]);
        let got: Vec<_> = t
            .segments
            .iter()
            .map(|s| (s.start_ms, s.end_ms, s.end_derived, s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3_000, 10_000, true, "first line\nsecond para"),
                (10_000, 11_200, true, "one two three"),
            ]
        );
        assert_eq!(t.warnings.len(), 1);
        assert_eq!(t.warnings[0].line, 1);
    }

    #[test]
    fn broken_and_truncated_records_warn() {
        let t =
            parse("[00:01] Ana: a\n[00:61] Bo: b\n\u{1}\n[00:05] Bo: c\n[00:0").expect("parses");
        assert_eq!(t.segments.len(), 2);
        let lines: Vec<usize> = t.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert_eq!(parse("[00:6x] a\n").map(|_| ()).unwrap_err().line, 1);
        assert_eq!(parse("just words\n").map(|_| ()).unwrap_err().line, 1);
    }

    #[test]
    fn untimed_turns_keep_names_and_text() {
        let mut t = Transcript::new(Format::Srt);
        let ana = t.intern_speaker("Ana");
        for (speaker, text) in [
            (ana, "Hello,\nthere."),
            (ana, "Yes."),
            (None, "Bo: hi"),
            (None, ""),
        ] {
            t.segments.push(Segment {
                speaker,
                text: text.to_owned(),
                ..Segment::default()
            });
        }
        let options = TextOptions { timestamps: false };
        assert_eq!(write(&t, &options), "Ana: Hello, there. Yes.\n\nBo: hi\n");
        t.format = Format::Text;
        assert_eq!(write(&t, &options), "Ana: Hello, there. Yes.\n\nBo: hi\n");
    }

    #[test]
    fn huge_times_do_not_overflow() {
        let t = parse("[5000000000000:00:00] one two\n").expect("parses");
        assert_eq!(t.segments[0].start_ms, 18_000_000_000_000_000_000);
        assert_eq!(t.segments[0].end_ms, 18_000_000_000_000_000_800);
        let t = parse("[5124095576030:25:51] one two\n").expect("parses");
        assert_eq!(t.segments[0].end_ms, u64::MAX);
    }

    #[test]
    fn writes_back_what_it_read() {
        for text in [
            "[00:00:01] Ana: hello\n\n[00:00:05] : Bo: ok\n\n[00:00:09] Bo: yes\n",
            "Speaker 1 (00:00):\nline one\nline two\nSpeaker 2 (00:07):\n\\Speaker 1 (00:09):\n",
            "Ana  0:03\nfirst\n\nBo  1:02:03\nsecond\n",
            "0:00\nintro\n\n0:05\n\\0:07\n",
            "00:01 : am I late\n00:04 Bo: no\n",
            "**Ana** [00:00:01]\nhi\n\n[00:00:04]\n\\[00:00:05] quoted\n",
        ] {
            let t = parse(text).expect("parses");
            assert_eq!(write(&t, &TextOptions::default()), text);
        }
    }
}
