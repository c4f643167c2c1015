//! The edit list of an MP4/M4A sound track: how many decoded frames are
//! encoder priming (to drop at the start) and how long the track really is.
//!
//! symphonia reads `elst` but does not apply it, so an AAC file would start
//! 1024 (ffmpeg) or 2112 (iTunes) frames late and play its padding. Only the
//! boxes on the way to `elst` are read; `mdat` is skipped, wherever `moov` is.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

/// A `moov` larger than this is not read (a 3-hour file's is a few MB).
const MAX_MOOV_BYTES: u64 = 64 << 20;

/// What the edit list says, in sample frames at the track's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edit {
    /// Decoded frames to drop at the start.
    pub delay_frames: u64,
    /// Frames to play after them.
    pub play_frames: u64,
}

/// Reads the first sound track's single edit, if there is one.
pub(crate) fn read_edit(file: &mut File, sample_rate: u32) -> Option<Edit> {
    let moov = read_moov(file)?;
    let movie_timescale = mvhd_timescale(find_box(&moov, b"mvhd")?)?;
    let mut rest = moov.as_slice();
    while let Some((kind, body, after)) = next_box(rest) {
        rest = after;
        if &kind != b"trak" {
            continue;
        }
        let Some(mdia) = find_box(body, b"mdia") else {
            continue;
        };
        if find_box(mdia, b"hdlr").and_then(|h| h.get(8..12)) != Some(b"soun") {
            continue;
        }
        let media_timescale = mdhd_timescale(find_box(mdia, b"mdhd")?)?;
        let elst = find_box(find_box(body, b"edts")?, b"elst")?;
        let (segment_duration, media_time) = single_edit(elst)?;
        let rate = u128::from(sample_rate);
        let delay_frames = u128::from(media_time) * rate / u128::from(media_timescale);
        let play_frames = (u128::from(segment_duration) * rate + u128::from(movie_timescale) / 2)
            / u128::from(movie_timescale);
        return Some(Edit {
            delay_frames: u64::try_from(delay_frames).ok()?,
            play_frames: u64::try_from(play_frames).ok()?,
        });
    }
    None
}

/// Finds `moov` among the top-level boxes and reads it whole.
fn read_moov(file: &mut File) -> Option<Vec<u8>> {
    let file_len = file.metadata().ok()?.len();
    let mut pos = 0u64;
    while pos + 8 <= file_len {
        file.seek(SeekFrom::Start(pos)).ok()?;
        let mut head = [0u8; 16];
        file.read_exact(&mut head[..8]).ok()?;
        let size32 = u32::from_be_bytes(head[..4].try_into().ok()?);
        let (size, header_len) = match size32 {
            0 => (file_len - pos, 8),
            1 => {
                file.read_exact(&mut head[8..16]).ok()?;
                (u64::from_be_bytes(head[8..16].try_into().ok()?), 16)
            }
            n => (u64::from(n), 8),
        };
        if size < header_len {
            return None;
        }
        if &head[4..8] == b"moov" {
            let body_len = size - header_len;
            if body_len > MAX_MOOV_BYTES || pos + size > file_len {
                return None;
            }
            let mut body = vec![0u8; body_len as usize];
            file.read_exact(&mut body).ok()?;
            return Some(body);
        }
        pos = pos.checked_add(size)?;
    }
    None
}

/// Splits the first box off `data`: (type, body, what follows).
fn next_box(data: &[u8]) -> Option<([u8; 4], &[u8], &[u8])> {
    let size32 = u32::from_be_bytes(data.get(..4)?.try_into().ok()?);
    let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
    let (size, header_len) = match size32 {
        0 => (data.len(), 8),
        1 => (
            usize::try_from(u64::from_be_bytes(data.get(8..16)?.try_into().ok()?)).ok()?,
            16,
        ),
        n => (n as usize, 8),
    };
    if size < header_len || size > data.len() {
        return None;
    }
    Some((kind, &data[header_len..size], &data[size..]))
}

/// The body of the first box of type `kind` directly inside `data`.
fn find_box<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    let mut rest = data;
    while let Some((found, body, after)) = next_box(rest) {
        if &found == kind {
            return Some(body);
        }
        rest = after;
    }
    None
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(data.get(at..at + 8)?.try_into().ok()?))
}

/// `mvhd` and `mdhd` put the timescale after version, flags and two dates.
fn mvhd_timescale(body: &[u8]) -> Option<u32> {
    let at = if *body.first()? == 1 { 20 } else { 12 };
    be_u32(body, at).filter(|&t| t > 0)
}

fn mdhd_timescale(body: &[u8]) -> Option<u32> {
    mvhd_timescale(body)
}

/// (segment duration in movie units, media time in media units) of the one
/// edit that plays media. Several such edits, or a rate other than 1, are
/// not applied: the track plays as decoded.
fn single_edit(body: &[u8]) -> Option<(u64, u64)> {
    let version = *body.first()?;
    let count = be_u32(body, 4)? as usize;
    let entry_len = if version == 1 { 20 } else { 12 };
    let mut found = None;
    for i in 0..count.min(16) {
        let at = 8 + i * entry_len;
        let (duration, media_time, rate_at) = if version == 1 {
            (be_u64(body, at)?, be_u64(body, at + 8)? as i64, at + 16)
        } else {
            (
                u64::from(be_u32(body, at)?),
                i64::from(be_u32(body, at + 4)? as i32),
                at + 8,
            )
        };
        if media_time < 0 {
            continue;
        }
        if found.is_some() || be_u32(body, rate_at)? != 0x0001_0000 {
            return None;
        }
        found = Some((duration, media_time as u64));
    }
    found
}
