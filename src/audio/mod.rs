//! Audio: decoding (symphonia), exact seeking and the information a player
//! needs about a file. Never imports egui; the window drives this module.
//!
//! Every position here is a frame index in the file's own sample rate
//! (`pos_frames`), counted from the first sample a listener hears: encoder
//! delay and padding are already removed.

pub mod convert;
pub mod decode;
pub mod error;
mod mp3;
pub mod source;
pub mod wav;

pub use convert::{Block, Converter};
pub use decode::{AudioInfo, Decoder};
pub use error::AudioError;
pub use source::FrameSource;
