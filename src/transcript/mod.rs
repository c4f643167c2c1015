//! Transcripts: the model, one module per file format, detection from the
//! content, and reading/writing files. Never imports egui or audio crates.

mod detect;
mod encoding;
mod error;
mod format;
pub mod json;
mod markdown;
pub mod markup;
mod model;
mod plain;
mod range;
pub mod speaker;
mod srt;
pub mod time;
mod vtt;

use std::io::Read;
use std::path::Path;

pub use detect::detect;
pub use error::{ParseFailure, TranscriptError};
pub use format::{ALL_FORMATS, Format, UnknownFormat};
pub use model::{
    Header, Layout, Segment, SegmentExtra, SpeakerId, Transcript, Warning, Word, word_ms,
};
pub use plain::TextOptions;

/// Transcript files larger than this are refused before reading: 256 MB is
/// thousands of hours of speech, and parsing holds up to 4× the file in memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a transcript from `path`, detecting the format from the content unless
/// `format` names it.
pub fn read_file(path: &Path, format: Option<Format>) -> Result<Transcript, TranscriptError> {
    let bytes = read_bytes(path)?;
    parse_bytes(bytes, format).map_err(|failure| failure.in_file(path))
}

/// The bytes of the transcript file at `path`, refused past [`MAX_FILE_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, TranscriptError> {
    let io_err = |action, source| TranscriptError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(|e| io_err("opening", e))?;
    let size = file.metadata().map_err(|e| io_err("reading", e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(TranscriptError::TooLarge {
            size_mb: size / 1_000_000,
            limit_mb: MAX_FILE_BYTES / 1_000_000,
            path: path.to_owned(),
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    Read::by_ref(&mut file)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_err("reading", e))?;
    Ok(bytes)
}

/// Parses a whole file's bytes: decodes them, detects the format unless given,
/// and runs that format's parser.
pub fn parse_bytes(bytes: Vec<u8>, format: Option<Format>) -> Result<Transcript, ParseFailure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseFailure::new(
            1,
            "expected a transcript, found an empty file",
        ));
    }
    let decoded = encoding::decode(bytes)?;
    let format = match format {
        Some(format) => format,
        None => detect(&decoded.text).ok_or_else(|| {
            ParseFailure::new(
                1,
                "expected a transcript (range lines, SRT, WebVTT, JSON or timed text)",
            )
        })?,
    };
    let mut transcript = parse_str(&decoded.text, format)?;
    transcript.layout = decoded.layout;
    if !decoded.warnings.is_empty() {
        let mut warnings = decoded.warnings;
        warnings.append(&mut transcript.warnings);
        transcript.warnings = warnings;
    }
    Ok(transcript)
}

/// Parses text already decoded (with `\n` line ends) as the given format.
pub fn parse_str(text: &str, format: Format) -> Result<Transcript, ParseFailure> {
    let mut transcript = match format {
        Format::Range => range::parse(text),
        Format::Srt => srt::parse(text),
        Format::Vtt => vtt::parse(text),
        Format::PodcastJson
        | Format::WhisperJson
        | Format::WhisperCppJson
        | Format::WhisperxJson => json::parse(text, format),
        Format::Text => plain::parse(text),
        Format::Markdown => Err(ParseFailure::new(
            1,
            "expected a readable format (Markdown is written, not read)",
        )),
    }?;
    transcript.format = format;
    Ok(transcript)
}

/// The transcript as text in `format`, with the source's byte order mark, line
/// endings and final newline kept when `format` is the one it was read from.
pub fn write_string(transcript: &Transcript, format: Format) -> Result<String, TranscriptError> {
    write_string_with(transcript, format, &TextOptions::default())
}

/// Like [`write_string`], with the options of the text and Markdown writers
/// (other formats ignore them).
pub fn write_string_with(
    transcript: &Transcript,
    format: Format,
    text_options: &TextOptions,
) -> Result<String, TranscriptError> {
    let text = match format {
        Format::Range => range::write(transcript),
        Format::Srt => srt::write(transcript),
        Format::Vtt => vtt::write(transcript),
        Format::PodcastJson => json::write_podcast(transcript),
        Format::Text => plain::write(transcript, text_options),
        Format::Markdown => markdown::write(transcript, text_options),
        Format::WhisperJson | Format::WhisperCppJson | Format::WhisperxJson => {
            return Err(TranscriptError::NotWritable { format });
        }
    };
    if format != transcript.format {
        return Ok(text);
    }
    let layout = &transcript.layout;
    let mut text = match layout.trailing_newlines {
        Some(count) => {
            let mut text = text;
            text.truncate(text.trim_end_matches('\n').len());
            text.extend(std::iter::repeat_n('\n', count));
            text
        }
        None => text,
    };
    if layout.crlf {
        text = text.replace('\n', "\r\n");
    }
    if layout.bom {
        text.insert(0, '\u{feff}');
    }
    Ok(text)
}

/// Writes the transcript to `path` atomically ([`crate::atomic_file`]): a
/// failure leaves the old file (if any) untouched and never a half-written
/// one, and the old file's permissions are kept.
pub fn write_file(
    transcript: &Transcript,
    format: Format,
    text_options: &TextOptions,
    path: &Path,
) -> Result<(), TranscriptError> {
    let text = write_string_with(transcript, format, text_options)?;
    Ok(crate::atomic_file::write(path, text.as_bytes())?)
}
