//! One Earmark window per user and display: an `earmark FILE` started while
//! a window is open hands FILE to that window and exits, instead of opening
//! a second one. This module is the headless part: where the windows meet
//! (a [`Rendezvous`]), who is the running one, and the one-line JSON
//! messages between them. It never draws and never opens a file itself;
//! the window (`ui::handoff`) opens what it is handed.
//!
//! On Unix (Linux, the BSDs, macOS) the running window listens on a Unix
//! domain socket `earmark-KEY.sock` in `$EARMARK_STATE_DIR` (tests), else
//! `$XDG_RUNTIME_DIR/earmark`, else the data folder; KEY names the display
//! (`WAYLAND_DISPLAY`, else `DISPLAY`), so windows on two displays of one
//! user stay apart. Who is the running one is decided by an advisory lock
//! (`flock`) on `earmark-KEY.lock` beside it, held for the life of the
//! process and released by the system when it ends, however it ends: the
//! lock's holder alone creates, replaces or removes the socket, so two
//! Earmarks starting at once never both listen, and a socket left by a
//! killed one is taken over by the next. Elsewhere (Windows) there is no
//! handing over: [`hand_over_or_listen`] says so and each start opens its
//! own window.
//!
//! A sender writes one [`Request`] (absolute paths) as a JSON line and waits
//! for one reply line, `{"ok":true}` or `{"ok":false,"error":"…"}`. The
//! listener answers as soon as the request is queued for the window, not
//! when the files are open: a window that is minimised draws no frames.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The version of the messages; a request of another one is refused (its
/// sender then opens its own window).
pub const PROTOCOL_VERSION: u32 = 1;

/// The longest request line read; a request holds paths, so this is room
/// for thousands of them.
pub const MAX_REQUEST_BYTES: u64 = 1024 * 1024;

/// How long a starting Earmark keeps trying to reach one that holds the
/// lock but is not listening yet (it is starting, or ending).
pub const CONNECT_PATIENCE: Duration = Duration::from_secs(3);

/// How long each side waits for the other's line once connected.
pub const ANSWER_PATIENCE: Duration = Duration::from_secs(3);

/// The longest socket path accepted: `sun_path` holds 104 bytes on macOS
/// and the BSDs (108 on Linux), the terminating NUL included.
pub const MAX_SOCKET_PATH_BYTES: usize = 103;

/// What a starting Earmark asks the running one: open these files (none:
/// just come to the front), from this time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// [`PROTOCOL_VERSION`] of the sender.
    pub version: u32,
    /// The files named on the sender's command line, made absolute against
    /// the sender's working folder.
    pub files: Vec<PathBuf>,
    /// `--start`, in milliseconds.
    #[serde(default)]
    pub start_ms: Option<u64>,
}

impl Request {
    /// A request for `files` (relative ones taken from `cwd`, the sender's
    /// working folder) starting at `start_ms`.
    pub fn new(files: &[PathBuf], start_ms: Option<u64>, cwd: &Path) -> Request {
        Request {
            version: PROTOCOL_VERSION,
            files: files.iter().map(|file| absolute_in(cwd, file)).collect(),
            start_ms,
        }
    }
}

/// `path` as seen from `cwd`: itself when absolute, else joined to `cwd`
/// (not resolved: symbolic links and `..` are left for the opener, as a
/// shell would have passed them).
pub fn absolute_in(cwd: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_owned()
    } else {
        cwd.join(path)
    }
}

/// Why no request could be handed over and no listener set up; the caller
/// opens a window of its own anyway.
#[derive(Debug, Error)]
pub enum InstanceError {
    /// The socket's path does not fit in a socket address.
    #[error(
        "the path is {len} bytes, more than a socket's {MAX_SOCKET_PATH_BYTES}: {}",
        path.display()
    )]
    PathTooLong {
        /// The socket's path.
        path: PathBuf,
        /// Its length in bytes.
        len: usize,
    },
    /// A file or folder of the rendezvous could not be made or used.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done ("cannot lock").
        what: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// Another Earmark holds the lock but did not answer in time.
    #[error("the running Earmark did not answer within {0:?}")]
    NoAnswer(Duration),
    /// The running Earmark answered with an error.
    #[error("the running Earmark refused the request: {0}")]
    Refused(String),
    /// This system has no way to reach a running Earmark.
    #[error("handing files to a running Earmark is not supported on this system")]
    Unsupported,
}

/// Where the windows of one user on one display meet: a folder, and a name
/// for the socket and its lock file in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendezvous {
    dir: PathBuf,
    key: String,
}

impl Rendezvous {
    /// The rendezvous in `dir` for the display named `key` (see
    /// [`display_key`]; empty: one per user).
    pub fn new(dir: PathBuf, key: String) -> Rendezvous {
        Rendezvous { dir, key }
    }

    /// The rendezvous the environment gives: `$EARMARK_STATE_DIR` (a private
    /// profile, and each test's own), else `$XDG_RUNTIME_DIR/earmark`,
    /// else `data_dir`; `None` when there is none of them.
    pub fn from_env(data_dir: Option<&Path>) -> Option<Rendezvous> {
        let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        let dir = choose_dir(
            var("EARMARK_STATE_DIR").map(PathBuf::from),
            var("XDG_RUNTIME_DIR").map(PathBuf::from),
            data_dir,
        )?;
        let key = if cfg!(any(target_os = "macos", windows)) {
            // One screen per user session; an X server there (XQuartz) is not where the window is.
            String::new()
        } else {
            display_key(var("WAYLAND_DISPLAY").as_deref(), var("DISPLAY").as_deref())
        };
        Some(Rendezvous::new(dir, key))
    }

    /// The socket the running window listens on.
    pub fn socket_path(&self) -> PathBuf {
        self.dir.join(format!("{}.sock", self.stem()))
    }

    /// The lock file whose holder is the running window.
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(format!("{}.lock", self.stem()))
    }

    fn stem(&self) -> String {
        if self.key.is_empty() {
            "earmark".to_owned()
        } else {
            format!("earmark-{}", self.key)
        }
    }
}

/// The rendezvous folder: the state folder when one is set, else the
/// runtime folder's `earmark`, else the data folder.
pub fn choose_dir(
    state_dir: Option<PathBuf>,
    runtime_dir: Option<PathBuf>,
    data_dir: Option<&Path>,
) -> Option<PathBuf> {
    state_dir
        .or_else(|| runtime_dir.map(|dir| dir.join("earmark")))
        .or_else(|| data_dir.map(Path::to_owned))
}

/// A short file-name-safe key for the display the window would open on:
/// `WAYLAND_DISPLAY` when set (`wayland-0` → `w-wayland-0`), else `DISPLAY`
/// without its screen number (`:0.0` → `x-0`), else empty. Long names (a
/// Wayland socket given as a path) are replaced by a hash.
pub fn display_key(wayland: Option<&std::ffi::OsStr>, x11: Option<&std::ffi::OsStr>) -> String {
    let (kind, name) = match (wayland, x11) {
        (Some(name), _) => ("w", name.to_string_lossy().into_owned()),
        (None, Some(name)) => {
            let name = name.to_string_lossy();
            // `host:display.screen`: the screens of one display are one desktop.
            let display = match name.rfind(':') {
                Some(colon) => match name[colon..].find('.') {
                    Some(dot) => &name[..colon + dot],
                    None => &name[..],
                },
                None => &name[..],
            };
            ("x", display.trim_start_matches(':').to_owned())
        }
        (None, None) => return String::new(),
    };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.len() <= 24 {
        format!("{kind}-{safe}")
    } else {
        format!("{kind}-{:016x}", fnv1a(name.as_bytes()))
    }
}

/// FNV-1a, 64 bits: a stable hash (std's is seeded per process).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What starting found.
pub enum Handoff {
    /// A running Earmark took the request: this process has nothing left to do.
    Delivered,
    /// None was running: this process is the running one now, and listens.
    Listening(Listener),
}

#[cfg(unix)]
pub use unix::{Listener, Serving, hand_over_or_listen};

#[cfg(not(unix))]
pub use elsewhere::{Listener, Serving, hand_over_or_listen};

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io::{self, BufRead, BufReader, Read, Write};
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    use std::os::unix::io::AsRawFd;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::time::Instant;

    use super::{
        ANSWER_PATIENCE, CONNECT_PATIENCE, Handoff, InstanceError, MAX_REQUEST_BYTES,
        MAX_SOCKET_PATH_BYTES, PROTOCOL_VERSION, Rendezvous, Request,
    };
    use serde::{Deserialize, Serialize};

    /// The listener's answer to a request.
    #[derive(Debug, Serialize, Deserialize)]
    struct Reply {
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    }

    /// Between tries to reach a running Earmark that is starting.
    const RETRY_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

    fn io_error(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> InstanceError {
        let path = path.to_owned();
        move |source| InstanceError::Io { what, path, source }
    }

    /// Hands `request` to the Earmark running at `rendezvous`, or, when none
    /// runs, becomes the running one and returns its listener (which
    /// [`Listener::serve`] then runs).
    pub fn hand_over_or_listen(
        rendezvous: &Rendezvous,
        request: &Request,
    ) -> Result<Handoff, InstanceError> {
        let socket = rendezvous.socket_path();
        let len = socket.as_os_str().len();
        if len > MAX_SOCKET_PATH_BYTES {
            return Err(InstanceError::PathTooLong { path: socket, len });
        }
        let dir = &rendezvous.dir;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_error("cannot create the folder", dir))?;
        let lock_path = rendezvous.lock_path();
        let started = Instant::now();
        loop {
            if let Some(lock) = try_lock(&lock_path)? {
                return Listener::bind(lock, socket).map(Handoff::Listening);
            }
            match UnixStream::connect(&socket) {
                Ok(stream) => {
                    return deliver(stream, request, &socket).map(|()| Handoff::Delivered);
                }
                // The lock's holder is between taking it and listening, or
                // is ending: try both again.
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused
                    ) => {}
                Err(err) => return Err(io_error("cannot connect to", &socket)(err)),
            }
            if started.elapsed() >= CONNECT_PATIENCE {
                return Err(InstanceError::NoAnswer(CONNECT_PATIENCE));
            }
            std::thread::sleep(RETRY_EVERY);
        }
    }

    /// The lock file, locked by this process; `None` when another holds it.
    fn try_lock(path: &Path) -> Result<Option<File>, InstanceError> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(io_error("cannot open the lock file", path))?;
        // SAFETY: `flock` only reads the descriptor, which `file` keeps open
        // for the duration of the call.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if locked == 0 {
            return Ok(Some(file));
        }
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::WouldBlock {
            Ok(None)
        } else {
            Err(io_error("cannot lock", path)(err))
        }
    }

    /// Sends `request` on `stream` and waits for the running Earmark's reply.
    fn deliver(
        mut stream: UnixStream,
        request: &Request,
        socket: &Path,
    ) -> Result<(), InstanceError> {
        let talk = |err: io::Error| {
            if matches!(
                err.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) {
                InstanceError::NoAnswer(ANSWER_PATIENCE)
            } else {
                InstanceError::Io {
                    what: "cannot talk to the running Earmark at",
                    path: socket.to_owned(),
                    source: err,
                }
            }
        };
        stream
            .set_write_timeout(Some(ANSWER_PATIENCE))
            .and_then(|()| stream.set_read_timeout(Some(ANSWER_PATIENCE)))
            .map_err(talk)?;
        let mut line = serde_json::to_vec(request).map_err(|err| talk(err.into()))?;
        line.push(b'\n');
        stream.write_all(&line).map_err(talk)?;
        let mut answer = Vec::new();
        BufReader::new(stream.take(64 * 1024))
            .read_until(b'\n', &mut answer)
            .map_err(talk)?;
        match serde_json::from_slice::<Reply>(&answer) {
            Ok(Reply { ok: true, .. }) => Ok(()),
            Ok(Reply { error, .. }) => Err(InstanceError::Refused(
                error.unwrap_or_else(|| "no reason given".to_owned()),
            )),
            Err(_) if answer.is_empty() => Err(InstanceError::Refused(
                "it closed the connection without an answer".to_owned(),
            )),
            Err(err) => Err(InstanceError::Refused(format!(
                "an answer that is not JSON ({err})"
            ))),
        }
    }

    /// The running Earmark's socket, listening, and its lock, held.
    pub struct Listener {
        listener: UnixListener,
        socket: PathBuf,
        lock: File,
    }

    impl Listener {
        /// Replaces whatever is at `socket` (only the lock's holder gets
        /// here) with a socket only this user can reach.
        fn bind(lock: File, socket: PathBuf) -> Result<Listener, InstanceError> {
            match std::fs::remove_file(&socket) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => {
                    return Err(io_error("cannot remove the old socket", &socket)(err));
                }
                _ => {}
            }
            let listener =
                UnixListener::bind(&socket).map_err(io_error("cannot listen on", &socket))?;
            // The folder is the user's own already; macOS ignores a socket's
            // own mode, Linux does not.
            std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))
                .map_err(io_error("cannot restrict", &socket))?;
            Ok(Listener {
                listener,
                socket,
                lock,
            })
        }

        /// Answers requests on a thread of its own for as long as the
        /// process runs, handing each to `on_request`, whose error (the
        /// window is gone) is the reply. The socket is removed when the
        /// returned [`Serving`] is dropped.
        pub fn serve(
            self,
            mut on_request: impl FnMut(Request) -> Result<(), String> + Send + 'static,
        ) -> io::Result<Serving> {
            let socket = self.socket.clone();
            std::thread::Builder::new()
                .name("earmark-instance".into())
                .spawn(move || {
                    // Held here, so for as long as the process lives.
                    let _lock = self.lock;
                    for stream in self.listener.incoming() {
                        match stream {
                            Ok(stream) => answer(stream, &mut on_request),
                            Err(err) => {
                                log::warn!("a starting Earmark could not connect: {err}");
                                // Out of descriptors, say: not a reason to spin.
                                std::thread::sleep(RETRY_EVERY);
                            }
                        }
                    }
                })?;
            Ok(Serving { socket })
        }
    }

    /// Reads one request from `stream`, hands it on, and replies; a bad or
    /// slow sender gets an error reply (or none) and changes nothing.
    fn answer(stream: UnixStream, on_request: &mut dyn FnMut(Request) -> Result<(), String>) {
        let result = read_request(&stream).and_then(|request| {
            log::info!(
                "another Earmark handed over {} file(s)",
                request.files.len()
            );
            on_request(request)
        });
        if let Err(error) = &result {
            log::warn!("a request from another Earmark was refused: {error}");
        }
        let reply = Reply {
            ok: result.is_ok(),
            error: result.err(),
        };
        let mut line = serde_json::to_vec(&reply).unwrap_or_else(|_| b"{\"ok\":false}".to_vec());
        line.push(b'\n');
        // A sender that stopped waiting opens its own window; nothing to do.
        let _ = (&stream).write_all(&line);
    }

    fn read_request(stream: &UnixStream) -> Result<Request, String> {
        stream
            .set_read_timeout(Some(ANSWER_PATIENCE))
            .and_then(|()| stream.set_write_timeout(Some(ANSWER_PATIENCE)))
            .map_err(|err| format!("cannot set a timeout: {err}"))?;
        let mut line = Vec::new();
        BufReader::new(stream.take(MAX_REQUEST_BYTES + 1))
            .read_until(b'\n', &mut line)
            .map_err(|err| format!("cannot read the request: {err}"))?;
        if line.last() != Some(&b'\n') {
            return Err(if line.len() as u64 > MAX_REQUEST_BYTES {
                format!("a request longer than {MAX_REQUEST_BYTES} bytes")
            } else {
                "an incomplete request".to_owned()
            });
        }
        let request: Request = serde_json::from_slice(&line)
            .map_err(|err| format!("a request that is not understood: {err}"))?;
        if request.version != PROTOCOL_VERSION {
            return Err(format!(
                "a request of version {}; this Earmark reads version {PROTOCOL_VERSION}",
                request.version
            ));
        }
        Ok(request)
    }

    /// While kept, the listener's thread answers; dropped, the socket goes
    /// (the lock stays held until the process ends, so no other Earmark
    /// listens while this one is still closing).
    pub struct Serving {
        socket: PathBuf,
    }

    impl Drop for Serving {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.socket);
        }
    }
}

#[cfg(not(unix))]
mod elsewhere {
    use std::io;

    use super::{Handoff, InstanceError, Rendezvous, Request};

    /// Never made on this system.
    pub struct Listener {
        _never: std::convert::Infallible,
    }

    impl Listener {
        /// Answers requests (never reached on this system).
        pub fn serve(
            self,
            _on_request: impl FnMut(Request) -> Result<(), String> + Send + 'static,
        ) -> io::Result<Serving> {
            match self._never {}
        }
    }

    /// Never made on this system.
    pub struct Serving;

    /// Always [`InstanceError::Unsupported`]: each start opens its own window.
    pub fn hand_over_or_listen(
        _rendezvous: &Rendezvous,
        _request: &Request,
    ) -> Result<Handoff, InstanceError> {
        Err(InstanceError::Unsupported)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// Only a hung test waits this long for a request to arrive.
    const HUNG: Duration = Duration::from_secs(60);

    fn temp_dir() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("instance")
            .tempdir()
            .unwrap_or_else(|err| panic!("tempdir: {err}"))
    }

    fn rendezvous(dir: &tempfile::TempDir) -> Rendezvous {
        Rendezvous::new(dir.path().join("run"), "x-99".to_owned())
    }

    fn request(files: &[&str]) -> Request {
        let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
        Request::new(&files, Some(1500), Path::new("/home/someone/podcasts"))
    }

    /// Becomes the running one at `at` and serves into a channel.
    fn serve(at: &Rendezvous) -> (Serving, mpsc::Receiver<Request>) {
        let listener = match hand_over_or_listen(at, &request(&[])) {
            Ok(Handoff::Listening(listener)) => listener,
            Ok(Handoff::Delivered) => panic!("delivered to an Earmark no test started"),
            Err(err) => panic!("cannot listen: {err}"),
        };
        let (tx, rx) = mpsc::channel();
        let serving = listener
            .serve(move |request| tx.send(request).map_err(|err| err.to_string()))
            .unwrap_or_else(|err| panic!("cannot start serving: {err}"));
        (serving, rx)
    }

    fn send(at: &Rendezvous, request: &Request) -> Result<Handoff, InstanceError> {
        hand_over_or_listen(at, request)
    }

    /// Writes `bytes` on a raw connection and reads the reply line.
    fn raw_exchange(at: &Rendezvous, bytes: &[u8], close_after: bool) -> String {
        let mut stream = UnixStream::connect(at.socket_path())
            .unwrap_or_else(|err| panic!("cannot connect: {err}"));
        stream
            .write_all(bytes)
            .unwrap_or_else(|err| panic!("cannot write: {err}"));
        if close_after {
            let _ = stream.shutdown(std::net::Shutdown::Write);
        }
        let mut reply = String::new();
        let _ = BufReader::new(stream).read_line(&mut reply);
        reply
    }

    #[test]
    fn a_request_reaches_the_running_one_and_is_acknowledged() {
        let dir = temp_dir();
        let at = rendezvous(&dir);
        let (_serving, received) = serve(&at);
        let sent = request(&["episode.mp3", "notes.txt"]);
        match send(&at, &sent) {
            Ok(Handoff::Delivered) => {}
            Ok(Handoff::Listening(_)) => panic!("a second listener beside a running one"),
            Err(err) => panic!("not delivered: {err}"),
        }
        assert_eq!(received.recv_timeout(HUNG).ok(), Some(sent));
    }

    #[test]
    fn paths_are_made_absolute_against_the_senders_working_folder() {
        let sent = request(&["a.mp3", "../b.srt", "/srv/c.vtt", "sub/d.earmark"]);
        let expected: Vec<PathBuf> = [
            "/home/someone/podcasts/a.mp3",
            "/home/someone/podcasts/../b.srt",
            "/srv/c.vtt",
            "/home/someone/podcasts/sub/d.earmark",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(sent.files, expected);
        assert_eq!(sent.start_ms, Some(1500));
        assert_eq!(sent.version, PROTOCOL_VERSION);
    }

    #[test]
    fn a_socket_left_by_an_earmark_that_ended_is_taken_over() {
        let dir = temp_dir();
        let at = rendezvous(&dir);
        // As `kill -9` leaves it: the socket file and the lock file stay,
        // the lock does not.
        match send(&at, &request(&[])) {
            Ok(Handoff::Listening(listener)) => drop(listener),
            _ => panic!("the first one should listen"),
        }
        assert!(at.socket_path().exists(), "the old socket stays behind");
        assert!(
            UnixStream::connect(at.socket_path()).is_err(),
            "nobody answers it"
        );
        let (_serving, received) = serve(&at);
        let sent = request(&["other.srt"]);
        assert!(matches!(send(&at, &sent), Ok(Handoff::Delivered)));
        assert_eq!(received.recv_timeout(HUNG).ok(), Some(sent));
    }

    #[test]
    fn a_stale_socket_of_another_program_is_replaced_too() {
        let dir = temp_dir();
        let at = rendezvous(&dir);
        std::fs::create_dir_all(&at.dir).unwrap_or_else(|err| panic!("mkdir: {err}"));
        drop(UnixListener::bind(at.socket_path()).unwrap_or_else(|err| panic!("bind: {err}")));
        let (_serving, received) = serve(&at);
        assert!(matches!(
            send(&at, &request(&["x.mp3"])),
            Ok(Handoff::Delivered)
        ));
        assert!(received.recv_timeout(HUNG).is_ok());
    }

    #[test]
    fn of_several_starting_at_once_exactly_one_listens_and_the_others_deliver_to_it() {
        const STARTING: usize = 8;
        let dir = temp_dir();
        let at = rendezvous(&dir);
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(STARTING));
        let (tx, received) = mpsc::channel();
        let starts: Vec<_> = (0..STARTING)
            .map(|index| {
                let at = at.clone();
                let barrier = barrier.clone();
                let tx = tx.clone();
                std::thread::spawn(move || {
                    let mine = request(&[&format!("episode-{index}.mp3")]);
                    barrier.wait();
                    match hand_over_or_listen(&at, &mine) {
                        Ok(Handoff::Listening(listener)) => {
                            let serving = listener
                                .serve(move |request| tx.send(request).map_err(|e| e.to_string()))
                                .unwrap_or_else(|err| panic!("serve: {err}"));
                            (None, Some(serving))
                        }
                        Ok(Handoff::Delivered) => (Some(mine), None),
                        Err(err) => panic!("start {index} neither listened nor delivered: {err}"),
                    }
                })
            })
            .collect();
        drop(tx);
        let mut delivered = Vec::new();
        let mut servings = Vec::new();
        for start in starts {
            match start.join() {
                Ok((sent, serving)) => {
                    delivered.extend(sent);
                    servings.extend(serving);
                }
                Err(_) => panic!("a start panicked"),
            }
        }
        assert_eq!(servings.len(), 1, "exactly one listens");
        assert_eq!(delivered.len(), STARTING - 1);
        let mut arrived: Vec<Request> = (0..delivered.len())
            .filter_map(|_| received.recv_timeout(HUNG).ok())
            .collect();
        let key = |r: &Request| r.files.clone();
        arrived.sort_by_key(key);
        delivered.sort_by_key(key);
        assert_eq!(arrived, delivered);
    }

    #[test]
    fn bad_requests_are_refused_and_change_nothing() {
        let dir = temp_dir();
        let at = rendezvous(&dir);
        let (_serving, received) = serve(&at);
        let refused = |reply: &str| {
            let reply: serde_json::Value = serde_json::from_str(reply)
                .unwrap_or_else(|err| panic!("the reply {reply:?} is not JSON: {err}"));
            reply["ok"] == false && reply["error"].is_string()
        };
        let not_json = raw_exchange(&at, b"open everything\n", false);
        assert!(refused(&not_json), "{not_json}");
        let wrong_shape = raw_exchange(&at, b"{\"version\":1,\"files\":\"x\"}\n", false);
        assert!(refused(&wrong_shape), "{wrong_shape}");
        let newer = raw_exchange(&at, b"{\"version\":2,\"files\":[]}\n", false);
        assert!(refused(&newer), "{newer}");
        let incomplete = raw_exchange(&at, b"{\"version\":1,", true);
        assert!(refused(&incomplete), "{incomplete}");
        // Exactly what the listener reads before it gives up: it then
        // closes with nothing of ours unread.
        let huge = vec![b'x'; MAX_REQUEST_BYTES as usize + 1];
        let too_long = raw_exchange(&at, &huge, false);
        assert!(refused(&too_long), "{too_long}");
        // Connected, said nothing, went away.
        drop(UnixStream::connect(at.socket_path()));
        // The listener still answers a good one, and only that one arrived.
        let good = request(&["good.srt"]);
        assert!(matches!(send(&at, &good), Ok(Handoff::Delivered)));
        assert_eq!(received.recv_timeout(HUNG).ok(), Some(good));
        assert!(received.try_recv().is_err(), "no bad request was handed on");
    }

    #[test]
    fn a_window_that_is_gone_refuses_and_the_sender_is_told() {
        let dir = temp_dir();
        let at = rendezvous(&dir);
        let (_serving, received) = serve(&at);
        drop(received);
        match send(&at, &request(&["a.mp3"])) {
            Err(InstanceError::Refused(_)) => {}
            Ok(_) => panic!("delivered to a window that is gone"),
            Err(err) => panic!("not the refusal expected: {err}"),
        }
    }

    #[test]
    fn a_running_one_that_does_not_answer_is_given_up_on() {
        let dir = temp_dir();
        let at = rendezvous(&dir);
        // Listening (the system queues connections) but never answering.
        let _hung = match send(&at, &request(&[])) {
            Ok(Handoff::Listening(listener)) => listener,
            _ => panic!("the first one should listen"),
        };
        assert!(matches!(
            send(&at, &request(&["a.mp3"])),
            Err(InstanceError::NoAnswer(_))
        ));
    }

    #[test]
    fn a_socket_path_too_long_for_the_system_is_an_error_not_a_truncation() {
        let dir = temp_dir();
        let at = Rendezvous::new(dir.path().join("d".repeat(120)), String::new());
        assert!(matches!(
            send(&at, &request(&[])),
            Err(InstanceError::PathTooLong { .. })
        ));
    }

    #[test]
    fn the_folder_is_the_state_folder_then_the_runtime_folder_then_the_data_folder() {
        let state = Some(PathBuf::from("/t/state"));
        let runtime = Some(PathBuf::from("/run/user/1000"));
        let data = Path::new("/home/u/.local/share/earmark");
        assert_eq!(
            choose_dir(state, runtime.clone(), Some(data)),
            Some(PathBuf::from("/t/state"))
        );
        assert_eq!(
            choose_dir(None, runtime, Some(data)),
            Some(PathBuf::from("/run/user/1000/earmark"))
        );
        assert_eq!(choose_dir(None, None, Some(data)), Some(data.to_owned()));
        assert_eq!(choose_dir(None, None, None), None);
    }

    #[test]
    fn each_display_has_its_own_socket_and_the_screens_of_one_share_it() {
        use std::ffi::OsStr;
        let key = |wayland: Option<&str>, x11: Option<&str>| {
            display_key(wayland.map(OsStr::new), x11.map(OsStr::new))
        };
        assert_eq!(key(None, Some(":0")), "x-0");
        assert_eq!(key(None, Some(":0.1")), "x-0");
        assert_eq!(key(None, Some(":1")), "x-1");
        assert_eq!(key(None, Some("host:10.0")), "x-host_10");
        assert_eq!(key(Some("wayland-0"), Some(":0")), "w-wayland-0");
        assert_eq!(key(None, None), "");
        let long = key(Some("/run/user/1000/a-very-long-wayland-socket-name"), None);
        assert!(long.starts_with("w-") && long.len() == 18, "{long}");
        let at = |key: &str| Rendezvous::new(PathBuf::from("/r"), key.to_owned());
        assert_eq!(at("x-0").socket_path(), Path::new("/r/earmark-x-0.sock"));
        assert_eq!(at("x-0").lock_path(), Path::new("/r/earmark-x-0.lock"));
        assert_eq!(at("").socket_path(), Path::new("/r/earmark.sock"));
    }
}
