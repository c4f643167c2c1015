//! Dragging a line's start or end on the zoomed waveform: the pointer near
//! the edge of a line's band (within [`GRAB_POINTS`]) shows a resize
//! cursor, pressing there grabs that edge instead of seeking, and releasing
//! moves it to where the pointer is. What is being dragged lives in egui's
//! temporary memory under the widget's id; the move comes back as an
//! [`EdgeMove`] for the app to make as an undoable edit. A press with Shift
//! held chooses a range on the waveform instead and never reaches
//! [`handle`]; [`is_holding`] lets the waveform finish an edge drag that
//! Shift joined halfway.

use std::ops::Range;

use eframe::egui::{self, Align2, CursorIcon, Rect, Stroke, TextStyle};

use super::style::clock_label;
use super::waveform_view::{TimeSpan, time_from_x, x_from_time};

/// How near (in points) the pointer must be to an edge to grab it.
pub const GRAB_POINTS: f32 = 5.0;

/// Where in egui's temporary memory (under the widget's id) the held edge is.
const GRAB_KEY: &str = "edge-drag";

/// A line's start or end moved on the waveform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeMove {
    /// The line (index in file order).
    pub segment: usize,
    /// Its start (else its end).
    pub start: bool,
    /// Where it now is.
    pub to_ms: u64,
}

/// An edge being dragged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grab {
    segment: usize,
    start: bool,
}

/// What the pointer does to the edges this frame.
pub struct EdgeDrag {
    /// An edge is held (the widget must not seek meanwhile).
    pub holding: bool,
    /// The edge let go of, and where.
    pub moved: Option<EdgeMove>,
}

/// The edge of a line's band nearest to `x`, within [`GRAB_POINTS`]. Where
/// one line ends as the next starts, the side of the pointer chooses.
fn edge_near(x: f32, spans: &[TimeSpan], view: &Range<u64>, rect: Rect) -> Option<Grab> {
    let mut best: Option<(f32, Grab)> = None;
    for span in spans {
        if span.end_ms < view.start || span.start_ms > view.end {
            continue;
        }
        let Some(segment) = span.segment else {
            continue;
        };
        for (ms, start) in [(span.start_ms, true), (span.end_ms, false)] {
            let edge_x = x_from_time(ms, view.clone(), rect.x_range());
            let distance = (edge_x - x).abs();
            // A start belongs to the right of its x, an end to the left.
            let on_its_side = if start { x >= edge_x } else { x <= edge_x };
            let score = distance - if on_its_side { 0.5 } else { 0.0 };
            if distance <= GRAB_POINTS && best.is_none_or(|(s, _)| score < s) {
                best = Some((score, Grab { segment, start }));
            }
        }
    }
    best.map(|(_, grab)| grab)
}

/// Whether an edge is being dragged on the zoomed waveform's `response`
/// (so a Shift press there finishes that drag rather than choosing a range).
pub fn is_holding(ui: &egui::Ui, response: &egui::Response) -> bool {
    ui.data(|d| d.get_temp::<Grab>(response.id.with(GRAB_KEY)))
        .is_some()
}

/// Handles the pointer over the zoomed waveform's `response` for the edges
/// of `spans` in `view`.
pub fn handle(
    ui: &egui::Ui,
    response: &egui::Response,
    spans: &[TimeSpan],
    view: &Range<u64>,
) -> EdgeDrag {
    let id = response.id.with(GRAB_KEY);
    let rect = response.rect;
    let held: Option<Grab> = ui.data(|d| d.get_temp(id));
    let pointer = ui.input(|i| i.pointer.interact_pos().or(i.pointer.hover_pos()));
    let near = pointer
        .filter(|p| rect.contains(*p))
        .and_then(|p| edge_near(p.x, spans, view, rect));
    if near.is_some() || held.is_some() {
        ui.ctx().set_cursor_icon(CursorIcon::ResizeHorizontal);
    }
    let pressed = ui.input(|i| i.pointer.primary_pressed()) && response.is_pointer_button_down_on();
    if held.is_none()
        && pressed
        && let Some(grab) = near
    {
        ui.data_mut(|d| d.insert_temp(id, grab));
        return EdgeDrag {
            holding: true,
            moved: None,
        };
    }
    let Some(grab) = held else {
        return EdgeDrag {
            holding: false,
            moved: None,
        };
    };
    let to_ms = pointer.map(|p| time_from_x(p.x, view.clone(), rect.x_range()));
    if ui.input(|i| i.pointer.primary_down()) {
        if let Some(to_ms) = to_ms {
            paint_edge(ui, rect, view, to_ms);
        }
        return EdgeDrag {
            holding: true,
            moved: None,
        };
    }
    ui.data_mut(|d| d.remove::<Grab>(id));
    EdgeDrag {
        holding: true,
        moved: to_ms.map(|to_ms| EdgeMove {
            segment: grab.segment,
            start: grab.start,
            to_ms,
        }),
    }
}

/// The edge where it would land, with its time.
fn paint_edge(ui: &egui::Ui, rect: Rect, view: &Range<u64>, to_ms: u64) {
    let painter = ui.painter_at(rect).with_layer_id(egui::LayerId::new(
        egui::Order::Foreground,
        ui.scope_id().with("edge-drag"),
    ));
    let x = x_from_time(to_ms, view.clone(), rect.x_range());
    let colour = ui.visuals().selection.stroke.color;
    painter.vline(x, rect.y_range(), Stroke::new(2.0, colour));
    // The time at the bottom on its own background, clear of the ticks.
    // To the hundredth: an edge is placed finer than a second.
    let time = format!(
        "{}.{:02}",
        clock_label(to_ms, view.end >= 3_600_000),
        to_ms % 1000 / 10
    );
    let galley = painter.layout_no_wrap(time, TextStyle::Small.resolve(ui.style()), colour);
    let at = Align2::LEFT_BOTTOM
        .anchor_size(egui::pos2(x + 5.0, rect.bottom() - 3.0), galley.size())
        .min;
    painter.rect_filled(
        Rect::from_min_size(at, galley.size()).expand(2.0),
        2.0,
        ui.visuals().extreme_bg_color,
    );
    painter.galley(at, galley, colour);
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui::{Color32, pos2};

    fn span(segment: usize, start_ms: u64, end_ms: u64) -> TimeSpan {
        TimeSpan {
            start_ms,
            end_ms,
            color: Color32::RED,
            segment: Some(segment),
        }
    }

    #[test]
    fn the_edge_nearest_the_pointer_is_grabbed_and_a_shared_one_by_side() {
        let rect = Rect::from_min_max(pos2(0.0, 0.0), pos2(1000.0, 60.0));
        let view = 0..10_000;
        // 1 point = 10 ms.
        let spans = [span(0, 1000, 3000), span(1, 3000, 6000)];
        let grab = |x| edge_near(x, &spans, &view, rect);
        assert_eq!(
            grab(102.0),
            Some(Grab {
                segment: 0,
                start: true
            })
        );
        assert_eq!(
            grab(598.0),
            Some(Grab {
                segment: 1,
                start: false
            })
        );
        assert_eq!(
            grab(298.0),
            Some(Grab {
                segment: 0,
                start: false
            })
        );
        assert_eq!(
            grab(302.0),
            Some(Grab {
                segment: 1,
                start: true
            })
        );
        assert_eq!(grab(450.0), None, "mid-line: no edge");
        let unowned = [TimeSpan {
            segment: None,
            ..span(0, 1000, 3000)
        }];
        assert_eq!(edge_near(100.0, &unowned, &view, rect), None);
    }
}
