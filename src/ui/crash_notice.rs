//! The window's side of crash reports: at start, the newest report in the
//! data folder's `crashes/` that was not shown yet is offered once nothing
//! else is being asked (the question about unsaved changes comes first);
//! its answers show the report's text in the dialog, copy its path, or mark
//! it seen so no later start offers it again. Writing reports is
//! `crate::crash`'s; this never writes one.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::dialogs::{CrashAnswer, CrashReportView, Dialog};
use crate::crash;

/// The report waiting to be offered, and the one on screen.
#[derive(Debug, Default)]
pub struct CrashNotice {
    /// The crash folder (none without a data folder).
    dir: Option<PathBuf>,
    /// Found at start, not yet put on screen.
    pending: Option<PathBuf>,
    /// On screen now.
    showing: Option<CrashReportView>,
}

impl CrashNotice {
    /// Looks in `data_dir`'s crash folder for a report not shown yet.
    pub fn find(data_dir: Option<&Path>) -> CrashNotice {
        let dir = data_dir.map(crash::crash_dir);
        let pending = dir.as_deref().and_then(crash::unseen_report);
        if let Some(report) = &pending {
            log::info!("the last run left a crash report: {}", report.display());
        }
        CrashNotice {
            dir,
            pending,
            showing: None,
        }
    }

    /// Puts the notice up when no other dialog is open and no episode is
    /// being opened (which may ask about unsaved changes, more urgent).
    pub fn offer(&mut self, dialog: &mut Option<Dialog>, opening: bool) {
        if dialog.is_some() || opening {
            return;
        }
        if let Some(path) = self.pending.take() {
            let view = CrashReportView { path, text: None };
            *dialog = Some(Dialog::CrashReport(view.clone()));
            self.showing = Some(view);
        }
    }

    /// Does what the user chose; returns the dialog to keep on screen, if any.
    pub fn answer(&mut self, ctx: &egui::Context, answer: CrashAnswer) -> Option<Dialog> {
        let mut view = self.showing.take()?;
        match answer {
            CrashAnswer::Show => {
                view.text = Some(match std::fs::read_to_string(&view.path) {
                    Ok(text) => text,
                    Err(err) => format!("{} cannot be read: {err}", view.path.display()),
                });
                self.mark_seen(&view.path);
            }
            CrashAnswer::CopyPath => ctx.copy_text(view.path.display().to_string()),
            CrashAnswer::Dismiss => {
                self.mark_seen(&view.path);
                return None;
            }
        }
        self.showing = Some(view.clone());
        Some(Dialog::CrashReport(view))
    }

    /// The notice was closed some other way (Escape): as Dismiss.
    pub fn dismissed(&mut self) {
        if let Some(view) = self.showing.take() {
            self.mark_seen(&view.path);
        }
    }

    fn mark_seen(&self, report: &Path) {
        let Some(dir) = &self.dir else {
            return;
        };
        // At worst the notice comes again next time.
        if let Err(err) = crash::mark_seen(dir, report) {
            log::warn!("{err}");
        }
    }
}
