//! The note of a marker being added (M, or a note on a line): a small
//! window with the marker's time, its kind and the note field, which has
//! the keyboard. Enter keeps the marker with its note; Escape (handled by
//! the app, which owns the key) keeps it without one. Keeps the draft and
//! returns the marker to add; the app makes the edit, so the marker and its
//! note are one undoable step.

use eframe::egui;

use super::style::clock_label;
use crate::review::markers::{Marker, MarkerKind};

/// Space between the window and the list's top edge.
const MARGIN: f32 = 12.0;

/// A marker not yet added, and its note as typed so far.
#[derive(Debug, Clone)]
pub struct MarkerDraft {
    /// The marker (its note is filled in when it is kept).
    pub marker: Marker,
    /// The note being typed.
    pub note: String,
    /// The note field takes the keyboard on the next frame.
    focus: bool,
}

impl MarkerDraft {
    /// A draft of `marker`, its note field about to take the keyboard.
    pub fn new(marker: Marker) -> MarkerDraft {
        MarkerDraft {
            note: marker.note.clone(),
            marker,
            focus: true,
        }
    }

    /// The marker with the note typed (`with_note`) or without one.
    pub fn finish(self, with_note: bool) -> Marker {
        let mut marker = self.marker;
        marker.note = if with_note {
            self.note.trim().to_owned()
        } else {
            String::new()
        };
        marker
    }

    /// Draws the window below `top`; returns `true` when the user keeps the
    /// marker with its note (Enter, or the Add button).
    pub fn ui(&mut self, ctx: &egui::Context, kinds: &[MarkerKind], top: f32) -> bool {
        let mut keep = false;
        let screen = ctx.content_rect();
        egui::Window::new("New marker")
            .collapsible(false)
            .resizable(false)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(egui::pos2(screen.center().x, top + MARGIN))
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.label(self.when());
                    self.kind_ui(ui, kinds);
                });
                let label = ui.label("Note:");
                let field = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.note)
                            .hint_text(hint(&self.marker.kind))
                            .desired_width(320.0),
                    )
                    .labelled_by(label.id);
                if std::mem::take(&mut self.focus) {
                    field.request_focus();
                }
                let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.horizontal(|ui| {
                    keep = ui.button("Add").clicked() || entered;
                    ui.weak("Enter adds it · Esc adds it without a note");
                });
            });
        keep
    }

    /// "at 1:23" or "1:23 – 1:31".
    fn when(&self) -> String {
        let start = clock_label(self.marker.start_ms, false);
        match self.marker.end_ms {
            Some(end_ms) => format!("{start} – {}", clock_label(end_ms, false)),
            None => format!("at {start}"),
        }
    }

    fn kind_ui(&mut self, ui: &mut egui::Ui, kinds: &[MarkerKind]) {
        let label = ui.label("Kind");
        egui::ComboBox::from_id_salt("new marker kind")
            .selected_text(self.marker.kind.clone())
            .show_ui(ui, |ui| {
                for kind in kinds {
                    let [r, g, b] = kind.color;
                    let text = egui::RichText::new(kind.name.as_str())
                        .color(egui::Color32::from_rgb(r, g, b));
                    if ui
                        .selectable_label(self.marker.is(&kind.name), text)
                        .clicked()
                    {
                        self.marker.kind = kind.name.clone();
                        self.focus = true;
                    }
                }
            })
            .response
            .labelled_by(label.id);
    }
}

/// What the note field suggests for a kind.
fn hint(kind: &str) -> &'static str {
    if kind.eq_ignore_ascii_case(crate::review::markers::CHAPTER) {
        "the chapter's title"
    } else {
        "what to do here"
    }
}
