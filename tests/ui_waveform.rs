//! The waveform widgets driven through egui_kittest, over a real waveform
//! built by `WaveformJob` from a WAV written here: where a click or a drag
//! seeks in the overview and the zoom view (clamped at the episode's ends),
//! the arrow keys and a screen reader's actions, the accessible name and
//! value, the progress label, that unknown bins draw nothing, that
//! 100 000 spans still cost at most about one band per pixel column; review
//! marks (ticks, bands, one per pixel column at most, a range from before
//! the view), the in/out selection, and Shift+drag choosing a range.

#![cfg(feature = "app")]

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use earmark::audio::wav::WavWriter;
use earmark::ui::boundary_drag::EdgeMove;
use earmark::ui::waveform_view::{
    MarkSpan, PieceSpan, TimeSpan, WaveformInput, ZoomOutput, overview_ui, time_from_x,
    x_from_time, zoom_ui, zoom_view,
};
use earmark::waveform::{JobOptions, Peaks, WaveformJob};
use eframe::egui::{self, Color32, CursorIcon, Modifiers, Pos2, Rangef, Rect, epaint::Shape};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::{Harness, Node};

const RATE: u32 = 8_000;
/// The test episode: one minute.
const DURATION_MS: u64 = 60_000;
const HEIGHT: f32 = 60.0;
const WINDOW_MS: u64 = 20_000;

/// The waveform of a minute of sine swelling from quiet to loud, built once.
fn peaks() -> Arc<Peaks> {
    static PEAKS: OnceLock<Arc<Peaks>> = OnceLock::new();
    Arc::clone(PEAKS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let wav = dir.path().join("swell.wav");
        let frames = DURATION_MS * u64::from(RATE) / 1000;
        let samples: Vec<f32> = (0..frames)
            .map(|i| {
                let loudness = 0.1 + 0.8 * i as f32 / frames as f32;
                loudness * (i as f32 * 0.07).sin()
            })
            .collect();
        let mut writer = WavWriter::create(&wav, RATE, 1).expect("create the WAV");
        writer.write(&samples).expect("write the WAV");
        writer.finish(&wav).expect("finish the WAV");
        let options = JobOptions {
            cache_dir: None,
            threads: 1,
            wake: None,
        };
        WaveformJob::start_with(&wav, options)
            .wait()
            .expect("the waveform builds")
            .peaks
    }))
}

/// Which widget a harness shows.
#[derive(Clone, Copy)]
enum Widget {
    Overview,
    Zoom { window_ms: u64 },
}

/// What a harness draws: the input's owned parts.
struct Scene {
    widget: Widget,
    peaks: Option<Arc<Peaks>>,
    progress: Option<f32>,
    duration_ms: u64,
    pos_ms: u64,
    spans: Vec<TimeSpan>,
    marks: Vec<MarkSpan>,
    selection_ms: Option<Range<u64>>,
    /// A sync check's pieces and cuts.
    pieces: Vec<PieceSpan>,
    cuts_ms: Vec<u64>,
    /// A button drawn to the left of the widget, for focus to move to.
    neighbour: bool,
    /// Every time the widget returned, in order.
    seeks: Vec<u64>,
    /// Every range the zoom view returned as chosen, in order.
    selections: Vec<Range<u64>>,
    /// Every edge the zoom view returned as moved, in order.
    moves: Vec<EdgeMove>,
}

impl Scene {
    fn new(widget: Widget) -> Scene {
        Scene {
            widget,
            peaks: Some(peaks()),
            progress: None,
            duration_ms: DURATION_MS,
            pos_ms: 0,
            spans: Vec::new(),
            marks: Vec::new(),
            selection_ms: None,
            pieces: Vec::new(),
            cuts_ms: Vec::new(),
            neighbour: false,
            seeks: Vec::new(),
            selections: Vec::new(),
            moves: Vec::new(),
        }
    }

    fn at(mut self, pos_ms: u64) -> Scene {
        self.pos_ms = pos_ms;
        self
    }
}

fn harness(scene: Scene) -> Harness<'static, Scene> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(400.0, 200.0))
        .build_ui_state(
            |ui, scene: &mut Scene| {
                let input = WaveformInput {
                    peaks: scene.peaks.as_deref(),
                    progress: scene.progress,
                    duration_ms: scene.duration_ms,
                    pos_ms: scene.pos_ms,
                    spans: &scene.spans,
                    loop_ms: None,
                    marks: &scene.marks,
                    selection_ms: scene.selection_ms.clone(),
                    pieces: &scene.pieces,
                    cuts_ms: &scene.cuts_ms,
                    // The spans' own value, so that a test changing them is seen.
                    spans_revision: {
                        use std::hash::{Hash, Hasher};
                        let mut hasher = std::collections::hash_map::DefaultHasher::new();
                        for span in &scene.spans {
                            (span.start_ms, span.end_ms, span.color.to_array()).hash(&mut hasher);
                        }
                        hasher.finish()
                    },
                };
                let widget = |ui: &mut egui::Ui| match scene.widget {
                    Widget::Overview => ZoomOutput {
                        seek_ms: overview_ui(ui, &input, HEIGHT),
                        ..ZoomOutput::default()
                    },
                    Widget::Zoom { window_ms } => zoom_ui(ui, &input, window_ms, HEIGHT),
                };
                let output = if scene.neighbour {
                    ui.horizontal(|ui| {
                        let _ = ui.button("Neighbour");
                        widget(ui)
                    })
                    .inner
                } else {
                    widget(ui)
                };
                scene.seeks.extend(output.seek_ms);
                scene.selections.extend(output.selected);
                scene.moves.extend(output.moved);
            },
            scene,
        );
    harness.run();
    harness
}

fn overview<'h>(harness: &'h Harness<'static, Scene>) -> Node<'h> {
    harness.get_by_label("Waveform overview")
}

fn zoomed<'h>(harness: &'h Harness<'static, Scene>) -> Node<'h> {
    harness.get_by_label("Zoomed waveform")
}

/// Presses and releases the primary button at `pos`, as a click.
fn click_at(harness: &mut Harness<'static, Scene>, pos: Pos2) -> Vec<u64> {
    harness.state_mut().seeks.clear();
    harness.hover_at(pos);
    harness.drag_at(pos);
    harness.drop_at(pos);
    harness.run();
    harness.state().seeks.clone()
}

/// `pos` at `share` of the way across `node`, vertically centred.
fn across(node: &Node<'_>, share: f32) -> Pos2 {
    let rect = node.rect();
    Pos2::new(rect.left() + rect.width() * share, rect.center().y)
}

/// Milliseconds per point of a view of `view_ms` drawn `width` points wide.
fn ms_per_point(view_ms: u64, width: f32) -> u64 {
    (view_ms as f32 / width).ceil() as u64
}

fn assert_near(got: u64, want: u64, tolerance: u64, what: &str) {
    assert!(
        got.abs_diff(want) <= tolerance,
        "{what}: got {got} ms, want {want} ± {tolerance} ms"
    );
}

fn rect_shapes(harness: &Harness<'static, Scene>) -> usize {
    let output = harness.output();
    output
        .shapes
        .iter()
        .filter(|clipped| matches!(clipped.shape, Shape::Rect(_)))
        .count()
}

fn texts(harness: &Harness<'static, Scene>) -> Vec<String> {
    let output = harness.output();
    output
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            Shape::Text(text) => Some(text.galley.text().to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn clicking_a_quarter_of_the_way_across_the_overview_seeks_to_a_quarter_of_the_episode() {
    let mut harness = harness(Scene::new(Widget::Overview));
    let (pos, width) = {
        let node = overview(&harness);
        (across(&node, 0.25), node.rect().width())
    };
    let seeks = click_at(&mut harness, pos);
    assert!(!seeks.is_empty(), "the click seeks");
    for seek in seeks {
        assert_near(
            seek,
            DURATION_MS / 4,
            ms_per_point(DURATION_MS, width),
            "click at 25%",
        );
    }
}

#[test]
fn dragging_across_the_overview_seeks_later_and_later() {
    let mut harness = harness(Scene::new(Widget::Overview));
    let (points, width) = {
        let node = overview(&harness);
        let shares = [0.1, 0.3, 0.5, 0.7];
        (
            shares.map(|share| across(&node, share)),
            node.rect().width(),
        )
    };
    harness.hover_at(points[0]);
    harness.drag_at(points[0]);
    for point in &points[1..] {
        harness.hover_at(*point);
    }
    harness.drop_at(points[3]);
    harness.run();

    let seeks = &harness.state().seeks;
    assert!(
        seeks.windows(2).all(|pair| pair[0] <= pair[1]),
        "never backwards: {seeks:?}"
    );
    let mut distinct = seeks.clone();
    distinct.dedup();
    assert!(distinct.len() >= 4, "one seek per move: {seeks:?}");
    let tolerance = ms_per_point(DURATION_MS, width);
    assert_near(distinct[0], DURATION_MS / 10, tolerance, "the press");
    assert_near(
        *distinct.last().expect("seeks"),
        DURATION_MS * 7 / 10,
        tolerance,
        "the last move",
    );
}

#[test]
fn the_zoom_view_is_centred_on_the_playhead() {
    let mut harness = harness(
        Scene::new(Widget::Zoom {
            window_ms: WINDOW_MS,
        })
        .at(30_000),
    );
    let (centre, left, width) = {
        let node = zoomed(&harness);
        let rect = node.rect();
        (
            rect.center(),
            Pos2::new(rect.left() + 1.0, rect.center().y),
            rect.width(),
        )
    };
    let tolerance = ms_per_point(WINDOW_MS, width);
    let seeks = click_at(&mut harness, centre);
    assert!(!seeks.is_empty(), "the click seeks");
    assert_near(seeks[0], 30_000, tolerance, "centre");
    let seeks = click_at(&mut harness, left);
    assert!(!seeks.is_empty(), "the click seeks");
    assert_near(seeks[0], 30_000 - WINDOW_MS / 2, 2 * tolerance, "left edge");
}

#[test]
fn the_zoom_view_stays_inside_the_episode_at_either_end() {
    // One second in: the window shows 0..20 s, so its centre is 10 s.
    let mut harness = harness(
        Scene::new(Widget::Zoom {
            window_ms: WINDOW_MS,
        })
        .at(1_000),
    );
    let (centre, left, right, width) = {
        let node = zoomed(&harness);
        let rect = node.rect();
        let y = rect.center().y;
        (
            rect.center(),
            Pos2::new(rect.left() + 0.5, y),
            Pos2::new(rect.right() - 0.5, y),
            rect.width(),
        )
    };
    let tolerance = ms_per_point(WINDOW_MS, width);
    assert_near(
        click_at(&mut harness, left)[0],
        0,
        tolerance,
        "left edge at the start",
    );
    assert_near(
        click_at(&mut harness, centre)[0],
        WINDOW_MS / 2,
        tolerance,
        "centre at the start",
    );

    // One second before the end: the window shows 40..60 s.
    harness.state_mut().pos_ms = DURATION_MS - 1_000;
    harness.run();
    assert_near(
        click_at(&mut harness, centre)[0],
        DURATION_MS - WINDOW_MS / 2,
        tolerance,
        "centre at the end",
    );
    assert_near(
        click_at(&mut harness, right)[0],
        DURATION_MS,
        tolerance,
        "right edge at the end",
    );

    assert_eq!(zoom_view(1_000, WINDOW_MS, DURATION_MS), 0..WINDOW_MS);
    assert_eq!(zoom_view(30_000, WINDOW_MS, DURATION_MS), 20_000..40_000);
    assert_eq!(zoom_view(59_000, WINDOW_MS, DURATION_MS), 40_000..60_000);
    assert_eq!(
        zoom_view(3_000, WINDOW_MS, 5_000),
        0..WINDOW_MS,
        "a short episode keeps the window's scale"
    );
}

#[test]
fn a_click_past_the_end_of_a_short_episode_seeks_to_its_end() {
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(2_000);
    scene.duration_ms = 5_000;
    let mut harness = harness(scene);
    let right = across(&zoomed(&harness), 0.9);
    assert_eq!(click_at(&mut harness, right), vec![5_000, 5_000]);
}

#[test]
fn x_from_time_and_time_from_x_are_inverse_to_within_a_point() {
    let views = [0..60_000, 20_000..40_000, 0..10_800_000, 5..6];
    let rects = [Rangef::new(0.0, 400.0), Rangef::new(13.5, 1933.5)];
    for view in views {
        for rect in rects {
            let per_point = (view.end - view.start) as f32 / rect.span();
            let tolerance = (per_point / 2.0).ceil() as u64 + 1;
            let len = view.end - view.start;
            for i in 0..=100 {
                let time_ms = view.start + len * i / 100;
                let x = x_from_time(time_ms, view.clone(), rect);
                assert!((rect.min..=rect.max).contains(&x), "{x} outside {rect:?}");
                let back = time_from_x(x, view.clone(), rect);
                assert_near(back, time_ms, tolerance, "time → x → time");
            }
            assert_eq!(x_from_time(view.start, view.clone(), rect), rect.min);
            assert_eq!(x_from_time(view.end, view.clone(), rect), rect.max);
            assert_eq!(time_from_x(rect.min - 50.0, view.clone(), rect), view.start);
            assert_eq!(time_from_x(rect.max + 50.0, view.clone(), rect), view.end);
        }
    }
    let rect = Rangef::new(0.0, 100.0);
    assert_eq!(time_from_x(50.0, 7..7, rect), 7, "an empty view");
    assert_eq!(x_from_time(9, 7..7, rect), 0.0, "an empty view");
    assert_eq!(time_from_x(f32::NAN, 0..100, rect), 0);
    assert_eq!(
        time_from_x(5.0, 0..100, Rangef::new(3.0, 3.0)),
        0,
        "a zero-width rect"
    );
}

#[test]
fn both_widgets_are_sliders_named_for_screen_readers_with_the_playhead_as_value() {
    let mut scene = Scene::new(Widget::Overview).at(754_000);
    scene.duration_ms = 5_465_000;
    scene.peaks = None;
    let harness = harness(scene);
    let node = overview(&harness);
    assert_eq!(node.accesskit_node().role(), egui::accesskit::Role::Slider);
    assert_eq!(node.value().as_deref(), Some("12:34 of 1:31:05"));
    assert_eq!(node.accesskit_node().numeric_value(), Some(754.0));
    assert_eq!(node.accesskit_node().max_numeric_value(), Some(5_465.0));

    let harness = self::harness(
        Scene::new(Widget::Zoom {
            window_ms: WINDOW_MS,
        })
        .at(12_000),
    );
    let node = zoomed(&harness);
    assert_eq!(node.accesskit_node().role(), egui::accesskit::Role::Slider);
    assert_eq!(node.value().as_deref(), Some("0:12 of 1:00"));
}

#[test]
fn arrow_keys_step_the_focused_widget_and_a_screen_reader_can_step_or_set_it() {
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(30_000);
    scene.neighbour = true;
    let mut harness = harness(scene);
    harness.state_mut().seeks.clear();
    harness.key_press(egui::Key::ArrowRight);
    harness.run();
    assert!(
        harness.state().seeks.is_empty(),
        "unfocused, keys do nothing"
    );

    zoomed(&harness).focus();
    harness.run();
    assert!(zoomed(&harness).is_focused());
    harness.key_press(egui::Key::ArrowRight);
    harness.run();
    assert_eq!(harness.state().seeks, vec![35_000]);
    harness.state_mut().seeks.clear();
    harness.key_press(egui::Key::ArrowLeft);
    harness.run();
    assert_eq!(harness.state().seeks, vec![25_000]);
    assert!(
        zoomed(&harness).is_focused(),
        "the arrows keep the focus from the button to the left"
    );

    harness.state_mut().seeks.clear();
    zoomed(&harness).increment_accesskit();
    harness.run();
    zoomed(&harness).set_value_accesskit(42.5);
    harness.run();
    assert_eq!(harness.state().seeks, vec![35_000, 42_500]);

    // The overview steps by 1% of the episode, never before 0.
    let mut harness = self::harness(Scene::new(Widget::Overview).at(300));
    overview(&harness).focus();
    harness.run();
    harness.key_press(egui::Key::ArrowRight);
    harness.run();
    harness.key_press(egui::Key::ArrowLeft);
    harness.run();
    assert_eq!(harness.state().seeks, vec![900, 0]);
}

#[test]
fn progress_shows_as_a_percentage_only_while_the_waveform_is_computed() {
    let mut scene = Scene::new(Widget::Overview);
    scene.progress = Some(0.42);
    let mut harness = harness(scene);
    assert!(
        texts(&harness).iter().any(|t| t == "Waveform 42%"),
        "{:?}",
        texts(&harness)
    );
    harness.state_mut().progress = None;
    harness.run();
    assert!(
        !texts(&harness).iter().any(|t| t.starts_with("Waveform")),
        "{:?}",
        texts(&harness)
    );
}

#[test]
fn the_zoom_view_labels_its_ticks_in_minutes_and_seconds() {
    let harness = harness(
        Scene::new(Widget::Zoom {
            window_ms: WINDOW_MS,
        })
        .at(30_000),
    );
    let labels = texts(&harness);
    // 20 s over about 400 points: a tick every 5 s from 0:20 to 0:40.
    assert_eq!(labels, ["0:20", "0:25", "0:30", "0:35", "0:40"]);
}

#[test]
fn bins_not_computed_yet_draw_nothing_and_computed_ones_a_column_per_pixel() {
    let empty = Peaks::new(RATE, 1, DURATION_MS * u64::from(RATE) / 1000);
    let mut scene = Scene::new(Widget::Overview);
    scene.peaks = Some(Arc::new(empty));
    let mut harness = harness(scene);
    let width = overview(&harness).rect().width();
    let unknown = rect_shapes(&harness);
    assert!(unknown < 5, "background and frame only: {unknown}");

    harness.state_mut().peaks = Some(peaks());
    harness.run();
    let known = rect_shapes(&harness);
    assert_eq!(known - unknown, width as usize, "one column per pixel");
}

#[test]
fn a_hundred_thousand_spans_cost_at_most_a_band_per_pixel_column() {
    let colors = [Color32::RED, Color32::BLUE, Color32::GREEN];
    let hour_ms = 3_600_000;
    // 36 ms spans with a 6 ms gap after every third: 100 000 of them.
    let spans: Vec<TimeSpan> = (0..100_000u64)
        .map(|i| {
            let start_ms = i * 36;
            TimeSpan {
                start_ms,
                end_ms: start_ms + if i % 3 == 2 { 30 } else { 36 },
                color: colors[i as usize % 3],
                segment: None,
            }
        })
        .collect();
    let mut scene = Scene::new(Widget::Overview).at(hour_ms / 2);
    scene.peaks = None;
    scene.duration_ms = hour_ms;
    scene.spans = spans.clone();
    let mut harness = harness(scene);
    let (width, half) = {
        let node = overview(&harness);
        (node.rect().width(), across(&node, 0.5))
    };
    // The tint behind the waveform and the speaker strip along its bottom:
    // at most a band per pixel column each.
    let bands = rect_shapes(&harness);
    assert!(
        (width as usize / 2..=2 * width as usize + 4).contains(&bands),
        "{bands} rectangles for {width} points"
    );
    let seeks = click_at(&mut harness, half);
    assert!(!seeks.is_empty(), "the click seeks");
    assert_near(
        seeks[0],
        hour_ms / 2,
        ms_per_point(hour_ms, width),
        "click at 50%",
    );

    // The zoom view draws only the spans under its 20 s.
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(hour_ms / 2);
    scene.peaks = None;
    scene.duration_ms = hour_ms;
    scene.spans = spans;
    let harness = self::harness(scene);
    let bands = rect_shapes(&harness);
    let visible = (WINDOW_MS / 36) as usize;
    assert!(
        (visible / 2..=visible + 4).contains(&bands),
        "{bands} rectangles for {visible} visible spans"
    );
}

#[test]
fn a_span_that_starts_before_the_zoom_view_still_tints_it() {
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(30_000);
    scene.peaks = None;
    let mut harness = harness(scene);
    let untinted = rect_shapes(&harness);
    harness.state_mut().spans = vec![
        TimeSpan {
            start_ms: 0,
            end_ms: 5_000,
            color: Color32::RED,
            segment: None,
        },
        TimeSpan {
            start_ms: 10_000,
            end_ms: 50_000,
            color: Color32::BLUE,
            segment: None,
        },
    ];
    harness.run();
    assert_eq!(
        rect_shapes(&harness),
        untinted + 1,
        "one band, the blue one"
    );
}

/// The point marks' colour: nothing else in the widget is magenta.
const TICK: Color32 = Color32::from_rgb(255, 0, 255);
/// The range marks' colour: no red and as much green as blue, which stays
/// true however translucent a band makes it.
const BAND: Color32 = Color32::from_rgb(0, 200, 200);
/// Marks that must not show where a test looks.
const ELSEWHERE: Color32 = Color32::from_rgb(255, 255, 0);

fn point(start_ms: u64, color: Color32) -> MarkSpan {
    MarkSpan {
        start_ms,
        end_ms: None,
        color,
    }
}

fn range(start_ms: u64, end_ms: u64, color: Color32) -> MarkSpan {
    MarkSpan {
        start_ms,
        end_ms: Some(end_ms),
        color,
    }
}

/// Every shape painted in the last frame, groups flattened.
fn shapes(harness: &Harness<'static, Scene>) -> Vec<Shape> {
    fn flatten(shape: &Shape, out: &mut Vec<Shape>) {
        match shape {
            Shape::Vec(inner) => inner.iter().for_each(|s| flatten(s, out)),
            other => out.push(other.clone()),
        }
    }
    let mut out = Vec::new();
    for clipped in &harness.output().shapes {
        flatten(&clipped.shape, &mut out);
    }
    out
}

/// The x and length of every vertical line painted in `color`.
fn vertical_lines(harness: &Harness<'static, Scene>, color: Color32) -> Vec<(f32, f32)> {
    shapes(harness)
        .iter()
        .filter_map(|shape| match shape {
            Shape::LineSegment { points, stroke }
                if stroke.color == color && points[0].x == points[1].x =>
            {
                Some((points[0].x, (points[1].y - points[0].y).abs()))
            }
            _ => None,
        })
        .collect()
}

/// The rectangles filled in a translucent [`BAND`].
fn band_rects(harness: &Harness<'static, Scene>) -> Vec<Rect> {
    shapes(harness)
        .iter()
        .filter_map(|shape| match shape {
            Shape::Rect(rect) => Some((rect.rect, rect.fill)),
            _ => None,
        })
        .filter(|(_, fill)| fill.r() == 0 && fill.g() > 0 && fill.g() == fill.b() && fill.a() < 255)
        .map(|(rect, _)| rect)
        .collect()
}

/// Counts shapes of any kind, groups flattened.
fn shape_count(harness: &Harness<'static, Scene>) -> usize {
    shapes(harness).len()
}

fn assert_x(got: f32, want: f32, what: &str) {
    assert!(
        (got - want).abs() <= 1.0,
        "{what}: x {got}, want {want} ± 1"
    );
}

/// Queues a drag from `from` through `via` to `to` with Shift held or not,
/// and runs it.
fn drag(harness: &mut Harness<'static, Scene>, shift: bool, points: &[Pos2]) {
    let scene = harness.state_mut();
    scene.seeks.clear();
    scene.selections.clear();
    scene.moves.clear();
    let (first, last) = (points[0], points[points.len() - 1]);
    if shift {
        harness.event(egui::Event::ModifiersChanged(Modifiers::SHIFT));
    }
    harness.hover_at(first);
    harness.drag_at(first);
    for point in &points[1..] {
        harness.hover_at(*point);
    }
    harness.drop_at(last);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    harness.run();
}

fn assert_range_near(got: &Range<u64>, want: Range<u64>, tolerance: u64, what: &str) {
    assert_near(got.start, want.start, tolerance, &format!("{what}, start"));
    assert_near(got.end, want.end, tolerance, &format!("{what}, end"));
}

#[test]
fn marks_show_as_ticks_and_bands_in_their_colours_where_they_are() {
    let marks = vec![
        point(5_000, ELSEWHERE),
        point(25_000, TICK),
        range(30_000, 35_000, BAND),
    ];
    // The zoom view shows 20..40 s.
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(30_000);
    scene.marks = marks.clone();
    let harness = harness(scene);
    let rect = zoomed(&harness).rect();
    let view = 20_000..40_000;
    let x = |ms| x_from_time(ms, view.clone(), rect.x_range());

    let ticks = vertical_lines(&harness, TICK);
    assert_eq!(ticks.len(), 1, "one tick: {ticks:?}");
    assert_x(ticks[0].0, x(25_000), "the tick");
    assert_eq!(ticks[0].1, rect.height(), "a tick spans the full height");
    let flags = shapes(&harness)
        .iter()
        .filter(|s| matches!(s, Shape::Path(path) if path.fill == TICK))
        .count();
    assert_eq!(flags, 1, "a flag atop the tick on the zoom view");
    assert!(
        vertical_lines(&harness, ELSEWHERE).is_empty(),
        "a mark outside the view is not drawn"
    );
    let bands = band_rects(&harness);
    assert_eq!(bands.len(), 1, "{bands:?}");
    assert_x(bands[0].left(), x(30_000), "the band's start");
    assert_x(bands[0].right(), x(35_000), "the band's end");
    let mut edges: Vec<f32> = vertical_lines(&harness, BAND).iter().map(|l| l.0).collect();
    edges.sort_by(f32::total_cmp);
    assert_eq!(edges.len(), 2, "solid edges at both ends: {edges:?}");
    assert_x(edges[0], x(30_000), "the start edge");
    assert_x(edges[1], x(35_000), "the end edge");

    // The overview shows all three, over the whole minute.
    let mut scene = Scene::new(Widget::Overview);
    scene.marks = marks;
    let harness = self::harness(scene);
    let rect = overview(&harness).rect();
    let x = |ms| x_from_time(ms, 0..DURATION_MS, rect.x_range());
    let elsewhere = vertical_lines(&harness, ELSEWHERE);
    assert_eq!(elsewhere.len(), 1, "{elsewhere:?}");
    assert_x(elsewhere[0].0, x(5_000), "the first tick");
    assert_x(
        vertical_lines(&harness, TICK)[0].0,
        x(25_000),
        "the second tick",
    );
    let bands = band_rects(&harness);
    assert_eq!(bands.len(), 1, "{bands:?}");
    assert_x(bands[0].left(), x(30_000), "the band's start");
    assert_x(bands[0].right(), x(35_000), "the band's end");
}

#[test]
fn a_range_that_starts_before_the_zoom_view_is_still_drawn() {
    // A long range from 2 s to 25 s, with 200 points inside it before the
    // view (20..40 s): a bounded look-back from the view would miss it.
    let mut marks = vec![range(1_000, 3_000, ELSEWHERE), range(2_000, 25_000, BAND)];
    marks.extend((0..200).map(|i| point(2_100 + i * 80, ELSEWHERE)));
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(30_000);
    scene.peaks = None;
    scene.marks = marks;
    let harness = harness(scene);
    let rect = zoomed(&harness).rect();
    let x_end = x_from_time(25_000, 20_000..40_000, rect.x_range());

    let bands = band_rects(&harness);
    assert_eq!(bands.len(), 1, "{bands:?}");
    assert_x(
        bands[0].left(),
        rect.left(),
        "the band starts at the view's left",
    );
    assert_x(bands[0].right(), x_end, "the band's end");
    let edges = vertical_lines(&harness, BAND);
    assert_eq!(edges.len(), 1, "no edge where the view cuts it: {edges:?}");
    assert_x(edges[0].0, x_end, "the end edge");
    assert!(
        vertical_lines(&harness, ELSEWHERE).is_empty(),
        "nothing of the marks that end before the view"
    );
}

#[test]
fn ten_thousand_marks_cost_at_most_a_tick_and_a_band_per_pixel_column() {
    let hour_ms = 3_600_000;
    let colors = [TICK, BAND, ELSEWHERE, Color32::RED, Color32::GREEN];
    // Every 360 ms a mark: points and ranges of 1 to 7 s, in turn.
    let marks: Vec<MarkSpan> = (0..10_000u64)
        .map(|i| {
            let color = colors[i as usize % colors.len()];
            if i % 2 == 0 {
                point(i * 360, color)
            } else {
                range(i * 360, i * 360 + (i % 7 + 1) * 1_000, color)
            }
        })
        .collect();
    for widget in [
        Widget::Overview,
        Widget::Zoom {
            window_ms: 30 * 60 * 1000,
        },
    ] {
        let mut scene = Scene::new(widget).at(hour_ms / 2);
        scene.peaks = None;
        scene.duration_ms = hour_ms;
        let mut harness = harness(scene);
        let (unmarked, width) = (
            shape_count(&harness),
            harness
                .get_by_role(egui::accesskit::Role::Slider)
                .rect()
                .width(),
        );
        harness.state_mut().marks = marks.clone();
        harness.run();
        let drawn = shape_count(&harness) - unmarked;
        // A tick with its flag, a band and its two edges per column at most.
        let most = 5 * width as usize;
        assert!(
            (width as usize..=most).contains(&drawn),
            "{drawn} shapes for {} marks on {width} points",
            marks.len()
        );
    }
}

#[test]
fn shift_drag_on_the_zoom_view_selects_a_range_either_way_and_does_not_seek() {
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(30_000);
    scene.peaks = None;
    let mut harness = harness(scene);
    let (left, right, width) = {
        let node = zoomed(&harness);
        (
            across(&node, 0.25),
            across(&node, 0.75),
            node.rect().width(),
        )
    };
    let tolerance = ms_per_point(WINDOW_MS, width);

    // Shift over the zoom view shows the text cursor, and the range grows
    // with the pointer, drawn as it is dragged.
    harness.event(egui::Event::ModifiersChanged(Modifiers::SHIFT));
    harness.hover_at(left);
    harness.run();
    assert_eq!(
        harness.output().platform_output.cursor_icon,
        CursorIcon::Text
    );
    harness.drag_at(left);
    harness.hover_at(across(&zoomed(&harness), 0.5));
    harness.run();
    let selections = harness.state().selections.clone();
    assert_range_near(
        selections.last().expect("a range while dragging"),
        25_000..30_000,
        tolerance,
        "half way",
    );
    let strong = harness.ctx.global_style().visuals.strong_text_color();
    let mut edges: Vec<f32> = vertical_lines(&harness, strong)
        .iter()
        .map(|l| l.0)
        .collect();
    edges.sort_by(f32::total_cmp);
    assert_eq!(
        edges.len(),
        2,
        "the range is drawn while dragged: {edges:?}"
    );
    assert_x(edges[0], left.x, "its start");
    harness.drop_at(left);
    harness.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    harness.run();

    for (from, to, way) in [(left, right, "rightwards"), (right, left, "leftwards")] {
        let via = across(&zoomed(&harness), 0.6);
        drag(&mut harness, true, &[from, via, to]);
        let scene = harness.state();
        assert!(scene.seeks.is_empty(), "{way}: no seek: {:?}", scene.seeks);
        assert!(
            scene.selections.iter().all(|s| s.start <= s.end),
            "{way}: {:?}",
            scene.selections
        );
        assert_eq!(
            scene.selections[0].start, scene.selections[0].end,
            "{way}: the press chooses an empty range"
        );
        assert_range_near(
            scene.selections.last().expect("a range"),
            25_000..35_000,
            tolerance,
            way,
        );
    }
}

#[test]
fn a_shift_drag_stays_inside_the_episode() {
    // A 5 s episode in a 20 s window: the right of the view is past its end.
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(2_000);
    scene.duration_ms = 5_000;
    let mut harness = harness(scene);
    let (from, to, width) = {
        let node = zoomed(&harness);
        (across(&node, 0.1), across(&node, 0.9), node.rect().width())
    };
    drag(&mut harness, true, &[from, to]);
    let selections = &harness.state().selections;
    assert_range_near(
        selections.last().expect("a range"),
        2_000..5_000,
        ms_per_point(WINDOW_MS, width),
        "clamped at the end",
    );
    assert!(selections.iter().all(|s| s.end <= 5_000), "{selections:?}");
}

#[test]
fn shift_drag_from_a_line_edge_selects_instead_of_moving_the_edge() {
    let scene = || {
        let mut scene = Scene::new(Widget::Zoom {
            window_ms: WINDOW_MS,
        })
        .at(30_000);
        scene.peaks = None;
        scene.spans = vec![TimeSpan {
            start_ms: 25_000,
            end_ms: 28_000,
            color: Color32::RED,
            segment: Some(0),
        }];
        scene
    };
    let mut harness = harness(scene());
    let (edge, to, width) = {
        let node = zoomed(&harness);
        (
            across(&node, 0.25),
            across(&node, 0.35),
            node.rect().width(),
        )
    };
    let tolerance = ms_per_point(WINDOW_MS, width);

    // Without Shift the edge is grabbed and moved (what Shift must prevent).
    harness.hover_at(edge);
    harness.run();
    assert_eq!(
        harness.output().platform_output.cursor_icon,
        CursorIcon::ResizeHorizontal
    );
    drag(&mut harness, false, &[edge, to]);
    let moves = harness.state().moves.clone();
    assert_eq!(moves.len(), 1, "{moves:?}");
    assert_near(moves[0].to_ms, 27_000, tolerance, "the edge moved");
    assert!(harness.state().selections.is_empty());

    let mut harness = self::harness(scene());
    harness.event(egui::Event::ModifiersChanged(Modifiers::SHIFT));
    harness.hover_at(edge);
    harness.run();
    assert_eq!(
        harness.output().platform_output.cursor_icon,
        CursorIcon::Text,
        "Shift: the selection's cursor, not the edge's"
    );
    drag(&mut harness, true, &[edge, to]);
    let scene = harness.state();
    assert!(scene.moves.is_empty(), "no edge moved: {:?}", scene.moves);
    assert!(scene.seeks.is_empty(), "no seek: {:?}", scene.seeks);
    assert_range_near(
        scene.selections.last().expect("a range"),
        25_000..27_000,
        tolerance,
        "from the edge",
    );
}

#[test]
fn a_plain_drag_on_the_zoom_view_still_seeks_and_selects_nothing() {
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(30_000);
    scene.peaks = None;
    let mut harness = harness(scene);
    let (points, width) = {
        let node = zoomed(&harness);
        (
            [0.25, 0.5, 0.75].map(|share| across(&node, share)),
            node.rect().width(),
        )
    };
    drag(&mut harness, false, &points);
    let scene = harness.state();
    assert!(scene.selections.is_empty(), "{:?}", scene.selections);
    assert!(!scene.seeks.is_empty(), "the drag seeks");
    assert_near(
        *scene.seeks.last().expect("seeks"),
        35_000,
        ms_per_point(WINDOW_MS, width),
        "the last seek",
    );
}

#[test]
fn the_selection_is_a_light_band_with_edges_or_a_dashed_line_at_an_open_start() {
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    })
    .at(30_000);
    scene.peaks = None;
    let mut harness = harness(scene);
    let rect = zoomed(&harness).rect();
    let x = |ms| x_from_time(ms, 20_000..40_000, rect.x_range());
    let strong = harness.ctx.global_style().visuals.strong_text_color();
    let rects_before = rect_shapes(&harness);
    assert!(vertical_lines(&harness, strong).is_empty());

    harness.state_mut().selection_ms = Some(25_000..30_000);
    harness.run();
    assert_eq!(rect_shapes(&harness), rects_before + 1, "one light band");
    let mut edges = vertical_lines(&harness, strong);
    edges.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(edges.len(), 2, "{edges:?}");
    assert_x(edges[0].0, x(25_000), "the in point");
    assert_x(edges[1].0, x(30_000), "the out point");
    assert_eq!(edges[0].1, rect.height(), "a solid edge");

    harness.state_mut().selection_ms = Some(25_000..25_000);
    harness.run();
    assert_eq!(rect_shapes(&harness), rects_before, "no band");
    let dashes = vertical_lines(&harness, strong);
    assert!(dashes.len() >= 3, "dashes: {dashes:?}");
    for (dash_x, length) in dashes {
        assert_x(dash_x, x(25_000), "the in point");
        assert!(length < rect.height() / 2.0, "a dash, {length} long");
    }
}

#[test]
fn a_sync_checks_pieces_run_along_the_overviews_top_with_their_shift_and_cuts_are_dashed() {
    let piece = |start_ms, end_ms, shift_ms, lines| PieceSpan {
        start_ms,
        end_ms,
        shift_ms,
        lines,
    };
    let mut scene = Scene::new(Widget::Overview);
    scene.pieces = vec![
        piece(0, 20_000, -4_321, 1..3),
        piece(30_000, 50_000, 3_403, 3..5),
    ];
    scene.cuts_ms = vec![25_000];
    let mut harness = harness(scene);
    let rect = overview(&harness).rect();
    let x = |ms| x_from_time(ms, 0..DURATION_MS, rect.x_range());
    let strips: Vec<(Rect, Color32)> = shapes(&harness)
        .iter()
        .filter_map(|shape| match shape {
            Shape::Rect(r) if r.rect.top() == rect.top() && r.rect.height() < 8.0 => {
                Some((r.rect, r.fill))
            }
            _ => None,
        })
        .collect();
    assert_eq!(strips.len(), 2, "one strip a piece: {strips:?}");
    assert_x(strips[0].0.left(), x(0), "the first piece's start");
    assert_x(strips[0].0.right(), x(20_000), "the first piece's end");
    assert_x(strips[1].0.left(), x(30_000), "the second piece's start");
    assert_x(strips[1].0.right(), x(50_000), "the second piece's end");
    assert_ne!(strips[0].1, strips[1].1, "neighbours in two colours");
    let error = harness.ctx.global_style().visuals.error_fg_color;
    let cut = vertical_lines(&harness, error);
    assert!(!cut.is_empty(), "the cut is drawn");
    assert!(
        cut.iter().all(|&(at, _)| (at - x(25_000)).abs() <= 1.0),
        "{cut:?}"
    );

    harness.hover_at(Pos2::new(x(10_000), rect.center().y));
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Sync check: Lines 2–3: shift −4.32 s")
            .is_some(),
        "the piece under the pointer is named"
    );

    // The zoomed view leaves them to the overview.
    let mut scene = Scene::new(Widget::Zoom {
        window_ms: WINDOW_MS,
    });
    scene.pieces = vec![piece(0, 20_000, -4_321, 1..3)];
    scene.cuts_ms = vec![5_000];
    let harness = self::harness(scene);
    assert!(vertical_lines(&harness, error).is_empty());
}
