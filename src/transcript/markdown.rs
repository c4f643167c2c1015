//! Stub, replaced by the Markdown writer.

use super::model::Transcript;
use super::plain::TextOptions;

pub(super) fn write(_transcript: &Transcript, _options: &TextOptions) -> String {
    String::new()
}
