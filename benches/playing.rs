//! What the player costs while it plays a long file, as one JSON line:
//! `cargo bench --bench playing -- FILE [--secs N]`.
//!
//! Starts the engine (the default device, or the null output when there is
//! none), loads FILE and times `Command::Load` → `Event::Loaded` (open to
//! playable), plays, builds the waveform beside it with no cache (as on a
//! first open), keeps playing N seconds after the waveform is done, and
//! reports the peak resident memory of the whole process (`VmHWM`) and the
//! clock's progress against the wall clock.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use earmark::audio::{Command, Engine, Event, OutputChoice};
use earmark::waveform::{JobOptions, WaveformJob};

/// A field of /proc/self/status in kB.
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut file = None;
    let mut secs = 5.0;
    while let Some(arg) = args.next() {
        if arg == "--secs" {
            secs = args.next().unwrap_or_default().parse()?;
        } else {
            file = Some(PathBuf::from(arg));
        }
    }
    let Some(file) = file else {
        eprintln!("usage: cargo bench --bench playing -- FILE [--secs N]");
        return Ok(());
    };
    let engine = Engine::start(OutputChoice::DefaultDevice, None)?;
    let asked = Instant::now();
    engine.send(Command::Load(file.clone()));
    let mut device = String::from("null output");
    let load_ms = loop {
        match engine.try_recv() {
            Some(Event::Loaded(_)) => break asked.elapsed().as_secs_f64() * 1000.0,
            Some(Event::LoadFailed { message, .. }) => anyhow::bail!(message),
            Some(Event::DeviceOpened { name, .. }) => device = name,
            _ => std::thread::sleep(Duration::from_micros(200)),
        }
    };
    engine.send(Command::Play);
    let play_started = Instant::now();
    let clock_start_ms = engine.clock().pos_ms;
    let job = WaveformJob::start_with(
        &file,
        JobOptions {
            cache_dir: None,
            threads: 0,
            wake: None,
        },
    );
    let waveform_started = Instant::now();
    let built = job.wait()?;
    let waveform_s = waveform_started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs_f64(secs));
    let wall_s = play_started.elapsed().as_secs_f64();
    let clock_s = (engine.clock().pos_ms - clock_start_ms) as f64 / 1000.0;
    println!(
        "{}",
        serde_json::json!({
            "file": file.display().to_string(),
            "output": device,
            "load_to_playable_ms": load_ms,
            "waveform_s": waveform_s,
            "waveform_threads": built.threads,
            "played_wall_s": wall_s,
            "clock_advanced_s": clock_s,
            "peak_rss_mb": status_kb("VmHWM:") as f64 / 1024.0,
            "rss_now_mb": status_kb("VmRSS:") as f64 / 1024.0,
        })
    );
    Ok(())
}
