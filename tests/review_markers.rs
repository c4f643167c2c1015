//! The review in the document: markers, kinds and reviewed parts change
//! only by undoable edits, are journaled (a crash gives them back, never
//! twice) and are saved in the session file beside the transcript, which a
//! save of the review alone does not rewrite.

#[path = "support/episode.rs"]
mod episode;

use episode::episode;

use earmark::review::journal;
use earmark::review::markers::Marker;
use earmark::review::session::{self, AudioLink, SESSION_VERSION, Session};
use earmark::review::{Backups, Document, ReviewState, SaveError, marking};

/// A review: three markers added out of order, one line reviewed, the
/// Fix kind renamed.
fn review(document: &mut Document) {
    for m in [
        Marker::new(90_000, Some(95_500), "Cut", "cut the \"aside\",\tplease"),
        Marker::new(12_000, None, "Fix", "name is Łukasz <not> Lucas"),
        Marker::new(40_000, None, "Chapter", "The guest"),
    ] {
        let edit = marking::add(document.review(), m);
        document.apply(edit).expect("fits");
    }
    let reviewed = marking::set_reviewed(document.review(), 0, 30_000, true).expect("an edit");
    document.apply(reviewed).expect("fits");
    let fix = document
        .review()
        .kinds
        .iter()
        .position(|k| k.name == "Fix")
        .expect("Fix");
    let rename = marking::rename_kind(document.review(), fix, "Correction").expect("a rename");
    document.apply(rename).expect("fits");
}

#[test]
fn the_review_is_undoable_and_saved_beside_without_rewriting_the_transcript() {
    let episode = episode();
    let before = std::fs::read(&episode.transcript).expect("read");
    let mut document = Document::open(&episode.transcript).expect("opens");
    document.set_audio(AudioLink {
        path: None,
        found_by_name: true,
    });
    review(&mut document);
    assert!(document.is_modified());
    let starts: Vec<u64> = document
        .review()
        .markers
        .iter()
        .map(|m| m.start_ms)
        .collect();
    assert_eq!(starts, [12_000, 40_000, 90_000], "kept in time order");
    assert_eq!(document.review().markers[0].kind, "Correction");

    let backups = Backups {
        dir: episode.dir.path().join("backups"),
        per_file: 3,
    };
    document.save(Some(&backups)).expect("saves");
    assert!(!document.is_modified());
    assert_eq!(
        std::fs::read(&episode.transcript).expect("read"),
        before,
        "the transcript is as it was"
    );
    assert!(
        !backups.dir.exists(),
        "nothing was overwritten, so nothing was kept"
    );
    let session = Session::read(&session::path_for(&episode.transcript)).expect("a session");
    assert_eq!(&session.review(), document.review());
    assert_eq!(session.reviewed.spans(), &[(0, 30_000)]);
    assert!(session.kinds.is_some(), "a renamed kind is saved");

    let expected = document.review().clone();
    let mut steps = 0;
    while document.undo().is_some() {
        steps += 1;
    }
    assert_eq!(steps, 5, "each change is one step");
    assert_eq!(document.review(), &ReviewState::default());
    while document.redo().is_some() {}
    assert_eq!(document.review(), &expected);
}

#[test]
fn a_new_episode_without_a_review_gets_no_session_file() {
    let episode = episode();
    let mut document = Document::open(&episode.transcript).expect("opens");
    let edit = marking::add(document.review(), Marker::new(1_000, None, "Note", ""));
    document.apply(edit).expect("fits");
    document.undo();
    document.save(None).expect("saves");
    assert!(!session::path_for(&episode.transcript).exists());
}

#[test]
fn review_changes_come_back_after_a_crash_with_their_history() {
    let episode = episode();
    let mut document = Document::open(&episode.transcript).expect("opens");
    let from_session = ReviewState::new(
        vec![Marker::new(5_000, None, "Note", "from the session file")],
        None,
        Default::default(),
    );
    document.set_review(from_session.clone());
    document.start_journal(&episode.journals).expect("journal");
    review(&mut document);
    document.undo();
    let expected = document.review().clone();
    document.journal().expect("journal").flush();
    std::mem::forget(document);

    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    assert_eq!(pending.changes, 6);
    let mut recovered = pending.recover().expect("recovers");
    assert_eq!(recovered.review(), &expected);
    assert_eq!(recovered.review().markers[0].note, "from the session file");
    while recovered.undo().is_some() {}
    assert_eq!(recovered.review(), &from_session);
}

#[test]
fn a_crash_after_the_session_is_written_recovers_each_change_once() {
    // A save of the review alone: the session file is written, the
    // transcript is not, and the window dies before the journal starts over.
    let episode = episode();
    let mut document = Document::open(&episode.transcript).expect("opens");
    document.start_journal(&episode.journals).expect("journal");
    review(&mut document);
    let expected = document.review().clone();
    let done = document.start_save(None).expect("starts").run();
    assert!(done.result.is_ok() && done.session.is_ok());
    document.journal().expect("journal").flush();
    std::mem::forget(document);
    let session = Session::read(&session::path_for(&episode.transcript)).expect("written");
    assert_eq!(&session.review(), &expected);
    // Recovery replays the journal over the review it started from, not
    // over the session file that already holds the changes.
    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    let recovered = pending.recover().expect("recovers");
    assert_eq!(recovered.review(), &expected);

    // With the transcript changed too, the save lands: only what came
    // after it is replayed, over the review the save wrote.
    let episode = self::episode();
    let mut document = Document::open(&episode.transcript).expect("opens");
    document.start_journal(&episode.journals).expect("journal");
    review(&mut document);
    let text = earmark::review::ops::set_text(document.transcript(), 0, "Changed.").expect("edit");
    document.apply(text).expect("fits");
    let job = document.start_save(None).expect("starts");
    let later = marking::add(document.review(), Marker::new(1, None, "Retake", "after"));
    document.apply(later).expect("fits");
    let expected = document.review().clone();
    assert!(job.run().result.is_ok());
    document.journal().expect("journal").flush();
    std::mem::forget(document);
    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    assert_eq!(pending.changes, 1, "only the marker after the save");
    assert_eq!(pending.recover().expect("recovers").review(), &expected);
}

#[test]
fn a_session_that_cannot_be_written_keeps_the_review_unsaved() {
    let episode = episode();
    let session_path = session::path_for(&episode.transcript);
    let newer = format!("{{\"version\": {}}}\n", SESSION_VERSION + 1);
    std::fs::write(&session_path, &newer).expect("write");
    let mut document = Document::open(&episode.transcript).expect("opens");
    document.start_journal(&episode.journals).expect("journal");
    review(&mut document);
    let text = earmark::review::ops::set_text(document.transcript(), 0, "Changed.").expect("edit");
    document.apply(text).expect("fits");
    let err = document.save(None).expect_err("the session is refused");
    assert!(matches!(err, SaveError::Session(_)), "{err}");
    assert!(err.to_string().contains("newer Earmark"), "{err}");
    assert!(document.is_modified(), "the review is not saved");
    assert_eq!(
        std::fs::read_to_string(&session_path).expect("read"),
        newer,
        "left as it was"
    );
    let reread = Document::open(&episode.transcript).expect("opens");
    assert_eq!(reread.transcript().segments[0].text, "Changed.");
    // The journal goes on: a crash now still gives the review back.
    let expected = document.review().clone();
    document.journal().expect("journal").flush();
    std::mem::forget(document);
    let recovered = journal::pending(&episode.journals, &episode.transcript)
        .expect("changes")
        .recover()
        .expect("recovers");
    assert_eq!(recovered.review(), &expected);
}
