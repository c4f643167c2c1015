//! What the review adds to an episode besides its transcript: the markers,
//! their kinds and what has been reviewed. The [`super::Document`] holds it
//! beside the transcript, changes it only through [`super::Edit`]s (so it
//! is undoable and journaled like the text) and saves it in the session
//! file.

use serde::{Deserialize, Serialize};

use super::markers::{Marker, MarkerKind, default_kinds};
use super::reviewed::Reviewed;

/// The review of an episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewState {
    /// The markers, in time order (start, then end).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<Marker>,
    /// The marker kinds the user has.
    #[serde(default = "default_kinds")]
    pub kinds: Vec<MarkerKind>,
    /// The parts of the audio marked reviewed.
    #[serde(default, skip_serializing_if = "Reviewed::is_empty")]
    pub reviewed: Reviewed,
}

impl Default for ReviewState {
    fn default() -> ReviewState {
        ReviewState {
            markers: Vec::new(),
            kinds: default_kinds(),
            reviewed: Reviewed::default(),
        }
    }
}

impl ReviewState {
    /// A review holding `markers` (put in time order), `kinds` (the
    /// defaults when `None`) and `reviewed`, as a session file gives them.
    pub fn new(
        mut markers: Vec<Marker>,
        kinds: Option<Vec<MarkerKind>>,
        reviewed: Reviewed,
    ) -> ReviewState {
        markers.sort_by_key(Marker::order);
        ReviewState {
            markers,
            kinds: kinds.unwrap_or_else(default_kinds),
            reviewed,
        }
    }

    /// Whether there is nothing beyond a new episode's defaults.
    pub fn is_default(&self) -> bool {
        self.markers.is_empty() && self.reviewed.is_empty() && self.kinds == default_kinds()
    }

    /// The kinds to write to a session file: `None` for the defaults.
    pub fn kinds_to_save(&self) -> Option<Vec<MarkerKind>> {
        (self.kinds != default_kinds()).then(|| self.kinds.clone())
    }

    /// The kind called `name` (without case), if the user has it.
    pub fn kind(&self, name: &str) -> Option<&MarkerKind> {
        self.kinds
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(name))
    }
}
