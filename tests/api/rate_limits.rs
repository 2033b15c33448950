//! Rate limits on submitting code: per client address (from
//! `X-Forwarded-For` only behind a trusted proxy) and per `user_id`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn post_execute(
    app: &TestApp,
    user: Option<&str>,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({"language": "python", "code": "print(1)"});
    if let Some(user) = user {
        body["user_id"] = json!(user);
    }
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
        assert_eq!(
            post_execute(&app, None, None).await.status(),
            StatusCode::OK
        );
    }
    assert_limited(post_execute(&app, None, None).await, "client address").await;
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
        let response = post_execute(&untrusted, None, Some(address)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // A forged header does not buy a new budget.
    assert_limited(
        post_execute(&untrusted, None, Some("10.0.0.3")).await,
        "client address",
    )
    .await;

    let behind_proxy = TestApp::spawn_with_env(&[
        ("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "2"),
        ("JUDGEBOX_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1"] {
        let response = post_execute(&behind_proxy, None, Some(address)).await;
        assert_eq!(response.status(), StatusCode::OK, "{address}");
    }
    // The client is the last address the proxy added.
    assert_limited(
        post_execute(&behind_proxy, None, Some("192.0.2.9, 10.0.0.1")).await,
        "client address",
    )
    .await;
}

#[tokio::test]
async fn each_user_id_gets_its_own_budget() {
    let app = TestApp::spawn_with_env(&[
        ("JUDGEBOX_RATE_LIMIT_PER_MINUTE", "2"),
        ("JUDGEBOX_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    // Each from its own address, so only the user limit applies.
    let responses = [
        post_execute(&app, Some("ada"), Some("10.1.0.1")).await,
        post_execute(&app, Some("ada"), Some("10.1.0.2")).await,
        post_execute(&app, Some("bob"), Some("10.1.0.3")).await,
    ];
    for response in responses {
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_limited(
        post_execute(&app, Some("ada"), Some("10.1.0.4")).await,
        "user",
    )
    .await;
}
