//! Stub, replaced by the timeline index.
