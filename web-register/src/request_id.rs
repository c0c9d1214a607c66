//! Idempotency keys for sales: random, so two registers never collide.

use domain::shop::RequestId;

/// 32 random hex digits (always a valid `RequestId`; `None` would be a bug).
pub fn fresh() -> Option<RequestId> {
    let mut bytes = [0u8; 16];
    let from_crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !from_crypto {
        // Every browser we target has crypto; this only keeps the page working without it.
        for byte in bytes.iter_mut() {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    RequestId::parse(&hex(&bytes)).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_sixteen_bytes_is_a_valid_request_id() {
        assert!(RequestId::parse(&hex(&[0xab; 16])).is_ok());
        assert!(RequestId::parse(&hex(&[0; 16])).is_ok());
    }
}
