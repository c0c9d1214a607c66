use api_tests::{raw_json, spawn_app, unique_id, SendThroughProxy};
use domain::api::routes;
use domain::member::DisplayName;

#[tokio::test]
async fn the_display_name_is_shown_only_when_shared() {
    let app = spawn_app().await;
    let sharing = app.member_of_shop("Ada Lovelace", true).await;
    let private = app.member_of_shop("Grace Hopper", false).await;

    let code = sharing.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.resolve_ok(&code).await.display_name, Some(DisplayName::parse("Ada Lovelace").unwrap()));

    let code = private.issue_code(&app.shop.shop_id).await.code;
    let view = raw_json(app.resolve(&code).await).await;
    assert!(view["display_name"].is_null(), "{view}");
    assert!(!view.to_string().contains("Grace"), "{view}");

    // Joining again is how a member changes their mind.
    private.join(&app.shop.shop_id, true).await;
    let code = private.issue_code(&app.shop.shop_id).await.code;
    assert_eq!(app.resolve_ok(&code).await.display_name, Some(DisplayName::parse("Grace Hopper").unwrap()));
}

#[tokio::test]
async fn no_register_answer_carries_the_member_number() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", true).await;
    let number = member.signed_in.member_number.as_str().to_owned();
    let code = member.issue_code(&app.shop.shop_id).await.code;

    let info = app.http.get(app.url(routes::REGISTER)).bearer_auth(&app.register.token).dispatch().await.unwrap();
    let answers = [
        raw_json(info).await,
        raw_json(app.resolve(&code).await).await,
        raw_json(app.accrue(&code, &unique_id("req"), 1000).await).await,
    ];
    for answer in answers {
        let text = answer.to_string();
        assert!(!text.contains(&number), "member number leaked: {text}");
        assert!(!text.contains(&member.signed_in.member_number.grouped()), "member number leaked: {text}");
        assert!(answer.get("member_number").is_none(), "{text}");
    }
}
