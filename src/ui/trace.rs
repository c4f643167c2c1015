//! An event log for end-to-end tests: with `EARMARK_TRACE=FILE` set, the
//! window appends one JSON object per line when the highlighted line changes,
//! when a line is clicked, and where the visible lines are on screen, each
//! stamped with the wall clock (Unix nanoseconds, comparable across
//! processes). Off, it costs one branch per frame.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The environment variable naming the log file.
pub const TRACE_ENV: &str = "EARMARK_TRACE";

/// A visible line's place in the window, in physical pixels from the
/// window's top-left corner (what `xdotool mousemove --window` takes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowPlace {
    /// Index into the transcript's segments.
    pub segment: usize,
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

/// One logged event.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceEvent<'a> {
    /// A frame now shows `segment` highlighted (`None`: nothing).
    Highlight {
        /// The segment.
        segment: Option<usize>,
        /// The position the frame shows: the one heard when it is on screen.
        clock_ms: u64,
        /// How far ahead of the frame's start that is, in wall milliseconds
        /// (the last frame's drawing time).
        lead_ms: f64,
        /// The playback speed then.
        speed: f64,
    },
    /// The user clicked a line.
    Click {
        /// The segment.
        segment: usize,
    },
    /// The lines on screen changed place.
    Rows {
        /// Where they are.
        rows: &'a [RowPlace],
    },
    /// A frame was drawn.
    Frame {
        /// The position it showed.
        clock_ms: u64,
        /// The position the output last published (`clock_ms` is it plus
        /// the time since, at the speed).
        published_ms: u64,
    },
    /// An episode finished opening.
    Opened {
        /// Its audio's length, 0 without audio.
        duration_ms: u64,
        /// The output device playing it; `None` when the engine plays into
        /// its silent stand-in (no device could be opened).
        device: Option<&'a str>,
    },
}

#[derive(Serialize)]
struct Stamped<'a> {
    wall_ns: u128,
    #[serde(flatten)]
    event: &'a TraceEvent<'a>,
}

/// The open log, if tracing is on.
#[derive(Default)]
pub struct Trace {
    file: Option<File>,
    last_rows: Vec<RowPlace>,
    last_highlight: Option<Option<usize>>,
}

impl Trace {
    /// Opens the log named by `$EARMARK_TRACE`, if set; tracing stays off if
    /// it cannot be created.
    pub fn from_env() -> Trace {
        let file = std::env::var_os(TRACE_ENV)
            .filter(|path| !path.is_empty())
            .and_then(|path| File::create(Path::new(&path)).ok());
        Trace {
            file,
            ..Trace::default()
        }
    }

    /// Tracing is on.
    pub fn is_on(&self) -> bool {
        self.file.is_some()
    }

    /// Logs `event` now.
    pub fn log(&mut self, event: &TraceEvent) {
        let Some(file) = &mut self.file else {
            return;
        };
        let wall_ns = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        if let Ok(line) = serde_json::to_string(&Stamped { wall_ns, event }) {
            let _ = writeln!(file, "{line}");
        }
    }

    /// Logs the highlight if it changed since the last frame.
    pub fn highlight(&mut self, segment: Option<usize>, clock_ms: u64, lead: Duration, speed: f64) {
        if self.is_on() && self.last_highlight != Some(segment) {
            self.last_highlight = Some(segment);
            self.log(&TraceEvent::Highlight {
                segment,
                clock_ms,
                lead_ms: lead.as_secs_f64() * 1000.0,
                speed,
            });
        }
    }

    /// Logs the rows' places if they changed since the last frame.
    pub fn rows(&mut self, rows: Vec<RowPlace>) {
        if self.is_on() && rows != self.last_rows {
            self.log(&TraceEvent::Rows { rows: &rows });
            self.last_rows = rows;
        }
    }
}
