//! The window: everything that draws with egui. Nothing outside `ui` imports egui.

pub mod waveform_view;
