//! The session file `NAME.earmark`: paths relative to its folder, unknown
//! fields kept, a newer version refused and left alone, damage reported.

use earmark::review::session::{self, SESSION_VERSION, Session, SessionError};

fn folder() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

#[test]
fn a_session_stores_paths_relative_to_its_folder_and_reads_them_back() {
    let dir = folder();
    let transcript = dir.path().join("show/episode.srt");
    let audio = dir.path().join("audio/episode.mp3");
    let path = session::path_for(&transcript);
    assert_eq!(path, dir.path().join("show/episode.earmark"));
    std::fs::create_dir_all(dir.path().join("show")).expect("mkdir");
    let written = Session {
        transcript: Some(transcript.clone()),
        audio: Some(audio.clone()),
        ..Session::default()
    };
    written.write(&path).expect("writes");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("written")).expect("JSON");
    assert_eq!(json["version"], SESSION_VERSION);
    assert_eq!(json["transcript"], "episode.srt");
    assert_eq!(json["audio"], "../audio/episode.mp3");
    let read = Session::read(&path).expect("reads");
    let show = dir.path().join("show");
    assert_eq!(read.transcript, Some(show.join("episode.srt")));
    assert_eq!(read.audio, Some(show.join("../audio/episode.mp3")));
}

#[test]
fn fields_this_version_does_not_know_are_kept() {
    let dir = folder();
    let path = dir.path().join("episode.earmark");
    std::fs::write(
        &path,
        r#"{"version": 1, "transcript": "episode.srt", "producer_notes": [{"at_ms": 1200}]}"#,
    )
    .expect("write");
    let mut read = Session::read(&path).expect("reads");
    read.audio = Some(dir.path().join("episode.mp3"));
    read.write(&path).expect("writes");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("written")).expect("JSON");
    assert_eq!(json["producer_notes"][0]["at_ms"], 1200);
    assert_eq!(json["audio"], "episode.mp3");
}

#[test]
fn a_newer_session_is_refused_and_never_overwritten() {
    let dir = folder();
    let path = dir.path().join("episode.earmark");
    let newer = format!(
        r#"{{"version": {}, "transcript": "x.srt"}}"#,
        SESSION_VERSION + 1
    );
    std::fs::write(&path, &newer).expect("write");
    let err = Session::read(&path).expect_err("refused");
    assert!(matches!(err, SessionError::Newer { .. }));
    assert!(err.to_string().contains("newer Earmark"), "{err}");
    let ours = Session {
        audio: Some(dir.path().join("a.mp3")),
        ..Session::default()
    };
    assert!(matches!(ours.write(&path), Err(SessionError::Newer { .. })));
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), newer);
}

#[test]
fn a_damaged_session_is_reported_with_its_reason() {
    let dir = folder();
    let path = dir.path().join("episode.earmark");
    std::fs::write(&path, "{\"version\": 1, \"audio\": ").expect("write");
    let err = Session::read(&path).expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("episode.earmark") && message.contains("line 1"),
        "{message}"
    );
    std::fs::write(&path, "{\"transcript\": \"a.srt\"}").expect("write");
    let message = Session::read(&path).expect_err("refused").to_string();
    assert!(message.contains("\"version\""), "{message}");
}
