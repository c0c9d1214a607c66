//! Remembers the last text read, so a code held in front of the camera is resolved
//! once, not thirty times a second.

/// A text out of view this long counts as gone: showing it again resolves it again.
pub const FORGET_AFTER_MS: f64 = 1_500.0;

#[derive(Debug, Default)]
pub struct SeenTexts {
    last: Option<(String, f64)>,
}

impl SeenTexts {
    /// Records that `text` is in view at `now_ms`; true if it is new and should be handled.
    pub fn sighted(&mut self, text: &str, now_ms: f64) -> bool {
        match &mut self.last {
            Some((last, seen_at)) if last == text && now_ms - *seen_at <= FORGET_AFTER_MS => {
                *seen_at = now_ms;
                false
            }
            _ => {
                self.last = Some((text.to_owned(), now_ms));
                true
            }
        }
    }

    /// Whether `text` is the one in view right now (without recording a sighting).
    pub fn is_current(&self, text: &str, now_ms: f64) -> bool {
        matches!(&self.last, Some((last, at)) if last == text && now_ms - *at <= FORGET_AFTER_MS)
    }

    /// "Next customer" or a finished sale: the same code may be read again.
    pub fn forget(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_in_view_is_handled_once() {
        let mut seen = SeenTexts::default();
        assert!(seen.sighted("a", 0.0));
        for t in 1..100 {
            assert!(!seen.sighted("a", f64::from(t) * 100.0));
        }
    }

    #[test]
    fn out_of_view_for_a_while_means_new_again() {
        let mut seen = SeenTexts::default();
        assert!(seen.sighted("a", 0.0));
        assert!(!seen.sighted("a", 1_400.0));
        assert!(seen.sighted("a", 1_400.0 + FORGET_AFTER_MS + 1.0));
    }

    #[test]
    fn another_code_or_forgetting_resets() {
        let mut seen = SeenTexts::default();
        assert!(seen.sighted("a", 0.0));
        assert!(seen.sighted("b", 10.0));
        assert!(seen.sighted("a", 20.0));
        seen.forget();
        assert!(seen.sighted("a", 30.0));
    }
}
