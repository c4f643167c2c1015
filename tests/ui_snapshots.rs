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
        data_dir: None,
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

/// Renders the window and compares it with `tests/snapshots/NAME.png`. The
/// panels are not filled (the window is cleared to the panel colour, see
/// `clear_color`), and the test renderer clears to transparent, so the
/// picture is laid over the app's clear colour as eframe does on screen.
fn snapshot(harness: &mut Harness<'static, EarmarkApp>, name: &str) {
    let visuals = harness.ctx.global_style().visuals.clone();
    let clear = eframe::App::clear_color(harness.state(), &visuals);
    let mut image = match harness.render() {
        Ok(image) => image,
        Err(err) => panic!("rendering {name}: {err}"),
    };
    for pixel in image.pixels_mut() {
        let [r, g, b, a] = pixel.0;
        let cover = 1.0 - f32::from(a) / 255.0;
        let over = |premultiplied: u8, background: f32| {
            (f32::from(premultiplied) + background * 255.0 * cover).round() as u8
        };
        pixel.0 = [over(r, clear[0]), over(g, clear[1]), over(b, clear[2]), 255];
    }
    egui_kittest::image_snapshot(&image, name);
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
    snapshot(&mut harness, "player_light");
}

#[test]
fn dark_theme_with_a_line_being_heard() {
    let dir = cache();
    let (mut harness, _output) = window("Dark", dir.path(), 16_300);
    snapshot(&mut harness, "player_dark");
}

#[test]
fn search_highlights_every_match() {
    let dir = cache();
    let (mut harness, _output) = window("Light", dir.path(), 4_600);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    harness.run();
    harness.get_by_label("Search:").type_text("the");
    harness.run();
    snapshot(&mut harness, "player_search");
}
