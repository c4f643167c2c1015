//! Timeline lookups over one million generated segments at random times: the
//! UI calls `segment_at` once per frame, so it must stay far below a frame.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use earmark::timeline::Timeline;
use earmark::transcript::{Format, Segment, Transcript};

const SEGMENT_COUNT: usize = 1_000_000;
/// Query times are drawn up front so the bench measures lookups, not the generator.
const QUERY_COUNT: usize = 1 << 20;

/// SplitMix64: a fixed-seed generator, so every run measures the same transcript.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

/// Speech-like segments: mostly back to back, some pauses, some overlapping
/// the previous one, a few long ones covering their neighbours, a few zero-length.
fn generated_transcript(rng: &mut SplitMix64) -> Transcript {
    let mut transcript = Transcript::new(Format::Range);
    let mut cursor_ms = 0u64;
    for _ in 0..SEGMENT_COUNT {
        let start_ms = match rng.below(10) {
            0 => cursor_ms + rng.below(3000),
            1 => cursor_ms.saturating_sub(rng.below(800)),
            _ => cursor_ms,
        };
        let length_ms = match rng.below(100) {
            0 => 0,
            1 => 20_000 + rng.below(40_000),
            _ => 500 + rng.below(7500),
        };
        transcript.segments.push(Segment {
            start_ms,
            end_ms: start_ms + length_ms,
            ..Segment::default()
        });
        cursor_ms = cursor_ms.max(start_ms + length_ms.min(8000));
    }
    transcript
}

fn timeline_lookups(c: &mut Criterion) {
    let mut rng = SplitMix64(0x5EED);
    let transcript = generated_transcript(&mut rng);
    let end_ms = transcript
        .segments
        .iter()
        .map(|s| s.end_ms)
        .max()
        .unwrap_or(0);
    let timeline = Timeline::new(&transcript);
    let queries_ms: Vec<u64> = (0..QUERY_COUNT).map(|_| rng.below(end_ms + 1)).collect();

    let mut next = 0;
    c.bench_function("segment_at", |b| {
        b.iter(|| {
            next = (next + 1) % QUERY_COUNT;
            timeline.segment_at(black_box(queries_ms[next]))
        })
    });
    c.bench_function("segment_before", |b| {
        b.iter(|| {
            next = (next + 1) % QUERY_COUNT;
            timeline.segment_before(black_box(queries_ms[next]))
        })
    });
}

criterion_group!(benches, timeline_lookups);
criterion_main!(benches);
