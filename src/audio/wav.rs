//! Writes 32-bit float WAV files atomically (a temporary file in the same
//! folder, renamed over the target only when complete).

use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

/// Streams interleaved `f32` frames into a WAV file that appears at its
/// path only when [`WavWriter::finish`] succeeds.
pub struct WavWriter {
    out: BufWriter<tempfile::NamedTempFile>,
    channels: u16,
    sample_rate: u32,
    samples_written: u64,
}

impl WavWriter {
    /// Starts a WAV file that will replace `path` when finished.
    pub fn create(path: &Path, sample_rate: u32, channels: u16) -> std::io::Result<WavWriter> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let file = tempfile::Builder::new()
            .prefix(".earmark-")
            .suffix(".wav.tmp")
            .tempfile_in(folder)?;
        let mut writer = WavWriter {
            out: BufWriter::with_capacity(1 << 16, file),
            channels,
            sample_rate,
            samples_written: 0,
        };
        writer.write_header(0)?;
        Ok(writer)
    }

    /// Appends interleaved samples (a whole number of frames).
    pub fn write(&mut self, samples: &[f32]) -> std::io::Result<()> {
        for sample in samples {
            self.out.write_all(&sample.to_le_bytes())?;
        }
        self.samples_written += samples.len() as u64;
        Ok(())
    }

    fn write_header(&mut self, data_bytes: u32) -> std::io::Result<()> {
        let block_align = u32::from(self.channels) * 4;
        let out = &mut self.out;
        out.write_all(b"RIFF")?;
        out.write_all(&(4 + 26 + 12 + 8 + data_bytes).to_le_bytes())?;
        out.write_all(b"WAVEfmt ")?;
        out.write_all(&18u32.to_le_bytes())?;
        out.write_all(&3u16.to_le_bytes())?;
        out.write_all(&self.channels.to_le_bytes())?;
        out.write_all(&self.sample_rate.to_le_bytes())?;
        out.write_all(&(self.sample_rate * block_align).to_le_bytes())?;
        out.write_all(&(block_align as u16).to_le_bytes())?;
        out.write_all(&32u16.to_le_bytes())?;
        out.write_all(&0u16.to_le_bytes())?;
        out.write_all(b"fact")?;
        out.write_all(&4u32.to_le_bytes())?;
        let frames = data_bytes / block_align.max(1);
        out.write_all(&frames.to_le_bytes())?;
        out.write_all(b"data")?;
        out.write_all(&data_bytes.to_le_bytes())?;
        Ok(())
    }

    /// Completes the header, syncs and moves the file to `path`.
    pub fn finish(mut self, path: &Path) -> std::io::Result<()> {
        let data_bytes = u32::try_from(self.samples_written * 4).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the clip is longer than a WAV file can hold (4 GiB)",
            )
        })?;
        self.out.seek(SeekFrom::Start(0))?;
        self.write_header(data_bytes)?;
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}
