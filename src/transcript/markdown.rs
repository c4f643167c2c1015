//! The Markdown export: one paragraph per speaker turn under a
//! `**Name** [00:01:02]` line. Written, never read as its own format: the
//! timed-text parser reads it back. Owns only the layout choice; the turn
//! building, time writing and escaping are the text writer's.

use super::format::Format;
use super::model::Transcript;
use super::plain::{self, SpeakerForm, Style, TextLayout, TextOptions};

/// `**Name** [00:01:02]`, the turn's text on the next line, a blank line between turns.
const MARKDOWN: TextLayout = TextLayout {
    style: Style::Bracketed(b'['),
    speaker: SpeakerForm::Inline {
        bold: true,
        colon: false,
    },
    text_below: true,
    blank_between: true,
    wide_colon: false,
};

/// Writes speaker turns as Markdown: `**Name** [HH:MM:SS]` (or `[HH:MM:SS]`
/// alone without a speaker, or `**Name**` alone without timestamps), then the
/// turn's text as one line; a text line that would read as a heading starts with `\`.
pub(super) fn write(transcript: &Transcript, options: &TextOptions) -> String {
    plain::write_turns(
        transcript,
        &plain::speaker_turns(transcript),
        MARKDOWN,
        Format::Markdown.default_time_style(),
        options.timestamps,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Segment;

    fn transcript() -> Transcript {
        let mut t = Transcript::new(Format::Srt);
        let ana = t.intern_speaker("Ana");
        let bo = t.intern_speaker("Bo");
        for (start_ms, speaker, text) in [
            (1_400, ana, "Hello"),
            (2_900, ana, "there."),
            (5_000, bo, "[00:00:09] is when"),
            (7_000, None, "music"),
        ] {
            t.segments.push(Segment {
                start_ms,
                end_ms: start_ms + 1_000,
                speaker,
                text: text.to_owned(),
                ..Segment::default()
            });
        }
        t
    }

    #[test]
    fn turns_under_bold_names() {
        assert_eq!(
            write(&transcript(), &TextOptions { timestamps: true }),
            "**Ana** [00:00:01]\nHello there.\n\n**Bo** [00:00:05]\n\\[00:00:09] is when\n\n[00:00:07]\nmusic\n"
        );
        assert_eq!(
            write(&transcript(), &TextOptions { timestamps: false }),
            "**Ana**\nHello there.\n\n**Bo**\n[00:00:09] is when\n\nmusic\n"
        );
    }
}
