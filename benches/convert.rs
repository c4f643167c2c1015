//! Converting 44.1 kHz stereo to 48 kHz stereo, at speed 1 (resampling only)
//! and at 1.5 (stretching too): the engine thread does this continuously, so
//! it must run many times faster than real time. Criterion's throughput is
//! in source frames per second; divide by 44 100 for seconds of audio per
//! second (the real-time ratio).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use earmark::audio::{AudioError, Converter, FrameSource};

const RATE_HZ: u32 = 44_100;
/// Source frames converted per iteration: one second of audio.
const FRAMES_PER_ITER: u64 = RATE_HZ as u64;

/// An endless speech-band signal (a few partials with a slow vibrato), so the
/// stretcher never takes its silence shortcut.
struct ToneSource {
    pos_frames: u64,
}

impl FrameSource for ToneSource {
    fn sample_rate(&self) -> u32 {
        RATE_HZ
    }
    fn channels(&self) -> u16 {
        2
    }
    fn total_frames(&self) -> u64 {
        u64::MAX
    }
    fn pos_frames(&self) -> u64 {
        self.pos_frames
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        for frame in out.chunks_exact_mut(2) {
            let t = self.pos_frames as f32 / RATE_HZ as f32;
            let f0 = 140.0 + 20.0 * (t * 3.0).sin();
            let phase = std::f32::consts::TAU * f0 * t;
            let s = 0.3 * phase.sin() + 0.2 * (2.0 * phase).sin() + 0.1 * (5.0 * phase).sin();
            frame.fill(s);
            self.pos_frames += 1;
        }
        Ok(out.len() / 2)
    }
    fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError> {
        self.pos_frames = pos_frames;
        Ok(())
    }
}

fn convert(c: &mut Criterion) {
    let mut group = c.benchmark_group("convert_44k1_to_48k_stereo");
    group.throughput(Throughput::Elements(FRAMES_PER_ITER));
    for speed in [1.0, 1.5] {
        let mut source = ToneSource { pos_frames: 0 };
        let mut converter = Converter::new(RATE_HZ, 2, 48_000, 2);
        converter.set_speed(speed);
        // 10 ms blocks, as the engine pulls them.
        let mut out = vec![0.0f32; 480 * 2];
        group.bench_function(format!("speed_{speed}"), |b| {
            b.iter(|| {
                let start_frames = source.pos_frames;
                while source.pos_frames - start_frames < FRAMES_PER_ITER {
                    let block = converter
                        .process(&mut source, &mut out)
                        .expect("the tone never fails");
                    black_box(block);
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, convert);
criterion_main!(benches);
