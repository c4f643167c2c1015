//! How much of an episode has been checked: a set of audio-time spans,
//! kept sorted and merged. A line counts as reviewed when at least half of
//! its time is covered (a point-like line when its start is), so marking a
//! neighbour that overlaps it by a few milliseconds never flips it.
//!
//! Spans, not line numbers: the state survives every edit of the text
//! (a split line stays reviewed, an inserted one is not), and it is saved
//! in the session file in audio time like the markers.

use serde::{Deserialize, Serialize};

/// The reviewed parts of an episode, `(start_ms, end_ms)` each, sorted,
/// merged and never empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<(u64, u64)>", into = "Vec<(u64, u64)>")]
pub struct Reviewed(Vec<(u64, u64)>);

impl From<Vec<(u64, u64)>> for Reviewed {
    /// As read from a file: put in order and merged.
    fn from(spans: Vec<(u64, u64)>) -> Reviewed {
        Reviewed::from_spans(spans)
    }
}

impl From<Reviewed> for Vec<(u64, u64)> {
    fn from(set: Reviewed) -> Vec<(u64, u64)> {
        set.0
    }
}

impl Reviewed {
    /// The spans in time order.
    pub fn spans(&self) -> &[(u64, u64)] {
        &self.0
    }

    /// Whether nothing is reviewed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Builds a set from any spans (sorted and merged here; empty or
    /// reversed ones are dropped), as read from a file.
    pub fn from_spans(spans: impl IntoIterator<Item = (u64, u64)>) -> Reviewed {
        let mut set = Reviewed::default();
        for (start_ms, end_ms) in spans {
            set = set.with(start_ms, end_ms);
        }
        set
    }

    /// This set with `start_ms..end_ms` added.
    pub fn with(&self, start_ms: u64, end_ms: u64) -> Reviewed {
        if end_ms <= start_ms {
            return self.clone();
        }
        let (mut start, mut end) = (start_ms, end_ms);
        let mut spans = Vec::with_capacity(self.0.len() + 1);
        let mut placed = false;
        for &(s, e) in &self.0 {
            if e < start {
                spans.push((s, e));
            } else if s > end {
                if !placed {
                    spans.push((start, end));
                    placed = true;
                }
                spans.push((s, e));
            } else {
                start = start.min(s);
                end = end.max(e);
            }
        }
        if !placed {
            spans.push((start, end));
        }
        Reviewed(spans)
    }

    /// This set with `start_ms..end_ms` taken out.
    pub fn without(&self, start_ms: u64, end_ms: u64) -> Reviewed {
        let mut spans = Vec::with_capacity(self.0.len() + 1);
        for &(s, e) in &self.0 {
            if e <= start_ms || s >= end_ms {
                spans.push((s, e));
                continue;
            }
            if s < start_ms {
                spans.push((s, start_ms));
            }
            if e > end_ms {
                spans.push((end_ms, e));
            }
        }
        Reviewed(spans)
    }

    /// How many milliseconds of `start_ms..end_ms` are covered.
    pub fn covered_ms(&self, start_ms: u64, end_ms: u64) -> u64 {
        let first = self.0.partition_point(|&(_, e)| e <= start_ms);
        self.0[first..]
            .iter()
            .take_while(|&&(s, _)| s < end_ms)
            .map(|&(s, e)| e.min(end_ms).saturating_sub(s.max(start_ms)))
            .sum()
    }

    /// Whether the line `start_ms..end_ms` counts as reviewed: half of it
    /// covered, or its start for a line with no length.
    pub fn covers_line(&self, start_ms: u64, end_ms: u64) -> bool {
        if end_ms <= start_ms {
            let at = self.0.partition_point(|&(_, e)| e < start_ms);
            return self.0.get(at).is_some_and(|&(s, _)| s <= start_ms);
        }
        self.covered_ms(start_ms, end_ms) * 2 >= end_ms - start_ms
    }

    /// All the time covered, in milliseconds.
    pub fn total_ms(&self) -> u64 {
        self.0.iter().map(|&(s, e)| e - s).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_merges_touching_and_overlapping_spans() {
        let set = Reviewed::default()
            .with(5_000, 9_000)
            .with(0, 2_000)
            .with(2_000, 3_000)
            .with(8_000, 12_000);
        assert_eq!(set.spans(), &[(0, 3_000), (5_000, 12_000)]);
        assert_eq!(set.total_ms(), 10_000);
        assert_eq!(set.with(1_000, 6_000).spans(), &[(0, 12_000)]);
        assert_eq!(set.with(4_000, 4_000), set, "an empty span adds nothing");
    }

    #[test]
    fn removing_cuts_spans_and_keeps_the_rest() {
        let set = Reviewed::from_spans([(0, 10_000), (20_000, 30_000)]);
        assert_eq!(
            set.without(5_000, 25_000).spans(),
            &[(0, 5_000), (25_000, 30_000)]
        );
        assert_eq!(set.without(2_000, 3_000).spans().len(), 3);
        assert!(set.without(0, 40_000).is_empty());
    }

    #[test]
    fn a_line_is_reviewed_when_half_of_it_is_covered() {
        let set = Reviewed::from_spans([(0, 5_200)]);
        assert!(set.covers_line(0, 5_000));
        assert!(
            !set.covers_line(5_000, 9_000),
            "a 200 ms overlap does not review the next line"
        );
        assert!(set.covers_line(4_000, 6_000), "exactly half counts");
        assert!(!set.covers_line(4_000, 6_401));
        assert!(set.covers_line(5_200, 5_200), "a point at the end");
        assert!(!set.covers_line(5_201, 5_201));
        assert_eq!(set.covered_ms(5_000, 9_000), 200);
    }

    #[test]
    fn spans_read_from_a_file_are_put_in_order() {
        let set = Reviewed::from_spans([(9, 12), (0, 3), (2, 5), (7, 6)]);
        assert_eq!(set.spans(), &[(0, 5), (9, 12)]);
    }
}
