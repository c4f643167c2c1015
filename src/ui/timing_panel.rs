//! The Timing window (Edit ▸ Fix timing…): for a transcript made from
//! another cut. Shift every time by an offset, or re-time linearly from two
//! points the user hears ("this line is heard now", twice). Non-modal, so
//! the user can play, seek and pick lines while it is open. Keeps its own
//! view state and returns what the user asked for; the app makes the edit.

use eframe::egui;

use super::style::clock_label;

/// Space between the window and the edges it is placed against.
const MARGIN: f32 = 12.0;

/// A line heard at a place: the line's start in the transcript, and where
/// the playhead was when the user said "heard now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeardPoint {
    /// The line (0-based).
    pub line: usize,
    /// Its start in the transcript.
    pub transcript_ms: u64,
    /// Where it is heard in the audio.
    pub heard_ms: u64,
}

/// What the app tells the window this frame.
pub struct TimingInput {
    /// The line that would be marked: the one with the keyboard focus or
    /// being heard, and its start.
    pub line: Option<(usize, u64)>,
    /// The playhead.
    pub playhead_ms: u64,
}

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimingAction {
    /// Move every time by this much.
    Shift {
        /// The offset (negative: earlier).
        delta_ms: i64,
    },
    /// Re-time linearly so both points land where they are heard.
    TwoPoints(HeardPoint, HeardPoint),
}

/// The window's state.
#[derive(Debug, Default)]
pub struct TimingPanel {
    /// The window is shown.
    pub open: bool,
    shift_secs: f64,
    first: Option<HeardPoint>,
    second: Option<HeardPoint>,
}

impl TimingPanel {
    /// Draws the window while open, at the right below `top` (where the
    /// list starts), clear of the menu and the search bar.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        input: &TimingInput,
        top: f32,
    ) -> Option<TimingAction> {
        let mut action = None;
        let mut open = self.open;
        let screen = ctx.content_rect();
        egui::Window::new("Fix timing")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .pivot(egui::Align2::RIGHT_TOP)
            .default_pos(egui::pos2(screen.right() - MARGIN, top + MARGIN))
            .show(ctx, |ui| {
                action = self.shift_ui(ui).or(self.two_points_ui(ui, input));
            });
        self.open = open;
        action
    }

    fn shift_ui(&mut self, ui: &mut egui::Ui) -> Option<TimingAction> {
        ui.strong("Shift every time");
        let mut action = None;
        ui.horizontal(|ui| {
            let label = ui.label("By");
            ui.add(
                egui::DragValue::new(&mut self.shift_secs)
                    .speed(0.01)
                    .range(-36_000.0..=36_000.0)
                    .fixed_decimals(3)
                    .suffix(" s"),
            )
            .labelled_by(label.id);
            let delta_ms = (self.shift_secs * 1000.0).round() as i64;
            if ui
                .add_enabled(delta_ms != 0, egui::Button::new("Shift"))
                .on_hover_text("Negative: earlier. One step: Ctrl+Z undoes it.")
                .clicked()
            {
                action = Some(TimingAction::Shift { delta_ms });
            }
        });
        action
    }

    fn two_points_ui(&mut self, ui: &mut egui::Ui, input: &TimingInput) -> Option<TimingAction> {
        ui.separator();
        ui.strong("Re-time from two points");
        ui.weak(
            "Play to where a line early on is heard, select it, and press Heard now; \
             then the same for a line near the end.",
        );
        let mut action = None;
        for slot in 0..2 {
            ui.horizontal(|ui| {
                let point = if slot == 0 { self.first } else { self.second };
                ui.label(if slot == 0 { "First:" } else { "Second:" });
                match point {
                    Some(p) => ui.label(format!(
                        "line {} ({}) is heard at {}",
                        p.line + 1,
                        clock_label(p.transcript_ms, true),
                        clock_label(p.heard_ms, true)
                    )),
                    None => ui.weak("not set"),
                };
                let button = egui::Button::new("Heard now");
                if ui
                    .add_enabled(input.line.is_some(), button)
                    .on_hover_text("The selected (or playing) line starts at the playhead")
                    .clicked()
                    && let Some((line, transcript_ms)) = input.line
                {
                    let heard = HeardPoint {
                        line,
                        transcript_ms,
                        heard_ms: input.playhead_ms,
                    };
                    if slot == 0 {
                        self.first = Some(heard);
                    } else {
                        self.second = Some(heard);
                    }
                }
            });
        }
        let ready = match (self.first, self.second) {
            (Some(a), Some(b)) => (a.transcript_ms != b.transcript_ms).then_some((a, b)),
            _ => None,
        };
        if ui
            .add_enabled(ready.is_some(), egui::Button::new("Re-time"))
            .on_hover_text("Every time moves and stretches so both lines land where heard")
            .clicked()
            && let Some((a, b)) = ready
        {
            action = Some(TimingAction::TwoPoints(a, b));
            self.first = None;
            self.second = None;
        }
        action
    }
}
