//! The Settings window: the preferences a user sets by hand, and the
//! user's own keys. It edits the [`Settings`] it is given (they are its
//! whole job) and opens below the bars at the top, clear of the menu and
//! the speaker legend.

use eframe::egui;

use super::own_keys::OwnKeysEditor;
use super::settings::Settings;

/// Space between the window and the edges it is placed against.
const MARGIN: f32 = 12.0;

/// Draws the window while `open`; the close button clears `open`.
/// `top` is where the content below the window's top bars starts;
/// `own_keys` is the own keys section's view state.
pub fn settings_window_ui(
    ctx: &egui::Context,
    open: &mut bool,
    settings: &mut Settings,
    own_keys: &mut OwnKeysEditor,
    top: f32,
) {
    let screen = ctx.content_rect();
    egui::Window::new("Settings")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::RIGHT_TOP)
        .default_pos(egui::pos2(screen.right() - MARGIN, top + MARGIN))
        .show(ctx, |ui| {
            ui.checkbox(&mut settings.click_plays, "Clicking a line starts playback");
            ui.checkbox(
                &mut settings.pause_while_typing,
                "Pause while typing in a line (plays again after a second without a key)",
            );
            ui.checkbox(
                &mut settings.review_as_played,
                "Mark a line reviewed when it has played through to its end",
            );
            ui.add(
                egui::Slider::new(&mut settings.skip_secs, 1.0..=30.0)
                    .step_by(1.0)
                    .suffix(" s")
                    .text("Skip interval"),
            );
            ui.add(
                egui::Slider::new(&mut settings.rewind_on_resume_secs, 0.0..=5.0)
                    .step_by(0.5)
                    .suffix(" s")
                    .text("Rewind when resuming"),
            );
            ui.separator();
            own_keys.ui(ui, &mut settings.own_keys);
        });
}
