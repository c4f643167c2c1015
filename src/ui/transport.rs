//! The transport bar: play/pause, skips, line and speaker jumps, the seek bar
//! with elapsed and remaining time, volume, speed and the output device's
//! state. Returns what the user asked for; never touches the engine.

use eframe::egui::{self, Color32, Rect, Role, Sense, Stroke, WidgetInfo, vec2};

use super::icons::{Icon, icon_button};
use super::player::DeviceState;
use super::settings::SPEEDS;
use super::shortcuts::Action;
use super::style::clock_label;

/// What the transport bar shows.
pub struct TransportInput {
    /// The playhead.
    pub pos_ms: u64,
    /// The audio's length (0 without audio).
    pub duration_ms: u64,
    /// Playing now.
    pub playing: bool,
    /// Audio is loaded (otherwise the controls are disabled).
    pub has_audio: bool,
    /// A transcript is open (line and speaker jumps).
    pub has_transcript: bool,
    /// The speed.
    pub speed: f64,
    /// The volume.
    pub volume: f32,
    /// How far the skip buttons move.
    pub skip_secs: f32,
    /// The range being repeated, if any.
    pub loop_ms: Option<std::ops::Range<u64>>,
}

/// What the user asked for in the transport bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TransportAction {
    /// The same as a shortcut.
    Do(Action),
    /// Go to this time.
    Seek(u64),
    /// Set the speed.
    SetSpeed(f64),
    /// Set the volume.
    SetVolume(f32),
}

/// Draws the transport bar.
pub fn transport_ui(ui: &mut egui::Ui, input: &TransportInput) -> Vec<TransportAction> {
    let mut actions = Vec::new();
    let with_hours = input.duration_ms >= 3_600_000;
    ui.horizontal(|ui| {
        let enabled = input.has_audio;
        let jump = enabled && input.has_transcript;
        let mut button = |ui: &mut egui::Ui, icon, label: &str, on: bool, size: f32, action| {
            if icon_button(ui, icon, label, on, size).clicked() {
                actions.push(TransportAction::Do(action));
            }
        };
        button(
            ui,
            Icon::PreviousLine,
            "Previous line",
            jump,
            30.0,
            Action::PreviousSegment,
        );
        let back = format!("Back {} s", input.skip_secs);
        button(ui, Icon::SkipBack, &back, enabled, 30.0, Action::SkipBack);
        let (icon, label) = if input.playing {
            (Icon::Pause, "Pause")
        } else {
            (Icon::Play, "Play")
        };
        button(ui, icon, label, enabled, 36.0, Action::PlayPause);
        let forward = format!("Forward {} s", input.skip_secs);
        button(
            ui,
            Icon::SkipForward,
            &forward,
            enabled,
            30.0,
            Action::SkipForward,
        );
        button(
            ui,
            Icon::NextLine,
            "Next line",
            jump,
            30.0,
            Action::NextSegment,
        );
        button(
            ui,
            Icon::NextSpeaker,
            "Next speaker change",
            jump,
            30.0,
            Action::NextSpeaker,
        );
        let loop_text = match &input.loop_ms {
            Some(range) => format!(
                "Loop {}–{}",
                clock_label(range.start, with_hours),
                clock_label(range.end, with_hours)
            ),
            None => "Loop".to_string(),
        };
        let looping = input.loop_ms.is_some();
        let loop_button = ui
            .add_enabled(
                jump,
                egui::Button::new(loop_text.as_str()).selected(looping),
            )
            .on_hover_text("Repeat the line being heard (L); again to stop");
        loop_button.widget_info(|| {
            let label = if looping {
                loop_text.as_str()
            } else {
                "Loop line"
            };
            let mut info = WidgetInfo::labeled(Role::Button, jump, label);
            info.selected = Some(looping);
            info
        });
        if loop_button.clicked() {
            actions.push(TransportAction::Do(Action::ToggleLoop));
        }
        ui.add_space(8.0);
        ui.add_enabled_ui(enabled, |ui| {
            ui.label(clock_label(input.pos_ms, with_hours));
            let bar_width = (ui.available_width() - 280.0).max(100.0);
            if let Some(pos_ms) = seek_bar_ui(ui, input.pos_ms, input.duration_ms, bar_width) {
                actions.push(TransportAction::Seek(pos_ms));
            }
            let remaining = input.duration_ms.saturating_sub(input.pos_ms);
            ui.label(format!("−{}", clock_label(remaining, with_hours)));
            ui.add_space(8.0);
            let mut volume = input.volume;
            let volume_response = ui
                .add(egui::Slider::new(&mut volume, 0.0..=1.0).show_value(false))
                .on_hover_text(format!("Volume {:.0}%", volume * 100.0));
            volume_response.widget_info(|| WidgetInfo::slider(true, f64::from(volume), "Volume"));
            if volume_response.changed() {
                actions.push(TransportAction::SetVolume(volume));
            }
            let mut speed = input.speed;
            egui::ComboBox::from_id_salt("speed")
                .selected_text(format!("{speed}×"))
                .width(56.0)
                // Every speed in view at once, without scrolling.
                .height(f32::INFINITY)
                .show_ui(ui, |ui| {
                    for choice in SPEEDS {
                        ui.selectable_value(&mut speed, choice, format!("{choice}×"));
                    }
                })
                .response
                .on_hover_text("Speed, pitch kept ([ and ])")
                .widget_info(|| {
                    WidgetInfo::labeled(Role::ComboBox, true, format!("Speed {speed}×"))
                });
            if speed != input.speed {
                actions.push(TransportAction::SetSpeed(speed));
            }
        });
    });
    actions
}

/// The output device's state, with a way to retry when it is missing; true
/// when the user asks to try the device again. Drawn right to left (the end
/// of the menu bar), so the retry button comes first.
pub fn device_ui(ui: &mut egui::Ui, device: &DeviceState) -> bool {
    let mut retry = false;
    ui.horizontal(|ui| match device {
        DeviceState::Unknown => {}
        DeviceState::Open { name } => {
            ui.weak("Sound on")
                .on_hover_text(format!("Playing on {name}"));
        }
        DeviceState::NoDevice { reason } => {
            ui.colored_label(Color32::from_rgb(0xd0, 0x80, 0x00), "No audio device")
                .on_hover_text(format!(
                    "{reason}. Playback runs silently; the highlight still moves."
                ));
            if ui.small_button("Retry").clicked() {
                retry = true;
            }
        }
        DeviceState::Lost => {
            if ui.small_button("Reconnect").clicked() {
                retry = true;
            }
            ui.colored_label(ui.visuals().error_fg_color, "Audio device lost");
        }
    });
    retry
}

/// The seek bar's knob.
const KNOB_RADIUS: f32 = 7.0;

/// A seek bar `width` wide: click or drag to move; returns the time asked for.
pub fn seek_bar_ui(ui: &mut egui::Ui, pos_ms: u64, duration_ms: u64, width: f32) -> Option<u64> {
    let height = ui.spacing().interact_size.y;
    let (rect, response) = ui.allocate_exact_size(vec2(width, height), Sense::click_and_drag());
    let fraction = if duration_ms == 0 {
        0.0
    } else {
        (pos_ms as f64 / duration_ms as f64).clamp(0.0, 1.0) as f32
    };
    response.widget_info(|| {
        let mut info = WidgetInfo::slider(ui.is_enabled(), pos_ms as f64 / 1000.0, "Position");
        info.current_text_value = Some(format!(
            "{} of {}",
            clock_label(pos_ms, false),
            clock_label(duration_ms, false)
        ));
        info
    });
    // The knob's centre stays on the track, so at either end the knob stays
    // inside the bar instead of touching the time beside it.
    let track = Rect::from_center_size(
        rect.center(),
        vec2((rect.width() - 2.0 * KNOB_RADIUS).max(1.0), 6.0),
    );
    let mut asked = None;
    if (response.clicked() || response.dragged())
        && duration_ms > 0
        && let Some(pointer) = response.interact_pointer_pos()
    {
        let share = ((pointer.x - track.left()) / track.width()).clamp(0.0, 1.0);
        asked = Some((f64::from(share) * duration_ms as f64).round() as u64);
    }
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let painter = ui.painter();
        // The inactive widget fill with its outline: visible on light and dark.
        let widgets = &ui.visuals().widgets;
        painter.rect(
            track,
            3.0,
            widgets.inactive.bg_fill,
            widgets.noninteractive.bg_stroke,
            egui::StrokeKind::Inside,
        );
        let shown = asked.map_or(fraction, |ms| ms as f32 / duration_ms.max(1) as f32);
        let filled = Rect::from_min_max(
            track.min,
            egui::pos2(track.left() + track.width() * shown, track.bottom()),
        );
        painter.rect_filled(filled, 3.0, ui.visuals().selection.bg_fill);
        let knob = egui::pos2(filled.right(), track.center().y);
        painter.circle(
            knob,
            KNOB_RADIUS,
            visuals.bg_fill,
            Stroke::new(1.0, visuals.fg_stroke.color),
        );
        if response.has_focus() {
            painter.rect_stroke(
                rect,
                2.0,
                ui.visuals().selection.stroke,
                egui::StrokeKind::Inside,
            );
        }
    }
    asked
}
