//! Opens an audio file, tells what it holds, and decodes it from any frame.
//!
//! symphonia identifies the container and decodes. MP3 goes through our own
//! frame index (`mp3`) for an exact length and flat seeks; every other
//! format uses symphonia's accurate seek and decodes forward to the exact
//! frame. Damaged input gives an [`AudioError`], or plays up to the damage;
//! it never panics.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Serialize;
use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::{TimeBase, Timestamp};
use symphonia_adapter_libopus::OpusDecoder;

use super::mp3::{IndexError, Mp3Index, Mp3Stream};
use super::mp4_edit::{Edit, read_edit};
use super::{AudioError, FrameSource};

/// Most channels a file may declare.
const MAX_CHANNELS: usize = 32;
/// Lowest sample rate a file may declare: below it the header is damaged
/// (and the time-stretcher divides by zero at 3 Hz).
const MIN_SAMPLE_RATE: u32 = 1_000;
/// Highest sample rate a file may declare.
const MAX_SAMPLE_RATE: u32 = 768_000;
/// Frames decoded and dropped before a seek target, for the decoder's state
/// to settle (two AAC packets).
const PREROLL_FRAMES: u64 = 4096;
/// Opus's pre-roll: its decoder converges more slowly after a reset (the
/// format recommends at least 80 ms; 250 ms gives a decode equal to a
/// straight one).
const OPUS_PREROLL_FRAMES: u64 = 12_000;
/// Packets that fail to decode in a row before the file is called damaged.
const MAX_BAD_PACKETS: u32 = 64;

/// What an audio file holds, as `earmark probe` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudioInfo {
    /// The codec's short name (`mp3`, `aac`, `flac`, `vorbis`, `pcm_s16le`, ...).
    pub codec: String,
    /// The container's short name (`mp3`, `isomp4`, `flac`, `wave`, `ogg`, `matroska`, ...).
    pub container: String,
    /// Frames per second.
    pub sample_rate: u32,
    /// Samples per frame.
    pub channels: u16,
    /// The exact length in milliseconds (rounded down).
    pub duration_ms: u64,
    /// The exact length in frames, delay and padding removed.
    pub frames: u64,
}

/// A file being decoded: a [`FrameSource`] with exact seeking.
pub struct Decoder {
    path: PathBuf,
    info: AudioInfo,
    stream: Stream,
    /// The decoded chunk being handed out, interleaved.
    chunk: Vec<f32>,
    /// Samples of `chunk` already handed out (or skipped).
    chunk_used: usize,
    /// The frame the next `read` returns.
    pos_frames: u64,
    /// True once the stream has no more chunks.
    ended: bool,
}

/// Where the chunks come from.
enum Stream {
    Mp3(Box<Mp3Stream>),
    Symphonia(Box<SymphoniaStream>),
}

impl Decoder {
    /// Opens `path`: identifies the format, checks that it can be decoded and
    /// measures its exact length.
    pub fn open(path: &Path) -> Result<Decoder, AudioError> {
        guard(path, || Decoder::open_unguarded(path))?
    }

    fn open_unguarded(path: &Path) -> Result<Decoder, AudioError> {
        let io_error = |source| AudioError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let file_len = file.metadata().map_err(io_error)?.len();
        if file_len == 0 {
            return Err(AudioError::Empty {
                path: path.to_path_buf(),
            });
        }
        let probed = SymphoniaStream::probe(path, file)?;
        let (stream, info) = if probed.container == "mp3" {
            drop(probed);
            open_mp3(path)?
        } else {
            let info = probed.info()?;
            (Stream::Symphonia(Box::new(probed)), info)
        };
        Ok(Decoder {
            path: path.to_path_buf(),
            info,
            stream,
            chunk: Vec::with_capacity(8192),
            chunk_used: 0,
            pos_frames: 0,
            ended: false,
        })
    }

    /// What the file holds.
    pub fn info(&self) -> &AudioInfo {
        &self.info
    }

    /// The file being decoded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next decoded frames, at most `max_frames` of them, interleaved:
    /// what [`FrameSource::read`] would copy out, lent from the chunk in
    /// hand instead (for a reader that only looks at them). Empty at the end
    /// (and when `max_frames` is 0).
    pub fn read_borrowed(&mut self, max_frames: usize) -> Result<&[f32], AudioError> {
        if self.chunk_used >= self.chunk.len() && !self.refill()? {
            return Ok(&[]);
        }
        let channels = usize::from(self.info.channels);
        let take = (max_frames * channels).min(self.chunk.len() - self.chunk_used);
        let from = self.chunk_used;
        self.chunk_used += take;
        self.pos_frames += (take / channels) as u64;
        Ok(&self.chunk[from..from + take])
    }

    fn decode_error(&self, err: SymphoniaError) -> AudioError {
        match err {
            SymphoniaError::IoError(source)
                if source.kind() != std::io::ErrorKind::UnexpectedEof =>
            {
                AudioError::Io {
                    path: self.path.clone(),
                    source,
                }
            }
            other => AudioError::Decode {
                path: self.path.clone(),
                at_ms: ms_from_frames(self.pos_frames, self.info.sample_rate),
                reason: other.to_string(),
            },
        }
    }

    /// Decodes the next chunk, dropping what lies before `pos_frames` (after
    /// a seek) and past the end. Returns false at the end.
    fn refill(&mut self) -> Result<bool, AudioError> {
        let channels = usize::from(self.info.channels);
        loop {
            if self.ended || self.pos_frames >= self.info.frames {
                self.ended = true;
                self.chunk.clear();
                self.chunk_used = 0;
                return Ok(false);
            }
            let (stream, chunk) = (&mut self.stream, &mut self.chunk);
            let start = guard(&self.path, || match stream {
                Stream::Mp3(stream) => stream.next_chunk(chunk),
                Stream::Symphonia(stream) => stream.next_chunk(chunk),
            })
            .inspect_err(|_| self.ended = true)?;
            let start = match start {
                Ok(Some(start)) => start,
                Ok(None) => {
                    self.ended = true;
                    return Ok(false);
                }
                // A file cut short plays up to the cut.
                Err(SymphoniaError::IoError(err))
                    if err.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    self.ended = true;
                    return Ok(false);
                }
                Err(err) => return Err(self.decode_error(err)),
            };
            let frames = (self.chunk.len() / channels) as i64;
            let end = start + frames;
            let want = self.pos_frames as i64;
            if end <= want {
                continue;
            }
            // A chunk that starts after the wanted frame (a gap in the
            // stream's timestamps) is preceded by silence up to a second, so
            // positions stay true; a longer gap moves the position forward.
            let gap = start - want;
            if gap > 0 && gap <= i64::from(self.info.sample_rate) {
                let silence = gap as usize * channels;
                self.chunk.splice(0..0, std::iter::repeat_n(0.0, silence));
                return self.keep_chunk(want, end);
            }
            self.pos_frames = self.pos_frames.max(start.max(0) as u64);
            return self.keep_chunk(start, end);
        }
    }

    /// Trims the chunk in hand (frames `start..end`) to what lies at or after
    /// `pos_frames` and before the end. Returns false when nothing is left.
    fn keep_chunk(&mut self, start: i64, end: i64) -> Result<bool, AudioError> {
        let channels = usize::from(self.info.channels);
        let skip = (self.pos_frames as i64 - start).max(0);
        let keep_end = end.min(self.info.frames as i64);
        if keep_end <= start + skip {
            self.ended = true;
            self.chunk.clear();
            self.chunk_used = 0;
            return Ok(false);
        }
        self.chunk.truncate((keep_end - start) as usize * channels);
        self.chunk_used = skip as usize * channels;
        Ok(true)
    }
}

impl FrameSource for Decoder {
    fn sample_rate(&self) -> u32 {
        self.info.sample_rate
    }

    fn channels(&self) -> u16 {
        self.info.channels
    }

    fn total_frames(&self) -> u64 {
        self.info.frames
    }

    fn pos_frames(&self) -> u64 {
        self.pos_frames
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = usize::from(self.info.channels);
        let want = out.len() / channels;
        let mut written = 0;
        while written < want {
            let frames = self.read_borrowed(want - written)?;
            if frames.is_empty() {
                break;
            }
            out[written * channels..][..frames.len()].copy_from_slice(frames);
            written += frames.len() / channels;
        }
        Ok(written)
    }

    fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError> {
        let target = pos_frames.min(self.info.frames);
        let channels = usize::from(self.info.channels);
        // Inside the chunk in hand and ahead of us: just skip forward.
        let chunk_start = self.pos_frames as i64 - ((self.chunk_used / channels) as i64);
        let chunk_end = chunk_start + (self.chunk.len() / channels) as i64;
        if !self.ended && (target as i64) >= self.pos_frames as i64 && (target as i64) < chunk_end {
            self.chunk_used = (target as i64 - chunk_start) as usize * channels;
            self.pos_frames = target;
            return Ok(());
        }
        self.chunk.clear();
        self.chunk_used = 0;
        self.pos_frames = target;
        if target == self.info.frames {
            self.ended = true;
            return Ok(());
        }
        self.ended = false;
        let (stream, path) = (&mut self.stream, &self.path);
        let result = guard(path, || match stream {
            Stream::Mp3(stream) => {
                stream.seek_before(target);
                Ok(())
            }
            // Some readers cannot seek once they have hit the end (MP4: "no
            // atom pending read"): a fresh reader can.
            Stream::Symphonia(stream) => {
                let reopen = |stream: &mut SymphoniaStream| -> Result<(), SymphoniaError> {
                    let file = File::open(path).map_err(SymphoniaError::IoError)?;
                    *stream = SymphoniaStream::probe(path, file)
                        .map_err(|_| SymphoniaError::DecodeError("cannot reopen the file"))?;
                    Ok(())
                };
                if stream.reached_end || target == 0 {
                    // A fresh reader starts exactly at the first frame, and
                    // can seek where one that hit the end cannot (MP4: "no
                    // atom pending read").
                    reopen(stream).and_then(|()| {
                        if target == 0 {
                            Ok(())
                        } else {
                            stream.seek_before(target)
                        }
                    })
                } else {
                    stream
                        .seek_before(target)
                        .or_else(|_| reopen(stream).and_then(|()| stream.seek_before(target)))
                }
            }
        })?;
        result.map_err(|err| AudioError::Seek {
            path: self.path.clone(),
            to_ms: ms_from_frames(target, self.info.sample_rate),
            reason: err.to_string(),
        })
    }
}

/// Opens an MP3 through its frame index.
fn open_mp3(path: &Path) -> Result<(Stream, AudioInfo), AudioError> {
    let io_error = |source| AudioError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let index = match Mp3Index::scan(&mut file) {
        Ok(index) => index,
        Err(IndexError::Io(source)) => return Err(io_error(source)),
        Err(IndexError::NoFrames) => {
            return Err(AudioError::Unsupported {
                path: path.to_path_buf(),
                reason: "no MPEG audio frames found".into(),
            });
        }
    };
    let header = index.header;
    let info = AudioInfo {
        codec: header.codec_name().into(),
        container: "mp3".into(),
        sample_rate: header.sample_rate,
        channels: header.channels,
        duration_ms: ms_from_frames(index.total_frames(), header.sample_rate),
        frames: index.total_frames(),
    };
    let stream = Mp3Stream::new(index, file).map_err(|err| AudioError::Unsupported {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    Ok((Stream::Mp3(Box::new(stream)), info))
}

/// Any format symphonia reads, decoded with its accurate seek.
struct SymphoniaStream {
    path: PathBuf,
    container: &'static str,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    params: AudioCodecParameters,
    track_id: u32,
    time_base: Option<TimeBase>,
    /// The heard frame the next chunk starts at; `None` until a packet's
    /// timestamp tells it (after a seek or a bad packet).
    next_start: Option<i64>,
    /// True once the reader has returned its last packet.
    reached_end: bool,
    /// Track frames declared by the container, if any.
    declared_frames: Option<u64>,
    /// Decoded frames before the first one heard (MP4 encoder priming).
    delay_frames: u64,
    /// Frames heard, when an MP4 edit list says so.
    edit_frames: Option<u64>,
    bad_packets_in_a_row: u32,
}

impl SymphoniaStream {
    /// Identifies the container and makes a decoder for its audio track.
    fn probe(path: &Path, file: File) -> Result<SymphoniaStream, AudioError> {
        let unsupported = |reason: String| AudioError::Unsupported {
            path: path.to_path_buf(),
            reason,
        };
        let mss = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &hint,
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|err| match err {
                SymphoniaError::IoError(source)
                    if source.kind() != std::io::ErrorKind::UnexpectedEof =>
                {
                    AudioError::Io {
                        path: path.to_path_buf(),
                        source,
                    }
                }
                SymphoniaError::Unsupported(_) | SymphoniaError::IoError(_) => {
                    unsupported("no known audio container".into())
                }
                other => AudioError::Corrupt {
                    path: path.to_path_buf(),
                    reason: other.to_string(),
                },
            })?;
        let container = format.format_info().short_name;
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| unsupported(format!("{container} file without an audio track")))?;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| unsupported(format!("{container} file without an audio track")))?
            .clone();
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(AudioError::Corrupt {
                path: path.to_path_buf(),
                reason: format!("{channels} channels"),
            });
        }
        match params.sample_rate {
            Some(rate) if (MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&rate) => {}
            other => {
                return Err(AudioError::Corrupt {
                    path: path.to_path_buf(),
                    reason: format!("sample rate {}", other.unwrap_or(0)),
                });
            }
        }
        let track_id = track.id;
        let time_base = track.time_base;
        let declared_frames = track.num_frames;
        let (decoder_params, opus_pre_skip) = without_opus_pre_skip(&params);
        let decoder = codecs()
            .make_audio_decoder(&decoder_params, &AudioDecoderOptions::default())
            .map_err(|err| unsupported(err.to_string()))?;
        let edit = if container == "isomp4" {
            File::open(path)
                .ok()
                .and_then(|mut file| read_edit(&mut file, params.sample_rate.unwrap_or(1)))
        } else {
            None
        };
        // Opus's pre-skip works like an MP4 edit's priming: the decoder's
        // first output frames are dropped and positions start after them.
        let edit = edit.or_else(|| {
            opus_pre_skip.map(|delay_frames| Edit {
                delay_frames,
                play_frames: declared_frames.map_or(0, |f| f.saturating_sub(delay_frames)),
            })
        });
        Ok(SymphoniaStream {
            path: path.to_path_buf(),
            container,
            format,
            decoder,
            params,
            track_id,
            time_base,
            // Matroska's timestamps place a Vorbis stream's first output a
            // few ms in: follow them from the start, as after a seek, so both
            // agree. Elsewhere the first output is the first frame.
            next_start: if container == "matroska" {
                None
            } else {
                Some(-(edit.map_or(0, |e| e.delay_frames) as i64))
            },
            reached_end: false,
            declared_frames,
            delay_frames: edit.map_or(0, |e| e.delay_frames),
            edit_frames: edit.map(|e| e.play_frames).filter(|&f| f > 0),
            bad_packets_in_a_row: 0,
        })
    }

    fn sample_rate(&self) -> u32 {
        self.params.sample_rate.unwrap_or(1)
    }

    /// Converts a track timestamp to frames.
    fn frames_from_ts(&self, ts: i64) -> i64 {
        match self.time_base {
            Some(tb) => {
                let numer = i128::from(tb.numer.get());
                let denom = i128::from(tb.denom.get());
                let rate = i128::from(self.sample_rate());
                let value = i128::from(ts) * numer * rate / denom;
                value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
            }
            None => ts,
        }
    }

    /// Converts frames to a track timestamp, rounding down.
    fn ts_from_frames(&self, frames: u64) -> i64 {
        match self.time_base {
            Some(tb) => {
                let numer = u128::from(tb.numer.get());
                let denom = u128::from(tb.denom.get());
                let rate = u128::from(self.sample_rate());
                (u128::from(frames) * denom / (numer * rate)).min(i64::MAX as u128) as i64
            }
            None => frames.min(i64::MAX as u64) as i64,
        }
    }

    /// What the file holds. When the container does not say how many frames
    /// the track has, the packets are counted (no decoding).
    fn info(&self) -> Result<AudioInfo, AudioError> {
        let frames = match (self.edit_frames, self.declared_frames) {
            (Some(frames), _) => frames,
            (None, Some(frames)) => frames.saturating_sub(self.delay_frames),
            (None, None) => self.count_frames()?,
        };
        let codec = codecs()
            .get_audio_decoder(self.params.codec)
            .map_or("unknown", |d| d.codec.info.short_name)
            .to_string();
        Ok(AudioInfo {
            codec,
            container: self.container.to_string(),
            sample_rate: self.sample_rate(),
            channels: self.params.channels.as_ref().map_or(0, |c| c.count()) as u16,
            duration_ms: ms_from_frames(frames, self.sample_rate()),
            frames,
        })
    }

    /// Measures the track when the container does not say how long it is
    /// (Matroska): decodes its last seconds from a fresh reader and counts.
    /// Where the container gives no length either, the packets are read
    /// (not decoded) to find the last one.
    fn count_frames(&self) -> Result<u64, AudioError> {
        let reopen = || -> Result<SymphoniaStream, AudioError> {
            let file = File::open(&self.path).map_err(|source| AudioError::Io {
                path: self.path.clone(),
                source,
            })?;
            SymphoniaStream::probe(&self.path, file)
        };
        let mut tail = reopen()?;
        let end_ts = match tail.format.media_info().duration {
            Some(duration) => {
                // The container's length is in its own time base.
                let media_tb = tail.format.media_info().time_base;
                let frames = match media_tb {
                    Some(tb) => {
                        u128::from(duration.get())
                            * u128::from(tb.numer.get())
                            * u128::from(self.sample_rate())
                            / u128::from(tb.denom.get())
                    }
                    None => u128::from(duration.get()),
                };
                self.ts_from_frames(frames.min(u128::from(u64::MAX)) as u64)
            }
            None => {
                let mut scan = reopen()?;
                let mut last = 0i64;
                while let Ok(Some(packet)) = scan.format.next_packet() {
                    if packet.track_id == self.track_id {
                        last = last.max(packet.pts.get());
                    }
                }
                last
            }
        };
        let end_frames = self.frames_from_ts(end_ts).max(0) as u64;
        let from_frames = end_frames.saturating_sub(u64::from(self.sample_rate()) * 3);
        if from_frames > 0 && tail.seek_before(from_frames).is_err() {
            tail = reopen()?;
        }
        let mut chunk = Vec::new();
        let mut end = 0i64;
        while let Ok(Some(start)) = tail.next_chunk(&mut chunk) {
            end = start + (chunk.len() / usize::from(self.channel_count())) as i64;
        }
        Ok(end.max(0) as u64)
    }

    fn channel_count(&self) -> u16 {
        self.params.channels.as_ref().map_or(1, |c| c.count()) as u16
    }

    /// Seeks the reader a little before `pos_frames`: transform codecs (AAC,
    /// Vorbis) need a packet of history before their output is right.
    fn seek_before(&mut self, pos_frames: u64) -> Result<(), SymphoniaError> {
        let preroll = if self.params.codec == CODEC_ID_OPUS {
            OPUS_PREROLL_FRAMES
        } else {
            PREROLL_FRAMES
        };
        let from_frames = (pos_frames + self.delay_frames).saturating_sub(preroll);
        let ts = Timestamp::new(self.ts_from_frames(from_frames));
        let seeked = self.format.seek(
            SeekMode::Accurate,
            SeekTo::Timestamp {
                ts,
                track_id: self.track_id,
            },
        );
        self.decoder.reset();
        self.next_start = None;
        match seeked {
            Ok(_) => Ok(()),
            // Past the last packet: the next read ends the stream.
            Err(SymphoniaError::SeekError(_)) if pos_frames > 0 => {
                self.next_start = Some(i64::MAX / 2);
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    fn next_chunk(&mut self, out: &mut Vec<f32>) -> Result<Option<i64>, SymphoniaError> {
        if self.next_start == Some(i64::MAX / 2) {
            return Ok(None);
        }
        loop {
            let Some(packet) = self
                .format
                .next_packet()
                .inspect_err(|_| self.reached_end = true)?
            else {
                self.reached_end = true;
                return Ok(None);
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let packet_ts = packet.pts.get() + packet.trim_start.get() as i64;
            let start = match self.next_start {
                Some(start) => start,
                None => self.frames_from_ts(packet_ts) - self.delay_frames as i64,
            };
            match self.decoder.decode(&packet) {
                Ok(buffer) => {
                    self.bad_packets_in_a_row = 0;
                    if buffer.frames() == 0 {
                        continue;
                    }
                    buffer.copy_to_vec_interleaved(out);
                    self.next_start = Some(start + buffer.frames() as i64);
                    return Ok(Some(start));
                }
                Err(SymphoniaError::DecodeError(_)) => {
                    self.bad_packets_in_a_row += 1;
                    self.next_start = None;
                    if self.bad_packets_in_a_row > MAX_BAD_PACKETS {
                        return Err(SymphoniaError::DecodeError(
                            "too many damaged packets in a row",
                        ));
                    }
                }
                Err(err) => return Err(err),
            }
        }
    }
}

/// For an Opus track: the parameters with the OpusHead pre-skip set to 0
/// (the libopus adapter would drop it from the first packet it decodes,
/// even after a seek) and the pre-skip in frames, which we drop ourselves.
fn without_opus_pre_skip(params: &AudioCodecParameters) -> (AudioCodecParameters, Option<u64>) {
    let mut stripped = params.clone();
    let pre_skip = match stripped.extra_data.as_deref_mut() {
        Some(head)
            if params.codec == CODEC_ID_OPUS && head.len() >= 12 && &head[..8] == b"OpusHead" =>
        {
            let pre_skip = u16::from_le_bytes([head[10], head[11]]);
            head[10] = 0;
            head[11] = 0;
            Some(u64::from(pre_skip))
        }
        _ => None,
    };
    (stripped, pre_skip)
}

/// symphonia's decoders plus Opus (libopus through its symphonia adapter).
fn codecs() -> &'static CodecRegistry {
    static CODECS: OnceLock<CodecRegistry> = OnceLock::new();
    CODECS.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<OpusDecoder>();
        registry
    })
}

/// Runs decoder code that hostile input might make panic (symphonia has
/// arithmetic that overflows on absurd headers): a panic becomes an error
/// naming the file.
fn guard<T>(path: &Path, work: impl FnOnce() -> T) -> Result<T, AudioError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|_| AudioError::Corrupt {
        path: path.to_path_buf(),
        reason: "the decoder failed on damaged data".into(),
    })
}

/// Milliseconds in `frames` at `sample_rate`, rounded down.
pub fn ms_from_frames(frames: u64, sample_rate: u32) -> u64 {
    (u128::from(frames) * 1000 / u128::from(sample_rate.max(1))) as u64
}

/// The frame at `ms` at `sample_rate`, rounded to the nearest frame.
pub fn frames_from_ms(ms: u64, sample_rate: u32) -> u64 {
    ((u128::from(ms) * u128::from(sample_rate) + 500) / 1000) as u64
}

/// The first frame at or after `ms` at `sample_rate`: where a seek to `ms`
/// lands, so that the clock then reads `ms` exactly
/// (`ms_from_frames(first_frame_at_ms(ms, r), r) == ms` for any rate of at
/// least 1 kHz) instead of the millisecond before at rates such as 22 050 Hz.
pub fn first_frame_at_ms(ms: u64, sample_rate: u32) -> u64 {
    u128::from(ms)
        .saturating_mul(u128::from(sample_rate))
        .div_ceil(1000)
        .try_into()
        .unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seek_to_any_millisecond_reads_back_that_millisecond_at_every_rate() {
        for rate in [1000, 8000, 11_025, 22_050, 44_100, 48_000, 96_000, 768_000] {
            for ms in (0..20_000).chain([5265, 3_600_001, 86_399_999]) {
                let frames = first_frame_at_ms(ms, rate);
                assert_eq!(ms_from_frames(frames, rate), ms, "{ms} ms at {rate} Hz");
                assert!(
                    frames == 0 || ms_from_frames(frames - 1, rate) < ms,
                    "the first such frame: {ms} ms at {rate} Hz"
                );
            }
        }
    }
}
