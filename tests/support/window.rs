//! The player window for egui_kittest tests (`tests/ui_app.rs`,
//! `tests/ui_review.rs`): the real app with the real engine on a virtual
//! output whose clock the test steps by hand, driven by accessible labels.
#![allow(dead_code, reason = "each test binary uses its own share")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use earmark::audio::{Engine, VirtualOutput};
use earmark::ui::{EarmarkApp, Launch};
use eframe::egui::accesskit::Toggled;
use eframe::egui::{Key, Modifiers, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

pub const OUTPUT_RATE: u32 = 48_000;
/// Frames pulled from the virtual output at a time.
const STEP_FRAMES: usize = 4800;

pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

/// The demo episode's lines, as the file has them.
pub const DEMO_STARTS_MS: [u64; 6] = [500, 4600, 10_100, 16_300, 22_400, 27_100];
/// Where its last line ends.
pub const DEMO_LAST_END_MS: u64 = 29_000;

/// The window, its virtual sound device, and a folder that lives as long as the test.
pub struct Window {
    pub harness: Harness<'static, EarmarkApp>,
    pub output: VirtualOutput,
    /// The files it was opened on.
    pub files: Vec<PathBuf>,
    _dir: tempfile::TempDir,
}

impl Window {
    pub fn open(files: Vec<PathBuf>) -> Window {
        Window::open_in(files, temp_dir())
    }

    pub fn open_in(files: Vec<PathBuf>, dir: tempfile::TempDir) -> Window {
        let data_dir = dir.path().join("data");
        Window::open_with_data(files, dir, data_dir)
    }

    /// The window on `files`, its journals and backups in `data_dir`.
    pub fn open_with_data(
        files: Vec<PathBuf>,
        dir: tempfile::TempDir,
        data_dir: PathBuf,
    ) -> Window {
        let launch = Launch {
            files,
            start_ms: None,
            restore: false,
            // The waveform cache goes to the test's folder, never the user's.
            cache_dir: Some(dir.path().to_owned()),
            data_dir: Some(data_dir),
        };
        Window::start(launch, dir)
    }

    /// The window on `launch`, once what it opens is open.
    pub fn start(launch: Launch, dir: tempfile::TempDir) -> Window {
        Window::start_with(launch, dir, None)
    }

    /// The window on `launch`, with `settings` as if saved by an earlier one.
    pub fn start_with(
        launch: Launch,
        dir: tempfile::TempDir,
        settings: Option<earmark::ui::settings::Settings>,
    ) -> Window {
        let (engine, output) = match Engine::start_virtual(OUTPUT_RATE, 2, 0) {
            Ok(pair) => pair,
            Err(err) => panic!("engine: {err}"),
        };
        // A few more steps than kittest's 4: a save's or a job's thread may
        // ask for a frame while the window settles.
        let files = launch.files.clone();
        let harness = Harness::builder()
            .with_size([1000.0, 700.0])
            .with_max_steps(12)
            .build_eframe(move |cc| match settings {
                Some(settings) => EarmarkApp::with_settings(cc, launch, engine, settings),
                None => EarmarkApp::new(cc, launch, engine),
            });
        let mut window = Window {
            harness,
            output,
            files,
            _dir: dir,
        };
        window.wait_until_open();
        window
    }

    /// Steps frames until the files are open, the audio loaded, its
    /// waveform computed (whose progress would otherwise ask for frames)
    /// and whether the transcript fits it judged (the sync hint's thread
    /// wakes the window once).
    /// (It steps rather than runs: the "Opening…" spinner animates meanwhile.)
    pub fn wait_until_open(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.harness.step();
            let app = self.harness.state();
            if !app.is_busy() && app.waveform_ready() && !app.sync_hint_pending() {
                break;
            }
            assert!(Instant::now() < deadline, "the episode did not open");
            std::thread::sleep(Duration::from_millis(5));
        }
        self.settle();
    }

    /// Lets the engine apply what the window sent, then draws until idle
    /// (and until a save being written is in).
    pub fn settle(&mut self) {
        self.harness.state().player().engine().settle();
        self.harness.run();
        self.harness.state().player().engine().settle();
        self.harness.run();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.harness.state().is_saving() {
            assert!(Instant::now() < deadline, "the save did not finish");
            std::thread::sleep(Duration::from_millis(1));
            self.harness.run();
        }
    }

    /// Plays `ms` of audio through the virtual device, then draws.
    pub fn play_for(&mut self, ms: u64) {
        let mut frames = (ms * u64::from(OUTPUT_RATE) / 1000) as usize;
        while frames > 0 {
            let step = frames.min(STEP_FRAMES);
            self.output.step(step);
            frames -= step;
        }
        self.settle();
    }

    pub fn clock_ms(&self) -> u64 {
        self.harness.state().player().engine().settle();
        self.harness.state().player().clock().pos_ms
    }

    /// When the window asked for its next frame (`MAX`: not at all).
    pub fn repaint_delay(&self) -> Duration {
        self.harness
            .output()
            .viewport_output
            .get(&ViewportId::ROOT)
            .map_or(Duration::ZERO, |viewport| viewport.repaint_delay)
    }

    pub fn playing(&self) -> bool {
        self.harness.state().player().clock().playing
    }

    pub fn press(&mut self, key: Key) {
        self.harness.key_press(key);
        self.settle();
    }

    pub fn press_with(&mut self, modifiers: Modifiers, key: Key) {
        self.harness.key_press_modifiers(modifiers, key);
        self.settle();
    }

    pub fn click(&mut self, label: &str) {
        self.harness.get_by_label(label).click();
        self.settle();
    }

    /// The line rows on screen whose accessible label contains `text`.
    pub fn row_visible(&self, text: &str) -> bool {
        self.harness.query_by_label_contains(text).is_some()
    }

    /// The text of the line marked as being heard (its row is "pressed").
    pub fn highlighted(&self) -> Vec<String> {
        self.harness
            .query_all_by(|node| node.toggled() == Some(Toggled::True))
            .filter_map(|node| node.accesskit_node().label())
            .collect()
    }
}

pub fn temp_dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => panic!("tempdir: {err}"),
    }
}

pub fn demo() -> Window {
    let dir = demo_dir();
    Window::open(vec![
        dir.join("demo-episode.mp3"),
        dir.join("demo-episode.txt"),
    ])
}

/// The demo episode copied into `dir` (audio, transcript), to be edited.
pub fn demo_copy(dir: &Path) -> Vec<PathBuf> {
    ["demo-episode.mp3", "demo-episode.txt"]
        .iter()
        .map(|name| {
            let to = dir.join(name);
            if let Err(err) = std::fs::copy(demo_dir().join(name), &to) {
                panic!("{err}");
            }
            to
        })
        .collect()
}

/// A copy of the demo episode to edit, playing from the line whose label
/// contains `line`.
pub fn editable_demo_playing(line: &str) -> Window {
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let mut window = Window::open_in(files, dir);
    window.harness.get_by_label_contains(line).click();
    window.settle();
    window
}

/// A copy of the demo episode to edit, opened with `settings` as if an
/// earlier window had saved them.
pub fn editable_demo_with(settings: earmark::ui::settings::Settings) -> Window {
    let dir = temp_dir();
    let files = demo_copy(dir.path());
    let launch = Launch {
        files,
        start_ms: None,
        restore: false,
        cache_dir: Some(dir.path().to_owned()),
        data_dir: Some(dir.path().join("data")),
    };
    Window::start_with(launch, dir, Some(settings))
}
