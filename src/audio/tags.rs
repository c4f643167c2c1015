//! The tags an audio file carries about itself (ID3, Vorbis comments, MP4
//! atoms), read with symphonia's probe: only the title for now, which the
//! desktop's now-playing controls show. Reading never fails loudly: a file
//! without tags, or one symphonia cannot read, simply has no title.

use std::fs::File;
use std::path::Path;

use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::{MetadataOptions, StandardTag};

/// The file's title tag, trimmed, if it has a non-empty one. Reads the
/// container's header (and any ID3 tag before or after it), not the audio.
pub fn title_tag(path: &Path) -> Option<String> {
    let file = File::open(path).ok()?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .ok()?;
    title_in(format.as_mut())
}

/// The first title among the metadata revisions the reader has, oldest first.
fn title_in(format: &mut dyn FormatReader) -> Option<String> {
    let mut metadata = format.metadata();
    loop {
        let title = metadata.current().and_then(|revision| {
            revision
                .media
                .tags
                .iter()
                .chain(revision.per_track.iter().flat_map(|t| &t.metadata.tags))
                .find_map(|tag| match &tag.std {
                    Some(StandardTag::TrackTitle(title)) => Some(title.trim().to_string()),
                    _ => None,
                })
                .filter(|title| !title.is_empty())
        });
        if title.is_some() {
            return title;
        }
        metadata.pop()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ID3v2.4 tag holding one text frame (`id`, UTF-8 `text`).
    fn id3v24(id: &[u8; 4], text: &str) -> Vec<u8> {
        let mut frame_body = vec![3u8]; // UTF-8
        frame_body.extend_from_slice(text.as_bytes());
        let mut frame = id.to_vec();
        frame.extend_from_slice(&synchsafe(frame_body.len() as u32));
        frame.extend_from_slice(&[0, 0]);
        frame.extend_from_slice(&frame_body);
        let mut tag = b"ID3\x04\x00\x00".to_vec();
        tag.extend_from_slice(&synchsafe(frame.len() as u32));
        tag.extend_from_slice(&frame);
        tag
    }

    fn synchsafe(n: u32) -> [u8; 4] {
        [
            ((n >> 21) & 0x7f) as u8,
            ((n >> 14) & 0x7f) as u8,
            ((n >> 7) & 0x7f) as u8,
            (n & 0x7f) as u8,
        ]
    }

    /// The demo episode's MP3 frames, without its own ID3 tag.
    fn demo_frames() -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/demo-episode.mp3");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(&bytes[..3], b"ID3", "the demo starts with an ID3 tag");
        let size = bytes[6..10]
            .iter()
            .fold(0usize, |n, &b| (n << 7) | usize::from(b));
        bytes[10 + size..].to_vec()
    }

    fn title_of(bytes: &[u8]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("episode 12.mp3");
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
        title_tag(&path)
    }

    #[test]
    fn the_title_tag_is_read() {
        let mut bytes = id3v24(b"TIT2", "  The Oracle of Delphi ");
        bytes.extend(demo_frames());
        assert_eq!(title_of(&bytes).as_deref(), Some("The Oracle of Delphi"));
    }

    #[test]
    fn a_file_with_other_tags_or_none_has_no_title() {
        let mut tagged = id3v24(b"TPE1", "Someone");
        tagged.extend(demo_frames());
        assert_eq!(title_of(&tagged), None);
        assert_eq!(title_of(&demo_frames()), None);
        let mut empty = id3v24(b"TIT2", "   ");
        empty.extend(demo_frames());
        assert_eq!(title_of(&empty), None, "a blank title is none");
    }

    #[test]
    fn a_missing_or_unreadable_file_has_no_title() {
        assert_eq!(title_of(b"not audio at all"), None);
        assert_eq!(title_tag(Path::new("/nonexistent/episode.mp3")), None);
    }
}
