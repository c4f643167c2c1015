//! Crash tests on the real binary (issue 9, "never lose an edit"): the
//! window is killed with `kill -9` (SIGKILL: no destructor, no flush, no
//! "unsaved changes" dialog) and what it left on disk is checked.
//!
//! - `kill_9_after_edits_then_recover_gives_the_same_document`: edits made
//!   with the editing keys (F2 and typing, a speaker key, Ctrl+J, Ctrl+Z,
//!   Ctrl+Shift+Z, Ctrl+Delete, Ctrl+I) survive a `kill -9` that comes
//!   1.5 s after the last of them: the transcript file is untouched, the
//!   next start on the same files asks to recover them all, Enter recovers,
//!   and Ctrl+S writes exactly the bytes the library gives for the same
//!   edits applied headlessly (`earmark::review`).
//! - `kill_9_during_saves_leaves_the_old_or_the_new_file`: Ctrl+S on a
//!   20 000-line transcript, killed more than a hundred times at moments
//!   spread before, inside and after the write, always leaves the whole old
//!   file or the whole new one, never anything else; a kill inside the
//!   write leaves a temporary file beside it, and the next start removes it.
//!
//! Both drive the real window on a private virtual display (Xvfb) with
//! `xdotool`, as a user would, and follow it through its trace log
//! (`EARMARK_TRACE`, `src/ui/trace.rs`) and the journal it keeps in its data
//! folder. Its settings, data and cache live in the test's temporary folder
//! (`EARMARK_STATE_DIR`, `EARMARK_CACHE_DIR`), so nothing of the user's is
//! read or written. No sound server is needed: without a device the app
//! plays into its silent stand-in. Every process the tests start is killed
//! when they end, even when they fail. They need Xvfb, xdotool and
//! ImageMagick's `import` (screenshots of each step go to
//! `$CARGO_TARGET_TMPDIR/e2e-screenshots/`): `bash packaging/setup.sh`
//! installs them; without them the tests fail, saying which is missing.
#![cfg(all(feature = "app", target_os = "linux"))]

#[path = "support/desktop.rs"]
mod desktop;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use desktop::{
    Display, Guarded, START_TIMEOUT, STEP_TIMEOUT, TraceLog, X_TOOLS, is, repo_file, require_tools,
    start_app,
};
use earmark::review::{Document, Edit, journal, ops};

/// The episode edited in the first test: two minutes of synthetic speech
/// and its seven lines.
const AUDIO: &str = "tests/fixtures/e2e/delphi-first2min.mp3";
const TRANSCRIPT: &str = "tests/fixtures/e2e/delphi-first2min.txt";
/// The app starts there (`--start 70`), paused, inside line 3
/// (1:08.577–1:17.325, Speaker A), the first line edited.
const START_MS: u64 = 70_000;
const EDITED: usize = 3;
/// What F2 and typing add to line 3's text.
const TYPED: &str = " (checked)";
/// Where the pointer is moved to make the window draw a frame: in the
/// window, below the transcript's lines, on nothing that reacts to it.
const NUDGE_AT: (u32, u32) = (600, 520);

/// The windows run one at a time: the kill moments of the second test are
/// spread over a save measured on an otherwise quiet machine.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn require_x_tools() {
    require_tools(X_TOOLS, "drives the real window on a virtual X display");
}

/// A fresh temporary folder named for the test.
fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("a temporary folder for the crash test")
}

/// Where screenshots go.
fn screenshots() -> PathBuf {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    std::fs::create_dir_all(&shots)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", shots.display()));
    shots
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The journal the app started with `state_dir` keeps for `transcript`
/// (`ui::editing::journal_dir`: `journal/` in the data folder).
fn journal_of(state_dir: &Path, transcript: &Path) -> PathBuf {
    journal::path_for(&state_dir.join("journal"), transcript)
}

/// How many whole records the journal at `path` holds now (the first says
/// which file was opened; each change adds one).
fn journal_records(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |bytes| journal::decode(&bytes).records.len())
}

/// Waits until the journal holds `records` records, which shows the key
/// pressed before was applied (and the window's next frame sees its
/// effect); panics if it holds more, or if `what` never arrives.
fn wait_for_journal(app: &mut Guarded, path: &Path, records: usize, what: &str) {
    let started = Instant::now();
    loop {
        let found = journal_records(path);
        assert!(
            found <= records,
            "{what}: the journal {} holds {found} records, expected {records}: the key made \
             more than one change",
            path.display()
        );
        if found == records {
            return;
        }
        app.assert_running();
        assert!(
            started.elapsed() < STEP_TIMEOUT,
            "{what}: the journal {} holds {found} records after {STEP_TIMEOUT:?}, expected \
             {records}: the key was not applied",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Lets the window draw `frames` frames from now, moving the pointer by a
/// pixel over it (which draws a frame and changes nothing) while it is
/// idle. Used where the window logs nothing better:
///
/// - after F2, before typing: the line editor has the keyboard from the
///   frame after the one that opened it;
/// - after Enter kept the edited line, before the next key: the focus of
///   the editor just closed lingers for one more frame, in which
///   `shortcuts::take_actions` takes a shortcut for typing and drops it
///   (a bug in the app; a person's key release usually draws that frame
///   first, `xdotool key` sends press and release at once).
fn let_frames_pass(
    display: &Display,
    window: &str,
    trace: &mut TraceLog,
    app: &mut Guarded,
    frames: usize,
) {
    let mark = trace.mark();
    let started = Instant::now();
    for nudge in 0.. {
        trace.poll();
        let drawn = trace
            .events
            .iter()
            .skip(mark)
            .filter(|e| is(e, "frame"))
            .count();
        if drawn >= frames {
            return;
        }
        app.assert_running();
        assert!(
            started.elapsed() < STEP_TIMEOUT,
            "the window drew {drawn} frames in {STEP_TIMEOUT:?}, expected {frames}"
        );
        let x = (NUDGE_AT.0 + nudge % 2).to_string();
        let y = NUDGE_AT.1.to_string();
        display.run("xdotool", &["mousemove", "--window", window, &x, &y]);
        std::thread::sleep(Duration::from_millis(30));
    }
}

/// Waits until the window shows line `segment` as the one being heard,
/// with the playhead at `clock_ms` (the keys then edit that line).
fn wait_for_heard(
    trace: &mut TraceLog,
    app: &mut Guarded,
    mark: usize,
    segment: usize,
    clock_ms: u64,
) {
    let heard = trace.wait_for_since(
        mark,
        app,
        &format!("highlight on line {segment}"),
        START_TIMEOUT,
        |e| is(e, "highlight") && e["segment"] == segment,
    );
    assert_eq!(
        heard["clock_ms"].as_u64(),
        Some(clock_ms),
        "the playhead is not where the keys put it: {heard}"
    );
}

/// Waits until the window's title does (`true`) or does not start with
/// the unsaved-changes mark "•".
fn wait_for_title_mark(display: &Display, app: &mut Guarded, window: &str, marked: bool) -> String {
    let started = Instant::now();
    loop {
        let title = display.window_title(window);
        if title.starts_with('•') == marked {
            return title;
        }
        app.assert_running();
        assert!(
            started.elapsed() < STEP_TIMEOUT,
            "the window's title is still {title:?} after {STEP_TIMEOUT:?}; expected it {} the \
             unsaved-changes mark",
            if marked { "with" } else { "without" }
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until `path` holds something other than `before`; returns it.
fn wait_for_change(app: &mut Guarded, path: &Path, before: &[u8], what: &str) -> Vec<u8> {
    let started = Instant::now();
    loop {
        let now = read(path);
        if now != before {
            return now;
        }
        app.assert_running();
        assert!(started.elapsed() < STEP_TIMEOUT, "{what} wrote nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Where two texts first differ, by line, for a failure message.
fn first_difference(expected: &[u8], found: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let found = String::from_utf8_lossy(found);
    let mut lines = expected
        .split_inclusive('\n')
        .zip(found.split_inclusive('\n'));
    match lines
        .by_ref()
        .enumerate()
        .find(|(_, (want, got))| want != got)
    {
        Some((at, (want, got))) => {
            format!(
                "line {} differs:\nexpected {want:?}\n   found {got:?}",
                at + 1
            )
        }
        None => format!(
            "{} lines expected, {} found (one is a prefix of the other)",
            expected.split_inclusive('\n').count(),
            found.split_inclusive('\n').count()
        ),
    }
}

/// The playhead positions the keys of the first test move to, read from
/// the fixture: the start of line 4 (`Down` from line 3) and of line 6,
/// which is line 5 once lines 4 and 5 are joined (`Down` again).
fn line_starts(transcript: &Path) -> (u64, u64) {
    let document = Document::open(transcript)
        .unwrap_or_else(|e| panic!("{} does not open: {e}", transcript.display()));
    let segments = &document.transcript().segments;
    assert!(
        segments.len() == 7 && segments[EDITED].start_ms <= START_MS,
        "{TRANSCRIPT} is not the seven lines this test was written for"
    );
    (segments[4].start_ms, segments[6].start_ms)
}

/// The bytes the window's Ctrl+S must write after the first test's keys,
/// and how many changes the keys made: the same edits applied headlessly,
/// by the library, to a copy of the transcript in `scratch`, saved through
/// `Document::save` as the window saves.
fn expected_after_edits(transcript: &Path, scratch: &Path) -> (Vec<u8>, usize) {
    std::fs::create_dir_all(scratch).expect("a scratch folder");
    let copy = scratch.join("episode.txt");
    std::fs::copy(transcript, &copy).expect("a scratch copy of the transcript");
    let mut document = Document::open(&copy).expect("the scratch copy opens");
    let (_, line_6_ms) = line_starts(transcript);
    let apply = |document: &mut Document, edit: Option<Edit>, what: &str| {
        let edit = edit.unwrap_or_else(|| {
            panic!("{what} changes nothing in {TRANSCRIPT}: the fixture changed")
        });
        document
            .apply(edit)
            .unwrap_or_else(|e| panic!("the library refuses {what}: {e}"));
    };

    // F2, typing, Enter on line 3 (heard at START_MS).
    let t = document.transcript();
    let text = format!("{}{TYPED}", t.segments[EDITED].text);
    let edit = ops::set_text(t, EDITED, &text);
    apply(&mut document, edit, "the typed text");
    // "2": line 3 gets the second speaker.
    let edit = ops::set_speaker_number(document.transcript(), EDITED, 1);
    apply(&mut document, edit, "the key 2");
    // Down (to line 4's start), Ctrl+J: line 4 joins line 5.
    let edit = ops::merge_with_next(document.transcript(), 4);
    apply(&mut document, edit, "Ctrl+J");
    // Ctrl+Z, Ctrl+Shift+Z: undone and done again.
    document.undo().expect("the join undoes");
    document.redo().expect("the join redoes");
    // Down (to the next line's start, line 5 since the join), Ctrl+Delete.
    assert_eq!(document.transcript().segments[5].start_ms, line_6_ms);
    let edit = ops::delete(document.transcript(), 5);
    apply(&mut document, edit, "Ctrl+Delete");
    // Ctrl+I: an empty line at the playhead, still where Down put it.
    let (_, edit) = ops::insert_at(document.transcript(), line_6_ms);
    apply(&mut document, Some(edit), "Ctrl+I");
    // Set text, speaker, join, undo, redo, delete, insert.
    let changes = 7;

    document
        .save(None)
        .unwrap_or_else(|e| panic!("the scratch copy does not save: {e}"));
    (read(&copy), changes)
}

/// Edits made with the keys survive `kill -9` (the last one left 1.5 s to
/// reach the journal by itself), are offered back on the next start, and
/// come back exactly: the recovered document saved by the window is, byte
/// for byte, what the library makes of the same edits.
#[test]
fn kill_9_after_edits_then_recover_gives_the_same_document() {
    let _alone = one_at_a_time();
    require_x_tools();
    let started = Instant::now();
    let dir = temp_dir("earmark-e2e-crash-recover-");
    let work = dir.path().join("window");
    let files = dir.path().join("episode");
    for folder in [&work, &files] {
        std::fs::create_dir_all(folder).expect("a folder in the temp dir");
    }
    let audio = files.join("episode.mp3");
    let transcript = files.join("episode.txt");
    for (from, to) in [(AUDIO, &audio), (TRANSCRIPT, &transcript)] {
        std::fs::copy(repo_file(from), to).unwrap_or_else(|e| panic!("copying {from}: {e}"));
    }
    let original = read(&transcript);
    let (expected, changes) = expected_after_edits(&transcript, &dir.path().join("expected"));
    let (line_4_ms, line_6_ms) = line_starts(&transcript);
    let journal = journal_of(&work.join("state"), &transcript);
    let shots = screenshots();
    let args: Vec<OsString> = vec![
        audio.clone().into(),
        transcript.clone().into(),
        "--start".into(),
        format!("{}", START_MS / 1000).into(),
    ];

    let mut display = Display::start(dir.path());
    let (mut app, pid, mut trace) = start_app(&display, &work, &args, Vec::new());
    trace.wait_for(&mut app, "opened event", START_TIMEOUT, |e| is(e, "opened"));
    wait_for_heard(&mut trace, &mut app, 0, EDITED, START_MS);
    let window = display.window_of(&mut app, pid);
    wait_for_journal(&mut app, &journal, 1, "opening");

    // F2 opens the editor on line 3; typing; Enter keeps it.
    display.keys(&window, 0, &["F2"]);
    let_frames_pass(&display, &window, &mut trace, &mut app, 3);
    display.run("xdotool", &["type", "--delay", "40", TYPED]);
    display.screenshot(&window, &shots.join("crash-1-typing.png"));
    display.keys(&window, 0, &["Return"]);
    wait_for_journal(&mut app, &journal, 2, "F2, typing, Enter");
    let_frames_pass(&display, &window, &mut trace, &mut app, 2);
    // The second speaker for line 3.
    display.keys(&window, 0, &["2"]);
    wait_for_journal(&mut app, &journal, 3, "the key 2");
    // Down to line 4; join it with line 5; undo; redo.
    let mark = trace.mark();
    display.keys(&window, 0, &["Down"]);
    wait_for_heard(&mut trace, &mut app, mark, 4, line_4_ms);
    display.keys(&window, 0, &["ctrl+j"]);
    wait_for_journal(&mut app, &journal, 4, "Ctrl+J");
    display.keys(&window, 0, &["ctrl+z"]);
    wait_for_journal(&mut app, &journal, 5, "Ctrl+Z");
    display.keys(&window, 0, &["ctrl+shift+z"]);
    wait_for_journal(&mut app, &journal, 6, "Ctrl+Shift+Z");
    // Down to the next line (5 since the join), delete it.
    let mark = trace.mark();
    display.keys(&window, 0, &["Down"]);
    wait_for_heard(&mut trace, &mut app, mark, 5, line_6_ms);
    display.keys(&window, 0, &["ctrl+Delete"]);
    wait_for_journal(&mut app, &journal, 7, "Ctrl+Delete");
    // A new line at the playhead: the last change, left to reach the
    // journal by itself, as it must within a second. Six lines are on
    // screen once it is in.
    let mark = trace.mark();
    display.keys(&window, 0, &["ctrl+i"]);
    trace.wait_for_since(
        mark,
        &mut app,
        "rows with the inserted line",
        STEP_TIMEOUT,
        |e| {
            is(e, "rows")
                && e["rows"]
                    .as_array()
                    .is_some_and(|rows| rows.iter().any(|r| r["segment"] == 5))
        },
    );
    std::thread::sleep(Duration::from_millis(1_500));
    display.screenshot(&window, &shots.join("crash-2-edited.png"));
    let title = display.window_title(&window);
    assert!(
        title.starts_with('•'),
        "the title {title:?} does not show unsaved changes"
    );

    app.kill_9();
    assert!(
        read(&transcript) == original,
        "the transcript changed on disk without Ctrl+S: {}",
        first_difference(&original, &read(&transcript))
    );
    let pending = journal::pending(&work.join("state/journal"), &transcript)
        .unwrap_or_else(|| panic!("no unsaved changes in the journal {}", journal.display()));
    assert_eq!(
        pending.changes, changes,
        "the journal holds {} changes after the kill, {changes} were made",
        pending.changes
    );
    assert!(!pending.damaged, "the journal is damaged after the kill");

    // The next start on the same files asks first: the document on screen
    // is the file's until Enter recovers the changes.
    let (mut app, pid, mut trace) = start_app(&display, &work, &args, Vec::new());
    trace.wait_for(&mut app, "opened event", START_TIMEOUT, |e| is(e, "opened"));
    wait_for_heard(&mut trace, &mut app, 0, EDITED, START_MS);
    let window = display.window_of(&mut app, pid);
    // For the picture only: the dialog fades in.
    std::thread::sleep(Duration::from_millis(500));
    display.screenshot(&window, &shots.join("crash-3-recover.png"));
    let title = display.window_title(&window);
    assert!(
        !title.starts_with('•'),
        "the window shows unsaved changes ({title:?}) before being asked to recover them"
    );
    display.keys(&window, 0, &["Return"]);
    let title = wait_for_title_mark(&display, &mut app, &window, true);
    eprintln!("recovered: the title is now {title:?}");
    display.screenshot(&window, &shots.join("crash-4-recovered.png"));
    display.keys(&window, 0, &["ctrl+s"]);
    let saved = wait_for_change(&mut app, &transcript, &original, "Ctrl+S after recovering");
    wait_for_title_mark(&display, &mut app, &window, false);
    assert!(
        saved == expected,
        "the recovered document, saved, is not the library's result of the same edits: {}",
        first_difference(&expected, &saved)
    );
    assert_ne!(saved, original);
    drop(app);
    drop(display);
    eprintln!(
        "{changes} changes made with keys, killed, recovered and saved as expected in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// How many lines the second test's transcript has (2.1 MB): a save
/// takes about 0.1 s from the key in a debug build, the write itself
/// (temporary file to rename, fsync included) a few milliseconds, long
/// enough to be killed inside it; the test runs in about a minute.
const BIG_LINES: usize = 20_000;
/// How many saves are killed.
const KILLS: usize = 120;
/// Complete saves first, to see how long a save takes here and where in it
/// the write is.
const CALIBRATION_SAVES: usize = 5;
/// The seed of the kill moments.
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// A transcript of `lines` range lines, two speakers taking turns.
fn big_transcript(lines: usize) -> String {
    const WORDS: [&str; 16] = [
        "so", "the", "model", "was", "trained", "on", "what", "people", "actually", "said",
        "about", "it", "and", "then", "we", "shipped",
    ];
    let clock = |ms: u64| {
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    let mut text = String::with_capacity(lines * 90);
    let mut start_ms = 1_000u64;
    for line in 0..lines {
        let length_ms = 1_500 + (line as u64 * 37) % 3_000;
        let speaker = if line % 2 == 0 { "A" } else { "B" };
        let words: Vec<&str> = (0..6 + line % 9)
            .map(|w| WORDS[(line * 7 + w * 3) % WORDS.len()])
            .collect();
        text.push_str(&format!(
            "{} - {}, Speaker {speaker}: {} (line {line})\n",
            clock(start_ms),
            clock(start_ms + length_ms),
            words.join(" ")
        ));
        start_ms += length_ms + 200;
    }
    text
}

/// The middle of `durations` (zero for none).
fn median(durations: &mut [Duration]) -> Duration {
    durations.sort();
    durations
        .get(durations.len() / 2)
        .copied()
        .unwrap_or_default()
}

/// The temporary files of an atomic write (`src/atomic_file.rs`:
/// `.earmark-*.tmp`) in `dir`.
fn temp_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with(".earmark-") && name.ends_with(".tmp")
        })
        .map(|entry| entry.path())
        .collect()
}

/// The inode of `path`: a rename over it gives it a new one.
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()))
        .ino()
}

/// What the window's Ctrl+I then Ctrl+S writes over `old`: an empty line
/// inserted at the playhead (0: no audio is open), saved through
/// `Document::save` (the window's two halves of a save, in one call) from
/// a scratch copy.
fn expected_after_insert(old: &[u8], scratch: &Path) -> Vec<u8> {
    std::fs::create_dir_all(scratch).expect("a scratch folder");
    let copy = scratch.join("episode.txt");
    std::fs::write(&copy, old).expect("a scratch copy");
    let mut document = Document::open(&copy).expect("the scratch copy opens");
    let (_, edit) = ops::insert_at(document.transcript(), 0);
    document.apply(edit).expect("an insertion always fits");
    document
        .save(None)
        .unwrap_or_else(|e| panic!("the scratch copy does not save: {e}"));
    read(&copy)
}

/// A small seeded generator (SplitMix64), so that the kill moments are the
/// same on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A duration from zero to `up_to`.
    fn up_to(&mut self, up_to: Duration) -> Duration {
        let micros = u64::try_from(up_to.as_micros()).unwrap_or(u64::MAX).max(1);
        Duration::from_micros(self.next() % (micros + 1))
    }
}

/// When a save is killed.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after Ctrl+S was pressed.
    AfterKey(Duration),
    /// This long after the temporary file appeared beside the transcript
    /// (at once if the rename is seen first).
    InWrite(Duration),
}

/// What a kill left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Left {
    /// The old file, nothing beside it: killed before the write began.
    OldClean,
    /// The old file and a temporary file beside it: killed inside the write.
    OldWithLeftover,
    /// The new file: killed after the rename.
    New,
}

/// The window on the big transcript, started with its own data folder in
/// `work` (so no journal of an earlier run asks to be recovered).
struct Session {
    app: Guarded,
    window: String,
    journal: PathBuf,
}

impl Session {
    /// Starts the window on `transcript` and waits until it shows it; the
    /// opening removed any temporary file beside it.
    fn open(display: &mut Display, work: &Path, transcript: &Path) -> Session {
        std::fs::create_dir_all(work).expect("a folder for the run");
        let (mut app, pid, mut trace) = start_app(display, work, &[transcript], Vec::new());
        trace.wait_for(&mut app, "rows event", START_TIMEOUT, |e| is(e, "rows"));
        let window = display.window_of(&mut app, pid);
        let journal = journal_of(&work.join("state"), transcript);
        Session {
            app,
            window,
            journal,
        }
    }

    /// Ctrl+I, then waits until the journal has it: the document differs
    /// from the file.
    fn insert_line(&mut self, display: &Display) {
        wait_for_journal(&mut self.app, &self.journal, 1, "opening");
        display.keys(&self.window, 0, &["ctrl+i"]);
        wait_for_journal(&mut self.app, &self.journal, 2, "Ctrl+I");
    }
}

/// How a complete save went, seen from outside: from Ctrl+S pressed to the
/// temporary file first seen, and to the rename.
struct SaveTiming {
    temp_seen: Option<Duration>,
    renamed: Duration,
}

/// Ctrl+S, then watches the folder until the rename.
fn timed_save(display: &Display, session: &mut Session, transcript: &Path) -> SaveTiming {
    let folder = transcript.parent().expect("the transcript is in a folder");
    let before = inode(transcript);
    display.keys(&session.window, 0, &["ctrl+s"]);
    let pressed = Instant::now();
    let mut temp_seen = None;
    loop {
        if temp_seen.is_none() && !temp_files_in(folder).is_empty() {
            temp_seen = Some(pressed.elapsed());
        }
        if inode(transcript) != before {
            return SaveTiming {
                temp_seen,
                renamed: pressed.elapsed(),
            };
        }
        session.app.assert_running();
        assert!(pressed.elapsed() < STEP_TIMEOUT, "Ctrl+S wrote nothing");
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Ctrl+S, and `kill -9` at `moment`.
fn killed_save(display: &Display, mut session: Session, transcript: &Path, moment: Moment) {
    let folder = transcript.parent().expect("the transcript is in a folder");
    let before = inode(transcript);
    display.keys(&session.window, 0, &["ctrl+s"]);
    let pressed = Instant::now();
    match moment {
        Moment::AfterKey(delay) => std::thread::sleep(delay),
        Moment::InWrite(delay) => loop {
            if !temp_files_in(folder).is_empty() {
                std::thread::sleep(delay);
                break;
            }
            if inode(transcript) != before {
                break;
            }
            session.app.assert_running();
            assert!(pressed.elapsed() < STEP_TIMEOUT, "Ctrl+S wrote nothing");
            std::thread::sleep(Duration::from_micros(200));
        },
    }
    session.app.kill_9();
}

/// The transcript is always the whole old file or the whole new one, a
/// killed write leaves a temporary file that the next start removes, and
/// the kills landed before, inside and after writes.
///
/// The saves go through the window's own Ctrl+S, started afresh on the
/// transcript each time (a fraction of a second to the first frame even in
/// a debug build): `Document::start_save` (the text, on the window's
/// thread), its job on a thread of its own (`review::save`: the
/// changed-on-disk check, the backup of the original in the data folder,
/// then `atomic_file::write`: temporary file, fsync, rename, folder sync),
/// then `Document::finish_save` (the journal starts over). `earmark
/// convert IN OUT` would be faster to start but goes straight to
/// `atomic_file::write` from the CLI, skipping the document, the check, the
/// backup and the journal, which are part of what a kill can interrupt in
/// the window; so it is not used.
///
/// Each run starts the window with a fresh data folder (so no journal from
/// the last kill asks to be recovered), presses Ctrl+I (an empty line at
/// the playhead, 0 without audio) and waits for the journal to have it,
/// then Ctrl+S, and kills it: two runs in three at a seeded random delay
/// from no time to twice a typical complete save (the median of five, from
/// Ctrl+S to the rename), one in three a seeded random delay after the
/// temporary file appears, up to the time it typically lives. The expected
/// new file is the library's result of the same insertion on the old one.
#[test]
fn kill_9_during_saves_leaves_the_old_or_the_new_file() {
    let _alone = one_at_a_time();
    require_x_tools();
    let started = Instant::now();
    let dir = temp_dir("earmark-e2e-crash-saves-");
    let folder = dir.path().join("episode");
    let runs = dir.path().join("runs");
    let scratch = dir.path().join("expected");
    std::fs::create_dir_all(&folder).expect("a folder for the transcript");
    let transcript = folder.join("episode.txt");
    std::fs::write(&transcript, big_transcript(BIG_LINES)).expect("the big transcript");
    let mut display = Display::start(dir.path());
    let mut saves_completed = 0;

    // Complete saves: each must give the new file, and they show how long
    // a save takes here.
    let mut renames = Vec::new();
    let mut writes = Vec::new();
    for run in 0..CALIBRATION_SAVES {
        let old = read(&transcript);
        let mut session = Session::open(
            &mut display,
            &runs.join(format!("calibration-{run}")),
            &transcript,
        );
        session.insert_line(&display);
        let timing = timed_save(&display, &mut session, &transcript);
        session.app.kill_9();
        let now = read(&transcript);
        let new = expected_after_insert(&old, &scratch);
        assert!(
            now == new,
            "a complete save did not write the library's result: {}",
            first_difference(&new, &now)
        );
        saves_completed += 1;
        renames.push(timing.renamed);
        if let Some(seen) = timing.temp_seen {
            writes.push(timing.renamed.saturating_sub(seen));
        }
        eprintln!(
            "complete save {run}: temporary file seen {:?} and renamed {:?} after Ctrl+S",
            timing.temp_seen, timing.renamed
        );
    }
    // Medians: a save slowed down by a busy machine (another build) does
    // not stretch the spread past the writes.
    let typical_rename = median(&mut renames);
    let typical_write = median(&mut writes).max(Duration::from_micros(500));
    eprintln!(
        "typical save: renamed {typical_rename:?} after Ctrl+S, written in {typical_write:?}"
    );

    let mut rng = SplitMix64(SEED);
    let mut counts = [0usize; 3];
    let mut backup_leftovers = 0;
    let mut journal_leftovers = 0;
    let mut old = read(&transcript);
    let mut new: Option<Vec<u8>> = None;
    for run in 0..KILLS {
        let work = runs.join(format!("kill-{run}"));
        let mut session = Session::open(&mut display, &work, &transcript);
        let beside = temp_files_in(&folder);
        assert!(
            beside.is_empty(),
            "run {run}: opening the transcript left the temporary files of the last killed \
             save beside it: {beside:?}"
        );
        session.insert_line(&display);
        let moment = if run % 3 == 2 {
            Moment::InWrite(rng.up_to(typical_write))
        } else {
            Moment::AfterKey(rng.up_to(typical_rename * 2))
        };
        killed_save(&display, session, &transcript, moment);

        let now = read(&transcript);
        let beside = temp_files_in(&folder);
        let left = if now == old {
            if beside.is_empty() {
                Left::OldClean
            } else {
                Left::OldWithLeftover
            }
        } else {
            let new = new.get_or_insert_with(|| expected_after_insert(&old, &scratch));
            assert!(
                now == *new,
                "run {run} (killed {moment:?}): the transcript is neither the old file ({} \
                 bytes) nor the new one ({} bytes) but {} bytes: {}",
                old.len(),
                new.len(),
                now.len(),
                first_difference(new, &now)
            );
            assert!(
                beside.is_empty(),
                "run {run}: the save completed but left {beside:?} beside the transcript"
            );
            Left::New
        };
        counts[left as usize] += 1;
        let state = work.join("state");
        let pending = journal::pending(&state.join("journal"), &transcript);
        if left == Left::New {
            saves_completed += 1;
            old = now;
            new = None;
            // Even killed between the rename and the journal starting over,
            // nothing is left to recover: the journal's save mark says the
            // change is in the file (else recovery would fail on it).
            assert!(
                pending.is_none(),
                "run {run} (killed {moment:?}): the save landed but the journal still offers {:?}                  changes",
                pending.map(|p| p.changes)
            );
        } else {
            // Not saved: the change must still be in the journal.
            let changes = pending.map(|p| p.changes);
            assert_eq!(
                changes,
                Some(1),
                "run {run} (killed {moment:?}): the save did not happen and the journal does \
                 not hold the one unsaved change"
            );
        }
        backup_leftovers += temp_files_in(&state.join("backups")).len();
        journal_leftovers += temp_files_in(&state.join("journal")).len();
        std::fs::remove_dir_all(&work)
            .unwrap_or_else(|e| panic!("cannot remove {}: {e}", work.display()));
    }

    // The next start removes what the last kill left, and shows the file.
    let session = Session::open(&mut display, &runs.join("after"), &transcript);
    let beside = temp_files_in(&folder);
    assert!(
        beside.is_empty(),
        "the start after the last kill left temporary files beside the transcript: {beside:?}"
    );
    drop(session);
    drop(display);
    let document = Document::open(&transcript).expect("the transcript opens after the kills");
    assert_eq!(
        document.transcript().segments.len(),
        BIG_LINES + saves_completed,
        "each complete save added one line, and no other save changed the file"
    );

    let [old_clean, mid_write, completed] = counts;
    eprintln!(
        "{KILLS} saves killed: {old_clean} before the write (old file, nothing beside it), \
         {mid_write} inside it (old file, a temporary file beside it, removed by the next \
         start), {completed} after the rename (new file, nothing left to recover); temporary \
         files left in the data folder: {backup_leftovers} in \
         backups/, {journal_leftovers} in journal/; {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    assert!(
        old_clean > 0 && mid_write > 0 && completed > 0,
        "the kills did not cover before ({old_clean}), inside ({mid_write}) and after \
         ({completed}) the write, so the test proved less than it says"
    );
}
