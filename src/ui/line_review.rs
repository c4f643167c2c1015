//! What the review shows on a transcript line: a tick when the line is
//! reviewed (a toggle: click it, or press R on the line) and a badge for
//! each marker that starts in it, in its kind's colour, its note on hover.
//! Drawn in the right end of the row's left column; returns the toggle's
//! click as a [`ViewAction`].

use eframe::egui::{self, Color32, Rect, Role, Sense, WidgetInfo, pos2, vec2};

use super::shortcuts::Action;
use super::transcript_view::ViewAction;
use crate::review::ReviewState;
use crate::review::markers::Marker;
use crate::transcript::Transcript;

/// The tick's box, square.
const TICK_SIZE: f32 = 16.0;
/// A badge's diameter.
const BADGE_SIZE: f32 = 9.0;
/// Badges drawn before "+n".
const MAX_BADGES: usize = 4;
/// The colour of a reviewed line's tick.
const REVIEWED_GREEN: Color32 = Color32::from_rgb(0x2e, 0xa0, 0x43);

/// The markers that start in line `segment`: from its start to the next
/// line's start (or its own end, where lines are out of order).
pub fn markers_in_line<'a>(
    review: &'a ReviewState,
    transcript: &Transcript,
    segment: usize,
) -> &'a [Marker] {
    let segments = &transcript.segments;
    let Some(line) = segments.get(segment) else {
        return &[];
    };
    let end_ms = segments
        .get(segment + 1)
        .map(|next| next.start_ms)
        .filter(|&next| next > line.start_ms)
        .unwrap_or(line.end_ms.max(line.start_ms + 1));
    let markers = &review.markers;
    let first = markers.partition_point(|m| m.start_ms < line.start_ms);
    let last = markers.partition_point(|m| m.start_ms < end_ms);
    &markers[first..last.max(first)]
}

/// Draws the tick and the badges of line `segment` in `rect` (its row),
/// the column ending at `column_right`; returns the toggle's click.
pub fn line_review_ui(
    ui: &mut egui::Ui,
    rect: Rect,
    column_right: f32,
    review: &ReviewState,
    transcript: &Transcript,
    segment: usize,
    row_hovered: bool,
) -> Option<ViewAction> {
    let line = transcript.segments.get(segment)?;
    let reviewed = review.reviewed.covers_line(line.start_ms, line.end_ms);
    let tick = Rect::from_min_size(
        pos2(column_right - TICK_SIZE - 4.0, rect.top() + 4.0),
        vec2(TICK_SIZE, TICK_SIZE),
    );
    let id = ui.scope_id().with(("reviewed", segment));
    let response = ui.interact(tick, id, Sense::click());
    response.widget_info(|| {
        WidgetInfo::selected(
            Role::CheckBox,
            true,
            reviewed,
            format!("Line {} reviewed", segment + 1),
        )
    });
    let response = response.on_hover_text(if reviewed {
        "Reviewed: click to unmark (R)"
    } else {
        "Mark reviewed (R)"
    });
    if ui.is_rect_visible(tick) && (reviewed || row_hovered || response.hovered()) {
        let color = if reviewed {
            REVIEWED_GREEN
        } else {
            ui.visuals().weak_text_color()
        };
        paint_tick(ui.painter(), tick.shrink(3.0), color);
    }
    badges_ui(
        ui,
        tick,
        review,
        markers_in_line(review, transcript, segment),
    );
    response.clicked().then_some(ViewAction::Line {
        segment,
        action: Action::ToggleReviewed,
    })
}

/// A tick mark drawn with lines (no font has to hold "✔").
fn paint_tick(painter: &egui::Painter, rect: Rect, color: Color32) {
    let points = vec![
        pos2(rect.left(), rect.center().y),
        pos2(rect.left() + rect.width() * 0.38, rect.bottom()),
        pos2(rect.right(), rect.top()),
    ];
    painter.add(egui::Shape::line(points, egui::Stroke::new(2.0, color)));
}

/// One dot per marker (up to [`MAX_BADGES`], then "+n") left of the tick.
fn badges_ui(ui: &mut egui::Ui, tick: Rect, review: &ReviewState, markers: &[Marker]) {
    if markers.is_empty() {
        return;
    }
    let y = tick.bottom() + BADGE_SIZE;
    let mut x = tick.right() - BADGE_SIZE / 2.0;
    if markers.len() > MAX_BADGES {
        ui.painter().text(
            pos2(x, y),
            egui::Align2::RIGHT_CENTER,
            format!("+{}", markers.len() - MAX_BADGES),
            egui::FontId::proportional(10.0),
            ui.visuals().weak_text_color(),
        );
        x -= 18.0;
    }
    for marker in markers.iter().take(MAX_BADGES) {
        let center = pos2(x, y);
        let color = super::style::kind_color(review, &marker.kind);
        ui.painter().circle_filled(center, BADGE_SIZE / 2.0, color);
        let hit = Rect::from_center_size(center, vec2(BADGE_SIZE + 2.0, BADGE_SIZE + 2.0));
        let id = ui
            .scope_id()
            .with(("badge", marker.start_ms, &marker.kind, &marker.note));
        let text = if marker.note.is_empty() {
            marker.kind.clone()
        } else {
            format!("{}: {}", marker.kind, marker.note)
        };
        ui.interact(hit, id, Sense::hover()).on_hover_text(text);
        x -= BADGE_SIZE + 3.0;
    }
}
