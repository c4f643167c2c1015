//! The window's side of the open document: the keys and menus that edit,
//! undo and save it, the dialogs that ask about it, and the title that shows
//! unsaved changes. The document itself is `review`'s; `ui::editing` keeps
//! the journal and backups. Here only what the app does with the answers.

use std::time::{Duration, Instant};

use eframe::egui;

use super::super::boundary_drag::EdgeMove;
use super::super::dialogs::{self, Dialog, DialogAnswer};
use super::super::editing::{self, EditOutcome, Editing, SHOW_SAVING_AFTER};
use super::super::open::{LoadedTranscript, OpenedEpisode};
use super::super::settings::TYPING_IDLE_SECS;
use super::super::shortcuts::Action;
use super::super::timing_panel::{TimingAction, TimingInput};
use super::super::transcript_view::LineEditor;
use super::EarmarkApp;
use crate::review::{Backup, Edit, ops};
use crate::transcript::SpeakerId;

/// How often the transcript's file is looked at while frames are drawn.
const DISK_CHECK_EVERY: Duration = Duration::from_secs(2);

/// What waits for unsaved changes to be saved or dropped.
pub(super) enum AfterSave {
    /// Closing the window.
    Close,
    /// Another episode, opened and not yet shown.
    Install(Box<OpenedEpisode>),
}

/// The window's state about the open document beyond the document itself.
pub(super) struct EditsState {
    /// What the Save / Don't save / Cancel question holds back.
    pub(super) after_save: Option<AfterSave>,
    /// The transcript file's kept copies (File ▸ Restore), newest first.
    pub(super) backups: Vec<Backup>,
    /// The file's modification time and size when last looked at.
    seen: Option<(Option<std::time::SystemTime>, u64)>,
    checked_at: Instant,
    /// The window had the focus on the last frame.
    focused: bool,
    /// Playback was paused by typing, and when the last key was.
    paused_by_typing: Option<Instant>,
}

impl Default for EditsState {
    fn default() -> EditsState {
        EditsState {
            after_save: None,
            backups: Vec::new(),
            seen: None,
            checked_at: Instant::now(),
            focused: true,
            paused_by_typing: None,
        }
    }
}

impl EarmarkApp {
    pub(super) fn dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &mut self.dialog else {
            return;
        };
        let Some(answer) = dialogs::dialog_ui(ctx, dialog) else {
            return;
        };
        self.dialog = None;
        let loaded = self.episode.transcript.as_mut();
        match answer {
            DialogAnswer::Open { opened, partner } => self.open_pair(opened, partner),
            DialogAnswer::Rename { speaker, name } => self.rename_speaker(speaker, name),
            // Escape keeps the changes too: nothing is lost by a stray key.
            DialogAnswer::Recover | DialogAnswer::Close if self.editing.is_asking() => {
                let outcome = self.editing.recover(loaded, true);
                self.on_edit(outcome);
            }
            // What waits goes on once the save is written (see `poll_save`).
            DialogAnswer::SaveFirst => {
                let outcome = self.editing.save(loaded);
                self.on_save(outcome);
            }
            DialogAnswer::DontSave => {
                if let Some(loaded) = self.episode.transcript.take() {
                    loaded.document.close(true);
                }
                if let Some(after) = self.edits.after_save.take() {
                    self.go_on(after);
                }
            }
            DialogAnswer::SaveAs => self.pick_save_path(),
            DialogAnswer::Reload => {
                let outcome = Editing::reload(loaded);
                self.on_edit(outcome);
            }
            DialogAnswer::KeepMine => {
                let outcome = Editing::keep_mine(loaded);
                self.on_edit(outcome);
            }
            DialogAnswer::Discard => {
                let outcome = self.editing.recover(loaded, false);
                self.on_edit(outcome);
            }
            DialogAnswer::CrashReport(answer) => {
                self.dialog = self.crash_notice.answer(&self.ctx, answer);
            }
            DialogAnswer::Recover | DialogAnswer::Close => self.edits.after_save = None,
        }
    }

    /// Does what waited for the unsaved changes to be saved or dropped.
    fn go_on(&mut self, after: AfterSave) {
        match after {
            AfterSave::Close => self.ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            AfterSave::Install(opened) => self.install(*opened),
        }
    }

    /// Whether `opened` can replace the episode now; if not, asks to save
    /// the changes first and keeps it until the answer. An episode with the
    /// same transcript keeps the one being edited.
    pub(super) fn may_install(&mut self, opened: &mut OpenedEpisode) -> bool {
        let same_file = match (&opened.transcript, &self.episode.transcript) {
            (Some(new), Some(open)) => new.path == open.path,
            _ => false,
        };
        if same_file {
            opened.transcript = self.episode.transcript.take();
            return true;
        }
        if !self.has_unsaved_changes() {
            return true;
        }
        let placeholder = OpenedEpisode::default();
        let waiting = std::mem::replace(opened, placeholder);
        self.edits.after_save = Some(AfterSave::Install(Box::new(waiting)));
        self.ask_to_save("opening another episode");
        false
    }

    fn ask_to_save(&mut self, before: &'static str) {
        let file = self
            .episode
            .transcript
            .as_ref()
            .map_or_else(String::new, LoadedTranscript::file_name);
        self.dialog = Some(Dialog::SaveChanges { file, before });
    }

    /// Save As: the system's dialog, in the transcript's folder.
    pub(super) fn pick_save_path(&mut self) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let folder = loaded.path.parent().map(std::path::Path::to_owned);
        self.opener.pick_save_path(folder, loaded.file_name());
    }

    /// Save As to `path` (what the system's dialog answered; tests call
    /// it directly): the format comes from the name.
    pub fn save_to(&mut self, path: &std::path::Path) {
        let outcome = self.editing.save_as(self.episode.transcript.as_mut(), path);
        self.on_edit(outcome);
        self.edits.backups = self.editing.backups_of(self.episode.transcript.as_ref());
    }

    /// Revert: the file as last saved, as one undoable step.
    pub(super) fn revert(&mut self) {
        let outcome = Editing::reload(self.episode.transcript.as_mut());
        self.on_edit(outcome);
    }

    /// Puts a kept copy back as the transcript's file.
    pub(super) fn restore(&mut self, backup: &Backup) {
        let outcome = self
            .editing
            .restore(self.episode.transcript.as_mut(), backup);
        self.on_edit(outcome);
        self.edits.backups = self.editing.backups_of(self.episode.transcript.as_ref());
    }

    /// Looks whether another program changed the transcript's file: when
    /// the window gets the focus back, and every few seconds while frames
    /// are drawn (a file's size and time first; its bytes only if they moved).
    pub(super) fn check_disk(&mut self, ctx: &egui::Context) {
        let focused = ctx.input(|i| i.focused);
        let regained = focused && !self.edits.focused;
        self.edits.focused = focused;
        let due = self.edits.checked_at.elapsed() >= DISK_CHECK_EVERY;
        if !(regained || due) || self.dialog.is_some() {
            return;
        }
        self.edits.checked_at = Instant::now();
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let seen = std::fs::metadata(&loaded.path)
            .ok()
            .map(|m| (m.modified().ok(), m.len()));
        if seen == self.edits.seen {
            return;
        }
        self.edits.seen = seen;
        if loaded.document.changed_on_disk() {
            self.dialog = Some(Dialog::ChangedOnDisk {
                file: loaded.file_name(),
                modified: loaded.is_modified(),
            });
        }
    }

    /// Undoes (`undo`) or redoes the last step.
    pub(super) fn undo_redo(&mut self, undo: bool) {
        let outcome = Editing::undo_redo(self.episode.transcript.as_mut(), undo);
        let changed = match outcome {
            EditOutcome::Changed(line) => line,
            _ => None,
        };
        self.on_edit(outcome);
        if let Some(line) = changed {
            self.view.select(line);
        }
    }

    /// Writes the transcript back to its file (on a thread of its own).
    pub(super) fn save(&mut self) {
        // A marker being added goes in with what is saved.
        self.finish_marker(true);
        let outcome = self.editing.save(self.episode.transcript.as_mut());
        self.on_save(outcome);
    }

    /// Collects the save being written, once done.
    pub(super) fn poll_save(&mut self) {
        let outcome = self.editing.poll(self.episode.transcript.as_mut());
        self.on_save(outcome);
        if self.editing.is_saving() && !self.editing.is_saving_slowly() {
            // The frame that shows "Saving…" if it is still writing then.
            self.ctx.request_repaint_after(SHOW_SAVING_AFTER);
        }
    }

    /// What a save's start or end asks: when saved, what waited for it goes
    /// on; when it failed, what waited is dropped (the user is asked).
    fn on_save(&mut self, outcome: EditOutcome) {
        match outcome {
            EditOutcome::Saved => {
                self.on_edit(EditOutcome::Saved);
                self.edits.backups = self.editing.backups_of(self.episode.transcript.as_ref());
                if let Some(after) = self.edits.after_save.take() {
                    self.go_on(after);
                }
            }
            EditOutcome::Nothing => {}
            outcome => {
                self.edits.after_save = None;
                self.on_edit(outcome);
            }
        }
    }

    /// Escape on a dialog: closes it; unsaved changes found on open are kept
    /// unless discarded.
    pub(super) fn dismiss_dialog(&mut self) {
        let dialog = self.dialog.take();
        if matches!(dialog, Some(Dialog::CrashReport(_))) {
            self.crash_notice.dismissed();
        }
        if dialog.is_some() && self.editing.is_asking() {
            let outcome = self.editing.recover(self.episode.transcript.as_mut(), true);
            self.on_edit(outcome);
        }
    }

    /// Renames a speaker everywhere: an undoable edit of the transcript,
    /// written by the next save.
    pub fn rename_speaker(&mut self, speaker: SpeakerId, name: String) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        if let Some(edit) = ops::rename_speaker(loaded.transcript(), speaker, &name) {
            self.apply_edit(edit);
        }
    }

    /// The line a key edits: the one with the keyboard focus, else the one
    /// being heard.
    pub(super) fn target_line(&self) -> Option<usize> {
        self.view
            .focused_segment(&self.ctx)
            .or(self.heard.as_ref().map(|c| c.segment))
    }

    /// The edits made by a key on the target line (or at the playhead).
    pub(super) fn edit_by_key(&mut self, action: Action) {
        let line = self.target_line();
        self.edit_line_by(action, line);
    }

    /// The edit `action` makes to `line` (or at the playhead).
    pub(super) fn edit_line_by(&mut self, action: Action, line: Option<usize>) {
        if matches!(
            action,
            Action::NoteOnLine | Action::ToggleReviewed | Action::ReviewedUpToHere
        ) {
            self.review_by_key(action, line);
            return;
        }
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let t = loaded.transcript();
        let playhead_ms = self.player.position_ms();
        let edit = match (action, line) {
            (Action::InsertLine, _) => Some(ops::insert_at(t, playhead_ms).1),
            (Action::Speaker(n), Some(line)) => ops::set_speaker_number(t, line, usize::from(n)),
            (Action::StartHere, Some(line)) => ops::set_start(t, line, playhead_ms),
            (Action::EndHere, Some(line)) => ops::set_end(t, line, playhead_ms),
            (Action::MergeNext, Some(line)) => ops::merge_with_next(t, line),
            (Action::DeleteLine, Some(line)) => ops::delete(t, line),
            (Action::Nudge { start, delta_ms }, Some(line)) => {
                ops::nudge(t, line, start, i64::from(delta_ms))
            }
            _ => None,
        };
        if let Some(edit) = edit {
            self.apply_edit(edit);
        }
    }

    /// The speaker of `segment` from its context menu: one in the list or a
    /// new name.
    pub(super) fn set_speaker(&mut self, segment: usize, name: &str) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        if let Some(edit) = ops::set_speaker(loaded.transcript(), segment, name) {
            self.apply_edit(edit);
        }
    }

    /// With the setting on, typing in the line editor pauses playback, and
    /// a second without a key plays on from where it paused.
    pub(super) fn pause_while_typing(&mut self, ctx: &egui::Context) {
        let typed = self.view.editor.is_some()
            && ctx.input(|i| {
                i.events.iter().any(|event| {
                    matches!(
                        event,
                        egui::Event::Text(_)
                            | egui::Event::Key {
                                key: egui::Key::Backspace | egui::Key::Delete,
                                pressed: true,
                                ..
                            }
                    )
                })
            });
        let idle = Duration::from_secs_f32(TYPING_IDLE_SECS);
        if typed && self.settings.pause_while_typing {
            if self.player.is_playing() {
                self.player.pause();
                self.edits.paused_by_typing = Some(Instant::now());
            } else if self.edits.paused_by_typing.is_some() {
                self.edits.paused_by_typing = Some(Instant::now());
            }
        }
        let Some(last_key) = self.edits.paused_by_typing else {
            return;
        };
        if self.player.is_playing() {
            // The user played again themselves.
            self.edits.paused_by_typing = None;
        } else if last_key.elapsed() >= idle {
            self.edits.paused_by_typing = None;
            self.player.play(0);
        } else {
            ctx.request_repaint_after(idle.saturating_sub(last_key.elapsed()));
        }
    }

    /// The timing window: shift, or re-time from two points heard.
    pub(super) fn timing_ui(&mut self, ctx: &egui::Context, top: f32) {
        if !self.timing.open {
            return;
        }
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let line = self
            .target_line()
            .and_then(|line| Some((line, loaded.transcript().segments.get(line)?.start_ms)));
        let input = TimingInput {
            line,
            playhead_ms: self.player.position_ms(),
        };
        let edit = match self.timing.ui(ctx, &input, top) {
            Some(TimingAction::Shift { delta_ms }) => ops::shift_all(loaded.transcript(), delta_ms),
            Some(TimingAction::TwoPoints(a, b)) => ops::retime_two_points(
                loaded.transcript(),
                (a.transcript_ms, a.heard_ms),
                (b.transcript_ms, b.heard_ms),
            ),
            None => None,
        };
        if let Some(edit) = edit {
            self.apply_edit(edit);
        }
    }

    /// A line's start or end dragged on the zoomed waveform.
    pub(super) fn move_edge(&mut self, moved: EdgeMove) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let t = loaded.transcript();
        let edit = if moved.start {
            ops::set_start(t, moved.segment, moved.to_ms)
        } else {
            ops::set_end(t, moved.segment, moved.to_ms)
        };
        if let Some(edit) = edit {
            self.apply_edit(edit);
        }
    }

    /// Replace in the search bar: the current match, or every match, with
    /// the replacement, as one step.
    pub(super) fn replace(&mut self, all: bool) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let found: Vec<_> = if all {
            self.search
                .matches()
                .iter()
                .map(|m| (m.segment, m.bytes.clone()))
                .collect()
        } else {
            self.search
                .current()
                .map(|(_, m)| (m.segment, m.bytes.clone()))
                .into_iter()
                .collect()
        };
        let replacement = self.search.replacement.clone();
        if let Some(edit) = ops::replace_ranges(loaded.transcript(), &found, &replacement) {
            self.apply_edit(edit);
        }
    }

    /// Ctrl+Enter in the line editor: the typed text is kept (one step),
    /// then the line splits at the cursor (another), the second part
    /// starting at the playhead when it is inside the line.
    pub(super) fn split_line(&mut self, segment: usize, byte: usize) {
        self.commit_line(segment);
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let playhead_ms = self.player.position_ms();
        if let Some(edit) = ops::split(loaded.transcript(), segment, byte, Some(playhead_ms)) {
            self.apply_edit(edit);
        }
    }

    /// Closes the line editor and gives up its keyboard focus at once, so
    /// the next key is a shortcut again even within the same frame.
    pub(super) fn close_editor(&mut self) -> Option<LineEditor> {
        let editor = self.view.take_editor()?;
        self.ctx.memory_mut(|m| {
            if let Some(id) = m.focused() {
                m.surrender_focus(id);
            }
        });
        Some(editor)
    }

    /// Opens the line editor on `segment`.
    pub(super) fn edit_line(&mut self, segment: usize) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        if let Some(line) = loaded.transcript().segments.get(segment) {
            self.view.edit(segment, &line.text);
        }
    }

    /// Enter in the line editor: its text becomes the line's, as one step.
    pub(super) fn commit_line(&mut self, segment: usize) {
        let (Some(editor), Some(loaded)) = (self.close_editor(), &self.episode.transcript) else {
            return;
        };
        if editor.segment == segment
            && let Some(edit) = ops::set_text(loaded.transcript(), segment, &editor.text)
        {
            self.apply_edit(edit);
        }
    }

    /// Applies `edit` to the open transcript as one undoable step.
    pub(super) fn apply_edit(&mut self, edit: Edit) {
        let outcome = self.editing.apply(self.episode.transcript.as_mut(), edit);
        self.on_edit(outcome);
    }

    /// What an edit, undo, save or recovery asks of the window.
    pub(super) fn on_edit(&mut self, outcome: EditOutcome) {
        match outcome {
            EditOutcome::Changed(focus) => {
                // The same transcript, changed: the view keeps its place.
                self.revision += 1;
                self.word_cache = None;
                self.search.reset();
                if let Some(segment) = focus {
                    self.view.reveal(segment);
                }
                self.update_title();
            }
            EditOutcome::Saved => self.update_title(),
            EditOutcome::Ask(dialog) => self.dialog = Some(dialog),
            EditOutcome::Report(message) => self.report(message),
            EditOutcome::Nothing => {}
        }
    }

    /// Closing (the window's ×, Ctrl+Q) with unsaved changes asks first.
    pub(super) fn confirm_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        // A marker being added is kept, so closing asks about it too.
        self.finish_marker(true);
        if !self.has_unsaved_changes() {
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        self.edits.after_save = Some(AfterSave::Close);
        self.ask_to_save("closing");
    }

    /// "• name — Earmark" while there are unsaved changes.
    pub(super) fn update_title(&mut self) {
        let title = editing::title(
            self.episode.transcript.as_ref(),
            &self.episode.recent().title(),
        );
        if title != self.title {
            self.ctx
                .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}
