//! Property tests: every format Earmark writes reads back to the same model,
//! and a canonical file (what the writer produces) written back is
//! byte-identical. Transcripts are generated with unicode, empty speakers,
//! long and multi-line text, zero-length and overlapping segments.

use earmark::transcript::{self, Format, Segment, Transcript, Word, word_ms};
use proptest::prelude::*;

/// The formats that keep every field the model has (times to the ms,
/// speakers, text, segment boundaries).
const LOSSLESS: [Format; 4] = [Format::Range, Format::Srt, Format::Vtt, Format::PodcastJson];

/// What a round trip must keep: times, speaker name, display text, word times.
type Projection = Vec<(
    u64,
    u64,
    bool,
    String,
    String,
    Vec<(String, Option<u64>, Option<u64>)>,
)>;

fn project(t: &Transcript) -> Projection {
    t.segments
        .iter()
        .map(|s| {
            (
                s.start_ms,
                s.end_ms,
                s.end_derived,
                t.speaker_name(s.speaker).to_owned(),
                s.text.clone(),
                s.words
                    .iter()
                    .map(|w| {
                        (
                            w.text.to_string(),
                            w.start_ms.map(u64::from),
                            w.end_ms.map(u64::from),
                        )
                    })
                    .collect(),
            )
        })
        .collect()
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,12}",
        "[a-z]{1,6}[,.?!]",
        Just("café".to_owned()),
        Just("naïve—really".to_owned()),
        Just("日本語".to_owned()),
        Just("Привет".to_owned()),
        Just("🎙️".to_owned()),
        Just("50%".to_owned()),
        Just("it's".to_owned()),
        Just("note:".to_owned()),
        Just("10:30".to_owned()),
        Just("[laughs]".to_owned()),
        Just("a<b & c>d".to_owned()),
        Just("-->".to_owned()),
        Just("\"quoted\"".to_owned()),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..30).prop_map(|w| w.join(" "))
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => line(),
        1 => prop::collection::vec(line(), 2..4).prop_map(|l| l.join("\n")),
        1 => prop::collection::vec(word(), 200..400).prop_map(|w| w.join(" ")),
    ]
}

fn speaker() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Speaker A".to_owned()),
        Just("Speaker B".to_owned()),
        Just("José María".to_owned()),
        Just("Macedo, Jr.".to_owned()),
        Just("李".to_owned()),
    ]
}

prop_compose! {
    fn transcript()(records in prop::collection::vec(
        (0u64..5_000, 0u64..20_000, speaker(), text(), any::<bool>()), 1..25)
    ) -> Transcript {
        let mut t = Transcript::new(Format::Range);
        let mut start_ms = 0;
        for (gap_ms, len_ms, name, text, overlap) in records {
            start_ms = if overlap { start_ms + gap_ms / 10 } else { start_ms + gap_ms };
            let speaker = t.intern_speaker(&name);
            t.segments.push(Segment {
                start_ms,
                end_ms: start_ms + if len_ms % 7 == 0 { 0 } else { len_ms },
                speaker,
                text,
                ..Segment::default()
            });
        }
        t
    }
}

fn write(t: &Transcript, format: Format) -> String {
    transcript::write_string(t, format).expect("writable")
}

fn read(text: &str, format: Format) -> Transcript {
    transcript::parse_bytes(text.as_bytes().to_vec(), None).unwrap_or_else(|e| {
        panic!("{format} output does not read back: {e}\n{text}");
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lossless_formats_read_back_the_same_model(model in transcript()) {
        for format in LOSSLESS {
            let written = write(&model, format);
            let parsed = read(&written, format);
            prop_assert_eq!(parsed.format, format, "detected as written");
            prop_assert_eq!(project(&parsed), project(&model), "{} round trip:\n{}", format, written);
            prop_assert_eq!(write(&parsed, format), written, "{} canonical write-back", format);
        }
    }
}

prop_compose! {
    /// A transcript whose segments carry contiguous word times, as VTT inline
    /// timestamps express them (each word ends where the next starts).
    fn timed_words()(records in prop::collection::vec(
        (0u64..3_000, prop::collection::vec((word().prop_filter("one word", |w| !w.contains(char::is_whitespace)), 1u64..900), 1..12), speaker()), 1..10)
    ) -> Transcript {
        let mut t = Transcript::new(Format::Range);
        let mut start_ms = 0;
        for (gap_ms, words, name) in records {
            start_ms += gap_ms;
            let speaker = t.intern_speaker(&name);
            let mut at_ms = start_ms;
            let words: Vec<Word> = words
                .into_iter()
                .map(|(text, len_ms)| {
                    let word = Word { text: text.into(), start_ms: word_ms(at_ms), end_ms: word_ms(at_ms + len_ms), confidence: None };
                    at_ms += len_ms;
                    word
                })
                .collect();
            let text = words.iter().map(|w| &*w.text).collect::<Vec<_>>().join(" ");
            t.segments.push(Segment { start_ms, end_ms: at_ms, speaker, text, words, ..Segment::default() });
            start_ms = at_ms;
        }
        t
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn vtt_keeps_word_times(model in timed_words()) {
        let written = write(&model, Format::Vtt);
        let parsed = read(&written, Format::Vtt);
        prop_assert_eq!(project(&parsed), project(&model), "vtt words:\n{}", written);
        prop_assert_eq!(write(&parsed, Format::Vtt), written);
    }
}
