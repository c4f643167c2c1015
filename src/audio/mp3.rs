//! MP3 (MPEG audio layers I–III) read through our own frame index.
//!
//! symphonia's MP3 reader estimates the length of a file without a Xing
//! header from 16 frames (and, gapless, stops playing there), and its
//! accurate seek parses every frame header from the start of the file. Here
//! the file is scanned once at open: every frame's byte offset goes in an
//! index, which gives the exact length and lets a seek jump to any frame.
//! symphonia's MP3 decoder still does the decoding.
//!
//! The first frame heard is frame `delay` of the decoded stream, where
//! `delay` is the LAME tag's encoder delay plus the decoder's 529 samples
//! (the same rule as symphonia's reader); without a LAME tag nothing is
//! trimmed.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};

use symphonia::core::codecs::audio::well_known::{CODEC_ID_MP1, CODEC_ID_MP2, CODEC_ID_MP3};
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::packet::PacketRef;
use symphonia::core::units::{Duration, Timestamp};

/// Frames decoded and thrown away before a seek target: enough for the bit
/// reservoir (up to 511 bytes back, five frames at low bit rates) and the
/// overlap of the previous granule.
const PREROLL_FRAMES: u64 = 10;

/// The decoder's own delay, added to the LAME encoder delay.
const DECODER_DELAY: u32 = 529;

/// How far into a file the first frame may start after any ID3v2 tag.
const MAX_LEADING_JUNK: u64 = 64 * 1024;

/// Consecutive decode failures after which the file is called damaged.
const MAX_BAD_FRAMES: u32 = 64;

/// One parsed 4-byte MPEG audio frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    /// 1 for MPEG-1, 2 for MPEG-2, 25 for MPEG-2.5.
    version: u8,
    /// 1, 2 or 3.
    layer: u8,
    /// Frames (samples per channel) per second.
    pub sample_rate: u32,
    /// 1 or 2.
    pub channels: u16,
    /// Bytes in the whole frame, header included.
    frame_bytes: u32,
    /// Samples per channel in one frame.
    pub samples: u32,
}

impl FrameHeader {
    /// Parses a frame header; `None` when the bytes cannot start a frame
    /// (no sync, reserved values, free-format bit rate).
    pub(crate) fn parse(bytes: [u8; 4]) -> Option<FrameHeader> {
        let word = u32::from_be_bytes(bytes);
        if word >> 21 != 0x7ff {
            return None;
        }
        let version = match (word >> 19) & 3 {
            0 => 25,
            2 => 2,
            3 => 1,
            _ => return None,
        };
        let layer = match (word >> 17) & 3 {
            1 => 3,
            2 => 2,
            3 => 1,
            _ => return None,
        };
        let bitrate_index = ((word >> 12) & 0xf) as usize;
        let rate_index = ((word >> 10) & 3) as usize;
        if bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
            return None;
        }
        let padding = (word >> 9) & 1;
        let channels = if (word >> 6) & 3 == 3 { 1 } else { 2 };
        let kbps = match (version, layer) {
            (1, 1) => [
                32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
            ],
            (1, 2) => [
                32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
            ],
            (1, _) => [
                32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
            ],
            (_, 1) => [
                32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
            ],
            _ => [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
        }[bitrate_index - 1];
        let sample_rate = [44_100, 48_000, 32_000][rate_index]
            / match version {
                1 => 1,
                2 => 2,
                _ => 4,
            };
        let bitrate = kbps * 1000;
        let (samples, frame_bytes) = match layer {
            1 => (384, (12 * bitrate / sample_rate + padding) * 4),
            2 => (1152, 144 * bitrate / sample_rate + padding),
            _ if version == 1 => (1152, 144 * bitrate / sample_rate + padding),
            _ => (576, 72 * bitrate / sample_rate + padding),
        };
        Some(FrameHeader {
            version,
            layer,
            sample_rate,
            channels,
            frame_bytes,
            samples,
        })
    }

    /// Whether `other` belongs to the same stream (a resync must not lock
    /// onto random bytes that happen to look like a header).
    fn same_stream(&self, other: &FrameHeader) -> bool {
        self.version == other.version
            && self.layer == other.layer
            && self.sample_rate == other.sample_rate
    }

    /// The codec's short name, as symphonia names it.
    pub(crate) fn codec_name(&self) -> &'static str {
        match self.layer {
            1 => "mp1",
            2 => "mp2",
            _ => "mp3",
        }
    }

    /// Bytes of side information after the header: the Xing tag follows it.
    fn side_info_bytes(&self) -> usize {
        match (self.version, self.channels) {
            (1, 1) => 17,
            (1, _) => 32,
            (_, 1) => 9,
            _ => 17,
        }
    }
}

/// Encoder delay and padding from a LAME (or ffmpeg) tag, if the first frame
/// is a Xing/Info or VBRI frame. `None` when the first frame is audio.
fn info_frame_trim(header: &FrameHeader, frame: &[u8]) -> Option<(u32, u32)> {
    if frame.get(36..40) == Some(b"VBRI") {
        return Some((0, 0));
    }
    let mut at = 4 + header.side_info_bytes();
    let tag = frame.get(at..at + 4)?;
    if tag != b"Xing" && tag != b"Info" {
        return None;
    }
    let flags = u32::from_be_bytes(frame.get(at + 4..at + 8)?.try_into().ok()?);
    at += 8;
    for (bit, len) in [(1, 4), (2, 4), (4, 100), (8, 4)] {
        if flags & bit != 0 {
            at += len;
        }
    }
    let lame = frame.get(at..at + 24);
    let trim = lame.and_then(|lame| {
        let encoder = &lame[..4];
        if encoder != b"LAME" && encoder != b"Lavf" && encoder != b"Lavc" {
            return None;
        }
        let packed = u32::from_be_bytes([0, lame[21], lame[22], lame[23]]);
        Some((
            DECODER_DELAY + (packed >> 12),
            (packed & 0xfff).saturating_sub(DECODER_DELAY),
        ))
    });
    Some(trim.unwrap_or((0, 0)))
}

/// Why the index could not be built.
#[derive(Debug)]
pub(crate) enum IndexError {
    /// Reading the file failed.
    Io(std::io::Error),
    /// No run of valid frames was found.
    NoFrames,
}

/// Every frame of an MP3 file: where it is and what it holds.
#[derive(Debug)]
pub(crate) struct Mp3Index {
    /// The first audio frame's header (rate, channels, samples per frame).
    pub header: FrameHeader,
    /// Byte offset of each audio frame (the Xing/Info frame excluded).
    frame_offsets: Vec<u64>,
    /// Decoded samples to drop at the start.
    pub delay: u32,
    /// Decoded samples to drop at the end.
    pub padding: u32,
}

impl Mp3Index {
    /// Scans `file` once from its start.
    pub(crate) fn scan(file: &mut File) -> Result<Mp3Index, IndexError> {
        let file_len = file.metadata().map_err(IndexError::Io)?.len();
        file.seek(SeekFrom::Start(0)).map_err(IndexError::Io)?;
        let mut reader = BufReader::with_capacity(1 << 20, &mut *file);
        let mut pos = skip_id3v2(&mut reader, file_len).map_err(IndexError::Io)?;
        let (first_pos, header) = find_first_frame(&mut reader, pos, file_len)?;
        pos = first_pos;

        let mut first_frame = vec![0u8; header.frame_bytes as usize];
        reader.seek(SeekFrom::Start(pos)).map_err(IndexError::Io)?;
        reader
            .read_exact(&mut first_frame)
            .map_err(IndexError::Io)?;
        let (delay, padding, audio_start) = match info_frame_trim(&header, &first_frame) {
            Some((delay, padding)) => (delay, padding, pos + u64::from(header.frame_bytes)),
            None => (0, 0, pos),
        };

        let mut frame_offsets = Vec::with_capacity((file_len / 400) as usize);
        pos = audio_start;
        reader.seek(SeekFrom::Start(pos)).map_err(IndexError::Io)?;
        let mut reader_pos = pos;
        while pos + 4 <= file_len {
            if reader_pos != pos {
                reader
                    .seek_relative((pos - reader_pos) as i64)
                    .map_err(IndexError::Io)?;
                reader_pos = pos;
            }
            let mut bytes = [0u8; 4];
            reader.read_exact(&mut bytes).map_err(IndexError::Io)?;
            reader_pos += 4;
            match FrameHeader::parse(bytes) {
                Some(next) if header.same_stream(&next) => {
                    let end = pos + u64::from(next.frame_bytes);
                    if end > file_len {
                        break;
                    }
                    frame_offsets.push(pos);
                    pos = end;
                }
                _ => {
                    match resync(&mut reader, pos + 1, file_len, &header).map_err(IndexError::Io)? {
                        Some(found) => {
                            pos = found;
                            reader.seek(SeekFrom::Start(pos)).map_err(IndexError::Io)?;
                            reader_pos = pos;
                        }
                        None => break,
                    }
                }
            }
        }
        if frame_offsets.is_empty() {
            return Err(IndexError::NoFrames);
        }
        frame_offsets.shrink_to_fit();
        Ok(Mp3Index {
            header,
            frame_offsets,
            delay,
            padding,
        })
    }

    /// Frames (per channel) a listener hears: all decoded samples minus
    /// delay and padding.
    pub(crate) fn total_frames(&self) -> u64 {
        (self.frame_offsets.len() as u64 * u64::from(self.header.samples))
            .saturating_sub(u64::from(self.delay) + u64::from(self.padding))
    }
}

/// Skips an ID3v2 tag at the start; returns where the audio may begin.
fn skip_id3v2(reader: &mut BufReader<&mut File>, file_len: u64) -> std::io::Result<u64> {
    let mut head = [0u8; 10];
    if file_len < 10 {
        return Ok(0);
    }
    reader.read_exact(&mut head)?;
    if &head[..3] != b"ID3" {
        return Ok(0);
    }
    let size = head[6..10]
        .iter()
        .fold(0u64, |acc, &b| (acc << 7) | u64::from(b & 0x7f));
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    Ok((10 + size + footer).min(file_len))
}

/// Finds the first frame that is followed by another frame of the same
/// stream, within `MAX_LEADING_JUNK` of `start`.
fn find_first_frame(
    reader: &mut BufReader<&mut File>,
    start: u64,
    file_len: u64,
) -> Result<(u64, FrameHeader), IndexError> {
    let limit = (start + MAX_LEADING_JUNK).min(file_len);
    let mut window = Vec::new();
    reader
        .seek(SeekFrom::Start(start))
        .map_err(IndexError::Io)?;
    reader
        .take(limit - start + 8 * 1024)
        .read_to_end(&mut window)
        .map_err(IndexError::Io)?;
    for at in 0..window.len().saturating_sub(4) {
        let Some(header) = FrameHeader::parse(window[at..at + 4].try_into().unwrap_or([0; 4]))
        else {
            continue;
        };
        let next = at + header.frame_bytes as usize;
        let followed = match window.get(next..next + 4) {
            Some(bytes) => FrameHeader::parse(bytes.try_into().unwrap_or([0; 4]))
                .is_some_and(|h| header.same_stream(&h)),
            // A file of one frame.
            None => start + next as u64 == file_len,
        };
        if followed {
            return Ok((start + at as u64, header));
        }
    }
    Err(IndexError::NoFrames)
}

/// Looks for the next header of the same stream at or after `from` that is
/// followed by another one (or ends the file). `None` at the end of the file.
fn resync(
    reader: &mut BufReader<&mut File>,
    from: u64,
    file_len: u64,
    stream: &FrameHeader,
) -> std::io::Result<Option<u64>> {
    const CHUNK: u64 = 64 * 1024;
    let mut chunk_start = from;
    let mut window = Vec::with_capacity(CHUNK as usize + 8 * 1024);
    while chunk_start + 4 <= file_len {
        window.clear();
        reader.seek(SeekFrom::Start(chunk_start))?;
        (&mut *reader)
            .take(CHUNK + 8 * 1024)
            .read_to_end(&mut window)?;
        let scan_len = (CHUNK as usize).min(window.len().saturating_sub(3));
        for at in 0..scan_len {
            let Some(header) =
                FrameHeader::parse([window[at], window[at + 1], window[at + 2], window[at + 3]])
            else {
                continue;
            };
            if !stream.same_stream(&header) {
                continue;
            }
            let next = at + header.frame_bytes as usize;
            let followed = match window.get(next..next + 4) {
                Some(bytes) => FrameHeader::parse([bytes[0], bytes[1], bytes[2], bytes[3]])
                    .is_some_and(|h| stream.same_stream(&h)),
                None => chunk_start + next as u64 == file_len,
            };
            if followed {
                return Ok(Some(chunk_start + at as u64));
            }
        }
        chunk_start += CHUNK;
    }
    Ok(None)
}

/// Codec parameters for symphonia's MPEG audio decoder.
pub(crate) fn codec_params(header: &FrameHeader) -> AudioCodecParameters {
    let mut params = AudioCodecParameters::new();
    let codec = match header.layer {
        1 => CODEC_ID_MP1,
        2 => CODEC_ID_MP2,
        _ => CODEC_ID_MP3,
    };
    let channels = if header.channels == 1 {
        symphonia::core::audio::Channels::Positioned(symphonia::core::audio::Position::FRONT_CENTER)
    } else {
        symphonia::core::audio::Channels::Positioned(
            symphonia::core::audio::Position::FRONT_LEFT
                | symphonia::core::audio::Position::FRONT_RIGHT,
        )
    };
    params
        .for_codec(codec)
        .with_sample_rate(header.sample_rate)
        .with_channels(channels);
    params
}

/// Reads frames through the index and decodes them.
pub(crate) struct Mp3Stream {
    index: Mp3Index,
    reader: BufReader<File>,
    /// Where `reader` is in the file.
    reader_pos: u64,
    decoder: Box<dyn AudioDecoder>,
    /// The next MPEG frame to decode.
    next_frame: usize,
    packet: Vec<u8>,
    bad_frames_in_a_row: u32,
}

impl Mp3Stream {
    /// Prepares to decode from the first frame.
    pub(crate) fn new(index: Mp3Index, file: File) -> Result<Mp3Stream, SymphoniaError> {
        let decoder = symphonia::default::get_codecs().make_audio_decoder(
            &codec_params(&index.header),
            &AudioDecoderOptions::default().gapless(false),
        )?;
        Ok(Mp3Stream {
            index,
            reader: BufReader::with_capacity(64 * 1024, file),
            reader_pos: u64::MAX,
            decoder,
            next_frame: 0,
            packet: Vec::with_capacity(4096),
            bad_frames_in_a_row: 0,
        })
    }

    /// Positions the stream so that the next chunk starts at or before
    /// `pos_frames` (in heard frames), a few frames early for the decoder to
    /// settle.
    pub(crate) fn seek_before(&mut self, pos_frames: u64) {
        let decoded = pos_frames + u64::from(self.index.delay);
        let frame = decoded / u64::from(self.index.header.samples);
        self.next_frame = frame.saturating_sub(PREROLL_FRAMES) as usize;
        self.decoder.reset();
    }

    /// Decodes the next frame into `out` (interleaved) and returns the heard
    /// position of its first sample (negative inside the encoder delay), or
    /// `None` at the end. A frame that fails to decode gives silence, so the
    /// timeline stays exact.
    pub(crate) fn next_chunk(&mut self, out: &mut Vec<f32>) -> Result<Option<i64>, SymphoniaError> {
        let Some(&offset) = self.index.frame_offsets.get(self.next_frame) else {
            return Ok(None);
        };
        let samples = self.index.header.samples;
        let start = self.next_frame as i64 * i64::from(samples) - i64::from(self.index.delay);
        self.next_frame += 1;
        self.read_frame(offset)?;
        let packet = PacketRef::new(
            0,
            Timestamp::new(start),
            Duration::new(u64::from(samples)),
            &self.packet,
        );
        let channels = usize::from(self.index.header.channels);
        match self.decoder.decode_ref(&packet) {
            Ok(buffer) if buffer.frames() == samples as usize => {
                self.bad_frames_in_a_row = 0;
                buffer.copy_to_vec_interleaved(out);
            }
            Ok(_) | Err(SymphoniaError::DecodeError(_)) => {
                self.bad_frames_in_a_row += 1;
                if self.bad_frames_in_a_row > MAX_BAD_FRAMES {
                    return Err(SymphoniaError::DecodeError(
                        "too many damaged frames in a row",
                    ));
                }
                out.clear();
                out.resize(samples as usize * channels, 0.0);
            }
            Err(err) => return Err(err),
        }
        Ok(Some(start))
    }

    fn read_frame(&mut self, offset: u64) -> Result<(), SymphoniaError> {
        if self.reader_pos != offset {
            if self.reader_pos != u64::MAX && offset > self.reader_pos {
                self.reader
                    .seek_relative((offset - self.reader_pos) as i64)?;
            } else {
                self.reader.seek(SeekFrom::Start(offset))?;
            }
        }
        let mut head = [0u8; 4];
        self.reader.read_exact(&mut head)?;
        let bytes = FrameHeader::parse(head)
            .map(|h| h.frame_bytes as usize)
            .ok_or(SymphoniaError::DecodeError(
                "the frame index no longer matches the file",
            ))?;
        self.packet.clear();
        self.packet.extend_from_slice(&head);
        self.packet.resize(bytes, 0);
        self.reader.read_exact(&mut self.packet[4..])?;
        self.reader_pos = offset + bytes as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_of_a_128k_44k1_stereo_layer3_frame() {
        let header = FrameHeader::parse([0xff, 0xfb, 0x90, 0x00]).expect("valid header");
        assert_eq!(header.sample_rate, 44_100);
        assert_eq!(header.channels, 2);
        assert_eq!(header.samples, 1152);
        assert_eq!(header.frame_bytes, 417);
    }

    #[test]
    fn padding_and_mono_and_mpeg2() {
        let padded = FrameHeader::parse([0xff, 0xfb, 0x92, 0xc0]).expect("valid header");
        assert_eq!(padded.frame_bytes, 418);
        assert_eq!(padded.channels, 1);
        let mpeg2 = FrameHeader::parse([0xff, 0xf3, 0x80, 0x00]).expect("valid header");
        assert_eq!(mpeg2.sample_rate, 22_050);
        assert_eq!(mpeg2.samples, 576);
        assert_eq!(mpeg2.frame_bytes, 72 * 64_000 / 22_050);
    }

    #[test]
    fn reserved_values_are_not_headers() {
        assert_eq!(FrameHeader::parse([0xff, 0xfb, 0xf0, 0x00]), None);
        assert_eq!(FrameHeader::parse([0xff, 0xfb, 0x0c, 0x00]), None);
        assert_eq!(FrameHeader::parse([0xff, 0xf9, 0x90, 0x00]), None);
        assert_eq!(FrameHeader::parse([0x00, 0xfb, 0x90, 0x00]), None);
    }
}
