//! The application id: one reverse-DNS name the desktop knows Earmark by.
//!
//! It is the window's app id (Wayland's `app_id`, X11's `WM_CLASS`), and the
//! name of everything in `packaging/`: the desktop entry
//! (`APP_ID.desktop`, so the desktop puts the window under its entry), the
//! AppStream metainfo, the icons, the macOS bundle identifier; later the
//! D-Bus names and the Windows AppUserModelID. `tests/packaging.rs` checks
//! that those files use this value. It does not name the settings folder,
//! which stays `earmark` (see `ui::settings_dir`), so changing it moves no
//! one's settings. Never import GUI or audio crates here.

/// Earmark's application id, in reverse-DNS form.
pub const APP_ID: &str = "io.github.earmark.Earmark";
