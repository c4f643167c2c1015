//! Ctrl+O on a Linux desktop without a file chooser (no portal, no
//! zenity: this machine, and CI's) says so and what to do, instead of
//! doing nothing visible. Its own test binary: it takes the portal's bus
//! and zenity away from the whole process.

// Only where rfd looks for the portal and zenity (macOS and Windows have a
// dialog of their own): elsewhere this file is empty, its imports unused.
#![cfg(all(unix, not(target_os = "macos")))]

#[path = "support/window.rs"]
mod window;

use std::time::{Duration, Instant};

use eframe::egui::{Key, Modifiers};
use window::*;

#[test]
fn ctrl_o_without_a_file_dialog_says_what_to_install() {
    // SAFETY: set before any thread of this test binary's one test starts;
    // nothing else here reads the environment concurrently.
    unsafe {
        std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
        std::env::set_var("PATH", "/nonexistent-earmark-test");
    }
    let mut window = demo();
    assert!(window.harness.state().errors().is_empty());
    window.press_with(Modifiers::COMMAND, Key::O);
    let deadline = Instant::now() + Duration::from_secs(20);
    while window.harness.state().is_busy() {
        assert!(Instant::now() < deadline, "the dialog job did not end");
        std::thread::sleep(Duration::from_millis(10));
        window.harness.step();
    }
    window.settle();
    let errors = window.harness.state().errors();
    assert!(
        errors.iter().any(|e| e == earmark::ui::open::NO_DIALOG),
        "{errors:?}"
    );
}
