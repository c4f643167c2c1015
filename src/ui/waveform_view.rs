//! The two waveform widgets: the whole-episode overview ([`overview_ui`]) and
//! a window around the playhead ([`zoom_ui`]), with the pure time ↔ x
//! mapping they share ([`x_from_time`], [`time_from_x`]).
//!
//! They borrow a [`WaveformInput`] for the frame and return the time the
//! user asked to seek to (and, on the zoom, a line's edge moved or a range
//! chosen by Shift+drag); they never seek, never touch the audio and never
//! request a repaint (the app schedules repaints, also while the waveform is
//! being built). Each is a custom widget in four steps: decide the size
//! (the available width, the given height), allocate it, handle the
//! pointer, keyboard and screen-reader input, and paint only if visible.
//!
//! Drawing stays cheap whatever the episode: one filled column per physical
//! pixel from [`Peaks::range_into`] into a buffer kept in egui's temporary
//! memory under the widget's id (so a frame allocates no new buffer), and at
//! most one tint band per pixel column however many [`TimeSpan`]s there
//! are, found by binary search. Review marks ([`MarkSpan`]) are bucketed
//! into pixel columns the same way: at most one tick and one band per
//! column, so 10 000 marks on the overview cost what its width costs.

use std::ops::Range;

use eframe::egui::{
    self, Align2, Color32, CursorIcon, EventFilter, Key, Pos2, Rangef, Rect, Sense, Shape, Stroke,
    StrokeKind, TextStyle, Vec2, accesskit,
};

use super::boundary_drag::{self, EdgeMove};
use super::style::clock_label;
use crate::waveform::Peaks;

/// How much of a [`TimeSpan`]'s colour shows: the bands sit behind the
/// waveform and must not hide it.
const SPAN_OPACITY: f32 = 0.35;
/// The overview's strip of speaker colours along its bottom, in points.
const SPEAKER_STRIP_HEIGHT: f32 = 4.0;
/// Width of the playhead line, in points.
const PLAYHEAD_WIDTH: f32 = 2.0;
/// Where the zoom view puts its time ticks: the smallest interval whose
/// ticks stand at least [`MIN_TICK_SPACING`] points apart.
const TICK_INTERVALS_MS: [u64; 13] = [
    1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
    1_800_000, 3_600_000,
];
/// Room for a tick label such as `1:00:00` in the small font, plus a gap.
const MIN_TICK_SPACING: f32 = 60.0;
/// Arrow keys move the zoom view's playhead by this much.
const ZOOM_KEY_STEP_MS: u64 = 5_000;
/// Arrow keys move the overview's playhead by this share of the episode.
const OVERVIEW_KEY_STEP_SHARE: u64 = 100;
/// Width used when the layout offers an unbounded width (a horizontal
/// scroll area), where "all the available width" means nothing.
const FALLBACK_WIDTH: f32 = 400.0;
/// How much of a range mark's colour shows: drawn over the waveform (on the
/// overview speech hides whatever is behind it), so it must stay light.
const MARK_BAND_OPACITY: f32 = 0.3;
/// Width of a point mark's tick and of a range mark's edges, in points.
const MARK_LINE_WIDTH: f32 = 1.0;
/// Half the width of the flag atop a point mark on the zoom view, in points.
const MARK_FLAG_HALF_WIDTH: f32 = 4.0;
/// How much of the strong text colour lies over the in/out selection.
const SELECTION_OPACITY: f32 = 0.12;
/// Width of the selection's edge lines, in points.
const SELECTION_EDGE_WIDTH: f32 = 1.5;
/// Dash and gap of the line an open-ended selection is drawn as, in points.
const SELECTION_DASH: (f32, f32) = (4.0, 3.0);
/// The strip the sync check's pieces are drawn in along the overview's top.
const PIECE_STRIP_HEIGHT: f32 = 5.0;
/// The two colours neighbouring pieces alternate in (teal and amber: not
/// a marker kind's, not the selection's).
const PIECE_COLOURS: [Color32; 2] = [
    Color32::from_rgb(0x17, 0xbe, 0xcf),
    Color32::from_rgb(0xf2, 0xb7, 0x05),
];
/// Size of a piece's shift label, in points.
const PIECE_LABEL_SIZE: f32 = 10.0;
/// Width of a cut's dashed line, in points.
const CUT_LINE_WIDTH: f32 = 1.5;
/// Half the width of the notch atop a cut, in points.
const CUT_NOTCH_HALF_WIDTH: f32 = 4.0;

/// A stretch of time tinted in a colour (a segment, tinted by its speaker).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeSpan {
    /// Where the stretch starts, in milliseconds from the start of the episode.
    pub start_ms: u64,
    /// Where it ends (exclusive), in milliseconds.
    pub end_ms: u64,
    /// Its tint, drawn at about a third of its opacity behind the waveform.
    pub color: Color32,
    /// The transcript line it shows, whose edges can be dragged on the
    /// zoomed waveform; `None` for a stretch that is not a line.
    pub segment: Option<usize>,
}

/// A review marker as the waveforms draw it: a point (a tick) or a range
/// (a band), in its kind's colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarkSpan {
    /// Where it is or starts, in milliseconds.
    pub start_ms: u64,
    /// Where a range ends; `None` for a point.
    pub end_ms: Option<u64>,
    /// Its kind's colour.
    pub color: Color32,
}

/// A piece of a sync check's result as the overview draws it: the audio
/// its lines cover after the check, and how far they moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceSpan {
    /// Where its first line starts in the audio, in milliseconds.
    pub start_ms: u64,
    /// Where its last line ends in the audio, in milliseconds.
    pub end_ms: u64,
    /// How far its lines move (later when positive), in milliseconds.
    pub shift_ms: i64,
    /// Its lines (0-based, end exclusive).
    pub lines: Range<usize>,
}

impl PieceSpan {
    /// "Lines 2–3: shift −4.32 s", as its tooltip and the result list say.
    pub fn describe(&self) -> String {
        format!(
            "{}: shift {}",
            lines_label(&self.lines),
            shift_label(self.shift_ms)
        )
    }
}

/// "Line 4" or "Lines 2–3" for `lines` (0-based, end exclusive), numbered
/// from 1 as an editor shows them.
pub fn lines_label(lines: &Range<usize>) -> String {
    if lines.len() <= 1 {
        format!("Line {}", lines.start + 1)
    } else {
        format!("Lines {}–{}", lines.start + 1, lines.end)
    }
}

/// "+1.25 s", "−0.30 s", "0 s".
pub fn shift_label(shift_ms: i64) -> String {
    if shift_ms == 0 {
        return "0 s".to_owned();
    }
    let sign = if shift_ms > 0 { '+' } else { '−' };
    format!("{sign}{:.2} s", shift_ms.unsigned_abs() as f64 / 1000.0)
}

/// What the zoomed waveform asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoomOutput {
    /// Go there (a click, a drag, a key).
    pub seek_ms: Option<u64>,
    /// A line's edge was dragged there.
    pub moved: Option<EdgeMove>,
    /// A range chosen by Shift+drag (while it is dragged, and when let go).
    pub selected: Option<Range<u64>>,
}

/// What both waveform widgets draw, borrowed for one frame.
#[derive(Clone, Debug)]
pub struct WaveformInput<'a> {
    /// The peak pyramid, possibly still being filled; `None` when there is
    /// no audio or its waveform has not started.
    pub peaks: Option<&'a Peaks>,
    /// `Some(0..=1)` while the waveform is being computed: shown as a thin
    /// bar and a "Waveform 42%" label.
    pub progress: Option<f32>,
    /// The episode's length in milliseconds (from the audio, or the
    /// transcript's last end when there is no audio); seeks never go past it.
    pub duration_ms: u64,
    /// The playhead, in milliseconds.
    pub pos_ms: u64,
    /// Tinted stretches, sorted by `start_ms`. Only the visible ones are
    /// visited: a span that starts before the view is found when it, and
    /// every span after it that also starts before the view, reach into the
    /// view (true of a transcript's segments, which barely overlap).
    pub spans: &'a [TimeSpan],
    /// The range being repeated, drawn as a framed band.
    pub loop_ms: Option<Range<u64>>,
    /// Changes whenever `spans` do (their bands are kept until then).
    pub spans_revision: u64,
    /// Review markers, sorted by `start_ms`.
    pub marks: &'a [MarkSpan],
    /// The in and out points chosen (I / O keys, Shift+drag), drawn as a
    /// band; an open end is `start..start`.
    pub selection_ms: Option<Range<u64>>,
    /// The pieces of the sync check's result on screen, in order (the
    /// overview draws them along its top; empty when none is shown).
    pub pieces: &'a [PieceSpan],
    /// Where that result cuts lines out (their audio is gone), in ms.
    pub cuts_ms: &'a [u64],
}

/// Whole-episode overview, `height` points tall and as wide as the space
/// left; returns the time the user clicked, dragged or stepped to.
///
/// Arrow keys (when focused) and a screen reader's increment and decrement
/// step by 1% of the episode; a screen reader may also set the value, in
/// seconds.
pub fn overview_ui(ui: &mut egui::Ui, input: &WaveformInput, height: f32) -> Option<u64> {
    let key_step_ms = (input.duration_ms / OVERVIEW_KEY_STEP_SHARE).max(1);
    let view = 0..input.duration_ms;
    waveform_ui(ui, input, height, view, key_step_ms, Kind::Overview).seek_ms
}

/// A window of `window_ms` centred on the playhead (shifted to stay inside
/// the episode at either end, see [`zoom_view`]), with time ticks; returns
/// the time the user clicked, dragged or stepped to, a line's edge dragged
/// to a new time ([`boundary_drag`](super::boundary_drag)), or the range
/// chosen by a Shift+drag (a Shift+click chooses `t..t`, an open end).
///
/// Arrow keys (when focused) and a screen reader's increment and decrement
/// step by 5 s; a screen reader may also set the value, in seconds.
pub fn zoom_ui(
    ui: &mut egui::Ui,
    input: &WaveformInput,
    window_ms: u64,
    height: f32,
) -> ZoomOutput {
    let view = zoom_view(input.pos_ms, window_ms, input.duration_ms);
    waveform_ui(ui, input, height, view, ZOOM_KEY_STEP_MS, Kind::Zoom)
}

/// The times the zoom view shows: `window_ms` (at least 1 ms) centred on
/// `pos_ms`, shifted right at the start of the episode and left at its end.
/// An episode shorter than the window is shown from 0, the window's width
/// kept so the time scale does not jump.
pub fn zoom_view(pos_ms: u64, window_ms: u64, duration_ms: u64) -> Range<u64> {
    let window_ms = window_ms.max(1);
    let start_ms = pos_ms
        .saturating_sub(window_ms / 2)
        .min(duration_ms.saturating_sub(window_ms));
    start_ms..start_ms.saturating_add(window_ms)
}

/// The x coordinate of `time_ms` when `view` spans `rect_x`; times outside
/// the view land outside the range. An empty view maps everything to its left.
pub fn x_from_time(time_ms: u64, view: Range<u64>, rect_x: Rangef) -> f32 {
    if view.end <= view.start {
        return rect_x.min;
    }
    let share = (time_ms as f64 - view.start as f64) / (view.end - view.start) as f64;
    rect_x.min + (share * f64::from(rect_x.span())) as f32
}

/// The time under `x` when `view` spans `rect_x`, rounded to the nearest
/// millisecond and clamped to `view.start..=view.end`.
pub fn time_from_x(x: f32, view: Range<u64>, rect_x: Rangef) -> u64 {
    let span = rect_x.span();
    // `span > 0.0` is false for NaN too.
    let has_width = span > 0.0;
    if view.end <= view.start || !has_width || !x.is_finite() {
        return view.start;
    }
    let share = f64::from(((x - rect_x.min) / span).clamp(0.0, 1.0));
    let offset = (share * (view.end - view.start) as f64).round() as u64;
    view.start.saturating_add(offset).min(view.end)
}

/// Which of the two widgets is being drawn.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Overview,
    Zoom,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Overview => "Waveform overview",
            Kind::Zoom => "Zoomed waveform",
        }
    }
}

/// The (min, max) per pixel column of the last frame, kept in egui's
/// temporary memory under the widget's id so its allocation is reused.
#[derive(Clone, Default)]
struct ColumnScratch(Vec<Option<(f32, f32)>>);

fn waveform_ui(
    ui: &mut egui::Ui,
    input: &WaveformInput,
    height: f32,
    view: Range<u64>,
    key_step_ms: u64,
    kind: Kind,
) -> ZoomOutput {
    // 1. Decide the size.
    let width = ui.available_width();
    let width = if width.is_finite() {
        width.max(0.0)
    } else {
        FALLBACK_WIDTH
    };
    let size = Vec2::new(width, height.max(0.0));

    // 2. Allocate it.
    let (rect, mut response) = ui.allocate_exact_size(size, Sense::click_and_drag());

    // 3. Handle the interaction.
    let duration_ms = input.duration_ms;
    let mut output = if kind == Kind::Zoom && ui.is_enabled() {
        zoom_pointer(ui, &response, input, &view)
    } else {
        ZoomOutput {
            seek_ms: pointer_seek(ui, &response, view.clone(), rect),
            ..ZoomOutput::default()
        }
    };
    let mut seek_ms = output.seek_ms.map(|t| t.min(duration_ms));
    // egui ignores the pointer on a disabled widget; so do the keys.
    let steps = if ui.is_enabled() {
        key_steps(ui, &response)
    } else {
        0
    };
    if steps != 0 {
        let from_ms = seek_ms.unwrap_or(input.pos_ms).min(duration_ms);
        let delta_ms = key_step_ms.saturating_mul(steps.unsigned_abs());
        seek_ms = Some(if steps > 0 {
            from_ms.saturating_add(delta_ms).min(duration_ms)
        } else {
            from_ms.saturating_sub(delta_ms)
        });
    }
    if let Some(secs) = accesskit_set_value(ui, response.id).filter(|_| ui.is_enabled()) {
        seek_ms = Some(((secs * 1000.0).round() as u64).min(duration_ms));
    }
    if seek_ms.is_some() {
        response.mark_changed();
    }
    output.seek_ms = seek_ms;
    describe(
        ui,
        &response,
        kind,
        seek_ms.unwrap_or(input.pos_ms),
        duration_ms,
        key_step_ms,
    );

    if kind == Kind::Overview && !input.pieces.is_empty() {
        piece_tooltip(&response, input, view.clone(), rect);
    }

    // 4. Paint only if visible. A range being chosen shows as it is dragged,
    // not a frame later when the app hands it back.
    if ui.is_rect_visible(rect) {
        let selection = output.selected.clone().or(input.selection_ms.clone());
        paint(ui, &response, input, view, kind, selection);
    }
    output
}

/// The zoomed waveform's pointer: a Shift+drag chooses a range; otherwise
/// the edge of a line near the pointer is dragged; otherwise the pointer
/// seeks.
fn zoom_pointer(
    ui: &egui::Ui,
    response: &egui::Response,
    input: &WaveformInput,
    view: &Range<u64>,
) -> ZoomOutput {
    let shift = shift_select(ui, response, view, input.duration_ms);
    let mut holding = shift.selected.is_some();
    let mut moved = None;
    if !shift.claims_pointer {
        let drag = boundary_drag::handle(ui, response, input.spans, view);
        moved = drag.moved;
        holding = drag.holding;
    }
    let seek_ms = if holding {
        None
    } else {
        pointer_seek(ui, response, view.clone(), response.rect)
    };
    ZoomOutput {
        seek_ms,
        moved,
        selected: shift.selected,
    }
}

/// Where a Shift+drag on the zoom view was pressed, in milliseconds: kept in
/// egui's temporary memory under the widget's id until the button is let go.
#[derive(Clone, Copy)]
struct SelectAnchor(u64);

/// What Shift does to the zoom view's pointer this frame.
#[derive(Default)]
struct ShiftSelect {
    /// The range chosen, from the press to the pointer (either way round),
    /// while a Shift+drag lasts and on the frame it is let go.
    selected: Option<Range<u64>>,
    /// Shift is held over the widget, or a range is being dragged: the
    /// pointer neither grabs a line's edge nor shows the edge cursor.
    claims_pointer: bool,
}

/// A press with Shift held starts choosing a range (unless a line's edge is
/// already held); the range follows the pointer until the button is let go,
/// Shift or not, and never goes past the episode.
fn shift_select(
    ui: &egui::Ui,
    response: &egui::Response,
    view: &Range<u64>,
    duration_ms: u64,
) -> ShiftSelect {
    if boundary_drag::is_holding(ui, response) {
        return ShiftSelect::default();
    }
    let id = response.id.with("shift-select");
    let rect = response.rect;
    let time_at = |pos: Pos2| time_from_x(pos.x, view.clone(), rect.x_range()).min(duration_ms);
    let (shift, pressed, down, pointer) = ui.input(|i| {
        (
            i.modifiers.shift,
            i.pointer.primary_pressed(),
            i.pointer.primary_down(),
            i.pointer.interact_pos().or(i.pointer.hover_pos()),
        )
    });
    let mut anchor: Option<SelectAnchor> = ui.data(|d| d.get_temp(id));
    if anchor.is_none() && shift && pressed && response.is_pointer_button_down_on() {
        anchor = pointer.map(|p| SelectAnchor(time_at(p)));
    }
    let Some(SelectAnchor(anchor_ms)) = anchor else {
        let shift_over = shift && response.hovered();
        if shift_over {
            ui.ctx().set_cursor_icon(CursorIcon::Text);
        }
        return ShiftSelect {
            selected: None,
            claims_pointer: shift_over,
        };
    };
    ui.ctx().set_cursor_icon(CursorIcon::Text);
    if down {
        ui.data_mut(|d| d.insert_temp(id, SelectAnchor(anchor_ms)));
    } else {
        ui.data_mut(|d| d.remove::<SelectAnchor>(id));
    }
    let to_ms = pointer.map_or(anchor_ms, time_at);
    ShiftSelect {
        selected: Some(anchor_ms.min(to_ms)..anchor_ms.max(to_ms)),
        claims_pointer: true,
    }
}

/// The time under the pointer when it was pressed, moved while dragging,
/// or released as a click on this widget; `None` otherwise, so a button
/// held still does not seek again every frame.
fn pointer_seek(
    ui: &egui::Ui,
    response: &egui::Response,
    view: Range<u64>,
    rect: Rect,
) -> Option<u64> {
    let pos = response.interact_pointer_pos()?;
    let (pressed, moved) = ui.input(|i| (i.pointer.any_pressed(), i.pointer.delta() != Vec2::ZERO));
    let pressed_here = pressed && response.is_pointer_button_down_on();
    let dragged_on = response.dragged() && moved;
    (pressed_here || dragged_on || response.clicked())
        .then(|| time_from_x(pos.x, view, rect.x_range()))
}

/// Steps asked for this frame: arrow presses while focused (right is
/// later) and a screen reader's increments minus its decrements.
fn key_steps(ui: &egui::Ui, response: &egui::Response) -> i64 {
    let mut steps = 0i64;
    if response.has_focus() {
        // Left and right move the playhead, not the focus.
        ui.memory_mut(|m| {
            m.set_focus_lock_filter(
                response.id,
                EventFilter {
                    horizontal_arrows: true,
                    ..Default::default()
                },
            );
        });
        steps += ui.input(|i| {
            i.num_presses(Key::ArrowRight) as i64 - i.num_presses(Key::ArrowLeft) as i64
        });
    }
    steps += ui.input(|i| {
        i.num_accesskit_action_requests(response.id, accesskit::Action::Increment) as i64
            - i.num_accesskit_action_requests(response.id, accesskit::Action::Decrement) as i64
    });
    steps
}

/// The position in seconds a screen reader asked for this frame, if any
/// (the last request wins; negative and non-finite values are ignored).
fn accesskit_set_value(ui: &egui::Ui, id: egui::Id) -> Option<f64> {
    ui.input(|i| {
        i.accesskit_action_requests(id, accesskit::Action::SetValue)
            .filter_map(|request| match request.data {
                Some(accesskit::ActionData::NumericValue(secs)) => Some(secs),
                _ => None,
            })
            .filter(|secs| secs.is_finite() && *secs >= 0.0)
            .last()
    })
}

/// Tells a screen reader what this is: a slider named after the widget
/// whose value is the playhead in seconds, read out as "12:34 of 1:31:05".
fn describe(
    ui: &egui::Ui,
    response: &egui::Response,
    kind: Kind,
    pos_ms: u64,
    duration_ms: u64,
    key_step_ms: u64,
) {
    let enabled = ui.is_enabled();
    response.widget_info(|| egui::WidgetInfo {
        current_text_value: Some(format!(
            "{} of {}",
            clock_label(pos_ms, false),
            clock_label(duration_ms, false)
        )),
        ..egui::WidgetInfo::slider(enabled, pos_ms as f64 / 1000.0, kind.label())
    });
    ui.ctx().accesskit_node_builder(response.id, |node| {
        node.set_min_numeric_value(0.0);
        node.set_max_numeric_value(duration_ms as f64 / 1000.0);
        node.set_numeric_value_step(key_step_ms as f64 / 1000.0);
        node.add_action(accesskit::Action::SetValue);
        if pos_ms < duration_ms {
            node.add_action(accesskit::Action::Increment);
        }
        if pos_ms > 0 {
            node.add_action(accesskit::Action::Decrement);
        }
    });
}

fn paint(
    ui: &egui::Ui,
    response: &egui::Response,
    input: &WaveformInput,
    view: Range<u64>,
    kind: Kind,
    selection: Option<Range<u64>>,
) {
    let rect = response.rect;
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    let px = 1.0 / painter.pixels_per_point();
    let corner_radius = visuals.widgets.noninteractive.corner_radius;

    painter.rect_filled(rect, corner_radius, visuals.extreme_bg_color);
    paint_spans(
        &painter,
        response.id.with("tint"),
        input.spans,
        input.spans_revision,
        view.clone(),
        rect,
        px,
        SPAN_OPACITY,
    );

    // The zoom view keeps a strip at the top for its time ruler.
    let small = TextStyle::Small.resolve(ui.style());
    let wave_rect = match kind {
        Kind::Overview => rect,
        Kind::Zoom => {
            let ruler_height =
                (ui.text_style_height(&TextStyle::Small) + 2.0).min(rect.height() / 2.0);
            let (ruler, wave) = rect.split_top_bottom_at_y(rect.top() + ruler_height);
            if input.duration_ms > 0 {
                paint_ticks(&painter, visuals, &small, view.clone(), ruler);
            }
            wave
        }
    };

    let centre_y = wave_rect.center().y;
    painter.hline(
        wave_rect.x_range(),
        centre_y,
        Stroke::new(px, visuals.weak_text_color()),
    );
    if let Some(peaks) = input.peaks {
        let id = response.id;
        let mut scratch =
            ui.data_mut(|d| std::mem::take(d.get_temp_mut_or_default::<ColumnScratch>(id)));
        paint_columns(
            &painter,
            peaks,
            view.clone(),
            wave_rect,
            px,
            visuals.text_color(),
            &mut scratch.0,
        );
        ui.data_mut(|d| *d.get_temp_mut_or_default::<ColumnScratch>(id) = scratch);
    }

    if kind == Kind::Overview {
        // A whole episode's speech fills the overview's height and hides the
        // bands behind it: a strip along the bottom keeps the speakers' colours.
        let strip = Rect::from_min_max(
            Pos2::new(rect.left(), rect.bottom() - SPEAKER_STRIP_HEIGHT),
            rect.right_bottom(),
        );
        paint_spans(
            &painter,
            response.id.with("strip"),
            input.spans,
            input.spans_revision,
            view.clone(),
            strip,
            px,
            1.0,
        );
    }

    // Over the waveform: on the overview, speech fills the height.
    paint_marks(
        ui,
        &painter,
        response.id.with("marks"),
        input.marks,
        view.clone(),
        rect,
        kind == Kind::Zoom,
    );

    if kind == Kind::Overview {
        paint_pieces(&painter, visuals, input, view.clone(), rect);
    }

    if let Some(progress) = input.progress {
        let progress = if progress.is_finite() {
            progress.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let bar_height = (2.0 * px).max(2.0);
        let bar = Rect::from_min_max(
            Pos2::new(rect.left(), rect.bottom() - bar_height),
            Pos2::new(rect.left() + rect.width() * progress, rect.bottom()),
        );
        painter.rect_filled(bar, 0.0, visuals.selection.bg_fill);
        painter.text(
            rect.right_bottom() + Vec2::new(-4.0, -bar_height - 2.0),
            Align2::RIGHT_BOTTOM,
            format!("Waveform {:.0}%", progress * 100.0),
            small,
            visuals.weak_text_color(),
        );
    }

    if let Some(looped) = &input.loop_ms
        && looped.end > view.start
        && looped.start < view.end
    {
        let x0 = x_from_time(looped.start.max(view.start), view.clone(), rect.x_range());
        let x1 = x_from_time(looped.end.min(view.end), view.clone(), rect.x_range());
        let band = Rect::from_x_y_ranges(x0..=x1, rect.y_range());
        let colour = visuals.selection.stroke.color;
        painter.rect_filled(band, 0.0, colour.gamma_multiply(0.15));
        for x in [x0, x1] {
            painter.vline(x, rect.y_range(), Stroke::new(1.5, colour));
        }
    }

    if let Some(selection) = selection {
        paint_selection(&painter, visuals, selection, view.clone(), rect);
    }

    let playhead_x = x_from_time(input.pos_ms, view, rect.x_range());
    painter.vline(
        playhead_x,
        rect.y_range(),
        Stroke::new(PLAYHEAD_WIDTH, visuals.selection.stroke.color),
    );

    let frame_stroke = if response.has_focus() {
        visuals.selection.stroke
    } else {
        visuals.widgets.noninteractive.bg_stroke
    };
    painter.rect_stroke(rect, corner_radius, frame_stroke, StrokeKind::Inside);
}

/// The bands [`paint_spans`] draws, kept in egui's temporary memory under the
/// widget's id with what they were made for: the overview's view does not
/// move, so its bands are made once per change of the spans or the size,
/// not once a frame from every span.
#[derive(Clone, Default)]
struct BandCache {
    key: Option<(u64, Range<u64>, [u32; 4], u32)>,
    bands: Vec<(f32, f32, Color32)>,
}

/// The spans under `view` as translucent bands over the full height. Bands
/// start in strictly increasing pixel columns: a span that starts inside
/// the last pixel of the band before it is merged into that band (the
/// earlier colour wins that pixel), so 100 000 segments cost at most one
/// band per pixel column.
#[expect(
    clippy::too_many_arguments,
    reason = "what the bands depend on, and where they go"
)]
fn paint_spans(
    painter: &egui::Painter,
    cache_id: egui::Id,
    spans: &[TimeSpan],
    spans_revision: u64,
    view: Range<u64>,
    rect: Rect,
    px: f32,
    opacity: f32,
) {
    let key = (
        spans_revision,
        view.clone(),
        [rect.min.x, rect.min.y, rect.max.x, rect.max.y].map(f32::to_bits),
        px.to_bits(),
    );
    let ctx = painter.ctx();
    let mut cache: BandCache = ctx.data_mut(|d| d.get_temp(cache_id).unwrap_or_default());
    if cache.key.as_ref() != Some(&key) {
        cache.bands.clear();
        span_bands(spans, view, rect, px, &mut cache.bands);
        cache.key = Some(key);
    }
    for &(x0, x1, color) in &cache.bands {
        painter.rect_filled(
            Rect::from_x_y_ranges(x0..=x1, rect.y_range()),
            0.0,
            color.gamma_multiply(opacity),
        );
    }
    ctx.data_mut(|d| d.insert_temp(cache_id, cache));
}

/// The bands that tint `view` over `rect`: at most one per pixel column
/// however many spans there are (neighbours of one colour joined, a span
/// thinner than what is left of a band's last pixel left out).
fn span_bands(
    spans: &[TimeSpan],
    view: Range<u64>,
    rect: Rect,
    px: f32,
    bands: &mut Vec<(f32, f32, Color32)>,
) {
    if view.end <= view.start {
        return;
    }
    let end = spans.partition_point(|s| s.start_ms < view.end);
    let mut first = spans[..end].partition_point(|s| s.start_ms < view.start);
    while first > 0 && spans[first - 1].end_ms > view.start {
        first -= 1;
    }

    let x_range = rect.x_range();
    let ppp = 1.0 / px;
    let mut pending: Option<(f32, f32, Color32)> = None;
    for span in &spans[first..end] {
        if span.end_ms <= view.start || span.end_ms <= span.start_ms {
            continue;
        }
        let mut x0 = x_from_time(span.start_ms.max(view.start), view.clone(), x_range);
        let x1 = x_from_time(span.end_ms.min(view.end), view.clone(), x_range);
        if let Some((p0, p1, color)) = &mut pending {
            if *color == span.color && x0 <= *p1 + px {
                // The same colour, touching or less than a pixel away.
                *p1 = p1.max(x1);
                continue;
            }
            let boundary = (*p1 * ppp).ceil() * px;
            if x1 <= boundary {
                // Thinner than what is left of the band's last pixel.
                continue;
            }
            // The new band starts on the next pixel, whatever overlapped.
            x0 = x0.max(boundary);
            bands.push((*p0, *p1, *color));
        }
        pending = Some((x0, x1, span.color));
    }
    bands.extend(pending);
}

/// The review marks that can show in `view`, found by binary search: those
/// starting in it, and before it those starting no further back than the
/// longest range among the earlier marks is long (the only ones that can
/// reach into the view). Finding that length reads the earlier marks'
/// times once (no drawing work, a few microseconds for 10 000 marks); a
/// bounded look-back would be cheaper but loses a long range (a chapter)
/// once enough marks lie inside it, and the input has no revision to keep
/// an index by.
fn visible_marks<'m>(marks: &'m [MarkSpan], view: &Range<u64>) -> &'m [MarkSpan] {
    let end = marks.partition_point(|m| m.start_ms <= view.end);
    let in_view = marks[..end].partition_point(|m| m.start_ms < view.start);
    let reach_ms = marks[..in_view]
        .iter()
        .map(|m| {
            m.end_ms
                .map_or(0, |end_ms| end_ms.saturating_sub(m.start_ms))
        })
        .max()
        .unwrap_or(0);
    let from_ms = view.start.saturating_sub(reach_ms);
    let first = marks[..in_view].partition_point(|m| m.start_ms < from_ms);
    &marks[first..end]
}

/// A range mark in the pixel columns of a view, for the sweep that buckets
/// ranges into columns.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ColumnRange {
    /// Its first and last column, clamped to the view.
    first: usize,
    last: usize,
    color: Color32,
    /// It goes on past the view's left or right side (no edge drawn there).
    clipped_left: bool,
    clipped_right: bool,
}

/// A run of pixel columns shown in one range colour.
#[derive(Clone, Copy, Debug, PartialEq)]
struct MarkBand {
    /// Its first and last column.
    first: usize,
    last: usize,
    color: Color32,
    /// A range starts at its first column, or ends at its last: a solid
    /// edge is drawn there.
    start_edge: bool,
    end_edge: bool,
}

/// The review marks of one frame bucketed into physical pixel columns,
/// kept in egui's temporary memory under the widget's id so their
/// allocations are reused.
#[derive(Clone, Default)]
struct MarkColumns {
    /// At most one point mark per column, `(column, colour)`, the earliest
    /// mark in a column giving its colour; in column order.
    ticks: Vec<(usize, Color32)>,
    /// Non-overlapping runs in column order: at most one starts per column.
    bands: Vec<MarkBand>,
    /// The visible ranges, in start order (scratch).
    ranges: Vec<ColumnRange>,
    /// The ranges covering the column being swept, latest start on top
    /// (scratch).
    open: Vec<ColumnRange>,
}

/// The pixel column `x` falls in, of `count` columns `px` wide from `left`.
fn column_at(x: f32, left: f32, px: f32, count: usize) -> usize {
    (((x - left) / px).floor().max(0.0) as usize).min(count - 1)
}

impl MarkColumns {
    /// Buckets `marks` (sorted by start) into the columns of `view` drawn
    /// over `rect`: a tick per column at most, and ranges as runs of columns
    /// in the colour of the range started last among those covering each
    /// column (a Cut inside a long Chapter shows as a Cut). Costs
    /// O(marks + columns) and makes at most one tick and one band per
    /// column.
    fn bucket(&mut self, marks: &[MarkSpan], view: Range<u64>, rect: Rect, px: f32) {
        self.ticks.clear();
        self.bands.clear();
        self.ranges.clear();
        let count = (rect.width() / px).floor().max(0.0) as usize;
        if count == 0 || view.end <= view.start {
            return;
        }
        let x_range = rect.x_range();
        let x_at = |ms: u64| x_from_time(ms.clamp(view.start, view.end), view.clone(), x_range);
        for mark in marks {
            match mark.end_ms.filter(|end_ms| *end_ms > mark.start_ms) {
                None => {
                    if !view.contains(&mark.start_ms) && mark.start_ms != view.end {
                        continue;
                    }
                    let column = column_at(x_at(mark.start_ms), rect.left(), px, count);
                    if self.ticks.last().is_none_or(|(last, _)| *last < column) {
                        self.ticks.push((column, mark.color));
                    }
                }
                Some(end_ms) => {
                    if end_ms <= view.start || mark.start_ms >= view.end {
                        continue;
                    }
                    let first = column_at(x_at(mark.start_ms), rect.left(), px, count);
                    // The column holding the range's last instant.
                    let end_column = ((x_at(end_ms) - rect.left()) / px).ceil() as usize;
                    self.ranges.push(ColumnRange {
                        first,
                        last: end_column.saturating_sub(1).clamp(first, count - 1),
                        color: mark.color,
                        clipped_left: mark.start_ms < view.start,
                        clipped_right: end_ms > view.end,
                    });
                }
            }
        }
        self.sweep(count);
    }

    /// Turns `ranges` into `bands`: column by column (skipping columns no
    /// range covers), the range started last among those still open gives
    /// the colour, and neighbouring columns of one colour make one band.
    fn sweep(&mut self, count: usize) {
        self.open.clear();
        let mut band: Option<MarkBand> = None;
        let mut next = 0;
        let mut column = 0;
        while column < count {
            // Ranges that ended are dropped when they come to the top.
            while self.open.last().is_some_and(|r| r.last < column) {
                self.open.pop();
            }
            if self.open.is_empty() {
                self.bands.extend(band.take());
                let Some(range) = self.ranges.get(next) else {
                    break;
                };
                column = column.max(range.first);
            }
            while let Some(range) = self.ranges.get(next).filter(|r| r.first <= column) {
                self.open.push(*range);
                next += 1;
            }
            let top = *self
                .open
                .last()
                .expect("a range was open or has just opened");
            let end_edge = top.last == column && !top.clipped_right;
            match &mut band {
                Some(b) if b.color == top.color && b.last + 1 == column => {
                    b.last = column;
                    b.end_edge = end_edge;
                }
                _ => {
                    self.bands.extend(band.take());
                    band = Some(MarkBand {
                        first: column,
                        last: column,
                        color: top.color,
                        start_edge: top.first == column && !top.clipped_left,
                        end_edge,
                    });
                }
            }
            column += 1;
        }
        self.bands.extend(band);
    }
}

/// The review marks visible in `view`: ranges as translucent bands with
/// solid edges, points as thin full-height ticks (with a small flag at the
/// top when `flags`, on the zoom view), each in its kind's colour, at most
/// one tick and one band per physical pixel column.
fn paint_marks(
    ui: &egui::Ui,
    painter: &egui::Painter,
    scratch_id: egui::Id,
    marks: &[MarkSpan],
    view: Range<u64>,
    rect: Rect,
    flags: bool,
) {
    if marks.is_empty() {
        return;
    }
    let px = 1.0 / painter.pixels_per_point();
    let mut columns =
        ui.data_mut(|d| std::mem::take(d.get_temp_mut_or_default::<MarkColumns>(scratch_id)));
    columns.bucket(visible_marks(marks, &view), view, rect, px);
    let x_of = |column: usize| rect.left() + column as f32 * px;
    let edge_inset = MARK_LINE_WIDTH / 2.0;
    for band in &columns.bands {
        let (x0, x1) = (x_of(band.first), x_of(band.last + 1));
        painter.rect_filled(
            Rect::from_x_y_ranges(x0..=x1, rect.y_range()),
            0.0,
            band.color.gamma_multiply(MARK_BAND_OPACITY),
        );
        let stroke = Stroke::new(MARK_LINE_WIDTH, band.color);
        if band.start_edge {
            painter.vline(x0 + edge_inset, rect.y_range(), stroke);
        }
        if band.end_edge {
            painter.vline(x1 - edge_inset, rect.y_range(), stroke);
        }
    }
    for &(column, color) in &columns.ticks {
        let x = x_of(column) + px / 2.0;
        painter.vline(x, rect.y_range(), Stroke::new(MARK_LINE_WIDTH, color));
        if flags {
            let (half, top) = (MARK_FLAG_HALF_WIDTH, rect.top());
            painter.add(Shape::convex_polygon(
                vec![
                    Pos2::new(x - half, top),
                    Pos2::new(x + half, top),
                    Pos2::new(x, top + 1.5 * half),
                ],
                color,
                Stroke::NONE,
            ));
        }
    }
    ui.data_mut(|d| d.insert_temp(scratch_id, columns));
}

/// The piece under the pointer, named in a tooltip.
fn piece_tooltip(response: &egui::Response, input: &WaveformInput, view: Range<u64>, rect: Rect) {
    let Some(pointer) = response.hover_pos() else {
        return;
    };
    let at_ms = time_from_x(pointer.x, view, rect.x_range());
    let Some(piece) = input
        .pieces
        .iter()
        .find(|p| p.start_ms <= at_ms && at_ms <= p.end_ms)
    else {
        return;
    };
    response
        .clone()
        .on_hover_text_at_pointer(format!("Sync check: {}", piece.describe()));
}

/// The sync check's pieces as a strip along the top (alternating two
/// colours so neighbours are told apart, each labelled with its shift where
/// it is wide enough), and its cuts as dashed lines with a notch on top.
/// A handful of pieces: one rectangle and at most one label each.
fn paint_pieces(
    painter: &egui::Painter,
    visuals: &egui::Visuals,
    input: &WaveformInput,
    view: Range<u64>,
    rect: Rect,
) {
    let x_of = |ms: u64| x_from_time(ms.clamp(view.start, view.end), view.clone(), rect.x_range());
    let font = egui::FontId::proportional(PIECE_LABEL_SIZE);
    for (index, piece) in input.pieces.iter().enumerate() {
        if piece.end_ms < view.start || piece.start_ms > view.end {
            continue;
        }
        let (x0, x1) = (
            x_of(piece.start_ms),
            x_of(piece.end_ms).max(x_of(piece.start_ms) + 1.0),
        );
        let colour = PIECE_COLOURS[index % PIECE_COLOURS.len()];
        let strip = Rect::from_x_y_ranges(x0..=x1, rect.top()..=rect.top() + PIECE_STRIP_HEIGHT);
        painter.rect_filled(strip, 0.0, colour);
        let label = shift_label(piece.shift_ms);
        let galley = painter.layout_no_wrap(label, font.clone(), visuals.strong_text_color());
        if galley.size().x + 6.0 < x1 - x0 {
            let at = Pos2::new(x0 + 3.0, strip.bottom() + 1.0);
            let back = Rect::from_min_size(at, galley.size()).expand(1.0);
            painter.rect_filled(back, 2.0, visuals.extreme_bg_color.gamma_multiply(0.85));
            painter.galley(at, galley, visuals.strong_text_color());
        }
    }
    let cut_colour = visuals.error_fg_color;
    for &cut_ms in input.cuts_ms {
        if cut_ms < view.start || cut_ms > view.end {
            continue;
        }
        let x = x_of(cut_ms);
        painter.add(Shape::dashed_line(
            &[Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(CUT_LINE_WIDTH, cut_colour),
            SELECTION_DASH.0,
            SELECTION_DASH.1,
        ));
        painter.add(Shape::convex_polygon(
            vec![
                Pos2::new(x - CUT_NOTCH_HALF_WIDTH, rect.top()),
                Pos2::new(x + CUT_NOTCH_HALF_WIDTH, rect.top()),
                Pos2::new(x, rect.top() + CUT_NOTCH_HALF_WIDTH * 1.5),
            ],
            cut_colour,
            Stroke::NONE,
        ));
    }
}

/// The in/out selection: a light band with solid edges, or, while only its
/// start is set (`start..start`), a dashed line there. It uses the strong
/// text colour, so it is told apart from the loop (the selection colour)
/// and from the marks (their kinds' colours).
fn paint_selection(
    painter: &egui::Painter,
    visuals: &egui::Visuals,
    selection: Range<u64>,
    view: Range<u64>,
    rect: Rect,
) {
    let (start_ms, end_ms) = (
        selection.start.min(selection.end),
        selection.start.max(selection.end),
    );
    let colour = visuals.strong_text_color();
    let stroke = Stroke::new(SELECTION_EDGE_WIDTH, colour);
    let x_of = |ms: u64| x_from_time(ms, view.clone(), rect.x_range());
    let in_view = |ms: u64| view.start <= ms && ms <= view.end;
    if start_ms == end_ms {
        if in_view(start_ms) {
            let x = x_of(start_ms);
            painter.add(Shape::dashed_line(
                &[Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                stroke,
                SELECTION_DASH.0,
                SELECTION_DASH.1,
            ));
        }
        return;
    }
    if end_ms <= view.start || start_ms >= view.end {
        return;
    }
    let x0 = x_of(start_ms.max(view.start));
    let x1 = x_of(end_ms.min(view.end));
    painter.rect_filled(
        Rect::from_x_y_ranges(x0..=x1, rect.y_range()),
        0.0,
        colour.gamma_multiply(SELECTION_OPACITY),
    );
    for edge_ms in [start_ms, end_ms].into_iter().filter(|ms| in_view(*ms)) {
        painter.vline(x_of(edge_ms), rect.y_range(), stroke);
    }
}

/// One filled column per physical pixel from the lowest to the highest
/// sample under it; columns not computed yet are left empty.
fn paint_columns(
    painter: &egui::Painter,
    peaks: &Peaks,
    view: Range<u64>,
    rect: Rect,
    px: f32,
    color: Color32,
    columns: &mut Vec<Option<(f32, f32)>>,
) {
    let count = (rect.width() / px).floor().max(0.0) as usize;
    let rate = peaks.sample_rate();
    peaks.range_into(
        frames_from_ms(view.start, rate),
        frames_from_ms(view.end, rate),
        count,
        columns,
    );
    let centre_y = rect.center().y;
    let half_height = (rect.height() / 2.0 - px).max(0.0);
    for (i, column) in columns.iter().enumerate() {
        let Some((min, max)) = *column else {
            continue;
        };
        let x0 = rect.left() + i as f32 * px;
        let top = centre_y - max.clamp(-1.0, 1.0) * half_height;
        let bottom = (centre_y - min.clamp(-1.0, 1.0) * half_height).max(top + px);
        painter.rect_filled(
            Rect::from_min_max(Pos2::new(x0, top), Pos2::new(x0 + px, bottom)),
            0.0,
            color,
        );
    }
}

/// Tick marks with `m:ss` labels in `ruler`, at the first interval of
/// [`TICK_INTERVALS_MS`] that leaves room for the labels.
fn paint_ticks(
    painter: &egui::Painter,
    visuals: &egui::Visuals,
    font: &egui::FontId,
    view: Range<u64>,
    ruler: Rect,
) {
    if view.end <= view.start || ruler.width() <= 0.0 {
        return;
    }
    let points_per_ms = ruler.width() / (view.end - view.start) as f32;
    let interval_ms = TICK_INTERVALS_MS
        .into_iter()
        .find(|ms| *ms as f32 * points_per_ms >= MIN_TICK_SPACING)
        .unwrap_or(TICK_INTERVALS_MS[TICK_INTERVALS_MS.len() - 1]);
    let color = visuals.weak_text_color();
    let mut tick_ms = view.start.div_ceil(interval_ms) * interval_ms;
    while tick_ms <= view.end {
        let x = x_from_time(tick_ms, view.clone(), ruler.x_range());
        painter.vline(
            x,
            ruler.bottom() - 4.0..=ruler.bottom(),
            Stroke::new(1.0, color),
        );
        painter.text(
            Pos2::new(x + 2.0, ruler.top()),
            Align2::LEFT_TOP,
            clock_label(tick_ms, false),
            font.clone(),
            color,
        );
        tick_ms += interval_ms;
    }
}

/// The frame at `time_ms`, without overflow for any time or rate.
fn frames_from_ms(time_ms: u64, sample_rate: u32) -> u64 {
    let frames = u128::from(time_ms) * u128::from(sample_rate) / 1000;
    u64::try_from(frames).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAPTER: Color32 = Color32::GRAY;
    const CUT: Color32 = Color32::RED;

    fn mark(start_ms: u64, end_ms: Option<u64>, color: Color32) -> MarkSpan {
        MarkSpan {
            start_ms,
            end_ms,
            color,
        }
    }

    /// Buckets `marks` into 100 columns of 1 ms each, over `view`.
    fn bucket(marks: &[MarkSpan], view: Range<u64>) -> MarkColumns {
        let rect = Rect::from_min_max(Pos2::new(0.0, 0.0), Pos2::new(100.0, 10.0));
        let mut columns = MarkColumns::default();
        columns.bucket(visible_marks(marks, &view), view, rect, 1.0);
        columns
    }

    fn band(first: usize, last: usize, color: Color32, edges: (bool, bool)) -> MarkBand {
        MarkBand {
            first,
            last,
            color,
            start_edge: edges.0,
            end_edge: edges.1,
        }
    }

    #[test]
    fn a_range_inside_another_shows_in_its_own_colour_and_the_outer_one_resumes() {
        let marks = [
            mark(0, Some(100), CHAPTER),
            mark(40, Some(60), CUT),
            mark(40, None, CUT),
            mark(40, None, CHAPTER),
        ];
        let columns = bucket(&marks, 0..100);
        assert_eq!(
            columns.bands,
            [
                band(0, 39, CHAPTER, (true, false)),
                band(40, 59, CUT, (true, true)),
                band(60, 99, CHAPTER, (false, true)),
            ]
        );
        assert_eq!(columns.ticks, [(40, CUT)], "one tick a column, the first");
    }

    #[test]
    fn a_range_from_before_the_view_is_found_past_the_points_in_between() {
        let mut marks = vec![mark(10, Some(30), CUT), mark(1_000, Some(2_050), CHAPTER)];
        marks.extend((1_001..2_000).map(|ms| mark(ms, None, CUT)));
        marks.push(mark(2_200, None, CUT));
        let view = 2_000..2_100;
        let visible = visible_marks(&marks, &view);
        assert_eq!(visible.first(), Some(&marks[1]), "the chapter, not the cut");
        assert_eq!(visible.last().map(|m| m.start_ms), Some(1_999));
        let columns = bucket(&marks, view);
        assert_eq!(columns.bands, [band(0, 49, CHAPTER, (false, true))]);
        assert!(columns.ticks.is_empty(), "{:?}", columns.ticks);
    }

    #[test]
    fn a_range_past_the_view_has_no_edge_there_and_an_empty_one_is_a_point() {
        let marks = [mark(50, Some(500), CUT), mark(70, Some(70), CHAPTER)];
        let columns = bucket(&marks, 0..100);
        assert_eq!(columns.bands, [band(50, 99, CUT, (true, false))]);
        assert_eq!(columns.ticks, [(70, CHAPTER)]);
    }
}
