//! SubRip through the public API: each fixture in `tests/fixtures/srt/` is one
//! real-world trap, detected and parsed from bytes, checked segment by segment,
//! then written back.

use earmark::transcript::{Format, Segment, Transcript, parse_bytes, parse_str, write_string};

/// What one fixture must parse to.
struct Case {
    file: &'static str,
    /// (start_ms, end_ms) per segment.
    times: &'static [(u64, u64)],
    speakers: &'static [&'static str],
    texts: &'static [&'static str],
    warning_lines: &'static [usize],
    /// Written back as SRT: `Same` for byte-identical, or the exact text.
    written: Written,
}

enum Written {
    Same,
    As(&'static str),
}

const CASES: &[Case] = &[
    Case {
        file: "canonical.srt",
        times: &[(1_000, 2_500), (2_500, 4_000), (4_000, 5_000)],
        speakers: &["Anna", "Bob", "Anna"],
        texts: &[
            "Welcome to the show.",
            "Thanks for having me.\nIt is good to be here.",
            "Great.",
        ],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "bom_crlf.srt",
        times: &[(1_000, 2_000), (2_000, 3_000)],
        speakers: &["", ""],
        texts: &["First line.", "Second line."],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "cr_only.srt",
        times: &[(1_000, 2_000), (2_000, 3_000)],
        speakers: &["", ""],
        texts: &["Old Mac line ends.", "Still fine."],
        warning_lines: &[],
        written: Written::As(
            "1\n00:00:01,000 --> 00:00:02,000\nOld Mac line ends.\n\n2\n00:00:02,000 --> 00:00:03,000\nStill fine.\n\n",
        ),
    },
    Case {
        file: "missing_blank_lines.srt",
        times: &[(1_000, 2_000), (2_000, 3_000), (3_000, 4_000)],
        speakers: &["", "", ""],
        texts: &["One.", "Two.", "Three."],
        warning_lines: &[],
        written: Written::As(
            "1\n00:00:01,000 --> 00:00:02,000\nOne.\n\n2\n00:00:02,000 --> 00:00:03,000\nTwo.\n\n00:00:03,000 --> 00:00:04,000\nThree.\n",
        ),
    },
    Case {
        file: "extra_blank_lines.srt",
        times: &[(1_000, 2_000), (2_000, 3_000)],
        speakers: &["", ""],
        texts: &["One,\ncontinued after a blank line.", "Two."],
        warning_lines: &[],
        written: Written::As(
            "1\n00:00:01,000 --> 00:00:02,000\nOne,\n\ncontinued after a blank line.\n\n2\n00:00:02,000 --> 00:00:03,000\nTwo.\n\n\n",
        ),
    },
    Case {
        file: "odd_indices.srt",
        times: &[
            (1_000, 2_000),
            (2_000, 3_000),
            (3_000, 4_000),
            (4_000, 5_000),
        ],
        speakers: &["", "", "", ""],
        texts: &[
            "Negative index.",
            "Decimal index.",
            "No index.",
            "Fourth, simple.",
        ],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "time_shapes.srt",
        times: &[(1_250, 2_500), (3_000, 4_000), (5_500, 6_750)],
        speakers: &["", "", ""],
        texts: &[
            "Dots, a spaced arrow, one digit.",
            "No millis.",
            "One and two digits.",
        ],
        warning_lines: &[],
        written: Written::As(
            "1\n00:00:01.250 --> 00:00:02.500\nDots, a spaced arrow, one digit.\n\n2\n00:00:03.000 --> 00:00:04.000\nNo millis.\n\n3\n00:00:05.500 --> 00:00:06.750\nOne and two digits.\n\n",
        ),
    },
    Case {
        file: "no_final_blank_line.srt",
        times: &[(1_000, 2_000), (2_000, 3_000)],
        speakers: &["", ""],
        texts: &["One.", "Last line, no newline."],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "coordinates.srt",
        times: &[(1_000, 2_000), (2_000, 3_000)],
        speakers: &["", ""],
        texts: &["Placed.", "Not placed."],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "tags.srt",
        times: &[(1_000, 2_000), (2_000, 3_000), (3_000, 4_000)],
        speakers: &["", "", ""],
        texts: &["On top", "Tom & Jerry\nbold", "I <3 plain text"],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "speakers_on_change.srt",
        times: &[
            (1_000, 2_000),
            (2_000, 3_000),
            (3_000, 4_000),
            (4_000, 5_000),
            (5_000, 6_000),
        ],
        speakers: &["Anna", "Anna", "Bob", "Bob", "Anna"],
        texts: &[
            "Hello.",
            "How are you?",
            "Fine, thanks.",
            "And you?",
            "Good.",
        ],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "speakers_whisperx.srt",
        times: &[(31, 2_000), (2_100, 3_000), (3_000, 4_000)],
        speakers: &["SPEAKER_00", "SPEAKER_01", "SPEAKER_00"],
        texts: &["So, welcome.", "Thank you.", "Right."],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "speakers_whispercpp.srt",
        times: &[(0, 2_000), (2_000, 3_000), (3_000, 4_000)],
        speakers: &["speaker 0", "speaker 1", ""],
        texts: &["Hello there.", "Hi.", "Who said that?"],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "chevrons.srt",
        times: &[(1_000, 2_000), (2_000, 3_000), (3_000, 4_000)],
        speakers: &["", "", ""],
        texts: &["Good evening.", "Here is the news.", "Thank you."],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "dashes.srt",
        times: &[
            (1_000, 2_000),
            (1_000, 2_000),
            (2_000, 3_000),
            (2_000, 3_000),
            (3_000, 4_000),
        ],
        speakers: &["", "", "", "", ""],
        texts: &[
            "Are you coming?",
            "In a minute.",
            "Tight dashes.",
            "Both speakers,\ncontinued.",
            "- One dash is just text.",
        ],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "note_colon.srt",
        times: &[
            (1_000, 2_000),
            (2_000, 3_000),
            (3_000, 4_000),
            (4_000, 5_000),
        ],
        speakers: &["", "", "", ""],
        texts: &[
            "Note: the door was open.",
            "Who opened it?",
            "At 10:30 nobody.",
            "Remember: nobody.",
        ],
        warning_lines: &[],
        written: Written::Same,
    },
    Case {
        file: "broken_cue.srt",
        times: &[(1_000, 2_000), (4_000, 5_000)],
        speakers: &["", ""],
        texts: &["Good.", "Good again."],
        warning_lines: &[6, 10],
        written: Written::As(
            "1\n00:00:01,000 --> 00:00:02,000\nGood.\n\n4\n00:00:04,000 --> 00:00:05,000\nGood again.\n\n",
        ),
    },
    Case {
        file: "truncated.srt",
        times: &[(1_000, 2_000), (2_000, 3_000)],
        speakers: &["", ""],
        texts: &["Complete.", ""],
        warning_lines: &[6],
        written: Written::As(
            "1\n00:00:01,000 --> 00:00:02,000\nComplete.\n\n2\n00:00:02,000 --> 00:00:03,000\n",
        ),
    },
    Case {
        file: "overlap.srt",
        times: &[(1_000, 3_000), (2_000, 4_000), (1_500, 1_000)],
        speakers: &["", "", ""],
        texts: &["Long.", "Overlapping.", "Backwards."],
        warning_lines: &[6, 10, 10],
        written: Written::Same,
    },
    Case {
        file: "windows1252.srt",
        times: &[(1_000, 2_000)],
        speakers: &[""],
        texts: &["Caf\u{e9} \u{2013} na\u{ef}ve."],
        warning_lines: &[0],
        written: Written::As(
            "1\n00:00:01,000 --> 00:00:02,000\nCaf\u{e9} \u{2013} na\u{ef}ve.\n\n",
        ),
    },
    Case {
        file: "utf16le.srt",
        times: &[(1_000, 2_000)],
        speakers: &[""],
        texts: &["UTF-16 \u{fc}ber alles."],
        warning_lines: &[],
        written: Written::As(
            "1\r\n00:00:01,000 --> 00:00:02,000\r\nUTF-16 \u{fc}ber alles.\r\n\r\n",
        ),
    },
];

fn fixture(file: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/srt/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn parse_fixture(file: &str) -> Transcript {
    parse_bytes(fixture(file), None).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn speakers(t: &Transcript) -> Vec<&str> {
    t.segments
        .iter()
        .map(|s| t.speaker_name(s.speaker))
        .collect()
}

#[test]
fn fixtures_parse_to_the_expected_segments() {
    for case in CASES {
        let t = parse_fixture(case.file);
        let file = case.file;
        assert_eq!(t.format, Format::Srt, "{file}: detected format");
        let times: Vec<(u64, u64)> = t.segments.iter().map(|s| (s.start_ms, s.end_ms)).collect();
        assert_eq!(times, case.times, "{file}: times");
        assert_eq!(speakers(&t), case.speakers, "{file}: speakers");
        let texts: Vec<&str> = t.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, case.texts, "{file}: texts");
        let lines: Vec<usize> = t.warnings.iter().map(|w| w.line).collect();
        assert_eq!(
            lines, case.warning_lines,
            "{file}: warnings {:?}",
            t.warnings
        );
    }
}

#[test]
fn fixtures_write_back_as_little_changed_as_possible() {
    for case in CASES {
        let t = parse_fixture(case.file);
        let written = write_string(&t, Format::Srt).expect("SRT is writable");
        match case.written {
            Written::Same => {
                let source = String::from_utf8(fixture(case.file)).expect("UTF-8 fixture");
                assert_eq!(written, source, "{}", case.file);
            }
            Written::As(expected) => assert_eq!(written, expected, "{}", case.file),
        }
    }
}

#[test]
fn parse_write_parse_keeps_the_model() {
    for case in CASES {
        let t = parse_fixture(case.file);
        let written = write_string(&t, Format::Srt).expect("SRT is writable");
        let again = parse_bytes(written.into_bytes(), None).expect("own output parses");
        assert_eq!(again.segments, t.segments, "{}", case.file);
        assert_eq!(again.speakers, t.speakers, "{}", case.file);
        assert_eq!(again.time_style, t.time_style, "{}", case.file);
    }
}

#[test]
fn canonical_output_from_another_format() {
    let range = "00:00:01.400 - 00:00:03.725, Speaker A: You're now plugged in.\n00:00:05.265 - 00:00:08.309, Dana Lee: Hey: guys.\n00:00:09.000 - 00:00:10.000, Speaker A: Bye <3 & <i>so long</i>.\n";
    let t = parse_str(range, Format::Range).expect("range lines");
    let srt = write_string(&t, Format::Srt).expect("SRT is writable");
    assert_eq!(
        srt,
        "1\n00:00:01,400 --> 00:00:03,725\nSpeaker A: You're now plugged in.\n\n2\n00:00:05,265 --> 00:00:08,309\nDana Lee: Hey: guys.\n\n3\n00:00:09,000 --> 00:00:10,000\nSpeaker A: Bye &lt;3 &amp; &lt;i&gt;so long&lt;/i&gt;.\n\n"
    );
    let back = parse_bytes(srt.clone().into_bytes(), None).expect("canonical SRT parses");
    assert_eq!(speakers(&back), ["Speaker A", "Dana Lee", "Speaker A"]);
    let texts: Vec<&str> = back.segments.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        t.segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
    );
    assert!(back.segments.iter().all(|s| s.extra.is_none()));
    assert_eq!(write_string(&back, Format::Srt).expect("writable"), srt);
}

#[test]
fn joined_segments_from_another_format_become_one_dash_cue() {
    let mut t = Transcript::new(Format::Vtt);
    let anna = t.intern_speaker("Anna");
    t.segments.push(Segment {
        start_ms: 0,
        end_ms: 1_000,
        speaker: anna,
        text: "Hi.".into(),
        ..Segment::default()
    });
    let mut second = Segment {
        start_ms: 0,
        end_ms: 1_000,
        speaker: t.intern_speaker("Bob"),
        text: "Hello.".into(),
        ..Segment::default()
    };
    second.extra_mut().joins_previous = true;
    t.segments.push(second);
    let srt = write_string(&t, Format::Srt).expect("writable");
    assert_eq!(
        srt,
        "1\n00:00:00,000 --> 00:00:01,000\n- Anna: Hi.\n- Bob: Hello.\n\n"
    );
    let back = parse_bytes(srt.into_bytes(), None).expect("parses");
    assert_eq!(speakers(&back), ["Anna", "Bob"]);
    assert_eq!(
        back.segments[1].extra.as_ref().map(|e| e.joins_previous),
        Some(true)
    );
}

#[test]
fn a_file_without_cues_fails_where_the_timing_line_belonged() {
    let failure = parse_bytes(fixture("no_cues.srt"), Some(Format::Srt))
        .map(|_| ())
        .expect_err("no cue at all");
    assert_eq!(failure.line, 2);
    assert_eq!(
        failure.expected,
        "expected a timing line like 00:00:01,000 --> 00:00:02,000"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Lines of the kinds SRT files are made of, in any order.
    fn srt_line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            (0u32..5).prop_map(|n| n.to_string()),
            Just("1.0".to_owned()),
            Just("-2".to_owned()),
            (0u64..5, 0u64..5).prop_map(|(a, b)| format!("00:00:0{a},500 --> 00:00:0{b},000")),
            Just("00:00:01.5 -- > 00:00:02 X1:1".to_owned()),
            Just("0:00:03 --> 0:00:04.25".to_owned()),
            Just("00:00:0x --> 00:00:01,000".to_owned()),
            Just("- dash".to_owned()),
            Just("-x".to_owned()),
            Just("Anna: hi".to_owned()),
            Just("[SPEAKER_01]: yo".to_owned()),
            Just("(speaker ?) who".to_owned()),
            Just(">> next".to_owned()),
            Just("<i>tag</i> &amp; {\\an8}é".to_owned()),
            "[a-zé:<>&{} -]{0,12}",
        ]
    }

    /// Display text of one line as a reader keeps it: trimmed, blank lines dropped.
    fn normalised(text: &str) -> String {
        text.split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    proptest! {
        #[test]
        fn other_formats_convert_to_srt_and_read_back(
            records in prop::collection::vec(
                (prop::collection::vec(srt_line(), 0..3), any::<bool>(), 0usize..4),
                1..12,
            ),
            named in any::<bool>(),
        ) {
            let mut t = Transcript::new(Format::Vtt);
            for (i, (lines, joins, who)) in records.iter().enumerate() {
                // Names that `Name: ` reads back and one it cannot; some segments have none.
                let name = ["Anna", "Bob", "dj shadow (host)"].get(*who).filter(|_| named);
                let speaker = name.and_then(|name| t.intern_speaker(name));
                let mut segment = Segment {
                    start_ms: i as u64 * 1_000,
                    end_ms: i as u64 * 1_000 + 500,
                    speaker,
                    text: normalised(&lines.join("\n")),
                    ..Segment::default()
                };
                if *joins && i > 0 {
                    segment.start_ms = t.segments[i - 1].start_ms;
                    segment.end_ms = t.segments[i - 1].end_ms;
                    segment.extra_mut().joins_previous = true;
                }
                t.segments.push(segment);
            }
            let srt = write_string(&t, Format::Srt).expect("SRT is writable");
            let back = parse_str(&srt, Format::Srt).expect("canonical SRT parses");
            let texts = |t: &Transcript| t.segments.iter().map(|s| s.text.clone()).collect::<Vec<_>>();
            prop_assert_eq!(texts(&back), texts(&t), "written:\n{}", srt);
            prop_assert_eq!(speakers(&back), speakers(&t), "written:\n{}", srt);
        }

        #[test]
        fn parse_never_panics_and_own_output_reads_back_the_same(lines in prop::collection::vec(srt_line(), 0..24)) {
            // Guards against a vacuous pass: a real SRT reader is linked.
            prop_assert!(parse_str("1\n00:00:01,000 --> 00:00:02,000\nx\n", Format::Srt).is_ok());
            let text = lines.join("\n");
            if let Ok(t) = parse_str(&text, Format::Srt) {
                let written = write_string(&t, Format::Srt).expect("SRT is writable");
                let again = parse_str(&written, Format::Srt).expect("own output parses");
                // Dropping a broken cue changes what surrounds its neighbours
                // (a number before it may become an index); only files read
                // without skipping anything must keep their model exactly.
                if !t.warnings.iter().any(|w| w.message.starts_with("skipped")) {
                    prop_assert_eq!(&again.segments, &t.segments, "written:\n{}", written);
                    prop_assert_eq!(&again.speakers, &t.speakers);
                    let rewritten = write_string(&again, Format::Srt).expect("SRT is writable");
                    prop_assert_eq!(&rewritten, &written, "own output is a fixed point");
                }
            }
        }
    }
}
