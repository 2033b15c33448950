//! Rate limits on submitting code: anonymous callers per client address
//! (from `X-Forwarded-For` only behind a trusted proxy), participants per
//! token, service keys not at all.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, minutes_from_now};

async fn post_execute(app: &TestApp, forwarded_for: Option<&str>) -> reqwest::Response {
    let body = json!({"language": "python", "code": "print(1)"});
    let mut request = app.request(Method::POST, "/execute").json(&body);
    if let Some(forwarded_for) = forwarded_for {
        request = request.header("x-forwarded-for", forwarded_for);
    }
    request.send().await.unwrap()
}

async fn assert_limited(response: reqwest::Response, per: &str) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=61).contains(&retry_after), "{retry_after}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(
        body["error"]["message"].as_str().unwrap().contains(per),
        "{body}"
    );
}

#[tokio::test]
async fn a_client_address_gets_its_budget_per_minute_and_then_429() {
    let app = TestApp::spawn_with_env(&[("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        assert_eq!(post_execute(&app, None).await.status(), StatusCode::OK);
    }
    assert_limited(post_execute(&app, None).await, "client address").await;
    // Reading is not limited.
    for _ in 0..10 {
        let (status, _) = app.languages().await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    let untrusted = TestApp::spawn_with_env(&[("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "2")]).await;
    for address in ["10.0.0.1", "10.0.0.2"] {
        let response = post_execute(&untrusted, Some(address)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // A forged header does not buy a new budget.
    assert_limited(
        post_execute(&untrusted, Some("10.0.0.3")).await,
        "client address",
    )
    .await;

    let behind_proxy = TestApp::spawn_with_env(&[
        ("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "2"),
        ("JUDGEBOX_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1"] {
        let response = post_execute(&behind_proxy, Some(address)).await;
        assert_eq!(response.status(), StatusCode::OK, "{address}");
    }
    // The client is the last address the proxy added.
    assert_limited(
        post_execute(&behind_proxy, Some("192.0.2.9, 10.0.0.1")).await,
        "client address",
    )
    .await;
}

#[tokio::test]
async fn participants_are_limited_per_token_and_service_keys_not_at_all() {
    let app = TestApp::spawn_with_question(
        json!({"slug": "sum", "title": "Sum",
               "test_cases": [{"input": "1 2", "expected_output": "3"}]}),
        &[("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "2")],
    )
    .await;
    let contest = json!({
        "title": "Now", "starts_at": minutes_from_now(-10), "ends_at": minutes_from_now(60),
        "questions": ["sum"], "scoring": "ioi", "scoreboard": "public"
    });
    assert_eq!(app.put_contest("now", contest).await.0, StatusCode::CREATED);
    let ann = app.add_participant("now", "ann").await;
    let bob = app.add_participant("now", "bob").await;
    let playground = json!({"language": "python", "code": "print(1)"});
    // One address (a classroom behind NAT), a budget per student.
    for token in [&ann, &ann, &bob, &bob] {
        let (status, body) = app.execute_as(Some(token), playground.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let response = (app.request(Method::POST, "/execute"))
        .bearer_auth(&ann)
        .json(&playground)
        .send()
        .await
        .unwrap();
    assert_limited(response, "participant").await;
    let service = app.new_api_key("service").await;
    for _ in 0..5 {
        let (status, body) = app.execute_as(Some(&service), playground.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Anonymous callers from this address still have their own budget.
    for _ in 0..2 {
        assert_eq!(post_execute(&app, None).await.status(), StatusCode::OK);
    }
    assert_limited(post_execute(&app, None).await, "client address").await;
}
