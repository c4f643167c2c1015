//! The app's log: one `log` logger that writes each line to stderr
//! (filtered by `RUST_LOG`; when it is not set, warnings and errors for the
//! window and nothing for a headless command, whose own error line is the
//! one it prints), to a
//! rotating file in the data folder (`logs/earmark.log`: Earmark's own
//! lines from info up, other crates' from warn up, symphonia's from error
//! up, plus whatever `RUST_LOG` adds), and to a small in-memory ring that a
//! crash report quotes. It never panics and never stops the app: a log file
//! that cannot be written is given up with one line on stderr.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use log::{LevelFilter, Log, Metadata, Record};
use thiserror::Error;

/// The log file's name in the logs folder; older ones add `.1`, `.2`, ...
pub const LOG_FILE: &str = "earmark.log";
/// The size at which the log file is rotated: a day of use logs a few
/// kilobytes, so this holds weeks, yet the whole folder stays small.
pub const MAX_LOG_BYTES: u64 = 1024 * 1024;
/// Rotated files kept beside the current one (`earmark.log.1` newest).
pub const KEPT_LOGS: usize = 3;
/// Lines kept in memory for a crash report.
pub const RECENT_LINES: usize = 50;

/// symphonia warns about each MP3's first frames (a normal underflow of
/// its bit reservoir): only its errors are kept unless `RUST_LOG` names it.
const QUIET_CRATE: &str = "symphonia";

/// How long a crash report waits for a logger busy on another thread.
const LOCK_PATIENCE: Duration = Duration::from_millis(200);

/// Why the logger could not be set up.
#[derive(Debug, Error)]
pub enum LogError {
    /// A logger was already set (by an earlier call, or another crate).
    #[error("a logger is already set")]
    AlreadySet,
}

/// The logs folder in the data folder.
pub fn logs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// Sets the process's logger: stderr by `RUST_LOG`, the ring, and the
/// rotating file in `file_dir` when given (the window's run; a headless
/// command reports to its terminal only). A `headless` command's stderr
/// gets nothing unless `RUST_LOG` asks: it says what went wrong in its own
/// one line. The file is created on the first line written to it.
pub fn init(file_dir: Option<&Path>, headless: bool) -> Result<(), LogError> {
    let rust_log = std::env::var("RUST_LOG").ok();
    let logger = Logger::new(rust_log.as_deref(), file_dir, headless);
    let max_level = logger.max_level();
    LOGGER.set(logger).map_err(|_| LogError::AlreadySet)?;
    let logger = LOGGER.get().ok_or(LogError::AlreadySet)?;
    log::set_logger(logger).map_err(|_| LogError::AlreadySet)?;
    log::set_max_level(max_level);
    Ok(())
}

/// The last [`RECENT_LINES`] lines logged, oldest first (none before
/// [`init`]). Safe in a panic hook: it waits only briefly for a logger
/// busy on another thread, and says so instead of the lines if it must.
pub fn recent_lines() -> Vec<String> {
    let Some(logger) = LOGGER.get() else {
        return Vec::new();
    };
    let deadline = std::time::Instant::now() + LOCK_PATIENCE;
    loop {
        match logger.state.try_lock() {
            Ok(state) => return state.recent.iter().cloned().collect(),
            Err(TryLockError::Poisoned(poisoned)) => {
                return poisoned.into_inner().recent.iter().cloned().collect();
            }
            Err(TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(TryLockError::WouldBlock) => {
                return vec![
                    "(the log was busy on another thread; its lines are in the log file)"
                        .to_owned(),
                ];
            }
        }
    }
}

/// The one logger; `log` needs it for the life of the process.
static LOGGER: OnceLock<Logger> = OnceLock::new();

/// Where lines go, and which.
struct Logger {
    /// What reaches stderr: `RUST_LOG`, warnings and up by default.
    stderr: env_filter::Filter,
    /// What reaches the file and the ring besides what stderr gets.
    kept: env_filter::Filter,
    state: Mutex<State>,
}

struct State {
    recent: VecDeque<String>,
    file: Option<RotatingFile>,
}

impl Logger {
    fn new(rust_log: Option<&str>, file_dir: Option<&Path>, headless: bool) -> Logger {
        let mut stderr = env_filter::Builder::new();
        if headless {
            stderr.filter_level(LevelFilter::Off);
        } else {
            stderr
                .filter_level(LevelFilter::Warn)
                .filter_module(QUIET_CRATE, LevelFilter::Error);
        }
        if let Some(spec) = rust_log {
            stderr.parse(spec);
        }
        let kept = env_filter::Builder::new()
            .filter_level(LevelFilter::Warn)
            .filter_module(QUIET_CRATE, LevelFilter::Error)
            .filter_module("earmark", LevelFilter::Info)
            .build();
        Logger {
            stderr: stderr.build(),
            kept,
            state: Mutex::new(State {
                recent: VecDeque::with_capacity(RECENT_LINES),
                file: file_dir
                    .map(|dir| RotatingFile::new(dir.join(LOG_FILE), MAX_LOG_BYTES, KEPT_LOGS)),
            }),
        }
    }

    fn max_level(&self) -> LevelFilter {
        self.stderr.filter().max(self.kept.filter())
    }

    /// The state, also after a panic elsewhere left its lock poisoned (a
    /// log line is never worth a second panic).
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.stderr.enabled(metadata) || self.kept.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        let to_stderr = self.stderr.matches(record);
        if !(to_stderr || self.kept.matches(record)) {
            return;
        }
        // Formatted before the lock is taken: a value whose Display panics
        // then panics with the lock free, so the crash report can read it.
        let line = format_line(SystemTime::now(), record);
        let mut state = self.state();
        if state.recent.len() == RECENT_LINES {
            state.recent.pop_front();
        }
        state.recent.push_back(line.clone());
        if to_stderr {
            // Never eprintln!: it panics when stderr is closed.
            let _ = writeln!(std::io::stderr(), "{line}");
        }
        if let Some(file) = &mut state.file
            && let Err(err) = file.write_line(&line)
        {
            let _ = writeln!(
                std::io::stderr(),
                "earmark: the log is no longer written to {}: {err}",
                file.path.display()
            );
            state.file = None;
        }
    }

    fn flush(&self) {
        if let Some(file) = &mut self.state().file {
            let _ = file.flush();
        }
    }
}

/// `2026-01-02T03:04:05.678Z WARN  earmark::ui::app: message`.
fn format_line(now: SystemTime, record: &Record<'_>) -> String {
    format!(
        "{} {:<5} {}: {}",
        UtcTime::from_system(now).iso(),
        record.level(),
        record.target(),
        record.args()
    )
}

/// A log file that is moved aside once it reaches a size: `NAME` becomes
/// `NAME.1`, `NAME.1` becomes `NAME.2`, ... and the oldest beyond `kept` is
/// removed. By size, not per start: a crash loop of short runs would
/// otherwise push the run that mattered out within minutes, and one long
/// session could grow without bound.
pub struct RotatingFile {
    path: PathBuf,
    max_bytes: u64,
    kept: usize,
    /// Open once the first line is written.
    file: Option<File>,
    len_bytes: u64,
}

impl RotatingFile {
    /// A log at `path` (its folder is made when needed), rotated once it
    /// holds `max_bytes`, keeping `kept` older files.
    pub fn new(path: PathBuf, max_bytes: u64, kept: usize) -> RotatingFile {
        RotatingFile {
            path,
            max_bytes,
            kept,
            file: None,
            len_bytes: 0,
        }
    }

    /// Appends `line` and a newline; rotates first when the file is full.
    pub fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        if self.file.is_none() {
            self.open()?;
        }
        let bytes = line.len() as u64 + 1;
        if self.len_bytes > 0 && self.len_bytes + bytes > self.max_bytes {
            self.rotate()?;
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => self.open()?,
        };
        // One write per line: two instances appending to the same file
        // interleave whole lines, not pieces of them.
        let mut buffer = Vec::with_capacity(line.len() + 1);
        buffer.extend_from_slice(line.as_bytes());
        buffer.push(b'\n');
        file.write_all(&buffer)?;
        self.len_bytes += bytes;
        Ok(())
    }

    /// Flushes what the system holds for the file.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }

    /// The file written to now.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `n`th older file (`NAME.n`).
    pub fn rotated_path(&self, n: usize) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn open(&mut self) -> std::io::Result<&mut File> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.len_bytes = file.metadata()?.len();
        Ok(self.file.insert(file))
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        self.file = None;
        if self.kept == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            let oldest = self.rotated_path(self.kept);
            if oldest.exists() {
                std::fs::remove_file(&oldest)?;
            }
            for n in (1..self.kept).rev() {
                let from = self.rotated_path(n);
                if from.exists() {
                    std::fs::rename(&from, self.rotated_path(n + 1))?;
                }
            }
            std::fs::rename(&self.path, self.rotated_path(1))?;
        }
        self.open().map(|_| ())
    }
}

/// A wall-clock time in UTC, split into its calendar fields (the log and
/// crash reports need no time zone, and no date crate for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    /// The year (1970 and on).
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    /// 0 to 23.
    pub hour: u32,
    /// 0 to 59.
    pub minute: u32,
    /// 0 to 59.
    pub second: u32,
    /// 0 to 999.
    pub millis: u32,
}

impl UtcTime {
    /// `time` in UTC (the epoch for a clock set before 1970).
    pub fn from_system(time: SystemTime) -> UtcTime {
        let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        UtcTime::from_unix_ms(since_epoch.as_millis() as i64)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z in calendar fields.
    pub fn from_unix_ms(unix_ms: i64) -> UtcTime {
        let secs = unix_ms.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let day_secs = secs.rem_euclid(86_400) as u32;
        // Howard Hinnant's civil_from_days: days since 1970 to y/m/d.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        UtcTime {
            year,
            month,
            day,
            hour: day_secs / 3600,
            minute: day_secs / 60 % 60,
            second: day_secs % 60,
            millis: unix_ms.rem_euclid(1000) as u32,
        }
    }

    /// `2026-01-02T03:04:05.678Z`.
    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.millis
        )
    }

    /// `20260102-030405`, for file names that sort by time.
    pub fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }

    #[test]
    fn the_log_is_rotated_at_its_size_keeping_the_newest_older_files() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("logs").join(LOG_FILE);
        // Each line is 10 bytes with its newline: three fit in 30.
        let mut log = RotatingFile::new(path.clone(), 30, 2);
        for n in 0..10 {
            log.write_line(&format!("line {n:04}")).expect("written");
        }
        assert_eq!(read(&path), "line 0009\n");
        assert_eq!(
            read(&log.rotated_path(1)),
            "line 0006\nline 0007\nline 0008\n"
        );
        assert_eq!(
            read(&log.rotated_path(2)),
            "line 0003\nline 0004\nline 0005\n"
        );
        assert!(
            !log.rotated_path(3).exists(),
            "only two older files are kept"
        );
    }

    #[test]
    fn a_log_left_by_an_earlier_run_is_appended_to_and_counts_toward_the_size() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join(LOG_FILE);
        std::fs::write(&path, "earlier 1\nearlier 2\n").expect("written");
        let mut log = RotatingFile::new(path.clone(), 30, 3);
        log.write_line("now 00001").expect("written");
        assert_eq!(read(&path), "earlier 1\nearlier 2\nnow 00001\n");
        log.write_line("now 00002").expect("written");
        assert_eq!(read(&path), "now 00002\n");
        assert_eq!(
            read(&log.rotated_path(1)),
            "earlier 1\nearlier 2\nnow 00001\n"
        );
    }

    #[test]
    fn a_line_longer_than_the_limit_is_written_whole() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join(LOG_FILE);
        let mut log = RotatingFile::new(path.clone(), 8, 1);
        log.write_line("a long line").expect("written");
        log.write_line("another long line").expect("written");
        assert_eq!(read(&path), "another long line\n");
        assert_eq!(read(&log.rotated_path(1)), "a long line\n");
    }

    #[test]
    fn utc_times_are_the_calendar_dates_people_read() {
        let cases = [
            (0, "1970-01-01T00:00:00.000Z", "19700101-000000"),
            (
                951_782_400_123,
                "2000-02-29T00:00:00.123Z",
                "20000229-000000",
            ),
            (
                1_767_323_045_678,
                "2026-01-02T03:04:05.678Z",
                "20260102-030405",
            ),
            (
                4_107_542_399_999,
                "2100-02-28T23:59:59.999Z",
                "21000228-235959",
            ),
        ];
        for (unix_ms, iso, compact) in cases {
            let time = UtcTime::from_unix_ms(unix_ms);
            assert_eq!(time.iso(), iso, "{unix_ms}");
            assert_eq!(time.compact(), compact, "{unix_ms}");
        }
    }

    #[test]
    fn stderr_gets_warnings_unless_rust_log_asks_for_more_and_the_file_keeps_our_info() {
        let at = |level, target: &'static str| {
            Record::builder()
                .level(level)
                .target(target)
                .args(format_args!("x"))
                .build()
        };
        let info = |target| at(log::Level::Info, target);
        let warn = |target| at(log::Level::Warn, target);
        let quiet = Logger::new(None, None, false);
        assert!(!quiet.stderr.matches(&info("earmark::ui::app")));
        assert!(quiet.stderr.matches(&warn("earmark::ui::app")));
        assert!(quiet.stderr.matches(&warn("wgpu_core::device")));
        assert!(quiet.kept.matches(&info("earmark::ui::app")));
        assert!(!quiet.kept.matches(&info("wgpu_core::device")));
        let mp3 = "symphonia_bundle_mp3::layer3";
        assert!(!quiet.stderr.matches(&warn(mp3)) && !quiet.kept.matches(&warn(mp3)));
        assert!(quiet.kept.matches(&at(log::Level::Error, mp3)));
        let asked = Logger::new(Some("earmark=debug,symphonia=warn"), None, false);
        assert!(asked.stderr.matches(&info("earmark::ui::app")));
        assert!(!asked.stderr.matches(&info("wgpu_core::device")));
        assert!(asked.stderr.matches(&warn(mp3)));
        assert_eq!(asked.max_level(), LevelFilter::Debug);
        let headless = Logger::new(None, None, true);
        let error = at(log::Level::Error, "symphonia_core::formats::probe");
        assert!(
            !headless.stderr.matches(&error),
            "a command's one line stays one"
        );
        assert!(
            headless.kept.matches(&error),
            "a crash report still quotes it"
        );
        let headless_asked = Logger::new(Some("symphonia=error"), None, true);
        assert!(headless_asked.stderr.matches(&error));
    }
}
