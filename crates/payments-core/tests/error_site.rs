//! An HTTP error names what failed: the operation and the URL path it went
//! to, never the host's credentials, the query string or the body of a
//! sensitive call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use payments_core::http::HttpClient;
use payments_core::{Call, Delivery, Error, HttpRequest, Secret};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAY: Call = Call::moves_money("test", "create_payment");

#[tokio::test]
async fn a_404_names_the_operation_and_the_path_without_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/epoint/api/1/request"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let http = HttpClient::new().unwrap();
    // Credentials in the user information and a token in the query must not surface.
    let url =
        server.uri().replace("http://", "http://merchant:hunter2@") + "/epoint/api/1/request?token=tok_secret#frag";
    let response = http
        .execute(&PAY, HttpRequest::post_form(url, &[("data", "x")]))
        .await
        .unwrap();
    assert_eq!(response.status, 404);
    assert_eq!(response.site(), Some(("create_payment", "/epoint/api/1/request")));

    let err = response.status_error("test");
    assert_eq!(
        err.to_string(),
        "test error (HTTP 404 on create_payment at /epoint/api/1/request): code -, no message"
    );
    assert!(matches!(
        &err,
        Error::Provider {
            http_status: Some(404),
            operation: Some("create_payment"),
            path: Some(p),
            ..
        } if p == "/epoint/api/1/request"
    ));
    assert_eq!(err.delivery(), Delivery::ProviderAnswered);
    let all = format!("{err} {err:?}");
    for leak in ["hunter2", "tok_secret", "frag", "merchant", "127.0.0.1"] {
        assert!(!all.contains(leak), "{leak} in {all}");
    }
}

#[tokio::test]
async fn a_sensitive_404_keeps_its_body_out_but_names_the_site() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(ResponseTemplate::new(404).set_body_string("access_token=tok_leak"))
        .mount(&server)
        .await;
    let http = HttpClient::new().unwrap();
    let call = Call::idempotent("test", "token").sensitive();
    let request = HttpRequest::post_form(format!("{}/oauth2/token", server.uri()), &[("client_secret", "s3")])
        .bearer(&Secret::from("bearer_leak".to_owned()));
    let err = http.execute(&call, request).await.unwrap().status_error("test");
    let text = format!("{err} {err:?}");
    assert!(text.contains("on token at /oauth2/token"), "{text}");
    for leak in ["tok_leak", "s3", "bearer_leak"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

#[test]
fn an_error_built_by_hand_names_no_site_and_locate_adds_one() {
    let plain = Error::provider("p", Some("E1".into()), Some("no".into()), Some(400));
    assert_eq!(plain.to_string(), "p error (HTTP 400): code E1, no");
    let located = payments_core::HttpResponse::new(400, "")
        .answering("refund", "https://h.test/api/refund?x=1")
        .locate(plain);
    assert_eq!(
        located.to_string(),
        "p error (HTTP 400 on refund at /api/refund): code E1, no"
    );
    // Not a provider error: unchanged.
    let config = Error::config("x").at("refund", "/api");
    assert!(matches!(config, Error::Config { .. }));
}
