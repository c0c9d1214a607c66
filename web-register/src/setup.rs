//! Starting the register: credential → which shop and register this is → camera.

use crate::api;
use crate::camera;
use crate::credential;
use crate::dom;
use crate::state::with_till;
use crate::timing::sleep;
use crate::verdict::{self, Verdict};
use domain::api::ErrorCode;

const RETRY_MS: i32 = 3_000;

pub async fn boot() {
    let Some(token) = credential::load() else {
        return show_setup(
            "This register is not set up",
            "Open the register link from the shop's admin (it ends in #token=…) on this computer.",
        );
    };
    with_till(|till| till.token = token.clone());
    loop {
        match api::register_info(&token).await {
            Ok(info) => {
                dom::set_text("shop-name", info.shop.name.as_str());
                dom::set_text("register-name", info.register_name.as_str());
                dom::set_text("currency", info.shop.currency.as_str());
                dom::set_text("other-currency", info.shop.currency.as_str());
                with_till(|till| till.info = Some(info));
                crate::sale::render_catalog();
                dom::set_hidden("boot-view", true);
                dom::set_hidden("till-view", false);
                verdict::show(Verdict::Ready);
                camera::start();
                return;
            }
            Err(failure) if failure.code() == Some(ErrorCode::Unauthorized) => return show_bad_credential(),
            Err(failure) => {
                dom::set_text("boot-message", &format!("{} Retrying…", failure.message()));
                sleep(RETRY_MS).await;
            }
        }
    }
}

/// The token was refused: this computer needs a new register link.
pub fn show_bad_credential() {
    show_setup(
        "This register's link is not valid",
        "It may have been replaced or revoked. Open a new register link from the shop's admin.",
    );
}

fn show_setup(title: &str, detail: &str) {
    camera::stop();
    dom::set_text("setup-title", title);
    dom::set_text("setup-detail", detail);
    dom::set_hidden("boot-view", true);
    dom::set_hidden("till-view", true);
    dom::set_hidden("setup-view", false);
}
