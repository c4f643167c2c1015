//! Replacing a user's file so that it is always either the whole old file
//! or the whole new one: the bytes go to a temporary file in the same
//! folder (`.earmark-*.tmp`), which is flushed to disk, given the old
//! file's permissions (a new file gets what any new file gets there: read
//! and write for all, less the user's umask) and renamed over it; the
//! folder is then synced so the
//! rename itself survives a power cut. A save killed half-way leaves only a
//! temporary file, which [`remove_leftovers`] clears on the next start.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// What temporary files start with.
const TEMP_PREFIX: &str = ".earmark-";
/// ...and end with.
const TEMP_SUFFIX: &str = ".tmp";

/// A file that could not be replaced; the old one, if any, is untouched and
/// no temporary file is left.
#[derive(Debug, Error)]
#[error("{action} {path} failed: {source}", path = .path.display())]
pub struct WriteError {
    /// What was being done ("creating a temporary file beside", "writing", ...).
    pub action: &'static str,
    /// The file being replaced.
    pub path: PathBuf,
    /// Why it failed.
    #[source]
    pub source: std::io::Error,
}

/// Replaces (or creates) `path` with `bytes`, atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |action| {
        move |source| WriteError {
            action,
            path: path.to_owned(),
            source,
        }
    };
    let dir = folder_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // tempfile's own 0600 would make every new file private to its owner.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(fail("creating a temporary file beside"))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(fail("writing"))?;
    if let Ok(old) = std::fs::metadata(path) {
        temp.as_file()
            .set_permissions(old.permissions())
            .map_err(fail("keeping the permissions of"))?;
    }
    temp.persist(path).map_err(|e| fail("replacing")(e.error))?;
    sync_folder(dir);
    Ok(())
}

/// The folder `path` is in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Makes a rename in `dir` durable where the system allows opening a folder
/// (Unix); elsewhere the rename is already as durable as it gets.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        // Best effort: the new file is complete either way.
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Removes the temporary files an interrupted save left in `dir`; returns
/// how many. Folders that cannot be read have none to remove.
pub fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
        })
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

/// [`remove_leftovers`] in the folder `path` is in.
pub fn remove_leftovers_beside(path: &Path) -> usize {
    remove_leftovers(folder_of(path))
}
