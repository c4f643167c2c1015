#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| earmark_fuzz::check_journal(data));
