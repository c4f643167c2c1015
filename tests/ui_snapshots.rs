//! A few small pictures of the real window, rendered on the CPU (wgpu on
//! Mesa's lavapipe) and compared with `tests/snapshots/*.png`: light and dark
//! themes with a line being heard, and the search bar with its matches.
//! `UPDATE_SNAPSHOTS=1 cargo test --test ui_snapshots` accepts a change.

use std::path::Path;
use std::time::{Duration, Instant};

use earmark::audio::{Engine, VirtualOutput};
use earmark::ui::{EarmarkApp, Launch};
use eframe::egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The demo episode in a small window, its waveform built, playing from
/// `pos_ms` for a moment so a line is highlighted.
fn window(theme: &str, cache: &Path, pos_ms: u64) -> (Harness<'static, EarmarkApp>, VirtualOutput) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let (engine, mut output) = match Engine::start_virtual(48_000, 2, 0) {
        Ok(pair) => pair,
        Err(err) => panic!("engine: {err}"),
    };
    let launch = Launch {
        files: vec![demo.join("demo-episode.mp3"), demo.join("demo-episode.txt")],
        start_ms: Some(pos_ms),
        restore: false,
        cache_dir: Some(cache.to_owned()),
    };
    let mut harness = Harness::builder()
        .with_size([760.0, 420.0])
        .wgpu()
        .build_eframe(move |cc| EarmarkApp::new(cc, launch, engine));
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.state().is_busy() || !harness.state().waveform_ready() {
        assert!(Instant::now() < deadline, "the demo did not open");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.state().player().engine().settle();
    harness.run();
    // The theme is the user's choice in View, remembered in the settings.
    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label(theme).click();
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    // Each key is handled on the next frame; then the engine applies what it sent.
    harness.key_press(Key::Space);
    harness.run();
    harness.state().player().engine().settle();
    for _ in 0..10 {
        output.step(4800);
    }
    harness.key_press(Key::Space);
    harness.run();
    harness.state().player().engine().settle();
    harness.remove_cursor();
    harness.run();
    (harness, output)
}

fn cache() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("tempdir: {err}"),
    }
}

#[test]
fn light_theme_with_a_line_being_heard() {
    let dir = cache();
    let (mut harness, _output) = window("Light", dir.path(), 10_100);
    assert_eq!(
        harness.state().settings().theme,
        earmark::ui::settings::ThemeChoice::Light
    );
    harness.snapshot("player_light");
}

#[test]
fn dark_theme_with_a_line_being_heard() {
    let dir = cache();
    let (mut harness, _output) = window("Dark", dir.path(), 16_300);
    harness.snapshot("player_dark");
}

#[test]
fn search_highlights_every_match() {
    let dir = cache();
    let (mut harness, _output) = window("Light", dir.path(), 4_600);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    harness.run();
    harness.get_by_label("Search:").type_text("the");
    harness.run();
    harness.snapshot("player_search");
}
