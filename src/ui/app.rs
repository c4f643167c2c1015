//! The player window: owns the episode, the player and the panels' view
//! state, draws the panels, and applies what they ask for in one place
//! ([`EarmarkApp::apply`]). Repaints only when something changes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui::{self, Role, WidgetInfo};

mod edits;
mod media;
mod review;
mod sync;

use super::crash_notice::CrashNotice;
use super::demo;
use super::dialogs::{About, Dialog};
use super::editing::Editing;
use super::frame_clock::FrameClock;
use super::markers_panel::MarkersPanel;
use super::media_controls::MediaControls;
use super::menu::{MenuAction, MenuInput, menu_ui};
use super::open::{self, FileKind, LoadedTranscript, OpenResult, OpenedEpisode, Opener};
use super::player::{DeviceState, Player, PlayerNews};
use super::search::Search;
use super::search_bar::{SearchBarAction, line_count_label, search_bar_ui};
use super::settings::{RecentEpisode, STORAGE_KEY, Settings, ThemeChoice};
use super::settings_window::SettingsWindow;
use super::shortcuts::{self, Action};
use super::style::{clock_label, speaker_color};
use super::timing_panel::TimingPanel;
use super::trace::{RowPlace, Trace, TraceEvent};
use super::transcript_view::{
    Current, TranscriptView, ViewAction, ViewInput, WordMark, estimated_word, word_ranges,
    word_seek,
};
use super::transport::{TransportAction, TransportInput, transport_ui};
use super::waveform_view::{TimeSpan, WaveformInput, overview_ui, zoom_ui};
use crate::audio::Engine;
use crate::review::Document;
use crate::transcript::SpeakerId;
use crate::waveform::{JobOptions, Peaks, WaveformJob};

/// While playing, the playhead moves on media times that are multiples of
/// this when the window is drawn on the CPU (Mesa llvmpipe and the like,
/// where a 1000×720 frame costs ~25 ms: two frames a second, plus one at
/// each line change, keep playing near 6% of a core; the highlight is
/// scheduled on its own boundaries, so this does not delay it)...
const PLAYHEAD_STEP_SOFTWARE_MS: u64 = 500;
/// ...and of this on a GPU, where frames are cheap and motion should be smooth.
const PLAYHEAD_STEP_GPU_MS: u64 = 33;
/// Lines at least this long show an estimated word position when the
/// transcript has no word times.
const ESTIMATE_MIN_MS: u64 = 3000;
/// A remembered position this close to the end starts the episode over.
const RESUME_END_MARGIN_MS: u64 = 5000;
/// Error messages kept on screen.
const MAX_ERRORS: usize = 3;

/// What to open when the window starts.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Files named on the command line (audio and/or transcript).
    pub files: Vec<PathBuf>,
    /// Where to start playing from.
    pub start_ms: Option<u64>,
    /// With no files: reopen the last episode, or the demo on first launch.
    pub restore: bool,
    /// Where waveforms and the demo are cached; `None`: the user's cache folder.
    pub cache_dir: Option<PathBuf>,
    /// Where journals of unsaved changes and backups of originals are kept;
    /// `None`: neither (tests that do not look at them).
    pub data_dir: Option<PathBuf>,
}

/// The episode on screen.
#[derive(Default)]
struct Episode {
    audio: Option<PathBuf>,
    transcript: Option<LoadedTranscript>,
}

impl Episode {
    fn recent(&self) -> RecentEpisode {
        RecentEpisode {
            audio: self.audio.clone(),
            transcript: self.transcript.as_ref().map(|t| t.path.clone()),
        }
    }
}

/// The byte ranges of one segment's timed words: (generation, segment, ranges).
type WordCache = (u64, usize, Vec<Option<std::ops::Range<usize>>>);

/// The app: state, panels, and the engine behind them.
pub struct EarmarkApp {
    settings: Settings,
    player: Player,
    opener: Opener,
    episode: Episode,
    /// Bumped whenever the transcript is replaced.
    generation: u64,
    view: TranscriptView,
    search: Search,
    dialog: Option<Dialog>,
    /// The crash report an earlier run left, offered once.
    crash_notice: CrashNotice,
    shortcuts_open: bool,
    settings_window: SettingsWindow,
    errors: Vec<String>,
    /// Applied once the audio has loaded.
    pending_seek_ms: Option<u64>,
    /// Applied when the next episode finishes opening.
    pending_start_ms: Option<u64>,
    focus_search: bool,
    /// Byte ranges of the timed words of one segment, found once.
    word_cache: Option<WordCache>,
    applied_theme: Option<ThemeChoice>,
    /// Where waveforms and the demo are cached.
    cache_root: Option<PathBuf>,
    /// The end-to-end tests' event log (off unless `$EARMARK_TRACE` is set).
    trace: Trace,
    /// The waveform being computed (or read from the cache) for the open audio.
    waveform_job: Option<WaveformJob>,
    /// The speaker-tinted spans drawn behind the waveform, and what they were built for.
    spans: Vec<TimeSpan>,
    spans_key: Option<(u64, bool, u64)>,
    /// Bumped each time `spans` is rebuilt (the waveforms keep their bands until then).
    spans_revision: u64,
    /// Bumped on each change to the transcript (the spans' colours follow the speakers).
    revision: u64,
    /// Undo, save, the journal and recovery for the open transcript.
    editing: Editing,
    /// What the window keeps about the open document (see `edits`).
    edits: edits::EditsState,
    /// Edit ▸ Fix timing: shift, or re-time from two points.
    timing: TimingPanel,
    /// The review's window state: the marker being added, in/out points.
    review_ui: review::ReviewUi,
    /// View ▸ Markers.
    markers_panel: MarkersPanel,
    /// Sync ▸ Check sync: the check, its result and the hint (see `sync`).
    sync: sync::SyncState,
    /// The window title last set.
    title: String,
    /// How far the playhead moves between frames while playing (media ms).
    playhead_step_ms: u64,
    /// What the last frame showed as being heard.
    heard: Option<Current>,
    /// Media keys and the desktop's now-playing controls (see `media`).
    media: MediaControls,
    ctx: egui::Context,
    /// Files handed over by `earmark`s started while this window runs.
    incoming: Option<super::handoff::Incoming>,
}

impl EarmarkApp {
    /// Builds the app around a started engine, with the settings saved in
    /// `cc`'s storage (defaults when there is none), and opens `launch`.
    pub fn new(cc: &eframe::CreationContext<'_>, launch: Launch, engine: Engine) -> EarmarkApp {
        let settings = cc
            .storage
            .and_then(|storage| eframe::get_value::<Settings>(storage, STORAGE_KEY))
            .unwrap_or_default();
        EarmarkApp::with_settings(cc, launch, engine, settings)
    }

    /// Builds the app with `settings` as if they had been saved (tests use
    /// this to launch again with what an earlier window remembered).
    pub fn with_settings(
        cc: &eframe::CreationContext<'_>,
        launch: Launch,
        engine: Engine,
        settings: Settings,
    ) -> EarmarkApp {
        let settings = settings.sanitized();
        let ctx = cc.egui_ctx.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || ctx.request_repaint());
        let mut player = Player::new(engine);
        player.set_speed(settings.speed);
        player.set_volume(settings.volume);
        // Ctrl +/− size the transcript's text (our shortcuts), not the whole window.
        cc.egui_ctx
            .options_mut(|options| options.zoom_with_keyboard = false);
        let mut app = EarmarkApp {
            settings,
            player,
            opener: Opener::new(wake.clone()),
            episode: Episode::default(),
            generation: 0,
            view: TranscriptView::default(),
            search: Search::default(),
            dialog: None,
            crash_notice: CrashNotice::find(launch.data_dir.as_deref()),
            shortcuts_open: false,
            settings_window: SettingsWindow::default(),
            errors: Vec::new(),
            pending_seek_ms: None,
            pending_start_ms: None,
            focus_search: false,
            word_cache: None,
            applied_theme: None,
            cache_root: launch.cache_dir.clone().or_else(default_cache_root),
            editing: Editing::new(launch.data_dir.clone(), wake.clone()),
            edits: edits::EditsState::default(),
            timing: TimingPanel::default(),
            review_ui: review::ReviewUi::default(),
            markers_panel: MarkersPanel::default(),
            sync: sync::SyncState::default(),
            title: String::new(),
            trace: Trace::from_env(),
            waveform_job: None,
            spans: Vec::new(),
            spans_key: None,
            spans_revision: 0,
            revision: 0,
            heard: None,
            media: MediaControls::off(),
            playhead_step_ms: if drawn_in_software(cc) {
                PLAYHEAD_STEP_SOFTWARE_MS
            } else {
                PLAYHEAD_STEP_GPU_MS
            },
            ctx: cc.egui_ctx.clone(),
            incoming: None,
        };
        app.launch(launch);
        app
    }

    fn launch(&mut self, launch: Launch) {
        if !launch.files.is_empty() {
            self.open_paths(launch.files, launch.start_ms);
            return;
        }
        if !launch.restore {
            return;
        }
        let last = self.settings.recent.first().cloned().filter(|recent| {
            recent
                .audio
                .iter()
                .chain(&recent.transcript)
                .all(|path| path.is_file())
        });
        match last {
            Some(recent) => {
                self.pending_start_ms = launch.start_ms;
                self.opener.open_episode(recent.audio, recent.transcript);
            }
            None => match demo::demo_files(self.cache_root.as_deref()) {
                Ok((audio, transcript)) => {
                    self.settings.demo_shown = true;
                    self.pending_start_ms = launch.start_ms;
                    self.opener.open_episode(Some(audio), Some(transcript));
                }
                Err(message) => self.report(message),
            },
        }
    }

    /// Opens what `incoming` hands over, as if dropped on the window.
    pub fn listen(&mut self, incoming: super::handoff::Incoming) {
        self.incoming = Some(incoming);
    }

    /// The player (for tests: its engine, clock and device state).
    pub fn player(&self) -> &Player {
        &self.player
    }

    /// The transcript list's view state (for tests).
    pub fn view(&self) -> &TranscriptView {
        &self.view
    }

    /// Moves playback to `pos_ms`, as the seek bar does.
    pub fn seek(&mut self, pos_ms: u64) {
        self.player.seek(pos_ms);
    }

    /// Follows the line being heard again, as "Back to playing" does.
    pub fn follow_playback(&mut self) {
        self.view.follow_again();
    }

    /// The text of segment `segment` of the open transcript.
    pub fn segment_text(&self, segment: usize) -> Option<&str> {
        let loaded = self.episode.transcript.as_ref()?;
        Some(loaded.transcript().segments.get(segment)?.text.as_str())
    }

    /// The line and word the last frame showed as being heard.
    pub fn heard(&self) -> Option<&Current> {
        self.heard.as_ref()
    }

    /// The remembered settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The open transcript as edited.
    pub fn transcript(&self) -> Option<&crate::transcript::Transcript> {
        self.episode
            .transcript
            .as_ref()
            .map(LoadedTranscript::transcript)
    }

    /// The open transcript has changes that are not in its file.
    pub fn has_unsaved_changes(&self) -> bool {
        self.episode
            .transcript
            .as_ref()
            .is_some_and(LoadedTranscript::is_modified)
    }

    /// The open transcript's speaker names, after renames.
    pub fn speaker_names(&self) -> &[String] {
        self.episode
            .transcript
            .as_ref()
            .map_or(&[], |t| &t.transcript().speakers)
    }

    /// Messages shown in the error bar.
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// Files are being opened or the audio is loading.
    pub fn is_busy(&self) -> bool {
        self.opener.is_busy() || self.player.loading().is_some()
    }

    /// A save is being written.
    pub fn is_saving(&self) -> bool {
        self.editing.is_saving()
    }

    /// The open audio's waveform is complete (or there is none to compute).
    pub fn waveform_ready(&self) -> bool {
        self.waveform_job
            .as_ref()
            .is_none_or(WaveformJob::is_finished)
    }

    /// The audio and transcript open now.
    pub fn open_files(&self) -> RecentEpisode {
        self.episode.recent()
    }

    /// Opens files: an audio file and/or a transcript, or a session file
    /// (`NAME.earmark`, which names both); a lone file brings its partner
    /// from the same folder (asking when several match).
    pub fn open_paths(&mut self, paths: Vec<PathBuf>, start_ms: Option<u64>) {
        let (paths, left_out) = open::one_episode(paths);
        if let Some(message) = open::left_out_message(&left_out) {
            self.report(message);
        }
        let (paths, failures) = open::expand_sessions(paths);
        for failure in failures {
            self.report(failure);
        }
        let audio = paths
            .iter()
            .find(|p| open::file_kind(p) == FileKind::Audio)
            .cloned();
        let transcript = paths
            .iter()
            .find(|p| open::file_kind(p) == FileKind::Transcript)
            .cloned();
        self.pending_start_ms = start_ms;
        match (audio, transcript) {
            (None, None) => {}
            (Some(audio), Some(transcript)) => {
                self.opener.open_episode(Some(audio), Some(transcript))
            }
            (Some(single), None) | (None, Some(single)) => {
                let mut candidates = open::find_partners(&single);
                match candidates.len() {
                    0 => self.open_alone(single),
                    1 => {
                        let partner = candidates.remove(0);
                        self.open_pair(single, Some(partner));
                    }
                    _ => {
                        self.dialog = Some(Dialog::ChoosePartner {
                            opened: single,
                            candidates,
                        })
                    }
                }
            }
        }
    }

    /// A file without a partner joins the open episode if that lacks its
    /// kind (a transcript dropped on audio), else opens on its own.
    fn open_alone(&mut self, single: PathBuf) {
        let kind = open::file_kind(&single);
        match kind {
            FileKind::Audio if self.episode.audio.is_none() => {
                let transcript = self.episode.transcript.as_ref().map(|t| t.path.clone());
                self.opener.open_episode(Some(single), transcript);
            }
            FileKind::Transcript if self.episode.transcript.is_none() => {
                self.opener
                    .open_episode(self.episode.audio.clone(), Some(single));
            }
            _ => self.open_pair(single, None),
        }
    }

    fn open_pair(&mut self, single: PathBuf, partner: Option<PathBuf>) {
        let (mut audio, mut transcript) = (None, None);
        for path in std::iter::once(single).chain(partner) {
            match open::file_kind(&path) {
                FileKind::Audio => audio = Some(path),
                FileKind::Transcript => transcript = Some(path),
            }
        }
        self.opener.open_episode(audio, transcript);
    }

    fn report(&mut self, message: String) {
        log::warn!("{message}");
        self.errors.push(message);
        if self.errors.len() > MAX_ERRORS {
            self.errors.remove(0);
        }
    }

    fn episode_key(&self) -> Option<String> {
        self.episode.recent().key()
    }

    /// Remembers where the open episode is, to resume there next time.
    fn remember_position(&mut self) {
        if self.player.audio().is_none() {
            return;
        }
        let pos_ms = self.player.position_ms();
        if let Some(key) = self.episode_key() {
            self.settings.episode_mut(&key).pos_ms = pos_ms;
        }
    }

    /// Swaps in the files that opened and reports those that did not; when
    /// none opened, the episode on screen stays.
    fn install(&mut self, mut opened: OpenedEpisode) {
        for failure in std::mem::take(&mut opened.failures) {
            self.report(failure);
        }
        if opened.is_empty() {
            self.pending_start_ms = None;
            return;
        }
        // A marker being added belongs to the episode on screen.
        self.finish_marker(true);
        if !self.may_install(&mut opened) {
            return;
        }
        self.forget_in_out();
        self.remember_position();
        let OpenedEpisode {
            audio, transcript, ..
        } = opened;
        if let Some(loaded) = &transcript
            && let Some(first) = loaded.transcript().warnings.first()
        {
            let count = loaded.transcript().warnings.len();
            let more = if count > 1 {
                format!(" (and {} more)", count - 1)
            } else {
                String::new()
            };
            self.report(format!(
                "{}: line {}: {}{more}",
                loaded.path.display(),
                first.line,
                first.message
            ));
        }
        self.episode = Episode {
            audio: audio.as_ref().map(|(path, _)| path.clone()),
            transcript,
        };
        let recent = self.episode.recent();
        log::info!(
            "opened audio {:?}, transcript {:?}",
            recent.audio,
            recent.transcript
        );
        if let Some(loaded) = self.episode.transcript.as_mut() {
            let link = open::audio_link(&loaded.path, self.episode.audio.as_deref());
            loaded.document.set_audio(link);
        }
        // A transcript kept from the episode before goes on with its journal.
        if let Some(loaded) = self.episode.transcript.as_mut()
            && loaded.document.journal().is_none()
        {
            let outcome = self.editing.start_journal(Some(loaded));
            self.on_edit(outcome);
        }
        self.edits.backups = self.editing.backups_of(self.episode.transcript.as_ref());
        self.generation += 1;
        self.search.reset();
        self.word_cache = None;
        let recent = self.episode.recent();
        let key = recent.key();
        self.update_title();
        self.settings.note_opened(recent);
        let remembered = key
            .as_deref()
            .and_then(|key| self.settings.episode(key))
            .cloned();
        if let (Some((_, info)), Some(loaded)) = (&audio, &self.episode.transcript)
            && let Some(warning) = past_the_end_warning(loaded, info.duration_ms)
        {
            self.report(warning);
        }
        self.sync_on_open(audio.as_ref().map(|(_, info)| info.duration_ms));
        match audio {
            Some((path, info)) => {
                let start_ms = self.pending_start_ms.take().or_else(|| {
                    remembered
                        .map(|state| state.pos_ms)
                        .filter(|&ms| ms > 0 && ms + RESUME_END_MARGIN_MS < info.duration_ms)
                });
                self.pending_seek_ms = start_ms;
                self.start_waveform(&path);
                self.player.load(path);
            }
            None => {
                self.pending_start_ms = None;
                self.player.unload();
                self.waveform_job = None;
            }
        }
    }

    /// Starts computing (or reading from the cache) the waveform of `path`;
    /// the job asks for a repaint as it fills in.
    fn start_waveform(&mut self, path: &std::path::Path) {
        if let Some(old) = self.waveform_job.take() {
            old.cancel();
        }
        let ctx = self.ctx.clone();
        let options = JobOptions {
            cache_dir: self.cache_root.as_ref().map(|root| root.join("peaks")),
            threads: 0,
            wake: Some(Arc::new(move || ctx.request_repaint())),
        };
        self.waveform_job = Some(WaveformJob::start_with(path, options));
    }

    /// The waveform so far and, while it is being computed, how far along.
    fn waveform(&mut self) -> (Option<Arc<Peaks>>, Option<f32>) {
        let Some(job) = &mut self.waveform_job else {
            return (None, None);
        };
        let peaks = job.peaks();
        if job.is_finished() {
            if let Some(Err(err)) = job.try_finish() {
                let message = format!(
                    "The waveform of {} could not be drawn: {err}",
                    job.path().display()
                );
                self.waveform_job = None;
                self.report(message);
                return (None, None);
            }
            (peaks, None)
        } else {
            (peaks, Some(job.progress()))
        }
    }

    /// The segments as spans tinted by speaker, rebuilt when the transcript,
    /// a speaker's name or the theme changes.
    fn refresh_spans(&mut self, dark_mode: bool) {
        let key = (self.generation, dark_mode, self.revision);
        if self.spans_key == Some(key) {
            return;
        }
        self.spans_key = Some(key);
        self.spans_revision += 1;
        self.spans.clear();
        if let Some(loaded) = &self.episode.transcript {
            self.spans
                .extend(
                    loaded
                        .transcript()
                        .segments
                        .iter()
                        .enumerate()
                        .map(|(index, segment)| TimeSpan {
                            start_ms: segment.start_ms,
                            end_ms: segment.end_ms,
                            color: speaker_color(segment.speaker.map(|s| s.0), dark_mode),
                            segment: Some(index),
                        }),
                );
            if !self.spans.is_sorted_by_key(|span| span.start_ms) {
                self.spans.sort_by_key(|span| span.start_ms);
            }
        }
    }

    /// The overview of the whole episode and the zoomed waveform around the playhead.
    fn waveform_ui(&mut self, ui: &mut egui::Ui, pos_ms: u64, duration_ms: u64) -> Option<u64> {
        let (peaks, progress) = self.waveform();
        self.refresh_spans(ui.visuals().dark_mode);
        self.refresh_marks();
        let selection_ms = self.selection_ms();
        let (pieces, cuts_ms) = self.sync_marks();
        let input = WaveformInput {
            peaks: peaks.as_deref(),
            progress,
            duration_ms,
            pos_ms,
            spans: &self.spans,
            loop_ms: self.player.loop_ms(),
            spans_revision: self.spans_revision,
            marks: self.review_ui.marks(),
            selection_ms,
            pieces,
            cuts_ms,
        };
        let enabled = self.player.audio().is_some();
        let window_ms = (self.settings.zoom_window_secs * 1000.0) as u64;
        let mut asked = None;
        let mut zoom = Default::default();
        ui.add_enabled_ui(enabled, |ui| {
            asked = overview_ui(ui, &input, 36.0);
            zoom = zoom_ui(ui, &input, window_ms, 64.0);
        });
        let super::waveform_view::ZoomOutput {
            seek_ms,
            moved,
            selected,
        } = zoom;
        if let Some(moved) = moved {
            self.move_edge(moved);
        }
        if let Some(range) = selected {
            self.select_range(range);
        }
        seek_ms.or(asked)
    }

    /// Collects finished background work and engine events.
    fn poll(&mut self) {
        self.poll_save();
        self.poll_sync();
        let handed = self.incoming.as_mut().map(|i| i.take(&self.ctx));
        for request in handed.unwrap_or_default() {
            match (request.files.is_empty(), request.start_ms) {
                (false, start_ms) => self.open_paths(request.files, start_ms),
                (true, Some(pos_ms)) => self.player.seek(pos_ms),
                (true, None) => {}
            }
        }
        while let Some(result) = self.opener.try_recv() {
            match result {
                OpenResult::Episode(opened) => self.install(*opened),
                OpenResult::Failed(message) => self.report(message),
                OpenResult::Picked(paths) => {
                    if !paths.is_empty() {
                        self.open_paths(paths, None);
                    }
                }
                OpenResult::SaveTo(Some(path)) => self.save_to(&path),
                OpenResult::ExportTo(Some(path)) => self.export_to(&path),
                OpenResult::SaveTo(None) | OpenResult::ExportTo(None) => {}
            }
        }
        for news in self.player.poll() {
            match news {
                PlayerNews::Loaded => {
                    if let Some(pos_ms) = self.pending_seek_ms.take() {
                        self.player.seek(pos_ms);
                    }
                    let duration_ms = self.player.duration_ms().unwrap_or(0);
                    let device = match self.player.device() {
                        DeviceState::Open { name } => Some(name.as_str()),
                        _ => None,
                    };
                    self.trace.log(&TraceEvent::Opened {
                        duration_ms,
                        device,
                    });
                }
                PlayerNews::LoadFailed(message) | PlayerNews::Failed(message) => {
                    self.report(message)
                }
                PlayerNews::Ended => {}
            }
        }
    }

    /// What is being heard, as the list shows it.
    fn current(&mut self, pos_ms: u64) -> Option<Current> {
        let loaded = self.episode.transcript.as_ref()?;
        self.player.audio()?;
        let timeline = &loaded.timeline;
        let (segment, speaking) = match timeline.segment_at(pos_ms) {
            Some(segment) => (segment, true),
            None => {
                // In a pause between two lines the one before stays faintly
                // marked; once no line is left to hear, nothing is.
                let end_ms = self.player.duration_ms().unwrap_or(u64::MAX);
                let next_start_ms = timeline
                    .next_segment(pos_ms)
                    .map(|next| loaded.transcript().segments[next].start_ms);
                if next_start_ms.is_none_or(|start_ms| start_ms >= end_ms) {
                    return None;
                }
                (timeline.segment_before(pos_ms)?, false)
            }
        };
        let data = &loaded.transcript().segments[segment];
        let mut word = None;
        if speaking {
            if data.words.iter().any(|w| w.start_ms.is_some()) {
                if let Some(index) = timeline.word_at(segment, pos_ms) {
                    let stale = !matches!(&self.word_cache, Some((g, s, _)) if *g == self.generation && *s == segment);
                    if stale {
                        let ranges = word_ranges(&data.text, data.words.iter().map(|w| &*w.text));
                        self.word_cache = Some((self.generation, segment, ranges));
                    }
                    word = self
                        .word_cache
                        .as_ref()
                        .and_then(|(_, _, ranges)| ranges.get(index).cloned().flatten())
                        .map(|bytes| WordMark {
                            bytes,
                            estimated: false,
                        });
                }
            } else if data.duration_ms() >= ESTIMATE_MIN_MS {
                let fraction = (pos_ms - data.start_ms) as f64 / data.duration_ms() as f64;
                word = estimated_word(&data.text, fraction).map(|bytes| WordMark {
                    bytes,
                    estimated: true,
                });
            }
        }
        Some(Current {
            segment,
            speaking,
            word,
        })
    }

    /// Does what a key, button or click asked for.
    fn apply(&mut self, action: Action) {
        let pos_ms = self.player.position_ms();
        let skip_ms = (self.settings.skip_secs * 1000.0) as u64;
        let timeline = self.episode.transcript.as_ref().map(|t| &t.timeline);
        let segment_start = |segment: Option<usize>| {
            let loaded = self.episode.transcript.as_ref()?;
            Some(loaded.transcript().segments[segment?].start_ms)
        };
        match action {
            Action::PlayPause => {
                if self.player.is_playing() {
                    self.player.pause();
                } else {
                    let rewind_ms = (self.settings.rewind_on_resume_secs * 1000.0) as u64;
                    self.player.play(rewind_ms);
                    self.view.follow_again();
                }
            }
            Action::SkipBack => self.player.seek(pos_ms.saturating_sub(skip_ms)),
            Action::SkipForward => self.player.seek(pos_ms + skip_ms),
            Action::PreviousSegment => {
                let target = timeline.and_then(|t| t.previous_segment(pos_ms.saturating_sub(1000)));
                if let Some(start_ms) = segment_start(target) {
                    self.player.seek(start_ms);
                    self.view.follow_again();
                }
            }
            Action::NextSegment => {
                if let Some(start_ms) = segment_start(timeline.and_then(|t| t.next_segment(pos_ms)))
                {
                    self.player.seek(start_ms);
                    self.view.follow_again();
                }
            }
            Action::NextSpeaker => {
                let target = timeline.and_then(|t| t.next_speaker_change(pos_ms));
                if let Some(start_ms) = segment_start(target) {
                    self.player.seek(start_ms);
                    self.view.follow_again();
                }
            }
            Action::SpeedUp | Action::SpeedDown => {
                let speed = Settings::step_speed(self.player.speed(), action == Action::SpeedUp);
                self.set_speed(speed);
            }
            Action::ToStart => self.player.seek(0),
            Action::ToEnd => {
                if let Some(duration_ms) = self.player.duration_ms() {
                    self.player.seek(duration_ms);
                }
            }
            Action::Find | Action::Replace => {
                self.search.open = true;
                self.search.replacing |= action == Action::Replace;
                self.focus_search = true;
            }
            Action::FindNext | Action::FindPrevious => {
                self.search.open = true;
                let found = if action == Action::FindNext {
                    self.search.go_next()
                } else {
                    self.search.go_previous()
                };
                if let Some(segment) = found.map(|m| m.segment) {
                    self.view.reveal(segment);
                }
            }
            Action::Open => {
                let folder = self
                    .episode
                    .recent()
                    .key()
                    .and_then(|key| PathBuf::from(key).parent().map(PathBuf::from));
                self.opener.pick_files(folder);
            }
            Action::ShowShortcuts => self.shortcuts_open = !self.shortcuts_open,
            Action::Quit => self.ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Action::TextLarger | Action::TextSmaller => {
                self.settings.step_text_scale(action == Action::TextLarger)
            }
            Action::TextReset => self.settings.text_scale = 1.0,
            Action::Undo | Action::Redo => self.undo_redo(action == Action::Undo),
            Action::Save => self.save(),
            Action::SaveAs => self.pick_save_path(),
            Action::ToggleLoop => {
                if self.player.loop_ms().is_some() {
                    self.player.set_loop(None);
                } else if let Some(loaded) = &self.episode.transcript {
                    let timeline = &loaded.timeline;
                    let line = timeline
                        .segment_at(pos_ms)
                        .or_else(|| timeline.segment_before(pos_ms));
                    if let Some(segment) = line.map(|line| &loaded.transcript().segments[line]) {
                        self.player.set_loop(Some(segment.start_ms..segment.end_ms));
                        self.view.follow_again();
                    }
                }
            }
            Action::Close => {
                if self.close_editor().is_some()
                    || self.markers_panel.cancel_typing(&self.ctx)
                    || self.close_review()
                {
                    // Escape cancels the line being edited, keeps the marker
                    // being added without a note, or drops the in/out points.
                } else if self.shortcuts_open {
                    self.shortcuts_open = false;
                } else if self.dialog.is_some() {
                    self.dismiss_dialog();
                } else {
                    self.search.close();
                }
            }
            Action::EditLine => {
                if let Some(segment) = self.target_line() {
                    self.edit_line(segment);
                }
            }
            Action::Speaker(_)
            | Action::StartHere
            | Action::EndHere
            | Action::MergeNext
            | Action::InsertLine
            | Action::DeleteLine
            | Action::Nudge { .. } => self.edit_by_key(action),
            Action::AddMarker
            | Action::SetIn
            | Action::SetOut
            | Action::NoteOnLine
            | Action::ToggleMarkers
            | Action::NextMarker
            | Action::PreviousMarker
            | Action::ToggleReviewed
            | Action::ReviewedUpToHere
            | Action::NextUnreviewed => self.review_by_key(action, self.target_line()),
            Action::CheckSync => self.check_sync(),
        }
    }

    fn set_speed(&mut self, speed: f64) {
        self.player.set_speed(speed);
        self.settings.speed = self.player.speed();
    }

    /// Plays from the word at `byte` of line `segment` (Alt+click).
    fn seek_word(&mut self, segment: usize, byte: usize) {
        let seek = self
            .episode
            .transcript
            .as_ref()
            .and_then(|t| t.transcript().segments.get(segment))
            .and_then(|s| word_seek(s, byte));
        let Some(seek) = seek else {
            return;
        };
        self.go_and_play(seek.start_ms);
    }

    fn seek_segment(&mut self, segment: usize) {
        let Some(start_ms) = self
            .episode
            .transcript
            .as_ref()
            .and_then(|t| t.transcript().segments.get(segment))
            .map(|s| s.start_ms)
        else {
            return;
        };
        if let Some(end_ms) = self.player.duration_ms()
            && start_ms >= end_ms
        {
            let with_hours = start_ms >= 3_600_000;
            self.report(format!(
                "Line {} starts at {}, after the end of the audio ({}).",
                segment + 1,
                clock_label(start_ms, with_hours),
                clock_label(end_ms, with_hours)
            ));
            return;
        }
        self.go_and_play(start_ms);
    }

    /// Goes to `pos_ms`, plays when the setting says a click plays, and follows.
    fn go_and_play(&mut self, pos_ms: u64) {
        self.player.seek(pos_ms);
        if self.settings.click_plays && !self.player.is_playing() {
            self.player.play(0);
        }
        self.view.follow_again();
    }

    fn apply_transport(&mut self, action: TransportAction) {
        match action {
            TransportAction::Do(action) => self.apply(action),
            TransportAction::Seek(pos_ms) => self.player.seek(pos_ms),
            TransportAction::SetSpeed(speed) => self.set_speed(speed),
            TransportAction::SetVolume(volume) => {
                self.player.set_volume(volume);
                self.settings.volume = self.player.volume();
            }
        }
    }

    fn apply_theme(&mut self, ctx: &egui::Context) {
        if self.applied_theme == Some(self.settings.theme) {
            return;
        }
        ctx.set_theme(match self.settings.theme {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        });
        self.applied_theme = Some(self.settings.theme);
    }

    /// Asks for the next frame only when something will change: the next
    /// line or word boundary, the next second on the clock, or the playhead.
    fn schedule_repaint(
        &self,
        ctx: &egui::Context,
        pos_ms: u64,
        current: Option<&Current>,
        frame_clock: &FrameClock,
    ) {
        if !self.player.is_playing() {
            return;
        }
        // Multiples of the step include every whole second, when the clock label changes.
        let step_ms = self.playhead_step_ms;
        let mut next_ms = (pos_ms / step_ms + 1) * step_ms;
        if let Some(loaded) = &self.episode.transcript {
            if let Some(change_ms) = loaded.timeline.next_change_ms(pos_ms) {
                next_ms = next_ms.min(change_ms);
            }
            if let Some(word_ms) =
                current.and_then(|c| loaded.timeline.next_word_start_ms(c.segment, pos_ms))
            {
                next_ms = next_ms.min(word_ms);
            }
        }
        ctx.request_repaint_after(frame_clock.next_in(
            pos_ms,
            next_ms,
            self.player.speed(),
            Instant::now(),
        ));
    }

    fn menu_ui(&mut self, ui: &mut egui::Ui) {
        let document = self.episode.transcript.as_ref().map(|t| &t.document);
        let input = MenuInput {
            recent: &self.settings.recent,
            theme: self.settings.theme,
            busy: self.is_busy(),
            saving: self.editing.is_saving_slowly(),
            device: self.player.device(),
            can_save: self.episode.transcript.is_some(),
            can_revert: self.has_unsaved_changes(),
            backups: &self.edits.backups,
            can_undo: document.is_some_and(Document::can_undo),
            can_redo: document.is_some_and(Document::can_redo),
            can_check_sync: self.episode.audio.is_some() && self.episode.transcript.is_some(),
            sync_running: self.sync_running(),
        };
        let Some(action) = menu_ui(ui, &input) else {
            return;
        };
        match action {
            MenuAction::Do(action) => self.apply(action),
            MenuAction::OpenRecent(recent) => {
                self.opener.open_episode(recent.audio, recent.transcript)
            }
            MenuAction::SetTheme(theme) => self.settings.theme = theme,
            MenuAction::OpenSettings => self.settings_window.open(),
            MenuAction::About => {
                self.dialog = Some(Dialog::About(About {
                    data_dir: super::settings_dir(),
                    cache_dir: self.cache_root.clone(),
                }))
            }
            MenuAction::RetryDevice => self.player.reopen_device(),
            MenuAction::Revert => self.revert(),
            MenuAction::FixTiming => self.timing.open = true,
            MenuAction::Restore(backup) => self.restore(&backup),
            MenuAction::Export => self.review_ui.export.open = true,
            MenuAction::CancelSync => self.cancel_sync(),
        }
    }

    fn errors_ui(&mut self, ui: &mut egui::Ui) {
        let mut dismissed = None;
        for (index, message) in self.errors.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, message.as_str());
                if ui.small_button("Dismiss").clicked() {
                    dismissed = Some(index);
                }
            });
        }
        if let Some(index) = dismissed {
            self.errors.remove(index);
        }
    }

    fn legend_ui(&mut self, ui: &mut egui::Ui, duration_ms: u64) {
        let progress = self.progress(duration_ms);
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let dark = ui.visuals().dark_mode;
        let mut back_to_playing = false;
        ui.horizontal_wrapped(|ui| {
            ui.weak("Speakers:");
            for (index, name) in loaded.transcript().speakers.iter().enumerate() {
                let colour = speaker_color(Some(index as u32), dark);
                let (dot, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                ui.painter().circle_filled(dot.center(), 4.5, colour);
                let text = egui::RichText::new(name.as_str()).color(colour);
                let response = ui
                    .add(egui::Button::new(text).frame(false))
                    .on_hover_text("Click to rename this speaker everywhere");
                response.widget_info(|| {
                    WidgetInfo::labeled(Role::Button, true, format!("Speaker {name}"))
                });
                if response.clicked() {
                    self.dialog = Some(Dialog::rename(SpeakerId(index as u32), name));
                }
            }
            let count = line_count_label(&self.search, loaded.transcript());
            ui.weak(format!("· {count}"));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Some(progress) = progress {
                    ui.weak(progress.label());
                }
                if !self.view.follow && self.heard.is_some() {
                    let button = ui
                        .button("Back to playing")
                        .on_hover_text("Follow the line being heard again");
                    button
                        .widget_info(|| WidgetInfo::labeled(Role::Button, true, "Back to playing"));
                    if button.clicked() {
                        back_to_playing = true;
                    }
                }
            });
        });
        if back_to_playing {
            self.view.follow_again();
            self.ctx.request_repaint();
        }
    }

    fn search_ui(&mut self, ui: &mut egui::Ui) {
        let Some(loaded) = &self.episode.transcript else {
            return;
        };
        let focus = std::mem::take(&mut self.focus_search);
        match search_bar_ui(ui, &mut self.search, loaded.transcript(), focus) {
            Some(SearchBarAction::Reveal(segment)) => self.view.reveal(segment),
            Some(SearchBarAction::Seek(segment)) => {
                self.player
                    .seek(loaded.transcript().segments[segment].start_ms);
                self.view.follow_again();
            }
            Some(SearchBarAction::Replace { all }) => self.replace(all),
            None => {}
        }
    }

    fn drop_ui(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|file| file.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.open_paths(dropped, None);
        }
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if hovering {
            let screen = ctx.content_rect();
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("drop"),
            ));
            painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
            painter.text(
                screen.center(),
                egui::Align2::CENTER_CENTER,
                "Drop audio and/or a transcript to open",
                egui::FontId::proportional(24.0),
                egui::Color32::WHITE,
            );
        }
    }

    fn empty_ui(&mut self, ui: &mut egui::Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.3);
            if self.player.audio().is_some() {
                ui.label("No transcript is open: the waveform and the transport still work.");
                ui.label("Open one with Ctrl+O, or drop it on this window.");
            } else {
                ui.heading("Open a recording and its transcript");
                ui.label("Ctrl+O, or drop the files on this window.");
            }
            if ui.button("Open…").clicked() {
                self.apply(Action::Open);
            }
        });
    }
}

/// "12 lines of episode.txt start after the end of the audio (from line
/// 223 at 1:32:10; the audio ends at 1:31:46)", or `None` when every line
/// starts within the audio.
fn past_the_end_warning(loaded: &LoadedTranscript, audio_end_ms: u64) -> Option<String> {
    let segments = &loaded.transcript().segments;
    let is_past = |segment: &&crate::transcript::Segment| segment.start_ms >= audio_end_ms;
    let first = segments.iter().position(|s| is_past(&s))?;
    let count = segments.iter().filter(is_past).count();
    let with_hours = segments[first].start_ms >= 3_600_000;
    let name = loaded.path.file_name().map_or_else(
        || loaded.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let lines = if count == 1 { "line" } else { "lines" };
    let verb = if count == 1 { "starts" } else { "start" };
    Some(format!(
        "{} {lines} of {name} {verb} after the end of the audio (from line {} at {}; the audio ends at {}).",
        count,
        first + 1,
        clock_label(segments[first].start_ms, with_hours),
        clock_label(audio_end_ms, with_hours),
    ))
}

/// The window is drawn by a CPU rasteriser (Mesa's llvmpipe or softpipe,
/// Windows' GDI "Generic" renderer, Apple's software renderer), or its
/// renderer is unknown (tests without a window).
fn drawn_in_software(cc: &eframe::CreationContext<'_>) -> bool {
    use eframe::glow::HasContext as _;
    let Some(gl) = &cc.gl else {
        return true;
    };
    // SAFETY: the context is current while the app is created; RENDERER is a
    // constant string query with no other effect.
    let renderer = unsafe { gl.get_parameter_string(eframe::glow::RENDERER) }.to_lowercase();
    [
        "llvmpipe",
        "softpipe",
        "software",
        "gdi generic",
        "swiftshader",
        "lavapipe",
    ]
    .iter()
    .any(|name| renderer.contains(name))
}

/// `$EARMARK_CACHE_DIR`, else the user's cache folder's `earmark`.
/// A panel's frame without its fill: the window is cleared to the panel
/// colour (`clear_color`), so painting it again over every pixel only costs
/// time, which a software renderer (Mesa llvmpipe) pays on every frame.
fn unfilled(frame: egui::Frame) -> egui::Frame {
    frame.fill(egui::Color32::TRANSPARENT)
}

fn default_cache_root() -> Option<PathBuf> {
    match std::env::var_os("EARMARK_CACHE_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|dir| dir.join("earmark")),
    }
}

impl eframe::App for EarmarkApp {
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    /// Before each frame, and while the window is covered or minimised
    /// (when eframe runs only this): files handed over and work finished in
    /// the background are taken in, so a hidden window still opens them.
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll();
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.apply_theme(&ctx);
        let after_commit = self.view.take_after_commit();
        if !after_commit.is_empty() {
            ctx.input_mut(|i| {
                i.events.splice(0..0, after_commit);
            });
        }
        self.settings_window.take_key(&ctx, &mut self.settings);
        for action in shortcuts::take_actions(&ctx, &self.settings.own_keys) {
            self.apply(action);
        }
        self.media_actions();
        self.confirm_close(&ctx);
        self.check_disk(&ctx);
        self.pause_while_typing(&ctx);
        self.drop_ui(&ctx);
        let clock = self.player.clock();
        let frame_clock = FrameClock::begin(Instant::now(), frame.info().cpu_usage);
        let pos_ms = frame_clock.shown_ms(&clock, self.player.speed()).min(
            self.player
                .duration_ms()
                .unwrap_or(u64::MAX)
                .max(clock.pos_ms),
        );
        let current = self.current(pos_ms);

        let duration_ms = self
            .player
            .duration_ms()
            .or_else(|| {
                self.episode
                    .transcript
                    .as_ref()
                    .and_then(|t| t.transcript().segments.iter().map(|s| s.end_ms).max())
            })
            .unwrap_or(0);
        egui::Panel::top("menu")
            .frame(unfilled(egui::Frame::side_top_panel(ui.style())))
            .show(ui, |ui| self.menu_ui(ui));
        if !self.errors.is_empty() {
            egui::Panel::top("errors")
                .frame(unfilled(egui::Frame::side_top_panel(ui.style())))
                .show(ui, |ui| self.errors_ui(ui));
        }
        self.sync_hint_ui(ui);
        if self.episode.transcript.is_some() {
            egui::Panel::top("legend")
                .frame(unfilled(egui::Frame::side_top_panel(ui.style())))
                .show(ui, |ui| self.legend_ui(ui, duration_ms));
        }
        if self.search.open && self.episode.transcript.is_some() {
            egui::Panel::top("search")
                .frame(unfilled(egui::Frame::side_top_panel(ui.style())))
                .show(ui, |ui| self.search_ui(ui));
        }
        let transport = egui::Panel::bottom("transport")
            .frame(unfilled(egui::Frame::side_top_panel(ui.style())))
            .show(ui, |ui| {
                ui.add_space(4.0);
                if let Some(pos_ms) = self.waveform_ui(ui, pos_ms, duration_ms) {
                    self.player.seek(pos_ms);
                }
                ui.add_space(2.0);
                let input = TransportInput {
                    pos_ms,
                    duration_ms,
                    playing: self.player.is_playing(),
                    has_audio: self.player.audio().is_some(),
                    has_transcript: self.episode.transcript.is_some(),
                    speed: self.player.speed(),
                    volume: self.player.volume(),
                    skip_secs: self.settings.skip_secs,
                    loop_ms: self.player.loop_ms(),
                };
                transport_ui(ui, &input)
            })
            .inner;
        for action in transport {
            self.apply_transport(action);
        }
        if self.episode.transcript.is_some() {
            self.sync_panel_ui(ui);
        }
        if self.markers_panel.open && self.episode.transcript.is_some() {
            egui::Panel::right("markers")
                .default_size(360.0)
                .show(ui, |ui| self.markers_ui(ui, pos_ms, duration_ms));
        }
        let mut view_action = None;
        let mut list_top = 0.0;
        egui::CentralPanel::default()
            .frame(unfilled(egui::Frame::central_panel(ui.style())))
            .show(ui, |ui| {
                list_top = ui.available_rect_before_wrap().top();
                let Some(loaded) = &self.episode.transcript else {
                    self.empty_ui(ui);
                    return;
                };
                let input = ViewInput {
                    transcript: loaded.transcript(),
                    generation: self.generation,
                    revision: self.revision,
                    current: current.clone(),
                    search: &self.search,
                    with_hours: duration_ms >= 3_600_000,
                    audio_end_ms: self.player.duration_ms(),
                    text_scale: self.settings.text_scale,
                    review: Some(loaded.document.review()),
                };
                view_action = self.view.ui(ui, &input);
            });
        match view_action {
            Some(ViewAction::SeekSegment(segment)) => {
                self.trace.log(&TraceEvent::Click { segment });
                self.seek_segment(segment);
            }
            Some(ViewAction::SeekWord { segment, byte }) => {
                self.trace.log(&TraceEvent::Click { segment });
                self.seek_word(segment, byte);
            }
            Some(ViewAction::Edit(segment)) => self.edit_line(segment),
            Some(ViewAction::CommitText(segment)) => self.commit_line(segment),
            Some(ViewAction::SplitAt { segment, byte }) => self.split_line(segment, byte),
            Some(ViewAction::SetSpeaker { segment, name }) => self.set_speaker(segment, &name),
            Some(ViewAction::Line { segment, action }) => self.edit_line_by(action, Some(segment)),
            None => {}
        }
        if self.trace.is_on() {
            self.trace.log(&TraceEvent::Frame {
                clock_ms: pos_ms,
                published_ms: clock.pos_ms,
            });
            let ppp = ctx.pixels_per_point();
            let rows = self
                .view
                .visible_rows()
                .iter()
                .map(|&(segment, rect)| RowPlace {
                    segment,
                    x: rect.left() * ppp,
                    y: rect.top() * ppp,
                    w: rect.width() * ppp,
                    h: rect.height() * ppp,
                })
                .collect();
            self.trace.rows(rows);
            let highlighted = current.as_ref().filter(|c| c.speaking).map(|c| c.segment);
            self.trace
                .highlight(highlighted, pos_ms, frame_clock.lead(), self.player.speed());
        }
        self.crash_notice
            .offer(&mut self.dialog, self.opener.is_busy());
        self.dialog_ui(&ctx);
        if self.shortcuts_open {
            shortcuts::overlay_ui(&ctx, &mut self.shortcuts_open, &self.settings);
        }
        self.settings_window.ui(&ctx, &mut self.settings, list_top);
        self.timing_ui(&ctx, list_top);
        self.marker_note_ui(&ctx, list_top);
        self.export_ui(&ctx, list_top);
        self.schedule_repaint(&ctx, pos_ms, current.as_ref(), &frame_clock);
        self.media_update(pos_ms, current.as_ref());
        self.heard = current;
        self.review_as_played(pos_ms);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.remember_position();
        eframe::set_value(storage, STORAGE_KEY, &self.settings);
    }
}
