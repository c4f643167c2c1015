//! The crash notice, driven by its accessible labels (egui_kittest): a
//! report the last run left is offered when the window starts, its text
//! shown and its path copied on request, and once answered it is not
//! offered again; a newer one is. The question about unsaved changes, which
//! a crash also leaves, comes first.

use std::path::{Path, PathBuf};

use earmark::crash::{self, Report};
use earmark::logging::UtcTime;
use eframe::egui::{Key, Modifiers, OutputCommand};
use egui_kittest::kittest::{NodeT, Queryable};

#[path = "support/window.rs"]
mod window;

use window::*;

const NOTICE: &str = "Earmark closed unexpectedly last time. A report was saved:";

/// A report as a crash at `unix_ms` would have left in `data_dir`.
fn crash_left_in(data_dir: &Path, unix_ms: i64) -> PathBuf {
    let report = Report {
        time: UtcTime::from_unix_ms(unix_ms),
        message: "the wheels came off".to_owned(),
        location: Some("src/ui/app.rs:1:1".to_owned()),
        thread: "main".to_owned(),
        backtrace: "0: earmark::main".to_owned(),
        log_lines: vec!["INFO earmark: opened the episode".to_owned()],
    };
    match crash::write_report(&crash::crash_dir(data_dir), &report) {
        Ok(path) => path,
        Err(err) => panic!("{err}"),
    }
}

/// The demo, copied into a folder of its own, opened with `data_dir`.
fn open_with(episode: &Path, data_dir: &Path) -> Window {
    Window::open_with_data(demo_copy(episode), temp_dir(), data_dir.to_owned())
}

/// The notice's text, if it is on screen (a label's text is its value).
fn notice_shown(window: &Window) -> Option<String> {
    window
        .harness
        .query_by_label_contains(NOTICE)
        .map(|node| node.accesskit_node().value().unwrap_or_default())
}

#[test]
fn a_crash_report_is_offered_at_start_until_answered_and_then_never_again() {
    let episode = temp_dir();
    let data_dir = episode.path().join("data");
    let report = crash_left_in(&data_dir, 1_767_323_045_000);

    let window = open_with(episode.path(), &data_dir);
    let shown = notice_shown(&window).expect("the notice at start");
    assert!(shown.contains(&report.display().to_string()), "{shown}");
    // Closed without an answer (another crash, say): offered again.
    drop(window);
    let mut window = open_with(episode.path(), &data_dir);
    assert!(
        notice_shown(&window).is_some(),
        "not answered, so offered again"
    );

    window.click("Show the report");
    assert!(
        window
            .harness
            .query_by_label_contains("the wheels came off")
            .is_some(),
        "the report's text is in the dialog"
    );
    assert!(window.harness.query_by_label("Show the report").is_none());

    window.harness.get_by_label("Copy path").click();
    // One frame for each of the click's events; the last one answers.
    window.harness.step();
    let copied = window.harness.output().platform_output.commands.clone();
    assert!(
        copied.contains(&OutputCommand::CopyText(report.display().to_string())),
        "{copied:?}"
    );
    window.settle();
    assert!(
        notice_shown(&window).is_some(),
        "copying keeps the notice up"
    );

    window.click("Dismiss");
    assert!(notice_shown(&window).is_none());
    drop(window);
    let window = open_with(episode.path(), &data_dir);
    assert!(
        notice_shown(&window).is_none(),
        "dismissed: not offered again"
    );
    drop(window);

    let newer = crash_left_in(&data_dir, 1_767_323_046_000);
    let window = open_with(episode.path(), &data_dir);
    let shown = notice_shown(&window).expect("a newer crash is offered");
    assert!(shown.contains(&newer.display().to_string()), "{shown}");
}

#[test]
fn escape_dismisses_the_notice() {
    let episode = temp_dir();
    let data_dir = episode.path().join("data");
    crash_left_in(&data_dir, 1_767_323_045_000);
    let mut window = open_with(episode.path(), &data_dir);
    assert!(notice_shown(&window).is_some());
    window.press(Key::Escape);
    assert!(notice_shown(&window).is_none());
    drop(window);
    let window = open_with(episode.path(), &data_dir);
    assert!(notice_shown(&window).is_none(), "seen once closed");
}

#[test]
fn unsaved_changes_left_by_the_crash_are_asked_about_first_then_the_report() {
    let episode = temp_dir();
    let data_dir = episode.path().join("data");
    let mut window = open_with(episode.path(), &data_dir);
    window.click("Speaker Host");
    window
        .harness
        .key_press_modifiers(Modifiers::COMMAND, Key::A);
    window.harness.get_by_label("New name:").type_text("Ada");
    window.settle();
    window.click("Rename");
    assert!(window.harness.state().has_unsaved_changes());
    // The window goes without saving, as in a crash; the journal stays.
    drop(window);
    crash_left_in(&data_dir, 1_767_323_045_000);

    let files = [
        episode.path().join("demo-episode.mp3"),
        episode.path().join("demo-episode.txt"),
    ];
    let mut window = Window::open_with_data(files.to_vec(), temp_dir(), data_dir.clone());
    assert!(
        window
            .harness
            .query_by_label_contains("Recover 1 unsaved change from")
            .is_some(),
        "the unsaved changes first"
    );
    assert!(notice_shown(&window).is_none(), "one question at a time");
    window.click("Recover");
    assert_eq!(window.harness.state().speaker_names(), ["Ada", "Guest"]);
    assert!(notice_shown(&window).is_some(), "then the report");
}
