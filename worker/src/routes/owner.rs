//! Routes for shop owners: [`domain::api::routes::Area::Owner`]. The first
//! run's claim of the operator account, invites, signing in and out, and each
//! shop's settings and catalog. Every call about a shop is scoped to a shop
//! the caller runs (see [`auth::shop_manager`]); a store manager reaches only
//! the shop itself (read), its products and their store's registers, else 403.

use crate::auth::password::{self, StoredPassword};
use crate::auth::{self, session, throttle, Sessions};
use crate::clock;
use crate::crypto::{hex, random_bytes, sha256_hex};
use crate::error::{Outcome, Problem};
use crate::links;
use crate::qr;
use crate::routes::owner_session::{me_of, with_owner_cookie};
use crate::routes::{
    admin, cards, coupons, dashboard, not_allowed, not_found, offline, pairing, passkeys, shop_registers, staff, stores,
};
use crate::storage::directory::Directory;
use crate::storage::owner_book::protocol::{OwnerAccount, OwnerClient};
use crate::storage::owner_book::wrong_credentials;
use crate::storage::shop_book::protocol::ShopClient;
use crate::web;
use crate::zone::Zone;
use domain::api::owner_accounts::{
    invite_path, reset_path, AcceptInviteRequest, ClaimRequest, ClaimStatus, CurrencyChange, HandoverRequest,
    InviteCreated, InviteToken, JoinPoster, OwnerEmail, OwnerSignInRequest, PasswordResetDone, ResetLinkCreated,
    ResetLinkRequest, ResetPasswordRequest, ShopSettingsPatch, INVITE_LIFETIME_MS, RESET_LIFETIME_MS,
};
use domain::api::{routes, ChangePasswordRequest, CreateShopRequest, ErrorCode, ProductList, RewardList, ShopSummary};
use domain::catalog;
use domain::member::Password;
use domain::staff::StaffAction;
use worker::{Env, Method, Request, Response};

/// Invite tokens carry 256 random bits.
const INVITE_TOKEN_BYTES: usize = 32;

/// The owners' table: [`domain::api::routes::Area::Owner`].
pub async fn route(req: Request, env: &Env, path: &str) -> Outcome<Response> {
    use Method::{Delete, Get, Patch, Post, Put};
    let method = web::method(&req);
    match path {
        routes::OWNER_CLAIM => match method {
            Get => claim_status(env).await,
            Post => claim(req, env).await,
            _ => not_allowed("GET, POST"),
        },
        routes::OWNER_SESSION => match method {
            Post => sign_in(req, env).await,
            Delete => sign_out(req, env).await,
            _ => not_allowed("POST, DELETE"),
        },
        routes::OWNER_PASSKEY_SIGN_IN_OPTIONS => match method {
            Post => passkeys::owner_sign_in_options(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OWNER_PASSKEY_SESSION => match method {
            Post => passkeys::owner_sign_in(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OWNER_PASSKEYS => match method {
            Get => passkeys::owner_list(req, env).await,
            Post => passkeys::owner_add(req, env).await,
            _ => not_allowed("GET, POST"),
        },
        routes::OWNER_PASSKEY_OPTIONS => match method {
            Post => passkeys::owner_options(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OWNER_SESSIONS => match method {
            Delete => sign_out_everywhere(req, env).await,
            _ => not_allowed("DELETE"),
        },
        routes::OWNER_PASSWORD => match method {
            Put => change_password(req, env).await,
            _ => not_allowed("PUT"),
        },
        routes::OWNER_ME => match method {
            Get => me(req, env).await,
            _ => not_allowed("GET"),
        },
        routes::OWNER_ACCEPT_INVITE => match method {
            Post => accept_invite(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OWNER_PASSWORD_RESETS => match method {
            Post => create_reset_link(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OWNER_PASSWORD_RESET => match method {
            Post => reset_password(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OWNER_OPERATOR_HANDOVER => match method {
            Post => hand_over(req, env).await,
            _ => not_allowed("POST"),
        },
        routes::OWNER_SHOPS => match method {
            Post => create_shop(req, env).await,
            _ => not_allowed("POST"),
        },
        _ => {
            if let Some(credential_id) = routes::id_in(path, routes::owner_passkey) {
                match method {
                    Delete => passkeys::owner_remove(req, env, credential_id).await,
                    _ => not_allowed("DELETE"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_shop) {
                match method {
                    Get => shop(req, env, shop_id).await,
                    Patch => update_shop(req, env, shop_id).await,
                    _ => not_allowed("GET, PATCH"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_join_poster) {
                match method {
                    Get => join_poster(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_shop_currency) {
                match method {
                    Put => change_currency(req, env, shop_id).await,
                    _ => not_allowed("PUT"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_products) {
                match method {
                    Get => products(req, env, shop_id).await,
                    Put => put_products(req, env, shop_id).await,
                    _ => not_allowed("GET, PUT"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_rewards) {
                match method {
                    Get => rewards(req, env, shop_id).await,
                    Put => put_rewards(req, env, shop_id).await,
                    _ => not_allowed("GET, PUT"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_invites) {
                match method {
                    Post => create_invite(req, env, shop_id).await,
                    _ => not_allowed("POST"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_card_processor) {
                match method {
                    Get => cards::processor_status(req, env, shop_id).await,
                    Put => cards::connect_processor(req, env, shop_id).await,
                    Delete => cards::disconnect_processor(req, env, shop_id).await,
                    _ => not_allowed("GET, PUT, DELETE"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_registers) {
                match method {
                    Get => shop_registers::list(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some((shop_id, register_id)) = routes::ids_in(path, routes::owner_register) {
                match method {
                    Delete => shop_registers::revoke(req, env, shop_id, register_id).await,
                    _ => not_allowed("DELETE"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_stores) {
                match method {
                    Get => stores::list(req, env, shop_id).await,
                    Post => stores::add(req, env, shop_id).await,
                    _ => not_allowed("GET, POST"),
                }
            } else if let Some((shop_id, store_id)) = routes::ids_in(path, routes::owner_store) {
                match method {
                    Patch => stores::change(req, env, shop_id, store_id).await,
                    Delete => stores::close(req, env, shop_id, store_id).await,
                    _ => not_allowed("PATCH, DELETE"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_staff) {
                match method {
                    Get => staff::list(req, env, shop_id).await,
                    Post => staff::add(req, env, shop_id).await,
                    _ => not_allowed("GET, POST"),
                }
            } else if let Some((shop_id, number)) = routes::ids_in(path, routes::owner_staff_member) {
                match method {
                    Delete => staff::remove(req, env, shop_id, number).await,
                    _ => not_allowed("DELETE"),
                }
            } else if let Some((shop_id, number)) = routes::ids_in(path, routes::owner_staff_pin) {
                match method {
                    Put => staff::reset_pin(req, env, shop_id, number).await,
                    _ => not_allowed("PUT"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_manager_invites) {
                match method {
                    Post => staff::invite_manager(req, env, shop_id).await,
                    _ => not_allowed("POST"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_offline_conflicts) {
                match method {
                    Get => offline::conflicts(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some((shop_id, request_id)) = routes::ids_in(path, routes::owner_offline_unpaid_settle) {
                match method {
                    Post => offline::settle(req, env, shop_id, request_id).await,
                    _ => not_allowed("POST"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_coupons) {
                match method {
                    Get => coupons::list(req, env, shop_id).await,
                    Post => coupons::create(req, env, shop_id).await,
                    _ => not_allowed("GET, POST"),
                }
            } else if let Some((shop_id, coupon_id)) = routes::ids_in(path, routes::owner_coupon_end) {
                match method {
                    Post => coupons::end(req, env, shop_id, coupon_id).await,
                    _ => not_allowed("POST"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_dashboard) {
                match method {
                    Get => dashboard::dashboard(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_dashboard_sales_lines) {
                match method {
                    Get => dashboard::sales_lines(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_dashboard_ledger) {
                match method {
                    Get => dashboard::ledger(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_dashboard_customers) {
                match method {
                    Get => dashboard::customers(req, env, shop_id).await,
                    _ => not_allowed("GET"),
                }
            } else if let Some(shop_id) = routes::id_in(path, routes::owner_pairings) {
                match method {
                    Post => pairing::approve(req, env, shop_id).await,
                    _ => not_allowed("POST"),
                }
            } else {
                Err(not_found(path))
            }
        }
    }
}

/// The account, signed in from here on.
async fn account_of(env: &Env, email: &OwnerEmail) -> Outcome<OwnerAccount> {
    OwnerClient::open(env)?.account(email).await?.ok_or_else(|| Problem::internal("an account just stored is missing"))
}

/// `GET /api/owner/claim` → [`ClaimStatus`].
async fn claim_status(env: &Env) -> Outcome<Response> {
    web::ok(&ClaimStatus { claimed: OwnerClient::open(env)?.claimed().await? })
}

/// `POST /api/owner/claim` (bearer `ADMIN_TOKEN`) → 201 [`OwnerMe`] + cookie, once.
async fn claim(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    auth::admin(&req, env)?;
    let sessions = Sessions::from_env(env)?;
    let request: ClaimRequest = web::json_body(&mut req).await?;
    let owners = OwnerClient::open(env)?;
    if owners.claimed().await? {
        // Answered before the slow hash; the book decides again below, atomically.
        return Err(Problem::new(ErrorCode::AlreadyExists, "this instance's operator account exists already"));
    }
    let password = StoredPassword::create(request.password.expose()).await?;
    owners.claim_operator(&request.email, password).await?;
    let me = me_of(env, &account_of(env, &request.email).await?).await?;
    with_owner_cookie(web::created(&me)?, &req, env, &sessions, &request.email).await
}

/// Checks a password against an account, counting the guess first (so
/// parallel guesses cannot slip past the limit); an unknown e-mail is counted
/// and takes as long.
async fn check_password(
    req: &Request,
    env: &Env,
    owners: &OwnerClient,
    email: &OwnerEmail,
    password: &str,
) -> Outcome<OwnerAccount> {
    let guess = throttle::begin_guess(req, env, &format!("owner:{}", email.as_str())).await?;
    let Some(account) = owners.account(email).await? else {
        password::waste_equal_time(password).await?;
        guess.finish(false).await?;
        return Err(wrong_credentials());
    };
    let genuine = account.password.verify(password).await?;
    guess.finish(genuine).await?;
    if !genuine {
        return Err(wrong_credentials());
    }
    Ok(account)
}

/// `POST /api/owner/session` → [`OwnerMe`] + cookie.
async fn sign_in(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let sessions = Sessions::from_env(env)?;
    let request: OwnerSignInRequest = web::json_body(&mut req).await?;
    let owners = OwnerClient::open(env)?;
    let account = check_password(&req, env, &owners, &request.email, &request.password).await?;
    let me = me_of(env, &account).await?;
    with_owner_cookie(web::ok(&me)?, &req, env, &sessions, &request.email).await
}

/// `DELETE /api/owner/session` → 204, cookie cleared: the session ends for
/// every copy of the cookie.
async fn sign_out(req: Request, env: &Env) -> Outcome<Response> {
    let (account, id) = auth::owner::signed_in_session(&req, env).await?;
    OwnerClient::open(env)?.end_session(&account.email, id.hash()).await?;
    clear_owner_cookie(&req)
}

/// `DELETE /api/owner/sessions` → 204, cookie cleared: ends every session of
/// the account, on every device ("sign out everywhere").
async fn sign_out_everywhere(req: Request, env: &Env) -> Outcome<Response> {
    let account = auth::owner::signed_in(&req, env).await?;
    OwnerClient::open(env)?.end_all_sessions(&account.email).await?;
    clear_owner_cookie(&req)
}

/// `PUT /api/owner/password` → 204 + a new owner cookie: the current password
/// (counted like a sign-in guess) buys a new one; every session of the account
/// ends in the same step, and this device gets a new one.
async fn change_password(mut req: Request, env: &Env) -> Outcome<Response> {
    let sessions = Sessions::from_env(env)?;
    let account = auth::owner::signed_in(&req, env).await?;
    let request: ChangePasswordRequest = web::json_body(&mut req).await?;
    let owners = OwnerClient::open(env)?;
    check_password(&req, env, &owners, &account.email, &request.current_password).await?;
    let password = StoredPassword::create(request.new_password.expose()).await?;
    owners.set_password(&account.email, password).await?;
    with_owner_cookie(Response::empty()?.with_status(204), &req, env, &sessions, &account.email).await
}

fn clear_owner_cookie(req: &Request) -> Outcome<Response> {
    let response = Response::empty()?.with_status(204);
    response.headers().set("set-cookie", &session::clear_cookie_of(session::OWNER, !web::is_local_host(req)))?;
    Ok(response)
}

/// `GET /api/owner/me` → [`OwnerMe`].
async fn me(req: Request, env: &Env) -> Outcome<Response> {
    let account = auth::owner::signed_in(&req, env).await?;
    web::ok(&me_of(env, &account).await?)
}

/// `POST /api/owner/invites/accept` → 201 [`OwnerMe`] + cookie. A new e-mail
/// makes an account; an existing owner's must come with their password. An
/// unknown link counts as a wrong guess from the client's address.
async fn accept_invite(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let sessions = Sessions::from_env(env)?;
    let request: AcceptInviteRequest = web::json_body(&mut req).await?;
    let token_hash = sha256_hex(request.token.as_str().as_bytes());
    let owners = OwnerClient::open(env)?;
    // The link is counted like a claim link, by the client's address.
    let guess = throttle::begin_invite_guess(&req, env).await?;
    let accepted = async {
        let new_password = if owners.account(&request.email).await?.is_some() {
            check_password(&req, env, &owners, &request.email, &request.password).await?;
            None
        } else {
            let password = Password::parse(&request.password)
                .map_err(|error| Problem::new(ErrorCode::InvalidRequest, format!("password: {error}")))?;
            Some(StoredPassword::create(password.expose()).await?)
        };
        owners.accept_invite(token_hash, &request.email, new_password).await
    };
    guess.judged(accepted.await, domain::throttle::is_unknown_invite).await?;
    let me = me_of(env, &account_of(env, &request.email).await?).await?;
    with_owner_cookie(web::created(&me)?, &req, env, &sessions, &request.email).await
}

/// `POST /api/owner/shops` (the operator) → 201 [`ShopSummary`]. The operator's
/// account also runs it as an owner, so it stays theirs after a handover.
async fn create_shop(mut req: Request, env: &Env) -> Outcome<Response> {
    let creator = auth::operator_account(&req, env).await?;
    let request: CreateShopRequest = web::json_body(&mut req).await?;
    let shop = admin::open_shop(env, request).await?;
    if let Some(creator) = creator {
        OwnerClient::open(env)?.add_run(&creator.email, &shop.shop_id).await?;
    }
    web::created(&shop)
}

/// `POST /api/owner/password-resets` (the operator's session, or the bearer
/// `ADMIN_TOKEN` for the operator's own account) → 201 [`ResetLinkCreated`]:
/// shown once; only the token's SHA-256 is stored. Only the operator learns
/// whether an e-mail has an account (`not_found`); nobody else gets this far.
async fn create_reset_link(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    auth::operator(&req, env).await?;
    let request: ResetLinkRequest = web::json_body(&mut req).await?;
    let token = InviteToken::parse(&hex(&random_bytes::<INVITE_TOKEN_BYTES>()?))
        .map_err(|_| Problem::internal("generated reset token is invalid"))?;
    let expires_at = clock::now().saturating_add(RESET_LIFETIME_MS);
    OwnerClient::open(env)?.create_reset(sha256_hex(token.as_str().as_bytes()), &request.email, expires_at).await?;
    web::created(&ResetLinkCreated { email: request.email, reset_path: reset_path(&token), token, expires_at })
}

/// `POST /api/owner/password-reset` → [`PasswordResetDone`]: a reset link,
/// once, sets the account's new password and ends every session of it. The
/// token is counted like a password guess (by the client's address) before
/// it is looked up; an unknown one answers `not_found` whatever account exists.
async fn reset_password(mut req: Request, env: &Env) -> Outcome<Response> {
    auth::same_origin(&req)?;
    let request: ResetPasswordRequest = web::json_body(&mut req).await?;
    let token_hash = sha256_hex(request.token.as_str().as_bytes());
    let guess = throttle::begin_guess(&req, env, &format!("owner-reset:{token_hash}")).await?;
    let password = match StoredPassword::create(request.new_password.expose()).await {
        Ok(password) => password,
        Err(problem) => {
            guess.finish(true).await?;
            return Err(problem);
        }
    };
    let redeemed = OwnerClient::open(env)?.redeem_reset(token_hash, password).await;
    // Only a link nobody made counts as a wrong guess; a used or expired one was real.
    let known = !matches!(&redeemed, Err(problem) if problem.code() == ErrorCode::NotFound);
    guess.finish(known).await?;
    web::ok(&PasswordResetDone { email: redeemed? })
}

/// `POST /api/owner/operator/handover` (the operator's session) →
/// [`OwnerMe`]: the operator role goes to another existing account, confirmed
/// with the operator's own password (counted like a sign-in guess). The book
/// swaps both in one step; the old operator keeps the shops they run.
async fn hand_over(mut req: Request, env: &Env) -> Outcome<Response> {
    let account = auth::owner::signed_in(&req, env).await?;
    if !account.operator {
        return Err(Problem::new(ErrorCode::Forbidden, "only the operator may hand over"));
    }
    let request: HandoverRequest = web::json_body(&mut req).await?;
    let owners = OwnerClient::open(env)?;
    check_password(&req, env, &owners, &account.email, &request.password).await?;
    owners.hand_over(&account.email, &request.to).await?;
    web::ok(&me_of(env, &account_of(env, &account.email).await?).await?)
}

/// The shop at `shop_id` if the caller runs all of it (a store manager: 403).
async fn managed_shop(req: &Request, env: &Env, shop_id: &str) -> Outcome<ShopSummary> {
    let (shop, manager) = auth::shop_and_manager(req, env, shop_id).await?;
    manager.require_owner()?;
    Ok(shop)
}

/// `GET /api/owner/shops/{shop}` → [`ShopSummary`] (a store manager may read it; only owners change it).
async fn shop(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    web::ok(&auth::shop_and_manager(&req, env, shop_id).await?.0)
}

/// `GET /api/owner/shops/{shop}/join-poster` → [`JoinPoster`]: the link is
/// built on the address the console was reached at, so a poster printed from
/// the deployed console opens the deployed phone page.
async fn join_poster(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop, _) = auth::shop_and_manager(&req, env, shop_id).await?;
    let join_url = links::phone_link(&req, "join", shop.shop_id.as_str())?;
    web::ok(&JoinPoster { join_qr_svg: qr::svg(&join_url), join_url, shop_id: shop.shop_id, shop_name: shop.name })
}

/// `PATCH /api/owner/shops/{shop}` → [`ShopSummary`]: the book first (registers
/// read it when KV misses), then the directory entry the registers read.
async fn update_shop(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let current = managed_shop(&req, env, shop_id).await?;
    let mut patch: ShopSettingsPatch = web::json_body(&mut req).await?;
    if let Some(name) = &patch.time_zone {
        // The platform's time zone database decides; stored in its canonical spelling.
        let canonical = Zone::of(name).and_then(|zone| zone.canonical_name()).ok_or_else(|| {
            Problem::new(
                ErrorCode::InvalidRequest,
                format!("time_zone: {} is not a known IANA time zone (e.g. Europe/Berlin)", name.as_str()),
            )
        })?;
        patch.time_zone = Some(canonical);
    }
    let shop = ShopClient::of(env, &current.shop_id)?.update(&patch.apply(&current)).await?;
    Directory::open(env)?.put_shop(&shop).await?;
    web::ok(&shop)
}

/// `PUT /api/owner/shops/{shop}/currency` → [`ShopSummary`]; 409
/// `currency_locked` once a member has joined (the shop's book decides).
async fn change_currency(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let current = managed_shop(&req, env, shop_id).await?;
    let change: CurrencyChange = web::json_body(&mut req).await?;
    if change.currency == current.currency {
        return web::ok(&current);
    }
    // Product prices are minor units: they must still be valid amounts in the new currency.
    let products = Directory::open(env)?.products(&current.shop_id).await?;
    catalog::check_products(&products, change.currency)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, format!("products: {error}")))?;
    let changed = ShopSummary { currency: change.currency, ..current };
    let shop = ShopClient::of(env, &changed.shop_id)?.update(&changed).await?;
    Directory::open(env)?.put_shop(&shop).await?;
    web::ok(&shop)
}

/// `GET /api/owner/shops/{shop}/products` → [`ProductList`] (owners and store managers).
async fn products(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop, manager) = auth::shop_and_manager(&req, env, shop_id).await?;
    manager.require(StaffAction::EditProducts)?;
    web::ok(&ProductList { products: Directory::open(env)?.products(&shop.shop_id).await? })
}

/// `PUT /api/owner/shops/{shop}/products` → [`ProductList`]: replaces the list (owners and store managers).
async fn put_products(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let (shop, manager) = auth::shop_and_manager(&req, env, shop_id).await?;
    manager.require(StaffAction::EditProducts)?;
    let request: ProductList = web::json_body(&mut req).await?;
    catalog::check_products(&request.products, shop.currency)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    Directory::open(env)?.put_products(&shop.shop_id, &request.products).await?;
    web::ok(&request)
}

/// `GET /api/owner/shops/{shop}/rewards` → [`RewardList`].
async fn rewards(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop = managed_shop(&req, env, shop_id).await?;
    web::ok(&RewardList { rewards: Directory::open(env)?.rewards(&shop.shop_id).await? })
}

/// `PUT /api/owner/shops/{shop}/rewards` → [`RewardList`]: replaces the list.
async fn put_rewards(mut req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop = managed_shop(&req, env, shop_id).await?;
    let request: RewardList = web::json_body(&mut req).await?;
    catalog::check_rewards(&request.rewards)
        .map_err(|error| Problem::new(ErrorCode::InvalidRequest, error.to_string()))?;
    Directory::open(env)?.put_rewards(&shop.shop_id, &request.rewards).await?;
    web::ok(&request)
}

/// `POST /api/owner/shops/{shop}/invites` → 201 [`InviteCreated`]: the token is
/// shown once; only its SHA-256 is stored.
async fn create_invite(req: Request, env: &Env, shop_id: &str) -> Outcome<Response> {
    let shop = managed_shop(&req, env, shop_id).await?;
    let token = InviteToken::parse(&hex(&random_bytes::<INVITE_TOKEN_BYTES>()?))
        .map_err(|_| Problem::internal("generated invite token is invalid"))?;
    let expires_at = clock::now().saturating_add(INVITE_LIFETIME_MS);
    OwnerClient::open(env)?.create_invite(sha256_hex(token.as_str().as_bytes()), &shop.shop_id, expires_at).await?;
    web::created(&InviteCreated { shop_id: shop.shop_id, invite_path: invite_path(&token), token, expires_at })
}
