//! The window's side of the sync check (issue 12): Sync ▸ Check sync runs
//! [`SyncJob`] on the open episode, the Sync panel shows its progress and
//! then its result (the pieces also on the waveform overview), and Accept
//! applies it as one undoable edit ([`ops::sync_to`]) through the document,
//! so it is journaled and written only when the user saves. When an
//! episode opens, [`sync_hint`](super::super::sync_hint) judges whether its
//! transcript clearly does not fit and, if so, a notice offers the check.
//! When only the first speech is far from the first line, the same check
//! first runs quietly: a music intro sounds like speech to the detector,
//! and the notice shows only if the check finds lines to move. Its result
//! is then what the notice's button shows.

use std::time::Duration;

use eframe::egui;

use super::super::shortcuts::Action;
use super::super::sync_hint::{FirstSpeech, Misfit, misfit};
use super::super::sync_job::{SyncJob, WakeFn};
use super::super::sync_panel::{SyncAction, SyncPanel, SyncShown};
use super::super::waveform_view::PieceSpan;
use super::EarmarkApp;
use crate::review::{Edit, ops};
use crate::sync::{self, Alignment};
use crate::transcript::Transcript;

/// How often the progress bar moves while the check runs.
const PROGRESS_REPAINT: Duration = Duration::from_millis(250);
/// Width the Sync panel opens at.
const PANEL_WIDTH: f32 = 380.0;

/// The window's sync state: the check running or its result, the panel's
/// view state, and the hint about the episode opened last.
#[derive(Default)]
pub(super) struct SyncState {
    running: Option<Running>,
    result: Option<Found>,
    panel: SyncPanel,
    /// Where speech starts, being found for the hint.
    first_speech: Option<FirstSpeech>,
    /// What the first speech is compared with: the first line's start, the
    /// last line's end and the audio's length.
    hint_input: Option<(u64, u64, u64)>,
    /// The first speech is far from the first line: the check running
    /// quietly to tell whether that is so because lines are out of place.
    confirming: Option<(Misfit, Running)>,
    /// What that check found, kept for the notice's button.
    confirmed: Option<Found>,
    /// The notice shown.
    hint: Option<Misfit>,
}

/// A check running, and the transcript it was started for.
struct Running {
    job: SyncJob,
    transcript: Transcript,
}

/// A check's result, and the transcript it was made for.
struct Found {
    alignment: Alignment,
    transcript: Transcript,
    pieces: Vec<PieceSpan>,
    cuts_ms: Vec<u64>,
    /// What Accept would change; `None` when nothing moves (in sync).
    edit: Option<Edit>,
}

impl Found {
    /// The result still applies to `current`: the same lines at the same
    /// times as the transcript checked. Edits to text, speakers, review
    /// marks or markers leave it standing; the alignment only read times.
    fn fits(&self, current: &Transcript) -> bool {
        current.segments.len() == self.transcript.segments.len()
            && current
                .segments
                .iter()
                .zip(&self.transcript.segments)
                .all(|(now, then)| (now.start_ms, now.end_ms) == (then.start_ms, then.end_ms))
    }

    fn new(alignment: Alignment, transcript: Transcript) -> Found {
        let retimed = sync::retimed(&transcript, &alignment);
        let pieces = alignment
            .pieces
            .iter()
            .filter_map(|piece| {
                let lines = retimed.segments.get(piece.lines.clone())?;
                Some(PieceSpan {
                    start_ms: lines.iter().map(|s| s.start_ms).min()?,
                    end_ms: lines.iter().map(|s| s.end_ms).max()?,
                    shift_ms: piece.shift_ms,
                    lines: piece.lines.clone(),
                })
            })
            .collect();
        let cuts_ms = alignment.cuts.iter().map(|cut| cut.audio_ms).collect();
        let edit = ops::sync_to(&transcript, &alignment);
        Found {
            alignment,
            transcript,
            pieces,
            cuts_ms,
            edit,
        }
    }
}

impl EarmarkApp {
    /// Sync ▸ Check sync: aligns the open transcript to the open audio in
    /// the background (a check already running goes on).
    pub(super) fn check_sync(&mut self) {
        if self.sync.running.is_some() {
            return;
        }
        self.sync.confirming = None;
        self.sync.hint = None;
        self.sync.panel.reset();
        if let Some(found) = self.sync.confirmed.take()
            && self.still_fits(&found)
        {
            self.sync.result = Some(found);
            return;
        }
        self.sync.result = None;
        self.sync.running = self.start_check();
    }

    /// Starts the check on the open episode as it is now.
    fn start_check(&self) -> Option<Running> {
        let (Some(audio), Some(loaded)) = (&self.episode.audio, &self.episode.transcript) else {
            return None;
        };
        let transcript = loaded.transcript().clone();
        let duration_ms = self
            .player
            .duration_ms()
            .or_else(|| transcript.segments.iter().map(|s| s.end_ms).max())
            .unwrap_or(0);
        let ctx = self.ctx.clone();
        let wake: WakeFn = std::sync::Arc::new(move || ctx.request_repaint());
        let job = SyncJob::start(audio, sync::spans_of(&transcript), duration_ms, wake);
        Some(Running { job, transcript })
    }

    /// Stops the check running, if any.
    pub(super) fn cancel_sync(&mut self) {
        if let Some(running) = self.sync.running.take() {
            running.job.cancel();
        }
    }

    /// A check is running.
    pub fn sync_running(&self) -> bool {
        self.sync.running.is_some()
    }

    /// The result shown in the Sync panel.
    pub fn sync_result(&self) -> Option<&Alignment> {
        self.sync.result.as_ref().map(|found| &found.alignment)
    }

    /// The notice that the transcript does not seem to fit, when shown.
    pub fn sync_hint(&self) -> Option<String> {
        self.sync.hint.map(|misfit| misfit.message())
    }

    /// The hint is still being worked out for the episode opened last.
    pub fn sync_hint_pending(&self) -> bool {
        self.sync.first_speech.is_some() || self.sync.confirming.is_some()
    }

    /// A new episode is on screen (its audio `audio_ms` long, when there is
    /// audio): what was checked for the last one goes, and whether its
    /// transcript fits is judged (at once by its end, by the first speech
    /// once that is found).
    pub(super) fn sync_on_open(&mut self, audio_ms: Option<u64>) {
        self.cancel_sync();
        self.sync.result = None;
        self.sync.hint = None;
        self.sync.first_speech = None;
        self.sync.hint_input = None;
        self.sync.confirming = None;
        self.sync.confirmed = None;
        let (Some(audio_ms), Some(audio), Some(loaded)) =
            (audio_ms, &self.episode.audio, &self.episode.transcript)
        else {
            return;
        };
        let segments = &loaded.transcript().segments;
        let (Some(first_ms), Some(last_ms)) = (
            segments.iter().map(|s| s.start_ms).min(),
            segments.iter().map(|s| s.end_ms).max(),
        ) else {
            return;
        };
        self.sync.hint = misfit(first_ms, last_ms, audio_ms, None);
        if self.sync.hint.is_none() {
            let ctx = self.ctx.clone();
            let wake: WakeFn = std::sync::Arc::new(move || ctx.request_repaint());
            self.sync.first_speech = Some(FirstSpeech::start(audio, wake));
            self.sync.hint_input = Some((first_ms, last_ms, audio_ms));
        }
    }

    /// Takes in the first speech, the quiet check's verdict and the
    /// check's result (or its error).
    pub(super) fn poll_sync(&mut self) {
        if let Some(found) = self
            .sync
            .first_speech
            .as_ref()
            .and_then(FirstSpeech::try_finish)
        {
            self.sync.first_speech = None;
            if let Some((first_ms, last_ms, audio_ms)) = self.sync.hint_input.take()
                && self.sync.result.is_none()
                && self.sync.running.is_none()
            {
                match misfit(first_ms, last_ms, audio_ms, found) {
                    Some(suspect @ Misfit::FirstSpeechApart { .. }) => {
                        self.sync.confirming = self.start_check().map(|running| (suspect, running));
                    }
                    judged => self.sync.hint = judged,
                }
            }
        }
        self.poll_confirming();
        let Some(running) = self.sync.running.as_mut() else {
            return;
        };
        let Some(outcome) = running.job.try_finish() else {
            return;
        };
        let Some(Running { transcript, .. }) = self.sync.running.take() else {
            return;
        };
        match outcome {
            Ok(alignment) => self.sync.result = Some(Found::new(alignment, transcript)),
            Err(message) => self.report(message),
        }
    }

    /// Takes in the quiet check: the notice shows unless it found every
    /// line where it is (or could not tell: then the suspicion stands).
    fn poll_confirming(&mut self) {
        let Some(outcome) = self
            .sync
            .confirming
            .as_mut()
            .and_then(|(_, running)| running.job.try_finish())
        else {
            return;
        };
        let Some((suspect, running)) = self.sync.confirming.take() else {
            return;
        };
        match outcome {
            Ok(alignment) => {
                let found = Found::new(alignment, running.transcript);
                if found.edit.is_some() {
                    self.sync.hint = Some(suspect);
                    self.sync.confirmed = Some(found);
                }
            }
            Err(message) => {
                log::info!("the quiet sync check on open failed: {message}");
                self.sync.hint = Some(suspect);
            }
        }
    }

    /// The pieces and cuts the overview draws while a result is shown.
    /// None once the transcript was edited after the check: they would be stale.
    pub(super) fn sync_marks(&self) -> (&[PieceSpan], &[u64]) {
        match &self.sync.result {
            Some(found) if self.still_fits(found) => (&found.pieces, &found.cuts_ms),
            _ => (&[], &[]),
        }
    }

    /// The notice under the menu when the transcript does not seem to fit.
    pub(super) fn sync_hint_ui(&mut self, ui: &mut egui::Ui) {
        let Some(hint) = self.sync.hint else {
            return;
        };
        let mut check = false;
        let mut close = false;
        egui::Panel::top("sync hint").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, hint.message());
                check = ui
                    .button("Check sync…")
                    .on_hover_text("Find where each line is heard, and show what would move (F5)")
                    .clicked();
                let close_button = ui.small_button("Close").on_hover_text("Close this notice");
                close_button.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, "Close the notice")
                });
                close = close_button.clicked();
            });
        });
        if check {
            self.apply(Action::CheckSync);
        } else if close {
            self.sync.hint = None;
        }
    }

    /// The Sync panel on the right while a check runs or its result is shown.
    pub(super) fn sync_panel_ui(&mut self, ui: &mut egui::Ui) {
        let shown = match (&self.sync.running, &self.sync.result) {
            (Some(running), _) => SyncShown::Running {
                progress: running.job.progress(),
            },
            (None, Some(found)) => SyncShown::Done {
                alignment: &found.alignment,
                transcript: &found.transcript,
                pieces: &found.pieces,
                in_sync: found.edit.is_none(),
                changed: !self.still_fits(found),
            },
            (None, None) => return,
        };
        if matches!(shown, SyncShown::Running { .. }) {
            ui.ctx().request_repaint_after(PROGRESS_REPAINT);
        }
        let panel = &mut self.sync.panel;
        let action = egui::Panel::right("sync")
            .default_size(PANEL_WIDTH)
            .show(ui, |ui| panel.ui(ui, &shown))
            .inner;
        match action {
            Some(SyncAction::Cancel) => self.cancel_sync(),
            Some(SyncAction::Dismiss) => self.sync.result = None,
            Some(SyncAction::CheckAgain) => self.check_sync(),
            Some(SyncAction::Accept) => self.accept_sync(),
            Some(SyncAction::Go { line, audio_ms }) => {
                self.view.select(line);
                self.view.reveal(line);
                self.player.seek(audio_ms);
            }
            None => {}
        }
    }

    /// `found` still applies to the open transcript ([`Found::fits`]).
    fn still_fits(&self, found: &Found) -> bool {
        self.episode
            .transcript
            .as_ref()
            .is_some_and(|loaded| found.fits(loaded.transcript()))
    }

    /// Accept: every line to where the check found it, as one step, on the
    /// transcript as it is now (its text and speakers as edited since).
    fn accept_sync(&mut self) {
        let Some(found) = self.sync.result.take() else {
            return;
        };
        let edit = match &self.episode.transcript {
            Some(loaded) if found.fits(loaded.transcript()) => {
                ops::sync_to(loaded.transcript(), &found.alignment)
            }
            _ => {
                self.report(
                    "The transcript's lines changed after the sync check: check again to sync it."
                        .to_owned(),
                );
                return;
            }
        };
        if let Some(edit) = edit {
            self.apply_edit(edit);
        }
        self.sync.hint = None;
    }
}
