//! The Settings window: the preferences a user sets by hand, and the
//! user's own keys. It edits the [`Settings`] it is given (they are its
//! whole job) and opens below the bars at the top, clear of the menu and
//! the speaker legend.

use eframe::egui;

use super::own_keys::OwnKeysEditor;
use super::settings::Settings;

/// Space between the window and the edges it is placed against.
const MARGIN: f32 = 12.0;

/// The Settings window's state: whether it is open, and its own keys
/// section's.
#[derive(Debug, Default)]
pub struct SettingsWindow {
    open: bool,
    own_keys: OwnKeysEditor,
}

impl SettingsWindow {
    /// Opens the window (View ▸ Settings…).
    pub fn open(&mut self) {
        self.open = true;
    }

    /// While the own keys section waits for a key: takes this frame's
    /// press before the shortcuts see it. Call before
    /// [`super::shortcuts::take_actions`].
    pub fn take_key(&mut self, ctx: &egui::Context, settings: &mut Settings) {
        self.own_keys.capture(ctx, &mut settings.own_keys);
    }

    /// Draws the window while it is open; its close button closes it.
    /// `top` is where the content below the window's top bars starts.
    pub fn ui(&mut self, ctx: &egui::Context, settings: &mut Settings, top: f32) {
        if self.open {
            settings_window_ui(ctx, &mut self.open, settings, &mut self.own_keys, top);
        }
    }
}

/// Draws the window; the close button clears `open`.
fn settings_window_ui(
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
