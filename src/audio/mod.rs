//! Audio: decoding (symphonia), exact seeking, the information a player
//! needs about a file, and the playback engine (see [`engine`]) with its
//! outputs (cpal, null, virtual). Never imports egui; the window drives this
//! module.
//!
//! Every position here is a frame index in the file's own sample rate
//! (`pos_frames`), counted from the first sample a listener hears: encoder
//! delay and padding are already removed.

pub mod convert;
pub mod decode;
pub mod engine;
pub mod error;
mod feed;
mod mp3;
mod mp4_edit;
pub mod output;
pub mod source;
pub mod tags;
pub mod wav;

pub use convert::{Block, Converter};
pub use decode::{AudioInfo, Decoder};
pub use engine::{Clock, ClockReader, Command, Engine, EngineError, Event, Ticket};
pub use error::AudioError;
pub use output::{OutputChoice, VirtualOutput};
pub use source::FrameSource;
