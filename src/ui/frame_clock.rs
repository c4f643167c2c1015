//! The clock as the window reads it: between the output's callbacks
//! ([`heard_now_ms`]), for the moment a frame is shown, and when the next
//! frame is due.
//!
//! A frame is built, painted and then shown; on a CPU-drawn window that
//! takes 25 ms and more. So a frame reads the clock for the moment it will be
//! on screen ([`FrameClock::shown_ms`], the last frame's drawing time ahead),
//! and the wait for the next frame counts from that reading, not from the
//! end of the frame ([`FrameClock::next_in`]). Otherwise every frame's own
//! drawing time would be added to the highlight's lag, twice.

use std::time::{Duration, Instant};

use crate::audio::Clock;

/// How far past the last published position the window may draw: a little
/// more than two output callbacks (PulseAudio's are ~20 ms apart).
const EXTRAPOLATE_MAX: Duration = Duration::from_millis(50);

/// The position being heard at `now`: the clock's, plus the time since the
/// output published it at `speed`, never more than [`EXTRAPOLATE_MAX`]
/// ahead. The clock itself steps once per output callback; without this
/// the highlight would change up to a callback late.
pub fn heard_now_ms(clock: &Clock, speed: f64, now: Instant) -> u64 {
    match clock.heard_at {
        Some(heard_at) if clock.playing => {
            let since = now.saturating_duration_since(heard_at).min(EXTRAPOLATE_MAX);
            clock.pos_ms + (since.as_secs_f64() * 1000.0 * speed).round() as u64
        }
        _ => clock.pos_ms,
    }
}

/// The longest a frame is drawn ahead of being shown. A frame that takes
/// longer cannot be in time with the sound anyway.
const PRESENT_LEAD_MAX: Duration = Duration::from_millis(50);
/// Never sooner than this after a frame while waiting for the clock.
const MIN_REPAINT: Duration = Duration::from_millis(4);

/// One frame's reading of the clock: when the frame started and how long
/// after that its picture will be shown.
#[derive(Debug, Clone, Copy)]
pub struct FrameClock {
    start: Instant,
    lead: Duration,
}

impl FrameClock {
    /// A frame starting at `start`, after one that took `last_frame_secs`
    /// to build and paint (eframe's `cpu_usage`; `None` before the first).
    pub fn begin(start: Instant, last_frame_secs: Option<f32>) -> FrameClock {
        let lead = last_frame_secs
            .filter(|secs| secs.is_finite() && *secs > 0.0)
            .map_or(Duration::ZERO, |secs| {
                Duration::from_secs_f32(secs).min(PRESENT_LEAD_MAX)
            });
        FrameClock { start, lead }
    }

    /// How far ahead of its start this frame's picture is shown.
    pub fn lead(&self) -> Duration {
        self.lead
    }

    /// The position that will be heard when this frame is shown: the one
    /// heard at its start plus the lead at `speed`, only while the clock runs.
    pub fn shown_ms(&self, clock: &Clock, speed: f64) -> u64 {
        let heard_ms = heard_now_ms(clock, speed, self.start);
        if clock.playing && clock.heard_at.is_some() {
            heard_ms + (self.lead.as_secs_f64() * 1000.0 * speed).round() as u64
        } else {
            heard_ms
        }
    }

    /// How long from `now` until the frame that should show `next_ms`,
    /// this frame showing `shown_ms` at `speed`: the wait counts from the
    /// frame's start, so the time spent drawing it is not added.
    pub fn next_in(&self, shown_ms: u64, next_ms: u64, speed: f64, now: Instant) -> Duration {
        let wait =
            Duration::from_secs_f64(next_ms.saturating_sub(shown_ms) as f64 / 1000.0 / speed);
        (self.start + wait)
            .saturating_duration_since(now)
            .max(MIN_REPAINT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(pos_ms: u64, playing: bool, heard_at: Option<Instant>) -> Clock {
        Clock {
            pos_frames: pos_ms * 48,
            pos_ms,
            sample_rate: 48_000,
            playing,
            heard_at,
        }
    }

    #[test]
    fn the_position_moves_on_between_callbacks_but_not_far() {
        let at = Instant::now();
        let now = at + Duration::from_millis(12);
        assert_eq!(heard_now_ms(&clock(1000, true, Some(at)), 1.0, now), 1012);
        assert_eq!(heard_now_ms(&clock(1000, true, Some(at)), 2.0, now), 1024);
        let late = at + Duration::from_millis(400);
        assert_eq!(
            heard_now_ms(&clock(1000, true, Some(at)), 1.0, late),
            1050,
            "capped"
        );
        assert_eq!(
            heard_now_ms(&clock(1000, false, Some(at)), 1.0, now),
            1000,
            "paused"
        );
        assert_eq!(
            heard_now_ms(&clock(1000, true, None), 1.0, now),
            1000,
            "unknown"
        );
        assert_eq!(
            heard_now_ms(&clock(1000, true, Some(now)), 1.0, at),
            1000,
            "clock ahead"
        );
    }

    #[test]
    fn a_frame_shows_what_is_heard_when_it_reaches_the_screen() {
        let at = Instant::now();
        let frame = FrameClock::begin(at + Duration::from_millis(10), Some(0.030));
        assert_eq!(frame.shown_ms(&clock(1000, true, Some(at)), 1.0), 1040);
        assert_eq!(
            frame.shown_ms(&clock(1000, true, Some(at)), 2.0),
            1080,
            "the lead runs at the speed"
        );
        assert_eq!(
            frame.shown_ms(&clock(1000, false, Some(at)), 1.0),
            1000,
            "paused: nothing moves"
        );
        assert_eq!(
            frame.shown_ms(&clock(1000, true, None), 1.0),
            1000,
            "not yet heard: nothing moves"
        );
    }

    #[test]
    fn the_lead_is_the_last_frame_s_time_within_bounds() {
        let lead = |secs| FrameClock::begin(Instant::now(), secs).lead();
        assert_eq!(lead(None), Duration::ZERO, "no frame yet");
        assert_eq!(lead(Some(0.025)), Duration::from_secs_f32(0.025));
        assert_eq!(lead(Some(2.0)), PRESENT_LEAD_MAX, "a stall");
        assert_eq!(lead(Some(-1.0)), Duration::ZERO);
        assert_eq!(lead(Some(f32::NAN)), Duration::ZERO);
    }

    #[test]
    fn the_wait_for_the_next_frame_counts_from_the_reading_not_the_drawing() {
        let start = Instant::now();
        let frame = FrameClock::begin(start, None);
        // At 1000 ms, the next line at 1100 ms: due 100 ms after the start.
        let drawn_in = Duration::from_millis(30);
        assert_eq!(
            frame.next_in(1000, 1100, 1.0, start + drawn_in),
            Duration::from_millis(70),
            "the 30 ms spent drawing are not waited again"
        );
        assert_eq!(
            frame.next_in(1000, 1100, 2.0, start + drawn_in),
            Duration::from_millis(20),
            "at twice the speed the line comes in half the time"
        );
        assert_eq!(
            frame.next_in(1000, 1100, 1.0, start + Duration::from_millis(150)),
            MIN_REPAINT,
            "already due: as soon as allowed"
        );
    }
}
