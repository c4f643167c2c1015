//! The transcript formats Earmark reads and writes, their names on the command
//! line, and which file extensions mean which format.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;

use super::time::{Hours, TimeStyle};

/// A transcript format, as detected from a file's content or named by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `HH:MM:SS.mmm - HH:MM:SS.mmm, Speaker: text`, one record per line, and relatives.
    #[default]
    Range,
    /// SubRip `.srt`.
    Srt,
    /// WebVTT `.vtt`.
    Vtt,
    /// Podcasting 2.0 JSON (`segments[{speaker, startTime, endTime, body}]`).
    PodcastJson,
    /// openai/whisper JSON output.
    WhisperJson,
    /// whisper.cpp JSON output (`transcription[]` with `offsets`).
    WhisperCppJson,
    /// WhisperX JSON output (segments with scored words).
    WhisperxJson,
    /// Plain text with start times (`[00:01:02] Name: text` and relatives).
    Text,
    /// Markdown speaker turns; written, not read.
    Markdown,
}

/// Every format, in the order `--help` lists them.
pub const ALL_FORMATS: [Format; 9] = [
    Format::Range,
    Format::Srt,
    Format::Vtt,
    Format::PodcastJson,
    Format::WhisperJson,
    Format::WhisperCppJson,
    Format::WhisperxJson,
    Format::Text,
    Format::Markdown,
];

impl Format {
    /// The name used by `--format`, `--to` and `inspect`'s output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Range => "range",
            Format::Srt => "srt",
            Format::Vtt => "vtt",
            Format::PodcastJson => "podcast-json",
            Format::WhisperJson => "whisper-json",
            Format::WhisperCppJson => "whispercpp-json",
            Format::WhisperxJson => "whisperx-json",
            Format::Text => "text",
            Format::Markdown => "markdown",
        }
    }

    /// Whether Earmark can write this format.
    pub fn is_writable(self) -> bool {
        matches!(
            self,
            Format::Range
                | Format::Srt
                | Format::Vtt
                | Format::PodcastJson
                | Format::Text
                | Format::Markdown
        )
    }

    /// Whether Earmark can read this format.
    pub fn is_readable(self) -> bool {
        self != Format::Markdown
    }

    /// The format a file name asks for when writing: `.srt`, `.vtt`, `.json`
    /// (Podcasting 2.0), `.md`, and `.txt` (range lines, which lose nothing).
    pub fn for_output_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "srt" => Format::Srt,
            "vtt" => Format::Vtt,
            "json" => Format::PodcastJson,
            "md" | "markdown" => Format::Markdown,
            "txt" => Format::Range,
            _ => return None,
        })
    }

    /// The file extension a file in this format usually has.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Range | Format::Text => "txt",
            Format::Srt => "srt",
            Format::Vtt => "vtt",
            Format::PodcastJson
            | Format::WhisperJson
            | Format::WhisperCppJson
            | Format::WhisperxJson => "json",
            Format::Markdown => "md",
        }
    }

    /// How this format writes times when the source did not say.
    pub fn default_time_style(self) -> TimeStyle {
        match self {
            Format::Srt => TimeStyle {
                frac_sep: b',',
                ..TimeStyle::default()
            },
            Format::Text | Format::Markdown => TimeStyle {
                frac_digits: 0,
                ..TimeStyle::default()
            },
            _ => TimeStyle {
                hours: Hours::Always(2),
                ..TimeStyle::default()
            },
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is not one of [`ALL_FORMATS`].
#[derive(Debug, thiserror::Error)]
#[error("unknown format {0:?}; expected one of {names}", names = format_names())]
pub struct UnknownFormat(pub String);

fn format_names() -> String {
    ALL_FORMATS.map(Format::name).join(", ")
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let alias = match wanted.as_str() {
            "txt" | "plain" => "text",
            "webvtt" => "vtt",
            "subrip" => "srt",
            "json" | "podcast" => "podcast-json",
            "md" => "markdown",
            other => other,
        };
        ALL_FORMATS
            .into_iter()
            .find(|f| f.name() == alias)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for f in ALL_FORMATS {
            assert_eq!(f.name().parse::<Format>().ok(), Some(f));
        }
        assert_eq!("WebVTT".parse::<Format>().ok(), Some(Format::Vtt));
        assert!("docx".parse::<Format>().is_err());
    }

    #[test]
    fn output_extension_picks_a_writable_format() {
        for ext in ["srt", "vtt", "json", "md", "txt", "SRT"] {
            let f = Format::for_output_path(Path::new(&format!("a.{ext}"))).expect(ext);
            assert!(f.is_writable());
        }
        assert_eq!(Format::for_output_path(Path::new("a.docx")), None);
    }
}
