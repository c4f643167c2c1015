#![no_main]
#[allow(unused_imports)]
use earmark::transcript::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| earmark_fuzz::check(data, Some(Format::Range)));
