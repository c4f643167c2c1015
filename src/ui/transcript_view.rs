//! The transcript as a virtualised, wrapping list: only the rows on screen
//! are laid out; the others have estimated heights kept in prefix sums, so a
//! 100 000-line transcript scrolls as fast as a short one. Owns only view
//! state (heights, scroll, following); clicks come back as [`ViewAction`]s.

use std::ops::Range;

use eframe::egui::{
    self, Color32, FontId, Rect, Role, ScrollArea, Sense, Stroke, TextFormat, TextStyle,
    WidgetInfo, pos2, text::LayoutJob, vec2,
};

use super::line_menu::line_menu_ui;
use super::line_review::line_review_ui;
use super::search::Search;
use super::style::{clock_label, speaker_color};
use crate::transcript::{SpeakerId, Transcript};

/// The width of the column holding the speaker and the start time.
const LEFT_COLUMN: f32 = 150.0;
/// Space above and below each row's text.
const ROW_PAD_Y: f32 = 5.0;
/// Space left and right of the row's content.
const ROW_PAD_X: f32 = 8.0;
/// Where a followed line is placed, as a fraction of the list's height from its top.
const FOLLOW_ANCHOR: f32 = 0.25;
/// A followed line lower than this fraction of the list's height is scrolled back up.
const FOLLOW_LIMIT: f32 = 0.85;

/// The word being heard inside the current line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordMark {
    /// Bytes of the segment's text.
    pub bytes: Range<usize>,
    /// True when guessed from the position in the text (no word times).
    pub estimated: bool,
}

/// What is being heard, as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// The segment highlighted.
    pub segment: usize,
    /// False in a pause after the segment ended (shown fainter).
    pub speaking: bool,
    /// The word being heard, if known or estimated.
    pub word: Option<WordMark>,
}

/// What the user asked for in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewAction {
    /// A line was clicked (or activated from the keyboard): go to its start.
    SeekSegment(usize),
    /// A word was Alt+clicked: go to that word ([`word_seek`] says when).
    SeekWord {
        /// The line.
        segment: usize,
        /// A byte of the line's text inside (or just after) the word.
        byte: usize,
    },
    /// A line was double-clicked: edit its text.
    Edit(usize),
    /// The line editor was confirmed (Enter): the line's new text.
    CommitText(usize),
    /// Ctrl+Enter in the line editor: keep the text, then split the line
    /// at the cursor (`byte` of the editor's text).
    SplitAt {
        /// The line.
        segment: usize,
        /// Where in the typed text.
        byte: usize,
    },
    /// The line's speaker, chosen or typed in its context menu.
    SetSpeaker {
        /// The line.
        segment: usize,
        /// The speaker's name (a new one adds a speaker).
        name: String,
    },
    /// A line edit that has a key, chosen in the line's context menu.
    Line {
        /// The line.
        segment: usize,
        /// The edit.
        action: super::shortcuts::Action,
    },
}

/// A line's text being edited in place (F2, or a double click): Enter
/// keeps it, Shift+Enter breaks the line, Escape cancels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEditor {
    /// The line.
    pub segment: usize,
    /// The text as typed so far.
    pub text: String,
    /// The editor has been given the keyboard (on its first frame).
    focused: bool,
}

/// Where a seek to a word lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordSeek {
    /// The word's start.
    pub start_ms: u64,
    /// True when guessed from the word's place in the text (no word times).
    pub estimated: bool,
}

/// When the word at `byte` of `segment`'s text starts: its own time when the
/// file has word times, otherwise estimated from its share of the text
/// (the inverse of [`estimated_word`], so the word marked is the one
/// clicked). `None` on an empty line.
pub fn word_seek(segment: &crate::transcript::Segment, byte: usize) -> Option<WordSeek> {
    let text = &segment.text;
    let byte = floor_char_boundary(text, byte.min(text.len()));
    if segment.words.iter().any(|w| w.start_ms.is_some()) {
        let ranges = word_ranges(text, segment.words.iter().map(|w| &*w.text));
        // The word containing the byte, else the last one that starts before it.
        let index = ranges
            .iter()
            .enumerate()
            .filter_map(|(i, range)| Some((i, range.as_ref()?)))
            .filter(|(_, range)| range.start <= byte)
            .map(|(i, _)| i)
            .next_back()
            .unwrap_or(0);
        let start_ms = segment.words[index..]
            .iter()
            .chain(segment.words[..index].iter().rev())
            .find_map(|w| w.start_ms)?;
        return Some(WordSeek {
            start_ms: u64::from(start_ms),
            estimated: false,
        });
    }
    let chars = text.chars().count();
    if chars == 0 {
        return None;
    }
    let mut word = word_around(text, byte);
    if word.is_empty() {
        // Between words or past the end: the word before, else the next one.
        let before = text[..byte].trim_end();
        word = if before.is_empty() {
            estimated_word(text, 0.0)?
        } else {
            word_around(
                text,
                floor_char_boundary(text, before.len().saturating_sub(1)),
            )
        };
    }
    let word_chars = text[..word.start].chars().count();
    let fraction = (word_chars as f64 + 0.5) / chars as f64;
    Some(WordSeek {
        start_ms: segment.start_ms + (fraction * segment.duration_ms() as f64) as u64,
        estimated: true,
    })
}

/// The largest char boundary at or before `byte`.
fn floor_char_boundary(text: &str, mut byte: usize) -> usize {
    while byte > 0 && !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// What the list draws this frame (borrowed from the app).
pub struct ViewInput<'a> {
    /// The transcript.
    pub transcript: &'a Transcript,
    /// Changes whenever the transcript is replaced.
    pub generation: u64,
    /// Changes whenever the transcript is edited (the rows may change; the
    /// view keeps its place).
    pub revision: u64,
    /// What is being heard.
    pub current: Option<Current>,
    /// Matches to highlight and the speaker filter.
    pub search: &'a Search,
    /// Show clock times with hours.
    pub with_hours: bool,
    /// The length of the audio: lines starting at or after it cannot be
    /// reached and are shown so. `None` without audio.
    pub audio_end_ms: Option<u64>,
    /// The text's size relative to the body text (Ctrl +/−).
    pub text_scale: f32,
    /// The review: reviewed lines get a tick, markers a badge.
    pub review: Option<&'a crate::review::ReviewState>,
}

/// The list's view state.
#[derive(Debug)]
pub struct TranscriptView {
    /// Segment indices shown, in file order (after the speaker filter).
    rows: Vec<u32>,
    /// For each segment its row, or `u32::MAX` when filtered out.
    row_of_segment: Vec<u32>,
    rows_key: Option<(u64, u64, Option<Option<SpeakerId>>)>,
    /// Each row's height: measured once drawn, estimated before.
    heights: Vec<f32>,
    /// `prefix[i]` is the top of row `i`; `prefix[rows.len()]` the total.
    prefix: Vec<f32>,
    prefix_dirty: bool,
    /// The width and text size the heights were computed for.
    layout_key: Option<(f32, f32)>,
    /// The view keeps the line being heard in sight.
    pub follow: bool,
    followed: Option<usize>,
    /// Scroll to this offset on the next frame.
    pending_scroll_y: Option<f32>,
    last_offset_y: f32,
    viewport: Rect,
    /// A row to bring into view on the next frame (search results).
    reveal_row: Option<usize>,
    /// The rows drawn last frame: segment and screen rectangle.
    visible: Vec<(usize, Rect)>,
    /// The ids of the rows drawn last frame, with their lines: which line
    /// egui's keyboard focus is on.
    row_ids: Vec<(egui::Id, usize)>,
    /// The line being edited, if any.
    pub editor: Option<LineEditor>,
    /// The new speaker's name being typed in a line's context menu.
    new_speaker: String,
    /// A line whose row takes the keyboard focus when next drawn.
    select: Option<usize>,
    /// Input that came after the Enter that closed the editor, in the same
    /// frame: given back on the next one ([`TranscriptView::take_after_commit`]).
    after_commit: Vec<egui::Event>,
}

impl Default for TranscriptView {
    fn default() -> Self {
        TranscriptView {
            rows: Vec::new(),
            row_of_segment: Vec::new(),
            rows_key: None,
            heights: Vec::new(),
            prefix: vec![0.0],
            prefix_dirty: false,
            layout_key: None,
            follow: true,
            followed: None,
            pending_scroll_y: None,
            last_offset_y: 0.0,
            viewport: Rect::NOTHING,
            reveal_row: None,
            visible: Vec::new(),
            row_ids: Vec::new(),
            editor: None,
            new_speaker: String::new(),
            select: None,
            after_commit: Vec::new(),
        }
    }
}

impl TranscriptView {
    /// Scrolls `segment` into view (it stops following: the user is looking
    /// elsewhere). A line wholly on screen stays where it is.
    pub fn reveal(&mut self, segment: usize) {
        if let Some(&row) = self.row_of_segment.get(segment)
            && let (Some(&top), Some(&bottom)) = (
                self.prefix.get(row as usize),
                self.prefix.get(row as usize + 1),
            )
            && !self.prefix_dirty
            && self.viewport.top() <= top
            && bottom <= self.viewport.bottom()
        {
            return;
        }
        if let Some(&row) = self.row_of_segment.get(segment)
            && row != u32::MAX
        {
            self.reveal_row = Some(row as usize);
            self.follow = false;
        }
    }

    /// Brings `segment` into view and gives its row the keyboard focus (the
    /// line an undo changed: the keys now act on it).
    pub fn select(&mut self, segment: usize) {
        self.reveal(segment);
        self.select = Some(segment);
    }

    /// Opens the line editor on `segment`, whose text is `text`.
    pub fn edit(&mut self, segment: usize, text: &str) {
        self.editor = Some(LineEditor {
            segment,
            text: text.to_owned(),
            focused: false,
        });
        self.reveal(segment);
    }

    /// Input that followed the editor's Enter in its frame, to be handled
    /// as the next frame's (before its own).
    pub fn take_after_commit(&mut self) -> Vec<egui::Event> {
        std::mem::take(&mut self.after_commit)
    }

    /// Closes the line editor, returning what was typed.
    pub fn take_editor(&mut self) -> Option<LineEditor> {
        self.editor.take()
    }

    /// The line whose row has the keyboard focus (Tab moves it), as the
    /// focus stands now: a row asked to take it ([`TranscriptView::select`])
    /// and not drawn since, else the row among those drawn last frame that
    /// egui's focus is on. Not what the rows saw as they were drawn: an
    /// arrow key moves egui's focus at the end of the frame that drew them,
    /// and a key pressed before the next frame would act on the old line.
    pub fn focused_segment(&self, ctx: &egui::Context) -> Option<usize> {
        if self.select.is_some() {
            return self.select;
        }
        let focused = ctx.memory(|memory| memory.focused())?;
        self.row_ids
            .iter()
            .find(|&&(id, _)| id == focused)
            .map(|&(_, segment)| segment)
    }

    /// Starts following again and brings the current line into view.
    pub fn follow_again(&mut self) {
        self.follow = true;
        self.followed = None;
    }

    /// The rows currently listed (segment indices), for tests and the legend.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The part of the list on screen, in list coordinates (for tests).
    pub fn viewport(&self) -> Rect {
        self.viewport
    }

    /// The rows drawn in the last frame: segment and screen rectangle, clipped to the list.
    pub fn visible_rows(&self) -> &[(usize, Rect)] {
        &self.visible
    }

    /// Draws the list; returns what the user clicked.
    pub fn ui(&mut self, ui: &mut egui::Ui, input: &ViewInput) -> Option<ViewAction> {
        self.ensure_rows(input);
        let body = TextStyle::Body.resolve(ui.style());
        let font_id = FontId::new(body.size * input.text_scale, body.family);
        let text_width = (ui.available_width() - LEFT_COLUMN - 2.0 * ROW_PAD_X - 16.0).max(80.0);
        self.ensure_layout(ui, text_width, &font_id, input.transcript);
        if self.prefix_dirty {
            self.rebuild_prefix();
        }
        self.plan_follow(input.current.as_ref());

        let mut area = ScrollArea::vertical()
            .id_salt("transcript")
            .auto_shrink([false, false]);
        let programmatic = self.pending_scroll_y.take();
        if let Some(offset_y) = programmatic {
            area = area.vertical_scroll_offset(offset_y.max(0.0));
        }
        let mut word_top = None;
        let total_before = self.prefix.last().copied().unwrap_or(0.0);
        let output = area.show_viewport(ui, |ui, viewport| {
            let total = self.prefix.last().copied().unwrap_or(0.0);
            ui.set_min_height(total);
            ui.set_min_width(ui.available_width());
            self.rows_ui(ui, viewport, input, text_width, &font_id, &mut word_top)
        });
        let offset_y = output.state.clamped_offset().y;
        // Any move we did not ask for is the user's (wheel, scroll bar, keys,
        // a screen reader), unless the content's height changed under it.
        let total_after = self.prefix.last().copied().unwrap_or(0.0);
        if programmatic.is_none()
            && (offset_y - self.last_offset_y).abs() > 0.5
            && (total_after - total_before).abs() < 0.5
            && !self.prefix_dirty
        {
            self.follow = false;
        }
        self.last_offset_y = offset_y;
        self.viewport = Rect::from_min_size(pos2(0.0, offset_y), output.inner_rect.size());
        // Inside a line taller than the list, keep the word being heard in sight.
        if self.follow
            && let Some(word_y) = word_top
        {
            let height = self.viewport.height();
            if word_y < offset_y || word_y > offset_y + height * FOLLOW_LIMIT {
                self.pending_scroll_y = Some(word_y - height * FOLLOW_ANCHOR);
            }
        }
        if self.pending_scroll_y.is_some() || self.prefix_dirty {
            ui.ctx().request_repaint();
        }
        output.inner
    }

    /// Rebuilds the rows when the transcript or the speaker filter changed.
    fn ensure_rows(&mut self, input: &ViewInput) {
        let key = (
            input.generation,
            input.revision,
            input.search.speaker_filter,
        );
        if self.rows_key == Some(key) {
            return;
        }
        let segments = &input.transcript.segments;
        let rows_before = self.rows.len();
        self.rows.clear();
        self.row_of_segment = vec![u32::MAX; segments.len()];
        for (index, segment) in segments.iter().enumerate() {
            if input
                .search
                .speaker_filter
                .is_some_and(|speaker| segment.speaker != speaker)
            {
                continue;
            }
            self.row_of_segment[index] = self.rows.len() as u32;
            self.rows.push(index as u32);
        }
        let new_transcript =
            self.rows_key.map(|(generation, _, _)| generation) != Some(input.generation);
        if new_transcript {
            self.follow = true;
            self.pending_scroll_y = Some(0.0);
            self.followed = None;
        }
        // An edit that kept the rows keeps their measured heights (the
        // edited row is measured again when drawn).
        let same_rows = !new_transcript
            && self.rows_key.map(|(_, _, filter)| filter) == Some(input.search.speaker_filter)
            && rows_before == self.rows.len();
        if !same_rows {
            self.layout_key = None;
        }
        self.rows_key = Some(key);
    }

    /// Estimates every row's height when the width or text size changed.
    fn ensure_layout(
        &mut self,
        ui: &egui::Ui,
        text_width: f32,
        font_id: &FontId,
        transcript: &Transcript,
    ) {
        let key = (
            text_width.round(),
            font_id.size * ui.ctx().pixels_per_point(),
        );
        if self.layout_key == Some(key) && self.heights.len() == self.rows.len() {
            return;
        }
        let (char_width, line_height) =
            ui.fonts_mut(|fonts| (fonts.glyph_width(font_id, 'n'), fonts.row_height(font_id)));
        let chars_per_line = (text_width / char_width.max(1.0)).max(1.0);
        self.heights = self
            .rows
            .iter()
            .map(|&segment| {
                // Bytes, not characters: no scan of every line's text.
                let chars = transcript.segments[segment as usize].text.len() as f32;
                let lines = (chars / chars_per_line).ceil().max(1.0);
                lines * line_height + 2.0 * ROW_PAD_Y
            })
            .collect();
        self.layout_key = Some(key);
        self.prefix_dirty = true;
    }

    fn rebuild_prefix(&mut self) {
        self.prefix.clear();
        self.prefix.reserve(self.heights.len() + 1);
        let mut top = 0.0;
        self.prefix.push(top);
        for height in &self.heights {
            top += height;
            self.prefix.push(top);
        }
        self.prefix_dirty = false;
    }

    /// Decides whether to scroll this frame to follow the current line or reveal a row.
    fn plan_follow(&mut self, current: Option<&Current>) {
        if let Some(row) = self.reveal_row.take() {
            let top = self.prefix[row];
            self.pending_scroll_y = Some(top - self.viewport.height() * 0.4);
            return;
        }
        if !self.follow {
            return;
        }
        let Some(current) = current else {
            self.followed = None;
            return;
        };
        if self.followed == Some(current.segment) {
            return;
        }
        self.followed = Some(current.segment);
        let Some(&row) = self.row_of_segment.get(current.segment) else {
            return;
        };
        if row == u32::MAX {
            return;
        }
        let (top, bottom) = (self.prefix[row as usize], self.prefix[row as usize + 1]);
        let view = self.viewport;
        let comfortable = view.height() > 0.0
            && top >= view.top()
            && bottom <= view.top() + view.height() * FOLLOW_LIMIT;
        if !comfortable {
            self.pending_scroll_y = Some(top - view.height().max(0.0) * FOLLOW_ANCHOR);
        }
    }

    /// Draws the rows that intersect `viewport` (list coordinates).
    fn rows_ui(
        &mut self,
        ui: &mut egui::Ui,
        viewport: Rect,
        input: &ViewInput,
        text_width: f32,
        font_id: &FontId,
        word_top: &mut Option<f32>,
    ) -> Option<ViewAction> {
        let origin = ui.max_rect().min;
        let width = ui.available_width().max(LEFT_COLUMN + text_width);
        let first = self
            .prefix
            .partition_point(|&top| top <= viewport.top())
            .saturating_sub(1);
        let mut y = self.prefix.get(first).copied().unwrap_or(0.0);
        let mut action = None;
        let mut row = first;
        self.visible.clear();
        self.row_ids.clear();
        let clip = ui.clip_rect();
        while row < self.rows.len() && y < viewport.bottom() {
            let segment = self.rows[row] as usize;
            let drawn = self.row_ui(
                ui, origin, y, width, text_width, font_id, input, segment, row,
            );
            if let Some(done) = drawn.action {
                action = Some(done);
            }
            if let Some(id) = drawn.id {
                self.row_ids.push((id, segment));
            }
            let rect = Rect::from_min_size(origin + vec2(0.0, y), vec2(width, drawn.height));
            let shown = rect.intersect(clip);
            if shown.is_positive() {
                self.visible.push((segment, shown));
            }
            if let Some(word_y) = drawn.word_y {
                *word_top = Some(y + word_y);
            }
            if (self.heights[row] - drawn.height).abs() > 0.5 {
                self.heights[row] = drawn.height;
                self.prefix_dirty = true;
            }
            y += drawn.height;
            row += 1;
        }
        action
    }

    #[expect(clippy::too_many_arguments, reason = "one row's whole layout")]
    fn row_ui(
        &mut self,
        ui: &mut egui::Ui,
        origin: egui::Pos2,
        top: f32,
        width: f32,
        text_width: f32,
        font_id: &FontId,
        input: &ViewInput,
        segment_index: usize,
        row: usize,
    ) -> DrawnRow {
        let transcript = input.transcript;
        let segment = &transcript.segments[segment_index];
        if self
            .editor
            .as_ref()
            .is_some_and(|editor| editor.segment == segment_index)
        {
            return self.editor_row_ui(
                ui,
                origin,
                top,
                width,
                text_width,
                font_id,
                input,
                segment_index,
            );
        }
        let visuals = ui.visuals().clone();
        let dark = visuals.dark_mode;
        let current = input
            .current
            .as_ref()
            .filter(|current| current.segment == segment_index);
        let speaker_colour = speaker_color(segment.speaker.map(|s| s.0), dark);
        let show_name = row == 0
            || input.search.speaker_filter.is_some()
            || transcript.segments[self.rows[row - 1] as usize].speaker != segment.speaker;
        let speaker_name = transcript.speaker_name(segment.speaker);

        let job = text_job(
            &segment.text,
            text_width,
            font_id,
            &visuals,
            input.search,
            segment_index,
            current.and_then(|c| c.word.as_ref()),
        );
        let galley = ui.painter().layout_job(job);
        let small = FontId::new(font_id.size * 0.85, font_id.family.clone());
        let name_galley = show_name.then(|| {
            let mut job = LayoutJob::single_section(
                speaker_name.to_string(),
                TextFormat::simple(font_id.clone(), speaker_colour),
            );
            // Room at the column's end for the review tick.
            job.wrap.max_width = LEFT_COLUMN - 30.0;
            job.wrap.max_rows = 1;
            job.wrap.break_anywhere = true;
            ui.painter().layout_job(job)
        });
        let time_text = clock_label(segment.start_ms, input.with_hours);
        let estimated = current
            .and_then(|c| c.word.as_ref())
            .is_some_and(|word| word.estimated);
        // The estimate is marked on the time's line, so the row keeps its height.
        let out_of_reach = input
            .audio_end_ms
            .is_some_and(|end_ms| segment.start_ms >= end_ms);
        let problems = crate::review::ops::problems(transcript, segment_index);
        let time_line = if !problems.is_empty() {
            format!("{time_text}   check times")
        } else if estimated {
            format!("{time_text}   ≈ estimated")
        } else if out_of_reach {
            format!("{time_text}   after the end")
        } else {
            time_text.clone()
        };
        let time_galley =
            ui.painter()
                .layout_no_wrap(time_line, small.clone(), visuals.weak_text_color());
        let left_height =
            name_galley.as_ref().map_or(0.0, |g| g.size().y + 2.0) + time_galley.size().y;
        let height = galley.size().y.max(left_height) + 2.0 * ROW_PAD_Y;
        let rect = Rect::from_min_size(origin + vec2(0.0, top), vec2(width, height));

        let id = ui.scope_id().with(("row", segment_index));
        let mut response = ui.interact(rect, id, Sense::click());
        if out_of_reach {
            response = response.on_hover_text("This line starts after the end of the audio");
        }
        if !problems.is_empty() {
            response = response.on_hover_text(format!("This line {}", problems.join(" and ")));
        }
        // The line being heard reads as "pressed" to screen readers (and tests).
        response.widget_info(|| {
            let reach = if out_of_reach {
                " (after the end of the audio)"
            } else {
                ""
            };
            let flagged = if problems.is_empty() {
                String::new()
            } else {
                format!(" (times: {})", problems.join(" and "))
            };
            let mut info = WidgetInfo::labeled(
                Role::Button,
                true,
                format!(
                    "{speaker_name}, {time_text}{reach}{flagged}: {}",
                    segment.text
                ),
            );
            info.selected = current.is_some().then_some(true);
            info
        });
        let mut word_y = None;
        let mut word_byte = None;
        if ui.is_rect_visible(rect) {
            let painter = ui.painter();
            if let Some(current) = current {
                let strength = if current.speaking { 0.35 } else { 0.15 };
                painter.rect_filled(
                    rect,
                    0.0,
                    visuals.selection.bg_fill.gamma_multiply(strength),
                );
                painter.rect_filled(
                    Rect::from_min_size(rect.min, vec2(3.0, rect.height())),
                    0.0,
                    speaker_colour,
                );
            } else if response.hovered() {
                painter.rect_filled(
                    rect,
                    0.0,
                    visuals.widgets.hovered.weak_bg_fill.gamma_multiply(0.5),
                );
            }
            if self.select == Some(segment_index) {
                self.select = None;
                response.request_focus();
            }
            if response.has_focus() {
                painter.rect_stroke(
                    rect.shrink(1.0),
                    2.0,
                    Stroke::new(1.5, visuals.selection.stroke.color),
                    egui::StrokeKind::Inside,
                );
            }
            let mut left_y = rect.top() + ROW_PAD_Y;
            let left_x = rect.left() + ROW_PAD_X;
            if let Some(name) = name_galley {
                let size = name.size();
                painter.galley(pos2(left_x, left_y), name, speaker_colour);
                left_y += size.y + 2.0;
            }
            painter.galley(pos2(left_x, left_y), time_galley, visuals.weak_text_color());
            let text_pos = pos2(rect.left() + LEFT_COLUMN, rect.top() + ROW_PAD_Y);
            if response.clicked() && alt_click(ui) {
                let pointer = response.interact_pointer_pos().unwrap_or(text_pos);
                let cursor = galley.cursor_from_pos(pointer - text_pos);
                word_byte = Some(
                    segment
                        .text
                        .char_indices()
                        .nth(cursor.index.into())
                        .map_or(segment.text.len(), |(byte, _)| byte),
                );
            }
            if let Some(word) = current.and_then(|c| c.word.as_ref()) {
                let char_index = segment.text[..word.bytes.start.min(segment.text.len())]
                    .chars()
                    .count();
                let cursor = galley.pos_from_cursor(egui::text::CCursor::new(char_index));
                word_y = Some(ROW_PAD_Y + cursor.top());
            }
            if out_of_reach {
                painter.galley_with_override_text_color(
                    text_pos,
                    galley,
                    visuals.weak_text_color(),
                );
            } else {
                painter.galley(text_pos, galley, visuals.text_color());
            }
        }
        let review_action = input.review.and_then(|review| {
            let column_right = rect.left() + LEFT_COLUMN - ROW_PAD_X;
            let hovered = response.hovered();
            line_review_ui(
                ui,
                rect,
                column_right,
                review,
                transcript,
                segment_index,
                hovered,
            )
        });
        let mut menu_action = review_action;
        response.context_menu(|ui| {
            menu_action = line_menu_ui(ui, transcript, segment_index, &mut self.new_speaker);
        });
        let action = if menu_action.is_some() {
            menu_action
        } else if response.double_clicked() {
            Some(ViewAction::Edit(segment_index))
        } else if response.clicked() {
            Some(match word_byte {
                Some(byte) => ViewAction::SeekWord {
                    segment: segment_index,
                    byte,
                },
                None => ViewAction::SeekSegment(segment_index),
            })
        } else {
            None
        };
        DrawnRow {
            height,
            action,
            word_y,
            id: Some(id),
        }
    }

    /// The row of the line being edited: its time, and the text in an
    /// editor that has the keyboard. Enter (without Shift) confirms.
    #[expect(clippy::too_many_arguments, reason = "one row's whole layout")]
    fn editor_row_ui(
        &mut self,
        ui: &mut egui::Ui,
        origin: egui::Pos2,
        top: f32,
        width: f32,
        text_width: f32,
        font_id: &FontId,
        input: &ViewInput,
        segment_index: usize,
    ) -> DrawnRow {
        let segment = &input.transcript.segments[segment_index];
        let small = FontId::new(font_id.size * 0.85, font_id.family.clone());
        let visuals = ui.visuals().clone();
        let time_galley = ui.painter().layout_no_wrap(
            format!(
                "{}   editing",
                clock_label(segment.start_ms, input.with_hours)
            ),
            small,
            visuals.weak_text_color(),
        );
        let speaker_colour = speaker_color(segment.speaker.map(|s| s.0), visuals.dark_mode);
        let name_galley = ui.painter().layout_no_wrap(
            input.transcript.speaker_name(segment.speaker).to_owned(),
            font_id.clone(),
            speaker_colour,
        );
        let id = egui::Id::unique("line-editor").with(segment_index);
        // Enter with no modifier at all (Shift+Enter is the editor's newline).
        // What was typed after it in the same frame is no longer the
        // editor's: it is kept for the next frame, where it reaches the
        // shortcuts (a quick Enter, 2 sets the speaker).
        let commit = ui.memory(|m| m.has_focus(id))
            && ui.input_mut(|i| {
                let enter = i.events.iter().position(|event| {
                    matches!(event, egui::Event::Key {
                        key: egui::Key::Enter,
                        pressed: true,
                        modifiers,
                        ..
                    } if modifiers.is_none())
                });
                let Some(enter) = enter else {
                    return false;
                };
                self.after_commit = i.events.split_off(enter + 1);
                i.events.truncate(enter);
                true
            });
        if !self.after_commit.is_empty() {
            ui.ctx().request_repaint();
        }
        let split = ui.memory(|m| m.has_focus(id))
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
        let Some(editor) = self.editor.as_mut() else {
            return DrawnRow {
                height: 0.0,
                action: None,
                word_y: None,
                id: None,
            };
        };
        let text_rect = Rect::from_min_size(
            origin + vec2(LEFT_COLUMN, top + ROW_PAD_Y),
            vec2(text_width, f32::INFINITY),
        );
        let mut child = ui.new_child(egui::UiBuilder::new().max_rect(text_rect));
        let mut output = egui::TextEdit::multiline(&mut editor.text)
            .id(id)
            .font(font_id.clone())
            .desired_width(text_width)
            .desired_rows(1)
            .return_key(egui::KeyboardShortcut::new(
                egui::Modifiers::SHIFT,
                egui::Key::Enter,
            ))
            .show(&mut child);
        let split_byte = split.then(|| {
            let cursor: usize = output
                .state
                .cursor
                .char_range()
                .map_or(editor.text.chars().count(), |range| {
                    range.primary.index.into()
                });
            editor
                .text
                .char_indices()
                .nth(cursor)
                .map_or(editor.text.len(), |(byte, _)| byte)
        });
        let label = format!(
            "Text of the line at {}",
            clock_label(segment.start_ms, input.with_hours)
        );
        let value = editor.text.clone();
        output.response.widget_info(|| {
            let mut info = WidgetInfo::text_edit(true, &value, &value, "");
            info.label = Some(label.clone());
            info
        });
        if !editor.focused {
            editor.focused = true;
            output.response.request_focus();
            let end = egui::text::CCursor::new(editor.text.chars().count());
            output
                .state
                .cursor
                .set_char_range(Some(egui::text::CCursorRange::one(end)));
            output.state.store(ui.ctx(), id);
        }
        let left_height = name_galley.size().y + 2.0 + time_galley.size().y;
        let height =
            (output.response.rect.height() + 2.0 * ROW_PAD_Y).max(left_height + 2.0 * ROW_PAD_Y);
        let rect = Rect::from_min_size(origin + vec2(0.0, top), vec2(width, height));
        ui.painter()
            .rect_filled(rect, 0.0, visuals.selection.bg_fill.gamma_multiply(0.15));
        let left = pos2(rect.left() + ROW_PAD_X, rect.top() + ROW_PAD_Y);
        let name_height = name_galley.size().y + 2.0;
        ui.painter().galley(left, name_galley, speaker_colour);
        ui.painter().galley(
            left + vec2(0.0, name_height),
            time_galley,
            visuals.weak_text_color(),
        );
        let action = if let Some(byte) = split_byte {
            Some(ViewAction::SplitAt {
                segment: segment_index,
                byte,
            })
        } else {
            commit.then_some(ViewAction::CommitText(segment_index))
        };
        DrawnRow {
            height,
            action,
            word_y: None,
            id: None,
        }
    }
}

/// What drawing one row found out.
struct DrawnRow {
    height: f32,
    /// What the user did to the row.
    action: Option<ViewAction>,
    /// The top of the current word's line, relative to the row's top.
    word_y: Option<f32>,
    /// The row's id (not the editor's), for the keyboard focus.
    id: Option<egui::Id>,
}

/// The click this frame was made with Alt held (on the click's own event
/// too, which carries the modifiers of the moment it happened).
fn alt_click(ui: &egui::Ui) -> bool {
    ui.input(|i| {
        i.modifiers.alt
            || i.events.iter().any(|event| {
                matches!(event, egui::Event::PointerButton { modifiers, .. } if modifiers.alt)
            })
    })
}

/// The text of one line with search matches and the current word marked.
fn text_job(
    text: &str,
    wrap_width: f32,
    font_id: &FontId,
    visuals: &egui::Visuals,
    search: &Search,
    segment: usize,
    word: Option<&WordMark>,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    job.wrap.max_width = wrap_width;
    let plain = TextFormat::simple(font_id.clone(), visuals.text_color());
    let match_bg = if visuals.dark_mode {
        Color32::from_rgb(0x6b, 0x5a, 0x00)
    } else {
        Color32::from_rgb(0xff, 0xe8, 0x7c)
    };
    let current_match_bg = if visuals.dark_mode {
        Color32::from_rgb(0xb3, 0x5c, 0x00)
    } else {
        Color32::from_rgb(0xff, 0xa8, 0x3c)
    };
    let current_match = search
        .current()
        .filter(|(_, m)| m.segment == segment)
        .map(|(_, m)| m.bytes.clone());
    // Cut points where any mark starts or ends.
    let mut cuts: Vec<usize> = vec![0, text.len()];
    let matches = if search.open {
        search.matches_in(segment)
    } else {
        &[]
    };
    for m in matches {
        cuts.extend([m.bytes.start, m.bytes.end]);
    }
    if let Some(word) = word {
        cuts.extend([word.bytes.start, word.bytes.end]);
    }
    cuts.retain(|&cut| cut <= text.len() && text.is_char_boundary(cut));
    cuts.sort_unstable();
    cuts.dedup();
    for pair in cuts.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        if start == end {
            continue;
        }
        let inside = |range: &Range<usize>| range.start <= start && end <= range.end;
        let mut format = plain.clone();
        if let Some(word) = word.filter(|w| inside(&w.bytes)) {
            if word.estimated {
                format.background = visuals.selection.bg_fill.gamma_multiply(0.45);
                format.underline = Stroke::new(1.0, visuals.text_color());
            } else {
                format.background = visuals.selection.bg_fill;
                format.color = visuals.strong_text_color();
            }
        }
        if matches.iter().any(|m| inside(&m.bytes)) {
            format.background = match_bg;
            if current_match.as_ref().is_some_and(inside) {
                format.background = current_match_bg;
            }
        }
        job.append(&text[start..end], 0.0, format);
    }
    job
}

/// The word of `text` holding byte `at`: from the space before to the space after.
pub fn word_around(text: &str, at: usize) -> Range<usize> {
    let at = at.min(text.len());
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|(_, ch)| ch.is_whitespace())
        .map_or(0, |(i, ch)| i + ch.len_utf8());
    let end = text[at..]
        .char_indices()
        .find(|(_, ch)| ch.is_whitespace())
        .map_or(text.len(), |(i, _)| at + i);
    start..end
}

/// Byte ranges of each of `words` in `text`, found in order (a word that is
/// not found is `None`).
pub fn word_ranges<'a>(
    text: &str,
    words: impl Iterator<Item = &'a str>,
) -> Vec<Option<Range<usize>>> {
    let mut from = 0;
    words
        .map(|word| {
            let word = word.trim();
            if word.is_empty() {
                return None;
            }
            let at = text.get(from..)?.find(word)? + from;
            from = at + word.len();
            Some(at..at + word.len())
        })
        .collect()
}

/// Where in `text` the speaker probably is, `fraction` (0..=1) of the way
/// through its duration: the word at that share of its characters.
pub fn estimated_word(text: &str, fraction: f64) -> Option<Range<usize>> {
    let chars = text.chars().count();
    if chars == 0 {
        return None;
    }
    let target = ((fraction.clamp(0.0, 1.0) * chars as f64) as usize).min(chars - 1);
    let (at, _) = text.char_indices().nth(target)?;
    let range = word_around(text, at);
    if range.is_empty() {
        // On a space: take the next word.
        let next = text[at..].find(|ch: char| !ch.is_whitespace())? + at;
        return Some(word_around(text, next));
    }
    Some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimated_word_moves_through_the_text_in_proportion() {
        let text = "one two three four";
        let at = |fraction| estimated_word(text, fraction).map(|r| &text[r]);
        assert_eq!(at(0.0), Some("one"));
        assert_eq!(at(0.25), Some("two"));
        assert_eq!(at(0.5), Some("three"));
        assert_eq!(at(0.99), Some("four"));
        assert_eq!(at(1.0), Some("four"));
        assert_eq!(estimated_word("", 0.5), None);
    }

    fn segment(
        text: &str,
        start_ms: u64,
        end_ms: u64,
        word_starts_ms: &[u32],
    ) -> crate::transcript::Segment {
        let words = text
            .split_whitespace()
            .zip(word_starts_ms)
            .map(|(word, &start_ms)| crate::transcript::Word {
                text: word.into(),
                start_ms: Some(start_ms),
                end_ms: None,
                confidence: None,
            })
            .collect();
        crate::transcript::Segment {
            start_ms,
            end_ms,
            text: text.to_string(),
            words,
            ..Default::default()
        }
    }

    #[test]
    fn a_word_seek_lands_on_the_words_own_time_when_the_file_has_them() {
        let line = segment(
            "How are you doing",
            10_000,
            12_000,
            &[10_000, 10_400, 10_900, 11_300],
        );
        let at = |byte| word_seek(&line, byte).map(|s| (s.start_ms, s.estimated));
        assert_eq!(at(0), Some((10_000, false)));
        assert_eq!(at(5), Some((10_400, false)), "inside \"are\"");
        assert_eq!(at(7), Some((10_400, false)), "on the space after it");
        assert_eq!(at(9), Some((10_900, false)));
        assert_eq!(at(line.text.len()), Some((11_300, false)), "past the end");
    }

    #[test]
    fn a_word_seek_without_word_times_is_estimated_and_marks_that_word() {
        let line = segment("one two three four", 3000, 8000, &[]);
        for (byte, word) in [(0, "one"), (5, "two"), (9, "three"), (17, "four")] {
            let Some(seek) = word_seek(&line, byte) else {
                panic!("no seek for {word}");
            };
            assert!(seek.estimated);
            let fraction = (seek.start_ms - 3000) as f64 / 5000.0;
            let marked = estimated_word(&line.text, fraction).map(|r| &line.text[r]);
            assert_eq!(
                marked,
                Some(word),
                "the word clicked is the word then marked"
            );
        }
        assert_eq!(word_seek(&segment("", 0, 1000, &[]), 0), None);
    }

    #[test]
    fn word_ranges_find_words_in_order_even_when_repeated() {
        let text = "so so, I said: so.";
        let ranges = word_ranges(
            text,
            ["so", "so,", "I", "said:", "so.", "missing"].into_iter(),
        );
        assert_eq!(
            ranges,
            [
                Some(0..2),
                Some(3..6),
                Some(7..8),
                Some(9..14),
                Some(15..18),
                None
            ]
        );
    }
}
