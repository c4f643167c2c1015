//! The Sync panel (Sync ▸ Check sync…): the check's progress with a
//! Cancel button while it runs, then its result: the pieces the transcript
//! was cut into and how far each moves, the clock's drift, the lines whose
//! audio is gone, how sure the check is, and Accept / Dismiss. When nothing
//! needs moving it says the transcript is in sync and offers nothing to
//! accept. When lines or their times were edited after the check, the
//! result no longer applies: the panel says so and offers to check again. It owns only view state; the result is lent for the frame and
//! what the user asks for comes back as a [`SyncAction`].

use eframe::egui::{self, Role, WidgetInfo};

use super::style::clock_label;
use super::waveform_view::{PieceSpan, lines_label};
use crate::sync::Alignment;
use crate::transcript::Transcript;

/// Missing lines listed before "Show all".
const MISSING_SHOWN: usize = 12;
/// Characters of a missing line's text shown in its row.
const MISSING_TEXT_CHARS: usize = 48;
/// From this long on, times show hours ("1:02:03").
const HOUR_MS: u64 = 3_600_000;
/// Below this overall confidence the panel asks the user to listen first.
const LOW_CONFIDENCE: f64 = 0.8;

/// What the panel shows this frame.
pub enum SyncShown<'a> {
    /// The check is running: how much of the audio is measured (0–1).
    Running {
        /// Share of the audio measured.
        progress: f32,
    },
    /// The check's result, for the transcript it was made for.
    Done {
        /// What the check found.
        alignment: &'a Alignment,
        /// The transcript as it was checked.
        transcript: &'a Transcript,
        /// Its pieces in audio time, as the overview draws them.
        pieces: &'a [PieceSpan],
        /// Nothing would move: the transcript is in sync.
        in_sync: bool,
        /// Lines or their times were edited after the check: the result is stale.
        changed: bool,
    },
}

/// What the user asked for in the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncAction {
    /// Stop the check that is running.
    Cancel,
    /// Apply the result as one undoable edit.
    Accept,
    /// Close the panel without changing anything.
    Dismiss,
    /// Run the check again on the transcript as it is now.
    CheckAgain,
    /// Show line `line` and play from `audio_ms` (a piece's or a missing
    /// line's row was clicked).
    Go {
        /// The line (0-based) to select.
        line: usize,
        /// Where it is in the audio after the check.
        audio_ms: u64,
    },
}

/// The panel's view state.
#[derive(Debug, Default)]
pub struct SyncPanel {
    /// Every missing line is listed, not only the first few.
    show_every_missing: bool,
}

impl SyncPanel {
    /// Forgets what was shown for the last result.
    pub fn reset(&mut self) {
        self.show_every_missing = false;
    }

    /// Draws the panel's content; returns what the user asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, shown: &SyncShown) -> Option<SyncAction> {
        ui.add_space(4.0);
        ui.heading("Sync check");
        ui.add_space(4.0);
        match *shown {
            SyncShown::Running { progress } => running_ui(ui, progress),
            SyncShown::Done {
                alignment,
                transcript,
                pieces,
                in_sync,
                changed,
            } => {
                if changed {
                    return changed_ui(ui);
                }
                if in_sync {
                    return in_sync_ui(ui, alignment);
                }
                self.result_ui(ui, alignment, transcript, pieces)
            }
        }
    }

    fn result_ui(
        &mut self,
        ui: &mut egui::Ui,
        alignment: &Alignment,
        transcript: &Transcript,
        pieces: &[PieceSpan],
    ) -> Option<SyncAction> {
        let mut action = None;
        ui.label("The transcript does not match the audio everywhere. Accept moves every line to where it is heard:");
        if alignment.confidence < LOW_CONFIDENCE {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Low confidence: play a few lines of each piece before accepting.",
            );
        }
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let accept = ui.button("Accept").on_hover_text(
                "Move every line, as one step (Ctrl+Z undoes it); saved when you save",
            );
            if accept.clicked() {
                action = Some(SyncAction::Accept);
            }
            if ui.button("Dismiss").clicked() {
                action = Some(SyncAction::Dismiss);
            }
        });
        ui.separator();
        let with_hours = pieces.last().is_some_and(|p| p.end_ms >= HOUR_MS);
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                ui.strong(format!(
                    "{} piece{}",
                    pieces.len(),
                    if pieces.len() == 1 { "" } else { "s" }
                ));
                for (piece, found) in pieces.iter().zip(&alignment.pieces) {
                    let text = format!(
                        "{} · from {} · confidence {:.2}",
                        piece.describe(),
                        clock_label(piece.start_ms, with_hours),
                        found.confidence
                    );
                    if row_ui(ui, &text, "Go to the piece's first line").clicked() {
                        action = Some(SyncAction::Go {
                            line: piece.lines.start,
                            audio_ms: piece.start_ms,
                        });
                    }
                }
                ui.add_space(6.0);
                ui.label(drift_label(alignment.rate));
                ui.add_space(6.0);
                if let Some(asked) = self.missing_ui(ui, alignment, transcript, with_hours) {
                    action = Some(asked);
                }
                ui.add_space(6.0);
                ui.label(format!(
                    "Confidence: {:.2} (the share of lines that start where speech starts)",
                    alignment.confidence
                ));
            });
        action
    }

    fn missing_ui(
        &mut self,
        ui: &mut egui::Ui,
        alignment: &Alignment,
        transcript: &Transcript,
        with_hours: bool,
    ) -> Option<SyncAction> {
        let missing = &alignment.missing;
        if missing.is_empty() {
            ui.label("Missing: none (every line is in the audio)");
            return None;
        }
        ui.strong(format!(
            "Missing: {} line{} whose audio is gone (kept at the cut, with no length)",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        ));
        let mut action = None;
        let shown = if self.show_every_missing {
            missing.len()
        } else {
            MISSING_SHOWN
        };
        for &line in missing.iter().take(shown) {
            let Some(segment) = transcript.segments.get(line) else {
                continue;
            };
            let cut_ms = alignment.audio_ms_on_line(line, segment.start_ms);
            let mut text: String = segment.text.chars().take(MISSING_TEXT_CHARS).collect();
            if segment.text.chars().count() > MISSING_TEXT_CHARS {
                text.push('…');
            }
            let label = format!(
                "{} · cut at {} · {text}",
                lines_label(&(line..line + 1)),
                clock_label(cut_ms, with_hours)
            );
            if row_ui(ui, &label, "Select the line and go to the cut").clicked() {
                action = Some(SyncAction::Go {
                    line,
                    audio_ms: cut_ms,
                });
            }
        }
        if missing.len() > shown && ui.button(format!("Show all {}", missing.len())).clicked() {
            self.show_every_missing = true;
        }
        action
    }
}

/// A clickable row of the result.
fn row_ui(ui: &mut egui::Ui, text: &str, hover: &str) -> egui::Response {
    let response = ui
        .add(egui::Button::new(text).frame(false).wrap())
        .on_hover_text(hover);
    response.widget_info(|| WidgetInfo::labeled(Role::Button, true, text));
    response
}

fn running_ui(ui: &mut egui::Ui, progress: f32) -> Option<SyncAction> {
    ui.label("Finding where the speech is in the audio, then where each line belongs…");
    ui.add(
        egui::ProgressBar::new(progress)
            .show_percentage()
            .desired_width(ui.available_width()),
    );
    ui.add_space(4.0);
    ui.button("Cancel the check")
        .clicked()
        .then_some(SyncAction::Cancel)
}

fn changed_ui(ui: &mut egui::Ui) -> Option<SyncAction> {
    ui.colored_label(
        ui.visuals().warn_fg_color,
        "Lines or their times were edited after this check, so its result no longer applies.",
    );
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let again = ui
            .button("Check again")
            .on_hover_text("Check the transcript as it is now (F5)")
            .clicked()
            .then_some(SyncAction::CheckAgain);
        let dismiss = ui
            .button("Dismiss")
            .clicked()
            .then_some(SyncAction::Dismiss);
        again.or(dismiss)
    })
    .inner
}

fn in_sync_ui(ui: &mut egui::Ui, alignment: &Alignment) -> Option<SyncAction> {
    ui.label("The transcript is in sync with the audio: nothing needs moving.");
    ui.label(format!("Confidence: {:.2}", alignment.confidence));
    ui.add_space(4.0);
    ui.button("Close").clicked().then_some(SyncAction::Dismiss)
}

/// "Clock: in step with the audio", or the drift in ppm and per hour.
fn drift_label(rate: f64) -> String {
    let ppm = (rate - 1.0) * 1e6;
    if ppm.abs() < 0.5 {
        return "Clock: in step with the audio (no drift)".to_owned();
    }
    format!(
        "Clock: drifts {ppm:+.0} ppm ({:+.2} s an hour; rate {rate:.6})",
        ppm * 3600.0 / 1e6
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drift_reads_in_ppm_and_seconds_an_hour() {
        assert_eq!(drift_label(1.0), "Clock: in step with the audio (no drift)");
        assert_eq!(
            drift_label(1.0005),
            "Clock: drifts +500 ppm (+1.80 s an hour; rate 1.000500)"
        );
    }
}
