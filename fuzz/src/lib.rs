//! The fuzz targets' shared check; the same file replays every crash the
//! fuzzers found as a test in the main crate (`tests/fuzz_regressions.rs`).

#[path = "../../tests/support/fuzz_check.rs"]
mod fuzz_check;

pub use fuzz_check::check;
