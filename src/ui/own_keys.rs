//! Keys the user adds for an action beside the built-in ones: a foot
//! pedal's (most pedals act as a keyboard and send an F-key or a letter),
//! or a key the hand finds better. The built-in keys never change (the
//! end-to-end checks hold them), so an own key cannot take one of theirs,
//! another own key's, or the keys that move the focus (Tab, Enter). The
//! Settings window adds and removes them through [`OwnKeysEditor`]; the key
//! handler ([`super::shortcuts::take_actions`]) and the F1 overlay read them.

use eframe::egui::{self, Key, KeyboardShortcut, Modifiers};
use serde::{Deserialize, Serialize};

use super::shortcuts::{Action, action_label, bindable_actions, keys_label, shortcut_for};

/// A key the user added, and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnKey {
    /// The key with its modifiers.
    pub keys: KeyboardShortcut,
    /// What it does.
    pub action: Action,
}

impl OwnKey {
    /// Works while typing in a text field too: only keys that type nothing
    /// there (an F-key, or a key with Ctrl, Alt or Command), so a pedal
    /// still plays and skips while the user edits a line.
    pub fn while_typing(&self) -> bool {
        let modifiers = self.keys.modifiers;
        modifiers.alt
            || modifiers.ctrl
            || modifiers.command
            || is_function_key(self.keys.logical_key)
    }
}

/// F1 to F35: keys that type nothing.
fn is_function_key(key: Key) -> bool {
    let name = key.name();
    name.len() > 1 && name.starts_with('F') && name[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Why a key cannot be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A built-in shortcut has it.
    BuiltIn(Action),
    /// Another own key has it.
    Own(Action),
    /// Tab or Enter: they move the keyboard focus, play the focused line
    /// and keep or split a line being edited.
    Focus,
}

impl Refused {
    /// The sentence the Settings window shows.
    pub fn message(&self, keys: &str) -> String {
        match self {
            Refused::BuiltIn(action) | Refused::Own(action) => {
                format!("{keys} already does: {}.", action_label(*action))
            }
            Refused::Focus => {
                format!("{keys} is for the keyboard focus and the line editor; choose another key.")
            }
        }
    }
}

/// Adds `keys` for `action` to `own`, unless pressing them already means
/// something.
pub fn add(own: &mut Vec<OwnKey>, keys: KeyboardShortcut, action: Action) -> Result<(), Refused> {
    if matches!(keys.logical_key, Key::Tab | Key::Enter) {
        return Err(Refused::Focus);
    }
    if let Some(taken) = shortcut_for(keys.modifiers, keys.logical_key, false, &[]) {
        return Err(Refused::BuiltIn(taken));
    }
    if let Some(taken) = own.iter().find(|o| o.keys == keys) {
        return Err(Refused::Own(taken.action));
    }
    own.push(OwnKey { keys, action });
    Ok(())
}

/// The own keys section's view state: the action chosen, whether the next
/// key press is being waited for, and what the last try said.
#[derive(Debug)]
pub struct OwnKeysEditor {
    action: Action,
    waiting: bool,
    message: Option<String>,
}

impl Default for OwnKeysEditor {
    fn default() -> Self {
        OwnKeysEditor {
            action: Action::PlayPause,
            waiting: false,
            message: None,
        }
    }
}

impl OwnKeysEditor {
    /// The next key press is being waited for.
    pub fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// While waiting: takes this frame's first key press out of the input,
    /// before the shortcuts see it, and adds it for the chosen action
    /// (Escape alone gives up). Call before [`super::shortcuts::take_actions`].
    pub fn capture(&mut self, ctx: &egui::Context, own: &mut Vec<OwnKey>) {
        if !self.waiting {
            return;
        }
        let pressed = ctx.input_mut(|input| {
            let at = input.events.iter().position(|event| {
                matches!(
                    event,
                    egui::Event::Key {
                        pressed: true,
                        repeat: false,
                        ..
                    }
                )
            })?;
            let egui::Event::Key { key, modifiers, .. } = input.events.remove(at) else {
                return None;
            };
            // What typing the key would add must not reach a text field.
            input
                .events
                .retain(|event| !matches!(event, egui::Event::Text(_)));
            Some(KeyboardShortcut::new(modifiers, key))
        });
        let Some(keys) = pressed else {
            return;
        };
        self.waiting = false;
        if keys == KeyboardShortcut::new(Modifiers::NONE, Key::Escape) {
            self.message = None;
            return;
        }
        let label = keys_label(ctx, &keys);
        self.message = Some(match add(own, keys, self.action) {
            Ok(()) => format!("{label} now does: {}.", action_label(self.action)),
            Err(refused) => refused.message(&label),
        });
    }

    /// The Settings window's section: each own key with Remove, and a row
    /// to add one.
    pub fn ui(&mut self, ui: &mut egui::Ui, own: &mut Vec<OwnKey>) {
        ui.strong("Your own keys");
        ui.label("Beside the built-in ones: a foot pedal's keys, say. F-keys and keys with Ctrl or Alt also work while editing a line.");
        let ctx = ui.ctx().clone();
        let mut remove = None;
        egui::Grid::new("own keys").num_columns(3).show(ui, |ui| {
            for (index, own_key) in own.iter().enumerate() {
                ui.monospace(keys_label(&ctx, &own_key.keys));
                ui.label(action_label(own_key.action));
                if ui.small_button("Remove").clicked() {
                    remove = Some(index);
                }
                ui.end_row();
            }
        });
        if let Some(index) = remove {
            own.remove(index);
            self.message = None;
        }
        ui.horizontal(|ui| {
            let label = ui.label("Action:");
            egui::ComboBox::from_id_salt("own key action")
                .selected_text(action_label(self.action))
                .width(260.0)
                .show_ui(ui, |ui| {
                    for action in bindable_actions() {
                        ui.selectable_value(&mut self.action, action, action_label(action));
                    }
                })
                .response
                .labelled_by(label.id);
            if self.waiting {
                ui.label("Press the key… (Esc: cancel)");
            } else if ui.button("Add a key…").clicked() {
                self.waiting = true;
                self.message = None;
            }
        });
        if let Some(message) = &self.message {
            ui.label(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(modifiers: Modifiers, key: Key) -> KeyboardShortcut {
        KeyboardShortcut::new(modifiers, key)
    }

    #[test]
    fn a_free_key_is_added_and_a_taken_one_is_refused_saying_what_has_it() {
        let mut own = Vec::new();
        assert_eq!(
            add(&mut own, keys(Modifiers::NONE, Key::F9), Action::PlayPause),
            Ok(())
        );
        assert_eq!(
            add(&mut own, keys(Modifiers::NONE, Key::M), Action::PlayPause),
            Err(Refused::BuiltIn(Action::AddMarker)),
            "M is the marker key"
        );
        assert_eq!(
            add(&mut own, keys(Modifiers::NONE, Key::F9), Action::SkipBack),
            Err(Refused::Own(Action::PlayPause))
        );
        assert_eq!(
            add(&mut own, keys(Modifiers::NONE, Key::Tab), Action::SkipBack),
            Err(Refused::Focus)
        );
        assert_eq!(
            add(
                &mut own,
                keys(Modifiers::CTRL, Key::Enter),
                Action::SkipBack
            ),
            Err(Refused::Focus),
            "Ctrl+Enter splits a line being edited"
        );
        assert_eq!(own.len(), 1);
        assert_eq!(
            Refused::BuiltIn(Action::AddMarker).message("M"),
            format!("M already does: {}.", action_label(Action::AddMarker))
        );
    }

    #[test]
    fn only_keys_that_type_nothing_work_while_typing() {
        let own = |modifiers, key| OwnKey {
            keys: keys(modifiers, key),
            action: Action::PlayPause,
        };
        assert!(own(Modifiers::NONE, Key::F9).while_typing());
        assert!(own(Modifiers::NONE, Key::F13).while_typing());
        assert!(own(Modifiers::CTRL, Key::P).while_typing());
        assert!(own(Modifiers::ALT, Key::P).while_typing());
        assert!(!own(Modifiers::NONE, Key::P).while_typing(), "P types a p");
        assert!(!own(Modifiers::SHIFT, Key::P).while_typing());
    }

    #[test]
    fn own_keys_are_kept_as_json_and_read_back() {
        let own = vec![
            OwnKey {
                keys: keys(Modifiers::NONE, Key::F9),
                action: Action::SkipBack,
            },
            OwnKey {
                keys: keys(Modifiers::CTRL, Key::P),
                action: Action::Nudge {
                    start: true,
                    delta_ms: -10,
                },
            },
        ];
        let json = serde_json::to_string(&own).expect("serialises");
        let back: Vec<OwnKey> = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, own);
    }
}
