//! Reading JSON on the pages: text is parsed once into a `serde_json::Value`, and each
//! message type is read from that value. The JSON parser is then compiled once for the
//! whole page instead of once per message type (it was most of every page's Wasm); what
//! is accepted is the same, since a `Value` keeps every number and string as sent. The
//! value is read with `domain::wire::read`, whose errors carry no text: the pages only tell
//! that an answer was unexpected, and serde_json's messages compiled float formatting and
//! every type's "expected …" into each page.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// The message of type `T` in `text`, or `None` when the text is not one.
pub fn from_text<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_value(parse(text)?)
}

/// The message of type `T` in an already parsed value.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Option<T> {
    domain::wire::read(value).ok()
}

/// Not generic, and kept out of line: the one copy of the parser.
#[inline(never)]
pub fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::api::{ApiError, ErrorCode};

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"error":"already_used","message":"that code was used"}"#;
        let direct: ApiError = serde_json::from_str(text).unwrap();
        let read: ApiError = from_text(text).unwrap();
        assert_eq!(read.error, ErrorCode::AlreadyUsed);
        assert_eq!(read.message, direct.message);
        assert!(from_text::<ApiError>("{\"error\":\"already_used\"").is_none());
        assert!(from_text::<ApiError>("{} trailing").is_none());
        assert!(from_text::<u64>("-1").is_none());
        assert_eq!(from_text::<u64>("18446744073709551615"), Some(u64::MAX));
        assert_eq!(from_text::<i64>("-9223372036854775808"), Some(i64::MIN));
    }
}
