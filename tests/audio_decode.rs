//! Decoding every supported format: exact lengths, exact samples for
//! lossless files, alignment with the master for lossy ones, and seeks that
//! land on the sample asked for (50 positions per file).

#[path = "support/signals.rs"]
mod signals;

use earmark::audio::{Decoder, FrameSource};
use signals::{
    best_lag, chirp_master, counter, decode_all, first_channel, fixture, positions, read_frames,
};

/// The lossless fixtures: (file, rate, channels, frames).
const LOSSLESS: &[(&str, u32, u16, u64)] = &[
    ("counter-22k-mono-s16.wav", 22_050, 1, 66_150),
    ("counter-22k-mono.flac", 22_050, 1, 66_150),
    ("counter-48k-stereo-s24.wav", 48_000, 2, 48_000),
    ("counter-48k-stereo-s32.wav", 48_000, 2, 48_000),
    ("counter-48k-stereo-f32.wav", 48_000, 2, 48_000),
];

/// How a lossy fixture's length and start relate to its master.
#[derive(Clone, Copy, PartialEq)]
enum Gapless {
    /// Encoder delay and padding are recorded (LAME tag, MP4 edit list, Ogg
    /// granules): the decode is exactly the master's length and aligned.
    Exact,
    /// Matroska: millisecond timestamps and no padding recorded; the start
    /// is aligned, the end carries the codec's padding, and the length is
    /// known to a millisecond.
    StartOnly,
    /// MP3 without a LAME tag: the decode starts late by the codec delay.
    Unknown,
}

/// The lossy fixtures: (file, rate, channels, how gapless).
const LOSSY: &[(&str, u32, u16, Gapless)] = &[
    ("chirp-cbr.mp3", 44_100, 2, Gapless::Exact),
    ("chirp-vbr.mp3", 44_100, 2, Gapless::Exact),
    ("chirp-vbr-noxing.mp3", 44_100, 2, Gapless::Unknown),
    ("chirp-22k-mono.mp3", 22_050, 1, Gapless::Exact),
    ("chirp-faststart.m4a", 44_100, 2, Gapless::Exact),
    ("chirp-moov-at-end.m4a", 44_100, 2, Gapless::Exact),
    ("chirp.ogg", 44_100, 2, Gapless::Exact),
    ("chirp-audio-only.mkv", 44_100, 2, Gapless::StartOnly),
    ("chirp-video.mp4", 44_100, 2, Gapless::Exact),
    ("chirp-video.mkv", 44_100, 2, Gapless::StartOnly),
    ("chirp.opus", 48_000, 2, Gapless::Exact),
];

/// Every lossy master is 4 seconds long.
const MASTER_SECS: u64 = 4;

#[test]
fn lossless_files_decode_to_the_counter_exactly() {
    for &(name, rate, channels, frames) in LOSSLESS {
        let (decoder, samples) = decode_all(&fixture(name));
        let info = decoder.info();
        assert_eq!(
            (info.sample_rate, info.channels, info.frames),
            (rate, channels, frames),
            "{name}"
        );
        assert_eq!(samples.len() as u64, frames * u64::from(channels), "{name}");
        for (i, &sample) in samples.iter().enumerate() {
            let frame = (i / usize::from(channels)) as u64;
            let channel = (i % usize::from(channels)) as u64;
            assert_eq!(sample, counter(frame, channel), "{name} frame {frame}");
        }
    }
}

#[test]
fn lossless_seeks_land_on_the_exact_sample() {
    for &(name, _, channels, frames) in LOSSLESS {
        let mut decoder = Decoder::open(&fixture(name)).unwrap();
        for pos in positions(frames, 50, 7) {
            decoder.seek(pos).unwrap();
            assert_eq!(decoder.pos_frames(), pos);
            let got = read_frames(&mut decoder, 64);
            let want_frames = 64.min(frames - pos) as usize;
            assert_eq!(
                got.len(),
                want_frames * usize::from(channels),
                "{name} at {pos}"
            );
            for (k, frame) in got.chunks(usize::from(channels)).enumerate() {
                for (c, &sample) in frame.iter().enumerate() {
                    assert_eq!(
                        sample,
                        counter(pos + k as u64, c as u64),
                        "{name}: seek to {pos}, frame {k} channel {c}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_file_is_as_long_as_its_decode_and_its_master() {
    for &(name, rate, channels, gapless) in LOSSY {
        let (decoder, samples) = decode_all(&fixture(name));
        let decoded = samples.len() as u64 / u64::from(channels);
        let probed = decoder.info().frames;
        if gapless == Gapless::StartOnly {
            assert!(
                probed.abs_diff(decoded) <= u64::from(rate) / 1000,
                "{name}: probe {probed} vs decode {decoded}"
            );
        } else {
            assert_eq!(probed, decoded, "{name}: probe vs decode");
        }
        if gapless == Gapless::Exact {
            assert_eq!(
                decoded,
                u64::from(rate) * MASTER_SECS,
                "{name}: decode vs master"
            );
        }
    }
}

#[test]
fn lossy_decodes_line_up_with_the_master_within_a_millisecond() {
    for &(name, rate, channels, gapless) in LOSSY {
        // The mono MP3 is a down-mix at 22.05 kHz and Opus always decodes at
        // 48 kHz: their masters differ, so their seeks are checked against
        // their own decode in the next test.
        if channels == 1 || rate != 44_100 {
            continue;
        }
        let (_, samples) = decode_all(&fixture(name));
        let decoded = first_channel(&samples, channels);
        let master = first_channel(
            &chirp_master(rate, u64::from(rate) * MASTER_SECS, channels),
            channels,
        );
        // Without a recorded delay the decode starts late by the codec delay.
        let max_lag = if gapless == Gapless::Unknown {
            3000
        } else {
            200
        };
        for at in [4_410usize, 66_150, 132_300] {
            let piece = &decoded[at..at + 2048];
            let (lag, score) = best_lag(&master, at, piece, max_lag);
            assert!(score > 0.9, "{name} at {at}: correlation {score:.3}");
            // Matroska's Vorbis timestamps place the first output one short
            // block (3 ms) in; its seeks agree with its decode (next test).
            let tolerance = match gapless {
                Gapless::Exact => u64::from(rate) / 1000,
                _ => u64::from(rate) / 200,
            };
            if gapless != Gapless::Unknown {
                assert!(
                    lag.unsigned_abs() <= tolerance,
                    "{name} at {at}: {lag} frames off the master"
                );
            }
        }
    }
}

#[test]
fn lossy_seeks_land_within_a_millisecond_of_the_linear_decode() {
    for &(name, rate, channels, _) in LOSSY {
        let (mut decoder, samples) = decode_all(&fixture(name));
        let reference = first_channel(&samples, channels);
        let total = decoder.total_frames();
        let mut worst = 0;
        for pos in positions(total - 4096, 50, 11) {
            decoder.seek(pos).unwrap();
            assert_eq!(decoder.pos_frames(), pos, "{name}");
            let piece = first_channel(&read_frames(&mut decoder, 2048), channels);
            let (lag, score) = best_lag(&reference, pos as usize, &piece, 400);
            assert!(
                score > 0.95,
                "{name}: seek to {pos}: correlation {score:.3}"
            );
            worst = worst.max(lag.unsigned_abs());
        }
        assert!(
            worst <= u64::from(rate) / 1000,
            "{name}: a seek landed {worst} frames away"
        );
    }
}

#[test]
fn seeking_to_the_end_reads_nothing_and_back_to_the_start_reads_again() {
    for name in [
        "chirp-cbr.mp3",
        "chirp.ogg",
        "chirp-faststart.m4a",
        "counter-22k-mono.flac",
    ] {
        let mut decoder = Decoder::open(&fixture(name)).unwrap();
        let total = decoder.total_frames();
        decoder.seek(total).unwrap();
        assert!(read_frames(&mut decoder, 16).is_empty(), "{name}");
        decoder.seek(total + 1_000_000).unwrap();
        assert!(read_frames(&mut decoder, 16).is_empty(), "{name}");
        decoder.seek(0).unwrap();
        assert_eq!(
            read_frames(&mut decoder, 16).len(),
            16 * usize::from(decoder.channels()),
            "{name}"
        );
    }
}

#[test]
fn opus_decodes_through_libopus_at_48_khz() {
    let decoder = Decoder::open(&fixture("chirp.opus")).unwrap();
    let info = decoder.info();
    assert_eq!(
        (
            info.codec.as_str(),
            info.container.as_str(),
            info.sample_rate
        ),
        ("opus", "ogg", 48_000)
    );
}

#[test]
fn borrowed_reads_lend_what_copying_reads_give_and_move_the_same() {
    for file in [
        "counter-22k-mono.flac",
        "counter-48k-stereo-s24.wav",
        "chirp-cbr.mp3",
    ] {
        let (_, copied) = decode_all(&fixture(file));
        let mut decoder = Decoder::open(&fixture(file)).expect("opens");
        let channels = usize::from(decoder.channels());
        assert!(decoder.read_borrowed(0).expect("reads").is_empty());
        // After a seek, in odd sizes that cut the decoder's chunks anywhere.
        let from = 1_234;
        decoder.seek(from).expect("seeks");
        let mut lent = Vec::new();
        for max_frames in [1, 777, 4_096, 10_000].into_iter().cycle() {
            let pos = decoder.pos_frames();
            let frames = decoder.read_borrowed(max_frames).expect("reads");
            if frames.is_empty() {
                break;
            }
            assert!(frames.len() <= max_frames * channels && frames.len().is_multiple_of(channels));
            let got = (frames.len() / channels) as u64;
            lent.extend_from_slice(frames);
            assert_eq!(decoder.pos_frames(), pos + got, "{file}");
        }
        assert_eq!(decoder.pos_frames(), decoder.total_frames(), "{file}");
        assert!(
            lent == copied[from as usize * channels..],
            "{file}: lent samples differ from the copied ones"
        );
    }
}
