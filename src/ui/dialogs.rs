//! The window's modal dialogs: which partner file goes with a lone file, a
//! speaker's new name, About, and the questions about unsaved changes
//! (recover them, save them first, a failed save, another program's
//! change), and the crash report an earlier run left. Each keeps only its
//! own view state and returns what the user chose; the app applies it.

use std::path::{Path, PathBuf};

use eframe::egui::{self, Key, Modifiers};

use crate::transcript::SpeakerId;

/// A question the window is asking.
pub enum Dialog {
    /// Several partner files matched: which one goes with `opened`?
    ChoosePartner {
        /// The file the user opened.
        opened: PathBuf,
        /// The files in its folder that may go with it.
        candidates: Vec<PathBuf>,
    },
    /// Renaming a speaker.
    Rename {
        /// Who.
        speaker: SpeakerId,
        /// The name being typed (the old name at first).
        name: String,
        /// The old name has been selected (on the dialog's first frame), so
        /// typing replaces it.
        selected: bool,
    },
    /// The version, licences and the folders in use.
    About(About),
    /// The window is closing, or another episode opening, with changes
    /// that were not saved.
    SaveChanges {
        /// The transcript's file name.
        file: String,
        /// What waits for the answer: "closing", "opening another episode".
        before: &'static str,
    },
    /// A save failed; the changes are still in the window and the journal.
    SaveFailed {
        /// What happened and where.
        message: String,
    },
    /// Another program changed the transcript's file after it was read.
    ChangedOnDisk {
        /// The transcript's file name.
        file: String,
        /// The window holds changes that were not saved.
        modified: bool,
    },
    /// A journal holds changes to the transcript that were never saved.
    Recover {
        /// How many.
        changes: usize,
        /// When the last was made, as the user reads it.
        when: String,
    },
    /// The last run crashed and left a report (see `ui::crash_notice`).
    CrashReport(CrashReportView),
}

/// What the crash notice shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrashReportView {
    /// The report's file.
    pub path: PathBuf,
    /// Its text, once "Show the report" was pressed.
    pub text: Option<String>,
}

/// What the user did with the crash notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashAnswer {
    /// Show the report's text.
    Show,
    /// Copy the report's path to the clipboard.
    CopyPath,
    /// Close the notice; it is not shown again.
    Dismiss,
}

/// What About shows.
pub struct About {
    /// Where the settings are kept.
    pub data_dir: Option<PathBuf>,
    /// Where waveforms and the demo are cached.
    pub cache_dir: Option<PathBuf>,
}

/// What the user answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAnswer {
    /// Open `opened` with `partner` (or alone).
    Open {
        /// The file the user opened.
        opened: PathBuf,
        /// The partner chosen, if any.
        partner: Option<PathBuf>,
    },
    /// Rename `speaker` to `name` (trimmed, never empty).
    Rename {
        /// Who.
        speaker: SpeakerId,
        /// The new name.
        name: String,
    },
    /// Save, then go on (close the window, open the other episode).
    SaveFirst,
    /// Go on without saving.
    DontSave,
    /// Choose another file to save to.
    SaveAs,
    /// Read the file as the other program left it.
    Reload,
    /// Keep the window's version (a save will replace the other program's).
    KeepMine,
    /// Bring the unsaved changes back.
    Recover,
    /// Throw the unsaved changes away.
    Discard,
    /// An answer to the crash notice.
    CrashReport(CrashAnswer),
    /// Closed without a choice.
    Close,
}

impl Dialog {
    /// The rename dialog for `speaker`, now called `name`.
    pub fn rename(speaker: SpeakerId, name: &str) -> Dialog {
        Dialog::Rename {
            speaker,
            name: name.to_string(),
            selected: false,
        }
    }
}

/// Draws `dialog` as a modal; returns the answer once there is one.
pub fn dialog_ui(ctx: &egui::Context, dialog: &mut Dialog) -> Option<DialogAnswer> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("dialog")).show(ctx, |ui| {
        answer = match dialog {
            Dialog::ChoosePartner { opened, candidates } => {
                choose_partner_ui(ui, opened, candidates)
            }
            Dialog::Rename {
                speaker,
                name,
                selected,
            } => rename_ui(ui, *speaker, name, selected),
            Dialog::About(about) => about_ui(ui, about),
            Dialog::Recover { changes, when } => recover_ui(ui, *changes, when),
            Dialog::SaveChanges { file, before } => save_changes_ui(ui, file, before),
            Dialog::SaveFailed { message } => save_failed_ui(ui, message),
            Dialog::ChangedOnDisk { file, modified } => changed_on_disk_ui(ui, file, *modified),
            Dialog::CrashReport(view) => crash_report_ui(ui, view),
        };
    });
    if answer.is_none() && modal.should_close() {
        answer = Some(match dialog {
            // Closing the notice is dismissing it: it was seen.
            Dialog::CrashReport(_) => DialogAnswer::CrashReport(CrashAnswer::Dismiss),
            _ => DialogAnswer::Close,
        });
    }
    answer
}

/// "Earmark closed unexpectedly last time": where the report is, its text
/// once asked for, and Show the report, Copy path, Dismiss (Enter).
fn crash_report_ui(ui: &mut egui::Ui, view: &CrashReportView) -> Option<DialogAnswer> {
    let mut answer = None;
    ui.heading("Earmark closed unexpectedly");
    ui.label(format!(
        "Earmark closed unexpectedly last time. A report was saved: {}",
        view.path.display()
    ));
    ui.label(
        "Unsaved changes to a transcript are offered back when you open it again. \
         Attaching the report to a bug report helps to fix the cause.",
    );
    if let Some(text) = &view.text {
        ui.add_space(4.0);
        // A fixed size, so the dialog does not move on the frames after
        // the text appears (and a button is not where it was drawn).
        let size = ui.ctx().content_rect().size() * egui::vec2(0.7, 0.45);
        egui::ScrollArea::both()
            .min_scrolled_width(size.x)
            .max_width(size.x)
            .min_scrolled_height(size.y)
            .max_height(size.y)
            .show(ui, |ui| {
                ui.add(egui::Label::new(egui::RichText::new(text).monospace()).extend());
            });
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if view.text.is_none() && ui.button("Show the report").clicked() {
            answer = Some(DialogAnswer::CrashReport(CrashAnswer::Show));
        }
        if ui.button("Copy path").clicked() {
            answer = Some(DialogAnswer::CrashReport(CrashAnswer::CopyPath));
        }
        if ui.button("Dismiss").clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
            answer = Some(DialogAnswer::CrashReport(CrashAnswer::Dismiss));
        }
    });
    answer
}

/// "Save the changes to <file> before closing?": Save (Enter), Don't save, Cancel.
fn save_changes_ui(ui: &mut egui::Ui, file: &str, before: &str) -> Option<DialogAnswer> {
    let mut answer = None;
    ui.heading("Unsaved changes");
    ui.label(format!("Save the changes to {file} before {before}?"));
    ui.horizontal(|ui| {
        if ui.button("Save").clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
            answer = Some(DialogAnswer::SaveFirst);
        }
        if ui.button("Don't save").clicked() {
            answer = Some(DialogAnswer::DontSave);
        }
        if ui.button("Cancel").clicked() {
            answer = Some(DialogAnswer::Close);
        }
    });
    answer
}

/// A save failed: what happened, and Save As (Enter) to put the changes
/// elsewhere; they stay in the window either way.
fn save_failed_ui(ui: &mut egui::Ui, message: &str) -> Option<DialogAnswer> {
    let mut answer = None;
    ui.heading("The transcript was not saved");
    ui.label(message);
    ui.label("Your changes are still here, and kept in case of a crash.");
    ui.horizontal(|ui| {
        if ui.button("Save As…").clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
            answer = Some(DialogAnswer::SaveAs);
        }
        if ui.button("Close").clicked() {
            answer = Some(DialogAnswer::Close);
        }
    });
    answer
}

/// Another program changed the file: Reload, or Keep mine (the default
/// when there are unsaved changes, so Enter never throws them away).
fn changed_on_disk_ui(ui: &mut egui::Ui, file: &str, modified: bool) -> Option<DialogAnswer> {
    let mut answer = None;
    ui.heading("Changed by another program");
    ui.label(format!(
        "{file} was changed by another program after Earmark read it."
    ));
    if modified {
        ui.label("Reload reads their version (Undo brings yours back); Keep mine saves yours over it on the next save.");
    }
    let enter = ui.input(|i| i.key_pressed(Key::Enter));
    ui.horizontal(|ui| {
        if ui.button("Reload").clicked() || (enter && !modified) {
            answer = Some(DialogAnswer::Reload);
        }
        if ui.button("Keep mine").clicked() || (enter && modified) {
            answer = Some(DialogAnswer::KeepMine);
        }
    });
    answer
}

/// "Recover N unsaved changes from <time>?", Recover the default (Enter).
fn recover_ui(ui: &mut egui::Ui, changes: usize, when: &str) -> Option<DialogAnswer> {
    let mut answer = None;
    ui.heading("Unsaved changes");
    let plural = if changes == 1 { "" } else { "s" };
    ui.label(format!(
        "Recover {changes} unsaved change{plural} from {when}?"
    ));
    ui.horizontal(|ui| {
        let recover = ui.button("Recover");
        if recover.clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
            answer = Some(DialogAnswer::Recover);
        }
        if ui.button("Discard").clicked() {
            answer = Some(DialogAnswer::Discard);
        }
    });
    answer
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

fn choose_partner_ui(
    ui: &mut egui::Ui,
    opened: &Path,
    candidates: &[PathBuf],
) -> Option<DialogAnswer> {
    let mut answer = None;
    ui.heading("Which file goes with it?");
    ui.label(format!(
        "Several files in the folder match {}:",
        file_name(opened)
    ));
    for candidate in candidates {
        if ui.button(file_name(candidate)).clicked() {
            answer = Some(DialogAnswer::Open {
                opened: opened.to_owned(),
                partner: Some(candidate.clone()),
            });
        }
    }
    ui.separator();
    if ui.button("Open it alone").clicked() {
        answer = Some(DialogAnswer::Open {
            opened: opened.to_owned(),
            partner: None,
        });
    }
    if ui.button("Cancel").clicked() {
        answer = Some(DialogAnswer::Close);
    }
    answer
}

fn rename_ui(
    ui: &mut egui::Ui,
    speaker: SpeakerId,
    name: &mut String,
    selected: &mut bool,
) -> Option<DialogAnswer> {
    // Taken before the field sees it: Enter confirms whatever has the focus.
    let enter = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter));
    ui.heading("Rename speaker");
    let label = ui.label("New name:");
    let mut output = egui::TextEdit::singleline(name).show(ui);
    let response = output.response.response.labelled_by(label.id);
    response.request_focus();
    if !std::mem::replace(selected, true) {
        let all = egui::text::CCursorRange::two(
            egui::text::CCursor::new(0),
            egui::text::CCursor::new(name.chars().count()),
        );
        output.state.cursor.set_char_range(Some(all));
        output.state.store(ui.ctx(), response.id);
    }
    let confirm = |name: &str| {
        let name = name.trim();
        (!name.is_empty()).then(|| DialogAnswer::Rename {
            speaker,
            name: name.to_string(),
        })
    };
    let mut answer = None;
    if enter {
        answer = confirm(name);
    }
    ui.horizontal(|ui| {
        if ui.button("Rename").clicked() {
            answer = confirm(name);
        }
        if ui.button("Cancel").clicked() {
            answer = Some(DialogAnswer::Close);
        }
    });
    answer
}

fn about_ui(ui: &mut egui::Ui, about: &About) -> Option<DialogAnswer> {
    ui.heading(format!("Earmark {}", env!("CARGO_PKG_VERSION")));
    ui.label(env!("CARGO_PKG_DESCRIPTION"));
    ui.add_space(6.0);
    ui.label(format!("Licence: {}", env!("CARGO_PKG_LICENSE")));
    ui.weak(
        "Built with egui and eframe (MIT or Apache-2.0), symphonia (MPL-2.0), \
         cpal (Apache-2.0), Signalsmith Stretch (MIT), rubato (MIT), \
         libopus (BSD-3-Clause) and rfd (MIT).",
    );
    ui.add_space(6.0);
    let folder = |dir: &Option<PathBuf>| {
        dir.as_ref()
            .map_or_else(|| "none".to_string(), |d| d.display().to_string())
    };
    egui::Grid::new("about-folders")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label("Settings");
            ui.monospace(folder(&about.data_dir));
            ui.end_row();
            ui.label("Cache");
            ui.monospace(folder(&about.cache_dir));
            ui.end_row();
        });
    ui.add_space(6.0);
    ui.button("Close").clicked().then_some(DialogAnswer::Close)
}
