//! The sound device as it behaves on a laptop in daily use, end to end:
//! `earmark play` (the real binary) plays through ALSA's default device and
//! the pulse plugin into a private PulseAudio daemon with a null sink, while
//! the test restarts that daemon, switches its default sink or unloads the
//! sink, with the player playing and paused, and two busy processes load
//! the machine's cores all along. Each line written to the player's stdin
//! pauses or resumes it, as Enter does in a terminal.
//!
//! The file played carries its own position in every frame (channel 0 the
//! frame index modulo 65 536, channel 1 the multiple of 65 536), and the
//! path from the engine to the sink's monitor is bit-exact (float samples,
//! the sink at the file's rate), so each frame `parec` records says which
//! media frame it was: where the sound stopped, where it went on, and when
//! it reached the sink (from `parec`'s chunks, stamped on arrival).
//!
//! Restarting the daemon kills the player's connection: the engine must
//! notice (the device errors without end and asks for no audio), reopen it
//! once the daemon is back, and go on from the position heard, paused if it
//! was paused, without ever saying the device is lost. Switching or
//! unloading the sink is handled by the daemon, which moves the stream to
//! the new default sink: the sound must go on there. And launching under
//! load must not end in a false loss (the window used to show "Audio device
//! lost" in 3 of 8 launches during a parallel build).
//!
//! The tests take turns (each restarts its own daemon and loads every
//! core). They need pulseaudio, pulseaudio-utils and the ALSA pulse plugin
//! (`bash packaging/setup.sh`); without them they fail, saying so.
#![cfg(all(feature = "audio", target_os = "linux"))]

#[path = "support/pulse.rs"]
mod pulse;

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use earmark::audio::wav::WavWriter;
use pulse::{PulseServer, Recording};

/// The file's rate, the sink's and so the device's: no resampling anywhere.
const RATE: u32 = 48_000;
/// The position-coded file's length: longer than any test plays.
const FILE_SECS: u64 = 40;
/// Runs of consecutive media frames shorter than this are not counted as
/// sound: the 5 ms fades scale the code, and a scaled frame now and then
/// decodes to some position by chance.
const MIN_RUN_FRAMES: u64 = RATE as u64 / 100;
/// How far the sound may go on from where it stopped, either way. The engine
/// resumes from the position heard, which it knows to within one device
/// period (10 ms here) plus the server's own latency report; what was in
/// flight when the daemon died is heard again; `parec` misses at most its
/// first fragment (10 ms) of the new stream; seen here: +10 to +45 ms.
/// Resuming from what the engine had written instead would skip its ring's
/// 200 ms and more, and starting over would go back seconds.
const JUMP_BOUND_MS: f64 = 150.0;
/// How long the player may take to say something expected: only a player
/// that never recovers reaches it.
const WAIT: Duration = Duration::from_secs(20);
/// Launches of `earmark play` under load in the false-loss test.
const LAUNCHES: usize = 4;

/// The tests take turns: each loads every core and runs its own daemon.
static TURN: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What every test starts with, held until it ends: the position-coded
/// file in a folder of its own, every core busy, and its turn (the fields
/// drop in this order, the turn last).
struct Setup {
    file: PathBuf,
    _dir: tempfile::TempDir,
    _load: CpuLoad,
    _turn: MutexGuard<'static, ()>,
}

impl Setup {
    fn new() -> Setup {
        let turn = turn();
        let load = CpuLoad::on_every_core();
        let dir = tempfile::tempdir().expect("a temporary folder");
        Setup {
            file: position_file(dir.path()),
            _dir: dir,
            _load: load,
            _turn: turn,
        }
    }
}

/// Media frame `frame`'s two samples.
fn code(frame: u64) -> [f32; 2] {
    [
        ((frame & 0xFFFF) as f32 - 32_768.0) / 32_768.0,
        ((frame >> 16) + 1) as f32 / 64.0,
    ]
}

/// The media frame a recorded frame is, if it is one at full gain.
fn decode(frame: &[f32]) -> Option<u64> {
    let high = f64::from(frame[1]) * 64.0;
    let high_whole = high.round();
    if high_whole < 1.0 || (high - high_whole).abs() > 1e-4 {
        return None;
    }
    let low = (f64::from(frame[0]) * 32_768.0 + 32_768.0).round();
    if !(0.0..65_536.0).contains(&low) {
        return None;
    }
    Some((high_whole as u64 - 1) * 65_536 + low as u64)
}

/// Writes the position-coded file into `dir`.
fn position_file(dir: &Path) -> PathBuf {
    let path = dir.join("position.wav");
    let mut writer = WavWriter::create(&path, RATE, 2).expect("a WAV file in the temp dir");
    let total = FILE_SECS * u64::from(RATE);
    let mut block = Vec::with_capacity(2 * 4800);
    for start in (0..total).step_by(4800) {
        block.clear();
        block.extend((start..(start + 4800).min(total)).flat_map(code));
        writer.write(&block).expect("writing the WAV file");
    }
    writer.finish(&path).expect("finishing the WAV file");
    path
}

/// A stretch of a recording whose frames are consecutive media frames.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// Its first frame in the recording.
    rec_start: u64,
    /// Its length.
    frames: u64,
    /// The media frame it starts with.
    media_start: u64,
}

impl Run {
    fn media_end(&self) -> u64 {
        self.media_start + self.frames
    }
}

/// The runs of consecutive media frames in `recording`, at least
/// `MIN_RUN_FRAMES` long, in order.
fn runs(recording: &Recording) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut current: Option<Run> = None;
    for (index, frame) in recording.samples.chunks_exact(2).enumerate() {
        let media = decode(frame);
        match (&mut current, media) {
            (Some(run), Some(media)) if media == run.media_end() => run.frames += 1,
            _ => {
                runs.extend(current.take().filter(|run| run.frames >= MIN_RUN_FRAMES));
                current = media.map(|media_start| Run {
                    rec_start: index as u64,
                    frames: 1,
                    media_start,
                });
            }
        }
    }
    runs.extend(current.filter(|run| run.frames >= MIN_RUN_FRAMES));
    runs
}

fn ms(frames: f64) -> f64 {
    frames * 1000.0 / f64::from(RATE)
}

/// When frame `frame` of `recording` had reached the sink, at the latest.
fn arrived(recording: &Recording, frame: u64) -> Instant {
    recording
        .chunk_holding(frame)
        .map(|chunk| chunk.at)
        .expect("a recorded frame is in a chunk")
}

/// The last run of media that had reached the sink before `at`, and its last
/// media frame among the frames that had.
fn last_media_before(recording: &Recording, at: Instant) -> Option<u64> {
    let received = recording
        .chunks
        .iter()
        .take_while(|chunk| chunk.at < at)
        .last()
        .map_or(0, |chunk| chunk.end_frame);
    runs(recording)
        .iter()
        .rfind(|run| run.rec_start < received)
        .map(|run| run.media_start + (received - run.rec_start).min(run.frames) - 1)
}

/// Busy processes, one per core, for as long as this lives.
struct CpuLoad(Vec<Child>);

impl CpuLoad {
    fn on_every_core() -> CpuLoad {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        CpuLoad(
            (0..cores)
                .map(|_| {
                    Command::new("yes")
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .spawn()
                        .unwrap_or_else(|e| panic!("cannot start yes for a CPU load: {e}"))
                })
                .collect(),
        )
    }
}

impl Drop for CpuLoad {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The environment for the player: this server and its default sink,
/// whichever it is (no `PULSE_SINK`, so the stream may follow the default).
fn player_env(server: &PulseServer) -> Vec<(&'static str, OsString)> {
    server
        .client_env()
        .into_iter()
        .filter(|(key, _)| *key != "PULSE_SINK")
        .chain([("RUST_LOG", OsString::from("earmark=info"))])
        .collect()
}

/// `earmark play FILE` running, with what it printed so far (stdout and
/// stderr, line by line); dropping it kills it.
struct Player {
    child: Child,
    stdin: ChildStdin,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Player {
    fn start(server: &PulseServer, file: &Path) -> Player {
        let mut child = Command::new(env!("CARGO_BIN_EXE_earmark"))
            .arg("play")
            .arg(file)
            .args(["--for", "30"])
            .env_remove("PULSE_SINK")
            .envs(player_env(server))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start earmark play: {e}"));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("a piped stdout");
        let stderr = child.stderr.take().expect("a piped stderr");
        collect_lines(stdout, lines.clone());
        collect_lines(stderr, lines.clone());
        let stdin = child.stdin.take().expect("a piped stdin");
        Player {
            child,
            stdin,
            lines,
        }
    }

    /// Pauses or resumes, as Enter does.
    fn toggle(&mut self) {
        writeln!(self.stdin).expect("the player reads its stdin");
        self.stdin.flush().expect("the player reads its stdin");
    }

    /// Everything printed so far.
    fn transcript(&self) -> String {
        self.lines
            .lock()
            .map(|lines| lines.join("\n"))
            .unwrap_or_default()
    }

    fn count(&self, needle: &str) -> usize {
        self.lines.lock().map_or(0, |lines| {
            lines.iter().filter(|line| line.contains(needle)).count()
        })
    }

    /// Waits until what was printed satisfies `done`; panics after `WAIT`,
    /// or if the player exits first.
    fn wait_until(&mut self, what: &str, done: impl Fn(&[String]) -> bool) {
        let started = Instant::now();
        loop {
            if self.lines.lock().is_ok_and(|lines| done(&lines)) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "the player exited ({status}) before {what}:\n{}",
                    self.transcript()
                );
            }
            assert!(
                started.elapsed() < WAIT,
                "no {what} within {WAIT:?}:\n{}",
                self.transcript()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until the player prints a clock of at least `pos_ms`.
    fn wait_for_clock(&mut self, pos_ms: u64) {
        self.wait_until(&format!("a clock of {pos_ms} ms"), |lines| {
            lines
                .iter()
                .any(|line| clock_ms(line).is_some_and(|ms| ms >= pos_ms))
        });
    }

    /// The last clock the player printed.
    fn last_clock_ms(&self) -> u64 {
        self.lines
            .lock()
            .ok()
            .and_then(|lines| lines.iter().rev().find_map(|line| clock_ms(line)))
            .unwrap_or(0)
    }

    /// Waits until the player has printed `needle` `times` times.
    fn wait_for_count(&mut self, needle: &str, times: usize) {
        self.wait_until(&format!("{needle:?} {times} times"), |lines| {
            lines.iter().filter(|line| line.contains(needle)).count() >= times
        });
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The clock in a line `earmark play` prints once a second ("1234 ms").
fn clock_ms(line: &str) -> Option<u64> {
    line.strip_suffix(" ms")?.parse().ok()
}

/// Appends each line `from` gives to `lines`, on a thread of its own.
fn collect_lines(from: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if let Ok(mut lines) = lines.lock() {
                lines.push(line);
            }
        }
    });
}

/// Asserts that the player never called the device lost.
fn assert_never_lost(player: &Player) {
    let transcript = player.transcript();
    assert!(
        !transcript.contains("lost") && !transcript.contains("stays away"),
        "the device was called lost:\n{transcript}"
    );
}

/// Where the sound went on after an interruption, measured.
struct GoneOn {
    /// From the last media frame heard before to the first one after, in ms.
    jump_ms: f64,
    /// When the first frame after reached the sink.
    at: Instant,
    /// Media heard after it, in ms.
    heard_ms: f64,
    /// The largest skip, either way, between one stretch of sound and the
    /// next after it (a loaded machine's underruns break the sound up, but
    /// it must go on from where it broke), in ms.
    largest_skip_ms: f64,
}

/// How the sound in `after` goes on from media frame `last_before`.
fn gone_on(after: &Recording, last_before: u64, player: &Player) -> GoneOn {
    let runs = runs(after);
    let Some(first) = runs.first() else {
        panic!(
            "no sound reached the sink afterwards ({} frames recorded):\n{}",
            after.samples.len() / 2,
            player.transcript()
        );
    };
    let largest_skip_ms = runs
        .windows(2)
        .map(|pair| ms(pair[1].media_start as f64 - pair[0].media_end() as f64))
        .fold(0.0, |largest: f64, skip| {
            if skip.abs() > largest.abs() {
                skip
            } else {
                largest
            }
        });
    GoneOn {
        jump_ms: ms(first.media_start as f64 - last_before as f64),
        at: arrived(after, first.rec_start),
        heard_ms: ms(runs.iter().map(|run| run.frames).sum::<u64>() as f64),
        largest_skip_ms,
    }
}

fn assert_jump_within_bound(gone_on: &GoneOn, player: &Player) {
    assert!(
        gone_on.jump_ms.abs() <= JUMP_BOUND_MS,
        "the sound went on {:+.1} ms away from where it stopped:\n{}",
        gone_on.jump_ms,
        player.transcript()
    );
    assert!(
        gone_on.heard_ms >= 1_000.0,
        "only {:.1} ms of sound followed:\n{}",
        gone_on.heard_ms,
        player.transcript()
    );
    assert!(
        gone_on.largest_skip_ms.abs() <= JUMP_BOUND_MS,
        "the sound that followed skipped {:+.1} ms:\n{}",
        gone_on.largest_skip_ms,
        player.transcript()
    );
}

#[test]
fn a_sound_server_restarted_while_playing_plays_on_from_where_it_stopped() {
    let setup = Setup::new();
    let file = &setup.file;
    let mut server = PulseServer::start(RATE);
    let recorder = server.record(RATE);
    let mut player = Player::start(&server, file);
    player.wait_for_clock(500);

    let killed_at = Instant::now();
    server.restart();
    let before = recorder.finish();
    let recorder = server.record(RATE);
    let last_before = last_media_before(&before, killed_at)
        .unwrap_or_else(|| panic!("nothing was heard before:\n{}", player.transcript()));
    // Reopened (the device's name again), and heard for a while.
    player.wait_for_count("playing on", 2);
    player.wait_for_clock(ms(last_before as f64) as u64 + 1_500);
    let after = recorder.finish();
    drop(server);
    assert_never_lost(&player);

    let gone_on = gone_on(&after, last_before, &player);
    eprintln!(
        "server killed at media {:.1} ms; sound again {:.0} ms after the kill, {:+.1} ms away, \
         then {:.0} ms of sound, skipping at most {:+.1} ms",
        ms(last_before as f64),
        (gone_on.at - killed_at).as_secs_f64() * 1000.0,
        gone_on.jump_ms,
        gone_on.heard_ms,
        gone_on.largest_skip_ms
    );
    assert_jump_within_bound(&gone_on, &player);
}

#[test]
fn a_sound_server_restarted_while_paused_stays_paused_and_resumes_where_it_was() {
    let setup = Setup::new();
    let file = &setup.file;
    let mut server = PulseServer::start(RATE);
    let recorder = server.record(RATE);
    let mut player = Player::start(&server, file);
    player.wait_for_clock(500);
    player.toggle();
    player.wait_for_count("paused at", 1);
    // The fade and what the server holds play out.
    std::thread::sleep(Duration::from_millis(300));

    let killed_at = Instant::now();
    server.restart();
    let before = recorder.finish();
    let recorder = server.record(RATE);
    let last_before = last_media_before(&before, killed_at)
        .unwrap_or_else(|| panic!("nothing was heard before:\n{}", player.transcript()));
    player.wait_for_count("playing on", 2);
    let reopened_at = Instant::now();
    // Reopened, and still paused a while later.
    std::thread::sleep(Duration::from_millis(700));
    let resumed_at = Instant::now();
    player.toggle();
    player.wait_for_count("resumed at", 1);
    player.wait_for_clock(ms(last_before as f64) as u64 + 1_500);
    let after = recorder.finish();
    drop(server);
    assert_never_lost(&player);

    let gone_on = gone_on(&after, last_before, &player);
    eprintln!(
        "paused at media {:.1} ms; reopened {:.0} ms after the kill; on resuming, sound \
         {:.0} ms after the resume was sent, {:+.1} ms away",
        ms(last_before as f64),
        (reopened_at - killed_at).as_secs_f64() * 1000.0,
        (gone_on.at.saturating_duration_since(resumed_at)).as_secs_f64() * 1000.0,
        gone_on.jump_ms
    );
    assert!(
        gone_on.at > resumed_at,
        "sound reached the sink before the player was resumed:\n{}",
        player.transcript()
    );
    assert_jump_within_bound(&gone_on, &player);
}

/// What happens to the sink the player plays on.
#[derive(Debug, Clone, Copy)]
enum SinkChange {
    /// Another sink becomes the default.
    Switch,
    /// The sink goes away (its module unloaded); the other one remains.
    Unload,
}

/// Plays into the server's sink with a second sink loaded, changes the sink
/// (`paused` or playing), and checks that the sound goes on at the second
/// sink from where it stopped.
fn sound_follows_the_sink(change: SinkChange, paused: bool) {
    const OTHER: &str = "earmark_e2e_other";
    let setup = Setup::new();
    let file = &setup.file;
    let server = PulseServer::start(RATE);
    server.load_sink(OTHER);
    let first_recorder = server.record(RATE);
    let other_recorder = server.record_sink(OTHER, RATE);
    let mut player = Player::start(&server, file);
    player.wait_for_clock(500);
    if paused {
        player.toggle();
        player.wait_for_count("paused at", 1);
        std::thread::sleep(Duration::from_millis(300));
    }

    let changed_at = Instant::now();
    match change {
        SinkChange::Switch => {
            server.pactl(&["set-default-sink", OTHER]);
        }
        SinkChange::Unload => {
            server.pactl(&["unload-module", &server.sink_module(&server.sink)]);
        }
    }
    let mut resumed_at = None;
    if paused {
        std::thread::sleep(Duration::from_millis(1_000));
        resumed_at = Some(Instant::now());
        player.toggle();
        player.wait_for_count("resumed at", 1);
    }
    let clock_then = player.last_clock_ms();
    player.wait_for_clock(clock_then + 1_500);
    let first = first_recorder.finish();
    let other = other_recorder.finish();
    drop(server);
    assert_never_lost(&player);

    let last_before = last_media_before(&first, changed_at)
        .unwrap_or_else(|| panic!("nothing was heard before:\n{}", player.transcript()));
    let gone_on = gone_on(&other, last_before, &player);
    eprintln!(
        "{change:?} while {}: stopped at media {:.1} ms; sound at the other sink {:.0} ms after \
         the change, {:+.1} ms away; reopened the device {} times",
        if paused { "paused" } else { "playing" },
        ms(last_before as f64),
        (gone_on.at - changed_at).as_secs_f64() * 1000.0,
        gone_on.jump_ms,
        player.count("playing on") - 1
    );
    if let Some(resumed_at) = resumed_at {
        assert!(
            gone_on.at > resumed_at,
            "sound reached the other sink before the player was resumed:\n{}",
            player.transcript()
        );
    }
    assert_jump_within_bound(&gone_on, &player);
}

#[test]
fn the_sound_follows_a_new_default_sink_while_playing() {
    sound_follows_the_sink(SinkChange::Switch, false);
}

#[test]
fn the_sound_goes_on_at_the_remaining_sink_when_its_sink_is_unloaded_while_playing() {
    sound_follows_the_sink(SinkChange::Unload, false);
}

#[test]
fn a_sink_unloaded_while_paused_resumes_at_the_remaining_sink() {
    sound_follows_the_sink(SinkChange::Unload, true);
}

#[test]
fn launches_under_load_never_call_the_device_lost() {
    let setup = Setup::new();
    let file = &setup.file;
    let server = PulseServer::start(RATE);
    let mut reopened = 0;
    for launch in 1..=LAUNCHES {
        let output = Command::new(env!("CARGO_BIN_EXE_earmark"))
            .arg("play")
            .arg(file)
            .args(["--for", "0.5"])
            .env_remove("PULSE_SINK")
            .envs(player_env(&server))
            .output()
            .expect("the earmark binary runs");
        let printed = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && !printed.contains("lost"),
            "launch {launch} of {LAUNCHES} under load lost the device:\n{printed}"
        );
        reopened += printed.matches("playing on").count().saturating_sub(1);
        assert!(
            !printed.contains("opening it again"),
            "launch {launch} of {LAUNCHES} under load took a slow device for a failed one:\n{printed}"
        );
    }
    eprintln!("{LAUNCHES} launches under load: none lost the device, {reopened} reopened it");
}
