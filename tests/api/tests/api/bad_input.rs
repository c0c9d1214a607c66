//! Every JSON endpoint answers malformed, misshapen and oversized bodies with
//! a 4xx `ApiError` carrying the right stable code, never a 5xx.

use api_tests::{expect_error, spawn_app, unique_id, SendThroughProxy, TestApp, TestMember, PASSWORD};
use domain::api::routes;
use domain::api::{ErrorCode, MAX_BODY_BYTES};
use reqwest::RequestBuilder;
use serde_json::{json, Value};

enum Caller {
    Anyone,
    Member,
    Register,
    Admin,
}

struct Endpoint {
    path: String,
    caller: Caller,
    /// Bodies that are JSON but miss a required field.
    missing_field: Vec<Value>,
    /// Bodies with a field of the wrong type (or an out-of-range value).
    wrong_type: Vec<Value>,
    /// A valid body, to pad past the size limit.
    valid: Value,
}

fn endpoints(app: &TestApp, code: &str) -> Vec<Endpoint> {
    let shop = app.shop.shop_id.as_str();
    vec![
        Endpoint {
            path: routes::MEMBERS.into(),
            caller: Caller::Anyone,
            missing_field: vec![json!({ "display_name": "Ada" }), json!({ "password": PASSWORD })],
            wrong_type: vec![
                json!({ "display_name": 5, "password": PASSWORD }),
                json!({ "display_name": "Ada", "password": ["x"] }),
            ],
            valid: json!({ "display_name": "Ada", "password": PASSWORD }),
        },
        Endpoint {
            path: routes::SESSION.into(),
            caller: Caller::Anyone,
            missing_field: vec![json!({ "member_number": "123456789012" }), json!({ "password": PASSWORD })],
            wrong_type: vec![
                json!({ "member_number": 12345678901u64, "password": PASSWORD }),
                json!({ "member_number": "1", "password": 5 }),
            ],
            valid: json!({ "member_number": "123456789012", "password": PASSWORD }),
        },
        Endpoint {
            path: routes::MEMBERSHIPS.into(),
            caller: Caller::Member,
            missing_field: vec![json!({ "share_name": true })],
            wrong_type: vec![
                json!({ "shop_id": 1 }),
                json!({ "shop_id": shop, "share_name": "yes" }),
                json!({ "shop_id": "Not/A/Slug" }),
            ],
            valid: json!({ "shop_id": shop }),
        },
        Endpoint {
            path: routes::CODES.into(),
            caller: Caller::Member,
            missing_field: vec![json!({})],
            wrong_type: vec![json!({ "shop_id": [] }), json!({ "shop_id": true })],
            valid: json!({ "shop_id": shop }),
        },
        Endpoint {
            path: routes::RESOLVE.into(),
            caller: Caller::Register,
            missing_field: vec![json!({})],
            wrong_type: vec![json!({ "code": 5 }), json!({ "code": { "digits": code } })],
            valid: json!({ "code": code }),
        },
        Endpoint {
            path: routes::POINTS.into(),
            caller: Caller::Register,
            missing_field: vec![
                json!({ "code": code, "request_id": unique_id("req") }),
                json!({ "code": code, "amount_minor": 100 }),
                json!({ "request_id": unique_id("req"), "amount_minor": 100 }),
            ],
            wrong_type: vec![
                json!({ "code": code, "request_id": unique_id("req"), "amount_minor": "100" }),
                json!({ "code": code, "request_id": unique_id("req"), "amount_minor": -5 }),
                json!({ "code": code, "request_id": unique_id("req"), "amount_minor": 1.5 }),
                json!({ "code": code, "request_id": "short", "amount_minor": 100 }),
                json!({ "code": code, "request_id": "has spaces in it", "amount_minor": 100 }),
                json!({ "code": code, "request_id": 12345678, "amount_minor": 100 }),
            ],
            valid: json!({ "code": code, "request_id": unique_id("req"), "amount_minor": 100 }),
        },
        Endpoint {
            path: routes::ADMIN_SHOPS.into(),
            caller: Caller::Admin,
            missing_field: vec![
                json!({ "name": "X", "currency": "EUR" }),
                json!({ "currency": "EUR", "points_per_unit": 1 }),
            ],
            wrong_type: vec![
                json!({ "name": "X", "currency": "EUR", "points_per_unit": "1" }),
                json!({ "name": "X", "currency": 978, "points_per_unit": 1 }),
            ],
            valid: json!({ "name": "X", "currency": "EUR", "points_per_unit": 1 }),
        },
        Endpoint {
            path: routes::admin_shop_registers(shop),
            caller: Caller::Admin,
            missing_field: vec![json!({})],
            wrong_type: vec![json!({ "name": 1 }), json!({ "name": null })],
            valid: json!({ "name": "Till" }),
        },
    ]
}

fn request(app: &TestApp, member: &TestMember, endpoint: &Endpoint) -> RequestBuilder {
    let url = app.url(&endpoint.path);
    match endpoint.caller {
        Caller::Anyone => app.http.post(url),
        Caller::Member => member.client.post(url),
        Caller::Register => app.http.post(url).bearer_auth(&app.register.token),
        Caller::Admin => app.http.post(url).bearer_auth(&app.admin_token),
    }
}

#[tokio::test]
async fn malformed_json_is_refused_everywhere() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    for endpoint in endpoints(&app, code.as_str()) {
        for body in ["", "{", "not json", "{\"a\":1,}", "{'a':1}", "\u{feff}{}"] {
            let response = request(&app, &member, &endpoint)
                .header("content-type", "application/json")
                .body(body)
                .dispatch()
                .await
                .unwrap();
            expect_error(response, ErrorCode::MalformedJson).await;
        }
    }
    // The code survived all of it.
    app.accrue_ok(&code, 100).await;
}

#[tokio::test]
async fn misshapen_json_is_an_invalid_request_everywhere() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    for endpoint in endpoints(&app, code.as_str()) {
        let not_objects = [json!([]), json!("text"), json!(42), json!(null)];
        let bodies = endpoint.missing_field.iter().chain(&endpoint.wrong_type).chain(&not_objects);
        for body in bodies {
            let response = request(&app, &member, &endpoint).json(body).dispatch().await.unwrap();
            let error = expect_error(response, ErrorCode::InvalidRequest).await;
            assert!(!error.message.contains(PASSWORD), "{}: {}", endpoint.path, error.message);
        }
    }
    app.accrue_ok(&code, 100).await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_everywhere() {
    let app = spawn_app().await;
    let member = app.member_of_shop("Ada", false).await;
    let code = member.issue_code(&app.shop.shop_id).await.code;
    for endpoint in endpoints(&app, code.as_str()) {
        // A valid request padded past the limit, with a Content-Length…
        let mut padded = endpoint.valid.clone();
        padded["padding"] = json!("x".repeat(MAX_BODY_BYTES));
        let response = request(&app, &member, &endpoint).json(&padded).dispatch().await.unwrap();
        expect_error(response, ErrorCode::PayloadTooLarge).await;

        // …and streamed without one, so only the bytes read tell.
        let bytes = serde_json::to_vec(&padded).unwrap();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes.chunks(1024).map(|c| Ok(c.to_vec())).collect();
        let response = request(&app, &member, &endpoint)
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
            .dispatch()
            .await
            .unwrap();
        expect_error(response, ErrorCode::PayloadTooLarge).await;
    }
    // Just under the limit is fine.
    let mut body = json!({ "code": code, "request_id": unique_id("req"), "amount_minor": 100 });
    let room = MAX_BODY_BYTES - serde_json::to_vec(&body).unwrap().len() - r#","padding":"""#.len();
    body["padding"] = json!("x".repeat(room));
    assert_eq!(serde_json::to_vec(&body).unwrap().len(), MAX_BODY_BYTES);
    let response =
        app.http.post(app.url(routes::POINTS)).bearer_auth(&app.register.token).json(&body).dispatch().await.unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap_or_default());
}
