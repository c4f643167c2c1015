//! The demo episode shown on first launch: built into the binary (31 s of
//! synthetic speech and its transcript, made by `assets/demo/make.sh`) and
//! written once to the cache folder so it opens like any other episode.

use std::path::{Path, PathBuf};

const DEMO_AUDIO: &[u8] = include_bytes!("../../assets/demo/demo-episode.mp3");
const DEMO_TRANSCRIPT: &[u8] = include_bytes!("../../assets/demo/demo-episode.txt");

/// The demo's audio and transcript in `cache_root/demo`, written there if
/// missing or different; the error says which file could not be written.
pub fn demo_files(cache_root: Option<&Path>) -> Result<(PathBuf, PathBuf), String> {
    let folder = cache_root
        .ok_or("this system has no cache folder to put the demo episode in")?
        .join("demo");
    std::fs::create_dir_all(&folder)
        .map_err(|err| format!("cannot create {}: {err}", folder.display()))?;
    let audio = folder.join("demo-episode.mp3");
    let transcript = folder.join("demo-episode.txt");
    write_if_different(&audio, DEMO_AUDIO)?;
    write_if_different(&transcript, DEMO_TRANSCRIPT)?;
    Ok((audio, transcript))
}

fn write_if_different(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if std::fs::read(path).is_ok_and(|existing| existing == bytes) {
        return Ok(());
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let write = || -> std::io::Result<()> {
        let mut file = tempfile::NamedTempFile::new_in(folder)?;
        std::io::Write::write_all(&mut file, bytes)?;
        file.persist(path)?;
        Ok(())
    };
    write().map_err(|err| format!("cannot write the demo episode to {}: {err}", path.display()))
}
