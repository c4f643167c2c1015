//! Review markers out to other programs: each exporter against the layout
//! its program documents, read back by a strict reader (the `csv` crate for
//! CSV, serde_json for the chapters, a parser of the documented line layout
//! for Audacity labels and YouTube chapters); hostile note text through
//! every format stays one record; and `earmark export` from the command
//! line, including a missing or damaged session (an error, no file).

use std::path::{Path, PathBuf};
use std::process::Command;

use earmark::review::export::{ExportFormat, export};
use earmark::review::markers::{Marker, selected};
use earmark::review::session::Session;

fn marker(start_ms: u64, end_ms: Option<u64>, kind: &str, note: &str) -> Marker {
    Marker {
        start_ms,
        end_ms,
        kind: kind.to_owned(),
        note: note.to_owned(),
    }
}

/// A review: a note, a cut range, a fix, and three chapters.
fn review() -> Vec<Marker> {
    vec![
        marker(75_000, None, "Chapter", "Ilya's background"),
        marker(0, None, "Chapter", "Intro"),
        marker(5_265, None, "Note", "Check the guest's name"),
        marker(48_309, Some(68_409), "Cut", "Rambling"),
        marker(78_305, None, "Fix", "\"Classic\" is B"),
        marker(162_113, None, "Chapter", "Google years"),
    ]
}

const HOSTILE: &str =
    "tab\there, new\nline, \"quotes\", commas; | pipe <b>&amp;</b> 日本語 — ✓\r\nend";

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
    let late = [marker(3_723_456, Some(3_725_000), "Cut", "")];
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
        marker(0, None, "Chapter", HOSTILE),
        marker(12_000, Some(15_500), "Cut", HOSTILE),
        marker(30_000, None, "Chapter", "Plain"),
        marker(45_000, None, "Chapter", HOSTILE),
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
        marker(5_000, None, "Chapter", "A"),
        marker(9_000, None, "Chapter", "B"),
    ];
    let warned = export(&all(&late), None, ExportFormat::Youtube).changes;
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(warned[0].contains("0:00"));
    assert!(warned[1].contains("at least 3"));
    assert!(warned[2].contains("10 s apart"));

    let long = [
        marker(0, None, "Chapter", "Start"),
        marker(1_805_000, None, "Chapter", "Middle"),
        marker(3_723_000, None, "Chapter", "Late"),
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
            .contains("audacity, audition, reaper, csv, chapters, youtube")
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
        marker(5_265, None, "Note", HOSTILE),
        marker(78_305, Some(79_000), "Fix", "\"Classic\" is B"),
    ];
    let transcript = seed();
    let exported = export(&all(&markers), Some(&transcript), ExportFormat::Report);
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
    assert_eq!(headings, ["Review", "0:05 · Note", "1:18–1:19 · Fix"]);
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
        marker(5_265, None, "Note", HOSTILE),
        marker(48_309, Some(68_409), "Cut", "<script>alert(1)</script>"),
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
