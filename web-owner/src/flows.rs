//! What each button does: read the form, call the server, change the state,
//! redraw. A refusal shows the server's own sentence; a session that ended
//! goes back to sign-in.

use crate::console::{absolute, fail, open_shop_id, with, SIGNED_IN_KEY};
use crate::entry::{self, Entry};
use crate::settings_form::{self, SettingsForm};
use crate::state::{first_screen, Console, Screen, Tab};
use crate::{api, dashboard, products_csv, scan, staff, stores, views};
use api::Failure;
use domain::api::offline::SettleOfflineUnpaid;
use domain::api::owner::ApprovePairingRequest;
use domain::api::owner_accounts::{
    AcceptInviteRequest, ClaimRequest, CurrencyChange, InviteToken, OwnerEmail, OwnerMe, OwnerSignInRequest,
};
use domain::api::stores::ChangeStoreRequest;
use domain::api::{CreateShopRequest, ErrorCode, ProductList, RewardList};
use domain::catalog::Product;
use domain::member::Password;
use domain::money::{Currency, MinorUnits};
use domain::offline::SettlementWay;
use domain::points::PointsPerUnit;
use domain::rewards::{Benefit, Reward};
use domain::sale::ProductCode;
use domain::shop::{Label, RewardId, ShopId};
use wasm_bindgen::{JsCast, JsValue};
use web_shared::dom;

/// Reads the link the console was opened with, removes its key from the
/// address bar, and shows the first screen.
pub async fn boot() {
    let location = web_sys::window().map(|w| w.location());
    let hash = location.as_ref().and_then(|l| l.hash().ok()).unwrap_or_default();
    let entry = entry::from_fragment(&hash);
    if entry != Entry::Plain {
        let path = location.as_ref().and_then(|l| l.pathname().ok()).unwrap_or_else(|| "/owner/".to_owned());
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&path));
        }
    }
    match &entry {
        Entry::Claim(key) => dom::set_input_value("claim-token", key),
        Entry::Invite(token) => dom::set_input_value("invite-token", token),
        Entry::Reset(token) => dom::set_input_value("reset-token", token),
        Entry::Plain => {}
    }
    let claimed = api::claim_status().await.map(|s| s.claimed).unwrap_or(true);
    // Never signed in here, or signed out since: nothing to ask the server.
    let me = if web_shared::signed_in::maybe(SIGNED_IN_KEY) { api::me().await.ok() } else { None };
    if me.is_none() {
        web_shared::signed_in::forget(SIGNED_IN_KEY);
    }
    with(|c| c.claimed = claimed);
    dom::set_hidden("to-claim", claimed);
    let screen = first_screen(&entry, me.is_some(), claimed);
    match me {
        Some(me) if screen == Screen::Shops => enter(me),
        Some(me) => {
            web_shared::signed_in::remember(SIGNED_IN_KEY);
            views::whoami(Some(&me));
            with(|c| c.me = Some(me));
            views::show(screen);
        }
        None => views::show(screen),
    }
}

pub fn go(screen: Screen) {
    views::clear_messages();
    views::show(screen);
}

/// Signed in: the shop list.
pub(crate) fn enter(me: OwnerMe) {
    web_shared::signed_in::remember(SIGNED_IN_KEY);
    views::whoami(Some(&me));
    views::shops(&me);
    staff::managed_stores(&me);
    with(|c| c.me = Some(me));
    views::show(Screen::Shops);
    wasm_bindgen_futures::spawn_local(refresh_passkeys());
}

fn email(id: &str) -> Result<OwnerEmail, String> {
    OwnerEmail::parse(&dom::input_value(id)).map_err(|error| error.to_string())
}

pub async fn claim() {
    views::clear_messages();
    let key = dom::input_value("claim-token").trim().to_owned();
    let request = email("claim-email").and_then(|email| {
        let password = Password::parse(&dom::input_value("claim-password")).map_err(|e| e.to_string())?;
        Ok(ClaimRequest { email, password })
    });
    let request = match (key.is_empty(), request) {
        (true, _) => return views::error("Enter the setup key (the setup link fills it in)."),
        (false, Err(message)) => return views::error(&message),
        (false, Ok(request)) => request,
    };
    dom::set_busy("claim-submit", true);
    let result = api::claim(&key, &request).await;
    dom::set_busy("claim-submit", false);
    match result {
        Ok(me) => {
            dom::set_input_value("claim-token", "");
            with(|c| c.claimed = true);
            enter(me);
            views::notice("You are the operator of this Tessera: create a shop and send its owner the invite link.");
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn accept_invite() {
    views::clear_messages();
    let Ok(token) = InviteToken::parse(&entry::invite_key(&dom::input_value("invite-token"))) else {
        return views::error("Paste the invite link (or its key) you were sent.");
    };
    let email = match email("invite-email") {
        Ok(email) => email,
        Err(message) => return views::error(&message),
    };
    let request = AcceptInviteRequest { token, email, password: dom::input_value("invite-password") };
    dom::set_busy("invite-submit", true);
    let result = api::accept_invite(&request).await;
    dom::set_busy("invite-submit", false);
    match result {
        Ok(me) => {
            dom::set_input_value("invite-token", "");
            enter(me);
            views::notice("Welcome: open your shop to set it up.");
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn sign_in() {
    views::clear_messages();
    let email = match email("sign-in-email") {
        Ok(email) => email,
        Err(message) => return views::error(&message),
    };
    let request = OwnerSignInRequest { email, password: dom::input_value("sign-in-password") };
    dom::set_busy("sign-in-submit", true);
    let result = api::sign_in(&request).await;
    dom::set_busy("sign-in-submit", false);
    match result {
        Ok(me) => {
            dom::set_input_value("sign-in-password", "");
            enter(me);
        }
        Err(failure) => fail(&failure),
    }
}

/// "Sign in with a passkey": any passkey this device holds for this site
/// (the worker finds its account; nothing is typed).
pub async fn sign_in_with_passkey() {
    views::clear_messages();
    dom::set_busy("passkey-sign-in", true);
    let options = api::passkey_sign_in_options().await;
    let answer = match options {
        Ok(options) => web_shared::passkey::get(&options).await,
        Err(failure) => {
            dom::set_busy("passkey-sign-in", false);
            return fail(&failure);
        }
    };
    let result = match answer {
        Ok(answer) => api::passkey_sign_in(&answer).await,
        Err(text) => {
            dom::set_busy("passkey-sign-in", false);
            return views::error(&text);
        }
    };
    dom::set_busy("passkey-sign-in", false);
    match result {
        Ok(me) => enter(me),
        Err(failure) => fail(&failure),
    }
}

/// The account's passkeys on the shop list (the Add button only where the browser has passkeys).
pub async fn refresh_passkeys() {
    dom::set_hidden("passkey-add", !web_shared::passkey::supported());
    match api::passkeys().await {
        Ok(list) => web_shared::passkey::render_list("passkey-list", &list.passkeys),
        // Signed out meanwhile (the list loads behind the shop list): nothing to say.
        Err(failure) if with(|c| c.me.is_some()) => fail(&failure),
        Err(_) => {}
    }
}

/// "Add a passkey": a challenge, this device makes the passkey, the worker checks it.
pub async fn add_passkey() {
    views::clear_messages();
    dom::set_busy("passkey-add", true);
    let answer = match api::passkey_options().await {
        Ok(options) => web_shared::passkey::create(&options, None).await,
        Err(failure) => {
            dom::set_busy("passkey-add", false);
            return fail(&failure);
        }
    };
    let result = match answer {
        Ok(answer) => api::add_passkey(&answer).await,
        Err(text) => {
            dom::set_busy("passkey-add", false);
            return views::error(&text);
        }
    };
    dom::set_busy("passkey-add", false);
    match result {
        Ok(_) => {
            views::notice("Passkey added. Next time, sign in with it: no password needed.");
            refresh_passkeys().await;
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn remove_passkey(credential_id: String) {
    views::clear_messages();
    match api::remove_passkey(&credential_id).await {
        Ok(()) => {
            views::notice("Passkey removed: it signs in no more.");
            refresh_passkeys().await;
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn sign_out() {
    let _ = api::sign_out().await;
    leave();
}

/// A new password for the account; every other device is signed out.
pub async fn change_password() {
    views::clear_messages();
    let current_password = dom::input_value("owner-password-current");
    if current_password.is_empty() {
        return views::error("Enter your current password.");
    }
    let new_password = match domain::member::Password::parse(&dom::input_value("owner-password-new")) {
        Ok(password) => password,
        Err(error) => return views::error(&format!("New password: {error}")),
    };
    dom::set_busy("owner-password-submit", true);
    let result = api::change_password(&domain::api::ChangePasswordRequest { current_password, new_password }).await;
    dom::set_busy("owner-password-submit", false);
    match result {
        Ok(()) => {
            dom::set_input_value("owner-password-current", "");
            dom::set_input_value("owner-password-new", "");
            views::notice("Password changed. Every other device is signed out.");
        }
        Err(failure) => fail(&failure),
    }
}

/// Ends the account's sessions on every device, this one included.
pub async fn sign_out_everywhere() {
    match api::sign_out_everywhere().await {
        Ok(()) => {
            leave();
            views::notice("Signed out on every device");
        }
        Err(failure) => fail(&failure),
    }
}

/// Back to the sign-in screen with nothing of the account kept.
fn leave() {
    web_shared::signed_in::forget(SIGNED_IN_KEY);
    scan::close();
    with(|c| *c = Console { claimed: c.claimed, ..Console::default() });
    views::whoami(None);
    go(Screen::SignIn);
}

pub async fn create_shop() {
    views::clear_messages();
    let request = (|| -> Result<CreateShopRequest, String> {
        let id = dom::input_value("new-shop-id");
        let shop_id = match id.trim() {
            "" => None,
            id => Some(ShopId::parse(id).map_err(|e| format!("shop id: {e}"))?),
        };
        Ok(CreateShopRequest {
            shop_id,
            name: Label::parse(&dom::input_value("new-shop-name")).map_err(|e| format!("name: {e}"))?,
            currency: Currency::parse(&dom::input_value("new-shop-currency").trim().to_ascii_uppercase())
                .map_err(|e| format!("currency: {e}"))?,
            points_per_unit: points_per_unit("new-shop-points")?,
        })
    })();
    let request = match request {
        Ok(request) => request,
        Err(message) => return views::error(&message),
    };
    dom::set_busy("create-shop-submit", true);
    let result = async {
        let shop = api::create_shop(&request).await?;
        let invite = api::invite(shop.shop_id.as_str()).await?;
        let me = api::me().await?;
        Ok::<_, Failure>((shop, invite, me))
    }
    .await;
    dom::set_busy("create-shop-submit", false);
    match result {
        Ok((shop, invite, me)) => {
            views::shops(&me);
            with(|c| c.me = Some(me));
            dom::set_input_value("invite-link", &absolute(&invite.invite_path));
            dom::set_hidden("invite-link-box", false);
            for id in ["new-shop-id", "new-shop-name"] {
                dom::set_input_value(id, "");
            }
            views::notice(&format!("{} is created. Send its owner the invite link below.", shop.name.as_str()));
            if let Some(link) = dom::element("invite-link") {
                let _ = link.focus();
            }
        }
        Err(failure) => fail(&failure),
    }
}

fn points_per_unit(id: &str) -> Result<PointsPerUnit, String> {
    let error = |_| "points per currency unit: a whole number from 1 to 1000".to_owned();
    let value: u32 = dom::input_value(id).trim().parse().map_err(error)?;
    PointsPerUnit::new(value).map_err(|e| e.to_string())
}

/// Copies the invite link (the field stays selected, so Ctrl+C works too).
pub fn copy_invite_link() {
    let link = dom::input_value("invite-link");
    if let Some(input) = dom::input("invite-link") {
        input.select();
    }
    let copied = web_sys::window().and_then(|window| {
        let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok()?;
        let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        write.call1(&clipboard, &link.into()).ok()
    });
    if copied.is_some() {
        views::notice("The invite link is copied.");
    } else {
        views::notice("The link is selected: copy it with Ctrl+C (⌘C).");
    }
}

pub async fn open_shop(shop_id: String) {
    views::clear_messages();
    // A store manager reaches the products and registers only.
    let manager_only = with(|c| staff::manages_only(c.me.as_ref(), &shop_id));
    let result = async {
        let shop = api::shop(&shop_id).await?;
        let products = api::products(&shop_id).await?;
        let rewards = if manager_only { RewardList { rewards: Vec::new() } } else { api::rewards(&shop_id).await? };
        Ok::<_, Failure>((shop, products, rewards))
    }
    .await;
    match result {
        Ok((shop, products, rewards)) => {
            views::shop(&shop);
            if !manager_only {
                wasm_bindgen_futures::spawn_local(crate::card_processor::load());
            }
            with(|c| {
                c.shop = Some(shop);
                c.products = products.products;
                c.rewards = rewards.rewards;
                c.registers.clear();
                c.editing = None;
                stores::forget();
                dashboard::forget();
                views::products(c);
                views::rewards(c);
                views::registers(c);
            });
            let first = staff::tabs_for(manager_only);
            views::tab(first);
            views::show(Screen::Shop);
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn back_to_shops() {
    views::clear_messages();
    scan::close();
    match api::me().await {
        Ok(me) => enter(me),
        Err(failure) => fail(&failure),
    }
}

pub async fn open_tab(tab: Tab) {
    views::clear_messages();
    // The camera is only for the pair form: leaving the Registers tab closes it.
    scan::close();
    views::tab(tab);
    // The stores name the registers and fill the store choices (pairing, staff, managers).
    if matches!(tab, Tab::Stores | Tab::Registers | Tab::Staff) {
        load_stores().await;
    }
    match tab {
        Tab::Registers => load_registers().await,
        Tab::Staff => staff::load().await,
        Tab::Dashboard => refresh_dashboard().await,
        Tab::Coupons => crate::coupons::load().await,
        _ => {}
    }
}

/// Loads the Dashboard tab for the range and store in its form.
pub async fn refresh_dashboard() {
    let Some((shop_id, _)) = open_shop_id() else { return };
    let manager_only = with(|c| staff::manages_only(c.me.as_ref(), &shop_id));
    dom::set_busy("dash-submit", true);
    let result = dashboard::load(&shop_id, manager_only).await;
    dom::set_busy("dash-submit", false);
    if let Err(failure) = result {
        fail(&failure);
    }
}

/// The shop's stores, for the Stores tab, the pair form's choice and the register list.
async fn load_stores() {
    let Some((shop_id, currency)) = open_shop_id() else { return };
    match stores::list(&shop_id).await {
        Ok(list) => {
            stores::remember(list.stores, Some(currency));
            with(|c| views::registers(c));
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn add_store() {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let name = match stores::new_name() {
        Ok(name) => name,
        Err(message) => return views::error(&message),
    };
    dom::set_busy("store-submit", true);
    let result = stores::add(&shop_id, name).await;
    dom::set_busy("store-submit", false);
    match result {
        Ok(store) => {
            views::notice(&format!("{} is added: pair its registers from the Registers tab.", store.name.as_str()));
            dom::set_input_value("store-add-name", "");
            load_stores().await;
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn rename_store(store_id: String) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let name = match stores::typed_name(&store_id) {
        Ok(name) => name,
        Err(message) => return views::error(&message),
    };
    let change = ChangeStoreRequest { name: Some(name), offline_debit_limit_minor: None };
    match stores::change(&shop_id, &store_id, change).await {
        Ok(store) => {
            views::notice(&format!("Renamed: new receipts name {}.", store.name.as_str()));
            load_stores().await;
        }
        Err(failure) => fail(&failure),
    }
}

/// Sets what the store's registers may charge to a prepaid balance per sale with no network.
pub async fn set_offline_limit(store_id: String) {
    views::clear_messages();
    let Some((shop_id, currency)) = open_shop_id() else { return };
    let limit = match stores::typed_limit(&store_id, currency) {
        Ok(limit) => limit,
        Err(message) => return views::error(&message),
    };
    let change = ChangeStoreRequest { name: None, offline_debit_limit_minor: Some(limit) };
    match stores::change(&shop_id, &store_id, change).await {
        Ok(store) => {
            let text = match MinorUnits::from_minor(store.offline_debit_limit_minor, currency) {
                Ok(amount) => format!(
                    "With no network, registers at {} may now charge up to {} per sale to a prepaid balance (they \
                     learn it at their next sync).",
                    store.name.as_str(),
                    web_shared::locale::money(amount.0, currency)
                ),
                Err(_) => format!("Registers at {} charge nothing to prepaid balances offline.", store.name.as_str()),
            };
            views::notice(&text);
            load_stores().await;
        }
        Err(failure) => fail(&failure),
    }
}

/// Closes a store after asking: its registers stop at once, it leaves the store choices.
pub async fn close_store(store_id: String) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let Some(name) = stores::open_name(&store_id) else { return };
    let question = format!(
        "Close {name}? Its registers stop working at once and its managers lose it. Receipts, history and the \
         dashboard keep its name. This cannot be undone."
    );
    let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
    if !confirmed {
        return;
    }
    match stores::close(&shop_id, &store_id).await {
        Ok(closed) => {
            let registers = match closed.revoked_registers.len() {
                0 => "no register was paired there".to_owned(),
                1 => "its register is revoked".to_owned(),
                n => format!("its {n} registers are revoked"),
            };
            views::notice(&format!("{name} is closed: {registers}."));
            load_stores().await;
        }
        Err(failure) => fail(&failure),
    }
}

async fn load_registers() {
    let Some((shop_id, _)) = open_shop_id() else { return };
    match api::registers(&shop_id).await {
        Ok(list) => {
            with(|c| {
                c.registers = list.registers;
                views::registers(c);
            });
            // Offline codes used twice: shown under the registers, named by them.
            load_offline_conflicts(&shop_id).await;
        }
        // The register routes come with register pairing; a server without them answers 404.
        Err(failure) if failure.is(ErrorCode::NotFound) => {
            dom::set_text("registers-status", "This server cannot list registers yet.");
        }
        Err(failure) => fail(&failure),
    }
}

/// Offline codes used twice, tickets admitted at two gates, and offline charges not paid: shown
/// under the registers, named by them.
async fn load_offline_conflicts(shop_id: &str) {
    if let Ok(list) = api::offline_conflicts(shop_id).await {
        with(|c| {
            views::offline_conflicts(c, &list.conflicts);
            views::offline_ticket_conflicts(c, &list.tickets);
            views::offline_bill_conflicts(c, &list.bills);
            views::offline_unpaid(c, &list.unpaid, &list.unpaid_settled);
        });
    }
}

/// Settles an offline charge not paid at sync (a write-off after asking), with the row's note;
/// the lists are loaded again, so the charge moves under "Settled".
pub async fn settle_unpaid(request_id: String, way: SettlementWay) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let note_text = dom::input_value(&format!("settle-note-{request_id}"));
    let note = if note_text.trim().is_empty() {
        None
    } else {
        match Label::parse(&note_text) {
            Ok(note) => Some(note),
            Err(error) => return views::error(&format!("Note: {error}.")),
        }
    };
    if way == SettlementWay::WrittenOff {
        let question = "Write this charge off? The shop gives the money up; it stays listed as written off.";
        let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false);
        if !confirmed {
            return;
        }
    }
    let request = SettleOfflineUnpaid { way, note };
    match api::settle_offline_unpaid(&shop_id, &request_id, &request).await {
        Ok(charge) => {
            let done = match way {
                SettlementWay::Collected => "marked as collected",
                SettlementWay::WrittenOff => "written off",
            };
            views::notice(&format!("The charge of customer {} is {done}.", charge.customer_number));
            load_offline_conflicts(&shop_id).await;
        }
        Err(failure) if failure.is(ErrorCode::AlreadySettled) || failure.is(ErrorCode::NotFound) => {
            fail(&failure);
            load_offline_conflicts(&shop_id).await;
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn save_settings() {
    views::clear_messages();
    let Some((shop_id, current_currency)) = open_shop_id() else { return };
    let (name, points, bonus, rounding, header, footer) = (
        dom::input_value("settings-name"),
        dom::input_value("settings-points"),
        dom::input_value("settings-welcome-bonus"),
        views::field_value("settings-rounding"),
        views::field_value("settings-receipt-header"),
        views::field_value("settings-receipt-footer"),
    );
    let (expiry, time_zone, currency) = (
        dom::input_value("settings-expiry-months"),
        dom::input_value("settings-time-zone"),
        dom::input_value("settings-currency-code"),
    );
    let patch = SettingsForm {
        name: &name,
        points_per_unit: &points,
        welcome_bonus: &bonus,
        points_rounding: &rounding,
        receipt_header: &header,
        receipt_footer: &footer,
        points_expiry: &expiry,
        time_zone: &time_zone,
    }
    .patch()
    .and_then(|patch| Ok((patch, settings_form::currency(&currency)?)));
    let (patch, currency) = match patch {
        Ok(both) => both,
        Err(message) => return views::error(&message),
    };
    dom::set_busy("settings-submit", true);
    // The currency has its own route: it is refused once members have joined.
    let changed_currency = if currency == current_currency {
        Ok(())
    } else {
        api::change_currency(&shop_id, &CurrencyChange { currency }).await.map(drop)
    };
    let result = match changed_currency {
        Ok(()) => api::update_shop(&shop_id, &patch).await,
        Err(failure) => Err(failure),
    };
    dom::set_busy("settings-submit", false);
    match result {
        Ok(shop) => {
            views::shop(&shop);
            let bonus = match shop.programme.welcome_bonus.get() {
                0 => "no welcome bonus".to_owned(),
                points => format!("a welcome bonus of {points} point(s) for new members"),
            };
            let expiry = match shop.programme.points_expiry.months() {
                None => "points never expire".to_owned(),
                Some(months) => format!("points earned from now on expire after {months} month(s)"),
            };
            views::notice(&format!(
                "Saved: {} point(s) per {} from the next sale, {bonus}, {expiry}, time zone {}.",
                shop.points_per_unit.get(),
                shop.currency,
                shop.programme.time_zone.as_str()
            ));
            with(|c| c.shop = Some(shop));
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn invite_owner() {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    match api::invite(&shop_id).await {
        Ok(invite) => {
            dom::set_input_value("shop-invite-link", &absolute(&invite.invite_path));
            dom::set_hidden("shop-invite-link", false);
            dom::set_hidden("shop-invite-label", false);
            if let Some(input) = dom::input("shop-invite-link") {
                let _ = input.focus();
                input.select();
            }
            views::notice("Send this link to the other owner: it works once, for 7 days.");
        }
        Err(failure) => fail(&failure),
    }
}

/// Stores a new product list and redraws it.
async fn store_products(shop_id: &str, products: Vec<Product>, done: &str) -> bool {
    match api::put_products(shop_id, &ProductList { products }).await {
        Ok(stored) => {
            with(|c| {
                c.products = stored.products;
                c.editing = None;
                views::products(c);
            });
            views::notice(done);
            true
        }
        Err(failure) => {
            fail(&failure);
            false
        }
    }
}

pub async fn save_product() {
    views::clear_messages();
    let Some((shop_id, currency)) = open_shop_id() else { return };
    let product = (|| -> Result<Product, String> {
        Ok(Product {
            product_code: ProductCode::parse(dom::input_value("product-code").trim())
                .map_err(|e| format!("code: {e}"))?,
            name: Label::parse(&dom::input_value("product-name")).map_err(|e| format!("name: {e}"))?,
            unit_price: MinorUnits::parse(&dom::input_value("product-price"), currency)
                .map_err(|e| format!("price: {e}"))?,
            archived: false,
        })
    })();
    let list = product.and_then(|product| {
        let name = product.name.as_str().to_owned();
        with(|c| c.products_with(product)).map(|list| (list, name))
    });
    match list {
        Ok((list, name)) => {
            dom::set_busy("product-submit", true);
            store_products(&shop_id, list, &format!("Saved {name}: the registers offer it from their next start."))
                .await;
            dom::set_busy("product-submit", false);
        }
        Err(message) => views::error(&message),
    }
}

pub fn edit_product(index: Option<usize>) {
    with(|c| {
        c.editing = index.filter(|i| *i < c.products.len());
        views::product_form(c);
    });
    if let Some(name) = dom::element("product-name") {
        let _ = name.focus();
    }
}

pub fn cancel_edit() {
    edit_product(None);
}

pub async fn remove_product(index: usize) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let list = with(|c| c.products_without(index));
    store_products(&shop_id, list, "Removed: the registers no longer offer it.").await;
}

/// Archives the product at `index`, or restores it if it is archived.
pub async fn toggle_archived(index: usize) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let list = with(|c| c.products_toggled(index));
    let Some(product) = list.get(index) else { return };
    let done = if product.archived {
        format!(
            "Archived {}: the registers no longer offer it; receipts and the CSV still name it.",
            product.name.as_str()
        )
    } else {
        format!("Restored {}: the registers offer it again from their next start.", product.name.as_str())
    };
    store_products(&shop_id, list, &done).await;
}

pub fn export_products() {
    let Some((shop_id, currency)) = open_shop_id() else { return };
    let text = with(|c| products_csv::export(&c.products, currency));
    if download(&format!("products-{shop_id}.csv"), &text).is_none() {
        views::error("This browser could not save the file.");
    }
}

fn download(name: &str, text: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let link = dom::create("a")?.dyn_into::<web_sys::HtmlAnchorElement>().ok()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url).ok()
}

pub async fn import_products() {
    views::clear_messages();
    let Some((shop_id, currency)) = open_shop_id() else { return };
    let text = dom::element("products-csv")
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|area| area.value())
        .unwrap_or_default();
    match products_csv::import(&text, currency) {
        Ok(products) => {
            let count = products.len();
            if store_products(&shop_id, products, &format!("Imported {count} product(s).")).await {
                if let Some(area) =
                    dom::element("products-csv").and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                {
                    area.set_value("");
                }
            }
        }
        Err(message) => views::error(&message),
    }
}

async fn store_rewards(shop_id: &str, rewards: Vec<domain::rewards::Reward>, done: &str) {
    match api::put_rewards(shop_id, &RewardList { rewards }).await {
        Ok(stored) => {
            with(|c| {
                c.rewards = stored.rewards;
                views::rewards(c);
            });
            views::notice(done);
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn add_reward() {
    views::clear_messages();
    let Some((shop_id, currency)) = open_shop_id() else { return };
    let kind = dom::element("reward-kind")
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|select| select.value())
        .unwrap_or_default();
    let reward = (|| -> Result<Reward, String> {
        let value = dom::input_value("reward-value");
        let benefit = if kind == "amount_off" {
            Benefit::AmountOff { amount: MinorUnits::parse(&value, currency).map_err(|e| format!("amount: {e}"))? }
        } else {
            Benefit::FreeItem { item: Label::parse(&value).map_err(|e| format!("item: {e}"))? }
        };
        let cost_points: i64 = dom::input_value("reward-cost")
            .trim()
            .parse()
            .ok()
            .filter(|points| *points > 0)
            .ok_or("cost: a whole number of points, more than 0")?;
        Ok(Reward {
            reward_id: RewardId::parse(dom::input_value("reward-id").trim()).map_err(|e| format!("id: {e}"))?,
            name: Label::parse(&dom::input_value("reward-name")).map_err(|e| format!("name: {e}"))?,
            cost_points,
            benefit,
            archived: false,
        })
    })();
    match reward.and_then(|reward| with(|c| c.rewards_with(reward))) {
        Ok(list) => {
            store_rewards(&shop_id, list, "Reward added.").await;
            for id in ["reward-id", "reward-name", "reward-cost", "reward-value"] {
                dom::set_input_value(id, "");
            }
        }
        Err(message) => views::error(&message),
    }
}

/// Archives the reward at `index`, or restores it if it is archived.
pub async fn toggle_reward_archived(index: usize) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let list = with(|c| c.rewards_toggled(index));
    let Some(reward) = list.get(index) else { return };
    let done = if reward.archived {
        format!("Archived {}: the registers no longer offer it; receipts still name it.", reward.name.as_str())
    } else {
        format!("Restored {}: the registers offer it again from their next start.", reward.name.as_str())
    };
    store_rewards(&shop_id, list, &done).await;
}

pub async fn remove_reward(index: usize) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let list = with(|c| c.rewards_without(index));
    store_rewards(&shop_id, list, "Reward removed.").await;
}

pub async fn revoke_register(register_id: String) {
    views::clear_messages();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let name = with(|c| {
        c.registers.iter().find(|r| r.register_id.as_str() == register_id).map(|r| r.name.as_str().to_owned())
    })
    .unwrap_or_else(|| register_id.clone());
    let confirmed = web_sys::window()
        .and_then(|w| w.confirm_with_message(&format!("Revoke {name}? It stops working at once.")).ok())
        .unwrap_or(false);
    if !confirmed {
        return;
    }
    match api::revoke_register(&shop_id, &register_id).await {
        Ok(()) => {
            views::notice(&format!("{name} is revoked."));
            load_registers().await;
        }
        Err(failure) => fail(&failure),
    }
}

pub async fn pair_register() {
    views::clear_messages();
    scan::close();
    let Some((shop_id, _)) = open_shop_id() else { return };
    let code: String =
        dom::input_value("pair-code").chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
    if code.is_empty() {
        return views::error("Type the code the new register shows.");
    }
    let name = match Label::parse(&dom::input_value("pair-name")) {
        Ok(name) => name,
        Err(error) => return views::error(&format!("name: {error}")),
    };
    dom::set_busy("pair-submit", true);
    let store_id = stores::picked_for_pairing();
    let result = api::pair(&shop_id, &ApprovePairingRequest { code, name, store_id }).await;
    dom::set_busy("pair-submit", false);
    match result {
        Ok(register) => {
            views::notice(&format!("{} is paired: the register page starts by itself.", register.name.as_str()));
            dom::set_input_value("pair-code", "");
            dom::set_input_value("pair-name", "");
            load_registers().await;
        }
        Err(web_shared::http::Failure::Refused(slowed)) if slowed.error == ErrorCode::TooManyAttempts => {
            let seconds = slowed.retry_after_seconds.unwrap_or(1).max(1);
            views::error(&format!(
                "Too many codes typed here were not waiting to be paired. Wait {seconds} s, then type the code the register shows."
            ));
        }
        Err(failure) => fail(&failure),
    }
}
