//! The audio fuzz target's check, shared with `tests/fuzz_regressions.rs`
//! so every input a fuzzer found is replayed by `cargo test`.

use earmark::audio::{Decoder, FrameSource};

/// The names the bytes are tried under (the extension is a hint to the prober).
const NAMES: &[&str] = &[
    "in.mp3", "in.m4a", "in.flac", "in.wav", "in.ogg", "in.mkv", "in",
];

/// Frames read at most, so a file claiming days of audio stays quick.
const MAX_FRAMES: u64 = 2_000_000;

/// Opens `data` as an audio file (the first byte picks the name), reads it,
/// seeks to a few places and reads again. Errors are fine; a panic is not.
pub fn check_audio(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join(NAMES[usize::from(pick) % NAMES.len()]);
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let Ok(mut decoder) = Decoder::open(&path) else {
        return;
    };
    let channels = usize::from(decoder.channels());
    let total = decoder.total_frames();
    let mut buffer = vec![0f32; 4096 * channels];
    let mut read = 0u64;
    while read < MAX_FRAMES {
        match decoder.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n as u64,
        }
    }
    assert!(read <= total, "read {read} frames of {total}");
    for target in [total / 2, total / 3, 0, total] {
        if decoder.seek(target).is_ok() {
            let _ = decoder.read(&mut buffer);
        }
    }
}
