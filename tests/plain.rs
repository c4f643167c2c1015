//! Timed plain text and the Markdown export through the public API: each
//! fixture in `tests/fixtures/text/` is detected, parsed and written back; the
//! writers' output reads back to a model that is stable from then on.

use earmark::transcript::{self, Format, Segment, Transcript};
use proptest::prelude::*;

/// One fixture: what the parse must give and whether writing it back as text
/// reproduces the file byte for byte.
struct Case {
    file: &'static str,
    /// (start_ms, end_ms, speaker, text) of every segment.
    segments: &'static [(u64, u64, &'static str, &'static str)],
    /// Lines of the warnings, in order.
    warning_lines: &'static [usize],
    writes_back_identical: bool,
}

const CASES: &[Case] = &[
    Case {
        file: "lead_brackets.txt",
        segments: &[
            (1_000, 4_000, "Ana Lima", "Welcome back to the show."),
            (
                4_000,
                9_000,
                "Bo",
                "Thanks. Note: the audio drops for a second here.\nSee https://example.com: show notes.",
            ),
            (9_000, 12_000, "", "Note: this line has no speaker."),
            (12_000, 14_400, "Ana Lima", "We met at 10:30 am, right?"),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "minutes_over_59.txt",
        segments: &[
            (5_000, 70_000, "", "Intro music"),
            (70_000, 4_512_000, "Host", "Welcome."),
            (4_512_000, 4_514_000, "Host", "Still going after an hour."),
        ],
        warning_lines: &[],
        // Minutes past 59 without hours stay that way (Hours::Never).
        writes_back_identical: true,
    },
    Case {
        file: "iheart.txt",
        segments: &[
            (
                0,
                7_000,
                "Speaker 1",
                "Hello and welcome.\nThis is the second line.",
            ),
            (7_000, 723_000, "Speaker 2", "Thanks for having me."),
            (723_000, 725_000, "Speaker 1", "We are out of time."),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "otter.txt",
        segments: &[
            (
                3_000,
                41_000,
                "Ana Lima",
                "So the first thing I want to say is that we met at 10:30\nand then went on.",
            ),
            (41_000, 3_723_000, "Bo", "Right."),
            (3_723_000, 3_723_400, "Ana Lima", "Bye."),
        ],
        // The title before the first time has no time to go with.
        warning_lines: &[1],
        writes_back_identical: false,
    },
    Case {
        file: "bare_times.txt",
        segments: &[
            (0, 12_000, "", "Welcome to the show."),
            (12_000, 65_000, "", "10:30 am is when it started."),
            (65_000, 66_600, "", "And that was that."),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "fullwidth_colon.txt",
        segments: &[
            (1_000, 5_000, "主持人", "欢迎收听。"),
            (5_000, 5_400, "嘉宾", "谢谢。"),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "markdown_export.txt",
        segments: &[
            (1_000, 5_000, "Ana", "Hello there."),
            (5_000, 7_000, "Bo", "[00:00:09] is when it aired."),
            (7_000, 7_400, "", "music"),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "broken_and_truncated.txt",
        segments: &[(1_000, 5_000, "Ana", "one"), (5_000, 5_400, "Bo", "two")],
        warning_lines: &[2, 3, 5],
        writes_back_identical: false,
    },
    Case {
        file: "bom_crlf.txt",
        segments: &[(1_000, 3_000, "Ana", "hi"), (3_000, 3_400, "Bo", "hey")],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "parens_inline.txt",
        segments: &[
            (1_000, 4_000, "Ana", "Hi. (laughs)"),
            (4_000, 4_800, "Bo", "Yes: really."),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "lead_parens_bold.txt",
        segments: &[
            (1_000, 4_000, "Ana", "Good morning."),
            (4_000, 6_000, "the producer", "Rolling."),
            (6_000, 7_200, "Ana", "Then we start."),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "unbracketed_speakers.txt",
        segments: &[
            (1_000, 4_000, "Ana", "First."),
            (
                4_000,
                9_000,
                "Bo",
                "Second, at 10:30 am sharp.\n10:30 am is not a heading here.",
            ),
            (9_000, 9_400, "Ana", "Third."),
        ],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "fractions.txt",
        segments: &[(1_250, 2_500, "Ana", "a"), (2_500, 2_900, "Bo", "b")],
        warning_lines: &[],
        writes_back_identical: true,
    },
    Case {
        file: "parens_inline_wide.txt",
        segments: &[(1_000, 4_000, "Ana", "Hi."), (4_000, 4_400, "Bo", "Yes.")],
        warning_lines: &[],
        writes_back_identical: true,
    },
];

fn fixture(file: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/text/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn segments(t: &Transcript) -> Vec<(u64, u64, &str, &str)> {
    t.segments
        .iter()
        .map(|s| {
            assert!(s.end_derived, "ends are never in the file");
            (
                s.start_ms,
                s.end_ms,
                t.speaker_name(s.speaker),
                s.text.as_str(),
            )
        })
        .collect()
}

#[test]
fn fixtures_parse_and_write_back() {
    for case in CASES {
        let bytes = fixture(case.file);
        let t = transcript::parse_bytes(bytes.clone(), None)
            .unwrap_or_else(|e| panic!("{}: {e}", case.file));
        assert_eq!(t.format, Format::Text, "{}: detected", case.file);
        assert_eq!(segments(&t), case.segments, "{}", case.file);
        let lines: Vec<usize> = t.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, case.warning_lines, "{}: {:?}", case.file, t.warnings);

        let written = transcript::write_string(&t, Format::Text).expect("writable");
        if case.writes_back_identical {
            assert_eq!(written.as_bytes(), bytes.as_slice(), "{}", case.file);
        } else {
            assert_ne!(written.as_bytes(), bytes.as_slice(), "{}", case.file);
        }
        let again = transcript::parse_bytes(written.clone().into_bytes(), None)
            .unwrap_or_else(|e| panic!("{}: written back: {e}\n{written}", case.file));
        assert_eq!(
            segments(&again),
            case.segments,
            "{}: written back",
            case.file
        );
        assert_eq!(again.speakers, t.speakers, "{}", case.file);
    }
}

#[test]
fn written_back_files_that_change_change_little() {
    let read = |file| transcript::parse_bytes(fixture(file), None).expect("parses");
    let write = |t: &Transcript| transcript::write_string(t, Format::Text).expect("writable");
    assert_eq!(
        write(&read("otter.txt")),
        "Ana Lima  0:03\nSo the first thing I want to say is that we met at 10:30\nand then went on.\n\nBo  0:41\nRight.\n\nAna Lima  1:02:03\nBye.\n"
    );
    assert_eq!(
        write(&read("broken_and_truncated.txt")),
        "[00:00:01] Ana: one\n[00:00:05] Bo: two"
    );
}

#[test]
fn prose_and_chat_logs_are_not_timed_text() {
    for text in [
        fixture("prose_not_timed.txt"),
        b"Ana: hi\nBo: hey, see you at 10:30\n".to_vec(),
        b"10:30 we met.\nThen we left.\n".to_vec(),
    ] {
        let failure = transcript::parse_bytes(text.clone(), None)
            .map(|t| t.format)
            .expect_err("not detected");
        assert_eq!(failure.line, 1, "{:?}", String::from_utf8_lossy(&text));
    }
}

/// A transcript from another format, with what the text writers must handle:
/// a speaker's consecutive segments, text that reads like a label or a time.
fn from_elsewhere() -> Transcript {
    let mut t = Transcript::new(Format::Srt);
    let ana = t.intern_speaker("Ana");
    let bo = t.intern_speaker("Bo");
    for (start_ms, speaker, text) in [
        (1_400, ana, "Hello,\nand welcome."),
        (3_900, ana, "Glad you're here."),
        (6_000, None, "Bo: is that you?"),
        (8_250, bo, "[00:00:09] is when I came in."),
        (9_000, None, ""),
        (3_723_456, bo, "Bye."),
    ] {
        t.segments.push(Segment {
            start_ms,
            end_ms: start_ms + 1_000,
            speaker,
            text: text.to_owned(),
            ..Segment::default()
        });
    }
    t
}

#[test]
fn text_writer_writes_one_line_per_speaker_turn() {
    let t = from_elsewhere();
    let text = transcript::write_string(&t, Format::Text).expect("writable");
    assert_eq!(
        text,
        "[00:00:01] Ana: Hello, and welcome. Glad you're here.\n\n\
         [00:00:06] : Bo: is that you?\n\n\
         [00:00:08] Bo: [00:00:09] is when I came in.\n\n\
         [00:00:09]\n\n\
         [01:02:03] Bo: Bye.\n"
    );
    let mut made_in_app = t.clone();
    made_in_app.format = Format::Text;
    assert_eq!(
        transcript::write_string(&made_in_app, Format::Text).expect("writable"),
        text,
        "a text transcript with no layout read from a file is written canonically"
    );
    let back = transcript::parse_bytes(text.into_bytes(), None).expect("reads back");
    assert_eq!(
        segments(&back),
        vec![
            (1_000, 6_000, "Ana", "Hello, and welcome. Glad you're here."),
            (6_000, 8_000, "", "Bo: is that you?"),
            (8_000, 9_000, "Bo", "[00:00:09] is when I came in."),
            (9_000, 3_723_000, "", ""),
            (3_723_000, 3_723_400, "Bo", "Bye."),
        ]
    );
}

#[test]
fn markdown_reads_back_through_the_text_parser() {
    let t = from_elsewhere();
    let md = transcript::write_string(&t, Format::Markdown).expect("writable");
    assert_eq!(
        md,
        "**Ana** [00:00:01]\nHello, and welcome. Glad you're here.\n\n\
         [00:00:06]\nBo: is that you?\n\n\
         **Bo** [00:00:08]\n\\[00:00:09] is when I came in.\n\n\
         [00:00:09]\n\n\
         **Bo** [01:02:03]\nBye.\n"
    );
    let back = transcript::parse_bytes(md.into_bytes(), None).expect("reads back");
    assert_eq!(back.format, Format::Text);
    assert_eq!(
        segments(&back)
            .iter()
            .map(|s| (s.0, s.2, s.3))
            .collect::<Vec<_>>(),
        vec![
            (1_000, "Ana", "Hello, and welcome. Glad you're here."),
            (6_000, "", "Bo: is that you?"),
            (8_000, "Bo", "[00:00:09] is when I came in."),
            (9_000, "", ""),
            (3_723_000, "Bo", "Bye."),
        ]
    );
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,12}",
        "[a-z]{1,6}[,.?!]",
        Just("日本語".to_owned()),
        Just("it's".to_owned()),
        Just("Note:".to_owned()),
        Just("Ana:".to_owned()),
        Just("主持人：".to_owned()),
        Just("**Bo:**".to_owned()),
        Just(":".to_owned()),
        Just("10:30".to_owned()),
        Just("am".to_owned()),
        Just("-->".to_owned()),
        Just("-".to_owned()),
        Just("[00:00:05]".to_owned()),
        Just("(00:07):".to_owned()),
        Just("\\".to_owned()),
        Just("\\[".to_owned()),
        Just("https://example.com:".to_owned()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    let line = prop::collection::vec(word(), 0..8).prop_map(|w| w.join(" "));
    prop::collection::vec(line, 1..3).prop_map(|l| l.join("\n"))
}

fn speaker() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Ana".to_owned()),
        Just("Speaker 1".to_owned()),
        Just("José María".to_owned()),
        Just("Macedo, Jr.".to_owned()),
        Just("李".to_owned()),
        Just("the host".to_owned()),
        Just("Note".to_owned()),
        Just("Who? Me!".to_owned()),
        Just("[Caller]".to_owned()),
    ]
}

prop_compose! {
    fn model()(records in prop::collection::vec(
        (0u64..90_000, speaker(), text()), 1..12)
    ) -> Transcript {
        let mut t = Transcript::new(Format::Vtt);
        let mut start_ms = 0;
        for (gap_ms, name, text) in records {
            start_ms += gap_ms;
            let speaker = t.intern_speaker(&name);
            t.segments.push(Segment {
                start_ms,
                end_ms: start_ms + 500,
                speaker,
                text,
                ..Segment::default()
            });
        }
        t
    }
}

fn reparse(text: &str) -> Transcript {
    transcript::parse_bytes(text.as_bytes().to_vec(), None)
        .unwrap_or_else(|e| panic!("does not read back: {e}\n{text}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn text_and_markdown_are_stable_after_one_pass(m in model()) {
        for format in [Format::Text, Format::Markdown] {
            let first = transcript::write_string(&m, format).expect("writable");
            let m1 = reparse(&first);
            prop_assert_eq!(m1.format, Format::Text, "{}:\n{}", format, first);
            let second = transcript::write_string(&m1, format).expect("writable");
            let m2 = reparse(&second);
            prop_assert_eq!(&m2, &m1, "{}:\n{}\n---\n{}", format, first, second);
            prop_assert_eq!(&second, &first, "{} canonical write-back", format);
        }
    }
}

fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "[",
        "]",
        "(",
        ")",
        "0:",
        "00:0",
        "1",
        "5",
        "12:3",
        "0:03",
        "[00:01]",
        "(00:02)",
        "75:12",
        "1:02:03",
        " ",
        "  ",
        "\t",
        "\n",
        "\n\n",
        "Ana",
        "the host",
        ":",
        "：",
        ": ",
        "**",
        "\\",
        "am",
        "Note",
        "https://x",
        "-",
        "-->",
        "é",
        "日",
        "\u{1}",
        "\u{fffd}",
        ".",
        ",",
    ])
}

/// A line that starts like a heading of some style, then anything.
fn heading_line() -> impl Strategy<Value = String> {
    let start = prop::sample::select(vec![
        "",
        "",
        "[00:01] ",
        "[00:01:02.5]",
        "(00:03) ",
        "0:03",
        "0:07 ",
        "Ana (00:02): ",
        "**the host** [00:00:04]",
        "Bo  1:02:03",
        "\\",
        "Speaker 1 (75:12):",
    ]);
    (start, prop::collection::vec(fragment(), 0..8))
        .prop_map(|(start, parts)| format!("{start}{}", parts.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any text: no panic, and whatever reads as timed text writes back to text
    /// that reads as the same segments.
    #[test]
    fn any_text_reads_and_writes_back(text in prop_oneof![
        prop::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat()),
        prop::collection::vec(heading_line(), 1..12).prop_map(|lines| lines.join("\n")),
    ]) {
        let Ok(t) = transcript::parse_str(&text, Format::Text) else {
            return Ok(());
        };
        let written = transcript::write_string(&t, Format::Text).expect("writable");
        let again = transcript::parse_str(&written, Format::Text)
            .unwrap_or_else(|e| panic!("{e}\n{text:?}\n{written:?}"));
        prop_assert_eq!(&again.segments, &t.segments, "{:?}\n{:?}", text, written);
        prop_assert_eq!(&again.speakers, &t.speakers, "{:?}\n{:?}", text, written);
        let mut converted = again;
        converted.format = Format::Vtt;
        for format in [Format::Text, Format::Markdown] {
            let first = transcript::write_string(&converted, format).expect("writable");
            let m1 = transcript::parse_str(&first, Format::Text)
                .unwrap_or_else(|e| panic!("{e}\n{first:?}"));
            let second = transcript::write_string(&m1, format).expect("writable");
            prop_assert_eq!(&second, &first, "{} from {:?}", format, text);
        }
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC*") {
        let _ = transcript::parse_str(&text, Format::Text);
        let _ = transcript::parse_bytes(text.into_bytes(), None);
    }
}
