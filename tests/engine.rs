//! The playback engine as the UI sees it: commands in, clock and events out.
//!
//! Most tests drive a virtual output by hand (a fixed number of frames per
//! step, a fixed latency), so the clock arithmetic is checked exactly and no
//! test depends on wall time. The test sources encode their own frame index
//! in channel 0 and a constant 1 in channel 1: dividing the two undoes any
//! fade, so every frame pulled can be traced to the media frame it came from.
#![cfg(feature = "audio")]

use std::path::Path;
use std::time::{Duration, Instant};

use earmark::audio::engine::FADE_MS;
use earmark::audio::wav::WavWriter;
use earmark::audio::{
    AudioError, Command, Engine, Event, FrameSource, OutputChoice, VirtualOutput,
};

const RATE: u32 = 48_000;
const LATENCY_FRAMES: u64 = 1_000;
const FADE_FRAMES: u64 = (RATE as u64) * (FADE_MS as u64) / 1000;
/// Frames per step: well under the engine's 200 ms ring.
const STEP_FRAMES: usize = 960;

/// Stereo frames made by a function of the frame index.
struct TestSource {
    pos_frames: u64,
    total_frames: u64,
    frame: fn(u64) -> [f32; 2],
}

impl TestSource {
    /// Channel 0 is the frame index, channel 1 is 1.
    fn counter(total_frames: u64) -> Box<TestSource> {
        Box::new(TestSource {
            pos_frames: 0,
            total_frames,
            frame: |i| [i as f32, 1.0],
        })
    }

    /// A 375 Hz sine (128 frames a period, peaks at 32 + 128 k) in both channels.
    fn sine(total_frames: u64) -> Box<TestSource> {
        Box::new(TestSource {
            pos_frames: 0,
            total_frames,
            frame: |i| {
                let s = 0.9 * (std::f32::consts::TAU * (i % 128) as f32 / 128.0).sin();
                [s, s]
            },
        })
    }
}

impl FrameSource for TestSource {
    fn sample_rate(&self) -> u32 {
        RATE
    }
    fn channels(&self) -> u16 {
        2
    }
    fn total_frames(&self) -> u64 {
        self.total_frames
    }
    fn pos_frames(&self) -> u64 {
        self.pos_frames
    }
    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let frames = ((out.len() / 2) as u64).min(self.total_frames - self.pos_frames) as usize;
        for (i, frame) in out.chunks_exact_mut(2).take(frames).enumerate() {
            frame.copy_from_slice(&(self.frame)(self.pos_frames + i as u64));
        }
        self.pos_frames += frames as u64;
        Ok(frames)
    }
    fn seek(&mut self, pos_frames: u64) -> Result<(), AudioError> {
        self.pos_frames = pos_frames.min(self.total_frames);
        Ok(())
    }
}

/// An engine on a virtual output with `source` loaded (paused at 0).
fn engine_with(source: Box<TestSource>) -> (Engine, VirtualOutput) {
    let (engine, output) = Engine::start_virtual(RATE, 2, LATENCY_FRAMES).unwrap();
    engine.send(Command::LoadSource(source));
    engine.settle();
    (engine, output)
}

/// Pulls `frames` frames in steps and returns them interleaved.
fn pull(output: &mut VirtualOutput, frames: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(frames * 2);
    let mut left = frames;
    while left > 0 {
        let step = left.min(STEP_FRAMES);
        out.extend(output.step(step));
        left -= step;
    }
    out
}

/// The media frame each pulled counter frame came from (`None` for silence).
fn media_frames(samples: &[f32]) -> Vec<Option<u64>> {
    samples
        .chunks_exact(2)
        .map(|f| (f[1] > 1e-6).then(|| (f64::from(f[0]) / f64::from(f[1])).round() as u64))
        .collect()
}

/// Every event reported so far.
fn events(engine: &Engine) -> Vec<Event> {
    engine.settle();
    std::iter::from_fn(|| engine.try_recv()).collect()
}

fn clock_frames(engine: &Engine) -> u64 {
    engine.settle();
    engine.clock().pos_frames
}

#[test]
fn the_clock_is_the_media_frames_handed_out_minus_the_latency_plus_the_offset() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    assert_eq!(clock_frames(&engine), 0);
    engine.send(Command::Play);
    pull(&mut output, 4800);
    assert_eq!(clock_frames(&engine), 4800 - LATENCY_FRAMES);
    pull(&mut output, 4800);
    assert_eq!(clock_frames(&engine), 9600 - LATENCY_FRAMES);

    engine.send(Command::SetOffset { offset_ms: 100 });
    assert_eq!(engine.clock().pos_frames, 9600 - LATENCY_FRAMES + 4800);
    assert_eq!(engine.clock().pos_ms, 200 - 21 + 100);
    engine.send(Command::SetOffset { offset_ms: -1000 });
    assert_eq!(engine.clock().pos_frames, 0, "never below 0");
}

#[test]
fn the_clock_moves_at_the_media_rate_and_never_back_while_playing() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::Play);
    pull(&mut output, LATENCY_FRAMES as usize);
    let mut previous = clock_frames(&engine);
    for _ in 0..100 {
        output.step(100);
        let now = clock_frames(&engine);
        assert_eq!(now, previous + 100);
        previous = now;
    }
}

#[test]
fn frames_are_handed_out_in_order_from_the_start() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::Play);
    let heard = media_frames(&pull(&mut output, 20_000));
    let expected: Vec<Option<u64>> = (0..20_000).map(Some).collect();
    assert_eq!(heard, expected);
}

#[test]
fn after_a_seek_the_next_frames_are_the_frames_at_the_target_after_a_fade() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::Play);
    pull(&mut output, 4800);
    engine.send(Command::SeekFrames { pos_frames: 96_000 });
    assert_eq!(
        clock_frames(&engine),
        96_000,
        "the clock shows the target at once"
    );

    let heard = media_frames(&pull(&mut output, 4800));
    let fade_out = (4800..4800 + FADE_FRAMES).map(Some);
    let from_target = (96_000..).take(4800 - FADE_FRAMES as usize).map(Some);
    let expected: Vec<Option<u64>> = fade_out.chain(from_target).collect();
    assert_eq!(heard, expected);
    // The listener is LATENCY_FRAMES behind the last frame pulled.
    assert_eq!(
        clock_frames(&engine),
        96_000 + 4800 - FADE_FRAMES - LATENCY_FRAMES
    );
}

#[test]
fn a_seek_in_milliseconds_lands_on_the_frame_at_that_time() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::Seek { pos_ms: 1500 });
    engine.send(Command::Play);
    let heard = media_frames(&pull(&mut output, 100));
    assert_eq!(heard[0], Some(72_000));
    assert_eq!(heard[99], Some(72_099));
}

#[test]
fn at_double_speed_the_clock_advances_two_media_seconds_per_output_second() {
    let (engine, mut output) = engine_with(TestSource::counter(20 * u64::from(RATE)));
    engine.send(Command::SetSpeed(2.0));
    engine.send(Command::Play);
    pull(&mut output, 48_000);
    let after_one_s = clock_frames(&engine);
    assert_eq!(after_one_s, 2 * (48_000 - LATENCY_FRAMES));
    pull(&mut output, 48_000);
    assert_eq!(clock_frames(&engine) - after_one_s, 2 * 48_000);
}

#[test]
fn at_half_speed_the_clock_advances_half_a_media_second_per_output_second() {
    let (engine, mut output) = engine_with(TestSource::counter(20 * u64::from(RATE)));
    engine.send(Command::SetSpeed(0.5));
    engine.send(Command::Play);
    pull(&mut output, 48_000);
    let after_one_s = clock_frames(&engine);
    pull(&mut output, 48_000);
    assert_eq!(clock_frames(&engine) - after_one_s, 24_000);
}

#[test]
fn pause_holds_the_clock_and_resume_goes_on_from_the_next_frame() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::Play);
    pull(&mut output, 4800);
    engine.send(Command::Pause);
    let fading = media_frames(&pull(&mut output, 4800));
    // The fade-out plays on, then silence.
    assert_eq!(fading[0], Some(4800));
    assert_eq!(
        fading[FADE_FRAMES as usize - 1],
        Some(4800 + FADE_FRAMES - 1)
    );
    assert!(fading[FADE_FRAMES as usize..].iter().all(Option::is_none));

    let held = clock_frames(&engine);
    assert_eq!(held, 4800 + FADE_FRAMES);
    pull(&mut output, 4800);
    assert_eq!(clock_frames(&engine), held);
    assert!(!engine.clock().playing);

    engine.send(Command::Play);
    let resumed = media_frames(&pull(&mut output, 100));
    assert_eq!(resumed[0], Some(held), "no frame lost or repeated");
    assert_eq!(resumed[99], Some(held + 99));
}

#[test]
fn a_seek_while_paused_shows_the_target_and_plays_from_it() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::SeekFrames { pos_frames: 30_000 });
    assert_eq!(clock_frames(&engine), 30_000);
    pull(&mut output, 4800);
    assert_eq!(clock_frames(&engine), 30_000);
    engine.send(Command::Play);
    let heard = media_frames(&pull(&mut output, 10));
    assert_eq!(heard[0], Some(30_000));
}

#[test]
fn a_loop_region_repeats_without_a_gap_or_a_repeat_at_the_join() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::SetLoop {
        region_frames: Some(1000..3000),
    });
    engine.send(Command::Play);
    let heard: Vec<u64> = media_frames(&pull(&mut output, 10_000))
        .into_iter()
        .map(|f| f.expect("no silence while looping"))
        .collect();
    assert_eq!(heard[0], 0);
    let mut wraps = 0;
    for pair in heard.windows(2) {
        if pair == [2999, 1000] {
            wraps += 1;
        } else {
            assert_eq!(pair[1], pair[0] + 1, "at {pair:?}");
        }
    }
    assert_eq!(wraps, 4);

    engine.send(Command::SetLoop {
        region_frames: None,
    });
    let heard = media_frames(&pull(&mut output, 20_000));
    assert!(
        heard.iter().flatten().any(|&f| f >= 3000),
        "plays on past the region"
    );
}

#[test]
fn at_the_end_playback_stops_at_the_duration_and_play_starts_over() {
    let total_frames = 9_600;
    let (engine, mut output) = engine_with(TestSource::counter(total_frames));
    events(&engine);
    engine.send(Command::Play);
    let heard = media_frames(&pull(&mut output, 12_000));
    assert_eq!(heard[total_frames as usize - 1], Some(total_frames - 1));
    assert!(heard[total_frames as usize..].iter().all(Option::is_none));

    assert_eq!(events(&engine), vec![Event::Ended]);
    let clock = engine.clock();
    assert_eq!(clock.pos_frames, total_frames);
    assert_eq!(clock.pos_ms, 200);
    assert!(!clock.playing);
    pull(&mut output, 4800);
    assert_eq!(clock_frames(&engine), total_frames, "stays at the end");

    engine.send(Command::Play);
    let again = media_frames(&pull(&mut output, 100));
    assert_eq!(again[0], Some(0));
    assert_eq!(
        clock_frames(&engine),
        0,
        "the listener has not heard frame 0 yet"
    );
}

#[test]
fn a_file_that_cannot_be_loaded_is_reported_by_name() {
    let (engine, _output) = Engine::start_virtual(RATE, 2, LATENCY_FRAMES).unwrap();
    let path = Path::new("/nonexistent/episode-12.mp3");
    engine.send(Command::Load(path.to_path_buf()));
    let reported = events(&engine);
    let failure = reported
        .iter()
        .find_map(|event| match event {
            Event::LoadFailed { path, message } => Some((path.clone(), message.clone())),
            _ => None,
        })
        .expect("a LoadFailed event");
    assert_eq!(failure.0, path);
    assert!(failure.1.contains("episode-12.mp3"), "{}", failure.1);
}

#[test]
fn a_real_file_plays_from_the_exact_frame_sought() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("counter.wav");
    let total_frames = 2 * u64::from(RATE);
    let mut writer = WavWriter::create(&path, RATE, 2).unwrap();
    let samples: Vec<f32> = (0..total_frames)
        .flat_map(|i| [i as f32 / 1_048_576.0, 1.0])
        .collect();
    writer.write(&samples).unwrap();
    writer.finish(&path).unwrap();

    let (engine, mut output) = Engine::start_virtual(RATE, 2, LATENCY_FRAMES).unwrap();
    engine.send(Command::Load(path.clone()));
    let loaded = events(&engine)
        .into_iter()
        .find_map(|event| match event {
            Event::Loaded(info) => Some(info),
            _ => None,
        })
        .expect("a Loaded event");
    assert_eq!(loaded.frames, total_frames);

    engine.send(Command::SeekFrames { pos_frames: 12_345 });
    engine.send(Command::Play);
    let heard: Vec<Option<u64>> = output
        .step(500)
        .chunks_exact(2)
        .map(|f| (f[1] > 1e-6).then(|| (f64::from(f[0] / f[1]) * 1_048_576.0).round() as u64))
        .collect();
    let expected: Vec<Option<u64>> = (12_345..12_845).map(Some).collect();
    assert_eq!(heard, expected);
}

/// The largest difference between neighbouring samples of channel 0.
fn largest_jump(samples: &[f32]) -> f32 {
    let channel: Vec<f32> = samples.chunks_exact(2).map(|f| f[0]).collect();
    channel
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn pause_resume_and_seek_fade_instead_of_clicking() {
    // A 375 Hz sine at 0.9 moves at most 0.045 between samples; cutting it
    // at a peak would jump by 0.9.
    let natural_jump = 0.9 * std::f32::consts::TAU / 128.0;
    let bound = natural_jump + 0.01;
    let (engine, mut output) = engine_with(TestSource::sine(10 * u64::from(RATE)));
    engine.send(Command::Play);
    let mut played = pull(&mut output, 4800 + 32);
    engine.send(Command::Pause);
    played.extend(pull(&mut output, 1000));
    engine.send(Command::Play);
    played.extend(pull(&mut output, 1000 + 32));
    engine.send(Command::SeekFrames {
        pos_frames: 96_000 + 96,
    });
    played.extend(pull(&mut output, 2000));
    assert!(largest_jump(&played) < bound, "{}", largest_jump(&played));
    assert!(
        largest_jump(&played) > natural_jump * 0.9,
        "the sine was played"
    );
}

#[test]
fn volume_scales_the_samples() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    engine.send(Command::SetVolume(0.5));
    engine.send(Command::Play);
    let played = pull(&mut output, 4800);
    let last = &played[played.len() - 2..];
    assert_eq!(last, [4799.0 * 0.5, 0.5]);
}

/// Waits (up to 10 s) for the engine to report an event `wanted` accepts,
/// returning every event seen until then.
fn events_until(engine: &Engine, wanted: impl Fn(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while !seen.iter().any(&wanted) {
        assert!(Instant::now() < deadline, "still waiting, saw {seen:?}");
        std::thread::sleep(Duration::from_millis(10));
        seen.extend(std::iter::from_fn(|| engine.try_recv()));
    }
    seen
}

fn is_opened(event: &Event) -> bool {
    matches!(event, Event::DeviceOpened { .. })
}

#[test]
fn a_lost_device_is_reopened_by_itself_and_playback_goes_on_from_what_was_heard() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    events(&engine);
    engine.send(Command::Play);
    pull(&mut output, 4800);
    output.lose_device();
    let seen = events_until(&engine, is_opened);
    assert!(
        !seen.contains(&Event::DeviceLost),
        "a device that comes back is not reported lost: {seen:?}"
    );
    engine.settle();
    assert!(engine.clock().playing, "playback goes on");
    let heard = media_frames(&pull(&mut output, 10));
    assert_eq!(heard[0], Some(4800 - LATENCY_FRAMES), "from what was heard");
}

#[test]
fn a_device_lost_while_paused_is_reopened_and_stays_paused() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    events(&engine);
    engine.send(Command::Play);
    pull(&mut output, 4800);
    engine.send(Command::Pause);
    // The fade-out and the latency play out; nothing more is heard.
    pull(&mut output, 4800);
    let paused_at = clock_frames(&engine);
    output.lose_device();
    let seen = events_until(&engine, is_opened);
    assert!(!seen.contains(&Event::DeviceLost), "{seen:?}");
    engine.settle();
    assert!(!engine.clock().playing, "still paused");
    assert_eq!(engine.clock().pos_frames, paused_at);
    assert_eq!(
        media_frames(&pull(&mut output, 4800)),
        vec![None; 4800],
        "silent until played"
    );
    engine.send(Command::Play);
    let heard = media_frames(&pull(&mut output, 10));
    assert_eq!(heard[0], Some(paused_at), "from where it was paused");
}

#[test]
fn a_device_that_stays_away_is_reported_lost_and_reopening_later_goes_on() {
    let (engine, mut output) = engine_with(TestSource::counter(10 * u64::from(RATE)));
    events(&engine);
    engine.send(Command::Play);
    pull(&mut output, 4800);
    output.refuse_opening(true);
    output.lose_device();
    let seen = events_until(&engine, |e| *e == Event::DeviceLost);
    assert_eq!(seen, vec![Event::DeviceLost], "only the loss is reported");
    let clock = engine.clock();
    assert!(!clock.playing);
    assert_eq!(clock.pos_frames, 4800 - LATENCY_FRAMES);

    output.refuse_opening(false);
    engine.send(Command::ReopenDevice);
    assert!(matches!(
        events(&engine).as_slice(),
        [Event::DeviceOpened { .. }]
    ));
    assert_eq!(engine.clock().pos_frames, 4800 - LATENCY_FRAMES);
    engine.send(Command::Play);
    let heard = media_frames(&pull(&mut output, 10));
    assert_eq!(heard[0], Some(4800 - LATENCY_FRAMES), "from what was heard");
}

#[test]
fn a_device_error_counts_as_lost_only_if_the_device_then_stops_asking() {
    let (engine, mut output) = engine_with(TestSource::counter(60 * u64::from(RATE)));
    events(&engine);
    engine.send(Command::Play);
    pull(&mut output, 4800);
    // An error, and the device goes on: nothing to report.
    output.report_trouble();
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        pull(&mut output, 480);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(events(&engine), vec![]);
    assert!(engine.clock().playing);
    // Errors that go on, and no callbacks: the device is gone (ALSA's pulse
    // plugin with its server killed), and is opened again.
    let pulled = output.pulled_frames();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while !seen.iter().any(is_opened) {
        assert!(Instant::now() < deadline, "never reopened, saw {seen:?}");
        output.report_trouble();
        std::thread::sleep(Duration::from_millis(10));
        seen.extend(std::iter::from_fn(|| engine.try_recv()));
    }
    assert!(!seen.contains(&Event::DeviceLost), "{seen:?}");
    engine.settle();
    assert!(engine.clock().playing);
    let heard = media_frames(&pull(&mut output, 10));
    assert_eq!(
        heard[0],
        Some(pulled - LATENCY_FRAMES),
        "from what was heard"
    );
}

#[test]
fn without_a_device_the_null_output_runs_the_clock_in_real_time() {
    let engine = Engine::start(OutputChoice::Null, None).unwrap();
    engine.send(Command::LoadSource(TestSource::counter(
        60 * u64::from(RATE),
    )));
    let reported = events(&engine);
    assert!(
        matches!(reported.first(), Some(Event::NoDevice { .. })),
        "{reported:?}"
    );

    let started = Instant::now();
    engine.send(Command::Play);
    let deadline = started + Duration::from_secs(20);
    while engine.clock().pos_ms < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let clock_ms = engine.clock().pos_ms;
    let wall_ms = started.elapsed().as_millis() as u64;
    assert!(clock_ms >= 200, "the clock advances: {clock_ms} ms");
    assert!(
        clock_ms <= wall_ms + 100,
        "not ahead of the wall clock: {clock_ms} ms after {wall_ms} ms"
    );
}

#[test]
fn the_default_output_opens_a_device_or_says_there_is_none() {
    let engine = Engine::start(OutputChoice::DefaultDevice, None).unwrap();
    let reported = events(&engine);
    assert!(
        matches!(
            reported.first(),
            Some(Event::NoDevice { .. } | Event::DeviceOpened { .. })
        ),
        "{reported:?}"
    );
}

#[test]
fn the_waker_is_called_for_each_event() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let woken = Arc::new(AtomicUsize::new(0));
    let counter = woken.clone();
    let engine = Engine::start(
        OutputChoice::Null,
        Some(Box::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        })),
    )
    .unwrap();
    engine.send(Command::Load("/nonexistent.wav".into()));
    let reported = events(&engine);
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert_eq!(woken.load(Ordering::SeqCst), 2);
}
