//! The audio headless commands: `probe`, `clip` and `peaks`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::Serialize;

use crate::audio::decode::ms_from_frames;
use crate::audio::wav::WavWriter;
use crate::audio::{Decoder, FrameSource};
use crate::transcript::time::parse_timestamp;
use crate::waveform::{JobOptions, WaveformJob, cache};

/// A position given on the command line: seconds (`83.25`) or a timestamp
/// (`00:01:23.250`), kept as seconds so a frame is found at any rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipTime {
    /// Seconds from the start.
    pub secs: f64,
}

impl std::str::FromStr for ClipTime {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(secs) = text.parse::<f64>() {
            if secs.is_finite() && secs >= 0.0 {
                return Ok(ClipTime { secs });
            }
        } else if let Some(stamp) = parse_timestamp(text.as_bytes()).filter(|t| t.len == text.len())
        {
            return Ok(ClipTime {
                secs: stamp.ms as f64 / 1000.0,
            });
        }
        Err(format!(
            "expected seconds (83.25) or HH:MM:SS.mmm, found {text:?}"
        ))
    }
}

impl ClipTime {
    /// The frame at this time at `sample_rate`, rounded to the nearest.
    pub fn frames_at(self, sample_rate: u32) -> u64 {
        (self.secs * f64::from(sample_rate)).round() as u64
    }
}

/// `earmark probe`: the file's codec, container, rate, channels and exact length.
pub fn probe(file: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let decoder = Decoder::open(file)?;
    serde_json::to_writer_pretty(&mut *out, decoder.info()).context("writing the JSON")?;
    writeln!(out)?;
    Ok(())
}

/// `earmark clip`: the samples from `from` to `to` as a 32-bit float WAV,
/// read through the player's seek path.
pub fn clip(file: &Path, from: ClipTime, to: ClipTime, output: &Path) -> anyhow::Result<()> {
    let mut decoder = Decoder::open(file)?;
    let rate = decoder.sample_rate();
    let total = decoder.total_frames();
    let from_frames = from.frames_at(rate);
    let to_frames = to.frames_at(rate).min(total);
    if from_frames >= to_frames {
        bail!(
            "the clip is empty: --from {} s is not before --to {} s (the file lasts {} ms)",
            from.secs,
            to.secs,
            decoder.info().duration_ms
        );
    }
    let channels = usize::from(decoder.channels());
    let mut writer = WavWriter::create(output, rate, decoder.channels())
        .with_context(|| format!("cannot write {}", output.display()))?;
    decoder.seek(from_frames)?;
    let mut buffer = vec![0f32; 4096 * channels];
    let mut left = to_frames - from_frames;
    while left > 0 {
        let want = (left as usize).min(4096);
        let got = decoder.read(&mut buffer[..want * channels])?;
        if got == 0 {
            break;
        }
        writer
            .write(&buffer[..got * channels])
            .with_context(|| format!("cannot write {}", output.display()))?;
        left -= got as u64;
    }
    writer
        .finish(output)
        .with_context(|| format!("cannot write {}", output.display()))?;
    Ok(())
}

/// How long past the wall time of `--for` seconds `earmark play` waits for
/// the clock to get there.
const PLAY_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// `earmark play`: plays a file (or part of it) on the default output, or the
/// null output when there is none, printing the position heard once a second.
/// `seconds` is media heard, not wall time: it stops once the clock has
/// moved that far from where it started (a sound server may take a moment
/// to start sounding), or at the end of the file. Each line on standard
/// input (Enter, in a terminal) pauses or resumes. A sound device that
/// fails is opened again by the engine (the device's name is printed
/// again); only when that keeps failing does the command end, saying so.
pub fn play(
    file: &Path,
    from: Option<ClipTime>,
    seconds: Option<f64>,
    speed: f64,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    use std::time::{Duration, Instant};

    use crate::audio::{Command, Engine, Event, OutputChoice};

    let engine = Engine::start(OutputChoice::DefaultDevice, None)?;
    engine.send(Command::Load(file.to_path_buf()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let info = loop {
        match engine.try_recv() {
            Some(Event::Loaded(info)) => break info,
            Some(Event::LoadFailed { message, .. }) => bail!("{message}"),
            Some(event) => report_device(&event, out)?,
            None if Instant::now() > deadline => bail!("the audio engine did not answer"),
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let toggles = stdin_lines();
    let from_frames = from.map_or(0, |from| from.frames_at(info.sample_rate));
    engine.send(Command::SeekFrames {
        pos_frames: from_frames,
    });
    engine.send(Command::SetSpeed(speed));
    engine.send(Command::Play);
    engine.settle();
    let started = Instant::now();
    let from_ms = ms_from_frames(from_frames, info.sample_rate);
    let stop_ms = seconds.map(|secs| from_ms + (secs * 1000.0).round() as u64);
    // Should the clock never get there (a device that stalls), give up a
    // little after the wall time that much audio takes, paused time apart.
    let limit =
        seconds.map(|secs| Duration::from_secs_f64(secs / speed.clamp(0.5, 3.0)) + PLAY_GRACE);
    let mut paused_for = Duration::ZERO;
    let mut paused_since: Option<Instant> = None;
    let mut next_report = Duration::ZERO;
    loop {
        while let Some(event) = engine.try_recv() {
            match event {
                Event::Ended => {
                    writeln!(out, "ended at {} ms", engine.clock().pos_ms)?;
                    return Ok(());
                }
                Event::Error(message) => bail!("{message}"),
                Event::DeviceLost => bail!("the audio device was lost"),
                event => report_device(&event, out)?,
            }
        }
        while toggles.try_recv().is_ok() {
            match paused_since.take() {
                Some(since) => {
                    paused_for += since.elapsed();
                    engine.send(Command::Play);
                    writeln!(out, "resumed at {} ms", engine.clock().pos_ms)?;
                }
                None => {
                    engine.send(Command::Pause);
                    engine.settle();
                    paused_since = Some(Instant::now());
                    writeln!(out, "paused at {} ms", engine.clock().pos_ms)?;
                }
            }
            out.flush()?;
        }
        let elapsed = started.elapsed();
        let playing_for = elapsed
            .saturating_sub(paused_for)
            .saturating_sub(paused_since.map_or(Duration::ZERO, |since| since.elapsed()));
        let heard_enough = stop_ms.is_some_and(|stop_ms| engine.clock().pos_ms >= stop_ms);
        if heard_enough || limit.is_some_and(|limit| playing_for >= limit) {
            engine.send(Command::Pause);
            engine.settle();
            writeln!(out, "stopped at {} ms", engine.clock().pos_ms)?;
            return Ok(());
        }
        if elapsed >= next_report {
            writeln!(out, "{} ms", engine.clock().pos_ms)?;
            out.flush()?;
            next_report += Duration::from_secs(1);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Says which sound device `earmark play` plays on, when the engine opens
/// one (at the start, and again after a device failed).
fn report_device(event: &crate::audio::Event, out: &mut dyn Write) -> std::io::Result<()> {
    use crate::audio::Event;
    match event {
        Event::NoDevice { reason } => {
            writeln!(out, "no audio device ({reason}): playing silently")?;
        }
        Event::DeviceOpened { name, .. } => writeln!(out, "playing on {name}")?,
        _ => return Ok(()),
    }
    out.flush()
}

/// A message for each line read from standard input, until it ends (at
/// once when it is empty or closed, as under a test harness).
fn stdin_lines() -> std::sync::mpsc::Receiver<()> {
    use std::io::BufRead;
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    // Without the thread no line is read: playback goes on regardless.
    let _ = std::thread::Builder::new()
        .name("earmark-stdin".to_string())
        .spawn(move || {
            for _ in std::io::stdin().lock().lines().map_while(Result::ok) {
                if lines_tx.send(()).is_err() {
                    return;
                }
            }
        });
    lines_rx
}

/// What `earmark peaks` was asked for.
#[derive(Debug, Clone)]
pub struct PeaksArgs {
    /// Min/max pairs to write with `output`.
    pub bins: usize,
    /// Where to write the bins as JSON, if anywhere.
    pub output: Option<PathBuf>,
    /// Read and write the user's cache (`--no-cache` turns it off).
    pub use_cache: bool,
    /// Decoding threads; 0 means one per core.
    pub threads: usize,
}

/// The JSON `earmark peaks -o` writes.
#[derive(Serialize)]
struct PeaksView {
    sample_rate: u32,
    channels: u16,
    frames: u64,
    /// `[min, max]` per bin, full scale ±1; `null` for a bin with no audio.
    bins: Vec<Option<[f32; 2]>>,
}

/// `earmark peaks`: builds the waveform (or loads it from the cache), prints
/// one line saying how and how long it took, and with `-o` writes the bins.
pub fn peaks(file: &Path, args: &PeaksArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let options = JobOptions {
        cache_dir: if args.use_cache {
            cache::default_dir()
        } else {
            None
        },
        threads: args.threads,
        wake: None,
    };
    let started = Instant::now();
    let built = WaveformJob::start_with(file, options).wait()?;
    let elapsed_secs = started.elapsed().as_secs_f64();
    let peaks = &built.peaks;
    let audio_secs = peaks.total_frames() as f64 / f64::from(peaks.sample_rate().max(1));
    if built.from_cache {
        writeln!(
            out,
            "loaded the waveform of {audio_secs:.1} s of audio from the cache in {elapsed_secs:.3} s"
        )?;
    } else {
        writeln!(
            out,
            "built the waveform of {audio_secs:.1} s of audio in {elapsed_secs:.3} s ({} thread{}, {:.0}x real time)",
            built.threads,
            if built.threads == 1 { "" } else { "s" },
            audio_secs / elapsed_secs.max(1e-9),
        )?;
    }
    if let Some(err) = &built.cache_error {
        eprintln!("earmark: warning: {err}");
    }
    if let Some(output) = &args.output {
        let view = PeaksView {
            sample_rate: peaks.sample_rate(),
            channels: peaks.channels(),
            frames: peaks.total_frames(),
            bins: peaks
                .range(0, peaks.total_frames(), args.bins)
                .into_iter()
                .map(|bin| bin.map(|(min, max)| [min, max]))
                .collect(),
        };
        let json = serde_json::to_vec(&view).context("writing the JSON")?;
        write_atomically(output, &json)
            .with_context(|| format!("cannot write {}", output.display()))?;
    }
    Ok(())
}

/// Replaces `path` with `bytes` through a temporary file in the same folder.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".earmark-")
        .suffix(".json.tmp")
        .tempfile_in(folder)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
