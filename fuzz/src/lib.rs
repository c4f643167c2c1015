//! The fuzz targets' shared checks; the same files replay every crash the
//! fuzzers found as a test in the main crate (`tests/fuzz_regressions.rs`).

#[path = "../../tests/support/fuzz_check.rs"]
mod fuzz_check;

#[path = "../../tests/support/audio_fuzz_check.rs"]
mod audio_fuzz_check;

#[path = "../../tests/support/journal_fuzz_check.rs"]
mod journal_fuzz_check;

pub use audio_fuzz_check::check_audio;
pub use fuzz_check::check;
pub use journal_fuzz_check::check_journal;
