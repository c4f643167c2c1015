//! Deciding what a file is, finding its partner (`episode.mp3` ↔
//! `episode.srt`), reading transcripts off the UI thread and asking for files
//! with the system's dialog, also off the UI thread. Never draws.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use crate::audio::{AudioInfo, Decoder};
use crate::review::Document;
use crate::review::session::{self, AudioLink, Session};
use crate::timeline::Timeline;
use crate::transcript::Transcript;

/// File extensions (lower case) read as audio.
pub const AUDIO_EXTENSIONS: [&str; 13] = [
    "mp3", "m4a", "m4b", "mp4", "aac", "flac", "wav", "ogg", "oga", "opus", "mka", "mkv", "webm",
];

/// File extensions (lower case) read as transcripts, in the order a partner is preferred.
pub const TRANSCRIPT_EXTENSIONS: [&str; 4] = ["vtt", "srt", "json", "txt"];

/// What kind of file a path holds, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Sound to play.
    Audio,
    /// Text with times.
    Transcript,
}

/// The kind of `path` by its extension; anything not audio is tried as a transcript.
pub fn file_kind(path: &Path) -> FileKind {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if AUDIO_EXTENSIONS.contains(&extension.as_str()) {
        FileKind::Audio
    } else {
        FileKind::Transcript
    }
}

/// `paths` with each session file (`NAME.earmark`) replaced by the
/// transcript and audio it names, and the reason for each that could not
/// be read.
pub fn expand_sessions(paths: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<String>) {
    let mut expanded = Vec::with_capacity(paths.len());
    let mut failures = Vec::new();
    for path in paths {
        if !session::is_session_file(&path) {
            expanded.push(path);
            continue;
        }
        match Session::read(&path) {
            Ok(session) => expanded.extend(session.transcript.into_iter().chain(session.audio)),
            Err(err) => failures.push(err.to_string()),
        }
    }
    (expanded, failures)
}

/// The one episode that several files (a file manager's selection, a
/// command line, a drop) make up, and the files left out. A session file
/// (`NAME.earmark`) first is an episode on its own; two files of different
/// kinds are an audio file and its transcript whatever their names;
/// otherwise the first file goes with the first of the others of the
/// other kind named like it (`episode.mp3`, `Episode.srt`,
/// `episode.en.vtt`), or alone, bringing its partner from its folder.
pub fn one_episode(mut paths: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<PathBuf>) {
    if paths.is_empty() {
        return (paths, Vec::new());
    }
    let first = paths.remove(0);
    if session::is_session_file(&first) {
        return (vec![first], paths);
    }
    let other_kind =
        |path: &Path| !session::is_session_file(path) && file_kind(path) != file_kind(&first);
    let partner = if paths.len() == 1 && other_kind(&paths[0]) {
        Some(0)
    } else {
        paths
            .iter()
            .position(|path| other_kind(path) && named_alike(&first, path))
    };
    let mut chosen = vec![first];
    if let Some(index) = partner {
        chosen.push(paths.remove(index));
    }
    (chosen, paths)
}

/// An audio file and a transcript named alike: the same stem in any case,
/// or the transcript's is the audio's and a language tag (`episode.en`).
fn named_alike(a: &Path, b: &Path) -> bool {
    let stem = |path: &Path| path.file_stem().map(|s| s.to_string_lossy().to_lowercase());
    let (audio, transcript) = match file_kind(a) {
        FileKind::Audio => (stem(a), stem(b)),
        FileKind::Transcript => (stem(b), stem(a)),
    };
    let (Some(audio), Some(transcript)) = (audio, transcript) else {
        return false;
    };
    transcript == audio
        || transcript
            .strip_prefix(&audio)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|tag| !tag.is_empty() && !tag.contains('.'))
}

/// What the window says about the files [`one_episode`] left out, if any.
pub fn left_out_message(left_out: &[PathBuf]) -> Option<String> {
    if left_out.is_empty() {
        return None;
    }
    let names: Vec<String> = left_out
        .iter()
        .map(|path| {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    Some(format!(
        "One episode opens at a time; not opened: {}.",
        names.join(", ")
    ))
}

/// Files in `path`'s folder that go with it: for audio, transcripts with the
/// same stem (`episode.srt`, `episode.en.vtt`); for a transcript, audio with
/// its stem. Preferred first; `path` itself is never listed.
pub fn find_partners(path: &Path) -> Vec<PathBuf> {
    let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().to_lowercase()) else {
        return Vec::new();
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let wanted = match file_kind(path) {
        FileKind::Audio => FileKind::Transcript,
        FileKind::Transcript => FileKind::Audio,
    };
    let mut found: Vec<(usize, usize, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let candidate = entry.path();
        if candidate == path || !candidate.is_file() {
            continue;
        }
        let Some(extension) = candidate
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
        else {
            continue;
        };
        let rank = match wanted {
            FileKind::Transcript => TRANSCRIPT_EXTENSIONS.iter().position(|e| *e == extension),
            FileKind::Audio => AUDIO_EXTENSIONS.iter().position(|e| *e == extension),
        };
        let Some(rank) = rank else {
            continue;
        };
        let Some(candidate_stem) = candidate
            .file_stem()
            .map(|s| s.to_string_lossy().to_lowercase())
        else {
            continue;
        };
        // `episode.en.srt` goes with `episode.mp3` too (a language tag), after an exact match.
        let closeness = if candidate_stem == stem {
            0
        } else if wanted == FileKind::Transcript
            && candidate_stem
                .strip_prefix(&stem)
                .is_some_and(|rest| rest.starts_with('.') && !rest[1..].contains('.'))
        {
            1
        } else {
            continue;
        };
        found.push((closeness, rank, candidate));
    }
    found.sort();
    found.into_iter().map(|(_, _, path)| path).collect()
}

/// A transcript read from disk with its index, ready to show and edit.
pub struct LoadedTranscript {
    /// The file it came from.
    pub path: PathBuf,
    /// The transcript as edited, with its history.
    pub document: Document,
    /// Its time index, rebuilt after each change.
    pub timeline: Timeline,
}

impl LoadedTranscript {
    /// The transcript as edited.
    pub fn transcript(&self) -> &Transcript {
        self.document.transcript()
    }
}

/// `err` and each cause it does not already quote, on one line:
/// "opening x.srt failed: No such file or directory (os error 2)".
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut line = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        let text = next.to_string();
        if !line.contains(&text) {
            line = format!("{line}: {text}");
        }
        cause = next.source();
    }
    line
}

/// Reads `path` and builds its timeline; the error names the file, line and
/// what was expected. The review in its session file (`NAME.earmark`)
/// comes with it; a session that cannot be read is reported in `problems`
/// (and left as it is: a save will not write over it).
pub fn load_transcript(
    path: &Path,
    problems: &mut Vec<String>,
) -> Result<LoadedTranscript, String> {
    // A save that was killed half-way left its temporary file here.
    crate::atomic_file::remove_leftovers_beside(path);
    let mut document = Document::open(path).map_err(|err| with_causes(&err))?;
    let session_path = session::path_for(path);
    if session_path.exists() {
        match Session::read(&session_path) {
            Ok(session) => document.set_review(session.review()),
            Err(err) => problems.push(format!(
                "the review of this episode could not be read: {}",
                with_causes(&err)
            )),
        }
    }
    let timeline = Timeline::new(document.transcript());
    Ok(LoadedTranscript {
        path: path.to_owned(),
        document,
        timeline,
    })
}

/// What opening an episode's files gave: each file that opened, and a
/// message for each that did not.
#[derive(Default)]
pub struct OpenedEpisode {
    /// The audio file and what it holds (checked by opening it).
    pub audio: Option<(PathBuf, AudioInfo)>,
    /// The transcript, parsed and indexed.
    pub transcript: Option<LoadedTranscript>,
    /// Why each file that could not be opened could not, naming the file.
    pub failures: Vec<String>,
}

impl OpenedEpisode {
    /// Nothing opened (the episode on screen should stay).
    pub fn is_empty(&self) -> bool {
        self.audio.is_none() && self.transcript.is_none()
    }
}

/// Opens the audio (to check it) and reads the transcript, each on its own:
/// one file that cannot be read never keeps the other from opening.
pub fn open_episode(audio: Option<&Path>, transcript: Option<&Path>) -> OpenedEpisode {
    let mut failures = Vec::new();
    let audio = audio.and_then(|path| match Decoder::open(path) {
        Ok(decoder) => Some((path.to_owned(), decoder.info().clone())),
        Err(err) => {
            failures.push(err.to_string());
            None
        }
    });
    let transcript = transcript.and_then(|path| match load_transcript(path, &mut failures) {
        Ok(loaded) if loaded.transcript().segments.is_empty() => {
            failures.push(format!("no lines with times in {}", path.display()));
            None
        }
        Ok(loaded) => Some(loaded),
        Err(message) => {
            failures.push(message);
            None
        }
    });
    OpenedEpisode {
        audio,
        transcript,
        failures,
    }
}

/// What the session file needs to say about `audio` beside `transcript`:
/// nothing when it is the transcript's partner by name.
pub fn audio_link(transcript: &Path, audio: Option<&Path>) -> AudioLink {
    let same = |a: &Path, b: &Path| {
        let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
        real(a) == real(b)
    };
    let found_by_name = audio.is_none_or(|audio| {
        find_partners(transcript)
            .first()
            .is_some_and(|partner| same(partner, audio))
    });
    AudioLink {
        path: audio.map(Path::to_owned),
        found_by_name,
    }
}

/// A dialog that came back with nothing sooner than this was never shown:
/// nobody cancels a dialog that fast.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(300);

/// What the window says when the system showed no file dialog.
pub const NO_DIALOG: &str = "No file dialog here: install xdg-desktop-portal-gtk (or -kde) or \
    zenity, or drop the files on this window.";

/// What a file dialog answered, when one was shown: on Linux and the BSDs
/// rfd shows none without the desktop's portal or zenity, and comes back
/// with nothing at once; that is told apart from a cancel by how soon.
fn answered<T>(started: Instant, picked: Option<T>) -> Result<Option<T>, OpenResult> {
    let portal_system = cfg!(all(unix, not(target_os = "macos")));
    if portal_system && picked.is_none() && started.elapsed() < NO_DIALOG_WITHIN {
        log::warn!("the file dialog came back at once: no portal and no zenity");
        return Err(OpenResult::Failed(NO_DIALOG.to_owned()));
    }
    Ok(picked)
}

/// Shows `dialog` (a save dialog) in `folder` and waits for the path it
/// answers, which `result` hands to the window.
fn save_dialog(
    mut dialog: rfd::AsyncFileDialog,
    folder: Option<PathBuf>,
    result: fn(Option<PathBuf>) -> OpenResult,
) -> OpenResult {
    if let Some(folder) = folder {
        dialog = dialog.set_directory(folder);
    }
    let started = Instant::now();
    let picked = pollster::block_on(dialog.save_file());
    answered(started, picked).map_or_else(
        |none| none,
        |picked| result(picked.map(|f| f.path().to_owned())),
    )
}

/// What a background job sends back to the window.
pub enum OpenResult {
    /// An episode's files were opened (those that could be).
    Episode(Box<OpenedEpisode>),
    /// The files could not even be tried (no thread to read them on).
    Failed(String),
    /// The user picked files in the dialog (empty if cancelled).
    Picked(Vec<PathBuf>),
    /// The user chose where to save the transcript (`None`: cancelled).
    SaveTo(Option<PathBuf>),
    /// The user chose where to export the markers (`None`: cancelled).
    ExportTo(Option<PathBuf>),
}

/// Runs file dialogs and file reads on worker threads and hands their
/// results back; `wake` asks the window to look.
pub struct Opener {
    results_tx: Sender<OpenResult>,
    results_rx: Receiver<OpenResult>,
    wake: std::sync::Arc<dyn Fn() + Send + Sync>,
    /// Jobs started and not yet collected.
    pending: usize,
}

impl Opener {
    /// An opener whose workers call `wake` when a result is ready.
    pub fn new(wake: std::sync::Arc<dyn Fn() + Send + Sync>) -> Opener {
        let (results_tx, results_rx) = mpsc::channel();
        Opener {
            results_tx,
            results_rx,
            wake,
            pending: 0,
        }
    }

    /// Work started and not yet collected (to show "Opening…").
    pub fn is_busy(&self) -> bool {
        self.pending > 0
    }

    /// Runs `job` on a worker thread named `name`; its result is collected
    /// by [`Opener::try_recv`], and the window is woken for it.
    fn run(&mut self, name: &str, job: impl FnOnce() -> OpenResult + Send + 'static) {
        let tx = self.results_tx.clone();
        let wake = self.wake.clone();
        self.pending += 1;
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let _ = tx.send(job());
                wake();
            });
        if let Err(err) = spawned {
            let _ = self.results_tx.send(OpenResult::Failed(format!(
                "cannot start a thread ({name}): {err}"
            )));
        }
    }

    /// Opens an episode's files on a worker thread.
    pub fn open_episode(&mut self, audio: Option<PathBuf>, transcript: Option<PathBuf>) {
        self.run("earmark-open", move || {
            let opened = open_episode(audio.as_deref(), transcript.as_deref());
            OpenResult::Episode(Box::new(opened))
        });
    }

    /// Shows the system's open dialog without blocking the window.
    pub fn pick_files(&mut self, folder: Option<PathBuf>) {
        self.run("earmark-dialog", move || {
            let mut all: Vec<&str> = AUDIO_EXTENSIONS.to_vec();
            all.extend(TRANSCRIPT_EXTENSIONS);
            let mut dialog = rfd::AsyncFileDialog::new()
                .set_title("Open audio and/or transcript")
                .add_filter("Audio and transcripts", &all)
                .add_filter("Audio", &AUDIO_EXTENSIONS)
                .add_filter("Transcripts", &TRANSCRIPT_EXTENSIONS);
            if let Some(folder) = folder {
                dialog = dialog.set_directory(folder);
            }
            let started = Instant::now();
            let picked = pollster::block_on(dialog.pick_files());
            match answered(started, picked) {
                Ok(picked) => OpenResult::Picked(
                    picked
                        .unwrap_or_default()
                        .iter()
                        .map(|f| f.path().to_owned())
                        .collect(),
                ),
                Err(none) => none,
            }
        });
    }

    /// Shows the system's save dialog for the transcript without blocking
    /// the window, starting in `folder` with `file_name`; the formats it can
    /// be saved in are its filters (the extension chooses the format).
    pub fn pick_save_path(&mut self, folder: Option<PathBuf>, file_name: String) {
        self.run("earmark-dialog", move || {
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Save the transcript as")
                .set_file_name(file_name)
                .add_filter("Timed lines (.txt)", &["txt"])
                .add_filter("SubRip (.srt)", &["srt"])
                .add_filter("WebVTT (.vtt)", &["vtt"])
                .add_filter("Podcasting 2.0 JSON (.json)", &["json"])
                .add_filter("Markdown, a copy (.md)", &["md"]);
            save_dialog(dialog, folder, OpenResult::SaveTo)
        });
    }

    /// Shows the system's save dialog for an export, starting in `folder`
    /// with `file_name` (its extension the format's).
    pub fn pick_export_path(&mut self, folder: Option<PathBuf>, file_name: String) {
        self.run("earmark-dialog", move || {
            let dialog = rfd::AsyncFileDialog::new()
                .set_title("Export the markers as")
                .set_file_name(file_name);
            save_dialog(dialog, folder, OpenResult::ExportTo)
        });
    }

    /// The next finished job, if any.
    pub fn try_recv(&mut self) -> Option<OpenResult> {
        let result = self.results_rx.try_recv().ok()?;
        self.pending = self.pending.saturating_sub(1);
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, names: &[&str]) {
        for name in names {
            if let Err(err) = std::fs::write(dir.join(name), b"x") {
                panic!("cannot write {name}: {err}");
            }
        }
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect()
    }

    #[test]
    fn audio_finds_its_transcripts_preferred_first() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(err) => panic!("tempdir: {err}"),
        };
        touch(
            dir.path(),
            &[
                "Episode.mp3",
                "episode.txt",
                "episode.srt",
                "episode.en.vtt",
                "episode2.srt",
                "episode.flac",
                "other.vtt",
                "episode.a.b.srt",
            ],
        );
        let partners = find_partners(&dir.path().join("Episode.mp3"));
        assert_eq!(
            names(&partners),
            ["episode.srt", "episode.txt", "episode.en.vtt"]
        );
    }

    #[test]
    fn transcript_finds_its_audio() {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(err) => panic!("tempdir: {err}"),
        };
        touch(
            dir.path(),
            &["show.srt", "show.wav", "show.mp3", "show.vtt"],
        );
        let partners = find_partners(&dir.path().join("show.srt"));
        assert_eq!(names(&partners), ["show.mp3", "show.wav"]);
    }

    fn episode_of(paths: &[&str]) -> (Vec<String>, Vec<String>) {
        let (chosen, left_out) = one_episode(paths.iter().map(PathBuf::from).collect());
        (names(&chosen), names(&left_out))
    }

    #[test]
    fn several_files_make_up_one_episode_and_the_rest_is_left_out() {
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            (&[], &[], &[]),
            (&["a.mp3"], &["a.mp3"], &[]),
            // Two of different kinds are a pair, whatever their names.
            (&["a.mp3", "notes.txt"], &["a.mp3", "notes.txt"], &[]),
            (&["notes.txt", "a.mp3"], &["notes.txt", "a.mp3"], &[]),
            // Two of one kind: the first, which brings its partner itself.
            (&["a.mp3", "b.mp3"], &["a.mp3"], &["b.mp3"]),
            // A file manager's selection: the first and its partner by name.
            (
                &["b.mp3", "a.srt", "B.srt", "a.mp3"],
                &["b.mp3", "B.srt"],
                &["a.srt", "a.mp3"],
            ),
            (
                &["a.srt", "b.mp3", "a.flac"],
                &["a.srt", "a.flac"],
                &["b.mp3"],
            ),
            (
                &["a.mp3", "a.en.vtt", "c.srt"],
                &["a.mp3", "a.en.vtt"],
                &["c.srt"],
            ),
            (
                &["a.mp3", "x.srt", "y.srt"],
                &["a.mp3"],
                &["x.srt", "y.srt"],
            ),
            // A session names both files itself.
            (&["a.earmark", "a.mp3"], &["a.earmark"], &["a.mp3"]),
            (&["a.mp3", "a.earmark"], &["a.mp3"], &["a.earmark"]),
        ];
        for (given, chosen, left_out) in cases {
            assert_eq!(
                episode_of(given),
                (
                    chosen.iter().map(|s| s.to_string()).collect(),
                    left_out.iter().map(|s| s.to_string()).collect()
                ),
                "from {given:?}"
            );
        }
    }

    #[test]
    fn files_left_out_are_named() {
        assert_eq!(left_out_message(&[]), None);
        assert_eq!(
            left_out_message(&[PathBuf::from("/p/b.mp3")]).as_deref(),
            Some("One episode opens at a time; not opened: b.mp3.")
        );
        assert_eq!(
            left_out_message(&[PathBuf::from("b.mp3"), PathBuf::from("c.srt")]).as_deref(),
            Some("One episode opens at a time; not opened: b.mp3, c.srt.")
        );
    }

    #[test]
    fn kinds_follow_the_extension_in_any_case() {
        assert_eq!(file_kind(Path::new("a/B.MP3")), FileKind::Audio);
        assert_eq!(file_kind(Path::new("a/b.opus")), FileKind::Audio);
        assert_eq!(file_kind(Path::new("a/b.vtt")), FileKind::Transcript);
        assert_eq!(file_kind(Path::new("a/b")), FileKind::Transcript);
    }
}
