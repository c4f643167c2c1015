//! Transcript parsing speed and memory: the seed podcast, a generated 50 MB
//! transcript in each text format and in Podcasting JSON (throughput in
//! MB/s), and the peak heap while reading each 50 MB file, printed as a
//! multiple of the file size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use earmark::transcript::{self, Format, Segment, Transcript, Word, word_ms};

/// Counts live heap bytes and their high-water mark.
struct PeakAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
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
            if new_size > layout.size() {
                let grow = new_size - layout.size();
                let live = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static GLOBAL: PeakAlloc = PeakAlloc;

const TARGET_BYTES: usize = 50 * 1024 * 1024;

const WORDS: [&str; 16] = [
    "so",
    "the",
    "podcast",
    "transformers",
    "actually",
    "learning",
    "near",
    "crypto",
    "question",
    "model",
    "attention",
    "really",
    "Ukraine",
    "café",
    "data",
    "we're",
];

/// A transcript of two speakers whose written form is about `TARGET_BYTES`;
/// with `timed_words`, every word has its own times (VTT writes them inline).
fn generated(format: Format, timed_words: bool) -> String {
    let mut model = Transcript::new(format);
    let speakers = [
        model.intern_speaker("Speaker A"),
        model.intern_speaker("Speaker B"),
    ];
    let mut start_ms = 1_400u64;
    let mut i = 0usize;
    let mut written = 0usize;
    while written < TARGET_BYTES {
        let n_words = 8 + i % 40;
        let text: Vec<&str> = (0..n_words)
            .map(|w| WORDS[(i * 7 + w * 3) % WORDS.len()])
            .collect();
        let words: Vec<Word> = if timed_words {
            (0..n_words)
                .map(|w| Word {
                    text: text[w].into(),
                    start_ms: word_ms(start_ms + 300 * w as u64),
                    end_ms: word_ms(start_ms + 300 * (w as u64 + 1)),
                    confidence: None,
                })
                .collect()
        } else {
            Vec::new()
        };
        let text = text.join(" ");
        let end_ms = start_ms + 300 * n_words as u64;
        written += text.len() + 48 + words.len() * 14;
        model.segments.push(Segment {
            start_ms,
            end_ms,
            speaker: speakers[i % 2],
            text,
            words,
            ..Segment::default()
        });
        start_ms = end_ms + 150;
        i += 1;
    }
    transcript::write_string(&model, format).expect("a writable format")
}

fn seed(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed/delphi-podcast.txt");
    let bytes = std::fs::read(path).expect("the seed fixture");
    let mut group = c.benchmark_group("seed");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| transcript::parse_bytes(black_box(bytes.clone()), None).expect("parses"))
    });
    group.finish();
}

fn large(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("parse_50mb");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (name, format, timed_words) in [
        ("range", Format::Range, false),
        ("srt", Format::Srt, false),
        ("vtt", Format::Vtt, false),
        ("vtt_word_times", Format::Vtt, true),
        ("text", Format::Text, false),
        ("podcast_json", Format::PodcastJson, false),
    ] {
        let text = generated(format, timed_words);
        let path = dir.path().join(format!("{name}.{}", format.extension()));
        std::fs::write(&path, &text).expect("write the generated file");
        drop(text);
        let size = std::fs::metadata(&path).expect("size").len();

        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let parsed = transcript::read_file(&path, None).expect("parses");
        let peak = PEAK.load(Ordering::Relaxed) - before;
        assert_eq!(parsed.format, format, "detected as written");
        println!(
            "memory {name}: {:.1} MB file, {} segments, peak heap {:.2}x the file size",
            size as f64 / 1e6,
            parsed.segments.len(),
            peak as f64 / size as f64
        );
        drop(parsed);

        group.throughput(Throughput::Bytes(size));
        group.bench_function(name, |b| {
            b.iter(|| transcript::read_file(black_box(&path), None).expect("parses"))
        });
    }
    group.finish();
}

criterion_group!(benches, seed, large);
criterion_main!(benches);
