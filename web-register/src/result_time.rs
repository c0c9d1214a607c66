//! How long a finished result stays on screen before the register is ready again by
//! itself: a setting of this computer, kept in localStorage. `?result-seconds=N` in
//! the register's address sets it (for a kiosk set-up), and so does the small
//! "Clear results after" select under the camera. `0` means never.

const STORAGE_KEY: &str = "tessera.result_seconds";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// `?a=1&result-seconds=10` → `"10"`.
fn in_query(search: &str) -> Option<String> {
    let pairs = search.strip_prefix('?').unwrap_or(search);
    pairs.split('&').find_map(|pair| pair.strip_prefix("result-seconds=")).map(str::to_owned)
}

/// The setting as text: from the address (then kept), else as kept, else `None`.
pub fn load() -> Option<String> {
    let from_address = web_sys::window().and_then(|window| window.location().search().ok()).and_then(|s| in_query(&s));
    if let Some(seconds) = from_address {
        save(&seconds);
        return Some(seconds);
    }
    storage()?.get_item(STORAGE_KEY).ok().flatten()
}

pub fn save(seconds: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_is_found_among_other_parameters() {
        assert_eq!(in_query("?result-seconds=10"), Some("10".to_owned()));
        assert_eq!(in_query("?kiosk=1&result-seconds=0"), Some("0".to_owned()));
        assert_eq!(in_query("?kiosk=1"), None);
        assert_eq!(in_query(""), None);
    }
}
