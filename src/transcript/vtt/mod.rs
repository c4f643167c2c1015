//! WebVTT (W3C) reading and writing: the `WEBVTT` header, STYLE/REGION/NOTE
//! blocks, cue ids, timings and settings, voice spans, inline word timestamps,
//! and the real-world shapes FORMATS.md lists (YouTube headers and rolling
//! auto-captions, Zoom's `Name: text`, whisper's `highlight_words`).
//!
//! Mapping rules decided here:
//! - `header.vtt_header` is everything after `WEBVTT` on its line, then `\n`
//!   and each following header line, verbatim; `None` for a bare `WEBVTT`.
//!   STYLE/REGION/NOTE blocks before the first cue go to `header.vtt_blocks`,
//!   NOTE blocks between cues to the next cue's `extra.notes_before`, NOTE
//!   blocks after the last cue to `header.vtt_trailing_notes`.
//! - A cue with several `<v>` spans becomes one segment per span with the
//!   cue's times; later spans have `joins_previous` and are written back as
//!   further lines of the same cue.
//! - `segment.raw` is a span's payload after its voice tag (any voice tag: a
//!   `<v.loud Ana>` is written back as `<v Ana>`), trimmed, and is kept only
//!   when it differs from what the canonical writer would produce and reads
//!   back on its own as the same text and words, so canonical files parse to
//!   `raw: None`.
//! - Words: inline timestamps cut the cue text into chunks; each chunk's
//!   words (split on whitespace) start at the chunk's timestamp (the cue start
//!   for the first) and end at the next timestamp (or the cue end). The
//!   writer puts a timestamp where a new chunk starts, closes a chunk that
//!   ends early with its end time, and marks the first word when every word
//!   spans the whole cue, so the words read back unchanged.
//! - Time style: hours always (two digits) or only when non-zero, judged by
//!   the first time below one hour; hours, when written, have two digits.
//! - Rolling captions: a cue whose first line repeats the previous segment's
//!   last line loses that line when the cue overlaps the previous one, lasts
//!   at most [`ROLLING_REPEAT_MAX_MS`], or the file already showed the
//!   pattern; a cue left empty is dropped (extending the previous segment),
//!   and a trimmed cue ends an overlapping previous segment at its start.
//! - whisper `highlight_words`: cues that touch, repeat the previous text and
//!   underline a word are merged, each underlined word timed from its cue's
//!   start to the next underlined word's.
//! - Zoom: when no cue has a voice tag and at least half of the single-span
//!   cues without inline timestamps start with `Name: ` (a name of at most
//!   six words, not ending a sentence), that prefix becomes the speaker and is
//!   kept in `extra.speaker_label` for the write-back.
//! - Writing: every cue, the last included, ends with a blank line; text
//!   lines are escaped (`&amp; &lt; &gt;`, so `-->` becomes `--&gt;`) and
//!   blank ones dropped, so no text can end a cue early.
//!
//! This module never panics on input and never rejects a file that has a
//! header or at least one cue (a header alone gives no segments and a
//! "no cues" warning).

mod cue_text;

use memchr::memmem;

use super::error::ParseFailure;
use super::format::Format;
use super::markup::escape_entities;
use super::model::{Segment, Transcript, Word, word_ms};
use super::time::{Hours, TimeStyle, count_blanks, parse_timestamp, write_timestamp};
use cue_text::{Span, first_line, needs_tidying, parse_cue_text, push_tidy_lines};

/// A cue repeating the previous line that lasts at most this long is a
/// rolling auto-caption transition (YouTube writes 10 ms ones), not speech.
const ROLLING_REPEAT_MAX_MS: u64 = 50;
/// At most this many write-and-read passes settle a file whose cues collapsed.
const SETTLE_PASSES: usize = 3;

/// The longest text before `: ` taken as a Zoom speaker's name.
const MAX_SPEAKER_CHARS: usize = 48;
/// The most words a Zoom speaker's name may have.
const MAX_SPEAKER_WORDS: usize = 6;

/// One line of the input: 1-based number, byte offset and text (no `\n`).
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    start: usize,
    text: &'a str,
}

impl Line<'_> {
    fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// Lines of the input with one line of look-back (a line that ends a block
/// but starts the next one is handed back).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    no: usize,
    held: Option<Line<'a>>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text,
            pos: 0,
            no: 0,
            held: None,
        }
    }

    fn next_line(&mut self) -> Option<Line<'a>> {
        if let Some(line) = self.held.take() {
            return Some(line);
        }
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text.as_bytes()[self.pos..];
        let end = memchr::memchr(b'\n', rest).map_or(self.text.len(), |i| self.pos + i);
        self.no += 1;
        let line = Line {
            no: self.no,
            start: self.pos,
            text: &self.text[self.pos..end],
        };
        self.pos = end + 1;
        Some(line)
    }

    fn hold(&mut self, line: Line<'a>) {
        self.held = Some(line);
    }
}

/// A parsed timing line: start, end, and the settings after the end time.
struct Timing<'a> {
    start: super::time::Timestamp,
    end: super::time::Timestamp,
    settings: &'a str,
}

fn parse_timing(line: &str) -> Option<Timing<'_>> {
    let bytes = line.as_bytes();
    let start = parse_timestamp(bytes)?;
    let mut at = start.len + count_blanks(&bytes[start.len..]);
    if !line[at..].starts_with("-->") {
        return None;
    }
    at += 3;
    at += count_blanks(&bytes[at..]);
    let end = parse_timestamp(&bytes[at..])?;
    at += end.len;
    let rest = &line[at..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(Timing {
        start,
        end,
        settings: rest.trim(),
    })
}

/// `NOTE` alone or followed by a space, tab or line break.
fn is_note(line: &str) -> bool {
    line.strip_prefix("NOTE")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// `STYLE` or `REGION` alone on its line (trailing blanks allowed).
fn is_style_or_region(line: &str) -> bool {
    matches!(line.trim_end(), "STYLE" | "REGION")
}

/// What the rolling-caption and highlight collapsing have seen so far.
#[derive(Default)]
struct Collapse {
    rolling_seen: bool,
    rolling: usize,
    rolling_line: usize,
    highlights: usize,
    highlight_line: usize,
    /// The previous cue was a single span with an underlined word: that word, timed.
    last_underlined: Option<Word>,
    /// The last segment is a merged highlight group.
    group_open: bool,
}

/// A cue's timing-line details, before its text is split into segments.
struct Cue<'a> {
    line_no: usize,
    start_ms: u64,
    end_ms: u64,
    id: Option<&'a str>,
    settings: &'a str,
    /// The cue text, less any rolling repeats already removed.
    payload: &'a str,
    /// The cue text as written.
    full_payload: &'a str,
}

struct Parser<'a> {
    transcript: Transcript,
    spans: Vec<Span<'a>>,
    /// Spans of a raw payload being checked, kept to reuse the allocation.
    scratch: Vec<Span<'a>>,
    /// The canonical writing of a span being compared with its raw text.
    canonical: String,
    /// NOTE blocks waiting for the next cue, and the line of the first.
    notes: Vec<String>,
    notes_line: usize,
    collapse: Collapse,
    /// (segment index, byte length of the name) of cues starting `Name: `.
    zoom_candidates: Vec<(usize, usize)>,
    single_span_cues: usize,
}

/// Parses WebVTT. Fails only when there is neither a `WEBVTT` header nor a cue.
pub(super) fn parse(text: &str) -> Result<Transcript, ParseFailure> {
    let (mut transcript, collapsed) = parse_once(text)?;
    if collapsed
        || transcript
            .segments
            .windows(2)
            .any(|w| may_collapse(&w[0], &w[1]))
    {
        // Collapsing judges each cue by its neighbours, and what it leaves can
        // look collapsible in turn. Settle it as a save and reopen would, so
        // that writing the transcript back reads back the same segments.
        for _ in 0..SETTLE_PASSES {
            let Ok((again, _)) = parse_once(&write(&transcript)) else {
                break;
            };
            if again.segments == transcript.segments {
                break;
            }
            transcript.segments = again.segments;
            transcript.speakers = again.speakers;
        }
    }
    Ok(transcript)
}

/// Whether `segment`, written after `prev`, could be collapsed into it on
/// reading: it repeats `prev`'s last line in an overlapping or very short cue
/// (a rolling caption), or repeats its whole text right after it (a
/// highlighted-word cue).
fn may_collapse(prev: &Segment, segment: &Segment) -> bool {
    if prev.speaker.is_some() || segment.speaker.is_some() {
        return false;
    }
    let prev_last = prev.text.rsplit('\n').next().unwrap_or("");
    let rolling = !prev_last.is_empty()
        && segment.text.split('\n').next().map(str::trim) == Some(prev_last)
        && (segment.start_ms < prev.end_ms
            || segment.end_ms.saturating_sub(segment.start_ms) <= ROLLING_REPEAT_MAX_MS);
    rolling || (prev.end_ms == segment.start_ms && prev.text == segment.text)
}

/// Reads the file once; the flag says whether rolling or highlighted-word
/// cues were collapsed.
fn parse_once(text: &str) -> Result<(Transcript, bool), ParseFailure> {
    let arrow = memmem::Finder::new(b"-->");
    let has_arrow = |line: &str| arrow.find(line.as_bytes()).is_some();
    let mut parser = Parser {
        transcript: Transcript::new(Format::Vtt),
        spans: Vec::new(),
        scratch: Vec::new(),
        canonical: String::new(),
        notes: Vec::new(),
        notes_line: 0,
        collapse: Collapse::default(),
        zoom_candidates: Vec::new(),
        single_span_cues: 0,
    };
    parser
        .transcript
        .segments
        .reserve(memchr::memchr_iter(b'\n', text.as_bytes()).count() / 4 + 1);
    let mut lines = Lines::new(text);
    let mut opening = lines.next_line();
    // Blank lines before the header (detection allows them) are not content.
    while opening.is_some_and(|line| line.text.trim().is_empty()) {
        opening = lines.next_line();
    }
    let has_header = match opening {
        Some(first) if first.text.starts_with("WEBVTT") => {
            let mut header = first.text["WEBVTT".len()..].to_owned();
            while let Some(line) = lines.next_line() {
                if line.text.is_empty() {
                    break;
                }
                if has_arrow(line.text) {
                    lines.hold(line);
                    break;
                }
                header.push('\n');
                header.push_str(line.text);
            }
            if !header.is_empty() {
                parser.transcript.header.vtt_header = Some(header);
            }
            true
        }
        Some(first) => {
            parser.transcript.warn(
                first.no,
                "expected a \"WEBVTT\" header line; read as WebVTT anyway",
            );
            lines.hold(first);
            false
        }
        None => false,
    };
    let mut first_broken: Option<usize> = None;
    let mut seen_cue = false;
    let mut style_known = false;
    // Collects the lines of a block up to a blank line (or a line with `-->`,
    // which is handed back): the block's text as one slice.
    let block_end = |lines: &mut Lines<'_>, from: Line<'_>| -> usize {
        let mut end = from.end();
        while let Some(line) = lines.next_line() {
            if line.text.is_empty() {
                break;
            }
            if has_arrow(line.text) {
                lines.hold(line);
                break;
            }
            end = line.end();
        }
        end
    };
    while let Some(first) = lines.next_line() {
        if first.text.trim().is_empty() {
            continue;
        }
        let timing_first = has_arrow(first.text);
        if !timing_first && is_note(first.text) {
            let end = block_end(&mut lines, first);
            let block = text[first.start..end].to_owned();
            if seen_cue {
                if parser.notes.is_empty() {
                    parser.notes_line = first.no;
                }
                parser.notes.push(block);
            } else {
                parser.transcript.header.vtt_blocks.push(block);
            }
            continue;
        }
        if !timing_first && !seen_cue && is_style_or_region(first.text) {
            let end = block_end(&mut lines, first);
            let block = text[first.start..end].to_owned();
            parser.transcript.header.vtt_blocks.push(block);
            continue;
        }
        let (id, timing_line) = if timing_first {
            (None, first)
        } else {
            match lines.next_line() {
                Some(next) if has_arrow(next.text) => (Some(first.text), next),
                next => {
                    if let Some(next) = next.filter(|l| !l.text.is_empty()) {
                        block_end(&mut lines, next);
                    }
                    first_broken.get_or_insert(first.no);
                    parser.transcript.warn(
                        first.no,
                        "skipped a block that is not a cue: expected a timing line like \"00:00:01.000 --> 00:00:02.000\"",
                    );
                    continue;
                }
            }
        };
        let payload_from = timing_line.end() + 1;
        let payload_to = block_end(&mut lines, timing_line);
        let payload = text.get(payload_from..payload_to).unwrap_or("");
        let Some(timing) = parse_timing(timing_line.text) else {
            first_broken.get_or_insert(timing_line.no);
            parser.transcript.warn(
                timing_line.no,
                "skipped a cue: expected a timing like \"00:00:01.000 --> 00:00:02.000\"",
            );
            continue;
        };
        seen_cue = true;
        if !style_known {
            // Hours are written whenever a time reaches one hour, so only a
            // time below one hour tells whether the file always writes them.
            if let Some(ts) = [timing.start, timing.end]
                .into_iter()
                .find(|ts| ts.ms < 3_600_000)
            {
                parser.transcript.time_style = vtt_style(ts.style());
                style_known = true;
            }
        }
        parser.cue(Cue {
            line_no: timing_line.no,
            start_ms: timing.start.ms,
            end_ms: timing.end.ms,
            id,
            settings: timing.settings,
            payload,
            full_payload: payload,
        });
    }
    let collapsed = parser.collapse.rolling > 0 || parser.collapse.highlights > 0;
    let mut transcript = parser.finish();
    if transcript.segments.is_empty() {
        if !has_header {
            return Err(ParseFailure::new(
                first_broken.unwrap_or(1),
                "expected a \"WEBVTT\" header or a cue timing like \"00:00:01.000 --> 00:00:02.000\"",
            ));
        }
        transcript.warn(1, "no cues");
    }
    Ok((transcript, collapsed))
}

impl<'a> Parser<'a> {
    /// Splits one cue into segments, collapsing rolling and highlight repeats.
    fn cue(&mut self, mut cue: Cue<'a>) {
        let mut removed = self.strip_plain_repeats(&mut cue);
        let mut spans = std::mem::take(&mut self.spans);
        parse_cue_text(cue.payload, cue.start_ms, cue.end_ms, &mut spans);
        let single = spans.len() == 1 && spans[0].voice.is_none();
        if removed && !single {
            // The rest is not a plain rolling line: keep the cue whole.
            cue.payload = cue.full_payload;
            removed = false;
            parse_cue_text(cue.payload, cue.start_ms, cue.end_ms, &mut spans);
        }
        let single = spans.len() == 1 && spans[0].voice.is_none();
        if single {
            if !removed && self.merge_highlight(&cue, &spans[0]) {
                self.spans = spans;
                return;
            }
            if self.collapse_rolling(&cue, &mut spans, removed) {
                self.spans = spans;
                return;
            }
        }
        self.collapse.group_open = false;
        self.collapse.last_underlined = None;
        if single {
            self.single_span_cues += 1;
            if let Some(word) = spans[0].underlined.take() {
                self.collapse.last_underlined = Some(Word {
                    text: word.into(),
                    start_ms: word_ms(cue.start_ms),
                    end_ms: word_ms(cue.end_ms),
                    confidence: None,
                });
            }
        }
        let mut notes = std::mem::take(&mut self.notes);
        let span_count = spans.len();
        // Mirror the writer's clock so `raw` is kept exactly when the
        // canonical writing of this span would differ from it.
        let mut chunk_start_ms = cue.start_ms;
        let mut mark_first = needs_marker(
            spans.iter().map(|s| s.words.as_slice()),
            cue.start_ms,
            cue.end_ms,
        );
        for i in 0..span_count {
            let last = spans[i].words.last().map(|w| (w.start_ms, w.end_ms));
            let may_close = spans[i + 1..]
                .iter()
                .find_map(|s| s.words.first())
                .is_none_or(|first| Some((first.start_ms, first.end_ms)) != last);
            let mut span = std::mem::take(&mut spans[i]);
            // The text was sized for the whole payload (tags and inline
            // times included): give the spare capacity back, it adds up.
            span.text.shrink_to_fit();
            span.words.shrink_to_fit();
            let speaker = span
                .voice
                .as_deref()
                .and_then(|v| self.transcript.intern_speaker(v));
            let mut segment = Segment {
                start_ms: cue.start_ms,
                end_ms: cue.end_ms,
                speaker,
                text: span.text,
                words: span.words,
                ..Segment::default()
            };
            let mut clock_start_ms = chunk_start_ms;
            let mut clock_mark = mark_first;
            let canonical = is_canonical(
                span.raw,
                &segment,
                WordClock {
                    chunk_start_ms: &mut clock_start_ms,
                    may_close,
                    mark_first: &mut clock_mark,
                },
                &mut self.canonical,
            );
            // A lone span without a voice tag is the whole payload: it reads
            // the same on its own, so only other spans need the check.
            let rewritable = |scratch: &mut Vec<Span<'a>>| {
                if single {
                    !has_unterminated_tag(span.raw)
                } else {
                    raw_still_matches(span.raw, &segment, scratch)
                }
            };
            if !canonical && rewritable(&mut self.scratch) {
                segment.raw = Some(span.raw.to_owned());
                after_raw(&segment, &mut chunk_start_ms, &mut mark_first);
            } else {
                chunk_start_ms = clock_start_ms;
                mark_first = clock_mark;
            }
            if i == 0 {
                let has_details = cue.id.is_some() || !cue.settings.is_empty() || !notes.is_empty();
                if has_details {
                    let extra = segment.extra_mut();
                    extra.cue_id = cue.id.map(str::to_owned);
                    extra.settings = (!cue.settings.is_empty()).then(|| cue.settings.to_owned());
                    extra.notes_before = std::mem::take(&mut notes);
                }
            } else {
                segment.extra_mut().joins_previous = true;
            }
            if span_count == 1
                && segment.speaker.is_none()
                && segment.words.is_empty()
                && let Some(name_len) = zoom_name_len(&segment.text)
                // Written plainly, not with markup or a `&#58;` guard.
                && span.raw.starts_with(&segment.text[..name_len + 2])
            {
                self.zoom_candidates
                    .push((self.transcript.segments.len(), name_len));
            }
            self.transcript.push(segment, cue.line_no);
        }
        spans.clear();
        self.spans = spans;
    }

    /// Merges a whisper `highlight_words` cue into the previous segment.
    fn merge_highlight(&mut self, cue: &Cue<'_>, span: &Span<'_>) -> bool {
        let collapse = &mut self.collapse;
        let Some(prev) = self.transcript.segments.last_mut() else {
            return false;
        };
        let repeats = prev.end_ms == cue.start_ms
            && prev.speaker.is_none()
            && prev.text == span.text
            && !prev.text.is_empty()
            && (span.underlined.is_some()
                || collapse.group_open
                || collapse.last_underlined.is_some());
        if !repeats {
            return false;
        }
        if !collapse.group_open {
            prev.raw = None;
            prev.words.clear();
            prev.words.extend(collapse.last_underlined.take());
            collapse.group_open = true;
        }
        prev.end_ms = cue.end_ms;
        if let Some(word) = span.underlined.as_deref().filter(|w| !w.is_empty()) {
            if let Some(last) = prev.words.last_mut() {
                last.end_ms = word_ms(cue.start_ms);
            }
            prev.words.push(Word {
                text: word.into(),
                start_ms: word_ms(cue.start_ms),
                end_ms: word_ms(cue.end_ms),
                confidence: None,
            });
        }
        if collapse.highlights == 0 {
            collapse.highlight_line = cue.line_no;
        }
        collapse.highlights += 1;
        true
    }

    /// Whether the cue may be a rolling auto-caption repeating `prev`.
    fn rolling_candidate(collapse: &Collapse, prev: &Segment, cue: &Cue<'_>) -> bool {
        prev.speaker.is_none()
            && cue.start_ms >= prev.start_ms
            && (collapse.rolling_seen
                || cue.start_ms < prev.end_ms
                || cue.end_ms.saturating_sub(cue.start_ms) <= ROLLING_REPEAT_MAX_MS)
    }

    /// Removes leading markup-free lines that repeat the previous segment's
    /// last line before the cue is parsed (the common YouTube case, done
    /// without parsing the cue twice); true when some were removed.
    fn strip_plain_repeats(&mut self, cue: &mut Cue<'a>) -> bool {
        let Some(prev) = self.transcript.segments.last() else {
            return false;
        };
        let prev_last = prev.text.rsplit('\n').next().unwrap_or("");
        if prev_last.is_empty() || !Self::rolling_candidate(&self.collapse, prev, cue) {
            return false;
        }
        let mut removed = false;
        while let Some((line, next)) = first_line(cue.payload) {
            let line = &cue.payload[line];
            if line.contains(['<', '&']) || line.trim() != prev_last {
                break;
            }
            cue.payload = &cue.payload[next..];
            removed = true;
        }
        removed
    }

    /// Drops or trims a rolling auto-caption cue (`removed`: lines were
    /// already taken off its payload); true when it was dropped.
    fn collapse_rolling(
        &mut self,
        cue: &Cue<'a>,
        spans: &mut Vec<Span<'a>>,
        removed: bool,
    ) -> bool {
        let collapse = &mut self.collapse;
        let Some(prev) = self.transcript.segments.last_mut() else {
            return false;
        };
        let prev_last = prev.text.rsplit('\n').next().unwrap_or("");
        let repeats = |spans: &[Span<'_>]| {
            spans[0].text.split('\n').next() == Some(prev_last) && !prev_last.is_empty()
        };
        let repeats_now = repeats(spans) && Self::rolling_candidate(collapse, prev, cue);
        if !(removed || repeats_now) {
            return false;
        }
        let note_collapsed = |collapse: &mut Collapse| {
            if collapse.rolling == 0 {
                collapse.rolling_line = cue.line_no;
            }
            collapse.rolling += 1;
            collapse.rolling_seen = true;
        };
        let pure_repeat = |prev: &mut Segment, collapse: &mut Collapse| {
            note_collapsed(collapse);
            let old_end_ms = prev.end_ms;
            prev.end_ms = prev.end_ms.max(cue.end_ms);
            for word in &mut prev.words {
                if word.end_ms.map(u64::from) == Some(old_end_ms) {
                    word.end_ms = word_ms(prev.end_ms);
                }
            }
            settle_raw(prev);
            true
        };
        if removed && spans[0].text.is_empty() {
            return pure_repeat(prev, collapse);
        }
        // Drop repeated leading lines while the rest still reads the same.
        let mut payload = cue.payload;
        while repeats(spans) {
            let Some(line_end) = spans[0].text.find('\n') else {
                return pure_repeat(prev, collapse);
            };
            let Some((_, rest_from)) = first_line(payload) else {
                break;
            };
            let shorter = &payload[rest_from..];
            let old_text = std::mem::take(&mut spans[0].text);
            let rest = old_text.get(line_end + 1..).unwrap_or("");
            parse_cue_text(shorter, cue.start_ms, cue.end_ms, spans);
            if spans.len() != 1 || spans[0].voice.is_some() || spans[0].text != rest {
                parse_cue_text(payload, cue.start_ms, cue.end_ms, spans);
                break;
            }
            payload = shorter;
        }
        if !removed && payload.len() == cue.payload.len() {
            // Nothing could be removed after all.
            return false;
        }
        note_collapsed(collapse);
        if cue.start_ms < prev.end_ms {
            prev.end_ms = cue.start_ms;
            for word in &mut prev.words {
                word.end_ms = word
                    .end_ms
                    .map(|end| end.min(word_ms(cue.start_ms).unwrap_or(u32::MAX)));
            }
            settle_raw(prev);
        }
        false
    }

    /// Applies the Zoom speaker rule, adds the collapse warnings, and hands the transcript over.
    fn finish(mut self) -> Transcript {
        let transcript = &mut self.transcript;
        let candidates = std::mem::take(&mut self.zoom_candidates);
        if transcript.speakers.is_empty()
            && !candidates.is_empty()
            && candidates.len() * 2 >= self.single_span_cues
        {
            for (index, name_len) in candidates {
                let Some(text) = transcript.segments.get(index).map(|s| s.text.as_str()) else {
                    continue;
                };
                // All white space after the colon belongs to the label, so
                // the text starts where a writer's trimmed line would.
                let after = &text[name_len + 2..];
                let label_len = name_len + 2 + after.len() - after.trim_start().len();
                let label = text[..label_len].to_owned();
                let raw = transcript.segments[index].raw.as_deref();
                if raw.is_some_and(|raw| !raw.starts_with(label.as_str())) {
                    // Markup inside the name: not a plain `Name: ` label.
                    continue;
                }
                let speaker = transcript.intern_speaker(&label[..name_len]);
                let Some(segment) = transcript.segments.get_mut(index) else {
                    continue;
                };
                segment.text.drain(..label_len);
                segment.speaker = speaker;
                if let Some(raw) = segment.raw.take() {
                    segment.raw = raw
                        .strip_prefix(label.as_str())
                        .map(str::trim_start)
                        .filter(|rest| {
                            let clock = WordClock {
                                chunk_start_ms: &mut segment.start_ms.clone(),
                                may_close: true,
                                mark_first: &mut false,
                            };
                            !is_canonical(rest, segment, clock, &mut String::new())
                        })
                        .map(str::to_owned);
                }
                segment.extra_mut().speaker_label = Some(label);
            }
        }
        let collapse = &self.collapse;
        if collapse.rolling > 0 {
            transcript.warn(
                collapse.rolling_line,
                format!(
                    "collapsed {} rolling auto-caption cues that repeated the previous line",
                    collapse.rolling
                ),
            );
        }
        if collapse.highlights > 0 {
            transcript.warn(
                collapse.highlight_line,
                format!(
                    "collapsed {} highlighted-word cues into the sentences they repeat",
                    collapse.highlights
                ),
            );
        }
        if collapse.rolling > 0 || collapse.highlights > 0 {
            transcript.warnings.sort_by_key(|w| w.line);
        }
        transcript.header.vtt_trailing_notes = std::mem::take(&mut self.notes);
        self.transcript
    }
}

/// Drops a segment's raw markup once its times changed under it (collapsing)
/// and the markup no longer reproduces them, or now equals the canonical text.
fn settle_raw(segment: &mut Segment) {
    let Some(raw) = segment.raw.take() else {
        return;
    };
    let mut mark_first = needs_marker(
        std::iter::once(segment.words.as_slice()),
        segment.start_ms,
        segment.end_ms,
    );
    let clock = WordClock {
        chunk_start_ms: &mut segment.start_ms.clone(),
        may_close: true,
        mark_first: &mut mark_first,
    };
    let keep = !is_canonical(&raw, segment, clock, &mut String::new())
        && raw_still_matches(&raw, segment, &mut Vec::new());
    if keep {
        segment.raw = Some(raw);
    }
}

/// The byte length of a Zoom-style `Name: ` prefix's name on the first line.
fn zoom_name_len(text: &str) -> Option<usize> {
    let first = text.split('\n').next().unwrap_or("");
    let colon = memmem::find(first.as_bytes(), b": ")?;
    let name = &first[..colon];
    let ends_sentence = name.ends_with(['.', '?', '!']);
    let plausible = !name.is_empty()
        && !ends_sentence
        && name.chars().count() <= MAX_SPEAKER_CHARS
        && name.split_whitespace().count() <= MAX_SPEAKER_WORDS
        && !name.starts_with(char::is_whitespace)
        && !name.contains("://")
        && !name.contains(['<', '>', '&'])
        && !name.bytes().all(|b| b.is_ascii_digit());
    plausible.then_some(colon)
}

/// The VTT shape of a source style: `.` and milliseconds, and hours either
/// always (two digits) or only when non-zero.
fn vtt_style(style: TimeStyle) -> TimeStyle {
    TimeStyle {
        hours: match style.hours {
            Hours::Always(_) => Hours::Always(2),
            // VTT has no minutes past 59: hours are written when needed.
            Hours::WhenNonZero | Hours::Never => Hours::WhenNonZero,
        },
        minute_digits: 2,
        frac_sep: b'.',
        frac_digits: 3,
    }
}

/// Writes a VTT timestamp; hours, when written, always have two digits.
fn write_time(out: &mut String, ms: u64, style: TimeStyle) {
    let style = if ms >= 3_600_000 {
        TimeStyle {
            hours: Hours::Always(2),
            ..style
        }
    } else {
        style
    };
    write_timestamp(out, ms, style);
}

/// Writes WebVTT: canonical (`WEBVTT`, then `start --> end` and `<v Name>text`
/// per cue) unless the transcript came from WebVTT, whose header, blocks,
/// notes, ids, settings, hour style and markup are then kept.
pub(super) fn write(transcript: &Transcript) -> String {
    let own = transcript.format == Format::Vtt;
    let style = vtt_style(if own {
        transcript.time_style
    } else {
        Format::Vtt.default_time_style()
    });
    let mut out = String::with_capacity(transcript.segments.len() * 96 + 16);
    out.push_str("WEBVTT");
    if own
        && let Some(header) = transcript.header.vtt_header.as_deref()
        && !header.contains("\n\n")
        && !header.contains("-->")
    {
        out.push_str(header.trim_end_matches('\n'));
    }
    out.push_str("\n\n");
    if own {
        for block in &transcript.header.vtt_blocks {
            push_block(&mut out, block);
        }
    }
    let mut spans = Vec::new();
    let segments = &transcript.segments;
    let mut i = 0;
    while i < segments.len() {
        let segment = &segments[i];
        let extra = segment.extra.as_deref().filter(|_| own);
        if let Some(extra) = extra {
            for note in &extra.notes_before {
                push_block(&mut out, note);
            }
            if let Some(id) = extra.cue_id.as_deref().filter(|id| is_valid_id(id)) {
                out.push_str(id);
                out.push('\n');
            }
        }
        write_time(&mut out, segment.start_ms, style);
        out.push_str(" --> ");
        write_time(&mut out, segment.end_ms, style);
        if let Some(settings) = extra
            .and_then(|e| e.settings.as_deref())
            .filter(|s| !s.contains('\n'))
        {
            out.push(' ');
            out.push_str(settings);
        }
        out.push('\n');
        let before = out.len();
        // Inline timestamps run on across the voice spans of one cue.
        let mut chunk_start_ms = segment.start_ms;
        let joins = |next: usize| {
            own && segments.get(next).is_some_and(|s| {
                s.extra.as_deref().is_some_and(|e| e.joins_previous)
                    && s.start_ms == segment.start_ms
                    && s.end_ms == segment.end_ms
            })
        };
        let cue_len = 1 + (i + 1..segments.len()).take_while(|&j| joins(j)).count();
        let mut mark_first = needs_marker(
            segments[i..i + cue_len].iter().map(|s| s.words.as_slice()),
            segment.start_ms,
            segment.end_ms,
        );
        // The next span of this cue that has timed words.
        let next_timed = |from: usize| {
            (from + 1..segments.len())
                .take_while(|&j| joins(j))
                .map(|j| &segments[j])
                .find(|s| !s.words.is_empty())
        };
        write_span(
            &mut out,
            transcript,
            segment,
            own,
            WordClock {
                chunk_start_ms: &mut chunk_start_ms,
                may_close: closes_its_words(segment, next_timed(i)),
                mark_first: &mut mark_first,
            },
            &mut spans,
        );
        i += 1;
        while joins(i) {
            let line_start = out.len();
            if out.len() > before {
                out.push('\n');
            }
            write_span(
                &mut out,
                transcript,
                &segments[i],
                own,
                WordClock {
                    chunk_start_ms: &mut chunk_start_ms,
                    may_close: closes_its_words(&segments[i], next_timed(i)),
                    mark_first: &mut mark_first,
                },
                &mut spans,
            );
            if out.len() == line_start + 1 {
                out.pop();
            }
            i += 1;
        }
        if out.len() > before {
            out.push('\n');
        }
        out.push('\n');
    }
    if own {
        for note in &transcript.header.vtt_trailing_notes {
            push_block(&mut out, note);
        }
    }
    out
}

/// Where inline timestamps stand while the voice spans of one cue are written.
struct WordClock<'t> {
    /// The time the text written so far in this cue already has.
    chunk_start_ms: &'t mut u64,
    /// The segment's last words may end with a closing timestamp (they do not
    /// run on into the next span of the cue).
    may_close: bool,
    /// The cue's first word needs a timestamp of its own, because no other
    /// timestamp would show that the cue's text is timed word by word.
    mark_first: &'t mut bool,
}

/// Whether a cue whose spans have these words needs a timestamp before its
/// first word: it has words, and all of them span the whole cue.
fn needs_marker<'w>(
    mut words: impl Iterator<Item = &'w [Word]>,
    start_ms: u64,
    end_ms: u64,
) -> bool {
    let mut any = false;
    let all_whole = words.all(|words| {
        any |= !words.is_empty();
        words.iter().all(|w| {
            (w.start_ms.map(u64::from), w.end_ms.map(u64::from)) == (Some(start_ms), Some(end_ms))
        })
    });
    any && all_whole
}

/// The writer's clock after a segment written from its raw markup.
fn after_raw(segment: &Segment, chunk_start_ms: &mut u64, mark_first: &mut bool) {
    if let Some(last) = segment.words.last() {
        *mark_first = false;
        if let Some(start_ms) = last.start_ms {
            *chunk_start_ms = u64::from(start_ms);
        }
    }
}

/// Whether a segment's last timed words end in this segment rather than run
/// on into `next`, the following voice span of the same cue that has words.
fn closes_its_words(segment: &Segment, next: Option<&Segment>) -> bool {
    let last = segment.words.last().map(|w| (w.start_ms, w.end_ms));
    next.and_then(|n| n.words.first())
        .is_none_or(|first| Some((first.start_ms, first.end_ms)) != last)
}

/// A NOTE/STYLE/REGION block followed by a blank line, unless it would break the file.
fn push_block(out: &mut String, block: &str) {
    let block = block.trim_end_matches('\n');
    if block.is_empty() || block.contains("\n\n") || block.contains("-->") {
        return;
    }
    out.push_str(block);
    out.push_str("\n\n");
}

/// A cue id must be one non-empty line without `-->`.
fn is_valid_id(id: &str) -> bool {
    !id.trim().is_empty() && !id.contains('\n') && !id.contains("-->")
}

/// Writes one segment's cue text: its voice (tag or Zoom label), then its raw
/// markup when still valid, else its words with inline timestamps, else its text.
fn write_span<'s>(
    out: &mut String,
    transcript: &Transcript,
    segment: &'s Segment,
    own: bool,
    timing: WordClock<'_>,
    spans: &mut Vec<Span<'s>>,
) {
    let name = transcript.speaker_name(segment.speaker);
    let extra = segment.extra.as_deref().filter(|_| own);
    let label = extra
        .and_then(|e| e.speaker_label.as_deref())
        .filter(|label| !name.is_empty() && label.trim_end().strip_suffix(':') == Some(name));
    if let Some(label) = label {
        out.push_str(label);
    } else if !name.is_empty() {
        out.push_str("<v ");
        // A line break in a name could leave a blank line in the cue.
        let escaped = escape_entities(&name.replace('\n', " ")).into_owned();
        match escaped.strip_suffix('-').filter(|rest| rest.ends_with('-')) {
            // `--` before the tag's `>` would read as a timing arrow.
            Some(rest) => {
                out.push_str(rest);
                out.push_str("&#45;");
            }
            None => out.push_str(&escaped),
        }
        out.push('>');
    }
    if own
        && let Some(raw) = segment.raw.as_deref()
        && raw_still_matches(raw, segment, spans)
    {
        out.push_str(raw);
        after_raw(segment, timing.chunk_start_ms, timing.mark_first);
        return;
    }
    if !write_timed_words(out, segment, timing) {
        write_text(out, segment);
    }
}

/// Writes the segment's display text as cue text: escaped, blank lines
/// dropped, and a speakerless `Name: ` start guarded (see [`guard_zoom_label`]).
fn write_text(out: &mut String, segment: &Segment) {
    let from = out.len();
    write_lines(out, &segment.text);
    if segment.speaker.is_none() {
        guard_zoom_label(out, from);
    }
}

/// Text without a speaker that starts like Zoom's `Name: ` would read back as
/// a speaker label: its colon is written as a character reference instead.
fn guard_zoom_label(out: &mut String, from: usize) {
    if let Some(name_len) = zoom_name_len(&out[from..]) {
        let colon = from + name_len;
        out.replace_range(colon..colon + 1, "&#58;");
    }
}

/// Whether `raw` still reads as the segment's text and words.
fn raw_still_matches<'s>(raw: &'s str, segment: &Segment, spans: &mut Vec<Span<'s>>) -> bool {
    if raw.contains("\n\n") || raw.contains("-->") || has_unterminated_tag(raw) {
        return false;
    }
    parse_cue_text(raw, segment.start_ms, segment.end_ms, spans);
    let matches = spans.len() == 1
        && spans[0].voice.is_none()
        && spans[0].text == segment.text
        && spans[0].words == segment.words;
    spans.clear();
    matches
}

/// Whether `raw` ends inside a tag (`</en` with no `>`): written before another
/// voice span, that tag would swallow the span's voice tag.
fn has_unterminated_tag(raw: &str) -> bool {
    if memchr::memchr(b'<', raw.as_bytes()).is_none() {
        return false;
    }
    let after_last_close = raw.rfind('>').map_or(raw, |gt| &raw[gt + 1..]);
    after_last_close.match_indices('<').any(|(lt, _)| {
        after_last_close[lt + 1..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/')
    })
}

/// Whether `raw` is exactly what the canonical writer puts after the voice
/// tag for this segment; `buffer` is scratch space for timed words.
fn is_canonical(raw: &str, segment: &Segment, clock: WordClock<'_>, buffer: &mut String) -> bool {
    buffer.clear();
    if !segment.words.is_empty() && write_timed_words(buffer, segment, clock) {
        return raw == buffer.as_str();
    }
    let guarded = segment.speaker.is_none() && zoom_name_len(&segment.text).is_some();
    if guarded || needs_tidying(&segment.text) {
        write_text(buffer, segment);
        return raw == buffer.as_str();
    }
    // The common case, compared without copying.
    raw == escape_entities(&segment.text)
}

/// Text lines escaped, blank ones dropped (they would end the cue).
fn write_lines(out: &mut String, text: &str) {
    let escaped = escape_entities(text);
    if !escaped.contains('\n') {
        out.push_str(escaped.trim());
        return;
    }
    push_tidy_lines(out, &escaped);
}

/// Writes the text with `<HH:MM:SS.mmm>` before each timed word that starts a
/// new time (`chunk_start_ms`: the time the text before it already has);
/// false (nothing written) when the words do not spell the text.
fn write_timed_words(out: &mut String, segment: &Segment, timing: WordClock<'_>) -> bool {
    let chunk_start_ms = timing.chunk_start_ms;
    let text = segment.text.as_str();
    if segment.words.is_empty()
        || text.split('\n').any(|line| line.trim().is_empty())
        || text.starts_with(char::is_whitespace)
    {
        return false;
    }
    let mut at = 0;
    for word in &segment.words {
        let fits = word.start_ms.is_some()
            && !word.text.is_empty()
            && !word.text.contains(char::is_whitespace)
            && text
                .get(at..)
                .is_some_and(|rest| rest.trim_start().starts_with(&*word.text));
        if !fits {
            return false;
        }
        at = text.len() - text[at..].trim_start().len() + word.text.len();
    }
    if !text[at..].trim().is_empty() {
        return false;
    }
    let style = TimeStyle {
        hours: Hours::Always(2),
        ..TimeStyle::default()
    };
    let mut at = 0;
    let mut previous: Option<&Word> = None;
    for word in &segment.words {
        let word_at = text.len() - text[at..].trim_start().len();
        out.push_str(&text[at..word_at]);
        let start_ms = word.start_ms.map_or(*chunk_start_ms, u64::from);
        let marked = std::mem::take(timing.mark_first);
        // Words of one chunk share start and end; a new pair starts a new
        // chunk, and so does a word glued to the previous one (`beau<t>ti`).
        let glued = previous.is_some() && word_at == at;
        let new_chunk = glued
            || previous.is_some_and(|p| (p.start_ms, p.end_ms) != (word.start_ms, word.end_ms));
        if new_chunk
            && let Some(end_ms) = previous.and_then(|p| p.end_ms).map(u64::from)
            && end_ms != start_ms
        {
            // A pause between the chunks: close the previous one first.
            out.push('<');
            write_timestamp(out, end_ms, style);
            out.push('>');
        }
        previous = Some(word);
        if start_ms != *chunk_start_ms || new_chunk || marked {
            out.push('<');
            write_timestamp(out, start_ms, style);
            out.push('>');
            *chunk_start_ms = start_ms;
        }
        out.push_str(&escape_entities(&word.text));
        at = word_at + word.text.len();
    }
    // The last words end before the cue does: a closing timestamp says so.
    if let Some(end_ms) = segment.words.last().and_then(|w| w.end_ms).map(u64::from)
        && end_ms != segment.end_ms
        && timing.may_close
    {
        out.push('<');
        write_timestamp(out, end_ms, style);
        out.push('>');
        *chunk_start_ms = end_ms;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Transcript {
        parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn texts(t: &Transcript) -> Vec<(u64, u64, &str, &str)> {
        t.segments
            .iter()
            .map(|s| {
                (
                    s.start_ms,
                    s.end_ms,
                    t.speaker_name(s.speaker),
                    s.text.as_str(),
                )
            })
            .collect()
    }

    fn warning_lines(t: &Transcript) -> Vec<usize> {
        t.warnings.iter().map(|w| w.line).collect()
    }

    #[test]
    fn canonical_files_write_back_byte_identical() {
        for text in [
            "WEBVTT\n\n",
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>a &amp; b &lt;3\n\n00:00:02.000 --> 00:00:03.500\nplain\ntwo lines\n\n",
            "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ana>so <00:00:02.000>here we <00:00:03.000>go\n\n",
            "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ana>one\n<v Bo>two\n\n",
        ] {
            let t = parsed(text);
            assert_eq!(write(&t), text);
            assert_eq!(parsed(&write(&t)), t);
        }
    }

    #[test]
    fn canonical_segments_carry_no_raw() {
        let t = parsed("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>a &amp; b\n\n");
        assert_eq!(t.segments[0].raw, None);
        assert_eq!(t.segments[0].text, "a & b");
        assert_eq!(t.time_style.hours, Hours::WhenNonZero);
    }

    #[test]
    fn own_details_are_kept() {
        let text = "WEBVTT - Title\nKind: captions\n\nSTYLE\n::cue { color: red }\n\nNOTE made by hand\n\nintro\n00:01.000 --> 00:02.000 align:start position:0%\n<i>hi</i> <c.yellow>there</c>\n\nNOTE between\ncues\n\n2\n00:02.000 --> 1:00:00.000\n<v.loud Bo>yo</v>\n\n";
        let t = parsed(text);
        assert_eq!(
            t.header.vtt_header.as_deref(),
            Some(" - Title\nKind: captions")
        );
        assert_eq!(
            t.header.vtt_blocks,
            ["STYLE\n::cue { color: red }", "NOTE made by hand"]
        );
        let first = t.segments[0].extra.as_deref().expect("extra");
        assert_eq!(first.cue_id.as_deref(), Some("intro"));
        assert_eq!(first.settings.as_deref(), Some("align:start position:0%"));
        assert_eq!(
            t.segments[0].raw.as_deref(),
            Some("<i>hi</i> <c.yellow>there</c>")
        );
        let second = t.segments[1].extra.as_deref().expect("extra");
        assert_eq!(second.notes_before, ["NOTE between\ncues"]);
        assert_eq!(texts(&t)[1], (2_000, 3_600_000, "Bo", "yo"));
        let expected = text
            .replace("1:00:00.000", "01:00:00.000")
            .replace("<v.loud Bo>", "<v Bo>");
        assert_eq!(write(&t), expected);
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    }

    #[test]
    fn edited_text_drops_stale_markup_and_other_sources_write_canonically() {
        let text = "WEBVTT\n\n1\n00:01.000 --> 00:02.000 line:0\n<i>hi</i> --&gt;\n\n";
        let mut t = parsed(text);
        assert_eq!(t.segments[0].text, "hi -->");
        assert_eq!(write(&t), text);
        t.segments[0].text = "bye\n\n--> x".to_owned();
        assert_eq!(
            write(&t),
            "WEBVTT\n\n1\n00:01.000 --> 00:02.000 line:0\nbye\n--&gt; x\n\n"
        );
        t.format = Format::Srt;
        assert_eq!(
            write(&t),
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nbye\n--&gt; x\n\n"
        );
    }

    #[test]
    fn youtube_rolling_captions_collapse() {
        let text = "WEBVTT\nKind: captions\nLanguage: en\n\n00:00:00.030 --> 00:00:02.550 align:start position:0%\n \nhey<00:00:00.480><c> guys</c>\n\n00:00:02.550 --> 00:00:02.560 align:start position:0%\nhey guys\n \n\n00:00:02.560 --> 00:00:05.110 align:start position:0%\nhey guys\nwelcome<00:00:03.000><c> back</c>\n\n00:00:05.110 --> 00:00:05.120 align:start position:0%\nwelcome back\n \n\n";
        let t = parsed(text);
        assert_eq!(
            texts(&t),
            [
                (30, 2_560, "", "hey guys"),
                (2_560, 5_120, "", "welcome back")
            ]
        );
        let words: Vec<_> = t.segments[1]
            .words
            .iter()
            .map(|w| (&*w.text, w.start_ms, w.end_ms))
            .collect();
        assert_eq!(
            words,
            [
                ("welcome", Some(2_560), Some(3_000)),
                ("back", Some(3_000), Some(5_120))
            ]
        );
        assert_eq!(warning_lines(&t), [9]);
        assert!(t.warnings[0].message.contains("collapsed 3 "));
        let again = parsed(&write(&t));
        assert_eq!(texts(&again), texts(&t));
    }

    #[test]
    fn ordinary_repeated_lines_are_not_collapsed() {
        let t = parsed(
            "WEBVTT\n\n00:01.000 --> 00:02.000\nYeah.\n\n00:02.000 --> 00:03.000\nYeah.\n\n00:03.000 --> 00:04.000\nYeah.\nSure.\n\n",
        );
        assert_eq!(t.segments.len(), 3);
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn whisper_highlight_words_collapse() {
        let text = "WEBVTT\n\n00:00:00.000 --> 00:00:00.500\n<u>Hello</u> big world.\n\n00:00:00.500 --> 00:00:00.700\nHello big world.\n\n00:00:00.700 --> 00:00:01.000\nHello <u>big</u> world.\n\n00:00:01.000 --> 00:00:01.800\nHello big <u>world.</u>\n\n";
        let t = parsed(text);
        assert_eq!(texts(&t), [(0, 1_800, "", "Hello big world.")]);
        assert_eq!(t.segments[0].raw, None);
        let words: Vec<_> = t.segments[0]
            .words
            .iter()
            .map(|w| (&*w.text, w.start_ms, w.end_ms))
            .collect();
        assert_eq!(
            words,
            [
                ("Hello", Some(0), Some(700)),
                ("big", Some(700), Some(1_000)),
                ("world.", Some(1_000), Some(1_800))
            ]
        );
        assert_eq!(warning_lines(&t), [6]);
        let written = write(&t);
        assert_eq!(
            written,
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.800\nHello <00:00:00.700>big <00:00:01.000>world.\n\n"
        );
        assert_eq!(parsed(&written).segments[0].words, t.segments[0].words);
    }

    #[test]
    fn zoom_names_become_speakers() {
        let text = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAna Li: Hello: all.\n\n2\n00:00:02.000 --> 00:00:03.000\nBo: hi\n\n";
        let t = parsed(text);
        assert_eq!(
            texts(&t),
            [
                (1_000, 2_000, "Ana Li", "Hello: all."),
                (2_000, 3_000, "Bo", "hi")
            ]
        );
        assert_eq!(write(&t), text);
        let mut t = t;
        t.format = Format::Range;
        assert!(write(&t).contains("\n<v Ana Li>Hello: all.\n"));
    }

    #[test]
    fn broken_cues_are_skipped_with_their_line() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\none\n\njunk block\nmore\n\n00:0x.000 --> 00:03.000\nlost\n\n00:03.000 --> 00:04.000\ntwo\n\n00:05.000 --> 00:0";
        let t = parsed(text);
        assert_eq!(
            texts(&t),
            [(1_000, 2_000, "", "one"), (3_000, 4_000, "", "two")]
        );
        assert_eq!(warning_lines(&t), [6, 9, 15]);
    }

    #[test]
    fn header_only_and_headerless_files() {
        let t = parsed("WEBVTT\n\nNOTE nothing yet\n");
        assert!(t.segments.is_empty());
        assert_eq!(t.warnings[0].message, "no cues");
        let t = parsed("1\n00:00:01,000 --> 00:00:02,000\nsrt-ish\n");
        assert_eq!(texts(&t), [(1_000, 2_000, "", "srt-ish")]);
        assert_eq!(warning_lines(&t), [1]);
        assert_eq!(parse("hello\nworld\n").map(|_| ()).unwrap_err().line, 1);
    }

    #[test]
    fn a_note_after_the_last_cue_is_kept() {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\na\n\nNOTE the end\n";
        let t = crate::transcript::parse_bytes(text.into(), None).expect("parses");
        assert_eq!(texts(&t), [(1_000, 2_000, "", "a")]);
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
        assert_eq!(t.header.vtt_trailing_notes, ["NOTE the end"]);
        assert_eq!(
            crate::transcript::write_string(&t, Format::Vtt)
                .ok()
                .as_deref(),
            Some(text)
        );
    }

    #[test]
    fn blank_lines_before_the_header_are_skipped() {
        let t = parsed("\n \nWEBVTT\n\n00:01.000 --> 00:02.000\na\n");
        assert_eq!(texts(&t), [(1_000, 2_000, "", "a")]);
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    }

    #[test]
    fn arrows_end_header_and_cue_text() {
        let t = parsed("WEBVTT\n00:01.000 --> 00:02.000\na\n00:02.000 --> 00:03.000\nb\n");
        assert_eq!(
            texts(&t),
            [(1_000, 2_000, "", "a"), (2_000, 3_000, "", "b")]
        );
    }
}
