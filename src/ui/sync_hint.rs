//! The hint shown when an episode opens whose transcript clearly does not
//! fit its audio: its last line ends well past the audio's end, or its
//! first line starts far from where speech first starts. [`misfit`] is the
//! rule (pure); [`FirstSpeech`] finds where speech starts by running the
//! speech detector over only the first minute of the audio, on a thread of
//! its own, so opening never waits for it. It only ever says "check": the
//! Sync check decides what moves. The detector takes music for speech, so
//! a first speech far from the first line is only a suspicion, which the
//! window confirms with the check itself before showing the notice.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use crate::sync::VadOptions;
use crate::sync::vad::analyze_file_start;

use super::sync_job::WakeFn;

/// A last line ending this far past the audio's end does not fit.
pub const PAST_END_MS: u64 = 1_000;
/// A first line starting this far from the first speech does not fit.
pub const FIRST_SPEECH_APART_MS: u64 = 2_000;
/// How much of the start of the audio is searched for the first speech.
pub const FIRST_SPEECH_WINDOW_MS: u64 = 60_000;

/// Why a transcript does not seem to fit its audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misfit {
    /// The last line ends `over_ms` after the audio does.
    PastTheEnd {
        /// How far past the end.
        over_ms: u64,
    },
    /// The first line starts at `first_line_ms`, the first speech at
    /// `first_speech_ms`.
    FirstSpeechApart {
        /// The first line's start.
        first_line_ms: u64,
        /// Where speech starts in the audio.
        first_speech_ms: u64,
    },
}

impl Misfit {
    /// The notice's sentence.
    pub fn message(&self) -> String {
        let secs = |ms: u64| format!("{:.1} s", ms as f64 / 1000.0);
        let why = match *self {
            Misfit::PastTheEnd { over_ms } => format!("it runs {} past its end", secs(over_ms)),
            Misfit::FirstSpeechApart {
                first_line_ms,
                first_speech_ms,
            } => format!(
                "its first line starts at {}, the speech at {}",
                secs(first_line_ms),
                secs(first_speech_ms)
            ),
        };
        format!("The transcript does not seem to fit this audio: {why}.")
    }
}

/// Whether lines spanning `first_line_ms..last_end_ms` clearly do not fit
/// audio `audio_ms` long whose speech starts at `first_speech_ms` (`None`:
/// not known yet, or no speech in the part searched: then only the end is
/// judged).
pub fn misfit(
    first_line_ms: u64,
    last_end_ms: u64,
    audio_ms: u64,
    first_speech_ms: Option<u64>,
) -> Option<Misfit> {
    if last_end_ms > audio_ms + PAST_END_MS {
        return Some(Misfit::PastTheEnd {
            over_ms: last_end_ms - audio_ms,
        });
    }
    let first_speech_ms = first_speech_ms?;
    (first_line_ms.abs_diff(first_speech_ms) > FIRST_SPEECH_APART_MS).then_some(
        Misfit::FirstSpeechApart {
            first_line_ms,
            first_speech_ms,
        },
    )
}

/// Where speech first starts in an audio file, being found on a thread of
/// its own.
pub struct FirstSpeech {
    receiver: Receiver<Option<u64>>,
}

impl FirstSpeech {
    /// Starts looking in the first [`FIRST_SPEECH_WINDOW_MS`] of `audio`;
    /// `wake` is called when it is found (or not).
    pub fn start(audio: &Path, wake: WakeFn) -> FirstSpeech {
        let (sender, receiver) = mpsc::channel();
        let audio = audio.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("earmark-first-speech".into())
            .spawn(move || {
                let found = first_speech_ms(&audio);
                let _ = sender.send(found);
                wake();
            });
        if let Err(err) = spawned {
            log::warn!("cannot look for the first speech: {err}");
        }
        FirstSpeech { receiver }
    }

    /// `Some(found)` once done (`found` is `None` when the start of the
    /// audio has no speech or cannot be decoded); `None` while looking.
    pub fn try_finish(&self) -> Option<Option<u64>> {
        match self.receiver.try_recv() {
            Ok(found) => Some(found),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(None),
        }
    }
}

/// Where speech starts in the first minute of `audio`, in ms.
fn first_speech_ms(audio: &Path) -> Option<u64> {
    let activity = analyze_file_start(audio, FIRST_SPEECH_WINDOW_MS, &VadOptions::default())
        .map_err(|err| log::info!("no first speech: {err}"))
        .ok()?;
    activity.spans_ms().first().map(|&(start_ms, _)| start_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transcript_that_fits_gets_no_hint() {
        assert_eq!(misfit(500, 29_000, 30_000, Some(450)), None);
        // Within the margins: ends 1 s past, starts 2 s from the speech.
        assert_eq!(misfit(2_500, 31_000, 30_000, Some(500)), None);
        assert_eq!(misfit(500, 30_000, 30_000, None), None);
    }

    #[test]
    fn a_transcript_past_the_end_or_far_from_the_first_speech_gets_one() {
        assert_eq!(
            misfit(500, 42_300, 30_000, Some(500)),
            Some(Misfit::PastTheEnd { over_ms: 12_300 })
        );
        assert_eq!(
            misfit(7_400, 29_000, 30_000, Some(900)),
            Some(Misfit::FirstSpeechApart {
                first_line_ms: 7_400,
                first_speech_ms: 900
            })
        );
        assert_eq!(
            misfit(0, 29_000, 30_000, Some(4_000)).map(|m| m.message()),
            Some(
                "The transcript does not seem to fit this audio: its first line starts at 0.0 s, \
                 the speech at 4.0 s."
                    .to_owned()
            )
        );
        assert_eq!(
            Misfit::PastTheEnd { over_ms: 12_345 }.message(),
            "The transcript does not seem to fit this audio: it runs 12.3 s past its end."
        );
    }
}
