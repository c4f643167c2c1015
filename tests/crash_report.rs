//! Crash reports: the panic hook writes one with everything a bug report
//! needs (in this process, from a named thread), and the real binary made
//! to panic (`EARMARK_TEST_PANIC=1`) leaves one in `$EARMARK_STATE_DIR`,
//! logs where, and still exits as a panic does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crash reports in `dir`.
fn reports_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut reports: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| n.starts_with("crash-") && n.ends_with(".txt"))
        })
        .collect();
    reports.sort();
    reports
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn a_panic_on_any_thread_leaves_a_report_with_version_platform_backtrace_and_log() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let logs = dir.path().join("logs");
    let crashes = dir.path().join("crashes");
    earmark::logging::init(Some(&logs), false).expect("the only logger in this test binary");
    // As Earmark's own lines (the file keeps other crates' from warn up).
    for n in 0..60 {
        log::info!(target: "earmark::test", "getting ready, step {n}");
    }
    log::info!(target: "earmark::test", "opened the episode that will crash");
    earmark::crash::install_panic_hook(Some(crashes.clone()));

    let worker = std::thread::Builder::new()
        .name("earmark-test-worker".to_owned())
        .spawn(|| panic!("the wheels came off at {}", 42))
        .expect("a thread");
    assert!(worker.join().is_err(), "the thread panicked");

    let reports = reports_in(&crashes);
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = read(&reports[0]);
    let expected = [
        format!("earmark {}", env!("CARGO_PKG_VERSION")),
        format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        "Thread:   earmark-test-worker".to_owned(),
        "the wheels came off at 42".to_owned(),
        format!(
            "Location: tests{}crash_report.rs:",
            std::path::MAIN_SEPARATOR
        ),
        "Backtrace:".to_owned(),
        // A frame of this test: the backtrace is the panicking thread's.
        "a_panic_on_any_thread_leaves_a_report".to_owned(),
        "opened the episode that will crash".to_owned(),
        "offered back the next time the transcript is opened".to_owned(),
    ];
    for part in expected {
        assert!(report.contains(&part), "no {part:?} in:\n{report}");
    }
    assert!(
        !report.contains("install_panic_hook"),
        "the hook's own frames are left out:\n{report}"
    );
    // The last 50 lines, not all of them.
    assert!(report.contains("step 11\n"), "{report}");
    assert!(!report.contains("step 10\n"), "{report}");

    let log = read(&logs.join("earmark.log"));
    assert!(log.contains("opened the episode that will crash"), "{log}");
    assert!(
        log.contains(&format!("crash report saved: {}", reports[0].display())),
        "{log}"
    );
}

fn earmark(state_dir: &Path, panic: bool, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_earmark"));
    command
        .args(args)
        .env("EARMARK_STATE_DIR", state_dir)
        .env("EARMARK_CACHE_DIR", state_dir.join("cache"))
        .env_remove("RUST_LOG")
        .env_remove(earmark::crash::TEST_PANIC_VAR);
    if panic {
        command.env(earmark::crash::TEST_PANIC_VAR, "1");
    }
    command.output().expect("the earmark binary runs")
}

#[test]
fn the_binary_made_to_panic_saves_a_report_in_the_state_dir_and_exits_non_zero() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let state = dir.path().join("state");
    // No file named: the window's way, which logs to a file too; the panic
    // comes before the window opens, so no display is needed.
    let out = earmark(&state, true, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(101), "a panic's exit: {stderr}");
    assert!(
        stderr.contains("panicking on purpose"),
        "the default hook still speaks: {stderr}"
    );
    assert!(stderr.contains("crash report saved:"), "{stderr}");

    let reports = reports_in(&state.join("crashes"));
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = read(&reports[0]);
    for part in [
        "panicking on purpose",
        "Thread:   main",
        "started on",
        "Backtrace:",
    ] {
        assert!(report.contains(part), "no {part:?} in:\n{report}");
    }
    let log = read(&state.join("logs").join("earmark.log"));
    assert!(log.contains("started on"), "{log}");
    assert!(log.contains("crash report saved:"), "{log}");
}

#[test]
fn a_headless_command_reports_its_crash_too_but_keeps_no_log_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let state = dir.path().join("state");
    let transcript = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/demo-episode.txt");
    let transcript = transcript.to_string_lossy();

    let out = earmark(&state, false, &["inspect", &transcript]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "quiet by default: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        reports_in(&state.join("crashes")).is_empty(),
        "no panic, no report"
    );

    let out = earmark(&state, true, &["inspect", &transcript]);
    assert_eq!(out.status.code(), Some(101));
    assert!(out.stdout.is_empty());
    assert_eq!(reports_in(&state.join("crashes")).len(), 1);
    assert!(
        !state.join("logs").exists(),
        "a command's log is its terminal"
    );
}
