//! Errors of the audio module: each names the file and what was wrong with it.

use std::path::PathBuf;

/// Why an audio file could not be opened, read or sought.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The audio file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("the file is empty: {}", path.display())]
    Empty {
        /// The audio file.
        path: PathBuf,
    },
    /// The bytes are not a container or codec we can decode.
    #[error("not a supported audio file ({reason}): {}", path.display())]
    Unsupported {
        /// The audio file.
        path: PathBuf,
        /// What was recognised, or what is missing.
        reason: String,
    },
    /// The file declares something impossible (no channels, an absurd rate).
    #[error("the file is damaged ({reason}): {}", path.display())]
    Corrupt {
        /// The audio file.
        path: PathBuf,
        /// What is damaged.
        reason: String,
    },
    /// Decoding stopped on damaged data that could not be skipped.
    #[error("cannot decode at {at_ms} ms ({reason}): {}", path.display())]
    Decode {
        /// The audio file.
        path: PathBuf,
        /// Where decoding stopped.
        at_ms: u64,
        /// What the decoder said.
        reason: String,
    },
    /// A seek failed.
    #[error("cannot seek to {to_ms} ms ({reason}): {}", path.display())]
    Seek {
        /// The audio file.
        path: PathBuf,
        /// The position asked for.
        to_ms: u64,
        /// What went wrong.
        reason: String,
    },
}
