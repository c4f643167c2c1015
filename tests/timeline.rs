//! The timeline over a parsed file, driven the way the player drives it:
//! time advances by a fixed frame delta and each frame asks what is current.

use earmark::timeline::Timeline;
use earmark::transcript::{Transcript, parse_bytes};

/// A host talking over a long guest answer, a zero-length marker, a pause,
/// and a line written out of order at the end of the file.
const EPISODE: &str = "\
00:00:00.000 - 00:00:04.000, Guest: A long answer that keeps going.
00:00:01.000 - 00:00:02.000, Host: Right.
00:00:03.000 - 00:00:03.000, Host: (laughs)
00:00:06.000 - 00:00:07.000, Host: Next question.
00:00:05.000 - 00:00:05.500, Guest: Mm.
";

fn episode() -> Transcript {
    match parse_bytes(EPISODE.as_bytes().to_vec(), None) {
        Ok(transcript) => transcript,
        Err(failure) => panic!("the episode should parse: {failure:?}"),
    }
}

#[test]
fn playback_highlights_follow_nesting_and_keep_the_line_in_pauses() {
    let transcript = episode();
    assert_eq!(transcript.segments.len(), 5);
    let timeline = Timeline::new(&transcript);
    let frame_ms = 500;
    let frames: Vec<(u64, Option<usize>, Option<usize>)> = (0..16)
        .map(|frame| {
            let ms = frame * frame_ms;
            (ms, timeline.segment_at(ms), timeline.segment_before(ms))
        })
        .collect();
    let expected = [
        (0, Some(0), Some(0)),
        (500, Some(0), Some(0)),
        (1000, Some(1), Some(1)),
        (1500, Some(1), Some(1)),
        (2000, Some(0), Some(1)),
        (2500, Some(0), Some(1)),
        (3000, Some(2), Some(2)),
        (3500, Some(0), Some(2)),
        (4000, None, Some(2)),
        (4500, None, Some(2)),
        (5000, Some(4), Some(4)),
        (5500, None, Some(4)),
        (6000, Some(3), Some(3)),
        (6500, Some(3), Some(3)),
        (7000, None, Some(3)),
        (7500, None, Some(3)),
    ];
    assert_eq!(frames, expected);
}

#[test]
fn next_change_is_where_the_highlight_next_moves() {
    let timeline = Timeline::new(&episode());
    let mut ms = 0;
    let mut changes = Vec::new();
    while let Some(next_ms) = timeline.next_change_ms(ms) {
        assert!(next_ms > ms, "{next_ms} after {ms}");
        changes.push(next_ms);
        ms = next_ms;
    }
    assert_eq!(
        changes,
        [1000, 2000, 3000, 3001, 4000, 5000, 5500, 6000, 7000]
    );
    assert_eq!(timeline.next_change_ms(7000), None);
    // Between two changes the answer of segment_at holds still.
    for pair in changes.windows(2) {
        assert_eq!(
            timeline.segment_at(pair[0]),
            timeline.segment_at(pair[1] - 1)
        );
    }
}

#[test]
fn navigation_moves_by_start_time_not_file_order() {
    let timeline = Timeline::new(&episode());
    assert_eq!(timeline.next_segment(3500), Some(4));
    assert_eq!(timeline.next_segment(5000), Some(3));
    assert_eq!(timeline.previous_segment(6000), Some(4));
    assert_eq!(timeline.previous_segment(6200), Some(3));
    assert_eq!(timeline.previous_segment(6200 - 1000), Some(4));
}

#[test]
fn next_speaker_change_from_inside_a_nested_line() {
    let transcript = episode();
    let timeline = Timeline::new(&transcript);
    // At 1.5 s the host's "Right." is current, so the guest is the next change.
    assert_eq!(timeline.next_speaker_change(1500), Some(4));
    // At 0.5 s the guest's answer is current; the host interjects at 1 s.
    assert_eq!(timeline.next_speaker_change(500), Some(1));
    assert_eq!(timeline.next_speaker_change(5200), Some(3));
    assert_eq!(timeline.next_speaker_change(6500), None);
}
