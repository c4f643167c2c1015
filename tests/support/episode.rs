//! A copy of the seed transcript in a folder of its own, with a journal
//! folder beside it, for the document tests (`tests/review_journal.rs`,
//! `tests/review_markers.rs`).
#![allow(dead_code, reason = "each test binary uses its own share")]

use std::path::{Path, PathBuf};

/// The episode's folder (removed when dropped), transcript and journals.
pub struct Episode {
    pub dir: tempfile::TempDir,
    pub transcript: PathBuf,
    pub journals: PathBuf,
}

/// The seed transcript copied to `episode.txt` in a new folder.
pub fn episode() -> Episode {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed/delphi-podcast.txt");
    let transcript = dir.path().join("episode.txt");
    std::fs::copy(&seed, &transcript).expect("copy the seed");
    let journals = dir.path().join("journal");
    Episode {
        dir,
        transcript,
        journals,
    }
}
