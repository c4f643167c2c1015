//! openai/whisper and WhisperX JSON, read only:
//!
//! ```text
//! {"text": " Hi.", "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 1.2, "text": " Hi.",
//!   "tokens": [...], "no_speech_prob": 0.01, "words": [{"word": " Hi.", "start": 0.0, "end": 1.2, "probability": 0.9}]}],
//!  "language": "en"}
//! {"segments": [{"start": 0.0, "end": 1.2, "text": " Hi.", "speaker": "SPEAKER_00",
//!   "words": [{"word": "Hi.", "start": 0.0, "end": 1.2, "score": 0.9, "speaker": "SPEAKER_00"}]}],
//!  "word_segments": [...]}
//! ```
//!
//! Text is trimmed (whisper starts it with a space). Word confidence is
//! whisper's `probability` or WhisperX's `score`; WhisperX words without times
//! (often numerals) keep no times. A segment without `start`/`end` takes them
//! from its timed words. Per-record fields (`tokens`, `avg_logprob`...) are not
//! kept: nothing writes these formats, and `tokens` alone would take several
//! times the file's size in memory. WhisperX's `word_segments` repeats the
//! segments' words and is skipped; other top-level fields are kept.

use serde_json::Value;

use super::super::error::ParseFailure;
use super::super::format::Format;
use super::super::model::{Segment, Transcript, Word, word_ms};
use super::{ms_from_value, nothing_usable, walk};

const SHAPE: &str = "expected a \"segments\" array of {start, end, text}";

/// Parses openai/whisper (`format` WhisperJson) or WhisperX JSON.
pub(super) fn parse(text: &str, format: Format) -> Result<Transcript, ParseFailure> {
    let mut transcript = Transcript::new(format);
    let walked = walk(
        text,
        "segments",
        &["word_segments"],
        SHAPE,
        &mut transcript,
        |transcript, value, line| match segment(transcript, value, line) {
            Ok(segment) => transcript.push(segment, line),
            Err(message) => transcript.warn(line, message),
        },
    )?;
    if transcript.segments.is_empty() {
        return Err(nothing_usable(
            &transcript,
            "expected at least one record in \"segments\"",
        ));
    }
    if !walked.header.is_empty() {
        transcript.header.json_fields = Some(walked.header);
    }
    Ok(transcript)
}

fn segment(transcript: &mut Transcript, value: Value, line: usize) -> Result<Segment, String> {
    let Value::Object(mut fields) = value else {
        return Err("skipped: expected a segment object {start, end, text}".to_owned());
    };
    let (words, word_speaker) = match fields.shift_remove("words") {
        Some(Value::Array(words)) => read_words(transcript, words, line),
        _ => (Vec::new(), None),
    };
    let text = match fields.get("text") {
        Some(Value::String(text)) => text.trim().to_owned(),
        _ if !words.is_empty() => super::podcast::join_words(&words),
        _ => return Err("skipped: expected a string \"text\"".to_owned()),
    };
    let start_ms = fields
        .get("start")
        .and_then(ms_from_value)
        .or_else(|| words.iter().find_map(|w| w.start_ms).map(u64::from))
        .ok_or("skipped: expected a number \"start\" in seconds")?;
    let (end_ms, end_derived) = match fields
        .get("end")
        .and_then(ms_from_value)
        .or_else(|| words.iter().rev().find_map(|w| w.end_ms).map(u64::from))
    {
        Some(end_ms) => (end_ms, false),
        None => (start_ms, true),
    };
    // WhisperX leaves a segment's speaker out when the diarization did not
    // overlap it but may still have put one on its words.
    let speaker = match fields.get("speaker") {
        Some(Value::String(name)) => Some(name.as_str()),
        _ => word_speaker.as_deref(),
    }
    .and_then(|name| transcript.intern_speaker(name));
    Ok(Segment {
        start_ms,
        end_ms,
        end_derived,
        speaker,
        text,
        words,
        ..Segment::default()
    })
}

/// The segment's words, and the first speaker named on one of them.
fn read_words(
    transcript: &mut Transcript,
    words: Vec<Value>,
    line: usize,
) -> (Vec<Word>, Option<String>) {
    let mut out = Vec::with_capacity(words.len());
    let mut speaker = None;
    let mut skipped = 0;
    for word in words {
        let Value::Object(word) = word else {
            skipped += 1;
            continue;
        };
        let Some(text) = word
            .get("word")
            .or_else(|| word.get("text"))
            .and_then(Value::as_str)
        else {
            skipped += 1;
            continue;
        };
        let confidence = word
            .get("probability")
            .or_else(|| word.get("score"))
            .and_then(Value::as_f64)
            .map(|c| c as f32);
        if speaker.is_none()
            && let Some(name) = word.get("speaker").and_then(Value::as_str)
        {
            speaker = Some(name.to_owned());
        }
        out.push(Word {
            text: text.trim().into(),
            start_ms: word.get("start").and_then(ms_from_value).and_then(word_ms),
            end_ms: word.get("end").and_then(ms_from_value).and_then(word_ms),
            confidence,
        });
    }
    if skipped > 0 {
        transcript.warn(
            line,
            format!("skipped {skipped} of the segment's words: expected {{word, start, end}}"),
        );
    }
    (out, speaker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_without_times_take_them_from_their_words() {
        let text = "{\"segments\": [\n{\"text\": \" 3 cats\", \"words\": [{\"word\": \"3\"}, {\"word\": \"cats\", \"start\": 1.25, \"end\": 1.5, \"score\": 0.75, \"speaker\": \"SPEAKER_01\"}, 5]},\n{\"words\": []},\n{\"start\": 2, \"text\": \" open end\"}\n], \"word_segments\": [{\"word\": \"3\"}]}";
        let t = parse(text, Format::WhisperxJson).expect("parses");
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
                (1_250, 1_500, false, "SPEAKER_01", "3 cats"),
                (2_000, 2_000, true, "", "open end"),
            ]
        );
        assert_eq!(t.segments[0].words[0].start_ms, None);
        assert_eq!(t.segments[0].words[1].confidence, Some(0.75));
        let warnings: Vec<(usize, &str)> = t
            .warnings
            .iter()
            .map(|w| (w.line, w.message.as_str()))
            .collect();
        assert_eq!(
            warnings,
            vec![
                (
                    2,
                    "skipped 1 of the segment's words: expected {word, start, end}"
                ),
                (3, "skipped: expected a string \"text\""),
            ]
        );
        assert_eq!(t.header.json_fields, None);
    }
}
