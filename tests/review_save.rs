//! Saving the document back to the user's file: only the edited line's
//! bytes change, the file's permissions stay, another program's change is
//! never overwritten, a failed save says which file and keeps the edit, and
//! the original is kept (a bounded number of times) before the first
//! overwrite.

use std::path::{Path, PathBuf};

use earmark::atomic_file;
use earmark::review::{Backups, Document, SaveError, SavedAs, ops};
use earmark::transcript::{self, Format};

fn seed_copy(dir: &Path) -> PathBuf {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed/delphi-podcast.txt");
    let path = dir.join("episode.txt");
    std::fs::copy(&seed, &path).expect("copy the seed");
    path
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

fn edit_line(document: &mut Document, index: usize, text: &str) {
    let edit = ops::set_text(document.transcript(), index, text).expect("a change");
    document.apply(edit).expect("fits");
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("readable")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn saving_an_edited_line_changes_only_that_line() {
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    let before = lines(&path);
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 4, "Classic, really.");
    assert!(document.is_modified());
    document.save(None).expect("saves");
    assert!(!document.is_modified());
    let after = lines(&path);
    assert_eq!(after.len(), before.len());
    let changed: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] != after[i])
        .collect();
    assert_eq!(changed, [4], "only the edited line");
    assert!(
        after[4].ends_with("Speaker B: Classic, really."),
        "{}",
        after[4]
    );
    assert_eq!(
        atomic_file::remove_leftovers(dir.path()),
        0,
        "no temporary file left"
    );
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_files_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 0, "Hello.");
    document.save(None).expect("saves");
    let mode = std::fs::metadata(&path)
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn a_file_another_program_changed_is_not_overwritten() {
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 0, "Mine.");
    let theirs = "00:00:01.000 - 00:00:02.000, Speaker A: Theirs.\n";
    std::fs::write(&path, theirs).expect("another program writes");
    assert!(document.changed_on_disk());
    let refused = document.save(None);
    assert!(
        matches!(refused, Err(SaveError::ChangedOnDisk { .. })),
        "{refused:?}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), theirs);
    assert!(document.is_modified(), "the edit is still there");
    // Save As to another file is how the user keeps both.
    let mine = dir.path().join("mine.txt");
    document
        .save_as(&mine, Format::Range, None)
        .expect("saves elsewhere");
    assert!(lines(&mine)[0].ends_with("Mine."));
    assert!(!document.changed_on_disk());
}

#[test]
fn a_save_whose_folder_is_gone_fails_naming_the_file_and_keeps_the_edit() {
    let dir = temp_dir();
    let folder = dir.path().join("episode");
    std::fs::create_dir(&folder).expect("mkdir");
    let path = seed_copy(&folder);
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 0, "Changed.");
    std::fs::remove_dir_all(&folder).expect("the folder goes");
    let err = document.save(None).expect_err("nowhere to write");
    assert!(
        err.to_string().contains("episode.txt"),
        "names the file: {err}"
    );
    assert!(!folder.exists(), "nothing was created");
    assert!(document.is_modified(), "the edit is kept");
    // Save As somewhere else keeps it.
    let elsewhere = dir.path().join("rescued.txt");
    document
        .save_as(&elsewhere, Format::Range, None)
        .expect("saves elsewhere");
    assert!(lines(&elsewhere)[0].ends_with("Changed."));
}

#[test]
fn the_original_is_kept_before_the_first_overwrite_and_copies_are_bounded() {
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    let original = std::fs::read(&path).expect("readable");
    let backups = Backups {
        dir: dir.path().join("backups"),
        per_file: 2,
    };
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 0, "First.");
    document.save(Some(&backups)).expect("saves");
    edit_line(&mut document, 0, "Second.");
    document.save(Some(&backups)).expect("saves");
    let kept = backups.list(&path);
    assert_eq!(kept.len(), 1, "one copy per opening: the original");
    assert_eq!(std::fs::read(&kept[0].path).expect("readable"), original);

    for round in 0..3 {
        let mut document = Document::open(&path).expect("opens");
        edit_line(&mut document, 0, &format!("Round {round}."));
        document.save(Some(&backups)).expect("saves");
    }
    assert_eq!(backups.list(&path).len(), 2, "bounded");

    let newest = &backups.list(&path)[0];
    backups.restore(newest, &path).expect("restores");
    assert!(
        lines(&path)[0].ends_with("Round 1."),
        "the newest copy is the file before the last save"
    );
}

#[test]
fn leftover_temporary_files_are_removed() {
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    std::fs::write(dir.path().join(".earmark-abc123.tmp"), "half a save").expect("write");
    assert_eq!(atomic_file::remove_leftovers_beside(&path), 1);
    assert!(path.exists(), "the user's file stays");
    assert_eq!(atomic_file::remove_leftovers(dir.path()), 0);
}

#[test]
fn save_as_another_whole_format_moves_the_document_there() {
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    let original = std::fs::read(&path).expect("readable");
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 2, "Now in SRT.");
    let srt = dir.path().join("episode.srt");
    let saved = document
        .save_as(&srt, Format::Srt, None)
        .expect("saves as SRT");
    assert_eq!(saved, SavedAs::File);
    assert_eq!(document.path(), Some(srt.as_path()));
    assert_eq!(
        std::fs::read(&path).expect("readable"),
        original,
        "the old file is left"
    );
    edit_line(&mut document, 3, "Saved again.");
    document.save(None).expect("saves to the SRT");
    let read = transcript::read_file(&srt, None).expect("reads back");
    assert_eq!(read.format, Format::Srt);
    let texts: Vec<&str> = read.segments.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts[2..4], ["Now in SRT.", "Saved again."]);
    assert_eq!(read.segments.len(), document.transcript().segments.len());
}

#[test]
fn save_as_markdown_writes_a_copy_and_the_document_stays_with_its_file() {
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 0, "Copied.");
    let notes = dir.path().join("notes.md");
    let saved = document
        .save_as(&notes, Format::Markdown, None)
        .expect("writes the copy");
    assert_eq!(saved, SavedAs::Copy);
    assert_eq!(document.path(), Some(path.as_path()));
    assert!(document.is_modified(), "the file itself is not saved yet");
    assert!(
        std::fs::read_to_string(&notes)
            .expect("written")
            .contains("Copied.")
    );
}

#[test]
fn reload_reads_another_programs_change_as_one_undoable_step() {
    let dir = temp_dir();
    let path = seed_copy(dir.path());
    let mut document = Document::open(&path).expect("opens");
    edit_line(&mut document, 0, "Mine.");
    let mut theirs = lines(&path);
    theirs[1] = theirs[1].replace("Speaker", "Host");
    theirs.truncate(10);
    let theirs = theirs.join("\n") + "\n";
    std::fs::write(&path, &theirs).expect("another program writes");
    document.reload().expect("reloads");
    assert!(!document.is_modified(), "the document is the file again");
    assert!(!document.changed_on_disk());
    assert_eq!(document.transcript().segments.len(), 10);
    document.undo();
    assert_eq!(
        document.transcript().segments[0].text,
        "Mine.",
        "undo brings mine back"
    );
    assert!(document.is_modified());
    document
        .save(None)
        .expect("mine may overwrite what was reloaded");
    assert!(lines(&path)[0].ends_with("Mine."));
}
