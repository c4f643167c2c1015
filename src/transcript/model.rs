//! The transcript model every format maps to: segments with times in integer
//! milliseconds, interned speakers, optional word times, and what each writer
//! needs to reproduce the file it came from. No parsing or writing here.

use serde::{Deserialize, Serialize};

use super::format::Format;
use super::time::TimeStyle;

/// Index of a speaker in [`Transcript::speakers`]; renaming a speaker changes one string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SpeakerId(pub u32);

/// One word with optional timing, as word-level ASR output or VTT inline timestamps give it.
///
/// Word-timed files hold a word every 20 bytes or so, so a word is kept
/// small: its text boxed, its times in 32 bits (up to 49 days; see
/// [`word_ms`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The word as written, without surrounding spaces.
    pub text: Box<str>,
    /// When the word starts, if known.
    pub start_ms: Option<u32>,
    /// When the word ends, if known.
    pub end_ms: Option<u32>,
    /// The recogniser's confidence, 0 to 1, if given.
    pub confidence: Option<f32>,
}

/// A time as a word stores it: `None` past `u32::MAX` ms (49 days), which no
/// recording reaches; such a word is simply untimed.
pub fn word_ms(ms: u64) -> Option<u32> {
    u32::try_from(ms).ok()
}

/// What a writer needs to reproduce one record of the source file exactly.
/// Only the writer of the format the segment came from reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentExtra {
    /// SRT index line or VTT cue identifier, as written.
    pub cue_id: Option<String>,
    /// VTT cue settings or SRT coordinates after the end time, as written.
    pub settings: Option<String>,
    /// VTT NOTE blocks (full text) that stood just before this cue.
    pub notes_before: Vec<String>,
    /// The speaker label exactly as the caption wrote it (`>> `, `[SPEAKER_00]: `,
    /// `(speaker 0) `), or `Some("")` when the speaker was carried forward unwritten.
    pub speaker_label: Option<String>,
    /// This segment came from the same VTT/SRT cue as the previous one
    /// (a cue with several voices or dash-speakers was split).
    pub joins_previous: bool,
    /// JSON fields of the source record that the model does not map, in file order.
    pub json_fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One timed record of the transcript: a caption cue, an utterance or a speaker turn.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Segment {
    /// When the segment starts.
    pub start_ms: u64,
    /// When it ends (a file may give an end before the start: kept, and warned about).
    pub end_ms: u64,
    /// The end time was not in the file; it was taken from the next start (or the start).
    pub end_derived: bool,
    /// Who speaks, if the file says.
    pub speaker: Option<SpeakerId>,
    /// Display text: markup stripped, entities decoded, lines joined with `\n`.
    pub text: String,
    /// The text as written in the file, when it differs from `text` (inline markup).
    /// A writer uses it only while stripping it still gives `text`, so an edit
    /// drops stale markup instead of resurrecting old words.
    pub raw: Option<String>,
    /// Word times, when the file has them (otherwise empty).
    pub words: Vec<Word>,
    /// Format-specific details for an exact write-back; `None` for most segments.
    pub extra: Option<Box<SegmentExtra>>,
}

impl Segment {
    /// The segment's length; zero-length segments are allowed.
    pub fn duration_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }

    /// The format-specific extras, created on first use.
    pub fn extra_mut(&mut self) -> &mut SegmentExtra {
        self.extra.get_or_insert_with(Default::default)
    }
}

/// NUL characters (from JSON's `\u0000` or a `&#0;`) become U+FFFD, as HTML
/// does: written into a text format they would make the file read as binary.
fn replace_nul(segment: &mut Segment) {
    let fix = |text: &mut String| {
        if memchr::memchr(0, text.as_bytes()).is_some() {
            *text = text.replace('\0', "\u{fffd}");
        }
    };
    fix(&mut segment.text);
    if let Some(raw) = segment.raw.as_mut() {
        fix(raw);
    }
    for word in &mut segment.words {
        if word.text.contains('\0') {
            word.text = word.text.replace('\0', "\u{fffd}").into();
        }
    }
}

/// A problem in the input that did not stop the parse, located by 1-based line
/// (0 when the problem has no line, such as an encoding fallback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The 1-based line, or 0 for the whole file.
    pub line: usize,
    /// What was wrong and what was done about it.
    pub message: String,
}

/// How the file was laid out at the byte level, so a write-back keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The file started with a UTF-8 byte order mark.
    pub bom: bool,
    /// Lines ended with `\r\n`.
    pub crlf: bool,
    /// How many `\n` ended the file (after line-ending normalisation), or
    /// `None` for the writer's own ending (a transcript that was not read).
    pub trailing_newlines: Option<usize>,
}

/// Per-format details of the whole file that writers reproduce.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// Range lines: the text between the two times (` - `, ` --> `, ...).
    pub range_separator: Option<String>,
    /// Range lines: times were wrapped in `[` `]`.
    pub range_brackets: bool,
    /// Range lines: a blank line separated every record from the next.
    pub range_blank_between: bool,
    /// VTT: the rest of the `WEBVTT` line and the header lines after it.
    pub vtt_header: Option<String>,
    /// VTT: STYLE, REGION and NOTE blocks before the first cue, in order, verbatim.
    pub vtt_blocks: Vec<String>,
    /// VTT: NOTE blocks after the last cue, verbatim.
    pub vtt_trailing_notes: Vec<String>,
    /// Timed text: heading style and record layout of the source, so a write-back keeps it.
    pub(super) text_layout: Option<super::plain::TextLayout>,
    /// JSON formats: the source had one word per record; the writer does the same.
    pub words_as_segments: bool,
    /// JSON formats: the source wrote whole seconds without a fraction (`4`,
    /// as JavaScript does, not `4.0`); the writer does the same.
    pub json_whole_secs_bare: bool,
    /// JSON formats: the source's indent (`"\t"`, `"    "`), or `""` when it was
    /// on one line; `None` writes the canonical two spaces.
    pub json_indent: Option<String>,
    /// JSON formats: top-level fields other than the segment list, in file order.
    pub json_fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A parsed transcript: segments in file order plus what the parse noticed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    /// The format the file was read as (the default for a new transcript is range lines).
    pub format: Format,
    /// The records in file order (which may not be time order).
    pub segments: Vec<Segment>,
    /// Speaker names, in order of first appearance; [`SpeakerId`] indexes this.
    pub speakers: Vec<String>,
    /// What the parse noticed but did not stop for.
    pub warnings: Vec<Warning>,
    /// Precision and shape of the times in the source.
    pub time_style: TimeStyle,
    /// BOM, line endings and trailing newlines of the source.
    pub layout: Layout,
    /// Per-format details of the whole file.
    pub header: Header,
}

impl Transcript {
    /// An empty transcript of the given format with its default time style.
    pub fn new(format: Format) -> Self {
        Transcript {
            format,
            time_style: format.default_time_style(),
            ..Transcript::default()
        }
    }

    /// The speaker's name, or `""` for a segment without one.
    pub fn speaker_name(&self, speaker: Option<SpeakerId>) -> &str {
        speaker
            .and_then(|id| self.speakers.get(id.0 as usize))
            .map_or("", String::as_str)
    }

    /// The id of `name`, adding it to the speaker list if new; an empty or
    /// blank name means "no speaker".
    pub fn intern_speaker(&mut self, name: &str) -> Option<SpeakerId> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        // Transcripts have a handful of speakers: a scan beats hashing here.
        if let Some(i) = self.speakers.iter().position(|s| s == name) {
            return Some(SpeakerId(i as u32));
        }
        self.speakers.push(name.to_owned());
        Some(SpeakerId((self.speakers.len() - 1) as u32))
    }

    /// Records a non-fatal problem at a 1-based line.
    pub fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    /// Appends a segment read at a 1-based line, warning (never refusing) when
    /// it starts before the previous record, overlaps it, or ends before it starts.
    pub fn push(&mut self, mut segment: Segment, line: usize) {
        replace_nul(&mut segment);
        let joins = segment.extra.as_ref().is_some_and(|e| e.joins_previous);
        if let Some(prev) = self.segments.last().filter(|_| !joins) {
            if segment.start_ms < prev.start_ms {
                self.warn(line, "record starts before the previous record");
            } else if segment.start_ms < prev.end_ms && !prev.end_derived {
                self.warn(line, "record overlaps the previous record");
            }
        }
        if segment.end_ms < segment.start_ms {
            self.warn(line, "record ends before it starts");
        }
        self.segments.push(segment);
    }
}
