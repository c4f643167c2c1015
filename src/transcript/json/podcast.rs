//! Podcasting 2.0 JSON transcripts, read and written:
//!
//! ```text
//! {"version": "1.0.0", "segments": [{"speaker": "Ana", "startTime": 1.4, "endTime": 3.725, "body": "Hi."}]}
//! ```
//!
//! Times are float seconds; `speaker` and `endTime` are optional (a missing
//! end is the next record's start, or the record's own start for the last).
//! Fields the model does not map are kept per record and written back after
//! the known ones.
//!
//! Files with one word per record (the official example) are grouped into
//! segments for display, each word keeping its times. A file is word-level
//! when it has at least two records, no record has unmapped fields, starts
//! never go back, no record lasts over 5 s, and at least nine in ten bodies
//! are a single token (no inner whitespace). A new
//! segment starts at a speaker change, after a silence over 1.5 s, or after a
//! word that ends a sentence (`.` `?` `!` `…`, closing quotes allowed) when a
//! silence of 0.3 s follows or the segment already lasts 15 s. The writer
//! then writes one word per record again.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use super::super::error::ParseFailure;
use super::super::format::Format;
use super::super::model::{Segment, SpeakerId, Transcript, Word, word_ms};
use super::super::time::secs_from_ms;
use super::{ms_from_value, nothing_usable, walk};

/// The record list's key.
const LIST_KEY: &str = "segments";
/// The record fields the model maps.
const KNOWN_FIELDS: [&str; 4] = ["speaker", "startTime", "endTime", "body"];
/// What a file without a usable record list is told it needs.
const SHAPE: &str = "expected a \"segments\" array of {startTime, body}";
/// The version written when the source did not carry one (or was another format).
const VERSION: &str = "1.0.0";

/// A silence longer than this between two words starts a new segment.
const TURN_GAP_MS: u64 = 1_500;
/// After a sentence-ending word, a silence this long starts a new segment.
const SENTENCE_GAP_MS: u64 = 300;
/// After a sentence-ending word, a segment this long ends even without a pause.
const LONG_SEGMENT_MS: u64 = 15_000;

/// One record as read, before grouping.
struct Record {
    start_ms: u64,
    end_ms: Option<u64>,
    speaker: Option<SpeakerId>,
    body: String,
    fields: Map<String, Value>,
    line: usize,
}

/// Reads one record, or says why it was skipped.
fn record(transcript: &mut Transcript, value: Value, line: usize) -> Result<Record, String> {
    let Value::Object(mut fields) = value else {
        return Err("skipped: expected a segment object {startTime, body}".to_owned());
    };
    let start = fields.get("startTime");
    let start_ms = start
        .and_then(ms_from_value)
        .ok_or("skipped: expected a number \"startTime\" in seconds")?;
    let written_whole = |value: Option<&Value>| value.is_some_and(|v| v.is_u64() || v.is_i64());
    if written_whole(start) || written_whole(fields.get("endTime")) {
        transcript.header.json_whole_secs_bare = true;
    }
    let body = match fields.shift_remove("body") {
        Some(Value::String(body)) => body,
        _ => return Err("skipped: expected a string \"body\"".to_owned()),
    };
    fields.shift_remove("startTime");
    let end_ms = match fields.shift_remove("endTime") {
        None | Some(Value::Null) => None,
        Some(end) => {
            let end_ms = ms_from_value(&end);
            if end_ms.is_none() {
                transcript.warn(line, "ignored an \"endTime\" that is not a number");
            }
            end_ms
        }
    };
    let speaker = match fields.shift_remove("speaker") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => transcript.intern_speaker(&name),
        Some(_) => {
            transcript.warn(line, "ignored a \"speaker\" that is not a string");
            None
        }
    };
    Ok(Record {
        start_ms,
        end_ms,
        speaker,
        body,
        // An emptied map keeps its allocation: hundreds of bytes per record.
        fields: if fields.is_empty() {
            Map::new()
        } else {
            fields
        },
        line,
    })
}

/// Parses a Podcasting 2.0 JSON file.
pub(super) fn parse(text: &str) -> Result<Transcript, ParseFailure> {
    let mut transcript = Transcript::new(Format::PodcastJson);
    let mut records = Vec::new();
    let walked = walk(
        text,
        LIST_KEY,
        &[],
        SHAPE,
        &mut transcript,
        |transcript, value, line| match record(transcript, value, line) {
            Ok(record) => records.push(record),
            Err(message) => transcript.warn(line, message),
        },
    )?;
    if records.is_empty() {
        return Err(nothing_usable(
            &transcript,
            "expected at least one record in \"segments\"",
        ));
    }
    if !walked.header.is_empty() {
        transcript.header.json_fields = Some(walked.header);
    }
    transcript.header.json_indent = source_indent(text);
    if is_word_level(&records) {
        transcript.header.words_as_segments = true;
        group_words(&mut transcript, records);
    } else {
        one_segment_per_record(&mut transcript, records);
    }
    Ok(transcript)
}

/// Whether the records are single words (see the module doc for the rule).
fn is_word_level(records: &[Record]) -> bool {
    let single = records
        .iter()
        .filter(|r| !r.body.trim().contains(char::is_whitespace))
        .count();
    records.len() >= 2
        && records.iter().all(|r| r.fields.is_empty())
        && records.windows(2).all(|w| w[0].start_ms <= w[1].start_ms)
        && records.iter().all(|r| {
            r.end_ms
                .is_none_or(|end_ms| end_ms.saturating_sub(r.start_ms) <= MAX_WORD_MS)
        })
        && single * 10 >= records.len() * 9
}

/// The longest record a word-level file has; a longer one is a sentence or a turn.
const MAX_WORD_MS: u64 = 5_000;

/// The end of record `i`: its own, or derived from the next start.
fn end_of(records: &[Record], i: usize) -> (u64, bool) {
    let start_ms = records[i].start_ms;
    match records[i].end_ms {
        Some(end_ms) => (end_ms, false),
        None => {
            let next_ms = records.get(i + 1).map_or(start_ms, |next| next.start_ms);
            (next_ms.max(start_ms), true)
        }
    }
}

fn one_segment_per_record(transcript: &mut Transcript, records: Vec<Record>) {
    transcript.segments.reserve(records.len());
    let ends: Vec<(u64, bool)> = (0..records.len()).map(|i| end_of(&records, i)).collect();
    for (record, (end_ms, end_derived)) in records.into_iter().zip(ends) {
        let mut segment = Segment {
            start_ms: record.start_ms,
            end_ms,
            end_derived,
            speaker: record.speaker,
            text: record.body,
            ..Segment::default()
        };
        if !record.fields.is_empty() {
            segment.extra_mut().json_fields = Some(record.fields);
        }
        transcript.push(segment, record.line);
    }
}

/// Whether a word ends a sentence: `.` `?` `!` `…`, maybe before closing quotes or brackets.
fn ends_sentence(word: &str) -> bool {
    word.trim_end()
        .trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']', '\u{bb}'])
        .ends_with(['.', '?', '!', '\u{2026}'])
}

/// Display text of a run of words: trimmed, one space apart, none before
/// closing punctuation.
pub(super) fn join_words(words: &[Word]) -> String {
    let mut text = String::with_capacity(words.iter().map(|w| w.text.len() + 1).sum());
    for word in words {
        let piece = word.text.trim();
        if piece.is_empty() {
            continue;
        }
        if !text.is_empty()
            && !piece.starts_with([',', '.', '?', '!', ';', ':', ')', ']', '\u{2026}'])
        {
            text.push(' ');
        }
        text.push_str(piece);
    }
    text
}

fn group_words(transcript: &mut Transcript, records: Vec<Record>) {
    let ends: Vec<(u64, bool)> = (0..records.len()).map(|i| end_of(&records, i)).collect();
    let mut current: Option<(Segment, usize)> = None;
    let mut previous_end_ms = 0;
    for (record, (end_ms, end_derived)) in records.into_iter().zip(ends) {
        if let Some((segment, line)) = current.take() {
            let gap_ms = record.start_ms.saturating_sub(previous_end_ms);
            let last = segment.words.last().map_or("", |w| &*w.text);
            let sentence_done = ends_sentence(last)
                && (gap_ms >= SENTENCE_GAP_MS || segment.duration_ms() >= LONG_SEGMENT_MS);
            if segment.speaker != record.speaker || gap_ms > TURN_GAP_MS || sentence_done {
                finish(transcript, segment, line);
            } else {
                current = Some((segment, line));
            }
        }
        let (segment, _) = current.get_or_insert_with(|| {
            (
                Segment {
                    start_ms: record.start_ms,
                    speaker: record.speaker,
                    ..Segment::default()
                },
                record.line,
            )
        });
        segment.end_ms = end_ms;
        segment.end_derived = end_derived;
        segment.words.push(Word {
            text: record.body.into(),
            start_ms: word_ms(record.start_ms),
            end_ms: record.end_ms.and_then(word_ms),
            confidence: None,
        });
        previous_end_ms = end_ms;
    }
    if let Some((segment, line)) = current {
        finish(transcript, segment, line);
    }
}

fn finish(transcript: &mut Transcript, mut segment: Segment, line: usize) {
    segment.text = join_words(&segment.words);
    transcript.push(segment, line);
}

/// The canonical indent of written files.
const CANONICAL_INDENT: &str = "  ";

/// The indent of the source when it is not the canonical one: the leading
/// white space of its second line, or `""` for a file on one line.
fn source_indent(text: &str) -> Option<String> {
    let body = text.trim();
    let indent = match body.split_once('\n') {
        Some((_, rest)) => {
            let line = rest.trim_start_matches('\n');
            let width = line.len() - line.trim_start_matches([' ', '\t']).len();
            &line[..width]
        }
        None => "",
    };
    (indent != CANONICAL_INDENT).then(|| indent.to_owned())
}

/// Writes Podcasting 2.0 JSON: pretty, two-space indent, ending in a newline.
/// A transcript read from this format keeps its indent (or one-line layout),
/// top-level fields, record fields, omitted end times and one-word records;
/// any other gets `"version": "1.0.0"` and one record per segment.
pub(in crate::transcript) fn write(transcript: &Transcript) -> String {
    let mut out = Vec::with_capacity(transcript.segments.len() * 120 + 64);
    let own = transcript.format == Format::PodcastJson;
    let indent = transcript
        .header
        .json_indent
        .as_deref()
        .filter(|_| own)
        .unwrap_or(CANONICAL_INDENT);
    // Serializing maps, strings and finite numbers into a Vec cannot fail.
    let _ = if indent.is_empty() {
        Document(transcript).serialize(&mut serde_json::Serializer::new(&mut out))
    } else {
        let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
        Document(transcript).serialize(&mut serde_json::Serializer::with_formatter(
            &mut out, formatter,
        ))
    };
    let mut text = String::from_utf8(out).unwrap_or_default();
    text.push('\n');
    text
}

/// The whole file.
struct Document<'a>(&'a Transcript);

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let transcript = self.0;
        let own = transcript.format == Format::PodcastJson;
        let mut map = serializer.serialize_map(None)?;
        match transcript.header.json_fields.as_ref().filter(|_| own) {
            Some(fields) => {
                for (key, value) in fields.iter().filter(|(key, _)| *key != LIST_KEY) {
                    map.serialize_entry(key, value)?;
                }
            }
            None if own => {}
            None => map.serialize_entry("version", VERSION)?,
        }
        map.serialize_entry(LIST_KEY, &Records(transcript))?;
        map.end()
    }
}

/// Whether two texts differ only in their white space: one word per record
/// cannot hold a line break or the space before a punctuation word, which
/// are presentation; the words are what the format keeps.
fn same_words(a: &str, b: &str) -> bool {
    let letters = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>();
    letters(a) == letters(b)
}

/// The record list.
struct Records<'a>(&'a Transcript);

impl Serialize for Records<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let transcript = self.0;
        let own = transcript.format == Format::PodcastJson;
        let whole_bare = own && transcript.header.json_whole_secs_bare;
        let mut seq = serializer.serialize_seq(None)?;
        for segment in &transcript.segments {
            let speaker = transcript.speaker_name(segment.speaker);
            let as_words = own
                && transcript.header.words_as_segments
                && !segment.words.is_empty()
                && segment.words.iter().all(|w| w.start_ms.is_some())
                && same_words(&join_words(&segment.words), &segment.text);
            if as_words {
                for word in &segment.words {
                    seq.serialize_element(&RecordOut {
                        speaker,
                        start_ms: word.start_ms.map_or(segment.start_ms, u64::from),
                        end_ms: word.end_ms.map(u64::from),
                        body: &word.text,
                        fields: None,
                        whole_bare,
                    })?;
                }
                continue;
            }
            let fields = segment
                .extra
                .as_ref()
                .and_then(|extra| extra.json_fields.as_ref())
                .filter(|_| own);
            seq.serialize_element(&RecordOut {
                speaker,
                start_ms: segment.start_ms,
                end_ms: Some(segment.end_ms).filter(|_| !(own && segment.end_derived)),
                body: &segment.text,
                fields,
                whole_bare,
            })?;
        }
        seq.end()
    }
}

/// One written record.
struct RecordOut<'a> {
    speaker: &'a str,
    start_ms: u64,
    end_ms: Option<u64>,
    body: &'a str,
    fields: Option<&'a Map<String, Value>>,
    /// Whole seconds go out as `4`, not `4.0`.
    whole_bare: bool,
}

/// A time in seconds as a JSON number: a whole second without a fraction
/// when `whole_bare`.
struct Secs {
    ms: u64,
    whole_bare: bool,
}

impl Serialize for Secs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.whole_bare && self.ms.is_multiple_of(1000) {
            serializer.serialize_u64(self.ms / 1000)
        } else {
            serializer.serialize_f64(secs_from_ms(self.ms))
        }
    }
}

impl Serialize for RecordOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if !self.speaker.is_empty() {
            map.serialize_entry("speaker", self.speaker)?;
        }
        let secs = |ms| Secs {
            ms,
            whole_bare: self.whole_bare,
        };
        map.serialize_entry("startTime", &secs(self.start_ms))?;
        if let Some(end_ms) = self.end_ms {
            map.serialize_entry("endTime", &secs(end_ms))?;
        }
        map.serialize_entry("body", self.body)?;
        for (key, value) in self.fields.into_iter().flatten() {
            if !KNOWN_FIELDS.contains(&key.as_str()) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &Transcript) -> Vec<(&str, u64, u64, usize)> {
        t.segments
            .iter()
            .map(|s| (s.text.as_str(), s.start_ms, s.end_ms, s.words.len()))
            .collect()
    }

    #[test]
    fn tab_indented_and_one_line_files_keep_their_layout() {
        for text in [
            "{\n\t\"version\": \"1.0.0\",\n\t\"segments\": [\n\t\t{\n\t\t\t\"startTime\": 1.5,\n\t\t\t\"endTime\": 2.5,\n\t\t\t\"body\": \"Hi there.\"\n\t\t}\n\t]\n}\n",
            "{\"version\":\"1.0.0\",\"segments\":[{\"startTime\":1.5,\"endTime\":2.5,\"body\":\"Hi there.\"}]}\n",
            "{\"version\":\"1.0.0\",\"segments\":[{\"startTime\":1,\"endTime\":2.5,\"body\":\"Hi.\"},{\"startTime\":3,\"endTime\":4,\"body\":\"Bye.\"}]}\n",
            "{\"version\":\"1.0.0\",\"segments\":[{\"startTime\":1.0,\"endTime\":2.5,\"body\":\"Hi.\"}]}\n",
        ] {
            let t = parse(text).expect("parses");
            assert_eq!(write(&t), text);
        }
        let canonical =
            parse("{\n  \"segments\": [{\"startTime\": 1, \"body\": \"a b\"}]\n}").expect("parses");
        assert_eq!(canonical.header.json_indent, None);
    }

    #[test]
    fn records_map_to_segments() {
        let text = r#"{"version": "1.0.0", "segments": [
  {"speaker": "Ana", "startTime": 1.4, "endTime": 3.725, "body": "Hello there, friends."},
  {"speaker": "Bo", "startTime": 4, "body": "Two\nlines", "confidence": 0.5},
  {"startTime": 9.5, "body": "Last one here"}
]}"#;
        let t = parse(text).expect("parses");
        assert_eq!(t.speakers, vec!["Ana", "Bo"]);
        let got: Vec<_> = t
            .segments
            .iter()
            .map(|s| {
                (
                    s.start_ms,
                    s.end_ms,
                    s.end_derived,
                    s.speaker,
                    s.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    1_400,
                    3_725,
                    false,
                    Some(SpeakerId(0)),
                    "Hello there, friends."
                ),
                (4_000, 9_500, true, Some(SpeakerId(1)), "Two\nlines"),
                (9_500, 9_500, true, None, "Last one here"),
            ]
        );
        let extra = t.segments[1]
            .extra
            .as_ref()
            .and_then(|e| e.json_fields.as_ref());
        assert_eq!(
            extra.and_then(|f| f.get("confidence")),
            Some(&serde_json::json!(0.5))
        );
        assert!(!t.header.words_as_segments);
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    }

    #[test]
    fn one_word_records_are_grouped_into_sentences_and_turns() {
        let text = r#"{"version": "1.0.0", "segments": [
{"speaker": "A", "startTime": 0.0, "endTime": 0.3, "body": "Hi"},
{"speaker": "A", "startTime": 0.3, "endTime": 0.6, "body": "there."},
{"speaker": "A", "startTime": 1.0, "endTime": 1.2, "body": "Next"},
{"speaker": "A", "startTime": 1.2, "endTime": 1.4, "body": "one."},
{"speaker": "A", "startTime": 1.4, "endTime": 1.6, "body": "Same"},
{"speaker": "B", "startTime": 1.6, "endTime": 1.9, "body": "Other"},
{"speaker": "B", "startTime": 4.0, "endTime": 4.2, "body": "later"},
{"speaker": "B", "startTime": 4.2, "body": ","},
{"speaker": "B", "startTime": 4.5, "endTime": 4.8, "body": "ok"}
]}"#;
        let t = parse(text).expect("parses");
        assert!(t.header.words_as_segments);
        assert_eq!(
            words(&t),
            vec![
                ("Hi there.", 0, 600, 2),
                ("Next one. Same", 1_000, 1_600, 3),
                ("Other", 1_600, 1_900, 1),
                ("later, ok", 4_000, 4_800, 3),
            ]
        );
        assert_eq!(t.segments[3].words[1].end_ms, None);
        assert_eq!(write(&t).matches("\"body\"").count(), 9);
        assert!(!write(&t).contains("\"endTime\": 4.5"));
    }

    #[test]
    fn bad_records_are_skipped_with_their_line() {
        let text = "{\"segments\": [\n{\"startTime\": 1, \"body\": \"a\"},\n{\"startTime\": \"soon\", \"body\": \"b\"},\n7,\n{\"startTime\": 2, \"body\": 3},\n{\"startTime\": 3, \"endTime\": [], \"body\": \"c d\"}\n]}";
        let t = parse(text).expect("parses");
        assert_eq!(t.segments.len(), 2);
        let lines: Vec<usize> = t.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
        assert!(t.warnings[0].message.contains("startTime"));
        assert!(t.warnings[2].message.contains("body"));
    }

    #[test]
    fn nothing_usable_fails_at_the_first_bad_record() {
        let err = parse("{\"segments\": [\n{\"body\": \"no time\"}\n]}")
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.expected.starts_with("expected a number \"startTime\""),
            "{err:?}"
        );
        let err = parse("{\"version\": \"1.0.0\"}").map(|_| ()).unwrap_err();
        assert_eq!((err.line, err.expected.as_str()), (1, SHAPE));
        let err = parse("{\"segments\": {}}").map(|_| ()).unwrap_err();
        assert_eq!((err.line, err.expected.as_str()), (1, SHAPE));
        let err = parse("{\"segments\": []}").map(|_| ()).unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn canonical_output_round_trips_byte_for_byte() {
        let canonical = "{\n  \"version\": \"1.0.0\",\n  \"segments\": [\n    {\n      \"speaker\": \"Speaker A\",\n      \"startTime\": 1.4,\n      \"endTime\": 3.725,\n      \"body\": \"You're now plugged in.\"\n    },\n    {\n      \"startTime\": 5.265,\n      \"endTime\": 48.309,\n      \"body\": \"Hey guys.\"\n    }\n  ]\n}\n";
        let t = parse(canonical).expect("parses");
        assert_eq!(write(&t), canonical);
    }

    #[test]
    fn other_formats_get_canonical_output() {
        let mut t = Transcript::new(Format::Srt);
        let ana = t.intern_speaker("Ana");
        t.segments.push(Segment {
            start_ms: 0,
            end_ms: 1_500,
            end_derived: true,
            speaker: ana,
            text: "a \"quoted\" word".to_owned(),
            ..Segment::default()
        });
        assert_eq!(
            write(&t),
            "{\n  \"version\": \"1.0.0\",\n  \"segments\": [\n    {\n      \"speaker\": \"Ana\",\n      \"startTime\": 0.0,\n      \"endTime\": 1.5,\n      \"body\": \"a \\\"quoted\\\" word\"\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn edited_word_segments_are_written_whole() {
        let text = r#"{"segments": [{"startTime": 0, "endTime": 0.2, "body": "Hi"}, {"startTime": 0.2, "endTime": 0.5, "body": "you"}]}"#;
        let mut t = parse(text).expect("parses");
        assert_eq!(t.segments.len(), 1);
        t.segments[0].text = "Hi all".to_owned();
        let again = parse(&write(&t)).expect("parses");
        assert_eq!(again.segments.len(), 1);
        assert_eq!(again.segments[0].text, "Hi all");
        assert!(again.segments[0].words.is_empty());
    }
}
