//! Embeds the icon and the version information in `earmark.exe` when the
//! target is Windows; does nothing for any other target.
//!
//! A build script runs on the host, so the target is read from Cargo's
//! `CARGO_CFG_TARGET_OS`, never from `cfg!(windows)`. The resource compiler is
//! the Windows SDK's `rc.exe` for MSVC targets and MinGW-w64's `windres` for
//! GNU targets (cross-compiling from Linux: Debian's
//! binutils-mingw-w64-x86-64); winresource finds either.

use std::env;

/// The Windows icon, every size from 16 to 256 px (packaging/icons/make-icons.sh).
const ICON: &str = "packaging/icons/earmark.ico";

fn main() {
    // Run again only when these change, not on every edit of the sources.
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={ICON}");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    if let Err(err) = windows_resource() {
        // A Windows build without its icon and version is not one to ship.
        panic!("cannot embed the icon and version information in earmark.exe: {err}");
    }
}

/// Compiles the resource: the icon (first, so Explorer and the taskbar show
/// it) and a VERSIONINFO whose file and product versions are Cargo's.
fn windows_resource() -> std::io::Result<()> {
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon(ICON)
        .set("ProductName", "Earmark")
        .set("FileDescription", "Earmark")
        .set("InternalName", "earmark")
        .set("OriginalFilename", "earmark.exe")
        .set("ProductVersion", &version)
        .set("FileVersion", &version)
        .set("LegalCopyright", "The Earmark authors; MIT OR Apache-2.0")
        // English (United States): the VERSIONINFO's one string table.
        .set_language(0x0409);
    resource.compile()
}
