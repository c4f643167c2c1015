//! The menu bar: File, Edit, Review, Sync, View and Help, the "Opening…" spinner and the output
//! device's state. Reads what it shows from [`MenuInput`] and returns what
//! the user chose; the app applies it.

use eframe::egui;

use super::editing::when;
use super::player::DeviceState;
use super::settings::{RecentEpisode, ThemeChoice};
use super::shortcuts::Action;
use super::transport::device_ui;
use crate::review::Backup;

/// What the menu bar shows (borrowed from the app for the frame).
pub struct MenuInput<'a> {
    /// File ▸ Open recent, most recent first.
    pub recent: &'a [RecentEpisode],
    /// The theme chosen.
    pub theme: ThemeChoice,
    /// Files are being opened.
    pub busy: bool,
    /// The transcript is being saved.
    pub saving: bool,
    /// The output device's state.
    pub device: &'a DeviceState,
    /// A transcript is open (it can be saved).
    pub can_save: bool,
    /// It has unsaved changes (Revert can drop them).
    pub can_revert: bool,
    /// Copies of its file kept before it was overwritten, newest first.
    pub backups: &'a [Backup],
    /// There is a change to undo.
    pub can_undo: bool,
    /// There is an undone change to redo.
    pub can_redo: bool,
    /// Audio and a transcript are open (Sync ▸ Check sync can run).
    pub can_check_sync: bool,
    /// A sync check is running (it can be cancelled).
    pub sync_running: bool,
}

/// What the user chose in the menu bar.
#[derive(Debug, Clone, PartialEq)]
pub enum MenuAction {
    /// What a key would do (Open, Search, the shortcuts overlay).
    Do(Action),
    /// Reopen a recent episode.
    OpenRecent(RecentEpisode),
    /// Use this theme.
    SetTheme(ThemeChoice),
    /// Show the settings window.
    OpenSettings,
    /// Show About.
    About,
    /// Try the output device again.
    RetryDevice,
    /// Back to the transcript as last saved (undoable).
    Revert,
    /// Show the timing window (shift, re-time from two points).
    FixTiming,
    /// Put this kept copy back as the transcript's file (undoable).
    Restore(Backup),
    /// Show the export window (the markers out to another program).
    Export,
    /// Stop the sync check that is running.
    CancelSync,
}

/// Sync: check the transcript against the audio, or stop the check.
fn sync_menu_ui(ui: &mut egui::Ui, input: &MenuInput, menu_action: &mut Option<MenuAction>) {
    let check = egui::Button::new("Check sync…").shortcut_text("F5");
    if ui
        .add_enabled(input.can_check_sync && !input.sync_running, check)
        .on_hover_text("Find where each line is heard in the audio, and show what would move")
        .clicked()
    {
        *menu_action = Some(MenuAction::Do(Action::CheckSync));
    }
    if ui
        .add_enabled(input.sync_running, egui::Button::new("Cancel the check"))
        .clicked()
    {
        *menu_action = Some(MenuAction::CancelSync);
    }
    ui.separator();
    if ui
        .add_enabled(input.can_save, egui::Button::new("Fix timing by hand…"))
        .on_hover_text("Shift every time, or re-time from two points heard")
        .clicked()
    {
        *menu_action = Some(MenuAction::FixTiming);
    }
}

/// Review: markers and what is reviewed, each with its key.
fn review_menu_ui(ui: &mut egui::Ui, input: &MenuInput, menu_action: &mut Option<MenuAction>) {
    let items = [
        (Action::AddMarker, "Add a marker at the playhead…", "M"),
        (Action::SetIn, "Set the in point", "I"),
        (Action::SetOut, "Set the out point", "O"),
        (Action::NoteOnLine, "Add a note on the line…", "Shift+M"),
        (Action::NextMarker, "Next marker", "Shift+↓"),
        (Action::PreviousMarker, "Previous marker", "Shift+↑"),
        (
            Action::ToggleReviewed,
            "Mark the line reviewed (or not)",
            "R",
        ),
        (Action::ReviewedUpToHere, "Reviewed up to here", "Shift+R"),
        (Action::NextUnreviewed, "Next line not reviewed", "U"),
    ];
    for (action, label, keys) in items {
        let button = egui::Button::new(label).shortcut_text(keys);
        if ui.add_enabled(input.can_save, button).clicked() {
            *menu_action = Some(MenuAction::Do(action));
        }
    }
}

/// Draws the menu bar.
pub fn menu_ui(ui: &mut egui::Ui, input: &MenuInput) -> Option<MenuAction> {
    let mut menu_action = None;
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui
                .add(egui::Button::new("Open…").shortcut_text("Ctrl+O"))
                .clicked()
            {
                menu_action = Some(MenuAction::Do(Action::Open));
            }
            ui.menu_button("Open recent", |ui| {
                if input.recent.is_empty() {
                    ui.weak("Nothing yet");
                }
                for recent in input.recent {
                    if ui.button(recent.title()).clicked() {
                        menu_action = Some(MenuAction::OpenRecent(recent.clone()));
                    }
                }
            });
            if ui
                .add_enabled(
                    input.can_save,
                    egui::Button::new("Save").shortcut_text("Ctrl+S"),
                )
                .clicked()
            {
                menu_action = Some(MenuAction::Do(Action::Save));
            }
            let save_as = egui::Button::new("Save As…").shortcut_text("Ctrl+Shift+S");
            if ui.add_enabled(input.can_save, save_as).clicked() {
                menu_action = Some(MenuAction::Do(Action::SaveAs));
            }
            if ui
                .add_enabled(input.can_revert, egui::Button::new("Revert to saved"))
                .on_hover_text("Undo brings the changes back")
                .clicked()
            {
                menu_action = Some(MenuAction::Revert);
            }
            ui.add_enabled_ui(!input.backups.is_empty(), |ui| {
                ui.menu_button("Restore an earlier version", |ui| {
                    ui.weak("Copies kept before Earmark saved over the file:");
                    for backup in input.backups {
                        if ui
                            .button(format!("As it was {}", when(backup.made_secs)))
                            .clicked()
                        {
                            menu_action = Some(MenuAction::Restore(backup.clone()));
                        }
                    }
                });
            });
            if ui
                .add_enabled(input.can_save, egui::Button::new("Export markers…"))
                .on_hover_text(
                    "To Audacity, Audition, REAPER, Resolve, a spreadsheet, chapters or a report",
                )
                .clicked()
            {
                menu_action = Some(MenuAction::Export);
            }
            ui.separator();
            if ui
                .add(egui::Button::new("Quit").shortcut_text("Ctrl+Q"))
                .clicked()
            {
                menu_action = Some(MenuAction::Do(Action::Quit));
            }
        });
        ui.menu_button("Edit", |ui| {
            let undo = egui::Button::new("Undo").shortcut_text("Ctrl+Z");
            if ui.add_enabled(input.can_undo, undo).clicked() {
                menu_action = Some(MenuAction::Do(Action::Undo));
            }
            let redo = egui::Button::new("Redo").shortcut_text("Ctrl+Shift+Z");
            if ui.add_enabled(input.can_redo, redo).clicked() {
                menu_action = Some(MenuAction::Do(Action::Redo));
            }
            ui.separator();
            let replace = egui::Button::new("Find and replace…").shortcut_text("Ctrl+H");
            if ui.add_enabled(input.can_save, replace).clicked() {
                menu_action = Some(MenuAction::Do(Action::Replace));
            }
            if ui
                .add_enabled(input.can_save, egui::Button::new("Fix timing…"))
                .on_hover_text("Shift every time, or re-time from two points heard")
                .clicked()
            {
                menu_action = Some(MenuAction::FixTiming);
            }
        });
        ui.menu_button("Review", |ui| review_menu_ui(ui, input, &mut menu_action));
        ui.menu_button("Sync", |ui| sync_menu_ui(ui, input, &mut menu_action));
        ui.menu_button("View", |ui| {
            if ui
                .add(egui::Button::new("Search").shortcut_text("Ctrl+F"))
                .clicked()
            {
                menu_action = Some(MenuAction::Do(Action::Find));
            }
            let markers = egui::Button::new("Markers").shortcut_text("F4");
            if ui.add_enabled(input.can_save, markers).clicked() {
                menu_action = Some(MenuAction::Do(Action::ToggleMarkers));
            }
            ui.separator();
            ui.label("Theme");
            for (theme, label) in [
                (ThemeChoice::System, "Follow the system"),
                (ThemeChoice::Light, "Light"),
                (ThemeChoice::Dark, "Dark"),
            ] {
                if ui.radio(input.theme == theme, label).clicked() {
                    menu_action = Some(MenuAction::SetTheme(theme));
                }
            }
            ui.separator();
            for (action, label, keys) in [
                (Action::TextLarger, "Larger text", "Ctrl++"),
                (Action::TextSmaller, "Smaller text", "Ctrl+−"),
                (Action::TextReset, "Usual text size", "Ctrl+0"),
            ] {
                if ui
                    .add(egui::Button::new(label).shortcut_text(keys))
                    .clicked()
                {
                    menu_action = Some(MenuAction::Do(action));
                }
            }
            ui.separator();
            if ui.button("Settings…").clicked() {
                menu_action = Some(MenuAction::OpenSettings);
            }
        });
        ui.menu_button("Help", |ui| {
            if ui
                .add(egui::Button::new("Keyboard shortcuts").shortcut_text("F1"))
                .clicked()
            {
                menu_action = Some(MenuAction::Do(Action::ShowShortcuts));
            }
            if ui.button("About Earmark").clicked() {
                menu_action = Some(MenuAction::About);
            }
        });
        if input.busy {
            ui.spinner();
            ui.weak("Opening…");
        } else if input.saving {
            ui.spinner();
            ui.weak("Saving…");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if device_ui(ui, input.device) {
                menu_action = Some(MenuAction::RetryDevice);
            }
        });
    });
    menu_action
}
