//! whisper.cpp JSON (`-oj`, `-ojf`), read only:
//!
//! ```text
//! {"systeminfo": "...", "model": {...}, "params": {...}, "result": {"language": "en"},
//!  "transcription": [{"timestamps": {"from": "00:00:00,000", "to": "00:00:02,000"},
//!                     "offsets": {"from": 0, "to": 2000}, "text": " Hi.", "speaker": "0"}]}
//! ```
//!
//! Times come from `offsets` (integer ms), else from the `timestamps` strings.
//! Speakers: `--diarize` writes `"speaker": "0"` (`"?"` when unsure), which
//! becomes `Speaker 0`; a `(speaker 0)` or `<v Speaker0>` prefix in the text
//! names the speaker too and is removed, as is tinydiarize's ` [SPEAKER_TURN]`
//! (the text as written is kept as `raw`). Tinydiarize's turns carry no
//! identity, so they assign no speaker. Per-record fields (`tokens`...) are not
//! kept; the top-level `systeminfo`, `model`, `params` and `result` are.

use serde_json::Value;

use super::super::error::ParseFailure;
use super::super::format::Format;
use super::super::model::{Segment, Transcript};
use super::super::time::parse_timestamp;
use super::{nothing_usable, walk};

const SHAPE: &str = "expected a \"transcription\" array of {offsets, text}";
/// Tinydiarize's end-of-turn marker.
const TURN_MARKER: &str = "[SPEAKER_TURN]";

/// Parses a whisper.cpp JSON file.
pub(super) fn parse(text: &str) -> Result<Transcript, ParseFailure> {
    let mut transcript = Transcript::new(Format::WhisperCppJson);
    let walked = walk(
        text,
        "transcription",
        &[],
        SHAPE,
        &mut transcript,
        |transcript, value, line| match segment(transcript, &value) {
            Ok(segment) => transcript.push(segment, line),
            Err(message) => transcript.warn(line, message),
        },
    )?;
    if transcript.segments.is_empty() {
        return Err(nothing_usable(
            &transcript,
            "expected at least one record in \"transcription\"",
        ));
    }
    if !walked.header.is_empty() {
        transcript.header.json_fields = Some(walked.header);
    }
    Ok(transcript)
}

/// A time from `offsets.<key>` (ms) or `timestamps.<key>` (`HH:MM:SS,mmm`).
fn time_ms(record: &Value, key: &str) -> Option<u64> {
    let from_offsets = record
        .get("offsets")
        .and_then(|o| o.get(key))
        .and_then(|ms| {
            ms.as_u64()
                .or_else(|| ms.as_f64().map(|f| f.max(0.0).round() as u64))
        });
    from_offsets.or_else(|| {
        let stamp = record.get("timestamps")?.get(key)?.as_str()?.trim();
        parse_timestamp(stamp.as_bytes())
            .filter(|t| t.len == stamp.len())
            .map(|t| t.ms)
    })
}

fn segment(transcript: &mut Transcript, record: &Value) -> Result<Segment, String> {
    if !record.is_object() {
        return Err("skipped: expected a record object {offsets, text}".to_owned());
    }
    let start_ms = time_ms(record, "from")
        .ok_or("skipped: expected \"offsets\" {from, to} in ms or \"timestamps\"")?;
    let (end_ms, end_derived) = match time_ms(record, "to") {
        Some(end_ms) => (end_ms, false),
        None => (start_ms, true),
    };
    let written = record
        .get("text")
        .and_then(Value::as_str)
        .ok_or("skipped: expected a string \"text\"")?
        .trim();
    let (label, text) = split_markers(written);
    let field_speaker = match record.get("speaker") {
        Some(Value::String(id)) => Some(id.trim().to_owned()),
        Some(Value::Number(id)) => Some(id.to_string()),
        _ => None,
    }
    .filter(|id| !id.is_empty() && id != "?")
    .map(|id| format!("Speaker {id}"));
    let speaker = field_speaker
        .or(label)
        .and_then(|name| transcript.intern_speaker(&name));
    let raw = (text != written).then(|| written.to_owned());
    Ok(Segment {
        start_ms,
        end_ms,
        end_derived,
        speaker,
        text: text.to_owned(),
        raw,
        ..Segment::default()
    })
}

/// Removes the speaker prefix (`(speaker 0)`, `<v Name>`) and the turn marker,
/// returning the speaker's name, if any, and the text left.
fn split_markers(text: &str) -> (Option<String>, &str) {
    let mut text = text.strip_suffix(TURN_MARKER).unwrap_or(text).trim_end();
    let mut speaker = None;
    if let Some(rest) = text.strip_prefix("(speaker ")
        && let Some(close) = rest.find(')')
    {
        let id = rest[..close].trim();
        if id != "?" && !id.is_empty() {
            speaker = Some(format!("Speaker {id}"));
        }
        text = rest[close + 1..].trim_start();
    } else if let Some(rest) = text.strip_prefix("<v ")
        && let Some(close) = rest.find('>')
    {
        speaker = Some(rest[..close].trim().to_owned());
        text = rest[close + 1..].trim_start();
        text = text.strip_suffix("</v>").unwrap_or(text).trim_end();
    }
    (speaker, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_name_speakers_and_are_removed() {
        assert_eq!(
            split_markers("(speaker 1) Hi."),
            (Some("Speaker 1".to_owned()), "Hi.")
        );
        assert_eq!(split_markers("(speaker ?) Hi."), (None, "Hi."));
        assert_eq!(
            split_markers("<v Speaker0>Hi.</v>"),
            (Some("Speaker0".to_owned()), "Hi.")
        );
        assert_eq!(split_markers("Hi. [SPEAKER_TURN]"), (None, "Hi."));
        assert_eq!(split_markers("(speaker broken"), (None, "(speaker broken"));
    }

    #[test]
    fn records_map_to_segments() {
        let text = r#"{"systeminfo": "AVX = 1", "model": {"type": "base"}, "result": {"language": "en"},
"transcription": [
 {"timestamps": {"from": "00:00:00,000", "to": "00:00:02,500"}, "offsets": {"from": 0, "to": 2500}, "text": " Hello there. [SPEAKER_TURN]", "speaker_turn_next": true},
 {"timestamps": {"from": "00:00:02,500", "to": "00:00:04,000"}, "text": " (speaker 1) Hi.", "speaker": "1"},
 {"offsets": {"from": 4000}, "text": " Bye."},
 {"text": " no time"}
]}"#;
        let t = parse(text).expect("parses");
        let got: Vec<_> = t
            .segments
            .iter()
            .map(|s| {
                (
                    s.start_ms,
                    s.end_ms,
                    s.end_derived,
                    t.speaker_name(s.speaker),
                    s.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 2_500, false, "", "Hello there."),
                (2_500, 4_000, false, "Speaker 1", "Hi."),
                (4_000, 4_000, true, "", "Bye."),
            ]
        );
        assert_eq!(
            t.segments[0].raw.as_deref(),
            Some("Hello there. [SPEAKER_TURN]")
        );
        assert_eq!(t.warnings.len(), 1);
        assert_eq!(t.warnings[0].line, 6);
        let keys: Vec<&str> = t
            .header
            .json_fields
            .iter()
            .flat_map(|f| f.keys())
            .map(String::as_str)
            .collect();
        assert_eq!(keys, vec!["systeminfo", "model", "result"]);
    }
}
