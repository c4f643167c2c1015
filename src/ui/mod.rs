//! The player window (eframe/egui): everything that draws. The rest of the
//! crate never imports this module.

mod app;
pub mod boundary_drag;
pub mod crash_notice;
mod demo;
pub mod dialogs;
pub mod editing;
pub mod export_window;
pub mod frame_clock;
pub mod handoff;
pub mod icons;
pub mod line_menu;
pub mod line_review;
#[cfg(target_os = "macos")]
pub mod macos_open;
pub mod marker_note;
pub mod markers_panel;
pub mod media_controls;
pub mod menu;
pub mod open;
pub mod own_keys;
pub mod player;
pub mod search;
pub mod search_bar;
pub mod settings;
pub mod settings_window;
pub mod shortcuts;
pub mod style;
pub mod sync_hint;
pub mod sync_job;
pub mod sync_panel;
pub mod timing_panel;
pub mod trace;
pub mod transcript_view;
pub mod transport;
pub mod waveform_view;

use std::path::PathBuf;
#[cfg(target_os = "macos")]
use std::{cell::OnceCell, rc::Rc, sync::mpsc::Sender};

pub use app::{EarmarkApp, Launch};

use crate::audio::{Engine, OutputChoice};

/// The name of the settings folder; the window's app id is [`crate::app_id::APP_ID`].
pub const APP_ID: &str = "earmark";

/// `$EARMARK_STATE_DIR`, when set: the folder the settings live in instead
/// of the platform's (tests).
fn state_dir_override() -> Option<PathBuf> {
    std::env::var_os("EARMARK_STATE_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// Where the settings are kept: `$EARMARK_STATE_DIR`, else eframe's folder for the app.
pub fn settings_dir() -> Option<PathBuf> {
    state_dir_override().or_else(|| eframe::storage_dir(APP_ID))
}

/// Opens the window and runs until it is closed. Settings live in the
/// platform's data folder, or in `$EARMARK_STATE_DIR` when set (tests).
/// With `listener`, files that other `earmark`s hand over open in it; on
/// macOS, so do the documents Finder asks Earmark to open, the first of
/// them in place of `launch`'s last episode when Finder launched it.
pub fn run(launch: Launch, listener: Option<crate::instance::Listener>) -> anyhow::Result<()> {
    let mut options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_app_id(crate::app_id::APP_ID)
            .with_title("Earmark")
            .with_inner_size([1000.0, 720.0])
            .with_min_inner_size([520.0, 360.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Glow,
        // Dithering costs every pixel a shader step, which a CPU rasteriser
        // (llvmpipe) pays each frame; the flat interface shows no banding.
        dithering: false,
        ..Default::default()
    };
    // eframe would keep its storage in a folder named after the window's app
    // id; the settings stay in the `earmark` folder they have always had.
    options.persistence_path = match state_dir_override() {
        Some(dir) => Some(dir.join("earmark.ron")),
        None => eframe::storage_dir(APP_ID).map(|dir| dir.join("app.ron")),
    };
    let mut incoming = handoff::Incoming::new();
    // Before the event loop exists: a launch by Finder brings its document
    // while the loop starts, before the window does.
    #[cfg(target_os = "macos")]
    let window_for_documents = open_documents_from_finder(incoming.sender());
    eframe::run_native(
        "Earmark",
        options,
        Box::new(move |cc| {
            #[cfg(target_os = "macos")]
            let _ = window_for_documents.set(cc.egui_ctx.clone());
            let launch = open_what_waits(launch, &mut incoming);
            let ctx = cc.egui_ctx.clone();
            let waker: crate::audio::engine::Waker = Box::new(move || ctx.request_repaint());
            let engine = Engine::start(OutputChoice::DefaultDevice, Some(waker))?;
            let clock = engine.clock_reader();
            let mut app = EarmarkApp::new(cc, launch, engine);
            app.attach_media_controls(media_controls::MediaControls::start(cc, clock));
            if let Some(listener) = listener {
                let ctx = cc.egui_ctx.clone();
                if let Err(err) = incoming.answer_on(listener, move || ctx.request_repaint()) {
                    // The lock goes with the listener: the next `earmark` listens instead.
                    log::warn!("cannot wait for files from other Earmarks: {err}");
                }
            }
            app.listen(incoming);
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"))
}

/// `launch`, or, when it names no files and a request already waits in
/// `incoming` (macOS: the document Finder launched Earmark to open, which
/// comes before the window), that request's files in place of the last
/// episode. Later requests wait for the first frame.
fn open_what_waits(mut launch: Launch, incoming: &mut handoff::Incoming) -> Launch {
    if launch.files.is_empty()
        && let Some(request) = incoming.take_waiting()
    {
        log::info!(
            "opening {} file(s) handed over at launch",
            request.files.len()
        );
        launch.restore = launch.restore && request.files.is_empty();
        launch.files = request.files;
        launch.start_ms = request.start_ms.or(launch.start_ms);
    }
    launch
}

/// Has the documents macOS asks Earmark to open (a Finder double-click,
/// Open With, `open FILE`) join `handed` as files another `earmark` hands
/// over do: absolute paths, one episode per event. The window is woken
/// through the returned cell once it is given the window's context; before
/// that, the window finds them as it opens.
#[cfg(target_os = "macos")]
fn open_documents_from_finder(
    handed: Sender<crate::instance::Request>,
) -> Rc<OnceCell<eframe::egui::Context>> {
    let window = Rc::<OnceCell<eframe::egui::Context>>::default();
    let wake = Rc::clone(&window);
    macos_open::install(move |urls| {
        let files = crate::file_url::to_paths(&urls);
        if files.is_empty() {
            log::info!(
                "none of the {} document(s) macOS asked to open is a local file",
                urls.len()
            );
            return;
        }
        // The paths are absolute: no working folder comes into it.
        let request = crate::instance::Request::new(&files, None, std::path::Path::new("/"));
        if handed.send(request).is_err() {
            log::warn!("the documents macOS asked to open came as the window closed");
            return;
        }
        if let Some(ctx) = wake.get() {
            ctx.request_repaint();
        }
    });
    window
}
