//! The open document, headless: what the user changes in a transcript
//! ([`Edit`], built by the functions in [`ops`]), applied through one
//! function that returns the inverse ([`apply`]), and the [`Document`]
//! that keeps the undo history. No egui, no audio: tested without a window.

mod document;
mod edit;
pub mod ops;

pub use document::Document;
pub use edit::{Edit, EditError, TimesOf, apply};
