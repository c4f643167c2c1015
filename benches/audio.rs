//! Audio figures for one file, printed as one JSON line:
//! `cargo bench --bench audio -- FILE [--seeks N]`.
//!
//! - `open_ms`: `Decoder::open` to playable (median of 5; the MP3 frame index
//!   is built here).
//! - `decode_ms`: a full single-thread decode (median of 3).
//! - `seek_ms`: N seeks to random positions, each followed by reading the
//!   first 1024 frames there (what the player does): p50, p95, max.
//!
//! `benches/audio_vs_ffmpeg.sh` runs this beside ffmpeg and mpv on the same
//! files and prints the ratios.

use std::path::PathBuf;
use std::time::Instant;

use earmark::audio::{Decoder, FrameSource};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut file = None;
    let mut seeks = 200usize;
    while let Some(arg) = args.next() {
        if arg == "--seeks" {
            seeks = args.next().unwrap_or_default().parse()?;
        } else {
            file = Some(PathBuf::from(arg));
        }
    }
    let Some(file) = file else {
        eprintln!("usage: cargo bench --bench audio -- FILE [--seeks N]");
        return Ok(());
    };

    let mut open_ms = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let decoder = Decoder::open(&file)?;
        open_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        drop(decoder);
    }

    let mut decoder = Decoder::open(&file)?;
    let channels = usize::from(decoder.channels());
    let mut buffer = vec![0f32; 4096 * channels];
    let mut decode_ms = Vec::new();
    let mut frames = 0;
    for _ in 0..3 {
        decoder.seek(0)?;
        frames = 0;
        let started = Instant::now();
        loop {
            let got = decoder.read(&mut buffer)?;
            if got == 0 {
                break;
            }
            frames += got;
        }
        decode_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }

    let total = decoder.total_frames();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut seek_ms = Vec::with_capacity(seeks);
    let mut first = vec![0f32; 1024 * channels];
    for _ in 0..seeks {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let target = state % total.max(1);
        let started = Instant::now();
        decoder.seek(target)?;
        decoder.read(&mut first)?;
        seek_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    seek_ms.sort_by(f64::total_cmp);

    println!(
        "{}",
        serde_json::json!({
            "file": file.display().to_string(),
            "frames": total,
            "decoded_frames": frames,
            "duration_s": total as f64 / f64::from(decoder.sample_rate()),
            "open_ms": median(open_ms),
            "decode_ms": median(decode_ms),
            "seek_ms": {
                "count": seeks,
                "p50": percentile(&seek_ms, 0.5),
                "p95": percentile(&seek_ms, 0.95),
                "max": percentile(&seek_ms, 1.0),
            },
        })
    );
    Ok(())
}
