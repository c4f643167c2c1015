//! The document's costs against the editing issue's targets: an edit on a
//! 100 000-line transcript (≤ 1 ms), the journal's work on the UI thread per
//! edit (≤ 1 ms), saving the seed (≤ 10 ms) and a 100 000-line transcript
//! (≤ 200 ms), and the memory 10 000 undo steps hold on the seed (≤ 10 MB,
//! printed once as live heap growth).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use earmark::review::journal::encode_apply;
use earmark::review::{Document, ops};
use earmark::transcript::{self, Transcript};

/// Counts live heap bytes.
struct LiveAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for LiveAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: LiveAlloc = LiveAlloc;

fn seed() -> Transcript {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed/delphi-podcast.txt");
    transcript::read_file(&path, None).expect("the seed reads")
}

/// The seed's lines repeated, one after another in time, to `lines` lines.
fn long(lines: usize) -> Transcript {
    let seed = seed();
    let span_ms = seed.segments.iter().map(|s| s.end_ms).max().unwrap_or(0) + 1000;
    let mut long = seed.clone();
    long.segments.clear();
    for i in 0..lines {
        let mut segment = seed.segments[i % seed.segments.len()].clone();
        let shift = (i / seed.segments.len()) as u64 * span_ms;
        segment.start_ms += shift;
        segment.end_ms += shift;
        long.segments.push(segment);
    }
    long
}

fn edits(c: &mut Criterion) {
    let mut document = Document::new(long(100_000));
    let mut group = c.benchmark_group("edit on 100 000 lines");
    group.bench_function("text of line 50 000, and undo", |b| {
        b.iter(|| {
            let edit = ops::set_text(document.transcript(), 50_000, "Edited.").expect("a change");
            document.apply(edit).expect("fits");
            document.undo();
        })
    });
    group.bench_function("split line 10 (shifts the rest), and undo", |b| {
        b.iter(|| {
            let edit = ops::split(document.transcript(), 10, 20, None).expect("a split");
            document.apply(edit).expect("fits");
            document.undo();
        })
    });
    group.bench_function("journal record of a text edit", |b| {
        let edit = ops::set_text(document.transcript(), 50_000, "Edited.").expect("a change");
        b.iter(|| black_box(encode_apply(&edit)))
    });
    group.finish();
}

fn saves(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut group = c.benchmark_group("save");
    group.sample_size(20);
    for (name, transcript) in [("seed", seed()), ("100 000 lines", long(100_000))] {
        let path = dir.path().join(format!("{name}.txt"));
        group.bench_function(name, |b| {
            b.iter(|| {
                let text =
                    transcript::write_string(&transcript, transcript.format).expect("writes");
                earmark::atomic_file::write(&path, text.as_bytes()).expect("saves");
            })
        });
    }
    // What a save costs the window's thread: the text (the file is written
    // on a thread of its own).
    let path = dir.path().join("window.txt");
    let many = long(100_000);
    transcript::write_file(&many, many.format, &Default::default(), &path).expect("writes");
    let mut document = Document::open(&path).expect("opens");
    group.bench_function("100 000 lines: the window thread's part", |b| {
        b.iter(|| document.start_save(None).expect("starts"))
    });
    // The rare case: an edit while the save's thread holds the transcript
    // copies it once.
    group.bench_function("100 000 lines: an edit while a save runs", |b| {
        b.iter(|| {
            let job = document.start_save(None).expect("starts");
            let text = format!("{} (edited)", document.transcript().segments[50_000].text);
            let edit = ops::set_text(document.transcript(), 50_000, &text).expect("a change");
            document.apply(edit).expect("fits");
            document.undo();
            job
        })
    });
    group.finish();
}

/// Not a timing: the heap 10 000 undo steps hold, printed once.
fn undo_memory(_: &mut Criterion) {
    let mut document = Document::new(seed());
    let lines = document.transcript().segments.len();
    let before = LIVE.load(Ordering::Relaxed);
    for step in 0..10_000 {
        let index = step * 7 % lines;
        let text = format!("{} {step}", document.transcript().segments[index].text);
        let edit = ops::set_text(document.transcript(), index, &text).expect("a change");
        document.apply(edit).expect("fits");
    }
    let held = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    println!(
        "10 000 text edits on the seed: {} undo steps, {:.1} MB held (target ≤ 10 MB)",
        document.undo_len(),
        held as f64 / 1e6
    );
}

/// 10 000 markers over the seed's 91 minutes, in every export format (and
/// the EDL at an NTSC rate too).
fn exports(c: &mut Criterion) {
    use earmark::review::export::{ExportFormat, ExportOptions, export, export_with_options};
    use earmark::review::markers::{Marker, selected};
    let kinds = ["Note", "Fix", "Cut", "Retake", "Ad break", "Chapter"];
    let markers: Vec<Marker> = (0..10_000u64)
        .map(|i| Marker {
            start_ms: i * 550,
            end_ms: (i % 3 == 0).then_some(i * 550 + 400),
            kind: kinds[i as usize % kinds.len()].to_owned(),
            note: format!("Marker {i}: check \"this\", then\tthat"),
        })
        .collect();
    let transcript = seed();
    let chosen = selected(&markers, None);
    let mut group = c.benchmark_group("export 10 000 markers");
    group.sample_size(20);
    for (format, name) in ExportFormat::ALL {
        group.bench_function(name, |b| {
            b.iter(|| export(&chosen, Some(&transcript), format))
        });
    }
    let ntsc = ExportOptions {
        fps: "29.97".parse().expect("a timecode rate"),
        ..ExportOptions::default()
    };
    group.bench_function("edl at 29.97 fps", |b| {
        b.iter(|| export_with_options(&chosen, None, ExportFormat::Edl, &ntsc))
    });
    group.finish();
}

criterion_group!(benches, undo_memory, edits, saves, exports);
criterion_main!(benches);
