//! `Converter::process` runs on the engine thread at a steady rhythm: after
//! warm-up it must not touch the Rust heap, whatever the speed does. (Its own
//! binary, because it replaces the global allocator. The C++ stretcher
//! allocates through `malloc`, which this cannot see.)
#![cfg(feature = "audio")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use earmark::audio::{AudioError, Converter, FrameSource};

/// Counts the allocations of the threads that ask for it.
struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call is passed on unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// An endless two-tone signal computed on the fly.
struct ToneSource {
    pos_frames: u64,
}

impl FrameSource for ToneSource {
    fn sample_rate(&self) -> u32 {
        44_100
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
            let t = self.pos_frames as f32 / 44_100.0;
            frame[0] = 0.4 * (std::f32::consts::TAU * 220.0 * t).sin();
            frame[1] = 0.4 * (std::f32::consts::TAU * 330.0 * t).sin();
            self.pos_frames += 1;
        }
        Ok(out.len() / 2)
    }
    fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError> {
        self.pos_frames = pos_frames;
        Ok(())
    }
}

#[test]
fn process_does_not_allocate_after_warm_up_even_when_the_speed_changes() {
    let mut source = ToneSource { pos_frames: 0 };
    let mut converter = Converter::new(44_100, 2, 48_000, 1);
    let mut out = vec![0.0f32; 480];
    converter.set_speed(3.0);
    for _ in 0..100 {
        converter.process(&mut source, &mut out).expect("tone");
    }
    converter.set_speed(1.0);

    COUNTING.with(|c| c.set(true));
    for (i, speed) in [1.0, 0.5, 2.0, 1.25, 3.0, 0.75]
        .into_iter()
        .cycle()
        .take(60)
        .enumerate()
    {
        converter.set_speed(speed);
        for _ in 0..(5 + i % 7) {
            converter.process(&mut source, &mut out).expect("tone");
        }
    }
    COUNTING.with(|c| c.set(false));

    assert_eq!(ALLOCATIONS.with(Cell::get), 0);
}
