//! WebVTT fixtures through the public API: detection, parsing, write-back.

use earmark::transcript::{Format, Segment, Transcript, Word, parse_bytes, write_string};

#[path = "support/summary.rs"]
mod summary;
use summary::segments;

/// What writing a fixture back as WebVTT must give.
enum WriteBack {
    /// The exact bytes of the fixture.
    Same,
    /// The fixture with these (old, new) replacements applied.
    Changed(&'static [(&'static str, &'static str)]),
}

struct Case {
    file: &'static str,
    /// `None`: detected from the content.
    forced: Option<Format>,
    /// (start_ms, end_ms, speaker, text) per segment.
    segments: &'static [(u64, u64, &'static str, &'static str)],
    warning_lines: &'static [usize],
    write_back: WriteBack,
}

const CASES: &[Case] = &[
    Case {
        file: "canonical.vtt",
        forced: None,
        segments: &[
            (1_000, 3_500, "Ana", "Welcome back & hello."),
            (3_500, 5_000, "", "No speaker here,\nover two lines."),
        ],
        warning_lines: &[],
        write_back: WriteBack::Same,
    },
    Case {
        file: "header_blocks.vtt",
        forced: None,
        segments: &[(1_000, 2_000, "Ana", "Hi."), (2_000, 3_000, "Bo", "Hey.")],
        warning_lines: &[],
        write_back: WriteBack::Same,
    },
    Case {
        file: "optional_hours.vtt",
        forced: None,
        segments: &[
            (5_000, 7_250, "", "no hours"),
            (3_599_000, 3_601_000, "", "one-digit hour"),
            (3_601_000, 3_602_000, "", "two-digit hour"),
        ],
        warning_lines: &[],
        write_back: WriteBack::Changed(&[("1:00:01.000\none", "01:00:01.000\none")]),
    },
    Case {
        file: "voices.vtt",
        forced: None,
        segments: &[
            (1_000, 2_000, "Ana", "Unclosed voice."),
            (2_000, 4_000, "Ana", "Are you there?"),
            (2_000, 4_000, "Bo Li", "Yes!"),
            (4_000, 5_000, "Ana", "one"),
            (4_000, 5_000, "Bo Li", "two"),
        ],
        warning_lines: &[],
        write_back: WriteBack::Changed(&[
            ("<v.loud Bo Li>", "<v Bo Li>"),
            ("</v> <v Bo Li>two\n", "</v>\n<v Bo Li>two\n"),
        ]),
    },
    Case {
        file: "inline_timestamps.vtt",
        forced: None,
        segments: &[(10_000, 14_000, "Ana", "So here we go\nagain")],
        warning_lines: &[],
        write_back: WriteBack::Same,
    },
    Case {
        file: "markup_entities.vtt",
        forced: None,
        segments: &[
            (1_000, 2_000, "", "Italic, bold, under, classed"),
            (2_000, 3_000, "", "Bonjour <tag> & caf\u{e9}\u{a0}!\u{200e}"),
            (3_000, 4_000, "", "\u{6771}\u{4eac} AT&T 1 < 2"),
        ],
        warning_lines: &[],
        write_back: WriteBack::Same,
    },
    Case {
        file: "youtube_rolling.vtt",
        forced: None,
        segments: &[
            (30, 2_560, "", "hey guys welcome"),
            (2_560, 5_120, "", "to my channel"),
            (5_120, 7_000, "", "today we"),
        ],
        warning_lines: &[9],
        write_back: WriteBack::Changed(&[
            (
                "02.550 align:start position:0%\n \n",
                "02.560 align:start position:0%\n",
            ),
            (
                "00:00:02.550 --> 00:00:02.560 align:start position:0%\nhey guys welcome\n \n\n",
                "",
            ),
            (
                "05.110 align:start position:0%\nhey guys welcome\n",
                "05.120 align:start position:0%\n",
            ),
            (
                "00:00:05.110 --> 00:00:05.120 align:start position:0%\nto my channel\n \n\n",
                "",
            ),
            ("position:0%\nto my channel\ntoday", "position:0%\ntoday"),
        ]),
    },
    Case {
        file: "whisper_highlight.vtt",
        forced: None,
        segments: &[
            (0, 1_500, "", "Hello there world."),
            (2_000, 3_000, "", "Next one."),
        ],
        warning_lines: &[6],
        write_back: WriteBack::Changed(&[
            (
                "00:00:00.400\n<u>Hello</u> there world.\n\n00:00:00.400 --> 00:00:00.600\nHello there world.\n\n00:00:00.600 --> 00:00:01.000\nHello <u>there</u> world.\n\n00:00:01.000 --> 00:00:01.500\nHello there <u>world.</u>",
                "00:00:01.500\nHello <00:00:00.600>there <00:00:01.000>world.",
            ),
            (
                "00:00:02.400\n<u>Next</u> one.\n\n00:00:02.400 --> 00:00:03.000\nNext <u>one.</u>",
                "00:00:03.000\nNext <00:00:02.400>one.",
            ),
        ]),
    },
    Case {
        file: "zoom.vtt",
        forced: None,
        segments: &[
            (500, 3_000, "Ana Li", "Good morning: all of you."),
            (3_000, 5_000, "Bo", "Morning."),
            (5_000, 6_000, "", "And a line with no name."),
        ],
        warning_lines: &[],
        write_back: WriteBack::Same,
    },
    Case {
        file: "broken_cues.vtt",
        forced: None,
        segments: &[
            (1_000, 2_000, "", "first"),
            (3_000, 2_500, "", "ends before it starts"),
            (4_000, 5_000, "", "last good"),
        ],
        warning_lines: &[6, 9, 12, 18],
        write_back: WriteBack::Changed(&[
            (
                "first\n\nthis is not a cue\nat all\n\n00:00:0x.000 --> 00:00:03.000\nbad timing\n\n",
                "first\n\n",
            ),
            ("last good\n\n00:00:06.000 --> 00:0", "last good"),
        ]),
    },
    Case {
        file: "no_header.vtt",
        forced: Some(Format::Vtt),
        segments: &[
            (1_000, 2_000, "", "no header here"),
            (2_000, 3_000, "", "second"),
        ],
        warning_lines: &[1],
        write_back: WriteBack::Changed(&[
            (
                "1\n00:00:01,000 --> 00:00:02,000",
                "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000",
            ),
            (
                "00:00:02,000 --> 00:00:03,000\nsecond\n",
                "00:00:02.000 --> 00:00:03.000\nsecond\n",
            ),
        ]),
    },
    Case {
        file: "header_only.vtt",
        forced: None,
        segments: &[],
        warning_lines: &[1],
        write_back: WriteBack::Same,
    },
    Case {
        file: "crlf_bom.vtt",
        forced: None,
        segments: &[
            (1_000, 2_000, "Ana", "crlf and bom"),
            (2_000, 3_000, "", "second"),
        ],
        warning_lines: &[],
        write_back: WriteBack::Same,
    },
    Case {
        file: "tricky_text.vtt",
        forced: None,
        segments: &[
            (
                1_000,
                2_000,
                "",
                "a text line --> with an arrow\nmarkup kept",
            ),
            (2_000, 3_000, "", "whitespace-only line above"),
        ],
        warning_lines: &[],
        write_back: WriteBack::Changed(&[("\n   \nwhitespace", "\nwhitespace")]),
    },
];

fn fixture(file: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/vtt/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(case: &Case) -> Transcript {
    parse_bytes(fixture(case.file), case.forced).unwrap_or_else(|e| panic!("{}: {e}", case.file))
}

fn words(segment: &Segment) -> Vec<(&str, Option<u64>, Option<u64>)> {
    segment
        .words
        .iter()
        .map(|w| (&*w.text, w.start_ms.map(u64::from), w.end_ms.map(u64::from)))
        .collect()
}

#[test]
fn fixtures_parse_to_the_expected_segments_and_warnings() {
    for case in CASES {
        let t = read(case);
        assert_eq!(t.format, Format::Vtt, "{}", case.file);
        assert_eq!(segments(&t), case.segments, "{}", case.file);
        let lines: Vec<usize> = t.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, case.warning_lines, "{}: {:?}", case.file, t.warnings);
    }
}

#[test]
fn fixtures_write_back_as_little_changed_as_possible() {
    for case in CASES {
        let t = read(case);
        let written = write_string(&t, Format::Vtt).expect("vtt is writable");
        let source = String::from_utf8(fixture(case.file)).expect("utf-8 fixture");
        let expected = match case.write_back {
            WriteBack::Same => source,
            WriteBack::Changed(edits) => edits.iter().fold(source, |text, (old, new)| {
                assert!(
                    text.contains(old),
                    "{}: {old:?} not in the fixture",
                    case.file
                );
                text.replacen(old, new, 1)
            }),
        };
        assert_eq!(written, expected, "{}", case.file);
    }
}

#[test]
fn parse_write_parse_keeps_the_model() {
    for case in CASES {
        let t = read(case);
        let written = write_string(&t, Format::Vtt).expect("vtt is writable");
        let again = parse_bytes(written.clone().into_bytes(), None)
            .unwrap_or_else(|e| panic!("{}: {e}\n{written}", case.file));
        assert_eq!(again.segments, t.segments, "{}", case.file);
        assert_eq!(again.speakers, t.speakers, "{}", case.file);
        assert_eq!(again.header, t.header, "{}", case.file);
        assert_eq!(again.time_style, t.time_style, "{}", case.file);
        assert_eq!(again.layout, t.layout, "{}", case.file);
        let rewritten = write_string(&again, Format::Vtt).expect("vtt is writable");
        assert_eq!(rewritten, written, "{}", case.file);
    }
}

#[test]
fn word_times_come_from_inline_timestamps_and_collapsed_cues() {
    let by_file = |file: &str| read(CASES.iter().find(|c| c.file == file).expect("a case"));
    let t = by_file("inline_timestamps.vtt");
    assert_eq!(
        words(&t.segments[0]),
        [
            ("So", Some(10_000), Some(11_000)),
            ("here", Some(11_000), Some(12_500)),
            ("we", Some(11_000), Some(12_500)),
            ("go", Some(12_500), Some(13_000)),
            ("again", Some(13_000), Some(14_000)),
        ]
    );
    let t = by_file("whisper_highlight.vtt");
    assert_eq!(
        words(&t.segments[0]),
        [
            ("Hello", Some(0), Some(600)),
            ("there", Some(600), Some(1_000)),
            ("world.", Some(1_000), Some(1_500)),
        ]
    );
    assert!(
        t.warnings[0].message.contains("collapsed 4 "),
        "{:?}",
        t.warnings
    );
    let t = by_file("youtube_rolling.vtt");
    assert_eq!(
        words(&t.segments[1]),
        [
            ("to", Some(2_560), Some(3_000)),
            ("my", Some(3_000), Some(3_300)),
            ("channel", Some(3_300), Some(5_120)),
        ]
    );
    assert!(
        t.warnings[0].message.contains("collapsed 4 "),
        "{:?}",
        t.warnings
    );
}

#[test]
fn preserved_details_land_in_the_model() {
    let t = read(&CASES[1]);
    assert_eq!(
        t.header.vtt_header.as_deref(),
        Some(" - Episode 12\nKind: captions\nLanguage: en")
    );
    assert_eq!(t.header.vtt_blocks.len(), 3);
    assert!(t.header.vtt_blocks[1].starts_with("REGION\n"));
    let second = t.segments[1].extra.as_deref().expect("extra");
    assert_eq!(second.cue_id.as_deref(), Some("2"));
    assert_eq!(second.settings.as_deref(), Some("line:0 position:10%"));
    assert_eq!(second.notes_before, ["NOTE a note between cues"]);
    let t = read(&CASES[3]);
    let joins: Vec<bool> = t
        .segments
        .iter()
        .map(|s| s.extra.as_ref().is_some_and(|e| e.joins_previous))
        .collect();
    assert_eq!(joins, [false, false, true, false, true]);
}

#[test]
fn other_formats_write_canonical_vtt() {
    let mut t = Transcript::new(Format::Range);
    let ana = t.intern_speaker("Ana");
    t.push(
        Segment {
            start_ms: 1_000,
            end_ms: 3_723_004,
            speaker: ana,
            text: "a < b & c\n\n--> not a timing".to_owned(),
            raw: Some("<b>stale</b>".to_owned()),
            ..Segment::default()
        },
        1,
    );
    let timed = |text: &str, start_ms: u32, end_ms: u32| Word {
        text: text.into(),
        start_ms: Some(start_ms),
        end_ms: Some(end_ms),
        confidence: None,
    };
    t.push(
        Segment {
            start_ms: 3_723_004,
            end_ms: 3_725_000,
            text: "timed words".to_owned(),
            words: vec![
                timed("timed", 3_723_004, 3_724_000),
                timed("words", 3_724_000, 3_725_000),
            ],
            ..Segment::default()
        },
        2,
    );
    let written = write_string(&t, Format::Vtt).expect("vtt is writable");
    assert_eq!(
        written,
        "WEBVTT\n\n00:00:01.000 --> 01:02:03.004\n<v Ana>a &lt; b &amp; c\n--&gt; not a timing\n\n01:02:03.004 --> 01:02:05.000\ntimed <01:02:04.000>words\n\n"
    );
    let back = parse_bytes(written.into_bytes(), None).expect("parses");
    assert_eq!(back.segments[0].text, "a < b & c\n--> not a timing");
    assert_eq!(back.segments[1].words, t.segments[1].words);
}

/// Pieces real (and broken) WebVTT files are made of.
const TOKENS: &[&str] = &[
    "WEBVTT",
    "WEBVTT - T",
    "\n",
    "\n\n",
    "00:00:01.000",
    "00:02.500",
    "1:00:00.000",
    " --> ",
    "-->",
    " align:start",
    "<v Ana>",
    "<v.x Bo Li>",
    "</v>",
    "<00:00:01.500>",
    "<00:00:03.000>",
    "<u>",
    "</u>",
    "<c.yellow>",
    "</c>",
    "<ruby>",
    "<rt>",
    "</rt>",
    "&amp;",
    "&",
    "<",
    ">",
    "NOTE",
    "STYLE",
    "Ana: ",
    "\u{e9}",
    " ",
    "   ",
    "text",
    "two words",
    "1",
];

/// Times cues and inline timestamps use, in and out of order.
const TIMES: &[&str] = &[
    "00:00:01.000",
    "00:02.500",
    "00:00:02.500",
    "1:00:00.000",
    "00:00:00.010",
    "0x:00",
];

/// One cue (or a broken block) as text.
fn cue_strategy() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    (
        proptest::sample::select(&["", "1\n", "intro\n", "NOTE n\n\n", "STYLE\n"][..]),
        proptest::sample::select(TIMES),
        proptest::sample::select(TIMES),
        proptest::sample::select(&["", " align:start", "x"][..]),
        proptest::collection::vec(
            proptest::collection::vec(proptest::sample::select(TOKENS), 0..6),
            0..4,
        ),
    )
        .prop_map(|(id, start, end, settings, lines)| {
            let lines: Vec<String> = lines.iter().map(|l| l.concat()).collect();
            format!("{id}{start} --> {end}{settings}\n{}\n\n", lines.join("\n"))
        })
}

proptest::proptest! {
    #[test]
    fn structured_files_write_back_stably(
        header in proptest::sample::select(&["WEBVTT\n\n", "WEBVTT - T\nKind: captions\n\n", ""][..]),
        cues in proptest::collection::vec(cue_strategy(), 0..8)
    ) {
        let text = format!("{header}{}", cues.concat());
        let Ok(t) = parse_bytes(text.clone().into_bytes(), Some(Format::Vtt)) else {
            return Ok(());
        };
        let written = write_string(&t, Format::Vtt).expect("vtt is writable");
        let again = parse_bytes(written.clone().into_bytes(), Some(Format::Vtt))
            .expect("written VTT reads back");
        let rewritten = write_string(&again, Format::Vtt).expect("vtt is writable");
        proptest::prop_assert_eq!(&again.segments, &t.segments, "{}\n=>\n{}", text, written);
        proptest::prop_assert_eq!(rewritten, written);
    }

    #[test]
    fn any_input_parses_without_panic_and_writes_back_stably(
        tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..60)
    ) {
        let text: String = tokens.concat();
        let Ok(t) = parse_bytes(text.into_bytes(), Some(Format::Vtt)) else {
            return Ok(());
        };
        let written = write_string(&t, Format::Vtt).expect("vtt is writable");
        let again = parse_bytes(written.clone().into_bytes(), Some(Format::Vtt))
            .expect("written VTT reads back");
        let rewritten = write_string(&again, Format::Vtt).expect("vtt is writable");
        proptest::prop_assert_eq!(&again.segments, &t.segments, "{}", written);
        proptest::prop_assert_eq!(rewritten, written);
    }

    #[test]
    fn arbitrary_cue_text_writes_back_stably(text in "\\PC{0,120}") {
        let file = format!("WEBVTT\n\n00:00.000 --> 00:01.000\n{text}\n");
        let t = parse_bytes(file.into_bytes(), None).expect("a cue is there");
        let written = write_string(&t, Format::Vtt).expect("vtt is writable");
        let again = parse_bytes(written.clone().into_bytes(), None).expect("written VTT reads back");
        proptest::prop_assert_eq!(&again.segments, &t.segments, "{}", written);
        let rewritten = write_string(&again, Format::Vtt).expect("vtt is writable");
        proptest::prop_assert_eq!(rewritten, written);
    }
}
