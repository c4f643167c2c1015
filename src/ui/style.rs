//! How things look everywhere in the window: speaker colours that read on
//! light and dark backgrounds, and clock times as people write them.

use eframe::egui::Color32;

/// Hues chosen to stay apart for the usual two to eight speakers.
const SPEAKER_HUES: [(u8, u8, u8); 8] = [
    (0x1f, 0x77, 0xb4),
    (0xd6, 0x5f, 0x0e),
    (0x2c, 0x9c, 0x2c),
    (0xc0, 0x27, 0x8d),
    (0x8c, 0x56, 0x4b),
    (0x6a, 0x3d, 0x9a),
    (0x17, 0x9e, 0xae),
    (0x9e, 0x8a, 0x0a),
];

/// The colour of speaker number `index` (as in `Transcript::speakers`), made
/// lighter on a dark background; `None` (no speaker) is grey.
pub fn speaker_color(index: Option<u32>, dark_mode: bool) -> Color32 {
    let Some(index) = index else {
        return Color32::from_gray(if dark_mode { 150 } else { 110 });
    };
    let (r, g, b) = SPEAKER_HUES[index as usize % SPEAKER_HUES.len()];
    if dark_mode {
        let lighten = |c: u8| c + (255 - c) / 3;
        Color32::from_rgb(lighten(r), lighten(g), lighten(b))
    } else {
        Color32::from_rgb(r, g, b)
    }
}

/// `m:ss`, or `h:mm:ss` when `with_hours` (an episode of an hour or more).
pub fn clock_label(ms: u64, with_hours: bool) -> String {
    let total_secs = ms / 1000;
    let (hours, minutes, secs) = (total_secs / 3600, total_secs / 60 % 60, total_secs % 60);
    if with_hours || hours > 0 {
        format!("{hours}:{minutes:02}:{secs:02}")
    } else {
        format!("{minutes}:{secs:02}")
    }
}

/// The colour of marker kind `name` in `review` (grey for a kind the user
/// no longer has).
pub fn kind_color(review: &crate::review::ReviewState, name: &str) -> Color32 {
    review.kind(name).map_or(Color32::GRAY, |kind| {
        let [r, g, b] = kind.color;
        Color32::from_rgb(r, g, b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_labels_show_hours_only_when_asked_or_needed() {
        assert_eq!(clock_label(0, false), "0:00");
        assert_eq!(clock_label(61_999, false), "1:01");
        assert_eq!(clock_label(61_999, true), "0:01:01");
        assert_eq!(clock_label(5_465_000, false), "1:31:05");
    }

    #[test]
    fn speakers_get_different_colours_and_the_palette_repeats() {
        let colours: Vec<Color32> = (0..8).map(|i| speaker_color(Some(i), false)).collect();
        for (i, a) in colours.iter().enumerate() {
            for b in &colours[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(speaker_color(Some(8), true), speaker_color(Some(0), true));
        assert_ne!(speaker_color(Some(0), true), speaker_color(Some(0), false));
    }
}
