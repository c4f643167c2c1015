//! Windows only: what the process tells the system before anything else.
//!
//! The release build is a GUI-subsystem program (no console window opens
//! behind the player), so Windows gives it no standard handles: what a
//! headless command (`earmark inspect …`, `--help`, `--version`) prints would
//! go nowhere. [`attach_parent_console`] sends it to the console of the shell
//! that started Earmark, as a console program's would go. The window's
//! process takes the app id as its AppUserModelID
//! ([`set_app_user_model_id`]), the id the installer's Start-menu shortcut
//! carries too, so the taskbar groups and pins the window under that entry.

use std::ptr;

use windows_sys::Win32::Foundation::{GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING,
};
use windows_sys::Win32::System::Console::{
    ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_ERROR_HANDLE, STD_HANDLE,
    STD_OUTPUT_HANDLE, SetStdHandle,
};
#[cfg(feature = "app")]
use windows_sys::Win32::UI::Shell::SetCurrentProcessExplicitAppUserModelID;

/// The standard handles given the console's screen buffer (Windows has no
/// `CONERR$`). Not standard input: the shell that started a GUI program goes
/// on reading its console, and no headless command reads a terminal.
const OUTPUTS: [STD_HANDLE; 2] = [STD_OUTPUT_HANDLE, STD_ERROR_HANDLE];

fn is_set(handle: HANDLE) -> bool {
    !handle.is_null() && handle != INVALID_HANDLE_VALUE
}

/// UTF-16 with the closing NUL, for the `W` functions.
fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Attaches the process to the console of the process that started it, if
/// that has one (a shell does; Explorer does not), and gives standard output
/// and standard error, where not set, to that console. A handle already set
/// is left as it is: `earmark inspect x.srt > x.json` still writes to the
/// file, and a console build (the debug build) changes nothing. Does nothing
/// when there is no parent console: the output has nowhere to go then.
///
/// Call it first thing, before anything is printed: Rust's standard streams
/// look the handles up on every write, so everything after it reaches the
/// terminal. `cmd.exe` does not wait for a GUI program, so its prompt may come
/// back before the output; `start /wait earmark …` waits.
pub fn attach_parent_console() {
    // SAFETY: GetStdHandle only reads the process's handle table.
    let unset: Vec<STD_HANDLE> = OUTPUTS
        .into_iter()
        .filter(|which| !is_set(unsafe { GetStdHandle(*which) }))
        .collect();
    if unset.is_empty() {
        return;
    }
    // SAFETY: no pointers; fails harmlessly when there is no parent console
    // or the process has one already.
    if unsafe { AttachConsole(ATTACH_PARENT_PROCESS) } == 0 {
        return;
    }
    let screen = wide("CONOUT$");
    for which in unset {
        // SAFETY: as above.
        if is_set(unsafe { GetStdHandle(which) }) {
            continue; // AttachConsole gave it the console already.
        }
        // SAFETY: `screen` is NUL-terminated and outlives the call; no
        // security attributes, no template.
        let handle = unsafe {
            CreateFileW(
                screen.as_ptr(),
                GENERIC_READ | GENERIC_WRITE,
                FILE_SHARE_READ | FILE_SHARE_WRITE,
                ptr::null(),
                OPEN_EXISTING,
                0,
                ptr::null_mut(),
            )
        };
        if is_set(handle) {
            // SAFETY: `handle` is an open console handle the process keeps
            // for its whole life, as a standard handle is.
            unsafe { SetStdHandle(which, handle) };
        }
    }
}

/// Makes `app_id` the process's AppUserModelID, which the taskbar groups its
/// windows by and matches with the Start-menu shortcut of the same id. Call
/// it before the first window opens. A failure is logged: the taskbar then
/// groups by the executable's path, which only loses pinning to the entry.
#[cfg(feature = "app")]
pub fn set_app_user_model_id(app_id: &str) {
    let id = wide(app_id);
    // SAFETY: `id` is NUL-terminated and outlives the call; the shell copies it.
    let result = unsafe { SetCurrentProcessExplicitAppUserModelID(id.as_ptr()) };
    if result < 0 {
        log::warn!("cannot set the AppUserModelID {app_id}: HRESULT {result:#010x}");
    }
}
