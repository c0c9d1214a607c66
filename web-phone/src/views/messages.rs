//! The two message lines under the header: errors (stay until the next action)
//! and notices (good news, fade after a few seconds).

use crate::dom;
use crate::state::with_app;
use crate::timing::sleep;

const NOTICE_MS: i32 = 6_000;

pub fn show_error(text: &str) {
    dom::set_text("error", text);
    dom::set_hidden("error", false);
}

pub fn clear_error() {
    dom::set_hidden("error", true);
    dom::set_text("error", "");
}

pub fn show_notice(text: &str) {
    dom::set_text("notice", text);
    dom::set_hidden("notice", false);
    let generation = with_app(|app| {
        app.notice_generation += 1;
        app.notice_generation
    });
    wasm_bindgen_futures::spawn_local(async move {
        sleep(NOTICE_MS).await;
        if with_app(|app| app.notice_generation) == generation {
            dom::set_hidden("notice", true);
        }
    });
}
