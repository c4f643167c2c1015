//! The search bar: the query, the match count, previous/next, the speaker
//! filter and Close, and the replace row (Ctrl+H). Reads and edits the [`Search`] state and returns what
//! the user asked for; the app applies it.

use eframe::egui::{self, Key, Role, WidgetInfo};

use super::search::Search;
use crate::transcript::{SpeakerId, Transcript};

/// What the search bar asks the app to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchBarAction {
    /// Scroll this segment into view (the current match moved).
    Reveal(usize),
    /// Go to this segment's start (Enter on a match).
    Seek(usize),
    /// Replace the current match (or, `all`, every match) with the
    /// replacement, as one undoable step.
    Replace {
        /// Every match, not only the current one.
        all: bool,
    },
}

/// Draws the bar; `focus` puts the keyboard in the query field.
pub fn search_bar_ui(
    ui: &mut egui::Ui,
    search: &mut Search,
    transcript: &Transcript,
    focus: bool,
) -> Option<SearchBarAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        let label = ui.label("Search:");
        let response = ui.add(
            egui::TextEdit::singleline(&mut search.query)
                .id_salt("search-query")
                .hint_text("words in the transcript")
                .desired_width(240.0),
        );
        let response = response.labelled_by(label.id);
        if focus {
            response.request_focus();
        }
        if search.refresh(transcript) {
            action = search
                .current()
                .map(|(_, m)| SearchBarAction::Reveal(m.segment));
        }
        if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
            action = search
                .current()
                .map(|(_, m)| SearchBarAction::Seek(m.segment));
            response.request_focus();
        }
        ui.label(search.count_label());
        let previous = ui
            .button("Previous")
            .on_hover_text("Previous match (Shift+F3)");
        previous.widget_info(|| WidgetInfo::labeled(Role::Button, true, "Previous match"));
        if previous.clicked() {
            action = search
                .go_previous()
                .map(|m| SearchBarAction::Reveal(m.segment));
        }
        let next = ui.button("Next").on_hover_text("Next match (F3)");
        next.widget_info(|| WidgetInfo::labeled(Role::Button, true, "Next match"));
        if next.clicked() {
            action = search.go_next().map(|m| SearchBarAction::Reveal(m.segment));
        }
        speaker_filter_ui(ui, search, transcript);
        if !search.replacing && ui.button("Replace…").on_hover_text("Ctrl+H").clicked() {
            search.replacing = true;
        }
        let close = ui.button("Close").on_hover_text("Close search (Esc)");
        close.widget_info(|| WidgetInfo::labeled(Role::Button, true, "Close search"));
        if close.clicked() {
            search.close();
        }
    });
    if search.replacing
        && let Some(replace) = replace_row_ui(ui, search)
    {
        action = Some(replace);
    }
    action
}

/// "Replace with: [   ] Replace · Replace all" under the query.
fn replace_row_ui(ui: &mut egui::Ui, search: &mut Search) -> Option<SearchBarAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        let label = ui.label("Replace with:");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut search.replacement)
                    .id_salt("search-replacement")
                    .hint_text("what each match becomes")
                    .desired_width(240.0),
            )
            .labelled_by(label.id);
        let any = !search.matches().is_empty();
        let one = ui.add_enabled(any, egui::Button::new("Replace"));
        if one.clicked() || (any && field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))) {
            action = Some(SearchBarAction::Replace { all: false });
        }
        let all = ui
            .add_enabled(any, egui::Button::new("Replace all"))
            .on_hover_text("Every match, as one step (Ctrl+Z undoes it)");
        if all.clicked() {
            action = Some(SearchBarAction::Replace { all: true });
        }
    });
    action
}

/// The speaker filter's drop-down.
fn speaker_filter_ui(ui: &mut egui::Ui, search: &mut Search, transcript: &Transcript) {
    let selected = match search.speaker_filter {
        None => "All speakers".to_string(),
        Some(speaker) => transcript.speaker_name(speaker).to_string(),
    };
    egui::ComboBox::from_id_salt("speaker-filter")
        .selected_text(selected)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut search.speaker_filter, None, "All speakers");
            for (index, name) in transcript.speakers.iter().enumerate() {
                ui.selectable_value(
                    &mut search.speaker_filter,
                    Some(Some(SpeakerId(index as u32))),
                    name.as_str(),
                );
            }
        })
        .response
        .widget_info(|| WidgetInfo::labeled(Role::ComboBox, true, "Speaker filter"));
}

/// The line count the legend shows: "234 lines", or "38 of 234 lines" while
/// the list is filtered to one speaker.
pub fn line_count_label(search: &Search, transcript: &Transcript) -> String {
    let total = transcript.segments.len();
    match search.speaker_filter {
        None => format!("{total} lines"),
        Some(speaker) => {
            let shown = transcript
                .segments
                .iter()
                .filter(|segment| segment.speaker == speaker)
                .count();
            format!("{shown} of {total} lines")
        }
    }
}
