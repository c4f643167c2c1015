//! The review's changes, as [`Edit`]s of a [`ReviewState`]: add, change and
//! delete markers (kept in time order), add, rename and recolour kinds,
//! mark lines reviewed. Each returns `None` when it would change nothing,
//! so no empty step reaches the undo history.

use super::edit::Edit;
use super::markers::{Marker, MarkerKind};
use super::state::ReviewState;

/// Where `marker` goes in `markers` (after any equal one).
fn place(markers: &[Marker], marker: &Marker) -> usize {
    let key = marker.order();
    markers.partition_point(|m| m.order() <= key)
}

/// Adds `marker` in time order.
pub fn add(review: &ReviewState, marker: Marker) -> Edit {
    Edit::Markers {
        at: place(&review.markers, &marker),
        remove: 0,
        insert: vec![marker],
    }
}

/// Deletes the marker at `index`.
pub fn delete(review: &ReviewState, index: usize) -> Option<Edit> {
    (index < review.markers.len()).then_some(Edit::Markers {
        at: index,
        remove: 1,
        insert: Vec::new(),
    })
}

/// Replaces the marker at `index` with `marker` (moved to keep the time
/// order when its times changed).
pub fn change(review: &ReviewState, index: usize, marker: Marker) -> Option<Edit> {
    let old = review.markers.get(index)?;
    if *old == marker {
        return None;
    }
    let mut rest = review.markers.clone();
    rest.remove(index);
    let at = place(&rest, &marker);
    if at == index {
        return Some(Edit::Markers {
            at,
            remove: 1,
            insert: vec![marker],
        });
    }
    Some(Edit::Group(vec![
        Edit::Markers {
            at: index,
            remove: 1,
            insert: Vec::new(),
        },
        Edit::Markers {
            at,
            remove: 0,
            insert: vec![marker],
        },
    ]))
}

/// Adds a kind (a name the user does not have yet, ignoring case).
pub fn add_kind(review: &ReviewState, kind: MarkerKind) -> Option<Edit> {
    let name = kind.name.trim();
    if name.is_empty() || review.kind(name).is_some() {
        return None;
    }
    let mut kinds = review.kinds.clone();
    kinds.push(MarkerKind {
        name: name.to_owned(),
        color: kind.color,
    });
    Some(Edit::Kinds(kinds))
}

/// Gives kind `index` the colour `color`.
pub fn recolour_kind(review: &ReviewState, index: usize, color: [u8; 3]) -> Option<Edit> {
    let kind = review.kinds.get(index)?;
    if kind.color == color {
        return None;
    }
    let mut kinds = review.kinds.clone();
    kinds[index].color = color;
    Some(Edit::Kinds(kinds))
}

/// Renames kind `index` to `name`, and every marker of that kind with it,
/// as one step. Refused (`None`) for an empty name or one another kind has.
pub fn rename_kind(review: &ReviewState, index: usize, name: &str) -> Option<Edit> {
    let name = name.trim();
    let kind = review.kinds.get(index)?;
    let taken = review
        .kinds
        .iter()
        .enumerate()
        .any(|(i, k)| i != index && k.name.eq_ignore_ascii_case(name));
    if name.is_empty() || taken || kind.name == name {
        return None;
    }
    let old = kind.name.clone();
    let mut kinds = review.kinds.clone();
    kinds[index].name = name.to_owned();
    let mut steps = vec![Edit::Kinds(kinds)];
    for (at, marker) in review.markers.iter().enumerate() {
        if marker.is(&old) {
            let mut renamed = marker.clone();
            renamed.kind = name.to_owned();
            steps.push(Edit::Markers {
                at,
                remove: 1,
                insert: vec![renamed],
            });
        }
    }
    Some(Edit::Group(steps))
}

/// Marks `start_ms..end_ms` reviewed (`on`) or not.
pub fn set_reviewed(review: &ReviewState, start_ms: u64, end_ms: u64, on: bool) -> Option<Edit> {
    let reviewed = if on {
        review.reviewed.with(start_ms, end_ms)
    } else {
        review.reviewed.without(start_ms, end_ms)
    };
    (reviewed != review.reviewed).then_some(Edit::Reviewed(reviewed))
}

/// The next marker after `pos_ms` (`forward`) or the one before it,
/// by index; markers within `slack_ms` of `pos_ms` are passed over, so
/// pressing the key again while standing on one moves on.
pub fn neighbour(review: &ReviewState, pos_ms: u64, forward: bool, slack_ms: u64) -> Option<usize> {
    let markers = &review.markers;
    if forward {
        let from = markers.partition_point(|m| m.start_ms <= pos_ms.saturating_add(slack_ms));
        (from < markers.len()).then_some(from)
    } else {
        let before = markers.partition_point(|m| m.start_ms.saturating_add(slack_ms) < pos_ms);
        before.checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::review::apply;
    use crate::transcript::Transcript;

    fn marker(start_ms: u64, kind: &str) -> Marker {
        Marker::new(start_ms, None, kind, "")
    }

    fn run(review: &mut ReviewState, edit: Edit) -> Edit {
        let mut transcript = Arc::new(Transcript::default());
        apply(&mut transcript, review, edit).expect("the edit fits")
    }

    #[test]
    fn markers_stay_in_time_order_and_undo_restores_them() {
        let mut review = ReviewState::default();
        for start_ms in [5_000, 1_000, 3_000] {
            let edit = add(&review, marker(start_ms, "Cut"));
            run(&mut review, edit);
        }
        let starts: Vec<u64> = review.markers.iter().map(|m| m.start_ms).collect();
        assert_eq!(starts, [1_000, 3_000, 5_000]);
        let before = review.clone();
        let moved = Marker {
            start_ms: 9_000,
            ..review.markers[0].clone()
        };
        let edit = change(&review, 0, moved).expect("a change");
        let undo = run(&mut review, edit);
        let starts: Vec<u64> = review.markers.iter().map(|m| m.start_ms).collect();
        assert_eq!(starts, [3_000, 5_000, 9_000]);
        run(&mut review, undo);
        assert_eq!(review, before);
    }

    #[test]
    fn renaming_a_kind_renames_its_markers_in_one_step() {
        let mut review = ReviewState::default();
        for (start_ms, kind) in [(1, "Cut"), (2, "Note"), (3, "cut")] {
            let edit = add(&review, marker(start_ms, kind));
            run(&mut review, edit);
        }
        let before = review.clone();
        let cut = review
            .kinds
            .iter()
            .position(|k| k.name == "Cut")
            .expect("Cut");
        assert!(rename_kind(&review, cut, "note").is_none(), "a name taken");
        assert!(rename_kind(&review, cut, "  ").is_none());
        let edit = rename_kind(&review, cut, "Trim").expect("a rename");
        let undo = run(&mut review, edit);
        let kinds: Vec<&str> = review.markers.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["Trim", "Note", "Trim"]);
        assert!(review.kind("trim").is_some());
        run(&mut review, undo);
        assert_eq!(review, before);
    }

    #[test]
    fn reviewed_edits_change_something_or_are_none() {
        let mut review = ReviewState::default();
        let edit = set_reviewed(&review, 0, 1_000, true).expect("an edit");
        run(&mut review, edit);
        assert!(set_reviewed(&review, 0, 1_000, true).is_none());
        assert!(set_reviewed(&review, 2_000, 3_000, false).is_none());
        assert!(review.reviewed.covers_line(0, 1_000));
    }

    #[test]
    fn next_and_previous_step_over_the_marker_under_the_playhead() {
        let mut review = ReviewState::default();
        for start_ms in [1_000, 3_000, 5_000] {
            let edit = add(&review, marker(start_ms, "Note"));
            run(&mut review, edit);
        }
        assert_eq!(neighbour(&review, 3_000, true, 50), Some(2));
        assert_eq!(neighbour(&review, 3_020, false, 50), Some(0));
        assert_eq!(neighbour(&review, 0, true, 50), Some(0));
        assert_eq!(neighbour(&review, 5_000, true, 50), None);
        assert_eq!(neighbour(&review, 1_000, false, 50), None);
    }
}
