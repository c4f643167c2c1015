//! Review markers out to other programs: each exporter against the layout
//! its program documents, read back by a strict reader (the `csv` crate for
//! CSV, serde_json and the podcast namespace's chapters schema (with
//! Python's jsonschema) for the chapters, a parser of the documented line layout
//! for Audacity labels, YouTube chapters and Resolve's marker EDL, and
//! OpenTimelineIO's CMX 3600 reader for the EDL); hostile note text through
//! every format stays one record; and `earmark export` from the command
//! line, including a missing or damaged session (an error, no file).
//!
//! The EDL tests run OpenTimelineIO (Python) with its CMX 3600 adapter, the
//! chapters test Python's jsonschema: `bash packaging/setup.sh` installs them in
//! `~/.cache/earmark/otio-venv` (`$XDG_CACHE_HOME/earmark/otio-venv`), where
//! these tests look first; `EARMARK_OTIO_PYTHON` names another Python that
//! has them. Without them the test fails, saying so, rather than passing
//! without having read the EDL.

use std::path::{Path, PathBuf};
use std::process::Command;

use earmark::review::export::{
    ExportFormat, ExportOptions, Fps, edl_colors, export, export_with_options,
};
use earmark::review::markers::{Marker, default_kinds, selected};
use earmark::review::session::Session;

/// A review: a note, a cut range, a fix, and three chapters.
fn review() -> Vec<Marker> {
    vec![
        Marker::new(75_000, None, "Chapter", "Ilya's background"),
        Marker::new(0, None, "Chapter", "Intro"),
        Marker::new(5_265, None, "Note", "Check the guest's name"),
        Marker::new(48_309, Some(68_409), "Cut", "Rambling"),
        Marker::new(78_305, None, "Fix", "\"Classic\" is B"),
        Marker::new(162_113, None, "Chapter", "Google years"),
    ]
}

const HOSTILE: &str =
    "tab\there, new\nline, \"quotes\", commas; | pipe <b>&amp;</b> 日本語 — ✓\r\nend";

/// Lines that would start markup in a Markdown paragraph.
const OPENERS: &str = "# not a heading\n- not a list\n+ nor this\n1. not ordered\n2) nor this\n===\n> not a quote\n&amp; *stars* _under_ `code` [link](x) ~~strike~~ \\ back";

fn all(markers: &[Marker]) -> Vec<&Marker> {
    selected(markers, None)
}

#[test]
fn audacity_labels_are_start_end_label_in_seconds_one_per_line() {
    let markers = review();
    let exported = export(&all(&markers), None, ExportFormat::Audacity);
    assert_eq!(
        exported.text,
        "0.000\t0.000\tChapter: Intro\n\
         5.265\t5.265\tNote: Check the guest's name\n\
         48.309\t68.409\tCut: Rambling\n\
         75.000\t75.000\tChapter: Ilya's background\n\
         78.305\t78.305\tFix: \"Classic\" is B\n\
         162.113\t162.113\tChapter: Google years\n"
    );
    assert!(exported.changes.is_empty());
}

/// Audacity's label file as its documentation describes it: each line
/// `start<TAB>end<TAB>label`, times in seconds.
fn read_audacity(text: &str) -> Vec<(f64, f64, String)> {
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "three fields: {line:?}");
            let time = |s: &str| s.parse::<f64>().unwrap_or_else(|e| panic!("{s}: {e}"));
            (time(fields[0]), time(fields[1]), fields[2].to_owned())
        })
        .collect()
}

#[test]
fn audition_markers_are_its_tab_separated_list() {
    let markers = review();
    let exported = export(&all(&markers), None, ExportFormat::Audition);
    assert_eq!(
        exported.text,
        "Name\tStart\tDuration\tTime Format\tType\tDescription\n\
         Chapter\t0:00.000\t0:00.000\tdecimal\tCue\tIntro\n\
         Note\t0:05.265\t0:00.000\tdecimal\tCue\tCheck the guest's name\n\
         Cut\t0:48.309\t0:20.100\tdecimal\tCue\tRambling\n\
         Chapter\t1:15.000\t0:00.000\tdecimal\tCue\tIlya's background\n\
         Fix\t1:18.305\t0:00.000\tdecimal\tCue\t\"Classic\" is B\n\
         Chapter\t2:42.113\t0:00.000\tdecimal\tCue\tGoogle years\n"
    );
    let late = [Marker::new(3_723_456, Some(3_725_000), "Cut", "")];
    assert_eq!(
        export(&all(&late), None, ExportFormat::Audition)
            .text
            .lines()
            .nth(1),
        Some("Cut\t1:02:03.456\t0:01.544\tdecimal\tCue\t")
    );
}

#[test]
fn reaper_markers_and_regions_are_its_manager_csv() {
    let markers = review();
    let exported = export(&all(&markers), None, ExportFormat::Reaper);
    assert_eq!(
        exported.text,
        "#,Name,Start,End,Length\n\
         M1,Chapter: Intro,0:00.000,,\n\
         M2,Note: Check the guest's name,0:05.265,,\n\
         R1,Cut: Rambling,0:48.309,1:08.409,0:20.100\n\
         M3,Chapter: Ilya's background,1:15.000,,\n\
         M4,\"Fix: \"\"Classic\"\" is B\",1:18.305,,\n\
         M5,Chapter: Google years,2:42.113,,\n"
    );
}

#[test]
fn a_hostile_note_stays_one_record_in_every_format() {
    let markers = vec![
        Marker::new(0, None, "Chapter", HOSTILE),
        Marker::new(12_000, Some(15_500), "Cut", HOSTILE),
        Marker::new(30_000, None, "Chapter", "Plain"),
        Marker::new(45_000, None, "Chapter", HOSTILE),
    ];
    let chosen = all(&markers);

    let labels = export(&chosen, None, ExportFormat::Audacity);
    let read = read_audacity(&labels.text);
    assert_eq!(read.len(), 4);
    assert_eq!((read[1].0, read[1].1), (12.0, 15.5));
    assert!(
        read[1]
            .2
            .contains("\"quotes\", commas; | pipe <b>&amp;</b> 日本語 — ✓")
    );
    assert!(!labels.changes.is_empty(), "the change is said");

    let audition = export(&chosen, None, ExportFormat::Audition);
    let rows: Vec<Vec<&str>> = audition
        .text
        .lines()
        .map(|line| line.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 5, "a header and a row a marker");
    assert!(rows.iter().all(|row| row.len() == 6), "{rows:?}");
    assert_eq!((rows[2][1], rows[2][2]), ("0:12.000", "0:03.500"));
    assert!(rows[2][5].contains("\"quotes\", commas; | pipe <b>&amp;</b> 日本語 — ✓"));
    assert!(!audition.changes.is_empty());

    let reaper = export(&chosen, None, ExportFormat::Reaper);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reaper.text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("a strict CSV record"))
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        (&rows[1][0], &rows[1][2], &rows[1][3]),
        ("R1", "0:12.000", "0:15.500")
    );
    assert!(!rows[1][1].contains('\n'), "a REAPER name is one line");
    assert!(!reaper.changes.is_empty());

    let csv = export(&chosen, None, ExportFormat::Csv);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(csv.text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("a strict RFC 4180 record"))
        .collect();
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert_eq!(row.len(), 6);
    }
    assert_eq!(&rows[1][3], HOSTILE, "the note comes back exactly");
    assert!(csv.changes.is_empty());

    let chapters = export(&chosen, None, ExportFormat::Chapters);
    let json: serde_json::Value = serde_json::from_str(&chapters.text).expect("JSON");
    assert_eq!(
        json["chapters"][0]["title"], HOSTILE,
        "JSON keeps it exactly"
    );

    let youtube = export(&chosen, None, ExportFormat::Youtube);
    let lines: Vec<&str> = youtube.text.lines().collect();
    assert_eq!(lines.len(), 3, "one line a chapter: {lines:?}");
    assert!(
        lines[0].starts_with("0:00 tab here, new line,"),
        "{lines:?}"
    );
    assert!(!youtube.changes.is_empty());

    let edl = export(&chosen, None, ExportFormat::Edl);
    let (_, events) = read_edl(&edl.text, 25);
    assert_eq!(events.len(), 4, "one event a marker");
    assert_eq!(events[1].record_in, "01:00:12:00");
    assert_eq!(events[1].length_frames, 88, "3.5 s at 25 fps");
    assert_eq!(
        events[1].name,
        "Cut: tab here, new line, \"quotes\", commas; ¦ pipe <b>&amp;</b> 日本語 — ✓ end"
    );
    assert!(!edl.changes.is_empty());
}

/// Validates `text` against the Podcasting 2.0 chapters schema in
/// `tests/fixtures/schemas` with Python's `jsonschema` (installed beside
/// OpenTimelineIO by `packaging/setup.sh`); the validator's complaint when
/// it is refused.
fn chapters_schema_check(text: &str) -> Result<(), String> {
    const VALIDATE: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
document = json.loads(sys.stdin.read())
jsonschema.Draft202012Validator.check_schema(schema)
checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
jsonschema.validate(document, schema, format_checker=checker)
"#;
    use std::io::Write as _;
    let schema = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/schemas/podcast-chapters-1.2.0.json");
    let python = otio_python();
    let mut child = Command::new(&python)
        .arg("-c")
        .arg(VALIDATE)
        .arg(&schema)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", python.display()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("the JSON goes in");
    let out = child.wait_with_output().expect("python ends");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("No module named 'jsonschema'"),
        "Python's jsonschema is not installed for {}: run `bash packaging/setup.sh`",
        python.display()
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(stderr)
    }
}

#[test]
fn the_chapters_pass_the_podcast_namespace_schema_and_a_wrong_file_does_not() {
    let mut markers = review();
    markers.push(Marker::new(200_000, Some(230_000), "Chapter", HOSTILE));
    let exported = export(&all(&markers), None, ExportFormat::Chapters);
    if let Err(why) = chapters_schema_check(&exported.text) {
        panic!("refused by the schema:\n{why}\n{}", exported.text);
    }
    // The check can fail: a start time as text, or a field the spec lacks.
    let wrong = exported
        .text
        .replacen("\"startTime\": 0.0", "\"startTime\": \"0\"", 1);
    assert_ne!(wrong, exported.text, "the edit applies: {}", exported.text);
    assert!(chapters_schema_check(&wrong).is_err());
    let invented = exported.text.replacen("\"title\"", "\"name\"", 1);
    assert!(chapters_schema_check(&invented).is_err());
}

#[test]
fn chapters_json_follows_podcasting_2_0_version_1_2_0() {
    let markers = review();
    let exported = export(&all(&markers), None, ExportFormat::Chapters);
    let json: serde_json::Value = serde_json::from_str(&exported.text).expect("JSON");
    // The spec's required properties: a version string and the chapter
    // array, each chapter with a numeric startTime, in ascending order.
    assert_eq!(json["version"], "1.2.0");
    let chapters = json["chapters"].as_array().expect("an array");
    let starts: Vec<f64> = chapters
        .iter()
        .map(|c| c["startTime"].as_f64().expect("a number"))
        .collect();
    assert_eq!(starts, [0.0, 75.0, 162.113]);
    let titles: Vec<&str> = chapters
        .iter()
        .map(|c| c["title"].as_str().expect("a title"))
        .collect();
    assert_eq!(titles, ["Intro", "Ilya's background", "Google years"]);
    for chapter in chapters {
        let keys: Vec<&String> = chapter.as_object().expect("object").keys().collect();
        assert!(
            keys.iter()
                .all(|k| ["startTime", "endTime", "title"].contains(&k.as_str())),
            "{keys:?}"
        );
    }
}

#[test]
fn youtube_chapters_are_time_and_title_lines_and_its_rules_are_checked() {
    let markers = review();
    let exported = export(&all(&markers), None, ExportFormat::Youtube);
    assert_eq!(
        exported.text,
        "0:00 Intro\n1:15 Ilya's background\n2:42 Google years\n"
    );
    assert!(exported.changes.is_empty(), "{:?}", exported.changes);

    let late = [
        Marker::new(5_000, None, "Chapter", "A"),
        Marker::new(9_000, None, "Chapter", "B"),
    ];
    let warned = export(&all(&late), None, ExportFormat::Youtube).changes;
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(warned[0].contains("0:00"));
    assert!(warned[1].contains("at least 3"));
    assert!(warned[2].contains("10 s apart"));

    let long = [
        Marker::new(0, None, "Chapter", "Start"),
        Marker::new(1_805_000, None, "Chapter", "Middle"),
        Marker::new(3_723_000, None, "Chapter", "Late"),
    ];
    assert_eq!(
        export(&all(&long), None, ExportFormat::Youtube).text,
        "0:00:00 Start\n0:30:05 Middle\n1:02:03 Late\n"
    );
}

// The command line.

fn seed_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed/delphi-podcast.txt");
    std::fs::copy(seed, dir.path().join("episode.txt")).expect("copy the seed");
    dir
}

fn earmark(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .output()
        .expect("the earmark binary runs")
}

fn write_review(dir: &Path) -> PathBuf {
    let path = dir.join("episode.earmark");
    Session {
        transcript: Some(dir.join("episode.txt")),
        markers: review(),
        ..Session::default()
    }
    .write(&path)
    .expect("the session is written");
    path
}

#[test]
fn earmark_export_writes_csv_with_each_markers_line() {
    let dir = seed_dir();
    write_review(dir.path());
    let out = dir.path().join("review.csv");
    let transcript = dir.path().join("episode.txt");
    let result = earmark(&[
        "export".as_ref(),
        transcript.as_os_str(),
        "--to".as_ref(),
        "csv".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert!(result.status.success(), "{result:?}");
    let mut reader = csv::Reader::from_path(&out).expect("the CSV");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    assert_eq!(rows.len(), 6);
    // The fix at 1:18.305 is on "Classic.", said by Speaker B.
    let fix = rows.iter().find(|r| &r[0] == "Fix").expect("the fix");
    assert_eq!(&fix[1], "00:01:18.305");
    assert_eq!((&fix[4], &fix[5]), ("Speaker B", "Classic."));
    let cut = rows.iter().find(|r| &r[0] == "Cut").expect("the cut");
    assert_eq!((&cut[1], &cut[2]), ("00:00:48.309", "00:01:08.409"));

    let result = earmark(&[
        "export".as_ref(),
        dir.path().join("episode.earmark").as_os_str(),
        "--to".as_ref(),
        "audacity".as_ref(),
        "--kinds".as_ref(),
        "cut,fix".as_ref(),
    ]);
    assert!(result.status.success(), "{result:?}");
    assert_eq!(
        String::from_utf8_lossy(&result.stdout),
        "48.309\t68.409\tCut: Rambling\n78.305\t78.305\tFix: \"Classic\" is B\n",
        "a session file works as input, and --kinds picks the cut list"
    );

    let page = dir.path().join("review.html");
    let result = earmark(&[
        "export".as_ref(),
        transcript.as_os_str(),
        "--to".as_ref(),
        "report".as_ref(),
        "-o".as_ref(),
        page.as_os_str(),
    ]);
    assert!(result.status.success(), "{result:?}");
    let html = std::fs::read_to_string(&page).expect("written");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "an .html report is HTML"
    );
    assert!(
        html.contains("<b>Speaker B</b> (1:18): Classic."),
        "with its lines"
    );
}

#[test]
fn earmark_export_without_a_readable_session_fails_and_writes_nothing() {
    let dir = seed_dir();
    let transcript = dir.path().join("episode.txt");
    let out = dir.path().join("labels.txt");
    let run = || {
        earmark(&[
            "export".as_ref(),
            transcript.as_os_str(),
            "--to".as_ref(),
            "audacity".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ])
    };
    let missing = run();
    assert!(!missing.status.success());
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(said.contains("episode.earmark"), "{said}");
    assert_eq!(said.trim().lines().count(), 1, "one clear line: {said}");
    assert!(!out.exists());

    std::fs::write(
        dir.path().join("episode.earmark"),
        "{\"version\": 1, \"markers\": [",
    )
    .expect("write");
    let damaged = run();
    assert!(!damaged.status.success());
    let said = String::from_utf8_lossy(&damaged.stderr);
    assert!(
        said.contains("episode.earmark") && said.contains("JSON"),
        "{said}"
    );
    assert!(!out.exists());

    let unknown = earmark(&[
        "export".as_ref(),
        transcript.as_os_str(),
        "--to".as_ref(),
        "mp3".as_ref(),
    ]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("audacity, audition, reaper, edl, csv, chapters, youtube")
    );
}

fn seed() -> earmark::transcript::Transcript {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed/delphi-podcast.txt");
    earmark::transcript::read_file(&path, None).expect("the seed")
}

#[test]
fn the_markdown_report_reads_back_as_text_with_each_marker_and_its_line() {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let markers = vec![
        Marker::new(5_265, None, "Note", HOSTILE),
        Marker::new(78_305, Some(79_000), "Fix", "\"Classic\" is B"),
        Marker::new(80_000, None, "Note", OPENERS),
    ];
    let transcript = seed();
    let exported = export(&all(&markers), Some(&transcript), ExportFormat::Report);
    assert!(
        exported.text.contains("Hey, guys. So Jose"),
        "plain punctuation stays readable in the email: {}",
        exported.text
    );
    let mut headings = Vec::new();
    let mut paragraphs: Vec<String> = Vec::new();
    let mut text = String::new();
    for event in Parser::new(&exported.text) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => panic!("raw HTML got through: {html}"),
            Event::Start(Tag::Heading { .. }) => text.clear(),
            Event::End(TagEnd::Heading(_)) => headings.push(std::mem::take(&mut text)),
            Event::End(TagEnd::Paragraph) => paragraphs.push(std::mem::take(&mut text)),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    assert_eq!(
        headings,
        ["Review", "0:05 · Note", "1:18–1:19 · Fix", "1:20 · Note"]
    );
    assert!(paragraphs.contains(&OPENERS.to_owned()), "{paragraphs:?}");
    // The hostile note is one paragraph, its text exactly (line breaks as
    // breaks, blank space around lines trimmed).
    let expected: Vec<&str> = HOSTILE
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(paragraphs.contains(&expected.join("\n")), "{paragraphs:?}");
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("Speaker B (0:05): Hey, guys.")),
        "the line, quoted: {paragraphs:?}"
    );
    assert!(paragraphs.iter().any(|p| p == "Speaker B (1:18): Classic."));
}

#[test]
fn the_html_report_is_well_formed_and_escapes_every_note() {
    use quick_xml::events::Event;
    let markers = vec![
        Marker::new(5_265, None, "Note", HOSTILE),
        Marker::new(48_309, Some(68_409), "Cut", "<script>alert(1)</script>"),
    ];
    let transcript = seed();
    let exported = export(&all(&markers), Some(&transcript), ExportFormat::ReportHtml);
    let mut reader = quick_xml::Reader::from_str(&exported.text);
    let mut texts = String::new();
    let mut elements = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                elements.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(Event::Text(t)) => texts.push_str(&t.decode().expect("UTF-8")),
            Ok(Event::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                texts.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "#39" => "'",
                    other => panic!("an unexpected entity &{other};"),
                });
            }
            Ok(_) => {}
            Err(err) => panic!("not well-formed at {}: {err}", reader.buffer_position()),
        }
    }
    assert!(!elements.iter().any(|e| e == "script"), "{elements:?}");
    assert_eq!(elements.iter().filter(|e| *e == "h2").count(), 2);
    assert!(
        texts.contains("<script>alert(1)</script>"),
        "the note, as text"
    );
    assert!(texts.contains("\"quotes\", commas; | pipe <b>&amp;</b> 日本語 — ✓"));
    assert!(texts.contains("Speaker B"));
}

// The EDL.

/// One event of Resolve's marker EDL, as [`read_edl`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EdlEvent {
    number: u32,
    record_in: String,
    resolve_color: String,
    name: String,
    length_frames: u64,
    loc_color: String,
}

/// Frames from timecode zero to `tc` (`HH:MM:SS:FF`, `nominal` frames a
/// timecode second).
fn frames_of(tc: &str, nominal: u64) -> u64 {
    let fields: Vec<u64> = tc
        .split(':')
        .map(|f| f.parse().unwrap_or_else(|e| panic!("{tc}: {e}")))
        .collect();
    assert_eq!(fields.len(), 4, "{tc}");
    assert!(fields[3] < nominal && fields[2] < 60 && fields[1] < 60 && fields[0] < 24);
    ((fields[0] * 60 + fields[1]) * 60 + fields[2]) * nominal + fields[3]
}

/// Resolve's marker EDL, strictly, line by line: `TITLE:`, `FCM:`, then for
/// each marker a blank line, the event (one frame, source = record), the
/// `|C:ResolveColor… |M:name |D:frames` line and the `* LOC:` line with the
/// same time and name. Anything else fails the test.
fn read_edl(text: &str, nominal: u64) -> (String, Vec<EdlEvent>) {
    assert!(
        !text
            .chars()
            .any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{2028}' | '\u{2029}')),
        "no control characters or line separators but line feeds: {text:?}"
    );
    let mut lines = text.lines();
    let title = lines.next().and_then(|l| l.strip_prefix("TITLE: "));
    let title = title.expect("a TITLE: line first").to_owned();
    assert_eq!(lines.next(), Some("FCM: NON-DROP FRAME"));
    let mut events = Vec::new();
    while let Some(blank) = lines.next() {
        assert_eq!(blank, "", "a blank line between events");
        let event = lines.next().expect("an event after a blank line");
        let fields: Vec<&str> = event.split_whitespace().collect();
        assert_eq!(fields.len(), 8, "{event:?}");
        assert_eq!(&fields[1..4], ["001", "V", "C"], "{event:?}");
        assert_eq!(
            (fields[4], fields[5]),
            (fields[6], fields[7]),
            "source = record"
        );
        assert_eq!(
            frames_of(fields[7], nominal),
            frames_of(fields[6], nominal) + 1,
            "one frame: {event:?}"
        );
        let resolve = lines.next().expect("Resolve's marker line");
        let rest = resolve.strip_prefix(" |C:ResolveColor").expect(resolve);
        let (resolve_color, rest) = rest.split_once(" |M:").expect(resolve);
        let (name, length) = rest.rsplit_once(" |D:").expect(resolve);
        assert!(!name.contains('|'), "{resolve:?}");
        let loc = lines.next().expect("a * LOC: line");
        let rest = loc.strip_prefix("* LOC: ").expect(loc);
        let (tc, rest) = rest.split_once(' ').expect(loc);
        assert_eq!(tc, fields[6], "the LOC is at the event's time: {loc:?}");
        let (loc_color, loc_name) = rest.split_once(' ').unwrap_or((rest, ""));
        assert_eq!(loc_name.trim_start(), name, "the same name: {loc:?}");
        events.push(EdlEvent {
            number: fields[0].parse().expect("an event number"),
            record_in: fields[6].to_owned(),
            resolve_color: resolve_color.to_owned(),
            name: name.to_owned(),
            length_frames: length.parse().expect("|D: frames"),
            loc_color: loc_color.to_owned(),
        });
    }
    let numbers: Vec<u32> = events.iter().map(|e| e.number).collect();
    assert!(
        numbers.iter().copied().eq(1..=numbers.len() as u32),
        "{numbers:?}"
    );
    (title, events)
}

#[test]
fn the_edl_is_resolves_marker_list_with_a_loc_line_a_marker() {
    let markers = review();
    let exported = export(&all(&markers), None, ExportFormat::Edl);
    assert_eq!(
        exported.text,
        "TITLE: Earmark review\n\
         FCM: NON-DROP FRAME\n\
         \n\
         001  001      V     C        01:00:00:00 01:00:00:01 01:00:00:00 01:00:00:01\n \
         |C:ResolveColorCream |M:Chapter: Intro |D:1\n\
         * LOC: 01:00:00:00 WHITE   Chapter: Intro\n\
         \n\
         002  001      V     C        01:00:05:07 01:00:05:08 01:00:05:07 01:00:05:08\n \
         |C:ResolveColorBlue |M:Note: Check the guest's name |D:1\n\
         * LOC: 01:00:05:07 BLUE    Note: Check the guest's name\n\
         \n\
         003  001      V     C        01:00:48:08 01:00:48:09 01:00:48:08 01:00:48:09\n \
         |C:ResolveColorRed |M:Cut: Rambling |D:502\n\
         * LOC: 01:00:48:08 RED     Cut: Rambling\n\
         \n\
         004  001      V     C        01:01:15:00 01:01:15:01 01:01:15:00 01:01:15:01\n \
         |C:ResolveColorCream |M:Chapter: Ilya's background |D:1\n\
         * LOC: 01:01:15:00 WHITE   Chapter: Ilya's background\n\
         \n\
         005  001      V     C        01:01:18:08 01:01:18:09 01:01:18:08 01:01:18:09\n \
         |C:ResolveColorYellow |M:Fix: \"Classic\" is B |D:1\n\
         * LOC: 01:01:18:08 ORANGE  Fix: \"Classic\" is B\n\
         \n\
         006  001      V     C        01:02:42:03 01:02:42:04 01:02:42:03 01:02:42:04\n \
         |C:ResolveColorCream |M:Chapter: Google years |D:1\n\
         * LOC: 01:02:42:03 WHITE   Chapter: Google years\n"
    );
    assert!(exported.changes.is_empty(), "{:?}", exported.changes);
    let (title, events) = read_edl(&exported.text, 25);
    assert_eq!(title, "Earmark review");
    assert_eq!(events.len(), 6);
}

#[test]
fn edl_colours_are_the_nearest_of_resolves_and_opentimelineios() {
    let kinds = default_kinds();
    let colors: Vec<(&str, (&str, &str))> = kinds
        .iter()
        .map(|k| (k.name.as_str(), edl_colors(&k.name, &kinds)))
        .collect();
    assert_eq!(
        colors,
        [
            ("Note", ("Blue", "BLUE")),
            ("Fix", ("Yellow", "ORANGE")),
            ("Cut", ("Red", "RED")),
            ("Retake", ("Purple", "PURPLE")),
            ("Ad break", ("Green", "GREEN")),
            ("Chapter", ("Cream", "WHITE")),
        ]
    );
    assert_eq!(
        edl_colors("cut", &kinds),
        ("Red", "RED"),
        "names without case"
    );
    assert_eq!(
        edl_colors("Mystery", &kinds),
        ("Blue", "BLUE"),
        "unknown: blue"
    );
    let custom = |rgb: [u8; 3]| {
        let kinds = [earmark::review::markers::MarkerKind {
            name: "Mine".to_owned(),
            color: rgb,
        }];
        edl_colors("Mine", &kinds)
    };
    assert_eq!(custom([0x10, 0x10, 0x10]), ("Cream", "BLACK"));
    assert_eq!(custom([0xff, 0x00, 0xff]), ("Fuchsia", "MAGENTA"));
    assert_eq!(custom([0x00, 0xff, 0xff]), ("Cyan", "CYAN"));
}

#[test]
fn edl_frames_are_the_nearest_at_each_smpte_rate_written_non_drop_frame() {
    let fps = |name: &str| name.parse::<Fps>().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Fps::default(), fps("25"));
    assert_eq!(fps("25").frame_from_ms(5_265), 132, "131.625 rounds up");
    assert_eq!(fps("25").timecode(132), "00:00:05:07");
    assert_eq!(fps("30").frame_from_ms(5_265), 158);
    // An hour of audio at 29.97 is 107 892 frames, which non-drop-frame
    // timecode counts 30 to the second.
    let ntsc = fps("29.97");
    assert_eq!((ntsc.nominal(), ntsc.is_ntsc()), (30, true));
    assert_eq!(ntsc.frame_from_ms(3_600_000), 107_892);
    assert_eq!(ntsc.timecode(107_892), "00:59:56:12");
    assert_eq!(ntsc.ms_from_frame(107_892), 3_599_996);
    assert_eq!(fps("23.98"), fps("23.976"));
    assert_eq!(fps("23.98").to_string(), "23.976");
    assert_eq!(fps("59.94").frame_from_ms(1_001), 60);
    for bad in ["0", "", "25fps", "29.976", "120", "-25", "25.5"] {
        let err = bad.parse::<Fps>().expect_err(bad);
        assert!(err.to_string().contains("29.97, 30"), "{err}");
    }
}

#[test]
fn edl_says_what_it_moves_to_a_free_frame_and_what_is_past_its_timecode() {
    let markers = vec![
        Marker::new(1_000, None, "Note", "first"),
        Marker::new(1_010, None, "Note", "same frame"),
        Marker::new(1_020, None, "Note", "same frame again"),
        Marker::new(82_799_000, Some(82_800_000), "Cut", "the last second"),
        Marker::new(82_800_000, None, "Note", "23 h in: past 24:00:00:00"),
    ];
    let exported = export(&all(&markers), None, ExportFormat::Edl);
    let (_, events) = read_edl(&exported.text, 25);
    let starts: Vec<&str> = events.iter().map(|e| e.record_in.as_str()).collect();
    assert_eq!(
        starts,
        ["01:00:01:00", "01:00:01:01", "01:00:01:02", "23:59:59:00"]
    );
    assert_eq!(events[3].length_frames, 25);
    let changes = &exported.changes;
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(changes[0].contains("00:00:01.010: moved to 00:00:01.040 (01:00:01:01)"));
    assert!(changes[1].contains("00:00:01.020: moved to 00:00:01.080 (01:00:01:02)"));
    assert!(changes[2].starts_with("1 marker from 23:00:00.000 on left out"));
}

/// A note of every character that ends a line for some reader, and lines
/// that would each be something else in an EDL if they began one.
const LINE_BREAKERS: &str = "a\u{0b}b\u{0c}c\u{1c}d\u{1d}e\u{1e}f\u{85}g\u{2028}h\u{2029}i\n\
     002  001      V     C        01:00:00:00 01:00:00:01 01:00:00:00 01:00:00:01\n\
     * LOC: 01:00:00:00 RED     fake\nFROM CLIP NAME: x\nASC_SOP (1 1 1)(0 0 0)(1 1 1)\nTITLE: y";

/// The Python with OpenTimelineIO's CMX 3600 reader: `EARMARK_OTIO_PYTHON`,
/// else the virtual environment `packaging/setup.sh` makes, else `python3`.
fn otio_python() -> PathBuf {
    if let Some(python) = std::env::var_os("EARMARK_OTIO_PYTHON").filter(|p| !p.is_empty()) {
        return python.into();
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")));
    cache
        .map(|cache| cache.join("earmark/otio-venv/bin/python"))
        .filter(|python| python.exists())
        .unwrap_or_else(|| "python3".into())
}

/// Reads the EDL at `path` with OpenTimelineIO's CMX 3600 reader at `rate`
/// (`25`, `30000/1001`) and prints each clip's markers (name, colour, and
/// time after 01:00:00:00 in seconds) and its other comment lines, as JSON.
const OTIO_READ: &str = r#"
import json, sys
from fractions import Fraction
import opentimelineio as otio
rate = float(Fraction(sys.argv[2]))
with open(sys.argv[1], encoding="utf-8") as f:
    timeline = otio.adapters.read_from_string(f.read(), "cmx_3600", rate=rate)
zero = otio.opentime.from_timecode("01:00:00:00", rate).to_seconds()
clips = [
    {
        "markers": [
            {"name": m.name, "color": m.color,
             "secs": m.marked_range.start_time.to_seconds() - zero}
            for m in clip.markers
        ],
        "comments": list(clip.metadata.get("cmx_3600", {}).get("comments", [])),
    }
    for clip in timeline.find_clips()
]
print(json.dumps({"version": otio.__version__, "clips": clips}))
"#;

/// What OpenTimelineIO reads from the EDL at `path` (see [`OTIO_READ`]);
/// fails, saying how to install it, when it is not there.
fn read_with_otio(path: &Path, rate: &str) -> serde_json::Value {
    let python = otio_python();
    let probe = Command::new(&python)
        .args([
            "-c",
            "import opentimelineio.adapters as a; a.from_name('cmx_3600')",
        ])
        .output();
    let missing = match &probe {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).into_owned()),
        Err(err) => Some(err.to_string()),
    };
    if let Some(why) = missing {
        panic!(
            "OpenTimelineIO with its CMX 3600 adapter is not installed for {}: run `bash \
             packaging/setup.sh` (it makes ~/.cache/earmark/otio-venv), or set \
             EARMARK_OTIO_PYTHON to a Python that has it.\n{why}",
            python.display()
        );
    }
    let out = Command::new(&python)
        .arg("-c")
        .arg(OTIO_READ)
        .arg(path)
        .arg(rate)
        .output()
        .expect("python runs");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        out.status.success(),
        "OpenTimelineIO refused the EDL:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the reader's JSON")
}

#[test]
fn opentimelineio_reads_each_marker_of_the_edl_at_its_time_with_its_name() {
    let markers = vec![
        Marker::new(0, None, "Chapter", HOSTILE),
        Marker::new(12_000, Some(15_500), "Cut", HOSTILE),
        Marker::new(30_000, None, "Chapter", "Plain"),
        Marker::new(45_000, None, "Note", LINE_BREAKERS),
        Marker::new(3_599_999, None, "Retake", "日本語 — ✓ <b>"),
        Marker::new(5_400_123, Some(5_460_000), "Mystery", ""),
    ];
    let hostile = "tab here, new line, \"quotes\", commas; ¦ pipe <b>&amp;</b> 日本語 — ✓ end";
    let expected = [
        (format!("Chapter: {hostile}"), "WHITE"),
        (format!("Cut: {hostile}"), "RED"),
        ("Chapter: Plain".to_owned(), "WHITE"),
        (
            "Note: a b c d e f g h i \
             002  001      V     C        01:00:00:00 01:00:00:01 01:00:00:00 01:00:00:01 \
             * LOC: 01:00:00:00 RED     fake FROM CLIP NAME: x ASC_SOP (1 1 1)(0 0 0)(1 1 1) \
             TITLE: y"
                .to_owned(),
            "BLUE",
        ),
        ("Retake: 日本語 — ✓ <b>".to_owned(), "PURPLE"),
        ("Mystery".to_owned(), "BLUE"),
    ];
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, rate, frame_secs) in [
        ("25", "25", 1.0 / 25.0),
        ("29.97", "30000/1001", 1001.0 / 30000.0),
        ("23.976", "24000/1001", 1001.0 / 24000.0),
    ] {
        let options = ExportOptions {
            fps: name.parse().expect("a rate"),
            ..ExportOptions::default()
        };
        let exported = export_with_options(&all(&markers), None, ExportFormat::Edl, &options);
        assert!(!exported.changes.is_empty(), "the changes are said");
        let path = dir.path().join(format!("review {name}.edl"));
        std::fs::write(&path, &exported.text).expect("written");
        let read = read_with_otio(&path, rate);
        let clips = read["clips"].as_array().expect("clips");
        assert_eq!(clips.len(), markers.len(), "one event a marker at {name}");
        for ((clip, marker), (expected_name, color)) in clips.iter().zip(&markers).zip(&expected) {
            let found = clip["markers"].as_array().expect("markers");
            assert_eq!(found.len(), 1, "one marker an event: {clip}");
            let otio_marker = &found[0];
            assert_eq!(otio_marker["name"], expected_name.as_str(), "at {name} fps");
            assert_eq!(otio_marker["color"], *color);
            let secs = otio_marker["secs"].as_f64().expect("a time");
            let wanted = marker.start_ms as f64 / 1000.0;
            assert!(
                (secs - wanted).abs() <= frame_secs,
                "{expected_name}: read at {secs} s, marked at {wanted} s ({name} fps)"
            );
            let comments = clip["comments"].as_array().expect("comments");
            assert_eq!(comments.len(), 1, "Resolve's line, whole: {comments:?}");
            let resolve = comments[0].as_str().expect("a line");
            assert!(
                resolve.starts_with("|C:ResolveColor")
                    && resolve.contains(&format!(" |M:{expected_name} |D:")),
                "{resolve}"
            );
        }
        eprintln!(
            "OpenTimelineIO {} read the EDL at {name} fps",
            read["version"].as_str().unwrap_or("?")
        );
    }
}

#[test]
fn earmark_export_edl_takes_fps_and_refuses_a_rate_that_is_not_one() {
    let dir = seed_dir();
    write_review(dir.path());
    let transcript = dir.path().join("episode.txt");
    let out = dir.path().join("review.edl");
    let run = |fps: &str, to: &str| {
        earmark(&[
            "export".as_ref(),
            transcript.as_os_str(),
            "--to".as_ref(),
            to.as_ref(),
            "--fps".as_ref(),
            fps.as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ])
    };
    let result = run("30", "edl");
    assert!(result.status.success(), "{result:?}");
    assert!(result.stderr.is_empty(), "nothing to say: {result:?}");
    let text = std::fs::read_to_string(&out).expect("written");
    let (title, events) = read_edl(&text, 30);
    assert_eq!(title, "episode");
    assert_eq!(events.len(), 6);
    // 5.265 s is frame 157.95 at 30 fps; the cut is 48.309–68.409 s.
    assert_eq!(events[1].record_in, "01:00:05:08");
    assert_eq!(
        (events[2].record_in.as_str(), events[2].length_frames),
        ("01:00:48:09", 603)
    );
    assert_eq!(
        (
            events[2].resolve_color.as_str(),
            events[2].loc_color.as_str()
        ),
        ("Red", "RED")
    );
    std::fs::remove_file(&out).expect("removed");

    for bad in ["0", "29.976", "abc"] {
        let refused = run(bad, "edl");
        assert!(!refused.status.success(), "--fps {bad}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(
            said.contains("expected a timecode frame rate") && said.contains(&format!("\"{bad}\"")),
            "{said}"
        );
        assert!(!out.exists(), "no file for --fps {bad}");
    }

    let ignored = run("30", "audacity");
    assert!(ignored.status.success(), "{ignored:?}");
    assert!(String::from_utf8_lossy(&ignored.stderr).contains("--fps is for --to edl"));

    Session {
        transcript: Some(transcript.clone()),
        markers: vec![Marker::new(12_000, None, "Cut", HOSTILE)],
        ..Session::default()
    }
    .write(&dir.path().join("episode.earmark"))
    .expect("the session is written");
    let hostile = run("25", "edl");
    assert!(hostile.status.success(), "{hostile:?}");
    let said = String::from_utf8_lossy(&hostile.stderr);
    assert!(
        said.starts_with("earmark: the marker at 00:00:12.000: tabs and line breaks became spaces")
            && said.contains("'|' became '¦'"),
        "{said}"
    );
    let (_, events) = read_edl(&std::fs::read_to_string(&out).expect("written"), 25);
    assert_eq!(events.len(), 1);
}
