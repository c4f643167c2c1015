//! The Markers panel driven through egui_kittest by its accessible labels,
//! over a review the test owns: each action the panel returns is made into
//! its `marking` edit and applied, as the app does, so a test sees what the
//! user would. Clicking a time seeks; a note is kept on Enter and dropped on
//! Escape; a bad time is refused; delete; the kind filter (actions still
//! name the true marker); rename, recolour and add kinds; and ten thousand
//! markers lay out only the rows on screen.

#![cfg(feature = "app")]

use std::sync::Arc;

use earmark::review::markers::{Marker, MarkerKind};
use earmark::review::{ReviewState, apply};
use earmark::transcript::Transcript;
use earmark::ui::markers_panel::{MarkersAction, MarkersInput, MarkersPanel};
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The episode the panel is shown for: two minutes.
const DURATION_MS: u64 = 120_000;

/// What the harness draws: the panel, the review it edits and what came out.
struct Scene {
    panel: MarkersPanel,
    review: ReviewState,
    transcript: Arc<Transcript>,
    pos_ms: u64,
    duration_ms: u64,
    /// Every action the panel returned, in order.
    actions: Vec<MarkersAction>,
}

impl Scene {
    fn frame(&mut self, ui: &mut egui::Ui) {
        let input = MarkersInput {
            review: &self.review,
            pos_ms: self.pos_ms,
            duration_ms: self.duration_ms,
        };
        if let Some(action) = self.panel.ui(ui, &input) {
            self.apply(action);
        }
    }

    /// Does what the app does with `action`.
    fn apply(&mut self, action: MarkersAction) {
        self.actions.push(action.clone());
        if let MarkersAction::Seek(ms) = action {
            self.pos_ms = ms;
        }
        if let Some(edit) = action.edit(&self.review) {
            apply(&mut self.transcript, &mut self.review, edit).expect("the edit fits");
        }
    }
}

fn review_of(markers: Vec<Marker>) -> ReviewState {
    ReviewState::new(markers, None, Default::default())
}

fn panel(review: ReviewState, duration_ms: u64) -> Harness<'static, Scene> {
    let mut markers_panel = MarkersPanel::default();
    markers_panel.open = true;
    let scene = Scene {
        panel: markers_panel,
        review,
        transcript: Arc::new(Transcript::default()),
        pos_ms: 0,
        duration_ms,
        actions: Vec::new(),
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(380.0, 600.0))
        .build_ui_state(|ui, scene: &mut Scene| scene.frame(ui), scene);
    harness.run();
    harness
}

/// The usual few markers: a note, a cut range, a fix.
fn three_markers() -> Harness<'static, Scene> {
    panel(
        review_of(vec![
            Marker::new(5_000, None, "Note", "old"),
            Marker::new(12_000, Some(15_500), "Cut", "cough"),
            Marker::new(40_000, None, "Fix", ""),
        ]),
        DURATION_MS,
    )
}

/// Puts the keyboard in the field labelled `label` and replaces its text
/// with `text` (not yet committed).
fn retype(harness: &mut Harness<'static, Scene>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    if text.is_empty() {
        harness.key_press(Key::Backspace);
    } else {
        harness.get_by_label(label).type_text(text);
    }
    harness.run();
}

fn press(harness: &mut Harness<'static, Scene>, key: Key) {
    harness.key_press(key);
    harness.run();
}

fn changes(scene: &Scene) -> Vec<(usize, Marker)> {
    scene
        .actions
        .iter()
        .filter_map(|action| match action {
            MarkersAction::Change { index, marker } => Some((*index, marker.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn clicking_a_rows_time_seeks_to_its_start() {
    let mut harness = three_markers();
    assert!(harness.query_by_label("3 markers").is_some());
    harness.get_by_label("Go to 0:12–0:15").click();
    harness.run();
    assert_eq!(harness.state().pos_ms, 12_000);
    harness.get_by_label("Go to 0:40").click();
    harness.run();
    assert_eq!(harness.state().pos_ms, 40_000);
    assert_eq!(
        harness.state().actions,
        [MarkersAction::Seek(12_000), MarkersAction::Seek(40_000)]
    );
}

#[test]
fn a_note_typed_and_kept_with_enter_changes_that_marker_once() {
    let mut harness = three_markers();
    retype(
        &mut harness,
        "Note at 0:12–0:15",
        "Cut the cough, keep the laugh",
    );
    assert!(changes(harness.state()).is_empty(), "nothing before Enter");
    press(&mut harness, Key::Enter);
    harness.run();
    let expected = Marker::new(12_000, Some(15_500), "Cut", "Cut the cough, keep the laugh");
    assert_eq!(changes(harness.state()), [(1, expected.clone())]);
    assert_eq!(harness.state().review.markers[1], expected);
    let field = harness.get_by_label("Note at 0:12–0:15");
    assert_eq!(
        field.value().as_deref(),
        Some("Cut the cough, keep the laugh")
    );
}

#[test]
fn a_note_is_also_kept_when_the_field_loses_the_keyboard() {
    let mut harness = three_markers();
    retype(&mut harness, "Note at 0:05", "louder");
    press(&mut harness, Key::Tab);
    assert_eq!(harness.state().review.markers[0].note, "louder");
    assert_eq!(changes(harness.state()).len(), 1);
}

#[test]
fn escape_drops_the_typed_note() {
    let mut harness = three_markers();
    retype(&mut harness, "Note at 0:05", "never mind");
    press(&mut harness, Key::Escape);
    harness.run();
    assert!(changes(harness.state()).is_empty());
    assert_eq!(harness.state().review.markers[0].note, "old");
    let field = harness.get_by_label("Note at 0:05");
    assert_eq!(field.value().as_deref(), Some("old"));
}

#[test]
fn a_bad_time_is_refused_shown_and_not_applied() {
    let mut harness = three_markers();
    let before = harness.state().review.clone();

    retype(&mut harness, "Start of 0:05", "1:7x");
    press(&mut harness, Key::Enter);
    assert!(harness.query_by_label_contains("is not a time").is_some());
    press(&mut harness, Key::Escape);
    assert!(harness.query_by_label_contains("is not a time").is_none());

    retype(&mut harness, "End of 0:12–0:15", "0:10");
    press(&mut harness, Key::Enter);
    assert!(
        harness
            .query_by_label("The end would come before the start")
            .is_some()
    );
    press(&mut harness, Key::Escape);

    retype(&mut harness, "Start of 0:40", "2:30");
    press(&mut harness, Key::Enter);
    assert!(
        harness
            .query_by_label_contains("after the end of the audio")
            .is_some()
    );
    press(&mut harness, Key::Escape);

    assert!(changes(harness.state()).is_empty());
    assert_eq!(harness.state().review, before);
}

#[test]
fn good_times_move_a_marker_and_make_or_unmake_a_range() {
    let mut harness = three_markers();
    retype(&mut harness, "End of 0:12–0:15", "0:20.5");
    press(&mut harness, Key::Enter);
    assert_eq!(harness.state().review.markers[1].end_ms, Some(20_500));
    assert!(harness.query_by_label("Go to 0:12–0:20").is_some());

    // A later start moves the marker after the next one, in time order.
    retype(&mut harness, "Start of 0:05", "1:00");
    press(&mut harness, Key::Enter);
    let starts: Vec<u64> = harness
        .state()
        .review
        .markers
        .iter()
        .map(|m| m.start_ms)
        .collect();
    assert_eq!(starts, [12_000, 40_000, 60_000]);

    retype(&mut harness, "End of 0:12–0:20", "");
    press(&mut harness, Key::Enter);
    assert_eq!(harness.state().review.markers[0].end_ms, None);
    assert!(harness.query_by_label("Go to 0:12").is_some());
}

#[test]
fn choosing_a_kind_changes_the_marker() {
    let mut harness = three_markers();
    harness.get_by_label("Kind at 0:40").click();
    harness.run();
    harness.get_by_label("Retake").click();
    harness.run();
    assert_eq!(harness.state().review.markers[2].kind, "Retake");
    assert_eq!(changes(harness.state()).len(), 1);
}

#[test]
fn delete_removes_that_marker() {
    let mut harness = three_markers();
    harness.get_by_label("Delete marker at 0:12–0:15").click();
    harness.run();
    assert_eq!(harness.state().actions, [MarkersAction::Delete(1)]);
    let starts: Vec<u64> = harness
        .state()
        .review
        .markers
        .iter()
        .map(|m| m.start_ms)
        .collect();
    assert_eq!(starts, [5_000, 40_000]);
    assert!(harness.query_by_label("Go to 0:12–0:15").is_none());
    assert!(harness.query_by_label("2 markers").is_some());
}

#[test]
fn the_kind_filter_shows_one_kind_and_actions_name_the_true_marker() {
    let mut harness = panel(
        review_of(vec![
            Marker::new(1_000, None, "Note", ""),
            Marker::new(2_000, None, "Cut", ""),
            Marker::new(3_000, None, "Note", ""),
            Marker::new(4_000, None, "Cut", "second cut"),
        ]),
        DURATION_MS,
    );
    harness.get_by_label("Kind filter").click();
    harness.run();
    harness.get_by_label("Cut").click();
    harness.run();
    assert!(harness.query_by_label("2 of 4 markers").is_some());
    assert!(harness.query_by_label("Go to 0:01").is_none());
    assert!(harness.query_by_label("Go to 0:03").is_none());
    assert!(harness.query_by_label("Go to 0:02").is_some());

    retype(&mut harness, "Note at 0:04", "trim");
    press(&mut harness, Key::Enter);
    assert_eq!(changes(harness.state())[0].0, 3, "the fourth marker");
    assert_eq!(harness.state().review.markers[3].note, "trim");

    harness.get_by_label("Delete marker at 0:04").click();
    harness.run();
    assert_eq!(
        harness.state().actions.last(),
        Some(&MarkersAction::Delete(3))
    );
    assert!(harness.query_by_label("1 of 3 markers").is_some());
}

/// Opens the Kinds section.
fn open_kinds(harness: &mut Harness<'static, Scene>) {
    harness.get_by_label("Kinds").click();
    harness.run();
}

#[test]
fn renaming_a_kind_renames_its_markers_and_bad_names_are_refused() {
    let mut harness = three_markers();
    open_kinds(&mut harness);

    retype(&mut harness, "Name of kind Fix", "note");
    press(&mut harness, Key::Enter);
    assert!(
        harness
            .query_by_label("There is already a kind called Note")
            .is_some()
    );
    press(&mut harness, Key::Escape);

    retype(&mut harness, "Name of kind Fix", "  ");
    press(&mut harness, Key::Enter);
    assert!(harness.query_by_label("A kind needs a name").is_some());
    press(&mut harness, Key::Escape);
    assert!(harness.state().actions.is_empty());

    retype(&mut harness, "Name of kind Cut", "Trim");
    press(&mut harness, Key::Enter);
    let cut = 2;
    assert_eq!(
        harness.state().actions,
        [MarkersAction::RenameKind {
            index: cut,
            name: "Trim".to_owned()
        }]
    );
    assert_eq!(harness.state().review.kinds[cut].name, "Trim");
    assert_eq!(harness.state().review.markers[1].kind, "Trim");
    assert!(harness.query_by_label("Name of kind Trim").is_some());
}

#[test]
fn recolouring_a_kind_is_one_action_with_the_picked_colour() {
    let mut harness = three_markers();
    open_kinds(&mut harness);
    harness.get_by_label("Colour of Note").click();
    harness.run();
    // The picker's red field, as a screen reader sets it.
    harness
        .get_by_label("Red of Note")
        .set_value_accesskit(16.0);
    harness.run();
    let note = 0;
    let [_, green, blue] = earmark::review::markers::default_kinds()[note].color;
    let expected = [16, green, blue];
    assert_eq!(
        harness.state().actions,
        [MarkersAction::RecolourKind {
            index: note,
            color: expected
        }]
    );
    assert_eq!(harness.state().review.kinds[note].color, expected);

    // A colour offered in the picker, at a click.
    press(&mut harness, Key::Escape);
    assert!(harness.query_by_label("Red of Note").is_none(), "closed");
    harness.get_by_label("Colour of Fix").click();
    harness.run();
    harness.get_by_label("#17becf for Fix").click();
    harness.run();
    let fix = 1;
    assert_eq!(
        harness.state().actions.last(),
        Some(&MarkersAction::RecolourKind {
            index: fix,
            color: [0x17, 0xbe, 0xcf]
        })
    );
    assert_eq!(harness.state().actions.len(), 2, "one action a change");
}

#[test]
fn adding_a_kind_gives_it_a_colour_of_its_own_and_refuses_a_taken_name() {
    let mut harness = three_markers();
    open_kinds(&mut harness);
    retype(&mut harness, "New kind:", "cut");
    harness.get_by_label("Add kind").click();
    harness.run();
    assert!(
        harness
            .query_by_label("There is already a kind called Cut")
            .is_some()
    );
    assert!(harness.state().actions.is_empty());

    retype(&mut harness, "New kind:", "Music bed");
    press(&mut harness, Key::Enter);
    let kinds = &harness.state().review.kinds;
    assert_eq!(kinds.len(), 7);
    let added: &MarkerKind = &kinds[6];
    assert_eq!(added.name, "Music bed");
    assert!(kinds[..6].iter().all(|k| k.color != added.color));
    assert!(harness.query_by_label("Name of kind Music bed").is_some());
    let field = harness.get_by_label("New kind:");
    assert_eq!(field.value().as_deref(), Some(""), "the field is cleared");
}

#[test]
fn with_no_markers_it_says_how_to_add_one() {
    let harness = panel(ReviewState::default(), DURATION_MS);
    assert!(harness.query_by_label("0 markers").is_some());
    assert!(
        harness
            .query_by_label_contains("Press M to add a marker at the playhead")
            .is_some()
    );
}

#[test]
fn ten_thousand_markers_lay_out_only_the_rows_on_screen_and_reveal_scrolls() {
    let count = 10_000u64;
    let markers = (0..count)
        .map(|i| Marker::new(i * 1_000, None, "Note", ""))
        .collect();
    let mut harness = panel(review_of(markers), count * 1_000 + 1_000);
    assert!(harness.query_by_label("10000 markers").is_some());
    let rows = harness
        .query_all_by_label_contains("Delete marker at")
        .count();
    assert!((5..60).contains(&rows), "{rows} rows laid out");
    assert!(harness.query_by_label("Go to 0:00:00").is_some());

    // Marker 9000 is at 2:30:00.
    assert!(harness.query_by_label("Go to 2:30:00").is_none());
    harness.state_mut().panel.reveal(9_000);
    harness.run();
    assert!(harness.query_by_label("Go to 2:30:00").is_some());
    assert!(harness.query_by_label("Go to 0:00:00").is_none());
    let rows = harness
        .query_all_by_label_contains("Delete marker at")
        .count();
    assert!((5..60).contains(&rows), "{rows} rows laid out");
}

#[test]
fn reveal_shows_every_kind_when_the_filter_hides_the_marker() {
    let mut harness = panel(
        review_of(vec![
            Marker::new(1_000, None, "Note", ""),
            Marker::new(2_000, None, "Cut", ""),
        ]),
        DURATION_MS,
    );
    harness.get_by_label("Kind filter").click();
    harness.run();
    harness.get_by_label("Cut").click();
    harness.run();
    assert!(harness.query_by_label("Go to 0:01").is_none());
    harness.state_mut().panel.reveal(0);
    harness.run();
    assert!(harness.query_by_label("Go to 0:01").is_some());
    assert!(harness.query_by_label("2 markers").is_some());
}
