//! The speech detector of issue 12 on generated episodes
//! (`benches/sync/make_cases.py`): per case, the share of 10 ms frames on
//! which it agrees with the truth's speech spans, and how long it took
//! (decode included), beside `ffmpeg -threads 1` decoding the same file
//! when ffmpeg is installed.
//!
//! `cargo bench --bench sync_vad -- CASE_DIR... [--runs N] [--threads N]`
//!
//! A case folder holds `audio.*` (the first file so named) and `truth.json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use earmark::sync::vad::{VadOptions, analyze_file};

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The truth's speech spans, in ms.
fn truth_spans(case: &Path) -> anyhow::Result<Vec<(u64, u64)>> {
    let text = std::fs::read_to_string(case.join("truth.json"))?;
    let truth: serde_json::Value = serde_json::from_str(&text)?;
    let spans = truth["speech"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("{}: no speech spans", case.display()))?;
    Ok(spans
        .iter()
        .filter_map(|s| Some((s[0].as_u64()?, s[1].as_u64()?)))
        .collect())
}

fn audio_of(case: &Path) -> anyhow::Result<PathBuf> {
    std::fs::read_dir(case)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.file_stem().is_some_and(|s| s == "audio"))
        .ok_or_else(|| anyhow::anyhow!("{}: no audio.* file", case.display()))
}

/// Seconds `ffmpeg -threads 1` takes to decode `file`, if ffmpeg runs.
fn ffmpeg_seconds(file: &Path) -> Option<f64> {
    let start = Instant::now();
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-threads", "1", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| start.elapsed().as_secs_f64())
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let (mut cases, mut runs, mut threads) = (Vec::new(), 1usize, 0usize);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().unwrap_or_default().parse()?,
            "--threads" => threads = args.next().unwrap_or_default().parse()?,
            _ => cases.push(PathBuf::from(arg)),
        }
    }
    if cases.is_empty() {
        eprintln!("usage: cargo bench --bench sync_vad -- CASE_DIR... [--runs N] [--threads N]");
        return Ok(());
    }
    let options = VadOptions {
        threads,
        ..VadOptions::default()
    };
    println!(
        "| case | audio | frame agreement | speech (truth / detected) | VAD | ffmpeg -threads 1 decode |"
    );
    println!("|---|---|---|---|---|---|");
    for case in &cases {
        let audio = audio_of(case)?;
        let spans = truth_spans(case)?;
        let mut times = Vec::new();
        let mut activity = None;
        for _ in 0..runs.max(1) {
            let start = Instant::now();
            activity = Some(analyze_file(&audio, &options)?);
            times.push(start.elapsed().as_secs_f64());
        }
        let ffmpeg: Vec<f64> = (0..runs.max(1))
            .filter_map(|_| ffmpeg_seconds(&audio))
            .collect();
        let Some(activity) = activity else { continue };
        let truth_ms: u64 = spans.iter().map(|(a, b)| b - a).sum();
        let name = case
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        println!(
            "| {name} | {:.1} min | {:.1} % | {:.0} s / {:.0} s | {:.2} s | {} |",
            activity.len() as f64 / 6000.0,
            100.0 * activity.agreement_with(&spans),
            truth_ms as f64 / 1000.0,
            activity.speech_ms() as f64 / 1000.0,
            median(times),
            if ffmpeg.is_empty() {
                "no ffmpeg".to_string()
            } else {
                format!("{:.2} s", median(ffmpeg))
            }
        );
    }
    Ok(())
}
