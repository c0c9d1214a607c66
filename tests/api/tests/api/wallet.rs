use api_tests::{expect_error, spawn_app, SendThroughProxy};
use domain::api::routes;
use domain::api::ErrorCode;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_waiting_wallet_wakes_with_the_new_balance_within_two_seconds() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    let before = member.wallet(None).await;

    let waiting = tokio::spawn({
        let client = member.client.clone();
        let url = app.url(&routes::wallet_after(before.version));
        async move {
            let wallet: domain::api::Wallet = client.get(url).dispatch().await.unwrap().json().await.unwrap();
            (wallet, Instant::now())
        }
    });
    // Let the poll reach the server and start waiting.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!waiting.is_finished(), "the wallet answered before anything changed");

    let accrued_at = Instant::now();
    app.accrue_ok(&code, 4200).await;
    let (wallet, woke_at) = tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("woke in time").unwrap();
    assert!(woke_at.duration_since(accrued_at) < Duration::from_secs(2), "woke after {:?}", woke_at - accrued_at);
    assert!(wallet.version > before.version);
    assert_eq!(wallet.memberships[0].points, 42);
}

#[tokio::test]
async fn a_stale_version_answers_at_once() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let current = member.wallet(None).await;
    assert!(current.version >= 1, "joining changed the wallet");
    let started = Instant::now();
    let wallet = member.wallet(Some(current.version - 1)).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    // Everything but the server's clock is the same.
    assert_eq!(domain::api::Wallet { server_now: current.server_now, ..wallet.clone() }, current);
    assert_eq!(wallet.member_number, member.signed_in.member_number);
    assert_eq!(wallet.display_name, member.signed_in.display_name);
}

#[tokio::test]
async fn a_malformed_version_is_refused() {
    let app = spawn_app().await;
    let member = app.sign_up("Ada").await;
    for query in ["after=abc", "after=-1", "after=", "after=1.5"] {
        let response = member.client.get(app.url(&format!("{}?{query}", routes::WALLET))).dispatch().await.unwrap();
        expect_error(response, ErrorCode::InvalidRequest).await;
    }
}
