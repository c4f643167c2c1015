//! Crash reports: a panic hook that writes what a bug report needs (the
//! version, platform, message and place of the panic, its thread, a
//! backtrace and the last log lines) to `crashes/crash-YYYYMMDD-HHMMSS.txt`
//! in the data folder, then lets the default hook print its message; and
//! which reports the user has not been shown yet, for the window's next
//! start to offer. Never draws, and never panics itself.

use std::backtrace::Backtrace;
use std::cmp::Ordering;
use std::io::Write;
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use thiserror::Error;

use crate::logging::{self, UtcTime};

/// The file in the crash folder naming the newest report already shown.
const SEEN_FILE: &str = "seen";
/// What report files start with...
const REPORT_PREFIX: &str = "crash-";
/// ...and end with.
const REPORT_SUFFIX: &str = ".txt";
/// Set to `1` (tests only), the binary panics right after it starts.
pub const TEST_PANIC_VAR: &str = "EARMARK_TEST_PANIC";

/// A crash report that could not be written, or marked as shown.
#[derive(Debug, Error)]
#[error("{action} {path} failed: {source}", path = .path.display())]
pub struct CrashError {
    /// What was being done ("creating", "writing", ...).
    pub action: &'static str,
    /// The file or folder.
    pub path: PathBuf,
    /// Why it failed.
    #[source]
    pub source: std::io::Error,
}

/// The crash folder in the data folder.
pub fn crash_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("crashes")
}

/// What a crash report says.
#[derive(Debug, Clone)]
pub struct Report {
    /// When, in UTC.
    pub time: UtcTime,
    /// The panic's message.
    pub message: String,
    /// `file:line:column` of the panic, when known.
    pub location: Option<String>,
    /// The thread that panicked (`<unnamed>` for one without a name).
    pub thread: String,
    /// The stack at the panic, as `std` prints it.
    pub backtrace: String,
    /// The last lines logged before it, oldest first.
    pub log_lines: Vec<String>,
}

impl Report {
    /// The report of the panic `info`, made on the thread that panicked.
    pub fn of_panic(info: &PanicHookInfo<'_>) -> Report {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(a panic without a message)".to_owned());
        Report {
            time: UtcTime::from_system(SystemTime::now()),
            message,
            location: info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
            thread: std::thread::current()
                .name()
                .unwrap_or("<unnamed>")
                .to_owned(),
            backtrace: without_panic_machinery(&Backtrace::force_capture().to_string()),
            log_lines: logging::recent_lines(),
        }
    }

    /// The report as its file holds it.
    pub fn text(&self) -> String {
        let mut text = String::new();
        text.push_str("Earmark crash report\n\n");
        text.push_str(&format!(
            "Version:  earmark {}\n",
            env!("CARGO_PKG_VERSION")
        ));
        text.push_str(&format!(
            "Platform: {} {} ({})\n",
            std::env::consts::OS,
            std::env::consts::ARCH,
            std::env::consts::FAMILY
        ));
        text.push_str(&format!("Time:     {}\n", self.time.iso()));
        text.push_str(&format!("Thread:   {}\n", self.thread));
        text.push_str(&format!(
            "Location: {}\n",
            self.location.as_deref().unwrap_or("unknown")
        ));
        text.push_str(&format!("\nPanic:\n{}\n", self.message));
        text.push_str(
            "\nUnsaved changes to a transcript are kept in Earmark's journal\n\
             and offered back the next time the transcript is opened.\n",
        );
        text.push_str("\nLast lines of the log:\n");
        for line in &self.log_lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(&format!("\nBacktrace:\n{}\n", self.backtrace));
        text
    }
}

/// The frames of `backtrace` from the code that panicked on: the first ones
/// are this hook and std's panic machinery, which std's own message leaves
/// out too. Unchanged when the names are unknown (symbols stripped).
fn without_panic_machinery(backtrace: &str) -> String {
    const MACHINERY: [&str; 8] = [
        "earmark::crash::Report::of_panic",
        "earmark::crash::install_panic_hook",
        "<alloc::boxed::Box<dyn",
        "std::panicking::",
        "std::sys::backtrace::__rust_end_short_backtrace",
        "rust_begin_unwind",
        "core::panicking::",
        "std::panic::",
    ];
    // A frame starts with its number: "  12: name", then "at file:line".
    let is_frame = |line: &str| {
        line.trim_start()
            .split_once(": ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let lines: Vec<&str> = backtrace.lines().collect();
    let mut first_kept = 0;
    for (index, line) in lines.iter().enumerate() {
        if !is_frame(line) {
            continue;
        }
        if !MACHINERY.iter().any(|name| line.contains(name)) {
            first_kept = index;
            break;
        }
    }
    lines[first_kept..].join("\n")
}

/// Writes `report` into `dir` (made if missing) as a new
/// `crash-YYYYMMDD-HHMMSS.txt` (`-2`, `-3`, ... after it when that second
/// already has one), whole or not at all; returns its path.
pub fn write_report(dir: &Path, report: &Report) -> Result<PathBuf, CrashError> {
    let fail = |action, path: &Path| {
        let path = path.to_owned();
        move |source| CrashError {
            action,
            path,
            source,
        }
    };
    std::fs::create_dir_all(dir).map_err(fail("creating", dir))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".earmark-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail("creating a temporary file in", dir))?;
    temp.write_all(report.text().as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(fail("writing a crash report in", dir))?;
    let stem = format!("{REPORT_PREFIX}{}", report.time.compact());
    let mut n = 1;
    loop {
        let name = match n {
            1 => format!("{stem}{REPORT_SUFFIX}"),
            n => format!("{stem}-{n}{REPORT_SUFFIX}"),
        };
        let path = dir.join(name);
        // Never over another report: two threads may panic in one second.
        match temp.persist_noclobber(&path) {
            Ok(_) => return Ok(path),
            Err(err) if err.error.kind() == std::io::ErrorKind::AlreadyExists => {
                temp = err.file;
                n += 1;
            }
            Err(err) => return Err(fail("naming", &path)(err.error)),
        }
    }
}

/// Installs the panic hook: each panic, on any thread, writes a report into
/// `dir` (when there is one) and logs where, then the default hook prints
/// its usual message to stderr.
pub fn install_panic_hook(dir: Option<PathBuf>) {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(dir) = &dir {
            let report = Report::of_panic(info);
            // Logged after the report is written, so it is in the log file
            // (and on stderr) but not in the report itself.
            match write_report(dir, &report) {
                Ok(path) => log::error!("crash report saved: {}", path.display()),
                Err(err) => log::error!("the crash report was not saved: {err}"),
            }
        }
        default_hook(info);
    }));
}

/// Panics if `$EARMARK_TEST_PANIC` is `1`: how the tests make the real
/// binary crash. Nothing else sets it, and it does no more than that.
pub fn panic_if_asked() {
    if std::env::var_os(TEST_PANIC_VAR).is_some_and(|value| value == "1") {
        panic!("{TEST_PANIC_VAR} is set: panicking on purpose");
    }
}

/// The newest report in `dir` that is newer than the last one shown
/// ([`mark_seen`]); `None` without one, or without the folder.
pub fn unseen_report(dir: &Path) -> Option<PathBuf> {
    let seen = std::fs::read_to_string(dir.join(SEEN_FILE)).ok();
    let seen = seen
        .as_deref()
        .and_then(|name| ReportName::parse(name.trim()));
    let newest = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            ReportName::parse(&name).map(|key| (key, entry.path()))
        })
        .max_by(|(a, _), (b, _)| a.cmp(b))?;
    match seen {
        Some(seen) if newest.0 <= seen => None,
        _ => Some(newest.1),
    }
}

/// Remembers `report` (and so every report before it) as shown.
pub fn mark_seen(dir: &Path, report: &Path) -> Result<(), CrashError> {
    let name = report
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let path = dir.join(SEEN_FILE);
    crate::atomic_file::write(&path, format!("{name}\n").as_bytes()).map_err(|err| CrashError {
        action: "writing",
        path,
        source: err.source,
    })
}

/// A report's file name as the time it stands for: `crash-20260102-030405`
/// and the count after it in that second (`-2`), so that names compare in
/// the order the crashes happened.
#[derive(Debug, PartialEq, Eq)]
struct ReportName {
    stamp: String,
    n: u32,
}

impl ReportName {
    fn parse(name: &str) -> Option<ReportName> {
        let stem = name
            .strip_prefix(REPORT_PREFIX)?
            .strip_suffix(REPORT_SUFFIX)?;
        let (date, rest) = stem.split_once('-')?;
        let (time, n) = match rest.split_once('-') {
            Some((time, n)) => (time, n.parse().ok()?),
            None => (rest, 1),
        };
        let digits = |s: &str, len| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        (digits(date, 8) && digits(time, 6)).then(|| ReportName {
            stamp: format!("{date}{time}"),
            n,
        })
    }
}

impl Ord for ReportName {
    fn cmp(&self, other: &ReportName) -> Ordering {
        (&self.stamp, self.n).cmp(&(&other.stamp, other.n))
    }
}

impl PartialOrd for ReportName {
    fn partial_cmp(&self, other: &ReportName) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(unix_ms: i64) -> Report {
        Report {
            time: UtcTime::from_unix_ms(unix_ms),
            message: "boom".to_owned(),
            location: Some("src/x.rs:1:2".to_owned()),
            thread: "main".to_owned(),
            backtrace: "0: main".to_owned(),
            log_lines: vec!["a line".to_owned()],
        }
    }

    #[test]
    fn the_backtrace_starts_at_the_code_that_panicked() {
        let captured = "   0: earmark::crash::Report::of_panic
             at ./src/crash.rs:82:24
   1: earmark::crash::install_panic_hook::{{closure}}
             at ./src/crash.rs:170:26
   2: std::panicking::panic_with_hook
   3: __rustc::rust_begin_unwind
   4: core::panicking::panic_fmt
   5: core::option::unwrap_failed
   6: earmark::ui::app::EarmarkApp::install
             at ./src/ui/app.rs:440:5
   7: std::panicking::try
   8: main";
        let kept = without_panic_machinery(captured);
        assert!(
            kept.starts_with("   5: core::option::unwrap_failed\n   6: earmark::ui::app"),
            "{kept}"
        );
        assert!(
            kept.ends_with("   7: std::panicking::try\n   8: main"),
            "{kept}"
        );
        let stripped = "   0: <unknown>\n   1: <unknown>";
        assert_eq!(without_panic_machinery(stripped), stripped);
    }

    #[test]
    fn report_names_sort_by_time_then_by_count_within_a_second() {
        let names = [
            "crash-20260102-030405.txt",
            "crash-20260102-030405-2.txt",
            "crash-20260102-030405-10.txt",
            "crash-20260102-030406.txt",
            "crash-20270101-000000.txt",
        ];
        let keys: Vec<_> = names
            .iter()
            .map(|name| ReportName::parse(name).expect(name))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
        for other in [
            "seen",
            ".earmark-x.tmp",
            "crash-2026-030405.txt",
            "crash-20260102-030405-x.txt",
        ] {
            assert_eq!(ReportName::parse(other), None, "{other}");
        }
    }

    #[test]
    fn reports_in_one_second_get_their_own_files_and_the_newest_is_offered_until_seen() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let dir = dir.path().join("crashes");
        assert_eq!(unseen_report(&dir), None, "no folder, no report");
        let first = write_report(&dir, &report(1_767_323_045_000)).expect("written");
        let second = write_report(&dir, &report(1_767_323_045_500)).expect("written");
        assert!(first.ends_with("crash-20260102-030405.txt"), "{first:?}");
        assert!(
            second.ends_with("crash-20260102-030405-2.txt"),
            "{second:?}"
        );
        assert_eq!(unseen_report(&dir), Some(second.clone()));
        mark_seen(&dir, &second).expect("marked");
        assert_eq!(unseen_report(&dir), None);
        let third = write_report(&dir, &report(1_767_323_046_000)).expect("written");
        assert_eq!(unseen_report(&dir), Some(third));
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .expect("the folder")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
