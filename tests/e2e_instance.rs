//! One window per user and display, on the real binary (issue 11): with an
//! Earmark window open, `earmark OTHER_FILE` hands the file to it and exits
//! at once, no second window appears, and the open window shows the other
//! episode; `earmark` with no file just brings the window forward. Once
//! that window is killed with `kill -9` (its socket left behind), the next
//! `earmark FILE` opens a window of its own.
//!
//! The windows run on a private virtual display (Xvfb) with their settings
//! in the test's folder (`EARMARK_STATE_DIR`), which is also where they
//! meet (`src/instance.rs`), so nothing reaches a window of the user's or
//! of another test. They need Xvfb, xdotool and ImageMagick
//! (`bash packaging/setup.sh`); without them the test fails saying which
//! is missing.
#![cfg(all(feature = "app", target_os = "linux"))]

#[path = "support/desktop.rs"]
mod desktop;

use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use desktop::{Display, Guarded, STEP_TIMEOUT, X_TOOLS, repo_file, require_tools, start_app};

/// The episode the first window opens (its transcript comes by name).
const FIRST: &str = "assets/demo/demo-episode.mp3";
/// The folder of the episode handed over, and its audio's name there.
const OTHER_DIR: &str = "tests/fixtures/e2e";
const OTHER: &str = "delphi-first2min.mp3";
/// The same, from the repository's root.
const OTHER_PATH: &str = "tests/fixtures/e2e/delphi-first2min.mp3";
/// The window's X class (its app id, `src/app_id.rs`).
const CLASS: &str = "io.github.earmark.Earmark";

fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("earmark-e2e-instance")
        .tempdir()
        .unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"))
}

/// Runs `earmark ARGS` from `cwd` as a second start on `display` with the
/// first one's settings folder, and waits for it to end; panics if it is
/// still running after [`STEP_TIMEOUT`] (a second window, say). Returns
/// how it ended, how long it took, and what it wrote on stderr.
fn earmark_again(
    display: &Display,
    dir: &Path,
    cwd: &Path,
    args: &[&str],
) -> (ExitStatus, Duration, String) {
    let log = dir.join("again.log");
    let started = Instant::now();
    let child = Process::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .current_dir(cwd)
        .env("DISPLAY", &display.name)
        .env_remove("WAYLAND_DISPLAY")
        .env("EARMARK_STATE_DIR", dir.join("state"))
        .env("EARMARK_CACHE_DIR", dir.join("cache"))
        .env("EARMARK_TRACE", dir.join("again-trace.jsonl"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&log).expect("a log file in the temp dir"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the earmark binary: {e}"));
    let pid = child.id();
    let mut again = Guarded::new("the second earmark", child, log.clone());
    loop {
        if let Some(status) = again.try_wait() {
            let stderr = std::fs::read_to_string(&log).unwrap_or_default();
            return (status, started.elapsed(), stderr);
        }
        assert!(
            started.elapsed() < STEP_TIMEOUT,
            "`earmark {}` was still running after {STEP_TIMEOUT:?} (windows of its own: {:?}); \
             its output:\n{}",
            args.join(" "),
            visible_windows(display, &["--pid", &pid.to_string()]),
            again.log_text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The visible windows `xdotool search` finds with `filter`.
fn visible_windows(display: &Display, filter: &[&str]) -> Vec<String> {
    let output = Process::new("xdotool")
        .args(["search", "--onlyvisible"])
        .args(filter)
        .env("DISPLAY", &display.name)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run xdotool ({e})"));
    // It exits with 1 when it finds nothing.
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Waits for `window`'s title to contain `wanted`; returns when it did.
fn wait_for_title(
    display: &Display,
    app: &mut Guarded,
    window: &str,
    wanted: &str,
) -> (String, Instant) {
    let started = Instant::now();
    loop {
        let title = display.window_title(window);
        if title.contains(wanted) {
            return (title, Instant::now());
        }
        app.assert_running();
        assert!(
            started.elapsed() < STEP_TIMEOUT,
            "the window's title never named {wanted}; it is {title:?}; its output:\n{}",
            app.log_text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot make {}: {e}", dir.display()));
    dir
}

#[test]
fn a_file_opened_while_a_window_is_open_opens_in_that_window() {
    require_tools(X_TOOLS, "drives a real window on a virtual X display");
    let dir = temp_dir();
    let mut display = Display::start(dir.path());
    let first_file = repo_file(FIRST);
    let (mut app, pid, _trace) = start_app(&display, dir.path(), &[&first_file], Vec::new());
    let window = display.window_of(&mut app, pid);
    wait_for_title(&display, &mut app, &window, "demo-episode");
    assert_eq!(
        visible_windows(&display, &["--class", CLASS]),
        std::slice::from_ref(&window)
    );

    // A relative path, as typed in a shell in the episode's folder.
    let (status, ran_for, stderr) =
        earmark_again(&display, dir.path(), &repo_file(OTHER_DIR), &[OTHER]);
    assert!(
        status.success(),
        "`earmark {OTHER}` failed ({status}): {stderr}"
    );
    let handed_at = Instant::now() - ran_for;
    let (title, shown_at) = wait_for_title(&display, &mut app, &window, "delphi-first2min");
    eprintln!(
        "`earmark {OTHER}` ended after {:.0} ms; the open window's title named it {:.0} ms \
         after it started: {title:?}",
        ran_for.as_secs_f64() * 1000.0,
        (shown_at - handed_at).as_secs_f64() * 1000.0
    );
    assert_eq!(
        visible_windows(&display, &["--class", CLASS]),
        std::slice::from_ref(&window),
        "a second window appeared"
    );
    display.screenshot(&window, &screenshots().join("instance-handed-over.png"));

    // No file: the open window stays as it is, and no other opens.
    let (status, _, stderr) = earmark_again(&display, dir.path(), dir.path(), &[]);
    assert!(status.success(), "`earmark` failed ({status}): {stderr}");
    assert_eq!(
        visible_windows(&display, &["--class", CLASS]),
        std::slice::from_ref(&window)
    );
    assert!(display.window_title(&window).contains("delphi-first2min"));

    // Killed, it leaves its socket behind; the next start opens its own window.
    app.kill_9();
    let sockets: Vec<PathBuf> = std::fs::read_dir(dir.path().join("state"))
        .unwrap_or_else(|e| panic!("cannot list the state folder: {e}"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "sock"))
        .collect();
    assert_eq!(
        sockets.len(),
        1,
        "the killed window's socket stays: {sockets:?}"
    );
    let other_file = repo_file(OTHER_DIR).join(OTHER);
    let (mut second, second_pid, _trace) =
        start_app(&display, dir.path(), &[&other_file], Vec::new());
    let second_window = display.window_of(&mut second, second_pid);
    wait_for_title(&display, &mut second, &second_window, "delphi-first2min");
    // And it listens: a file handed over now opens in it.
    let (status, _, stderr) = earmark_again(
        &display,
        dir.path(),
        dir.path(),
        &[first_file.to_string_lossy().as_ref()],
    );
    assert!(
        status.success(),
        "`earmark {FIRST}` failed ({status}): {stderr}"
    );
    wait_for_title(&display, &mut second, &second_window, "demo-episode");
    assert_eq!(
        visible_windows(&display, &["--class", CLASS]),
        std::slice::from_ref(&second_window)
    );

    // --new-window: a window of its own, which leaves handing over to the first.
    let (mut third, third_pid, _trace) = start_app(
        &display,
        dir.path(),
        &[OsStr::new("--new-window"), other_file.as_os_str()],
        Vec::new(),
    );
    let third_window = display.window_of(&mut third, third_pid);
    wait_for_title(&display, &mut third, &third_window, "delphi-first2min");
    assert_eq!(visible_windows(&display, &["--class", CLASS]).len(), 2);
    let (status, _, stderr) = earmark_again(&display, dir.path(), &repo_file("."), &[OTHER_PATH]);
    assert!(
        status.success(),
        "`earmark {OTHER_PATH}` failed ({status}): {stderr}"
    );
    wait_for_title(&display, &mut second, &second_window, "delphi-first2min");
    assert!(
        display
            .window_title(&third_window)
            .contains("delphi-first2min")
    );
    assert_eq!(visible_windows(&display, &["--class", CLASS]).len(), 2);
}
