#![no_main]
//! Any bytes, under any audio file name: opening, reading to the end and
//! seeking either work or give an error; never a panic, a hang or unbounded
//! memory.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| earmark_fuzz::check_audio(data));
