//! Reviewing in the window (egui_kittest): markers by keys (M, I/O, a note
//! on a line), next / previous marker, the Markers panel and the kinds,
//! reviewed lines, progress and next unreviewed, each undoable and saved
//! in the session file; and File ▸ Export.

#[path = "support/window.rs"]
mod window;

use std::path::Path;

use earmark::review::ReviewState;
use earmark::review::export::ExportFormat;
use earmark::review::markers::Marker;
use earmark::review::session::{self, Session};
use earmark::ui::export_window::ExportChoice;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::kittest::Queryable;
use window::*;

fn review(window: &Window) -> ReviewState {
    window
        .harness
        .state()
        .review()
        .cloned()
        .expect("a transcript is open")
}

/// Types `text` into the note field of the marker being added.
fn type_note(window: &mut Window, text: &str) {
    let field = window.harness.get_by_label("Note:");
    field.focus();
    window.harness.run();
    window.harness.get_by_label("Note:").type_text(text);
    window.settle();
}

fn session_of(window: &Window) -> Session {
    let transcript = window.files[1].clone();
    Session::read(&session::path_for(&transcript)).expect("a session file")
}

#[test]
fn m_adds_a_marker_at_the_playhead_with_its_note_as_one_step_and_saves_it() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    let at_ms = window.clock_ms();
    window.press(Key::M);
    assert!(window.harness.state().marker_draft().is_some());
    type_note(&mut window, "cut the cough, \"please\"");
    window.press(Key::Enter);
    assert!(window.harness.state().marker_draft().is_none());
    let markers = review(&window).markers;
    assert_eq!(markers.len(), 1);
    assert_eq!(markers[0].start_ms, at_ms);
    assert_eq!(markers[0].end_ms, None);
    assert_eq!(markers[0].kind, "Note");
    assert_eq!(markers[0].note, "cut the cough, \"please\"");
    assert!(window.harness.state().has_unsaved_changes());

    window.press_with(Modifiers::COMMAND, Key::Z);
    assert!(review(&window).markers.is_empty(), "one step undoes it all");
    window.press_with(Modifiers::COMMAND, Key::Y);
    assert_eq!(review(&window).markers, markers);
    window.press_with(Modifiers::COMMAND, Key::S);
    assert!(!window.harness.state().has_unsaved_changes());
    assert_eq!(session_of(&window).markers, markers);
}

#[test]
fn escape_keeps_the_marker_without_a_note_and_the_kind_is_remembered() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    window.press(Key::M);
    type_note(&mut window, "half typed");
    window.press(Key::Escape);
    let markers = review(&window).markers;
    assert_eq!(markers.len(), 1);
    assert_eq!(markers[0].note, "", "Escape keeps it without a note");
    assert!(window.harness.state().marker_draft().is_none());
}

#[test]
fn in_and_out_points_make_a_range_marker() {
    let mut window = editable_demo_playing("Thanks for having me");
    let in_ms = window.clock_ms();
    window.press(Key::I);
    window.play_for(1_500);
    window.press(Key::Space);
    let out_ms = window.clock_ms();
    assert!(out_ms > in_ms + 1_000, "{in_ms}..{out_ms}");
    window.press(Key::O);
    window.press(Key::M);
    window.press(Key::Enter);
    let markers = review(&window).markers;
    assert_eq!(markers.len(), 1);
    assert_eq!(markers[0].start_ms, in_ms);
    assert_eq!(markers[0].end_ms, Some(out_ms));
    // The points were used up: the next M is a point again.
    window.press(Key::M);
    window.press(Key::Escape);
    assert_eq!(review(&window).markers[1].end_ms, None);
}

#[test]
fn a_note_on_a_line_covers_the_line() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    window.press_with(Modifiers::SHIFT, Key::M);
    type_note(&mut window, "say the guest's name");
    window.press(Key::Enter);
    let markers = review(&window).markers;
    assert_eq!(markers.len(), 1);
    assert_eq!(
        (markers[0].start_ms, markers[0].end_ms),
        (4_600, Some(9_800))
    );
    assert_eq!(markers[0].note, "say the guest's name");
}

/// Adds a point marker at each of `starts_ms` (by seeking and M).
fn markers_at(window: &mut Window, starts_ms: &[u64]) {
    for &start_ms in starts_ms {
        window.harness.state_mut().seek(start_ms);
        window.settle();
        window.press(Key::M);
        window.press(Key::Escape);
    }
}

#[test]
fn next_and_previous_marker_keys_go_from_marker_to_marker() {
    let mut window = editable_demo_playing("Welcome to the Earmark");
    window.press(Key::Space);
    markers_at(&mut window, &[12_000, 3_000, 20_000]);
    window.harness.state_mut().seek(0);
    window.settle();
    let mut visited = Vec::new();
    for _ in 0..4 {
        window.press_with(Modifiers::SHIFT, Key::ArrowDown);
        visited.push(window.clock_ms());
    }
    assert_eq!(
        visited,
        [3_000, 12_000, 20_000, 20_000],
        "stops at the last"
    );
    window.press_with(Modifiers::SHIFT, Key::ArrowUp);
    assert_eq!(window.clock_ms(), 12_000);
}

#[test]
fn reviewed_lines_progress_and_next_unreviewed() {
    let mut window = editable_demo_playing("Thanks for having me");
    window.press(Key::Space);
    assert!(
        window
            .harness
            .query_by_label_contains("0 of 6 lines reviewed")
            .is_some()
    );
    window.press(Key::R);
    assert!(
        window
            .harness
            .query_by_label_contains("1 of 6 lines reviewed")
            .is_some()
    );
    let reviewed = review(&window).reviewed;
    assert!(reviewed.covers_line(4_600, 9_800));
    assert!(!reviewed.covers_line(500, 4_200));

    // Reviewed up to the third line: the first three.
    window
        .harness
        .get_by_label_contains("Click any line and the player jumps")
        .click();
    window.settle();
    window.press(Key::Space);
    window.press_with(Modifiers::SHIFT, Key::R);
    assert!(
        window
            .harness
            .query_by_label_contains("3 of 6 lines reviewed · 0:15 of 0:")
            .is_some()
    );
    // Next unreviewed goes to the fourth line.
    window.press(Key::U);
    assert_eq!(window.clock_ms(), 16_300);
    // R again on a reviewed line unmarks it; undo puts it back.
    window
        .harness
        .get_by_label_contains("Thanks for having me")
        .click();
    window.settle();
    window.press(Key::Space);
    window.press(Key::R);
    assert!(!review(&window).reviewed.covers_line(4_600, 9_800));
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert!(review(&window).reviewed.covers_line(4_600, 9_800));
    window.press_with(Modifiers::COMMAND, Key::S);
    assert_eq!(session_of(&window).reviewed, review(&window).reviewed);
}

#[test]
fn the_tick_on_a_line_toggles_it_reviewed() {
    let mut window = editable_demo_playing("Welcome to the Earmark");
    window.press(Key::Space);
    window.click("Line 4 reviewed");
    assert!(review(&window).reviewed.covers_line(16_300, 22_000));
    window.click("Line 4 reviewed");
    assert!(review(&window).reviewed.is_empty());
}

#[test]
fn a_line_played_through_is_reviewed_when_the_setting_says_so() {
    let mut window = editable_demo_with(earmark::ui::settings::Settings {
        review_as_played: true,
        ..Default::default()
    });
    window
        .harness
        .get_by_label_contains("Thanks for having me")
        .click();
    window.settle();
    for _ in 0..60 {
        window.play_for(100);
    }
    let reviewed = review(&window).reviewed;
    assert!(
        reviewed.covers_line(4_600, 9_800),
        "played from its start to its end: {reviewed:?}"
    );
    assert!(
        !reviewed.covers_line(10_100, 15_900),
        "not yet played through"
    );

    // A line entered by a seek into its middle is not reviewed by playing on.
    window.harness.state_mut().seek(20_000);
    window.settle();
    for _ in 0..30 {
        window.play_for(100);
    }
    assert!(!review(&window).reviewed.covers_line(16_300, 22_000));
}

#[test]
fn export_writes_the_chosen_format_with_the_chosen_kinds() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    markers_at(&mut window, &[3_000, 12_000]);
    let dir = window.files[0].parent().expect("a folder").to_owned();
    let path = dir.join("cuts.txt");
    window.harness.state_mut().choose_export(ExportChoice {
        format: ExportFormat::Audacity,
        kinds: None,
        fps: Default::default(),
    });
    window.harness.state_mut().export_to(&path);
    window.settle();
    let text = std::fs::read_to_string(&path).expect("written");
    assert_eq!(text, "3.000\t3.000\tNote\n12.000\t12.000\tNote\n");
    assert!(
        window
            .harness
            .query_by_label_contains("Exported 2 markers")
            .is_some()
    );

    // The cut list alone: no Cut markers, an empty list.
    let path = dir.join("only-cuts.txt");
    window.harness.state_mut().choose_export(ExportChoice {
        format: ExportFormat::Audacity,
        kinds: Some(vec!["Cut".to_owned()]),
        fps: Default::default(),
    });
    window.harness.state_mut().export_to(&path);
    assert_eq!(std::fs::read_to_string(&path).expect("written"), "");
    assert!(!Path::new(&dir.join("nothing")).exists());
}

#[test]
fn markers_from_the_session_file_are_shown_on_opening() {
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let marker = Marker {
        start_ms: 5_000,
        end_ms: Some(8_000),
        kind: "Cut".to_owned(),
        note: "from before".to_owned(),
    };
    let session = Session {
        markers: vec![marker.clone()],
        ..Default::default()
    };
    session
        .write(&session::path_for(&files[1]))
        .expect("written");
    let window = Window::open_in(files, dir);
    assert_eq!(review(&window).markers, vec![marker]);
}

#[test]
fn the_markers_panel_opens_with_f4_seeks_edits_and_deletes_undoably() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    markers_at(&mut window, &[3_000, 12_000]);
    assert!(window.harness.query_by_label("Go to 0:12").is_none());
    window.press(Key::F4);
    window.click("Go to 0:12");
    assert_eq!(window.clock_ms(), 12_000);
    window.click("Delete marker at 0:03");
    let starts: Vec<u64> = review(&window).markers.iter().map(|m| m.start_ms).collect();
    assert_eq!(starts, [12_000]);
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(review(&window).markers.len(), 2, "the delete is undone");
    window.press(Key::F4);
    assert!(
        window.harness.query_by_label("Go to 0:12").is_none(),
        "F4 again hides it"
    );
}

#[test]
fn shift_drag_on_the_zoomed_waveform_then_m_marks_that_range() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    let before_ms = window.clock_ms();
    let (from, to) = {
        let zoom = window.harness.get_by_label("Zoomed waveform");
        let rect = zoom.rect();
        let at = |share: f32| egui::pos2(rect.left() + rect.width() * share, rect.center().y);
        (at(0.6), at(0.3))
    };
    window
        .harness
        .event(egui::Event::ModifiersChanged(Modifiers::SHIFT));
    window.harness.hover_at(from);
    window.harness.drag_at(from);
    window
        .harness
        .hover_at(egui::pos2((from.x + to.x) / 2.0, from.y));
    window.harness.hover_at(to);
    window.harness.drop_at(to);
    window
        .harness
        .event(egui::Event::ModifiersChanged(Modifiers::NONE));
    window.settle();
    assert_eq!(window.clock_ms(), before_ms, "a Shift+drag does not seek");
    window.press(Key::M);
    window.press(Key::Enter);
    let markers = review(&window).markers;
    assert_eq!(markers.len(), 1);
    let (start_ms, end_ms) = (markers[0].start_ms, markers[0].end_ms.expect("a range"));
    // The zoom shows 20 s around the playhead: 30 % to 60 % of it is 6 s.
    assert!(
        (5_500..=6_500).contains(&(end_ms - start_ms)),
        "{start_ms}..{end_ms}"
    );
    assert!(
        start_ms < before_ms && end_ms > before_ms,
        "{start_ms}..{end_ms} around {before_ms}"
    );
}

#[test]
fn renaming_a_kind_in_the_panel_renames_its_markers_undoably_and_is_saved() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    markers_at(&mut window, &[3_000]);
    window.press(Key::F4);
    window.click("Kinds");
    window.harness.get_by_label("Name of kind Note").focus();
    window.harness.run();
    window
        .harness
        .key_press_modifiers(Modifiers::COMMAND, Key::A);
    window
        .harness
        .get_by_label("Name of kind Note")
        .type_text("Question");
    window.settle();
    window.press(Key::Enter);
    let renamed = review(&window);
    assert_eq!(renamed.markers[0].kind, "Question");
    assert!(renamed.kind("Question").is_some() && renamed.kind("Note").is_none());
    window.press_with(Modifiers::COMMAND, Key::S);
    let saved = session_of(&window);
    assert_eq!(saved.markers[0].kind, "Question");
    assert!(
        saved
            .kinds
            .as_ref()
            .is_some_and(|k| k.iter().any(|k| k.name == "Question")),
        "the kinds are saved once they differ from the defaults"
    );
    window.press_with(Modifiers::COMMAND, Key::Z);
    assert_eq!(
        review(&window).markers[0].kind,
        "Note",
        "one step undoes both"
    );
}

#[test]
fn the_export_window_offers_every_format_and_the_kinds_to_leave_out() {
    use earmark::review::markers::default_kinds;
    use earmark::ui::export_window::ExportWindow;
    let kinds = default_kinds();
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(700.0, 700.0))
        .build_ui_state(
            move |ui, state: &mut (ExportWindow, Vec<ExportChoice>)| {
                if let Some(choice) = state.0.ui(&ui.ctx().clone(), &kinds, 0.0) {
                    state.1.push(choice);
                }
            },
            {
                let mut window = ExportWindow::default();
                window.open = true;
                (window, Vec::new())
            },
        );
    harness.run();
    harness
        .get_by_label("EDL for DaVinci Resolve (CMX 3600)")
        .click();
    harness.run();
    harness.get_by_label("Note").click();
    harness.get_by_label("Chapter").click();
    harness.run();
    harness.get_by_label("Export…").click();
    harness.run();
    let choices = &harness.state().1;
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0].format, ExportFormat::Edl);
    assert_eq!(
        choices[0].kinds.as_deref(),
        Some(&["Fix", "Cut", "Retake", "Ad break"].map(String::from)[..])
    );
    assert_eq!(choices[0].fps.to_string(), "25");
    assert!(
        !harness.state().0.open,
        "the window closes for the file dialog"
    );
}

#[test]
fn ctrl_s_with_the_note_window_open_saves_the_marker_with_its_note() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    window.press(Key::M);
    type_note(&mut window, "typed, not yet kept");
    window.press_with(Modifiers::COMMAND, Key::S);
    assert!(window.harness.state().marker_draft().is_none());
    assert!(!window.harness.state().has_unsaved_changes());
    let saved = session_of(&window);
    assert_eq!(saved.markers.len(), 1);
    assert_eq!(saved.markers[0].note, "typed, not yet kept");
}

#[test]
fn escape_in_a_field_of_the_markers_panel_drops_what_was_typed() {
    let mut window = editable_demo_playing("Click any line");
    window.press(Key::Space);
    markers_at(&mut window, &[3_000]);
    window.press(Key::F4);
    window.harness.get_by_label("Note at 0:03").focus();
    window.harness.run();
    window
        .harness
        .get_by_label("Note at 0:03")
        .type_text("not meant");
    window.settle();
    window.press(Key::Escape);
    window.harness.get_by_label("Go to 0:03").click();
    window.settle();
    assert_eq!(review(&window).markers[0].note, "", "nothing was kept");
    assert!(
        window
            .harness
            .state()
            .review()
            .is_some_and(|r| r.markers.len() == 1),
        "and Escape added no marker"
    );
}
