//! File ▸ Export…: the markers out to another program. Pick the format
//! (each named for the program it is for), which kinds go (all, or e.g.
//! the cuts alone) and, for an EDL, the frame rate; "Export…" then asks
//! where. Keeps its own choices and returns what to write; the app asks
//! for the file and writes it.

use std::collections::BTreeSet;

use eframe::egui;

use crate::review::export::{ExportFormat, Fps};
use crate::review::markers::MarkerKind;

/// Space between the window and the list's top edge.
const MARGIN: f32 = 12.0;

/// The frame rates offered for an EDL.
const RATES: [&str; 8] = ["23.976", "24", "25", "29.97", "30", "50", "59.94", "60"];

/// What the user asked to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportChoice {
    /// The format.
    pub format: ExportFormat,
    /// The kinds to include; `None` for all.
    pub kinds: Option<Vec<String>>,
    /// The EDL's frame rate.
    pub fps: Fps,
}

/// The window's state.
#[derive(Debug)]
pub struct ExportWindow {
    /// The window is shown.
    pub open: bool,
    format: ExportFormat,
    /// Kinds left out (by name); none: all go.
    left_out: BTreeSet<String>,
    rate: &'static str,
}

impl Default for ExportWindow {
    fn default() -> ExportWindow {
        ExportWindow {
            open: false,
            format: ExportFormat::Audacity,
            left_out: BTreeSet::new(),
            rate: "25",
        }
    }
}

/// What a format is called in the picker.
pub fn format_label(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Audacity => "Audacity labels",
        ExportFormat::Audition => "Adobe Audition markers",
        ExportFormat::Reaper => "REAPER markers and regions",
        ExportFormat::Edl => "EDL for DaVinci Resolve (CMX 3600)",
        ExportFormat::Csv => "Spreadsheet (CSV)",
        ExportFormat::Chapters => "Podcast chapters (Podcasting 2.0 JSON)",
        ExportFormat::Youtube => "YouTube chapters (description text)",
        ExportFormat::Report => "Review for the host (Markdown)",
        ExportFormat::ReportHtml => "Review for the host (HTML)",
    }
}

/// The file name an export is offered under: `episode-audacity.txt`.
pub fn file_name(stem: &str, format: ExportFormat) -> String {
    let extension = match format {
        ExportFormat::Audacity | ExportFormat::Youtube => "txt",
        ExportFormat::Audition | ExportFormat::Reaper | ExportFormat::Csv => "csv",
        ExportFormat::Edl => "edl",
        ExportFormat::Chapters => "json",
        ExportFormat::Report => "md",
        ExportFormat::ReportHtml => "html",
    };
    format!("{stem}-{}.{extension}", format.name())
}

impl ExportWindow {
    /// Draws the window while open, below `top`; returns the export asked
    /// for when "Export…" is pressed (the window then closes).
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        kinds: &[MarkerKind],
        top: f32,
    ) -> Option<ExportChoice> {
        let mut choice = None;
        let mut open = self.open;
        let screen = ctx.content_rect();
        egui::Window::new("Export markers")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(egui::pos2(screen.center().x, top + MARGIN))
            .show(ctx, |ui| {
                self.format_ui(ui);
                self.kinds_ui(ui, kinds);
                if self.format == ExportFormat::Edl {
                    self.rate_ui(ui);
                }
                ui.separator();
                if ui.button("Export…").clicked() {
                    choice = Some(self.choice(kinds));
                }
            });
        self.open = open && choice.is_none();
        choice
    }

    fn format_ui(&mut self, ui: &mut egui::Ui) {
        ui.label("For");
        for (format, _) in ExportFormat::ALL {
            ui.radio_value(&mut self.format, format, format_label(format));
        }
    }

    fn kinds_ui(&mut self, ui: &mut egui::Ui, kinds: &[MarkerKind]) {
        ui.separator();
        ui.label("Markers of kind");
        ui.horizontal_wrapped(|ui| {
            for kind in kinds {
                let mut included = !self.left_out.contains(&kind.name);
                if ui.checkbox(&mut included, kind.name.as_str()).changed() {
                    if included {
                        self.left_out.remove(&kind.name);
                    } else {
                        self.left_out.insert(kind.name.clone());
                    }
                }
            }
        });
    }

    fn rate_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let label = ui.label("Frame rate");
            egui::ComboBox::from_id_salt("edl frame rate")
                .selected_text(format!("{} fps", self.rate))
                .show_ui(ui, |ui| {
                    for rate in RATES {
                        ui.selectable_value(&mut self.rate, rate, format!("{rate} fps"));
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }

    fn choice(&self, kinds: &[MarkerKind]) -> ExportChoice {
        let chosen = (!self.left_out.is_empty()).then(|| {
            kinds
                .iter()
                .filter(|k| !self.left_out.contains(&k.name))
                .map(|k| k.name.clone())
                .collect()
        });
        ExportChoice {
            format: self.format,
            kinds: chosen,
            fps: self.rate.parse().unwrap_or_default(),
        }
    }
}
