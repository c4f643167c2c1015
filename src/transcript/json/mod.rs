//! The JSON transcript formats: Podcasting 2.0 (read and written) and the
//! whisper family (openai/whisper, whisper.cpp, WhisperX; read only).
//!
//! This module owns detection by keys and the walk over a file's top-level
//! object. The walk never builds a tree of the whole file: the top-level
//! fields are read one by one, and the record list one record at a time, so
//! peak memory stays near the size of the model, a bad record is skipped with
//! a warning naming its line, and a file cut short keeps the records before
//! the cut. Each format module only turns one record into segments.

mod podcast;
mod whisper;
mod whisper_cpp;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::{Map, Value};

use super::error::ParseFailure;
use super::format::Format;
use super::model::Transcript;

pub(super) use podcast::write as write_podcast;

/// How many records detection inspects before deciding from what it has seen.
const SNIFF_RECORDS: usize = 8;

/// Which JSON transcript format `text` holds, judged by its keys:
/// `segments[].body` is Podcasting 2.0, `transcription[].offsets` whisper.cpp,
/// `word_segments` or words with `score` WhisperX, `no_speech_prob` or a
/// top-level `language` with `segments[].tokens` openai/whisper. Segments with
/// only `start`, `end` and `text` (faster-whisper, unaligned WhisperX) are read
/// as openai/whisper, or WhisperX when they carry a `speaker`.
pub fn detect(text: &str) -> Option<Format> {
    let mut sniff = Sniff::default();
    let mut scanner = Scanner::new(text);
    let walked = scanner.object_fields(|scanner, key| sniff.field(scanner, &key));
    if let Some(format) = sniff.decided {
        return Some(format);
    }
    // A syntax error after whisper-like records (a truncated file) still counts.
    if walked.is_err() && sniff.segment_records == 0 {
        return None;
    }
    sniff.conclusion()
}

/// What detection has seen so far.
#[derive(Default)]
struct Sniff {
    decided: Option<Format>,
    no_speech_prob: bool,
    tokens: bool,
    language: bool,
    start_and_text: bool,
    speaker: bool,
    segment_records: usize,
}

impl Sniff {
    fn field(&mut self, scanner: &mut Scanner<'_>, key: &str) -> Result<(), JsonError> {
        match key {
            "segments" if scanner.peek() == Some(b'[') => {
                scanner.array_items(|scanner| self.segment(scanner))?;
            }
            "transcription" if scanner.peek() == Some(b'[') => {
                let mut index = 0;
                scanner.array_items(|scanner| {
                    index += 1;
                    if index > SNIFF_RECORDS {
                        return scanner.value::<IgnoredAny>().map(drop);
                    }
                    let record = scanner.value::<Value>()?;
                    if record.get("offsets").is_some_and(Value::is_object) {
                        self.decided = Some(Format::WhisperCppJson);
                        return Err(JsonError::Stop);
                    }
                    Ok(())
                })?;
            }
            "word_segments" => {
                self.decided = Some(Format::WhisperxJson);
                return Err(JsonError::Stop);
            }
            "language" => {
                self.language = true;
                scanner.value::<IgnoredAny>()?;
            }
            _ => {
                scanner.value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn segment(&mut self, scanner: &mut Scanner<'_>) -> Result<(), JsonError> {
        self.segment_records += 1;
        if self.segment_records > SNIFF_RECORDS {
            return scanner.value::<IgnoredAny>().map(drop);
        }
        let Value::Object(record) = scanner.value::<Value>()? else {
            return Ok(());
        };
        if record.contains_key("body") {
            self.decided = Some(Format::PodcastJson);
            return Err(JsonError::Stop);
        }
        let scored = record
            .get("words")
            .and_then(Value::as_array)
            .is_some_and(|words| words.iter().any(|w| w.get("score").is_some()));
        if scored {
            self.decided = Some(Format::WhisperxJson);
            return Err(JsonError::Stop);
        }
        self.no_speech_prob |= record.contains_key("no_speech_prob");
        self.tokens |= record.contains_key("tokens");
        self.speaker |= record.get("speaker").is_some_and(Value::is_string);
        self.start_and_text |= record.get("start").is_some_and(Value::is_number)
            && record.get("text").is_some_and(Value::is_string);
        Ok(())
    }

    fn conclusion(&self) -> Option<Format> {
        if self.no_speech_prob || (self.language && self.tokens) {
            Some(Format::WhisperJson)
        } else if self.start_and_text && self.speaker {
            Some(Format::WhisperxJson)
        } else if self.start_and_text {
            Some(Format::WhisperJson)
        } else {
            None
        }
    }
}

/// Parses one of the JSON formats; fails only when no record is usable.
pub(super) fn parse(text: &str, format: Format) -> Result<Transcript, ParseFailure> {
    match format {
        Format::PodcastJson => podcast::parse(text),
        Format::WhisperJson | Format::WhisperxJson => whisper::parse(text, format),
        Format::WhisperCppJson => whisper_cpp::parse(text),
        other => Err(ParseFailure::new(
            1,
            format!("expected a JSON transcript format, not {other}"),
        )),
    }
}

/// Why the walk over the JSON stopped early.
#[derive(Debug)]
enum JsonError {
    /// Not valid JSON: serde_json's reason without its position, at a 1-based line.
    Syntax {
        line: usize,
        reason: String,
        /// The text ended inside a value (a truncated file).
        eof: bool,
    },
    /// Valid JSON of the wrong shape at a 1-based line.
    Shape { line: usize, expected: String },
    /// Detection has decided and needs no more.
    Stop,
}

impl JsonError {
    fn into_failure(self) -> ParseFailure {
        match self {
            JsonError::Syntax { line, reason, .. } => {
                ParseFailure::new(line, format!("expected valid JSON ({reason})"))
            }
            JsonError::Shape { line, expected } => ParseFailure::new(line, expected),
            JsonError::Stop => ParseFailure::new(1, "expected a JSON transcript"),
        }
    }
}

/// A cursor over JSON text that reads one value at a time with serde_json and
/// knows the 1-based line it is on.
struct Scanner<'a> {
    text: &'a str,
    /// Byte offset of the next unread byte; always on a char boundary because
    /// it only moves past ASCII bytes or to the end of a value serde_json read.
    pos: usize,
    /// The line at `counted_to`.
    line: usize,
    counted_to: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            text,
            pos: 0,
            line: 1,
            counted_to: 0,
        }
    }

    /// The 1-based line of the next unread byte (counting is incremental, so
    /// a whole walk counts each newline once).
    fn line(&mut self) -> usize {
        if self.pos > self.counted_to {
            let skipped = &self.text.as_bytes()[self.counted_to..self.pos];
            self.line += memchr::memchr_iter(b'\n', skipped).count();
            self.counted_to = self.pos;
        }
        self.line
    }

    fn skip_whitespace(&mut self) {
        let bytes = self.text.as_bytes();
        while bytes
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.text.as_bytes().get(self.pos).copied()
    }

    fn syntax(&mut self, reason: &str) -> JsonError {
        JsonError::Syntax {
            line: self.line(),
            reason: reason.to_owned(),
            eof: self.pos >= self.text.len(),
        }
    }

    /// Reads the next value as `T`.
    fn value<T: DeserializeOwned>(&mut self) -> Result<T, JsonError> {
        self.skip_whitespace();
        let base_line = self.line();
        let mut stream = serde_json::Deserializer::from_str(&self.text[self.pos..]).into_iter();
        match stream.next() {
            Some(Ok(value)) => {
                self.pos += stream.byte_offset();
                Ok(value)
            }
            Some(Err(err)) => {
                let reason = err.to_string();
                let reason = match reason.rfind(" at line ") {
                    Some(at) => reason[..at].to_owned(),
                    None => reason,
                };
                Err(JsonError::Syntax {
                    line: base_line + err.line().saturating_sub(1),
                    reason,
                    eof: err.is_eof(),
                })
            }
            None => Err(self.syntax("EOF while parsing a value")),
        }
    }

    /// Walks an object, calling `on_field` with each key; it must consume the value.
    fn object_fields(
        &mut self,
        mut on_field: impl FnMut(&mut Self, String) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        if self.peek() != Some(b'{') {
            return Err(if self.pos >= self.text.len() {
                self.syntax("EOF while parsing an object")
            } else {
                self.syntax("expected `{`")
            });
        }
        self.pos += 1;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            match self.peek() {
                Some(b'"') => {}
                None => return Err(self.syntax("EOF while parsing an object")),
                Some(_) => return Err(self.syntax("key must be a string")),
            }
            let key: String = self.value()?;
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => return Err(self.syntax("EOF while parsing an object")),
                Some(_) => return Err(self.syntax("expected `:`")),
            }
            on_field(self, key)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                None => return Err(self.syntax("EOF while parsing an object")),
                Some(_) => return Err(self.syntax("expected `,` or `}`")),
            }
        }
    }

    /// Walks an array, calling `on_item` for each element; it must consume it.
    fn array_items(
        &mut self,
        mut on_item: impl FnMut(&mut Self) -> Result<(), JsonError>,
    ) -> Result<(), JsonError> {
        if self.peek() != Some(b'[') {
            return Err(self.syntax("expected `[`"));
        }
        self.pos += 1;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            if self.peek().is_none() {
                return Err(self.syntax("EOF while parsing a list"));
            }
            on_item(self)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                None => return Err(self.syntax("EOF while parsing a list")),
                Some(_) => return Err(self.syntax("expected `,` or `]`")),
            }
        }
    }

    /// Whether only whitespace is left.
    fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }
}

/// What [`walk`] returns besides the records it handed out.
struct Walked {
    /// Top-level fields other than the record list and the skipped ones, in file order.
    header: Map<String, Value>,
}

/// Walks a transcript file: a top-level object whose `list_key` array holds
/// the records. Each record is handed to `on_record` as a value with its
/// 1-based line; `skip` names top-level fields too big and redundant to keep.
/// `shape` is the message for a file without the list. A file cut short ends
/// the walk with a warning (via `on_truncated`) once any record was read.
fn walk(
    text: &str,
    list_key: &str,
    skip: &[&str],
    shape: &str,
    transcript: &mut Transcript,
    mut on_record: impl FnMut(&mut Transcript, Value, usize),
) -> Result<Walked, ParseFailure> {
    let mut scanner = Scanner::new(text);
    let mut header = Map::new();
    let mut records = 0usize;
    let mut list_seen = false;
    let walked = scanner.object_fields(|scanner, key| {
        if key == list_key && !list_seen {
            list_seen = true;
            if scanner.peek() != Some(b'[') {
                return Err(JsonError::Shape {
                    line: scanner.line(),
                    expected: shape.to_owned(),
                });
            }
            scanner.array_items(|scanner| {
                let line = scanner.line();
                let record = scanner.value::<Value>()?;
                records += 1;
                on_record(transcript, record, line);
                Ok(())
            })
        } else if skip.contains(&key.as_str()) || key == list_key {
            scanner.value::<IgnoredAny>().map(drop)
        } else {
            let value = scanner.value::<Value>()?;
            header.insert(key, value);
            Ok(())
        }
    });
    match walked {
        Ok(()) => {
            if !scanner.at_end() {
                let line = scanner.line();
                transcript.warn(line, "ignored text after the end of the JSON object");
            }
        }
        Err(JsonError::Syntax {
            line, eof: true, ..
        }) if records > 0 => {
            transcript.warn(
                line,
                format!("the file ends in the middle of the JSON (truncated?); kept the {records} records before it"),
            );
        }
        // Valid JSON that is not an object (a bare list, a string) has the wrong shape.
        Err(JsonError::Syntax { .. }) if !text.trim_start().starts_with('{') => {
            return Err(ParseFailure::new(1, shape));
        }
        Err(err) => return Err(err.into_failure()),
    }
    if !list_seen {
        return Err(ParseFailure::new(1, shape));
    }
    Ok(Walked { header })
}

/// Milliseconds from a JSON number of seconds (or a string holding one).
fn ms_from_value(value: &Value) -> Option<u64> {
    let secs = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|s| s.is_finite())?,
        _ => return None,
    };
    Some(super::time::ms_from_secs(secs))
}

/// The first failure to report when no record was usable: the first skipped
/// record's reason at its line, or an empty list at line 1.
fn nothing_usable(transcript: &Transcript, empty: &str) -> ParseFailure {
    match transcript.warnings.first() {
        Some(w) => ParseFailure::new(w.line, w.message.trim_start_matches("skipped: ")),
        None => ParseFailure::new(1, empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format_by_its_keys() {
        let cases = [
            (
                r#"{"version":"1.0.0","segments":[{"startTime":1,"body":"hi"}]}"#,
                Some(Format::PodcastJson),
            ),
            (
                r#"{"text":" hi","segments":[{"id":0,"start":0.0,"end":1.0,"text":" hi","tokens":[1],"no_speech_prob":0.1}],"language":"en"}"#,
                Some(Format::WhisperJson),
            ),
            (
                r#"{"segments":[{"start":0,"end":1,"text":" hi","tokens":[1]}],"language":"en"}"#,
                Some(Format::WhisperJson),
            ),
            (
                r#"{"transcription":[{"timestamps":{"from":"00:00:00,000","to":"00:00:01,000"},"offsets":{"from":0,"to":1000},"text":" hi"}]}"#,
                Some(Format::WhisperCppJson),
            ),
            (
                r#"{"segments":[{"start":0,"end":1,"text":"hi","words":[{"word":"hi","start":0,"end":1,"score":0.9}]}]}"#,
                Some(Format::WhisperxJson),
            ),
            (
                r#"{"segments":[],"word_segments":[]}"#,
                Some(Format::WhisperxJson),
            ),
            (
                r#"{"segments":[{"start":0,"end":1,"text":"hi","speaker":"SPEAKER_00"}]}"#,
                Some(Format::WhisperxJson),
            ),
            (r#"{"name":"not a transcript","segments":[1,2]}"#, None),
            (r#"[{"a":1}]"#, None),
            ("{not json", None),
        ];
        for (text, expected) in cases {
            assert_eq!(detect(text), expected, "{text}");
        }
    }

    #[test]
    fn a_truncated_file_is_still_detected() {
        let text = "{\"segments\": [{\"start\": 0, \"end\": 1, \"text\": \" a\", \"no_speech_prob\": 0.1}, {\"start\": 1, \"en";
        assert_eq!(detect(text), Some(Format::WhisperJson));
    }

    #[test]
    fn the_scanner_tracks_lines_and_values() {
        let text = "{\n  \"a\": [1,\n 2],\n  \"b\": \"x\\u00e9\"\n}\n";
        let mut scanner = Scanner::new(text);
        let mut seen = Vec::new();
        scanner
            .object_fields(|scanner, key| {
                let line = scanner.line();
                let value: Value = scanner.value()?;
                seen.push((key, line, value));
                Ok(())
            })
            .expect("valid");
        assert_eq!(
            seen,
            vec![
                ("a".to_owned(), 2, serde_json::json!([1, 2])),
                ("b".to_owned(), 4, serde_json::json!("x\u{e9}")),
            ]
        );
        assert!(scanner.at_end());
    }

    #[test]
    fn syntax_errors_carry_the_absolute_line() {
        let text =
            "{\n\"segments\": [\n{\"startTime\": 1,\n \"body\": \"a\"},\n{\"startTime\": x}\n]}";
        let mut transcript = Transcript::new(Format::PodcastJson);
        let err = walk(
            text,
            "segments",
            &[],
            "shape",
            &mut transcript,
            |_, _, _| {},
        )
        .map(|_| ())
        .unwrap_err();
        assert_eq!(err.line, 5);
        assert!(err.expected.starts_with("expected valid JSON ("), "{err:?}");
    }

    #[test]
    fn no_cut_of_a_file_panics() {
        let texts = [
            r#"{"version": "1.0.0", "segments": [{"speaker": "Ané", "startTime": 1.5, "body": "a — b"}, {"startTime": 2, "endTime": 3, "body": "c"}]}"#,
            r#"{"text": " é", "segments": [{"start": 0, "end": 1, "text": " é", "no_speech_prob": 0.1, "words": [{"word": " é", "start": 0, "end": 1, "probability": 0.5}]}], "language": "fr"}"#,
            r#"{"transcription": [{"timestamps": {"from": "00:00:00,000", "to": "00:00:01,000"}, "offsets": {"from": 0, "to": 1000}, "text": " (speaker 0) é [SPEAKER_TURN]"}]}"#,
        ];
        let formats = [
            Format::PodcastJson,
            Format::WhisperJson,
            Format::WhisperCppJson,
            Format::WhisperxJson,
        ];
        let mut parsed = 0;
        for text in texts {
            for (cut, _) in text.char_indices() {
                let prefix = &text[..cut];
                let _ = detect(prefix);
                for format in formats {
                    parsed += usize::from(parse(prefix, format).is_ok());
                }
            }
        }
        // Cuts after the first complete record parse (with a truncation warning).
        assert!(parsed > 50, "{parsed}");
    }
}
