//! The open document, headless: what the user changes in a transcript
//! ([`Edit`], built by the functions in [`ops`]), applied through one
//! function that returns the inverse ([`apply`]), and the [`Document`]
//! that keeps the undo history and saves back to the user's file ([`save`]:
//! atomic, never over another program's change, the original kept in
//! [`Backups`]) and records every change in a [`journal`] as it is made;
//! what belongs to the episode but not to the transcript is in its
//! [`session`] file. The review (markers, kinds, what is reviewed: a
//! [`ReviewState`], changed by the edits [`marking`] makes) lives in the
//! document beside the transcript, undoable and journaled the same way.
//! No egui, no audio: tested without a window.

mod document;
mod edit;
pub mod export;
pub mod journal;
pub mod markers;
pub mod marking;
pub mod ops;
pub mod reviewed;
mod save;
pub mod session;
mod state;

pub use document::{Document, SaveDone, SaveJob, SavedAs};
pub use edit::{Edit, EditError, TimesOf, apply};
pub use save::{Backup, Backups, OnDisk, SaveError, save, write_checked};
pub use state::ReviewState;
