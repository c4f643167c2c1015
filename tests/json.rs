//! The JSON transcript formats through the public API: detection, parsing,
//! warnings and failures by line, and Podcasting 2.0 write-back.

use earmark::transcript::{Format, Transcript, parse_bytes, write_string};

#[path = "support/summary.rs"]
mod summary;
use summary::segments;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/json/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> Transcript {
    parse_bytes(fixture(name), None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (text, start ms, end ms, confidence) of a word.
type TimedWord<'a> = (&'a str, Option<u64>, Option<u64>, Option<f32>);

fn warning_lines(t: &Transcript) -> Vec<usize> {
    t.warnings.iter().map(|w| w.line).collect()
}

type Expected = (
    &'static str,
    Format,
    &'static [(u64, u64, &'static str, &'static str)],
    &'static [usize],
);

const FILES: &[Expected] = &[
    (
        "podcast_canonical.json",
        Format::PodcastJson,
        &[
            (1_400, 3_725, "Speaker A", "You're now plugged in: yes."),
            (5_265, 48_309, "Speaker B", "Hey guys.\nSecond line."),
            (50_000, 51_500, "", "No speaker here."),
        ],
        &[],
    ),
    (
        "podcast_words.json",
        Format::PodcastJson,
        &[
            (500, 2_000, "Darth Vader", "I am your father."),
            (2_500, 3_500, "Luke Skywalker", "No, no."),
        ],
        &[],
    ),
    (
        "podcast_extra_fields.json",
        Format::PodcastJson,
        &[
            (0, 2_000, "Ana", "First, with an id."),
            (2_500, 4_250, "Bo", "Second has no end."),
            (4_250, 5_000, "", "Third."),
        ],
        &[],
    ),
    (
        "podcast_bad_records.json",
        Format::PodcastJson,
        &[
            (1_000, 2_000, "", "good one"),
            (5_000, 6_000, "", "speaker is a number"),
        ],
        &[5, 6, 7, 8],
    ),
    (
        "podcast_truncated.json",
        Format::PodcastJson,
        &[
            (1_000, 2_000, "A", "kept"),
            (3_000, 4_000, "B", "also kept"),
        ],
        &[6],
    ),
    (
        "whisper_openai.json",
        Format::WhisperJson,
        &[
            (0, 1_500, "", "Hello there."),
            (1_500, 3_000, "", "How are you?"),
        ],
        &[],
    ),
    (
        "whispercpp_diarize.json",
        Format::WhisperCppJson,
        &[
            (0, 3_240, "Speaker 0", "And so my fellow Americans,"),
            (
                3_240,
                8_000,
                "Speaker 1",
                "ask not what your country can do for you.",
            ),
            (8_000, 11_000, "", "Thank you."),
        ],
        &[],
    ),
    (
        "whispercpp_tinydiarize.json",
        Format::WhisperCppJson,
        &[
            (0, 2_500, "Speaker 0", "Are you there?"),
            (2_500, 4_000, "", "Yes, I am."),
        ],
        &[],
    ),
    (
        "whisperx.json",
        Format::WhisperxJson,
        &[
            (31, 2_954, "SPEAKER_00", "It costs 20 dollars."),
            (3_500, 4_250, "SPEAKER_01", "Really?"),
        ],
        &[],
    ),
];

#[test]
fn fixtures_detect_and_parse() {
    for &(name, format, expected, lines) in FILES {
        let t = read(name);
        assert_eq!(t.format, format, "{name}");
        assert_eq!(segments(&t), expected, "{name}");
        assert_eq!(warning_lines(&t), lines, "{name}: {:?}", t.warnings);
    }
}

#[test]
fn podcast_files_round_trip_through_the_writer() {
    for &(name, format, _, _) in FILES {
        let t = read(name);
        let written = write_string(&t, Format::PodcastJson).expect("writable");
        let again = parse_bytes(written.clone().into_bytes(), None).expect("reads back");
        assert_eq!(again.format, Format::PodcastJson, "{name}");
        if format == Format::PodcastJson {
            assert_eq!(again.segments, t.segments, "{name}");
            assert_eq!(again.speakers, t.speakers, "{name}");
            assert_eq!(again.header, t.header, "{name}");
            // Written by us: canonical, so a second write is byte-identical.
            assert_eq!(
                write_string(&again, Format::PodcastJson).ok(),
                Some(written)
            );
        } else {
            assert_eq!(segments(&again), segments(&t), "{name}");
        }
    }
}

#[test]
fn canonical_podcast_file_is_written_back_byte_for_byte() {
    let bytes = fixture("podcast_canonical.json");
    let t = parse_bytes(bytes.clone(), None).expect("parses");
    let written = write_string(&t, Format::PodcastJson).expect("writable");
    assert_eq!(written.as_bytes(), bytes.as_slice());
}

#[test]
fn word_records_keep_their_times_and_are_written_one_per_record() {
    let t = read("podcast_words.json");
    assert!(t.header.words_as_segments);
    let words: Vec<(&str, Option<u64>, Option<u64>)> = t.segments[1]
        .words
        .iter()
        .map(|w| (&*w.text, w.start_ms.map(u64::from), w.end_ms.map(u64::from)))
        .collect();
    assert_eq!(
        words,
        vec![
            ("No", Some(2_500), Some(2_750)),
            (",", Some(2_750), None),
            ("no.", Some(3_000), Some(3_500)),
        ]
    );
    let written = write_string(&t, Format::PodcastJson).expect("writable");
    assert_eq!(written.matches("\"body\"").count(), 7);
    assert_eq!(written.matches("\"endTime\"").count(), 6);
}

#[test]
fn unmapped_fields_and_missing_ends_survive_write_back() {
    let t = read("podcast_extra_fields.json");
    let written = write_string(&t, Format::PodcastJson).expect("writable");
    let value: serde_json::Value = serde_json::from_str(&written).expect("valid JSON");
    assert_eq!(value["generator"], "hand");
    assert_eq!(value["segments"][0]["id"], "s1");
    assert_eq!(value["segments"][1].get("endTime"), None);
    assert_eq!(value["segments"][2]["style"]["bold"], true);
    let keys: Vec<&str> = value["segments"][0]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, vec!["speaker", "startTime", "endTime", "body", "id"]);
}

#[test]
fn converted_transcripts_get_a_version_and_every_end_time() {
    let t = read("whispercpp_tinydiarize.json");
    let written = write_string(&t, Format::PodcastJson).expect("writable");
    assert!(written.starts_with("{\n  \"version\": \"1.0.0\",\n  \"segments\": ["));
    assert!(!written.contains("systeminfo"));
    assert_eq!(written.matches("\"endTime\"").count(), 2);
}

#[test]
fn whisper_words_keep_times_and_confidence() {
    let t = read("whisper_openai.json");
    let words: Vec<TimedWord<'_>> = t.segments[1]
        .words
        .iter()
        .map(|w| {
            (
                &*w.text,
                w.start_ms.map(u64::from),
                w.end_ms.map(u64::from),
                w.confidence,
            )
        })
        .collect();
    assert_eq!(
        words,
        vec![
            ("How", Some(1_500), Some(1_800), Some(0.9)),
            ("are", Some(1_800), Some(2_100), Some(0.95)),
            ("you?", Some(2_100), Some(3_000), Some(0.5)),
        ]
    );
    let header = t.header.json_fields.as_ref().expect("top-level fields");
    let keys: Vec<&str> = header.keys().map(String::as_str).collect();
    assert_eq!(keys, vec!["text", "language"]);
}

#[test]
fn whisperx_numerals_have_no_times_and_word_segments_are_not_kept() {
    let t = read("whisperx.json");
    let numeral = &t.segments[0].words[2];
    assert_eq!(
        (
            &*numeral.text,
            numeral.start_ms,
            numeral.end_ms,
            numeral.confidence
        ),
        ("20", None, None, None)
    );
    assert_eq!(t.segments[0].words[0].confidence, Some(0.912));
    let header = t.header.json_fields.as_ref().expect("top-level fields");
    let keys: Vec<&str> = header.keys().map(String::as_str).collect();
    assert_eq!(keys, vec!["language"]);
}

#[test]
fn whisper_formats_are_read_only() {
    let t = read("whisperx.json");
    assert!(write_string(&t, Format::WhisperxJson).is_err());
}

#[test]
fn failures_name_what_was_expected_and_where() {
    let cases: &[(&str, Option<Format>, usize, &str)] = &[
        ("podcast_invalid.json", None, 5, "expected valid JSON ("),
        (
            "podcast_wrong_shape.json",
            Some(Format::PodcastJson),
            3,
            "expected a \"segments\" array of {startTime, body}",
        ),
        ("podcast_wrong_shape.json", None, 1, "expected a transcript"),
        ("not_a_transcript.json", None, 1, "expected a transcript"),
    ];
    for &(name, format, line, expected) in cases {
        let err = parse_bytes(fixture(name), format)
            .map(|_| ())
            .expect_err(name);
        assert_eq!(err.line, line, "{name}: {err}");
        assert!(err.expected.starts_with(expected), "{name}: {err}");
    }
}

#[test]
fn naming_the_format_skips_detection() {
    let err = parse_bytes(
        fixture("podcast_canonical.json"),
        Some(Format::WhisperCppJson),
    )
    .map(|_| ())
    .expect_err("no transcription list");
    assert_eq!(err.line, 1);
    assert!(err.expected.contains("\"transcription\""), "{err}");
}
