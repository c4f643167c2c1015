//! The bundled demo episode: its audio (made by `assets/demo/make.sh`)
//! speaks each transcript line from that line's start time, so the README's
//! run command shows the player in sync.
#![cfg(feature = "audio")]

#[path = "support/signals.rs"]
mod signals;

use std::path::Path;

use earmark::audio::decode::frames_from_ms;
use earmark::transcript;

fn demo(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}

/// Root mean square of `samples[from..to]`.
fn rms(samples: &[f32], from: u64, to: u64) -> f32 {
    let piece = &samples[from as usize..(to as usize).min(samples.len())];
    (piece.iter().map(|s| s * s).sum::<f32>() / piece.len().max(1) as f32).sqrt()
}

#[test]
fn every_line_of_the_demo_is_spoken_from_its_start_time() {
    let transcript = transcript::read_file(&demo("demo-episode.txt"), None).unwrap();
    let (decoder, samples) = signals::decode_all(&demo("demo-episode.mp3"));
    let rate = decoder.info().sample_rate;
    assert_eq!(decoder.info().channels, 1);
    let last_end_ms = transcript.segments.iter().map(|s| s.end_ms).max().unwrap();
    assert!(decoder.info().duration_ms >= last_end_ms);
    assert_eq!(transcript.segments.len(), 6);
    for segment in &transcript.segments {
        let at = frames_from_ms(segment.start_ms, rate);
        let before = rms(
            &samples,
            at - frames_from_ms(150, rate),
            at - frames_from_ms(20, rate),
        );
        let after = rms(
            &samples,
            at + frames_from_ms(20, rate),
            at + frames_from_ms(400, rate),
        );
        assert!(
            before < 0.005 && after > 0.02,
            "line at {} ms: level {before:.4} before, {after:.4} after",
            segment.start_ms
        );
    }
}
