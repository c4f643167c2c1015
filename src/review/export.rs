//! Review markers out to other programs, each in that program's own
//! format (see [`ExportFormat`]): what the producer marked goes to the
//! editor's tool. Every exporter keeps each marker one record whatever its
//! note holds (tabs, newlines, quotes, commas, any script), escaping as the
//! format requires; where a format cannot hold something (a line break in
//! an Audacity label), it is changed and the change is listed in
//! [`Exported::changes`] for the user to see.
//!
//! The EDL (CMX 3600) is the one DaVinci Resolve writes for its timeline
//! markers (Timelines ▸ Export ▸ Timeline Markers to EDL), with an Avid
//! `* LOC:` line added to each event for the readers that take markers from
//! those (OpenTimelineIO's CMX 3600 reader reads only these). Each marker is
//! one event, one frame long, on its own frame:
//!
//! ```text
//! 001  001      V     C        01:00:48:08 01:00:48:09 01:00:48:08 01:00:48:09
//!  |C:ResolveColorRed |M:Cut: Rambling |D:502
//! * LOC: 01:00:48:08 RED     Cut: Rambling
//! ```
//!
//! The source and record timecodes are the same: 01:00:00:00 (where a new
//! Resolve timeline starts) plus the marker's audio time, rounded to the
//! nearest frame, so the markers land on a timeline that has the episode's
//! audio at its start. `|D:` is the length in frames (1 for a point).
//! The name is the marker's kind and note, `Cut: Rambling`, on one line and
//! without `|` (Resolve's field separator), which becomes `¦`. Resolve
//! would take text before the first `|` as the marker's notes; none is
//! written there, because a line that begins with the note can be read as
//! something else (a note starting with a digit reads as an event, one
//! starting `FROM CLIP`, `LOC` or `ASC_SOP` as that comment), whereas after
//! `|M:` and in the `* LOC:` line any text is a name. The colour is the
//! nearest of Resolve's to the kind's colour (a grey is Cream), and in the
//! `* LOC:` line the nearest of the colours OpenTimelineIO knows (a grey is
//! white or black). The frame rate is a SMPTE timecode rate ([`Fps`]);
//! 23.976, 29.97, 47.952 and 59.94 are written non-drop-frame (frames
//! counted at 24, 30, 48 or 60 a timecode second, running 1000/1001 slower
//! than the clock). Two markers in the same frame cannot both be there: the
//! later one moves to the next free frame; a marker past 24:00:00:00 of
//! timecode is left out; each is said.

use std::fmt::Write as _;
use std::str::FromStr;

use serde::Serialize;
use thiserror::Error;

use super::markers::{CHAPTER, Marker, MarkerKind, default_kinds};
use crate::timeline::Timeline;
use crate::transcript::Transcript;
use crate::transcript::time::{Hours, TimeStyle, format_timestamp};

/// A format markers are exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Audacity ▸ File ▸ Import ▸ Labels: `start⇥end⇥label`, seconds; a point
    /// has start = end.
    Audacity,
    /// Adobe Audition's Markers panel ▸ Import: its tab-separated list
    /// (`Name⇥Start⇥Duration⇥Time Format⇥Type⇥Description`, times `M:SS.mmm`,
    /// format `decimal`, type `Cue`; a point has duration 0).
    Audition,
    /// REAPER's Region/Marker Manager ▸ Import: its CSV (`#,Name,Start,End,Length`;
    /// `M1` rows for points, `R1` rows for ranges; times `M:SS.mmm`).
    Reaper,
    /// An edit decision list (CMX 3600) of one event a marker, as DaVinci
    /// Resolve writes its timeline markers, with Avid's `* LOC:` lines (see
    /// the module's documentation).
    Edl,
    /// A spreadsheet: kind, start, end, note, and the speaker and text of
    /// the line at the marker's start (RFC 4180).
    Csv,
    /// Podcasting 2.0 chapters JSON (version 1.2.0), from the Chapter markers.
    Chapters,
    /// A YouTube description's chapter list: `0:00 Title` lines, from the
    /// Chapter markers.
    Youtube,
    /// A review to email to the host, in Markdown: each marker with its
    /// time, kind, note and the line it is on, quoted.
    Report,
    /// The same review as an HTML page (XHTML: any XML reader reads it).
    ReportHtml,
}

impl ExportFormat {
    /// Every format, by name.
    pub const ALL: [(ExportFormat, &'static str); 9] = [
        (ExportFormat::Audacity, "audacity"),
        (ExportFormat::Audition, "audition"),
        (ExportFormat::Reaper, "reaper"),
        (ExportFormat::Edl, "edl"),
        (ExportFormat::Csv, "csv"),
        (ExportFormat::Chapters, "chapters"),
        (ExportFormat::Youtube, "youtube"),
        (ExportFormat::Report, "report"),
        (ExportFormat::ReportHtml, "report-html"),
    ];

    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(format, _)| *format == self)
            .map_or("", |(_, name)| name)
    }
}

/// A format name that is not one of [`ExportFormat::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "expected an export format (audacity, audition, reaper, edl, csv, chapters, youtube, \
     report, report-html), found \"{0}\""
)]
pub struct UnknownExportFormat(pub String);

impl FromStr for ExportFormat {
    type Err = UnknownExportFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .iter()
            .find(|(_, name)| *name == wanted)
            .map(|(format, _)| *format)
            .ok_or_else(|| UnknownExportFormat(s.to_owned()))
    }
}

/// An export: the file's text, and what had to change to fit the format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exported {
    /// The text to write.
    pub text: String,
    /// Each change or warning, as the user reads it.
    pub changes: Vec<String>,
}

/// What some formats need besides the markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// The EDL's frame rate.
    pub fps: Fps,
    /// The marker kinds, for the EDL's marker colours.
    pub kinds: Vec<MarkerKind>,
    /// The EDL's title.
    pub title: String,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            fps: Fps::default(),
            kinds: default_kinds(),
            title: "Earmark review".to_owned(),
        }
    }
}

/// Writes `markers` (in time order) in `format`, with the default
/// [`ExportOptions`]; `transcript`, when there is one, gives the CSV each
/// marker's line.
pub fn export(
    markers: &[&Marker],
    transcript: Option<&Transcript>,
    format: ExportFormat,
) -> Exported {
    export_with_options(markers, transcript, format, &ExportOptions::default())
}

/// Writes `markers` (in time order) in `format`, as [`export`] does, with
/// `options`.
pub fn export_with_options(
    markers: &[&Marker],
    transcript: Option<&Transcript>,
    format: ExportFormat,
    options: &ExportOptions,
) -> Exported {
    match format {
        ExportFormat::Audacity => audacity(markers),
        ExportFormat::Audition => audition(markers),
        ExportFormat::Reaper => reaper(markers),
        ExportFormat::Edl => edl(markers, options),
        ExportFormat::Csv => csv(markers, transcript),
        ExportFormat::Chapters => chapters(markers),
        ExportFormat::Youtube => youtube(markers),
        ExportFormat::Report => report(markers, transcript, false),
        ExportFormat::ReportHtml => report(markers, transcript, true),
    }
}

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// A marker's label: its kind, and its note after a colon.
fn label(marker: &Marker) -> String {
    if marker.note.is_empty() {
        marker.kind.clone()
    } else {
        format!("{}: {}", marker.kind, marker.note)
    }
}

/// `text` on one line: each run of tabs and line breaks becomes one space.
/// Returns it, and whether anything changed.
fn one_line(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut in_break = false;
    for ch in text.chars() {
        if matches!(ch, '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            if !in_break {
                out.push(' ');
            }
            in_break = true;
        } else {
            out.push(ch);
            in_break = false;
        }
    }
    let changed = out != text;
    (out, changed)
}

fn audacity(markers: &[&Marker]) -> Exported {
    let mut exported = Exported::default();
    for marker in markers {
        let why = "an Audacity label is one line";
        let text = one_line_noted(&label(marker), marker, why, &mut exported);
        let _ = writeln!(
            exported.text,
            "{}\t{}\t{text}",
            secs(marker.start_ms),
            secs(marker.end_or_start_ms())
        );
    }
    exported
}

/// `M:SS.mmm`, with hours past the first (`1:02:03.000`): how Audition and
/// REAPER write marker times.
fn minutes(ms: u64) -> String {
    format_timestamp(
        ms,
        TimeStyle {
            hours: Hours::WhenNonZero,
            minute_digits: 1,
            frac_sep: b'.',
            frac_digits: 3,
        },
    )
}

/// `text` on one line, noting in `exported` when that changed it.
fn one_line_noted(text: &str, marker: &Marker, why: &str, exported: &mut Exported) -> String {
    let (line, changed) = one_line(text);
    if changed {
        exported.changes.push(format!(
            "the marker at {}: tabs and line breaks in its note became spaces ({why})",
            clock(marker.start_ms)
        ));
    }
    line
}

fn audition(markers: &[&Marker]) -> Exported {
    let mut exported = Exported::default();
    exported
        .text
        .push_str("Name\tStart\tDuration\tTime Format\tType\tDescription\n");
    for marker in markers {
        let why = "an Audition marker list has one marker a line, fields split by tabs";
        let name = one_line_noted(&marker.kind, marker, why, &mut exported);
        let note = one_line_noted(&marker.note, marker, why, &mut exported);
        let duration_ms = marker.end_or_start_ms() - marker.start_ms;
        let _ = writeln!(
            exported.text,
            "{name}\t{}\t{}\tdecimal\tCue\t{note}",
            minutes(marker.start_ms),
            minutes(duration_ms)
        );
    }
    exported
}

fn reaper(markers: &[&Marker]) -> Exported {
    let mut exported = Exported::default();
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["#", "Name", "Start", "End", "Length"]);
    let (mut points, mut ranges) = (0, 0);
    for marker in markers {
        let why = "a REAPER marker's name is one line";
        let name = one_line_noted(&label(marker), marker, why, &mut exported);
        let start = minutes(marker.start_ms);
        let _ = match marker.end_ms.filter(|&end| end > marker.start_ms) {
            Some(end_ms) => {
                ranges += 1;
                writer.write_record([
                    &format!("R{ranges}"),
                    &name,
                    &start,
                    &minutes(end_ms),
                    &minutes(end_ms - marker.start_ms),
                ])
            }
            None => {
                points += 1;
                writer.write_record([&format!("M{points}"), &name, &start, "", ""])
            }
        };
    }
    let bytes = writer.into_inner().unwrap_or_default();
    exported.text = String::from_utf8(bytes).unwrap_or_default();
    exported
}

/// `1:23` or `1:02:03`, as people read times.
fn short_clock(ms: u64, with_hours: bool) -> String {
    let total_secs = ms / 1000;
    let (hours, minutes, secs) = (total_secs / 3600, total_secs / 60 % 60, total_secs % 60);
    if with_hours {
        format!("{hours}:{minutes:02}:{secs:02}")
    } else {
        format!("{}:{secs:02}", total_secs / 60)
    }
}

/// `HH:MM:SS.mmm`.
fn clock(ms: u64) -> String {
    format_timestamp(ms, TimeStyle::default())
}

/// The speaker, start and text of the line each marker starts on (the one
/// being said then, else the last before), when there is a transcript.
fn lines_at<'t>(
    markers: &[&Marker],
    transcript: Option<&'t Transcript>,
) -> Vec<Option<(&'t str, u64, &'t str)>> {
    let timeline = transcript.map(Timeline::new);
    markers
        .iter()
        .map(|marker| {
            let (t, timeline) = transcript.zip(timeline.as_ref())?;
            let index = timeline
                .segment_at(marker.start_ms)
                .or_else(|| timeline.segment_before(marker.start_ms))?;
            let segment = t.segments.get(index)?;
            Some((
                t.speaker_name(segment.speaker),
                segment.start_ms,
                segment.text.as_str(),
            ))
        })
        .collect()
}

fn csv(markers: &[&Marker], transcript: Option<&Transcript>) -> Exported {
    let lines = lines_at(markers, transcript);
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut write = |record: [&str; 6]| writer.write_record(record);
    // Writing to memory cannot fail.
    let _ = write(["kind", "start", "end", "note", "speaker", "text"]);
    for (marker, line) in markers.iter().zip(lines) {
        let (speaker, _, text) = line.unwrap_or(("", 0, ""));
        let end = marker.end_ms.map(clock).unwrap_or_default();
        let _ = write([
            &marker.kind,
            &clock(marker.start_ms),
            &end,
            &marker.note,
            speaker,
            text,
        ]);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    Exported {
        text: String::from_utf8(bytes).unwrap_or_default(),
        changes: Vec::new(),
    }
}

#[derive(Serialize)]
struct ChaptersFile<'a> {
    version: &'static str,
    chapters: Vec<Chapter<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Chapter<'a> {
    start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<f64>,
    #[serde(skip_serializing_if = "str::is_empty")]
    title: &'a str,
}

fn chapter_markers<'a>(markers: &[&'a Marker]) -> Vec<&'a Marker> {
    markers.iter().copied().filter(|m| m.is(CHAPTER)).collect()
}

fn chapters(markers: &[&Marker]) -> Exported {
    let chapters: Vec<&Marker> = chapter_markers(markers);
    let mut exported = Exported::default();
    if chapters.is_empty() {
        exported
            .changes
            .push("there are no Chapter markers: the chapter list is empty".to_owned());
    }
    let file = ChaptersFile {
        version: "1.2.0",
        chapters: chapters
            .iter()
            .map(|m| Chapter {
                start_time: m.start_ms as f64 / 1000.0,
                end_time: m.end_ms.map(|ms| ms as f64 / 1000.0),
                title: &m.note,
            })
            .collect(),
    };
    // Plain data: serialising it cannot fail.
    exported.text = serde_json::to_string_pretty(&file).unwrap_or_default();
    exported.text.push('\n');
    exported
}

/// YouTube's rules for chapters in a description.
const YOUTUBE_MIN_CHAPTERS: usize = 3;
const YOUTUBE_MIN_GAP_MS: u64 = 10_000;

fn youtube(markers: &[&Marker]) -> Exported {
    let chapters = chapter_markers(markers);
    let mut exported = Exported::default();
    let with_hours = chapters.last().is_some_and(|m| m.start_ms >= 3_600_000);
    let style = TimeStyle {
        hours: if with_hours {
            Hours::WhenNonZero
        } else {
            Hours::Never
        },
        minute_digits: 1,
        frac_sep: b'.',
        frac_digits: 0,
    };
    for marker in &chapters {
        let (title, changed) = one_line(&marker.note);
        if changed {
            exported.changes.push(format!(
                "the chapter at {}: its line breaks became spaces",
                clock(marker.start_ms)
            ));
        }
        let mut stamp = format_timestamp(marker.start_ms, style);
        if with_hours && marker.start_ms < 3_600_000 {
            stamp = format!("0:{stamp:0>5}");
        }
        let _ = writeln!(exported.text, "{stamp} {title}");
    }
    if chapters.first().is_none_or(|m| m.start_ms >= 1000) {
        exported
            .changes
            .push("YouTube wants the first chapter at 0:00".to_owned());
    }
    if chapters.len() < YOUTUBE_MIN_CHAPTERS {
        exported.changes.push(format!(
            "YouTube wants at least {YOUTUBE_MIN_CHAPTERS} chapters; there are {}",
            chapters.len()
        ));
    }
    for pair in chapters.windows(2) {
        if pair[1].start_ms.saturating_sub(pair[0].start_ms) < YOUTUBE_MIN_GAP_MS {
            exported.changes.push(format!(
                "YouTube wants chapters at least 10 s apart: {} and {} are not",
                clock(pair[0].start_ms),
                clock(pair[1].start_ms)
            ));
        }
    }
    exported
}

/// `text` as Markdown that shows exactly it and still reads as plain text
/// in an email: the characters that can start inline markup, an entity or
/// raw HTML escaped, and what would open a block at a line's start (see
/// [`line_opening_markup`]); each line break a hard break inside one
/// paragraph (blank lines would end it).
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let lines: Vec<&str> = text
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push_str("\\\n");
        }
        let opening = line_opening_markup(line);
        // Every mark escaped is ASCII: copy the runs between them whole.
        let mut run = 0;
        for (at, byte) in line.bytes().enumerate() {
            if matches!(
                byte,
                b'\\' | b'`' | b'*' | b'_' | b'[' | b']' | b'<' | b'>' | b'&' | b'~' | b'|'
            ) || Some(at) == opening
            {
                out.push_str(&line[run..at]);
                out.push('\\');
                run = at;
            }
        }
        out.push_str(&line[run..]);
    }
    out
}

/// Where a line of a paragraph starts something else in CommonMark (a
/// heading, a list item, a quote, an underline): the byte to escape.
fn line_opening_markup(line: &str) -> Option<usize> {
    let first = line.chars().next()?;
    if matches!(first, '#' | '+' | '-' | '=' | '>') {
        return Some(0);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && matches!(line.as_bytes().get(digits), Some(b'.' | b')'))).then_some(digits)
}

/// `text` for HTML text and attribute values, line breaks as `<br/>`.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // Every character replaced is ASCII: copy the runs between them whole.
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        let with = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            b'\n' => "<br/>",
            b'\r' => "",
            _ => continue,
        };
        out.push_str(&text[run..at]);
        out.push_str(with);
        run = at + 1;
    }
    out.push_str(&text[run..]);
    out
}

fn report(markers: &[&Marker], transcript: Option<&Transcript>, html: bool) -> Exported {
    let lines = lines_at(markers, transcript);
    let with_hours = markers
        .last()
        .is_some_and(|m| m.end_or_start_ms() >= 3_600_000);
    let at = |ms: u64| short_clock(ms, with_hours);
    let mut out = String::new();
    let count = markers.len();
    let plural = if count == 1 { "" } else { "s" };
    if html {
        out.push_str(
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\
             <meta charset=\"utf-8\"/><title>Review</title></head>\n<body>\n",
        );
        let _ = writeln!(out, "<h1>Review</h1>\n<p>{count} marker{plural}</p>");
    } else {
        let _ = writeln!(out, "# Review\n\n{count} marker{plural}\n");
    }
    for (marker, line) in markers.iter().zip(lines) {
        let when = match marker.end_ms.filter(|&end| end > marker.start_ms) {
            Some(end_ms) => format!("{}–{}", at(marker.start_ms), at(end_ms)),
            None => at(marker.start_ms),
        };
        if html {
            let _ = writeln!(
                out,
                "<h2>{} · {}</h2>",
                html_text(&when),
                html_text(&marker.kind)
            );
            if !marker.note.is_empty() {
                let _ = writeln!(out, "<p>{}</p>", html_text(&marker.note));
            }
            if let Some((speaker, start_ms, text)) = line {
                let _ = writeln!(
                    out,
                    "<blockquote><p><b>{}</b> ({}): {}</p></blockquote>",
                    html_text(speaker),
                    at(start_ms),
                    html_text(text)
                );
            }
        } else {
            let _ = writeln!(out, "## {} · {}\n", when, markdown_text(&marker.kind));
            if !marker.note.is_empty() {
                let _ = writeln!(out, "{}\n", markdown_text(&marker.note));
            }
            if let Some((speaker, start_ms, text)) = line {
                let _ = writeln!(
                    out,
                    "> **{}** ({}): {}\n",
                    markdown_text(speaker),
                    at(start_ms),
                    markdown_text(text)
                );
            }
        }
    }
    if html {
        out.push_str("</body>\n</html>\n");
    }
    Exported {
        text: out,
        changes: Vec::new(),
    }
}

/// A SMPTE timecode frame rate, for the EDL: 24, 25, 30, 48, 50 or 60
/// frames a second, or the NTSC rates 1000/1001 slower (23.976, 29.97,
/// 47.952, 59.94), whose timecode counts frames at the whole rate
/// (non-drop-frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fps {
    /// Frames a timecode second counts.
    nominal: u32,
    /// Whether the frames run 1000/1001 slower than the timecode counts.
    ntsc: bool,
}

/// The rates `--fps` takes, by name: SMPTE ST 12-1's, which any timecode
/// reader knows.
const FPS_NAMES: [(&str, Fps); 12] = [
    ("23.976", Fps::ntsc(24)),
    ("23.98", Fps::ntsc(24)),
    ("24", Fps::whole(24)),
    ("25", Fps::whole(25)),
    ("29.97", Fps::ntsc(30)),
    ("30", Fps::whole(30)),
    ("47.952", Fps::ntsc(48)),
    ("47.95", Fps::ntsc(48)),
    ("48", Fps::whole(48)),
    ("50", Fps::whole(50)),
    ("59.94", Fps::ntsc(60)),
    ("60", Fps::whole(60)),
];

impl Fps {
    const fn whole(nominal: u32) -> Fps {
        Fps {
            nominal,
            ntsc: false,
        }
    }

    const fn ntsc(nominal: u32) -> Fps {
        Fps {
            nominal,
            ntsc: true,
        }
    }

    /// Frames a timecode second counts: 30 for 29.97.
    pub fn nominal(self) -> u32 {
        self.nominal
    }

    /// Whether frames run 1000/1001 slower than the timecode counts them
    /// (23.976, 29.97, 47.952, 59.94).
    pub fn is_ntsc(self) -> bool {
        self.ntsc
    }

    /// Frames a second as a fraction: (30 000, 1001) for 29.97.
    fn ratio(self) -> (u128, u128) {
        let nominal = u128::from(self.nominal);
        if self.ntsc {
            (nominal * 1000, 1001)
        } else {
            (nominal, 1)
        }
    }

    /// The frame nearest to `ms` of audio, counting from frame 0 at 0 ms.
    pub fn frame_from_ms(self, ms: u64) -> u64 {
        let (num, den) = self.ratio();
        let per = den * 1000;
        u64::try_from((u128::from(ms) * num + per / 2) / per).unwrap_or(u64::MAX)
    }

    /// Where frame `frame` starts, in audio milliseconds (rounded).
    pub fn ms_from_frame(self, frame: u64) -> u64 {
        let (num, den) = self.ratio();
        u64::try_from((u128::from(frame) * den * 1000 + num / 2) / num).unwrap_or(u64::MAX)
    }

    /// Timecode `HH:MM:SS:FF` (non-drop-frame) of frame `frame`.
    pub fn timecode(self, frame: u64) -> String {
        let nominal = u64::from(self.nominal);
        let (secs, frames) = (frame / nominal, frame % nominal);
        format!(
            "{:02}:{:02}:{:02}:{frames:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl Default for Fps {
    /// 25, PAL's rate.
    fn default() -> Self {
        Fps::whole(25)
    }
}

impl std::fmt::Display for Fps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = FPS_NAMES
            .iter()
            .find(|(_, fps)| fps == self)
            .map_or("", |(name, _)| name);
        f.write_str(name)
    }
}

/// A frame rate that is not one of the SMPTE timecode rates.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "expected a timecode frame rate (23.976, 24, 25, 29.97, 30, 47.952, 48, 50, 59.94 or 60), \
     found \"{0}\""
)]
pub struct UnknownFps(pub String);

impl FromStr for Fps {
    type Err = UnknownFps;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        FPS_NAMES
            .iter()
            .find(|(name, _)| *name == wanted)
            .map(|(_, fps)| *fps)
            .ok_or_else(|| UnknownFps(s.to_owned()))
    }
}

/// Where an EDL's timeline starts, in hours of timecode: a new Resolve
/// timeline's 01:00:00:00.
const EDL_START_HOURS: u64 = 1;
/// Timecode ends before 24:00:00:00.
const TIMECODE_HOURS: u64 = 24;
/// CMX 3600 numbers events with three digits.
const EDL_MAX_EVENTS: usize = 999;

/// A marker colour a program knows: its name, about how it looks, and
/// whether it is the neutral one a grey is given (white, black, cream).
type NamedColor = (&'static str, [u8; 3], bool);

/// DaVinci Resolve's marker colours, as its timeline shows them (near
/// enough to pick the nearest).
const RESOLVE_COLORS: [NamedColor; 16] = [
    ("Blue", [0x2e, 0x7c, 0xf0], false),
    ("Cyan", [0x1e, 0xc8, 0xe0], false),
    ("Green", [0x3c, 0xb4, 0x4b], false),
    ("Yellow", [0xf0, 0xd2, 0x1e], false),
    ("Red", [0xe6, 0x2d, 0x2d], false),
    ("Pink", [0xf0, 0x78, 0xc8], false),
    ("Purple", [0x90, 0x4b, 0xd2], false),
    ("Fuchsia", [0xd2, 0x32, 0xb4], false),
    ("Rose", [0xf0, 0x8c, 0x96], false),
    ("Lavender", [0xaa, 0x96, 0xe6], false),
    ("Sky", [0x82, 0xc8, 0xf0], false),
    ("Mint", [0x8c, 0xe6, 0xb4], false),
    ("Lemon", [0xe6, 0xf0, 0x78], false),
    ("Sand", [0xc8, 0xaa, 0x78], false),
    ("Cocoa", [0x8c, 0x64, 0x50], false),
    ("Cream", [0xf5, 0xeb, 0xd2], true),
];

/// The marker colours OpenTimelineIO knows (`otio.schema.MarkerColor`),
/// which Avid's `* LOC:` lines name; it reads any other name as red.
const LOC_COLORS: [NamedColor; 11] = [
    ("RED", [0xe0, 0x30, 0x30], false),
    ("ORANGE", [0xf0, 0x90, 0x20], false),
    ("YELLOW", [0xf0, 0xe0, 0x30], false),
    ("GREEN", [0x30, 0xb0, 0x40], false),
    ("CYAN", [0x20, 0xc8, 0xe8], false),
    ("BLUE", [0x30, 0x70, 0xf0], false),
    ("PURPLE", [0x90, 0x50, 0xd0], false),
    ("MAGENTA", [0xe0, 0x30, 0xc0], false),
    ("PINK", [0xf0, 0x90, 0xc0], false),
    ("BLACK", [0x20, 0x20, 0x20], true),
    ("WHITE", [0xe8, 0xe8, 0xe8], true),
];

/// The colour of a marker whose kind is not in the list: blue, a new
/// Resolve marker's.
const UNKNOWN_KIND_COLOR: [u8; 3] = [0x2e, 0x7c, 0xf0];

/// Whether `rgb` is a grey: its channels differ by less than this.
const GREY_CHROMA: u8 = 0x20;

/// The name in `palette` whose colour is nearest `rgb` (the "redmean"
/// distance, which weighs red, green and blue roughly as eyes do), a grey
/// taking a neutral colour and any other colour one that is not.
fn nearest_color(rgb: [u8; 3], palette: &[NamedColor]) -> &'static str {
    let chroma = rgb.iter().max().unwrap_or(&0) - rgb.iter().min().unwrap_or(&0);
    let grey = chroma < GREY_CHROMA;
    let distance = |other: [u8; 3]| {
        let mean_red = (i32::from(rgb[0]) + i32::from(other[0])) / 2;
        let [dr, dg, db] = [0, 1, 2].map(|i| i32::from(rgb[i]) - i32::from(other[i]));
        (512 + mean_red) * dr * dr + 1024 * dg * dg + (767 - mean_red) * db * db
    };
    palette
        .iter()
        .filter(|(_, _, neutral)| *neutral == grey)
        .min_by_key(|(_, color, _)| distance(*color))
        .map_or("", |(name, _, _)| name)
}

/// The Resolve colour and the `* LOC:` colour of `kind`.
pub fn edl_colors(kind: &str, kinds: &[MarkerKind]) -> (&'static str, &'static str) {
    let rgb = kinds
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(kind))
        .map_or(UNKNOWN_KIND_COLOR, |k| k.color);
    (
        nearest_color(rgb, &RESOLVE_COLORS),
        nearest_color(rgb, &LOC_COLORS),
    )
}

/// `text` as an EDL marker name: one line (control characters and line
/// separators become one space a run: some reader would end the record at
/// each), `|` (Resolve's field separator) as `¦`, trimmed. Returns it, and
/// what changed, as the user reads it.
fn edl_name(text: &str) -> (String, Vec<&'static str>) {
    let mut out = String::with_capacity(text.len());
    let (mut breaks, mut pipes, mut in_break) = (false, false, false);
    for ch in text.chars() {
        if ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}') {
            if !in_break {
                out.push(' ');
            }
            in_break = true;
            breaks = true;
            continue;
        }
        in_break = false;
        if ch == '|' {
            pipes = true;
            out.push('¦');
        } else {
            out.push(ch);
        }
    }
    let mut changes = Vec::new();
    if breaks {
        changes.push("tabs and line breaks became spaces (an EDL record is one line)");
    }
    if pipes {
        changes.push("'|' became '¦' (Resolve splits its marker line at '|')");
    }
    (out.trim().to_owned(), changes)
}

fn edl(markers: &[&Marker], options: &ExportOptions) -> Exported {
    let fps = options.fps;
    let mut exported = Exported::default();
    let (title, _) = edl_name(&options.title);
    let _ = writeln!(exported.text, "TITLE: {title}\nFCM: NON-DROP FRAME");
    let frames_an_hour = u64::from(fps.nominal()) * 3600;
    let start = frames_an_hour * EDL_START_HOURS;
    // The last frame that can start an event: its record out must be a
    // timecode too.
    let last = frames_an_hour * TIMECODE_HOURS - 2;
    let (mut next_free, mut events) = (start, 0);
    let mut left_out: Vec<&Marker> = Vec::new();
    for marker in markers {
        let wanted = start.saturating_add(fps.frame_from_ms(marker.start_ms));
        let frame = wanted.max(next_free);
        if frame > last {
            left_out.push(marker);
            continue;
        }
        if frame != wanted {
            exported.changes.push(format!(
                "the marker at {}: moved to {} ({}), the next free frame (an EDL has one marker \
                 a frame)",
                clock(marker.start_ms),
                clock(fps.ms_from_frame(frame - start)),
                fps.timecode(frame)
            ));
        }
        next_free = frame + 1;
        events += 1;
        edl_event(&mut exported, events, frame, marker, options);
    }
    exported.changes.extend(edl_limits(&left_out, events));
    exported
}

/// What the EDL's limits did: the markers past its timecode, left out, and
/// event numbers past CMX 3600's three digits.
fn edl_limits(left_out: &[&Marker], events: usize) -> Vec<String> {
    let mut said = Vec::new();
    if let Some(first) = left_out.first() {
        let count = left_out.len();
        let plural = if count == 1 { "marker" } else { "markers" };
        said.push(format!(
            "{count} {plural} from {} on left out: an EDL's timecode ends at 24:00:00:00 and its \
             timeline starts at 01:00:00:00",
            clock(first.start_ms)
        ));
    }
    if events > EDL_MAX_EVENTS {
        said.push(format!(
            "{events} markers: events from 1000 on have more than CMX 3600's three digits, which \
             some EDL readers refuse"
        ));
    }
    said
}

/// Writes event `number`: `marker` on frame `frame` (from timecode zero).
fn edl_event(
    exported: &mut Exported,
    number: usize,
    frame: u64,
    marker: &Marker,
    options: &ExportOptions,
) {
    let fps = options.fps;
    let (name, changes) = edl_name(&label(marker));
    if !changes.is_empty() {
        exported.changes.push(format!(
            "the marker at {}: {}",
            clock(marker.start_ms),
            changes.join("; ")
        ));
    }
    let length = match marker.end_ms.filter(|&end| end > marker.start_ms) {
        Some(end_ms) => fps
            .frame_from_ms(end_ms)
            .saturating_sub(fps.frame_from_ms(marker.start_ms))
            .max(1),
        None => 1,
    };
    let (resolve_color, loc_color) = edl_colors(&marker.kind, &options.kinds);
    let (tc_in, tc_out) = (fps.timecode(frame), fps.timecode(frame + 1));
    let _ = writeln!(
        exported.text,
        "\n{number:03}  001      V     C        {tc_in} {tc_out} {tc_in} {tc_out}\n \
         |C:ResolveColor{resolve_color} |M:{name} |D:{length}"
    );
    let loc = format!("* LOC: {tc_in} {loc_color:<7} {name}");
    let _ = writeln!(exported.text, "{}", loc.trim_end());
}
