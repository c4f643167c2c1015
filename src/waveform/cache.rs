//! Peak pyramids saved on disk so that reopening a file is instant.
//!
//! One file per audio file, named by a hash of what identifies its content
//! (canonical path, size, modification time, cache format version), so an
//! edited file gets a new name and is decoded again. The same key is stored
//! in the header and checked on load, with a checksum over the whole file:
//! a cache file that is truncated, corrupt, of another version or for
//! another file is ignored (and replaced by the next build), never trusted
//! and never a panic. Only level 0 is stored; the levels above are rebuilt
//! from it on load in a few milliseconds.
//!
//! Layout, little-endian: magic `EARMPEAK`, version u32, bin frames u32,
//! sample rate u32, channels u16, 0u16, total frames u64, source size u64,
//! source modified ns i128, path length u32, path bytes, bin count u64,
//! bins as (min i16, max i16), FNV-1a 64 of all preceding bytes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{BIN_FRAMES, Peaks};

/// The first bytes of every cache file.
const MAGIC: &[u8; 8] = b"EARMPEAK";

/// Bumped whenever the layout or the meaning of a bin changes.
pub const FORMAT_VERSION: u32 = 1;

/// The environment variable that replaces the user's cache folder
/// (`$EARMARK_CACHE_DIR/peaks/` instead of `~/.cache/earmark/peaks/`).
pub const CACHE_DIR_ENV: &str = "EARMARK_CACHE_DIR";

/// Why a built pyramid could not be saved (the pyramid itself is fine).
#[derive(Debug, thiserror::Error)]
#[error("cannot save the waveform cache ({source}): {}", path.display())]
pub struct CacheError {
    /// The cache file or folder.
    pub path: PathBuf,
    /// What the operating system said.
    #[source]
    pub source: std::io::Error,
}

/// Where peak files go: `$EARMARK_CACHE_DIR/peaks`, else the user's cache
/// folder (`$XDG_CACHE_HOME/earmark/peaks` on Linux); `None` when the
/// platform has no cache folder.
pub fn default_dir() -> Option<PathBuf> {
    match std::env::var_os(CACHE_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join("peaks")),
        _ => dirs::cache_dir().map(|dir| dir.join("earmark").join("peaks")),
    }
}

/// What identifies an audio file's content without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceKey {
    /// The file's canonical path.
    pub path: PathBuf,
    /// The file's size.
    pub len_bytes: u64,
    /// The file's modification time, nanoseconds from the Unix epoch.
    pub modified_ns: i128,
}

impl SourceKey {
    /// Reads the key of the file at `path` (its metadata only).
    pub fn of(path: &Path) -> std::io::Result<SourceKey> {
        let path = path.canonicalize()?;
        let meta = std::fs::metadata(&path)?;
        let modified = meta.modified()?;
        let modified_ns = match modified.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_nanos() as i128,
            Err(before) => -(before.duration().as_nanos() as i128),
        };
        Ok(SourceKey {
            path,
            len_bytes: meta.len(),
            modified_ns,
        })
    }

    /// The cache file for this key inside `dir`.
    pub fn cache_path(&self, dir: &Path) -> PathBuf {
        let mut hash = Fnv64::new();
        hash.write(&FORMAT_VERSION.to_le_bytes());
        hash.write(self.path.as_os_str().as_encoded_bytes());
        hash.write(&self.len_bytes.to_le_bytes());
        hash.write(&self.modified_ns.to_le_bytes());
        dir.join(format!("{:016x}.peaks", hash.finish()))
    }
}

/// Loads the pyramid cached for `key` in `dir`; `None` when there is none
/// or it cannot be trusted (see the module docs).
pub fn load(dir: &Path, key: &SourceKey) -> Option<Peaks> {
    let bytes = std::fs::read(key.cache_path(dir)).ok()?;
    decode(&bytes, key)
}

/// Saves `peaks` for `key` in `dir` atomically (a temporary file renamed
/// over the old one), creating `dir` if needed. Returns the file written.
pub fn store(dir: &Path, key: &SourceKey, peaks: &Peaks) -> Result<PathBuf, CacheError> {
    let path = key.cache_path(dir);
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CacheError { path, source }
    };
    std::fs::create_dir_all(dir).map_err(err(dir))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".earmark-")
        .suffix(".peaks.tmp")
        .tempfile_in(dir)
        .map_err(err(dir))?;
    temp.write_all(&encode(peaks, key))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(err(&path))?;
    temp.persist(&path).map_err(|e| CacheError {
        path: path.clone(),
        source: e.error,
    })?;
    Ok(path)
}

/// The bytes of a cache file; see the module docs for the layout.
fn encode(peaks: &Peaks, key: &SourceKey) -> Vec<u8> {
    let path = key.path.as_os_str().as_encoded_bytes();
    let bins = peaks.bins(0);
    let mut out = Vec::with_capacity(80 + path.len() + bins * 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(BIN_FRAMES as u32).to_le_bytes());
    out.extend_from_slice(&peaks.sample_rate().to_le_bytes());
    out.extend_from_slice(&peaks.channels().to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&peaks.total_frames().to_le_bytes());
    out.extend_from_slice(&key.len_bytes.to_le_bytes());
    out.extend_from_slice(&key.modified_ns.to_le_bytes());
    out.extend_from_slice(&(path.len() as u32).to_le_bytes());
    out.extend_from_slice(path);
    out.extend_from_slice(&(bins as u64).to_le_bytes());
    for (min, max) in peaks.level0_raw() {
        out.extend_from_slice(&min.to_le_bytes());
        out.extend_from_slice(&max.to_le_bytes());
    }
    let mut hash = Fnv64::new();
    hash.write(&out);
    out.extend_from_slice(&hash.finish().to_le_bytes());
    out
}

/// Reads a cache file's bytes back, checking everything; `None` if any
/// check fails.
fn decode(bytes: &[u8], key: &SourceKey) -> Option<Peaks> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    let mut hash = Fnv64::new();
    hash.write(body);
    if hash.finish().to_le_bytes() != checksum {
        return None;
    }
    let mut reader = Reader(body);
    if reader.take(8)? != MAGIC
        || reader.u32()? != FORMAT_VERSION
        || u64::from(reader.u32()?) != BIN_FRAMES
    {
        return None;
    }
    let sample_rate = reader.u32()?;
    let channels = u16::from_le_bytes(reader.array()?);
    let _reserved = reader.take(2)?;
    let total_frames = reader.u64()?;
    let len_bytes = reader.u64()?;
    let modified_ns = i128::from_le_bytes(reader.array()?);
    let path_len = reader.u32()? as usize;
    let path = reader.take(path_len)?;
    if len_bytes != key.len_bytes
        || modified_ns != key.modified_ns
        || path != key.path.as_os_str().as_encoded_bytes()
    {
        return None;
    }
    let bins = reader.u64()?;
    if bins != total_frames.div_ceil(BIN_FRAMES) || reader.0.len() as u64 != bins * 4 {
        return None;
    }
    let peaks = Peaks::new(sample_rate, channels, total_frames);
    let (mins, maxs): (Vec<i16>, Vec<i16>) = reader
        .0
        .chunks_exact(4)
        .map(|bin| {
            (
                i16::from_le_bytes([bin[0], bin[1]]),
                i16::from_le_bytes([bin[2], bin[3]]),
            )
        })
        .unzip();
    peaks.publish(0, &mins, &maxs);
    Some(peaks)
}

/// Reads little-endian fields from the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
}

/// 64-bit FNV-1a: stable across Rust releases and platforms, unlike
/// `DefaultHasher`, so a cache file keeps its name after an upgrade.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Fnv64 {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SourceKey {
        SourceKey {
            path: PathBuf::from("/music/episode.mp3"),
            len_bytes: 1234,
            modified_ns: 1_700_000_000_123_456_789,
        }
    }

    fn sample_peaks() -> Peaks {
        let peaks = Peaks::new(44_100, 2, 10 * BIN_FRAMES + 7);
        let mins: Vec<i16> = (0..11).map(|i| -100 * i).collect();
        let maxs: Vec<i16> = (0..11).map(|i| 90 * i).collect();
        peaks.publish(0, &mins, &maxs);
        peaks
    }

    #[test]
    fn fnv_matches_the_published_test_vector() {
        let mut hash = Fnv64::new();
        hash.write(b"a");
        assert_eq!(hash.finish(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn bytes_round_trip_to_the_same_pyramid() {
        let peaks = sample_peaks();
        let back = decode(&encode(&peaks, &key()), &key()).expect("decodes");
        assert_eq!(back, peaks);
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        let bytes = encode(&sample_peaks(), &key());
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len], &key()).is_none(), "cut at {len}");
        }
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(decode(&bad, &key()).is_none(), "flipped byte {at}");
        }
    }

    #[test]
    fn a_file_for_another_source_is_refused() {
        let bytes = encode(&sample_peaks(), &key());
        let touched = SourceKey {
            modified_ns: key().modified_ns + 1,
            ..key()
        };
        assert!(decode(&bytes, &touched).is_none());
        let grown = SourceKey {
            len_bytes: 1235,
            ..key()
        };
        assert!(decode(&bytes, &grown).is_none());
    }

    #[test]
    fn the_name_changes_with_the_content_key() {
        let dir = Path::new("/cache");
        let touched = SourceKey {
            modified_ns: key().modified_ns + 1,
            ..key()
        };
        assert_ne!(key().cache_path(dir), touched.cache_path(dir));
        assert_eq!(key().cache_path(dir), key().cache_path(dir));
    }
}
