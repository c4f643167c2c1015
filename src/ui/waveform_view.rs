//! The two waveform widgets: the whole-episode overview ([`overview_ui`]) and
//! a window around the playhead ([`zoom_ui`]), with the pure time ↔ x
//! mapping they share ([`x_from_time`], [`time_from_x`]).
//!
//! They borrow a [`WaveformInput`] for the frame and return the time the
//! user asked to seek to; they never seek, never touch the audio and never
//! request a repaint (the app schedules repaints, also while the waveform is
//! being built). Each is a custom widget in four steps: decide the size
//! (the available width, the given height), allocate it, handle the
//! pointer, keyboard and screen-reader input, and paint only if visible.
//!
//! Drawing stays cheap whatever the episode: one filled column per physical
//! pixel from [`Peaks::range_into`] into a buffer kept in egui's temporary
//! memory under the widget's id (so a frame allocates no new buffer), and at
//! most one tint band per pixel column however many [`TimeSpan`]s there
//! are, found by binary search.

use std::ops::Range;

use eframe::egui::{
    self, Align2, Color32, EventFilter, Key, Pos2, Rangef, Rect, Sense, Stroke, StrokeKind,
    TextStyle, Vec2, accesskit,
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
    waveform_ui(
        ui,
        input,
        height,
        view,
        key_step_ms,
        Kind::Overview,
        &mut None,
    )
}

/// A window of `window_ms` centred on the playhead (shifted to stay inside
/// the episode at either end, see [`zoom_view`]), with time ticks; returns
/// the time the user clicked, dragged or stepped to, or a line's edge
/// dragged to a new time ([`boundary_drag`](super::boundary_drag)).
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
    let mut moved = None;
    let seek_ms = waveform_ui(
        ui,
        input,
        height,
        view,
        ZOOM_KEY_STEP_MS,
        Kind::Zoom,
        &mut moved,
    );
    ZoomOutput {
        seek_ms,
        moved,
        selected: None,
    }
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
    moved: &mut Option<EdgeMove>,
) -> Option<u64> {
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
    let holding_edge = kind == Kind::Zoom && ui.is_enabled() && {
        let drag = boundary_drag::handle(ui, &response, input.spans, &view);
        *moved = drag.moved;
        drag.holding
    };
    let mut seek_ms = if holding_edge {
        None
    } else {
        pointer_seek(ui, &response, view.clone(), rect).map(|t| t.min(duration_ms))
    };
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
    describe(
        ui,
        &response,
        kind,
        seek_ms.unwrap_or(input.pos_ms),
        duration_ms,
        key_step_ms,
    );

    // 4. Paint only if visible.
    if ui.is_rect_visible(rect) {
        paint(ui, &response, input, view, kind);
    }
    seek_ms
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

/// The spans under `view` as translucent bands over the full height. Bands
/// start in strictly increasing pixel columns: a span that starts inside
/// the last pixel of the band before it is merged into that band (the
/// earlier colour wins that pixel), so 100 000 segments cost at most one
/// band per pixel column.
/// The bands [`paint_spans`] draws, kept in egui's temporary memory under the
/// widget's id with what they were made for: the overview's view does not
/// move, so its bands are made once per change of the spans or the size,
/// not once a frame from every span.
#[derive(Clone, Default)]
struct BandCache {
    key: Option<(u64, Range<u64>, [u32; 4], u32)>,
    bands: Vec<(f32, f32, Color32)>,
}

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
