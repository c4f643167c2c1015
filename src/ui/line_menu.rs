//! A line's context menu (right click): its speaker (one from the list, or
//! a new name), editing its text, and the line edits that have keys. Keeps
//! no state of its own beyond the new name being typed, which the caller
//! holds; returns what the user chose.

use eframe::egui;

use super::shortcuts::Action;
use super::transcript_view::ViewAction;
use crate::transcript::Transcript;

/// The menu's items for line `segment`; the new speaker's name being typed
/// is `new_speaker`.
pub fn line_menu_ui(
    ui: &mut egui::Ui,
    transcript: &Transcript,
    segment: usize,
    new_speaker: &mut String,
) -> Option<ViewAction> {
    let mut action = None;
    let current = transcript.segments.get(segment).and_then(|s| s.speaker);
    ui.label("Speaker");
    for (index, name) in transcript.speakers.iter().enumerate() {
        let chosen = current.is_some_and(|s| s.0 as usize == index);
        let label = if index < 9 {
            format!("{name}   ({})", index + 1)
        } else {
            name.clone()
        };
        if ui.radio(chosen, label).clicked() && !chosen {
            action = Some(ViewAction::SetSpeaker {
                segment,
                name: name.clone(),
            });
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("New:");
        let field = ui
            .add(
                egui::TextEdit::singleline(new_speaker)
                    .hint_text("name")
                    .desired_width(120.0),
            )
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let name = new_speaker.trim().to_owned();
        if (ui
            .add_enabled(!name.is_empty(), egui::Button::new("Set"))
            .clicked()
            || entered)
            && !name.is_empty()
        {
            action = Some(ViewAction::SetSpeaker { segment, name });
            new_speaker.clear();
        }
    });
    ui.separator();
    let items = [
        (None, "Edit text", "F2"),
        (Some(Action::MergeNext), "Join with the next line", "Ctrl+J"),
        (Some(Action::DeleteLine), "Delete the line", "Ctrl+Delete"),
        (
            Some(Action::NoteOnLine),
            "Add a note on this line…",
            "Shift+M",
        ),
        (Some(Action::ToggleReviewed), "Mark reviewed (or not)", "R"),
        (
            Some(Action::ReviewedUpToHere),
            "Reviewed up to here",
            "Shift+R",
        ),
    ];
    for (key_action, label, keys) in items {
        if ui
            .add(egui::Button::new(label).shortcut_text(keys))
            .clicked()
        {
            action = Some(match key_action {
                Some(key_action) => ViewAction::Line {
                    segment,
                    action: key_action,
                },
                None => ViewAction::Edit(segment),
            });
        }
    }
    if action.is_some() {
        ui.close();
    }
    action
}
