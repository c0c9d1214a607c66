//! How hard the reader works on one picture: its own module because both the
//! reader and the grid re-reading it calls take it.

/// How hard to work on a grid rqrr located but could not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effort {
    /// A camera frame: a few re-readings within the frame budget; the next
    /// frame tries again.
    Live,
    /// A still picture: the whole search.
    Still,
}
