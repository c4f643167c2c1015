//! Sync ▸ Check sync off the UI thread: one worker measures the audio's
//! speech activity ([`crate::sync::vad`], itself on several threads) and
//! aligns the transcript's lines to it ([`crate::sync::align`]). The
//! window reads how far it is, can cancel it, and takes the alignment (or
//! one line saying why there is none) when the worker wakes it. Nothing
//! here touches the transcript: the app turns the result into an edit.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use crate::sync::{self, AlignError, AlignParams, Alignment, Span, VadOptions};

/// A callback the worker calls when it is done: the UI's repaint request.
pub type WakeFn = Arc<dyn Fn() + Send + Sync>;

/// A sync check running on its own thread; dropping it cancels it.
pub struct SyncJob {
    progress_ms: Arc<AtomicU64>,
    cancel: Arc<AtomicBool>,
    duration_ms: u64,
    receiver: Receiver<Result<Alignment, String>>,
}

impl SyncJob {
    /// Starts aligning the lines `spans` (as [`sync::spans_of`] gives them)
    /// to `audio`, `duration_ms` long; `wake` is called once it is done.
    pub fn start(audio: &Path, spans: Vec<Option<Span>>, duration_ms: u64, wake: WakeFn) -> Self {
        let progress_ms = Arc::new(AtomicU64::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (sender, receiver) = mpsc::channel();
        let options = VadOptions {
            progress_ms: Some(progress_ms.clone()),
            cancel: Some(cancel.clone()),
            ..VadOptions::default()
        };
        let audio = audio.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("earmark-sync".into())
            .spawn({
                let wake = wake.clone();
                move || {
                    let outcome = check(&audio, &spans, &options);
                    // The window may have gone; nobody is left to tell.
                    let _ = sender.send(outcome);
                    wake();
                }
            });
        if let Err(err) = spawned {
            let (sender, failed) = mpsc::channel();
            let _ = sender.send(Err(format!("The sync check could not start: {err}")));
            wake();
            return SyncJob {
                progress_ms,
                cancel,
                duration_ms,
                receiver: failed,
            };
        }
        SyncJob {
            progress_ms,
            cancel,
            duration_ms,
            receiver,
        }
    }

    /// How much of the audio has been measured, 0 to 1 (the alignment after
    /// it is quick).
    pub fn progress(&self) -> f32 {
        let done_ms = self.progress_ms.load(Ordering::Relaxed);
        (done_ms as f64 / self.duration_ms.max(1) as f64).clamp(0.0, 1.0) as f32
    }

    /// Asks the worker to stop at its next block; it then sends nothing
    /// that [`SyncJob::try_finish`] reports.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The outcome once the worker is done: the alignment, or one line
    /// saying why there is none. `None` while it runs.
    pub fn try_finish(&mut self) -> Option<Result<Alignment, String>> {
        match self.receiver.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err("The sync check stopped unexpectedly.".to_owned()))
            }
        }
    }
}

impl Drop for SyncJob {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The worker's whole job, its error as the line the window shows.
fn check(audio: &Path, spans: &[Option<Span>], options: &VadOptions) -> Result<Alignment, String> {
    let activity = sync::vad::analyze_file(audio, options)
        .map_err(|err| format!("The sync check could not measure the audio: {err}"))?;
    sync::align(spans, &activity, &AlignParams::default()).map_err(|err| match err {
        AlignError::NoSpeech => format!("The sync check found no speech: {}", audio.display()),
        AlignError::NoTimedLines => {
            "The sync check needs a transcript with times: this one has none.".to_owned()
        }
        AlignError::NoMatch => format!(
            "The sync check found no place where the transcript matches the audio: {}",
            audio.display()
        ),
    })
}
