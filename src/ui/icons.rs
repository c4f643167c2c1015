//! Transport icons drawn with shapes, so they look the same on every
//! platform without an emoji font, and icon buttons that carry an accessible
//! label and a tooltip.

use eframe::egui::{
    self, Color32, Painter, Pos2, Rect, Role, Sense, Shape, Stroke, WidgetInfo, pos2, vec2,
};

/// Which icon to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    /// A right-pointing triangle.
    Play,
    /// Two bars.
    Pause,
    /// Two left-pointing triangles.
    SkipBack,
    /// Two right-pointing triangles.
    SkipForward,
    /// A bar and a left-pointing triangle.
    PreviousLine,
    /// A right-pointing triangle and a bar.
    NextLine,
    /// A person followed by a right-pointing triangle.
    NextSpeaker,
}

fn triangle(painter: &Painter, tip: Pos2, width: f32, half_height: f32, color: Color32) {
    let back_x = tip.x - width;
    painter.add(Shape::convex_polygon(
        vec![
            tip,
            pos2(back_x, tip.y + half_height),
            pos2(back_x, tip.y - half_height),
        ],
        color,
        Stroke::NONE,
    ));
}

fn triangle_left(painter: &Painter, tip: Pos2, width: f32, half_height: f32, color: Color32) {
    let back_x = tip.x + width;
    painter.add(Shape::convex_polygon(
        vec![
            tip,
            pos2(back_x, tip.y - half_height),
            pos2(back_x, tip.y + half_height),
        ],
        color,
        Stroke::NONE,
    ));
}

/// Paints `icon` centred in `rect`.
pub fn paint_icon(painter: &Painter, rect: Rect, icon: Icon, color: Color32) {
    let c = rect.center();
    let s = rect.height().min(rect.width()) * 0.5;
    let h = s * 0.55;
    match icon {
        Icon::Play => triangle(painter, pos2(c.x + s * 0.5, c.y), s, h, color),
        Icon::Pause => {
            let bar = vec2(s * 0.28, h * 2.0);
            for dx in [-s * 0.3, s * 0.3] {
                painter.rect_filled(Rect::from_center_size(pos2(c.x + dx, c.y), bar), 1.0, color);
            }
        }
        Icon::SkipBack => {
            triangle_left(painter, pos2(c.x - s * 0.6, c.y), s * 0.6, h * 0.8, color);
            triangle_left(painter, pos2(c.x, c.y), s * 0.6, h * 0.8, color);
        }
        Icon::SkipForward => {
            triangle(painter, pos2(c.x + s * 0.6, c.y), s * 0.6, h * 0.8, color);
            triangle(painter, pos2(c.x, c.y), s * 0.6, h * 0.8, color);
        }
        Icon::PreviousLine => {
            painter.rect_filled(
                Rect::from_center_size(pos2(c.x - s * 0.45, c.y), vec2(s * 0.18, h * 1.6)),
                0.0,
                color,
            );
            triangle_left(painter, pos2(c.x - s * 0.3, c.y), s * 0.75, h * 0.8, color);
        }
        Icon::NextLine => {
            triangle(painter, pos2(c.x + s * 0.3, c.y), s * 0.75, h * 0.8, color);
            painter.rect_filled(
                Rect::from_center_size(pos2(c.x + s * 0.45, c.y), vec2(s * 0.18, h * 1.6)),
                0.0,
                color,
            );
        }
        Icon::NextSpeaker => {
            let head = pos2(c.x - s * 0.35, c.y - h * 0.45);
            painter.circle_filled(head, s * 0.22, color);
            let shoulders =
                Rect::from_center_size(pos2(head.x, c.y + h * 0.55), vec2(s * 0.75, h * 0.8));
            painter.rect_filled(shoulders, egui::CornerRadius::same((s * 0.3) as u8), color);
            triangle(painter, pos2(c.x + s * 0.75, c.y), s * 0.5, h * 0.7, color);
        }
    }
}

/// A button showing `icon`, `size` points square, labelled `label` for
/// screen readers and its tooltip.
pub fn icon_button(
    ui: &mut egui::Ui,
    icon: Icon,
    label: &str,
    enabled: bool,
    size: f32,
) -> egui::Response {
    let sense = if enabled {
        Sense::click()
    } else {
        Sense::hover()
    };
    let (rect, response) = ui.allocate_exact_size(vec2(size, size), sense);
    response.widget_info(|| WidgetInfo::labeled(Role::Button, enabled, label));
    if ui.is_rect_visible(rect) {
        let visuals = if enabled {
            *ui.style().interact(&response)
        } else {
            ui.visuals().widgets.noninteractive
        };
        ui.painter().rect(
            rect,
            visuals.corner_radius,
            visuals.weak_bg_fill,
            visuals.bg_stroke,
            egui::StrokeKind::Inside,
        );
        let color = if enabled {
            visuals.fg_stroke.color
        } else {
            ui.visuals().weak_text_color()
        };
        paint_icon(ui.painter(), rect.shrink(size * 0.2), icon, color);
        if response.has_focus() {
            ui.painter().rect_stroke(
                rect,
                3.0,
                ui.visuals().selection.stroke,
                egui::StrokeKind::Outside,
            );
        }
    }
    response.on_hover_text(label)
}
