//! The real binary in a real window, for end-to-end tests
//! (`tests/e2e_window.rs`, `tests/e2e_crash.rs`): a private virtual X
//! display (Xvfb), the app started on it with its settings, cache, trace and
//! log in a folder of the test's, the window's trace log (`EARMARK_TRACE`,
//! see `src/ui/trace.rs`) read as it grows, and X clients (`xdotool`,
//! ImageMagick's `import`) run against the display.
//!
//! Every process started here is owned by a [`Guarded`], which kills it when
//! dropped, so a failing test leaves nothing running. Nothing here reads or
//! writes the user's settings, cache or display: the app gets
//! `EARMARK_STATE_DIR` and `EARMARK_CACHE_DIR` inside the test's folder and
//! `DISPLAY` of the private X server, and never `WAYLAND_DISPLAY` or the
//! user's D-Bus session bus (`DBUS_SESSION_BUS_ADDRESS` only when a test
//! passes its own, see `session_bus.rs`).
//!
//! It needs Xvfb, xdotool and ImageMagick (`bash packaging/setup.sh`);
//! [`require_tools`] fails naming what is missing.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The size of the virtual screen; the window asks for 1000 × 720.
pub const SCREEN: &str = "1280x800x24";

/// Generous limits for things that take a second or two; only a hung or
/// missing process reaches them (the machine may be busy building).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);
/// The same for one step of a test (a key's effect, a save).
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// A program a test runs besides the binary: its name, the argument that
/// makes it print its version and exit, and the Debian package it comes from.
pub type Tool = (&'static str, &'static str, &'static str);

/// What every window test needs: the X server and the X clients.
pub const X_TOOLS: &[Tool] = &[
    ("Xvfb", "-version", "xvfb"),
    ("xdotool", "version", "xdotool"),
    ("import", "-version", "imagemagick"),
];

/// Panics naming every missing tool and its package; `why` says what the
/// test needs them for.
pub fn require_tools(tools: &[Tool], why: &str) {
    let missing: Vec<String> = tools
        .iter()
        .filter(|(tool, version, _)| {
            Process::new(tool)
                .arg(version)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .map(|(tool, _, package)| format!("{tool} (package {package})"))
        .collect();
    assert!(
        missing.is_empty(),
        "this test {why} and cannot run without: {}; install them with \
         `bash packaging/setup.sh`",
        missing.join(", ")
    );
}

/// A file in the repository.
pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A child process killed when dropped, with its output in a log file.
pub struct Guarded {
    /// What it is, for messages.
    pub what: &'static str,
    child: Child,
    log: PathBuf,
}

impl Guarded {
    /// Takes ownership of `child`, whose output goes to `log`.
    pub fn new(what: &'static str, child: Child, log: PathBuf) -> Guarded {
        Guarded { what, child, log }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How it ended, once it has.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Panics with its log if it has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited ({status}); its output:\n{}",
                self.what,
                self.log_text()
            );
        }
    }

    /// What it wrote to its log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `kill -9`: SIGKILL, then waits for it to be gone. Panics with its log
    /// if it had already exited by itself (a crash, not the kill), or if
    /// something other than the signal ended it.
    pub fn kill_9(&mut self) -> ExitStatus {
        self.assert_running();
        // `Child::kill` sends SIGKILL on Unix.
        if let Err(err) = self.child.kill() {
            panic!("cannot kill {} ({err})", self.what);
        }
        let status = self
            .child
            .wait()
            .unwrap_or_else(|e| panic!("cannot wait for {} ({e})", self.what));
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            assert_eq!(
                status.signal(),
                Some(9),
                "{} ended with {status}, not by the SIGKILL sent; its output:\n{}",
                self.what,
                self.log_text()
            );
        }
        status
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A virtual X display; dropping it stops the X server.
pub struct Display {
    server: Guarded,
    /// `:N`.
    pub name: String,
}

impl Display {
    /// Starts Xvfb on a free display number (it picks one itself and says
    /// which once it accepts connections); its log goes in `dir`.
    pub fn start(dir: &Path) -> Display {
        let log = dir.join("xvfb.log");
        let mut child = Process::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", SCREEN])
            .args(["-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("a log file in the temp dir"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Xvfb ({e}): install xvfb"));
        let stdout = child.stdout.take().expect("Xvfb's stdout was piped");
        let mut server = Guarded::new("Xvfb", child, log);
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let number = match receiver.recv_timeout(START_TIMEOUT) {
            Ok(line) => line.trim().parse::<u32>().ok(),
            Err(_) => None,
        };
        let Some(number) = number else {
            server.assert_running();
            panic!(
                "Xvfb did not report its display within {START_TIMEOUT:?}; its log:\n{}",
                server.log_text()
            );
        };
        Display {
            server,
            name: format!(":{number}"),
        }
    }

    /// Runs an X client on this display to the end; panics with its output
    /// if it fails.
    pub fn run(&self, program: &str, args: &[&str]) -> String {
        let output = Process::new(program)
            .args(args)
            .env("DISPLAY", &self.name)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program} ({e})"));
        assert!(
            output.status.success(),
            "{program} {args:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The window of process `pid`, once it is mapped.
    pub fn window_of(&mut self, app: &mut Guarded, pid: u32) -> String {
        let started = Instant::now();
        loop {
            app.assert_running();
            self.server.assert_running();
            let output = Process::new("xdotool")
                .args(["search", "--onlyvisible", "--pid", &pid.to_string()])
                .env("DISPLAY", &self.name)
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| panic!("cannot run xdotool ({e})"));
            let found = String::from_utf8_lossy(&output.stdout);
            if let Some(id) = found.split_whitespace().next() {
                return id.to_string();
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "no visible window of the earmark process within {START_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Focuses `window` and presses `keys` (xdotool key names: `F2`,
    /// `ctrl+s`, `Return`) one after another, `delay_ms` apart.
    pub fn keys(&self, window: &str, delay_ms: u32, keys: &[&str]) {
        let delay = delay_ms.to_string();
        let mut args = vec!["windowfocus", "--sync", window, "key", "--delay", &delay];
        args.extend_from_slice(keys);
        self.run("xdotool", &args);
    }

    /// The title of `window`.
    pub fn window_title(&self, window: &str) -> String {
        self.run("xdotool", &["getwindowname", window])
            .trim_end_matches('\n')
            .to_owned()
    }

    /// Saves what `window` shows as a PNG.
    pub fn screenshot(&self, window: &str, path: &Path) {
        let path_text = path.to_str().expect("the screenshot path is UTF-8");
        self.run("import", &["-window", window, path_text]);
        eprintln!("screenshot: {}", path.display());
    }
}

/// The window's trace log, read as it grows.
pub struct TraceLog {
    path: PathBuf,
    read_bytes: usize,
    /// Every event read so far, in order.
    pub events: Vec<Value>,
}

impl TraceLog {
    /// The log at `path`, nothing read yet.
    pub fn new(path: PathBuf) -> TraceLog {
        TraceLog {
            path,
            read_bytes: 0,
            events: Vec::new(),
        }
    }

    /// Takes in the complete lines written since the last read.
    pub fn poll(&mut self) {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return;
        };
        let Some(end) = text.rfind('\n').map(|at| at + 1) else {
            return;
        };
        if end <= self.read_bytes {
            return;
        }
        for line in text[self.read_bytes..end].lines() {
            let event = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("a trace line is not JSON ({e}): {line}"));
            self.events.push(event);
        }
        self.read_bytes = end;
    }

    /// How many events have been logged so far: events from here on are
    /// the ones [`TraceLog::wait_for_since`] with this mark looks at.
    pub fn mark(&mut self) -> usize {
        self.poll();
        self.events.len()
    }

    /// Waits for the first event (from the start of the log) that `wanted`
    /// accepts, while the window runs; panics naming `what` if none comes
    /// within `timeout`.
    pub fn wait_for(
        &mut self,
        app: &mut Guarded,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        self.wait_for_since(0, app, what, timeout, wanted)
    }

    /// [`TraceLog::wait_for`] among the events logged after `mark`.
    pub fn wait_for_since(
        &mut self,
        mark: usize,
        app: &mut Guarded,
        what: &str,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = Instant::now();
        loop {
            self.poll();
            if let Some(event) = self.events.iter().skip(mark).find(|e| wanted(e)) {
                return event.clone();
            }
            app.assert_running();
            assert!(
                started.elapsed() < timeout,
                "the window logged no {what} within {timeout:?}; its trace:\n{}",
                self.summary()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The events so far, one a line, rows and frames left out (they are
    /// long or many).
    pub fn summary(&self) -> String {
        self.events
            .iter()
            .filter(|e| e["event"] != "rows" && e["event"] != "frame")
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// An event's kind.
pub fn is(event: &Value, kind: &str) -> bool {
    event["event"] == kind
}

/// An event's wall-clock stamp, in Unix nanoseconds.
pub fn wall_ns(event: &Value) -> i128 {
    i128::from(
        event["wall_ns"]
            .as_u64()
            .unwrap_or_else(|| panic!("a trace event without wall_ns: {event}")),
    )
}

/// Starts the real binary with `args` in `display`, its settings
/// (`dir/state`), cache (`dir/cache`), trace (`dir/trace.jsonl`, any old one
/// removed first) and log (`dir/earmark.log`) in `dir`, with `env` added (a
/// sound server's); returns it, its pid and its trace. Starting it again
/// with the same `dir` finds the settings and data the last run left.
pub fn start_app(
    display: &Display,
    dir: &Path,
    args: &[impl AsRef<OsStr>],
    env: Vec<(&'static str, OsString)>,
) -> (Guarded, u32, TraceLog) {
    let trace_path = dir.join("trace.jsonl");
    // The app truncates it when it starts; until then an old one would be
    // read as this run's.
    match std::fs::remove_file(&trace_path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            panic!(
                "cannot remove the old trace {}: {err}",
                trace_path.display()
            )
        }
        _ => {}
    }
    let app_log = dir.join("earmark.log");
    let child = Process::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        // Not the user's session bus (the media controls would show up in
        // their desktop's sound menu): one that is not there, unless `env`
        // names a private one. Unset, the bus in $XDG_RUNTIME_DIR is used.
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", dir.join("no-session-bus").display()),
        )
        .envs(env)
        .env("DISPLAY", &display.name)
        // X11 only, even when the test runs inside a Wayland session.
        .env_remove("WAYLAND_DISPLAY")
        .env("EARMARK_STATE_DIR", dir.join("state"))
        .env("EARMARK_CACHE_DIR", dir.join("cache"))
        .env("EARMARK_TRACE", &trace_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&app_log).expect("a log file in the temp dir"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the earmark binary: {e}"));
    let pid = child.id();
    let app = Guarded::new("earmark", child, app_log);
    (app, pid, TraceLog::new(trace_path))
}
