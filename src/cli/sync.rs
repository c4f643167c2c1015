//! `earmark sync`: re-times a transcript made for another cut of its audio
//! ([`crate::sync`]), writes it in its own layout (or another format) and
//! says what moved, on stdout and optionally as a JSON report; with
//! `--snap` it then moves each line's start and end onto the speech it
//! covers ([`crate::sync::snap`]). Writes nothing unless every step
//! succeeded.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::sync::snap::Moves;
use crate::sync::{self, AlignError, AlignParams, Alignment, SnapParams, SnapStats, VadOptions};
use crate::transcript::{self, Transcript};

/// What `earmark sync` was asked to do.
#[derive(Debug, Clone)]
pub struct SyncArgs {
    /// The transcript to re-time.
    pub transcript: PathBuf,
    /// Its audio.
    pub audio: PathBuf,
    /// Where to write the re-timed transcript; nothing is written without it.
    pub output: Option<PathBuf>,
    /// Where to write the JSON report.
    pub report: Option<PathBuf>,
    /// Snap each line's start and end to the speech after the alignment,
    /// within this bound; `None` leaves the aligned times as they are.
    pub snap: Option<SnapParams>,
}

/// What the alignment found, as `--report` writes it: line indices are
/// 0-based, in file order; ranges include their last line.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The pieces that moved together, in line order.
    pub pieces: Vec<PieceReport>,
    /// Audio ms per transcript ms (1.0 when the clocks agree).
    pub rate: f64,
    /// The drift of the transcript's clock, in parts per million.
    pub drift_ppm: f64,
    /// The lines whose audio is gone, written at their cut with no length.
    pub missing: Vec<MissingLine>,
    /// The share of placed lines whose start lands on a speech onset.
    pub confidence: f64,
    /// How `--snap` moved the starts and ends (absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snap: Option<SnapStats>,
}

/// One piece of the report.
#[derive(Debug, Serialize)]
pub struct PieceReport {
    /// Its first line (0-based).
    pub first_line: usize,
    /// Its last line (0-based, included).
    pub last_line: usize,
    /// How far its lines moved, in ms (later in the audio when positive).
    pub shift_ms: i64,
    /// The share of its lines whose start lands on a speech onset.
    pub confidence: f64,
}

/// A line whose audio is gone.
#[derive(Debug, Serialize)]
pub struct MissingLine {
    /// Its index (0-based, in file order).
    pub index: usize,
    /// Its text.
    pub text: String,
    /// Where it was put: the cut in the audio, in ms.
    pub cut_at_ms: u64,
}

impl Report {
    /// The report of `alignment`, made for `transcript`.
    pub fn new(transcript: &Transcript, alignment: &Alignment) -> Report {
        let pieces = alignment
            .pieces
            .iter()
            .map(|p| PieceReport {
                first_line: p.lines.start,
                last_line: p.lines.end.saturating_sub(1),
                shift_ms: p.shift_ms,
                confidence: p.confidence,
            })
            .collect();
        let missing = alignment
            .missing
            .iter()
            .filter_map(|&index| {
                let segment = transcript.segments.get(index)?;
                Some(MissingLine {
                    index,
                    text: segment.text.clone(),
                    cut_at_ms: alignment.audio_ms_on_line(index, segment.start_ms),
                })
            })
            .collect();
        Report {
            pieces,
            rate: alignment.rate,
            drift_ppm: ((alignment.rate - 1.0) * 1e6 * 10.0).round() / 10.0,
            missing,
            confidence: alignment.confidence,
            snap: None,
        }
    }

    /// The summary `earmark sync` prints (line numbers 1-based, as an
    /// editor shows them).
    pub fn summary(&self) -> String {
        let mut text = String::new();
        for piece in &self.pieces {
            text.push_str(&format!(
                "lines {}-{}: shift {:+} ms, confidence {:.2}\n",
                piece.first_line + 1,
                piece.last_line + 1,
                piece.shift_ms,
                piece.confidence
            ));
        }
        text.push_str(&format!(
            "rate: {:.6} ({:+.1} ppm drift)\n",
            self.rate, self.drift_ppm
        ));
        let missing: Vec<String> = self
            .missing
            .iter()
            .map(|m| (m.index + 1).to_string())
            .collect();
        text.push_str(&format!(
            "missing: {} line{}{}\n",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            if missing.is_empty() {
                String::new()
            } else {
                format!(" ({})", missing.join(", "))
            }
        ));
        text.push_str(&format!("confidence: {:.2}\n", self.confidence));
        if let Some(snap) = &self.snap {
            text.push_str(&format!(
                "snap (within {} ms): {}, {}\n",
                snap.bound_ms,
                moves_summary(&snap.starts, snap.lines, "start"),
                moves_summary(&snap.ends, snap.lines, "end")
            ));
        }
        text
    }
}

/// One side's moves as the summary says them: `"3 of 4 starts moved (2
/// earlier, 1 later; median 120 ms, max 290 ms)"`.
fn moves_summary(moves: &Moves, lines: usize, side: &str) -> String {
    let mut text = format!(
        "{} of {lines} {side}{} moved",
        moves.moved,
        if lines == 1 { "" } else { "s" }
    );
    if moves.moved > 0 {
        text.push_str(&format!(
            " ({} earlier, {} later; median {} ms, max {} ms)",
            moves.earlier, moves.later, moves.median_ms, moves.max_ms
        ));
    }
    text
}

/// `earmark sync`: aligns `args.transcript` to `args.audio`, writes the
/// re-timed transcript and the report where asked (each atomically, and
/// only once everything is known to succeed), and prints the summary.
pub fn sync(args: &SyncArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let transcript = transcript::read_file(&args.transcript, None)?;
    let format = match &args.output {
        Some(path) => match super::output_format(path, None, Some(transcript.format)) {
            Some(format) => Some(format),
            None => bail!(
                "cannot tell the output format from the name {} ({} is read, not written); \
                 end it in .srt, .vtt, .json or .txt",
                path.display(),
                transcript.format.name()
            ),
        },
        None => None,
    };
    let activity = sync::vad::analyze_file(&args.audio, &VadOptions::default())?;
    let alignment = sync::align(
        &sync::spans_of(&transcript),
        &activity,
        &AlignParams::default(),
    )
    .map_err(|err| align_error(err, args))?;
    let mut report = Report::new(&transcript, &alignment);
    let mut retimed = sync::retimed(&transcript, &alignment);
    if let Some(params) = &args.snap {
        let aligned = sync::spans_of(&retimed);
        let snapped = sync::snap::snap(&aligned, &activity, params);
        report.snap = Some(SnapStats::new(&aligned, &snapped, params));
        retimed = sync::snap::snapped(&retimed, &snapped);
    }
    let text = match format {
        Some(format) => Some(transcript::write_string(&retimed, format)?),
        None => None,
    };
    let json = match &args.report {
        Some(_) => {
            Some(serde_json::to_string_pretty(&report).context("writing the report")? + "\n")
        }
        None => None,
    };
    if let (Some(path), Some(text)) = (&args.output, &text) {
        write(path, text.as_bytes())?;
    }
    if let (Some(path), Some(json)) = (&args.report, &json) {
        write(path, json.as_bytes())?;
    }
    out.write_all(report.summary().as_bytes())?;
    match &args.output {
        Some(path) => writeln!(out, "wrote {}", path.display())?,
        None => writeln!(out, "wrote nothing (no -o OUT)")?,
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::atomic_file::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The aligner's error, naming the file it is about.
fn align_error(err: AlignError, args: &SyncArgs) -> anyhow::Error {
    match err {
        AlignError::NoTimedLines => anyhow::anyhow!("{err}: {}", args.transcript.display()),
        AlignError::NoSpeech => anyhow::anyhow!("{err}: {}", args.audio.display()),
        AlignError::NoMatch => anyhow::anyhow!(
            "{err}: {} against {}",
            args.transcript.display(),
            args.audio.display()
        ),
    }
}
