//! Why a transcript could not be read or written. Messages name what was
//! expected, then where: `expected "-->" after the start time at line 12 of
//! episode.srt`.

use std::path::PathBuf;

/// A transcript that could not be read at all (a parse with warnings is not an error).
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    /// The content is not the format it was read as; `line` is 1-based (0: the whole file).
    #[error("{expected} at line {line} of {path}", path = .path.display())]
    Syntax {
        /// What the parser expected to find.
        expected: String,
        /// The 1-based line where it did not.
        line: usize,
        /// The file being read.
        path: PathBuf,
    },
    /// The file is bigger than a transcript can reasonably be.
    #[error("{path} is {size_mb} MB; Earmark opens transcripts of up to {limit_mb} MB", path = .path.display())]
    TooLarge {
        /// The file's size.
        size_mb: u64,
        /// The largest file Earmark opens.
        limit_mb: u64,
        /// The file.
        path: PathBuf,
    },
    /// The file could not be read or written.
    #[error("{action} {path} failed", path = .path.display())]
    Io {
        /// What was being done ("opening", "writing", ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        #[source]
        /// Why it failed.
        source: std::io::Error,
    },
    /// Earmark reads this format but cannot write it.
    #[error(
        "cannot write {format} files; choose one of range, srt, vtt, podcast-json, text, markdown"
    )]
    NotWritable {
        /// The read-only format that was asked for.
        format: super::Format,
    },
}

/// What a format parser reports; the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{expected} at line {line}")]
pub struct ParseFailure {
    /// What the parser expected to find.
    pub expected: String,
    /// The 1-based line where it did not.
    pub line: usize,
}

impl ParseFailure {
    /// A failure at a 1-based line.
    pub fn new(line: usize, expected: impl Into<String>) -> Self {
        ParseFailure {
            expected: expected.into(),
            line,
        }
    }

    /// The same failure, naming the file.
    pub fn in_file(self, path: impl Into<PathBuf>) -> TranscriptError {
        TranscriptError::Syntax {
            expected: self.expected,
            line: self.line,
            path: path.into(),
        }
    }
}

impl From<crate::atomic_file::WriteError> for TranscriptError {
    fn from(err: crate::atomic_file::WriteError) -> Self {
        TranscriptError::Io {
            action: err.action,
            path: err.path,
            source: err.source,
        }
    }
}
