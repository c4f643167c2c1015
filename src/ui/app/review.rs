//! The window's side of the review: the keys and menus that add markers
//! and mark lines reviewed, the note window of a marker being added, the
//! in/out points, the markers the waveforms draw and the progress line.
//! The review itself is the document's (`review::ReviewState`, changed by
//! `review::marking` edits); here only what the window does with it.

use eframe::egui;

use super::super::export_window::{ExportChoice, ExportWindow, file_name};
use super::super::marker_note::MarkerDraft;
use super::super::markers_panel::{MarkersAction, MarkersInput};
use super::super::shortcuts::Action;
use super::super::style::{clock_label, kind_color};
use super::super::waveform_view::MarkSpan;
use super::EarmarkApp;
use crate::review::export::{ExportOptions, export_with_options};
use crate::review::markers::{self, Marker};
use crate::review::{ReviewState, marking};

/// Markers this close to the playhead are passed over by next / previous.
const NEIGHBOUR_SLACK_MS: u64 = 300;
/// A jump of the playhead larger than this (or backwards) is a seek: the
/// line being heard was not played through.
const PLAYED_THROUGH_STEP_MS: u64 = 1_500;
/// How late into a line playing may have started and still count as
/// having heard it from its start.
const PLAYED_FROM_START_SLACK_MS: u64 = 250;

/// How much of the episode is reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Lines reviewed.
    pub lines: usize,
    /// Lines in all.
    pub of_lines: usize,
    /// Time reviewed.
    pub ms: u64,
    /// The episode's length.
    pub of_ms: u64,
}

impl Progress {
    /// "143 of 234 lines reviewed · 32:10 of 91:46".
    pub fn label(&self) -> String {
        let hours = self.of_ms >= 3_600_000;
        format!(
            "{} of {} lines reviewed · {} of {}",
            self.lines,
            self.of_lines,
            clock_label(self.ms, hours),
            clock_label(self.of_ms, hours)
        )
    }
}

/// What the window keeps about the review beyond the document.
#[derive(Default)]
pub(super) struct ReviewUi {
    /// The marker being added, its note being typed.
    pub(super) draft: Option<MarkerDraft>,
    /// The in point (I, or the start of a Shift+drag).
    pub(super) in_ms: Option<u64>,
    /// The out point (O, or the end of a Shift+drag).
    pub(super) out_ms: Option<u64>,
    /// File ▸ Export….
    pub(super) export: ExportWindow,
    /// The export waiting for the user to choose its file.
    export_choice: Option<ExportChoice>,
    /// The kind the last marker was given (Note at first).
    last_kind: Option<String>,
    /// The markers as the waveforms draw them, and what they were made for.
    marks: Vec<MarkSpan>,
    marks_key: Option<(u64, u64)>,
    /// Progress, and what it was counted for.
    progress: Option<((u64, u64, u64), Progress)>,
    /// Where playing has gone on without a jump since, and the last frame's
    /// playhead.
    played: Option<(u64, u64)>,
}

impl ReviewUi {
    /// The markers in their kinds' colours (see `refresh_marks`).
    pub(super) fn marks(&self) -> &[MarkSpan] {
        &self.marks
    }
}

impl EarmarkApp {
    /// The review of the open transcript.
    pub fn review(&self) -> Option<&ReviewState> {
        self.episode
            .transcript
            .as_ref()
            .map(|loaded| loaded.document.review())
    }

    /// The marker being added, if its note window is open.
    pub fn marker_draft(&self) -> Option<&MarkerDraft> {
        self.review_ui.draft.as_ref()
    }

    /// What a review key asks for, at `line` (the focused or heard line)
    /// and the playhead.
    pub(super) fn review_by_key(&mut self, action: Action, line: Option<usize>) {
        let pos_ms = self.player.position_ms();
        match action {
            Action::AddMarker => self.start_marker(pos_ms),
            Action::NoteOnLine => {
                if let Some((start_ms, end_ms)) = line.and_then(|l| self.line_span(l)) {
                    self.draft_marker(start_ms, Some(end_ms).filter(|&e| e > start_ms), "Note");
                }
            }
            Action::SetIn => {
                self.review_ui.in_ms = Some(pos_ms);
                self.review_ui.out_ms = self.review_ui.out_ms.filter(|&out| out > pos_ms);
            }
            Action::SetOut => {
                self.review_ui.out_ms = Some(pos_ms);
                self.review_ui.in_ms = self.review_ui.in_ms.filter(|&start| start < pos_ms);
            }
            Action::ToggleMarkers => self.markers_panel.open = !self.markers_panel.open,
            Action::NextMarker | Action::PreviousMarker => {
                self.go_to_marker(pos_ms, action == Action::NextMarker);
            }
            Action::ToggleReviewed => {
                if let Some(line) = line {
                    self.toggle_reviewed(line);
                }
            }
            Action::ReviewedUpToHere => {
                if let Some((_, end_ms)) = line.and_then(|l| self.line_span(l)) {
                    self.mark_reviewed(0, end_ms, true);
                }
            }
            Action::NextUnreviewed => self.next_unreviewed(line),
            _ => {}
        }
    }

    /// M: a marker over the in/out points when set (then cleared), else at
    /// the playhead; its note window opens.
    fn start_marker(&mut self, pos_ms: u64) {
        let kind = self
            .review_ui
            .last_kind
            .clone()
            .unwrap_or_else(|| "Note".to_owned());
        let (start_ms, end_ms) = match (self.review_ui.in_ms.take(), self.review_ui.out_ms.take()) {
            (Some(start), Some(end)) => (start.min(end), Some(start.max(end))),
            (Some(start), None) => (start.min(pos_ms), Some(start.max(pos_ms))),
            (None, Some(end)) => (end.min(pos_ms), Some(end.max(pos_ms))),
            (None, None) => (pos_ms, None),
        };
        self.draft_marker(start_ms, end_ms.filter(|&e| e > start_ms), &kind);
    }

    fn draft_marker(&mut self, start_ms: u64, end_ms: Option<u64>, kind: &str) {
        if self.episode.transcript.is_none() {
            self.report("Open a transcript to add markers: they are saved beside it.".to_owned());
            return;
        }
        // A draft still open is kept as it is before the next one starts.
        self.finish_marker(true);
        self.review_ui.draft = Some(MarkerDraft::new(Marker::new(start_ms, end_ms, kind, "")));
    }

    /// Adds the marker being drafted, with its note or without: one
    /// undoable step. Returns whether there was one.
    pub(super) fn finish_marker(&mut self, with_note: bool) -> bool {
        let Some(draft) = self.review_ui.draft.take() else {
            return false;
        };
        let marker = draft.finish(with_note);
        self.review_ui.last_kind = Some(marker.kind.clone());
        if let Some(review) = self.review() {
            let edit = marking::add(review, marker);
            self.apply_edit(edit);
        }
        true
    }

    /// The note window of the marker being added.
    pub(super) fn marker_note_ui(&mut self, ctx: &egui::Context, top: f32) {
        let (Some(draft), Some(loaded)) = (self.review_ui.draft.as_mut(), &self.episode.transcript)
        else {
            return;
        };
        if draft.ui(ctx, &loaded.document.review().kinds, top) {
            self.finish_marker(true);
        }
    }

    /// Escape: the note window keeps its marker without a note, else the
    /// in/out points are dropped. Whether it did either.
    pub(super) fn close_review(&mut self) -> bool {
        if self.finish_marker(false) {
            return true;
        }
        let had = self.review_ui.in_ms.is_some() || self.review_ui.out_ms.is_some();
        self.forget_in_out();
        had
    }

    /// The Markers panel, and what the user did in it.
    pub(super) fn markers_ui(&mut self, ui: &mut egui::Ui, pos_ms: u64, duration_ms: u64) {
        let Some(loaded) = self.episode.transcript.as_ref() else {
            return;
        };
        let review = loaded.document.review();
        let input = MarkersInput {
            review,
            pos_ms,
            duration_ms,
        };
        let Some(action) = self.markers_panel.ui(ui, &input) else {
            return;
        };
        if let MarkersAction::Seek(start_ms) = action {
            self.player.seek(start_ms);
            self.view.follow_again();
        }
        if let Some(edit) = action.edit(review) {
            self.apply_edit(edit);
        }
    }

    /// The export window; its choice asks where to write.
    pub(super) fn export_ui(&mut self, ctx: &egui::Context, top: f32) {
        if !self.review_ui.export.open {
            return;
        }
        let Some(loaded) = self.episode.transcript.as_ref() else {
            return;
        };
        let kinds = loaded.document.review().kinds.clone();
        let Some(choice) = self.review_ui.export.ui(ctx, &kinds, top) else {
            return;
        };
        let folder = loaded.path.parent().map(std::path::Path::to_owned);
        let stem = loaded
            .path
            .file_stem()
            .map_or_else(|| "episode".into(), |s| s.to_string_lossy().into_owned());
        let name = file_name(&stem, choice.format);
        self.review_ui.export_choice = Some(choice);
        self.opener.pick_export_path(folder, name);
    }

    /// Writes the export chosen in the window to `path` (what the system's
    /// dialog answered; tests call it directly), atomically, and says what
    /// it wrote and what it had to change.
    pub fn export_to(&mut self, path: &std::path::Path) {
        let Some(choice) = self.review_ui.export_choice.take() else {
            return;
        };
        let Some(loaded) = self.episode.transcript.as_ref() else {
            return;
        };
        let review = loaded.document.review();
        let chosen = markers::selected(&review.markers, choice.kinds.as_deref());
        let options = ExportOptions {
            fps: choice.fps,
            kinds: review.kinds.clone(),
            title: self.episode.recent().title(),
        };
        let exported =
            export_with_options(&chosen, Some(loaded.transcript()), choice.format, &options);
        let count = chosen.len();
        let message = match crate::atomic_file::write(path, exported.text.as_bytes()) {
            Ok(()) => {
                let mut message = format!(
                    "Exported {count} marker{} to {}.",
                    if count == 1 { "" } else { "s" },
                    path.display()
                );
                for change in &exported.changes {
                    message.push_str(&format!(" {change}"));
                }
                message
            }
            Err(err) => format!("The export was not written: {err}"),
        };
        self.report(message);
    }

    /// Chooses what File ▸ Export… writes next (tests, and the window).
    pub fn choose_export(&mut self, choice: ExportChoice) {
        self.review_ui.export_choice = Some(choice);
    }

    /// Drops the in/out points (another episode opens).
    pub(super) fn forget_in_out(&mut self) {
        self.review_ui.in_ms = None;
        self.review_ui.out_ms = None;
    }

    /// A Shift+drag on the zoomed waveform chose `range`.
    pub(super) fn select_range(&mut self, range: std::ops::Range<u64>) {
        self.review_ui.in_ms = Some(range.start);
        self.review_ui.out_ms = Some(range.end).filter(|&end| end > range.start);
    }

    /// The in/out points as the waveform draws them.
    pub(super) fn selection_ms(&self) -> Option<std::ops::Range<u64>> {
        match (self.review_ui.in_ms, self.review_ui.out_ms) {
            (Some(start), Some(end)) => Some(start.min(end)..start.max(end)),
            (Some(at), None) | (None, Some(at)) => Some(at..at),
            (None, None) => None,
        }
    }

    fn go_to_marker(&mut self, pos_ms: u64, forward: bool) {
        let Some(review) = self.review() else {
            return;
        };
        let Some(index) = marking::neighbour(review, pos_ms, forward, NEIGHBOUR_SLACK_MS) else {
            return;
        };
        let start_ms = review.markers[index].start_ms;
        self.player.seek(start_ms);
        self.view.follow_again();
        self.markers_panel.reveal(index);
    }

    /// A line's start and end.
    fn line_span(&self, line: usize) -> Option<(u64, u64)> {
        let loaded = self.episode.transcript.as_ref()?;
        let segment = loaded.transcript().segments.get(line)?;
        Some((segment.start_ms, segment.end_ms.max(segment.start_ms)))
    }

    /// R, or the toggle on a line: reviewed, or no longer.
    pub(super) fn toggle_reviewed(&mut self, line: usize) {
        let (Some((start_ms, end_ms)), Some(review)) = (self.line_span(line), self.review()) else {
            return;
        };
        let reviewed = review.reviewed.covers_line(start_ms, end_ms);
        // A line with no length is a point: reviewing it covers its instant.
        self.mark_reviewed(start_ms, end_ms.max(start_ms + 1), !reviewed);
    }

    fn mark_reviewed(&mut self, start_ms: u64, end_ms: u64, on: bool) {
        let Some(review) = self.review() else {
            return;
        };
        if let Some(edit) = marking::set_reviewed(review, start_ms, end_ms, on) {
            self.apply_edit(edit);
        }
    }

    /// U: the first line after `line` (or the playhead's) not reviewed.
    fn next_unreviewed(&mut self, line: Option<usize>) {
        let Some(loaded) = self.episode.transcript.as_ref() else {
            return;
        };
        let review = loaded.document.review();
        let segments = &loaded.transcript().segments;
        let from = line.map_or(0, |l| l + 1);
        let found = (from..segments.len())
            .chain(0..from.min(segments.len()))
            .find(|&i| {
                !review
                    .reviewed
                    .covers_line(segments[i].start_ms, segments[i].end_ms)
            });
        match found {
            Some(line) => {
                self.view.select(line);
                self.seek_segment(line);
            }
            None => self.report("Every line is reviewed.".to_owned()),
        }
    }

    /// With the setting on: a line played from its start to its end
    /// without a jump becomes reviewed.
    pub(super) fn review_as_played(&mut self, pos_ms: u64) {
        if !self.settings.review_as_played || !self.player.is_playing() {
            self.review_ui.played = None;
            return;
        }
        let (from_ms, last_ms) = match self.review_ui.played {
            Some((from, last)) if pos_ms >= last && pos_ms - last <= PLAYED_THROUGH_STEP_MS => {
                (from, last)
            }
            _ => (pos_ms, pos_ms),
        };
        self.review_ui.played = Some((from_ms, pos_ms));
        let Some(line) = self.heard.as_ref().map(|c| c.segment) else {
            return;
        };
        let Some((start_ms, end_ms)) = self.line_span(line) else {
            return;
        };
        let ended_now = last_ms < end_ms && end_ms <= pos_ms;
        if ended_now && start_ms + PLAYED_FROM_START_SLACK_MS >= from_ms {
            self.mark_reviewed(start_ms, end_ms, true);
        }
    }

    /// Rebuilds the markers the waveforms draw when the review changed.
    pub(super) fn refresh_marks(&mut self) {
        let key = (self.generation, self.revision);
        if self.review_ui.marks_key != Some(key) {
            let marks = self.review().map(|review| {
                review
                    .markers
                    .iter()
                    .map(|m| MarkSpan {
                        start_ms: m.start_ms,
                        end_ms: m.end_ms,
                        color: kind_color(review, &m.kind),
                    })
                    .collect()
            });
            self.review_ui.marks = marks.unwrap_or_default();
            self.review_ui.marks_key = Some(key);
        }
    }

    /// How much is reviewed, counted again only when the review changes.
    pub(super) fn progress(&mut self, duration_ms: u64) -> Option<Progress> {
        let key = (self.generation, self.revision, duration_ms);
        if let Some((counted_for, progress)) = self.review_ui.progress
            && counted_for == key
        {
            return Some(progress);
        }
        let loaded = self.episode.transcript.as_ref()?;
        let review = loaded.document.review();
        let segments = &loaded.transcript().segments;
        let lines = segments
            .iter()
            .filter(|s| review.reviewed.covers_line(s.start_ms, s.end_ms))
            .count();
        let of_ms = duration_ms.max(1);
        let progress = Progress {
            lines,
            of_lines: segments.len(),
            ms: review.reviewed.covered_ms(0, of_ms),
            of_ms: duration_ms,
        };
        self.review_ui.progress = Some((key, progress));
        Some(progress)
    }
}
