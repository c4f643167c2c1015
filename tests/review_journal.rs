//! The journal: changes made and never saved come back exactly, history
//! included; a torn last record costs only that record; saving clears the
//! journal, closing without changes removes it; a file changed since is not
//! patched; and any bytes read as a journal give whole records or none.

#[path = "support/episode.rs"]
mod episode;

#[path = "support/journal_fuzz_check.rs"]
mod journal_fuzz_check;

use episode::{Episode, episode};

use earmark::review::journal::{self, RecoverError, decode, encode};
use earmark::review::{Document, ops};
use proptest::prelude::*;

/// Three edits (a line's text, a new speaker, a start) and the undo of the last.
fn text_speaker_start_then_undo(document: &mut Document) {
    let t = document.transcript();
    let edits = [
        ops::set_text(t, 0, "Welcome to the Delphi Podcast.").expect("a change"),
        ops::set_speaker(t, 2, "Guest").expect("a change"),
        ops::set_start(t, 4, 78_000).expect("a change"),
    ];
    for edit in edits {
        document.apply(edit).expect("fits");
    }
    document.undo();
}

/// Opens the episode with a journal and makes four changes (one undone).
fn edited(episode: &Episode) -> Document {
    let mut document = Document::open(&episode.transcript).expect("opens");
    document.start_journal(&episode.journals).expect("journal");
    text_speaker_start_then_undo(&mut document);
    let split = ops::split(document.transcript(), 1, 10, None).expect("a split");
    document.apply(split).expect("fits");
    document.journal().expect("journal").flush();
    document
}

/// The lines each undo shows, undoing everything.
fn history(mut document: Document) -> Vec<Option<usize>> {
    let mut focus = Vec::new();
    while let Some(f) = document.undo() {
        focus.push(f);
    }
    focus
}

#[test]
fn unsaved_changes_come_back_exactly_with_their_history() {
    let episode = episode();
    let document = edited(&episode);
    let expected = document.transcript().clone();
    // A crash: the window goes, the journal stays as written.
    std::mem::forget(document);

    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    assert_eq!(pending.changes, 5, "four edits and an undo");
    assert!(!pending.damaged);
    let recovered = pending.recover().expect("recovers");
    assert_eq!(recovered.transcript(), &expected);
    assert!(recovered.is_modified());
    assert!(
        !recovered.can_redo(),
        "the split after the undo cleared redo, as it had before the crash"
    );
    let focus = history(recovered);
    assert_eq!(
        focus,
        [Some(1), Some(2), Some(0)],
        "undo walks the same steps back"
    );
}

#[test]
fn a_torn_last_record_costs_only_that_record() {
    let episode = episode();
    let document = edited(&episode);
    let journal_path = document.journal().expect("journal").path().to_owned();
    std::mem::forget(document);
    let bytes = std::fs::read(&journal_path).expect("journal written");
    std::fs::write(&journal_path, &bytes[..bytes.len() - 7]).expect("tear it");

    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    assert_eq!(pending.changes, 4, "all but the torn split");
    assert!(pending.damaged);
    let recovered = pending.recover().expect("recovers");
    let mut expected = Document::open(&episode.transcript).expect("opens");
    text_speaker_start_then_undo(&mut expected);
    assert_eq!(recovered.transcript(), expected.transcript());
    // The journal goes on after the last whole record.
    let mut recovered = recovered;
    let merge = ops::merge_with_next(recovered.transcript(), 5).expect("a merge");
    recovered.apply(merge).expect("fits");
    recovered.journal().expect("journal").flush();
    let again = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    assert_eq!((again.changes, again.damaged), (5, false));
}

#[test]
fn saving_clears_the_journal_and_closing_without_changes_removes_it() {
    let episode = episode();
    let mut document = edited(&episode);
    document.save(None).expect("saves");
    document.journal().expect("journal").flush();
    assert!(journal::pending(&episode.journals, &episode.transcript).is_none());
    let journal_path = document.journal().expect("journal").path().to_owned();
    assert!(journal_path.exists(), "it holds where the file stands now");
    document.close(false);
    assert!(!journal_path.exists(), "nothing unsaved: removed");

    let episode = self::episode();
    let document = edited(&episode);
    let journal_path = document.journal().expect("journal").path().to_owned();
    document.close(false);
    assert!(journal_path.exists(), "unsaved changes are kept");
    let document = edited(&episode);
    document.close(true);
    assert!(!journal_path.exists(), "Don't save discards them");
}

#[test]
fn changes_are_not_replayed_onto_a_file_that_changed_since() {
    let episode = episode();
    std::mem::forget(edited(&episode));
    std::fs::write(
        &episode.transcript,
        "00:00:01.000 - 00:00:02.000, A: Other.\n",
    )
    .expect("write");
    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    assert!(matches!(
        pending.recover(),
        Err(RecoverError::FileChanged { .. })
    ));
}

/// Recovers what the journal of `document` holds, after a crash.
fn crash_and_recover(episode: &Episode, document: Document) -> Document {
    document.journal().expect("journal").flush();
    std::mem::forget(document);
    journal::pending(&episode.journals, &episode.transcript)
        .expect("changes")
        .recover()
        .expect("recovers")
}

#[test]
fn undoing_and_redoing_steps_made_before_a_save_comes_back_too() {
    let episode = episode();
    let mut document = edited(&episode);
    document.save(None).expect("saves");
    document.undo();
    document.undo();
    document.redo();
    let merge = ops::merge_with_next(document.transcript(), 3).expect("a merge");
    document.apply(merge).expect("fits");
    document.undo();
    let expected = document.transcript().clone();
    let recovered = crash_and_recover(&episode, document);
    assert_eq!(recovered.transcript(), &expected);
    assert!(recovered.is_modified());
}

#[test]
fn keeping_mine_over_another_programs_change_comes_back_and_saves_mine() {
    let episode = episode();
    let mut document = edited(&episode);
    let theirs = "00:00:01.000 - 00:00:02.000, A: Theirs.\n";
    std::fs::write(&episode.transcript, theirs).expect("another program writes");
    assert!(document.changed_on_disk());
    document.keep_mine().expect("keeps mine");
    assert!(!document.changed_on_disk(), "their version is known now");
    assert!(document.is_modified());
    let edit = ops::set_text(document.transcript(), 7, "After keeping mine.").expect("a change");
    document.apply(edit).expect("fits");
    let expected = document.transcript().clone();

    let mut recovered = crash_and_recover(&episode, document);
    assert_eq!(recovered.transcript(), &expected, "mine, not theirs");
    assert!(recovered.is_modified());
    recovered
        .save(None)
        .expect("mine replaces theirs: the user chose so");
    let written = Document::open(&episode.transcript).expect("opens");
    assert_eq!(written.transcript().segments, expected.segments);
}

fn journal_bytes() -> Vec<u8> {
    let episode = episode();
    let document = edited(&episode);
    let path = document.journal().expect("journal").path().to_owned();
    std::mem::forget(document);
    std::fs::read(path).expect("journal written")
}

#[test]
fn a_journal_reads_back_as_the_records_written() {
    let bytes = journal_bytes();
    let decoded = decode(&bytes);
    assert_eq!(decoded.records.len(), 6, "the start and five changes");
    assert!(!decoded.damaged);
    let again: Vec<u8> = decoded.records.iter().flat_map(encode).collect();
    assert_eq!(again, bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn damaged_journals_keep_every_whole_record_before_the_damage(
        cut in 0usize..4000,
        flip in proptest::option::of((0usize..4000, 1u8..=255)),
    ) {
        let mut bytes = journal_bytes();
        let whole = decode(&bytes).records;
        bytes.truncate(cut.min(bytes.len()));
        if let Some((at, mask)) = flip && at < bytes.len() {
            bytes[at] ^= mask;
        }
        journal_fuzz_check::check_journal(&bytes);
        let kept = decode(&bytes).records;
        prop_assert!(kept.len() <= whole.len());
        prop_assert_eq!(&whole[..kept.len()], &kept[..], "a prefix of what was written");
    }

    #[test]
    fn any_bytes_read_as_a_journal_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        journal_fuzz_check::check_journal(&bytes);
    }
}

#[test]
fn after_save_as_the_journal_follows_the_new_file() {
    let episode = episode();
    let mut document = edited(&episode);
    let moved = episode.transcript.with_file_name("moved.srt");
    document
        .save_as(&moved, earmark::transcript::Format::Srt, None)
        .expect("saves as");
    let edit = ops::set_text(document.transcript(), 6, "Made after Save As.").expect("a change");
    document.apply(edit).expect("fits");
    document.journal().expect("journal").flush();
    let expected = document.transcript().clone();
    std::mem::forget(document);
    assert!(
        journal::pending(&episode.journals, &episode.transcript).is_none(),
        "the old file's journal is gone"
    );
    let recovered = journal::pending(&episode.journals, &moved)
        .expect("changes to the new file")
        .recover()
        .expect("recovers");
    assert_eq!(recovered.transcript().segments, expected.segments);
}

#[test]
fn edits_made_while_a_save_writes_stay_unsaved_and_come_back_after_a_crash() {
    let episode = episode();
    let mut document = edited(&episode);
    let saved = document.transcript().clone();
    let job = document.start_save(None).expect("starts");
    let edit = ops::set_text(document.transcript(), 9, "Typed during the save.").expect("a change");
    document.apply(edit).expect("fits");
    let done = std::thread::spawn(move || job.run())
        .join()
        .expect("the save's thread");
    document.finish_save(done).expect("saved");
    assert!(document.is_modified(), "the later edit is not in the file");
    let on_disk = Document::open(&episode.transcript).expect("opens");
    assert_eq!(on_disk.transcript().segments, saved.segments);
    document.undo();
    assert!(!document.is_modified(), "undoing it is the file again");
    document.redo();
    let expected = document.transcript().clone();
    let recovered = crash_and_recover(&episode, document);
    assert_eq!(recovered.transcript(), &expected);
    assert!(recovered.is_modified());
}

#[test]
fn a_crash_after_a_save_lands_but_before_the_journal_starts_over_loses_nothing() {
    let episode = episode();
    let mut document = edited(&episode);
    let job = document.start_save(None).expect("starts");
    let edit = ops::set_text(document.transcript(), 8, "After the save began.").expect("a change");
    document.apply(edit).expect("fits");
    let expected = document.transcript().clone();
    let done = job.run();
    assert!(done.result.is_ok(), "the file is written");
    // The crash: the window never finishes the save.
    document.journal().expect("journal").flush();
    std::mem::forget(document);
    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    assert_eq!(
        pending.changes, 1,
        "only the edit after the save is unsaved"
    );
    let recovered = pending.recover().expect("recovers over the saved file");
    assert_eq!(recovered.transcript(), &expected);

    // With nothing after the save, there is nothing to recover.
    let episode = self::episode();
    let mut document = edited(&episode);
    let done = document.start_save(None).expect("starts").run();
    assert!(done.result.is_ok());
    document.journal().expect("journal").flush();
    std::mem::forget(document);
    assert!(journal::pending(&episode.journals, &episode.transcript).is_none());
}

#[test]
fn changes_that_cannot_be_recovered_are_set_aside_not_deleted() {
    let episode = episode();
    std::mem::forget(edited(&episode));
    std::fs::write(
        &episode.transcript,
        "00:00:01.000 - 00:00:02.000, A: Other.\n",
    )
    .expect("write");
    let pending = journal::pending(&episode.journals, &episode.transcript).expect("changes");
    let journal_path = journal::path_for(&episode.journals, &episode.transcript);
    assert!(pending.recover().is_err());
    let aside = pending.set_aside().expect("renamed");
    assert!(aside.exists() && !journal_path.exists());
    assert!(journal::pending(&episode.journals, &episode.transcript).is_none());
}
