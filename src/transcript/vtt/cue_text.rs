//! WebVTT cue text: splitting a cue payload into voice spans, decoding
//! entities, dropping tags (and `<rt>` ruby text) for the display text, and
//! turning inline `<00:00:01.000>` timestamps into word times. Never allocates
//! for a payload without `<` or `&` beyond the span's own text.

use std::ops::Range;

use super::super::markup::decode_entities;
use super::super::model::{Word, word_ms};
use super::super::time::parse_timestamp;

/// One voice span of a cue (the whole cue when it has at most one `<v>`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Span<'a> {
    /// The `<v>` annotation (the speaker's name, entities decoded), when the span had one.
    pub voice: Option<String>,
    /// The span as written, after its voice tag, surrounding whitespace trimmed.
    pub raw: &'a str,
    /// Display text: tags dropped, entities decoded, lines trimmed, blank lines dropped.
    pub text: String,
    /// Words with times, when the cue has inline timestamps.
    pub words: Vec<Word>,
    /// The text of the first `<u>` element (whisper's `highlight_words` marks one word so).
    pub underlined: Option<String>,
}

/// A chunk of display text that shares one start time: it runs from
/// (span index, byte offset in that span's text) up to the next timestamp.
struct Chunk {
    span: usize,
    offset: usize,
    start_ms: u64,
}

/// Splits a cue payload into spans. `spans` is cleared first (the caller reuses it).
pub(super) fn parse_cue_text<'a>(
    payload: &'a str,
    start_ms: u64,
    end_ms: u64,
    spans: &mut Vec<Span<'a>>,
) {
    spans.clear();
    if memchr::memchr2(b'<', b'&', payload.as_bytes()).is_none() {
        let mut text = String::with_capacity(payload.len());
        push_tidy_lines(&mut text, payload);
        spans.push(Span {
            raw: payload.trim(),
            text,
            ..Span::default()
        });
        return;
    }
    let bytes = payload.as_bytes();
    let mut current = Span::default();
    let mut raw_from = 0;
    let mut in_ruby_text = false;
    let mut underline_from: Option<usize> = None;
    let mut chunk = Chunk {
        span: 0,
        offset: 0,
        start_ms,
    };
    let mut timed = false;
    let mut at = 0;
    while at < bytes.len() {
        let Some(lt) = memchr::memchr(b'<', &bytes[at..]).map(|i| at + i) else {
            if !in_ruby_text {
                current.text.push_str(&decode_entities(&payload[at..]));
            }
            break;
        };
        if !in_ruby_text {
            current.text.push_str(&decode_entities(&payload[at..lt]));
        }
        let next = bytes.get(lt + 1).copied().unwrap_or(b' ');
        if !(next.is_ascii_alphanumeric() || next == b'/') {
            // `a < b` written unescaped: a literal, not a tag.
            if !in_ruby_text {
                current.text.push('<');
            }
            at = lt + 1;
            continue;
        }
        let gt = memchr::memchr(b'>', &bytes[lt..]).map_or(bytes.len(), |i| lt + i);
        let tag = &payload[lt + 1..gt];
        at = (gt + 1).min(bytes.len());
        if next.is_ascii_digit() {
            let closed = gt < bytes.len();
            if let Some(ts) =
                parse_timestamp(tag.as_bytes()).filter(|t| closed && t.len == tag.len())
            {
                timed = true;
                close_chunk(spans, &mut current, &chunk, ts.ms);
                chunk = Chunk {
                    span: spans.len(),
                    offset: current.text.len(),
                    start_ms: ts.ms,
                };
            }
            continue;
        }
        if let Some(end_name) = tag.strip_prefix('/') {
            match end_name.trim() {
                "rt" | "ruby" => in_ruby_text = false,
                "u" => {
                    if let Some(from) = underline_from.take()
                        && current.underlined.is_none()
                    {
                        let word = current.text.get(from..).unwrap_or("").trim();
                        current.underlined = Some(word.to_owned());
                    }
                }
                _ => {}
            }
            continue;
        }
        let name_len = tag
            .bytes()
            .position(|b| b == b'.' || b.is_ascii_whitespace())
            .unwrap_or(tag.len());
        match &tag[..name_len] {
            "v" => {
                let annotation = tag[name_len..]
                    .trim_start_matches(|c: char| !c.is_whitespace())
                    .trim();
                let voice = decode_entities(annotation).trim().to_owned();
                if voice.is_empty() {
                    // A voice without a name changes nothing a writer could keep.
                    continue;
                }
                let has_text = !current.text.trim().is_empty();
                if has_text || current.voice.is_some() {
                    current.raw = payload[raw_from..lt].trim();
                    spans.push(std::mem::take(&mut current));
                }
                current.voice = Some(voice);
                raw_from = at;
                // Each span is written back on its own: no state crosses into it.
                in_ruby_text = false;
                underline_from = None;
                if !has_text {
                    // Whitespace before the voice tag is not part of the span.
                    current.text.clear();
                }
                if chunk.span == spans.len() && !has_text {
                    chunk.offset = 0;
                }
            }
            "rt" => in_ruby_text = true,
            "u" => underline_from = Some(current.text.len()),
            _ => {}
        }
    }
    current.raw = payload[raw_from..].trim();
    if timed {
        close_chunk(spans, &mut current, &chunk, end_ms);
    }
    spans.push(current);
    for span in spans.iter_mut() {
        if needs_tidying(&span.text) {
            let mut text = String::with_capacity(span.text.len());
            push_tidy_lines(&mut text, &span.text);
            span.text = text;
        }
    }
}

/// Turns the words of a chunk (which may cross span boundaries) into timed words.
fn close_chunk(spans: &mut [Span<'_>], current: &mut Span<'_>, chunk: &Chunk, end_ms: u64) {
    let timed = |text: &str, words: &mut Vec<Word>| {
        words.extend(text.split_whitespace().map(|word| Word {
            text: word.into(),
            start_ms: word_ms(chunk.start_ms),
            end_ms: word_ms(end_ms),
            confidence: None,
        }));
    };
    if chunk.span < spans.len() {
        for (i, span) in spans.iter_mut().enumerate().skip(chunk.span) {
            let from = if i == chunk.span { chunk.offset } else { 0 };
            let text = span.text.get(from..).unwrap_or("");
            let mut words = std::mem::take(&mut span.words);
            timed(text, &mut words);
            span.words = words;
        }
        timed(&current.text, &mut current.words);
    } else {
        let text = current.text.get(chunk.offset..).unwrap_or("");
        let mut words = std::mem::take(&mut current.words);
        timed(text, &mut words);
        current.words = words;
    }
}

/// Whether some line has surrounding whitespace or is blank.
pub(super) fn needs_tidying(text: &str) -> bool {
    text.is_empty()
        || text.split('\n').any(|line| {
            line.is_empty()
                || line.starts_with(char::is_whitespace)
                || line.ends_with(char::is_whitespace)
        })
}

/// Appends the lines of `text` trimmed, blank ones dropped, joined with `\n`.
pub(super) fn push_tidy_lines(out: &mut String, text: &str) {
    let start = out.len();
    for line in text.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if out.len() > start {
            out.push('\n');
        }
        out.push_str(line);
    }
}

/// The byte range of the first non-blank line of `payload` and where the line after it starts.
pub(super) fn first_line(payload: &str) -> Option<(Range<usize>, usize)> {
    let mut from = 0;
    for line in payload.split('\n') {
        let to = from + line.len();
        if !line.trim().is_empty() {
            return Some((from..to, (to + 1).min(payload.len())));
        }
        from = to + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(payload: &str) -> Vec<Span<'_>> {
        let mut out = Vec::new();
        parse_cue_text(payload, 1_000, 4_000, &mut out);
        out
    }

    fn word_list<'s>(span: &'s Span<'_>) -> Vec<(&'s str, u64, u64)> {
        span.words
            .iter()
            .map(|w| {
                (
                    &*w.text,
                    w.start_ms.map_or(u64::MAX, u64::from),
                    w.end_ms.map_or(u64::MAX, u64::from),
                )
            })
            .collect()
    }

    #[test]
    fn plain_text_is_one_span() {
        let s = spans("  hello\n \nworld ");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "hello\nworld");
        assert_eq!(s[0].raw, "hello\n \nworld");
        assert_eq!(s[0].voice, None);
        assert!(s[0].words.is_empty());
    }

    #[test]
    fn tags_are_dropped_and_entities_decoded() {
        let s = spans("<i>a</i> &amp; <b>b</b> <c.yellow>c</c> <lang en>d</lang> 1 < 2");
        assert_eq!(s[0].text, "a & b c d 1 < 2");
        let s = spans("<ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby>!");
        assert_eq!(s[0].text, "漢字!");
    }

    #[test]
    fn voices_split_spans() {
        let s = spans("<v Ana>hi</v> <v.loud Bo Li>yo &amp; co\nmore");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].voice.as_deref(), Some("Ana"));
        assert_eq!((s[0].text.as_str(), s[0].raw), ("hi", "hi</v>"));
        assert_eq!(s[1].voice.as_deref(), Some("Bo Li"));
        assert_eq!(s[1].text, "yo & co\nmore");
        assert_eq!(s[1].raw, "yo &amp; co\nmore");
        let s = spans("<v Ana>one\n<v Bo>two");
        assert_eq!(
            s.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
            ["one", "two"]
        );
    }

    #[test]
    fn inline_timestamps_time_words() {
        let s = spans("so <00:00:02.000>here we<00:00:03.000><c> go</c>");
        assert_eq!(s[0].text, "so here we go");
        assert_eq!(
            word_list(&s[0]),
            [
                ("so", 1_000, 2_000),
                ("here", 2_000, 3_000),
                ("we", 2_000, 3_000),
                ("go", 3_000, 4_000)
            ]
        );
        let s = spans("<v A>a <00:00:02.000>b\n<v B>c <00:00:03.000>d");
        assert_eq!(word_list(&s[0]), [("a", 1_000, 2_000), ("b", 2_000, 3_000)]);
        assert_eq!(word_list(&s[1]), [("c", 2_000, 3_000), ("d", 3_000, 4_000)]);
    }

    #[test]
    fn nameless_voices_are_ignored() {
        let s = spans("<v Ana>hi<v>there <v >you");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "hithere you");
    }

    #[test]
    fn underline_and_broken_markup() {
        let s = spans("Hello <u>world.</u>");
        assert_eq!(s[0].underlined.as_deref(), Some("world."));
        let s = spans("cut <i");
        assert_eq!(s[0].text, "cut");
        let s = spans("<00:00:0>x &bogus; é<");
        assert_eq!(s[0].text, "x &bogus; é<");
        assert!(s[0].words.is_empty());
    }

    #[test]
    fn first_line_skips_blank_lines() {
        assert_eq!(first_line(" \nab\ncd"), Some((2..4, 5)));
        assert_eq!(first_line("ab"), Some((0..2, 2)));
        assert_eq!(first_line(" \n"), None);
    }
}
