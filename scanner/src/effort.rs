//! How hard the reader works on one picture: its own module because both the
//! reader and the grid re-reading it calls take it.

/// How hard to work on a grid rqrr located but could not decode, and until when.
#[derive(Clone, Copy)]
pub struct Effort<'a> {
    /// The still pictures' whole search rather than a camera frame's few readings.
    still: bool,
    /// Says when the frame's time is up: no grid is refined or re-read after
    /// that (the next frame tries again), so a frame ends near its budget.
    out_of_time: Option<&'a dyn Fn() -> bool>,
}

#[allow(non_upper_case_globals)] // named as the two kinds of input they are for
impl Effort<'static> {
    /// A camera frame: a few re-readings within the frame budget; the next
    /// frame tries again.
    pub const Live: Self = Self { still: false, out_of_time: None };
    /// A still picture: the whole search.
    pub const Still: Self = Self { still: true, out_of_time: None };
}

impl<'a> Effort<'a> {
    /// The same effort, given up once `out_of_time` returns true.
    pub fn until(self, out_of_time: &'a dyn Fn() -> bool) -> Effort<'a> {
        Effort { still: self.still, out_of_time: Some(out_of_time) }
    }

    pub fn is_still(&self) -> bool {
        self.still
    }

    /// Whether the time given is up (never without a deadline).
    pub fn out_of_time(&self) -> bool {
        self.out_of_time.is_some_and(|out_of_time| out_of_time())
    }
}

impl std::fmt::Debug for Effort<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.still { "Still" } else { "Live" };
        match self.out_of_time {
            Some(_) => write!(f, "{kind} (until a deadline)"),
            None => f.write_str(kind),
        }
    }
}
