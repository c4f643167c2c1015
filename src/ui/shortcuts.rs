//! The keyboard: one table of shortcuts that both the key handler and the
//! F1 overlay read, so the overlay can never disagree with what keys do,
//! and the user's own keys beside them ([`super::own_keys`]).

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers};
use serde::{Deserialize, Serialize};

use super::own_keys::OwnKey;
use super::settings::Settings;

/// Something a key asks for (kept in the settings with the user's own keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Play or pause.
    PlayPause,
    /// Back by the skip interval.
    SkipBack,
    /// Forward by the skip interval.
    SkipForward,
    /// To the start of the previous line.
    PreviousSegment,
    /// To the start of the next line.
    NextSegment,
    /// To the next line by another speaker.
    NextSpeaker,
    /// Faster.
    SpeedUp,
    /// Slower.
    SpeedDown,
    /// To the start.
    ToStart,
    /// To the end.
    ToEnd,
    /// Open the search bar.
    Find,
    /// Next search match.
    FindNext,
    /// Previous search match.
    FindPrevious,
    /// Open files.
    Open,
    /// Show or hide the shortcuts overlay.
    ShowShortcuts,
    /// Close the overlay or the search bar.
    Close,
    /// Close the window.
    Quit,
    /// Repeat the line being heard (again: stop repeating).
    ToggleLoop,
    /// Larger transcript text.
    TextLarger,
    /// Smaller transcript text.
    TextSmaller,
    /// Transcript text at its usual size.
    TextReset,
    /// Undo the last change to the transcript.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Write the transcript back to its file.
    Save,
    /// Save the transcript to another file, in the format its name says.
    SaveAs,
    /// Search with the replace row.
    Replace,
    /// Edit the text of the line being heard (or with the keyboard focus).
    EditLine,
    /// Give the line the n-th speaker of the list (0-based; keys 1–9).
    Speaker(u8),
    /// The line starts at the playhead.
    StartHere,
    /// The line ends at the playhead.
    EndHere,
    /// Join the line with the next.
    MergeNext,
    /// A new empty line at the playhead.
    InsertLine,
    /// Remove the line.
    DeleteLine,
    /// Move the line's start (`start`) or end by `delta_ms`.
    Nudge {
        /// The start, else the end.
        start: bool,
        /// How far, ± 10 or 100 ms.
        delta_ms: i16,
    },
    /// A marker at the playhead (or over the in/out points), its note
    /// field focused. A contract: an end-to-end check drives the M key.
    AddMarker,
    /// The in point of a range, at the playhead.
    SetIn,
    /// The out point of a range, at the playhead.
    SetOut,
    /// A note covering the line.
    NoteOnLine,
    /// Show or hide the Markers panel.
    ToggleMarkers,
    /// To the next marker.
    NextMarker,
    /// To the previous marker.
    PreviousMarker,
    /// Mark the line reviewed (again: not reviewed).
    ToggleReviewed,
    /// Mark everything up to the end of the line reviewed.
    ReviewedUpToHere,
    /// To the next line not reviewed.
    NextUnreviewed,
    /// Check whether the transcript is in sync with the audio (Sync menu).
    CheckSync,
}

/// A nudge key: Alt+[ ] move the start, Alt+; ' the end, by 10 ms; with
/// Ctrl too, by 100 ms.
const fn nudge(coarse: bool, logical_key: Key, start: bool, delta_ms: i16) -> Shortcut {
    let modifiers = if coarse {
        Modifiers::ALT.plus(Modifiers::COMMAND)
    } else {
        Modifiers::ALT
    };
    key(
        modifiers,
        logical_key,
        Action::Nudge { start, delta_ms },
        false,
    )
}

/// One shortcut: the keys and what they do.
pub struct Shortcut {
    /// The keys.
    pub keys: KeyboardShortcut,
    /// What they do.
    pub action: Action,
    /// Works even while typing in a text field.
    pub while_typing: bool,
}

const fn key(
    modifiers: Modifiers,
    logical_key: Key,
    action: Action,
    while_typing: bool,
) -> Shortcut {
    Shortcut {
        keys: KeyboardShortcut::new(modifiers, logical_key),
        action,
        while_typing,
    }
}

/// Every shortcut, in the order the overlay lists them.
pub const SHORTCUTS: [Shortcut; 68] = [
    key(Modifiers::NONE, Key::Space, Action::PlayPause, false),
    key(Modifiers::NONE, Key::ArrowLeft, Action::SkipBack, false),
    key(Modifiers::NONE, Key::ArrowRight, Action::SkipForward, false),
    key(
        Modifiers::NONE,
        Key::ArrowUp,
        Action::PreviousSegment,
        false,
    ),
    key(Modifiers::NONE, Key::ArrowDown, Action::NextSegment, false),
    key(Modifiers::NONE, Key::N, Action::NextSpeaker, false),
    key(Modifiers::NONE, Key::L, Action::ToggleLoop, false),
    key(Modifiers::NONE, Key::CloseBracket, Action::SpeedUp, false),
    key(Modifiers::NONE, Key::OpenBracket, Action::SpeedDown, false),
    key(Modifiers::NONE, Key::Period, Action::SpeedUp, false),
    key(Modifiers::NONE, Key::Comma, Action::SpeedDown, false),
    key(Modifiers::NONE, Key::Home, Action::ToStart, false),
    key(Modifiers::NONE, Key::End, Action::ToEnd, false),
    key(Modifiers::COMMAND, Key::F, Action::Find, true),
    key(Modifiers::COMMAND, Key::H, Action::Replace, true),
    key(Modifiers::NONE, Key::F3, Action::FindNext, true),
    key(Modifiers::SHIFT, Key::F3, Action::FindPrevious, true),
    key(Modifiers::COMMAND, Key::O, Action::Open, true),
    key(Modifiers::COMMAND, Key::Q, Action::Quit, true),
    key(Modifiers::NONE, Key::F1, Action::ShowShortcuts, true),
    key(
        Modifiers::NONE,
        Key::Questionmark,
        Action::ShowShortcuts,
        false,
    ),
    key(Modifiers::NONE, Key::Escape, Action::Close, true),
    key(Modifiers::COMMAND, Key::Plus, Action::TextLarger, true),
    key(Modifiers::COMMAND, Key::Equals, Action::TextLarger, true),
    key(Modifiers::COMMAND, Key::Minus, Action::TextSmaller, true),
    key(Modifiers::COMMAND, Key::Num0, Action::TextReset, true),
    key(Modifiers::COMMAND, Key::Z, Action::Undo, false),
    key(
        Modifiers::COMMAND.plus(Modifiers::SHIFT),
        Key::Z,
        Action::Redo,
        false,
    ),
    key(Modifiers::COMMAND, Key::Y, Action::Redo, false),
    key(Modifiers::COMMAND, Key::S, Action::Save, true),
    key(
        Modifiers::COMMAND.plus(Modifiers::SHIFT),
        Key::S,
        Action::SaveAs,
        true,
    ),
    key(Modifiers::NONE, Key::F2, Action::EditLine, false),
    // While typing in the line editor, the transport stays on the keyboard.
    key(Modifiers::COMMAND, Key::Space, Action::PlayPause, true),
    key(Modifiers::ALT, Key::ArrowLeft, Action::SkipBack, true),
    key(Modifiers::ALT, Key::ArrowRight, Action::SkipForward, true),
    key(Modifiers::NONE, Key::Num1, Action::Speaker(0), false),
    key(Modifiers::NONE, Key::Num2, Action::Speaker(1), false),
    key(Modifiers::NONE, Key::Num3, Action::Speaker(2), false),
    key(Modifiers::NONE, Key::Num4, Action::Speaker(3), false),
    key(Modifiers::NONE, Key::Num5, Action::Speaker(4), false),
    key(Modifiers::NONE, Key::Num6, Action::Speaker(5), false),
    key(Modifiers::NONE, Key::Num7, Action::Speaker(6), false),
    key(Modifiers::NONE, Key::Num8, Action::Speaker(7), false),
    key(Modifiers::NONE, Key::Num9, Action::Speaker(8), false),
    key(
        Modifiers::COMMAND,
        Key::OpenBracket,
        Action::StartHere,
        false,
    ),
    key(
        Modifiers::COMMAND,
        Key::CloseBracket,
        Action::EndHere,
        false,
    ),
    key(Modifiers::COMMAND, Key::J, Action::MergeNext, false),
    key(Modifiers::COMMAND, Key::I, Action::InsertLine, false),
    key(Modifiers::COMMAND, Key::Delete, Action::DeleteLine, false),
    nudge(false, Key::OpenBracket, true, -10),
    nudge(false, Key::CloseBracket, true, 10),
    nudge(true, Key::OpenBracket, true, -100),
    nudge(true, Key::CloseBracket, true, 100),
    nudge(false, Key::Semicolon, false, -10),
    nudge(false, Key::Quote, false, 10),
    nudge(true, Key::Semicolon, false, -100),
    nudge(true, Key::Quote, false, 100),
    key(Modifiers::NONE, Key::M, Action::AddMarker, false),
    key(Modifiers::NONE, Key::I, Action::SetIn, false),
    key(Modifiers::NONE, Key::O, Action::SetOut, false),
    key(Modifiers::SHIFT, Key::M, Action::NoteOnLine, false),
    key(Modifiers::NONE, Key::F4, Action::ToggleMarkers, true),
    key(Modifiers::SHIFT, Key::ArrowDown, Action::NextMarker, false),
    key(
        Modifiers::SHIFT,
        Key::ArrowUp,
        Action::PreviousMarker,
        false,
    ),
    key(Modifiers::NONE, Key::R, Action::ToggleReviewed, false),
    key(Modifiers::SHIFT, Key::R, Action::ReviewedUpToHere, false),
    key(Modifiers::NONE, Key::U, Action::NextUnreviewed, false),
    key(Modifiers::NONE, Key::F5, Action::CheckSync, true),
];

/// What an action does, for the overlay.
pub fn describe(action: Action) -> &'static str {
    match action {
        Action::PlayPause => "Play / pause",
        Action::SkipBack => "Skip back",
        Action::SkipForward => "Skip forward",
        Action::PreviousSegment => "Previous line",
        Action::NextSegment => "Next line",
        Action::NextSpeaker => "Next speaker change",
        Action::SpeedUp => "Faster",
        Action::SpeedDown => "Slower",
        Action::ToStart => "Go to the start",
        Action::ToEnd => "Go to the end",
        Action::Find => "Search the transcript",
        Action::FindNext => "Next match",
        Action::FindPrevious => "Previous match",
        Action::Open => "Open files",
        Action::ShowShortcuts => "Show these shortcuts",
        Action::Close => "Close search or this overlay",
        Action::Quit => "Quit",
        Action::ToggleLoop => "Loop the line being heard (again: stop)",
        Action::TextLarger => "Larger transcript text",
        Action::TextSmaller => "Smaller transcript text",
        Action::TextReset => "Transcript text at its usual size",
        Action::Undo => "Undo",
        Action::Redo => "Redo",
        Action::Save => "Save the transcript",
        Action::SaveAs => "Save the transcript as another file or format",
        Action::Replace => "Find and replace in the transcript",
        Action::EditLine => {
            "Edit the line's text (Enter keeps, Shift+Enter breaks the line, Escape cancels)"
        }
        Action::Speaker(_) => "The line's speaker: that one in the legend's order",
        Action::StartHere => "The line starts at the playhead",
        Action::EndHere => "The line ends at the playhead",
        Action::MergeNext => "Join the line with the next",
        Action::InsertLine => "New line at the playhead",
        Action::DeleteLine => "Delete the line",
        Action::Nudge {
            start: true,
            delta_ms,
        } if delta_ms < 0 => "The line starts earlier",
        Action::Nudge { start: true, .. } => "The line starts later",
        Action::Nudge { delta_ms, .. } if delta_ms < 0 => "The line ends earlier",
        Action::Nudge { .. } => "The line ends later",
        Action::AddMarker => {
            "Add a marker at the playhead (over the in/out points when set); type its note, Enter keeps"
        }
        Action::SetIn => "Set the in point of a range at the playhead",
        Action::SetOut => "Set the out point of a range at the playhead",
        Action::NoteOnLine => "Add a note covering the line",
        Action::ToggleMarkers => "Show or hide the Markers panel",
        Action::NextMarker => "Next marker",
        Action::PreviousMarker => "Previous marker",
        Action::ToggleReviewed => "Mark the line reviewed (again: not reviewed)",
        Action::ReviewedUpToHere => "Mark everything up to the end of the line reviewed",
        Action::NextUnreviewed => "Next line not reviewed",
        Action::CheckSync => "Check that the transcript is in sync with the audio",
    }
}

/// An action as the overlay and the own keys' list name it: what it does,
/// with the nudge's step and the speaker's number.
pub fn action_label(action: Action) -> String {
    match action {
        Action::Nudge { delta_ms, .. } => {
            format!("{} by {} ms", describe(action), delta_ms.unsigned_abs())
        }
        Action::Speaker(index) => format!("The line's speaker: number {} in the legend", index + 1),
        other => describe(other).to_owned(),
    }
}

/// Every action a key can be given, once each, in the overlay's order.
pub fn bindable_actions() -> Vec<Action> {
    let mut actions: Vec<Action> = Vec::with_capacity(SHORTCUTS.len());
    for shortcut in &SHORTCUTS {
        if !actions.contains(&shortcut.action) {
            actions.push(shortcut.action);
        }
    }
    actions
}

/// What a key press with `modifiers` means: the built-in shortcut whose
/// modifiers are exactly those, else the first that matches them logically
/// (Shift+? is `?`), else the user's own key with exactly those keys.
pub fn shortcut_for(
    modifiers: Modifiers,
    logical_key: Key,
    typing: bool,
    own: &[OwnKey],
) -> Option<Action> {
    let usable = |shortcut: &&Shortcut| {
        shortcut.keys.logical_key == logical_key && (shortcut.while_typing || !typing)
    };
    let built_in = SHORTCUTS
        .iter()
        .filter(usable)
        .find(|s| modifiers.matches_exact(s.keys.modifiers))
        .or_else(|| {
            SHORTCUTS
                .iter()
                .filter(usable)
                .find(|s| modifiers.matches_logically(s.keys.modifiers))
        });
    built_in.map(|shortcut| shortcut.action).or_else(|| {
        own.iter()
            .find(|o| {
                o.keys.logical_key == logical_key
                    && modifiers.matches_exact(o.keys.modifiers)
                    && (o.while_typing() || !typing)
            })
            .map(|o| o.action)
    })
}

/// Takes this frame's shortcut presses out of the input (so a focused
/// button does not also see the Space) and returns their actions in the
/// order they were pressed, one for every press however many arrive in a
/// frame. While a text field has the keyboard only `while_typing` shortcuts
/// (and own keys that type nothing) count.
pub fn take_actions(ctx: &egui::Context, own: &[OwnKey]) -> Vec<Action> {
    // Typing means a text field has the keyboard; a focused line or button
    // (egui counts any focus as wanting the keyboard) still gets the keys.
    let typing = ctx
        .memory(|m| m.focused())
        .is_some_and(|id| egui::TextEdit::load_state(ctx, id).is_some());
    let mut actions = Vec::new();
    ctx.input_mut(|input| {
        input.events.retain(|event| {
            let egui::Event::Key {
                key,
                pressed: true,
                modifiers,
                ..
            } = event
            else {
                return true;
            };
            match shortcut_for(*modifiers, *key, typing, own) {
                Some(action) => {
                    actions.push(action);
                    false
                }
                None => true,
            }
        });
    });
    actions
}

/// How a shortcut reads on a keycap: `Ctrl+F`, `←`, `]`, `?`.
pub fn keys_label(ctx: &egui::Context, keys: &KeyboardShortcut) -> String {
    let key = match keys.logical_key {
        Key::ArrowLeft => "←",
        Key::ArrowRight => "→",
        Key::ArrowUp => "↑",
        Key::ArrowDown => "↓",
        Key::OpenBracket => "[",
        Key::CloseBracket => "]",
        Key::Period => ".",
        Key::Comma => ",",
        Key::Questionmark => "?",
        Key::Escape => "Esc",
        Key::Plus => "+",
        Key::Equals => "=",
        Key::Minus => "−",
        Key::Num0 => "0",
        other => other.name(),
    };
    let is_mac = ctx.os().is_mac();
    let modifiers = egui::ModifierNames::NAMES.format(&keys.modifiers, is_mac);
    if modifiers.is_empty() {
        key.to_string()
    } else {
        format!("{modifiers}+{key}")
    }
}

/// Play/pause and skips, which have keys of their own for the line editor.
fn is_transport(action: Action) -> bool {
    matches!(
        action,
        Action::PlayPause | Action::SkipBack | Action::SkipForward
    )
}

/// The overlay listing the user's own keys and every shortcut (the skip
/// keys with the interval `settings` give); `open` is cleared when it is
/// closed.
pub fn overlay_ui(ctx: &egui::Context, open: &mut bool, settings: &Settings) {
    let mut still_open = *open;
    egui::Window::new("Keyboard shortcuts")
        .open(&mut still_open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            // Taller than a small window: it scrolls.
            let max_height = ctx.content_rect().height() * 0.75;
            egui::ScrollArea::vertical()
                .max_height(max_height)
                .show(ui, |ui| {
                    shortcut_grid(ui, ctx, settings.skip_secs, &settings.own_keys);
                });
        });
    *open = still_open;
}

/// The overlay's rows: keys and what they do, the user's own first.
fn shortcut_grid(ui: &mut egui::Ui, ctx: &egui::Context, skip_secs: f32, own: &[OwnKey]) {
    egui::Grid::new("shortcuts")
        .num_columns(2)
        .spacing([24.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            if !own.is_empty() {
                ui.strong("Your own keys");
                ui.end_row();
                for own_key in own {
                    ui.monospace(keys_label(ctx, &own_key.keys));
                    let mut text = action_label(own_key.action);
                    if own_key.while_typing() {
                        text.push_str(", also while editing a line");
                    }
                    ui.label(text);
                    ui.end_row();
                }
                ui.strong("Built in");
                ui.end_row();
            }
            for shortcut in &SHORTCUTS {
                // The speaker keys 1–9 are one row.
                match shortcut.action {
                    Action::Speaker(0) => {
                        ui.monospace("1–9");
                        ui.label(describe(shortcut.action));
                        ui.end_row();
                        continue;
                    }
                    Action::Speaker(_) => continue,
                    _ => {}
                }
                ui.monospace(keys_label(ctx, &shortcut.keys));
                let mut text = match shortcut.action {
                    Action::SkipBack => format!("Skip back {skip_secs} s"),
                    Action::SkipForward => format!("Skip forward {skip_secs} s"),
                    other => action_label(other),
                };
                if shortcut.while_typing && is_transport(shortcut.action) {
                    text.push_str(", also while editing a line");
                }
                ui.label(text);
                ui.end_row();
            }
            ui.monospace("Tab / Shift+Tab");
            ui.label("Move between lines and controls");
            ui.end_row();
            ui.monospace("Alt+click a word");
            ui.label("Play from that word");
            ui.end_row();
            ui.monospace("Enter");
            ui.label("Play the line with the keyboard focus; in search, go to the match");
            ui.end_row();
            for (keys, what) in [
                (
                    "Ctrl+Enter",
                    "In the line editor: split the line at the cursor",
                ),
                (
                    "Right click a line",
                    "Its speaker (from the list or a new name), and line edits",
                ),
                (
                    "Drag a line's edge",
                    "On the zoomed waveform: move its start or end",
                ),
                (
                    "Shift+drag",
                    "On the zoomed waveform: choose a range (then M marks it)",
                ),
            ] {
                ui.monospace(keys);
                ui.label(what);
                ui.end_row();
            }
        });
}
