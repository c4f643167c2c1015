//! The journal: every change to a document reaches disk within a second,
//! so a crash, a `kill -9` or a power cut loses nothing typed.
//!
//! One file per transcript in the app's data folder, named by a checksum of
//! the transcript's full path. It is a list of records, one per line:
//! eight hex digits of the CRC-32 of the JSON that follows, a space, the
//! JSON, a newline. The first record says which file and what it held when
//! read ([`OnDisk`]) and the review it started from (the session file is
//! never read back for a recovery); the rest are the edits applied, undos and redos, in
//! order, so replaying them over the file rebuilds the document and its
//! history exactly. Reading stops at the first record that is torn or
//! damaged: a crash mid-write costs only that record. Saving starts the
//! journal over; closing without changes removes it.
//!
//! Records are encoded on the caller's thread (what the edit changed, not
//! the transcript) and written, then flushed with `sync_data`, by the
//! journal's own thread.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::document::Document;
use super::edit::Edit;
use super::save::{self, OnDisk};
use super::state::ReviewState;
use crate::atomic_file;
use crate::transcript::TranscriptError;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// The first record: the transcript and what its file held when read.
    Opened {
        /// The transcript's file.
        transcript: PathBuf,
        /// What it held.
        read_as: OnDisk,
        /// When, in seconds since 1970.
        at_secs: u64,
        /// The text the changes apply to, when it is not the file's: the
        /// user kept their version after another program changed the file
        /// (`read_as` is then what that program wrote).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base: Option<String>,
        /// The review the changes apply to (the session file's, when the
        /// journal started), when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review: Option<ReviewState>,
    },
    /// An edit was applied.
    Apply {
        /// The edit.
        edit: Edit,
        /// When.
        at_secs: u64,
    },
    /// The last step was undone.
    Undo {
        /// When.
        at_secs: u64,
    },
    /// The last undone step was redone.
    Redo {
        /// When.
        at_secs: u64,
    },
    /// A save of everything before this record started (its text was
    /// taken from the document here).
    SaveStarted {
        /// Which save, to pair with its [`Record::SaveWritten`].
        save: u64,
        /// When.
        at_secs: u64,
        /// The review the save writes to the session file, when there is
        /// one: what the changes after this record apply to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review: Option<ReviewState>,
    },
    /// That save's file is about to be put in place, holding `written`:
    /// once the file holds it, only the records after the save's start are
    /// unsaved (a crash between the save's rename and the journal starting
    /// over loses nothing and recovers nothing twice).
    SaveWritten {
        /// Which save.
        save: u64,
        /// What the file holds once it lands.
        written: OnDisk,
        /// When.
        at_secs: u64,
    },
}

impl Record {
    /// A mark of a save, not a change.
    fn is_save_mark(&self) -> bool {
        matches!(
            self,
            Record::SaveStarted { .. } | Record::SaveWritten { .. }
        )
    }
}

/// Seconds since 1970, now.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// An applied edit as [`Record::Apply`] writes it, borrowed: logging an
/// edit does not copy it.
#[derive(Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
enum Borrowed<'a> {
    Apply { edit: &'a Edit, at_secs: u64 },
}

/// [`Record::Apply`] for `edit`, made now, as one journal line.
pub fn encode_apply(edit: &Edit) -> Vec<u8> {
    encode_value(&Borrowed::Apply {
        edit,
        at_secs: now_secs(),
    })
}

/// A record as one journal line.
pub fn encode(record: &Record) -> Vec<u8> {
    encode_value(record)
}

fn encode_value(record: &impl Serialize) -> Vec<u8> {
    // A record is plain data: serialising it cannot fail.
    let json = serde_json::to_vec(record).unwrap_or_default();
    let mut line = format!("{:08x} ", crc32fast::hash(&json)).into_bytes();
    line.extend_from_slice(&json);
    line.push(b'\n');
    line
}

/// What a journal file holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decoded {
    /// The whole records, in order, up to the first damaged one.
    pub records: Vec<Record>,
    /// The bytes those records take; anything after is damaged or torn.
    pub good_len: usize,
    /// Something after them could not be read.
    pub damaged: bool,
}

/// Reads journal bytes; never fails: it keeps every whole record before
/// the first that is torn or damaged.
pub fn decode(bytes: &[u8]) -> Decoded {
    let mut decoded = Decoded::default();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            decoded.damaged = true;
            break;
        };
        let Some(record) = decode_line(&rest[..end]) else {
            decoded.damaged = true;
            break;
        };
        decoded.records.push(record);
        decoded.good_len += end + 1;
        rest = &rest[end + 1..];
    }
    decoded
}

fn decode_line(line: &[u8]) -> Option<Record> {
    let crc_hex = std::str::from_utf8(line.get(..8)?).ok()?;
    let crc = u32::from_str_radix(crc_hex, 16).ok()?;
    if line.get(8) != Some(&b' ') {
        return None;
    }
    let json = line.get(9..)?;
    if crc32fast::hash(json) != crc {
        return None;
    }
    serde_json::from_slice(json).ok()
}

/// Where the journal of `transcript` lives in `dir`.
pub fn path_for(dir: &Path, transcript: &Path) -> PathBuf {
    dir.join(format!(
        "{}-{}.journal",
        save::key_of(transcript),
        save::file_name(transcript)
    ))
}

enum Msg {
    Append(Vec<u8>),
    /// Replace the file with these bytes (a new first record).
    Restart(Vec<u8>),
    Remove,
    Flush(Sender<()>),
}

/// The writer of one transcript's journal: records go to its thread, which
/// appends and syncs them. Dropping it writes what was sent, then stops.
pub struct Journal {
    path: PathBuf,
    sender: Option<Sender<Msg>>,
    thread: Option<JoinHandle<()>>,
    failure: Arc<Mutex<Option<String>>>,
}

impl Journal {
    /// Starts a new journal for `transcript` as read (`read_as`) and its
    /// `review`, replacing any old one.
    pub fn start(
        dir: &Path,
        transcript: &Path,
        read_as: OnDisk,
        review: &ReviewState,
    ) -> std::io::Result<Journal> {
        let journal = Journal::spawn(path_for(dir, transcript), None)?;
        journal.restart_from(transcript, read_as, None, review);
        Ok(journal)
    }

    /// Goes on with the journal at `path` after its first `good_len` bytes
    /// (a recovery: what was torn is cut off, the history stays).
    pub fn resume(path: &Path, good_len: usize) -> std::io::Result<Journal> {
        Journal::spawn(path.to_owned(), Some(good_len as u64))
    }

    fn spawn(path: PathBuf, keep_len: Option<u64>) -> std::io::Result<Journal> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = match keep_len {
            Some(len) => {
                let file = OpenOptions::new().write(true).open(&path)?;
                file.set_len(len)?;
                file.sync_data()?;
                Some(OpenOptions::new().append(true).open(&path)?)
            }
            None => None,
        };
        let (sender, receiver) = mpsc::channel();
        let failure = Arc::new(Mutex::new(None));
        let writer = Writer {
            path: path.clone(),
            file,
            failure: failure.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("earmark-journal".to_string())
            .spawn(move || writer.run(receiver))?;
        Ok(Journal {
            path,
            sender: Some(sender),
            thread: Some(thread),
            failure,
        })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sends a record to be written.
    pub fn log(&self, record: &Record) {
        self.send(Msg::Append(encode(record)));
    }

    /// Sends a line made by [`encode_apply`].
    pub fn append(&self, line: Vec<u8>) {
        self.send(Msg::Append(line));
    }

    /// Starts over from `transcript` as it now is on disk (`read_as`, after
    /// a save) or from `base`, the text of the document now when it is not
    /// what the file holds (another program's version, which the user chose
    /// not to load), and from the document's `review`.
    pub fn restart_from(
        &self,
        transcript: &Path,
        read_as: OnDisk,
        base: Option<String>,
        review: &ReviewState,
    ) {
        let opened = Record::Opened {
            transcript: std::path::absolute(transcript).unwrap_or_else(|_| transcript.to_owned()),
            read_as,
            at_secs: now_secs(),
            base,
            review: (!review.is_default()).then(|| review.clone()),
        };
        self.send(Msg::Restart(encode(&opened)));
    }

    /// Removes the journal (closed without unsaved changes, or discarded).
    pub fn remove(self) {
        self.send(Msg::Remove);
    }

    /// A handle that records [`Record::SaveWritten`] from the thread that
    /// writes the file.
    pub fn save_marks(&self) -> Option<SaveMarks> {
        self.sender.clone().map(|sender| SaveMarks { sender })
    }

    /// Waits until everything sent is on disk.
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        self.send(Msg::Flush(done));
        let _ = wait.recv();
    }

    /// Why writing last failed, if it did (shown to the user: their edits
    /// are still in the window, but a crash would lose them).
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    fn send(&self, msg: Msg) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(msg);
        }
    }
}

/// Records that a save's file is about to land, from the thread writing it.
#[derive(Debug, Clone)]
pub struct SaveMarks {
    sender: Sender<Msg>,
}

impl SaveMarks {
    /// Records that save `save` is about to put `written` in place, and
    /// waits until that is on disk (so no crash finds the file written and
    /// the journal not knowing).
    pub fn written(&self, save: u64, written: OnDisk) {
        let record = Record::SaveWritten {
            save,
            written,
            at_secs: now_secs(),
        };
        let (done, wait) = mpsc::channel();
        if self.sender.send(Msg::Append(encode(&record))).is_ok()
            && self.sender.send(Msg::Flush(done)).is_ok()
        {
            let _ = wait.recv();
        }
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Writer {
    path: PathBuf,
    file: Option<File>,
    failure: Arc<Mutex<Option<String>>>,
}

impl Writer {
    fn run(mut self, receiver: Receiver<Msg>) {
        while let Ok(first) = receiver.recv() {
            let mut flushes = Vec::new();
            let mut dirty = self.handle(first, &mut flushes);
            // Whatever else is waiting goes in the same sync.
            while let Ok(more) = receiver.try_recv() {
                dirty |= self.handle(more, &mut flushes);
            }
            if dirty && let Some(file) = &self.file {
                let synced = file.sync_data();
                self.note(synced.map_err(|e| e.to_string()));
            }
            for done in flushes {
                let _ = done.send(());
            }
        }
    }

    /// Applies one message; true if the file needs a sync.
    fn handle(&mut self, msg: Msg, flushes: &mut Vec<Sender<()>>) -> bool {
        match msg {
            Msg::Append(line) => {
                let result = match self.open() {
                    Ok(file) => file.write_all(&line).map_err(|e| e.to_string()),
                    Err(err) => Err(err.to_string()),
                };
                self.note(result);
                true
            }
            Msg::Restart(first) => {
                self.file = None;
                let result = atomic_file::write(&self.path, &first).map_err(|e| e.to_string());
                self.note(result);
                false
            }
            Msg::Remove => {
                self.file = None;
                match std::fs::remove_file(&self.path) {
                    Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                        self.note(Err(err.to_string()));
                    }
                    _ => {}
                }
                false
            }
            Msg::Flush(done) => {
                flushes.push(done);
                false
            }
        }
    }

    fn open(&mut self) -> std::io::Result<&mut File> {
        if self.file.is_none() {
            self.file = Some(
                OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&self.path)?,
            );
        }
        // Just set when it was empty.
        self.file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("no journal file"))
    }

    fn note(&self, result: Result<(), String>) {
        if let Ok(mut failure) = self.failure.lock() {
            *failure = result
                .err()
                .map(|e| format!("{}: {e}", self.path.display()));
        }
    }
}

/// Unsaved changes found in a journal when an episode opens.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The journal file.
    pub path: PathBuf,
    /// The transcript it is for.
    pub transcript: PathBuf,
    /// How many changes (edits, undos, redos) it holds.
    pub changes: usize,
    /// When the last of them was made, in seconds since 1970.
    pub last_secs: u64,
    /// Something after them was torn or damaged (and is lost).
    pub damaged: bool,
    read_as: OnDisk,
    base: Option<String>,
    review: ReviewState,
    records: Vec<Record>,
    good_len: usize,
}

/// Why unsaved changes could not be recovered.
#[derive(Debug, Error)]
pub enum RecoverError {
    /// The transcript could not be read.
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
    /// The file is not what the changes were made to.
    #[error("{path} changed after the unsaved changes were made to it", path = .path.display())]
    FileChanged {
        /// The transcript.
        path: PathBuf,
    },
    /// A change did not fit (a damaged or foreign journal).
    #[error("the unsaved changes do not fit {path}: {reason}", path = .path.display())]
    DoesNotFit {
        /// The transcript.
        path: PathBuf,
        /// Which change, and why.
        reason: String,
    },
}

/// The unsaved changes to `transcript` kept in `dir`, if there are any.
/// When a save landed but the journal had not yet started over, only the
/// changes after that save count, replayed over the file as saved.
pub fn pending(dir: &Path, transcript: &Path) -> Option<Pending> {
    let path = path_for(dir, transcript);
    let bytes = std::fs::read(&path).ok()?;
    let decoded = decode(&bytes);
    let mut records = decoded.records.into_iter();
    let Some(Record::Opened {
        transcript: opened,
        mut read_as,
        at_secs,
        mut base,
        mut review,
    }) = records.next()
    else {
        return None;
    };
    let mut records: Vec<Record> = records.collect();
    let on_disk = OnDisk::read(&opened).ok().flatten();
    let landed = records.iter().rev().find_map(|r| match r {
        Record::SaveWritten { save, written, .. } if Some(*written) == on_disk => Some(*save),
        _ => None,
    });
    if on_disk != Some(read_as)
        && let (Some(landed), Some(written)) = (landed, on_disk)
        && let Some(started) = records
            .iter()
            .position(|r| matches!(r, Record::SaveStarted { save, .. } if *save == landed))
    {
        if let Some(Record::SaveStarted { review: saved, .. }) =
            records.drain(..=started).next_back()
        {
            review = saved;
        }
        read_as = written;
        base = None;
    }
    records.retain(|r| !r.is_save_mark());
    if records.is_empty() {
        return None;
    }
    let last_secs = records.iter().fold(at_secs, |last, r| match r {
        Record::Apply { at_secs, .. }
        | Record::Undo { at_secs }
        | Record::Redo { at_secs }
        | Record::SaveStarted { at_secs, .. }
        | Record::SaveWritten { at_secs, .. } => last.max(*at_secs),
        Record::Opened { .. } => last,
    });
    Some(Pending {
        path,
        transcript: opened,
        changes: records.len(),
        last_secs,
        damaged: decoded.damaged,
        read_as,
        base,
        review: review.unwrap_or_default(),
        records,
        good_len: decoded.good_len,
    })
}

impl Pending {
    /// Opens the transcript and replays the changes: the document comes
    /// back as it was, history included, with its journal going on.
    pub fn recover(&self) -> Result<Document, RecoverError> {
        let mut document = match &self.base {
            Some(base) => Document::from_base(&self.transcript, base, self.read_as)?,
            None => Document::open(&self.transcript)?,
        };
        if document.on_disk() != Some(self.read_as) {
            return Err(RecoverError::FileChanged {
                path: self.transcript.clone(),
            });
        }
        // The review as the journal knew it, not the session file's: that
        // may already hold some of these changes.
        document.set_review(self.review.clone());
        let fail = |n: usize, reason: String| RecoverError::DoesNotFit {
            path: self.transcript.clone(),
            reason: format!("change {n}: {reason}"),
        };
        for (n, record) in self.records.iter().enumerate() {
            match record {
                Record::Apply { edit, .. } => {
                    document
                        .apply(edit.clone())
                        .map_err(|e| fail(n + 1, e.to_string()))?;
                }
                Record::Undo { .. } => {
                    document
                        .undo()
                        .ok_or_else(|| fail(n + 1, "nothing to undo".into()))?;
                }
                Record::Redo { .. } => {
                    document
                        .redo()
                        .ok_or_else(|| fail(n + 1, "nothing to redo".into()))?;
                }
                Record::Opened { .. } => return Err(fail(n + 1, "a second start".into())),
                Record::SaveStarted { .. } | Record::SaveWritten { .. } => {}
            }
        }
        let journal = Journal::resume(&self.path, self.good_len).map_err(|source| {
            RecoverError::Transcript(TranscriptError::Io {
                action: "reopening the journal",
                path: self.path.clone(),
                source,
            })
        })?;
        document.set_journal(journal);
        Ok(document)
    }

    /// Throws the changes away.
    pub fn discard(self) -> std::io::Result<()> {
        std::fs::remove_file(&self.path)
    }

    /// Keeps the journal beside, as `NAME.journal.unrecovered`, when its
    /// changes could not be recovered (nothing is deleted); returns where.
    pub fn set_aside(self) -> std::io::Result<PathBuf> {
        let aside = self.path.with_extension("journal.unrecovered");
        std::fs::rename(&self.path, &aside)?;
        Ok(aside)
    }
}
