//! Review markers out to other programs, each in that program's own
//! format (see [`ExportFormat`]): what the producer marked goes to the
//! editor's tool. Every exporter keeps each marker one record whatever its
//! note holds (tabs, newlines, quotes, commas, any script), escaping as the
//! format requires; where a format cannot hold something (a line break in
//! an Audacity label), it is changed and the change is listed in
//! [`Exported::changes`] for the user to see.

use std::fmt::Write as _;
use std::str::FromStr;

use serde::Serialize;
use thiserror::Error;

use super::markers::{CHAPTER, Marker};
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
    pub const ALL: [(ExportFormat, &'static str); 8] = [
        (ExportFormat::Audacity, "audacity"),
        (ExportFormat::Audition, "audition"),
        (ExportFormat::Reaper, "reaper"),
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
    "expected an export format (audacity, audition, reaper, csv, chapters, youtube, report, \
     report-html), found \"{0}\""
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

/// Writes `markers` (in time order) in `format`; `transcript`, when there is
/// one, gives the CSV each marker's line.
pub fn export(
    markers: &[&Marker],
    transcript: Option<&Transcript>,
    format: ExportFormat,
) -> Exported {
    match format {
        ExportFormat::Audacity => audacity(markers),
        ExportFormat::Audition => audition(markers),
        ExportFormat::Reaper => reaper(markers),
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

/// `text` as Markdown that shows exactly it: every ASCII punctuation mark
/// escaped (none can start markup or raw HTML), and each line break a
/// hard break inside one paragraph (blank lines would end it).
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
        for ch in line.chars() {
            if ch.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(ch);
        }
    }
    out
}

/// `text` for HTML text and attribute values, line breaks as `<br/>`.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            other => out.push(other),
        }
    }
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
