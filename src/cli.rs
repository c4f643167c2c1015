//! The headless commands (`inspect`, `convert`, `export`; with audio,
//! `probe`, `clip`, `play`, `peaks` and `sync`): useful on their own, and how the core is checked from
//! outside. Errors come back as `anyhow` for `main` to print as one line.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::review::export::{self, ExportFormat, ExportOptions, Fps};
use crate::review::markers;
use crate::review::session::{self, Session};
use crate::transcript::{self, Format, TextOptions, Transcript};

#[cfg(feature = "audio")]
pub mod audio;
#[cfg(feature = "audio")]
pub mod sync;

/// What `earmark --help` says before the usage (`-h` shows the one-line about).
const LONG_ABOUT: &str = "\
Play a recording next to its transcript, in sync: click a line to hear it, \
correct the text, speakers and timing, mark what to cut or fix, and export \
the markers for an audio editor.

With no command, Earmark opens its window: on FILE (an audio file, its \
transcript, or both; a lone file brings its partner from the same folder; or \
a session NAME.earmark), else on the last episode, else on a short demo. When \
an Earmark window is open already (for this user and display; Linux and \
macOS), FILE opens in it, which comes to the front, and the command ends; \
--new-window opens another. The commands below work without a window and \
print to the terminal.";

/// What `earmark --help` says after the options.
const AFTER_LONG_HELP: &str = "\
Examples:
  earmark episode.mp3
      The episode, with its transcript beside it (episode.srt, .vtt, .json or .txt).
  earmark episode.mp3 notes.txt --start 00:12:30
      The episode with that transcript, playing from 12 min 30 s.
  earmark inspect episode.srt
      The parsed transcript as JSON.
  earmark convert episode.json episode.srt
      The transcript in another format.
  earmark export episode.srt --to audacity -o labels.txt
      The review's markers as Audacity labels.
  earmark sync episode.srt episode.mp3 -o episode.srt
      The transcript re-timed to this cut of the audio (ads, trims, drift).

Files:
  Settings, unsaved changes (journal/), copies of overwritten transcripts \
(backups/), the log (logs/earmark.log) and crash reports (crashes/) are kept \
in the data folder: $XDG_DATA_HOME/earmark or ~/.local/share/earmark on \
Linux, ~/Library/Application Support/earmark on macOS, \
%APPDATA%\\earmark\\data on Windows. Help > About in the window shows it.

Environment:
  RUST_LOG
      What is logged to stderr: warnings and errors when unset; \
RUST_LOG=earmark=debug for more. The log file always has Earmark's own \
lines from info up.
  EARMARK_STATE_DIR
      A folder to use instead of the data folder.
  EARMARK_CACHE_DIR
      A folder for cached waveforms instead of the cache folder.";

/// Command-line arguments of the `earmark` binary.
#[derive(Debug, Parser)]
#[command(
    name = "earmark",
    version,
    about = "Play a recording next to its transcript, in sync.",
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    /// The headless command; none starts the player.
    pub command: Option<Command>,
    /// The player: an audio file and/or its transcript (a lone file brings
    /// its partner from the same folder), or a session file (NAME.earmark).
    /// None: the last episode, or the demo. Of more files, the first and
    /// its partner by name open; the window names the others.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The player: open a window of its own even when one is open already
    /// (which otherwise gets the files, or comes to the front).
    #[arg(long = "new-window")]
    pub new_window: bool,
    /// The player: start playing from here (seconds or HH:MM:SS.mmm).
    #[cfg(feature = "audio")]
    #[arg(long = "start", value_name = "T")]
    pub start: Option<audio::ClipTime>,
}

/// What `earmark sync --help` says after the options.
#[cfg(feature = "audio")]
const SYNC_AFTER_LONG_HELP: &str = "\
Examples:
  earmark sync episode.srt episode.mp3
      What moved where: each piece's lines and shift, the drift, the lines \
whose audio is gone, the confidence.
  earmark sync episode.txt episode.mp3 -o synced.txt --report sync.json
      The re-timed transcript, byte for byte the original but for its times, \
and the same figures as JSON.
  earmark sync episode.json episode.mp3 -o episode.srt
      The re-timed transcript as SubRip.
  earmark sync asr.srt episode.mp3 -o asr.srt --snap
      Also each line's start and end moved onto its speech (within 700 ms), \
for recognisers' lines that start late or end early.";

/// A headless command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a transcript as JSON: format, segments, words and warnings.
    Inspect {
        /// The transcript file.
        file: PathBuf,
        /// Read the file as this format instead of detecting it
        /// (range, srt, vtt, podcast-json, whisper-json, whispercpp-json, whisperx-json, text).
        #[arg(long = "format", value_name = "NAME")]
        format: Option<Format>,
    },
    /// Convert a transcript to another format (chosen by OUT's extension or --to).
    Convert {
        /// The transcript to read.
        input: PathBuf,
        /// Where to write; replaced atomically, never left half-written.
        output: PathBuf,
        /// The output format (range, srt, vtt, podcast-json, text, markdown).
        #[arg(long = "to", value_name = "FORMAT")]
        to: Option<Format>,
        /// Read the input as this format instead of detecting it.
        #[arg(long = "format", value_name = "NAME")]
        format: Option<Format>,
        /// Text and Markdown output: leave out each speaker turn's start time.
        #[arg(long = "no-timestamps")]
        no_timestamps: bool,
    },
    /// Export the review's markers for another program (what to write: --to).
    Export {
        /// A transcript (its NAME.earmark beside it holds the markers) or a session file.
        input: PathBuf,
        /// audacity (labels), audition, reaper, edl (CMX 3600: Resolve's timeline markers), csv,
        /// chapters (Podcasting 2.0 JSON), youtube, report (Markdown; HTML when OUT ends in
        /// .html), report-html.
        #[arg(long = "to", value_name = "FORMAT")]
        to: ExportFormat,
        /// Where to write, replaced atomically; standard output without it.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        /// Only markers of these kinds (comma-separated: cut,fix).
        #[arg(long = "kinds", value_name = "KINDS", value_delimiter = ',')]
        kinds: Option<Vec<String>>,
        /// The EDL's frame rate (default 25): 23.976, 24, 25, 29.97, 30, 47.952, 48, 50, 59.94
        /// or 60 (the NTSC rates written non-drop-frame).
        #[arg(long = "fps", value_name = "N")]
        fps: Option<Fps>,
    },
    /// Print what an audio file holds as JSON: codec, container, rate, channels, exact length.
    #[cfg(feature = "audio")]
    Probe {
        /// The audio file.
        file: PathBuf,
    },
    /// Write the exact samples between two times to a WAV file (32-bit float).
    #[cfg(feature = "audio")]
    Clip {
        /// The audio file.
        file: PathBuf,
        /// Start: seconds (83.25) or HH:MM:SS.mmm.
        #[arg(long = "from", value_name = "T")]
        from: audio::ClipTime,
        /// End (not included): seconds or HH:MM:SS.mmm.
        #[arg(long = "to", value_name = "T")]
        to: audio::ClipTime,
        /// The WAV file to write; replaced atomically.
        #[arg(short = 'o', long = "output", value_name = "OUT.wav")]
        output: PathBuf,
    },
    /// Play an audio file on the default output, printing the position heard;
    /// Enter pauses and resumes.
    #[cfg(feature = "audio")]
    Play {
        /// The audio file.
        file: PathBuf,
        /// Where to start: seconds or HH:MM:SS.mmm.
        #[arg(long = "from", value_name = "T")]
        from: Option<audio::ClipTime>,
        /// Stop after this many seconds (default: play to the end).
        #[arg(long = "for", value_name = "SECS")]
        seconds: Option<f64>,
        /// Playback speed, 0.5 to 3, pitch kept.
        #[arg(long = "speed", default_value_t = 1.0)]
        speed: f64,
    },
    /// Re-time a transcript made for another cut of its audio: trimmed, with ads
    /// inserted or sections removed, or on a drifting clock.
    #[cfg(feature = "audio")]
    #[command(after_long_help = SYNC_AFTER_LONG_HELP)]
    Sync {
        /// The transcript (any format Earmark reads).
        transcript: PathBuf,
        /// The audio it should follow.
        audio: PathBuf,
        /// Write the re-timed transcript here, replaced atomically: in the transcript's own
        /// format and layout, or the one OUT's extension names (.srt, .vtt, .json, .txt).
        /// Lines whose audio is gone stay, with no length, where it was cut. Without -o nothing
        /// is written: the summary says what the sync would do.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        /// Write the pieces, rate, missing lines (0-based) and confidence as JSON here
        /// (and, with --snap, how far the starts and ends moved).
        #[arg(long = "report", value_name = "REPORT.json")]
        report: Option<PathBuf>,
        /// After the alignment, move each line's start back or forward to where its speech
        /// starts and its end to where it stops, by at most 700 ms (--snap-ms), never past
        /// a neighbouring line: for timings that start late or end early, as speech
        /// recognisers give them.
        #[arg(long = "snap")]
        snap: bool,
        /// How far --snap may move a start or an end, in ms (default 700).
        #[arg(long = "snap-ms", value_name = "MS", requires = "snap",
              value_parser = clap::value_parser!(u64).range(1..=60_000))]
        snap_ms: Option<u64>,
    },
    /// Build an audio file's waveform (or load it from the cache) and say how long it took.
    #[cfg(feature = "audio")]
    Peaks {
        /// The audio file.
        file: PathBuf,
        /// Min/max pairs to write with -o, spread evenly over the whole file.
        #[arg(long = "bins", value_name = "N", default_value_t = 1000,
              value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
        bins: u32,
        /// Write the bins as JSON to this file; replaced atomically.
        #[arg(short = 'o', long = "output", value_name = "OUT.json")]
        output: Option<PathBuf>,
        /// Decode even when the cache has the waveform, and save nothing (for timing).
        #[arg(long = "no-cache")]
        no_cache: bool,
        /// Decoding threads (default: one per core).
        #[arg(long = "threads", value_name = "N", default_value_t = 0)]
        threads: usize,
    },
}

/// Runs a headless command, writing its output to `out`.
pub fn run(command: Command, out: &mut dyn Write) -> anyhow::Result<()> {
    match command {
        Command::Inspect { file, format } => {
            let transcript = transcript::read_file(&file, format)?;
            serde_json::to_writer_pretty(&mut *out, &InspectView::new(&transcript))
                .context("writing the JSON")?;
            writeln!(out)?;
            Ok(())
        }
        Command::Convert {
            input,
            output,
            to,
            format,
            no_timestamps,
        } => {
            let text_options = TextOptions {
                timestamps: !no_timestamps,
            };
            convert(&input, &output, to, format, &text_options)
        }
        Command::Export {
            input,
            to,
            output,
            kinds,
            fps,
        } => export(&input, to, output.as_deref(), kinds.as_deref(), fps, out),
        #[cfg(feature = "audio")]
        Command::Probe { file } => audio::probe(&file, out),
        #[cfg(feature = "audio")]
        Command::Clip {
            file,
            from,
            to,
            output,
        } => audio::clip(&file, from, to, &output),
        #[cfg(feature = "audio")]
        Command::Play {
            file,
            from,
            seconds,
            speed,
        } => audio::play(&file, from, seconds, speed, out),
        #[cfg(feature = "audio")]
        Command::Peaks {
            file,
            bins,
            output,
            no_cache,
            threads,
        } => audio::peaks(
            &file,
            &audio::PeaksArgs {
                bins: bins as usize,
                output,
                use_cache: !no_cache,
                threads,
            },
            out,
        ),
        #[cfg(feature = "audio")]
        Command::Sync {
            transcript,
            audio,
            output,
            report,
            snap,
            snap_ms,
        } => sync::sync(
            &sync::SyncArgs {
                transcript,
                audio,
                output,
                report,
                snap: snap.then(|| {
                    let default = crate::sync::SnapParams::default();
                    crate::sync::SnapParams {
                        bound_ms: snap_ms.unwrap_or(default.bound_ms),
                    }
                }),
            },
            out,
        ),
    }
}

fn convert(
    input: &Path,
    output: &Path,
    to: Option<Format>,
    format: Option<Format>,
    text_options: &TextOptions,
) -> anyhow::Result<()> {
    let Some(to) = output_format(output, to, None) else {
        bail!(
            "cannot tell the output format from the name {}; add --to range|srt|vtt|podcast-json|text|markdown",
            output.display()
        );
    };
    let transcript = transcript::read_file(input, format)?;
    transcript::write_file(&transcript, to, text_options, output)?;
    Ok(())
}

/// The format to write `output` in: `to` when given; else `input`'s
/// format when it is writable and `output`'s extension is its own or names
/// none (a command that rewrites a transcript keeps its format and
/// layout); else the one the extension names ([`Format::for_output_path`]),
/// if any.
fn output_format(output: &Path, to: Option<Format>, input: Option<Format>) -> Option<Format> {
    if to.is_some() {
        return to;
    }
    let named = Format::for_output_path(output);
    let extension = output.extension().and_then(|e| e.to_str());
    if let Some(input) = input.filter(|f| f.is_writable()) {
        let own = extension.is_some_and(|e| e.eq_ignore_ascii_case(input.extension()));
        if own || named.is_none() {
            return Some(input);
        }
    }
    named
}

/// `earmark export`: the markers of `input`'s session in `to` (an EDL at
/// `fps`), to `output` (atomically) or `out`; what had to change is said on
/// stderr. Writes nothing when the session cannot be read.
fn export(
    input: &Path,
    to: ExportFormat,
    output: Option<&Path>,
    kinds: Option<&[String]>,
    fps: Option<Fps>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (session_path, transcript_path) = if session::is_session_file(input) {
        (input.to_owned(), None)
    } else {
        (session::path_for(input), Some(input.to_owned()))
    };
    if !session_path.exists() {
        bail!(
            "{}: no review to export (its markers would be in {})",
            input.display(),
            session_path.display()
        );
    }
    let session = Session::read(&session_path)?;
    // A report written to an .html file is the HTML one.
    let html_out = output
        .and_then(|p| p.extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    let to = match to {
        ExportFormat::Report if html_out => ExportFormat::ReportHtml,
        other => other,
    };
    let quotes_lines = matches!(
        to,
        ExportFormat::Csv | ExportFormat::Report | ExportFormat::ReportHtml
    );
    let transcript = match transcript_path.or(session.transcript.clone()) {
        Some(path) if quotes_lines => Some(transcript::read_file(&path, None)?),
        _ => None,
    };
    let chosen = markers::selected(&session.markers, kinds);
    let options = export_options(input, &session, to, fps);
    let exported = export::export_with_options(&chosen, transcript.as_ref(), to, &options);
    for change in &exported.changes {
        eprintln!("earmark: {change}");
    }
    match output {
        Some(path) => crate::atomic_file::write(path, exported.text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?,
        None => out.write_all(exported.text.as_bytes())?,
    }
    Ok(())
}

/// What `earmark export` hands the exporter besides the markers: the EDL's
/// frame rate, the session's kinds (their colours) and its title (the
/// input's name). Says on stderr when `--fps` has nothing to do.
fn export_options(
    input: &Path,
    session: &Session,
    to: ExportFormat,
    fps: Option<Fps>,
) -> ExportOptions {
    if fps.is_some() && to != ExportFormat::Edl {
        eprintln!("earmark: --fps is for --to edl; {} ignores it", to.name());
    }
    let defaults = ExportOptions::default();
    ExportOptions {
        fps: fps.unwrap_or(defaults.fps),
        kinds: session.kinds.clone().unwrap_or(defaults.kinds),
        title: input
            .file_stem()
            .map_or(defaults.title, |stem| stem.to_string_lossy().into_owned()),
    }
}

/// The JSON `inspect` prints: display text, speaker names, warnings by line.
#[derive(Serialize)]
pub struct InspectView<'a> {
    format: Format,
    segments: Vec<SegmentView<'a>>,
    warnings: &'a [transcript::Warning],
}

#[derive(Serialize)]
struct SegmentView<'a> {
    start_ms: u64,
    end_ms: u64,
    end_derived: bool,
    speaker: Option<&'a str>,
    text: &'a str,
    words: &'a [transcript::Word],
}

impl<'a> InspectView<'a> {
    /// The view of a parsed transcript.
    pub fn new(transcript: &'a Transcript) -> Self {
        let segments = transcript
            .segments
            .iter()
            .map(|s| SegmentView {
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                end_derived: s.end_derived,
                speaker: s.speaker.map(|_| transcript.speaker_name(s.speaker)),
                text: &s.text,
                words: &s.words,
            })
            .collect();
        InspectView {
            format: transcript.format,
            segments,
            warnings: &transcript.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_format_is_the_inputs_unless_the_extension_names_another() {
        let format = |name: &str, input| output_format(Path::new(name), None, input);
        // convert: the extension alone.
        assert_eq!(format("out.txt", None), Some(Format::Range));
        assert_eq!(format("out.srt", None), Some(Format::Srt));
        assert_eq!(format("out", None), None);
        assert_eq!(
            output_format(Path::new("out"), Some(Format::Vtt), None),
            Some(Format::Vtt),
            "--to wins"
        );
        // sync: the input's own format for its own extension, or none.
        assert_eq!(format("out.txt", Some(Format::Text)), Some(Format::Text));
        assert_eq!(format("out.TXT", Some(Format::Range)), Some(Format::Range));
        assert_eq!(format("out.srt", Some(Format::Range)), Some(Format::Srt));
        assert_eq!(format("out.synced", Some(Format::Vtt)), Some(Format::Vtt));
        // A format Earmark only reads becomes the one the extension names.
        assert_eq!(
            format("out.json", Some(Format::WhisperJson)),
            Some(Format::PodcastJson)
        );
        assert_eq!(format("out", Some(Format::WhisperJson)), None);
    }
}
