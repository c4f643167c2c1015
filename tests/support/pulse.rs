//! A private PulseAudio sound server for end-to-end tests, and a recording of
//! what reaches it, shared by `tests/e2e_pulse.rs` and `tests/e2e_window.rs`.
//!
//! The server runs in a temporary folder of its own with one uniquely named
//! null sink; `parec` records that sink's monitor, and every chunk it hands
//! over is stamped on arrival, so a recorded frame can be given the time it
//! came out of the server. Dropping either kills its process, so a failing
//! test leaves nothing behind. Nothing here may touch the user's own sound
//! server: every process gets the private folder as its runtime folder and
//! home.
//!
//! It needs `pulseaudio` and `parec`/`pactl` (pulseaudio-utils);
//! `packaging/setup.sh` installs them. Without them it panics, saying so.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command as Process, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long the daemon and `parec` may take to answer; only a hung server
/// reaches it.
const SERVER_TIMEOUT: Duration = Duration::from_secs(15);

/// Channels of the sink and of the recording.
pub const CHANNELS: usize = 2;

/// A PulseAudio daemon with one null sink, in a private temporary folder;
/// dropping it kills the daemon.
pub struct PulseServer {
    child: Child,
    dir: tempfile::TempDir,
    /// The null sink's name; its monitor is `{sink}.monitor`.
    pub sink: String,
    sample_rate: u32,
}

impl PulseServer {
    /// Starts the daemon with a null sink at `sample_rate` and waits until it
    /// answers.
    pub fn start(sample_rate: u32) -> PulseServer {
        let dir = tempfile::Builder::new()
            .prefix("earmark-e2e-pulse-")
            .tempdir()
            .expect("a temporary folder for the PulseAudio daemon");
        for sub in ["run", "home"] {
            std::fs::create_dir(dir.path().join(sub)).expect("a folder in a fresh temp dir");
        }
        let sink = format!("earmark_e2e_{}", std::process::id());
        let child = spawn_daemon(dir.path(), &sink, sample_rate);
        let mut server = PulseServer {
            child,
            dir,
            sink,
            sample_rate,
        };
        server.wait_ready();
        server
    }

    /// Kills the daemon (as a crash or `pulseaudio -k` would) and starts it
    /// again on the same socket with the same sink, as a user's session
    /// restarts its sound server; returns once it answers. Its clients lose
    /// their connections.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = spawn_daemon(self.dir.path(), &self.sink, self.sample_rate);
        self.wait_ready();
    }

    /// Runs `pactl` on this server with `args`, returning what it printed;
    /// panics if it fails.
    pub fn pactl(&self, args: &[&str]) -> String {
        let output = Process::new("pactl")
            .args(["-s", &self.address()])
            .args(args)
            .envs(private_env(self.dir.path()))
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run pactl ({e}): install pulseaudio-utils (bash packaging/setup.sh)")
            });
        assert!(
            output.status.success(),
            "pactl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Loads another null sink named `name` at this server's rate; returns
    /// its module's index (for `pactl unload-module`).
    pub fn load_sink(&self, name: &str) -> String {
        self.pactl(&[
            "load-module",
            "module-null-sink",
            &format!("sink_name={name}"),
            &format!("rate={}", self.sample_rate),
            &format!("channels={CHANNELS}"),
            "format=float32le",
        ])
        .trim()
        .to_string()
    }

    /// The index of the module that made the sink `name`.
    pub fn sink_module(&self, name: &str) -> String {
        let argument = format!("sink_name={name}");
        let modules = self.pactl(&["list", "short", "modules"]);
        modules
            .lines()
            .find(|line| line.split_whitespace().any(|word| word == argument))
            .and_then(|line| line.split_whitespace().next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no module made the sink {name}:\n{modules}"))
    }

    /// The address clients connect to.
    pub fn address(&self) -> String {
        format!("unix:{}", self.dir.path().join("run/native").display())
    }

    /// The environment a client needs to play into this server's sink, and
    /// only there: its address and sink, plus the private folders.
    pub fn client_env(&self) -> Vec<(&'static str, OsString)> {
        let mut env: Vec<(&'static str, OsString)> = vec![
            ("PULSE_SERVER", self.address().into()),
            ("PULSE_SINK", self.sink.clone().into()),
        ];
        env.extend(
            private_env(self.dir.path())
                .into_iter()
                .map(|(key, value)| (key, value.into_os_string())),
        );
        env
    }

    /// Polls `pactl info` until the daemon answers; panics with its log if
    /// it exits or never answers.
    fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "pulseaudio exited ({status}) before answering; its log:\n{}",
                    self.log()
                );
            }
            let answered = Process::new("pactl")
                .args(["-s", &self.address(), "info"])
                .envs(private_env(self.dir.path()))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot run pactl ({e}): install pulseaudio-utils (bash packaging/setup.sh)"
                    )
                })
                .success();
            if answered {
                return;
            }
            assert!(
                started.elapsed() < SERVER_TIMEOUT,
                "pulseaudio did not answer within {SERVER_TIMEOUT:?}; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the daemon logged so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pulse.log")).unwrap_or_default()
    }

    /// Starts recording the sink's monitor as raw interleaved `f32` stereo
    /// at `sample_rate`, and waits until the recording is running: the
    /// monitor streams silence while nothing plays, so once `parec` hands
    /// over audio, whatever plays from then on is in the recording.
    pub fn record(&self, sample_rate: u32) -> Recorder {
        self.record_sink(&self.sink, sample_rate)
    }

    /// The same as [`PulseServer::record`] for the sink named `sink`.
    pub fn record_sink(&self, sink: &str, sample_rate: u32) -> Recorder {
        let mut child = Process::new("parec")
            .args(["-s", &self.address()])
            .arg(format!("--device={sink}.monitor"))
            .args(["--raw", "--format=float32le"])
            .arg(format!("--channels={CHANNELS}"))
            .arg(format!("--rate={sample_rate}"))
            // Small fragments: parec hands over audio about every 10 ms, so
            // a chunk's arrival tells when its audio reached the sink.
            .arg("--latency-msec=10")
            .envs(private_env(self.dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start parec ({e}): install pulseaudio-utils (bash packaging/setup.sh)"
                )
            });
        let stdout = child
            .stdout
            .take()
            .expect("parec was started with a piped stdout");
        let taken = Arc::new(Mutex::new(Taken::default()));
        let reader = {
            let taken = taken.clone();
            std::thread::Builder::new()
                .name("parec-reader".to_string())
                .spawn(move || read_chunks(stdout, &taken))
                .expect("a thread to read parec's output")
        };
        let recorder = Recorder {
            child,
            reader: Some(reader),
            taken,
            sample_rate,
        };
        let started = Instant::now();
        while recorder.frames() < u64::from(sample_rate) / 10 {
            assert!(
                started.elapsed() < SERVER_TIMEOUT,
                "parec recorded nothing from {sink}.monitor within {SERVER_TIMEOUT:?}; \
                 pulseaudio's log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        recorder
    }
}

impl Drop for PulseServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the daemon in `dir` with the null sink `sink` at `sample_rate`
/// and its socket in `dir/run`.
fn spawn_daemon(dir: &Path, sink: &str, sample_rate: u32) -> Child {
    let socket = dir.join("run/native");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("pulse.log"))
        .expect("a log file in the temp dir");
    Process::new("pulseaudio")
        .args([
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--log-target=stderr",
            "--log-level=info",
        ])
        .arg(format!(
            "--load=module-null-sink sink_name={sink} rate={sample_rate} channels={CHANNELS} format=float32le"
        ))
        .arg(format!(
            "--load=module-native-protocol-unix socket={} auth-anonymous=1",
            socket.display()
        ))
        .envs(private_env(dir))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start pulseaudio ({e}): this test needs a real sound server; \
                 install pulseaudio, pulseaudio-utils and libasound2-plugins \
                 (bash packaging/setup.sh)"
            )
        })
}

/// Environment that keeps a PulseAudio process inside `dir`: its runtime
/// folder (socket, pid file) and its home (cookie, config).
fn private_env(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("XDG_RUNTIME_DIR", dir.join("run")),
        ("PULSE_RUNTIME_PATH", dir.join("run")),
        ("HOME", dir.join("home")),
        ("XDG_CONFIG_HOME", dir.join("home/.config")),
    ]
}

/// When one piece of `parec`'s output arrived.
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    /// Frames recorded up to and including this chunk.
    pub end_frame: u64,
    /// When it was read, on this process's monotonic clock.
    pub at: Instant,
    /// The same moment on the wall clock, in nanoseconds since the Unix
    /// epoch: comparable with other processes' stamps.
    pub wall_ns: i128,
}

/// What the reader thread has taken from `parec` so far.
#[derive(Default)]
struct Taken {
    bytes: Vec<u8>,
    chunks: Vec<Chunk>,
}

/// Reads `parec`'s output until it ends, stamping each read.
fn read_chunks(mut stdout: ChildStdout, taken: &Mutex<Taken>) {
    let frame_bytes = CHANNELS * 4;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match stdout.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => read,
        };
        let at = Instant::now();
        let wall_ns = wall_ns_now();
        let Ok(mut taken) = taken.lock() else {
            return;
        };
        taken.bytes.extend_from_slice(&buffer[..read]);
        let end_frame = (taken.bytes.len() / frame_bytes) as u64;
        taken.chunks.push(Chunk {
            end_frame,
            at,
            wall_ns,
        });
    }
}

/// The wall clock now, in nanoseconds since the Unix epoch.
pub fn wall_ns_now() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as i128)
}

/// A running `parec`; dropping it stops the recording.
pub struct Recorder {
    child: Child,
    reader: Option<JoinHandle<()>>,
    taken: Arc<Mutex<Taken>>,
    sample_rate: u32,
}

impl Recorder {
    /// Frames recorded so far.
    pub fn frames(&self) -> u64 {
        self.taken
            .lock()
            .map_or(0, |taken| (taken.bytes.len() / (CHANNELS * 4)) as u64)
    }

    /// Stops `parec` and returns what it recorded.
    pub fn finish(mut self) -> Recording {
        self.stop();
        let taken = std::mem::take(
            &mut *self
                .taken
                .lock()
                .expect("the reader thread has ended, so nothing holds the lock"),
        );
        let samples = taken
            .bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Recording {
            samples,
            chunks: taken.chunks,
            sample_rate: self.sample_rate,
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What reached the sink's monitor while `parec` ran, with when each piece
/// arrived.
pub struct Recording {
    /// Interleaved stereo.
    pub samples: Vec<f32>,
    /// Every read from `parec`, in order.
    pub chunks: Vec<Chunk>,
    /// Frames per second.
    pub sample_rate: u32,
}

impl Recording {
    /// The first chunk that held `frame`: the recording had reached it by
    /// then.
    pub fn chunk_holding(&self, frame: u64) -> Option<&Chunk> {
        self.chunks.iter().find(|chunk| chunk.end_frame > frame)
    }

    /// The wall-clock time `frame` came out of the sink's monitor, in Unix
    /// nanoseconds. The monitor runs at a steady rate, so each chunk's
    /// arrival bounds when every frame came out: frame `f` no later than
    /// `arrival - (end_frame - f) / rate`. Reads are delayed by scheduling by
    /// varying amounts; the tightest bound among the chunks within
    /// `NEAR_SECS` of `frame` is the estimate (what a read without delay would
    /// have shown).
    pub fn wall_ns_at(&self, frame: u64) -> Option<i128> {
        const NEAR_SECS: u64 = 2;
        let near = NEAR_SECS * u64::from(self.sample_rate);
        let ns_per_frame = 1e9 / f64::from(self.sample_rate);
        self.chunks
            .iter()
            .filter(|chunk| chunk.end_frame.abs_diff(frame) <= near)
            .map(|chunk| {
                let frames_after = chunk.end_frame as f64 - frame as f64;
                chunk.wall_ns - (frames_after * ns_per_frame).round() as i128
            })
            .min()
    }

    /// The largest chunk, in milliseconds: how coarsely arrival is seen.
    pub fn largest_chunk_ms(&self) -> f64 {
        let mut last = 0;
        let mut largest = 0;
        for chunk in &self.chunks {
            largest = largest.max(chunk.end_frame - last);
            last = chunk.end_frame;
        }
        largest as f64 * 1000.0 / f64::from(self.sample_rate)
    }
}
