//! SubRip (`.srt`): reading it as tolerantly as real files demand and writing
//! it back, canonically or with the source's own quirks. It never panics and
//! never refuses a file for one broken cue; decoding (BOM, CRLF, UTF-16,
//! Windows-1252) happened before it sees the text.
//!
//! ```text
//! 1
//! 00:00:01,000 --> 00:00:02,500
//! Anna: <i>Hello</i> there.
//!
//! ```
//!
//! Reading rules (ambiguous cases decided here, tested below and in
//! `tests/srt.rs`):
//! - A cue is an optional index line, a timing line `TS --> TS [coordinates]`
//!   (`-- >` too, `.` or `,` fractions, missing or 1–2 digit fractions), then
//!   text lines up to a blank line.
//! - A timing line right after text starts a new cue; the text line before it
//!   is that cue's index when it is a bare integer.
//! - After a blank line, an index-like line (`7`, `-3`, `1.0`) is an index when
//!   the next non-blank line is a timing line; a line that is the next expected
//!   number (this cue's + 1) with no timing line after it is a broken cue, or
//!   at the end of the file a truncated one (skipped with a warning); any other
//!   text continues the cue (a blank line inside text).
//! - A line with `-->` that does not parse skips its cue with a warning; text
//!   before the first cue is skipped with a warning. Only a file with no cue at
//!   all fails.
//! - Speakers: see [`super::speaker`] for the label styles. `[..]:`, `(speaker
//!   N)` and `>>` are always labels. `Name:` labels count when the name is
//!   ASR-style (`SPEAKER_00`) or the file is a labelled one: some `Name:`
//!   labels two cues, or 3/4 of the cues carry a label (then a one-off guest
//!   counts too). So a lone `Note: ...` in a film's subtitles stays text.
//! - Carrying speakers forward: a file labels "only on change" when some
//!   unlabelled cue follows a labelled one, at least one label changes the
//!   speaker, and no label repeats the speaker already current. Only such
//!   files carry the last named speaker into unlabelled cues (marked with
//!   `speaker_label = Some("")`). The canonical writer labels every cue that
//!   has a speaker; when its output would still read this way (`A`, none,
//!   `B`), the speakerless cue after a named one gets `>> ` so it does not
//!   inherit `A`.
//! - The canonical writer also writes `[Name]: ` instead of `Name: ` when the
//!   latter would not read back (a name that is not name-like, or too few
//!   labels for a labelled file), and writes the first character of text that
//!   would read as a label, a timing line or dash parts as `&#NN;`.
//! - Dash cues: a cue whose first line starts with `-` and that has another
//!   line starting with `-` is split into one segment per dash line (lines
//!   without a dash continue the part above), all with the cue's times, the
//!   later ones with `joins_previous`. A cue with a single dash line is text.
//! - Display text strips tags and `{\..}` overrides, decodes entities, trims
//!   lines and drops blank ones; the raw text keeps all of it when different.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;

use super::error::ParseFailure;
use super::format::Format;
use super::markup::{escape_entities, strip_tags};
use super::model::{Segment, SpeakerId, Transcript};
use super::speaker::{LabelKind, is_generic_name, speaker_prefix};
use super::time::{TimeStyle, Timestamp, count_blanks, parse_timestamp, write_timestamp};

/// The message of the failure when a file has no cue at all.
const EXPECTED_TIMING: &str = "expected a timing line like 00:00:01,000 --> 00:00:02,000";

/// A timing line, split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Timing<'a> {
    start: Timestamp,
    end: Timestamp,
    /// Coordinates (`X1:40 X2:600 Y1:20 Y2:50`) or anything else after the end
    /// time, with the whitespace before it, so a write-back keeps the spacing.
    settings: &'a str,
}

/// Reads a timing line: `Err(None)` for a line that is not meant as one,
/// `Err(Some(expected))` for one that has `-->` but does not parse.
fn parse_timing(line: &str) -> Result<Timing<'_>, Option<&'static str>> {
    let bytes = line.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_digit) {
        // Text lines, the common case, are rejected without a search.
        return Err(None);
    }
    // Only a line with an arrow was meant as a timing line (`10:30 sharp` is text).
    let broken = |expected| {
        let meant_as_timing = memchr::memmem::find(bytes, b"-->").is_some()
            || memchr::memmem::find(bytes, b"-- >").is_some();
        Err(Some(expected).filter(|_| meant_as_timing))
    };
    let Some(start) = parse_timestamp(bytes) else {
        return broken("expected a start time like 00:00:01,000 before \"-->\"");
    };
    let mut at = start.len + count_blanks(&bytes[start.len..]);
    let arrow_len = if line[at..].starts_with("-->") {
        3
    } else if line[at..].starts_with("-- >") {
        4
    } else {
        return broken("expected \"-->\" after the start time");
    };
    at += arrow_len;
    at += count_blanks(&bytes[at..]);
    let Some(end) = parse_timestamp(&bytes[at..]) else {
        return broken("expected an end time like 00:00:02,000 after \"-->\"");
    };
    at += end.len;
    let settings = &line[at..];
    if !settings.is_empty() && !settings.starts_with([' ', '\t']) {
        return broken("expected a space or the line end after the end time");
    }
    Ok(Timing {
        start,
        end,
        settings: settings.trim_end(),
    })
}

/// `7`, `-3`, `1.0`: what real files put on the index line.
fn is_index_like(line: &str) -> bool {
    let digits = line.strip_prefix('-').unwrap_or(line);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "1"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn is_bare_integer(line: &str) -> bool {
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

/// The index line is "simply the 1-based position" and needs no extra.
fn is_position(index: &str, position: usize) -> bool {
    is_bare_integer(index) && !index.starts_with('0') && index.parse() == Ok(position)
}

/// The length of a speaker dash (`- ` or `-`) at the start of a line; `--`
/// (a dash standing for an em dash) is not one.
fn dash_len(line: &str) -> Option<usize> {
    let rest = line.strip_prefix('-')?;
    if rest.starts_with('-') {
        return None;
    }
    Some(1 + count_blanks(rest.as_bytes()))
}

/// Lines of the text, trimmed, with their 1-based numbers; can look ahead.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line_no: usize,
}

impl<'a> Lines<'a> {
    fn trim(line: &str) -> &str {
        line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
    }

    /// The next non-blank line, without consuming anything.
    fn peek_nonblank(&self) -> Option<&'a str> {
        let mut pos = self.pos;
        while pos < self.text.len() {
            let end = memchr::memchr(b'\n', &self.text.as_bytes()[pos..])
                .map_or(self.text.len(), |i| pos + i);
            let line = Self::trim(&self.text[pos..end]);
            if !line.is_empty() {
                return Some(line);
            }
            pos = end + 1;
        }
        None
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos > self.text.len() || (self.pos == self.text.len() && self.line_no > 0) {
            return None;
        }
        let end = memchr::memchr(b'\n', &self.text.as_bytes()[self.pos..])
            .map_or(self.text.len(), |i| self.pos + i);
        let line = &self.text[self.pos..end];
        self.pos = end + 1;
        self.line_no += 1;
        Some((self.line_no, Self::trim(line)))
    }
}

/// Where a cue starts: its timing line and the index line before it.
#[derive(Debug, Clone, Copy)]
struct CueHead<'a> {
    /// The 1-based line of the timing line.
    line_no: usize,
    index: Option<&'a str>,
    timing: Timing<'a>,
}

/// A cue being read: its head and text lines so far.
struct OpenCue<'a> {
    head: CueHead<'a>,
    /// The cue's number: its index when that is an integer, else its position.
    number: usize,
    raw: String,
    text_lines: usize,
    /// Blank lines read since the last text line.
    blank_run: usize,
    /// Where the last text line starts in `raw`.
    last_line_at: usize,
    /// The last text line as read ("" before the first).
    last_line: &'a str,
}

impl<'a> OpenCue<'a> {
    fn push_line(&mut self, line: &'a str) {
        let newlines = self.blank_run + usize::from(self.text_lines > 0);
        for _ in 0..newlines {
            self.raw.push('\n');
        }
        self.last_line_at = self.raw.len();
        self.raw.push_str(line);
        self.last_line = line;
        self.text_lines += 1;
        self.blank_run = 0;
    }

    /// Removes the last text line, which turned out to be the next cue's index.
    fn pop_line(&mut self) {
        self.raw.truncate(self.last_line_at.saturating_sub(1));
        self.text_lines -= 1;
        self.last_line = "";
    }
}

/// A speaker label found in a part's raw text, as byte ranges of that text.
#[derive(Debug, Clone)]
struct FoundLabel {
    kind: LabelKind,
    name: Range<usize>,
    /// Where the label (dash included) ends.
    end: usize,
}

/// What is known about a segment while its raw text is still in `text` and
/// its label not yet decided.
struct Part {
    /// Part of a dash cue (one of several voices in one cue).
    dashed: bool,
    /// Length of the dash prefix (0 when not dashed).
    dash_len: usize,
    label: Option<FoundLabel>,
}

fn found_label(raw: &str, from: usize) -> Option<FoundLabel> {
    let rest = &raw[from..];
    let first_line = rest.split('\n').next().unwrap_or("");
    let prefix = speaker_prefix(first_line)?;
    // The name is a slice of the line, except an unnamed label's "".
    let name_at = from
        + (prefix.name.as_ptr() as usize)
            .checked_sub(first_line.as_ptr() as usize)
            .filter(|offset| {
                !prefix.name.is_empty() && offset + prefix.name.len() <= first_line.len()
            })
            .unwrap_or(0);
    Some(FoundLabel {
        kind: prefix.kind,
        name: name_at..name_at + prefix.name.len(),
        end: from + prefix.label.len(),
    })
}

/// Reads the whole file into cues; the parts come out with raw text and
/// candidate labels, speakers are decided afterwards over the whole file.
struct Reader<'a> {
    transcript: Transcript,
    parts: Vec<Part>,
    cues: usize,
    first_problem: Option<usize>,
    pending_index: Option<(usize, &'a str)>,
    skipping: bool,
}

impl<'a> Reader<'a> {
    fn problem(&mut self, line_no: usize, message: impl Into<String>) {
        self.first_problem.get_or_insert(line_no);
        self.transcript.warn(line_no, message);
    }

    /// A line that is neither blank nor timing.
    fn text_line(
        &mut self,
        cue: &mut Option<OpenCue<'a>>,
        lines: &Lines<'a>,
        line_no: usize,
        line: &'a str,
    ) {
        if let Some(open) = cue.as_mut() {
            if open.blank_run == 0 || !is_index_like(line) {
                open.push_line(line);
                return;
            }
            let next = lines.peek_nonblank();
            let next_is_timing = next.is_some_and(|next| !matches!(parse_timing(next), Err(None)));
            if next_is_timing {
                self.pending_index = Some((line_no, line));
            } else if is_position(line, open.number + 1) {
                // The next cue's number with no timing line after it: a broken
                // cue, or (at the end) a truncated file.
                if next.is_none() {
                    self.pending_index = Some((line_no, line));
                    return;
                }
                // The next cue's number with no timing line after it.
                if let Some(done) = cue.take() {
                    self.finish(done);
                }
                self.problem(line_no + 1, format!("skipped a cue: {EXPECTED_TIMING}"));
                self.skipping = true;
            } else {
                open.push_line(line);
            }
            return;
        }
        if is_index_like(line) {
            if let Some((previous, _)) = self.pending_index.replace((line_no, line)) {
                self.problem(
                    previous,
                    "skipped an index line with no timing line after it",
                );
            }
        } else if self.pending_index.take().is_some() {
            self.problem(line_no, format!("skipped a cue: {EXPECTED_TIMING}"));
            self.skipping = true;
        } else if self.cues == 0 {
            self.problem(line_no, "skipped text before the first cue");
        } else {
            self.problem(line_no, "skipped text outside a cue");
        }
    }

    /// Turns a complete cue into segments (one, or one per dash line), pushed
    /// with their raw text; speakers are decided later over the whole file.
    fn finish(&mut self, cue: OpenCue<'a>) {
        self.cues += 1;
        let raw = cue.raw;
        let dashed = dash_len(&raw).is_some()
            && raw.split('\n').skip(1).any(|line| dash_len(line).is_some());
        if !dashed {
            let label = found_label(&raw, 0);
            self.push_part(&cue.head, raw, 0, label, false);
            return;
        }
        let mut starts = raw
            .match_indices('\n')
            .map(|(at, _)| at + 1)
            .filter(|&at| dash_len(&raw[at..]).is_some());
        let mut from = 0;
        loop {
            let to = starts.next().unwrap_or(raw.len() + 1);
            let part_raw = raw[from..to - 1].to_owned();
            let dash = dash_len(&part_raw).unwrap_or(0);
            let label = found_label(&part_raw, dash);
            self.push_part(&cue.head, part_raw, dash, label, from > 0);
            if to > raw.len() {
                break;
            }
            from = to;
        }
    }

    /// Pushes one segment of the current cue (raw text in `text` for now).
    fn push_part(
        &mut self,
        head: &CueHead<'_>,
        raw: String,
        dash_len: usize,
        label: Option<FoundLabel>,
        joins_previous: bool,
    ) {
        let timing = &head.timing;
        let mut segment = Segment {
            start_ms: timing.start.ms,
            end_ms: timing.end.ms,
            text: raw,
            ..Segment::default()
        };
        if joins_previous {
            segment.extra_mut().joins_previous = true;
        } else {
            match head.index {
                Some(index) if is_position(index, self.cues) => {}
                Some(index) => segment.extra_mut().cue_id = Some(index.to_owned()),
                None => segment.extra_mut().cue_id = Some(String::new()),
            }
            if !timing.settings.is_empty() {
                segment.extra_mut().settings = Some(timing.settings.to_owned());
            }
        }
        self.transcript.push(segment, head.line_no);
        self.parts.push(Part {
            dashed: dash_len > 0,
            dash_len,
            label,
        });
    }

    fn read(&mut self, text: &'a str) {
        let mut lines = Lines {
            text,
            pos: 0,
            line_no: 0,
        };
        let mut cue: Option<OpenCue<'a>> = None;
        while let Some((line_no, line)) = lines.next() {
            if line.is_empty() {
                if let Some(cue) = cue.as_mut() {
                    cue.blank_run += 1;
                }
                self.skipping = false;
                continue;
            }
            match parse_timing(line) {
                Ok(timing) => {
                    let mut index = self.pending_index.take().map(|(_, index)| index);
                    if let Some(open) = cue.as_mut()
                        && index.is_none()
                        && open.blank_run == 0
                        && is_bare_integer(open.last_line)
                    {
                        // Text ran into this cue without a blank line: its
                        // last line was this cue's index.
                        index = Some(open.last_line);
                        open.pop_line();
                    }
                    if let Some(done) = cue.take() {
                        self.finish(done);
                    }
                    if self.cues == 0 {
                        // The first timing line sets the style a write-back
                        // uses; SRT's `,` when it had no fraction to show one.
                        self.transcript.time_style = timing.start.style();
                        if timing.start.frac_sep == 0 {
                            self.transcript.time_style.frac_sep = b',';
                        }
                    }
                    let number = index
                        .and_then(|index| index.parse().ok())
                        .unwrap_or(self.cues + 1);
                    cue = Some(OpenCue {
                        head: CueHead {
                            line_no,
                            index,
                            timing,
                        },
                        number,
                        raw: String::new(),
                        text_lines: 0,
                        blank_run: 0,
                        last_line_at: 0,
                        last_line: "",
                    });
                    self.skipping = false;
                }
                Err(Some(expected)) => {
                    if let Some(done) = cue.take() {
                        self.finish(done);
                    }
                    self.pending_index = None;
                    self.problem(line_no, format!("skipped a cue: {expected}"));
                    self.skipping = true;
                }
                Err(None) => {
                    if self.skipping {
                        continue;
                    }
                    self.text_line(&mut cue, &lines, line_no, line);
                }
            }
        }
        if let Some(open) = cue {
            if open.text_lines == 0 {
                self.transcript.warn(
                    open.head.line_no,
                    "the last cue has no text; the file may be truncated",
                );
            }
            self.finish(open);
        }
        if let Some((line_no, _)) = self.pending_index.take() {
            self.transcript.warn(
                line_no,
                "the file ends after an index line; the file may be truncated",
            );
            self.first_problem.get_or_insert(line_no + 1);
        }
    }
}

/// Decides which labels are speakers over the whole file (see the module
/// rules) and strips them from the segments' raw text.
fn decide_speakers(transcript: &mut Transcript, parts: &[Part]) {
    let mut segments = std::mem::take(&mut transcript.segments);
    let accepted = accepted_labels(&segments, parts);
    let change_only = labels_only_on_change(&segments, parts, &accepted);
    let mut carried: Option<SpeakerId> = None;
    for ((segment, part), accepted) in segments.iter_mut().zip(parts).zip(accepted) {
        let label_end = match part.label.as_ref().filter(|_| accepted) {
            Some(label) => {
                segment.speaker = transcript.intern_speaker(&segment.text[label.name.clone()]);
                carried = segment.speaker;
                label.end
            }
            None => {
                if part.dashed {
                    carried = None;
                } else if change_only && carried.is_some() {
                    segment.speaker = carried;
                    segment.extra_mut().speaker_label = Some(String::new());
                }
                part.dash_len
            }
        };
        if label_end > 0 {
            let written = &segment.text[..label_end];
            let name = transcript.speaker_name(segment.speaker);
            let canonical = if part.dashed {
                written.strip_prefix("- ")
            } else {
                Some(written)
            }
            .is_some_and(|rest| is_canonical_label(rest, name));
            if !canonical {
                let written = written.to_owned();
                segment.extra_mut().speaker_label = Some(written);
            }
            segment.text.drain(..label_end);
        }
        let raw = std::mem::take(&mut segment.text);
        let display = match display_text(&raw) {
            Cow::Borrowed(_) => None,
            Cow::Owned(display) => Some(display).filter(|d| *d != raw),
        };
        match display {
            Some(display) => {
                segment.text = display;
                segment.raw = Some(raw);
            }
            None => segment.text = raw,
        }
    }
    transcript.segments = segments;
}

/// Which found labels are speakers: all but `Name:` ones, and those when the
/// name is ASR-style, or the file is labelled: some name labels two cues, or
/// 3/4 of the cues carry a label.
fn accepted_labels(segments: &[Segment], parts: &[Part]) -> Vec<bool> {
    let mut name_counts: HashMap<&str, u32> = HashMap::new();
    let mut labelled = 0;
    for (segment, part) in segments.iter().zip(parts) {
        if let Some(label) = &part.label {
            labelled += 1;
            if label.kind == LabelKind::Name {
                *name_counts
                    .entry(&segment.text[label.name.clone()])
                    .or_default() += 1;
            }
        }
    }
    let labelled_file =
        labelled * 4 >= parts.len() * 3 || name_counts.values().any(|count| *count >= 2);
    segments
        .iter()
        .zip(parts)
        .map(|(segment, part)| {
            part.label.as_ref().is_some_and(|label| {
                let name = &segment.text[label.name.clone()];
                label.kind != LabelKind::Name || labelled_file || is_generic_name(name)
            })
        })
        .collect()
}

/// `Name: ` for a speaker, nothing for none: what the canonical writer puts.
fn is_canonical_label(label: &str, name: &str) -> bool {
    if name.is_empty() {
        return label.is_empty();
    }
    label.len() == name.len() + 2 && label.starts_with(name) && label.ends_with(": ")
}

/// Whether the file names a speaker only when the speaker changes (see the
/// module rules).
fn labels_only_on_change(segments: &[Segment], parts: &[Part], accepted: &[bool]) -> bool {
    let mut current: Option<&str> = None;
    let mut changes = 0;
    let mut unlabelled_after_label = false;
    for ((segment, part), accepted) in segments.iter().zip(parts).zip(accepted) {
        match part.label.as_ref().filter(|_| *accepted) {
            Some(label) => {
                let name = &segment.text[label.name.clone()];
                if name.is_empty() {
                    current = None;
                    continue;
                }
                if current == Some(name) {
                    return false;
                }
                if current.is_some() {
                    changes += 1;
                }
                current = Some(name);
            }
            None if part.dashed => current = None,
            None => unlabelled_after_label |= current.is_some(),
        }
    }
    unlabelled_after_label && changes > 0
}

/// Display text from a cue's raw text: tags and overrides stripped, entities
/// decoded, lines trimmed, blank lines dropped.
fn display_text(raw: &str) -> Cow<'_, str> {
    let stripped = strip_tags(raw);
    let clean = stripped
        .split('\n')
        .all(|line| !line.is_empty() && Lines::trim(line).len() == line.len());
    if clean || stripped.is_empty() {
        return stripped;
    }
    let mut out = String::with_capacity(stripped.len());
    for line in stripped
        .split('\n')
        .map(Lines::trim)
        .filter(|l| !l.is_empty())
    {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    Cow::Owned(out)
}

/// Parses SubRip. Fails only when the file has no cue at all.
pub(super) fn parse(text: &str) -> Result<Transcript, ParseFailure> {
    let mut reader = Reader {
        transcript: Transcript::new(Format::Srt),
        parts: Vec::new(),
        cues: 0,
        first_problem: None,
        pending_index: None,
        skipping: false,
    };
    reader.read(text);
    if reader.transcript.segments.is_empty() {
        return Err(ParseFailure::new(
            reader.first_problem.unwrap_or(1),
            EXPECTED_TIMING,
        ));
    }
    let mut transcript = reader.transcript;
    decide_speakers(&mut transcript, &reader.parts);
    transcript.warnings.sort_by_key(|warning| warning.line);
    Ok(transcript)
}

/// How a canonical write labels speakers so that the reader's file-level
/// rules (see the module docs) read every label back, and no text as one.
#[derive(Debug, Default)]
struct LabelPlan {
    /// Per speaker: write `[Name]: ` because `Name: ` would not read back
    /// (not name-like, or the file would not count as labelled).
    bracketed: Vec<bool>,
    /// Text starting like `Word: ` on a speakerless segment would read as a
    /// label, so it is guarded.
    guard_name_text: bool,
    /// The output would read as labelling only on change, so a speakerless
    /// segment after a named one gets `>> ` (a change of speaker, no name)
    /// instead of inheriting the name.
    chevrons_after_speaker: bool,
}

impl LabelPlan {
    fn for_canonical(transcript: &Transcript) -> Self {
        let segments = &transcript.segments;
        let name_reads_back: Vec<bool> = transcript
            .speakers
            .iter()
            .map(|name| {
                speaker_prefix(&format!("{name}: x"))
                    .is_some_and(|p| p.kind == LabelKind::Name && p.name == name)
            })
            .collect();
        let mut counts: HashMap<&str, u32> = HashMap::new();
        let mut labelled = 0;
        for segment in segments {
            if let Some(id) = segment.speaker {
                labelled += 1;
                if name_reads_back.get(id.0 as usize) == Some(&true) {
                    *counts.entry(transcript.speaker_name(Some(id))).or_default() += 1;
                }
            }
        }
        let is_labelled_file = |counts: &HashMap<&str, u32>, labelled: usize| {
            counts.values().any(|count| *count >= 2) || labelled * 4 >= segments.len() * 3
        };
        let names_read_back = is_labelled_file(&counts, labelled);
        if !names_read_back {
            // Bracketed labels are always read as labels but are not `Name:` ones.
            counts.clear();
        }
        let chevrons_after_speaker = reads_as_change_only(segments);
        let joins = |s: &Segment| s.extra.as_ref().is_some_and(|e| e.joins_previous);
        for (i, segment) in segments.iter().enumerate() {
            if segment.speaker.is_some() {
                continue;
            }
            let previous_named = i > 0 && segments[i - 1].speaker.is_some();
            let dashed = joins(segment) || segments.get(i + 1).is_some_and(joins);
            if chevrons_after_speaker && previous_named && !dashed {
                // Gets `>> `, itself a label.
                labelled += 1;
                continue;
            }
            let first = segment
                .text
                .split('\n')
                .map(Lines::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("");
            if let Some(prefix) = speaker_prefix(first) {
                labelled += 1;
                if prefix.kind == LabelKind::Name {
                    *counts.entry(prefix.name).or_default() += 1;
                }
            }
        }
        LabelPlan {
            bracketed: name_reads_back
                .iter()
                .map(|reads_back| !reads_back || !names_read_back)
                .collect(),
            guard_name_text: is_labelled_file(&counts, labelled),
            chevrons_after_speaker,
        }
    }
}

/// Whether canonical output of these segments (every speaker labelled) would
/// meet [`labels_only_on_change`].
fn reads_as_change_only(segments: &[Segment]) -> bool {
    let joins = |s: &Segment| s.extra.as_ref().is_some_and(|e| e.joins_previous);
    let mut current: Option<SpeakerId> = None;
    let mut changes = 0;
    let mut unlabelled_after_label = false;
    for (i, segment) in segments.iter().enumerate() {
        let dashed = joins(segment) || segments.get(i + 1).is_some_and(joins);
        match segment.speaker {
            Some(id) if current == Some(id) => return false,
            Some(id) => {
                changes += usize::from(current.is_some());
                current = Some(id);
            }
            None if dashed => current = None,
            None => unlabelled_after_label |= current.is_some(),
        }
    }
    unlabelled_after_label && changes > 0
}

/// Writes SubRip: canonical `N`, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, `Name: text`,
/// blank line; a transcript read from SRT keeps its index strings,
/// coordinates, time style, speaker labels and raw markup. Whether a
/// `Name:` label reads as a label depends on the whole file (see the module
/// docs), so when edits changed that, an SRT file's labels as read would
/// no longer read back: its speakers are then labelled as a canonical write
/// plans them (labels that would not read back are bracketed).
pub(super) fn write(transcript: &Transcript) -> String {
    if transcript.format == Format::Srt {
        let as_read = write_with(transcript, &LabelPlan::default());
        if speakers_read_back(&as_read, transcript) {
            return as_read;
        }
    }
    write_with(transcript, &LabelPlan::for_canonical(transcript))
}

/// Whether `text` reads back with the speaker of each of `transcript`'s lines.
fn speakers_read_back(text: &str, transcript: &Transcript) -> bool {
    let Ok(read) = parse(text) else {
        return false;
    };
    read.segments.len() == transcript.segments.len()
        && read
            .segments
            .iter()
            .zip(&transcript.segments)
            .all(|(a, b)| read.speaker_name(a.speaker) == transcript.speaker_name(b.speaker))
}

fn write_with(transcript: &Transcript, plan: &LabelPlan) -> String {
    let own = transcript.format == Format::Srt;
    let style = if own {
        transcript.time_style
    } else {
        Format::Srt.default_time_style()
    };
    let segments = &transcript.segments;
    let mut out = String::with_capacity(segments.len() * 96);
    let mut cue_no = 0usize;
    let mut previous_speaker: Option<SpeakerId> = None;
    let mut at = 0;
    while let Some(first) = segments.get(at) {
        let group_len = 1 + segments[at + 1..]
            .iter()
            .take_while(|s| s.extra.as_ref().is_some_and(|e| e.joins_previous))
            .count();
        cue_no += 1;
        let extra = first.extra.as_deref().filter(|_| own);
        match extra.and_then(|e| e.cue_id.as_deref()) {
            // A missing index stays missing unless the previous cue's last
            // line would then read as this cue's index.
            Some("") if !ends_with_index_like_line(&out) => {}
            Some(index) if !index.is_empty() => {
                out.push_str(index);
                out.push('\n');
            }
            _ => {
                // Writing to a String cannot fail.
                let _ = writeln!(out, "{cue_no}");
            }
        }
        write_timestamp(&mut out, first.start_ms, exact_style(first.start_ms, style));
        out.push_str(" --> ");
        write_timestamp(&mut out, first.end_ms, exact_style(first.end_ms, style));
        if let Some(settings) = extra
            .and_then(|e| e.settings.as_deref())
            .filter(|s| !s.is_empty())
        {
            out.push_str(settings);
        }
        out.push('\n');
        let dashed = group_len > 1;
        for segment in &segments[at..at + group_len] {
            let line_start = out.len();
            let labelled = write_label(
                &mut out,
                transcript,
                segment,
                dashed,
                previous_speaker,
                plan,
            );
            let place = Place {
                after_label: labelled,
                dashed,
                // A file read as SRT already decided which `Name:` were labels.
                guard_name_text: plan.guard_name_text,
            };
            write_body(&mut out, segment, own, place);
            if out.len() > line_start {
                out.push('\n');
            }
            previous_speaker = segment.speaker;
        }
        out.push('\n');
        at += group_len;
    }
    out
}

/// Whether the last non-blank line written so far looks like an index and
/// stands alone after a blank line, where a reader would take it as the next
/// cue's index.
fn ends_with_index_like_line(out: &str) -> bool {
    let mut lines = out.trim_end_matches('\n').rsplit('\n').map(Lines::trim);
    let last = lines.next().unwrap_or("");
    is_index_like(last) && lines.next().is_some_and(str::is_empty)
}

/// The file's time style, or the same with three fraction digits when fewer
/// would drop milliseconds (`.5` was fine for 1500 ms but not for 2250 ms).
fn exact_style(ms: u64, style: TimeStyle) -> TimeStyle {
    let digits = u32::from(style.frac_digits.min(3));
    if ms.is_multiple_of(10u64.pow(3 - digits)) {
        return style;
    }
    TimeStyle {
        frac_digits: 3,
        ..style
    }
}

/// Writes the segment's speaker label (and dash in a dash cue); returns
/// whether a speaker label, not just a dash, was written.
fn write_label(
    out: &mut String,
    transcript: &Transcript,
    segment: &Segment,
    dashed: bool,
    previous_speaker: Option<SpeakerId>,
    plan: &LabelPlan,
) -> bool {
    let name = transcript.speaker_name(segment.speaker);
    let written = segment
        .extra
        .as_ref()
        .filter(|_| transcript.format == Format::Srt)
        .and_then(|e| e.speaker_label.as_deref());
    if plan.chevrons_after_speaker
        && !dashed
        && segment.speaker.is_none()
        && previous_speaker.is_some()
    {
        out.push_str(">> ");
        return true;
    }
    // A `Name:` label the plan brackets would not read back as written.
    let lapsed = |label: &str| {
        let bracketed = segment
            .speaker
            .is_some_and(|id| plan.bracketed.get(id.0 as usize) == Some(&true));
        bracketed
            && speaker_prefix(label)
                .is_some_and(|p| p.kind == LabelKind::Name && !is_generic_name(p.name))
    };
    match written {
        Some("") if !dashed && segment.speaker == previous_speaker => return false,
        Some(label) if !label.is_empty() && label_fits(label, name, dashed) && !lapsed(label) => {
            out.push_str(label);
            return dash_len(label).map_or(label.len(), |len| label.len() - len) > 0;
        }
        _ => {}
    }
    if dashed {
        out.push_str("- ");
    }
    let bracketed = segment
        .speaker
        .is_some_and(|id| plan.bracketed.get(id.0 as usize) == Some(&true));
    if bracketed {
        out.push('[');
        out.push_str(name);
        out.push_str("]: ");
    } else if !name.is_empty() {
        out.push_str(name);
        out.push_str(": ");
    }
    !name.is_empty()
}

/// Whether a label as written still names the segment's speaker (it may have
/// been renamed or reassigned since).
fn label_fits(label: &str, name: &str, dashed: bool) -> bool {
    let rest = match dash_len(label) {
        Some(len) if dashed => &label[len..],
        Some(_) => return false,
        None if dashed => return false,
        None => label,
    };
    if rest.is_empty() {
        return name.is_empty();
    }
    speaker_prefix(rest).is_some_and(|prefix| prefix.label == rest && prefix.name.trim() == name)
}

/// Where a segment's text lands in the written cue, for [`write_body`].
#[derive(Debug, Clone, Copy)]
struct Place {
    /// A speaker label was written before the text.
    after_label: bool,
    /// The segment is one part of a dash cue.
    dashed: bool,
    /// A `Name:` at the start of speakerless text would read as a label.
    guard_name_text: bool,
}

/// Writes the segment's text: its raw text when the transcript is SRT and
/// the raw text still displays as the text, else the display text, with
/// markup characters escaped and a line start that would read back as
/// something else (a label, a timing line, a speaker dash) written as a
/// character reference.
fn write_body(out: &mut String, segment: &Segment, own: bool, place: Place) {
    if let Some(raw) = segment
        .raw
        .as_deref()
        .filter(|raw| own && display_text(raw) == segment.text && raw_reads_back(raw))
    {
        out.push_str(raw);
        return;
    }
    let mut lines = segment
        .text
        .split('\n')
        .map(Lines::trim)
        .filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return;
    };
    let splits_into_dash_parts = || {
        dash_len(first).is_some()
            && segment
                .text
                .split('\n')
                .skip(1)
                .any(|line| dash_len(Lines::trim(line)).is_some())
    };
    let reads_as_label = speaker_prefix(first).is_some_and(|prefix| {
        prefix.kind != LabelKind::Name || place.guard_name_text || is_generic_name(prefix.name)
    });
    // After a dash the line can no longer start a timing line or dash parts.
    let guard_first = !place.after_label
        && (reads_as_label
            || (!place.dashed && (reads_as_timing(first) || splits_into_dash_parts())));
    push_text_line(out, first, guard_first);
    for line in lines {
        out.push('\n');
        let guard = reads_as_timing(line) || (place.dashed && dash_len(line).is_some());
        push_text_line(out, line, guard);
    }
}

/// Whether raw cue text written as it is reads back as the same cue: no line
/// reads as a timing line (which would also make the line before it an index).
fn raw_reads_back(raw: &str) -> bool {
    !raw.split('\n').map(Lines::trim).any(reads_as_timing)
}

/// A line a reader would take as a timing line, broken or not.
fn reads_as_timing(line: &str) -> bool {
    !matches!(parse_timing(line), Err(None))
}

/// Pushes one display line so that it reads back as itself; `guard` writes
/// its first character as a character reference (`&#91;SPEAKER_00]: ...`).
fn push_text_line(out: &mut String, line: &str, guard: bool) {
    let escape = display_text(line) != line;
    let mut rest = line;
    if guard && let Some(first) = line.chars().next() {
        // Writing to a String cannot fail.
        let _ = write!(out, "&#{};", u32::from(first));
        rest = &line[first.len_utf8()..];
    }
    if !escape {
        out.push_str(rest);
        return;
    }
    let escaped = escape_entities(rest);
    // `{\` would start an override; markup.rs has no escaper for it.
    let mut pieces = escaped.split("{\\");
    if let Some(piece) = pieces.next() {
        out.push_str(piece);
    }
    for piece in pieces {
        out.push_str("&#123;\\");
        out.push_str(piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Transcript {
        parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn texts(t: &Transcript) -> Vec<&str> {
        t.segments.iter().map(|s| s.text.as_str()).collect()
    }

    fn speakers(t: &Transcript) -> Vec<&str> {
        t.segments
            .iter()
            .map(|s| t.speaker_name(s.speaker))
            .collect()
    }

    fn warning_lines(t: &Transcript) -> Vec<usize> {
        t.warnings.iter().map(|w| w.line).collect()
    }

    #[test]
    fn timing_lines() {
        let t = parse_timing("00:00:01,000 --> 00:00:02,500 X1:40 X2:600").expect("timing");
        assert_eq!(
            (t.start.ms, t.end.ms, t.settings),
            (1_000, 2_500, " X1:40 X2:600")
        );
        let t = parse_timing("00:00:01.5 -- > 00:00:02").expect("timing");
        assert_eq!((t.start.ms, t.end.ms), (1_500, 2_000));
        assert_eq!(parse_timing("10:30 is the time"), Err(None));
        assert_eq!(parse_timing("hello --> there"), Err(None));
        assert!(
            matches!(parse_timing("00:00:01,000 --> 00:00:0"), Err(Some(m)) if m.contains("end time"))
        );
        assert!(
            matches!(parse_timing("00:00:01,000 -> 00:00:02,000 -->"), Err(Some(m)) if m.contains("-->"))
        );
        assert!(matches!(
            parse_timing("00:00:01,000 --> 00:00:02,000x"),
            Err(Some(_))
        ));
    }

    #[test]
    fn canonical_cues_carry_no_extra_and_write_back_identically() {
        let text = "1\n00:00:01,000 --> 00:00:02,500\nAnna: Hello there.\nSecond line.\n\n2\n00:00:03,000 --> 00:00:04,000\nBob: Hi.\n\n3\n00:00:05,000 --> 00:00:06,000\nAnna: Bye.\n\n";
        let t = parsed(text);
        assert_eq!(texts(&t), ["Hello there.\nSecond line.", "Hi.", "Bye."]);
        assert_eq!(speakers(&t), ["Anna", "Bob", "Anna"]);
        assert!(
            t.segments
                .iter()
                .all(|s| s.extra.is_none() && s.raw.is_none())
        );
        assert!(t.warnings.is_empty());
        assert_eq!(write(&t), text);
    }

    #[test]
    fn missing_blank_lines_indices_and_blank_lines_inside_text() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\none\n2\n00:00:02,000 --> 00:00:03,000\ntwo\n\nstill two\n\n00:00:03,000 --> 00:00:04,000\nthree\n\n\n-4\n00:00:04,000 --> 00:00:05,000\nfour";
        let t = parsed(text);
        assert_eq!(texts(&t), ["one", "two\nstill two", "three", "four"]);
        assert_eq!(t.segments[1].raw.as_deref(), Some("two\n\nstill two"));
        let ids: Vec<Option<&str>> = t
            .segments
            .iter()
            .map(|s| s.extra.as_ref().and_then(|e| e.cue_id.as_deref()))
            .collect();
        assert_eq!(ids, [None, None, Some(""), Some("-4")]);
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
        let again = parsed(&write(&t));
        assert_eq!(again.segments, t.segments);
    }

    #[test]
    fn broken_cues_are_skipped_with_their_line() {
        let text = "intro\n1\n00:00:01,000 --> 00:00:02,000\none\n\n2\n00:00:0x,000 --> 00:00:03,000\nlost\n\n3\nno timing here\n\n4\n00:00:04,000 --> 00:00:05,000\nfour\n\n5\n";
        let t = parsed(text);
        assert_eq!(texts(&t), ["one", "four"]);
        assert_eq!(warning_lines(&t), [1, 7, 11, 17]);
        assert_eq!(
            t.segments[1]
                .extra
                .as_ref()
                .and_then(|e| e.cue_id.as_deref()),
            Some("4")
        );
    }

    #[test]
    fn nothing_usable_fails_where_a_timing_line_was_expected() {
        let fail = |text| parse(text).map(|_| ()).unwrap_err();
        assert_eq!(fail("1\nhello\n").line, 2);
        assert_eq!(fail("hello\n").line, 1);
        assert_eq!(fail("1\n00:00:01,000 --> 00:0\nx\n").line, 2);
        assert_eq!(fail("1\n").line, 2);
        assert_eq!(fail("1\n").expected, EXPECTED_TIMING);
    }

    #[test]
    fn tags_stay_raw_and_strip_for_display() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Hello</i> &amp; bye\n\n";
        let t = parsed(text);
        assert_eq!(t.segments[0].text, "Hello & bye");
        assert_eq!(
            t.segments[0].raw.as_deref(),
            Some("{\\an8}<i>Hello</i> &amp; bye")
        );
        assert_eq!(write(&t), text);
        let mut edited = t.clone();
        edited.segments[0].text = "Goodbye <3 <i>".into();
        assert_eq!(
            write(&edited),
            "1\n00:00:01,000 --> 00:00:02,000\nGoodbye &lt;3 &lt;i&gt;\n\n"
        );
    }

    #[test]
    fn a_lone_note_is_text_but_recurring_names_are_speakers() {
        let film = "1\n00:00:01,000 --> 00:00:02,000\nNote: the door is open.\n\n2\n00:00:03,000 --> 00:00:04,000\nSo it is.\n\n3\n00:00:05,000 --> 00:00:06,000\nRemember: close it.\n\n";
        let t = parsed(film);
        assert_eq!(speakers(&t), ["", "", ""]);
        assert_eq!(t.segments[0].text, "Note: the door is open.");
        let podcast = "1\n00:00:01,000 --> 00:00:02,000\nHost: Welcome.\n\n2\n00:00:03,000 --> 00:00:04,000\nGuest Star: Thanks.\n\n3\n00:00:05,000 --> 00:00:06,000\nHost: So.\n\n";
        let t = parsed(podcast);
        assert_eq!(speakers(&t), ["Host", "Guest Star", "Host"]);
        let one_offs = "1\n00:00:01,000 --> 00:00:02,000\nAnna: Hi.\n\n2\n00:00:03,000 --> 00:00:04,000\nBob: Hey.\n\n3\n00:00:05,000 --> 00:00:06,000\nCarla: Yo.\n\n4\n00:00:06,000 --> 00:00:07,000\nyes\n\n";
        assert_eq!(
            speakers(&parsed(one_offs)),
            ["Anna", "Bob", "Carla", "Carla"]
        );
    }

    #[test]
    fn names_only_on_change_are_carried_forward() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nAnna: Hi.\n\n2\n00:00:02,000 --> 00:00:03,000\nHow are you?\n\n3\n00:00:03,000 --> 00:00:04,000\nBob: Fine.\n\n4\n00:00:04,000 --> 00:00:05,000\nThanks.\n\n5\n00:00:05,000 --> 00:00:06,000\nAnna: Good.\n\n";
        let t = parsed(text);
        assert_eq!(speakers(&t), ["Anna", "Anna", "Bob", "Bob", "Anna"]);
        assert_eq!(
            t.segments[1]
                .extra
                .as_ref()
                .and_then(|e| e.speaker_label.as_deref()),
            Some("")
        );
        assert_eq!(write(&t), text);
        let mut canonical = t.clone();
        canonical.format = Format::Vtt;
        let labelled = write(&canonical);
        assert!(labelled.contains("Anna: How are you?"), "{labelled}");
        let again = parsed(&labelled);
        assert_eq!(speakers(&again), ["Anna", "Anna", "Bob", "Bob", "Anna"]);
        assert!(again.segments.iter().all(|s| s.extra.is_none()));
    }

    #[test]
    fn repeated_labels_mean_no_carrying() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nAnna: Hi.\n\n2\n00:00:02,000 --> 00:00:03,000\nAnna: Again.\n\n3\n00:00:03,000 --> 00:00:04,000\nBob: Fine.\n\n4\n00:00:04,000 --> 00:00:05,000\n[applause]\n\n";
        assert_eq!(speakers(&parsed(text)), ["Anna", "Anna", "Bob", ""]);
    }

    #[test]
    fn asr_labels_keep_their_spelling() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n[SPEAKER_00]: Hi.\n\n2\n00:00:02,000 --> 00:00:03,000\n(speaker 1) Yo.\n\n3\n00:00:03,000 --> 00:00:04,000\n>> Back to you.\n\n";
        let t = parsed(text);
        assert_eq!(speakers(&t), ["SPEAKER_00", "speaker 1", ""]);
        assert_eq!(texts(&t), ["Hi.", "Yo.", "Back to you."]);
        let labels: Vec<Option<&str>> = t
            .segments
            .iter()
            .map(|s| s.extra.as_ref().and_then(|e| e.speaker_label.as_deref()))
            .collect();
        assert_eq!(
            labels,
            [Some("[SPEAKER_00]: "), Some("(speaker 1) "), Some(">> ")]
        );
        assert_eq!(write(&t), text);
        let mut renamed = t.clone();
        renamed.speakers[0] = "Ana".into();
        assert!(write(&renamed).contains("\nAna: Hi.\n"));
    }

    #[test]
    fn dash_cues_split_and_write_back_as_one() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n- Hi.\n- Hello,\nyou.\n\n2\n00:00:03,000 --> 00:00:04,000\n-Single dash.\n\n";
        let t = parsed(text);
        assert_eq!(texts(&t), ["Hi.", "Hello,\nyou.", "-Single dash."]);
        assert_eq!(t.segments[1].start_ms, 1_000);
        let joins: Vec<bool> = t
            .segments
            .iter()
            .map(|s| s.extra.as_ref().is_some_and(|e| e.joins_previous))
            .collect();
        assert_eq!(joins, [false, true, false]);
        assert!(t.warnings.is_empty());
        assert_eq!(write(&t), text);
        let tight = "1\n00:00:01,000 --> 00:00:02,000\n-Bo: Hi.\n-Anna: Hello.\n\n2\n00:00:03,000 --> 00:00:04,000\n-Bo: Bye.\n-Bye.\n\n";
        let t = parsed(tight);
        assert_eq!(speakers(&t), ["Bo", "Anna", "Bo", ""]);
        assert_eq!(texts(&t), ["Hi.", "Hello.", "Bye.", "Bye."]);
        assert_eq!(write(&t), tight);
    }

    #[test]
    fn text_that_would_read_back_as_something_else_is_guarded() {
        let mut t = Transcript::new(Format::Vtt);
        let anna = t.intern_speaker("Anna");
        let originals = [
            ">> not a label",
            "[SPEAKER_00]: not a speaker",
            "00:00:01,000 --> 00:00:02,000",
            "- not\n- two voices",
            "Note: read as a label here",
            "Anna's line\n-->\n1 --> 2",
        ];
        for (i, text) in originals.into_iter().enumerate() {
            let start_ms = i as u64 * 1_000;
            t.segments.push(Segment {
                start_ms,
                end_ms: start_ms + 1_000,
                text: text.to_owned(),
                ..Segment::default()
            });
        }
        let mut joined = Segment {
            start_ms: 9_000,
            end_ms: 10_000,
            speaker: anna,
            text: "Hi\n-x".into(),
            ..Segment::default()
        };
        t.segments.push(joined.clone());
        joined.extra_mut().joins_previous = true;
        t.segments.push(joined);
        let written = write(&t);
        assert!(written.contains("\n&#62;> not a label\n"), "{written}");
        assert!(written.contains("\n&#78;ote: read"), "{written}");
        assert!(written.contains("\n- Anna: Hi\n&#45;x\n"), "{written}");
        let back = parsed(&written);
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        let expected: Vec<&str> = t.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts(&back), expected);
        assert_eq!(speakers(&back), ["", "", "", "", "", "", "Anna", "Anna"]);
    }

    #[test]
    fn canonical_labels_are_chosen_to_read_back() {
        let mut t = Transcript::new(Format::Vtt);
        let host = t.intern_speaker("dj shadow (host)");
        let anna = t.intern_speaker("Anna");
        for (i, speaker) in [host, None, anna, None].into_iter().enumerate() {
            let start_ms = i as u64 * 1_000;
            t.segments.push(Segment {
                start_ms,
                end_ms: start_ms + 1_000,
                speaker,
                text: format!("line {i}"),
                ..Segment::default()
            });
        }
        let written = write(&t);
        assert_eq!(
            written,
            "1\n00:00:00,000 --> 00:00:01,000\n[dj shadow (host)]: line 0\n\n2\n00:00:01,000 --> 00:00:02,000\n>> line 1\n\n3\n00:00:02,000 --> 00:00:03,000\n[Anna]: line 2\n\n4\n00:00:03,000 --> 00:00:04,000\n>> line 3\n\n"
        );
        let back = parsed(&written);
        assert_eq!(speakers(&back), ["dj shadow (host)", "", "Anna", ""]);
        assert_eq!(texts(&back), ["line 0", "line 1", "line 2", "line 3"]);
    }

    #[test]
    fn own_quirks_survive_a_write_back() {
        let text =
            "01\n0:00:01.5 --> 0:00:02.25 X1:10 X2:20\none\n\n7\n0:00:03.0 --> 0:00:04.0\ntwo\n\n";
        let t = parsed(text);
        assert_eq!(
            (t.segments[0].start_ms, t.segments[0].end_ms),
            (1_500, 2_250)
        );
        let written = write(&t);
        assert_eq!(
            written,
            "01\n0:00:01.5 --> 0:00:02.250 X1:10 X2:20\none\n\n7\n0:00:03.0 --> 0:00:04.0\ntwo\n\n"
        );
        assert_eq!(parsed(&written).segments, t.segments);
        let mut other = t.clone();
        other.format = Format::Range;
        assert_eq!(
            write(&other),
            "1\n00:00:01,500 --> 00:00:02,250\none\n\n2\n00:00:03,000 --> 00:00:04,000\ntwo\n\n"
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "\n\n",
            "-",
            "1",
            "-->",
            "1\n-->\n",
            "é\n00:00:01,000 --> 00:00:02,000\n- é\n- ü\n",
            "1\n00:00:01,000 --> 00:00:02,000\n- \n-\n",
            "00:00:01,000 --> 00:00:02,000\n\n\n\n5",
            "1\n00:00:01,000 --> 00:00:02,000\n[\n(\n>>\n{\\\n<i\n",
        ] {
            let _ = parse(text).map(|t| write(&t));
        }
    }
}
